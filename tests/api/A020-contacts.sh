#!/usr/bin/env bash
# A020: contacts and everything that hangs on them, over the API: create,
# get, list with filters and cursor pages, ETag/If-Match, merge, snooze,
# touchpoints, facts, dates, promises, gifts, cadences, organizations,
# and the agenda, brief and health agreeing with the CLI's --json.
# Exercises src/server/api_book.c (contacts and what hangs on them).
. "$(dirname "$0")/lib.sh"
export KITH_NOW=2026-11-20T09:00:00Z
W=(--workspace "Studio")
kith "${W[@]}" demo >/dev/null
kith "${W[@]}" user add ana@studio.example --role owner >/dev/null
T=$(kith "${W[@]}" token create ana@studio.example --name a020 | tail -1)
start_server

A=(-H "Authorization: Bearer $T")
J=(-H 'content-type: application/json')
post() { req POST "$1" "${A[@]}" "${J[@]}" -d "$2"; }
# walk PATH: follow next_cursor to the end; sets WALK_IDS, WALK_PAGES.
walk() {
	local p=$1 cur= sep='?' url
	case $p in *\?*) sep='&' ;; esac
	WALK_IDS= WALK_PAGES=0
	for _ in $(seq 1 100); do
		url=$p
		[ -n "$cur" ] && url="$p${sep}cursor=$cur"
		req GET "$url" "${A[@]}"
		[ "$STATUS" = 200 ] || return 1
		WALK_PAGES=$((WALK_PAGES + 1))
		WALK_IDS="$WALK_IDS $(jqb '.items[].id' | tr '\n' ' ')"
		cur=$(jqb '.next_cursor // empty')
		[ -z "$cur" ] && return 0
	done
	return 1
}
count() { wc -w <<<"$1" | tr -d ' '; }
uniq_count() { tr ' ' '\n' <<<"$1" | grep . | sort -u | wc -l | tr -d ' '; }

# ---- create, get, ETag ----
post /api/v1/contacts '{"name":"Zora Quill","emails":["zora@quill.example"],"tags":["pager"],"tier":"B","title":"Editor"}'
ok "create is 201" test "$STATUS" = 201
Z=$(jqb .id)
ok "create answers the id" test "$Z" -gt 0
ok "create answers the resource" test "$(jqb .name)/$(jqb '.emails[0]')/$(jqb .tier)" = "Zora Quill/zora@quill.example/B"
expect "get" 200 GET /api/v1/contacts/$Z "${A[@]}"
ok "get is the contact" test "$(jqb .name)/$(jqb .title)" = "Zora Quill/Editor"
E1=$(header ETag)
ok "get has an ETag" test -n "$E1"
expect "get again" 200 GET /api/v1/contacts/$Z "${A[@]}"
ok "the ETag is stable" test "$(header ETag)" = "$E1"

# ---- list: envelope, filters, pages ----
for i in 1 2 3 4 5 6 7; do
	post /api/v1/contacts "{\"name\":\"Pager Person $i\",\"tags\":[\"pager\"],\"tier\":\"$([ $((i % 2)) = 0 ] && echo B || echo C)\"}"
	[ "$STATUS" = 201 ] || echo "# create $i: $STATUS $BODY"
