#!/usr/bin/env bash
# A510: PostgreSQL restarts under a write load (issue 18, "Connections").
# Four clients post touches (each with its own time) to one contact
# through `kith serve` while the database is restarted (pg_ctl stop -m
# fast, a second down, start: a quick restart on a loaded machine could
# fall between two requests). Every request must end, in time, with a 201 or a clear 503
# JSON error (a request caught by the restart is retried on a fresh
# connection, src/server/api.c; one that runs out of retries says so);
# no 500, no hang. Afterwards the server still serves on new
# connections, and the database holds exactly the acknowledged touches
# (nothing half-written), plus only those whose 503 said the outcome
# was unknown (a COMMIT whose answer was lost).
. "$(dirname "$0")/lib.sh"
pg_only "restarts a PostgreSQL cluster"
. "$(dirname "$0")/../pg.sh"
# A cluster of this suite's own: restarting the harness's shared one
# would cut off whatever else runs on it.
unset KITH_PG_BASE KITH_PG_DIR
pg_start || { echo "not ok - cannot start a private PostgreSQL"; exit 1; }
export KITH_DB
KITH_DB=$(pg_newdb a510) || { echo "not ok - cannot make a database"; exit 1; }
# The mail key lives beside a SQLite file; a URL has no such place.
export KITH_MAIL_KEY=${KITH_MAIL_KEY:-$(printf '%064d' 510)}
W=(--workspace "Studio")
kith "${W[@]}" init >/dev/null
kith "${W[@]}" user add ana@studio.example --role owner >/dev/null
T=$(kith "${W[@]}" token create ana@studio.example --name a510 | tail -1)
A=(-H "Authorization: Bearer $T")
J=(-H 'content-type: application/json')
start_server --threads 4

req POST /api/v1/contacts "${A[@]}" "${J[@]}" -d '{"name":"Restart Target"}'
ok "the contact is made" test "$STATUS" = 201
C=$(jqb .id)

# client K: touches until $A_DIR/stop exists (at least MIN); one line
# per request: status at; a non-201 body on the next line.
MIN=${A510_MIN:-40}
client() {
	local k=$1 i=0 at st out=$A_DIR/client-$1
	while [ $i -lt "$MIN" ] || [ ! -e "$A_DIR/stop" ]; do
		i=$((i + 1))
		at=$(date -u -d "@$((1767225600 - (k * 10000 + i) * 60))" +%Y-%m-%dT%H:%M:%SZ)
		# 30 s: a request that takes longer has hung.
		st=$(curl -s --max-time 30 -o "$out.body" -w '%{http_code}' -X POST \
			"${A[@]}" "${J[@]}" -d "{\"channel\":\"call\",\"at\":\"$at\"}" \
			"$BASE/api/v1/contacts/$C/touchpoints")
		echo "$st $at $(date +%s.%N)" >>"$out"
		[ "$st" = 201 ] || echo "  $(head -c 400 "$out.body")" >>"$out"
		[ $i -ge 2000 ] && break
	done
}
CPIDS=()
for k in 1 2 3 4; do
	client "$k" &
	CPIDS+=($!)
done
# Let the load run (three answers a client), then restart the database
# under it, down for a second: the requests of that second find no
# server and are run again until it is back.
for _ in $(seq 600); do
	n=0
	for k in 1 2 3 4; do
		[ "$(cat "$A_DIR/client-$k" 2>/dev/null | wc -l)" -ge 3 ] && n=$((n + 1))
	done
	[ "$n" = 4 ] && break
	sleep 0.05
done
t0=$(date +%s.%N)
_pg_as "$PG_BIN/pg_ctl" -D "$KITH_PG_DIR/data" -m fast -w -t 60 stop \
	>/dev/null 2>&1 &&
	sleep 1 &&
	_pg_as "$PG_BIN/pg_ctl" -D "$KITH_PG_DIR/data" \
		-l "$KITH_PG_DIR/server.log" -w -t 60 \
		-o "-p ${KITH_PG_BASE##*:}" start >/dev/null 2>&1
restarted=$?
t1=$(date +%s.%N)
sleep 2
touch "$A_DIR/stop"
wait "${CPIDS[@]}"
ok "PostgreSQL restarted ($(echo "$t1 - $t0" | bc)s)" test "$restarted" = 0

