#!/usr/bin/env bash
# T310: IMAP for real: Debian's dovecot, started here as an unprivileged
# user on free loopback ports (tests/cli/dovecot.sh), and kith's own IMAP
# code: kith mail add (the password sealed, never stored in the clear),
# sync (touches made; a second sync fetches nothing; a new message is
# fetched; a new UIDVALIDITY reads all again without a duplicate touch;
# nothing marked \Seen), a wrong password a clear error that does not
# stop another mailbox, plain IMAP, STARTTLS and IMAPS with a self-signed
# certificate, list/remove and bad URLs and keys; then kith serve syncing
# on its own; then the account's Sent folder added beside its INBOX
# (--folders, the password reused), a reply there answering by thread,
# and a message in both folders one touch; sync --dry-run. Exercises src/app/imap.c,
# src/cli/mail.c.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/dovecot.sh"
SERVER_PID=
cleanup() {
	[ -n "$SERVER_PID" ] && kill -TERM "$SERVER_PID" 2>/dev/null && wait "$SERVER_PID"
	dovecot_stop
	rm -rf "$T_DIR"
}
trap cleanup EXIT
if ! dovecot_start "$T_DIR/dovecot"; then
	echo "not ok 1 - dovecot starts"
	exit 1
fi

M=$T_DIR/msgs
mkdir -p "$M"
msg() {
	local name=$1
	shift
	{ printf '%s\r\n' "$@"; printf '\r\nthe body, never read\r\n'; } >"$M/$name"
}
msg d1 "From: Dana Harbor <dana@harbor.example>" "To: ana@studio.example" \
	"Subject: Brief for the spring launch" "Date: Thu, 19 Nov 2026 16:00:00 +0000" \
	"Message-ID: <d1@harbor.example>"
msg d2 "From: Dana Harbor <dana@harbor.example>" "To: ana@studio.example" \
	"Subject: =?UTF-8?B?UmU6IEJ1ZGdldCDigJMgZmluYWw=?=" "Date: Thu, 19 Nov 2026 17:00:00 +0000" \
	"Message-ID: <d2@harbor.example>"
msg l1 "From: News <news@lists.example>" "To: ana@studio.example" \
	"List-Id: <news.lists.example>" "Subject: Weekly" \
	"Date: Thu, 19 Nov 2026 18:00:00 +0000" "Message-ID: <l1@lists.example>"
msg d3 "From: Dana Harbor <dana@harbor.example>" "To: ana@studio.example" \
	"Subject: One more thing" "Date: Fri, 20 Nov 2026 14:00:00 +0000" \
	"Message-ID: <d3@harbor.example>"
msg d4 "From: Dana Harbor <dana@harbor.example>" "To: ana@studio.example" \
	"Subject: And another" "Date: Fri, 20 Nov 2026 14:10:00 +0000" \
	"Message-ID: <d4@harbor.example>"
msg d5 "From: Dana Harbor <dana@harbor.example>" "To: ana@studio.example" \
	"Subject: Through the server" "Date: Fri, 20 Nov 2026 14:20:00 +0000" \
	"Message-ID: <d5@harbor.example>"
deliver ana "$M/d1"
deliver ana "$M/d2"
deliver ana "$M/l1"

printf 'correct horse battery staple\n' | kith user add ana@studio.example \
	--role owner --password-stdin >/dev/null
kith add "Dana Harbor" --email dana@harbor.example >/dev/null
# Plain IMAP: dovecot offers no TLS at all on 127.0.0.2.
PLAIN="imap://ana%40test@127.0.0.2:$PLAIN_PORT/INBOX"

# ---- add ----
check "add a mailbox" 0 \
	"Added mailbox 1: $PLAIN as ana@test. Fetch it now: kith mail sync" \
	sh -c "printf 'ana-pw-8c1f\n' | \"$KITH\" mail add '$PLAIN' --password-stdin"
ok "the mail key is a file beside the database (PostgreSQL: in ~/.config/kith), mode 600" \
	test "$(stat -c %a "$mailkey")" = 600
