#!/usr/bin/env bash
# T520: kith migrate --to copies a SQLite book into PostgreSQL (issue 18;
# src/store/copy.c, src/cli/ops.c). A rich book (the demo, users with a
# password, API tokens, mail with its signals, a webhook's signals, a
# second workspace, a deleted contact's CardDAV tombstone) is migrated
# into a PostgreSQL this test starts; then every export format of every
# workspace must be byte-identical from either engine, every table must
# hold the same rows, a token, a calendar feed URL and a webhook URL
# made before must still work on `kith serve --db URL`, ids go on past
# the copied ones in their workspace (the mailbox's mark too), the triggers
# are back on, and a second migrate, a bad URL and a copy that fails
# halfway all leave the target as it was.
# Runs on both builds: it is the one suite that drives store_copy, so
# the sanitized build must see it too (about 25 s plain, 45 s ASan).
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/../pg.sh"
# The source is a SQLite file whatever engine the run is for.
export KITH_DB=$T_DIR/book.db
SERVER_PID=
stop_server() {
	[ -n "$SERVER_PID" ] && kill -TERM "$SERVER_PID" 2>/dev/null &&
		wait "$SERVER_PID"
	SERVER_PID=
}
trap 'stop_server; engine_cleanup; rm -rf "$T_DIR"' EXIT
# start_server ARGS...: kith serve on a free port; sets BASE.
start_server() {
	"$KITH" serve --listen 127.0.0.1:0 "$@" 2>"$T_DIR/serve.log" &
	SERVER_PID=$!
	for _ in $(seq 1 200); do
		BASE=$(sed -n 's|^kith: serving on \(http://[0-9.:]*\)/.*|\1|p' \
			"$T_DIR/serve.log")
		[ -n "$BASE" ] && return 0
		sleep 0.05
	done
	echo "not ok - server did not start"
	cat "$T_DIR/serve.log"
	exit 1
}

pg_start || exit 1
URL=$(pg_newdb "t520_$$") || exit 1
pq() { pg_psql "$URL" -tA "$@"; }

# ---- a rich book ----
kith demo >/dev/null
W1="My book"
printf 'correct horse battery staple\n' | kith --workspace "$W1" user add \
	ana@studio.example --role owner --name Ana --password-stdin >/dev/null
kith --workspace "$W1" user add bo@studio.example --role viewer >/dev/null
TOKEN=$(kith token create ana@studio.example --name laptop | tail -1)
kith token create bo@studio.example --name old --expires 30 >/dev/null
# Mail: a known contact writes and is answered, a stranger writes.
{
	printf 'From x Thu Nov 19 10:00:00 2026\nFrom: Maggie Okafor <maggie@okafor.example>\nTo: ana@studio.example\nSubject: order\nDate: Thu, 19 Nov 2026 16:00:00 +0000\nMessage-ID: <m1@okafor.example>\n\nCan you quote?\n\n'
	printf 'From x Thu Nov 19 10:00:00 2026\nFrom: ana@studio.example\nTo: maggie@okafor.example\nSubject: Re: order\nDate: Thu, 19 Nov 2026 16:30:00 +0000\nMessage-ID: <o1@studio.example>\nIn-Reply-To: <m1@okafor.example>\n\nYes.\n\n'
	printf 'From x Thu Nov 19 10:00:00 2026\nFrom: Lee Lead <lee@new.example>\nTo: ana@studio.example\nSubject: hello\nDate: Fri, 20 Nov 2026 14:00:00 +0000\nMessage-ID: <l1@new.example>\n\nHi there\n\n'
} >"$T_DIR/in.mbox"
kith --workspace "$W1" import "$T_DIR/in.mbox" >/dev/null
kith --workspace "$W1" mail alias add ana@other.example >/dev/null
# Mailboxes (never reached here): a workspace never gives a mailbox id
# twice (workspace.mailbox_seq), so with the second removed the next id
# is 3, not 2.
for m in INBOX Sent; do
	echo secret | kith --workspace "$W1" mail add "imaps://ana@127.0.0.1:1/$m" \
		--password-stdin --user ana@studio.example >/dev/null
