#!/usr/bin/env bash
# T410: kith doctor (src/cli/ops.c): a healthy database exits 0; each
# kind of problem (a corrupted page, summaries that disagree with
# history, a newer schema, a broken notify target, a server that does
# not answer) exits 1 and is named.
. "$(dirname "$0")/lib.sh"
# repair_checks: kith doctor --repair, on either engine. A second
# workspace with a user and a token gives the directory every kind of
# entry; the damage is done to it alone, and the repair must give back
# exactly the rows it had, in one transaction.
repair_checks() {
	local ws
	kith --workspace Annex demo >/dev/null
	kith --workspace Annex user add rae@annex.example --role owner >/dev/null
	kith --workspace Annex token create rae@annex.example --name r >/dev/null
	ws=$(sqlite3 "$KITH_DB" "SELECT id FROM workspace WHERE name = 'Annex'")
	derived() {
		sqlite3 "$KITH_DB" "SELECT workspace_id, id, touch_count, last_touch, last_in_person, due_at, meet_due_at, lists FROM contact ORDER BY 1, 2"
		sqlite3 "$KITH_DB" "SELECT name, workspace_id FROM directory_workspace ORDER BY 2"
		sqlite3 "$KITH_DB" "SELECT email, workspace_id, user_id FROM directory_login ORDER BY 2, 3"
		sqlite3 "$KITH_DB" "SELECT hash, kind, workspace_id, user_id FROM directory_credential ORDER BY 1"
	}
	derived >"$T_DIR/sound"
	check_rc "--repair on a sound book: exit 0" 0 kith doctor --repair
	ok "says there was nothing to repair" grep -qx "repair     nothing to repair" "$T_DIR/out"
	derived >"$T_DIR/after"
	ok "and changed nothing" cmp -s "$T_DIR/sound" "$T_DIR/after"
	v5=$(sqlite3 "$KITH_DB" "SELECT version FROM contact WHERE workspace_id = $ws AND id = 5")
	v6=$(sqlite3 "$KITH_DB" "SELECT version FROM contact WHERE workspace_id = $ws AND id = 6")
	sqlite3 "$KITH_DB" "UPDATE contact SET touch_count = touch_count + 7, due_at = 0 WHERE workspace_id = $ws AND id IN (3, 4)"
	sqlite3 "$KITH_DB" "UPDATE contact SET lists = NULL WHERE workspace_id = $ws AND id = 5"
	sqlite3 "$KITH_DB" "UPDATE contact SET lists = 'x' WHERE workspace_id = $ws AND id = 6"
	sqlite3 "$KITH_DB" "DELETE FROM directory_credential WHERE workspace_id = $ws"
	sqlite3 "$KITH_DB" "INSERT INTO directory_login (email, workspace_id, user_id) VALUES ('ghost@annex.example', $ws, 999)"
	sqlite3 "$KITH_DB" "INSERT INTO directory_workspace (name, workspace_id) VALUES ('Gone', 999)"
	check_rc "summaries, kept lists and directory damaged: exit 1" 1 kith doctor
	ok "all three named" test "$(grep -c PROBLEM "$T_DIR/out")" = 3
	check_rc "--repair: exit 0" 0 kith doctor --repair
	ok "says what it made again" test "$(grep '^repair ' "$T_DIR/out")" = "repair     2 contacts' summaries recomputed from history
repair     2 contacts' kept lists rebuilt from their tables
repair     directory rebuilt (3 entries were missing or stale)"
	ok "then checks, and all is well" grep -qx 'all well' "$T_DIR/out"
	derived >"$T_DIR/after"
	ok "every derived row as it was before the damage" cmp -s "$T_DIR/sound" "$T_DIR/after"
	check_rc "doctor after the repair: exit 0" 0 kith doctor
	# Wrong kept lists were read: that contact's version (and CardDAV
	# ETag) moves, so clients read it again; unkept ones read right.
	ok "a contact whose kept lists were wrong has a new version" \
		test "$(sqlite3 "$KITH_DB" "SELECT version FROM contact WHERE workspace_id = $ws AND id = 6")" = $((v6 + 1))
	ok "one with none kept keeps its version" \
		test "$(sqlite3 "$KITH_DB" "SELECT version FROM contact WHERE workspace_id = $ws AND id = 5")" = "$v5"
	# A credential filed under the wrong kind: found and made again.
	sqlite3 "$KITH_DB" "UPDATE directory_credential SET kind = 'feed' WHERE workspace_id = $ws AND kind = 'token'"
	check_rc "a token filed as a feed in the directory: exit 1" 1 kith doctor
	ok "named as missing from the directory" grep -q "^directory  PROBLEM: 1 names" "$T_DIR/out"
	check_rc "--repair: exit 0" 0 kith doctor --repair
	derived >"$T_DIR/after"
	ok "the directory as it was" cmp -s "$T_DIR/sound" "$T_DIR/after"
	sqlite3 "$KITH_DB" "UPDATE contact SET touch_count = 0 WHERE workspace_id = $ws AND id = 7"
	check_rc "--repair --json: exit 0" 0 kith doctor --repair --json
	ok "--json: repaired counts, then ok" \
		test "$(jq -c '[.ok, .repaired, .summaries_differing]' "$T_DIR/out")" = '[true,{"summaries":1,"lists":0,"directory":0},0]'
	derived >"$T_DIR/after"
	ok "and the row is as it was" cmp -s "$T_DIR/sound" "$T_DIR/after"
}

