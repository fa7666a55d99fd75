#!/usr/bin/env bash
# A240: accounts after the 2026-12 review. M8: password length and
# re-authentication, other sessions end on a change. M9: idle timeout
# under an absolute cap, purge, token expiry and last use. L10: security
# events in the log, never a secret. L11: no cross-workspace existence
# leak from POST /users. Proxy: --trust-proxy picks the client address
# and HTTPS, which selects the __Host- cookie.
. "$(dirname "$0")/lib.sh"
T0=2026-11-20T09:00:00Z
export KITH_NOW=$T0
PW='correct horse battery staple'
printf '%s\n' "$PW" | kith --workspace Studio user add ana@studio.example --role owner --password-stdin >/dev/null
printf '%s\n' "$PW" | kith --workspace Studio user add ben@studio.example --role member --password-stdin >/dev/null
printf '%s\n' "$PW" | kith --workspace Other user add zed@other.example --role owner --password-stdin >/dev/null
printf 'short\n' | kith --workspace Studio user add weak@studio.example --password-stdin >/dev/null 2>&1
ok "kith user add refuses a password under 12 characters (exit 2)" test $? = 2
J=(-H 'content-type: application/json')
start_server

# signin EMAIL PASSWORD [curl args]: sets COOKIE (value) and CSRF.
signin() {
	local e=$1 p=$2
	shift 2
	req POST /api/v1/session "${J[@]}" "$@" -d "{\"email\":\"$e\",\"password\":\"$p\"}"
	COOKIE=$(sed -n 's/^[Ss]et-[Cc]ookie: [A-Za-z_-]*=\([^;]*\);.*/\1/p' "$A_DIR/h" | tr -d '\r')
	CSRF=$(jqb .csrf_token)
}
as() { local c=$1 x=$2; shift 2; req "$@" -b "kith_session=$c" -H "X-CSRF-Token: $x"; }

signin ana@studio.example "$PW"; ANA=$COOKIE ANAX=$CSRF
signin ben@studio.example "$PW"; BEN1=$COOKIE BEN1X=$CSRF
signin ben@studio.example "$PW" --interface 127.0.0.9; BEN2=$COOKIE
ok "three sessions" test -n "$ANA" -a -n "$BEN1" -a -n "$BEN2"
BEN_ID=$(jqb .user.id)

# ---- M8 ----
as "$BEN1" "$BEN1X" PATCH /api/v1/users/$BEN_ID "${J[@]}" -d '{"password":"x","current_password":"'"$PW"'"}'
ok "a 1-character password: 422 ($STATUS)" test "$STATUS" = 422
ok "... naming password" test "$(jqb .error.field)" = password
as "$BEN1" "$BEN1X" PATCH /api/v1/users/$BEN_ID "${J[@]}" -d '{"password":"a much longer secret"}'
ok "no current_password: 422 ($STATUS)" test "$STATUS" = 422
ok "... naming current_password" test "$(jqb .error.field)" = current_password
as "$BEN1" "$BEN1X" PATCH /api/v1/users/$BEN_ID "${J[@]}" -d '{"password":"a much longer secret","current_password":"wrong one"}'
ok "a wrong current_password: 403 ($STATUS)" test "$STATUS" = 403
as "$BEN1" "$BEN1X" PATCH /api/v1/users/$BEN_ID "${J[@]}" -d '{"password":"a much longer secret","current_password":"'"$PW"'"}'
ok "the right current_password: 200 ($STATUS)" test "$STATUS" = 200
as "$BEN1" "$BEN1X" GET /api/v1/me
ok "the changing session stays: 200" test "$STATUS" = 200
req GET /api/v1/me -b "kith_session=$BEN2"
ok "ben's other session ended: 401 ($STATUS)" test "$STATUS" = 401
signin ben@studio.example "a much longer secret"
ok "the new password signs in" test "$STATUS" = 200
BEN3=$COOKIE
# An owner resetting a member re-authenticates with the owner's password.
as "$ANA" "$ANAX" PATCH /api/v1/users/$BEN_ID "${J[@]}" -d '{"password":"reset by the owner"}'
ok "owner reset without current_password: 422" test "$STATUS" = 422
as "$ANA" "$ANAX" PATCH /api/v1/users/$BEN_ID "${J[@]}" -d '{"password":"reset by the owner","current_password":"a much longer secret"}'
ok "owner reset with the member's password instead of their own: 403" test "$STATUS" = 403
as "$ANA" "$ANAX" PATCH /api/v1/users/$BEN_ID "${J[@]}" -d '{"password":"reset by the owner","current_password":"'"$PW"'"}'
ok "owner reset with the owner's own password: 200" test "$STATUS" = 200
req GET /api/v1/me -b "kith_session=$BEN3"
ok "... ends all of ben's sessions: 401" test "$STATUS" = 401
as "$ANA" "$ANAX" POST /api/v1/users "${J[@]}" -d '{"email":"weak@studio.example","password":"1"}'
ok "POST /users with a 1-character password: 422" test "$STATUS" = 422

