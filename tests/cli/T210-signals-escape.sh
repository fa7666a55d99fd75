#!/usr/bin/env bash
# T210: webhook text cannot drive the terminal (L5): the review's
# ESC[2J ESC[31m sequence sent through the webhook is stripped at ingest,
# and a control character already in the database (an older kith, another
# writer) is printed by `kith signals` as "?", never raw.
# Signals come in over a real `kith serve`.
. "$(dirname "$0")/lib.sh"
SERVER_PID=
stop_server() {
	[ -n "$SERVER_PID" ] && kill -TERM "$SERVER_PID" 2>/dev/null && wait "$SERVER_PID"
	SERVER_PID=
}
trap 'stop_server; rm -rf "$T_DIR"' EXIT
start_server() {
	"$KITH" serve --listen 127.0.0.1:0 2>"$T_DIR/serve.log" &
	SERVER_PID=$!
	for _ in $(seq 1 200); do
		BASE=$(sed -n 's|^kith: serving on \(http://[0-9.:]*\)/.*|\1|p' "$T_DIR/serve.log")
		[ -n "$BASE" ] && return 0
		sleep 0.05
	done
	echo "not ok - server did not start"; cat "$T_DIR/serve.log"; exit 1
}
printf 'correct horse battery staple\n' | kith user add ana@studio.example \
	--role owner --password-stdin >/dev/null
URL=$(kith webhook show)
HOOK=/hooks/${URL##*/hooks/}
start_server
code=$(curl -s -o /dev/null -w '%{http_code}' -X POST -H 'content-type: application/json' \
	-d '{"id":"esc-1","type":"website_visit","name":"Eve\u001b]0;pwned\u0007","url":"\u001b[2J\u001b[31mFAKE\u001b[0m","text":"a\u009bb"}' \
	"$BASE$HOOK")
ok "the webhook takes it: 202" test "$code" = 202
stop_server
kith signals >"$T_DIR/out" 2>&1
ok "kith signals runs" test $? = 0
ok "no ESC, BEL or C1 byte reaches the terminal" \
	test "$(LC_ALL=C grep -c $'\x1b\|\x07\|\xc2\x9b' "$T_DIR/out")" = 0
ok "the text is still shown, without its control characters" grep -q '\[2J\[31mFAKE' "$T_DIR/out"
esc=$'\x1b' bel=$'\x07' csi=$'\xc2\x9b'
ok "stored without control characters" \
	test "$(sqlite3 "$KITH_DB" "SELECT count(*) FROM signal WHERE instr(url, '$esc') > 0 OR instr(name, '$esc') > 0 OR instr(name, '$bel') > 0 OR instr(text, '$csi') > 0")" = 0
# A row written past the webhook (another writer, an older kith).
sqlite3 "$KITH_DB" "UPDATE signal SET name = 'Mal' || '$esc' || '[2J', email = NULL, url = '$esc' || '[31mRED'"
kith signals >"$T_DIR/out2" 2>&1
ok "kith signals escapes what is in the database" \
	test "$(LC_ALL=C grep -c $'\x1b' "$T_DIR/out2")" = 0
ok "as ?" grep -q 'Mal?\[2J' "$T_DIR/out2"
echo "1..$t_n"
finish
