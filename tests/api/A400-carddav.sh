#!/usr/bin/env bash
# A400: CardDAV over curl: discovery, every method and property the
# address book answers, ETags and preconditions, sync-collection tokens,
# hrefs with spaces, @, % and non-ASCII, group cards, a second address
# book (extended MKCOL, its own token, DELETE moving its contacts home),
# pruned tombstones, an organization renamed, param-filter,
# getcontentlength, roles, tenancy, Basic auth and tokens, 100-continue,
# and request sequences as iOS, DAVx5 and Thunderbird send them. 207
# bodies are read with xmllint.
# Exercises src/server/dav.c, src/input/dav_xml.c, src/app/card.c and
# the change log in src/store/sqlite_dav.c.
. "$(dirname "$0")/lib.sh"
export KITH_NOW=2026-11-20T09:00:00Z
W=(--workspace Studio)
X=(--workspace Other)
PW='correct horse battery'
for r in owner member viewer; do
	printf '%s\n' "$PW" | kith "${W[@]}" user add "$r@studio.example" --role $r --name "$r" --password-stdin >/dev/null
done
printf '%s\n' "$PW" | kith "${X[@]}" user add eve@other.example --role owner --name Eve --password-stdin >/dev/null
TO=$(kith "${W[@]}" token create owner@studio.example --name o | tail -1)
TM=$(kith "${W[@]}" token create member@studio.example --name m | tail -1)
kith "${W[@]}" add "Maya Ortiz" --email maya@client.example --phone "+1 415 555 0134" >/dev/null
start_server

O=(-u "owner@studio.example:$PW")
M=(-u "member@studio.example:$PW")
V=(-u "viewer@studio.example:$PW")
E=(-u "eve@other.example:$PW")
J=(-H 'content-type: application/json')
VC=(-H 'Content-Type: text/vcard; charset=utf-8')
D0=(-H 'Depth: 0')
D1=(-H 'Depth: 1')
XMLH=(-H 'Content-Type: application/xml; charset=utf-8')
NS='xmlns:d="DAV:" xmlns:c="urn:ietf:params:xml:ns:carddav" xmlns:cs="http://calendarserver.org/ns/"'

# xp XPATH: evaluate on the last body (local names: xmllint 2.9 has no
# namespace prefixes on the command line).
xp() { xmllint --xpath "$1" "$A_DIR/body" 2>/dev/null; }
# n XPATH: how many nodes match.
n() { xp "count($1)"; }
L() { printf '*[local-name()="%s"]' "$1"; }
propfind() { # PATH DEPTH PROPS-XML [curl args]
	local p=$1 d=$2 props=$3
	shift 3
	req PROPFIND "$p" -H "Depth: $d" "${XMLH[@]}" "$@" \
		--data-binary "<?xml version=\"1.0\"?><d:propfind $NS><d:prop>$props</d:prop></d:propfind>"
}
report() { # PATH BODY [curl args]
	local p=$1 b=$2
	shift 2
	req REPORT "$p" "${XMLH[@]}" "$@" --data-binary "<?xml version=\"1.0\"?>$b"
}
card() { # UID FN [EXTRA LINES]
	printf 'BEGIN:VCARD\r\nVERSION:3.0\r\nUID:%s\r\nFN:%s\r\nN:%s;;;;\r\n%sEND:VCARD\r\n' "$1" "$2" "$2" "${3:-}"
}
etag() { header ETag; }