ok "the password is nowhere in the database in the clear" \
	test "$(cat "$KITH_DB"* | grep -c ana-pw-8c1f)" = 0
ok "nor in the list (no secret field)" \
	test "$(kith --json mail list | jq -c '.[0] | [has("secret"), has("password"), .url, .last_sync, .messages]')" = "[false,false,\"$PLAIN\",null,0]"
ok "nor in the book's export" test "$(kith export | grep -c -e secret -e mailbox)" = 0

# ---- sync ----
check "the first sync fetches three headers" 0 \
	"1  $PLAIN: Read 3 messages: 2 touches, 2 signals, 0 answered; 0 already seen, 1 lists or automatic, 0 from people not in the book" \
	kith mail sync
kith --json mail list >"$T_DIR/l.json"
ok "sync state: last UID 3, 3 messages, no error, synced now" \
	test "$(jq -c '.[0] | [.last_uid, .messages, .last_error, .last_sync, .failures]' "$T_DIR/l.json")" = '[3,3,null,"2026-11-20T15:00:00Z",0]'
UIDV=$(jq '.[0].uidvalidity' "$T_DIR/l.json")
ok "UIDVALIDITY is kept" test "$UIDV" -gt 0
ok "Dana's timeline has the two emails, subjects decoded" \
	test "$(kith --json brief Dana | jq -r '[.recent_touches[].note] | join("|")')" = "Re: Budget – final|Brief for the spring launch"
ok "nothing was marked \\Seen (EXAMINE and BODY.PEEK)" \
	test "$(ls "$DV_DIR/home/ana/Maildir/cur" "$DV_DIR/home/ana/Maildir/new" | grep -c ':2,.*S')" = 0
check "a second sync fetches nothing" 0 \
	"1  $PLAIN: Read 0 messages: 0 touches, 0 signals, 0 answered; 0 already seen, 0 lists or automatic, 0 from people not in the book" \
	kith mail sync
ok "the server sent no header the second time" \
	test "$(grep -c 'hdr_count=0' "$DV_DIR/dovecot.log")" -ge 1

deliver ana "$M/d3"
check "a new message is fetched, alone" 0 \
	"1  $PLAIN: Read 1 message: 1 touch, 1 signal, 0 answered; 0 already seen, 0 lists or automatic, 0 from people not in the book" \
	kith mail sync 1
ok "last UID 4" test "$(kith --json mail list | jq '.[0].last_uid')" = 4

# ---- UIDVALIDITY changes: the server's index is rebuilt ----
dovecot_stop
rm -f "$DV_DIR"/home/ana/Maildir/dovecot*
dovecot_start "$T_DIR/dovecot" >/dev/null || echo "# restart failed"
PLAIN2="imap://ana%40test@127.0.0.2:$PLAIN_PORT/INBOX"
# The restart took new ports: point mailbox 1 at them, keeping its state.
sqlite3 "$KITH_DB" "UPDATE mailbox SET url = '$PLAIN2' WHERE id = 1"
check "a new UIDVALIDITY reads all again, and makes no duplicate" 0 \
	"1  $PLAIN2: Read 4 messages: 0 touches, 0 signals, 0 answered; 4 already seen, 0 lists or automatic, 0 from people not in the book" \
	kith mail sync
ok "the new UIDVALIDITY is kept" test "$(kith --json mail list | jq '.[0].uidvalidity')" != "$UIDV"
ok "still three emails of Dana's" test "$(kith --json brief Dana | jq '.recent_touches | length')" = 3

# ---- a wrong password does not block another mailbox ----
printf 'wrong\n' | kith mail add "imap://bo%40test@127.0.0.2:$PLAIN_PORT/INBOX" --password-stdin >/dev/null
deliver ana "$M/d4"
check "a refused login: exit 1, a clear message, the other mailbox synced" 1 \
"1  $PLAIN2: Read 1 message: 1 touch, 1 signal, 0 answered; 0 already seen, 0 lists or automatic, 0 from people not in the book
kith mail sync: mailbox 2: 127.0.0.2 refused the login of bo@test (wrong password? an app password may be needed)
kith mail: 1 mailbox failed (the others synced)" \
	sh -c "\"$KITH\" mail sync 2>&1"
