#!/usr/bin/env bash
# T210: files at rest and imported zones. The database is created 0600,
# its -wal and -shm too (review L9); a book whose workspace zone is a
# file path is refused whole, exit 2 (review M7).
. "$(dirname "$0")/lib.sh"

check_rc "kith init" 0 kith init
if [ -z "${KITH_TEST_PG:-}" ]; then
	ok "the database is 0600" test "$(stat -c %a "$KITH_DB")" = 600
	# A connection kept open keeps the -wal and -shm files to look at.
	{ echo 'BEGIN; SELECT count(*) FROM contact;'; sleep 1.5; echo 'COMMIT;'; } |
		sqlite3 "$KITH_DB" >/dev/null &
	sleep 0.5
	kith add "Walter" >/dev/null
	ok "the -wal file is 0600" test "$(stat -c %a "$KITH_DB-wal")" = 600
	ok "the -shm file is 0600" test "$(stat -c %a "$KITH_DB-shm")" = 600
	wait
else
	skip "the database file is 0600, its -wal and -shm too" "sqlite only"
fi

for tz in /dev/stdin ../../../etc/localtime /etc/localtime 'America/../../etc/passwd' 'Nowhere/Atlantis'; do
	printf '{"format":"kith-book","version":1,"workspace":{"tz":"%s"},"contacts":[{"id":1,"name":"c"}]}' "$tz" >"$T_DIR/tz.json"
	check "a workspace zone of $tz is refused" 2 \
		"kith import: $T_DIR/tz.json: workspace.tz: unknown time zone \"$tz\"" \
		kith --db "$T_DIR/tz.db" import "$T_DIR/tz.json"
done
printf '{"format":"kith-book","version":1,"workspace":{"tz":"Europe/London"},"contacts":[{"id":1,"name":"c"}]}' >"$T_DIR/tz.json"
check_rc "a real zone is taken" 0 kith --db "$T_DIR/tz2.db" import "$T_DIR/tz.json"

# A new account while another process holds the write lock past the busy
# timeout: "busy", exit 1, never "already has an account".
# On PostgreSQL the same wait is lock_timeout's (5 s) on locked tables
# (db_lock, tests/engine.sh).
db_lock 60 "$T_DIR/locked" "$T_DIR/release" &
for _ in $(seq 1 300); do [ -e "$T_DIR/locked" ] && break; sleep 0.1; done
printf 'a long enough password\n' | kith user add fresh@studio.example \
	--password-stdin >"$T_DIR/busy.out" 2>&1
rc=$?
touch "$T_DIR/release"
wait
ok "a busy database is busy, exit 1 ($rc)" test "$rc" = 1
ok "not reported as a taken email" bash -c '! grep -q "already has an account" "$1" && grep -q busy "$1"' _ "$T_DIR/busy.out"
printf 'a long enough password\n' | kith user add fresh@studio.example \
	--password-stdin >/dev/null 2>&1
ok "once free, the account is added" test "$(kith user list | grep -c fresh@studio.example)" = 1
finish
