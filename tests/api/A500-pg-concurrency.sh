#!/usr/bin/env bash
# A500: two `kith serve` processes on one PostgreSQL database, one
# contact hammered from both at once (issue 18, "Concurrency"): touches
# with distinct times and PATCHes, 8 clients in parallel, and 2 more
# running `kith log` on the same contact. Every request
# must be answered 2xx (a serialization failure or deadlock is retried
# by the server, src/server/api.c), none 500, and the contact's summary
# must equal a recomputation from its history: touch_count = the 201s,
# last_touch and last_in_person = the newest times, due = last + 90d.
. "$(dirname "$0")/lib.sh"
pg_only "two servers on one PostgreSQL database"
# The mail key lives beside a SQLite file; a URL has no such place.
export KITH_MAIL_KEY=${KITH_MAIL_KEY:-$(printf '%064d' 500)}
W=(--workspace "Studio")
kith "${W[@]}" init >/dev/null
kith "${W[@]}" user add ana@studio.example --role owner >/dev/null
T=$(kith "${W[@]}" token create ana@studio.example --name a500 | tail -1)
A=(-H "Authorization: Bearer $T")
J=(-H 'content-type: application/json')

# serve_n N: the Nth server, its address in BASE_N and log serve-N.log.
declare -a PIDS BASES
serve_n() {
	local log=$A_DIR/serve-$1.log b
	"$KITH" serve --listen 127.0.0.1:0 --threads 4 2>"$log" &
	PIDS[$1]=$!
	for _ in $(seq 1 200); do
		b=$(sed -n 's|^kith: serving on \(http://[0-9.:]*\)/.*|\1|p' "$log")
		[ -n "$b" ] && { BASES[$1]=$b; return 0; }
		sleep 0.05
	done
	echo "not ok - server $1 did not start"; cat "$log"; exit 1
}
stop_all() {
	for p in "${PIDS[@]}"; do kill -TERM "$p" 2>/dev/null && wait "$p"; done
	PIDS=()
}
trap 'stop_all; engine_cleanup; rm -rf "$A_DIR"' EXIT
serve_n 1
serve_n 2
BASE=${BASES[1]}

req POST /api/v1/contacts "${A[@]}" "${J[@]}" -d '{"name":"Hammer Target"}'
ok "the contact is made" test "$STATUS" = 201
C=$(jqb .id)

# client K SERVER: N touches (in person every third), a PATCH every
# fifth; one line per request: kind status at.
N=${A500_N:-30}
client() {
	local k=$1 base=${BASES[$2]} i at ch st out=$A_DIR/client-$1
	for i in $(seq 1 "$N"); do
		# Distinct times, all in the past: client k, request i.
		at=$(date -u -d "@$((1767225600 - (k * 1000 + i) * 3600))" +%Y-%m-%dT%H:%M:%SZ)
		ch=email
		[ $((i % 3)) = 0 ] && ch=in_person
		st=$(curl -s -o "$out.body" -w '%{http_code}' -X POST "${A[@]}" "${J[@]}" \
			-d "{\"channel\":\"$ch\",\"at\":\"$at\",\"note\":\"c$k-$i\"}" \
			"$base/api/v1/contacts/$C/touchpoints")
		echo "touch $st $at $ch" >>"$out"
		[ "${st:0:1}" = 2 ] || { echo "  body: $(head -c 300 "$out.body")" >>"$out"; }
		if [ $((i % 5)) = 0 ]; then
			st=$(curl -s -o "$out.body" -w '%{http_code}' -X PATCH "${A[@]}" "${J[@]}" \
				-d "{\"title\":\"client $k round $i\"}" "$base/api/v1/contacts/$C")
			echo "patch $st" >>"$out"
			[ "${st:0:1}" = 2 ] || { echo "  body: $(head -c 300 "$out.body")" >>"$out"; }
		fi
	done
}
start=$(date +%s.%N)
# cli K: the same from the command line (kith log, retried by main.c):
# one line per command: "touch 201 AT in_person" when it exited 0.
cli() {
	local k=$1 i at rc out=$A_DIR/client-$1
	for i in $(seq 1 10); do
		at=$(date -u -d "@$((1767225600 - (k * 1000 + i) * 3600))" +%Y-%m-%dT%H:%M:%SZ)
		kith "${W[@]}" log "Hammer Target" --via in_person --at "$at" >/dev/null 2>>"$out.err"
		rc=$?
		[ "$rc" = 0 ] && echo "touch 201 $at in_person" >>"$out" ||
			echo "cli $rc $at" >>"$out"
	done
}
CPIDS=()
for k in 1 2 3 4 5 6 7 8; do
	client "$k" $(((k % 2) + 1)) &
	CPIDS+=($!)
done
for k in 9 10; do
	cli "$k" &
	CPIDS+=($!)
