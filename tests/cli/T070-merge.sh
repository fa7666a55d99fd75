#!/usr/bin/env bash
# T070: kith merge: two records of one person become one.
. "$(dirname "$0")/lib.sh"

kith init >/dev/null
kith add "Dana Whitfield" --email dana@harbor.example --tier A \
	--since 2019-03-01 --tag client >/dev/null
kith add "Dana W" --email dana.w@gmail.example --email DANA@harbor.example \
	--phone +1-555-0199 --tag golf >/dev/null
kith add "Sam Ortiz" >/dev/null
kith log "dana w" --via call --at "2026-11-10 10:00" >/dev/null
kith log "dana w",sam --via in_person --at "2026-11-12 10:00" >/dev/null
kith log "dana whitfield","dana w" --via video --at "2026-11-05 10:00" >/dev/null
kith log "dana whitfield" --via email --at "2026-11-01 10:00" >/dev/null
kith fact "dana w" "likes flat white" >/dev/null
kith fact "dana whitfield" "daughter Emma" >/dev/null
kith date "dana w" birthday 1980-05-02 >/dev/null
kith promise "dana w" "send specs" --due 2026-11-28 >/dev/null
kith gift "dana w" "book" --value 25 >/dev/null

ok "before: Dana Whitfield has 2 touches, Dana W 3" \
	test "$(kith --json show 1 | jq .summary.touch_count)/$(kith --json show 2 | jq .summary.touch_count)" = 2/3
check "the second name resolves without the first" 0 \
	"Merged #2 into Dana Whitfield (#1): 4 touches" kith merge "Dana W" dana
check "one Dana left" 0 "    1  Dana Whitfield            A                           7 days ago
    3  Sam Ortiz                                             7 days ago" kith list
check "show after the merge" 0 "Dana Whitfield  #1
  email     dana@harbor.example, dana.w@gmail.example
  phone     +1-555-0199
  tags      client, golf
  tier      A
  client    2019-03-01
  cadence   every 30 days; face to face every 90 days
  last      7 days ago; in person 7 days ago (4 touches)
  due       in 3 weeks" kith show dana
ok "emails are a union, case-insensitive" \
	test "$(kith --json show dana | jq -c .emails)" = '["dana@harbor.example","dana.w@gmail.example"]'
ok "the shared video touch counts once" \
	test "$(kith --json brief dana | jq -c '[.recent_touches[] | [.channel, .contacts]]')" = \
	'[["in_person",[1,3]],["call",[1]],["video",[1]],["email",[1]]]'
ok "facts moved" test "$(kith --json brief dana | jq -c '[.facts[].text] | sort')" = \
	'["daughter Emma","likes flat white"]'
ok "dates moved" test "$(kith --json brief dana | jq -c '[.dates[].kind]')" = '["birthday"]'
check "promises moved" 0 \
"    1  Dana Whitfield          send specs                          in 8 days" kith promises
ok "gifts moved" test "$(kith --json brief dana | jq -c '[.gifts[].text]')" = '["book"]'
ok "Sam's touch now names Dana Whitfield" \
	test "$(kith --json brief sam | jq -c .seen_with)" = '["Dana Whitfield"]'
ok "Sam still has his one touch" test "$(kith --json show sam | jq .summary.touch_count)" = 1
check "the merged record is gone" 2 'kith show: WHO: no contact matches "2"' \
	kith show 2
check "its email now finds the survivor" 0 "$(kith show 1)" kith show dana.w@gmail.example
check "merge into self" 2 \
	'kith merge: INTO: "dana" names the same contact as FROM (#1); merge two different records' \
	kith merge dana dana
check "merge into self by id" 2 \
	'kith merge: INTO: "1" names the same contact as FROM (#1); merge two different records' \
	kith merge 1 1
check "merge with an unknown contact" 2 'kith merge: FROM: no contact matches "nobody"' \
	kith merge nobody dana
check "merge needs two names" 2 'kith merge: missing argument (see kith merge --help)' \
	kith merge dana
ok "the failed merges changed nothing" \
	test "$(kith --json show 1 | jq .summary.touch_count)/$(kith list | wc -l)" = 4/2
finish
