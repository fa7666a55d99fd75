#!/usr/bin/env bash
# T430: small things a user noticed (issue 19): token create infers the
# workspace from the user's email; a contact with no zone in a workspace
# with no zone has no local time rather than the server's clock.
# (Meetings naming their contacts: T110.)
. "$(dirname "$0")/lib.sh"
kith --workspace Studio init >/dev/null
kith --workspace Elsewhere init >/dev/null
kith --workspace Studio user add ana@studio.example --role owner >/dev/null
kith --workspace Elsewhere user add eve@else.example --role owner >/dev/null

# ---- token create EMAIL: the user's workspace ----
check_rc "token create without --workspace, two workspaces" 0 \
	kith token create eve@else.example --name t430
ok "prints the secret on its last line" grep -q '^kith_' <(tail -1 "$T_DIR/out")
ok "the token is Elsewhere's" test "$(kith --workspace Elsewhere token list | grep -c t430)" = 1
ok "and not Studio's" test "$(kith --workspace Studio token list | grep -c t430)" = 0
check_rc "options before the email too" 0 kith token create --name t430b ana@studio.example
ok "that one is Studio's" test "$(kith --workspace Studio token list | grep -c t430b)" = 1
check "an unknown email, two workspaces: ask which" 2 \
"kith token: --workspace: several workspaces; name one of \"Studio\", \"Elsewhere\"" \
	kith token create nobody@else.example
check "--workspace still wins (and is checked)" 2 \
"kith token: EMAIL: eve@else.example belongs to another workspace (use --workspace)" \
	kith --workspace Studio token create eve@else.example
check "token list still needs the choice" 2 \
"kith token: --workspace: several workspaces; name one of \"Studio\", \"Elsewhere\"" \
	kith token list

# ---- no zone anywhere: no clock claimed ----
kith --workspace Studio add "Zed Nozone" >/dev/null
kith --workspace Studio add "Tia Tokyo" --tz Asia/Tokyo >/dev/null
ok "no zone: local_time and tz empty, not working hours" \
	test "$(kith --workspace Studio --json brief Zed | jq -c '[.local_time, .tz, .working_hours]')" = '["","",false]'
ok "no zone: the brief says so" \
	grep -qx 'no time zone known: kith edit 1 --tz ZONE, or the workspace'"'"'s' <(kith --workspace Studio brief Zed)
kith --workspace Studio brief Zed >"$T_DIR/brief"
ok "the server's zone (TZ=$TZ) is not shown as theirs" \
	test "$(grep -c " in local\| in $TZ\|working hours" "$T_DIR/brief")" = 0
ok "a zone of their own: their clock (Sat 00:00 in Tokyo)" \
	test "$(kith --workspace Studio --json brief Tia | jq -c '[.local_time, .tz]')" = '["Sat 00:00","Asia/Tokyo"]'
finish
