#!/usr/bin/env bash
# T120: the write rules of app/contact.c and app/touch.c as the CLI says
# them: the table of tests/unit/test_app.c (bad emails, unknown channel
# and zone, an impossible date, a contact named twice, no participant,
# 101, bad cadence and scope) is exit 2 naming the option, and writes
# nothing; the good neighbours pass.
. "$(dirname "$0")/lib.sh"

kith init >/dev/null
kith add "Dana Whitfield" --email dana@harbor.example --tier A >/dev/null
kith add "Sam Ortiz" >/dev/null

# refuse NAME FIELD CMD...: exit 2, and stderr's first line is
# "kith COMMAND: FIELD: ...".
refuse() {
	local name=$1 field=$2 out rc
	shift 2
	t_n=$((t_n + 1))
	out=$("$@" 2>&1 >/dev/null)
	rc=$?
	if [ "$rc" = 2 ] && [ "${out#kith $2: $field: }" != "$out" ]; then
		echo "ok $t_n - $name"
	else
		t_failed=$((t_failed + 1))
		echo "not ok $t_n - $name (exit $rc, want 2 naming $field)"
		printf '%s\n' "$out" | sed 's/^/#   /'
	fi
}

before=$(db_dump)
check "two @" 2 'kith add: --email: no valid address in "a@b@c"' \
	kith add "Eve Stone" --email a@b@c
check "a space" 2 'kith add: --email: no valid address in "a b@c.d"' \
	kith add "Eve Stone" --email "a b@c.d"
check "nothing before the @" 2 'kith add: --email: no valid address in "@x"' \
	kith add "Eve Stone" --email @x
refuse "nothing after the @" --email kith add "Eve Stone" --email "x@"
refuse "no @" --email kith add "Eve Stone" --email nobody
refuse "a tab" --email kith add "Eve Stone" --email $'a\tb@c.d'
refuse "a newline" --email kith add "Eve Stone" --email $'a@c.d\n'
refuse "a DEL" --email kith add "Eve Stone" --email $'a\x7f@c.d'
refuse "a pasted name and address" --email kith add "Eve Stone" --email "Dana <d@h.e>"
refuse "two addresses in one" --email kith add "Eve Stone" --email "a@b.c,d@e.f"
check "edit: the same rule" 2 'kith edit: --email: no valid address in "a@b@c"' \
	kith edit dana --email a@b@c
check "an unknown zone" 2 \
'kith add: --tz: unknown time zone "Mars/Base" (e.g. America/Chicago)' \
	kith add "Eve Stone" --tz Mars/Base
check "an impossible since" 2 'kith add: --since: no such date: "2023-02-30"' \
	kith add "Eve Stone" --since 2023-02-30
check "an empty name" 2 'kith add: NAME: a contact needs a name' kith add ""
check "an empty new name" 2 'kith edit: --name: a contact needs a name' \
	kith edit sam --name ""
check "an empty tag" 2 'kith add: --tag: empty tag' kith add "Eve Stone" --tag ""
check "an unknown channel" 2 \
'kith log: --via: unknown channel "fax" (one of in_person, video, call, letter, gift, text, email, social)' \
	kith log dana --via fax
check "a contact named twice" 2 'kith log: WHO: "dana" is named twice' \
	kith log dana,sam,dana --via call
check "named twice, by id and by name" 2 'kith log: WHO: "Dana Whitfield" is named twice' \
	kith log 1,"Dana Whitfield" --via call
check "an empty participant list" 2 'kith log: WHO: name at least one contact' \
	kith log , --via call
check "no participant at all" 2 'kith log: WHO: name at least one contact' \
	kith log "" --via call
check "an impossible date" 2 'kith date: DATE: no such date: "2023-02-30"' \
	kith date dana birthday 2023-02-30
check "a one-off date needs its year" 2 'kith date: DATE: a one-off date needs its year' \
	kith date dana graduation --06-01 --once
check "an empty kind" 2 'kith date: KIND: name the date (birthday, anniversary...)' \
	kith date dana "" 1980-05-02
check "a cadence of -1" 2 \
'kith cadence: --every: expected a cadence like 30, 30d, 6w, 3m or 1y, got "-1"' \
	kith cadence --tag family --every -1
check "a face-to-face cadence of -1" 2 \
'kith cadence: --meet-every: expected a cadence like 30, 30d, 6w, 3m or 1y, got "-1"' \
	kith cadence --default --meet-every -1
check "a contact's cadence of -1" 2 \
'kith edit: --every: expected a cadence like 30, 30d, 6w, 3m or 1y, got "-1"' \
	kith edit dana --every -1
check "a scope the CLI has no word for" 2 \
'kith cadence: --planet: unknown option for "cadence" (see kith cadence --help)' \
	kith cadence --planet x --every 14
check "a tag rule needs its tag" 2 \
'kith cadence: --tag: expected tag (with a key), tier or default' \
	kith cadence --tag "" --every 14
check "a tier rule needs A, B or C" 2 \
'kith cadence: --tier: unknown tier "Q" (A, B, C or none)' \
	kith cadence --tier Q --every 14
check "not the tier none" 2 'kith cadence: --tier: expected A, B or C' \
	kith cadence --tier none --every 14
check "an empty fact" 2 'kith fact: TEXT: what should kith remember?' kith fact dana ""
check "an empty promise" 2 'kith promise: TEXT: what did you promise?' kith promise dana ""
check "an empty gift" 2 'kith gift: TEXT: what was the gift?' kith gift dana ""
check "a snooze in the past" 2 'kith snooze: --until: that time has passed' \
	kith snooze dana --until 2026-11-01
check "merge into self" 2 \
'kith merge: INTO: "dana" names the same contact as FROM (#1); merge two different records' \
	kith merge dana dana
ok "the refused commands wrote nothing" test "$before" = "$(db_dump)"

# The good neighbours of the table.
check "root@localhost is an address" 0 "Updated Dana Whitfield (#1)" \
	kith edit dana --email root@localhost
check "a tag rule, then 0 removes it" 0 "  default             every 90 days
  tier A              every 30 days; face to face every 90 days
  tier B              every 60 days; face to face every 180 days
  tier C              every 120 days" \
	bash -c '"$KITH" cadence --tag family --every 14 >/dev/null && "$KITH" cadence --tag family --every 0'
check "a touch names each once" 0 \
"Logged Call with Dana Whitfield, Sam Ortiz, Fri 20 Nov 2026 09:00 (#1)" \
	kith log dana,sam --via call

# At most 100 people in one touch, in a book of 101.
export KITH_DB=$T_DIR/crowd.db
# (--touches 0 would trip UBSan in app/demo.c: qsort of NULL.)
kith demo --contacts 101 --touches 10 >/dev/null
ids=$(kith --json list | jq -r '[.[].id] | join(",")')
first=${ids%%,*}
had=$(kith --json show "$first" | jq .summary.touch_count)
before=$(db_dump)
check "101 participants" 2 'kith log: WHO: 101 contacts named; a touch takes at most 100' \
	kith log "$ids" --via in_person
ok "the refused touch wrote nothing" test "$before" = "$(db_dump)"
check_rc "100 participants" 0 kith log "${ids%,*}" --via in_person
ok "the hundred share the touch" \
	test "$(kith --json show "$first" | jq .summary.touch_count)" = $((had + 1))
finish