cat "$A_DIR"/client-[1-4] >"$A_DIR/all"
total=$(grep -cE '^[0-9]{3} ' "$A_DIR/all")
acked=$(grep -c '^201 ' "$A_DIR/all")
n503=$(grep -c '^503 ' "$A_DIR/all")
unknown=$(grep -A1 '^503 ' "$A_DIR/all" | grep -c 'may or may not')
other=$(grep -E '^[0-9]{3} ' "$A_DIR/all" | grep -cvE '^(201|503) ')
retries=$(grep -c ': retry [0-9]* of ' "$A_DIR/serve.log")
echo "# $total touch POSTs from 4 clients across the restart: $acked 201," \
	"$n503 503 ($unknown of unknown outcome), $other other; $retries retries"
grep -A1 '^503 ' "$A_DIR/all" | grep '^  ' | sed 's/"message":"\([^:]*:[^:]*\).*/\1/' |
	sort | uniq -c | sed 's/^/#   /'
before=$(awk -v t="$t0" '$1 == 201 && $3 < t' "$A_DIR/all" | grep -c .)
after=$(awk -v t="$t1" '$1 == 201 && $3 > t' "$A_DIR/all" | grep -c .)
ok "writes succeeded before ($before) and after ($after) the restart" \
	test "$before" -gt 0 -a "$after" -gt 0
# Four clients never stop while the database is down: requests were
# cut off, and the server ran them again.
ok "the restart cut requests off and the server retried them" test "$retries" -gt 0
ok "every request got 201 or 503 (no 500, no hang)" test "$other" = 0
[ "$other" = 0 ] || grep -A1 -vE '^(201|503) |^  ' "$A_DIR/all" | head -10 | sed 's/^/#   /'
bad_503=$(grep -A1 '^503 ' "$A_DIR/all" | grep '^  ' | grep -cv '"error":{"code":"[a-z_]*","message":"[^"]')
ok "every 503 is a JSON error with a code and a message" test "$bad_503" = 0
ok "most requests succeeded" test "$acked" -gt $((total / 2))

# ---- the server still serves ----
expect "a read after the restart" 200 GET /api/v1/contacts/$C "${A[@]}"
expect "a write after the restart" 201 POST /api/v1/contacts/$C/touchpoints \
	"${A[@]}" "${J[@]}" -d '{"channel":"call","at":"2020-01-01T00:00:00Z"}'
echo "201 2020-01-01T00:00:00Z 0" >>"$A_DIR/all"
acked=$((acked + 1))
# Every pool thread's connection saw the restart: several reads in
# parallel land on several of them.
par=$(for _ in 1 2 3 4 5 6 7 8; do
	curl -s -o /dev/null -w '%{http_code}\n' "${A[@]}" "$BASE/api/v1/contacts/$C" &
done; wait)
ok "parallel reads after the restart all answer 200" test "$(grep -c '^200$' <<<"$par")" = 8

# ---- nothing half-written, nothing acknowledged lost ----
stored=$(psql -qAtX "$KITH_DB" -c "SELECT to_char(to_timestamp(t.at) AT TIME ZONE 'UTC',
	'YYYY-MM-DD\"T\"HH24:MI:SS\"Z\"') FROM touch_contact tc JOIN touchpoint t
	ON t.workspace_id = tc.workspace_id AND t.id = tc.touch_id
	WHERE tc.contact_id = $C" | sort)
ack_list=$(grep '^201 ' "$A_DIR/all" | awk '{print $2}' | sort)
missing=$(comm -23 <(echo "$ack_list") <(echo "$stored") | grep -c .)
extra=$(comm -13 <(echo "$ack_list") <(echo "$stored"))
maybe=$(grep -A1 '^503 ' "$A_DIR/all" | grep -B1 'may or may not' | grep '^503 ' | awk '{print $2}' | sort)
extra_bad=$(comm -23 <(echo "$extra" | grep .) <(echo "$maybe" | grep .) | grep -c .)
ok "every acknowledged touch is stored ($acked)" test "$missing" = 0
ok "no touch stored that was refused (only unknown outcomes may be)" test "$extra_bad" = 0
orphans=$(psql -qAtX "$KITH_DB" -c "SELECT count(*) FROM touchpoint t WHERE NOT EXISTS
	(SELECT 1 FROM touch_contact tc WHERE tc.workspace_id = t.workspace_id
	 AND tc.touch_id = t.id)")
ok "no touchpoint without its contact link (half a write)" test "$orphans" = 0
req GET /api/v1/contacts/$C "${A[@]}"
ok "touch_count is the stored touches" test "$(jqb .summary.touch_count)" = "$(grep -c . <<<"$stored")"
stop_server
ok "no sanitizer report from the server" \
	test "$(grep -c 'Sanitizer\|runtime error' "$A_DIR/serve.log")" = 0
finish
