#!/usr/bin/env bash
# A290: one table of bad writes (tests/data/write-rules.tsv) fed to every
# front end: the CLI exits 2 naming the option, the API answers 422
# naming the JSON key, and a book broken the same way is refused by
# `kith import` and POST /import naming the element and the key. The
# rules live once, in app/contact.c and app/touch.c; this checks the
# three doors agree on them, and that a refusal writes nothing.
. "$(dirname "$0")/lib.sh"
export KITH_NOW=2026-11-20T09:00:00Z
TABLE=$(dirname "$0")/../data/write-rules.tsv
W=(--workspace "Studio")
E=(--workspace "Empty")
kith "${W[@]}" add "Dana Whitfield" --email d@h.e >/dev/null
kith "${W[@]}" add "Sam Ortiz" >/dev/null
kith "${W[@]}" log dana,sam --via call >/dev/null
kith "${W[@]}" date dana birthday 1980-05-02 >/dev/null
kith "${W[@]}" cadence --tag family --every 14 >/dev/null
kith "${W[@]}" user add ana@studio.example --role owner >/dev/null
kith "${E[@]}" user add eve@empty.example --role owner >/dev/null
T=$(kith "${W[@]}" token create ana@studio.example | tail -1)
TE=$(kith "${E[@]}" token create eve@empty.example | tail -1)
kith "${W[@]}" export >"$A_DIR/good.json"
serve_all Studio

A=(-H "Authorization: Bearer $T")
AE=(-H "Authorization: Bearer $TE")
J=(-H 'content-type: application/json')

ok "the table has its ten cases" test "$(grep -vc '^#' "$TABLE")" = 10
ok "the good book is the one the table breaks" \
	test "$(jq -c '[.contacts[0].id, .touchpoints[0].contacts, .cadences[4].key]' "$A_DIR/good.json")" = '[1,[1,2],"family"]'
# The good book itself goes in (so a refusal below is the broken row's).
KITH_DB=$A_DIR/good.db kith import "$A_DIR/good.json" >/dev/null 2>&1
ok "the unbroken book imports" test $? = 0

before=$(kith "${W[@]}" export)
while IFS=$'\t' read -r name key cli_field cli method path body edit book_field; do
	case $name in '#'* | '') continue ;; esac
	# CLI: exit 2, stderr "kith COMMAND: FIELD: ...".
	eval "set -- $cli"
	err=$(kith "${W[@]}" "$@" 2>&1 >/dev/null)
	rc=$?
	STATUS=$rc BODY=$err
	ok "$name: the CLI exits 2 naming $cli_field" \
		test "$rc" = 2 -a "${err#"kith $1: $cli_field: "}" != "$err"
	# API: 422, error.field the JSON key.
	req "$method" "$path" "${A[@]}" "${J[@]}" -d "$body"
	ok "$name: the API answers 422 naming $key" \
		test "$STATUS" = 422 -a "$(jqb .error.field)" = "$key"
	# Import: the same break in a book, named by element and key.
	jq "$edit" "$A_DIR/good.json" >"$A_DIR/bad.json"
	ok "$name: the jq edit changes the book" \
		bash -c '! cmp -s "$1" "$2"' _ "$A_DIR/good.json" "$A_DIR/bad.json"
	err=$(kith "${E[@]}" import "$A_DIR/bad.json" 2>&1 >/dev/null)
	rc=$?
	STATUS=$rc BODY=$err
	ok "$name: kith import exits 2 naming $book_field" \
		test "$rc" = 2 -a "${err#"kith import: $A_DIR/bad.json: $book_field: "}" != "$err"
	req POST /api/v1/import "${AE[@]}" "${J[@]}" --data-binary @"$A_DIR/bad.json"
	ok "$name: POST /import answers 422 naming $book_field" \
		test "$STATUS" = 422 -a "$(jqb .error.field)" = "$book_field"
	ok "$name: every front end names $key" \
		test "${book_field##*.}" = "$key"
done <"$TABLE"

ok "the refused writes changed nothing" test "$before" = "$(kith "${W[@]}" export)"
req GET /api/v1/export "${AE[@]}"
ok "the refused imports left the workspace empty" test "$(jqb '.contacts | length')" = 0
finish
