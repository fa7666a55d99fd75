#!/usr/bin/env bash
# T530: a book written by an older kith is upgraded in place, its rows
# kept. The database is brought to schema 16 with that version's own
# migrations (tools/dump_migrations, the same text kith runs), a
# workspace's rows are written with plain SQL as kith 16 stored them,
# and then kith opens it: migration 17 (indexes led by workspace_id, the
# notify targets' table rebuilt on SQLite) and 18 (tenant-first keys for
# a contact's lists, touch_user and meeting_contact: table rebuilds on
# SQLite) must keep every row and every link, on either engine; 19
# keys the id tables per workspace, and 20 fills the directory from the
# book's workspace name, sign-in email and credentials.
. "$(dirname "$0")/lib.sh"
dump=$(dirname "$KITH")/tools/dump_migrations
[ -x "$dump" ] || {
	echo "not ok 1 - no $dump (make unit builds it)"
	exit 1
}
from=16
latest=$("$dump" count)

# The book at schema 16, as that kith would have left it.
{
	echo "BEGIN;"
	for v in $(seq 1 $from); do
		if [ -n "${KITH_TEST_PG:-}" ]; then "$dump" pg "$v"; else "$dump" sqlite "$v"; fi
		echo ";"
	done
	if [ -n "${KITH_TEST_PG:-}" ]; then
		echo "UPDATE kith_schema SET version = $from;"
	else
		echo "PRAGMA user_version = $from;"
	fi
	cat <<'SQL'
INSERT INTO workspace (id, name, created_at) VALUES (1, 'Studio', 1795000000);
INSERT INTO "user" (id, workspace_id, email, role, created_at)
 VALUES (1, 1, 'ana@studio.example', 'owner', 1795000000);
INSERT INTO contact (id, workspace_id, name, created_at, updated_at,
 any_anchor, meet_anchor) VALUES
 (1, 1, 'Maria Lopez', 1795000000, 1795000000, 1795000000, 1795000000),
 (2, 1, 'Tom Ng', 1795000000, 1795000000, 1795000000, 1795000000);
INSERT INTO contact_email (workspace_id, contact_id, pos, email, label) VALUES
 (1, 1, 0, 'maria@lopez.example', 'work'), (1, 1, 1, 'm@home.example', 'home'),
 (1, 2, 0, 'tom@ng.example', '');
INSERT INTO contact_phone (workspace_id, contact_id, pos, phone, label, e164)
 VALUES (1, 1, 0, '+1 312 555 0100', 'cell', '+13125550100');
INSERT INTO contact_handle (workspace_id, contact_id, pos, handle)
 VALUES (1, 2, 0, '@tomng');
INSERT INTO contact_tag (workspace_id, contact_id, tag)
 VALUES (1, 1, 'vip'), (1, 1, 'chicago'), (1, 2, 'vip');
INSERT INTO contact_address (workspace_id, contact_id, pos, address, label)
 VALUES (1, 1, 0, '1 Main St, Chicago', 'work');
INSERT INTO touchpoint (id, workspace_id, at, channel, direction, created_at)
 VALUES (1, 1, 1795100000, 'in_person', 'out', 1795100000);
INSERT INTO touch_contact (workspace_id, contact_id, at, touch_id)
 VALUES (1, 1, 1795100000, 1), (1, 2, 1795100000, 1);
INSERT INTO touch_user (workspace_id, touch_id, user_id) VALUES (1, 1, 1);
INSERT INTO "meeting" (id, workspace_id, user_id, uid, start, "end")
 VALUES (1, 1, 1, 'm1@cal.example', 1795200000, 1795203600);
INSERT INTO meeting_contact (meeting_id, contact_id, workspace_id)
 VALUES (1, 2, 1);
INSERT INTO notify_target (id, workspace_id, user_id, url, json, created_at)
 VALUES (1, 1, 1, 'https://ntfy.example/ana', 1, 1795000000);
INSERT INTO session (id_hash, workspace_id, user_id, created_at, expires_at)
 VALUES ('session-hash', 1, 1, 1795000000, 1895000000);
INSERT INTO api_token (id, workspace_id, user_id, name, hash, created_at)
 VALUES (1, 1, 1, 'cli', 'token-hash', 1795000000);
INSERT INTO hook (workspace_id, secret, secret_hash)
 VALUES (1, 'hook-secret', 'hook-hash');
UPDATE "user" SET feed_secret = 'feed-secret', feed_hash = 'feed-hash'
 WHERE id = 1;
COMMIT;
SQL
} >"$T_DIR/book16.sql"
if [ -n "${KITH_TEST_PG:-}" ]; then
	psql -qX -v ON_ERROR_STOP=1 "$KITH_DB" -f "$T_DIR/book16.sql" >/dev/null
