#!/usr/bin/env bash
# A010: sign in, the cookie, CSRF, tokens, sign out.
. "$(dirname "$0")/lib.sh"
printf 'correct horse battery staple\n' | kith --workspace "I Imagine Studio" \
	user add ana@studio.example --role owner --password-stdin >/dev/null
start_server

J=(-H 'content-type: application/json')
expect "no credentials is 401" 401 GET /api/v1/agenda
ok "errors are JSON" test "$(jq -r .error.code <<<"$BODY")" = unauthorized
expect "wrong password is 401" 401 POST /api/v1/session "${J[@]}" \
	-d '{"email":"ana@studio.example","password":"nope"}'
expect "sign in" 200 POST /api/v1/session "${J[@]}" -c "$A_DIR/jar" \
	-d '{"email":"ana@studio.example","password":"correct horse battery staple"}'
CSRF=$(jq -r .csrf_token <<<"$BODY")
ok "the user comes back" test "$(jq -r .user.email <<<"$BODY")" = ana@studio.example
ok "cookie is HttpOnly and SameSite=Lax" grep -qi 'set-cookie: kith_session=.*HttpOnly; SameSite=Lax' "$A_DIR/h"
expect "the cookie reads" 200 GET /api/v1/agenda -b "$A_DIR/jar"
expect "a cookie write without CSRF is 403" 403 POST /api/v1/contacts -b "$A_DIR/jar" "${J[@]}" -d '{"name":"Dana"}'
expect "with it, 201" 201 POST /api/v1/contacts -b "$A_DIR/jar" "${J[@]}" -H "X-CSRF-Token: $CSRF" -d '{"name":"Dana"}'
ok "the created contact has an id" test "$(jq -r .id <<<"$BODY")" = 1
T=$(kith --workspace "I Imagine Studio" token create ana@studio.example --name zapier | tail -1)
expect "a bearer token needs no CSRF" 201 POST /api/v1/contacts -H "Authorization: Bearer $T" "${J[@]}" -d '{"name":"Sam"}'
expect "a wrong token is 401" 401 GET /api/v1/me -H "Authorization: Bearer kith_tok_nope"
expect "me" 200 GET /api/v1/me -b "$A_DIR/jar"
ok "me gives the same csrf token" test "$(jq -r .csrf_token <<<"$BODY")" = "$CSRF"
expect "sign out" 204 DELETE /api/v1/session -b "$A_DIR/jar" -H "X-CSRF-Token: $CSRF"
expect "the old cookie is dead" 401 GET /api/v1/agenda -b "$A_DIR/jar"
finish
