#!/usr/bin/env bash
# T150: kith export --format vcard (3.0, 4.0), csv and ics, each read
# back: the vCard and CSV by kith's own readers (input/vcard.c,
# input/csv.c, through tests/unit/test_export --vcf/--csv), the
# calendar by libical (test_export --ics); a vCard export imported into
# a fresh database exports the same again. --format json is T060's.
# Exercises src/app/export.c, src/render/{vcard,csv,ics}.c.
. "$(dirname "$0")/lib.sh"
H="$(dirname "$KITH")/tests/test_export"

kith init >/dev/null
kith add "Dana Whitfield" --email dana@harbor.example --email dana@home.example \
	--phone "+1 415 555 0134" --org "Harbor Freight Co" --title COO \
	--tag client --tag "board, 2024" --notes 'likes "long" walks, and tea' >/dev/null
kith add "عمر حداد" --email omar@cedar.example >/dev/null
kith add "김민지" --phone "+82 2 555 0187" >/dev/null
kith add "Zoë Leap" >/dev/null
kith date dana birthday 1980-05-02 >/dev/null
kith date dana anniversary --06-14 >/dev/null
kith date "Zoë Leap" birthday --02-29 >/dev/null
kith date 김민지 "first order" 2025-03-01 --once >/dev/null
kith promise dana "send laptop specs" --due 2026-11-28 >/dev/null
kith promise 김민지 "intro to Lee" >/dev/null
kith promise "عمر حداد" "old one" --due 2026-11-01 >/dev/null
kith done 3 >/dev/null
# Labels and addresses have no CLI flags: a book carries them.
kith export >"$T_DIR/book.json"
jq '.contacts[0] += {email_labels: ["work", "home"], phone_labels: ["mobile"],
	addresses: ["2231 Fillmore St, San Francisco, CA 94115"], address_labels: ["home"]}' \
	"$T_DIR/book.json" >"$T_DIR/book2.json"
export KITH_DB=$T_DIR/labelled.db
kith import "$T_DIR/book2.json" >/dev/null

# ---- vCard ----
check "export --format vcard" 0 "" kith export --format vcard --output "$T_DIR/all.vcf"
ok "CRLF lines, 3.0" bash -c 'head -2 "$1" | od -c | grep -q "3   .   0  \\\\r  \\\\n"' _ "$T_DIR/all.vcf"
check "read back by kith's vCard reader" 0 \
"30|Dana Whitfield|dana@harbor.example|dana@home.example|+1 415 555 0134|2231 Fillmore St, San Francisco, CA 94115|birthday=1980-05-02,anniversary=--06-14
30|عمر حداد|omar@cedar.example|||
30|김민지||+82 2 555 0187||first order=2025-03-01
30|Zoë Leap||||birthday=--02-29" \
	"$H" --vcf "$T_DIR/all.vcf"
ok "labels go out as TYPE" grep -q $'^EMAIL;TYPE=work:dana@harbor.example\r$' "$T_DIR/all.vcf"
ok "the address with its label" grep -q $'^ADR;TYPE=home:;;2231 Fillmore St\\\\, San Francisco\\\\, CA 94115;;;;\r$' "$T_DIR/all.vcf"
ok "a year-less birthday in 3.0 is Apple's 1604" grep -q $'^BDAY;X-APPLE-OMIT-YEAR=1604:1604-02-29\r$' "$T_DIR/all.vcf"
ok "an anniversary in 3.0 is a labelled X-ABDATE" grep -q '^kith1.X-ABLABEL:_$!<Anniversary>!$_' "$T_DIR/all.vcf"
check "export --format vcard --version 4.0" 0 "" kith export --format vcard --version 4.0 --output "$T_DIR/all4.vcf"
check "4.0 read back" 0 \
"40|Dana Whitfield|dana@harbor.example|dana@home.example|+1 415 555 0134|2231 Fillmore St, San Francisco, CA 94115|birthday=1980-05-02,anniversary=--06-14
40|عمر حداد|omar@cedar.example|||
40|김민지||+82 2 555 0187||first order=2025-03-01
40|Zoë Leap||||birthday=--02-29" \
	"$H" --vcf "$T_DIR/all4.vcf"
ok "4.0: year-less is --MMDD, ANNIVERSARY itself" \
	bash -c 'grep -q $'"'"'^BDAY:--0229\r$'"'"' "$1" && grep -q $'"'"'^ANNIVERSARY:--0614\r$'"'"' "$1"' _ "$T_DIR/all4.vcf"
ok "stdout is the same as --output" bash -c 'cmp -s <("$0" export --format vcard) "$1"' "$KITH" "$T_DIR/all.vcf"
check "--version 2.1" 2 'kith export: --version: unknown vCard version "2.1" (3.0, 4.0)' \
	kith export --format vcard --version 2.1
check "--version with csv" 2 'kith export: --version: --version is for --format vcard' \
	kith export --format csv --version 4.0
