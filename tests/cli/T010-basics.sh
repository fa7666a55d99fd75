#!/usr/bin/env bash
# T010: init, add, show, edit, list, search, and naming contacts.
. "$(dirname "$0")/lib.sh"

check "init creates the database" 0 \
"Database ready: $KITH_DB (workspace \"My book\")" kith init
check "init is idempotent" 0 \
"Database ready: $KITH_DB (workspace \"My book\")" kith init

check "add a contact with every field" 0 "Added Dana Whitfield (#1)" \
	kith add "Dana Whitfield" --email dana@harbor.example \
	--phone +1-555-0100 --org "Harbor Freight Co" --title COO \
	--tz America/Chicago --tier A --every 14 --meet-every 90 \
	--tag client --since 2019-03-01
check "add a second contact" 0 "Added Sam Ortiz (#2)" \
	kith add "Sam Ortiz" --email sam@harbor.example --org "harbor freight co"
check "add a third with a shared fragment" 0 "Added Dana W (#3)" \
	kith add "Dana W"

check "show by email" 0 "Dana Whitfield  #1
  COO, Harbor Freight Co
  email     dana@harbor.example
  phone     +1-555-0100
  tags      client
  tier      A
  time zone America/Chicago
  client    2019-03-01
  cadence   every 14 days; face to face every 90 days
  last      never (0 touches)
  due       in 2 weeks" kith show dana@harbor.example

check "an ambiguous fragment lists the candidates" 2 \
'kith edit: WHO: "dana" matches 2 contacts: Dana Whitfield (1), Dana W (3)' \
	kith edit dana --tier B
check "an exact name wins over fragments" 0 "Updated Dana Whitfield (#1)" \
	kith edit "dana whitfield" --tier B
check "edit by id" 0 "Updated Sam Ortiz (#2)" kith edit 2 --tag client
check "unknown contact" 2 'kith show: WHO: no contact matches "nobody"' \
	kith show nobody

check "list by tag" 0 "    1  Dana Whitfield            B   Harbor Freight Co       never
    2  Sam Ortiz                     Harbor Freight Co       never" \
	kith list --tag client
check "search matches organizations" 0 "    1  Dana Whitfield            B   Harbor Freight Co       never
    2  Sam Ortiz                     Harbor Freight Co       never" \
	kith search harbor
check "json goes before or after the command" 0 "$(kith --json show 1)" \
	kith show 1 --json
ok "json show carries the summary" \
	test "$(kith --json show 1 | jq -r '.summary.effective_every')" = 14d

check "an unknown option is bad usage" 2 \
'kith add: --colour: unknown option for "add" (see kith add --help)' \
	kith add "X" --colour blue
check "an impossible date names the option" 2 \
'kith add: --since: no such date: "2023-02-30"' kith add "X" --since 2023-02-30
check "a bad cadence names the option" 2 \
'kith add: --every: expected a cadence like 30, 30d, 6w, 3m or 1y, got "often"' \
	kith add "X" --every often
check "an unknown zone" 2 \
'kith add: --tz: unknown time zone "Mars/Olympus" (e.g. America/Chicago)' \
	kith add "X" --tz Mars/Olympus
check_rc "every command has --help" 0 kith log --help
check "version" 0 "kith 0.1.0" kith --version
# A URL's password is never shown (trust auth here takes any).
if [ -n "${KITH_TEST_PG:-}" ]; then
	secret_url=$(printf '%s' "$KITH_DB" | sed 's|://\([^@:/]*\)@|://\1:sekrit-pw@|')
	kith --db "$secret_url" init >"$T_DIR/init.out" 2>&1
	ok "init shows the URL without its password" \
		bash -c '! grep -q sekrit-pw "$1" && grep -q ":\*\*\*@" "$1"' _ "$T_DIR/init.out"
else
	skip "init shows the URL without its password" "postgresql only"
fi
finish
