#!/usr/bin/env bash
# A320: the secret calendar feed. /feeds/<token>.ics needs no session
# (the token is the credential), answers text/calendar that libical
# parses (tests/unit/test_export --ics) with the user's dates, promises
# and "Due today"; GET /api/v1/feed gives the URL `kith feed` prints,
# POST /api/v1/feed/rotate replaces it and the old one 404s; an unknown
# token is a 404; another workspace's feed shows none of this one; the
# token never reaches the log; guessing is rate-limited. Also
# GET /api/v1/export?format=vcard|csv|ics.
. "$(dirname "$0")/lib.sh"
export KITH_NOW=2026-11-20T09:00:00Z
ICS="$(dirname "$KITH")/tests/test_export"
S=(--workspace Studio)
O=(--workspace Other)
kith "${S[@]}" demo >/dev/null
kith "${S[@]}" user add ana@studio.example --role owner >/dev/null
kith "${S[@]}" user add vic@studio.example --role viewer >/dev/null
kith "${O[@]}" user add eve@other.example --role owner >/dev/null
kith "${O[@]}" add "Olga Other" >/dev/null
kith "${O[@]}" date "Olga Other" birthday 1990-05-01 >/dev/null
TA=$(kith "${S[@]}" token create ana@studio.example | tail -1)
TV=$(kith "${S[@]}" token create vic@studio.example | tail -1)
TE=$(kith "${O[@]}" token create eve@other.example | tail -1)
AA=(-H "Authorization: Bearer $TA")
AV=(-H "Authorization: Bearer $TV")
AE=(-H "Authorization: Bearer $TE")
URL=$(kith "${S[@]}" feed --user ana@studio.example --base-url https://kith.example/)
ok "kith feed prints https://BASE/feeds/<token>.ics" \
	bash -c '[[ $1 =~ ^https://kith\.example/feeds/kith_feed_[A-Za-z0-9_-]{43}\.ics$ ]]' _ "$URL"
ok "kith feed again prints the same URL" \
	test "$(kith "${S[@]}" feed --user ana@studio.example --base-url https://kith.example)" = "$URL"
PATH1=${URL#https://kith.example}
EPATH=$(kith "${O[@]}" feed --base-url http://x | sed 's|^http://x||')
ok "kith feed without --user picks the only owner" test -n "$EPATH"
ok "kith feed --user of another workspace: exit 2 or 1, not 0" \
	bash -c '! "$0" --workspace Studio feed --user eve@other.example >/dev/null 2>&1' "$KITH"
ok "kith feed --base-url must be http(s)" \
	bash -c '"$0" --workspace Studio feed --base-url ftp://x >/dev/null 2>&1; test $? = 2' "$KITH"
serve_all Studio

expect "the feed needs no session" 200 GET "$PATH1"
ok "Content-Type text/calendar" bash -c '[[ $1 == text/calendar* ]]' _ "$(header Content-Type)"
ok "Cache-Control private" bash -c '[[ $1 == private* ]]' _ "$(header Cache-Control)"
ETAG=$(header ETag)
ok "an ETag" test -n "$ETAG"
cp "$A_DIR/body" "$A_DIR/feed.ics"
"$ICS" --ics "$A_DIR/feed.ics" >"$A_DIR/events" 2>"$A_DIR/ics.err"
ok "libical parses it without errors" test $? = 0
ok "a yearly birthday" grep -q '|FREQ=YEARLY|Birthday: Ruth Feldman$' "$A_DIR/events"
ok "a promise with its due date" grep -q '^kith-promise-[0-9]*@ws1.kith|20261123||Promise to Maggie Okafor: Send the spring menu mockups$' "$A_DIR/events"
ok "today's agenda as one event" grep -q '^kith-due-20261120-[0-9]*@ws1.kith|20261120||Due today: [0-9]* contacts$' "$A_DIR/events"
N_DUE=$(kith "${S[@]}" --json due | jq length)
ok "it counts who kith due lists ($N_DUE)" grep -q "|Due today: $N_DUE contacts$" "$A_DIR/events"
ok "the agenda event names each and why" grep -q 'since last touch' "$A_DIR/feed.ics"
ok "one event per date and dated promise, plus the agenda" \
	test "$(wc -l <"$A_DIR/events")" = "$(( $(kith "${S[@]}" export | jq '.dates | length') + $(kith "${S[@]}" export | jq '[.promises[] | select(.due != null and .done_at == null)] | length') + 1 ))"
ok "nothing of the other workspace" bash -c '! grep -q Olga "$1"' _ "$A_DIR/feed.ics"
expect "If-None-Match with its ETag: 304" 304 GET "$PATH1" -H "If-None-Match: $ETAG"
expect "HEAD works too" 200 HEAD "$PATH1"

# ---- the other workspace's feed ----
expect "the other workspace's feed" 200 GET "$EPATH"
ok "shows its own contact" grep -q 'Birthday: Olga Other' "$A_DIR/body"
ok "and none of Studio's" bash -c '! grep -q "Ruth Feldman\|Maggie" "$1"' _ "$A_DIR/body"

# ---- the API ----
expect "GET /api/v1/feed" 200 GET /api/v1/feed "${AA[@]}"
ok "gives the same token as kith feed" test "$(jqb .path)" = "$PATH1"
ok "an absolute URL" bash -c '[[ $1 == http://127.0.0.1:*/feeds/*.ics ]]' _ "$(jqb .url)"
expect "GET /api/v1/feed needs a session" 401 GET /api/v1/feed
expect "a viewer has a feed of their own" 200 GET /api/v1/feed "${AV[@]}"
VPATH=$(jqb .path)
ok "not the owner's" test "$VPATH" != "$PATH1"
expect "rotate" 200 POST /api/v1/feed/rotate "${AA[@]}"
PATH2=$(jqb .path)
ok "a new token" test -n "$PATH2" -a "$PATH2" != "$PATH1"
expect "the old URL is gone" 404 GET "$PATH1"
ok "its error is JSON" test "$(jqb .error.code)" = not_found
expect "the new URL works" 200 GET "$PATH2"
expect "the viewer's URL still works" 200 GET "$VPATH"
ok "kith feed prints the rotated URL" \
	test "$(kith "${S[@]}" feed --user ana@studio.example --base-url http://h)" = "http://h$PATH2"
kith "${S[@]}" feed --user ana@studio.example --rotate >/dev/null
expect "kith feed --rotate: the API's URL is gone" 404 GET "$PATH2"
expect "an unknown token" 404 GET /feeds/kith_feed_AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA.ics
expect "a token without .ics" 404 GET "${VPATH%.ics}"
expect "a token with another suffix" 404 GET "${VPATH%.ics}.ical"
expect "no token" 404 GET /feeds/.ics
ok "no feed token in the log" bash -c '! grep -q "kith_feed_" "$1"' _ "$A_DIR/serve.log"

# ---- export over the API ----
expect "GET /api/v1/export?format=vcard" 200 GET "/api/v1/export?format=vcard" "${AA[@]}"
ok "text/vcard" bash -c '[[ $1 == text/vcard* ]]' _ "$(header Content-Type)"
ok "one card per contact" test "$(grep -c '^BEGIN:VCARD' "$A_DIR/body")" = "$(kith "${S[@]}" --json list | jq length)"
expect "?format=vcard&version=4.0" 200 GET "/api/v1/export?format=vcard&version=4.0" "${AA[@]}"
ok "VERSION:4.0" grep -q '^VERSION:4.0' "$A_DIR/body"
expect "?format=csv" 200 GET "/api/v1/export?format=csv" "${AA[@]}"
ok "text/csv with Google's header" bash -c '[[ $1 == text/csv* ]] && head -1 "$2" | grep -q "First Name,Last Name"' _ "$(header Content-Type)" "$A_DIR/body"
expect "?format=ics" 200 GET "/api/v1/export?format=ics" "${AA[@]}"
"$ICS" --ics "$A_DIR/body" >/dev/null 2>&1
ok "the export's calendar parses" test $? = 0
expect "?format=pdf is a 422" 422 GET "/api/v1/export?format=pdf" "${AA[@]}"
expect "?version=2.1 is a 422" 422 GET "/api/v1/export?format=vcard&version=2.1" "${AA[@]}"
expect "the other workspace's export" 200 GET "/api/v1/export?format=vcard" "${AE[@]}"
ok "holds only its own" bash -c 'grep -q "FN:Olga Other" "$1" && ! grep -q Maggie "$1"' _ "$A_DIR/body"

# ---- guessing is throttled (last: it blocks this address) ----
for i in $(seq 1 20); do
	curl -s -o /dev/null "$BASE/feeds/kith_feed_guess$i.ics"
done
expect "the 21st unknown token from one address: 429" 429 GET /feeds/kith_feed_guess21.ics
ok "with Retry-After" test -n "$(header Retry-After)"
finish
