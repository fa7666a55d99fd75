#!/usr/bin/env bash
# A240: an open event stream lives only as long as its credential (M3):
# after DELETE /session, or after its token is revoked, the next signal is
# not delivered and the stream ends. An alert larger than a read (the
# review's 38 KB one, and an 8 KB one with no control characters) does not
# block the stream (M4): the small signal after it arrives. Control
# characters from the webhook are stripped at ingest (L4, L5). The webhook
# is rate-limited per workspace, with a daily quota (L4).
# Exercises src/server/api_signals.c (events, webhook), src/app/signals.c.
. "$(dirname "$0")/lib.sh"
# stop_clean: SIGTERM the server; it must exit 0 (under ASan: no leaks,
# no errors), its report shown if not.
stop_clean() {
	local rc
	kill -TERM "$SERVER_PID" && wait "$SERVER_PID"
	rc=$?
	SERVER_PID=
	ok "the server stops cleanly on SIGTERM (exit 0)" test "$rc" = 0
	[ "$rc" = 0 ] || grep -A12 'ERROR\|runtime error' "$A_DIR/serve.log" | head -40 | sed 's/^/#   /'
}
W=(--workspace "Studio")
printf 'correct horse battery staple\n' | kith "${W[@]}" user add \
	ana@studio.example --role owner --password-stdin >/dev/null
printf 'correct horse battery staple\n' | kith "${W[@]}" user add \
	mo@studio.example --role member --password-stdin >/dev/null
T=$(kith "${W[@]}" token create ana@studio.example --name owner | tail -1)
TM=$(kith "${W[@]}" token create mo@studio.example --name mo-stream | tail -1)
HOOK=/hooks/$(kith "${W[@]}" webhook show | sed 's|.*/hooks/||')
start_server
A=(-H "Authorization: Bearer $T")
J=(-H 'content-type: application/json')
hook() { req POST "$HOOK" "${J[@]}" -d "$1"; }
declare -A LPID
# listen NAME [curl args]: an event stream into $A_DIR/NAME.sse.
listen() {
	local name=$1
	shift
	: >"$A_DIR/$name.sse"
	curl -sN "$@" "$BASE/api/v1/events" >"$A_DIR/$name.sse" 2>/dev/null &
	LPID[$name]=$!
	for _ in $(seq 1 100); do
		grep -q 'connected' "$A_DIR/$name.sse" && return 0
		sleep 0.05
	done
	return 1
}
wait_for() {
	for _ in $(seq 1 $((${3:-5} * 20))); do
		grep -Eq "$2" "$A_DIR/$1.sse" && return 0
		sleep 0.05
	done
	return 1
}
# ended NAME: the stream's curl has exited (within 3 s).
ended() {
	for _ in $(seq 1 60); do
		kill -0 "${LPID[$1]}" 2>/dev/null || return 0
		sleep 0.05
	done
	return 1
}
kill_listeners() { for k in "${!LPID[@]}"; do kill "${LPID[$k]}" 2>/dev/null; done; }
trap 'kill_listeners; stop_server; rm -rf "$A_DIR"' EXIT

# ---- M3: sign-out ends a cookie stream ----
expect "mo signs in" 200 POST /api/v1/session "${J[@]}" -c "$A_DIR/jar" \
	-d '{"email":"mo@studio.example","password":"correct horse battery staple"}'
CSRF=$(jq -r .csrf_token <<<"$BODY")
ok "mo's cookie stream opens" listen cookie -b "$A_DIR/jar"
hook '{"id":"m3-1","type":"form","email":"lead@x.example","name":"Leaky Lead","text":"before logout"}'
ok "a signal before sign-out arrives" wait_for cookie '"text":"before logout"'
expect "sign out" 204 DELETE /api/v1/session -b "$A_DIR/jar" -H "X-CSRF-Token: $CSRF"
hook '{"id":"m3-2","type":"form","email":"lead@x.example","name":"Leaky Lead","text":"after logout"}'
ok "the webhook still takes signals" test "$STATUS" = 202
ok "the stream ends" ended cookie
ok "the signal after sign-out was not delivered" \
	test "$(grep -c 'after logout' "$A_DIR/cookie.sse")" = 0
# The browser reconnects on its own (Last-Event-ID, the old cookie): a
# 401 with the API's JSON error and no event stream, so EventSource stops
# there (no reconnect loop) and the web app asks /me, which signs it out.
STATUS=$(curl -s -o "$A_DIR/body" -D "$A_DIR/h" -w '%{http_code}' -b "$A_DIR/jar" \
	-H 'Accept: text/event-stream' -H 'Last-Event-ID: 1' "$BASE/api/v1/events")
