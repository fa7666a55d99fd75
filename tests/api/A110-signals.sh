#!/usr/bin/env bash
# A110: the webhook and signals: acknowledgement and errors, duplicate
# deliveries stored once, matching by email, domain and handle, leads
# attached to a contact or made into one, the signals list, the agenda's
# "signal" reason, answering by a touch, statistics, secret rotation, and
# a server log that never holds the webhook secret.
# Exercises src/server/api_signals.c (webhook, signals, stats).
. "$(dirname "$0")/lib.sh"
W=(--workspace "Studio")
printf 'correct horse battery staple\n' | kith "${W[@]}" user add \
	ana@studio.example --role owner --password-stdin >/dev/null
T=$(kith "${W[@]}" token create ana@studio.example --name a110 | tail -1)
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
start_server

A=(-H "Authorization: Bearer $T")
J=(-H 'content-type: application/json')
post() { req POST "$1" "${A[@]}" "${J[@]}" -d "$2"; }
hook() { req POST "$HOOK" "${J[@]}" -d "$1"; }

# ---- contacts to match ----
post /api/v1/contacts '{"name":"Dana Harbor","emails":["dana@harbor.example"]}'
DANA=$(jqb .id)
post /api/v1/contacts '{"name":"Pat Quay","emails":["pat@quay.example"],"org":"Quay Ltd"}'
PAT=$(jqb .id)
post /api/v1/contacts '{"name":"Hana Handle","handles":["@hana_h"]}'
HANA=$(jqb .id)
ok "three contacts" test -n "$DANA" -a -n "$PAT" -a -n "$HANA"

