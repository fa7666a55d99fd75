#!/usr/bin/env bash
# A030: bad requests get the promised 4xx with a JSON error naming the
# field; nothing is written by any of them; the server stays up.
. "$(dirname "$0")/lib.sh"
export KITH_NOW=2026-11-20T09:00:00Z
kith user add ana@studio.example --workspace Studio --role owner >/dev/null
T=$(kith token create ana@studio.example | tail -1)
start_server

A=(-H "Authorization: Bearer $T")
J=(-H 'content-type: application/json')
req POST /api/v1/contacts "${A[@]}" "${J[@]}" -d '{"name":"Maya Ortiz","tags":["client"]}'
C=$(jqb .id)
req POST /api/v1/contacts/$C/touchpoints "${A[@]}" "${J[@]}" -d '{"channel":"call"}'
req POST /api/v1/contacts/$C/facts "${A[@]}" "${J[@]}" -d '{"text":"Likes jazz"}'

# What the book looks like (the whole book, the contact list, the settings):
# compared after each bad request.
snapshot() {
	local p
	curl -s "${A[@]}" "$BASE/api/v1/export" "$BASE/api/v1/contacts?limit=1000" \
		"$BASE/api/v1/settings" | md5sum
}
SNAP=$(snapshot)
unchanged() { test "$(snapshot)" = "$SNAP"; }
# bad NAME STATUS FIELD METHOD PATH [curl args]: the status, a JSON error
# (with .error.field = FIELD unless FIELD is -), and nothing written.
bad() {
	local name=$1 want=$2 field=$3
	shift 3
	req "$@"
	ok "$name: $want" test "$STATUS" = "$want"
	if [ "$field" != - ]; then
		ok "$name: names $field" test "$(jqb .error.field 2>/dev/null)" = "$field"
	else
		ok "$name: a JSON error" grep -q '^{"error":{"code":"[a-z_]*"' "$A_DIR/body"
	fi
	ok "$name: nothing written" unchanged
}
F=$A_DIR/payload

# ---- 400: not JSON ----
bad "truncated JSON" 400 - POST /api/v1/contacts "${A[@]}" "${J[@]}" -d '{"name":"Tru'
ok "... code malformed" test "$(jqb .error.code)" = malformed
bad "truncated after a comma" 400 - POST /api/v1/contacts/$C/touchpoints "${A[@]}" "${J[@]}" -d '{"channel":"call",'
printf '{"name":"Bad \xff\xfe bytes"}' >"$F"
bad "invalid UTF-8" 400 - POST /api/v1/contacts "${A[@]}" "${J[@]}" --data-binary @"$F"
printf '{"name":"Overlong \xc0\xaf"}' >"$F"
bad "an overlong UTF-8 form" 400 - POST /api/v1/contacts "${A[@]}" "${J[@]}" --data-binary @"$F"
printf '{"name":"Lone \xed\xa0\x80 surrogate"}' >"$F"
bad "an encoded surrogate" 400 - POST /api/v1/contacts "${A[@]}" "${J[@]}" --data-binary @"$F"
printf '{"name":"x","title":"\xe2\x82"}' >"$F"
bad "a cut multibyte sequence" 400 - PATCH /api/v1/contacts/$C "${A[@]}" "${J[@]}" --data-binary @"$F"
bad "a top-level array" 400 - POST /api/v1/contacts "${A[@]}" "${J[@]}" -d '[{"name":"x"}]'
bad "a duplicate key" 400 - POST /api/v1/contacts "${A[@]}" "${J[@]}" -d '{"name":"x","name":"y"}'
bad "trailing garbage" 400 - POST /api/v1/contacts "${A[@]}" "${J[@]}" -d '{"name":"x"} {}'
bad "an empty body" 400 - POST /api/v1/contacts "${A[@]}" "${J[@]}" --data-binary ''
printf '{"name":"deep","notes":%s1%s}' "$(printf '[%.0s' $(seq 1 5000))" "$(printf ']%.0s' $(seq 1 5000))" >"$F"
bad "5000 levels of nesting" 400 - POST /api/v1/contacts "${A[@]}" "${J[@]}" --data-binary @"$F"

