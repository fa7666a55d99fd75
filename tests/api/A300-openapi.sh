#!/usr/bin/env bash
# A300: /api/v1/openapi.json against the server it describes. The
# document validates as OpenAPI 3.1 (tests/openapi/validate.mjs); then
# requests generated from its own schemas, valid and invalid, for every
# operation, must get the statuses and bodies it documents
# (tests/openapi/generate.mjs). Needs node and tests/openapi's packages
# (`make deps`): without them the suite fails, it does not skip.
# Exercises src/server/openapi.c, openapi_schema.c and every handler.
. "$(dirname "$0")/lib.sh"
OA=$(cd "$(dirname "$0")/../openapi" && pwd)
PW='correct horse battery staple'
printf '%s\n' "$PW" | kith --workspace "I Imagine Studio" \
	user add ana@studio.example --role owner --password-stdin >/dev/null
printf '%s\n' "$PW" | kith --workspace "Empty Shop" \
	user add eve@empty.example --role owner --password-stdin >/dev/null
serve_all "I Imagine Studio"

expect "the document" 200 GET /api/v1/openapi.json
cp "$A_DIR/body" "$A_DIR/openapi.json"
ok "node and tests/openapi's packages are installed" \
	test -d "$OA/node_modules/@seriousme/openapi-schema-validator" -a -d "$OA/node_modules/ajv"
node "$OA/validate.mjs" "$A_DIR/openapi.json" | sed 's/^\(not \)\{0,1\}ok [0-9]* - /&validate: /' || t_failed=$((t_failed + 1))
OWNER_EMAIL=ana@studio.example OWNER_PASSWORD=$PW EMPTY_EMAIL=eve@empty.example EMPTY_PASSWORD=$PW \
	node "$OA/generate.mjs" "$BASE" "$A_DIR/openapi.json" || t_failed=$((t_failed + 1))
# Found by fuzz_router: a path that is not UTF-8 made the 404's JSON
# fail, and the server answered 500.
expect "a path that is not UTF-8 is a 404, not a 500" 404 GET "/api/v1/%FAnotify"
ok "its error is JSON" test "$(jq -r .error.code <<<"$BODY")" = not_found
expect "sign in" 200 POST /api/v1/session -c "$A_DIR/jar" -H 'content-type: application/json' \
	-d "{\"email\":\"ana@studio.example\",\"password\":\"$PW\"}"
expect "a query value that is not UTF-8 is a 422" 422 GET "/api/v1/contacts?tier=%FA" -b "$A_DIR/jar"
ok "the server logged no internal error" bash -c '! grep -q "kith: .*: " "$1"' _ "$A_DIR/serve.log"
finish
