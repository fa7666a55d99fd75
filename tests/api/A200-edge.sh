#!/usr/bin/env bash
# A200: the edge of the server. Request-targets without a leading '/'
# ("*", "foo", "x.js", "%2e", "?a=b") once crashed the whole process in
# static_serve (security review C1): each now gets 400 and the server keeps
# answering. Sent as raw bytes, since curl would normalise them.
. "$(dirname "$0")/lib.sh"
start_server
PORT=${BASE##*:}

# raw TARGET: send "GET TARGET HTTP/1.1" on a fresh socket; prints the
# status code, or "closed" when the server answers nothing.
raw() {
	python3 - "$PORT" "$1" <<'PY'
import socket, sys
s = socket.create_connection(("127.0.0.1", int(sys.argv[1])), timeout=5)
s.sendall(b"GET " + sys.argv[2].encode() + b" HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
data = b""
try:
    while True:
        c = s.recv(4096)
        if not c:
            break
        data += c
except Exception:
    pass
parts = data.split(b" ", 2)
print(parts[1].decode() if len(parts) > 1 else "closed")
PY
}

for t in '*' 'foo' 'x.js' '%2e' '?a=b'; do
	STATUS=$(raw "$t") BODY=
	ok "GET $t: 400" test "$STATUS" = 400
	ok "... the server is still running" kill -0 "$SERVER_PID"
	expect "... and still answers" 200 GET /api/v1/openapi.json
done
STATUS=$(raw 'http://example.com/') BODY=
ok "absolute-form still answered (no crash): $STATUS" test "$STATUS" != closed
ok "the server is still running" kill -0 "$SERVER_PID"
# One Date header (kith's own, formatted once a second per thread), in
# the IMF-fixdate of RFC 9110 and on the server's clock.
expect "a read for its headers" 200 GET /api/v1/openapi.json
ok "one Date header" test "$(grep -ci '^date:' "$A_DIR/h")" = 1
d=$(sed -n 's/^[Dd]ate: \(.*\)\r$/\1/p' "$A_DIR/h")
ok "the Date is an IMF-fixdate ($d)" bash -c \
	'[[ $1 =~ ^(Mon|Tue|Wed|Thu|Fri|Sat|Sun),\ [0-9]{2}\ [A-Z][a-z]{2}\ [0-9]{4}\ [0-9]{2}:[0-9]{2}:[0-9]{2}\ GMT$ ]]' _ "$d"
ok "... within 5 s of the clock" bash -c \
	'n=$(date -u +%s); t=$(date -u -d "$1" +%s) && [ $((n - t)) -le 5 ] && [ $((t - n)) -le 5 ] && [ "$(LC_ALL=C date -u -d "@$t" "+%a, %d %b %Y %H:%M:%S GMT")" = "$1" ]' _ "$d"
# Under ASan/UBSan the server must also stop cleanly: exit 0, no report.
kill -TERM "$SERVER_PID" && wait "$SERVER_PID"
rc=$?
SERVER_PID=
ok "the server stops cleanly on SIGTERM (exit 0, no sanitizer report)" \
	bash -c '[ "$1" = 0 ] && ! grep -q "ERROR: \|runtime error" "$2"' _ "$rc" "$A_DIR/serve.log"
finish
