#!/usr/bin/env bash
# A080: one access-log line per request; a burst of concurrent keep-alive
# requests all answered; SIGTERM finishes the request in flight and exits 0.
. "$(dirname "$0")/lib.sh"
STATUS=- BODY=
export KITH_NOW=2026-11-20T09:00:00Z
W=(--workspace Big)
kith "${W[@]}" demo --contacts 3000 --touches 30000 >/dev/null
kith "${W[@]}" user add ana@studio.example --role owner >/dev/null
T=$(kith "${W[@]}" token create ana@studio.example | tail -1)
start_server

A=(-H "Authorization: Bearer $T")
J=(-H 'content-type: application/json')
LOG=$A_DIR/serve.log
log_lines() { grep -cE '^[0-9a-f.:]+ [A-Z]+ /[^ ]* [0-9]+ [0-9.]+ms' "$LOG"; }
# wait_lines N: until the log has N request lines (lines are written in
# batches, within 10 ms of a request's completion).
wait_lines() {
	for _ in $(seq 1 100); do
		[ "$(log_lines)" -ge "$1" ] && break
		sleep 0.05
	done
	[ "$(log_lines)" -eq "$1" ]
}

# ---- the access log ----
L0=$(log_lines)
for i in 1 2 3 4 5; do
	curl -s -o /dev/null "${A[@]}" "$BASE/api/v1/me"
	curl -s -o /dev/null "${A[@]}" "$BASE/api/v1/contacts/$i"
done
curl -s -o /dev/null "$BASE/api/v1/agenda"                     # 401
curl -s -o /dev/null "${A[@]}" "$BASE/api/v1/no-such-route"     # 404
curl -s -o /dev/null "${A[@]}" -X DELETE "$BASE/api/v1/agenda"  # 405
curl -s -o /dev/null "${A[@]}" "${J[@]}" -d '{"name":"Logged"}' "$BASE/api/v1/contacts" # 201
curl -s -o /dev/null "${A[@]}" "${J[@]}" -d '{"name":' "$BASE/api/v1/contacts"          # 400
# Two on one keep-alive connection count as two.
curl -s -o /dev/null -o /dev/null "${A[@]}" "$BASE/api/v1/me" "$BASE/api/v1/settings"
ok "17 requests, 17 access-log lines" wait_lines $((L0 + 17))
ok "a line has address, method, path, status, time" grep -qE '^127\.0\.0\.1 GET /api/v1/me 200 [0-9.]+ms$' "$LOG"
ok "the 401 is logged with its status" grep -qE '^127\.0\.0\.1 GET /api/v1/agenda 401 ' "$LOG"
ok "the 404 is logged" grep -qE ' GET /api/v1/no-such-route 404 ' "$LOG"
ok "the 405 is logged" grep -qE ' DELETE /api/v1/agenda 405 ' "$LOG"
ok "the 201 is logged" grep -qE ' POST /api/v1/contacts 201 ' "$LOG"
ok "the 400 is logged" grep -qE ' POST /api/v1/contacts 400 ' "$LOG"
ok "no secrets in the log" bash -c '! grep -q -e "$1" -e Bearer "$2"' _ "$T" "$LOG"

# ---- keep-alive ----
C=$(curl -s -o /dev/null -o /dev/null -w '%{num_connects} ' "${A[@]}" "$BASE/api/v1/me" "$BASE/api/v1/me")
ok "two requests share one connection (connects: $C)" test "$C" = "1 0 "
curl -s -o /dev/null -D "$A_DIR/h" "${A[@]}" "$BASE/api/v1/me"
ok "no Connection: close on a plain GET" bash -c '! grep -qi "^connection: *close" "$1"' _ "$A_DIR/h"

# ---- a burst: 200 requests, 32 at a time, over reused connections ----
L1=$(log_lines)
for i in $(seq 1 200); do
	printf 'url = "%s/api/v1/contacts/%d"\noutput = "/dev/null"\n' "$BASE" $(((i % 3000) + 1))
done >"$A_DIR/burst.cfg"
curl -s --parallel --parallel-max 32 "${A[@]}" -w '%{http_code} %{num_connects}\n' -K "$A_DIR/burst.cfg" >"$A_DIR/burst.out" 2>/dev/null
ok "200 answers" test "$(wc -l <"$A_DIR/burst.out")" = 200
ok "all 200 OK" test "$(grep -c '^200 ' "$A_DIR/burst.out")" = 200 || head -5 "$A_DIR/burst.out" | sed 's/^/# /'
NC=$(awk '{n += $2} END {print n}' "$A_DIR/burst.out")
ok "connections were reused ($NC connects for 200 requests)" test "$NC" -lt 200
ok "200 more log lines" wait_lines $((L1 + 200))
L2=$(log_lines)
for i in $(seq 1 64); do echo "$BASE/api/v1/contacts/$i"; done |
	xargs -P 32 -n 8 curl -s -o /dev/null -o /dev/null -o /dev/null -o /dev/null \
		-o /dev/null -o /dev/null -o /dev/null -o /dev/null -w '%{http_code}\n' "${A[@]}" >"$A_DIR/burst2.out"
