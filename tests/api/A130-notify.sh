#!/usr/bin/env bash
# A130: notifications to a local receiver: a one-line text POST per signal
# (JSON for a --json target), held while focused and released as one
# digest, retried when the receiver fails, and `kith notify test`.
. "$(dirname "$0")/lib.sh"
W=(--workspace "Studio")
printf 'correct horse battery staple\n' | kith "${W[@]}" user add \
	ana@studio.example --role owner --password-stdin >/dev/null
T=$(kith "${W[@]}" token create ana@studio.example --name a130 | tail -1)
HOOK=/hooks/$(kith "${W[@]}" webhook show | sed 's|.*/hooks/||')

# The receiver: records each POST as a JSON line {path, ct, body, status};
# paths under /flaky answer 500 the first time, 200 after.
RX_LOG=$A_DIR/rx.log
: >"$RX_LOG"
node -e '
const http = require("http"), fs = require("fs");
const [log, portf] = process.argv.slice(1);
const seen = {};
http.createServer((q, r) => {
	let b = "";
	q.on("data", (c) => (b += c));
	q.on("end", () => {
		seen[q.url] = (seen[q.url] || 0) + 1;
		const fail = q.url.startsWith("/flaky") && seen[q.url] === 1;
		fs.appendFileSync(log, JSON.stringify({ path: q.url, method: q.method,
			ct: q.headers["content-type"] || "", body: b,
			status: fail ? 500 : 200 }) + "\n");
		r.statusCode = fail ? 500 : 200;
		r.end(fail ? "not now" : "ok");
	});
}).listen(0, "127.0.0.1", function () {
	fs.writeFileSync(portf + ".tmp", String(this.address().port));
	fs.renameSync(portf + ".tmp", portf);
});' "$RX_LOG" "$A_DIR/rx.port" &
RX_PID=$!
trap 'kill $RX_PID 2>/dev/null; stop_server; rm -rf "$A_DIR"' EXIT
for _ in $(seq 1 100); do [ -s "$A_DIR/rx.port" ] && break; sleep 0.05; done
RX=http://127.0.0.1:$(cat "$A_DIR/rx.port")
ok "the receiver is up" test -s "$A_DIR/rx.port"
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
start_server --notify-allow "127.0.0.1:$(cat "$A_DIR/rx.port")"

A=(-H "Authorization: Bearer $T")
J=(-H 'content-type: application/json')
post() { req POST "$1" "${A[@]}" "${J[@]}" -d "$2"; }
hook() { req POST "$HOOK" "${J[@]}" -d "$1"; }
# rx PATH: the bodies received on PATH, one JSON string a line, without
# morning digests (the server sends those on its own at the start of the
# working day, which may be now).
rx() { jq -c --arg p "$1" 'select(.path == $p and .status == 200) | .body' "$RX_LOG" | grep -v '^"Good morning\|"kind\\":\\"morning' ; }
rx_n() { rx "$1" | grep -c .; }
# rx_wait PATH N [SECONDS]: PATH got at least N bodies.
rx_wait() {
	for _ in $(seq 1 $((${3:-4} * 20))); do
		[ "$(rx_n "$1")" -ge "$2" ] && return 0
		sleep 0.05
	done
	return 1
}

post /api/v1/notify "{\"url\":\"$RX/plain\"}"
ok "add a plain target: 201" test "$STATUS" = 201
PLAIN=$(jqb .id)
post /api/v1/notify "{\"url\":\"$RX/json\",\"json\":true}"
ok "add a JSON target: 201" test "$STATUS" = 201
JSONT=$(jqb .id)
ok "it is marked json" test "$(jqb .json)" = true
post /api/v1/notify '{"url":"file:///etc/passwd"}'
ok "a non-http URL is 400/422" test "$STATUS" = 400 -o "$STATUS" = 422
expect "list targets" 200 GET /api/v1/notify "${A[@]}"
ok "two targets" test "$(jq '.items | length' <<<"$BODY")" = 2

