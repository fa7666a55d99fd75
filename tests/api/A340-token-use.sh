#!/usr/bin/env bash
# A340: a token's last_used_at (issue 19): set when the token
# authenticates, over the API (Bearer) and over CardDAV (Basic with the
# token as the password), written in the server's batch at most once a
# minute, and shown by `kith token list` (text and --json) and by
# GET /api/v1/tokens.
. "$(dirname "$0")/lib.sh"
export KITH_NOW=2026-11-20T09:00:00Z
W=(--workspace Studio)
kith "${W[@]}" user add ana@studio.example --role owner >/dev/null
TA=$(kith "${W[@]}" token create ana@studio.example --name api | tail -1)
TD=$(kith "${W[@]}" token create ana@studio.example --name dav | tail -1)
kith "${W[@]}" token create ana@studio.example --name idle >/dev/null
# list NAME: the CLI's line for that token, id and user left out.
line() { kith "${W[@]}" token list | awk -v n="$1" '$2 == n { $1 = ""; $4 = ""; print }' | tr -s ' '; }

ok "CLI: a fresh token is never used" test "$(line api)" = " api user never used"
ok "CLI --json: last_used_at null" \
	test "$(kith "${W[@]}" --json token list | jq -c '[.[] | .last_used_at]')" = '[null,null,null]'
start_server
expect "a Bearer request with the api token" 200 GET /api/v1/me -H "Authorization: Bearer $TA"
STATUS=$(curl -s -o /dev/null -w '%{http_code}' -X PROPFIND -H 'Depth: 0' -u "anyone:$TD" "$BASE/dav/")
ok "a CardDAV request, Basic with the dav token as password: 207" test "$STATUS" = 207
sleep 2.2	# the batch is written on the server's tick (about a second)

ok "CLI: the api token shows its use" test "$(line api)" = " api user used 2026-11-20T09:00:00Z"
ok "CLI: the dav token shows its use (CardDAV Basic)" test "$(line dav)" = " dav user used 2026-11-20T09:00:00Z"
ok "CLI: an unused token still says never used" test "$(line idle)" = " idle user never used"
ok "CLI --json: last_used_at of each" \
	test "$(kith "${W[@]}" --json token list | jq -c '[.[] | [.name, .last_used_at]]')" = \
	'[["api","2026-11-20T09:00:00Z"],["dav","2026-11-20T09:00:00Z"],["idle",null]]'
req GET /api/v1/tokens -H "Authorization: Bearer $TA"
ok "API: GET /tokens has last_used_at of each" \
	test "$(jq -c '[.items[] | [.name, .last_used_at]]' "$A_DIR/body")" = \
	'[["api","2026-11-20T09:00:00Z"],["dav","2026-11-20T09:00:00Z"],["idle",null]]'

# At most one write a minute per token: a use 30 s later leaves the
# stored time alone (the next read does not become a write), one 2
# minutes later moves it.
stop_server
export KITH_NOW=2026-11-20T09:00:30Z
start_server
expect "the api token 30 s later" 200 GET /api/v1/me -H "Authorization: Bearer $TA"
sleep 2.2
ok "30 s later: last_used_at unchanged" test "$(line api)" = " api user used 2026-11-20T09:00:00Z"
stop_server
export KITH_NOW=2026-11-20T09:02:00Z
start_server
expect "the api token 2 minutes later" 200 GET /api/v1/me -H "Authorization: Bearer $TA"
sleep 2.2
ok "2 minutes later: last_used_at moved" test "$(line api)" = " api user used 2026-11-20T09:02:00Z"
finish