ok "the error is kept for the list, with a backoff" \
	test "$(kith --json mail list | jq -c '.[1] | [.last_error, .failures, .next_sync]')" = \
	'["127.0.0.2 refused the login of bo@test (wrong password? an app password may be needed)",1,"2026-11-20T15:01:00Z"]'
check "mail list shows the state" 0 \
"    1  $PLAIN2  synced just now, 5 messages
    2  imap://bo%40test@127.0.0.2:$PLAIN_PORT/INBOX  synced just now, 0 messages  error: 127.0.0.2 refused the login of bo@test (wrong password? an app password may be needed)" \
	kith mail list
check "remove the bad one" 0 "Removed mailbox 2" kith mail remove 2
check_rc "remove it again: exit 2" 2 kith mail remove 2

# ---- TLS ----
printf 'ana-pw-8c1f\n' | kith mail add "imap://ana%40test@localhost:$IMAP_PORT/INBOX" \
	--password-stdin --cacert "$DV_CERT" --address ana@studio.example >/dev/null
printf 'ana-pw-8c1f\n' | kith mail add "imaps://ana%40test@localhost:$IMAPS_PORT/INBOX" \
	--password-stdin --cacert "$DV_CERT" >/dev/null
check "the same folder of the same account twice is refused" 2 \
	"kith mail: URL: imaps://ana%40test@localhost:$IMAPS_PORT/INBOX is mailbox 4 already" \
	sh -c "printf 'ana-pw-8c1f\n' | \"$KITH\" mail add 'imaps://ana%40test@localhost:$IMAPS_PORT/INBOX' --password-stdin"
# Another host name is another account: nothing of mailbox 4's carries
# over, its CA file included.
printf 'ana-pw-8c1f\n' | kith mail add "imaps://ana%40test@127.0.0.1:$IMAPS_PORT/INBOX" \
	--password-stdin >/dev/null
kith mail sync >"$T_DIR/tls.out" 2>&1
ok "STARTTLS: the mailbox synced (all seen already)" \
	grep -q "^3  imap://.*Read 5 messages: 0 touches.*5 already seen" "$T_DIR/tls.out"
ok "IMAPS with the certificate trusted: synced" \
	grep -q "^4  imaps://.*Read 5 messages: 0 touches.*5 already seen" "$T_DIR/tls.out"
ok "IMAPS with an unknown certificate: a clear error" \
	grep -q "^kith mail sync: mailbox 5: 127.0.0.1:$IMAPS_PORT: .*certificate" "$T_DIR/tls.out"
ok "the logins went over TLS" test "$(grep -c 'Login: user=<ana@test>.*TLS' "$DV_DIR/dovecot.log")" -ge 2
kith mail remove 5 >/dev/null

# ---- bad input ----
check "a password in the URL is refused" 2 \
	"kith mail: URL: no password in the URL: give it on standard input (--password-stdin)" \
	sh -c "printf 'x\n' | \"$KITH\" mail add 'imaps://ana:pw@mail.example/INBOX' --password-stdin"
check "another scheme is refused" 2 \
	"kith mail: URL: expected imaps://USER@HOST/MAILBOX (or imap:// for STARTTLS)" \
	sh -c "printf 'x\n' | \"$KITH\" mail add 'https://mail.example/' --password-stdin"
check "no --password-stdin, and no mailbox of the account to take it from" 2 \
	"kith mail: --password-stdin: no mailbox of ana@mail.example yet to take the password from: give it on standard input (--password-stdin)" \
	kith mail add imaps://ana@mail.example/INBOX
check "--folders with a folder in the URL as well" 2 \
	"kith mail: --folders: name the folders either in the URL or with --folders, not both (kith mail add imaps://USER@HOST --folders INBOX,Sent)" \
	sh -c "printf 'x\n' | \"$KITH\" mail add imaps://ana@mail.example/INBOX --folders Sent --password-stdin"
check_rc "--folders with an empty name" 2 \
	sh -c "printf 'x\n' | \"$KITH\" mail add imaps://ana@mail.example --folders INBOX,,Sent --password-stdin"
