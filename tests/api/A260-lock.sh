#!/usr/bin/env bash
# A210: another process holds the write lock past the 5 s busy timeout
# (an import, a backup) while the server takes writes on every thread.
# Those writes fail cleanly (503, Retry-After) and, once the lock is
# gone, no connection is left inside a transaction: sign-out works,
# writes work on every thread and every read sees rows committed by
# another connection (review H1).
. "$(dirname "$0")/lib.sh"
[ -n "${KITH_TEST_PG:-}" ] || command -v sqlite3 >/dev/null ||
	{ echo "1..0 # SKIP no sqlite3 CLI"; exit 0; }
W=(--workspace "Lock Co")
printf 'correct horse battery staple\n' | kith "${W[@]}" \
	user add ana@lock.example --role owner --password-stdin >/dev/null
T=$(kith "${W[@]}" token create ana@lock.example --name script | tail -1)
"$KITH" serve --listen 127.0.0.1:0 --threads 4 2>"$A_DIR/serve.log" &
SERVER_PID=$!
for _ in $(seq 1 200); do
	BASE=$(sed -n 's|^kith: serving on \(http://[0-9.:]*\)/.*|\1|p' "$A_DIR/serve.log")
	[ -n "$BASE" ] && break
	sleep 0.05
done
AT=(-H "Authorization: Bearer $T")
J=(-H 'content-type: application/json')
expect "sign in" 200 POST /api/v1/session "${J[@]}" -c "$A_DIR/jar" \
	-d '{"email":"ana@lock.example","password":"correct horse battery staple"}'
CSRF=$(jq -r .csrf_token <<<"$BODY")

# Hold the write lock for 8 s from another process.
db_lock 8 "$A_DIR/locked" &
LOCKER=$!
for _ in $(seq 100); do [ -e "$A_DIR/locked" ] && break; sleep 0.05; done
# Eight writes at once, one connection each: every pool thread gets some.
for i in $(seq 1 8); do
	curl -s -o "$A_DIR/w$i" -D "$A_DIR/wh$i" -w '%{http_code}' -X POST "${AT[@]}" "${J[@]}" \
		-d "{\"name\":\"Blocked $i\"}" "$BASE/api/v1/contacts" >"$A_DIR/ws$i" &
done
wait $(jobs -p | grep -v "^$SERVER_PID$" | grep -v "^$LOCKER$") 2>/dev/null
for i in $(seq 1 8); do
	while [ ! -s "$A_DIR/ws$i" ]; do sleep 0.1; done
done
for i in $(seq 1 8); do cat "$A_DIR/ws$i"; echo; done >"$A_DIR/codes"
codes=$(sort "$A_DIR/codes" | uniq -c | tr -s ' \n' ' ')
# The server's own writers queue behind each other, so the last ones
# may get the lock once it is free: 503 or 201, never 500.
ok "writes under a foreign lock fail with 503, never 500 ($codes)" \
	bash -c "grep -q 503 '$A_DIR/codes' && ! grep -qv '^\(503\|201\)$' '$A_DIR/codes'"
b=$(grep -l 503 "$A_DIR"/ws[1-8] | head -1 | sed 's/.*ws//'); b=${b:-1}
ok "with Retry-After" grep -qi '^retry-after: [0-9]' "$A_DIR/wh$b"
ok "and a JSON error" test "$(jq -r .error.code <"$A_DIR/w$b")" = busy
# Reads on every thread while the lock is still held (the old leak
# turned each of these into a never-ending snapshot).
for i in $(seq 1 12); do
	curl -s -o /dev/null "${AT[@]}" "$BASE/api/v1/contacts" &
done
wait "$LOCKER"
sleep 0.2

expect "sign-out works after the lock" 204 DELETE /api/v1/session -b "$A_DIR/jar" -H "X-CSRF-Token: $CSRF"
expect "the signed-out cookie is refused" 401 GET /api/v1/me -b "$A_DIR/jar"
bad=0
for i in $(seq 1 24); do
	req POST /api/v1/contacts "${AT[@]}" "${J[@]}" -d "{\"name\":\"After $i\"}"
	[ "$STATUS" = 201 ] || { bad=$((bad + 1)); echo "# write $i: $STATUS $BODY"; }
done
ok "24 writes after the lock all succeed" test "$bad" = 0
kith "${W[@]}" add "Written Elsewhere" >/dev/null
seen=0
for i in $(seq 1 24); do
	req GET "/api/v1/contacts?q=Elsewhere" "${AT[@]}"
	[ "$(jqb '.items[0].name')" = "Written Elsewhere" ] && seen=$((seen + 1))
done
ok "a row written by another connection is seen by all 24 reads ($seen)" test "$seen" = 24
ok "the server logged no transaction left open" bash -c "! grep -q 'left open' '$A_DIR/serve.log'"
echo "1..$t_n"
finish