done
kith --workspace "$W1" mail remove 2 >/dev/null
# A webhook's signals, over a server on the SQLite book.
HOOK=$(kith --workspace "$W1" webhook show)
start_server
for ev in '{"id":"e1","type":"form","email":"kim@lead.example","name":"Kim","at":"2026-11-20T14:40:00Z"}' \
	'{"id":"e2","type":"website_visit","email":"maggie@okafor.example","url":"https://studio.example/pricing","at":"2026-11-20T14:50:00Z"}'; do
	curl -s -o /dev/null -X POST -H 'content-type: application/json' \
		-d "$ev" "$BASE/hooks/${HOOK##*/hooks/}"
done
stop_server
# A deleted contact leaves a CardDAV tombstone; a second workspace.
kith --workspace "$W1" delete 2 >/dev/null
W2="Second shop"
kith --workspace "$W2" add "Rae Second" --email rae@second.example \
	--tag vip --every 2w --notes "two
lines" >/dev/null
kith --workspace "$W2" log Rae --via call --note "first call" >/dev/null
kith --workspace "$W2" user add cy@second.example >/dev/null
kith token create cy@second.example >/dev/null
sq() { sqlite3 -batch "$KITH_DB" "$@"; }
ok "the book has two workspaces, users, tokens, signals, mail, mailboxes, tombstones" \
	test "$(sq "SELECT (SELECT count(*) FROM workspace) || (SELECT count(*)
		> 2 FROM \"user\") || (SELECT count(*) > 2 FROM api_token)
		|| (SELECT count(*) > 2 FROM signal) || (SELECT count(*) > 2
		FROM mail_message) || (SELECT count(*) > 0 FROM dav_tombstone)
		|| (SELECT count(*) FROM mailbox) || (SELECT count(*) FROM
		mail_alias) || (SELECT max(mailbox_seq) FROM workspace)")" = 211111112

# ---- the exports before ----
FORMATS="json vcard csv ics"
export_all() { # DB DIR
	mkdir -p "$2"
	for w in "$W1" "$W2"; do
		for f in $FORMATS; do
			"$KITH" --db "$1" --workspace "$w" export --format "$f" \
				>"$2/${w// /_}.$f" || echo "export $w $f failed"
		done
		"$KITH" --db "$1" --workspace "$w" export --format vcard \
			--version 4.0 >"$2/${w// /_}.vcf4"
	done
}
export_all "$KITH_DB" "$T_DIR/before"
FEED=$(kith --workspace "$W1" feed --user ana@studio.example)
FEED=/feeds/${FEED##*/feeds/}
start_server
curl -s -o "$T_DIR/feed.before" -w '%{http_code}\n' "$BASE$FEED" >"$T_DIR/feed.code"
stop_server
ok "the calendar feed answers on SQLite, with events" \
	test "$(cat "$T_DIR/feed.code")/$(grep -c '^BEGIN:VEVENT' "$T_DIR/feed.before")" \
	!= 200/0 -a "$(cat "$T_DIR/feed.code")" = 200
sq .dump >"$T_DIR/book.dump"

# ---- refusals that leave the target as it was ----
check "--to is required" 2 \
	"kith migrate: --to: expected a postgresql:// URL to copy the book into" \
	kith migrate
check "--to must be a PostgreSQL URL" 2 \
	"kith migrate: --to: expected a postgresql:// URL to copy the book into" \
	kith migrate --to "$T_DIR/other.db"
check_rc "an unreachable server is exit 2" 2 \
	kith migrate --to "postgresql://kith@127.0.0.1:1/x"
ok "  ... naming --to" grep -q '^kith migrate: --to: cannot connect' "$T_DIR/out"
ok "  ... on one line" test "$(wc -l <"$T_DIR/out")" = 1
check_rc "a database that does not exist is exit 2" 2 \
	kith migrate --to "$KITH_PG_BASE/no_such_db_$$"
ok "  ... naming --to" grep -q '^kith migrate: --to: ' "$T_DIR/out"
check "the source must be SQLite" 2 \
	"kith migrate: --db: the book to copy must be a SQLite file, not a PostgreSQL URL" \
	kith --db "$URL" migrate --to "$URL"
check "a source that does not exist" 2 \
	"kith migrate: --db: no database at $T_DIR/none.db" \
	kith --db "$T_DIR/none.db" migrate --to "$URL"

# A copy that fails halfway (a value PostgreSQL refuses, in a table
# copied late) leaves nothing: one transaction.
cp "$KITH_DB" "$T_DIR/bad.db"
sqlite3 "$T_DIR/bad.db" "UPDATE dav_tombstone SET seq = 'x'"
check_rc "a copy that fails halfway fails" 1 \
	kith --db "$T_DIR/bad.db" migrate --to "$URL"
ok "  ... naming the table" grep -q 'dav_tombstone' "$T_DIR/out"
check "  ... and writes nothing" 0 "0|0|0" \
	pq -c "SELECT (SELECT count(*) FROM workspace) || '|' || (SELECT
		count(*) FROM contact) || '|' || (SELECT count(*) FROM touchpoint)"

# ---- the migration ----
start=$(date +%s.%N)
kith migrate --to "$URL" >"$T_DIR/migrate.out" 2>&1
rc=$?
echo "# migrate took $(echo "$(date +%s.%N) - $start" | bc) s"
ok "migrate exits 0" test "$rc" = 0
# One line a table with its rows, then the total.
want=$(sq "SELECT name FROM sqlite_schema WHERE type = 'table' AND name NOT
	LIKE 'sqlite%' ORDER BY name" | while read -r t; do
	printf '%s %s\n' "$t" "$(sq "SELECT count(*) FROM \"$t\"")"
done)
ok "one line a table, with the rows each holds" test "$want" = \
	"$(head -n -1 "$T_DIR/migrate.out" | awk '{print $1, $2}' | LC_ALL=C sort)"