check_rc "an empty password" 2 sh -c "printf '\n' | \"$KITH\" mail add imaps://ana@mail.example/INBOX --password-stdin"
check_rc "a bad port" 2 sh -c "printf 'x\n' | \"$KITH\" mail add imaps://ana@mail.example:99999/INBOX --password-stdin"
check_rc "a bad subcommand" 2 kith mail frobnicate
check_rc "sync of an unknown mailbox" 2 kith mail sync 42
cp "$mailkey" "$T_DIR/key.bak"
head -c 32 /dev/urandom >"$mailkey"
check_rc "a replaced key: the passwords do not open (exit 1)" 1 kith mail sync
cp "$T_DIR/key.bak" "$mailkey"
chmod 644 "$mailkey"
check_rc "a key readable by others is refused" 2 kith mail sync
chmod 600 "$mailkey"
check_rc "KITH_MAIL_KEY must be 64 hex digits" 2 env KITH_MAIL_KEY=abc "$KITH" mail sync

# ---- kith serve syncs on its own ----
deliver ana "$M/d5"
# The server runs on the real clock: a mailbox synced on the test's fixed
# clock is due at once, and then every second.
KITH_NOW= "$KITH" serve --listen 127.0.0.1:0 --mail-every 1 \
	--mail-allow 127.0.0.2,localhost 2>"$T_DIR/serve.log" &
SERVER_PID=$!
served() { kith --json brief Dana | jq -r '[.recent_touches[] | select(.note == "Through the server")] | length'; }
# Wait for all three mailboxes, not only the first to see it: under
# ASan the others may still be syncing when the first one lands.
states() { kith --json mail list | jq -c '[.[] | [.last_error, .last_uid]]'; }
for _ in $(seq 1 400); do
	[ "$(served)" = 1 ] && [ "$(states)" = '[[null,6],[null,6],[null,6]]' ] && break
	sleep 0.05
done
ok "kith serve fetched the new message by itself" test "$(served)" = 1
kill -TERM "$SERVER_PID"
wait "$SERVER_PID"
SERVER_PID=
ok "and stopped cleanly" grep -q "kith: stopped" "$T_DIR/serve.log"
ok "one touch for it, whichever of the three mailboxes saw it first" \
	test "$(served)" = 1
# A sync the SIGTERM cut short is no failure of the mailbox's: no
# "Callback aborted" left as its error, no backoff.
ok "the server kept each mailbox's sync state" \
	test "$(states)" = '[[null,6],[null,6],[null,6]]'

# ---- INBOX and Sent of one account ----
# Ana answers Dana's "And another" (14:10) from her mail program: the
# reply lands in Sent. A note she sent Dana with herself in copy lands
# in both folders.
msg s1 "From: Ana <ana@test>" "To: Dana Harbor <dana@harbor.example>" \
	"Subject: Re: And another" "Date: Fri, 20 Nov 2026 14:30:00 +0000" \
	"Message-ID: <s1@test>" "In-Reply-To: <d4@harbor.example>" \
	"References: <d4@harbor.example>"
msg s2 "From: Ana <ana@test>" "To: Dana Harbor <dana@harbor.example>" \
	"Cc: ana@test" "Subject: Notes from our call" \
	"Date: Fri, 20 Nov 2026 14:40:00 +0000" "Message-ID: <s2@test>"
deliver_to ana Sent "$M/s1"
deliver_to ana Sent "$M/s2"
deliver ana "$M/s2"
check "Sent beside INBOX: no password asked, mailbox 1's reused" 0 \
	"Added mailbox 6: imap://ana%40test@127.0.0.2:$PLAIN_PORT/Sent as ana@test, with the account's password. Fetch it now: kith mail sync" \
	kith mail add "imap://ana%40test@127.0.0.2:$PLAIN_PORT" --folders Sent
ok "the password was copied sealed, never opened into the database" \
	test "$(sqlite3 "$KITH_DB" 'SELECT count(DISTINCT secret) FROM mailbox WHERE id IN (1, 6)')" = 1
