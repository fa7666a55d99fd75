#!/usr/bin/env bash
# T060: JSON export, import into an empty database, export again is
# byte-identical; bad import files are refused whole, naming file and field.
# Exercises src/input/book_json.c (the backup reader) and src/app/book.c.
. "$(dirname "$0")/lib.sh"

kith init >/dev/null
kith add "Dana Whitfield" --email dana@harbor.example --phone +1-555-0100 \
	--org "Harbor Freight Co" --title COO --tz America/Chicago --tier A \
	--every 14 --meet-every 90 --tag client --since 2019-03-01 >/dev/null
kith add "Sam Ortiz" --org "Harbor Freight Co" --tz Europe/Berlin >/dev/null
kith add "Gone Soon" >/dev/null
kith add "Lee Park" --tag family --handle @lee >/dev/null
kith delete "gone soon" >/dev/null   # ids need not be dense
kith log dana,sam --via in_person --at "2026-11-18 09:30" --minutes 90 \
	--note "coffee at Lulu's" >/dev/null
kith log lee --via text --direction in --at 2026-11-19T08:00:00Z >/dev/null
kith log dana --via call >/dev/null
kith fact dana "flat white, no sugar" >/dev/null
kith date dana birthday 1980-05-02 >/dev/null
kith date lee anniversary --06-14 >/dev/null
kith promise dana "send laptop specs" --due 2026-11-28 >/dev/null
kith promise sam "intro to Lee" >/dev/null
kith done 2 >/dev/null
kith gift dana "holiday basket" --value 80 >/dev/null
kith revenue dana 1200.50 --at 2025-01-10 --note "Q1" >/dev/null
kith cadence --tag family --every 14 >/dev/null
kith snooze lee --until 2026-12-01 >/dev/null

B=$T_DIR/book.json
BOOK_DB=$KITH_DB
check "export" 0 "" kith export --format json --output "$B"
ok "export goes to stdout too" cmp -s "$B" <(kith export)
ok "the document has no export timestamp" \
	test "$(jq -r 'paths | map(tostring) | join(".")' "$B" | grep -ci 'export')" = 0
check "import into a new database (--db)" 0 \
	"Imported 3 contacts, 3 touchpoints, 1 organizations from $B" \
	kith --db "$T_DIR/two.db" import "$B"
ok "export again is byte-identical" cmp "$B" <(kith --db "$T_DIR/two.db" export)
check "import with KITH_DB" 0 '{
  "contacts": 3,
  "touchpoints": 3,
  "organizations": 1
}' \
	env KITH_DB="$T_DIR/three.db" "$KITH" --json import "$B" --format json
ok "ids are kept (Lee is still #4)" \
	test "$(KITH_DB=$T_DIR/three.db kith --json show 4 | jq -r .name)" = "Lee Park"
ok "and the third export is identical too" \
	cmp "$B" <(KITH_DB=$T_DIR/three.db kith export)
ok "summaries are rebuilt on import" \
	test "$(KITH_DB=$T_DIR/three.db kith --json due)" = "$(kith --json due)"

before=$(db_dump)
check "import into a non-empty workspace is refused" 2 \
"kith import: $B: the workspace already holds contacts; a book restores into an empty workspace (use --workspace NAME for a new one)" \
	kith import "$B"
ok "and writes nothing" test "$before" = "$(db_dump)"
check "an unknown format" 2 'kith import: --format: unknown format "xml" (json, vcard, csv)' \
	kith import "$B" --format xml

export KITH_DB=$T_DIR/empty.db
kith init >/dev/null
before=$(db_dump)
cd "$T_DIR" || exit 1
head -c 700 book.json >trunc.json
check "truncated JSON: file and line" 2 \
	"kith import: trunc.json:$(($(wc -l <trunc.json) + 1)): not valid JSON: string or '}' expected near end of file" \
	kith import trunc.json
jq '.contacts[1].colour = "blue"' book.json >unknown.json
check "an unknown field" 2 "kith import: unknown.json: contacts[1].colour: unknown field" \
	kith import unknown.json
jq '.contacts[2].since = "2023-02-30"' book.json >since.json
check "an impossible date" 2 \
	'kith import: since.json: contacts[2].since: no such date: "2023-02-30"' \
	kith import since.json
