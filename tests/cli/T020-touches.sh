#!/usr/bin/env bash
# T020: kith log: participants, the eight channels, local and zoned times,
# minutes, notes, direction; show's summary follows; bad input is exit 2.
. "$(dirname "$0")/lib.sh"

kith init >/dev/null
kith add "Dana Whitfield" --email dana@harbor.example --tz America/Chicago \
	--tier A --every 14 --meet-every 90 >/dev/null
kith add "Sam Ortiz" --tz Europe/Berlin >/dev/null

check "a new contact has never been touched" 0 "Dana Whitfield  #1
  email     dana@harbor.example
  tier      A
  time zone America/Chicago
  cadence   every 14 days; face to face every 90 days
  last      never (0 touches)
  due       in 2 weeks" kith show dana

check "one touch, two participants, local time" 0 \
"Logged In person with Dana Whitfield, Sam Ortiz, Wed 18 Nov 2026 09:30 (#1)" \
	kith log dana,"Sam Ortiz" --via in_person --at "2026-11-18 09:30" \
	--minutes 90 --note "coffee at Lulu's; new business idea"
ok "the time without a zone is local (America/Chicago, UTC-6)" \
	test "$(kith --json show dana | jq -r .summary.last_touch)" = 2026-11-18T15:30:00Z
ok "both participants share the touch" \
	test "$(kith --json show sam | jq -c '[.summary.touch_count, .summary.last_in_person]')" = '[1,"2026-11-18T15:30:00Z"]'

check "a zoned time is kept as given" 0 \
"Logged Call with Dana Whitfield, Thu 19 Nov 2026 03:00 (#2)" \
	kith log dana --via call --at 2026-11-19T10:00:00+01:00
check "show: last touch and last in person" 0 "Dana Whitfield  #1
  email     dana@harbor.example
  tier      A
  time zone America/Chicago
  cadence   every 14 days; face to face every 90 days
  last      1 day ago; in person 1 day ago (2 touches)
  due       in 12 days" kith show dana
ok "due counts from the last touch (+14 days)" \
	test "$(kith --json show dana | jq -r .summary.due_at)" = 2026-12-03T09:00:00Z

# Every channel, spelled as in DESIGN.md; default now.
got=""
n=3
for ch in video letter gift text email social; do
	got+=$(kith log sam --via "$ch" --at "2026-11-0$((n - 2)) 12:00")$'\n'
	n=$((n + 1))
done
ok "the other six channels are accepted" \
	test "$(printf '%s' "$got" | cut -d' ' -f2 | tr '\n' ' ')" = "Video Letter Gift Text Email Social "
check "json: direction, minutes, note, channel" 0 \
'{"channel":"email","direction":"in","minutes":5,"note":"re: proposal","contacts":[2],"at":"2026-11-20T15:00:00Z"}' \
	bash -c '"$KITH" --json log sam --via email --direction in --minutes 5 --note "re: proposal" | jq -c "{channel,direction,minutes,note,contacts,at}"'
ok "a call defaults to mutual, an email to out" \
	test "$(kith --json log dana --via email --at '2026-11-10 08:00' | jq -r .direction)/$(kith --json log dana --via video --at '2026-11-09 08:00' | jq -r .direction)" = out/mutual
ok "an older touch does not move last touch back" \
	test "$(kith --json show dana | jq -r .summary.last_touch)" = 2026-11-19T09:00:00Z
check "show counts every touch" 0 "Sam Ortiz  #2
  time zone Europe/Berlin
  cadence   every 90 days
  last      just now; in person 1 day ago (8 touches)
  due       in 3 months" kith show sam

check "an unknown channel" 2 \
'kith log: --via: unknown channel "fax" (one of in_person, video, call, letter, gift, text, email, social)' \
	kith log dana --via fax
check "a channel is spelled as in the design" 2 \
'kith log: --via: unknown channel "in-person" (one of in_person, video, call, letter, gift, text, email, social)' \
	kith log dana --via in-person
check "an unknown contact" 2 'kith log: WHO: no contact matches "nobody"' \
	kith log nobody --via call
check "a name listed twice" 2 'kith log: WHO: "Dana Whitfield" is named twice' \
	kith log dana,"Dana Whitfield" --via call
check "missing --via" 2 \
'kith log: --via: how did you meet? --via in_person, video, call, letter, gift, text, email or social' \
	kith log dana
check "a bad --at" 2 \
'kith log: --at: expected a time like 2026-11-20 09:30 or 2026-11-20T09:30:00Z, got "yesterday"' \
	kith log dana --via call --at yesterday
check "an impossible --at" 2 \
'kith log: --at: no such date or time: "2026-02-30 10:00"' \
	kith log dana --via call --at "2026-02-30 10:00"
check "bad --minutes" 2 \
'kith log: --minutes: expected a whole number from 0 to 100000, got "ninety"' \
	kith log dana --via call --minutes ninety
check "bad --direction names the option" 2 \
'kith log: --direction: unknown direction "sideways" (one of out, in, mutual)' \
	kith log dana --via call --direction sideways
check "failed logs wrote nothing" 0 "    1  Dana Whitfield            A                           1 day ago
    2  Sam Ortiz                                             just now" kith list
ok "touch counts unchanged after the failures" \
	test "$(kith --json show dana | jq .summary.touch_count)/$(kith --json show sam | jq .summary.touch_count)" = 4/8
finish