check "an unknown format" 2 'kith export: --format: unknown format "xml" (json, vcard, csv, ics)' \
	kith export --format xml
check "--version before the command is still kith's" 0 "kith 0.1.0" kith --version

# A round trip through kith import, once it reads vCard (issue 15's
# import half): import into a fresh database, export again, the same.
t_n=$((t_n + 1))
if KITH_DB=$T_DIR/probe.db "$KITH" import "$T_DIR/all.vcf" >/dev/null 2>&1; then
	KITH_DB=$T_DIR/again.db "$KITH" import "$T_DIR/all.vcf" >/dev/null 2>&1
	KITH_DB=$T_DIR/again.db "$KITH" export --format vcard >"$T_DIR/again.vcf"
	if cmp -s <("$H" --vcf "$T_DIR/all.vcf") <("$H" --vcf "$T_DIR/again.vcf"); then
		echo "ok $t_n - vCard export, import into a fresh db, export: the same cards"
	else
		t_failed=$((t_failed + 1))
		echo "not ok $t_n - vCard export, import into a fresh db, export: the same cards"
		diff <("$H" --vcf "$T_DIR/all.vcf") <("$H" --vcf "$T_DIR/again.vcf") | sed 's/^/#   /'
	fi
else
	echo "ok $t_n - # SKIP kith import does not read vCard on this branch yet"
fi

# ---- CSV ----
check "export --format csv" 0 "" kith export --format csv --output "$T_DIR/all.csv"
ok "a BOM, then Google's header" bash -c 'head -c 3 "$1" | od -An -tx1 | grep -q "ef bb bf"' _ "$T_DIR/all.csv"
check "the header" 0 \
	"First Name,Last Name,Organization Name,Organization Title,Birthday,Notes,Labels,E-mail 1 - Label,E-mail 1 - Value,E-mail 2 - Label,E-mail 2 - Value,Phone 1 - Label,Phone 1 - Value,Address 1 - Label,Address 1 - Formatted,Event 1 - Label,Event 1 - Value" \
	bash -c 'head -1 "$1" | tail -c +4 | tr -d "\r"' _ "$T_DIR/all.csv"
check "read back by kith's CSV reader as Google's" 0 \
"profile google, 0 unknown columns
30|Dana Whitfield|dana@harbor.example|dana@home.example|+1 415 555 0134|2231 Fillmore St, San Francisco, CA 94115|birthday=1980-05-02,anniversary=--06-14
30|عمر حداد|omar@cedar.example|||
30|김민지||+82 2 555 0187||first order=2025-03-01
30|Zoë Leap||||birthday=--02-29" \
	"$H" --csv "$T_DIR/all.csv"
ok "quotes doubled, the comma quoted" grep -q '"likes ""long"" walks, and tea","board, 2024 ::: client"' "$T_DIR/all.csv"
ok "labels as Google writes them" grep -q ',Work,dana@harbor.example,Home,dana@home.example,Mobile,' "$T_DIR/all.csv"

# ---- iCalendar ----
check "export --format ics" 0 "" kith export --format ics --output "$T_DIR/all.ics"
check "libical reads the dates and the open dated promise" 0 \
"kith-date-1@ws1.kith|19800502|FREQ=YEARLY|Birthday: Dana Whitfield
kith-date-2@ws1.kith|19720614|FREQ=YEARLY|Anniversary: Dana Whitfield
kith-date-3@ws1.kith|19720229|FREQ=YEARLY;BYMONTHDAY=-1;BYMONTH=2|Birthday: Zoë Leap
kith-date-4@ws1.kith|20250301||First order: 김민지
kith-promise-1@ws1.kith|20261128||Promise to Dana Whitfield: send laptop specs" \
	"$H" --ics "$T_DIR/all.ics"
ok "the same book, the same calendar" bash -c 'cmp -s <("$0" export --format ics) "$1"' "$KITH" "$T_DIR/all.ics"
ok "no Due today in a file export" bash -c '! grep -q "Due today" "$1"' _ "$T_DIR/all.ics"
check "--output to a folder that is not there" 1 \
	"kith export: --output: cannot write $T_DIR/no/such.ics: No such file or directory" \
	kith export --format ics --output "$T_DIR/no/such.ics"

# ---- an empty book ----
export KITH_DB=$T_DIR/empty.db
kith init >/dev/null
check "an empty book's vCard is empty" 0 "" kith export --format vcard
check "an empty book's CSV is its header" 0 \
	"First Name,Last Name,Organization Name,Organization Title,Birthday,Notes,Labels" \
	bash -c '"$0" export --format csv | tail -c +4 | tr -d "\r"' "$KITH"
kith export --format ics --output "$T_DIR/empty.ics"
check "an empty book's calendar has no events" 0 "" "$H" --ics "$T_DIR/empty.ics"
finish
