#!/usr/bin/env bash
# T400: kith backup and kith restore (src/cli/ops.c, src/store/sqlite_ops.c).
# Backups taken while `kith serve` takes writes over HTTP must each be a
# whole database holding a prefix of the acknowledged writes; restore
# checks what it is given and refuses to replace a book unless --force.
. "$(dirname "$0")/lib.sh"
# A PostgreSQL book is backed up with pg_dump: kith says so, exit 2.
if [ -n "${KITH_TEST_PG:-}" ]; then
	kith init >/dev/null
	check_rc "backup of a PostgreSQL book points to pg_dump, exit 2" 2 \
		kith backup "$T_DIR/b.db"
	ok "and names it" grep -q pg_dump "$T_DIR/out"
	check_rc "restore into a PostgreSQL book, exit 2" 2 \
		kith restore "$T_DIR/b.db"
	ok "and says how" grep -q "migrate --to" "$T_DIR/out"
	ok "no file was written" test ! -e "$T_DIR/b.db"
	finish
	exit
fi
unset KITH_NOW		# the server's writes carry real times
W=(--workspace Studio)
kith "${W[@]}" demo >/dev/null
n_demo=$(sqlite3 "$KITH_DB" 'SELECT count(*) FROM contact')
kith "${W[@]}" user add ana@studio.example --role owner >/dev/null
TOKEN=$(kith "${W[@]}" token create ana@studio.example --workspace Studio | tail -1)

"$KITH" serve --listen 127.0.0.1:0 --quiet 2>"$T_DIR/serve.log" &
SERVER_PID=$!
trap 'kill $SERVER_PID $WRITER_PID 2>/dev/null; wait 2>/dev/null; umount "$T_DIR/small" "$T_DIR/ro" 2>/dev/null; rm -rf "$T_DIR"' EXIT
WRITER_PID=
for _ in $(seq 1 200); do
	BASE=$(sed -n 's|^kith: serving on \(http://[0-9.:]*\)/.*|\1|p' "$T_DIR/serve.log")
	[ -n "$BASE" ] && break
	sleep 0.05
done
[ -n "$BASE" ] || { echo "not ok - server did not start"; cat "$T_DIR/serve.log"; exit 1; }

# The writer: contacts "Load 1", "Load 2", ... one after another, each
# appended to acked only after its 201.
writer() {
	local i=1 st
	while [ ! -e "$T_DIR/stop" ] && [ $i -le 2000 ]; do
		st=$(curl -s -o /dev/null -w '%{http_code}' -X POST \
			-H "Authorization: Bearer $TOKEN" -H 'content-type: application/json' \
			-d "{\"name\":\"Load $i\",\"notes\":\"$(printf '%0200d' $i)\"}" \
			"$BASE/api/v1/contacts")
		[ "$st" = 201 ] && echo "$i" >>"$T_DIR/acked"
		i=$((i + 1))
	done
}
: >"$T_DIR/acked"
writer &
WRITER_PID=$!

# loads FILE: the n of every "Load n" in FILE's export, sorted.
loads() {
	"$KITH" --db "$1" "${W[@]}" export | jq -r '.contacts[].name' |
		sed -n 's/^Load \([0-9]*\)$/\1/p' | sort -n
}
acked() { wc -l <"$T_DIR/acked" | tr -d ' '; }

# Wait for the writer to get going, then back up three times under load.
for _ in $(seq 1 100); do [ "$(acked)" -ge 5 ] && break; sleep 0.05; done
for b in 1 2 3; do
	before=$(acked)
	kith backup "$T_DIR/b$b.db" >"$T_DIR/out$b" 2>&1
	rc=$?
	after=$(acked)
	ok "backup $b under load exits 0" test "$rc" = 0
	ok "backup $b passes integrity_check" \
		test "$(sqlite3 "$T_DIR/b$b.db" 'PRAGMA integrity_check')" = ok
	ok "backup $b is one file, not WAL" \
		test "$(sqlite3 "$T_DIR/b$b.db" 'PRAGMA journal_mode')" = delete
	ok "backup $b is mode 0600" test "$(stat -c %a "$T_DIR/b$b.db")" = 600
	ok "backup $b leaves no .tmp" test ! -e "$T_DIR/b$b.db.tmp"
	cp "$T_DIR/b$b.db" "$T_DIR/e$b.db"
	loads "$T_DIR/e$b.db" >"$T_DIR/loads$b"
	k=$(wc -l <"$T_DIR/loads$b" | tr -d ' ')
	# A prefix: Load 1..k, no gap; at least what was acknowledged before
	# the backup began, at most one more than acknowledged after it.
	ok "backup $b holds a prefix of the writes (k=$k, acked $before..$after)" \
		bash -c "[ \"\$(seq 1 $k)\" = \"\$(cat '$T_DIR/loads$b')\" ] && [ $k -ge $before ] && [ $k -le $((after + 1)) ]"
	ok "backup $b keeps the demo book ($n_demo contacts)" \
		test "$("$KITH" --db "$T_DIR/e$b.db" "${W[@]}" export | jq '[.contacts[].name | select(startswith("Load ") | not)] | length')" = "$n_demo" 
	sleep 0.3
done
touch "$T_DIR/stop"
wait "$WRITER_PID"
WRITER_PID=
ok "the writer was acknowledged throughout ($(acked) writes)" test "$(acked)" -ge 20
k3=$(wc -l <"$T_DIR/loads3" | tr -d ' ')

# ---- backup refuses to replace a file ----
check "backup refuses an existing FILE" 2 \
"kith backup: FILE: $T_DIR/b1.db exists; --force replaces it" \
	kith backup "$T_DIR/b1.db"
