#!/usr/bin/env bash
# A070: GET /export is `kith export`; POST /import restores it into an
# empty workspace, all or nothing; a non-empty workspace refuses it.
. "$(dirname "$0")/lib.sh"
export KITH_NOW=2026-11-20T09:00:00Z
S=(--workspace "Source")
E=(--workspace "Empty")
X=(--workspace "Spare")
kith "${S[@]}" demo >/dev/null
kith "${S[@]}" user add src@studio.example --role owner >/dev/null
kith "${E[@]}" user add new@studio.example --role owner >/dev/null
kith "${E[@]}" user add mem@studio.example --role member >/dev/null
kith "${X[@]}" user add spare@studio.example --role owner >/dev/null
TS=$(kith "${S[@]}" token create src@studio.example | tail -1)
TE=$(kith "${E[@]}" token create new@studio.example | tail -1)
TM=$(kith "${E[@]}" token create mem@studio.example | tail -1)
TX=$(kith "${X[@]}" token create spare@studio.example | tail -1)
serve_all Source

AS=(-H "Authorization: Bearer $TS")
AE=(-H "Authorization: Bearer $TE")
AM=(-H "Authorization: Bearer $TM")
AX=(-H "Authorization: Bearer $TX")
J=(-H 'content-type: application/json')
# Two books are the same but for the workspace's name.
# Ids are global in a database, so a book restored beside the workspace it
# came from gets new ones (and references follow them); byte-for-byte
# equality is promised into an empty database, which T060 checks. Here the
# content must match with ids and references set aside.
same_book() {
	local f='del(.workspace.name) | walk(if type == "object" then del(.id, .contact_id, .org_id, .contacts, .users) else . end)'
	diff <(jq -S "$f" "$1") <(jq -S "$f" "$2") >/dev/null
}

# ---- export ----
kith "${S[@]}" export >"$A_DIR/cli.json"
# DIRECT: the byte-for-byte check below needs kith's own bytes, and a
# validating proxy (KITH_PRISM=1) re-serializes JSON.
DIRECT=1 expect "GET /export" 200 GET /api/v1/export "${AS[@]}"
cp "$A_DIR/body" "$A_DIR/api.json"
ok "served as application/json" grep -qi '^content-type: application/json' "$A_DIR/h"
ok "GET /export = kith export, byte for byte (but the final newline)" \
	test "$(cat "$A_DIR/api.json")" = "$(cat "$A_DIR/cli.json")"
ok "the book has the demo's contacts" test "$(jq '.contacts|length' "$A_DIR/api.json")" -gt 5
expect "the empty workspace exports an empty book" 200 GET /api/v1/export "${AE[@]}"
ok "... no contacts" test "$(jqb '.contacts|length')" = 0
cp "$A_DIR/body" "$A_DIR/empty-before.json"