# ---- discovery ----
expect "OPTIONS needs no account" 200 OPTIONS /dav/
ok "... DAV: 1, 3, addressbook, extended-mkcol" test "$(header DAV)" = "1, 3, addressbook, extended-mkcol"
ok "... Allow names REPORT and PROPFIND" bash -c '[[ "$1" == *REPORT* && "$1" == *PROPFIND* && "$1" == *MKCOL* ]]' _ "$(header Allow)"
expect "/.well-known/carddav redirects (PROPFIND)" 301 PROPFIND /.well-known/carddav
ok "... to /dav/" test "$(header Location)" = /dav/
expect "/.well-known/carddav redirects (GET)" 301 GET /.well-known/carddav
expect "PROPFIND / without credentials is 401" 401 PROPFIND / "${D0[@]}"
ok "... with a Basic challenge" bash -c '[[ "$1" == Basic* ]]' _ "$(header WWW-Authenticate)"
expect "GET / is still the web app" 200 GET /
ok "... HTML" bash -c '[[ "$1" == text/html* ]]' _ "$(header Content-Type)"
propfind / 0 '<d:current-user-principal/><d:principal-URL/><d:resourcetype/>' "${O[@]}"
ok "PROPFIND / on the bare server URL: 207" test "$STATUS" = 207
PRIN=$(xp "string(//$(L current-user-principal)/$(L href))")
ok "... current-user-principal is /dav/principals/<id>/" bash -c '[[ "$1" =~ ^/dav/principals/[0-9]+/$ ]]' _ "$PRIN"
UID_O=$(basename "$PRIN")
propfind "$PRIN" 0 '<c:addressbook-home-set/><d:displayname/><d:resourcetype/><d:principal-URL/>' "${O[@]}"
HOME_SET=$(xp "string(//$(L addressbook-home-set)/$(L href))")
ok "principal: addressbook-home-set" test "$HOME_SET" = "/dav/addressbooks/$UID_O/"
ok "... resourcetype principal" test "$(n "//$(L resourcetype)/$(L principal)")" = 1
ok "... displayname the user's name" test "$(xp "string(//$(L displayname))")" = owner
propfind "$HOME_SET" 1 '<d:resourcetype/><d:displayname/>' "${O[@]}"
ok "home, Depth 1: one address book below it" test "$(n "//$(L response)[$(L propstat)/$(L prop)/$(L resourcetype)/$(L addressbook)]")" = 1
BOOK=$(xp "string(//$(L response)[$(L propstat)/$(L prop)/$(L resourcetype)/$(L addressbook)]/$(L href))")
ok "... at /dav/addressbooks/<id>/contacts/" test "$BOOK" = "/dav/addressbooks/$UID_O/contacts/"

# ---- the collection's properties ----
propfind "$BOOK" 0 '<d:resourcetype/><d:displayname/><cs:getctag/><d:sync-token/><d:supported-report-set/><c:supported-address-data/><d:quota-available-bytes/><d:quota-used-bytes/><d:current-user-privilege-set/><d:current-user-principal/><d:owner/><c:addressbook-description/><c:max-resource-size/><d:nonesuch/>' "${O[@]}"
ok "book PROPFIND Depth 0: 207, one response" test "$STATUS/$(n "//$(L response)")" = 207/1
ok "... resourcetype collection + addressbook" test "$(n "//$(L resourcetype)/$(L collection)")/$(n "//$(L resourcetype)/$(L addressbook)")" = 1/1
ok "... displayname is the workspace's" test "$(xp "string(//$(L displayname))")" = Studio
TOK0=$(xp "string(//$(L sync-token))")
ok "... sync-token is a URI" bash -c '[[ "$1" == urn:kith:sync:* ]]' _ "$TOK0"
ok "... getctag equals it" test "$(xp "string(//$(L getctag))")" = "$TOK0"
ok "... supported-report-set: multiget, query, sync-collection" test "$(n "//$(L supported-report)/$(L report)/*")" = 3
ok "... supported-address-data 3.0 and 4.0" test "$(xp "string-join(//$(L address-data-type)/@version, ',')" 2>/dev/null || xp "concat(//$(L address-data-type)[1]/@version, ',', //$(L address-data-type)[2]/@version)")" = "3.0,4.0"
ok "... quota-used-bytes and quota-available-bytes numbers" bash -c '[[ "$1" =~ ^[0-9]+$ && "$2" =~ ^[0-9]+$ ]]' _ "$(xp "string(//$(L quota-used-bytes))")" "$(xp "string(//$(L quota-available-bytes))")"
ok "... an owner may write" test "$(n "//$(L current-user-privilege-set)//$(L write)")" = 1
ok "... owner is the principal" test "$(xp "string(//$(L owner)/$(L href))")" = "$PRIN"
ok "... an unknown property is a 404 propstat" test "$(n "//$(L propstat)[contains($(L status),'404')]//$(L nonesuch)")" = 1
ok "... max-resource-size" test "$(xp "string(//$(L max-resource-size))")" = 8388608
req PROPFIND "$BOOK" "${D0[@]}" "${O[@]}"
ok "an empty PROPFIND is allprop" test "$STATUS/$(n "//$(L resourcetype)")" = 207/1
req PROPFIND "$BOOK" "${D0[@]}" "${O[@]}" "${XMLH[@]}" --data-binary "<d:propfind $NS><d:propname/></d:propfind>"
ok "propname lists names, empty" test "$STATUS/$(n "//$(L prop)/$(L sync-token)")/$(xp "string(//$(L sync-token))")" = 207/1/
propfind "$BOOK" 1 '<d:getetag/><d:getcontenttype/><d:getlastmodified/>' "${O[@]}"
ok "book Depth 1: the book and the one contact" test "$(n "//$(L response)")" = 2
MAYA=$(xp "string(//$(L response)[$(L href)!='$BOOK']/$(L href))")
ok "... a kith contact is kith-<id>.vcf" bash -c '[[ "$1" =~ contacts/kith-[0-9]+\.vcf$ ]]' _ "$MAYA"
ok "... getcontenttype text/vcard" bash -c '[[ "$1" == text/vcard* ]]' _ "$(xp "string(//$(L response)[$(L href)='$MAYA']//$(L getcontenttype))")"
ok "... getlastmodified an HTTP date" bash -c '[[ "$1" =~ ^[A-Z][a-z]{2},\ [0-9]{2}\ [A-Z][a-z]{2}\ [0-9]{4}\ [0-9:]{8}\ GMT$ ]]' _ "$(xp "string(//$(L response)[$(L href)='$MAYA']//$(L getlastmodified))")"
MAYA_TAG=$(xp "string(//$(L response)[$(L href)='$MAYA']//$(L getetag))")
ok "... a quoted strong ETag" bash -c '[[ "$1" =~ ^\"[0-9]+\"$ ]]' _ "$MAYA_TAG"

# ---- GET, HEAD, versions ----
expect "GET a card" 200 GET "$MAYA" "${O[@]}"
ok "... text/vcard, 3.0 by default" bash -c '[[ "$1" == text/vcard* && "$2" == *VERSION:3.0* && "$2" == *maya@client.example* ]]' _ "$(header Content-Type)" "$BODY"
ok "... with the PROPFIND's ETag" test "$(etag)" = "$MAYA_TAG"
ok "... and a UID" bash -c '[[ "$1" == *UID:kith-* ]]' _ "$BODY"
expect "GET with Accept version=4.0" 200 GET "$MAYA" "${O[@]}" -H 'Accept: text/vcard;version=4.0'
ok "... is vCard 4.0" bash -c '[[ "$1" == *VERSION:4.0* ]]' _ "$BODY"
STATUS=$(curl -s -o /dev/null -w '%{http_code}' -I "${O[@]}" "$BASE$MAYA")
ok "HEAD a card: 200" test "$STATUS" = 200
expect "GET If-None-Match the ETag: 304" 304 GET "$MAYA" "${O[@]}" -H "If-None-Match: $MAYA_TAG"
expect "GET an unknown card: 404" 404 GET "${BOOK}nope.vcf" "${O[@]}"

# ---- PUT, ETags, preconditions ----
ZOE=$(card zoe-1@phone.example 'Zoë Nguyen' $'item1.EMAIL;TYPE=INTERNET:zoe@example.org\r\nitem1.X-ABLabel:Studio\r\nTEL;TYPE=CELL:+1 415 555 0199\r\nX-PHONETIC-FIRST-NAME:Zo\r\nX-CUSTOM;X-P=1:keep me\r\n')
expect "PUT a new card with If-None-Match: *" 201 PUT "${BOOK}zoe.vcf" "${O[@]}" "${VC[@]}" -H 'If-None-Match: *' --data-binary "$ZOE"
Z1=$(etag)
ok "... answers its ETag" bash -c '[[ "$1" =~ ^\"[0-9]+\"$ ]]' _ "$Z1"
expect "PUT again with If-None-Match: * is 412" 412 PUT "${BOOK}zoe.vcf" "${O[@]}" "${VC[@]}" -H 'If-None-Match: *' --data-binary "$ZOE"
expect "GET it back" 200 GET "${BOOK}zoe.vcf" "${O[@]}"
ok "... the same ETag" test "$(etag)" = "$Z1"
ok "... X-ABLabel, X- properties and parameters survive" bash -c '[[ "$1" == *"item1.X-ABLABEL:Studio"* && "$1" == *"X-CUSTOM;X-P=1:keep me"* && "$1" == *"X-PHONETIC-FIRST-NAME:Zo"* && "$1" == *"item1.EMAIL;TYPE=INTERNET:zoe@example.org"* ]]' _ "$BODY"
req GET "/api/v1/contacts?q=Nguyen" -H "Authorization: Bearer $TO"
ZID=$(jqb '.items[0].id')
ok "the card is a kith contact" test "$(jqb '.items[0].name')" = "Zoë Nguyen"
ok "... with its email label" test "$(jqb '.items[0].email_labels[0]')" = Studio
expect "GET twice: the ETag does not move" 200 GET "${BOOK}zoe.vcf" "${O[@]}"
ok "... still $Z1" test "$(etag)" = "$Z1"
expect "a snooze in kith" 200 POST /api/v1/contacts/$ZID/snooze -H "Authorization: Bearer $TO" "${J[@]}" -d '{"for":"1w"}'
expect "... leaves the card's ETag" 200 GET "${BOOK}zoe.vcf" "${O[@]}"
ok "... unchanged" test "$(etag)" = "$Z1"
expect "a touch logged in kith" 201 POST /api/v1/touchpoints -H "Authorization: Bearer $TO" "${J[@]}" -d "{\"contacts\":[$ZID],\"channel\":\"call\"}"
expect "... leaves it too" 200 GET "${BOOK}zoe.vcf" "${O[@]}"
ok "... unchanged" test "$(etag)" = "$Z1"
ZOE2=${ZOE/Zoë Nguyen/Zoë Nguyen-Park}
expect "PUT an edit with If-Match the ETag" 204 PUT "${BOOK}zoe.vcf" "${O[@]}" "${VC[@]}" -H "If-Match: $Z1" --data-binary "$ZOE2"
Z2=$(etag)
ok "... a new ETag" bash -c '[[ -n "$1" && "$1" != "$2" ]]' _ "$Z2" "$Z1"
req GET /api/v1/contacts/$ZID -H "Authorization: Bearer $TO"
ok "... the same contact, renamed" test "$(jqb .name)" = "Zoë Nguyen-Park"
expect "PUT with a stale If-Match is 412" 412 PUT "${BOOK}zoe.vcf" "${O[@]}" "${VC[@]}" -H "If-Match: $Z1" --data-binary "$ZOE"
expect "If-Match on a card that is not there: 412" 412 PUT "${BOOK}ghost.vcf" "${O[@]}" "${VC[@]}" -H "If-Match: $Z2" --data-binary "$(card ghost@x Ghost)"
# The web app edits while the phone edits: the phone must lose, visibly.
expect "the web app edits the contact" 200 PATCH /api/v1/contacts/$ZID -H "Authorization: Bearer $TO" "${J[@]}" -d '{"title":"CTO"}'
expect "... the phone's PUT with its older ETag is 412" 412 PUT "${BOOK}zoe.vcf" "${O[@]}" "${VC[@]}" -H "If-Match: $Z2" --data-binary "$ZOE"
req GET /api/v1/contacts/$ZID -H "Authorization: Bearer $TO"
ok "... and the web edit stands" test "$(jqb .title)/$(jqb .name)" = "CTO/Zoë Nguyen-Park"
expect "GET shows the web edit" 200 GET "${BOOK}zoe.vcf" "${O[@]}"
Z3=$(etag)
ok "... in the card, with a new ETag" bash -c '[[ "$1" == *"TITLE:CTO"* && "$2" != "$3" ]]' _ "$BODY" "$Z3" "$Z2"
expect "a birthday added in kith" 201 POST /api/v1/contacts/$ZID/dates -H "Authorization: Bearer $TO" "${J[@]}" -d '{"kind":"birthday","date":"1990-02-03"}'
expect "... is in the card" 200 GET "${BOOK}zoe.vcf" "${O[@]}"
ok "... BDAY and a new ETag" bash -c '[[ "$1" == *"BDAY"*"1990"* && "$2" != "$3" ]]' _ "$BODY" "$(etag)" "$Z3"
expect "PUT a card that is not a vCard: 403 valid-address-data" 403 PUT "${BOOK}bad.vcf" "${O[@]}" "${VC[@]}" --data-binary 'hello'
ok "... names the precondition" test "$(n "//$(L valid-address-data)")" = 1
expect "PUT another media type: 415" 415 PUT "${BOOK}bad.vcf" "${O[@]}" -H 'Content-Type: text/plain' --data-binary "$(card b@x B)"
expect "PUT an email without @: 403" 403 PUT "${BOOK}bad.vcf" "${O[@]}" "${VC[@]}" --data-binary "$(card b@x B $'EMAIL:nobody\r\n')"
ok "... saying which field" bash -c '[[ "$1" == *EMAIL* ]]' _ "$BODY"

# ---- hrefs with spaces, @, %, non-ASCII ----
for pair in 'Foo%20Bar.vcf|Foo Bar' 'a@b.example.vcf|At Sign' 'a%40c.vcf|Encoded At' '100%25.vcf|Percent' '%C3%BCml%C3%A4ut.vcf|Umlaut'; do
	p=${pair%%|*} fn=${pair#*|}
	expect "PUT to $p" 201 PUT "${BOOK}$p" "${O[@]}" "${VC[@]}" --data-binary "$(card "uid-$fn" "$fn")"
	expect "... GET $p" 200 GET "${BOOK}$p" "${O[@]}"
	ok "... is that card" bash -c '[[ "$1" == *"FN:$2"* ]]' _ "$BODY" "$fn"
done
propfind "$BOOK" 1 '<d:getetag/>' "${O[@]}"
HREFS=$(xp "//$(L href)/text()" | tr '\n' ' ')
for h in Foo%20Bar.vcf a@b.example.vcf a@c.vcf 100%25.vcf %C3%BCml%C3%A4ut.vcf zoe.vcf; do
	ok "Depth 1 lists ${BOOK}$h" bash -c '[[ " $1 " == *" $2 "* ]]' _ "$HREFS" "${BOOK}$h"
done
expect "a UID with @, space and % in kith" 201 POST /api/v1/contacts -H "Authorization: Bearer $TO" "${J[@]}" -d '{"name":"Uid Person","uid":"x y@z%1"}'
propfind "$BOOK" 1 '<d:getetag/>' "${O[@]}"
ok "... is served as its percent-encoded UID" test "$(n "//$(L href)[.='${BOOK}x%20y@z%251.vcf']")" = 1
expect "... and GET finds it there" 200 GET "${BOOK}x%20y@z%251.vcf" "${O[@]}"
ok "... UID kept" bash -c '[[ "$1" == *"UID:x y@z%1"* ]]' _ "$BODY"

# ---- REPORT addressbook-multiget ----
report "$BOOK" "<c:addressbook-multiget $NS><d:prop><d:getetag/><c:address-data/></d:prop><d:href>${BOOK}zoe.vcf</d:href><d:href>$MAYA</d:href><d:href>${BOOK}missing.vcf</d:href><d:href>/dav/addressbooks/999/contacts/x.vcf</d:href></c:addressbook-multiget>" "${O[@]}"
ok "multiget: 207 with four responses" test "$STATUS/$(n "//$(L response)")" = 207/4
ok "... two cards with address-data" test "$(n "//$(L address-data)")" = 2
ok "... per-href 404 for the unknown ones" test "$(n "//$(L response)[contains($(L status),'404')]")" = 2
ok "... the card text is in the XML" bash -c '[[ "$1" == *"BEGIN:VCARD"*"Nguyen-Park"* ]]' _ "$(xp "string(//$(L response)[$(L href)='${BOOK}zoe.vcf']//$(L address-data))")"
report "$BOOK" "<c:addressbook-multiget $NS><d:prop><d:getetag/><c:address-data content-type=\"text/vcard\" version=\"4.0\"/></d:prop><d:href>${BOOK}zoe.vcf</d:href></c:addressbook-multiget>" "${O[@]}"
ok "multiget with address-data version 4.0" bash -c '[[ "$1" == *"VERSION:4.0"* ]]' _ "$(xp "string(//$(L address-data))")"
report "$BOOK" "<c:addressbook-multiget $NS><d:prop><c:address-data/></d:prop><d:href>http://example.invalid${BOOK}Foo%20Bar.vcf</d:href></c:addressbook-multiget>" "${O[@]}"
ok "multiget takes an absolute URI href" test "$(n "//$(L address-data)")" = 1

# ---- REPORT addressbook-query ----
report "$BOOK" "<c:addressbook-query $NS><d:prop><d:getetag/></d:prop><c:filter><c:prop-filter name=\"EMAIL\"><c:text-match collation=\"i;unicode-casemap\" match-type=\"contains\">CLIENT.example</c:text-match></c:prop-filter></c:filter></c:addressbook-query>" "${O[@]}"
ok "query EMAIL contains: one match" test "$STATUS/$(n "//$(L response)")/$(xp "string(//$(L href))")" = "207/1/$MAYA"
report "$BOOK" "<c:addressbook-query $NS><d:prop><d:getetag/></d:prop><c:filter test=\"anyof\"><c:prop-filter name=\"FN\"><c:text-match match-type=\"starts-with\">Zo</c:text-match></c:prop-filter><c:prop-filter name=\"FN\"><c:text-match match-type=\"equals\">percent</c:text-match></c:prop-filter></c:filter></c:addressbook-query>" "${O[@]}"
ok "query anyof starts-with/equals: two" test "$(n "//$(L response)")" = 2
report "$BOOK" "<c:addressbook-query $NS><d:prop><d:getetag/></d:prop><c:filter><c:prop-filter name=\"X-CUSTOM\"/></c:filter></c:addressbook-query>" "${O[@]}"
ok "query on presence of a property" test "$(n "//$(L response)")" = 1
report "$BOOK" "<c:addressbook-query $NS><d:prop><d:getetag/></d:prop><c:limit><c:nresults>2</c:nresults></c:limit></c:addressbook-query>" "${O[@]}"
ok "query limit 2: two cards and a 507 for the book" test "$(n "//$(L response)[$(L propstat)]")/$(n "//$(L response)[contains($(L status),'507')]")" = 2/1
report "$BOOK" "<c:addressbook-query $NS><d:prop><d:getetag/></d:prop><c:filter><c:prop-filter name=\"NICKNAME\"><c:param-filter name=\"TYPE\"/></c:prop-filter></c:filter></c:addressbook-query>" "${O[@]}"
ok "query with a filter it does not model: 207" test "$STATUS" = 207

# ---- REPORT sync-collection (RFC 6578) ----
SYNC() { report "$BOOK" "<d:sync-collection $NS><d:sync-token>$1</d:sync-token><d:sync-level>1</d:sync-level>${2:-}<d:prop><d:getetag/></d:prop></d:sync-collection>" "${O[@]}"; }
SYNC ''
ALL=$(n "//$(L response)")
T1=$(xp "string(/*/$(L sync-token))")
ok "sync-collection from nothing: every card" test "$STATUS/$ALL" = 207/8
ok "... and a token" bash -c '[[ "$1" == urn:kith:sync:* ]]' _ "$T1"
SYNC "$T1"
ok "sync with the fresh token: nothing" test "$STATUS/$(n "//$(L response)")/$(xp "string(/*/$(L sync-token))")" = "207/0/$T1"
expect "DELETE a card" 204 DELETE "${BOOK}100%25.vcf" "${O[@]}"
expect "... GET is then 404" 404 GET "${BOOK}100%25.vcf" "${O[@]}"
expect "... DELETE again 404" 404 DELETE "${BOOK}100%25.vcf" "${O[@]}"
expect "an edit in kith" 200 PATCH /api/v1/contacts/$ZID -H "Authorization: Bearer $TO" "${J[@]}" -d '{"title":"CEO"}'
SYNC "$T1"
T2=$(xp "string(/*/$(L sync-token))")
ok "sync after: two responses" test "$(n "//$(L response)")" = 2
ok "... the edit with its ETag" test "$(n "//$(L response)[$(L href)='${BOOK}zoe.vcf']//$(L getetag)")" = 1
ok "... the delete as a 404" test "$(n "//$(L response)[$(L href)='${BOOK}100%25.vcf' and contains($(L status),'404')]")" = 1
ok "... a newer token" bash -c '[[ "$1" != "$2" ]]' _ "$T2" "$T1"
expect "a delete in kith" 204 DELETE /api/v1/contacts/$ZID -H "Authorization: Bearer $TO"
SYNC "$T2"
ok "... reaches the next sync as a 404" test "$(n "//$(L response)[$(L href)='${BOOK}zoe.vcf' and contains($(L status),'404')]")" = 1
SYNC 'urn:kith:sync:999999'
ok "an unknown token: 403 valid-sync-token" test "$STATUS/$(n "//$(L valid-sync-token)")" = 403/1
SYNC 'http://other.example/token/1'
ok "a foreign token: 403 too" test "$STATUS" = 403
SYNC '' '<d:limit><d:nresults>3</d:nresults></d:limit>'
T3=$(xp "string(/*/$(L sync-token))")
ok "sync limit 3: three cards and a 507" test "$(n "//$(L response)[$(L propstat)]")/$(n "//$(L response)[contains($(L status),'507')]")" = 3/1
SYNC "$T3" '<d:limit><d:nresults>100</d:nresults></d:limit>'
ok "... the next page has the rest" test "$(n "//$(L response)[$(L propstat)]")/$(n "//$(L response)[contains($(L status),'507')]")" = "$((ALL - 2 - 3))/0"

# ---- a client that lost its cache uploads everything again ----
BEFORE=$(curl -s -H "Authorization: Bearer $TO" "$BASE/api/v1/contacts" | jq '.items|length')
req GET "${BOOK}Foo%20Bar.vcf" "${O[@]}"
FOO=$BODY
SYNC ''
T4=$(xp "string(/*/$(L sync-token))")
expect "the same UID PUT under a new name" 201 PUT "${BOOK}fresh-name.vcf" "${O[@]}" "${VC[@]}" -H 'If-None-Match: *' --data-binary "$FOO"
AFTER=$(curl -s -H "Authorization: Bearer $TO" "$BASE/api/v1/contacts" | jq '.items|length')
ok "... makes no duplicate" test "$AFTER" = "$BEFORE"
expect "... the card moved to the new name" 200 GET "${BOOK}fresh-name.vcf" "${O[@]}"
expect "... the old name is gone" 404 GET "${BOOK}Foo%20Bar.vcf" "${O[@]}"
SYNC "$T4"
ok "... and sync says so (old 404, new 200)" test "$(n "//$(L response)[$(L href)='${BOOK}Foo%20Bar.vcf' and contains($(L status),'404')]")/$(n "//$(L response)[$(L href)='${BOOK}fresh-name.vcf']//$(L getetag)")" = 1/1

# ---- Apple group cards ----
GROUP=$'BEGIN:VCARD\r\nVERSION:3.0\r\nPRODID:-//Apple Inc.//iOS 17.0//EN\r\nN:Clients\r\nFN:Clients\r\nX-ADDRESSBOOKSERVER-KIND:group\r\nX-ADDRESSBOOKSERVER-MEMBER:urn:uuid:zoe-1@phone.example\r\nUID:group-1\r\nREV:2026-11-20T09:00:00Z\r\nEND:VCARD\r\n'
expect "PUT an Apple group card" 201 PUT "${BOOK}group-1.vcf" "${O[@]}" "${VC[@]}" --data-binary "$GROUP"
req GET "${BOOK}group-1.vcf" "${O[@]}"
ok "... comes back byte for byte" cmp -s <(printf '%s' "$GROUP") "$A_DIR/body"
ok "... and is no contact" test "$(curl -s -H "Authorization: Bearer $TO" "$BASE/api/v1/contacts?q=Clients" | jq '.items|length')" = 0
GROUP2=${GROUP/MEMBER:urn:uuid:zoe-1@phone.example/MEMBER:urn:uuid:zoe-1@phone.example$'\r\n'X-ADDRESSBOOKSERVER-MEMBER:urn:uuid:uid-Umlaut}
expect "... an edit with If-Match" 204 PUT "${BOOK}group-1.vcf" "${O[@]}" "${VC[@]}" -H "If-Match: $(etag)" --data-binary "$GROUP2"
SYNC "$T4"
ok "... shows in sync" test "$(n "//$(L response)[$(L href)='${BOOK}group-1.vcf']//$(L getetag)")" = 1
expect "... DELETE" 204 DELETE "${BOOK}group-1.vcf" "${O[@]}"

# ---- MKCOL, PROPPATCH, bad bodies ----
expect "MKCOL on the existing book: 405" 405 MKCOL "$BOOK" "${O[@]}"
req PROPPATCH "$BOOK" "${O[@]}" "${XMLH[@]}" --data-binary "<d:propertyupdate $NS><d:set><d:prop><d:displayname>New</d:displayname></d:prop></d:set></d:propertyupdate>"
ok "PROPPATCH: 207 with a 403 per property" test "$STATUS/$(n "//$(L propstat)[contains($(L status),'403')]//$(L displayname)")" = 207/1
req PROPFIND "$BOOK" "${D0[@]}" "${O[@]}" "${XMLH[@]}" --data-binary '<?xml version="1.0"?><!DOCTYPE d [<!ENTITY x "y">]><d:propfind xmlns:d="DAV:"><d:prop><d:displayname>&x;</d:displayname></d:prop></d:propfind>'
ok "a DOCTYPE (entities) is refused: 400" test "$STATUS" = 400
expect "malformed XML: 400" 400 PROPFIND "$BOOK" "${D0[@]}" "${O[@]}" "${XMLH[@]}" --data-binary '<d:propfind xmlns:d="DAV:"><d:prop>'
DEEP=$(printf '<a%.0s>' $(seq 1 40))
expect "XML nested 40 deep: 400" 400 PROPFIND "$BOOK" "${D0[@]}" "${O[@]}" "${XMLH[@]}" --data-binary "<d:propfind xmlns:d=\"DAV:\">$DEEP</d:propfind>"
expect "an unknown REPORT: 403" 403 REPORT "$BOOK" "${O[@]}" "${XMLH[@]}" --data-binary "<d:expand-property $NS/>"

# Every user has the workspace's book under their own id.
book_of() {
	propfind / 0 '<d:current-user-principal/>' "$@"
	echo "/dav/addressbooks/$(basename "$(xp "string(//$(L current-user-principal)/$(L href))")")/contacts/"
}
MBOOK=$(book_of "${M[@]}")
VBOOK=$(book_of "${V[@]}")
VMAYA=$VBOOK$(basename "$MAYA")
ok "a member's book has the owner's cards" test "$(propfind "$MBOOK" 1 '<d:getetag/>' "${M[@]}"; n "//$(L response)")" = "$(propfind "$BOOK" 1 '<d:getetag/>' "${O[@]}"; n "//$(L response)")"
expect "another member's path is 404, even in the workspace" 404 PROPFIND "$BOOK" "${D0[@]}" "${M[@]}"

# ---- more address books (RFC 5689 extended MKCOL) ----
SECOND="/dav/addressbooks/$UID_O/second/"
MKBOOK="<d:mkcol $NS><d:set><d:prop><d:resourcetype><d:collection/><c:addressbook/></d:resourcetype><d:displayname>Second</d:displayname></d:prop></d:set></d:mkcol>"
SYNCB() { report "$1" "<d:sync-collection $NS><d:sync-token>$2</d:sync-token><d:sync-level>1</d:sync-level><d:prop><d:getetag/></d:prop></d:sync-collection>" "${O[@]}"; }
ctag() { propfind "$1" 0 '<cs:getctag/>' "${O[@]}"; xp "string(//$(L getctag))"; }
req MKCOL "$SECOND" "${O[@]}"
ok "a plain MKCOL in the home: 403 valid-resourcetype, explained" bash -c '[[ "$1" == 403 && "$2" == *valid-resourcetype* && "$2" == *"extended MKCOL"* ]]' _ "$STATUS" "$BODY"
req MKCOL "$SECOND" "${O[@]}" "${XMLH[@]}" --data-binary "<d:mkcol $NS><d:set><d:prop><d:resourcetype><d:collection/></d:resourcetype></d:prop></d:set></d:mkcol>"
ok "an extended MKCOL of a plain collection: 403 too" test "$STATUS/$(n "//$(L valid-resourcetype)")" = 403/1
expect "a viewer cannot make a book" 403 MKCOL "${VBOOK%contacts/}second/" "${V[@]}" "${XMLH[@]}" --data-binary "$MKBOOK"
CTAG0=$(ctag "$BOOK")
expect "extended MKCOL of a second book: 201" 201 MKCOL "$SECOND" "${O[@]}" "${XMLH[@]}" --data-binary "$MKBOOK"
expect "... MKCOL again: 405" 405 MKCOL "$SECOND" "${O[@]}" "${XMLH[@]}" --data-binary "$MKBOOK"
expect "... a collection inside it: 403" 403 MKCOL "${SECOND}sub/" "${O[@]}"
propfind "$HOME_SET" 1 '<d:resourcetype/><d:displayname/><d:sync-token/><cs:getctag/>' "${O[@]}"
ok "the home lists both books" test "$(n "//$(L response)[.//$(L addressbook)]")" = 2
ok "... the second with its displayname" test "$(xp "string(//$(L response)[$(L href)='$SECOND']//$(L displayname))")" = Second
ok "... and a token of its own" bash -c '[[ "$1" == urn:kith:sync:* && "$1" != "$2" ]]' _ "$(xp "string(//$(L response)[$(L href)='$SECOND']//$(L sync-token))")" "$(xp "string(//$(L response)[$(L href)='$BOOK']//$(L sync-token))")"
propfind "$SECOND" 1 '<d:getetag/>' "${O[@]}"
ok "a new book is empty" test "$STATUS/$(n "//$(L response)")" = 207/1
SYNCB "$SECOND" ''
TB0=$(xp "string(/*/$(L sync-token))")
CTAGB0=$(ctag "$SECOND")
expect "PUT a card into the second book" 201 PUT "${SECOND}b1.vcf" "${O[@]}" "${VC[@]}" --data-binary "$(card book-two-1 'Bea Second' $'ORG:Lumen Labs\r\n')"
B1TAG=$(etag)
ok "... the second book's ctag moved" bash -c '[[ "$1" != "$2" ]]' _ "$(ctag "$SECOND")" "$CTAGB0"
ok "... the default book's did not" test "$(ctag "$BOOK")" = "$CTAG0"
expect "... GET it back" 200 GET "${SECOND}b1.vcf" "${O[@]}"
ok "... its card" bash -c '[[ "$1" == *"FN:Bea Second"* ]]' _ "$BODY"
expect "... not in the default book" 404 GET "${BOOK}b1.vcf" "${O[@]}"
propfind "$BOOK" 1 '<d:getetag/>' "${O[@]}"
ok "... nor in its listing" test "$(n "//$(L response)[contains($(L href),'b1.vcf') or contains($(L href),'book-two-1')]")" = 0
ok "... a kith contact of the workspace" test "$(curl -s -H "Authorization: Bearer $TO" "$BASE/api/v1/contacts?q=Bea%20Second" | jq '.items|length')" = 1
SYNCB "$SECOND" "$TB0"
ok "sync-collection on the second book: that card" test "$(n "//$(L response)")/$(n "//$(L response)[$(L href)='${SECOND}b1.vcf']")" = 1/1
TB1=$(xp "string(/*/$(L sync-token))")
report "$SECOND" "<c:addressbook-multiget $NS><d:prop><d:getetag/></d:prop><d:href>${SECOND}b1.vcf</d:href><d:href>$MAYA</d:href></c:addressbook-multiget>" "${O[@]}"
ok "multiget in the second book: its card, 404 for the default's" test "$(n "//$(L response)[$(L href)='${SECOND}b1.vcf']//$(L getetag)")/$(n "//$(L response)[contains($(L status),'404')]")" = 1/1
report "$SECOND" "<c:addressbook-query $NS><d:prop><d:getetag/></d:prop></c:addressbook-query>" "${O[@]}"
ok "addressbook-query in the second book: its card only" test "$(n "//$(L response)")" = 1
# A phone moving a card to another book: PUT there, then DELETE here.
BN=$(curl -s -H "Authorization: Bearer $TO" "$BASE/api/v1/contacts" | jq '.items|length')
expect "the same UID PUT into the default book moves the contact" 201 PUT "${BOOK}b1-moved.vcf" "${O[@]}" "${VC[@]}" --data-binary "$(card book-two-1 'Bea Second' $'ORG:Lumen Labs\r\n')"
ok "... no copy in kith" test "$(curl -s -H "Authorization: Bearer $TO" "$BASE/api/v1/contacts" | jq '.items|length')" = "$BN"
expect "... gone from the second book" 404 GET "${SECOND}b1.vcf" "${O[@]}"
SYNCB "$SECOND" "$TB1"
ok "... whose sync reports it gone" test "$(n "//$(L response)[$(L href)='${SECOND}b1.vcf' and contains($(L status),'404')]")" = 1
expect "... the phone's DELETE there then finds nothing" 404 DELETE "${SECOND}b1.vcf" "${O[@]}" -H "If-Match: $B1TAG"
ok "... and the contact is still kith's" test "$(curl -s -H "Authorization: Bearer $TO" "$BASE/api/v1/contacts?q=Bea%20Second" | jq '.items|length')" = 1
expect "moved back into the second book" 201 PUT "${SECOND}b1.vcf" "${O[@]}" "${VC[@]}" --data-binary "$(card book-two-1 'Bea Second' $'ORG:Lumen Labs\r\n')"
expect "... gone from the default book" 404 GET "${BOOK}b1-moved.vcf" "${O[@]}"
SYNCB "$SECOND" ''
TB1=$(xp "string(/*/$(L sync-token))")
CTAG0=$(ctag "$BOOK")
BID=$(curl -s -H "Authorization: Bearer $TO" "$BASE/api/v1/contacts?q=Bea%20Second" | jq '.items[0].id')
expect "an edit in kith of a second-book contact" 200 PATCH /api/v1/contacts/$BID -H "Authorization: Bearer $TO" "${J[@]}" -d '{"title":"Editor"}'
SYNCB "$SECOND" "$TB1"
ok "... reaches the second book's sync" test "$(n "//$(L response)[$(L href)='${SECOND}b1.vcf']//$(L getetag)")" = 1
ok "... the default book's ctag still did not move" test "$(ctag "$BOOK")" = "$CTAG0"
expect "PUT into a book that is not there: 409" 409 PUT "/dav/addressbooks/$UID_O/nope/x.vcf" "${O[@]}" "${VC[@]}" --data-binary "$(card nope-1 'No Pe')"
expect "PROPFIND of a book that is not there: 404" 404 PROPFIND "/dav/addressbooks/$UID_O/nope/" "${D0[@]}" "${O[@]}"
req PROPPATCH "$SECOND" "${O[@]}" "${XMLH[@]}" --data-binary "<d:propertyupdate $NS><d:set><d:prop><d:displayname>Clients</d:displayname></d:prop></d:set></d:propertyupdate>"
ok "PROPPATCH displayname of the second book: 200" test "$STATUS/$(n "//$(L propstat)[contains($(L status),'200')]//$(L displayname)")" = 207/1
propfind "$SECOND" 0 '<d:displayname/>' "${O[@]}"
ok "... renamed" test "$(xp "string(//$(L displayname))")" = Clients
propfind "${MBOOK%contacts/}" 1 '<d:resourcetype/>' "${M[@]}"
ok "a member sees the workspace's second book too" test "$(n "//$(L response)[.//$(L addressbook)]")" = 2
expect "a viewer cannot delete it" 403 DELETE "${VBOOK%contacts/}second/" "${V[@]}"
expect "the default book cannot be deleted" 403 DELETE "$BOOK" "${O[@]}"
SYNC ''
TD=$(xp "string(/*/$(L sync-token))")
expect "DELETE the second book" 204 DELETE "$SECOND" "${O[@]}"
expect "... gone" 404 PROPFIND "$SECOND" "${D0[@]}" "${O[@]}"
propfind "$HOME_SET" 1 '<d:resourcetype/>' "${O[@]}"
ok "... the home lists one book" test "$(n "//$(L response)[.//$(L addressbook)]")" = 1
ok "... its contact is still kith's" test "$(curl -s -H "Authorization: Bearer $TO" "$BASE/api/v1/contacts?q=Bea%20Second" | jq '.items|length')" = 1
expect "... now in the default book, under its name" 200 GET "${BOOK}b1.vcf" "${O[@]}"
SYNC "$TD"
ok "... and the default book's sync reports it" test "$(n "//$(L response)[$(L href)='${BOOK}b1.vcf']//$(L getetag)")" = 1
expect "a book made again at the same URL" 201 MKCOL "$SECOND" "${O[@]}" "${XMLH[@]}" --data-binary "$MKBOOK"
SYNCB "$SECOND" "$TB1"
ok "... refuses the old book's token: 403 valid-sync-token" test "$STATUS/$(n "//$(L valid-sync-token)")" = 403/1
expect "... DELETE of an empty book" 204 DELETE "$SECOND" "${O[@]}"
expect "(the moved contact goes)" 204 DELETE "${BOOK}b1.vcf" "${O[@]}"

# ---- tombstones are pruned (workspace.dav_tombstones) ----
db_sql "UPDATE workspace SET dav_tombstones = 2 WHERE name = 'Studio'"
for i in 1 2 3 4; do curl -s -o /dev/null "${O[@]}" "${VC[@]}" -X PUT --data-binary "$(card prune-$i "Prune $i")" "$BASE${BOOK}prune-$i.vcf"; done
SYNC ''
TP0=$(xp "string(/*/$(L sync-token))")
expect "delete a card" 204 DELETE "${BOOK}prune-1.vcf" "${O[@]}"
SYNC ''
TP1=$(xp "string(/*/$(L sync-token))")
expect "... a second" 204 DELETE "${BOOK}prune-2.vcf" "${O[@]}"
SYNC ''
TP2=$(xp "string(/*/$(L sync-token))")
expect "... a third" 204 DELETE "${BOOK}prune-3.vcf" "${O[@]}"
expect "... a fourth" 204 DELETE "${BOOK}prune-4.vcf" "${O[@]}"
ok "at most 2 tombstones kept" test "$(db_sql "SELECT count(*) FROM dav_tombstone t JOIN workspace w ON w.id = t.workspace_id WHERE w.name = 'Studio'")" = 2
SYNC "$TP0"
ok "a token from before the pruned deletes: 403 valid-sync-token" test "$STATUS/$(n "//$(L valid-sync-token)")" = 403/1
SYNC "$TP1"
ok "... also one that missed a pruned delete" test "$STATUS" = 403
SYNC "$TP2"
ok "a token after them: the kept deletes as 404s" test "$STATUS/$(n "//$(L response)[contains($(L status),'404')]")" = 207/2
db_sql "UPDATE workspace SET dav_tombstones = 2000"

# ---- an organization renamed: its contacts' cards changed ----
expect "a card with an ORG" 201 PUT "${BOOK}org-1.vcf" "${O[@]}" "${VC[@]}" --data-binary "$(card org-1 'Olga Org' $'ORG:Acme Widgets\r\n')"
OTAG=$(etag)
SYNC ''
TO1=$(xp "string(/*/$(L sync-token))")
OID=$(curl -s -H "Authorization: Bearer $TO" "$BASE/api/v1/organizations" | jq '[.items[]? // .[]? | select(.name == "Acme Widgets")][0].id')
expect "rename the org in kith (PATCH /api/v1/organizations/{id})" 200 PATCH "/api/v1/organizations/$OID" -H "Authorization: Bearer $TO" "${J[@]}" -d '{"name":"Acme Gadgets"}'
ok "... answers the new name" test "$(jqb .name)" = "Acme Gadgets"
propfind "${BOOK}org-1.vcf" 0 '<d:getetag/><c:address-data/>' "${O[@]}"
ok "the renamed org is in the card" bash -c '[[ "$1" == *"ORG:Acme Gadgets"* ]]' _ "$(xp "string(//$(L address-data))")"
ok "... with a new ETag" bash -c '[[ -n "$1" && "$1" != "$2" ]]' _ "$(xp "string(//$(L getetag))")" "$OTAG"
SYNC "$TO1"
ok "... and sync-collection reports it" test "$(n "//$(L response)")/$(n "//$(L response)[$(L href)='${BOOK}org-1.vcf']//$(L getetag)")" = 1/1
expect "a name another org has: 409" 409 PATCH "/api/v1/organizations/$OID" -H "Authorization: Bearer $TO" "${J[@]}" -d '{"name":"lumen labs"}'
expect "an unknown org: 404" 404 PATCH "/api/v1/organizations/999999" -H "Authorization: Bearer $TO" "${J[@]}" -d '{"name":"Nobody"}'
expect "(gone again)" 204 DELETE "${BOOK}org-1.vcf" "${O[@]}"

# ---- getcontentlength; param-filter (RFC 6352 10.5.2) ----
expect "a card with a work email" 201 PUT "${BOOK}pf-1.vcf" "${O[@]}" "${VC[@]}" --data-binary "$(card pf-1 'Pat Work' $'EMAIL;TYPE=WORK:pat@work.example\r\n')"
expect "a card with a home email" 201 PUT "${BOOK}pf-2.vcf" "${O[@]}" "${VC[@]}" --data-binary "$(card pf-2 'Pat Home' $'EMAIL;TYPE=HOME:pat@home.example\r\n')"
propfind "${BOOK}pf-1.vcf" 0 '<d:getcontentlength/>' "${O[@]}"
ok "getcontentlength is the length GET sends" test "$(xp "string(//$(L getcontentlength))")" = "$(curl -s "${O[@]}" "$BASE${BOOK}pf-1.vcf" | wc -c)"
propfind "$BOOK" 1 '<d:getcontentlength/>' "${O[@]}"
ok "... for every card of a Depth 1, not for the book" test "$(n "//$(L response)[$(L propstat)[contains($(L status),'200')]//$(L getcontentlength)]")" = "$(( $(n "//$(L response)") - 1 ))"
PFQ() { report "$BOOK" "<c:addressbook-query $NS><d:prop><d:getetag/></d:prop><c:filter test=\"allof\"><c:prop-filter name=\"UID\"><c:text-match match-type=\"starts-with\">pf-</c:text-match></c:prop-filter><c:prop-filter name=\"EMAIL\" $1>$2</c:prop-filter></c:filter></c:addressbook-query>" "${O[@]}"; }
PFQ '' '<c:param-filter name="TYPE"><c:text-match match-type="equals">work</c:text-match></c:param-filter>'
ok "param-filter TYPE equals work: the work card only" test "$(n "//$(L response)")/$(n "//$(L response)[$(L href)='${BOOK}pf-1.vcf']")" = 1/1
PFQ '' '<c:param-filter name="TYPE"><c:text-match match-type="equals" negate-condition="yes">work</c:text-match></c:param-filter>'
ok "... negated: the home card only" test "$(n "//$(L response)")/$(n "//$(L response)[$(L href)='${BOOK}pf-2.vcf']")" = 1/1
PFQ '' '<c:param-filter name="PREF"><c:is-not-defined/></c:param-filter>'
ok "... PREF is-not-defined: both" test "$(n "//$(L response)")" = 2
PFQ '' '<c:param-filter name="X-NONE"/>'
ok "... a parameter no card has: none" test "$(n "//$(L response)")" = 0
PFQ 'test="allof"' '<c:text-match>pat@</c:text-match><c:param-filter name="TYPE"><c:text-match match-type="equals">home</c:text-match></c:param-filter>'
ok "... allof text-match and param-filter: the home card" test "$(n "//$(L response)")/$(n "//$(L response)[$(L href)='${BOOK}pf-2.vcf']")" = 1/1
PFQ '' '<c:text-match>work.example</c:text-match><c:param-filter name="TYPE"><c:text-match match-type="equals">home</c:text-match></c:param-filter>'
ok "... anyof (the default): either" test "$(n "//$(L response)")" = 2
expect "(gone again)" 204 DELETE "${BOOK}pf-1.vcf" "${O[@]}"
expect "(gone again)" 204 DELETE "${BOOK}pf-2.vcf" "${O[@]}"

# ---- credentials ----
expect "a wrong password: 401" 401 PROPFIND "$BOOK" "${D0[@]}" -u "owner@studio.example:wrong password here"
expect "an API token as the password" 207 PROPFIND "$BOOK" "${D0[@]}" -u "owner@studio.example:$TO"
expect "a Bearer token" 207 PROPFIND "$BOOK" "${D0[@]}" -H "Authorization: Bearer $TO"
expect "garbage Basic: 401" 401 PROPFIND "$BOOK" "${D0[@]}" -H "Authorization: Basic !!!"
expect "a member writes" 201 PUT "${MBOOK}member.vcf" "${M[@]}" "${VC[@]}" --data-binary "$(card member-card 'Member Card')"
expect "a member token writes" 204 PUT "${MBOOK}member.vcf" -u "m:$TM" "${VC[@]}" --data-binary "$(card member-card 'Member Card 2')"

# ---- viewer: read-only ----
propfind "$VBOOK" 0 '<d:current-user-privilege-set/>' "${V[@]}"
ok "viewer: PROPFIND 207, privileges without write" test "$STATUS/$(n "//$(L write)")/$(n "//$(L read)")" = 207/0/1
expect "viewer GET" 200 GET "$VMAYA" "${V[@]}"
expect "viewer PUT: 403" 403 PUT "${VBOOK}v.vcf" "${V[@]}" "${VC[@]}" --data-binary "$(card v V)"
ok "... need-privileges" test "$(n "//$(L need-privileges)")" = 1
expect "viewer PUT over a card: 403" 403 PUT "$VMAYA" "${V[@]}" "${VC[@]}" --data-binary "$(card v V)"
expect "viewer DELETE: 403" 403 DELETE "$VMAYA" "${V[@]}"
expect "... the card is still there" 200 GET "$MAYA" "${O[@]}"

# ---- another workspace sees nothing ----
propfind / 0 '<d:current-user-principal/>' "${E[@]}"
EVE_PRIN=$(xp "string(//$(L current-user-principal)/$(L href))")
EVE_BOOK="/dav/addressbooks/$(basename "$EVE_PRIN")/contacts/"
propfind "$EVE_BOOK" 1 '<d:getetag/>' "${E[@]}"
ok "a user of another workspace: their book is empty" test "$STATUS/$(n "//$(L response)")" = 207/1
# Ids are per workspace: Eve is user 1 of hers as the owner is of
# Studio, so her book's path is the owner's; the member's (user 2) is
# one her workspace does not have.
ok "... her path has the Studio owner's number, her own book" test "$EVE_BOOK" = "$BOOK"
expect "... Studio's member's book is 404 to them" 404 PROPFIND "$MBOOK" "${D1[@]}" "${E[@]}"
expect "... so is a Studio card" 404 GET "$MAYA" "${E[@]}"
expect "... and its name under their own book" 404 GET "${EVE_BOOK}$(basename "$MAYA")" "${E[@]}"
expect "... DELETE of a Studio card" 404 DELETE "$MAYA" "${E[@]}"
expect "... Studio's member's principal" 404 PROPFIND "/dav/principals/$(basename "$(dirname "$MBOOK")")/" "${D0[@]}" "${E[@]}"
report "$EVE_BOOK" "<c:addressbook-multiget $NS><d:prop><c:address-data/></d:prop><d:href>$MAYA</d:href><d:href>${EVE_BOOK}$(basename "$MAYA")</d:href></c:addressbook-multiget>" "${E[@]}"
ok "... multiget of Studio's hrefs: 404 each" test "$(n "//$(L response)[contains($(L status),'404')]")/$(n "//$(L address-data)")" = 2/0
SYNC() { report "$EVE_BOOK" "<d:sync-collection $NS><d:sync-token></d:sync-token><d:sync-level>1</d:sync-level><d:prop><d:getetag/></d:prop></d:sync-collection>" "${E[@]}"; }
SYNC
ok "... sync-collection: nothing" test "$(n "//$(L response)")" = 0
expect "... a PUT lands in their own workspace only" 201 PUT "${EVE_BOOK}$(basename "$MAYA")" "${E[@]}" "${VC[@]}" --data-binary "$(card eve-1 'Eve Card')"
expect "... Maya is untouched" 200 GET "$MAYA" "${O[@]}"
ok "... still Maya" bash -c '[[ "$1" == *"FN:Maya Ortiz"* ]]' _ "$BODY"

# ---- Expect: 100-continue ----
BIG=$(card big-1 'Big Card' "$(printf 'NOTE:%0200d\r\n' $(seq 1 200) | head -c 40000)"$'\r\n')
printf '%s' "$BIG" >"$A_DIR/big.vcf"
OUT=$(curl -sv -o /dev/null -w '%{http_code}' -X PUT "${O[@]}" "${VC[@]}" -H 'Expect: 100-continue' --data-binary @"$A_DIR/big.vcf" "$BASE${BOOK}big.vcf" 2>&1)
ok "Expect: 100-continue: 100 then 201" bash -c '[[ "$1" == *"HTTP/1.1 100 Continue"* && "$1" == *201 ]]' _ "$OUT"
OUT=$(curl -sv -o /dev/null -w '%{http_code}' -X PUT "${VC[@]}" -H 'Expect: 100-continue' --data-binary @"$A_DIR/big.vcf" "$BASE${BOOK}big2.vcf" 2>&1)
ok "... without credentials: 401 and no 100" bash -c '[[ "$1" != *"100 Continue"* && "$1" == *401 ]]' _ "$OUT"

# ---- recorded sequences ----
# iOS (dataaccessd, as logged in emersion/go-webdav#150): PROPFIND the
# well-known URL with Depth 0, Prefer: return=minimal, Brief: t and a
# text/xml body asking current-user-principal, principal-URL and
# resourcetype; then the same on where it was sent.
IOS=(-H 'User-Agent: iOS/18.1.1 (22B91) dataaccessd/1.0' -H 'Prefer: return=minimal' -H 'Brief: t' -H 'Content-Type: text/xml' -H 'Depth: 0')
IOSBODY='<?xml version="1.0" encoding="UTF-8"?>
<A:propfind xmlns:A="DAV:">
  <A:prop>
    <A:current-user-principal/>
    <A:principal-URL/>
    <A:resourcetype/>
  </A:prop>
</A:propfind>'
req PROPFIND /.well-known/carddav "${O[@]}" "${IOS[@]}" --data-binary "$IOSBODY"
ok "iOS: PROPFIND on the well-known URL is redirected" test "$STATUS/$(header Location)" = 301//dav/
req PROPFIND "$(header Location)" "${O[@]}" "${IOS[@]}" --data-binary "$IOSBODY"
ok "iOS: ... where it finds the principal" test "$STATUS/$(xp "string(//$(L current-user-principal)/$(L href))")" = "207/$PRIN"
req PROPFIND / "${O[@]}" "${IOS[@]}" --data-binary "$IOSBODY"
ok "iOS: the bare URL answers the same" test "$(xp "string(//$(L current-user-principal)/$(L href))")" = "$PRIN"
# macOS Contacts (AddressBook, as sniffed in sabre-io/dav#1315): the
# principal with Depth 0, asking Apple's and CardDAV's properties at once.
req PROPFIND "$PRIN" "${O[@]}" -H 'Depth: 0' -H 'Content-Type: text/xml' -H 'User-Agent: Mac OS X/10.15.7 (19H2) AddressBook/2452.2' --data-binary '<?xml version="1.0" encoding="UTF-8"?>
<A:propfind xmlns:A="DAV:">
  <A:prop>
    <B:addressbook-home-set xmlns:B="urn:ietf:params:xml:ns:carddav"/>
    <B:directory-gateway xmlns:B="urn:ietf:params:xml:ns:carddav"/>
    <A:displayname/>
    <C:email-address-set xmlns:C="http://calendarserver.org/ns/"/>
    <A:principal-collection-set/>
    <A:principal-URL/>
    <A:resource-id/>
    <A:supported-report-set/>
  </A:prop>
</A:propfind>'
ok "macOS: the principal gives the home set" test "$(xp "string(//$(L addressbook-home-set)/$(L href))")" = "$HOME_SET"
ok "... and 404s what it does not have (directory-gateway, resource-id)" test "$(n "//$(L propstat)[contains($(L status),'404')]/$(L prop)/*")" -ge 2
propfind "$HOME_SET" 1 '<d:resourcetype/><d:displayname/><cs:getctag/><d:sync-token/><d:current-user-privilege-set/><d:supported-report-set/><d:quota-available-bytes/><d:quota-used-bytes/><d:add-member/><d:resource-id/>' "${O[@]}" -H 'Prefer: return=minimal'
ok "macOS/iOS: home Depth 1 with getctag, minimal" test "$(n "//$(L getctag)")/$(n "//$(L propstat)[contains($(L status),'404')]")" = 1/0
# Roundcube's CardDAV (rcmcarddav#302's log): the book, Depth 0,
# Prefer: return=minimal, with add-member and max-resource-size.
req PROPFIND "$BOOK" "${O[@]}" -H 'Depth: 0' -H 'Prefer: return=minimal' -H 'Content-Type: application/xml; charset=UTF-8' --data-binary '<?xml version="1.0"?>
<DAV:propfind xmlns:DAV="DAV:" xmlns:CARDDAV="urn:ietf:params:xml:ns:carddav" xmlns:CS="http://calendarserver.org/ns/">
 <DAV:prop>
  <DAV:resourcetype/>
  <DAV:sync-token/>
  <DAV:supported-report-set/>
  <DAV:add-member/>
  <DAV:displayname/>
  <CS:getctag/>
  <CARDDAV:supported-address-data/>
  <CARDDAV:addressbook-description/>
  <CARDDAV:max-resource-size/>
 </DAV:prop>
</DAV:propfind>'
ok "Roundcube: the book's sync-token, ctag and sizes" test "$(n "//$(L sync-token)")/$(n "//$(L getctag)")/$(n "//$(L max-resource-size)")" = 1/1/1
# macOS Contacts (Mojave, openradar 46163430): a sync-collection with a
# token it made up (a UUID). RFC 6578 3.2: 403 valid-sync-token, after
# which the client syncs from the start.
report "$BOOK" '<A:sync-collection xmlns:A="DAV:">
  <A:sync-token>b905a5fd-ce23-4190-9be3-236969d071a8</A:sync-token>
  <A:sync-level>1</A:sync-level>
  <A:prop>
    <A:getetag/>
  </A:prop>
</A:sync-collection>' "${O[@]}" -H 'User-Agent: Mac OS X/10.14 (18A391) AddressBook/2136'
ok "macOS: a made-up sync token is 403 valid-sync-token" test "$STATUS/$(n "//$(L valid-sync-token)")" = 403/1
# DAVx5 (its HTTP log in Kozea/Radicale#2097): the collection's
# properties in a body whose DAV: namespace is the default one.
req PROPFIND "$BOOK" "${O[@]}" -H 'Depth: 0' -H 'Content-Type: application/xml; charset=utf-8' --data-binary "<?xml version='1.0' encoding='UTF-8' ?><propfind xmlns=\"DAV:\" xmlns:CARD=\"urn:ietf:params:xml:ns:carddav\"><prop><CARD:max-resource-size /><supported-report-set /><n0:getctag xmlns:n0=\"http://calendarserver.org/ns/\" /><sync-token /></prop></propfind>"
ok "DAVx5: a default-namespace PROPFIND: ctag, token, reports" test "$(n "//$(L getctag)")/$(n "//$(L sync-token)")/$(n "//$(L supported-report)")" = 1/1/3
# DAVx5 (Android): well-known, then the context path's principal, the
# home set, then the book's sync-token and a sync-collection with
# address-data ("Contacts sync" in its docs and logs).
req PROPFIND /.well-known/carddav -H 'Depth: 0' -H 'User-Agent: DAVx5/4.3.10-ose (2023/12/01; dav4jvm; okhttp/4.12.0) Android/13' "${O[@]}"
ok "DAVx5: well-known answers a redirect" test "$STATUS/$(header Location)" = 301//dav/
propfind /dav/ 0 '<d:current-user-principal/>' "${O[@]}"
ok "DAVx5: /dav/ names the principal" test "$(xp "string(//$(L current-user-principal)/$(L href))")" = "$PRIN"
propfind "$PRIN" 0 '<c:addressbook-home-set/><d:group-membership/>' "${O[@]}"
ok "DAVx5: home set from the principal" test "$(xp "string(//$(L addressbook-home-set)/$(L href))")" = "$HOME_SET"
propfind "$HOME_SET" 1 '<d:resourcetype/><d:displayname/><d:owner/><d:current-user-privilege-set/><c:addressbook-description/><c:supported-address-data/><d:sync-token/>' "${O[@]}"
ok "DAVx5: the book with description and address data" test "$(n "//$(L propstat)[contains($(L status),'200')]//$(L addressbook-description)")/$(n "//$(L address-data-type)")" = 1/2
report "$BOOK" "<d:sync-collection $NS><d:sync-token/><d:sync-level>1</d:sync-level><d:prop><d:getetag/><c:address-data/></d:prop></d:sync-collection>" "${O[@]}" -H 'Depth: 0'
ok "DAVx5: initial sync-collection with address data" test "$STATUS" = 207
ok "... every card with its vCard" test "$(n "//$(L address-data)")" = "$(n "//$(L response)")"
# Thunderbird (CardBook and the built-in CardDAV): Depth 1 for getctag,
# then Depth 1 with getetag and getcontenttype, then a multiget.
propfind "$BOOK" 0 '<cs:getctag/>' "${O[@]}" -H 'User-Agent: Mozilla/5.0 Thunderbird/115.0'
ok "Thunderbird: getctag" bash -c '[[ "$1" == urn:kith:sync:* ]]' _ "$(xp "string(//$(L getctag))")"
propfind "$BOOK" 1 '<d:getcontenttype/><d:getetag/>' "${O[@]}"
CARDS=$(xp "//$(L response)[$(L href)!='$BOOK']/$(L href)" | sed 's/<[^>]*href>//g; s|</[^>]*>|\n|g' | sed '/^$/d')
BODYX="<c:addressbook-multiget $NS><d:prop><d:getetag/><c:address-data/></d:prop>"
for h in $CARDS; do BODYX+="<d:href>$h</d:href>"; done
report "$BOOK" "$BODYX</c:addressbook-multiget>" "${O[@]}"
ok "Thunderbird: multiget of every listed href" test "$(n "//$(L address-data)")" = "$(printf '%s\n' $CARDS | wc -l)"

# ---- the URL to paste ----
req GET /api/v1/carddav -H "Authorization: Bearer $TO"
ok "GET /api/v1/carddav: the URL and the username" test "$STATUS/$(jqb .username)" = 200/owner@studio.example
ok "... the bare server URL" bash -c '[[ "$1" == http://127.0.0.1:*/ ]]' _ "$(jqb .url)"
finish