# ---- 422: JSON, but invalid ----
bad "name is a number" 422 name POST /api/v1/contacts "${A[@]}" "${J[@]}" -d '{"name":42}'
bad "tags is a string" 422 tags POST /api/v1/contacts "${A[@]}" "${J[@]}" -d '{"name":"x","tags":"vip"}'
bad "an email without @" 422 emails POST /api/v1/contacts "${A[@]}" "${J[@]}" -d '{"name":"x","emails":["nope"]}'
bad "an unknown field" 422 colour POST /api/v1/contacts "${A[@]}" "${J[@]}" -d '{"name":"x","colour":"red"}'
bad "an unknown field in PATCH" 422 colour PATCH /api/v1/contacts/$C "${A[@]}" "${J[@]}" -d '{"title":"CEO","colour":"red"}'
bad "a bad tz after a good title" 422 tz PATCH /api/v1/contacts/$C "${A[@]}" "${J[@]}" -d '{"title":"CEO","tz":"Mars/Olympus"}'
bad "tier Z" 422 tier PATCH /api/v1/contacts/$C "${A[@]}" "${J[@]}" -d '{"tier":"Z"}'
bad "name missing" 422 name POST /api/v1/contacts "${A[@]}" "${J[@]}" -d '{"title":"CEO"}'
bad "an unknown channel" 422 channel POST /api/v1/contacts/$C/touchpoints "${A[@]}" "${J[@]}" -d '{"channel":"pigeon"}'
bad "minutes as a string" 422 minutes POST /api/v1/contacts/$C/touchpoints "${A[@]}" "${J[@]}" -d '{"channel":"call","minutes":"ten"}'
bad "an impossible date" 422 date POST /api/v1/contacts/$C/dates "${A[@]}" "${J[@]}" -d '{"kind":"birthday","date":"2023-02-30"}'
bad "an impossible since" 422 since PATCH /api/v1/contacts/$C "${A[@]}" "${J[@]}" -d '{"since":"2023-02-30"}'
bad "an impossible due" 422 due POST /api/v1/contacts/$C/promises "${A[@]}" "${J[@]}" -d '{"text":"call back","due":"2023-02-30T10:00:00Z"}'
bad "an impossible touch time" 422 at POST /api/v1/touchpoints "${A[@]}" "${J[@]}" -d "{\"contacts\":[$C],\"channel\":\"call\",\"at\":\"2026-13-01T00:00:00Z\"}"
bad "a touch with a stranger" 404 - POST /api/v1/touchpoints "${A[@]}" "${J[@]}" -d "{\"contacts\":[$C,999999],\"channel\":\"call\"}"
bad "contacts as strings" 422 contacts POST /api/v1/touchpoints "${A[@]}" "${J[@]}" -d '{"contacts":["Maya"],"channel":"call"}'
bad "gift value as a string" 422 value POST /api/v1/contacts/$C/gifts "${A[@]}" "${J[@]}" -d '{"text":"pen","value":"lots"}'
bad "a bad cadence" 422 every PUT /api/v1/cadences "${A[@]}" "${J[@]}" -d '{"scope":"tag","key":"client","every":"often"}'
bad "settings: a bad time" 422 work_start PATCH /api/v1/settings "${A[@]}" "${J[@]}" -d '{"work_start":"25:99"}'
bad "settings: a bad tz" 422 tz PATCH /api/v1/settings "${A[@]}" "${J[@]}" -d '{"tz":"Nowhere/Land"}'
bad "a NUL in a string (jansson refuses it)" 400 - POST /api/v1/contacts "${A[@]}" "${J[@]}" -d '{"name":"a\u0000b"}'

# ---- 415 ----
bad "no content-type" 415 - POST /api/v1/contacts "${A[@]}" -H 'Content-Type:' --data-binary '{"name":"x"}'
ok "... code unsupported_media_type" test "$(jqb .error.code)" = unsupported_media_type
bad "text/plain" 415 - POST /api/v1/contacts "${A[@]}" -H 'content-type: text/plain' -d '{"name":"x"}'
bad "form-urlencoded (curl's default)" 415 - POST /api/v1/contacts "${A[@]}" -d '{"name":"x"}'
bad "application/jsonp" 415 - POST /api/v1/contacts "${A[@]}" -H 'content-type: application/jsonp' -d '{"name":"x"}'
req POST /api/v1/contacts "${A[@]}" -H 'content-type: application/json; charset=utf-8' -d '{"name":"Charset Carl"}'
ok "application/json; charset=utf-8 is fine" test "$STATUS" = 201
req DELETE /api/v1/contacts/$(jqb .id) "${A[@]}"
SNAP=$(snapshot)