total=$(echo "$want" | awk '{s += $2} END {print s}')
check "then the total" 0 \
	"copied $total rows in $(echo "$want" | wc -l) tables from $KITH_DB into PostgreSQL" \
	tail -1 "$T_DIR/migrate.out"
line() { grep -n "^$1 " "$T_DIR/migrate.out" | cut -d: -f1; }
ok "parents before children" test "$(line workspace)" = 1 -a \
	"$(line contact)" -lt "$(line contact_email)" -a \
	"$(line touchpoint)" -lt "$(line touch_contact)" -a \
	"$(line user)" -lt "$(line api_token)"
ok "the source is untouched" test "$(sq .dump)" = "$(cat "$T_DIR/book.dump")"

# ---- the same book ----
export_all "$URL" "$T_DIR/after"
for f in "$T_DIR"/before/*; do
	ok "export $(basename "$f") is byte-identical" cmp "$f" "$T_DIR/after/${f##*/}"
done
ok "the exports are not empty" test "$(wc -c <"$T_DIR/before/My_book.json")" -gt 20000
# Every table, row for row: one query a table, each row led by its
# table's name, the whole sorted as text (both engines print NULL as
# nothing and '|' between columns).
tables=$(sq "SELECT name FROM sqlite_schema WHERE type = 'table' AND
	name NOT LIKE 'sqlite%' ORDER BY name")
for t in $tables; do echo "SELECT '$t', * FROM \"$t\";"; done >"$T_DIR/rows.sql"
sq <"$T_DIR/rows.sql" | LC_ALL=C sort >"$T_DIR/sq.rows"
pq -f "$T_DIR/rows.sql" | LC_ALL=C sort >"$T_DIR/pg.rows"
check "every table holds the same rows on both engines" 0 "" \
	diff "$T_DIR/sq.rows" "$T_DIR/pg.rows"
ok "  ... $(wc -l <"$T_DIR/sq.rows") rows of $(echo "$tables" | wc -l) tables" \
	test "$(cut -d'|' -f1 "$T_DIR/sq.rows" | sort -u | wc -l)" -gt 20
check "the triggers are back on" 0 "0" \
	pq -c "SELECT count(*) FROM pg_trigger WHERE NOT tgisinternal
		AND tgenabled <> 'O'"
ok "  ... and there are triggers (the CardDAV ones, workspace's id)" \
	test "$(pq -c "SELECT count(*) FROM pg_trigger WHERE NOT tgisinternal")" -gt 10

# ---- the book goes on ----
check "a second migrate into the same target is refused" 2 \
	"kith migrate: --to: copy: the target already holds 2 workspaces; copy only into an empty database" \
	kith migrate --to "$URL"
# Ids are per workspace (migration 19).
in_w2="workspace_id = (SELECT id FROM workspace WHERE name = '$W2')"
maxc=$(sq "SELECT max(id) FROM contact WHERE $in_w2")
id=$(kith --db "$URL" --workspace "$W2" --json add "New After" | jq -r .id)
ok "a contact added after gets an id past the copied ones ($id > $maxc)" \
	test "$id" -gt "$maxc"
maxt=$(sq "SELECT max(id) FROM touchpoint WHERE $in_w2")
kith --db "$URL" --workspace "$W2" log "New After" --via email >/dev/null
ok "so does a touch" test "$(pq -c "SELECT max(id) FROM touchpoint WHERE $in_w2")" -gt "$maxt"
seq0=$(sq "SELECT dav_seq FROM workspace WHERE name = '$W2'")
ok "CardDAV counts go on from the copied ones (the trigger runs again)" \
	test "$(pq -c "SELECT dav_seq FROM workspace WHERE name = '$W2'")" -gt "$seq0"
# The key that seals mailbox passwords was beside the SQLite file; on
# PostgreSQL the server takes it from KITH_MAIL_KEY (docs/man/kith.1).
KITH_MAIL_KEY=$(od -An -tx1 -v "$KITH_DB.mailkey" | tr -d ' \n') \
	start_server --db "$URL"
check "a mailbox added after gets id 3, as on SQLite (never an id given before)" 0 \
	"Added mailbox 3: imaps://ana@127.0.0.1:1/Archive. Fetch it now: kith mail sync" \
	sh -c "echo secret | KITH_MAIL_KEY=\$(od -An -tx1 -v '$KITH_DB.mailkey' |
		tr -d ' \n') '$KITH' --db '$URL' --workspace '$W1' mail add \
		imaps://ana@127.0.0.1:1/Archive --password-stdin --user ana@studio.example"
