#!/usr/bin/env bash
# A210: log lines. A path with an encoded newline once forged a second
# access-log line (review L1); the error log wrote a webhook's secret when
# the hook failed (review L2); POST /users {} read an uninitialised email
# (review M10). Each is reproduced as the review did.
. "$(dirname "$0")/lib.sh"
W=(--workspace "Studio")
printf 'correct horse battery staple\n' | kith "${W[@]}" user add \
	ana@studio.example --role owner --password-stdin >/dev/null
T=$(kith "${W[@]}" token create ana@studio.example --name a210 | tail -1)
A=(-H "Authorization: Bearer $T")
J=(-H 'content-type: application/json')
start_server
LOG=$A_DIR/serve.log

# ---- L1: control characters and bad UTF-8 are escaped ----
expect "GET /a%0aFAKE-LOG-LINE is answered (the app shell)" 200 GET '/a%0aFAKE-LOG-LINE'
expect "GET /b%1b%5b2J%ff%c3%a9 is answered" 200 GET '/b%1b%5b2J%ff%c3%a9'
sleep 0.2
ok "no log line starts with FAKE-LOG-LINE" bash -c '! grep -q "^FAKE-LOG-LINE" "$1"' _ "$LOG"
ok "one escaped line: /a\\x0aFAKE-LOG-LINE 200" grep -qF 'GET /a\x0aFAKE-LOG-LINE 200' "$LOG"
ok "ESC and a stray 0xff are escaped, valid UTF-8 kept" grep -qF 'GET /b\x1b[2J\xffé 200' "$LOG"
ok "no raw ESC byte in the log" bash -c '! grep -q $'"'"'\x1b'"'"' "$1"' _ "$LOG"

# ---- M10: POST /users {} ----
req POST /api/v1/users "${A[@]}" "${J[@]}" -d '{}'
ok "POST /users {} is 422" test "$STATUS" = 422
ok "... naming email" test "$(jqb .error.field)" = email
req POST /api/v1/users "${A[@]}" "${J[@]}" -d '{"email":"nope"}'
ok "POST /users with no @ is 422" test "$STATUS" = 422
ok "the server is still up" kill -0 "$SERVER_PID"

# ---- the webhook secret is made on first GET, under the write lock ----
# It used to be written inside the GET's read snapshot: on SQLite a
# writer that committed after the snapshot began made that write fail
# at once (SQLITE_BUSY_SNAPSHOT, no busy wait), and the first GET was a
# 503 (CI, stop 25: the token-use flush was that writer). Here another
# connection holds the write lock, changes a row and commits a second
# after the GET began.
if [ -z "${KITH_TEST_PG:-}" ]; then
	{ echo '.timeout 10000'; echo 'BEGIN IMMEDIATE;'
	  echo 'UPDATE workspace SET name = name;'
	  echo ".shell touch '$A_DIR/w-locked'"
	  echo '.shell sleep 1'; echo 'COMMIT;'; } | sqlite3 "$KITH_DB" &
	WRITER=$!
	for _ in $(seq 600); do [ -e "$A_DIR/w-locked" ] && break; sleep 0.05; done
	req GET /api/v1/webhook "${A[@]}"
	wait "$WRITER"
	ok "the first GET /webhook outlasts a writer that commits meanwhile: 200 ($STATUS)" \
		test "$STATUS" = 200
else
	t_n=$((t_n + 1))
	echo "ok $t_n - the first GET /webhook outlasts a writer (SQLite's snapshot) # SKIP sqlite only"
fi

# ---- L2: a failing hook request does not log its secret ----
req GET /api/v1/webhook "${A[@]}"
HOOK=$(jqb .path)
SECRET=${HOOK#/hooks/}
ok "have the webhook secret" test -n "$SECRET"
# Hold the write lock from outside for longer than the busy timeout, so
# the hook's write fails and api_fail logs it.
db_lock 60 "$A_DIR/locked" "$A_DIR/release" &
LOCKER=$!
for _ in $(seq 600); do [ -e "$A_DIR/locked" ] && break; sleep 0.05; done
req POST "$HOOK" "${J[@]}" -d '{"id":"l2","type":"form","email":"x@y.example"}'
touch "$A_DIR/release"
ok "the hook is turned away while the database is locked: 503 ($STATUS)" test "$STATUS" = 503
wait "$LOCKER"
sleep 0.2
ok "the error log names the hook masked" grep -q 'kith: POST /hooks/(secret): ' "$LOG"
ok "the secret appears nowhere in the log" bash -c '! grep -qF "$1" "$2"' _ "$SECRET" "$LOG"
grep -F "$SECRET" "$LOG" | head -3 | sed 's/^/#   /'
# Under ASan/UBSan the server must also stop cleanly: exit 0, no report.
kill -TERM "$SERVER_PID" && wait "$SERVER_PID"
rc=$?
SERVER_PID=
ok "the server stops cleanly on SIGTERM (exit 0, no sanitizer report)" \
	bash -c '[ "$1" = 0 ] && ! grep -q "ERROR: \|runtime error" "$2"' _ "$rc" "$A_DIR/serve.log"
finish