# ---- L11 ----
as "$ANA" "$ANAX" POST /api/v1/users "${J[@]}" -d '{"email":"ZED@other.example"}'
ok "an address of another workspace: 422 ($STATUS)" test "$STATUS" = 422
ok "... a generic message that names no workspace or account" \
	test "$(jqb .error.message)" = "cannot add this address"
as "$ANA" "$ANAX" POST /api/v1/users "${J[@]}" -d '{"email":"ben@studio.example"}'
ok "an address already in this workspace: 409" test "$STATUS" = 409

# ---- tokens: expiry, last use ----
as "$ANA" "$ANAX" POST /api/v1/tokens "${J[@]}" -d '{"name":"short","expires_days":1}'
ok "a token with expires_days: 201" test "$STATUS" = 201
TSHORT=$(jqb .secret)
ok "... expires a day later" test "$(jqb .expires_at)" = 2026-11-21T09:00:00Z
TLONG=$(kith --workspace Studio token create ana@studio.example --expires 60 | tail -1)
expect "the CLI's --expires token works" 200 GET /api/v1/me -H "Authorization: Bearer $TLONG"
expect "the short token works today" 200 GET /api/v1/me -H "Authorization: Bearer $TSHORT"
sleep 2.2
as "$ANA" "$ANAX" GET /api/v1/tokens
ok "last_used_at is set after use" test "$(jq -r '[.items[] | select(.name=="short")][0].last_used_at' <<<"$BODY")" = "$T0"

# ---- L10: the security log ----
LOG=$A_DIR/serve.log
ok "sign-in logged with user and workspace" grep -q 'kith: security signin_ok user=[0-9]* ws=[0-9]* addr=127.0.0.1' "$LOG"
ok "password change logged" grep -q 'kith: security password_change user=' "$LOG"
ok "token creation logged" grep -q 'kith: security token_create user=' "$LOG"
ok "no password, session or token secret in the log" \
	bash -c '! grep -qF -e "$1" -e "$2" -e "$3" -e "$4" -e "reset by the owner" "$5"' _ "$PW" "$ANA" "$TSHORT" "a much longer secret" "$LOG"
stop_server

