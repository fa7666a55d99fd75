#!/usr/bin/env bash
# A420: litmus (Debian's WebDAV test suite) against the address book.
#
# litmus's basic and http suites start with `begin`: MKCOL of a plain
# collection "litmus/" under the URL given, and every later test PUTs
# arbitrary bytes ("This is a test file") into it. An address book
# holds address objects only (RFC 6352 5.2: no collections inside;
# 6.3.2.1: a body that is not a vCard is refused), and kith keeps one
# book per workspace, so `begin` fails by design and litmus skips the
# rest of each suite. This script runs the real litmus and checks that
# it passes `init` and stops at `begin` for exactly that reason; every
# test that does not run is in SKIP below with why. If litmus ever gets
# further (kith accepting MKCOL), the suite fails until the list is
# brought up to date: nothing passes silently.
#
# The tests whose point applies to an address book are then sent by
# hand, with a vCard body, the way litmus sends them (the same method,
# target, headers and expected status), marked "(litmus NAME)".
. "$(dirname "$0")/lib.sh"
command -v litmus >/dev/null || { echo "not ok - litmus is not installed (make deps)"; exit 1; }
PW='correct horse battery'
printf '%s\n' "$PW" | kith --workspace Studio user add owner@studio.example --role owner --name Owner --password-stdin >/dev/null
start_server
BOOK=$(kith --workspace Studio --json carddav --user owner@studio.example --base-url "$BASE" | jq -r .addressbook)
P=${BOOK#"$BASE"}
O=(-u "owner@studio.example:$PW")
VC=(-H 'Content-Type: text/vcard')
card() { printf 'BEGIN:VCARD\r\nVERSION:3.0\r\nUID:%s\r\nFN:%s\r\nEND:VCARD\r\n' "$1" "$2"; }

# Tests litmus does not get to run here, and why.
declare -A SKIP=(
	[basic/options]="needs begin; sent by hand below"
	[basic/put_get]="PUTs a text file; an address book takes vCards only (RFC 6352 6.3.2.1); byte-for-byte GET checked by hand below with a group card"
	[basic/put_get_utf8_segment]="needs begin; sent by hand below with a vCard"
	[basic/put_no_parent]="needs begin; sent by hand below"
	[basic/mkcol_over_plain]="needs begin; sent by hand below"
	[basic/delete]="needs begin; sent by hand below"
	[basic/delete_null]="needs begin; sent by hand below"
	[basic/delete_fragment]="needs begin; sent by hand below"
	[basic/mkcol]="collections inside an address book are refused (RFC 6352 5.2): 403 checked below"
	[basic/mkcol_again]="needs a collection made by mkcol (not applicable)"
	[basic/delete_coll]="needs a collection made by mkcol (not applicable)"
	[basic/mkcol_no_parent]="MKCOL below a missing collection: 403 here too (no collections at all)"
	[basic/mkcol_with_body]="needs begin; sent by hand below"
	[basic/finish]="cleans up what begin made"
	[http/expect100]="needs begin; sent by hand below"
	[http/finish]="cleans up what begin made"
)

# litmus writes debug.log and child.log where it runs.
(cd "$A_DIR" && TESTS="basic http" timeout 120 litmus -k "$BOOK" owner@studio.example "$PW" >"$A_DIR/litmus.out" 2>&1)
# "N. name....... pass" or "FAIL (reason)"; litmus prints each name twice
# when it runs a test (progress, then result): keep the last word.
declare -A RES
suite=
while IFS= read -r line; do
	if [[ $line =~ ^-\>\ running\ \`([a-z]+) ]]; then
		suite=${BASH_REMATCH[1]}
	elif [[ $line =~ ([a-z0-9_]+)\.+\ (pass|FAIL|SKIPPED|WARNING) ]]; then
		RES[$suite/${BASH_REMATCH[1]}]=${BASH_REMATCH[2]}
	fi
done < <(sed 's/\r/\n/g' "$A_DIR/litmus.out")
ok "litmus basic: init passes" test "${RES[basic/init]:-}" = pass
ok "litmus http: init passes" test "${RES[http/init]:-}" = pass
ok "litmus basic: begin stops at MKCOL litmus/ (403: no collections in a book)" \
	bash -c '[[ $1 == FAIL ]] && grep -q "Could not create new collection.*403" "$2"' _ "${RES[basic/begin]:-}" "$A_DIR/litmus.out"
ok "litmus http: begin stops the same way" test "${RES[http/begin]:-}" = FAIL
for t in "${!RES[@]}"; do
	case $t in */init | */begin) continue ;; esac
	ok "litmus $t ran: the skip list needs updating (${SKIP[$t]:-not listed})" false
done
echo "# litmus skipped here: ${#SKIP[@]} tests (reasons in the script)"
for t in "${!SKIP[@]}"; do echo "#   $t: ${SKIP[$t]}"; done | sort

# ---- litmus's applicable checks, sent by hand ----
expect "OPTIONS on the book (litmus options)" 200 OPTIONS "$P" "${O[@]}"
ok "... DAV class 1 (litmus options)" bash -c '[[ $1 == 1,* ]]' _ "$(header DAV)"
GROUP=$'BEGIN:VCARD\r\nVERSION:3.0\r\nFN:Team\r\nX-ADDRESSBOOKSERVER-KIND:group\r\nUID:team\r\nEND:VCARD\r\n'
expect "PUT (litmus put_get)" 201 PUT "${P}res" "${O[@]}" "${VC[@]}" --data-binary "$GROUP"
req GET "${P}res" "${O[@]}"
ok "... GET gives the same bytes (litmus put_get)" cmp -s <(printf '%s' "$GROUP") "$A_DIR/body"
expect "PUT to a UTF-8 segment (litmus put_get_utf8_segment)" 201 PUT "${P}res-%e2%82%ac" "${O[@]}" "${VC[@]}" --data-binary "$(card euro 'Euro Sign')"
expect "... GET it (litmus put_get_utf8_segment)" 200 GET "${P}res-%e2%82%ac" "${O[@]}"
expect "PUT below a missing collection: 409 (litmus put_no_parent)" 409 PUT "${P}409me/noparent.txt" "${O[@]}" "${VC[@]}" --data-binary "$(card np NoParent)"
expect "MKCOL over a card: 405 (litmus mkcol_over_plain)" 405 MKCOL "${P}res" "${O[@]}"
expect "MKCOL in the book: 403 (litmus mkcol)" 403 MKCOL "${P}coll/" "${O[@]}"
expect "MKCOL below a missing collection: 403 (litmus mkcol_no_parent)" 403 MKCOL "${P}409me/noparent/" "${O[@]}"
expect "MKCOL with a non-XML body: 415 (litmus mkcol_with_body)" 415 MKCOL "/dav/addressbooks/$(basename "$(dirname "$P")")/newbook/" "${O[@]}" -H 'Content-Type: xzy-foo/bar-512' --data-binary 'afafafaf'
STATUS=$(curl -s -o /dev/null -w '%{http_code}' -X DELETE "${O[@]}" --request-target "${P}res#fragment" "$BASE")
ok "DELETE with a fragment does not delete the card (litmus delete_fragment)" bash -c '[[ $1 != 2* ]]' _ "$STATUS"
expect "... it is still there" 200 GET "${P}res" "${O[@]}"
expect "DELETE (litmus delete)" 204 DELETE "${P}res" "${O[@]}"
expect "... then GET is 404 (litmus delete)" 404 GET "${P}res" "${O[@]}"
expect "DELETE of nothing: 404 (litmus delete_null)" 404 DELETE "${P}nonesuch" "${O[@]}"
printf '%s' "$(card big 'Big Card')" >"$A_DIR/c.vcf"
OUT=$(curl -sv -o /dev/null -w '%{http_code}' -X PUT "${O[@]}" "${VC[@]}" -H 'Expect: 100-continue' --data-binary @"$A_DIR/c.vcf" "$BASE${P}expect100" 2>&1)
ok "Expect: 100-continue (litmus expect100)" bash -c '[[ "$1" == *"100 Continue"* && "$1" == *201 ]]' _ "$OUT"
finish