# The PostgreSQL book: connected, schema current, summaries checked.
if [ -n "${KITH_TEST_PG:-}" ]; then
	kith --workspace Studio demo >/dev/null
	check_rc "doctor on PostgreSQL: all well" 0 kith doctor
	ok "says it is PostgreSQL" grep -q "PostgreSQL, connected" "$T_DIR/out"
	ok "and never shows the URL" bash -c '! grep -q "postgresql://" "$1"' _ "$T_DIR/out"
	ok "checks the summaries" grep -q "summaries  ok" "$T_DIR/out"
	ok "checks the kept lists" grep -q "lists      ok" "$T_DIR/out"
	ok "checks the directory" grep -q "directory  ok" "$T_DIR/out"
	check_rc "doctor --json" 0 kith --json doctor
	ok "--json: ok, schema current" \
		test "$(jq -c '[.ok, .database, .schema.file == .schema.kith]' "$T_DIR/out")" = '[true,"postgresql",true]'
	repair_checks
	finish
	exit
fi
W=(--workspace Studio)
kith "${W[@]}" demo >/dev/null
n=$(sqlite3 "$KITH_DB" 'SELECT count(*) FROM contact')
v=$(sqlite3 "$KITH_DB" 'PRAGMA user_version')
# A user on a touch: touch_user is a WITHOUT ROWID table whose NOT NULL
# workspace_id precedes its key, which SQLite 3.40.0-3.41.0's
# integrity_check reports as "NULL value in touch_user.workspace_id"
# although none is stored. doctor must not cry wolf over it.
kith "${W[@]}" user add ana@studio.example --role owner >/dev/null
sqlite3 "$KITH_DB" "INSERT INTO touch_user VALUES (1, (SELECT min(id) FROM touchpoint), (SELECT id FROM user))"
# problems [ARGS]: doctor's PROBLEM lines, then its last word on stderr.
problems() {
	"$KITH" doctor "$@" >"$T_DIR/d" 2>"$T_DIR/e"
	local rc=$?
	grep PROBLEM "$T_DIR/d"
	cat "$T_DIR/e"
	return $rc
}