# ---- M9: idle timeout, absolute cap, purge ----
signin_at() { KITH_NOW=$1; export KITH_NOW; start_server; }
signin_at 2026-11-21T08:00:00Z
req GET /api/v1/me -H "Authorization: Bearer $TSHORT"
ok "the one-day token still works 23 h later" test "$STATUS" = 200
signin ana@studio.example "$PW" --interface 127.0.0.10; S1=$COOKIE
signin ana@studio.example "$PW" --interface 127.0.0.11; S2=$COOKIE
stop_server
signin_at 2026-11-21T19:00:00Z
expect "11 h later a session works" 200 GET /api/v1/me -b "kith_session=$S1"
expect "the token expired after its day: 401" 401 GET /api/v1/me -H "Authorization: Bearer $TSHORT"
sleep 1.5	# the ticker writes S1's use
stop_server
signin_at 2026-11-22T06:00:00Z
expect "22 h after sign-in, a session used 11 h ago lives on" 200 GET /api/v1/me -b "kith_session=$S1"
expect "a session idle 22 h has ended: 401" 401 GET /api/v1/me -b "kith_session=$S2"
sleep 1.5
stop_server
left=$(db_sql "select count(*) from session where idle_until <= $(date -ud 2026-11-22T06:00:00 +%s)")
ok "the ticker purged the idle sessions ($left left)" test "$left" = 0
cap=$(db_sql "select min(case when expires_at - created_at = 2592000 and idle_until <= expires_at then 1 else 0 end) from session")
ok "every session is capped at 30 days after sign-in, idle deadline within it" test "$cap" = 1
signin_at 2026-12-21T09:10:00Z
expect "past the cap the session ends: 401" 401 GET /api/v1/me -b "kith_session=$S1"
stop_server

# ---- trusted proxy ----
export KITH_NOW=$T0
serve_with --trust-proxy 127.0.0.2/32
signin ana@studio.example "$PW" --interface 127.0.0.2 -H 'X-Forwarded-For: 198.51.100.1, 203.0.113.7' -H 'X-Forwarded-Proto: https'
ok "through the proxy over https: 200" test "$STATUS" = 200
ok "... the cookie is __Host-kith_session; Secure" grep -qi '^set-cookie: __Host-kith_session=[^;]*; Path=/; Secure; HttpOnly' "$A_DIR/h"
HC=$COOKIE
expect "... and that cookie name is accepted over https" 200 GET /api/v1/me --interface 127.0.0.2 -H 'X-Forwarded-Proto: https' -b "__Host-kith_session=$HC"
expect "... the bare name is not, over https" 401 GET /api/v1/me --interface 127.0.0.2 -H 'X-Forwarded-Proto: https' -b "kith_session=$HC"
sleep 0.2
ok "the log names the client from X-Forwarded-For (rightmost untrusted)" grep -q 'signin_ok .*addr=203.0.113.7' "$A_DIR/serve.log"
signin ana@studio.example "$PW" --interface 127.0.0.3 -H 'X-Forwarded-For: 203.0.113.99' -H 'X-Forwarded-Proto: https'
ok "an untrusted peer's X-Forwarded-Proto is ignored: plain cookie" grep -qi '^set-cookie: kith_session=' "$A_DIR/h"
sleep 0.2
ok "... and its X-Forwarded-For too" grep -q 'signin_ok .*addr=127.0.0.3' "$A_DIR/serve.log"
# The limiter keys on the forwarded client: ten failures from one client
# behind the proxy do not block another client behind it.
for i in $(seq 10); do
	signin "nobody$i@studio.example" guess --interface 127.0.0.2 -H 'X-Forwarded-For: 203.0.113.50'
done
signin ana@studio.example "$PW" --interface 127.0.0.2 -H 'X-Forwarded-For: 203.0.113.50'
ok "the failing client behind the proxy is blocked: 429" test "$STATUS" = 429
signin ana@studio.example "$PW" --interface 127.0.0.2 -H 'X-Forwarded-For: 203.0.113.51'
ok "another client behind the same proxy signs in: 200" test "$STATUS" = 200
# Under ASan/UBSan the server must also stop cleanly: exit 0, no report.
kill -TERM "$SERVER_PID" && wait "$SERVER_PID"
rc=$?
SERVER_PID=
ok "the server stops cleanly on SIGTERM (exit 0, no sanitizer report)" \
	bash -c '[ "$1" = 0 ] && ! grep -q "ERROR: \|runtime error" "$2"' _ "$rc" "$A_DIR/serve.log"
finish
