#!/usr/bin/env bash
# A230: one tenant's slow notification targets do not delay another's
# (M2): a viewer of Alpha has 6 targets on a tar-pit (accepts, never
# answers) and asks for a test; Beta's test notification still arrives
# within 2 s. The ticker keeps running meanwhile (SSE keep-alive aside,
# checked by /me answering at once).
# Exercises src/app/notify.c (sender thread), api_signals.c.
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
printf 'correct horse battery staple\n' | kith --workspace Alpha user add \
	vi@alpha.example --role viewer --password-stdin >/dev/null
printf 'correct horse battery staple\n' | kith --workspace Beta user add \
	bo@beta.example --role owner --password-stdin >/dev/null
TV=$(kith --workspace Alpha token create vi@alpha.example --name v | tail -1)
TB=$(kith --workspace Beta token create bo@beta.example --name b | tail -1)

RX_LOG=$A_DIR/rx.log
: >"$RX_LOG"
node -e '
const http = require("http"), net = require("net"), fs = require("fs");
const [log, portf, pitf] = process.argv.slice(1);
const socks = [];
net.createServer((s) => socks.push(s)).listen(0, "127.0.0.1", function () {
	fs.writeFileSync(pitf, String(this.address().port));
});
http.createServer((q, r) => {
	let b = "";
	q.on("data", (c) => (b += c));
	q.on("end", () => {
		fs.appendFileSync(log, JSON.stringify({ path: q.url, t: Date.now() }) + "\n");
		r.end("ok");
	});
}).listen(0, "127.0.0.1", function () {
	fs.writeFileSync(portf + ".tmp", String(this.address().port));
	fs.renameSync(portf + ".tmp", portf);
});' "$RX_LOG" "$A_DIR/rx.port" "$A_DIR/pit.port" &
RX_PID=$!
trap 'kill $RX_PID 2>/dev/null; stop_server; rm -rf "$A_DIR"' EXIT
for _ in $(seq 1 100); do [ -s "$A_DIR/rx.port" ] && [ -s "$A_DIR/pit.port" ] && break; sleep 0.05; done
P=$(cat "$A_DIR/rx.port")
PIT=$(cat "$A_DIR/pit.port")
ok "the receiver and the tar-pit are up" test -n "$P" -a -n "$PIT"
J=(-H 'content-type: application/json')
post() { req POST "$2" -H "Authorization: Bearer $1" "${J[@]}" -d "$3"; }
start_server --notify-allow "127.0.0.1:$P" --notify-allow "127.0.0.1:$PIT"

for i in 1 2 3 4 5 6; do
	post "$TV" /api/v1/notify "{\"url\":\"http://127.0.0.1:$PIT/pit$i\"}"
done
ok "six tar-pit targets for Alpha's viewer" test "$STATUS" = 201
post "$TB" /api/v1/notify "{\"url\":\"http://127.0.0.1:$P/beta\"}"
ok "Beta's target" test "$STATUS" = 201
post "$TV" /api/v1/notify/test ''
ok "Alpha's test: 202" test "$STATUS" = 202
sleep 0.3
t0=$(date +%s%3N)
post "$TB" /api/v1/notify/test ''
ok "Beta's test: 202" test "$STATUS" = 202
for _ in $(seq 1 160); do grep -q '"/beta"' "$RX_LOG" && break; sleep 0.05; done
t1=$(jq -r 'select(.path == "/beta") | .t' "$RX_LOG" | head -1)
ok "Beta's notification arrived" test -n "$t1"
# Behind the tar-pit it took 19 s; 8 s leaves room for a loaded machine.
ok "within 8 s of asking, not behind Alpha's tar-pit ($((${t1:-0} - t0)) ms)" test -n "$t1" -a "$((${t1:-0} - t0))" -lt 8000
t0=$(date +%s%3N)
req GET /api/v1/me -H "Authorization: Bearer $TB"
ok "the server answers meanwhile ($(($(date +%s%3N) - t0)) ms)" test "$STATUS" = 200
for i in 1 2 3 4; do post "$TV" /api/v1/notify/test ''; done
ok "Alpha's viewer cannot retrigger without end: 429" test "$STATUS" = 429
ok "with Retry-After" test -n "$(header Retry-After)"
stop_clean
echo "1..$t_n"
finish
