#!/usr/bin/env bash
# A220: notification URLs cannot reach this host or its networks (M1):
# literal loopback, metadata, private, CGNAT, IPv6 and odd IPv4 spellings,
# user:pass@ and other ports are refused when added (422); a name that
# resolves to 127.0.0.1 (localhost) is refused when connecting, so nothing
# arrives at a local listener, unless the operator allows the host with
# kith serve --notify-allow; at most 10 targets per user.
# Exercises src/app/notify.c, api_signals.c (notify).
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
	vi@studio.example --role viewer --password-stdin >/dev/null
TA=$(kith "${W[@]}" token create ana@studio.example --name a220 | tail -1)
TV=$(kith "${W[@]}" token create vi@studio.example --name a220v | tail -1)

RX_LOG=$A_DIR/rx.log
: >"$RX_LOG"
node -e '
const http = require("http"), fs = require("fs");
const [log, portf] = process.argv.slice(1);
http.createServer((q, r) => {
	let b = "";
	q.on("data", (c) => (b += c));
	q.on("end", () => {
		fs.appendFileSync(log, JSON.stringify({ path: q.url, body: b }) + "\n");
		r.end("ok");
	});
}).listen(0, "127.0.0.1", function () {
	fs.writeFileSync(portf + ".tmp", String(this.address().port));
	fs.renameSync(portf + ".tmp", portf);
});' "$RX_LOG" "$A_DIR/rx.port" &
RX_PID=$!
trap 'kill $RX_PID 2>/dev/null; stop_server; rm -rf "$A_DIR"' EXIT
for _ in $(seq 1 100); do [ -s "$A_DIR/rx.port" ] && break; sleep 0.05; done
P=$(cat "$A_DIR/rx.port")
ok "the receiver is up" test -n "$P"
J=(-H 'content-type: application/json')
post() { req POST "$2" -H "Authorization: Bearer $1" "${J[@]}" -d "$3"; }

# Only the port is allowed here: the address checks still apply.
start_server --notify-allow "*:$P"
for u in "http://127.0.0.1/x" "http://127.0.0.1:$P/x" \
	"http://169.254.169.254/latest/meta-data/" "http://[::1]:$P/" \
	"http://[::1]/" "https://10.0.0.1/" "http://0x7f000001/" \
	"http://0x7f000001:$P/" "http://2130706433/" "http://0177.0.0.1/" \
	"http://127.1/" "http://0.0.0.0/" "http://[::]/" "http://[::ffff:127.0.0.1]/" \
	"http://[::ffff:7f00:1]/" "http://[fe80::1]/" "http://[fd00::1]/" \
	"http://100.64.0.1/" "http://192.168.1.1/" "http://172.16.0.1/" \
	"http://224.0.0.1/" "http://user:pass@ntfy.example/x" \
	"http://ntfy.example:8080/x" "ftp://ntfy.example/x"; do
	post "$TV" /api/v1/notify "{\"url\":\"$u\"}"
	ok "a viewer's $u is refused: 422" test "$STATUS" = 422
done
post "$TV" /api/v1/notify '{"url":"https://ntfy.example/vi0"}'
ok "a public https URL: 201" test "$STATUS" = 201
for i in $(seq 1 9); do
	post "$TV" /api/v1/notify "{\"url\":\"https://ntfy.example/vi$i\"}"
done
ok "ten targets: 201" test "$STATUS" = 201
post "$TV" /api/v1/notify '{"url":"https://ntfy.example/vi10"}'
ok "the eleventh: 422" test "$STATUS" = 422
ok "it says why" grep -q 'at most 10' <<<"$BODY"

# A name (not a literal) passes when added, but resolves to loopback.
post "$TA" /api/v1/notify "{\"url\":\"http://localhost:$P/rebind\"}"
ok "http://localhost:PORT with the port allowed: 201" test "$STATUS" = 201
post "$TA" /api/v1/notify/test ''
ok "notify/test: 202" test "$STATUS" = 202
sleep 2
ok "nothing arrived from a name that resolves to 127.0.0.1" \
	test "$(grep -c '"/rebind"' "$RX_LOG")" = 0
ok "the outbox row failed with the connection refused" \
	test "$(db_sql "SELECT count(*) FROM outbox WHERE sent_at IS NULL AND attempts >= 1 AND last_error IS NOT NULL")" -ge 1
stop_server

# The operator allows the host: the same target now delivers.
start_server --notify-allow "localhost:$P"
post "$TA" /api/v1/notify/test ''
ok "notify/test: 202" test "$STATUS" = 202
for _ in $(seq 1 60); do grep -q '"/rebind"' "$RX_LOG" && break; sleep 0.05; done
ok "allowed by --notify-allow localhost:PORT: it arrives" grep -q '"/rebind"' "$RX_LOG"
stop_clean
echo "1..$t_n"
finish
