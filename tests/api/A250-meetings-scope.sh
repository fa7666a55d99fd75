#!/usr/bin/env bash
# A250: meetings belong to the member whose calendar they came from (L8):
# each sees only their own (a viewer none of the others'); importing the
# same meeting (same UID) does not take over another member's row; another
# member cannot confirm or dismiss it; deleting a member deletes theirs.
# Exercises src/store/store_sqlite.c (meetings), api_signals.c (meetings).
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
for u in ana:owner mo:member li:member vi:viewer; do
	printf 'correct horse battery staple\n' | kith "${W[@]}" user add \
		"${u%%:*}@studio.example" --role "${u##*:}" --password-stdin >/dev/null
done
tok() { kith "${W[@]}" token create "$1@studio.example" --name "a250$1" | tail -1; }
TA=$(tok ana) TM=$(tok mo) TL=$(tok li) TV=$(tok vi)
start_server
J=(-H 'content-type: application/json')
as() { local t=$1 m=$2 p=$3; shift 3; req "$m" "$p" -H "Authorization: Bearer $t" "$@"; }
as "$TA" POST /api/v1/contacts "${J[@]}" -d '{"name":"Dana Harbor","emails":["dana@harbor.example"]}'
ok "a contact" test "$STATUS" = 201
day=$(date -u -d '-2 days' +%Y%m%dT090000Z)
printf 'BEGIN:VCALENDAR\r\nVERSION:2.0\r\nBEGIN:VEVENT\r\nUID:shared@x\r\nDTSTART:%s\r\nSUMMARY:Board\r\nATTENDEE:mailto:dana@harbor.example\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n' "$day" |
	jq -Rs '{ics: .}' >"$A_DIR/m.json"
as "$TM" POST /api/v1/meetings/import "${J[@]}" --data-binary @"$A_DIR/m.json"
ok "mo imports: 201" test "$STATUS" = 201
as "$TM" GET /api/v1/meetings
MO_ID=$(jq -r '.items[0].id' <<<"$BODY")
ok "mo sees the meeting" test "$(jq '.items | length' <<<"$BODY")" = 1
as "$TL" POST /api/v1/meetings/import "${J[@]}" --data-binary @"$A_DIR/m.json"
ok "li imports the same meeting: 201" test "$STATUS" = 201
as "$TL" GET /api/v1/meetings
LI_ID=$(jq -r '.items[0].id' <<<"$BODY")
ok "li sees one meeting, a row of li's own" test "$(jq '.items | length' <<<"$BODY")/$(jq -r '.items[0].user_id' <<<"$BODY")" = "1/$(db_sql "SELECT id FROM \"user\" WHERE email='li@studio.example'")"
ok "and it is not mo's row" test "$LI_ID" != "$MO_ID"
as "$TM" GET /api/v1/meetings
ok "mo's meeting is still mo's" test "$(jq -r '.items[0].id' <<<"$BODY")" = "$MO_ID"
as "$TV" GET /api/v1/meetings
ok "a viewer sees none of the others' meetings" test "$(jq '.items | length' <<<"$BODY")" = 0
as "$TA" GET /api/v1/meetings
ok "nor does the owner" test "$(jq '.items | length' <<<"$BODY")" = 0
as "$TL" POST "/api/v1/meetings/$MO_ID/confirm"
ok "li cannot confirm mo's meeting: 404" test "$STATUS" = 404
as "$TL" POST "/api/v1/meetings/$MO_ID/dismiss"
ok "nor dismiss it: 404" test "$STATUS" = 404
as "$TM" POST "/api/v1/meetings/$MO_ID/confirm"
ok "mo confirms it: 201" test "$STATUS" = 201
LI_UID=$(db_sql "SELECT id FROM \"user\" WHERE email='li@studio.example'")
as "$TA" DELETE "/api/v1/users/$LI_UID"
ok "the owner removes li: 204" test "$STATUS" = 204
ok "li's meetings went with li" test "$(db_sql "SELECT count(*) FROM meeting WHERE user_id = $LI_UID")" = 0
ok "and their contact links" test "$(db_sql "SELECT count(*) FROM meeting_contact WHERE meeting_id = $LI_ID")" = 0
ok "mo's stays" test "$(db_sql "SELECT count(*) FROM meeting WHERE id = $MO_ID")" = 1
stop_clean
echo "1..$t_n"
finish
