#!/usr/bin/env bash
# T030: facts, dates, promises, gifts, revenue, snooze and cadence rules.
. "$(dirname "$0")/lib.sh"

kith init >/dev/null
kith add "Dana Whitfield" --tz America/Chicago --tier A --tag client \
	--since 2019-03-01 >/dev/null
kith add "Sam Ortiz" --tz Europe/Berlin --tag family --tag golf >/dev/null
kith add "Lee Park" --tier A --tag family --every 45 >/dev/null
kith add "Ada Brook" --tier B >/dev/null

check "a fact" 0 "Remembered (#1): daughter Emma starts college in 2027" \
	kith fact dana "daughter Emma starts college in 2027"
check "an empty fact" 2 "kith fact: TEXT: what should kith remember?" \
	kith fact dana ""
check "a yearly date" 0 "Remembered birthday 1980-05-02 (#1)" \
	kith date dana birthday 1980-05-02
check "a date without its year" 0 "Remembered anniversary --11-25 (#2)" \
	kith date dana anniversary --11-25
check "a one-off date" 0 "Remembered graduation 2027-06-01 (#3)" \
	kith date dana graduation 2027-06-01 --once
check "a one-off date needs its year" 2 \
	"kith date: DATE: a one-off date needs its year" \
	kith date dana kickoff --12-01 --once
check "an impossible date" 2 'kith date: DATE: no such date: "2023-02-30"' \
	kith date dana x 2023-02-30
check "an impossible date without a year is quoted as typed" 2 \
	'kith date: DATE: no such date: "--02-30"' kith date dana x --02-30
ok "dates in json: yearly flag, next in days" \
	test "$(kith --json brief dana | jq -c '[.dates[] | [.kind, .date, .yearly, .in_days]]')" = \
	'[["anniversary","--11-25",true,5],["birthday","1980-05-02",true,163],["graduation","2027-06-01",false,193]]'

check "a promise due on a date (end of day, their zone)" 0 \
	"Promised Sam Ortiz: send deck, due Thu 19 Nov 2026 23:59 (#1)" \
	kith promise sam "send deck" --due 2026-11-19
ok "due at the end of the day in Berlin" \
	test "$(kith --json promises | jq -r '.[] | select(.id == 1) | .due')" = 2026-11-19T22:59:59Z
check "a promise in Chicago" 0 \
	"Promised Dana Whitfield: send laptop specs, due Sat 28 Nov 2026 23:59 (#2)" \
	kith promise dana "send laptop specs" --due 2026-11-28
check "a promise without a due date" 0 "Promised Dana Whitfield: call back (#3)" \
	kith promise dana "call back"
check "promises: overdue first, with ids" 0 \
"    1  Sam Ortiz               send deck                           overdue, due 16 hours ago
    2  Dana Whitfield          send laptop specs                   in 8 days
    3  Dana Whitfield          call back                           no due date" \
	kith promises
check "done" 0 "Kept: send laptop specs (Dana Whitfield)" kith done 2
check "done twice" 2 "kith done: ID: promise 2 was already kept" kith done 2
check "done needs an id" 2 \
	'kith done: ID: expected a promise id (see kith promises), got "specs"' \
	kith done specs
ok "a kept promise leaves the open list" \
	test "$(kith --json promises | jq -c 'map(.id)')" = '[1,3]'

check "a gift with a value" 0 "Gift recorded (#1): holiday basket" \
	kith gift dana "holiday basket" --value 80
check "a bad gift value" 2 \
	'kith gift: --value: expected an amount like 80 or 19.99, got "lots"' \
	kith gift dana "wine" --value lots
check "revenue" 0 "Revenue recorded (#1)" \
	kith revenue dana 1200.50 --at 2025-01-10
ok "lifetime value in the brief" \
	test "$(kith --json brief dana | jq -c '[.loyalty.lifetime_value, .gifts[0].text]')" = '[1200.5,"holiday basket"]'

# Snooze: off the agenda, back when it ends.
ok "Ada (never touched, every 60 days) is due in 61 days" \
	test "$(KITH_NOW=2027-01-20T15:00:00Z kith --json due | jq -r 'map(.contact.name) | index("Ada Brook") != null')" = true
check "snooze for a week" 0 "Snoozed Ada Brook until 2026-11-27" \
	kith snooze ada --for 1w
check "snooze until a date" 0 "Snoozed Ada Brook until 2027-02-01" \
	kith snooze ada --until 2027-02-01
ok "a snoozed contact is not due" \
	test "$(KITH_NOW=2027-01-20T15:00:00Z kith --json due | jq -r 'map(.contact.name) | index("Ada Brook")')" = null
ok "and is back when the snooze ends" \
	test "$(KITH_NOW=2027-02-02T15:00:00Z kith --json due | jq -r 'map(.contact.name) | index("Ada Brook") != null')" = true
check "snooze off" 0 "Ada Brook is back on the agenda" kith snooze ada --off
check "a snooze in the past" 2 "kith snooze: --until: that time has passed" \
	kith snooze ada --until 2026-11-01
check "snooze needs one way" 2 \
	"kith snooze: --for: give one of --for, --until or --off" kith snooze ada

# Cadence: own > tags (shortest) > tier > default.
check "set a tag cadence" 0 "  default             every 90 days
  tier A              every 30 days; face to face every 90 days
  tier B              every 60 days; face to face every 180 days
  tier C              every 120 days
  tag family          every 14 days" kith cadence --tag family --every 14
kith cadence --tag golf --every 3w >/dev/null
kith cadence --tier A --every 10 >/dev/null
check "list the rules" 0 "  default             every 90 days
  tier A              every 10 days; face to face every 90 days
  tier B              every 60 days; face to face every 180 days
  tier C              every 120 days
  tag family          every 14 days
  tag golf            every 21 days" kith cadence
eff() { kith --json show "$1" | jq -r .summary.effective_every; }
ok "own cadence wins over tag and tier" test "$(eff lee)" = 45d
ok "the shortest tag wins over the tier" test "$(eff sam)" = 14d
kith cadence --tag golf --every 7 >/dev/null
ok "a shorter tag rule takes over" test "$(eff sam)" = 7d
ok "tier when no tag rule" test "$(eff dana)" = 10d
ok "tier B" test "$(eff ada)" = 60d
kith edit lee --every 0 >/dev/null
ok "without its own, Lee follows the tag" test "$(eff lee)" = 14d
kith edit ada --tier none >/dev/null
ok "no tier: the default" test "$(eff ada)" = 90d
check "a cadence needs a scope" 2 \
'kith cadence: --tag: for whom? --tag TAG, --tier A|B|C or --default (a contact'"'"'s own: kith edit WHO --every)' \
	kith cadence --every 14
check "a bad cadence" 2 \
'kith cadence: --every: expected a cadence like 30, 30d, 6w, 3m or 1y, got "weekly"' \
	kith cadence --tag family --every weekly
finish
