#!/usr/bin/env bash
# T130: kith import of vCard files: contacts created with their labels,
# addresses and year-less birthdays; duplicates matched by UID, email
# (any case) and phone (E.164 in the zone's country); a second import
# writes nothing; --dry-run reports exactly what the real run does and
# writes nothing; a bad card stops everything with file:line: field;
# --skip-bad lists it and imports the rest; a folder of .vcf files.
# Exercises src/app/import.c, src/cli/book.c (cmd_import), the store's
# match queries. Fixtures: tests/data/import/.
. "$(dirname "$0")/lib.sh"

cp -r "$(dirname "$0")/../data/import/." "$T_DIR/"
cd "$T_DIR" || exit 1
export -f kith
kith init >/dev/null
# The workspace has no zone of its own: the server's (TZ, Chicago), so
# a national US number is read as +1.
kith add "Ann Existing" --phone "+1 415-555-0134" >/dev/null

before=$(db_dump)
check "a dry run says what would happen" 0 \
"Would import 4 contacts from people.vcf: 3 created, 1 merged, 0 unchanged
  would merge people.vcf:1 Ann Lee into #1 (same phone): added email ann@example.org, label mobile, address 1 Main St, Springfield, IL 62701, USA, uid, vCard, birthday" \
	kith import --dry-run people.vcf
ok "and writes nothing" test "$before" = "$(db_dump)"
kith --json import --dry-run people.vcf >dry.json
check "the real run does what the dry run said" 0 \
"Imported 4 contacts from people.vcf: 3 created, 1 merged, 0 unchanged
  merged people.vcf:1 Ann Lee into #1 (same phone): added email ann@example.org, label mobile, address 1 Main St, Springfield, IL 62701, USA, uid, vCard, birthday" \
	kith import people.vcf
ok "the JSON reports of both agree but for dry_run" \
	test "$(jq -c 'del(.dry_run)' dry.json)" = \
	"$(kith --db "$T_DIR/other.db" init >/dev/null; kith --db "$T_DIR/other.db" add "Ann Existing" --phone "+1 415-555-0134" >/dev/null; kith --db "$T_DIR/other.db" --json import people.vcf | jq -c 'del(.dry_run)')"
ok "dry_run is said" test "$(jq .dry_run dry.json)" = true

row() { sqlite3 "$KITH_DB" "$1"; }
ok "the existing name wins, the card's email and label are added" \
	test "$(row "SELECT name FROM contact WHERE id = 1")|$(row "SELECT email || '/' || label FROM contact_email WHERE contact_id = 1")|$(row "SELECT label FROM contact_phone WHERE contact_id = 1")" = \
	"Ann Existing|ann@example.org/work|mobile"
ok "the address is stored, one line, with its label" \
	test "$(row "SELECT address || '/' || label FROM contact_address WHERE contact_id = 1")" = \
	"1 Main St, Springfield, IL 62701, USA/home"
ok "a year-less birthday is a yearly date on 03-15, year unknown" \
	test "$(row "SELECT kind, year_known, yearly, strftime('%m-%d', day * 86400, 'unixepoch') FROM kdate WHERE contact_id = 1")" = \
	"birthday|0|1|03-15"
ok "a dated birthday keeps its year" \
	test "$(row "SELECT year_known FROM kdate k JOIN contact c ON c.id = k.contact_id WHERE c.name = 'Bo Chen'")" = 1
ok "the uid and the card are kept for write-back" \
	test "$(row "SELECT uid, CAST(instr(card, 'X-CUSTOM:kept') > 0 AS INTEGER) FROM contact WHERE id = 1")" = "ann-1|1"
ok "a 2.1 card without FN is named from N" \
	test "$(row "SELECT count(*) FROM contact WHERE name = 'Cy Diaz'")" = 1

once=$(db_dump)
check "the same file twice changes nothing" 0 \
	"Imported 4 contacts from people.vcf: 0 created, 0 merged, 4 unchanged" \
	kith import people.vcf
ok "not a byte" test "$once" = "$(db_dump)"
ok "a card with no key matches itself" \
	test "$(kith --json import people.vcf | jq -r '.items[3].matched_by')" = card

check "duplicates by email (any case), phone, uid and within the file" 0 \
"Imported 5 contacts from dupes.vcf: 1 created, 3 merged, 1 unchanged
  merged dupes.vcf:1 Ann L. into #1 (same email): added email ann.home@example.org
  merged dupes.vcf:7 Annie into #1 (same phone): added notes
  merged dupes.vcf:23 Dee Evans into #5 (same email): added phone +1 312 555 0199" \
	kith import dupes.vcf
ok "the UID card matched by uid" \
	test "$(kith --json import dupes.vcf | jq -r '.items[2] | .matched_by + " " + .action + " " + (.contact_id|tostring)')" = "uid unchanged 1"
ok "one Dee, with both" test "$(row "SELECT count(*) FROM contact WHERE name = 'Dee Evans'")|$(row "SELECT count(*) FROM contact_phone p JOIN contact c ON c.id = p.contact_id WHERE c.name = 'Dee Evans'")" = "1|1"
ok "one Ann" test "$(row "SELECT count(*) FROM contact")" = 5

before=$(db_dump)
check "a bad card stops the import" 2 \
	"kith import: bad.vcf:9: EMAIL: no '@' in \"bad.example.org\"" \
	kith import bad.vcf
ok "and nothing is written, not even the good cards" test "$before" = "$(db_dump)"
check "--skip-bad imports the rest and lists the bad one" 0 \
"Imported 2 contacts from bad.vcf: 2 created, 0 merged, 0 unchanged, 1 skipped
  skipped bad.vcf:9: EMAIL: no '@' in \"bad.example.org\"" \
	kith import --skip-bad bad.vcf
check "the skipped item in JSON" 0 \
	'{"line":9,"name":"Bad Mail","action":"skipped","contact_id":null,"matched_by":null,"reason":"bad.vcf:9: EMAIL: no '"'"'@'"'"' in \"bad.example.org\""}' \
	bash -c "kith --json import --skip-bad bad.vcf | jq -c '.items[1]'"
check "a file that is not there" 2 \
	"kith import: FILE: cannot read none.vcf: No such file or directory" \
	kith import none.vcf
printf 'BEGIN:VCARD\r\nVERSION:3.0\r\nFN:No End\r\n' >noend.vcf
check "a card without END" 2 "kith import: noend.vcf:1: END: card has no END:VCARD" \
	kith import noend.vcf

check "a folder: every .vcf in it, sorted" 0 \
"Imported 3 contacts from dir: 2 created, 1 merged, 0 unchanged
  merged dir/b.VCF:6 Folder A into #8 (same email): added phone +1 312 555 0100" \
	kith import dir
check "each item names its file" 0 "dir/a.vcf dir/b.VCF dir/b.VCF" \
	bash -c "kith --json import dir | jq -r '[.items[].file] | join(\" \")'"
mkdir empty
check "an empty folder" 2 "kith import: FILE: no .vcf files in empty" kith import empty

check "stdin as vCard, sniffed" 0 \
	"Imported 4 contacts from stdin: 0 created, 0 merged, 4 unchanged" \
	bash -c 'kith import - <people.vcf'
check "--map is for CSV" 2 "kith import: --map: --map names the columns of a CSV file" \
	kith import --map "a=email" people.vcf
kith export --output book.json
check "--dry-run is not for a book" 2 \
	"kith import: FILE: --dry-run, --skip-bad and --map are for vCard and CSV files; a JSON book is restored whole" \
	kith import --dry-run book.json
finish
