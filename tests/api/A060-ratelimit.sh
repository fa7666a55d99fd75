#!/usr/bin/env bash
# A060: failed sign-ins are limited per account and per address: after
# five failures an account's sign-ins wait a growing delay (1 s, 2 s ...
# at most 60 s; 429 with Retry-After, even for the right password; never
# a 15-minute lock anyone could impose, review L3), and ten failures
# from one address block that address. KITH_NOW stands still here, so a
# delay never runs out. Loopback has many addresses: curl --interface
# picks the client's, so the two limits are told apart.
. "$(dirname "$0")/lib.sh"
export KITH_NOW=2026-11-20T09:00:00Z
for u in ana ben cat; do
	printf 'right password %s\n' $u | kith --workspace Studio user add $u@studio.example \
		--role member --password-stdin >/dev/null
done
start_server

# signin FROM-ADDR EMAIL PASSWORD: POST /session from that loopback address.
signin() {
	req POST /api/v1/session --interface "$1" -H 'content-type: application/json' \
		-d "{\"email\":\"$2\",\"password\":\"$3\"}"
}
retry_after_ok() {
	local r
	r=$(header Retry-After)
	[[ $r =~ ^[0-9]+$ ]] && [ "$r" -ge 1 ] && [ "$r" -le 900 ]
}

# ---- per account ----
for i in 1 2 3 4 5; do
	signin 127.0.0.2 ana@studio.example "wrong $i"
	ok "wrong password $i for ana: 401" test "$STATUS" = 401
	ok "... no Retry-After yet" test -z "$(header Retry-After)"
done
signin 127.0.0.2 ana@studio.example "wrong 6"
ok "the sixth try: 429" test "$STATUS" = 429
ok "... a JSON rate_limited error" test "$(jq -r .error.code <<<"$BODY")" = rate_limited
ok "... with Retry-After, an integer >= 1 ($(header Retry-After))" retry_after_ok
ok "... a delay of at most a minute, not a lock" test "$(header Retry-After)" -le 60
signin 127.0.0.2 ana@studio.example "right password ana"
ok "the right password is refused while blocked: 429" test "$STATUS" = 429
ok "... with Retry-After" retry_after_ok
ok "... and no session cookie" bash -c '! grep -qi "^set-cookie: kith_session=[^;]" "$1"' _ "$A_DIR/h"
signin 127.0.0.3 ANA@Studio.Example "right password ana"
ok "the account is blocked from another address too (any case of the email): 429" test "$STATUS" = 429

# ---- per address ----
signin 127.0.0.2 ben@studio.example "right password ben"
ok "another account from that address is not held up by ana's delay: 200" test "$STATUS" = 200
signin 127.0.0.4 ben@studio.example "right password ben"
ok "that account from a fresh address signs in: 200" test "$STATUS" = 200
# Ten wrong tries for ten different (unknown) accounts from one address.
for i in 1 2 3 4 5 6 7 8 9 10; do
	signin 127.0.0.5 "nobody$i@studio.example" "guess"
	ok "unknown account $i from 127.0.0.5: 401" test "$STATUS" = 401
done
signin 127.0.0.5 cat@studio.example "right password cat"
ok "after the address limit, a real account from that address: 429" test "$STATUS" = 429
ok "... with Retry-After" retry_after_ok
signin 127.0.0.6 cat@studio.example "right password cat"
ok "cat from elsewhere is fine: 200" test "$STATUS" = 200

# ---- the limiter is for sign-in only ----
T=$(kith --workspace Studio token create cat@studio.example | tail -1)
expect "a token from a blocked address still works" 200 GET /api/v1/me -H "Authorization: Bearer $T" --interface 127.0.0.5
ok "the server is still up" kill -0 "$SERVER_PID"
finish
