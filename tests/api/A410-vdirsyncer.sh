#!/usr/bin/env bash
# A410: Debian's vdirsyncer syncs a local folder of .vcf files with kith
# serve both ways (create, edit, delete on each side, a conflict, a
# cleared cache), and khard lists and edits contacts through that folder.
# The clients run as they ship, in a temporary HOME; nothing is mocked.
# Exercises src/server/dav.c end to end with real clients.
. "$(dirname "$0")/lib.sh"
for p in vdirsyncer khard; do
	command -v $p >/dev/null || { echo "not ok - $p is not installed (make deps)"; exit 1; }
done
W=(--workspace Studio)
PW='correct horse battery'
printf '%s\n' "$PW" | kith "${W[@]}" user add owner@studio.example --role owner --name Owner --password-stdin >/dev/null
TO=$(kith "${W[@]}" token create owner@studio.example --name o | tail -1)
kith "${W[@]}" add "Maya Ortiz" --email maya@client.example --phone "+1 415 555 0134" >/dev/null
kith "${W[@]}" add "Sam Reyes" --email sam@client.example >/dev/null
kith "${W[@]}" date "Sam Reyes" birthday 1985-06-07 >/dev/null
start_server
API=(-H "Authorization: Bearer $TO")
J=(-H 'content-type: application/json')