# ---- import: permissions and malformed books write nothing ----
expect "a member cannot import" 403 POST /api/v1/import "${AM[@]}" "${J[@]}" --data-binary @"$A_DIR/api.json"
expect "import without content-type: 415" 415 POST /api/v1/import "${AE[@]}" -H 'Content-Type:' --data-binary @"$A_DIR/api.json"
head -c 5000 "$A_DIR/api.json" >"$A_DIR/cut.json"
expect "a truncated book: 400" 400 POST /api/v1/import "${AE[@]}" "${J[@]}" --data-binary @"$A_DIR/cut.json"
# A book whose last contact has a number for a name: all or nothing.
jq -c '.contacts[-1].name = 42' "$A_DIR/api.json" >"$A_DIR/bad1.json"
req POST /api/v1/import "${AE[@]}" "${J[@]}" --data-binary @"$A_DIR/bad1.json"
ok "a contact's name as a number: 422" test "$STATUS" = 422
ok "... the field is a path into the book ($(jqb .error.field))" bash -c '[[ $1 == *contacts* && $1 == *name* ]]' _ "$(jqb .error.field)"
jq -c '.touchpoints[-1].channel = "pigeon"' "$A_DIR/api.json" >"$A_DIR/bad2.json"
req POST /api/v1/import "${AE[@]}" "${J[@]}" --data-binary @"$A_DIR/bad2.json"
ok "an unknown channel in the last touchpoint: 4xx" test "$STATUS" -ge 400 -a "$STATUS" -lt 500
ok "... naming the path ($(jqb .error.field))" bash -c '[[ $1 == *touchpoints* && $1 == *channel* ]]' _ "$(jqb .error.field)"
jq -c '.contacts[0].since = "2023-02-30"' "$A_DIR/api.json" >"$A_DIR/bad3.json"
req POST /api/v1/import "${AE[@]}" "${J[@]}" --data-binary @"$A_DIR/bad3.json"
ok "an impossible date: 4xx naming it ($STATUS $(jqb .error.field))" bash -c '[[ $1 == 4* && $2 == *since* ]]' _ "$STATUS" "$(jqb .error.field)"
jq -c '.touchpoints[0].contacts = [999999]' "$A_DIR/api.json" >"$A_DIR/bad4.json"
req POST /api/v1/import "${AE[@]}" "${J[@]}" --data-binary @"$A_DIR/bad4.json"
ok "a touch with a contact not in the book: 4xx naming it ($STATUS $(jqb .error.field))" bash -c '[[ $1 == 4* && $2 == *touchpoints* ]]' _ "$STATUS" "$(jqb .error.field)"
jq -c '.format = "not-kith"' "$A_DIR/api.json" >"$A_DIR/bad5.json"
req POST /api/v1/import "${AE[@]}" "${J[@]}" --data-binary @"$A_DIR/bad5.json"
ok "a foreign format: 4xx naming it ($STATUS $(jqb .error.field))" bash -c '[[ $1 == 4* && $2 == *format* ]]' _ "$STATUS" "$(jqb .error.field)"
expect "after all that, the empty workspace" 200 GET /api/v1/export "${AE[@]}"
ok "... is still exactly empty" cmp -s "$A_DIR/body" "$A_DIR/empty-before.json"

# ---- import into the empty workspace ----
expect "POST /import into the empty workspace: 201" 201 POST /api/v1/import "${AE[@]}" "${J[@]}" --data-binary @"$A_DIR/api.json"
ok "... counts what came in" test "$(jqb .contacts)/$(jqb .touchpoints)" = "$(jq '.contacts|length' "$A_DIR/api.json")/$(jq '.touchpoints|length' "$A_DIR/api.json")"
kith "${E[@]}" export >"$A_DIR/copy.json"
ok "kith export of the copy = the original (but the workspace's name)" same_book "$A_DIR/copy.json" "$A_DIR/cli.json"
expect "GET /export of the copy" 200 GET /api/v1/export "${AE[@]}"
ok "... the same book" same_book "$A_DIR/body" "$A_DIR/api.json"
expect "the copy answers its contacts" 200 GET "/api/v1/contacts?limit=1000" "${AE[@]}"
ok "... all of them" test "$(jqb '.items|length')" = "$(jq '.contacts|length' "$A_DIR/api.json")"
ok "the agenda of the copy = the source's agenda" test "$(curl -s "${AE[@]}" "$BASE/api/v1/agenda" | jq -c '[.items[]|[.contact.name,.rank]]')" = "$(curl -s "${AS[@]}" "$BASE/api/v1/agenda" | jq -c '[.items[]|[.contact.name,.rank]]')"

# ---- a non-empty workspace refuses ----
expect "import into the now non-empty copy: 409" 409 POST /api/v1/import "${AE[@]}" "${J[@]}" --data-binary @"$A_DIR/api.json"
ok "... a JSON conflict" test "$(jqb .error.code)" = conflict
expect "import into the source itself: 409" 409 POST /api/v1/import "${AS[@]}" "${J[@]}" --data-binary @"$A_DIR/api.json"
ok "the source is unchanged" test "$(kith "${S[@]}" export)" = "$(cat "$A_DIR/cli.json")"
ok "the copy is unchanged" test "$(kith "${E[@]}" export)" = "$(cat "$A_DIR/copy.json")"
expect "a workspace with only a contact refuses too: setup" 201 POST /api/v1/contacts "${AX[@]}" "${J[@]}" -d '{"name":"Solo"}'
expect "import there: 409" 409 POST /api/v1/import "${AX[@]}" "${J[@]}" --data-binary @"$A_DIR/api.json"
expect "... and it keeps its one contact" 200 GET /api/v1/contacts "${AX[@]}"
ok "... only Solo" test "$(jqb '[.items[].name]|join(",")')" = Solo
finish
