#!/usr/bin/env bash
# T110: the signals commands: webhook show/rotate, signals (list, --json,
# --stats, attach, new), focus, notify add/list/remove, and meetings
# import (a weekly RRULE), suggestions, confirm, and focus in a meeting.
# Signals come in over a real `kith serve` (on the same fixed clock).
. "$(dirname "$0")/lib.sh"
SERVER_PID=
stop_server() {
	[ -n "$SERVER_PID" ] && kill -TERM "$SERVER_PID" 2>/dev/null && wait "$SERVER_PID"
	SERVER_PID=
}
trap 'stop_server; rm -rf "$T_DIR"' EXIT
# start_server: as tests/api/lib.sh: sets BASE.
start_server() {
	"$KITH" serve --listen 127.0.0.1:0 2>"$T_DIR/serve.log" &
	SERVER_PID=$!
	for _ in $(seq 1 200); do
		BASE=$(sed -n 's|^kith: serving on \(http://[0-9.:]*\)/.*|\1|p' "$T_DIR/serve.log")
		[ -n "$BASE" ] && return 0
		sleep 0.05
	done
	echo "not ok - server did not start"; cat "$T_DIR/serve.log"; exit 1
}
# deliver JSON: POST to the webhook; prints the signal's id.
deliver() {
	curl -s -X POST -H 'content-type: application/json' -d "$1" "$BASE$HOOK" | jq -r .signal.id
}

printf 'correct horse battery staple\n' | kith user add ana@studio.example \
	--role owner --password-stdin >/dev/null
kith add "Dana Harbor" --email dana@harbor.example >/dev/null
kith add "Pat Quay" --email pat@quay.example --handle @patq >/dev/null

# ---- webhook ----
URL1=$(kith webhook show)
ok "webhook show prints a URL ending in /hooks/<secret>" \
	eval '[[ $URL1 =~ ^http://[^/]+/hooks/kith_hook_[A-Za-z0-9_-]{20,}$ ]]'
check "webhook show is stable" 0 "$URL1" kith webhook show
check "--base names the host" 0 "https://kith.example/hooks/${URL1##*/hooks/}" \
	kith webhook show --base https://kith.example/
check "--json gives {url}" 0 "$URL1" sh -c "\"$KITH\" --json webhook show | jq -r .url"
URL2=$(kith webhook rotate)
ok "webhook rotate changes the URL" test -n "$URL2" -a "$URL2" != "$URL1"
ok "rotate prints a URL of the same form" \
	eval '[[ $URL2 =~ ^http://[^/]+/hooks/kith_hook_[A-Za-z0-9_-]{20,}$ ]]'
