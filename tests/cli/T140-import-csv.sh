#!/usr/bin/env bash
# T140: kith import of contacts CSV files: exporters recognised by their
# header (the profile), labels and year-less birthdays stored, --map for
# other columns, an unknown column reported and kept on the card, the same
# file twice writes nothing, --dry-run agrees with the real run, a bad row
# stops the import with file:line: column and --skip-bad lists it.
# Exercises src/app/import.c over src/input/csv.c, src/cli/book.c.
# Fixtures: tests/data/csv/.
. "$(dirname "$0")/lib.sh"

cp -r "$(dirname "$0")/../data/csv/." "$T_DIR/"
cd "$T_DIR" || exit 1
export -f kith
kith init >/dev/null
row() { sqlite3 "$KITH_DB" "$1"; }

before=$(db_dump)
kith --json import --dry-run google.csv >dry.json
ok "a dry run writes nothing" test "$before" = "$(db_dump)"
check "Google's export" 0 \
	"Imported 2 contacts from google.csv: 2 created, 0 merged, 0 unchanged" \
	kith import google.csv
ok "is recognised as Google's" test "$(jq -r .profile dry.json)" = google
ok "and the dry run said just that" test "$(jq -c '[.created, .merged, .unchanged, (.items | map(.action + " " + (.contact_id|tostring)))]' dry.json)" = \
	'[2,0,0,["created 1","created 2"]]'
ok "labels from \"* Home\" and \"Work\"" \
	test "$(row "SELECT group_concat(email || '/' || label, ' ') FROM (SELECT * FROM contact_email WHERE contact_id = 1 ORDER BY pos) AS e")" = \
	"marcus.chen@gmail.example/home mchen@brightline.example/work"
ok "a year-less birthday from --03-15 and a dated anniversary" \
	test "$(row "SELECT group_concat(kind || ' ' || year_known || ' ' || strftime('%m-%d', day * 86400, 'unixepoch'), ', ') FROM (SELECT * FROM kdate WHERE contact_id = 1 ORDER BY kind) AS d")" = \
	"anniversary 1 05-21, birthday 0 03-15"
ok "the address is one line" \
	test "$(row "SELECT address FROM contact_address WHERE contact_id = 1")" = \
	"2231 Fillmore St, San Francisco, CA 94115, US"

once=$(db_dump)
check "the same file twice" 0 \
	"Imported 2 contacts from google.csv: 0 created, 0 merged, 2 unchanged" \
	kith import google.csv
ok "changes nothing" test "$once" = "$(db_dump)"
check "an export from elsewhere of the same person merges" 0 \
"Imported 1 contacts from google_legacy.csv: 1 created, 0 merged, 0 unchanged
Columns kith does not know, kept on each card: \"Hobby\"" \
	kith import google_legacy.csv

check "Outlook's export, its unknown columns said" 0 \
"Imported 2 contacts from outlook.csv: 2 created, 0 merged, 0 unchanged
Columns kith does not know, kept on each card: \"Gender\", \"Priority\", \"Private\", \"Sensitivity\", \"Spouse\"" \
	kith import outlook.csv
check "and in the JSON report" 0 '{"profile":"outlook","unknown_columns":["Gender","Priority","Private","Sensitivity","Spouse"]}' \
	bash -c 'kith --json import outlook.csv | jq -c "{profile, unknown_columns}"'
check "LinkedIn's" 0 "linkedin" bash -c 'kith --json import linkedin.csv | jq -r .profile'
check "an unknown column" 0 '["Shoe Size","Favourite Colour"]' \
	bash -c 'kith --json import q_unknown.csv | jq -c .unknown_columns'
ok "is kept on the card" \
	test "$(row "SELECT CAST(instr(card, 'X-KITH-CSV;X-COLUMN=Shoe Size:38') > 0 AS INTEGER) FROM contact WHERE name = 'Ann'")" = 1

MAP="Vorname=given,Nachname=family,E-Mail=email:work,Telefon=phone,Firma=org,Geburtstag=birthday"
check "--map names another CSV's columns" 0 \
	"Imported 1 contacts from q_semicolon_map.csv: 1 created, 0 merged, 0 unchanged" \
	kith import --map "$MAP" q_semicolon_map.csv
ok "into the right fields" \
	test "$(row "SELECT c.name || '|' || o.name || '|' || e.email || '/' || e.label FROM contact c JOIN organization o ON o.id = c.org_id JOIN contact_email e ON e.contact_id = c.id WHERE e.email = 'j@example.de'")" = \
	"Jürgen Müller|Müller GmbH|j@example.de/work"
check "a --map of an unknown target" 2 \
	'kith import: q_semicolon_map.csv: --map: unknown target "mail" (expected name, given, family, email, phone, org, title, notes, birthday, address, url, ignore...)' \
	kith import --map "E-Mail=mail" q_semicolon_map.csv

before=$(db_dump)
check "a bad row stops everything" 2 \
	'kith import: q_bad_date.csv:2: Birthday: expected a date like 1980-03-15, 3/15/1980 or --03-15, got "1980-02-30"' \
	kith import q_bad_date.csv
printf 'Name,Email\nGood Row,good@example.org\nBad Row,bad.example.org\n' >email.csv
check "a bad email in a row" 2 "kith import: email.csv:3: EMAIL: no '@' in \"bad.example.org\"" \
	kith import email.csv
printf 'Name,Email\nGood Row,good@example.org\nBad Row,bad.example.org\nWide,w@example.org,extra\n' >rows.csv
check "a row wider than the header" 2 "kith import: rows.csv:4: a row of 3 fields under a header of 2" \
	kith import rows.csv
ok "and nothing is written" test "$before" = "$(db_dump)"
check "--skip-bad lists each bad row in its place and imports the rest" 0 \
"Imported 1 contacts from rows.csv: 1 created, 0 merged, 0 unchanged, 2 skipped
  skipped rows.csv:3: EMAIL: no '@' in \"bad.example.org\"
  skipped rows.csv:4: a row of 3 fields under a header of 2" \
	kith import --skip-bad rows.csv
check "a quote never closed is fatal even with --skip-bad" 2 \
	"kith import: q_bad_quote.csv:3: a quoted field is not closed" \
	kith import --skip-bad q_bad_quote.csv

cp google.csv google.txt
check "a CSV on stdin needs --format" 2 \
	"kith import: --format: cannot tell what stdin holds: name it with --format json, vcard or csv" \
	bash -c 'kith import - <google.txt'
check "--format csv forces it" 0 \
	"Imported 2 contacts from stdin: 0 created, 0 merged, 2 unchanged" \
	bash -c 'kith import --format csv - <google.txt'
check "and for a file of another name" 0 \
	"Imported 2 contacts from google.txt: 0 created, 0 merged, 2 unchanged" \
	kith import --format csv google.txt
finish