ok "xargs -P 32, keep-alive per client: 64 answers, all 200" test "$(grep -c '^200$' "$A_DIR/burst2.out")" = 64
ok "... 64 more log lines" wait_lines $((L2 + 64))
ok "the server is still up" kill -0 "$SERVER_PID"

# ---- SIGTERM with a slow request in flight ----
curl -s -o "$A_DIR/export.json" -w '%{http_code}' "${A[@]}" "$BASE/api/v1/export" >"$A_DIR/export.code" &
CURL=$!
# Wait until the server has the request (a connection is open to it).
for _ in $(seq 1 40); do
	ss -tn state established "( dport = :${BASE##*:} )" 2>/dev/null | grep -q . && break
	sleep 0.025
done
sleep 0.1
kill -TERM "$SERVER_PID"
wait "$SERVER_PID"
RC=$?
SERVER_PID=
wait "$CURL"
ok "the server exits 0 on SIGTERM" test "$RC" = 0
ok "the export in flight completed with 200" test "$(cat "$A_DIR/export.code")" = 200
# (jq takes a second on 11 MB; the book is pretty-printed, one "emails"
# per contact at a fixed depth.)
N_EXP=$(grep -c '^      "emails": ' "$A_DIR/export.json")
ok "... the whole book (3000 contacts and Logged: $N_EXP)" test "$N_EXP" = 3001
ok "... and it ends where a book ends" test "$(tail -c 2 "$A_DIR/export.json" | tr -d "\n")" = "}"
ok "the log says it finished requests in flight, then stopped" \
	bash -c 'grep -q "SIGTERM, finishing requests in flight" "$1" && tail -1 "$1" | grep -q "^kith: stopped"' _ "$LOG"
ok "the export was in flight at SIGTERM (logged after it, 200, not aborted)" \
	bash -c 'sed -n "/SIGTERM/,\$p" "$1" | grep -qE "GET /api/v1/export 200 [0-9.]+ms$"' _ "$LOG"
ok "nothing listens any more" bash -c '! curl -s -o /dev/null --max-time 2 "$1/api/v1/openapi.json"' _ "$BASE"

# ---- SIGTERM during a stream of reads: no log line lost ----
# Log lines are written in batches: reads answered right up to the
# SIGTERM must each have their line once the server has stopped.
mv "$LOG" "$A_DIR/serve-1.log"	# the first server's, kept
start_server
reads() { grep -cE ' GET /api/v1/contacts/[0-9]+ 200 ' "$LOG"; }
for i in $(seq 1 20000); do printf 'url = "%s/api/v1/contacts/%d"\noutput = "/dev/null"\n' "$BASE" $(((i % 3000) + 1)); done >"$A_DIR/last.cfg"
curl -s "${A[@]}" -w '%{http_code}\n' -K "$A_DIR/last.cfg" >"$A_DIR/last.out" 2>/dev/null &
BURST=$!
for _ in $(seq 1 200); do
	[ "$(reads)" -ge 200 ] && break
	sleep 0.05
done
kill -TERM "$SERVER_PID"
wait "$SERVER_PID"
SERVER_PID=
wait "$BURST"
R1=$(grep -c '^200$' "$A_DIR/last.out")
R2=$(reads)
ok "reads answered until the stop each have a line ($R1 answered, $R2 logged)" test "$R1" -ge 200 -a "$R1" -lt 20000 -a "$R2" -ge "$R1"

# ---- SIGTERM past the grace, slow requests still running and queued ----
# With --stop-grace 0 the two workers are still exporting and two more
# exports wait in the queue when the server stops: those finish, these
# are refused, and libmicrohttpd is never stopped with a connection
# still suspended (it aborts the process then).
mv "$LOG" "$A_DIR/serve-2.log"
serve_with --stop-grace 0
EXPORTS=()
for i in 1 2 3 4; do
	curl -s -o /dev/null -w '%{http_code}\n' "${A[@]}" "$BASE/api/v1/export" >"$A_DIR/ex$i.code" &
	EXPORTS+=($!)
done
for _ in $(seq 1 40); do
	[ "$(ss -tn state established "( dport = :${BASE##*:} )" 2>/dev/null | grep -c .)" -ge 5 ] && break
	sleep 0.025
done
sleep 0.1
kill -TERM "$SERVER_PID"
wait "$SERVER_PID"
RC=$?
SERVER_PID=
wait "${EXPORTS[@]}"
CODES=$(cat "$A_DIR"/ex?.code | sort | tr '\n' ' ')
ok "--stop-grace 0 with exports running and queued: exit 0 (got $RC)" test "$RC" = 0
ok "... it stopped cleanly" bash -c 'tail -1 "$1" | grep -q "^kith: stopped" && ! grep -q "suspended connections" "$1"' _ "$LOG"
ok "... each export got its book, a 503, or a closed connection ($CODES)" \
	bash -c '! grep -qvE "^(200|503|000)$" "$1"/ex?.code' _ "$A_DIR"
finish