# The clients read their config under XDG_CONFIG_HOME when it is set
# (tests/engine.sh sets it for a PostgreSQL book's mail key).
export HOME=$A_DIR/home XDG_CONFIG_HOME=$A_DIR/home/.config
LOCAL=$HOME/contacts
mkdir -p "$LOCAL" "$HOME/.config/vdirsyncer" "$HOME/.config/khard"
BOOK=$(kith "${W[@]}" --json carddav --user owner@studio.example --base-url "$BASE" | jq -r .addressbook)
ok "kith carddav names the address book" bash -c '[[ "$1" == "$2"/dav/addressbooks/*/contacts/ ]]' _ "$BOOK" "$BASE"
# config RESOLUTION: the pair, with conflict_resolution when given.
config() {
	cat >"$HOME/.config/vdirsyncer/config" <<EOF
[general]
status_path = "$HOME/status/"

[pair book]
a = "phone"
b = "kith"
collections = null
${1:+conflict_resolution = \"$1\"}

[storage phone]
type = "filesystem"
path = "$LOCAL/"
fileext = ".vcf"

[storage kith]
type = "carddav"
url = "$BOOK"
username = "owner@studio.example"
password = "$PW"
EOF
}
config
cat >"$HOME/.config/khard/khard.conf" <<EOF
[addressbooks]
[[kith]]
path = $LOCAL/

[general]
editor = /bin/true
merge_editor = /bin/true
default_action = list

[contact table]
display = formatted_name
EOF
sync() { vdirsyncer sync >"$A_DIR/sync.log" 2>&1; }
api_count() { curl -s "${API[@]}" "$BASE/api/v1/contacts" | jq '.items|length'; }
api_find() { curl -s "${API[@]}" "$BASE/api/v1/contacts?q=$1" | jq -r '.items[0].id // empty'; }
files() { find "$LOCAL" -name '*.vcf' | wc -l; }

yes | vdirsyncer discover >"$A_DIR/discover.log" 2>&1
ok "vdirsyncer discover" test $? = 0
sync
ok "first sync" test $? = 0
ok "... one file per contact" test "$(files)" = 2
ok "... Sam's birthday is in his card" grep -q 'BDAY.*1985' $(grep -l 'FN:Sam Reyes' "$LOCAL"/*.vcf)
sync
ok "a second sync changes nothing" bash -c '! grep -qi "copying\|deleting" "$1"' _ "$A_DIR/sync.log"

# ---- the phone's side ----
cat >"$LOCAL/phone-1.vcf" <<'EOF'
BEGIN:VCARD
VERSION:3.0
PRODID:-//Apple Inc.//iPhone OS 17.0//EN
UID:8F1E2D3C-PHONE-0001
N:Nguyen;Zoë;;;
FN:Zoë Nguyen
item1.EMAIL;type=INTERNET;type=pref:zoe@example.org
item1.X-ABLabel:Studio
item2.TEL:+1 415 555 0199
item2.X-ABLabel:_$!<Mobile>!$_
item3.ADR;type=HOME:;;1 Main St;Springfield;IL;62701;USA
item3.X-ABADR:us
X-PHONETIC-FIRST-NAME:Zo
NOTE:met at the fair
END:VCARD
EOF
sync
ok "a card made on the phone syncs up" test $? = 0
ZID=$(api_find Nguyen)
ok "... as a kith contact" test -n "$ZID"
req GET /api/v1/contacts/$ZID "${API[@]}"
ok "... with its email label" test "$(jqb '.email_labels[0]')" = Studio
ok "... and the phone label" test "$(jqb '.phone_labels[0]')" = mobile
ZHREF=$(grep -l 8F1E2D3C "$LOCAL"/*.vcf)
sed -i 's/^FN:Zoë Nguyen$/FN:Zoë Nguyen-Park/; s/^N:Nguyen;Zoë;;;$/N:Nguyen-Park;Zoë;;;/' "$ZHREF"
sync
req GET /api/v1/contacts/$ZID "${API[@]}"
ok "an edit on the phone: the same contact, renamed" test "$STATUS/$(jqb .name)" = "200/Zoë Nguyen-Park"
ok "... still one contact" test "$(api_count)" = 3
sync
ok "... and the card kept every property on the way back" bash -c 'grep -q "X-PHONETIC-FIRST-NAME:Zo" "$1" && grep -qi "item3.X-ABADR:us" "$1" && grep -qi "item1.X-ABLabel:Studio" "$1"' _ "$ZHREF"
rm "$ZHREF"
sync
req GET /api/v1/contacts/$ZID "${API[@]}"
ok "a delete on the phone reaches kith" test "$STATUS" = 404

# ---- kith's side ----
kith "${W[@]}" add "Kai Web" --email kai@web.example >/dev/null
sync
KFILE=$(grep -l 'FN:Kai Web' "$LOCAL"/*.vcf)
ok "a contact added in kith reaches the phone" test -n "$KFILE"
KID=$(api_find Kai)
expect "an edit in kith" 200 PATCH /api/v1/contacts/$KID "${API[@]}" "${J[@]}" -d '{"title":"Head of Design"}'
sync
ok "... reaches the phone" grep -q 'TITLE:Head of Design' "$KFILE"
expect "a delete in kith" 204 DELETE /api/v1/contacts/$KID "${API[@]}"
sync
ok "... reaches the phone" test ! -e "$KFILE"

# ---- a conflict: both sides edit the same card ----
MFILE=$(grep -l 'FN:Maya Ortiz' "$LOCAL"/*.vcf)
MID=$(api_find Ortiz)
sed -i 's/^END:VCARD/NOTE:edited on the phone\r\nEND:VCARD/' "$MFILE"
expect "the web app edits Maya" 200 PATCH /api/v1/contacts/$MID "${API[@]}" "${J[@]}" -d '{"title":"COO"}'
sync
ok "a conflict stops the sync (no resolution set)" bash -c '[[ $1 != 0 ]] && grep -qi conflict "$2"' _ $? "$A_DIR/sync.log"
req GET /api/v1/contacts/$MID "${API[@]}"
ok "... and loses neither edit: kith keeps the web edit" test "$(jqb .title)" = COO
ok "... the phone keeps its own" grep -q 'edited on the phone' "$MFILE"
config 'b wins'
sync
ok "resolved with kith winning" test $? = 0
ok "... the phone has the web edit" grep -q 'TITLE:COO' "$MFILE"

# ---- a cleared cache ----
N0=$(api_count)
rm -rf "$HOME/status"
yes | vdirsyncer discover >/dev/null 2>&1
sync
ok "sync with the status cleared" test $? = 0
ok "... no duplicates in kith" test "$(api_count)" = "$N0"
ok "... nor on the phone" test "$(files)" = "$N0"
rm -rf "$HOME/status" "$LOCAL"
mkdir -p "$LOCAL"
yes | vdirsyncer discover >/dev/null 2>&1
sync
ok "a phone wiped clean syncs everything back" test "$?/$(files)" = "0/$N0"
ok "... no duplicates in kith" test "$(api_count)" = "$N0"

# ---- khard through the synced folder ----
khard list >"$A_DIR/khard.out" 2>&1
ok "khard lists the synced contacts" bash -c 'grep -q "Maya Ortiz" "$1" && grep -q "Sam Reyes" "$1"' _ "$A_DIR/khard.out"
khard show --format yaml "Sam Reyes" >"$A_DIR/sam.yaml" 2>&1
ok "khard shows Sam's birthday" grep -q "^Birthday: '*1985-06-07" "$A_DIR/sam.yaml"
sed -i 's/^Organisation:.*/Organisation: Acme Corp/; s/^    cell:$/    cell: +1 415 555 0111/' "$A_DIR/sam.yaml"
echo y | khard edit -i "$A_DIR/sam.yaml" "Sam Reyes" >/dev/null 2>&1
ok "khard edits Sam" grep -q 'ORG:Acme Corp' $(grep -l 'FN:Sam Reyes' "$LOCAL"/*.vcf)
sync
SID=$(api_find Reyes)
req GET /api/v1/contacts/$SID "${API[@]}"
ok "... and the edit reaches kith" test "$(jqb .org)/$(jqb '.phones|length')" = "Acme Corp/1"
req GET /api/v1/contacts/$SID/dates "${API[@]}"
ok "... with the birthday still one" test "$(jq '[.items[]|select(.kind=="birthday")]|length' <<<"$BODY")" = 1
cat >"$A_DIR/new.yaml" <<'EOF'
Formatted name: Lee Park
First name: Lee
Last name: Park
Email:
    work: lee@park.example
EOF
khard new -a kith -i "$A_DIR/new.yaml" >/dev/null 2>&1
sync
ok "a contact made with khard reaches kith" test -n "$(api_find Park)"
# ---- a second address book, made by vdirsyncer (extended MKCOL) ----
# A pair over the home with collections "from a": discover creates the
# folder's book on kith, sync fills it; edits and deletes go both ways.
MULTI=$HOME/multi
mkdir -p "$MULTI/work"
cat >"$HOME/multi.conf" <<EOF
[general]
status_path = "$HOME/status-multi/"

[pair multi]
a = "folders"
b = "kithhome"
collections = ["from a"]

[storage folders]
type = "filesystem"
path = "$MULTI/"
fileext = ".vcf"

[storage kithhome]
type = "carddav"
url = "${BOOK%contacts/}"
username = "owner@studio.example"
password = "$PW"
EOF
printf 'BEGIN:VCARD\r\nVERSION:3.0\r\nUID:work-1\r\nFN:Wren Work\r\nN:Work;Wren;;;\r\nEMAIL;TYPE=WORK:wren@work.example\r\nEND:VCARD\r\n' >"$MULTI/work/work-1.vcf"
printf 'BEGIN:VCARD\r\nVERSION:3.0\r\nUID:work-2\r\nFN:Will Work\r\nN:Work;Will;;;\r\nEND:VCARD\r\n' >"$MULTI/work/work-2.vcf"
N1=$(api_count)
yes | vdirsyncer -c "$HOME/multi.conf" discover multi >"$A_DIR/discover2.log" 2>&1
ok "vdirsyncer discover makes the folder's book on kith" test $? = 0
HOMEP=${BOOK#"$BASE"}
req PROPFIND "${HOMEP%contacts/}" -H 'Depth: 1' -u "owner@studio.example:$PW"
ok "... the home lists two books" test "$(grep -o '<card:addressbook/>' <<<"$BODY" | wc -l)" = 2
vdirsyncer -c "$HOME/multi.conf" sync multi >"$A_DIR/sync2.log" 2>&1
ok "sync into the second book" test $? = 0
WID=$(api_find Wren)
ok "... its cards are kith contacts" test -n "$WID"
ok "... both cards, no copy" test "$(api_count)" = "$((N1 + 2))"
WORK=${BOOK%contacts/}work/
req GET "${WORK#"$BASE"}work-1.vcf" -u "owner@studio.example:$PW"
ok "... served from the second book" test "$STATUS" = 200
req GET "${BOOK#"$BASE"}work-1.vcf" -u "owner@studio.example:$PW"
ok "... not from the default one" test "$STATUS" = 404
sync
ok "the default book's pair does not see it" bash -c '! grep -rq "Wren Work" "$1"' _ "$LOCAL"
expect "an edit in kith" 200 PATCH /api/v1/contacts/$WID "${API[@]}" "${J[@]}" -d '{"title":"Editor"}'
vdirsyncer -c "$HOME/multi.conf" sync multi >"$A_DIR/sync2.log" 2>&1
ok "... reaches the second book's folder" grep -q 'TITLE:Editor' "$MULTI/work/work-1.vcf"
rm "$MULTI/work/work-1.vcf"
vdirsyncer -c "$HOME/multi.conf" sync multi >"$A_DIR/sync2.log" 2>&1
ok "a delete in the folder reaches kith" test "$?/$(api_find Wren)" = "0/"
finish