done
wait "${CPIDS[@]}"
secs=$(echo "$(date +%s.%N) - $start" | bc)
cat "$A_DIR"/client-{1..10} >"$A_DIR/all"
touches=$(grep -c '^touch' "$A_DIR/all")
patches=$(grep -c '^patch' "$A_DIR/all")
acked=$(grep -c '^touch 201 ' "$A_DIR/all")
n503=$(grep -cE '^(touch|patch) 503' "$A_DIR/all")
n500=$(grep -cE '^(touch|patch) 500' "$A_DIR/all")
other=$(grep -E '^(touch|patch) ' "$A_DIR/all" | grep -cvE '^(touch 201|patch 200|touch 503|patch 503)( |$)')
retries=$(cat "$A_DIR"/serve-[12].log | grep -c ': retry [0-9]* of ')
deepest=$(cat "$A_DIR"/serve-[12].log | sed -n 's/.*: retry \([0-9]*\) of .*/\1/p' | sort -n | tail -1)
serial=$(cat "$A_DIR"/serve-[12].log | grep ': retry [0-9]* of ' | grep -c 'serializ')
echo "# $((touches - 20)) touch POSTs, $patches PATCHes (8 clients, 2 servers) and 20 kith log in ${secs}s:" \
	"$acked touches stored (201 or exit 0), $n503 answered 503, $n500 answered 500, $other other;" \
	"$retries retries ($serial for serialization failures, the deepest run ${deepest:-1})"
ok "every request was answered ($((8 * N)) touches, 20 kith log)" test "$touches" = $((8 * N + 20))
ok "every kith log exited 0 ($(cat "$A_DIR"/client-{9,10}.err 2>/dev/null | head -c 200))" \
	test "$(grep -c '^cli ' "$A_DIR/all")" = 0
ok "no request got 500" test "$n500" = 0
ok "nothing but 201/200 or 503" test "$other" = 0
ok "no request needed a 503 (retries absorbed every conflict)" test "$n503" = 0
[ "$n503$n500$other" = 000 ] || grep -B1 '  body:' "$A_DIR/all" | head -20 | sed 's/^/#   /'
for k in 1 2; do
	ok "server $k still answers" test "$(curl -s -o /dev/null -w '%{http_code}' "${A[@]}" \
		"${BASES[$k]}/api/v1/contacts/$C")" = 200
done

# ---- the summary against the history ----
req GET /api/v1/contacts/$C "${A[@]}"
S1=$(jq -c .summary <<<"$BODY")
epoch() { [ "$1" = null ] && echo null || date -u -d "$1" +%s; }
newest() { grep "^touch 201 " "$A_DIR/all" | { [ -n "${1:-}" ] && grep " $1\$" || cat; } |
	awk '{print $3}' | sort | tail -1; }
ok "touch_count is the number of 201s" test "$(jq .touch_count <<<"$S1")" = "$acked"
db=$(psql -qAtX "$KITH_DB" -c "SELECT count(*), max(t.at),
	max(CASE WHEN t.channel = 'in_person' THEN t.at END)
	FROM touch_contact tc JOIN touchpoint t
	  ON t.workspace_id = tc.workspace_id AND t.id = tc.touch_id
	WHERE tc.contact_id = $C")
last=$(epoch "$(jq -r .last_touch <<<"$S1")")
lip=$(epoch "$(jq -r .last_in_person <<<"$S1")")
ok "touchpoint rows = the 201s, newest and in-person newest match ($db)" \
	test "$db" = "$acked|$last|$lip"
ok "last_touch is the newest acknowledged time" test "$(jq -r .last_touch <<<"$S1")" = "$(newest)"
ok "last_in_person is the newest acknowledged in-person time" \
	test "$(jq -r .last_in_person <<<"$S1")" = "$(newest in_person)"
ok "due is last_touch + 90 days" test "$(jq -r .effective_every <<<"$S1")/$(epoch "$(jq -r .due_at <<<"$S1")")" = "90d/$((last + 90 * 86400))"
# A PATCH recomputes the summary from the history (summary refresh):
# it must change nothing.
req PATCH /api/v1/contacts/$C "${A[@]}" "${J[@]}" -d '{"title":"after the storm"}'
ok "a final PATCH" test "$STATUS" = 200
req GET /api/v1/contacts/$C "${A[@]}"
ok "the summary recomputed from history is the same" test "$(jq -c .summary <<<"$BODY")" = "$S1"
ok "the acknowledged times are exactly the stored ones" test \
	"$(grep '^touch 201 ' "$A_DIR/all" | awk '{print $3}' | sort | md5sum)" = \
	"$(psql -qAtX "$KITH_DB" -c "SELECT to_char(to_timestamp(t.at) AT TIME ZONE 'UTC',
		'YYYY-MM-DD\"T\"HH24:MI:SS\"Z\"') FROM touch_contact tc JOIN touchpoint t
		ON t.workspace_id = tc.workspace_id AND t.id = tc.touch_id
		WHERE tc.contact_id = $C" | sort | md5sum)"
stop_all
ok "no sanitizer report from either server" \
	test "$(cat "$A_DIR"/serve-[12].log | grep -c 'Sanitizer\|runtime error')" = 0
echo "1..$t_n"
[ "$t_failed" -eq 0 ]