done
expect "list" 200 GET /api/v1/contacts "${A[@]}"
ok "the list envelope is {items, next_cursor}" test "$(jq -c 'keys' <<<"$BODY")" = '["items","next_cursor"]'
ok "items is an array" test "$(jqb '.items|type')" = array
N_ALL=$(kith "${W[@]}" --json list | jq length)
walk "/api/v1/contacts?limit=5"
ok "walking limit=5 pages reaches every contact ($N_ALL)" test "$(count "$WALK_IDS")" = "$N_ALL"
ok "no contact twice across pages" test "$(uniq_count "$WALK_IDS")" = "$N_ALL"
ok "pages = ceil(n/5)" test "$WALK_PAGES" = $(((N_ALL + 4) / 5))
walk "/api/v1/contacts?tag=pager&limit=3"
ok "tag=pager walks 8 contacts" test "$(count "$WALK_IDS")" = 8
ok "in 3 pages of 3" test "$WALK_PAGES" = 3
expect "the last page" 200 GET "/api/v1/contacts?tag=pager&limit=8" "${A[@]}"
ok "a page exactly full has next_cursor null" test "$(jqb '.next_cursor')" = null
ok "... and 8 items" test "$(jqb '.items|length')" = 8
expect "tier=B" 200 GET "/api/v1/contacts?tag=pager&tier=B" "${A[@]}"
ok "tier=B: only B (Zora and 3 pagers)" test "$(jqb '[.items[].tier]|unique|join(",")')/$(jqb '.items|length')" = "B/4"
expect "q=Zora" 200 GET "/api/v1/contacts?q=Zora" "${A[@]}"
ok "q finds her" test "$(jqb '[.items[].id]|join(",")')" = "$Z"
expect "q finds by email" 200 GET "/api/v1/contacts?q=quill.example" "${A[@]}"
ok "... her" test "$(jqb '[.items[].id]|join(",")')" = "$Z"
expect "q with no match" 200 GET "/api/v1/contacts?q=nobody-at-all-xyz" "${A[@]}"
ok "an empty list, null cursor" test "$(jq -c . <<<"$BODY")" = '{"items":[],"next_cursor":null}'
expect "limit=0 is 422" 422 GET "/api/v1/contacts?limit=0" "${A[@]}"
ok "... naming limit" test "$(jqb .error.field)" = limit
expect "a bad cursor is 422" 422 GET "/api/v1/contacts?cursor=abc" "${A[@]}"
expect "an unknown tier is 422" 422 GET "/api/v1/contacts?tier=Z" "${A[@]}"

# ---- PATCH and If-Match ----
req PATCH /api/v1/contacts/$Z "${A[@]}" "${J[@]}" -d '{"title":"Chief Editor"}'
ok "PATCH without If-Match applies" test "$STATUS/$(jqb .title)" = "200/Chief Editor"
E2=$(header ETag)
ok "the ETag changed" test -n "$E2" -a "$E2" != "$E1"
expect "get after PATCH" 200 GET /api/v1/contacts/$Z "${A[@]}"
ok "GET's ETag is the PATCH's" test "$(header ETag)" = "$E2"
req PATCH /api/v1/contacts/$Z "${A[@]}" "${J[@]}" -H "If-Match: $E1" -d '{"title":"Stale Write"}'
ok "PATCH with a stale If-Match is 412" test "$STATUS" = 412
ok "... a JSON error" test "$(jqb .error.code)" = precondition_failed
expect "get after 412" 200 GET /api/v1/contacts/$Z "${A[@]}"
ok "the stale PATCH changed nothing" test "$(jqb .title)/$(header ETag)" = "Chief Editor/$E2"
req PATCH /api/v1/contacts/$Z "${A[@]}" "${J[@]}" -H "If-Match: $E2" -d '{"title":"Publisher","tags":["pager","vip"]}'
ok "PATCH with the current ETag applies" test "$STATUS/$(jqb .title)/$(jqb '.tags|join(",")')" = "200/Publisher/pager,vip"
E3=$(header ETag)
req PATCH /api/v1/contacts/$Z "${A[@]}" "${J[@]}" -H "If-Match: W/$E3" -d '{"notes":"weak ok"}'
ok "a weak If-Match of the current ETag applies" test "$STATUS/$(jqb .notes)" = "200/weak ok"
ok "other fields are kept by PATCH" test "$(jqb .name)/$(jqb '.emails[0]')" = "Zora Quill/zora@quill.example"

# ---- DELETE ----
post /api/v1/contacts '{"name":"Doomed Dave"}'
D=$(jqb .id)
req DELETE /api/v1/contacts/$D "${A[@]}" -H 'If-Match: "0000000000000000"'
ok "DELETE with a stale If-Match is 412" test "$STATUS" = 412
expect "... and Dave is still there" 200 GET /api/v1/contacts/$D "${A[@]}"
expect "DELETE" 204 DELETE /api/v1/contacts/$D "${A[@]}"
ok "204 has no body" test -z "$BODY"
expect "then GET is 404" 404 GET /api/v1/contacts/$D "${A[@]}"
ok "... a JSON not_found" test "$(jqb .error.code)" = not_found
expect "DELETE again is 404" 404 DELETE /api/v1/contacts/$D "${A[@]}"