# ---- 413 ----
head -c 1100000 /dev/zero | tr '\0' a | { printf '{"name":"'; cat; printf '"}'; } >"$F"
bad "a body over 1 MB" 413 - POST /api/v1/contacts "${A[@]}" "${J[@]}" --data-binary @"$F"
ok "... code too_large" test "$(jqb .error.code)" = too_large
bad "a body over 1 MB, chunked" 413 - POST /api/v1/contacts "${A[@]}" "${J[@]}" -H 'Transfer-Encoding: chunked' --data-binary @"$F"
head -c 10485760 /dev/zero | tr '\0' a | { printf '{"name":"x","notes":"'; cat; printf '"}'; } >"$F"
bad "a 10 MB string" 413 - PATCH /api/v1/contacts/$C "${A[@]}" "${J[@]}" --data-binary @"$F"
bad "a 10 MB string in a touch note" 413 - POST /api/v1/contacts/$C/touchpoints "${A[@]}" "${J[@]}" --data-binary @"$F"
head -c 900000 /dev/zero | tr '\0' a | { printf '{"name":"x","notes":"'; cat; printf '"}'; } >"$F"
bad "900 KB of notes (under the limit, over the field's)" 422 notes PATCH /api/v1/contacts/$C "${A[@]}" "${J[@]}" --data-binary @"$F"

# ---- 404, 405 ----
bad "an unknown id" 404 - GET /api/v1/contacts/999999 "${A[@]}"
ok "... code not_found" test "$(jqb .error.code)" = not_found
bad "a non-numeric id" 404 - GET /api/v1/contacts/abc "${A[@]}"
bad "id 0" 404 - GET /api/v1/contacts/0 "${A[@]}"
bad "a negative id" 404 - PATCH /api/v1/contacts/-1 "${A[@]}" "${J[@]}" -d '{"title":"x"}'
bad "PATCH an unknown id" 404 - PATCH /api/v1/contacts/999999 "${A[@]}" "${J[@]}" -d '{"title":"x"}'
bad "DELETE an unknown id" 404 - DELETE /api/v1/contacts/999999 "${A[@]}"
bad "an unknown route" 404 - GET /api/v1/nothing-here "${A[@]}"
bad "an unknown route outside the API" 404 - GET /index.php "${A[@]}"
bad "an unknown sub-resource" 404 - GET /api/v1/contacts/$C/hobbies "${A[@]}"
bad "an unknown report" 404 - GET /api/v1/reports/astrology "${A[@]}"
bad "DELETE on the list" 405 - DELETE /api/v1/contacts "${A[@]}"
ok "... code method_not_allowed" test "$(jqb .error.code)" = method_not_allowed
bad "PUT on a contact" 405 - PUT /api/v1/contacts/$C "${A[@]}" "${J[@]}" -d '{"name":"x"}'
bad "POST on the agenda" 405 - POST /api/v1/agenda "${A[@]}" "${J[@]}" -d '{}'
bad "GET on done" 405 - GET /api/v1/promises/1/done "${A[@]}"
bad "PATCH on export" 405 - PATCH /api/v1/export "${A[@]}" "${J[@]}" -d '{}'

# ---- every error is JSON with code, message, field ----
req POST /api/v1/contacts "${A[@]}" "${J[@]}" -d '{"name":false}'
ok "an error has exactly code, message, field" test "$(jq -c '.error|keys' <<<"$BODY")" = '["code","field","message"]'
ok "... served as application/json" grep -qi '^content-type: application/json' "$A_DIR/h"

# ---- still up ----
ok "the server process is alive" kill -0 "$SERVER_PID"
expect "and still answers" 200 GET /api/v1/me "${A[@]}"
req POST /api/v1/contacts "${A[@]}" "${J[@]}" -d '{"name":"After All That"}'
ok "and still writes" test "$STATUS" = 201
finish
