#!/usr/bin/env bash
# T300: email from files: `kith import` of an mbox and of a Maildir
# holding the same messages (one touch each, whichever came first),
# --dry-run writes nothing, lists, auto-replies and no-reply senders
# never become signals, a reply answers the signal of the message it
# replies to (read before or after it), an inbound message does not
# answer an earlier one, `kith mail suggest`, `kith mail alias`, and
# `kith mail watch` picking up a message as it lands.
# Exercises src/app/mail.c, src/input/mail.c, src/cli/mail.c.
. "$(dirname "$0")/lib.sh"
WATCH_PID=
trap '[ -n "$WATCH_PID" ] && kill "$WATCH_PID" 2>/dev/null; rm -rf "$T_DIR"' EXIT

printf 'correct horse battery staple\n' | kith user add ana@studio.example \
	--role owner --password-stdin >/dev/null
kith add "Dana Harbor" --email dana@harbor.example --org Harbor >/dev/null
kith add "Pat Quay" --email pat@quay.example >/dev/null
kith add "Carla Harbor" --email carla@harbor.example --org Harbor >/dev/null

M=$T_DIR/msgs
mkdir -p "$M"
# msg NAME HEADERS...: one message file, LF ends, a body after the header.
msg() {
	local name=$1
	shift
	{ printf '%s\n' "$@"; printf '\nbody of %s\n>From the archive\n' "$name"; } >"$M/$name"
}
# Time order (Chicago is UTC-6; working hours 09:00-18:00):
msg 01-dana  "From: Dana Harbor <dana@harbor.example>" "To: ana@studio.example" \
	"Subject: Pricing for spring?" "Date: Thu, 19 Nov 2026 16:00:00 +0000" \
	"Message-ID: <d1@harbor.example>"
msg 02-reply "From: Ana <ana@studio.example>" "To: Dana Harbor <dana@harbor.example>" \
	"Subject: Re: Pricing for spring?" "Date: Thu, 19 Nov 2026 16:45:00 +0000" \
	"Message-ID: <o1@studio.example>" "In-Reply-To: <d1@harbor.example>" \
	"References: <d1@harbor.example>"
msg 03-lead  "From: Nia Newby <nia@prospect.example>" "To: ana@studio.example" \
	"Subject: =?UTF-8?Q?Can_you_help_with_a_caf=C3=A9_brand=3F?=" \
	"Date: Thu, 19 Nov 2026 17:00:00 +0000" "Message-ID: <l1@prospect.example>"
msg 04-lead-reply "From: ana@studio.example" "To: nia@prospect.example" \
	"Subject: Re: Can you help" "Date: Thu, 19 Nov 2026 18:00:00 +0000" \
	"Message-ID: <o2@studio.example>" "In-Reply-To: <l1@prospect.example>"
msg 05-list  "From: Dana Harbor <dana@harbor.example>" "To: design@lists.example" \
	"List-Id: <design.lists.example>" "Precedence: list" \
	"Subject: [design] weekly" "Date: Thu, 19 Nov 2026 18:30:00 +0000" \
	"Message-ID: <list1@lists.example>"
msg 06-auto  "From: Pat Quay <pat@quay.example>" "To: ana@studio.example" \
	"Auto-Submitted: auto-replied" "Subject: Out of office" \
	"Date: Thu, 19 Nov 2026 19:00:00 +0000" "Message-ID: <auto1@quay.example>"
msg 07-noreply "From: Billing <no-reply@billing.example>" "To: ana@studio.example" \
	"Subject: Invoice" "Date: Thu, 19 Nov 2026 19:30:00 +0000" \
	"Message-ID: <bill1@billing.example>"
msg 08-pat-noid "From: Pat Quay <pat@quay.example>" "To: ana@studio.example" \
	"Subject: Quick question" "Date: Thu, 19 Nov 2026 20:00:00 +0000"
msg 09-pat-again "From: Pat Quay <pat@quay.example>" "To: ana@studio.example" \
	"Subject: Following up" "Date: Thu, 19 Nov 2026 21:00:00 +0000" \
	"Message-ID: <p2@quay.example>"
msg 10-sam1  "From: Sam Friend <sam@friends.example>" "To: ana@studio.example" \
	"Subject: lunch?" "Date: Wed, 18 Nov 2026 16:00:00 +0000" "Message-ID: <s1@friends.example>"
msg 11-sam2  "From: Sam Friend <sam@friends.example>" "To: ana@studio.example" \
	"Subject: lunch? (2)" "Date: Wed, 18 Nov 2026 17:00:00 +0000" "Message-ID: <s2@friends.example>"
msg 12-to-sam "From: ana@studio.example" "To: Sam Friend <sam@friends.example>" \
	"Subject: Re: lunch?" "Date: Wed, 18 Nov 2026 17:30:00 +0000" \
	"Message-ID: <o3@studio.example>" "In-Reply-To: <s2@friends.example>"