check_rc "backup --force replaces it" 0 kith backup "$T_DIR/b1.db" --force
ok "the replaced backup is whole" \
	test "$(sqlite3 "$T_DIR/b1.db" 'PRAGMA integrity_check')" = ok
check "backup of no database" 2 \
"kith backup: --db: no database at $T_DIR/none.db" \
	kith --db "$T_DIR/none.db" backup "$T_DIR/x.db"
check "backup wants FILE" 2 "kith backup: missing argument (see kith backup --help)" kith backup

# ---- a read-only folder and a full disk (tmpfs, root only) ----
mkdir -p "$T_DIR/small" "$T_DIR/ro"
if mount -t tmpfs -o size=64k tmpfs "$T_DIR/small" 2>/dev/null &&
   mount -t tmpfs -o ro,size=64k tmpfs "$T_DIR/ro" 2>/dev/null; then
	check "backup to a full disk says so" 1 \
"kith backup: $T_DIR/small/b.db.tmp: disk full while copying" \
		kith backup "$T_DIR/small/b.db"
	ok "a failed backup leaves nothing behind" \
		test -z "$(ls -A "$T_DIR/small")"
	check "backup to a read-only folder says so" 1 \
"kith backup: FILE: cannot create $T_DIR/ro/b.db.tmp: Read-only file system" \
		kith backup "$T_DIR/ro/b.db"
else
	for n in 1 2 3; do echo "ok $((t_n + n)) # skip cannot mount tmpfs"; done
	t_n=$((t_n + 3))
fi

# ---- restore ----
n_live=$(curl -s -H "Authorization: Bearer $TOKEN" "$BASE/api/v1/contacts?limit=1000" | jq '.items | length')
check "restore refuses a live book" 2 \
"kith restore: --force: the database already holds a book; --force replaces it with $T_DIR/b3.db" \
	kith restore "$T_DIR/b3.db"
ok "refused: the live book is unchanged" test "$(curl -s -H "Authorization: Bearer $TOKEN" "$BASE/api/v1/contacts?limit=1000" | jq '.items | length')" = "$n_live"
check "restore --force replaces it, server running" 0 \
"restored $T_DIR/b3.db into $KITH_DB" \
	kith restore "$T_DIR/b3.db" --force
n_back=$(curl -s -H "Authorization: Bearer $TOKEN" "$BASE/api/v1/contacts?limit=1000" | jq '.items | length')
n_b3=$(sqlite3 "$T_DIR/b3.db" 'SELECT count(*) FROM contact')
ok "the running server now serves the backup ($n_back contacts, backup $n_b3)" \
	test "$n_back" = "$n_b3" -a "$n_back" -lt "$n_live"
ok "the restored live database passes integrity_check" \
	test "$(sqlite3 "$KITH_DB" 'PRAGMA integrity_check')" = ok
loads "$KITH_DB" >"$T_DIR/loads-live"
ok "the restored book is the backup's ($k3 loads)" cmp -s "$T_DIR/loads-live" "$T_DIR/loads3"
check_rc "the server still takes writes" 0 \
	test "$(curl -s -o /dev/null -w '%{http_code}' -X POST -H "Authorization: Bearer $TOKEN" \
		-H 'content-type: application/json' -d '{"name":"After Restore"}' "$BASE/api/v1/contacts")" = 201
kill "$SERVER_PID"
wait "$SERVER_PID" 2>/dev/null

check "restore into a new database needs no --force" 0 \
"restored $T_DIR/b2.db into $T_DIR/fresh.db" \
	kith --db "$T_DIR/fresh.db" restore "$T_DIR/b2.db"
ok "the fresh database holds backup 2" \
	test "$(sqlite3 "$T_DIR/fresh.db" 'SELECT count(*) FROM contact')" = "$(sqlite3 "$T_DIR/b2.db" 'SELECT count(*) FROM contact')"

# A backup of another page size (made by another SQLite, or VACUUMed
# with one): the backup API cannot copy it into a WAL database as is.
sqlite3 "$T_DIR/big.db" 'PRAGMA page_size = 8192; VACUUM'
"$KITH" --db "$T_DIR/big.db" --workspace Big add "Big Page" >/dev/null
check "restore a backup of another page size" 0 \
"restored $T_DIR/big.db into $T_DIR/fresh.db" \
	kith --db "$T_DIR/fresh.db" restore "$T_DIR/big.db" --force
ok "and it is there, whole" test "$("$KITH" --db "$T_DIR/fresh.db" --workspace Big --json list | jq -r '.[0].name')/$(sqlite3 "$T_DIR/fresh.db" 'PRAGMA integrity_check')" = "Big Page/ok"

echo "not a database at all" >"$T_DIR/text.db"
check "a non-kith file is refused" 2 \
"kith restore: $T_DIR/text.db: not a kith database (file is not a database)" \
	kith restore "$T_DIR/text.db" --force
sqlite3 "$T_DIR/other.db" 'CREATE TABLE notes (x); INSERT INTO notes VALUES (1)'
check "another SQLite database is refused" 2 \
"kith restore: FILE: $T_DIR/other.db: not a kith database (no workspace, contact and touchpoint tables)" \
	kith restore "$T_DIR/other.db" --force
cp "$T_DIR/b2.db" "$T_DIR/newer.db"
sqlite3 "$T_DIR/newer.db" 'PRAGMA user_version = 999'
check_rc "a newer schema is refused" 2 kith restore "$T_DIR/newer.db" --force
ok "and says which versions it reads" grep -q 'schema version 999; this kith reads 1 to' "$T_DIR/out"
check "a missing FILE is refused" 2 \
"kith restore: FILE: cannot read $T_DIR/nope.db: No such file or directory" \
	kith restore "$T_DIR/nope.db"
ok "refusals left the live book as restored" cmp -s <(loads "$KITH_DB") "$T_DIR/loads3"
finish