# ---- a signal notifies ----
hook '{"id":"ev-1","type":"website_visit","email":"dana@harbor.example","url":"https://studio.example/pricing"}'
ok "webhook 202" test "$STATUS" = 202
ok "the plain target gets a body within 3 s" rx_wait /plain 1 3
B=$(rx /plain | head -1 | jq -r .)
ok "a one-line text body" test "$(printf '%s' "$B" | wc -l)" = 0 -a -n "$B"
ok "naming who and what" sh -c "printf '%s' \"\$1\" | grep -q 'dana@harbor.example' && printf '%s' \"\$1\" | grep -q '/pricing'" _ "$B"
ok "as text/plain" test "$(jq -r 'select(.path == "/plain") | .ct' "$RX_LOG" | head -1 | cut -d';' -f1)" = text/plain
ok "the JSON target gets a body" rx_wait /json 1 3
JB=$(rx /json | head -1 | jq -r .)
ok "a JSON body with the text" test "$(jq -r '.text | length > 0' <<<"$JB")" = true
ok "of kind signal" test "$(jq -r .kind <<<"$JB")" = signal
ok "as application/json" test "$(jq -r 'select(.path == "/json") | .ct' "$RX_LOG" | head -1)" = application/json
sleep 1
ok "exactly one each" test "$(rx_n /plain)/$(rx_n /json)" = 1/1

# ---- held while focused, one digest after ----
future=$(date -u -d '+2 hours' +%Y-%m-%dT%H:%M:%SZ)
req PUT /api/v1/me/focus "${A[@]}" "${J[@]}" -d "{\"until\":\"$future\"}"
ok "focus on" test "$STATUS/$(jqb .focused)" = 200/true
hook '{"id":"ev-2","type":"inbound_email","email":"held1@nowhere.example","text":"q1"}'
hook '{"id":"ev-3","type":"form","email":"held2@nowhere.example","name":"Held Two"}'
sleep 2.5
ok "nothing arrives while focused" test "$(rx_n /plain)/$(rx_n /json)" = 1/1
req PUT /api/v1/me/focus "${A[@]}" "${J[@]}" -d '{"until":null}'
ok "focus off" test "$STATUS/$(jqb .focused)" = 200/false
ok "a digest arrives after focus ends" rx_wait /plain 2 4
ok "the JSON target too" rx_wait /json 2 4
sleep 1.5
ok "one digest, not one per held signal" test "$(rx_n /plain)/$(rx_n /json)" = 2/2
D=$(rx /plain | tail -1 | jq -r .)
ok "the digest counts the two held signals" sh -c "printf '%s' \"\$1\" | grep -q '2 signals'" _ "$D"
ok "the JSON digest is of kind digest" test "$(rx /json | tail -1 | jq -r . | jq -r .kind)" = digest

# ---- retried when the receiver fails ----
expect "remove the plain target" 204 DELETE /api/v1/notify/$PLAIN "${A[@]}"
expect "remove the JSON target" 204 DELETE /api/v1/notify/$JSONT "${A[@]}"
expect "an unknown target is 404" 404 DELETE /api/v1/notify/$JSONT "${A[@]}"
post /api/v1/notify "{\"url\":\"$RX/flaky\"}"
ok "add a flaky target" test "$STATUS" = 201
t0=$(date +%s)
hook '{"id":"ev-4","type":"missed_call","name":"Robin","text":"+1 555 0100"}'
ok "the first attempt is refused" sh -c "for i in \$(seq 1 60); do grep -q '\"path\":\"/flaky\".*\"status\":500' '$RX_LOG' && exit 0; sleep 0.05; done; exit 1"
ok "a retry (after 5 s) delivers it" rx_wait /flaky 1 10
t1=$(date +%s)
ok "not retried at once: backoff" test $((t1 - t0)) -ge 4
sleep 1.5
ok "delivered once" test "$(rx_n /flaky)" = 1
ok "two attempts in all" test "$(jq -r 'select(.path == "/flaky") | .body' "$RX_LOG" | grep -vc '^Good morning')" = 2
ok "the retry carries the same body" test "$(jq -r 'select(.path == "/flaky") | .body' "$RX_LOG" | grep -v '^Good morning' | sort -u | wc -l)" = 1

# ---- kith notify test ----
n0=$(jq -r 'select(.path == "/flaky" and .status == 200) | .body' "$RX_LOG" | grep -c '^Good morning')
check_out=$(kith "${W[@]}" notify test 2>&1)
ok "kith notify test exits 0" test $? = 0
ok "it says where it sent" sh -c "printf '%s' \"\$1\" | grep -q 'Sent to $RX/flaky'" _ "$check_out"
ok "the receiver got the digest now" test "$(jq -r 'select(.path == "/flaky" and .status == 200) | .body' "$RX_LOG" | grep -c '^Good morning')" = $((n0 + 1))
expect "POST /api/v1/notify/test queues one" 202 POST /api/v1/notify/test "${A[@]}"
ok "which arrives" sh -c "for i in \$(seq 1 80); do [ \$(jq -r 'select(.path == \"/flaky\" and .status == 200) | .body' '$RX_LOG' | grep -c '^Good morning') -ge $((n0 + 2)) ] && exit 0; sleep 0.05; done; exit 1"
stop_clean
finish
