#!/usr/bin/env bash
# A050: a user of workspace B walks every route and method of the OpenAPI
# document with workspace A's ids: 404 for each, never A's data, never a
# change to A. And the document's routes are exactly the router's table.
. "$(dirname "$0")/lib.sh"
export KITH_NOW=2026-11-20T09:00:00Z
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
WA=(--workspace "Alpha Studio")
WB=(--workspace "Beta Shop")
kith "${WA[@]}" demo >/dev/null
# Ids are per workspace (migration 19): B's first user, token and contact
# are 1, as A's are, and the walk below makes B a second user and token.
# A gets four more of each before, so A's highest ids, which the walk
# probes with, are ones B never has.
for i in 1 2 3 4; do
	kith "${WA[@]}" user add "aaron$i@alpha.example" --name "Aaron Alpha" >/dev/null
	kith "${WA[@]}" token create "aaron$i@alpha.example" --name alpha-first >/dev/null
done
kith "${WA[@]}" user add alice@alpha.example --role owner --name "Alice Alpha" >/dev/null
TA=$(kith "${WA[@]}" token create alice@alpha.example --name alpha-script | tail -1)
kith "${WB[@]}" user add bob@beta.example --role owner --name "Bob Beta" >/dev/null
TB=$(kith "${WB[@]}" token create bob@beta.example --name beta-script | tail -1)
serve_all "Alpha Studio"

AA=(-H "Authorization: Bearer $TA")
AB=(-H "Authorization: Bearer $TB")
J=(-H 'content-type: application/json')

# A's ids and A's secrets-to-keep: every contact name and email, org
# names, facts, the owner's email and name, the workspace name.
kith "${WA[@]}" export >"$A_DIR/a-before.json"
kith "${WA[@]}" user list >"$A_DIR/a-users-before"
# Tokens without their last use, which A's own requests move.
tokens() { kith "$@" token list | sed -E 's/  (used [^ ]+|never used)//'; }
tokens "${WA[@]}" >"$A_DIR/a-tokens-before"
jq -r '.contacts[] | .name, (.emails // [])[]' "$A_DIR/a-before.json" >"$A_DIR/a-names"
jq -r '(.organizations // [])[].name, (.facts // [])[].text' "$A_DIR/a-before.json" >>"$A_DIR/a-names"
printf '%s\n' alice@alpha.example "Alice Alpha" aaron1@alpha.example "Aaron Alpha" \
	"Alpha Studio" alpha-script alpha-first >>"$A_DIR/a-names"
sort -u -o "$A_DIR/a-names" "$A_DIR/a-names"
ok "A has names to look for" test "$(wc -l <"$A_DIR/a-names")" -gt 10
no_a_data() { ! grep -qF -f "$A_DIR/a-names" "$A_DIR/body"; }

# A's highest id of each kind.
req GET /api/v1/contacts "${AA[@]}"
CA=$(jqb '[.items[].id] | max')
req GET /api/v1/promises "${AA[@]}"
PA=$(jqb '[.items[].id] | max')
req GET /api/v1/users "${AA[@]}"
UA=$(jqb '[.items[].id] | max')
req GET /api/v1/tokens "${AA[@]}"
TKA=$(jqb '[.items[].id] | max')
req GET /api/v1/organizations "${AA[@]}"
OA=$(jqb '[.items[].id] | max')
ok "A's ids are known" test -n "$CA" -a -n "$PA" -a -n "$UA" -a -n "$TKA" -a -n "$OA" -a "$PA" != null
# B gets a contact of its own, for merges and touches across the line.
req POST /api/v1/contacts "${AB[@]}" "${J[@]}" -d '{"name":"Bea Local"}'
CB=$(jqb .id)
# The same number names each workspace's own row: B's contact 1, user 1
# and token 1 are B's, and A's probes below are ids B has none of.
expect "B's contact $CB is B's own" 200 GET /api/v1/contacts/$CB "${AB[@]}"
ok "  ... it has A's first contact's number" test "$CB" = 1
ok "  ... Bea Local, none of A's data" no_a_data
expect "B's user 1 is Bob" 200 GET /api/v1/users/1 "${AB[@]}"
ok "  ... none of A's data" no_a_data
ids_of_b() { req GET "$1" "${AB[@]}"; jqb '[.items[].id] | map(tostring) | join(" ")'; }
not_b() { case " $(ids_of_b "$1") " in *" $2 "*) return 1 ;; esac; }
ok "A's contact id $CA is none of B's" not_b /api/v1/contacts "$CA"
ok "A's user id $UA is none of B's" not_b /api/v1/users "$UA"
ok "A's token id $TKA is none of B's" not_b /api/v1/tokens "$TKA"

