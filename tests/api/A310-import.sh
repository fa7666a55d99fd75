#!/usr/bin/env bash
# A310: POST /api/v1/import with text/vcard and text/csv bodies: the
# import report (200), dry_run writes nothing and says what the real run
# then does, a second import is all "unchanged", duplicates merge, a bad
# card is a 422 whose field says where ("body:9:EMAIL") and writes
# nothing, skip_bad, map, unknown CSV columns, and the JSON book and the
# Content-Type rules stay as they were. Exercises src/server/api_book.c,
# src/app/import.c. Fixtures: tests/data/import/, tests/data/csv/.
. "$(dirname "$0")/lib.sh"
export KITH_NOW=2026-11-20T09:00:00Z
DATA=$(cd "$(dirname "$0")/../data" && pwd)
W=(--workspace "Book")
kith "${W[@]}" user add own@studio.example --role owner >/dev/null
kith "${W[@]}" user add mem@studio.example --role member >/dev/null
TO=$(kith "${W[@]}" token create own@studio.example | tail -1)
TM=$(kith "${W[@]}" token create mem@studio.example | tail -1)
kith "${W[@]}" add "Ann Existing" --phone "+1 415-555-0134" >/dev/null
serve_all Book
AO=(-H "Authorization: Bearer $TO")
V=(-H 'content-type: text/vcard')
C=(-H 'content-type: text/csv; charset=utf-8')
# The book, not the whole file: the server also stamps a token's
# last_used_at and its sessions in the background, which is not the import.
dump() {
	local t
	if [ -z "${KITH_TEST_PG:-}" ]; then
		sqlite3 "$KITH_DB" ".dump contact" ".dump contact_%" ".dump kdate" \
			".dump organization" ".dump workspace"
		return
	fi
	# PostgreSQL: the same tables, every row as text, in a fixed order.
	for t in $(db_sql "SELECT table_name FROM information_schema.tables
		WHERE table_schema = 'public' AND (table_name LIKE 'contact%'
		OR table_name IN ('kdate', 'organization', 'workspace'))
		ORDER BY 1"); do
		echo "-- $t"
		db_sql "SELECT r::text FROM \"$t\" r ORDER BY 1"
	done
}
# The workspace's zone is UTC here: national numbers have no country,
# so the US number below is matched only through its +1 form.

before=$(dump)
expect "a dry run" 200 POST "/api/v1/import?dry_run=1" "${AO[@]}" "${V[@]}" \
	--data-binary @"$DATA/import/people.vcf"
cp "$A_DIR/body" "$A_DIR/dry.json"
ok "writes nothing" test "$before" = "$(dump)"
ok "says it was a dry run" test "$(jq .dry_run "$A_DIR/dry.json")" = true
ok "the report's shape" test "$(jq -c '[.created, .merged, .unchanged, .skipped, .profile, .unknown_columns]' "$A_DIR/dry.json")" = \
	'[4,0,0,0,null,[]]'
expect "the real import" 200 POST /api/v1/import "${AO[@]}" "${V[@]}" \
	--data-binary @"$DATA/import/people.vcf"
# PostgreSQL: the id a created contact would get is drawn from a
# sequence, which the dry run's rollback does not rewind (SQLite's
# rowid is max + 1, so it names the same id). Every other field holds.
same='del(.dry_run)'
[ -n "${KITH_TEST_PG:-}" ] &&
	same='del(.dry_run) | .items[] |= (if .action == "created" then del(.contact_id) else . end)'
ok "does what the dry run said" test "$(jq -c "$same" "$A_DIR/dry.json")" = "$(jq -c "$same" <<<"$BODY")"
ok "items name line, name, action, contact" \
	test "$(jq -c '.items[0] | [.line, .name, .action, (.contact_id | type), .matched_by, .reason]' <<<"$BODY")" = \
	'[1,"Ann Lee","created","number",null,null]'
ok "the year-less birthday is stored" \
	test "$(db_sql "SELECT year_known || ' ' || yearly FROM kdate k JOIN contact c ON c.id = k.contact_id WHERE c.name = 'Ann Lee'")" = "0 1"

once=$(dump)
expect "the same body again" 200 POST /api/v1/import "${AO[@]}" -H 'content-type: text/x-vcard' \
	--data-binary @"$DATA/import/people.vcf"
ok "is all unchanged" test "$(jqb .unchanged)/$(jqb .created)/$(jqb .merged)" = "4/0/0"
ok "and writes nothing" test "$once" = "$(dump)"

expect "duplicates" 200 POST /api/v1/import "${AO[@]}" -H 'content-type: text/directory' \
	--data-binary @"$DATA/import/dupes.vcf"
ok "merged by email, phone, uid and within the body" \
	test "$(jq -c '[.items[] | .action + ":" + (.matched_by // "-")]' <<<"$BODY")" = \
	'["merged:email","merged:phone","unchanged:uid","created:-","merged:email"]'
ok "a merge says what it added" \
	test "$(jq -r '.items[0].reason' <<<"$BODY")" = "added email ann.home@example.org"

before=$(dump)
expect "a bad card" 422 POST /api/v1/import "${AO[@]}" "${V[@]}" \
	--data-binary @"$DATA/import/bad.vcf"
ok "names body:line:property" test "$(jqb .error.field)" = "body:9:EMAIL"
ok "says what is wrong" test "$(jq -r .error.message <<<"$BODY")" = "no '@' in \"bad.example.org\""
ok "and nothing is written" test "$before" = "$(dump)"
expect "skip_bad" 200 POST "/api/v1/import?skip_bad=1" "${AO[@]}" "${V[@]}" \
	--data-binary @"$DATA/import/bad.vcf"
ok "imports the rest and lists the bad one" \
	test "$(jq -c '[.created, .skipped, .items[1].action, .items[1].line, .items[1].reason]' <<<"$BODY")" = \
	"[2,1,\"skipped\",9,\"body:9: EMAIL: no '@' in \\\"bad.example.org\\\"\"]"

expect "a Google CSV" 200 POST /api/v1/import "${AO[@]}" "${C[@]}" \
	--data-binary @"$DATA/csv/google.csv"
ok "is recognised" test "$(jqb .profile)/$(jqb .created)" = "google/2"
expect "unknown columns" 200 POST "/api/v1/import?dry_run=true" "${AO[@]}" "${C[@]}" \
	--data-binary @"$DATA/csv/q_unknown.csv"
ok "are reported" test "$(jq -c .unknown_columns <<<"$BODY")" = '["Shoe Size","Favourite Colour"]'
MAP=$(jq -rn --arg m "Vorname=given,Nachname=family,E-Mail=email:work,Telefon=phone,Firma=org,Geburtstag=birthday" '$m | @uri')
expect "map" 200 POST "/api/v1/import?map=$MAP" "${AO[@]}" "${C[@]}" \
	--data-binary @"$DATA/csv/q_semicolon_map.csv"
ok "names the columns" test "$(jqb .created)/$(jq -r '.items[0].name' <<<"$BODY")/$(jq -c .unknown_columns <<<"$BODY")" = "1/Jürgen Müller/[]"
expect "a bad row" 422 POST /api/v1/import "${AO[@]}" "${C[@]}" \
	--data-binary @"$DATA/csv/q_bad_date.csv"
ok "names body:line:column" test "$(jqb .error.field)" = "body:2:Birthday"
expect "map on a vCard body" 422 POST "/api/v1/import?map=a%3Demail" "${AO[@]}" "${V[@]}" \
	--data-binary @"$DATA/import/people.vcf"
ok "is refused naming map" test "$(jqb .error.field)" = map
expect "dry_run that is no boolean" 422 POST "/api/v1/import?dry_run=maybe" "${AO[@]}" "${V[@]}" \
	--data-binary @"$DATA/import/people.vcf"
# Direct: the document marks the body required (a JSON book must have
# one), and prism refuses an empty one before kith could answer.
DIRECT=1 expect "an empty vCard body" 200 POST /api/v1/import "${AO[@]}" "${V[@]}" --data-binary ''
ok "imports nothing" test "$(jqb .created)/$(jq '.items | length' <<<"$BODY")" = "0/0"

expect "a member may not import" 403 POST /api/v1/import -H "Authorization: Bearer $TM" "${V[@]}" \
	--data-binary @"$DATA/import/people.vcf"
expect "text/plain is still refused" 415 POST /api/v1/import "${AO[@]}" -H 'content-type: text/plain' \
	--data-binary @"$DATA/import/people.vcf"
expect "a JSON book with dry_run" 422 POST "/api/v1/import?dry_run=1" "${AO[@]}" -H 'content-type: application/json' \
	-d '{"format":"kith-book","version":1}'
ok "says a book is restored whole" test "$(jqb .error.field)" = dry_run
expect "a JSON book into a workspace with contacts is still refused" 409 POST /api/v1/import "${AO[@]}" \
	-H 'content-type: application/json' -d '{"format":"kith-book","version":1}'
expect "the document lists the card types" 200 GET /api/v1/openapi.json
ok "text/vcard and text/csv, and the 200 report" \
	test "$(jq -c '.paths["/api/v1/import"].post | [(.requestBody.content | keys), .responses["200"].content["application/json"].schema["$ref"]]' <<<"$BODY")" = \
	'[["application/json","text/csv","text/directory","text/vcard","text/x-vcard"],"#/components/schemas/ImportReport"]'
finish