jq '.touchpoints[1].channel = "fax"' book.json >channel.json
check "a touchpoint with an unknown channel" 2 \
'kith import: channel.json: touchpoints[1].channel: unknown channel "fax" (one of in_person, video, call, letter, gift, text, email, social)' \
	kith import channel.json
jq '.touchpoints[2].contacts = [1, 3]' book.json >missing.json
check "a touchpoint naming a missing contact" 2 \
	"kith import: missing.json: touchpoints[2].contacts: no contact 3" \
	kith import missing.json
jq '.facts[0].contact_id = 42' book.json >fact.json
check "a fact naming a missing contact names its field" 2 \
	"kith import: fact.json: facts[0].contact_id: no contact 42" \
	kith import fact.json
jq '.contacts[1].id = 1' book.json >dup.json
check_rc "a duplicate contact id is bad input" 2 kith import dup.json
ok "and the message names the field, not SQL" \
	grep -qx 'kith import: dup.json: contacts\[1\]\.id: .*' "$T_DIR/out"
jq '.version = 2' book.json >v2.json
check "an unknown book version" 2 "kith import: v2.json: version: unsupported book version" \
	kith import v2.json
check "a missing file" 2 "kith import: FILE: cannot read nowhere.json: No such file or directory" \
	kith import nowhere.json
after=$(db_dump)
ok "every refused import left the database unchanged" test "$before" = "$after"
[ "$before" = "$after" ] || diff <(echo "$before") <(echo "$after") | sed "s/^/#   /"
check "and it is still empty" 0 "No contacts yet. Add one: kith add \"Dana Whitfield\" --email dana@harbor.example" \
	kith list
# What an address book brought rides in the backup too: labels, addresses,
# the UID and the card kept for write-back; a book without them is as before.
jq '.contacts[0] += {email_labels: ["work"], phone_labels: ["mobile"],
	addresses: ["1 Main St, Springfield", "PO Box 7"],
	address_labels: ["work", ""], uid: "urn:uuid:dana-1",
	card: "item1.X-ABLABEL:Assistant\r\nX-CUSTOM;TYPE=a,b:kept"}' \
	book.json >cards.json
check_rc "a book with address-book fields" 0 \
	kith --db "$T_DIR/cards.db" import cards.json
ok "exports byte-identical" cmp cards.json <(kith --db "$T_DIR/cards.db" export)
ok "the API's contact carries labels and uid, not the card" \
	test "$(kith --db "$T_DIR/cards.db" --json show 1 |
		jq -c '[.email_labels, .phone_labels, .address_labels, .uid, .card]')" = \
	'[["work"],["mobile"],["work",""],"urn:uuid:dana-1",null]'
jq '.contacts[0].email_labels = ["work", "home"]' cards.json >labels.json
check "a label for an email that is not there" 2 \
	'kith import: labels.json: contacts[0].email_labels: 2 labels for 1 emails (one each, "" for none)' \
	kith --db "$T_DIR/labels.db" import labels.json
# Ids are per workspace (migration 19): the book restored beside the
# workspace it came from, in the same database, keeps every id, so its
# export is the original's but for the workspace's name. Last: the
# database then holds two workspaces.
check "restore beside the original, in a new workspace" 0 "" \
	sh -c "KITH_DB='$BOOK_DB' '$KITH' --workspace Beside import '$B' >/dev/null"
ok "  ... keeps its ids: the export is the same but for the name" \
	cmp <(jq 'del(.workspace.name)' "$B") \
	<(KITH_DB=$BOOK_DB kith --workspace Beside export | jq 'del(.workspace.name)')
ok "  ... and the original is untouched" \
	cmp "$B" <(KITH_DB=$BOOK_DB kith --workspace "$(jq -r .workspace.name "$B")" export)
# An export reads each table once, touches' participants included a
# batch at a time: its statements do not grow with the book (2,000
# touches were 4,000 statements more; 25 s for 30,000 on Citus).
kith --workspace Many demo --contacts 200 --touches 2000 >/dev/null
KITH_SQL_LOG=$T_DIR/export.sql kith --workspace Many export >/dev/null
ok "an export of 2,000 touches runs under 60 statements ($(wc -l <"$T_DIR/export.sql"))" \
	test "$(wc -l <"$T_DIR/export.sql")" -lt 60
finish
