#!/usr/bin/env bash
# T040: kith due: each kind of reason, ranking, days since, and that due
# counts from the last logged touch.
. "$(dirname "$0")/lib.sh"

# The book is set up in June; the agenda is read on 20 November.
export KITH_NOW=2026-06-01T15:00:00Z
kith init >/dev/null
kith add "Olive Overdue" --every 14 >/dev/null
kith add "Ivan InPerson" --every 30 --meet-every 90 >/dev/null
kith add "Nora Never" --every 30 --meet-every 60 >/dev/null
kith add "Tom Untouched" --every 30 >/dev/null
kith add "Bea Birthday" --every 365 >/dev/null
kith add "Pat Promise" --every 365 >/dev/null
kith add "Lou Loyal" --since 2015-01-01 --tier A --every 365 >/dev/null
kith add "Ray Recent" --every 30 --meet-every 90 --tz Europe/Berlin >/dev/null
kith log olive --via call --at "2026-10-31 10:00" >/dev/null
kith log ivan --via in_person --at "2026-05-01 10:00" >/dev/null
kith log ivan --via email --at "2026-11-15 10:00" >/dev/null
kith log nora --via email --at "2026-11-10 10:00" >/dev/null
kith date bea birthday 1990-11-23 >/dev/null
kith log bea,pat,lou --via call --at "2026-11-01 10:00" >/dev/null
kith promise pat "send proposal" --due 2026-11-18 >/dev/null
kith log ray --via in_person --at "2026-11-19 10:00" >/dev/null
export KITH_NOW=2026-11-20T15:00:00Z

check "the agenda, ranked, with reasons" 0 "Friday 20 November 2026  7 to reach

  1  Tom Untouched
       • never in touch, added 172 days ago (every 30 days)
  2  Lou Loyal                    A
       • never met in person (every 90 days)
       • client for 11 years, never thanked with a gift
  3  Nora Never
       • never met in person (every 60 days)
  4  Ivan InPerson
       • no face-to-face in 203 days (every 90 days)
  5  Bea Birthday
       • birthday in 3 days (36)
  6  Olive Overdue
       • 20 days since last touch (every 14 days)
  7  Pat Promise
       • promise overdue: send proposal" kith due

due_json() { kith --json due; }
kinds() { due_json | jq -r --arg n "$1" '.[] | select(.contact.name == $n) | [.reasons[].kind] | join(",")'; }
ok "kind overdue" test "$(kinds "Olive Overdue")" = overdue
ok "kind in_person_overdue" test "$(kinds "Ivan InPerson")" = in_person_overdue
ok "kind never_in_person" test "$(kinds "Nora Never")" = never_in_person
ok "kind never_touched" test "$(kinds "Tom Untouched")" = never_touched
ok "kind date_soon" test "$(kinds "Bea Birthday")" = date_soon
ok "kind promise_overdue" test "$(kinds "Pat Promise")" = promise_overdue
ok "kind thank_you_due" test "$(kinds "Lou Loyal")" = never_in_person,thank_you_due
ok "each reason has a text" \
	test "$(due_json | jq '[.[].reasons[] | select((.text | type) != "string" or .text == "")] | length')" = 0
ok "rank is a number, non-increasing down the array" \
	test "$(due_json | jq '[.[].rank | numbers] as $r | ($r | length) == length and ([range(1; $r | length) | select($r[.] > $r[. - 1])] | length) == 0')" = true
ok "contact id and name" \
	test "$(due_json | jq -c '.[0].contact | {id, name}')" = '{"id":4,"name":"Tom Untouched"}'
ok "days since touch: whole days, rounded down" \
	test "$(due_json | jq -c 'map({(.contact.name): .days_since_touch}) | add')" = \
	'{"Tom Untouched":null,"Lou Loyal":18,"Nora Never":9,"Ivan InPerson":4,"Bea Birthday":18,"Olive Overdue":20,"Pat Promise":18}'
ok "days since in person: whole days, null when never" \
	test "$(due_json | jq -c 'map({(.contact.name): .days_since_in_person}) | add')" = \
	'{"Tom Untouched":null,"Lou Loyal":null,"Nora Never":null,"Ivan InPerson":203,"Bea Birthday":null,"Olive Overdue":null,"Pat Promise":null}'
ok "a contact touched yesterday is not due" \
	test "$(due_json | jq 'map(.contact.name) | index("Ray Recent")')" = null

check "an older touch does not reset the clock" 0 \
	"Logged Email with Olive Overdue, Thu 01 Oct 2026 10:00 (#7)" \
	kith log olive --via email --at "2026-10-01 10:00"
ok "so Olive is still 20 days overdue" \
	test "$(kinds "Olive Overdue")/$(due_json | jq '.[] | select(.contact.name == "Olive Overdue") | .days_since_touch')" = overdue/20
kith log olive --via call --at "2026-11-20 08:00" >/dev/null
ok "a logged touch takes Olive off the agenda" \
	test "$(due_json | jq 'map(.contact.name) | index("Olive Overdue")')" = null
ok "and she comes back 14 days after that touch, not before" \
	test "$(KITH_NOW=2026-12-04T13:00:00Z kith --json due | jq 'map(.contact.name) | index("Olive Overdue")'),$(KITH_NOW=2026-12-04T15:00:00Z kith --json due | jq -r '.[] | select(.contact.name == "Olive Overdue") | .reasons[0].text')" = \
	"null,14 days since last touch (every 14 days)"
kith log tom --via call >/dev/null
kith log ivan,nora --via in_person >/dev/null
ok "after a call and a coffee, Tom, Ivan and Nora are not due" \
	test "$(due_json | jq -c 'map(.contact.name)')" = '["Lou Loyal","Bea Birthday","Pat Promise"]'
kith done 1 >/dev/null
kith gift lou "book" --value 40 >/dev/null
ok "a kept promise and a gift clear those reasons" \
	test "$(due_json | jq -c 'map([.contact.name, [.reasons[].kind]])')" = \
	'[["Lou Loyal",["never_in_person"]],["Bea Birthday",["date_soon"]]]'
check "limit" 0 "$(due_json | jq '.[:1]')" kith --json due --limit 1
check "an empty book says how to start" 0 "Thursday 20 November 2025
Your book is empty. Add someone: kith add \"Dana Whitfield\" --tier A, or try kith demo." \
	env KITH_NOW=2025-11-20T15:00:00Z KITH_DB="$T_DIR/empty.db" "$KITH" due
finish