ok "the browser's reconnect after sign-out: 401" test "$STATUS" = 401
ok "... a JSON error body, code unauthorized" test "$(jq -r .error.code "$A_DIR/body")" = unauthorized
ok "... Content-Type application/json, not an event stream" \
	grep -qi '^content-type: application/json' "$A_DIR/h"
ok "... no Retry-After inviting a retry loop" bash -c '! grep -qi "^retry-after" "$1"' _ "$A_DIR/h"
# Signing in again gives a new credential; a new stream resumes.
expect "mo signs in again" 200 POST /api/v1/session "${J[@]}" -c "$A_DIR/jar" \
	-d '{"email":"mo@studio.example","password":"correct horse battery staple"}'
ok "a new stream opens after signing in again" listen again -b "$A_DIR/jar"
hook '{"id":"m3-2b","type":"form","email":"lead@x.example","name":"Leaky Lead","text":"signed in again"}'
ok "... and a signal arrives on it" wait_for again '"text":"signed in again"'
kill "${LPID[again]}" 2>/dev/null

# ---- M3: revoking the token ends a bearer stream ----
ok "mo's token stream opens" listen bearer -H "Authorization: Bearer $TM"
req GET /api/v1/tokens "${A[@]}"
TID=$(jq -r '.items[] | select(.name == "mo-stream") | .id' <<<"$BODY")
ok "the token is listed" test -n "$TID"
expect "the owner revokes it" 204 DELETE "/api/v1/tokens/$TID" "${A[@]}"
hook '{"id":"m3-3","type":"form","email":"lead@x.example","text":"after revoke"}'
ok "the stream ends" ended bearer
ok "the signal after revocation was not delivered" \
	test "$(grep -c 'after revoke' "$A_DIR/bearer.sse")" = 0

# ---- M4: a large alert does not block the stream ----
ok "the owner's stream opens" listen big "${A[@]}"
ctl=$(printf '\\u0001%.0s' $(seq 1 4000))
curl_ctl=$(printf '\\u0001%.0s' $(seq 1 2000))
printf '{"id":"m4-1","type":"form","email":"big@x.example","text":"%s","url":"%s"}' "$ctl" "$curl_ctl" >"$A_DIR/ctl.json"
ok "the review's alert is 38 KB of JSON" test "$(stat -c %s "$A_DIR/ctl.json")" -gt 36000
req POST "$HOOK" "${J[@]}" --data-binary @"$A_DIR/ctl.json"
ok "it is taken: 202" test "$STATUS" = 202
# Quotes double when the alert is JSON: 12 KB of data, no control bytes.
big=$(printf '\\"%.0s' $(seq 1 4000))
bigu=$(printf '\\"%.0s' $(seq 1 1900))
hook "{\"id\":\"m4-2\",\"type\":\"form\",\"email\":\"big@x.example\",\"text\":\"$big\",\"url\":\"https://x.example/$bigu\"}"
ok "a 12 KB signal without control characters: 202" test "$STATUS" = 202
hook '{"id":"m4-3","type":"form","email":"small@x.example","name":"Should Arrive"}'
ok "the small signal after them arrives" wait_for big '"name":"Should Arrive"'
ok "the 12 KB one arrived whole, in one data line" \
	test "$(grep '"ext_id":"m4-2"' "$A_DIR/big.sse" | grep -cF "\"text\":\"$big\"")" = 1
ok "no control characters reached the stream" \
	test "$(grep -c $'\x01\|\\\\u0001' "$A_DIR/big.sse")" = 0
req GET /api/v1/signals "${A[@]}"
ok "nor the stored signal" test "$(grep -c '\\u0001' <<<"$BODY")" = 0

# ---- L4: the webhook's rate and daily quota ----
stop_server
start_server --hook-rate 5 --hook-daily 1000
for i in 1 2 3 4 5; do hook "{\"id\":\"r$i\",\"type\":\"form\"}"; done
ok "five at once: 202" test "$STATUS" = 202
hook '{"id":"r6","type":"form"}'
ok "the sixth within the minute: 429" test "$STATUS" = 429
ok "with Retry-After" test "$(header Retry-After)" -ge 1
stop_server
start_server --hook-rate 600 --hook-daily 3
for i in 1 2 3; do hook "{\"id\":\"d$i\",\"type\":\"form\"}"; done
ok "three in the day: 202" test "$STATUS" = 202
hook '{"id":"d4","type":"form"}'
ok "the fourth in the day: 429" test "$STATUS" = 429
ok "Retry-After points past the minute" test "$(header Retry-After)" -gt 60
stop_clean
echo "1..$t_n"
finish