# A plausible body for each write (default {}).
body_for() {
	case "$1 $2" in
	"POST /api/v1/session") echo '{"email":"alice@alpha.example","password":"not the password"}' ;;
	"POST /api/v1/contacts") echo '{"name":"Probe Person"}' ;;
	"PATCH /api/v1/contacts/{id}") echo '{"title":"Owned by B now","notes":"x"}' ;;
	"POST /api/v1/contacts/{id}/merge") echo "{\"from\":$CB}" ;;
	"POST /api/v1/contacts/{id}/snooze") echo '{"for":"1w"}' ;;
	"POST /api/v1/contacts/{id}/touchpoints") echo '{"channel":"call","note":"probe"}' ;;
	"POST /api/v1/contacts/{id}/facts") echo '{"text":"probe fact"}' ;;
	"POST /api/v1/contacts/{id}/dates") echo '{"kind":"birthday","date":"1990-01-01"}' ;;
	"POST /api/v1/contacts/{id}/promises") echo '{"text":"probe promise"}' ;;
	"POST /api/v1/contacts/{id}/gifts") echo '{"text":"probe gift","value":1}' ;;
	"POST /api/v1/organizations") echo '{"name":"Probe Org"}' ;;
	"POST /api/v1/touchpoints") echo "{\"contacts\":[$CA],\"channel\":\"call\"}" ;;
	"PUT /api/v1/cadences") echo '{"scope":"tier","key":"A","every":"7d"}' ;;
	"POST /api/v1/import") echo '{"format":"kith-book","version":1,"contacts":[]}' ;;
	"POST /api/v1/users") echo '{"email":"probe@beta.example","role":"viewer"}' ;;
	"PATCH /api/v1/users/{id}") echo '{"role":"viewer","name":"Hijacked"}' ;;
	"POST /api/v1/tokens") echo '{"name":"probe"}' ;;
	"PATCH /api/v1/settings") echo '{"response_target_minutes":45}' ;;
	"PATCH /api/v1/organizations/{id}") echo '{"name":"Hijacked Org"}' ;;
	*) echo '{}' ;;
	esac
}
id_for() {
	case $1 in
	/api/v1/promises/*) echo "$PA" ;;
	/api/v1/users/*) echo "$UA" ;;
	/api/v1/tokens/*) echo "$TKA" ;;
	*) echo "$CA" ;;
	esac
}

expect "the OpenAPI document" 200 GET /api/v1/openapi.json
cp "$A_DIR/body" "$A_DIR/openapi.json"
ok "it is OpenAPI 3.1" test "$(jq -r .openapi "$A_DIR/openapi.json" | cut -d. -f1,2)" = 3.1
jq -r '.paths | to_entries[] | .key as $p | .value | keys[] | "\(ascii_upcase) \($p)"' \
	"$A_DIR/openapi.json" | grep -E '^(GET|POST|PUT|PATCH|DELETE) ' >"$A_DIR/doc-routes"
ok "it lists routes" test "$(wc -l <"$A_DIR/doc-routes")" -gt 30

n_walked=0
while read -r m p; do
	n_walked=$((n_walked + 1))
	args=("${AB[@]}")
	case $m in POST | PUT | PATCH) args+=("${J[@]}" --data-binary "$(body_for "$m" "$p")") ;; esac
	case $p in
	/api/v1/events)
		# A stream never ends: read two seconds of it.
		req "$m" "$p" "${args[@]}" --max-time 2
		ok "$m $p as B: a stream of B's own ($STATUS)" test "$STATUS" = 200
		ok "$m $p as B: none of A's data" no_a_data
		;;
	*"{secret}"*)
		# A's webhook secret is not B's to know: any other is unknown.
		req "$m" "${p//\{secret\}/kith_hook_not-a-secret}" "${args[@]}"
		ok "$m $p with a wrong secret: 404" test "$STATUS" = 404
		ok "$m $p: none of A's data" no_a_data
		;;
	*"{token}"*)
		# Nor A's calendar feed token: any other is unknown.
		req "$m" "${p//\{token\}/kith_feed_not-a-token}" "${args[@]}"
		ok "$m $p with a wrong token: 404" test "$STATUS" = 404
		ok "$m $p: none of A's data" no_a_data
		;;
	*"{name}"*)
		req "$m" "${p//\{name\}/overview}" "${args[@]}"
		ok "$m $p as B: 200 with B's own data" test "$STATUS" = 200
		ok "$m $p as B: none of A's data" no_a_data
		;;
	*"{id}"*)
		url=${p//\{id\}/$(id_for "$p")}
		req "$m" "$url" "${args[@]}"
		ok "$m $url (A's id) as B: 404" test "$STATUS" = 404
		ok "$m $url as B: none of A's data" no_a_data
		;;
	*)
		req "$m" "$p" "${args[@]}"
		ok "$m $p as B: no server error ($STATUS)" test "$STATUS" -lt 500
		ok "$m $p as B: none of A's data" no_a_data
		;;
	esac
done <"$A_DIR/doc-routes"
ok "walked every route of the document ($n_walked)" test "$n_walked" = "$(wc -l <"$A_DIR/doc-routes")"

# Ids of A inside B's bodies are as unknown as ids that never existed:
# the same status (a 4xx, never 403) and the same error, so a stranger
# learns nothing, and never a link across.
# same_as_unknown NAME METHOD PATH BODY-WITH-@ID@: A's id vs 999999.
same_as_unknown() {
	local name=$1 m=$2 p=$3 b=$4 s1 b1
	req "$m" "$p" "${AB[@]}" "${J[@]}" -d "${b//@ID@/999999}"
	s1=$STATUS b1=$(sed 's/999999/ID/g' "$A_DIR/body")
	req "$m" "$p" "${AB[@]}" "${J[@]}" -d "${b//@ID@/$5}"
	ok "$name: refused ($STATUS)" test "$STATUS" -ge 400 -a "$STATUS" -lt 500 -a "$STATUS" != 403
	ok "$name: answered as for an id that never was" test "$STATUS $(sed "s/\b$5\b/ID/g" "$A_DIR/body")" = "$s1 $b1"
	ok "$name: none of A's data" no_a_data
}
same_as_unknown "a touch naming A's contact" POST /api/v1/touchpoints "{\"contacts\":[$CB,@ID@],\"channel\":\"call\"}" "$CA"
same_as_unknown "merging A's contact into B's" POST /api/v1/contacts/$CB/merge '{"from":@ID@}' "$CA"
same_as_unknown "B's contact in A's organization" PATCH /api/v1/contacts/$CB '{"org_id":@ID@}' "$OA"
same_as_unknown "a new contact in A's organization" POST /api/v1/contacts '{"name":"Org Probe","org_id":@ID@}' "$OA"
same_as_unknown "B's contact owned by A's user" PATCH /api/v1/contacts/$CB '{"owner_id":@ID@}' "$UA"
same_as_unknown "a touch with A's user taking part" POST /api/v1/contacts/$CB/touchpoints '{"channel":"call","users":[@ID@]}' "$UA"
req GET "/api/v1/contacts?owner=$UA" "${AB[@]}"
ok "listing by A's user as owner: nothing of A" no_a_data
req GET "/api/v1/contacts?limit=1000" "${AB[@]}"
ok "B's full list: none of A's data" no_a_data
ok "HEAD of A's contact as B: 404" test "$(curl -s -o /dev/null -I -w '%{http_code}' "${AB[@]}" "$BASE/api/v1/contacts/$CA")" = 404

# Nothing of A changed.
kith "${WA[@]}" export >"$A_DIR/a-after.json"
ok "A's book is unchanged (kith export before = after)" cmp -s "$A_DIR/a-before.json" "$A_DIR/a-after.json"
ok "A's users are unchanged" test "$(kith "${WA[@]}" user list)" = "$(cat "$A_DIR/a-users-before")"
ok "A's tokens are unchanged" test "$(tokens "${WA[@]}")" = "$(cat "$A_DIR/a-tokens-before")"
expect "A's token still works" 200 GET /api/v1/contacts/$CA "${AA[@]}"

# The document describes exactly the router's table.
grep -oE '\{ \.method = "(GET|POST|PUT|PATCH|DELETE)", \.pattern = "/(api/v1|hooks|feeds)/[^"]*"' "$ROOT/src/server/api.c" |
	sed -E 's/^\{ \.method = "([A-Z]+)", \.pattern = "([^"]*)"/\1 \2/' | sort >"$A_DIR/table-routes"
sort -o "$A_DIR/doc-routes" "$A_DIR/doc-routes"
ok "the route table has routes" test "$(wc -l <"$A_DIR/table-routes")" -gt 30
same_routes() {
	diff "$A_DIR/doc-routes" "$A_DIR/table-routes" >"$A_DIR/routes.diff" && return 0
	STATUS=- BODY="< only in openapi.json, > only in api.c: $(tr '\n' ' ' <"$A_DIR/routes.diff")"
	return 1
}
ok "openapi.json's paths+methods = the route table in api.c" same_routes
finish
