#!/usr/bin/env bash
# T320: Today (`kith due`) words a waiting email as "unanswered for 2
# working days", counted in the owner's working hours (09:00-18:00,
# Monday to Friday, America/Chicago here) as response times are: a
# weekend never counts, nor the night; a reply that threads to the
# message takes it off, and the import counts it answered.
# Exercises src/core/agenda.c (agenda_unanswered_words),
# src/app/agenda_query.c and src/app/signals.c (app_signal_hours).
. "$(dirname "$0")/lib.sh"

printf 'correct horse battery staple\n' | kith user add ana@studio.example \
	--role owner --password-stdin >/dev/null
# A yearly cadence, so the only reason anyone is listed is the mail.
for who in "Dana Harbor:dana@harbor.example" "Pat Quay:pat@quay.example" \
	"Lee Early:lee@early.example" "Mo Late:mo@late.example" \
	"Rae Two:rae@two.example"; do
	kith add "${who%%:*}" --email "${who#*:}" --every 1y >/dev/null
done

# mbox FILE then, for each message: FROM TO DATE ID SUBJECT [IN-REPLY-TO]
mbox_msg() {
	printf 'From x Thu Nov 19 10:00:00 2026\nFrom: %s\nTo: %s\nDate: %s\nMessage-ID: <%s>\nSubject: %s\n' \
		"$1" "$2" "$3" "$4" "$5"
	[ -n "${6:-}" ] && printf 'In-Reply-To: <%s>\nReferences: <%s>\n' "$6" "$6"
	printf '\nbody\n\n'
}
# Now is Friday 20 November 2026, 09:00 in Chicago (15:00Z).
{
	# Wednesday 09:00 Chicago: all of Wednesday and Thursday since.
	mbox_msg dana@harbor.example ana@studio.example \
		"Wed, 18 Nov 2026 15:00:00 +0000" d1@harbor.example "Pricing for spring?"
	# Thursday 15:00 Chicago: three working hours that day.
	mbox_msg mo@late.example ana@studio.example \
		"Thu, 19 Nov 2026 21:00:00 +0000" m1@late.example "Contract draft"
	# Thursday 17:45 Chicago: a quarter of an hour before closing.
	mbox_msg rae@two.example ana@studio.example \
		"Thu, 19 Nov 2026 23:45:00 +0000" r1@two.example "First"
	mbox_msg rae@two.example ana@studio.example \
		"Fri, 20 Nov 2026 01:00:00 +0000" r2@two.example "Second"
	# Friday 06:00 Chicago: before the day's hours began.
	mbox_msg lee@early.example ana@studio.example \
		"Fri, 20 Nov 2026 12:00:00 +0000" e1@early.example "Up early"
} >"$T_DIR/in.mbox"
kith import "$T_DIR/in.mbox" >/dev/null

check "Today counts each wait in working time" 0 \
"Friday 20 November 2026  4 to reach

  1  Dana Harbor
       • unanswered for 2 working days: \"Pricing for spring?\"
  2  Lee Early
       • unanswered, outside working hours so far: \"Up early\"
  3  Mo Late
       • unanswered for 3 working hours: \"Contract draft\"
  4  Rae Two
       • unanswered for 15 working minutes: \"First\" (and 1 more)" \
	kith due
ok "--json (kj_agenda, as GET /api/v1/agenda for the web Today) carries the words" \
	test "$(kith --json due | jq -r '.[0].reasons[0] | "\(.kind)|\(.text)"')" = \
	'signal|unanswered for 2 working days: "Pricing for spring?"'

# Pat writes Friday 09:00 Chicago; by Tuesday 09:00 four calendar days
# have passed, two of them a weekend: two working days.
mbox_msg pat@quay.example ana@studio.example \
	"Fri, 20 Nov 2026 15:00:00 +0000" p1@quay.example "Before the weekend" \
	>"$T_DIR/pat.mbox"
kith import "$T_DIR/pat.mbox" >/dev/null
ok "a weekend in between does not count" \
	test "$(KITH_NOW=2026-11-24T15:00:00Z kith --json due | jq -r '.[] | select(.contact.name == "Pat Quay") | .reasons[0].text')" = \
	'unanswered for 2 working days: "Before the weekend"'
ok "nor a weekend at the end: Monday morning still reads Friday's count" \
	test "$(KITH_NOW=2026-11-23T14:59:00Z kith --json due | jq -r '.[] | select(.contact.name == "Pat Quay") | .reasons[0].text')" = \
	'unanswered for 1 working day: "Before the weekend"'

# Ana answers Dana, threading to her message: Dana leaves Today.
mbox_msg ana@studio.example dana@harbor.example \
	"Fri, 20 Nov 2026 14:30:00 +0000" o1@studio.example "Re: Pricing for spring?" \
	d1@harbor.example >"$T_DIR/reply.mbox"
check "the reply answers the signal" 0 \
	"Read 1 message: 1 touch, 0 signals, 1 answered; 0 already seen, 0 lists or automatic, 0 from people not in the book" \
	kith import "$T_DIR/reply.mbox"
ok "a reply threading to it takes it off Today" \
	test "$(kith --json due | jq -r '[.[].contact.name] | join(",")')" = "Pat Quay,Lee Early,Mo Late,Rae Two"
ok "and Dana's signal shows its answer" \
	test "$(kith --json signals | jq -r '.[] | select(.text == "Pricing for spring?") | .answered_at')" = 2026-11-20T14:30:00Z

finish
