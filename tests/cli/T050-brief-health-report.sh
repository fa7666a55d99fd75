#!/usr/bin/env bash
# T050: brief, health and report on a small book: a loyal client owed a
# thank-you, a digital-only relationship, and a friend met for coffee.
. "$(dirname "$0")/lib.sh"

kith init >/dev/null
kith add "Dana Whitfield" --org "Harbor Freight Co" --title COO \
	--tz America/New_York --tier A --since 2019-03-01 --tag client >/dev/null
kith add "Omar Haddad" --tz Asia/Dubai --since 2024-01-10 >/dev/null
kith add "Sam Ortiz" >/dev/null
kith fact dana "daughter Emma starts college in 2027" >/dev/null
kith fact dana "flat white, no sugar" >/dev/null
kith date dana birthday 1980-11-24 >/dev/null
kith promise dana "send laptop specs" --due 2026-11-18 >/dev/null
kith revenue dana 48000 --at 2026-03-01 >/dev/null
kith log dana,sam --via in_person --at "2026-10-20 09:30" --minutes 90 \
	--note "coffee at Lulu's" >/dev/null
kith log dana --via call --at "2026-11-10 11:00" --direction in >/dev/null
kith log dana --via email --at "2026-11-17 08:00" >/dev/null
for d in 01 15; do
	kith log omar --via email --at "2026-10-$d 09:00" >/dev/null
	kith log omar --via social --at "2026-11-$d 09:00" --direction in >/dev/null
done

check "brief: one screen before the call" 0 "Dana Whitfield · COO, Harbor Freight Co · tier A
Fri 10:00 in America/New_York, inside working hours
client for 7.7 years
lifetime value 48000
health 76/100  recency 40.0/40 · richness 15.8/25 · reciprocity 20.0/20 · responsiveness 0.0/15  -24 in 30 days

Remember
  • daughter Emma starts college in 2027
  • flat white, no sugar
  • seen with Sam Ortiz

Dates
  birthday       1980-11-24  in 4 days (46)

Open promises
  #1 send laptop specs  overdue, due 1 day ago

Last touch by channel
  In person  4 weeks ago
  Call       9 days ago
  Email      3 days ago

Recently
  3 days ago     Email
  9 days ago     Call
  4 weeks ago    In person coffee at Lulu's

Thank-you due: a loyal client with no gift in a year." kith brief dana

check "brief of a digital-only relationship" 0 "Omar Haddad
Fri 19:00 in Asia/Dubai, outside working hours
client for 2.9 years
health 81/100  recency 40.0/40 · richness 5.6/25 · reciprocity 20.0/20 · responsiveness 15.0/15  +18 in 30 days

Remember
  nothing yet (kith fact Omar Haddad \"...\")

Open promises
  none

Last touch by channel
  Email      5 weeks ago
  Social     5 days ago
  never met in person

Recently
  5 days ago     Social
  2 weeks ago    Social
  5 weeks ago    Email
  7 weeks ago    Email" kith brief omar

bj() { kith --json brief dana | jq -c "$1"; }
ok "json brief: facts" test "$(bj '[.facts[].text]')" = \
	'["daughter Emma starts college in 2027","flat white, no sugar"]'
ok "json brief: dates with next occurrence and age" \
	test "$(bj '[.dates[] | [.kind, .date, .in_days, .years]]')" = '[["birthday","1980-11-24",4,46]]'
ok "json brief: open promises, overdue" \
	test "$(bj '[.promises[] | [.id, .text, .due, .overdue]]')" = \
	'[[1,"send laptop specs","2026-11-19T04:59:59Z",true]]'
ok "json brief: last touch by channel, all eight" \
	test "$(bj .last_by_channel)" = \
	'{"in_person":"2026-10-20T14:30:00Z","video":null,"call":"2026-11-10T17:00:00Z","letter":null,"gift":null,"text":null,"email":"2026-11-17T14:00:00Z","social":null}'
ok "json brief: health as in the terminal" \
	test "$(bj '[.health.score, .health.components, .health.trend]')" = \
	'[76,{"recency":40,"richness":15.8,"reciprocity":20,"responsiveness":0},-24]'
ok "json brief: local time and zone" \
	test "$(bj '[.local_time, .tz, .working_hours, .loyalty.thank_you_due]')" = \
	'["Fri 10:00","America/New_York",true,true]'

check "health WHO" 0 \
"81/100  recency 40.0/40 · richness 5.6/25 · reciprocity 20.0/20 · responsiveness 15.0/15  +18 in 30 days" \
	kith health omar
ok "health WHO in json: score and each component" \
	test "$(kith --json health omar | jq -c '[.score, .components]')" = \
	'[81,{"recency":40,"richness":5.6,"reciprocity":20,"responsiveness":15}]'
ok "the json score is the sum of its parts, rounded" \
	test "$(kith --json health dana | jq '(.components | add | round) == .score')" = true
check "health: the workspace distribution" 0 "   0-19   0
  20-39   0
  40-59   0
  60-79  ███████████████ 1
  80-100 ██████████████████████████████ 2
  mean 85.7 over 3 contacts" kith health
ok "health in json" test "$(kith --json health | jq -c .)" = \
	'{"contacts":3,"distribution":{"0-19":0,"20-39":0,"40-59":0,"60-79":1,"80-100":2},"mean":85.7}'

check "report" 0 "
Channel mix, last 12 months
  In person  █████ 1
  Video       0
  Call       █████ 1
  Letter      0
  Gift        0
  Text        0
  Email      █████████████████ 3
  Social     ███████████ 2

Human-touch balance
  29% human (in person, video, call, letter, gift), 14% face to face, over 7 touches in the last year
  digital only: Omar Haddad

Health
   0-19   0
  20-39   0
  40-59   0
  60-79  ███████████████ 1
  80-100 ██████████████████████████████ 2
  mean 85.7 over 3 contacts

Loyalty
  Dana Whitfield              7.7 years  health  76  value 48000  thank-you due

Going cold
  nobody" kith report
rj() { kith --json report | jq -c "$1"; }
ok "json report has every section" test "$(rj 'keys')" = \
	'["balance","balance_by_user","channel_mix","contacts","digital_only","going_cold","health_distribution","health_mean","loyal","thank_you_due"]'
ok "json report: channel mix by month, last 12" \
	test "$(rj '[(.channel_mix | length), .channel_mix[-1].month, .channel_mix[-1].social, .channel_mix[-2].email]')" = '[12,"2026-11",2,2]'
ok "json report: balance" test "$(rj '.balance | [.touches, .human, .face_to_face]')" = '[7,2,1]'
ok "json report: health distribution" test "$(rj .health_distribution)" = \
	'{"0-19":0,"20-39":0,"40-59":0,"60-79":1,"80-100":2}'
ok "json report: loyal" test "$(rj '.loyal')" = \
	'[{"id":1,"name":"Dana Whitfield","tenure_years":7.7,"lifetime_value":48000,"health":76,"thank_you_due":true}]'
ok "json report: thank-you due, going cold, digital only" \
	test "$(rj '[.thank_you_due, .going_cold, .digital_only]')" = \
	'[[{"id":1,"name":"Dana Whitfield"}],[],[{"id":2,"name":"Omar Haddad"}]]'
kith gift dana "holiday basket" --value 80 >/dev/null
kith log omar --via video --at "2026-11-19 08:00" >/dev/null
ok "a gift and a video call clear thank-you due and digital only" \
	test "$(rj '[.thank_you_due, .digital_only, .loyal[0].thank_you_due]')" = '[[],[],false]'
finish
