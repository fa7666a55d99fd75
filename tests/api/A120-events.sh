#!/usr/bin/env bash
# A120: live events over SSE: a signal event with an id, resume with
# Last-Event-ID losing nothing, nothing for another workspace, focus
# holding signal events and its end releasing one digest, and the stream
# ending cleanly when the server stops.
. "$(dirname "$0")/lib.sh"
printf 'correct horse battery staple\n' | kith --workspace "Studio" user add \
	ana@studio.example --role owner --password-stdin >/dev/null
printf 'correct horse battery staple\n' | kith --workspace "Elsewhere" user add \
	eve@else.example --role owner --password-stdin >/dev/null
T=$(kith --workspace Studio token create ana@studio.example --name a120 | tail -1)
TE=$(kith --workspace Elsewhere token create eve@else.example --name a120 | tail -1)
HOOK=/hooks/$(kith --workspace Studio webhook show | sed 's|.*/hooks/||')
EHOOK=/hooks/$(kith --workspace Elsewhere webhook show | sed 's|.*/hooks/||')
# Several workspaces: serve them all (or, where that is not yet so, name one;
# the other workspace's token still reaches its own).
try_server || try_server --workspace Studio || { echo 'not ok - server did not start'; cat "$A_DIR/serve.log"; exit 1; }

A=(-H "Authorization: Bearer $T")
J=(-H 'content-type: application/json')
hook() { req POST "$HOOK" "${J[@]}" -d "$1"; }
# listen NAME TOKEN [curl args]: an event stream into $A_DIR/NAME.sse.
declare -A LPID
listen() {
	local name=$1 tok=$2
	shift 2
	: >"$A_DIR/$name.sse"
	curl -sN -H "Authorization: Bearer $tok" "$@" "$BASE/api/v1/events" \
		>"$A_DIR/$name.sse" 2>/dev/null &
	LPID[$name]=$!
	# Connected once the stream's opening comment is in.
	for _ in $(seq 1 100); do
		grep -q 'connected' "$A_DIR/$name.sse" && return 0
		sleep 0.05
	done
	return 1
}
unlisten() {
	kill "${LPID[$1]}" 2>/dev/null
	wait "${LPID[$1]}" 2>/dev/null
	LPID[$1]=
}
# wait_for NAME PATTERN [SECONDS]: PATTERN (grep -E) shows up in NAME.
wait_for() {
	local i
	for i in $(seq 1 $((${3:-5} * 20))); do
		grep -Eq "$2" "$A_DIR/$1.sse" && return 0
		sleep 0.05
	done
	return 1
}
count() { grep -c "$2" "$A_DIR/$1.sse"; }
# data_of NAME EVENT: the JSON data lines of EVENT events in NAME.
data_of() { awk -v ev="event: $2" '$0 == ev { getline; sub(/^data: /, ""); print }' "$A_DIR/$1.sse"; }
kill_listeners() { for k in "${!LPID[@]}"; do [ -n "${LPID[$k]}" ] && unlisten "$k"; done; }
trap 'kill_listeners; stop_server; rm -rf "$A_DIR"' EXIT

expect "events without credentials is 401" 401 GET /api/v1/events

ok "ana listens" listen ana "$T"
ok "eve (another workspace) listens" listen eve "$TE"
ok "the stream is text/event-stream" \
	sh -c "curl -s -m 1 -o /dev/null -D - -H 'Authorization: Bearer $T' '$BASE/api/v1/events' | grep -qi '^content-type: text/event-stream'"

# ---- a signal event ----
hook '{"id":"ev-1","type":"website_visit","email":"dana@harbor.example","url":"https://studio.example/pricing"}'
ok "webhook 202" test "$STATUS" = 202
S1=$(jq -r .signal.id <<<"$BODY")
ok "an event: signal arrives" wait_for ana '^event: signal'
ok "with an id: line" grep -q '^id: [0-9][0-9]*$' "$A_DIR/ana.sse"
D=$(data_of ana signal | head -1)
ok "its data is JSON holding the signal" test "$(jq -r '"\(.id)/\(.type)/\(.ext_id)"' <<<"$D")" = "$S1/website_visit/ev-1"
ok "the data has the list's fields" test "$(jq -r 'has("contact") and has("answered_at") and has("response_minutes") and has("at")' <<<"$D")" = true
LAST=$(grep '^id: ' "$A_DIR/ana.sse" | tail -1 | sed 's/^id: //')