else
	command sqlite3 -bail "$KITH_DB" <"$T_DIR/book16.sql" >/dev/null
fi
ok "a book at schema $from" test $? = 0

# Opening it runs the migrations past 16.
check "kith opens it (the migrations run)" 0 "" \
	bash -c "'$KITH' --workspace Studio list >/dev/null"
if [ -n "${KITH_TEST_PG:-}" ]; then
	v=$(sqlite3 "$KITH_DB" "SELECT version FROM kith_schema")
else
	v=$(sqlite3 "$KITH_DB" "PRAGMA user_version")
fi
ok "now at schema $latest ($v)" test "$v" = "$latest"
# Migration 22 keeps each contact's lists on its row: the reads below
# read them there, not from the fallback to the tables.
unkept=$(sqlite3 "$KITH_DB" "SELECT count(*) FROM contact WHERE lists IS NULL")
check "every contact's lists are kept on its row (none unkept), as doctor recomputes them" \
	0 "0 0" bash -c "echo $unkept \$('$KITH' --json doctor 2>/dev/null | jq .lists_differing)"

counts="SELECT (SELECT count(*) FROM contact_email) || ' ' ||
 (SELECT count(*) FROM contact_phone) || ' ' ||
 (SELECT count(*) FROM contact_handle) || ' ' ||
 (SELECT count(*) FROM contact_tag) || ' ' ||
 (SELECT count(*) FROM contact_address) || ' ' ||
 (SELECT count(*) FROM touch_user) || ' ' ||
 (SELECT count(*) FROM meeting_contact) || ' ' ||
 (SELECT count(*) FROM notify_target)"
check "every row of the rebuilt tables is kept" 0 "3 1 1 3 1 1 1 1" \
	sqlite3 "$KITH_DB" "$counts"

# Through kith: what the rows mean, not only that they are there.
kith --workspace Studio --json show 1 >"$T_DIR/maria.json"
check "Maria's emails, phone and tags, as kith reads them" 0 \
	"maria@lopez.example m@home.example|+1 312 555 0100|chicago,vip" \
	jq -r '"\(.emails | join(" "))|\(.phones | join(" "))|\(.tags | sort | join(","))"' \
	"$T_DIR/maria.json"
check "the labels and the address, in order" 0 \
	"maria@lopez.example work
m@home.example home
+13125550100 cell
1 Main St, Chicago work" \
	sqlite3 "$KITH_DB" "SELECT email || ' ' || label FROM contact_email
		WHERE workspace_id = 1 AND contact_id = 1 ORDER BY pos;
		SELECT e164 || ' ' || label FROM contact_phone WHERE workspace_id = 1;
		SELECT address || ' ' || label FROM contact_address WHERE workspace_id = 1"
check "Tom's handle" 0 "@tomng" \
	bash -c "'$KITH' --workspace Studio --json show 2 | jq -r '.handles[]'"
check "the notify target kept its URL and form" 0 "https://ntfy.example/ana  (json)" \
	bash -c "'$KITH' --workspace Studio notify list | sed 's/^ *[0-9]* *//'"