# ---- facts, dates, promises, gifts, touchpoints of a contact ----
post /api/v1/contacts/$Z/facts '{"text":"Allergic to cats"}'
ok "fact 201" test "$STATUS/$(jqb .text)" = "201/Allergic to cats"
ok "fact has an id" test "$(jqb .id)" -gt 0
expect "facts list" 200 GET /api/v1/contacts/$Z/facts "${A[@]}"
ok "facts list has it" test "$(jqb '[.items[].text]|join("|")')/$(jqb .next_cursor)" = "Allergic to cats/null"
post /api/v1/contacts/$Z/dates '{"kind":"birthday","date":"1980-11-25"}'
ok "date 201" test "$STATUS/$(jqb .kind)" = 201/birthday
expect "dates list" 200 GET /api/v1/contacts/$Z/dates "${A[@]}"
ok "dates list has it, 5 days away" test "$(jqb '.items|length')/$(jqb '.items[0].in_days')" = 1/5
post /api/v1/contacts/$Z/gifts '{"text":"Fountain pen","value":40.5}'
ok "gift 201" test "$STATUS/$(jqb .text)" = "201/Fountain pen"
expect "gifts list" 200 GET /api/v1/contacts/$Z/gifts "${A[@]}"
ok "gifts list has it" test "$(jqb '[.items[].text]|join("|")')" = "Fountain pen"
post /api/v1/contacts/$Z/promises '{"text":"Send the proofs","due":"2026-11-10T17:00:00Z"}'
ok "promise 201" test "$STATUS/$(jqb .text)/$(jqb .overdue)" = "201/Send the proofs/true"
P_LATE=$(jqb .id)
post /api/v1/contacts/$Z/promises '{"text":"Call about the cover","due":"2026-12-10T17:00:00Z"}'
P_SOON=$(jqb .id)
ok "a future promise is not overdue" test "$STATUS/$(jqb .overdue)" = 201/false
expect "contact promises" 200 GET /api/v1/contacts/$Z/promises "${A[@]}"
ok "lists both" test "$(jqb '.items|length')" = 2
post /api/v1/contacts/$Z/touchpoints '{"channel":"email","note":"sent the draft","at":"2026-11-19T10:00:00Z"}'
ok "touchpoint with the contact: 201" test "$STATUS/$(jqb .channel)" = 201/email
TP1=$(jqb .id)
expect "contact touchpoints" 200 GET /api/v1/contacts/$Z/touchpoints "${A[@]}"
ok "lists it" test "$(jqb '[.items[].id]|join(",")')" = "$TP1"
expect "touchpoints of an unknown contact: 404" 404 GET /api/v1/contacts/999999/touchpoints "${A[@]}"
post /api/v1/contacts/999999/facts '{"text":"x"}'
ok "a fact for an unknown contact: 404" test "$STATUS" = 404

# ---- a touchpoint with several participants ----
post /api/v1/contacts '{"name":"Yuri Ferro"}'
Y=$(jqb .id)
post /api/v1/touchpoints "{\"contacts\":[$Z,$Y],\"channel\":\"in_person\",\"minutes\":60,\"note\":\"lunch\",\"at\":\"2026-11-19T12:00:00Z\"}"
ok "POST /touchpoints with two: 201" test "$STATUS" = 201
TP2=$(jqb .id)
ok "... naming both" test "$(jqb '[.contacts[]|if type=="object" then .id else . end]|sort|map(tostring)|join(",")')" = "$(printf '%s\n' "$Z" "$Y" | sort -n | paste -sd,)"
expect "Yuri's touchpoints" 200 GET /api/v1/contacts/$Y/touchpoints "${A[@]}"
ok "... include the lunch" test "$(jqb '[.items[].id]|join(",")')" = "$TP2"
expect "Zora's touchpoints" 200 GET /api/v1/contacts/$Z/touchpoints "${A[@]}"
ok "... newest first: lunch, then the email" test "$(jqb '[.items[].id]|join(",")')" = "$TP2,$TP1"
expect "Zora's touchpoints, limit=1" 200 GET "/api/v1/contacts/$Z/touchpoints?limit=1" "${A[@]}"
C=$(jqb .next_cursor)
ok "... one and a cursor" test "$(jqb '.items|length')" = 1 -a "$C" != null
expect "... the next page" 200 GET "/api/v1/contacts/$Z/touchpoints?limit=1&cursor=$C" "${A[@]}"
ok "... is the email, and the end" test "$(jqb '[.items[].id]|join(",")')/$(jqb .next_cursor)" = "$TP1/null"
expect "GET /touchpoints" 200 GET "/api/v1/touchpoints?limit=2" "${A[@]}"
ok "all touchpoints, newest first, start with the lunch" test "$(jqb '.items[0].id')" = "$TP2"
walk "/api/v1/touchpoints?limit=150"
N_T=$(kith "${W[@]}" export | jq '.touchpoints|length')
ok "walking /touchpoints counts every touch ($N_T)" test "$(count "$WALK_IDS")/$(uniq_count "$WALK_IDS")" = "$N_T/$N_T"
post /api/v1/touchpoints "{\"contacts\":[$Z,$Z],\"channel\":\"call\"}"
ok "the same contact twice is 422" test "$STATUS/$(jqb .error.field)" = 422/contacts
post /api/v1/touchpoints '{"contacts":[],"channel":"call"}'
ok "no contact is 422" test "$STATUS/$(jqb .error.field)" = 422/contacts

