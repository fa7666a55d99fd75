#!/usr/bin/env bash
# A040: viewers read, members write, owners also manage users, tokens and
# settings; the last owner stays; a revoked token is dead at once.
# Exercises src/server/api_account.c (members, tokens, settings).
. "$(dirname "$0")/lib.sh"
export KITH_NOW=2026-11-20T09:00:00Z
W=(--workspace Studio)
for r in owner member viewer; do
	kith "${W[@]}" user add "$r@studio.example" --role $r --name "$r" >/dev/null
done
TO=$(kith "${W[@]}" token create owner@studio.example --name o | tail -1)
TM=$(kith "${W[@]}" token create member@studio.example --name m | tail -1)
TV=$(kith "${W[@]}" token create viewer@studio.example --name v | tail -1)
start_server

O=(-H "Authorization: Bearer $TO")
M=(-H "Authorization: Bearer $TM")
V=(-H "Authorization: Bearer $TV")
J=(-H 'content-type: application/json')
book() { curl -s "${O[@]}" "$BASE/api/v1/export" | md5sum; }

req POST /api/v1/contacts "${O[@]}" "${J[@]}" -d '{"name":"Maya Ortiz"}'
C=$(jqb .id)
req POST /api/v1/contacts/$C/promises "${O[@]}" "${J[@]}" -d '{"text":"call back"}'
P=$(jqb .id)
req GET /api/v1/users "${O[@]}"
UO=$(jqb '.items[]|select(.email=="owner@studio.example")|.id')
UM=$(jqb '.items[]|select(.email=="member@studio.example")|.id')
UV=$(jqb '.items[]|select(.email=="viewer@studio.example")|.id')
ok "three users with their roles" test "$(jqb '[.items[]|.role]|sort|join(",")')" = member,owner,viewer

# ---- viewer: reads, never writes ----
B0=$(book)
for p in contacts contacts/$C contacts/$C/facts contacts/$C/brief promises agenda \
	cadences organizations touchpoints reports/overview export users me settings; do
	expect "viewer GET /$p" 200 GET /api/v1/$p "${V[@]}"
done
expect "viewer cannot create a contact" 403 POST /api/v1/contacts "${V[@]}" "${J[@]}" -d '{"name":"x"}'
ok "... a JSON forbidden naming the role" test "$(jqb .error.code)" = forbidden
expect "viewer cannot PATCH" 403 PATCH /api/v1/contacts/$C "${V[@]}" "${J[@]}" -d '{"title":"x"}'
expect "viewer cannot DELETE" 403 DELETE /api/v1/contacts/$C "${V[@]}"
expect "viewer cannot log a touch" 403 POST /api/v1/touchpoints "${V[@]}" "${J[@]}" -d "{\"contacts\":[$C],\"channel\":\"call\"}"
expect "viewer cannot add a fact" 403 POST /api/v1/contacts/$C/facts "${V[@]}" "${J[@]}" -d '{"text":"x"}'
expect "viewer cannot keep a promise" 403 POST /api/v1/promises/$P/done "${V[@]}"
expect "viewer cannot snooze" 403 POST /api/v1/contacts/$C/snooze "${V[@]}" "${J[@]}" -d '{"for":"1w"}'
expect "viewer cannot set a cadence" 403 PUT /api/v1/cadences "${V[@]}" "${J[@]}" -d '{"scope":"default","every":"30d"}'
expect "viewer cannot add an organization" 403 POST /api/v1/organizations "${V[@]}" "${J[@]}" -d '{"name":"x"}'
expect "viewer cannot list tokens" 403 GET /api/v1/tokens "${V[@]}"
expect "viewer cannot change settings" 403 PATCH /api/v1/settings "${V[@]}" "${J[@]}" -d '{"tz":"UTC"}'
ok "the viewer changed nothing" test "$(book)" = "$B0"