msg 13-old   "From: Dana Harbor <dana@harbor.example>" "To: ana@studio.example" \
	"Subject: Last month" "Date: Thu, 01 Oct 2026 16:00:00 +0000" "Message-ID: <old@harbor.example>"
msg 14-domain "From: Rob <rob@harbor.example>" "To: ana@studio.example" \
	"Subject: From Dana's colleague" "Date: Thu, 19 Nov 2026 22:00:00 +0000" \
	"Message-ID: <rob1@harbor.example>"
msg 15-team  "From: Dana Harbor <dana@harbor.example>" \
	"To: ana@studio.example, Carla Harbor <carla@harbor.example>" \
	"Subject: All of us" "Date: Fri, 20 Nov 2026 13:00:00 +0000" "Message-ID: <team@harbor.example>"

# The mbox: each message after a "From " line, its body's From quoted.
MBOX=$T_DIR/archive.mbox
for f in "$M"/*; do
	printf 'From sender@example Thu Nov 19 10:00:00 2026\n'
	cat "$f"
	printf '\n'
done >"$MBOX"

# ---- dry run ----
before=$(db_dump)
check "--dry-run says what an import would make" 0 \
	"Would read 15 messages: 7 touches, 8 signals, 3 answered; 0 already seen, 3 lists or automatic, 5 from people not in the book (dry run: nothing written)" \
	kith import "$MBOX" --dry-run
ok "--dry-run writes nothing" test "$before" = "$(db_dump)"

# ---- mbox ----
check "mbox import" 0 \
	"Read 15 messages: 7 touches, 8 signals, 3 answered; 0 already seen, 3 lists or automatic, 5 from people not in the book" \
	kith import "$MBOX"
kith --json signals >"$T_DIR/s.json"
sig() { jq -r --arg t "$1" '.[] | select(.text == $t) | "\(.contact.name // "lead")/\(.answered_at // "waiting")/\(.response_minutes // "-")"' "$T_DIR/s.json"; }
ok "the signals are type inbound_email" test "$(jq -r '[.[].type] | unique | join(",")' "$T_DIR/s.json")" = inbound_email
ok "Dana's question answered by the reply: 45 working minutes" \
	test "$(sig 'Pricing for spring?')" = "Dana Harbor/2026-11-19T16:45:00Z/45"
ok "the lead's question (RFC 2047 subject) answered by thread: 60 minutes" \
	test "$(sig 'Can you help with a café brand?')" = "lead/2026-11-19T18:00:00Z/60"
ok "Pat's first message still waits after Pat wrote again" \
	test "$(sig 'Quick question')" = "Pat Quay/waiting/-"
ok "and so does the second" test "$(sig 'Following up')" = "Pat Quay/waiting/-"
ok "the reply to Sam answers the message it replies to" \
	test "$(sig 'lunch? (2)')" = "lead/2026-11-18T17:30:00Z/30"
ok "not Sam's earlier one" test "$(sig 'lunch?')" = "lead/waiting/-"
ok "a colleague at Dana's organization matches by domain" \
	test "$(sig "From Dana's colleague")" = "Carla Harbor/waiting/-" -o "$(sig "From Dana's colleague")" = "Dana Harbor/waiting/-"
ok "no signal for the list, the auto-reply, the no-reply sender or last month" \
	test "$(jq -r '[.[].text] | map(select(. == "[design] weekly" or . == "Out of office" or . == "Invoice" or . == "Last month")) | length' "$T_DIR/s.json")" = 0
kith --json brief Dana >"$T_DIR/dana.json"
ok "Dana's timeline shows the emails with their subjects, newest first" \
	test "$(jq -r '[.recent_touches[] | select(.channel == "email") | "\(.direction):\(.note)"] | join("|")' "$T_DIR/dana.json")" = \
	"in:All of us|in:From Dana's colleague|out:Re: Pricing for spring?|in:Pricing for spring?|in:Last month"
ok "the touches' source is email" \
	test "$(jq -r '[.recent_touches[].source] | unique | join(",")' "$T_DIR/dana.json")" = email
ok "a message to two contacts is one touch with both" \
	test "$(jq -r '.recent_touches[0].contacts | length' "$T_DIR/dana.json")" = 2
ok "the user who received it took part" \
	test "$(jq -r '.recent_touches[0].users | join(",")' "$T_DIR/dana.json")" = 1

# ---- the same messages again, through a Maildir ----
MD=$T_DIR/Maildir
mkdir -p "$MD/cur" "$MD/new" "$MD/tmp" "$MD/.Sent/cur" "$MD/.Sent/new"
for f in "$M"/*; do
	case $f in
	*reply*|*to-sam*) cp "$f" "$MD/.Sent/cur/$(basename "$f"):2,S" ;;
	*) cp "$f" "$MD/new/$(basename "$f")" ;;
	esac
done
echo "garbage in tmp/ is never read" >"$MD/tmp/partial"
touches_before=$(kith --json brief Dana | jq '.recent_touches | length')
check "the Maildir of the same messages makes nothing new" 0 \
	"Read 15 messages: 0 touches, 0 signals, 0 answered; 15 already seen, 0 lists or automatic, 0 from people not in the book" \
	kith import "$MD"
ok "Dana has no duplicate touch" test "$(kith --json brief Dana | jq '.recent_touches | length')" = "$touches_before"
check "--json counts" 0 '{"messages":15,"touches":0,"signals":0,"answered":0,"duplicates":15,"bulk":0,"unknown":0,"skipped":0,"first_skipped":null,"dry_run":false}' \
	sh -c "\"$KITH\" --json import \"$MD\" | jq -c ."

# ---- Maildir first, in a second book: replies read before questions ----
main_db=$KITH_DB
export KITH_DB=$T_DIR/two.db
printf 'correct horse battery staple\n' | kith user add ana2@studio.example \
	--role owner --password-stdin >/dev/null
kith mail alias add ana@studio.example >/dev/null
kith add "Dana Harbor" --email dana@harbor.example --org Harbor >/dev/null
check "alias lists the user's other address" 0 "ana@studio.example" kith mail alias
check "Maildir import (Sent read first)" 0 \
	"Read 15 messages: 5 touches, 8 signals, 3 answered; 0 already seen, 3 lists or automatic, 7 from people not in the book" \
	kith import "$MD"
kith --json signals >"$T_DIR/s.json"
ok "a reply read before its question still answers it" \
	test "$(sig 'Can you help with a café brand?')" = "lead/2026-11-19T18:00:00Z/60"
ok "an alias decides direction: the reply to Dana is out" \
	test "$(kith --json brief Dana | jq -r '[.recent_touches[] | select(.note == "Re: Pricing for spring?") | .direction] | join(",")')" = out
check_rc "alias remove of an unknown address exits 2" 2 kith mail alias remove nobody@x.example
check_rc "alias add of a non-address exits 2" 2 kith mail alias add nobody
export KITH_DB=$main_db

# ---- suggestions ----
check "suggest: Sam wrote twice and got an answer; Nia once" 0 \
"sam@friends.example              Sam Friend                 2 in   1 out  replied  50%
nia@prospect.example             Nia Newby                  1 in   1 out  replied 100%
Add one: kith add NAME --email ADDRESS" kith mail suggest
ok "suggest --json has the figures" \
	test "$(kith --json mail suggest | jq -c '.[0] | [.address, .messages_in, .messages_out, .reply_rate, .score]')" = '["sam@friends.example",2,1,0.5,4.5]'
kith add "Sam Friend" --email sam@friends.example >/dev/null
ok "once Sam is a contact, Sam is no suggestion" \
	test "$(kith --json mail suggest | jq -r '[.[].address] | join(",")')" = nia@prospect.example

# ---- bad input ----
printf 'From x\nnot a header line at all\n\nFrom y\nFrom: ok@example.org\nTo: ana@studio.example\nSubject: fine\nMessage-ID: <fine@example.org>\n\n' >"$T_DIR/bad.mbox"
check "a message without a header is reported and skipped" 0 \
"Read 2 messages: 0 touches, 1 signal, 0 answered; 0 already seen, 0 lists or automatic, 1 from people not in the book
kith import: skipped 1 message without a usable header (first: $T_DIR/bad.mbox: message 1 (byte 0): no mail header field (expected lines like \"From: ana@example.org\"))" \
	kith import "$T_DIR/bad.mbox"
check_rc "import of a missing file exits 2" 2 kith import "$T_DIR/nope.mbox"
check_rc "watch of a folder that is no Maildir exits 2" 2 kith mail watch "$T_DIR/msgs"

# ---- watch ----
"$KITH" mail watch "$MD" >"$T_DIR/watch.out" 2>"$T_DIR/watch.err" &
WATCH_PID=$!
for _ in $(seq 1 100); do grep -q watching "$T_DIR/watch.err" && break; sleep 0.05; done
ok "watch starts and catches up (nothing new)" grep -q "^Read 15 messages: 0 touches" "$T_DIR/watch.out"
printf 'From: Dana Harbor <dana@harbor.example>\nTo: ana@studio.example\nSubject: Landed just now\nDate: Fri, 20 Nov 2026 14:59:00 +0000\nMessage-ID: <live@harbor.example>\n\nhi\n' >"$MD/tmp/live.eml"
mv "$MD/tmp/live.eml" "$MD/new/live.eml"
for _ in $(seq 1 100); do grep -q "live.eml" "$T_DIR/watch.out" && break; sleep 0.05; done
ok "a message moved into new/ is taken within seconds" \
	grep -q "new/live.eml: 1 touch, 1 signal, 0 answered" "$T_DIR/watch.out"
kill -TERM "$WATCH_PID"
wait "$WATCH_PID"
ok "watch ends cleanly on SIGTERM" test $? = 0
WATCH_PID=
ok "the new message is a signal of Dana's" \
	test "$(kith --json signals | jq -r '.[] | select(.text == "Landed just now") | .contact.name')" = "Dana Harbor"

finish
