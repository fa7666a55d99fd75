#!/usr/bin/env bash
# A230: connection limits (review M6). A client trickling header lines
# kept its slot for as long as it liked (MHD's timeout counts idle time
# only); one address could take every slot; event streams were unlimited
# per user. Now: a deadline for the headers (--header-timeout), a limit
# per peer address (--per-ip-limit) and per user's streams (--max-streams).
. "$(dirname "$0")/lib.sh"
W=(--workspace "Studio")
printf 'correct horse battery staple\n' | kith "${W[@]}" user add \
	ana@studio.example --role owner --password-stdin >/dev/null
T=$(kith "${W[@]}" token create ana@studio.example | tail -1)
# Bo is user 1 of another workspace, as Ana is of Studio: ids are per
# workspace, and the limit is per member, not per number.
kith --workspace Other user add bo@other.example --role owner >/dev/null
TB=$(kith --workspace Other token create bo@other.example | tail -1)
serve_with --header-timeout 2 --per-ip-limit 4 --max-streams 8
PORT=${BASE##*:}

# ---- the header deadline ----
# trickle SRC: one header line every 0.5 s for up to 12 s; prints how
# many seconds until the server closed the connection, or "open".
python3 - "$PORT" >"$A_DIR/trickle" <<'PY' &
import socket, sys, time
s = socket.socket()
s.bind(("127.0.0.20", 0))
s.connect(("127.0.0.1", int(sys.argv[1])))
s.sendall(b"GET / HTTP/1.1\r\nHost: x\r\n")
t0 = time.time()
res = "open"
for i in range(24):
    time.sleep(0.5)
    try:
        s.sendall(b"X-Slow-%d: y\r\n" % i)
        s.settimeout(0.01)
        try:
            if s.recv(1) == b"":
                res = "%.1f" % (time.time() - t0); break
        except socket.timeout:
            pass
    except OSError:
        res = "%.1f" % (time.time() - t0); break
print(res)
PY
TRICKLE=$!
sleep 1
expect "another client is served while one trickles" 200 GET /api/v1/openapi.json
wait "$TRICKLE"
closed=$(cat "$A_DIR/trickle")
ok "the trickling connection is closed after the deadline ($closed s)" \
	bash -c '[ "$1" != open ] && awk -v t="$1" "BEGIN { exit !(t >= 1.5 && t <= 6) }"' _ "$closed"
expect "the server still serves" 200 GET /api/v1/openapi.json

# ---- per peer address ----
python3 - "$PORT" >"$A_DIR/perip" <<'PY'
import socket, sys, time
port = int(sys.argv[1])
held = []
for i in range(4):
    s = socket.socket(); s.bind(("127.0.0.30", 0)); s.connect(("127.0.0.1", port))
    held.append(s)
time.sleep(0.3)
def served(src):
    s = socket.socket(); s.bind((src, 0)); s.settimeout(2)
    s.connect(("127.0.0.1", port))
    try:
        s.sendall(b"GET /api/v1/openapi.json HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
        d = s.recv(64)
    except OSError:
        d = b""
    return d.split(b" ")[1].decode() if d.startswith(b"HTTP/") else "refused"
print(served("127.0.0.30"), served("127.0.0.31"))
PY
read -r fifth other <"$A_DIR/perip"
ok "a fifth connection from one address is refused ($fifth)" test "$fifth" = refused
ok "... while another address is served ($other)" test "$other" = 200

# ---- event streams per user ----
STREAMS=()
for i in 1 2 3 4 5 6 7 8; do
	curl -s -N --max-time 5 --interface "127.0.1.$i" -H "Authorization: Bearer $T" \
		"$BASE/api/v1/events" >"$A_DIR/stream$i" 2>/dev/null &
	STREAMS+=($!)
done
for _ in $(seq 100); do
	n=$(grep -l connected "$A_DIR"/stream? 2>/dev/null | wc -l)
	[ "$n" -ge 8 ] && break
	sleep 0.05
done
ok "eight streams open ($n)" test "$n" = 8
req GET /api/v1/events --interface 127.0.1.9 --max-time 3 -H "Authorization: Bearer $T"
ok "the ninth stream of one user: 429 ($STATUS)" test "$STATUS" = 429
ok "... rate_limited" test "$(jqb .error.code)" = rate_limited
expect "other requests of that user still work" 200 GET /api/v1/me -H "Authorization: Bearer $T"
req GET /api/v1/events --interface 127.0.1.10 --max-time 1.5 -H "Authorization: Bearer $TB"
ok "user 1 of another workspace still gets a stream ($STATUS)" test "$STATUS" = 200
wait "${STREAMS[@]}"

# ---- a request queued behind a busy thread ----
# One thread. A client connects while it is free, then the thread gets
# busy for about 5 s with a write waiting out a foreign lock, and the
# client sends a whole request meanwhile: no thread reads it until the
# write ends. That wait is the server's, not the client's: the request
# is answered, not cut at the 2 s header deadline.
stop_server
serve_with --header-timeout 2 --threads 1
PORT=${BASE##*:}
db_lock 9 "$A_DIR/locked" "$A_DIR/release" &
LOCKER=$!
for _ in $(seq 100); do [ -e "$A_DIR/locked" ] && break; sleep 0.05; done
python3 - "$PORT" "$T" >"$A_DIR/queued_read" <<'PY' &
import socket, sys, time
s = socket.create_connection(("127.0.0.1", int(sys.argv[1])))
time.sleep(1.0)  # the write below takes the thread meanwhile
s.sendall(b"GET /api/v1/me HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer "
          + sys.argv[2].encode() + b"\r\nConnection: close\r\n\r\n")
s.settimeout(30)
try:
    d = s.recv(64)
except OSError:
    d = b""
print(d.split(b" ")[1].decode() if d.startswith(b"HTTP/") else "cut")
PY
QUEUED=$!
sleep 0.4
curl -s -o /dev/null -w '%{http_code}' --max-time 30 -X POST -H "Authorization: Bearer $T" \
	-H 'content-type: application/json' -d '{"name":"Queued Write"}' \
	"$BASE/api/v1/contacts" >"$A_DIR/busy_write"
touch "$A_DIR/release"
wait "$QUEUED" "$LOCKER"
ok "the write held the only thread past the deadline ($(cat "$A_DIR/busy_write"))" \
	grep -qx '503\|201' "$A_DIR/busy_write"
ok "a request queued behind it is answered, not cut ($(cat "$A_DIR/queued_read"))" \
	test "$(cat "$A_DIR/queued_read")" = 200
finish