# ---- the webhook's path ----
expect "the webhook path" 200 GET /api/v1/webhook "${A[@]}"
HOOK=$(jqb .path)
SECRET=${HOOK#/hooks/}
ok "the path is /hooks/<secret>" test -n "$SECRET" -a "$HOOK" = "/hooks/$SECRET"

# ---- acknowledgement and errors ----
hook '{"id":"ev-1","type":"website_visit","email":"dana@harbor.example","url":"https://studio.example/pricing"}'
ok "a webhook is 202" test "$STATUS" = 202
S1=$(jq -r .signal.id <<<"$BODY")
ok "202 answers {signal:{id, contact_id}}" test "$(jq -r '.signal | has("id") and has("contact_id")' <<<"$BODY")" = true
ok "matched by email" test "$(jq -r .signal.contact_id <<<"$BODY")" = "$DANA"
expect "an unknown secret is 404" 404 POST /hooks/kith_hook_nope "${J[@]}" \
	-d '{"id":"x","type":"form"}'
expect "a near-miss secret is 404" 404 POST "${HOOK%?}x" "${J[@]}" \
	-d '{"id":"x","type":"form"}'
hook '[1,2,3]'
ok "a JSON array is 400/422" test "$STATUS" = 400 -o "$STATUS" = 422
hook 'not json at all'
ok "not JSON is 400/422" test "$STATUS" = 400 -o "$STATUS" = 422
hook '{"id":"x1","type":"carrier_pigeon"}'
ok "an unknown type is 400/422" test "$STATUS" = 400 -o "$STATUS" = 422
hook '{"id":"x2","email":"a@b.example"}'
ok "no type is 400/422" test "$STATUS" = 400 -o "$STATUS" = 422
req POST "$HOOK" "${J[@]}"
ok "an empty body is 400/422" test "$STATUS" = 400 -o "$STATUS" = 422
big=$(head -c 70000 /dev/zero | tr '\0' a)
printf '{"id":"big","type":"form","text":"%s"}' "$big" >"$A_DIR/big.json"
req POST "$HOOK" "${J[@]}" --data-binary @"$A_DIR/big.json"
ok "over 64 KB is 413" test "$STATUS" = 413
expect "nothing bad was stored" 200 GET /api/v1/signals "${A[@]}"
ok "only the one signal" test "$(jq '.items | length' <<<"$BODY")" = 1

# ---- duplicate delivery ----
hook '{"id":"ev-1","type":"website_visit","email":"dana@harbor.example","url":"https://studio.example/pricing"}'
ok "a repeat delivery is acknowledged" test "$STATUS" = 202
ok "with the same signal id" test "$(jq -r .signal.id <<<"$BODY")" = "$S1"
hook '{"id":"ev-1","type":"website_visit","email":"dana@harbor.example","url":"https://studio.example/pricing"}'
req GET /api/v1/signals "${A[@]}"
ok "stored once" test "$(jq '[.items[] | select(.ext_id == "ev-1")] | length' <<<"$BODY")" = 1

# ---- matching ----
hook '{"id":"ev-2","type":"inbound_email","email":"newbie@quay.example","text":"a question"}'
ok "matched by email domain to the organization's contact" test "$(jq -r .signal.contact_id <<<"$BODY")" = "$PAT"
hook '{"id":"ev-3","type":"mention","handle":"@hana_h","url":"https://social.example/p/1"}'
ok "matched by handle" test "$(jq -r .signal.contact_id <<<"$BODY")" = "$HANA"
hook '{"id":"ev-3b","type":"mention","handle":"hana_h"}'
ok "matched by handle without @" test "$(jq -r .signal.contact_id <<<"$BODY")" = "$HANA"
hook '{"id":"ev-4","type":"form","email":"lee@nowhere.example","name":"Lee Lead"}'
LEAD1=$(jq -r .signal.id <<<"$BODY")
ok "an unmatched signal is a lead (contact_id null)" test "$(jq -r .signal.contact_id <<<"$BODY")" = null
hook '{"id":"ev-5","type":"missed_call","name":"Robin Caller","text":"+1 555 0100"}'
LEAD2=$(jq -r .signal.id <<<"$BODY")
ok "a second lead" test "$(jq -r .signal.contact_id <<<"$BODY")" = null

# ---- leads attached ----
post /api/v1/signals/$LEAD1/attach "{\"contact_id\":$DANA}"
ok "attach a lead to a contact: 200" test "$STATUS" = 200
ok "the signal now names the contact" test "$(jq -r .contact.id <<<"$BODY")/$(jq -r .contact.name <<<"$BODY")" = "$DANA/Dana Harbor"
post /api/v1/signals/$LEAD2/attach '{"contact":{"name":"Robin Caller"}}'
ok "a lead becomes a new contact: 200" test "$STATUS" = 200
ROBIN=$(jq -r .contact.id <<<"$BODY")
ok "the new contact is named" test "$(jq -r .contact.name <<<"$BODY")" = "Robin Caller"
expect "the new contact exists" 200 GET /api/v1/contacts/$ROBIN "${A[@]}"
ok "with its name" test "$(jqb .name)" = "Robin Caller"
post /api/v1/signals/$LEAD2/attach '{}'
ok "attach with nothing is 400/422" test "$STATUS" = 400 -o "$STATUS" = 422
post /api/v1/signals/99999/attach "{\"contact_id\":$DANA}"
ok "attach an unknown signal is 404" test "$STATUS" = 404

# ---- the list ----
expect "list signals" 200 GET /api/v1/signals "${A[@]}"
ok "list envelope" test "$(jq -r 'has("items") and has("next_cursor")' <<<"$BODY")" = true
ok "items have id,type,at,contact,answered_at,response_minutes" \
	test "$(jq -r '[.items[] | has("id") and has("type") and has("at") and has("contact") and has("answered_at") and has("response_minutes")] | all' <<<"$BODY")" = true
ok "six signals" test "$(jq '.items | length' <<<"$BODY")" = 6
ok "all waiting: answered_at and response_minutes null" \
	test "$(jq -r '[.items[] | .answered_at == null and .response_minutes == null] | all' <<<"$BODY")" = true
ok "the contact is {id,name}" test "$(jq -r --argjson d "$DANA" '.items[] | select(.ext_id == "ev-1") | .contact | "\(.id)/\(.name)"' <<<"$BODY")" = "$DANA/Dana Harbor"
expect "a viewer-less request is 401" 401 GET /api/v1/signals

# ---- agenda: a waiting signal first ----
# Dana waits longest (ev-1): she is first.
expect "the agenda" 200 GET /api/v1/agenda "${A[@]}"
ok "the signal's contact is first" test "$(jq -r '.items[0].contact.id' <<<"$BODY")" = "$DANA"
ok "with a reason of kind signal" test "$(jq -r '[.items[0].reasons[].kind] | index("signal") != null' <<<"$BODY")" = true
ok "the reason says what happened" test -n "$(jq -r '.items[0].reasons[] | select(.kind == "signal") | .text' <<<"$BODY")"

# ---- answered by a touch ----
post /api/v1/touchpoints "{\"contacts\":[$DANA],\"channel\":\"email\",\"note\":\"replied about pricing\"}"
ok "log a touch" test "$STATUS" = 201
expect "list again" 200 GET /api/v1/signals "${A[@]}"
ok "the signal is answered" test "$(jq -r '.items[] | select(.ext_id == "ev-1") | .answered_at != null' <<<"$BODY")" = true
ok "with response minutes, a number" test "$(jq -r '.items[] | select(.ext_id == "ev-1") | .response_minutes | type' <<<"$BODY")" = number
ok "the attached lead of the same contact too" test "$(jq -r '.items[] | select(.ext_id == "ev-4") | .answered_at != null' <<<"$BODY")" = true
ok "others still wait" test "$(jq -r '.items[] | select(.ext_id == "ev-2") | .answered_at' <<<"$BODY")" = null
expect "waiting only" 200 "GET" "/api/v1/signals?waiting=true" "${A[@]}"
ok "waiting=true leaves out the answered" test "$(jq -r '[.items[].answered_at] | all(. == null)' <<<"$BODY")/$(jq '.items | length' <<<"$BODY")" = true/4
req GET /api/v1/agenda "${A[@]}"
ok "Dana no longer has a signal reason" test "$(jq -r --argjson d "$DANA" '[.items[] | select(.contact.id == $d) | .reasons[].kind] | index("signal") == null' <<<"$BODY")" = true

# ---- statistics ----
expect "stats" 200 GET /api/v1/signals/stats "${A[@]}"
ok "median_minutes, p90_minutes, breaches for the workspace" \
	test "$(jq -r '.workspace | has("median_minutes") and has("p90_minutes") and has("breaches")' <<<"$BODY")" = true
ok "a median now that one is answered" test "$(jq -r '.workspace.median_minutes | type' <<<"$BODY")" = number
ok "per user too" test "$(jq -r '.users | type' <<<"$BODY")" = array
ok "the target" test "$(jq -r .target_minutes <<<"$BODY")" = 30
ok "twelve weeks of trend, oldest first" \
	test "$(jq -r '[(.weekly | length), (.weekly | map(.week) | . == sort)] | @tsv' <<<"$BODY")" = "$(printf '12\ttrue')"
ok "this week counts what arrived this week" \
	test "$(jq -r '.weekly[-1] | .answered + .waiting' <<<"$BODY")" = "$(jq -r '.workspace.answered + .workspace.waiting' <<<"$BODY")"

# ---- rotation ----
expect "rotate" 200 POST /api/v1/webhook/rotate "${A[@]}"
NEW=$(jqb .path)
ok "a new path" test -n "$NEW" -a "$NEW" != "$HOOK"
hook '{"id":"ev-9","type":"form","email":"z@z.example"}'
ok "the old URL is 404" test "$STATUS" = 404
req POST "$NEW" "${J[@]}" -d '{"id":"ev-9","type":"form","email":"z@z.example"}'
ok "the new URL is 202" test "$STATUS" = 202
ok "the CLI shows the new secret" test "$(kith "${W[@]}" webhook show | sed 's|.*/hooks/|/hooks/|')" = "$NEW"

stop_clean
ok "the server log never holds the webhook secret" \
	sh -c "! grep -q -e '$SECRET' -e '${NEW#/hooks/}' '$A_DIR/serve.log'"
ok "the log does show the webhook requests" grep -q 'POST /hooks/' "$A_DIR/serve.log"
finish