# ---- promises: open, overdue first; done ----
expect "promises" 200 GET /api/v1/promises "${A[@]}"
ok "overdue come first" test "$(jqb '[.items[].overdue] | . == (sort|reverse)')" = true
ok "includes the late one, overdue" test "$(jqb ".items[]|select(.id==$P_LATE)|.overdue")" = true
ok "and the first item is overdue" test "$(jqb '.items[0].overdue')" = true
N_OPEN=$(jqb '.items|length')
req POST /api/v1/promises/$P_LATE/done "${A[@]}"
ok "done: 200" test "$STATUS" = 200
ok "... with done_at" test "$(jqb .done_at)" != null
expect "done again: 409" 409 POST /api/v1/promises/$P_LATE/done "${A[@]}"
expect "done on an unknown promise: 404" 404 POST /api/v1/promises/999999/done "${A[@]}"
expect "promises after done" 200 GET /api/v1/promises "${A[@]}"
ok "one fewer open, not the kept one" test "$(jqb '.items|length')/$(jqb "[.items[]|select(.id==$P_LATE)]|length")" = "$((N_OPEN - 1))/0"
expect "promises?all=true" 200 GET "/api/v1/promises?all=true" "${A[@]}"
ok "all includes the kept one" test "$(jqb "[.items[]|select(.id==$P_LATE)]|length")" = 1
ok "the CLI agrees on the open promises" test "$(kith "${W[@]}" --json promises | jq -c '[.[].id]')" = "$(curl -s "${A[@]}" "$BASE/api/v1/promises" | jq -c '[.items[].id]')"

# ---- merge ----
post /api/v1/contacts '{"name":"Zora Q.","emails":["zq@other.example"]}'
ZDUP=$(jqb .id)
post /api/v1/contacts/$ZDUP/facts '{"text":"Prefers tea"}'
req POST /api/v1/contacts/$Z/merge "${A[@]}" "${J[@]}" -d "{\"from\":$ZDUP}"
ok "merge: 200" test "$STATUS" = 200
ok "... keeps both emails" test "$(jqb '.emails|sort|join(",")')" = "zora@quill.example,zq@other.example"
expect "the merged-away contact is gone" 404 GET /api/v1/contacts/$ZDUP "${A[@]}"
expect "facts after merge" 200 GET /api/v1/contacts/$Z/facts "${A[@]}"
ok "... have the duplicate's fact" test "$(jqb '[.items[].text]|sort|join("|")')" = "Allergic to cats|Prefers tea"
req POST /api/v1/contacts/$Z/merge "${A[@]}" "${J[@]}" -d "{\"from\":$Z}"
ok "merging into itself is 422" test "$STATUS/$(jqb .error.field)" = 422/from
req POST /api/v1/contacts/$Z/merge "${A[@]}" "${J[@]}" -d '{"from":999999}'
ok "merging an unknown contact is 404" test "$STATUS" = 404