# ---- member: writes, but not people or tokens ----
expect "member creates a contact" 201 POST /api/v1/contacts "${M[@]}" "${J[@]}" -d '{"name":"Sam Reyes"}'
S=$(jqb .id)
expect "member PATCHes" 200 PATCH /api/v1/contacts/$S "${M[@]}" "${J[@]}" -d '{"title":"CTO"}'
expect "member logs a touch" 201 POST /api/v1/touchpoints "${M[@]}" "${J[@]}" -d "{\"contacts\":[$C,$S],\"channel\":\"video\"}"
expect "member keeps a promise" 200 POST /api/v1/promises/$P/done "${M[@]}"
expect "member sets a cadence" 200 PUT /api/v1/cadences "${M[@]}" "${J[@]}" -d '{"scope":"default","every":"30d"}'
expect "member deletes" 204 DELETE /api/v1/contacts/$S "${M[@]}"
expect "member reads users" 200 GET /api/v1/users "${M[@]}"
B1=$(book)
expect "member cannot invite" 403 POST /api/v1/users "${M[@]}" "${J[@]}" -d '{"email":"x@studio.example"}'
expect "member cannot change a role" 403 PATCH /api/v1/users/$UM "${M[@]}" "${J[@]}" -d '{"role":"owner"}'
expect "member cannot remove a user" 403 DELETE /api/v1/users/$UV "${M[@]}"
expect "member cannot list tokens" 403 GET /api/v1/tokens "${M[@]}"
expect "member cannot create a token" 403 POST /api/v1/tokens "${M[@]}" "${J[@]}" -d '{"name":"x"}'
expect "member cannot revoke a token" 403 DELETE /api/v1/tokens/1 "${M[@]}"
expect "member cannot change settings" 403 PATCH /api/v1/settings "${M[@]}" "${J[@]}" -d '{"tz":"UTC"}'
expect "member cannot import" 403 POST /api/v1/import "${M[@]}" "${J[@]}" -d '{}'
expect "users unchanged" 200 GET /api/v1/users "${O[@]}"
ok "... still three, same roles" test "$(jqb '[.items[]|"\(.id):\(.role)"]|sort|join(",")')" = "$(printf '%s\n' "$UO:owner" "$UM:member" "$UV:viewer" | sort | paste -sd,)"
expect "tokens unchanged" 200 GET /api/v1/tokens "${O[@]}"
ok "... three, none revoked" test "$(jqb '[.items[]|select(.revoked_at==null)]|length')" = 3
ok "the refused member changed no data" test "$(book)" = "$B1"

# ---- owner: users ----
expect "owner invites a viewer" 201 POST /api/v1/users "${O[@]}" "${J[@]}" -d '{"email":"new@studio.example","name":"Newt","role":"viewer"}'
UN=$(jqb .id)
ok "... answered with id and role" test "$UN" -gt 0 -a "$(jqb .role)" = viewer
ok "... never a password hash" test "$(jqb 'has("password_hash") or has("password")')" = false
expect "inviting the same email again is 409" 409 POST /api/v1/users "${O[@]}" "${J[@]}" -d '{"email":"new@studio.example"}'
expect "an unknown role is 422" 422 POST /api/v1/users "${O[@]}" "${J[@]}" -d '{"email":"x@studio.example","role":"king"}'
ok "... naming role" test "$(jqb .error.field)" = role
expect "owner changes a role" 200 PATCH /api/v1/users/$UN "${O[@]}" "${J[@]}" -d '{"role":"member"}'
ok "... to member" test "$(jqb .role)" = member
E=$(header ETag)
expect "PATCH a user with a stale If-Match: 412" 412 PATCH /api/v1/users/$UN "${O[@]}" "${J[@]}" -H 'If-Match: "0000000000000000"' -d '{"role":"viewer"}'
expect "... with the current one: 200" 200 PATCH /api/v1/users/$UN "${O[@]}" "${J[@]}" -H "If-Match: $E" -d '{"name":"Newton"}'
ok "... applied" test "$(jqb .name)/$(jqb .role)" = Newton/member
expect "owner removes the user" 204 DELETE /api/v1/users/$UN "${O[@]}"
expect "users after removal" 200 GET /api/v1/users "${O[@]}"
ok "... the removed one is gone" test "$(jqb "[.items[]|select(.id==$UN)]|length")" = 0
expect "removing again is 404" 404 DELETE /api/v1/users/$UN "${O[@]}"

# ---- a role change takes effect at once ----
expect "promote the viewer" 200 PATCH /api/v1/users/$UV "${O[@]}" "${J[@]}" -d '{"role":"member"}'
expect "the promoted viewer now writes" 201 POST /api/v1/contacts "${V[@]}" "${J[@]}" -d '{"name":"Vic Promoted"}'
expect "demote back" 200 PATCH /api/v1/users/$UV "${O[@]}" "${J[@]}" -d '{"role":"viewer"}'
expect "and the viewer is read-only again" 403 POST /api/v1/contacts "${V[@]}" "${J[@]}" -d '{"name":"x"}'

