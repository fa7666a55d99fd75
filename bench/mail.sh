#!/usr/bin/env bash
# bench/mail.sh: email into kith (`make bench`). A generated mbox of
# BENCH_MAIL messages (default 100,000) imported with `kith import` into a
# book of 1,000 contacts, in messages per second (target 20,000/s); then a
# real dovecot (tests/cli/dovecot.sh) holding BENCH_IMAP messages (default
# 10,000): the first `kith mail sync`, and a sync with nothing new.
set -euo pipefail
cd "$(dirname "$0")/.."
KITH=${KITH:-$PWD/build/kith}
N=${BENCH_MAIL:-100000}
NI=${BENCH_IMAP:-10000}
W=$(mktemp -d)
. tests/cli/dovecot.sh
trap 'dovecot_stop; rm -rf "$W"' EXIT
export KITH_NOW=2026-11-20T15:00:00Z TZ=UTC KITH_DB=$W/kith.db

# gen N PREFIX MODE: N messages, a third from contacts, a third from
# strangers, a sixth replies from the user, a sixth lists; MODE mbox
# writes one stream, maildir one file each under $2.
gen() {
	python3 - "$@" <<'PY'
import sys, os
n, out, mode = int(sys.argv[1]), sys.argv[2], sys.argv[3]
f = open(out, "w") if mode == "mbox" else None
for i in range(n):
    k = i % 6
    day = 1 + (i * 7 // n) % 28
    if k in (0, 1):
        frm, to = "Contact %d <c%d@client%d.example>" % (i % 1000, i % 1000, i % 1000 // 10), "ana@studio.example"
    elif k in (2, 3):
        frm, to = "Stranger %d <s%d@else.example>" % (i % 5000, i % 5000), "ana@studio.example"
    elif k == 4:
        frm, to = "ana@studio.example", "c%d@client%d.example" % ((i - 4) % 1000, (i - 4) % 1000 // 10)
    else:
        frm, to = "List <news@lists.example>", "list@lists.example"
    hdr = ["From: " + frm, "To: " + to, "Subject: =?UTF-8?Q?Message_%d_=E2=80=93_about_the_brief?=" % i,
           "Date: %s, %02d Nov 2026 %02d:%02d:00 +0000" % ("Mon", day, i % 24, i % 60),
           "Message-ID: <m%d@bench.example>" % i]
    if k == 4:
        hdr.append("In-Reply-To: <m%d@bench.example>" % (i - 4))
        hdr.append("References: <m%d@bench.example>" % (i - 4))
    if k == 5:
        hdr += ["List-Id: <news.lists.example>", "Precedence: list"]
    hdr += ["MIME-Version: 1.0", "Content-Type: text/plain; charset=utf-8",
            "Received: from mx.example by mx.studio.example; Mon, 02 Nov 2026 10:00:00 +0000"]
    body = "Hello,\n\n" + ("a line of the body that kith never reads.\n" * 20) + "\nBye\n"
    msg = "\n".join(hdr) + "\n\n" + body
    if f:
        f.write("From bench@example Mon Nov  2 10:00:00 2026\n" + msg + "\n")
    else:
        with open(os.path.join(out, "%d.M%dP1.bench" % (1700000000 + i, i)), "w") as g:
            g.write(msg.replace("\n", "\r\n"))
PY
}

book() {
	rm -f "$KITH_DB"*
	printf 'correct horse battery staple\n' | "$KITH" user add ana@studio.example \
		--role owner --password-stdin >/dev/null
	python3 - <<'PY' >"$W/book.json"
import json
cs = [{"id": i + 1, "name": "Contact %d" % i, "emails": ["c%d@client%d.example" % (i, i // 10)]} for i in range(1000)]
print(json.dumps({"format": "kith-book", "version": 1, "contacts": cs}))
PY
	"$KITH" import "$W/book.json" >/dev/null
}

now_ms() { date +%s%3N; }

echo "== mail: mbox of $N messages"
gen "$N" "$W/big.mbox" mbox
book
t0=$(now_ms)
"$KITH" import "$W/big.mbox" >"$W/import.out"
t1=$(now_ms)
ms=$((t1 - t0))
echo "   $(cat "$W/import.out")"
echo "   mbox import: $N messages in ${ms} ms = $((N * 1000 / (ms > 0 ? ms : 1))) messages/s (target 20,000/s); $(du -h "$W/big.mbox" | cut -f1) read"

echo "== mail: IMAP mailbox of $NI messages (dovecot)"
dovecot_start "$W/dovecot"
gen "$NI" "$DV_DIR/home/ana/Maildir/cur" maildir
[ "$(id -u)" = 0 ] && chown -R "$DV_MAILUSER:$DV_MAILGROUP" "$DV_DIR/home"
book
printf 'ana-pw-8c1f\n' | "$KITH" mail add "imap://ana%40test@127.0.0.2:$PLAIN_PORT/INBOX" \
	--password-stdin --address ana@studio.example >/dev/null
t0=$(now_ms)
"$KITH" mail sync >"$W/sync1.out"
t1=$(now_ms)
"$KITH" mail sync >"$W/sync2.out"
t2=$(now_ms)
echo "   $(cat "$W/sync1.out")"
echo "   first sync: $NI messages in $((t1 - t0)) ms = $((NI * 1000 / ((t1 - t0) > 0 ? (t1 - t0) : 1))) messages/s"
echo "   no-change sync: $((t2 - t1)) ms ($(sed 's/.*: Read/Read/' "$W/sync2.out" | cut -d: -f1))"
