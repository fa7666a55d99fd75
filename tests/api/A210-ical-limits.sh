#!/usr/bin/env bash
# A210: a calendar upload is bounded (H3): the review's 22 KB .ics (an
# hourly rule, a 20 KB description, a 2 KB summary) gives a clear 422 and
# no rows instead of 4,300 rows and 100 MB of server memory; 20 rules that
# can never match are refused at once instead of holding the write lock
# for 5 s; a daily rule with the same texts is stored with a 1 KB summary.
# Exercises src/input/ical.c, src/app/meetings.c, api_signals.c (meetings).
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
	mo@studio.example --role member --password-stdin >/dev/null
T=$(kith "${W[@]}" token create mo@studio.example --name a210 | tail -1)
start_server
A=(-H "Authorization: Bearer $T")
J=(-H 'content-type: application/json')
rss() { sed -n 's/^VmRSS:[[:space:]]*\([0-9]*\).*/\1/p' "/proc/$SERVER_PID/status"; }
# ics_json FREQ: the review's file as {"ics": ...}
ics_json() {
	local d s
	d=$(head -c 20000 /dev/zero | tr '\0' 'd')
	s=$(head -c 2000 /dev/zero | tr '\0' 's')
	printf 'BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//x//y//EN\r\nBEGIN:VEVENT\r\nUID:bomb@x\r\nDTSTART:%s\r\nRRULE:FREQ=%s\r\nSUMMARY:%s\r\nDESCRIPTION:%s\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n' \
		"$(date -u -d '-100 days' +%Y%m%dT090000Z)" "$1" "$s" "$d" |
		jq -Rs '{ics: .}'
}
ics_json HOURLY >"$A_DIR/hourly.json"
ok "the review's file is about 22 KB" test "$(stat -c %s "$A_DIR/hourly.json")" -gt 22000
R0=$(rss)
req POST /api/v1/meetings/import "${A[@]}" "${J[@]}" --data-binary @"$A_DIR/hourly.json"
ok "an hourly rule: 422, not 4,300 rows" test "$STATUS" = 422
ok "the error says why" grep -q 'more than 500 occurrences' <<<"$BODY"
R1=$(rss)
ok "server RSS grew by less than 8 MB ($R0 -> $R1 kB)" test $((R1 - R0)) -lt 8192
req GET /api/v1/meetings "${A[@]}"
ok "no meeting rows" test "$(jq '.items | length' <<<"$BODY")" = 0

ics_json DAILY >"$A_DIR/daily.json"
req POST /api/v1/meetings/import "${A[@]}" "${J[@]}" --data-binary @"$A_DIR/daily.json"
ok "a daily rule with the same texts: 201" test "$STATUS" = 201
ok "181 occurrences in the 180-day window, bounded" test "$(jqb .events)" -le 182 -a "$(jqb .events)" -ge 180
req GET /api/v1/meetings "${A[@]}"
ok "summaries are cut to 1 KB" test "$(jq '[.items[].summary | length] | max' <<<"$BODY")" = 1024
R2=$(rss)
ok "server RSS grew by less than 16 MB ($R0 -> $R2 kB)" test $((R2 - R0)) -lt 16384

{
	printf 'BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//x//y//EN\r\n'
	for i in $(seq 1 20); do
		printf 'BEGIN:VEVENT\r\nUID:never%d@x\r\nDTSTART:20260101T090000Z\r\nRRULE:FREQ=DAILY;BYMONTH=2;BYMONTHDAY=30\r\nEND:VEVENT\r\n' "$i"
	done
	printf 'END:VCALENDAR\r\n'
} | jq -Rs '{ics: .}' >"$A_DIR/never.json"
t0=$(date +%s%N)
req POST /api/v1/meetings/import "${A[@]}" "${J[@]}" --data-binary @"$A_DIR/never.json"
ms=$((($(date +%s%N) - t0) / 1000000))
ok "20 impossible rules: 422" test "$STATUS" = 422
ok "the error says the rule never matches" grep -q 'never meet' <<<"$BODY"
# Refused before libical expands anything: a bound well under the 1 s
# budget per event times 20, with room for a loaded machine.
ok "answered without expanding them (${ms} ms)" test "$ms" -lt 5000
stop_clean
echo "1..$t_n"
finish