# ---- the last owner ----
expect "the last owner cannot be demoted" 409 PATCH /api/v1/users/$UO "${O[@]}" "${J[@]}" -d '{"role":"member"}'
ok "... code conflict" test "$(jqb .error.code)" = conflict
expect "the last owner cannot be removed" 409 DELETE /api/v1/users/$UO "${O[@]}"
expect "still the owner" 200 GET /api/v1/me "${O[@]}"
ok "... role owner" test "$(jqb .user.role)" = owner
expect "make the member an owner too" 200 PATCH /api/v1/users/$UM "${O[@]}" "${J[@]}" -d '{"role":"owner"}'
expect "now the first owner may step down" 200 PATCH /api/v1/users/$UO "${M[@]}" "${J[@]}" -d '{"role":"member"}'
expect "and the new last owner is kept" 409 PATCH /api/v1/users/$UM "${M[@]}" "${J[@]}" -d '{"role":"viewer"}'
expect "put things back" 200 PATCH /api/v1/users/$UO "${M[@]}" "${J[@]}" -d '{"role":"owner"}'

# ---- tokens ----
expect "owner creates a token" 201 POST /api/v1/tokens "${O[@]}" "${J[@]}" -d '{"name":"ci"}'
SECRET=$(jqb .secret)
TID=$(jqb .id)
ok "the secret is shown" test -n "$SECRET" -a "$SECRET" != null
ok "... with an id and name" test "$TID" -gt 0 -a "$(jqb .name)" = ci
expect "the new token works" 200 GET /api/v1/me -H "Authorization: Bearer $SECRET"
ok "... as its owner" test "$(jqb .user.email)" = owner@studio.example
expect "list tokens" 200 GET /api/v1/tokens "${O[@]}"
ok "the list has it" test "$(jqb "[.items[]|select(.id==$TID and .name==\"ci\")]|length")" = 1
ok "the list never shows a secret" test "$(jqb '[.items[]|has("secret") or has("hash") or has("token_hash")]|any')" = false
ok "... nor any secret's text" bash -c '! grep -q -e "$1" -e "$2" -e "$3" -e kith_tok_ "$4"' _ "$SECRET" "$TM" "$TV" "$A_DIR/body"
expect "revoke it" 204 DELETE /api/v1/tokens/$TID "${O[@]}"
expect "the revoked token gets 401" 401 GET /api/v1/me -H "Authorization: Bearer $SECRET"
expect "... on writes too" 401 POST /api/v1/contacts -H "Authorization: Bearer $SECRET" "${J[@]}" -d '{"name":"x"}'
expect "revoked shows in the list" 200 GET /api/v1/tokens "${O[@]}"
ok "... with revoked_at" test "$(jqb ".items[]|select(.id==$TID)|.revoked_at")" != null
expect "revoking an unknown token is 404" 404 DELETE /api/v1/tokens/999999 "${O[@]}"
# The member's token, revoked by an owner.
req GET /api/v1/tokens "${O[@]}"
TMID=$(jqb '.items[]|select(.name=="m")|.id')
expect "an owner revokes the member's token" 204 DELETE /api/v1/tokens/$TMID "${O[@]}"
expect "the member's token is dead" 401 GET /api/v1/contacts "${M[@]}"
# Removing a user kills their tokens.
expect "remove the viewer" 204 DELETE /api/v1/users/$UV "${O[@]}"
expect "the removed viewer's token is dead" 401 GET /api/v1/contacts "${V[@]}"

# ---- settings ----
expect "settings" 200 GET /api/v1/settings "${O[@]}"
ok "settings keys" test "$(jq -c 'keys' <<<"$BODY")" = '["id","name","response_target_minutes","tz","work_end","work_start"]'
E=$(header ETag)
expect "owner changes settings" 200 PATCH /api/v1/settings "${O[@]}" "${J[@]}" -H "If-Match: $E" -d '{"tz":"Europe/Berlin","work_start":"08:30","work_end":"17:00","response_target_minutes":120}'
expect "settings after" 200 GET /api/v1/settings "${O[@]}"
ok "... applied" test "$(jqb '"\(.tz) \(.work_start) \(.work_end) \(.response_target_minutes)"')" = "Europe/Berlin 08:30 17:00 120"
expect "settings with the old ETag: 412" 412 PATCH /api/v1/settings "${O[@]}" "${J[@]}" -H "If-Match: $E" -d '{"tz":"UTC"}'
expect "hours that end before they start: 422" 422 PATCH /api/v1/settings "${O[@]}" "${J[@]}" -d '{"work_start":"18:00"}'
expect "settings unchanged" 200 GET /api/v1/settings "${O[@]}"
ok "... still Berlin 08:30-17:00" test "$(jqb '"\(.tz) \(.work_start) \(.work_end)"')" = "Europe/Berlin 08:30 17:00"
finish