check "show gives the rotated URL" 0 "$URL2" kith webhook show
check_rc "webhook with a bad subcommand exits 2" 2 kith webhook erase
HOOK=/hooks/${URL2##*/hooks/}

# ---- signals over a server ----
check "no signals yet" 0 "No signals yet. Point your site's webhook at the URL of kith webhook show." kith signals
check "--json: an empty array" 0 "[]" kith --json signals
start_server
ok "the old URL is refused" test "$(curl -s -o /dev/null -w '%{http_code}' -X POST -H 'content-type: application/json' -d '{"type":"form"}' "$BASE/hooks/${URL1##*/hooks/}")" = 404
S1=$(deliver '{"id":"ev-1","type":"website_visit","email":"dana@harbor.example","url":"https://studio.example/pricing","at":"2026-11-20T14:50:00Z"}')
S2=$(deliver '{"id":"ev-2","type":"form","email":"lee@nowhere.example","name":"Lee Lead","at":"2026-11-20T14:40:00Z"}')
S3=$(deliver '{"id":"ev-3","type":"inbound_email","email":"robin@new.example","text":"hello","at":"2026-11-20T14:30:00Z"}')
S4=$(deliver '{"id":"ev-4","type":"mention","handle":"patq","at":"2026-11-20T14:20:00Z"}')
deliver '{"id":"ev-1","type":"website_visit","email":"dana@harbor.example","url":"https://studio.example/pricing","at":"2026-11-20T14:50:00Z"}' >/dev/null
ok "four signals delivered" test "$S1/$S2/$S3/$S4" = "1/2/3/4"

kith --json signals >"$T_DIR/s.json"
ok "--json signals is an array of four (a repeat stored once)" test "$(jq 'length' "$T_DIR/s.json")" = 4
ok "items have id,type,at,contact,answered_at,response_minutes" \
	test "$(jq '[.[] | has("id") and has("type") and has("at") and has("contact") and has("answered_at") and has("response_minutes")] | all' "$T_DIR/s.json")" = true
ok "waiting: answered_at and response_minutes null" \
	test "$(jq '[.[] | .answered_at == null and .response_minutes == null] | all' "$T_DIR/s.json")" = true
ok "oldest waiting first" test "$(jq -r '[.[].id] | map(tostring) | join(" ")' "$T_DIR/s.json")" = "4 3 2 1"
ok "Dana's signal is hers" test "$(jq -r '.[] | select(.id == 1) | "\(.contact.id)/\(.contact.name)/\(.type)/\(.at)"' "$T_DIR/s.json")" = "1/Dana Harbor/website_visit/2026-11-20T14:50:00Z"
ok "the mention matched Pat by handle" test "$(jq -r '.[] | select(.id == 4) | .contact.name' "$T_DIR/s.json")" = "Pat Quay"
ok "leads have contact null" test "$(jq -r '[.[] | select(.id == 2 or .id == 3) | .contact] | map(tostring) | join(",")' "$T_DIR/s.json")" = "null,null"
check "the plain list: waiting first, with age, contact and leads" 0 \
"    4  waiting   Pat Quay                  mention                                   40 minutes ago
    3  waiting   robin@new.example         inbound_email                             30 minutes ago  lead
    2  waiting   lee@nowhere.example       form                                      20 minutes ago  lead
    1  waiting   Dana Harbor               website_visit https://studio.example/pr…  10 minutes ago" kith signals

# ---- leads: attach, new ----
check "attach a lead to a contact" 0 "Signal 2 now belongs to Dana Harbor (#1)" kith signals attach 2 Dana
check "new: the lead becomes a contact" 0 "Signal 3 now belongs to Robin New (#3)" kith signals new 3 --name "Robin New"
ok "the new contact keeps the lead's email" test "$(kith --json show "Robin New" | jq -r '.emails[0]')" = robin@new.example
kith --json signals >"$T_DIR/s.json"
ok "the list shows both attached" test "$(jq -r '[.[] | select(.id == 2 or .id == 3) | .contact.name] | join(",")' "$T_DIR/s.json")" = "Robin New,Dana Harbor"
check_rc "attach an unknown signal exits 2" 2 kith signals attach 99 Dana
check_rc "attach to an unknown contact exits 2" 2 kith signals attach 2 Nobody
check_rc "attach with a bad id exits 2" 2 kith signals attach x Dana
check_rc "signals with a bad subcommand exits 2" 2 kith signals frobnicate

# ---- answered by a touch; stats ----
check_rc "log a touch to Dana" 0 kith log Dana --via email --note "sent pricing"
kith --json signals >"$T_DIR/s.json"
ok "a touch answers Dana's signals" test "$(jq -r '[.[] | select(.contact.name == "Dana Harbor") | .answered_at != null] | all' "$T_DIR/s.json")" = true
ok "with response minutes a number" test "$(jq -r '.[] | select(.id == 1) | .response_minutes | type' "$T_DIR/s.json")" = number
ok "--waiting leaves them out" test "$(kith --json signals --waiting | jq -r '[.[].id] | map(tostring) | join(" ")')" = "4 3"
kith --json signals --stats >"$T_DIR/st.json"
ok "--stats has median_minutes, p90_minutes, breaches" \
	test "$(jq -r '.workspace | has("median_minutes") and has("p90_minutes") and has("breaches")' "$T_DIR/st.json")" = true
ok "--stats per user" test "$(jq -r '.users | type' "$T_DIR/st.json")" = array
ok "--stats plain names the target" sh -c "\"$KITH\" signals --stats | head -1 | grep -q 'target 30'"

# ---- focus ----
check "focus for 90m" 0 "Alerts for ana@studio.example are held until 2026-11-20T16:30:00Z; they come as one digest then." \
	kith focus --for 90m
check "focus shows it" 0 "Alerts for ana@studio.example are held until 2026-11-20T16:30:00Z; they come as one digest then." \
	kith focus
check "focus --json" 0 "true/2026-11-20T16:30:00Z" sh -c "\"$KITH\" --json focus | jq -r '\"\(.focused)/\(.until)\"'"
check "focus --off" 0 "Focus is off for ana@studio.example: alerts come as they happen." kith focus --off
check "focus --until" 0 "Alerts for ana@studio.example are held until 2026-11-20T18:00:00Z; they come as one digest then." \
	kith focus --until 2026-11-20T18:00:00Z
kith focus --off >/dev/null
check_rc "a bad duration exits 2" 2 kith focus --for banana
check_rc "a past --until exits 2" 2 kith focus --until 2026-11-20T10:00:00Z
check_rc "--for and --off together exit 2" 2 kith focus --for 1h --off
check_rc "an unknown --user exits 2" 2 kith focus --for 1h --user nobody@studio.example
check "nothing was left focused" 0 "Focus is off for ana@studio.example: alerts come as they happen." kith focus

# ---- notify ----
check "notify list, empty" 0 "No notification URLs. Add one: kith notify add https://ntfy.example/you" kith notify list
check "notify add" 0 "Alerts for ana@studio.example also go to https://ntfy.example/studio-ana (#1)" \
	kith notify add https://ntfy.example/studio-ana
check "notify add --json" 0 "Alerts for ana@studio.example also go to https://hooks.example/kith as JSON (#2)" \
	kith notify add https://hooks.example/kith --json
check "notify list" 0 "    1  https://ntfy.example/studio-ana
    2  https://hooks.example/kith  (json)" kith notify list
check_rc "notify add a non-http URL exits 2" 2 kith notify add file:///etc/passwd
check "notify remove" 0 "Removed" kith notify remove 1
check "the list without it" 0 "    2  https://hooks.example/kith  (json)" kith notify list
check_rc "notify remove an unknown id exits 2" 2 kith notify remove 99
check_rc "notify with a bad subcommand exits 2" 2 kith notify shout

# ---- meetings ----
cat >"$T_DIR/week.ics" <<'EOF'
BEGIN:VCALENDAR
VERSION:2.0
PRODID:-//kith tests//EN
BEGIN:VEVENT
UID:weekly-sync@test
DTSTAMP:20261101T000000Z
DTSTART:20261106T100000Z
DTEND:20261106T110000Z
RRULE:FREQ=WEEKLY;COUNT=6
SUMMARY:Weekly sync with Dana
LOCATION:https://meet.google.com/abc-defg-hij
ATTENDEE;CN=Dana Harbor:mailto:dana@harbor.example
ATTENDEE;CN=Ana:mailto:ana@studio.example
END:VEVENT
BEGIN:VEVENT
UID:deep-work@test
DTSTAMP:20261101T000000Z
DTSTART:20261120T143000Z
DTEND:20261120T153000Z
SUMMARY:Workshop
LOCATION:Room 4
END:VEVENT
END:VCALENDAR
EOF
check "meetings: nothing yet" 0 "No meetings to confirm. Import a calendar: kith meetings import week.ics" kith meetings
check "import: the weekly meeting expanded" 0 "Imported 7 meetings (6 with contacts); 3 past ones to confirm: kith meetings" \
	kith meetings import "$T_DIR/week.ics"
check "the past ones are suggested, as video" 0 "    1  2 weeks ago  video    Weekly sync with Dana (Dana Harbor)
    2  7 days ago  video    Weekly sync with Dana (Dana Harbor)
    3  5 hours ago  video    Weekly sync with Dana (Dana Harbor)" kith meetings
ok "--json meetings name the contact" test "$(kith --json meetings | jq -c '[.[] | .contacts] | unique')" = "[[1]]"
check "import again changes nothing" 0 "Imported 7 meetings (6 with contacts); 3 past ones to confirm: kith meetings" \
	kith meetings import "$T_DIR/week.ics"
check "confirm logs a touch" 0 "Logged meeting 1 as touchpoint #2" kith meetings confirm 1
ok "a video touch with Dana at the meeting's time" \
	test "$(kith --json brief Dana | jq -r '.recent_touches[] | select(.source == "calendar") | "\(.channel)/\(.at)/\(.minutes)"')" = "video/2026-11-06T10:00:00Z/60"
ok "Dana's summary counts it" test "$(kith --json show Dana | jq -r .summary.touch_count)" = 2
check_rc "confirm it again exits 2" 2 kith meetings confirm 1
check "dismiss another" 0 "Dismissed meeting 2" kith meetings dismiss 2
check "one left to confirm" 0 "    3  5 hours ago  video    Weekly sync with Dana (Dana Harbor)" kith meetings
check_rc "confirm an unknown meeting exits 2" 2 kith meetings confirm 99
check_rc "import a missing file exits 2" 2 kith meetings import "$T_DIR/nope.ics"
ok "import again keeps confirmed and dismissed" test "$(kith meetings import "$T_DIR/week.ics" >/dev/null; kith --json meetings | jq -r '[.[].id] | map(tostring) | join(" ")')" = 3
check "a meeting in progress holds alerts" 0 "Alerts for ana@studio.example are held until 2026-11-20T15:30:00Z; they come as one digest then." \
	kith focus
T=$(kith token create ana@studio.example --name t110 | tail -1)
ok "GET /api/v1/me/focus gives reason meeting" \
	test "$(curl -s -H "Authorization: Bearer $T" "$BASE/api/v1/me/focus" | jq -r '"\(.focused)/\(.reason)/\(.until)"')" = "true/meeting/2026-11-20T15:30:00Z"
kill -TERM "$SERVER_PID" && wait "$SERVER_PID"
rc=$?
SERVER_PID=
ok "the server stops cleanly on SIGTERM (exit 0)" test "$rc" = 0
[ "$rc" = 0 ] || grep -A12 'ERROR\|runtime error' "$T_DIR/serve.log" | head -40 | sed 's/^/#   /'
finish