check "the touch keeps both participants and its user" 0 "1|2|1" \
	sqlite3 "$KITH_DB" "SELECT min(tc.contact_id) || '|' || max(tc.contact_id) || '|' ||
		(SELECT user_id FROM touch_user WHERE workspace_id = 1 AND touch_id = 1)
		FROM touch_contact tc WHERE tc.workspace_id = 1 AND tc.touch_id = 1"
check "the meeting keeps its contact" 0 "2" \
	sqlite3 "$KITH_DB" "SELECT contact_id FROM meeting_contact WHERE workspace_id = 1 AND meeting_id = 1"

check "the directory holds the name, the email and the four credentials" 0 \
	"Studio|ana@studio.example|feed-hash hook-hash session-hash token-hash" \
	sqlite3 "$KITH_DB" "SELECT (SELECT name FROM directory_workspace WHERE
	 workspace_id = 1), (SELECT email FROM directory_login WHERE workspace_id
	 = 1 AND user_id = 1), (SELECT group_concat(hash, ' ') FROM (SELECT hash
	 FROM directory_credential WHERE workspace_id = 1 ORDER BY hash) AS h)"

# The new keys hold, and kith writes through them.
ok "a duplicate tag is refused by the new key" \
	bash -c "! sqlite3 '$KITH_DB' \"INSERT INTO contact_tag (workspace_id, contact_id, tag) VALUES (1, 1, 'vip')\" 2>/dev/null"
ok "kith still writes a contact's lists after the upgrade" \
	bash -c "'$KITH' --workspace Studio edit 2 --email tom@work.example --tag founder >/dev/null &&
		'$KITH' --workspace Studio --json show 2 |
		jq -e '(.emails | index(\"tom@work.example\")) and (.tags | index(\"founder\"))' >/dev/null"
if [ -z "${KITH_TEST_PG:-}" ]; then
	check "integrity_check and foreign_key_check" 0 "ok" \
		sqlite3 "$KITH_DB" "PRAGMA integrity_check; PRAGMA foreign_key_check"
	# The planner's statistics (migration 21, migrate_stats_sql): every
	# index leading with workspace_id has a row; a book's own figures,
	# once ANALYZEd, are kept through a later upgrade.
	lead="SELECT count(*) FROM sqlite_schema m, pragma_index_list(m.name) l
	 WHERE m.type = 'table' AND m.name NOT LIKE 'sqlite%' AND (SELECT
	 i.name FROM pragma_index_info(l.name) i WHERE i.seqno = 0) =
	 'workspace_id'"
	n=$(sqlite3 "$KITH_DB" "$lead")
	check "the upgrade gave the planner statistics for all $n workspace indexes" \
		0 "$n" sqlite3 "$KITH_DB" "SELECT count(*) FROM sqlite_stat1 WHERE
		 stat = '1000000 100000'"
	# Back to schema 21 (migration 22 undone), so opening upgrades.
	sqlite3 "$KITH_DB" "ANALYZE; ALTER TABLE contact DROP COLUMN lists;
	 PRAGMA user_version = 21"
	before=$(sqlite3 "$KITH_DB" "SELECT stat FROM sqlite_stat1 WHERE idx =
	 'contact_email_nocase'")
	# ANALYZE files a WITHOUT ROWID table's key under the table's name.
	rows=$(sqlite3 "$KITH_DB" "SELECT count(*) FROM sqlite_stat1 WHERE tbl
	 = 'touch_contact'")
	"$KITH" --workspace Studio list >/dev/null
	check "an ANALYZEd book keeps its own figures ($before) through an upgrade" \
		0 "$latest $before" sqlite3 "$KITH_DB" "SELECT (SELECT user_version
		 FROM pragma_user_version) || ' ' || stat FROM sqlite_stat1 WHERE
		 idx = 'contact_email_nocase'"
	check "and no seed beside a WITHOUT ROWID table's own figures" \
		0 "$rows" sqlite3 "$KITH_DB" "SELECT count(*) FROM sqlite_stat1 WHERE
		 tbl = 'touch_contact'"
fi
echo "1..$t_n"
finish
