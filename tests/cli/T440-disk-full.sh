#!/usr/bin/env bash
# T440: a full disk and a read-only database (issue 19). The book lives on
# a 2 MiB tmpfs; a filler file takes the rest. Writes (CLI add and import,
# the API) must fail with an error that says "disk full" and names the
# database, nothing may be half written (kith doctor runs PRAGMA
# integrity_check), reads keep working, and once the filler is gone the
# same writes succeed. Then the mount goes read-only: reads work, writes
# say "read-only". Needs root for mount; CI runs as root, so there is no
# skip: a failed mount fails the test.
. "$(dirname "$0")/lib.sh"
unset KITH_NOW		# the server's writes carry real times
MNT=$T_DIR/small
SERVER_PID=
trap 'kill $SERVER_PID 2>/dev/null; wait 2>/dev/null; umount "$MNT" 2>/dev/null; rm -rf "$T_DIR"' EXIT
mkdir -p "$MNT"
if ! mount -t tmpfs -o size=2m tmpfs "$MNT"; then
	echo "not ok 1 - mount a 2 MiB tmpfs (the test needs root)"
	exit 1
fi
export KITH_DB=$MNT/kith.db
W=(--workspace Studio)
kith "${W[@]}" init >/dev/null
for i in 1 2 3 4 5; do kith add "Seed $i" >/dev/null; done
kith "${W[@]}" user add ana@studio.example --role owner >/dev/null
TOKEN=$(kith token create ana@studio.example | tail -1)
BIG=$(head -c 3000 /dev/urandom | base64 -w0)	# notes near the 4 KiB cap

start_server() {
	: >"$T_DIR/serve.log"
	"$KITH" serve --listen 127.0.0.1:0 --quiet 2>"$T_DIR/serve.log" &
	SERVER_PID=$!
	BASE=
	for _ in $(seq 1 200); do
		BASE=$(sed -n 's|^kith: serving on \(http://[0-9.:]*\)/.*|\1|p' "$T_DIR/serve.log")
		[ -n "$BASE" ] && break
		sleep 0.05
	done
	[ -n "$BASE" ] || { echo "not ok - server did not start"; cat "$T_DIR/serve.log"; exit 1; }
}
stop_server() { kill "$SERVER_PID"; wait "$SERVER_PID" 2>/dev/null; SERVER_PID=; }
api() {	# api METHOD PATH [BODY]: prints the body, then the status line
	curl -s -X "$1" -H "Authorization: Bearer $TOKEN" \
		-H 'content-type: application/json' ${3:+-d "$3"} \
		-w '\n%{http_code}\n' "$BASE$2"
}
count() { kith list --json | jq length; }

# ---- disk full, with the server running (it holds the WAL index) ----
start_server
dd if=/dev/zero of="$MNT/filler" bs=4k 2>/dev/null
ok "the tmpfs is full" test "$(df --output=avail "$MNT" | tail -1 | tr -d ' ')" -lt 8
before=$(count)

full_msg="database $KITH_DB: disk full (No space left on device) during commit; nothing was written: free space and try again"
check "CLI add on a full disk: a clear error naming the database, exit 1, no 'Added' line" 1 \
	"kith add: $full_msg" kith add "Full Disk" --notes "$BIG"
printf 'name,notes\n' >"$T_DIR/imp.csv"
for i in $(seq 1 20); do printf 'Import %d,%s\n' "$i" "$BIG" >>"$T_DIR/imp.csv"; done
check "CLI import on a full disk: the same error, nothing imported" 1 \
	"kith import: $full_msg" kith import "$T_DIR/imp.csv"
ok "CLI reads work on the full disk" test "$(count)" = "$before"

out=$(api POST /api/v1/contacts "{\"name\":\"Api Full\",\"notes\":\"$BIG\"}")
ok "API write on a full disk: 507" test "$(tail -1 <<<"$out")" = 507
ok "API write on a full disk: a JSON error disk_full (the path stays in the log)" \
	test "$(head -1 <<<"$out" | jq -r .error.message)" = "the server's disk is full: nothing was written; reads still work"
out=$(api GET /api/v1/contacts)
ok "API reads on a full disk: 200 with every contact" \
	test "$(tail -1 <<<"$out")/$(head -1 <<<"$out" | jq '.items // . | length')" = "200/$before"
for i in 1 2 3; do api POST /api/v1/contacts "{\"name\":\"Again $i\",\"notes\":\"$BIG\"}" >/dev/null; done
out=$(api GET /api/v1/contacts)
ok "the server keeps answering after repeated failed writes" test "$(tail -1 <<<"$out")" = 200
ok "the server logged the disk-full writes with the database's path" \
	grep -q "POST /api/v1/contacts: $full_msg" "$T_DIR/serve.log"
ok "the server is still running" kill -0 "$SERVER_PID"
stop_server

# Without the server the WAL index cannot even be created; reads still work.
ok "CLI reads on a full disk with no server running" test "$(count)" = "$before"
check "CLI add on a full disk, no server: the same clear error" 1 \
	"kith add: $full_msg" kith add "Full Disk" --notes "$BIG"

# ---- space returns ----
rm "$MNT/filler"
check "after freeing space: CLI add succeeds" 0 "Added Back Again (#$((before + 1)))" \
	kith add "Back Again" --notes "$BIG"
check_rc "after freeing space: CLI import succeeds" 0 kith import "$T_DIR/imp.csv"
ok "nothing from the failed writes is present" \
	test "$(kith list --json | jq '[.[] | select(.name == "Full Disk" or .name == "Api Full" or (.name | startswith("Again")))] | length')" = 0
ok "every write after recovery is present" test "$(count)" = "$((before + 21))"
check_rc "kith doctor: integrity ok, no problem" 0 kith doctor
ok "kith doctor ran PRAGMA integrity_check" grep -q "^integrity  ok" "$T_DIR/out"
start_server
ok "API write after recovery: 201" \
	test "$(api POST /api/v1/contacts '{"name":"Api Back"}' | tail -1)" = 201
stop_server

# ---- a read-only database: the mount goes read-only ----
n=$(count)
mount -o remount,ro "$MNT" || { echo "not ok - remount read-only"; exit 1; }
ok "read-only mount: CLI reads work" test "$(count)" = "$n"
ro_msg="database $KITH_DB is read-only (the file, its folder or the mount cannot be written) during add contact; nothing was written, reads still work"
check "read-only mount: CLI add says read-only, names the database, exit 1" 1 \
	"kith add: $ro_msg" kith add "Read Only"
check_rc "read-only mount: kith doctor is clean (summaries not checked)" 0 kith doctor
ok "read-only mount: doctor says why summaries were skipped" \
	grep -q "^summaries  not checked (the database is read-only)" "$T_DIR/out"
check_rc "read-only mount: kith doctor --repair cannot: exit 1" 1 kith doctor --repair
ok "read-only mount: --repair says read-only and that nothing was written" \
	grep -q "^repair     PROBLEM: database $KITH_DB is read-only .*nothing was written" "$T_DIR/out"
start_server
out=$(api GET /api/v1/contacts)
ok "read-only mount: API reads 200" test "$(tail -1 <<<"$out")" = 200
out=$(api POST /api/v1/contacts '{"name":"Api Ro"}')
ok "read-only mount: API write 503 read_only" \
	test "$(tail -1 <<<"$out") $(head -1 <<<"$out" | jq -r .error.code)" = "503 read_only"
stop_server
mount -o remount,rw "$MNT"
check "writable again: CLI add succeeds" 0 "Added Writable (#$((n + 1)))" kith add "Writable"
finish