check "a token made before signs in to kith serve on PostgreSQL" 0 \
	"ana@studio.example/My book" sh -c "curl -s -H 'Authorization: Bearer $TOKEN' \
	'$BASE/api/v1/me' | jq -r '\"\(.user.email)/\(.workspace.name)\"'"
check "  ... and reads its contacts" 0 200 \
	curl -s -o /dev/null -w '%{http_code}' -H "Authorization: Bearer $TOKEN" \
	"$BASE/api/v1/contacts"
check "a wrong token still does not" 0 401 \
	curl -s -o /dev/null -w '%{http_code}' \
	-H "Authorization: Bearer ${TOKEN%?}x" "$BASE/api/v1/me"
check "the calendar feed URL made before gives the same calendar" 0 "" \
	sh -c "curl -s '$BASE$FEED' | cmp - '$T_DIR/feed.before'"
maxs=$(sq "SELECT max(id) FROM signal")
sid=$(curl -s -X POST -H 'content-type: application/json' \
	-d '{"id":"e9","type":"form","email":"new@lead.example","name":"New","at":"2026-11-20T14:55:00Z"}' \
	"$BASE/hooks/${HOOK##*/hooks/}" | jq -r .signal.id)
ok "the webhook URL made before takes a signal, id $sid past $maxs" \
	test "$sid" -gt "$maxs"
stop_server

# ---- --json ----
URL2=$(pg_newdb "t520b_$$") || exit 1
check "--json: the tables and the total" 0 "$total/$(echo "$want" | wc -l)/2" \
	sh -c "'$KITH' --json migrate --to '$URL2' | jq -r \
		'\"\(.rows)/\(.tables | length)/\(.tables.workspace)\"'"
finish