kith mail sync >"$T_DIR/sent.out" 2>&1
ok "INBOX reads the copy first: Ana's own message, one touch" \
	grep -q "^1  $PLAIN2: Read 1 message: 1 touch, 0 signals, 0 answered; 0 already seen" "$T_DIR/sent.out"
# The copy (14:40), read first, answered Dana's waiting signals; the
# reply (14:30) read next was the first answer to the one it threads to.
ok "Sent: the reply a new touch, the copy seen already" \
	grep -q "^6  imap://ana%40test@127.0.0.2:$PLAIN_PORT/Sent: Read 2 messages: 1 touch, 0 signals, 0 answered; 1 already seen, 0 lists or automatic, 0 from people not in the book" "$T_DIR/sent.out"
kith --json brief Dana >"$T_DIR/dana.json"
ok "the reply is an outbound touch of Dana's" \
	test "$(jq -r '[.recent_touches[] | select(.note == "Re: And another") | .direction] | join(",")' "$T_DIR/dana.json")" = out
ok "the message in both folders is one touch" \
	test "$(jq '[.recent_touches[] | select(.note == "Notes from our call")] | length' "$T_DIR/dana.json")" = 1
ok "Dana's \"And another\" answered at the reply in Sent, not at the later copy" \
	test "$(kith --json signals | jq -r '.[] | select(.text == "And another") | .answered_at')" = 2026-11-20T14:30:00Z
ok "each folder keeps its own sync state" \
	test "$(kith --json mail list | jq -c '[.[] | select(.id == 1 or .id == 6) | [(.url | sub(".*/"; "")), .last_uid, .messages, .last_error]]')" = \
	'[["INBOX",7,7,null],["Sent",2,2,null]]'
# --dry-run: what a sync would make, nothing written, state untouched.
msg d6 "From: Dana Harbor <dana@harbor.example>" "To: ana@test" \
	"Subject: Dry run" "Date: Fri, 20 Nov 2026 14:50:00 +0000" \
	"Message-ID: <d6@harbor.example>"
deliver ana "$M/d6"
before=$(db_dump)
check "sync --dry-run says what a sync would make" 0 \
	"1  $PLAIN2: Would read 1 message: 1 touch, 1 signal, 0 answered; 0 already seen, 0 lists or automatic, 0 from people not in the book (dry run: nothing written)" \
	kith mail sync 1 --dry-run
ok "--dry-run writes nothing, the mailbox's state included" test "$before" = "$(db_dump)"
ok "--json marks it" \
	test "$(kith --json mail sync 1 --dry-run | jq -c '.[0] | [.made.dry_run, .made.touches, .last_uid]')" = '[true,1,7]'
check "the real sync then makes it" 0 \
	"1  $PLAIN2: Read 1 message: 1 touch, 1 signal, 0 answered; 0 already seen, 0 lists or automatic, 0 from people not in the book" \
	kith mail sync 1

# A new account's INBOX and Sent in one go: one password, two mailboxes.
check "add INBOX and Sent of an account at once" 0 \
"Added mailbox 7: imap://bo%40test@127.0.0.2:$PLAIN_PORT/INBOX as bo@test
Added mailbox 8: imap://bo%40test@127.0.0.2:$PLAIN_PORT/Sent as bo@test
Fetch them now: kith mail sync" \
	sh -c "printf 'bo-pw-77d2\n' | \"$KITH\" mail add 'imap://bo%40test@127.0.0.2:$PLAIN_PORT/' --folders 'INBOX, Sent' --password-stdin"
deliver_to bo Sent "$M/d1"
check "both of bo's folders sync with the one password" 0 \
"7  imap://bo%40test@127.0.0.2:$PLAIN_PORT/INBOX: Read 0 messages: 0 touches, 0 signals, 0 answered; 0 already seen, 0 lists or automatic, 0 from people not in the book
8  imap://bo%40test@127.0.0.2:$PLAIN_PORT/Sent: Read 1 message: 0 touches, 0 signals, 0 answered; 1 already seen, 0 lists or automatic, 0 from people not in the book" \
	sh -c "\"$KITH\" mail sync 7 && \"$KITH\" mail sync 8"

finish