# ---- snooze ----
req POST /api/v1/contacts/$Y/snooze "${A[@]}" "${J[@]}" -d '{"for":"1w"}'
ok "snooze for 1w: 200" test "$STATUS/$(jqb .snooze_until)" = "200/2026-11-27T09:00:00Z"
req POST /api/v1/contacts/$Y/snooze "${A[@]}" "${J[@]}" -d '{"until":"2026-12-24T00:00:00Z"}'
ok "snooze until a time" test "$STATUS/$(jqb .snooze_until)" = "200/2026-12-24T00:00:00Z"
req POST /api/v1/contacts/$Y/snooze "${A[@]}" "${J[@]}" -d '{}'
ok "an empty snooze wakes" test "$STATUS/$(jqb .snooze_until)" = "200/null"
req POST /api/v1/contacts/$Y/snooze "${A[@]}" "${J[@]}" -d '{"for":"soon"}'
ok "a bad duration is 422 naming for" test "$STATUS/$(jqb .error.field)" = 422/for

# ---- cadences ----
expect "cadences" 200 GET /api/v1/cadences "${A[@]}"
ok "cadences are a list" test "$(jqb '.items|type')" = array
req PUT /api/v1/cadences "${A[@]}" "${J[@]}" -d '{"scope":"tag","key":"pager","every":"2w","meet_every":"3m"}'
ok "PUT a tag cadence: 200" test "$STATUS/$(jqb .scope)/$(jqb .key)" = 200/tag/pager
req PUT /api/v1/cadences "${A[@]}" "${J[@]}" -d '{"scope":"tier","key":"C","every":"100d"}'
ok "PUT a tier cadence: 200" test "$STATUS/$(jqb .scope)/$(jqb .key)" = 200/tier/C
expect "cadences again" 200 GET /api/v1/cadences "${A[@]}"
ok "has the tag rule" test "$(jqb '[.items[]|select(.scope=="tag" and .key=="pager")]|length')" = 1
ok "has the tier rule" test "$(jqb '[.items[]|select(.scope=="tier" and .key=="C")]|length')" = 1
req PUT /api/v1/cadences "${A[@]}" "${J[@]}" -d '{"scope":"planet","key":"x","every":"1w"}'
ok "an unknown scope is 422" test "$STATUS/$(jqb .error.field)" = 422/scope

# ---- organizations ----
post /api/v1/organizations '{"name":"Quill Press"}'
ok "organization 201 with id" test "$STATUS/$(jqb .name)" = "201/Quill Press" -a "$(jqb .id)" -gt 0
ORG=$(jqb .id)
expect "organizations" 200 GET /api/v1/organizations "${A[@]}"
ok "lists it" test "$(jqb "[.items[]|select(.id==$ORG and .name==\"Quill Press\")]|length")" = 1
ok "the envelope" test "$(jqb .next_cursor)" = null

# ---- agenda, brief, health against the CLI ----
expect "agenda" 200 GET "/api/v1/agenda?limit=1000" "${A[@]}"
API_AG=$(jq -c '[.items[] | {id: .contact.id, rank, reasons: [.reasons[].kind]}]' <<<"$BODY")
CLI_AG=$(kith "${W[@]}" --json due | jq -c '[.[] | {id: .contact.id, rank, reasons: [.reasons[].kind]}]')
ok "agenda has items" test "$(jq length <<<"$API_AG")" -gt 0
ok "agenda equals kith --json due (ids, order, ranks, reasons)" test "$API_AG" = "$CLI_AG"
ok "agenda items equal kith --json due exactly" test "$(jq -cS .items <<<"$BODY")" = "$(kith "${W[@]}" --json due | jq -cS .)"
expect "brief" 200 GET /api/v1/contacts/$Z/brief "${A[@]}"
ok "brief has the CLI's keys" test "$(jq -c keys <<<"$BODY")" = "$(kith "${W[@]}" --json brief "$Z" | jq -c keys)"
ok "brief is the CLI's brief" test "$(jq -cS . <<<"$BODY")" = "$(kith "${W[@]}" --json brief "$Z" | jq -cS .)"
expect "health" 200 GET /api/v1/contacts/$Z/health "${A[@]}"
ok "health has the CLI's keys" test "$(jq -c keys <<<"$BODY")" = "$(kith "${W[@]}" --json health "$Z" | jq -c keys)"
ok "health score is the CLI's" test "$(jq .score <<<"$BODY")" = "$(kith "${W[@]}" --json health "$Z" | jq .score)"
expect "brief of an unknown contact: 404" 404 GET /api/v1/contacts/999999/brief "${A[@]}"
expect "health of an unknown contact: 404" 404 GET /api/v1/contacts/999999/health "${A[@]}"
finish