check_rc "a healthy database: exit 0" 0 kith doctor
ok "says all well" grep -qx 'all well' "$T_DIR/out"
ok "names integrity ok" grep -qx 'integrity  ok' "$T_DIR/out"
ok "names the schema as current" grep -qx "schema     $v (current)" "$T_DIR/out"
ok "checks summaries" grep -qx 'summaries  ok (recomputed from history)' "$T_DIR/out"
ok "checks each contact's kept lists" grep -qx "lists      ok (each contact's against its tables)" "$T_DIR/out"
ok "checks the directory" grep -qx 'directory  ok (every workspace name, sign-in email and credential, and nothing else)' "$T_DIR/out"
ok "lists the contact table's rows" grep -Eq "^ +contact +$n rows" "$T_DIR/out"
check_rc "--json: exit 0" 0 kith doctor --json
ok "--json: ok, integrity, rows" test "$(jq -c "[.ok, .integrity, (.tables[] | select(.name == \"contact\") | .rows), .schema.file == .schema.kith, (.problems | length)]" "$T_DIR/out")" = "[true,\"ok\",$n,true,0]"

# ---- summaries that disagree with history ----
cp "$KITH_DB" "$T_DIR/good.db"
sqlite3 "$KITH_DB" 'UPDATE contact SET touch_count = touch_count + 7 WHERE id = 3'
check "a stale summary: exit 1, named" 1 \
"summaries  PROBLEM: 1 contacts' stored summaries differ from their history (first: contact 3)
kith doctor: 1 problem found" \
	problems
ok "the check changed nothing" \
	test "$(sqlite3 "$KITH_DB" 'SELECT touch_count FROM contact WHERE id = 3')" = \
	     "$(($(sqlite3 "$T_DIR/good.db" 'SELECT touch_count FROM contact WHERE id = 3') + 7))"
cp "$T_DIR/good.db" "$KITH_DB"

# ---- kept lists (contact.lists) that disagree with their tables ----
sqlite3 "$KITH_DB" "INSERT INTO contact_email (workspace_id, contact_id, pos, email, label) VALUES (1, 4, 9, 'extra@studio.example', '')"
check "an email the contact's kept lists lack: exit 1, named" 1 \
"lists      PROBLEM: 1 contacts' kept lists differ from their emails, phones, handles, tags and addresses (first: contact 4)
kith doctor: 1 problem found" \
	problems
ok "--json: lists_differing 1" \
	bash -c '"$1" doctor --json 2>/dev/null | jq -e ".lists_differing == 1" >/dev/null' _ "$KITH"
cp "$T_DIR/good.db" "$KITH_DB"
# A row whose lists were never kept (NULL) reads them from the tables:
# the same contact, one row read or five.
kith "${W[@]}" --json show 5 >"$T_DIR/kept.json"
kith "${W[@]}" --json list >"$T_DIR/kept-list.json"
sqlite3 "$KITH_DB" "UPDATE contact SET lists = NULL WHERE id = 5"
kith "${W[@]}" --json show 5 >"$T_DIR/unkept.json"
kith "${W[@]}" --json list >"$T_DIR/unkept-list.json"
ok "a contact with no kept lists shows the same lists" cmp "$T_DIR/kept.json" "$T_DIR/unkept.json"
ok "and a page with it lists the same" cmp "$T_DIR/kept-list.json" "$T_DIR/unkept-list.json"
ok "the contact has lists to show" \
	test "$(jq '(.emails | length) + (.tags | length)' "$T_DIR/unkept.json")" -gt 0
check_rc "doctor names the unkept row" 1 kith doctor
kith "${W[@]}" edit 5 --title "Kept again" >/dev/null
check_rc "an edit keeps them again: exit 0" 0 kith doctor
cp "$T_DIR/good.db" "$KITH_DB"

# ---- the directory (migration 20) against the rows it names ----
T=$(kith "${W[@]}" token create ana@studio.example --name t410 | tail -1)
sqlite3 "$KITH_DB" "DELETE FROM directory_credential WHERE kind = 'token';
	INSERT INTO directory_login VALUES ('gone@studio.example', 1, 99)"
check "a token missing from the directory, an email naming nobody: exit 1" 1 \
"directory  PROBLEM: 1 names, emails or credentials missing from the directory, 1 entries naming nothing (sign-in and credential lookups on Citus read it)
kith doctor: 1 problem found" \
	problems
ok "--json: directory_missing 1, directory_stale 1" \
	bash -c '"$1" doctor --json 2>/dev/null | jq -e ".directory_missing == 1 and .directory_stale == 1" >/dev/null' _ "$KITH"
cp "$T_DIR/good.db" "$KITH_DB"

# ---- notify targets and their outbox ----
sqlite3 "$KITH_DB" "INSERT INTO notify_target (id, workspace_id, user_id, url, created_at) VALUES (1, 1, 1, 'ftp://files.example/x', 0);
INSERT INTO notify_target (id, workspace_id, user_id, url, created_at) VALUES (2, 1, 1, 'https://ntfy.example/k', 0);
INSERT INTO outbox (id, workspace_id, target_id, body, attempts, next_at, last_error) VALUES (1, 1, 2, 'x', 5, 0, 'connect: refused')"
check "notify problems: exit 1, named" 1 \
"notify     PROBLEM: target \"ftp://files.example/x\" is not an http(s) URL
notify     PROBLEM: 1 notifications unsent after 3 tries; last error: connect: refused
kith doctor: 2 problems found" \
	problems
cp "$T_DIR/good.db" "$KITH_DB"

# ---- a newer schema ----
sqlite3 "$KITH_DB" 'PRAGMA user_version = 999'
check "a newer schema: exit 1, named" 1 \
"schema     PROBLEM: the file's schema 999 is newer than this kith's $v: upgrade kith
kith doctor: 1 problem found" \
	problems
cp "$T_DIR/good.db" "$KITH_DB"

# ---- a corrupted page: zeros over the touchpoint table's root ----
root=$(sqlite3 "$KITH_DB" "SELECT rootpage FROM sqlite_schema WHERE name = 'touchpoint'")
psize=$(sqlite3 "$KITH_DB" 'PRAGMA page_size')
dd if=/dev/zero of="$KITH_DB" bs="$psize" seek=$((root - 1)) count=1 conv=notrunc status=none
check_rc "a corrupted page: exit 1" 1 kith doctor
ok "names integrity and the page" grep -q "^integrity  PROBLEM: Page $root: " "$T_DIR/out"
ok "says how many problems" grep -Eq '^kith doctor: [0-9]+ problems? found$' "$T_DIR/out"
check_rc "--json with a corrupted page: exit 1" 1 kith doctor --json
ok "--json: not ok, integrity names the page" \
	test "$(jq -r '[.ok, (.problems[0].check), (.integrity | type)] | @tsv' "$T_DIR/out" 2>/dev/null | head -1)" = "false	integrity	array"

# ---- random bytes over page 1 (the header and schema) ----
cp "$T_DIR/good.db" "$KITH_DB"
head -c 4096 /dev/urandom | dd of="$KITH_DB" bs=1 seek=100 count=3000 conv=notrunc status=none
check_rc "a corrupted schema page: exit 1" 1 kith doctor
ok "names the problem" grep -Eq '^(integrity|schema|database) +PROBLEM: ' "$T_DIR/out"

# ---- --repair ----
cp "$T_DIR/good.db" "$KITH_DB"
repair_checks
cp "$T_DIR/good.db" "$KITH_DB"
# A repair that fails late changes nothing: a trigger refuses the
# directory's rebuild after the summaries were recomputed.
sqlite3 "$KITH_DB" "UPDATE contact SET touch_count = touch_count + 7 WHERE workspace_id = 1 AND id = 3;
	DELETE FROM directory_login;
	CREATE TRIGGER t410_refuse BEFORE INSERT ON directory_login BEGIN SELECT RAISE(ABORT, 't410 refuses'); END"
check_rc "a repair that fails: exit 1" 1 kith doctor --repair
ok "names the failure" grep -q "^repair     PROBLEM: .*t410 refuses" "$T_DIR/out"
ok "and the summaries it had recomputed are as they were" \
	test "$(sqlite3 "$KITH_DB" 'SELECT touch_count FROM contact WHERE workspace_id = 1 AND id = 3')" = \
	     "$(($(sqlite3 "$T_DIR/good.db" 'SELECT touch_count FROM contact WHERE workspace_id = 1 AND id = 3') + 7))"
cp "$T_DIR/good.db" "$KITH_DB"
# A book that fails its checks is not repaired.
sqlite3 "$KITH_DB" 'PRAGMA user_version = 999'
check_rc "--repair on a newer schema: exit 1" 1 kith doctor --repair
ok "says it did not try" grep -qx 'repair     not attempted (the database failed the checks above)' "$T_DIR/out"
cp "$T_DIR/good.db" "$KITH_DB"

# ---- no database ----
check "no database: exit 1, named" 1 \
"database   PROBLEM: $T_DIR/none.db: No such file or directory
kith doctor: 1 problem found" \
	kith --db "$T_DIR/none.db" doctor
ok "and it created nothing" test ! -e "$T_DIR/none.db"

# ---- the server ----
cp "$T_DIR/good.db" "$KITH_DB"
"$KITH" serve --listen 127.0.0.1:0 --quiet 2>"$T_DIR/serve.log" &
pid=$!
for _ in $(seq 1 200); do
	addr=$(sed -n 's|^kith: serving on http://\([0-9.:]*\)/.*|\1|p' "$T_DIR/serve.log")
	[ -n "$addr" ] && break
	sleep 0.05
done
check_rc "--listen at a running server: exit 0" 0 kith doctor --listen "$addr"
ok "says it answers" grep -qx "server     $addr answers" "$T_DIR/out"
kill "$pid"
wait "$pid" 2>/dev/null
check "--listen where nothing answers: exit 1, named" 1 \
"server     PROBLEM: $addr: Couldn't connect to server
kith doctor: 1 problem found" \
	problems --listen "$addr"
check "doctor takes no words" 2 \
"kith doctor: unexpected argument \"extra\" (see kith doctor --help)" kith doctor extra
finish