# ---- resume with Last-Event-ID ----
unlisten ana
hook '{"id":"ev-2","type":"mention","handle":"@someone","text":"love their work"}'
S2=$(jq -r .signal.id <<<"$BODY")
hook '{"id":"ev-3","type":"form","email":"lee@nowhere.example","name":"Lee"}'
S3=$(jq -r .signal.id <<<"$BODY")
ok "reconnect with Last-Event-ID" listen ana "$T" -H "Last-Event-ID: $LAST"
ok "the two missed signals arrive" wait_for ana "\"id\":$S3[,}]"
ok "both of them, in order" test "$(data_of ana signal | jq -r .id | tr '\n' ' ')" = "$S2 $S3 "
ok "the old one is not sent again" test "$(data_of ana signal | jq -r .id | grep -c "^$S1\$")" = 0
ok "the ids go up" test "$(grep '^id: ' "$A_DIR/ana.sse" | sed 's/^id: //' | sort -n -c 2>&1 && echo y)" = y

# ---- another workspace hears nothing ----
ok "eve got no signal of Studio" test "$(count eve '^event:')" = 0
req POST "$EHOOK" "${J[@]}" -d '{"id":"e-1","type":"form","email":"x@y.example"}'
ok "eve's own workspace webhook is 202" test "$STATUS" = 202
ok "eve hears her own signal" wait_for eve '^event: signal'
ok "eve got exactly one event" test "$(count eve '^event:')" = 1
sleep 0.5
ok "ana did not hear eve's signal" test "$(data_of ana signal | jq -r .ext_id | grep -c '^e-1$')" = 0

# ---- focus holds, its end releases one digest ----
future=$(date -u -d '+2 hours' +%Y-%m-%dT%H:%M:%SZ)
req PUT /api/v1/me/focus "${A[@]}" "${J[@]}" -d "{\"until\":\"$future\"}"
ok "focus on: 200" test "$STATUS" = 200
ok "focused" test "$(jqb .focused)/$(jqb .until)/$(jqb .reason)" = "true/$future/do_not_disturb"
expect "get focus" 200 GET /api/v1/me/focus "${A[@]}"
ok "still focused" test "$(jqb .focused)" = true
before=$(count ana '^event: signal')
hook '{"id":"ev-4","type":"inbound_email","email":"held@nowhere.example","text":"quick question"}'
ok "a signal while focused is acknowledged" test "$STATUS" = 202
S4=$(jq -r .signal.id <<<"$BODY")
sleep 2
ok "no signal event while focused" test "$(count ana '^event: signal')" = "$before"
ok "no digest yet" test "$(count ana '^event: digest')" = 0
req GET /api/v1/signals "${A[@]}"
ok "the held signal is stored all the same" test "$(jq --argjson s "$S4" '[.items[] | select(.id == $s)] | length' <<<"$BODY")" = 1
req PUT /api/v1/me/focus "${A[@]}" "${J[@]}" -d '{"until":null}'
ok "focus off: 200" test "$STATUS" = 200
ok "not focused" test "$(jqb .focused)" = false
ok "a digest arrives within 3 s" wait_for ana '^event: digest' 4
D=$(data_of ana digest | head -1)
ok "the digest holds the held signal" test "$(jq -r '[.signals[].id] | map(tostring) | join(",")' <<<"$D")" = "$S4"
ok "as {signals:[...]} with the signal's fields" test "$(jq -r '.signals[0] | has("type") and has("contact")' <<<"$D")" = true
ok "the digest has an id" test "$(grep -B1 '^event: digest' "$A_DIR/ana.sse" | head -1 | grep -c '^id: [0-9]')" = 1
ok "the held signal was never sent as a signal event" test "$(data_of ana signal | jq -r .id | grep -c "^$S4\$")" = 0
sleep 1.5
ok "exactly one digest" test "$(count ana '^event: digest')" = 1
ok "eve got no digest" test "$(count eve '^event: digest')" = 0
hook '{"id":"ev-5","type":"form","email":"after@nowhere.example"}'
ok "after focus, signals are live again" wait_for ana '"ext_id":"ev-5"'

# ---- a clean end on SIGTERM ----
P=${LPID[ana]}
kill -TERM "$SERVER_PID"
wait "$SERVER_PID"
rc=$?
SERVER_PID=
ok "the server exits 0 on SIGTERM with streams open" test "$rc" = 0
ok "the server says it stopped" grep -q '^kith: stopped' "$A_DIR/serve.log"
ended=no
for _ in $(seq 1 60); do
	kill -0 "$P" 2>/dev/null || { ended=yes; break; }
	sleep 0.05
done
ok "the stream's client sees the end" test "$ended" = yes
wait "$P"
ok "curl ends without a transfer error" test "$?" = 0
LPID[ana]=
finish
