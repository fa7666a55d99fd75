#!/usr/bin/env bash
# T500: every statement the product runs is routable to one workspace's
# shard (issue 18, docs/SCALING.md). Runs a spread of the CLI and API
# suites with KITH_SQL_LOG on, then checks each distinct logged
# statement: every tenant table it reads or writes is pinned to one
# workspace (its distribution key compared to a parameter, or joined on
# it to a table that is), unless the statement is on the allow-list
# below, each entry with its reason. The checker is tried on statements
# that must fail first, so a checker that passes everything fails here.
# On SQLite the same statements are then checked for their query plans
# (below).
# run-all: first build only (it reruns 33 suites; the sanitizers change
# no SQL, and those suites run under them on their own)
# run-all: on PostgreSQL too (its engine logs what it runs, $N written
# back as ?N: the statements only PostgreSQL runs are checked there)
. "$(dirname "$0")/lib.sh"
here=$(cd "$(dirname "$0")/../.." && pwd)
log=$T_DIR/sql.log

# The distribution plan: each table of src/store/migrate.c and its
# distribution column. workspace is distributed by its id (co-located
# with the rest). The directory (migration 20: directory_workspace,
# directory_login, directory_credential) is made of reference tables,
# copied to every node: a statement on them alone is routable anywhere,
# so they are not listed.
cat >"$T_DIR/tables" <<'TABLES'
workspace id
user workspace_id
session workspace_id
api_token workspace_id
hook workspace_id
organization workspace_id
contact workspace_id
contact_email workspace_id
contact_phone workspace_id
contact_handle workspace_id
contact_tag workspace_id
contact_address workspace_id
touchpoint workspace_id
touch_contact workspace_id
touch_user workspace_id
fact workspace_id
kdate workspace_id
promise workspace_id
gift workspace_id
revenue workspace_id
cadence_rule workspace_id
signal workspace_id
alert workspace_id
notify_target workspace_id
outbox workspace_id
meeting workspace_id
meeting_contact workspace_id
mail_message workspace_id
mail_peer workspace_id
mail_alias workspace_id
mailbox workspace_id
dav_card workspace_id
dav_tombstone workspace_id
dav_book workspace_id
TABLES

# The allow-list: a regular expression a whole statement matches, a tab,
# the reason. Kept in step with docs/SCALING.md ("Statements that span
# workspaces").
cat >"$T_DIR/allow" <<'ALLOW'
# Schema migrations: run once per database on open, over every
# workspace by nature (on PostgreSQL, DDL and backfills Citus runs on
# every shard).
^INSERT INTO meeting_new SELECT	migration 6 rebuilds meeting
^INSERT INTO meeting_contact_new SELECT	migration 6 rebuilds meeting_contact
^INSERT INTO dav_card_new\(	migration 13 rebuilds dav_card
^UPDATE workspace SET dav_tombstones_n = \(SELECT count	migration 13 counts each workspace's tombstones
^UPDATE meeting_contact SET workspace_id = coalesce	migration 14 backfills meeting_contact.workspace_id
^INSERT INTO notify_target_new SELECT	migration 17 rebuilds notify_target
^INSERT INTO (contact_email|contact_phone|contact_handle|contact_tag|contact_address|touch_user|meeting_contact)_new 	migration 18 rebuilds a contact's lists, touch_user and meeting_contact with tenant-first keys
^INSERT INTO \w+_new \([a-z_", ]+\) SELECT [a-z_", ]+ FROM "?\w+"?;?$	migration 19 rebuilds each table keyed by an id, and those that point at one, keyed (workspace_id, id)
^UPDATE workspace SET mailbox_seq = \(SELECT coalesce\(max\((seq|last)\), 0\) FROM (sqlite_sequence|kith_autoinc) 	migration 19 gives every workspace the highest mailbox id given so far
^INSERT INTO directory_(workspace|login|credential) SELECT [A-Za-z_', ]+ FROM "?(workspace|user|session|api_token|hook)"?( WHERE feed_hash IS NOT NULL)?;?$	migration 20 fills the directory from every workspace's name, accounts and credentials
^UPDATE contact SET lists = coalesce\(\(SELECT group_concat\(x, '.'\) FROM \(SELECT email \|\| '.' \|\| label AS x FROM contact_email l WHERE l\.workspace_id = contact\.workspace_id 	migration 22 keeps each contact's lists on its row, from every workspace's list tables
# The directory of workspaces: the operator's CLI picks or makes one.
^SELECT id, name, tz, work_start, work_end, response_target, created_at FROM workspace ORDER BY id$	store_workspace_list: which workspaces exist (the CLI's default, the book export)
^INSERT INTO workspace\(name, created_at\) VALUES	store_workspace_add: a new workspace gets its id here; the row lives on the shard of that id
# Finding the workspace: a credential names a user, and the user row
# names the workspace; every statement after it is pinned to that one.
# On Citus the store reads the directory first (store_set_sharded) and
# runs these pinned to the workspace it names; single-node engines run
# them as below, one statement on the global unique index.
FROM "user" WHERE email = \?\d*$	sign-in: the email is unique across workspaces (migration 2)
FROM session x JOIN "user" u ON u\.workspace_id = x\.workspace_id AND u\.id = x\.user_id WHERE x\.id_hash = \?1	a request's session cookie, looked up by its hash
^UPDATE session SET idle_until = min\(expires_at, \?2\) WHERE id_hash = \?1	the same session's idle deadline slides on use
^DELETE FROM session WHERE id_hash = \?\d*$	sign-out ends the session by its hash
FROM api_token t JOIN "user" u ON u\.workspace_id = t\.workspace_id AND u\.id = t\.user_id WHERE t\.hash = \?1	a request's API token, looked up by its hash
^UPDATE api_token SET last_used_at = \?2 WHERE hash = \?1	the same token's last use
FROM hook WHERE secret_hash = \?\d*$	a webhook's secret, looked up by its hash, names the workspace
FROM "user" WHERE feed_hash = \?\d*$	a calendar feed's secret URL, looked up by its hash
# Server-wide jobs: each finds the due work of every workspace, then
# does it with statements pinned to the item's workspace.
FROM mailbox WHERE next_sync <= \?	the mail syncer's due mailboxes
^DELETE FROM session WHERE expires_at <= \?1	the server's sweep of expired sessions
FROM "user" ORDER BY id$	the ticker's members (focus ends, morning digests)
^SELECT coalesce\(sum\(\(SELECT max\(a\.id\) FROM alert a WHERE a\.workspace_id = w\.id\)\), 0\) FROM workspace w$	the ticker's mark, each workspace's newest alert summed, to notice alerts the CLI wrote
^SELECT DISTINCT workspace_id, user_id FROM alert WHERE held = 1$	the ticker's members with held alerts
FROM outbox o JOIN notify_target t ON t\.workspace_id = o\.workspace_id	the notification sender's due items, a few per workspace
# The operator's whole-database checks (kith doctor, kith restore).
^SELECT EXISTS \(SELECT 1 FROM contact\) OR	restore: is the whole book empty
FROM contact ORDER BY workspace_id, id$	doctor: every stored summary against history
^SELECT \(SELECT count\(\*\) FROM workspace w WHERE NOT EXISTS \(SELECT 1 FROM directory_workspace 	doctor: the rows the directory should name and does not
^SELECT \(SELECT count\(\*\) FROM directory_workspace\) \+ \(SELECT count\(\*\) FROM directory_login\) 	doctor: the directory's entries beyond the rows they name
^SELECT count\(\*\), \(SELECT last_error FROM outbox WHERE sent_at IS NULL	doctor: notifications that gave up
^SELECT count\(\*\), min\(c\.id\) FROM contact c WHERE c\.lists IS NULL OR c\.lists <> 	doctor: every contact's kept lists against their tables
ALLOW

cat >"$T_DIR/check.py" <<'PY'
import re, sys

tables = dict(l.split() for l in open(sys.argv[1]) if l.strip())
SKIP = re.compile(r'^(BEGIN|COMMIT|ROLLBACK|SAVEPOINT|RELEASE|END|PRAGMA|'
                  r'CREATE|ALTER|DROP|ANALYZE|VACUUM|-- TRIGGER )', re.I)
REF = re.compile(r'\b(FROM|JOIN|INTO|UPDATE)\s+(\w+)(?:\s+(?:AS\s+)?(\w+))?',
                 re.I)
KW = set('where set on join left inner cross values select order group limit '
         'using natural as default returning union'.split())
# A key pinned to one value: compared to a parameter, or in a trigger to
# the row that fired it.
PIN = r'(\?\d*|NEW\.\w+|OLD\.\w+)'

def level(sql, start):
    """sql from start to the end of its parenthesis level, with nested
    sub-selects cut out (each is checked where it starts)."""
    out, depth, opened = [], 0, []
    for ch in sql[start:]:
        if ch == '(':
            depth += 1
            opened.append(len(out))
        elif ch == ')':
            if depth == 0:
                break
            depth -= 1
            a = opened.pop()
            if depth == 0 and re.search(r'\bSELECT\b', ''.join(out[a:]), re.I):
                del out[a + 1:]
        out.append(ch)
    return ''.join(out)

def unpinned(sql):
    """The tenant tables sql touches without naming their key, and
    whether any key is pinned to one value at all."""
    bad = []
    for m in REF.finditer(sql):
        table = m.group(2).lower()
        if table not in tables:
            continue
        alias = m.group(3)
        if alias is None or alias.lower() in KW:
            alias = table
        key = tables[table]
        pat = r'(?<![\w.])(%s\.)?%s\b' % (re.escape(alias), key)
        if key == 'id':
            pat += r'\s*(=|IN\b)'
        if not re.search(pat, level(sql, m.start()), re.I):
            bad.append(table)
    if not bad and REF.search(sql) and any(
            m.group(2).lower() in tables for m in REF.finditer(sql)):
        keys = '|'.join(sorted(set(tables.values())))
        pinned = re.search(r'(?<!\w)([\w]+\.)?(%s)\s*=\s*%s' % (keys, PIN),
                           sql, re.I) or \
            re.search(r'%s\s*=\s*([\w]+\.)?(%s)\b' % (PIN, keys), sql, re.I) \
            or re.match(r'INSERT\b.*\bVALUES\s*\(', sql, re.I | re.S) \
            or (re.match(r'INSERT\b', sql, re.I)
                and not re.search(r'\bFROM\b', sql, re.I))
        if not pinned:
            bad.append('(no key pinned to one value)')
    return bad

def main():
    rules = []
    for line in open(sys.argv[3]):
        line = line.rstrip('\n')
        if line and not line.startswith('#'):
            pat, _, why = line.partition('\t')
            rules.append([re.compile(pat), why.strip(), 0])
    seen, checked, fails = set(), 0, 0
    for line in open(sys.argv[2], errors='replace'):
        sql = line.rstrip('\n')
        if sql in seen:
            continue
        seen.add(sql)
        if SKIP.match(sql):
            continue
        checked += 1
        body = sql[3:] if sql.startswith('-- ') else sql
        bad = unpinned(body)
        if not bad:
            continue
        hit = [r for r in rules if r[0].search(sql)]
        if hit:
            hit[0][2] += 1
            continue
        fails += 1
        print('# not routable (%s): %s' % (', '.join(bad), sql))
    for r in rules:
        if not r[2]:
            print('# allow-list entry matched nothing: %s' % r[0].pattern)
    print('# %d distinct statements checked, %d not routable'
          % (checked, fails))
    sys.exit(1 if fails else 0)

main()
PY

checker() { python3 "$T_DIR/check.py" "$T_DIR/tables" "$1" "$T_DIR/allow"; }

# The checker itself: each of these must be caught.
printf '%s\n' \
	'SELECT name FROM contact WHERE id = ?' \
	'DELETE FROM contact_email WHERE contact_id = ?' \
	'SELECT c.name FROM contact c JOIN contact_tag t ON t.contact_id = c.id WHERE c.workspace_id = ?' \
	'SELECT r.every FROM contact_tag t JOIN cadence_rule r ON r.workspace_id = t.workspace_id WHERE t.tag = ?' \
	'SELECT id FROM contact WHERE workspace_id = ? AND id IN (SELECT contact_id FROM fact WHERE text = ?)' \
	'UPDATE workspace SET dav_seq = dav_seq + 1' \
	>"$T_DIR/bad.log"
for i in 1 2 3 4 5 6; do
	sed -n "${i}p" "$T_DIR/bad.log" >"$T_DIR/one.log"
	ok "the checker catches: $(cut -c1-60 "$T_DIR/one.log")" \
		eval '! checker "$T_DIR/one.log" >/dev/null'
done
printf '%s\n' \
	'SELECT name FROM contact WHERE workspace_id = ? AND id = ?' \
	'SELECT c.name FROM contact c JOIN contact_tag t ON t.workspace_id = c.workspace_id AND t.contact_id = c.id WHERE c.workspace_id = ?1' \
	'INSERT INTO fact(workspace_id, contact_id, text, created_at) VALUES (?, ?, ?, ?)' \
	'UPDATE workspace SET dav_seq = dav_seq + 1 WHERE id = ?' \
	>"$T_DIR/good.log"
: >"$T_DIR/noallow"
ok "the checker passes statements pinned to one workspace" \
	python3 "$T_DIR/check.py" "$T_DIR/tables" "$T_DIR/good.log" "$T_DIR/noallow"

# The real work: a spread of the suites, every process logging.
suites="tests/cli/T010-basics.sh tests/cli/T020-touches.sh
tests/cli/T030-facts-dates-promises.sh tests/cli/T040-due.sh
tests/cli/T050-brief-health-report.sh tests/cli/T060-export-import.sh
tests/cli/T070-merge.sh tests/cli/T090-demo.sh tests/cli/T110-signals.sh
tests/cli/T120-write-rules.sh tests/cli/T130-import-vcard.sh
tests/cli/T140-import-csv.sh tests/cli/T150-export.sh
tests/cli/T170-carddav.sh tests/cli/T300-mail-import.sh
tests/cli/T320-mail-unanswered.sh tests/cli/T400-backup.sh
tests/cli/T410-doctor.sh tests/api/A010-session.sh
tests/api/A020-contacts.sh tests/api/A050-tenancy.sh
tests/api/A070-import-export.sh tests/api/A110-signals.sh
tests/api/A120-events.sh tests/api/A130-notify.sh tests/api/A150-morning.sh
tests/api/A204-accounts.sh tests/api/A250-meetings-scope.sh
tests/api/A310-import.sh tests/api/A320-feed.sh tests/api/A330-mailboxes.sh
tests/api/A340-token-use.sh tests/api/A400-carddav.sh"
for t in $suites; do
	# Each suite as run-all runs it: not under this one's fixed clock.
	env -u KITH_NOW -u KITH_DB KITH_SQL_LOG="$log" KITH_PRISM=0 \
		bash "$here/$t" >"$T_DIR/suite.out" 2>&1
	rc=$?
	ok "$(basename "$t" .sh) passes with statement logging on" \
		test "$rc" = 0 -a "$(grep -c '^not ok' "$T_DIR/suite.out")" = 0
	[ "$rc" = 0 ] || tail -5 "$T_DIR/suite.out" | sed "s/^/#   /"
	[ "$rc" = 0 ] || grep -A5 '^not ok' "$T_DIR/suite.out" | head -20 | sed 's/^/#   /'
done

n=$(sort -u "$log" | wc -l)
ok "the suites logged many distinct statements ($n)" test "$n" -gt 300
ok "the log holds ? placeholders, never a password hash" \
	eval '! grep -q "argon2" "$log" && grep -q "= ?" "$log"'
t_n=$((t_n + 1))
if checker "$log" >"$T_DIR/check.out"; then
	echo "ok $t_n - every logged statement is routable to one workspace or allowed"
	tail -1 "$T_DIR/check.out"
else
	t_failed=$((t_failed + 1))
	echo "not ok $t_n - every logged statement is routable to one workspace or allowed"
	cat "$T_DIR/check.out"
fi

# And on SQLite: each logged statement is planned with an index that
# finds its rows, on a book nobody ANALYZEd (kith never does, but for
# the big demo). Without statistics SQLite took a workspace for ten rows
# and read a whole workspace by its key where an address's index finds
# the one contact (importing 100,000 cards: minutes, not seconds). The
# store seeds statistics (migrate_stats_sql); this finds any SEARCH on
# workspace_id alone where the statement compares another index's
# second column, unless allowed below.
if [ -z "${KITH_TEST_PG:-}" ]; then
	cat >"$T_DIR/plans.py" <<'PY'
import re, sqlite3, sys

con = sqlite3.connect(sys.argv[1])
allow = []
for line in open(sys.argv[3]):
    line = line.rstrip('\n')
    if line and not line.startswith('#'):
        pat, _, why = line.partition('\t')
        allow.append([re.compile(pat), why, 0])
index = {}
for (t,) in con.execute("SELECT name FROM sqlite_schema WHERE type = 'table'"
                        " AND name NOT LIKE 'sqlite%'"):
    for (i,) in con.execute("SELECT name FROM pragma_index_list(?)", (t,)):
        cols = [r[0] for r in con.execute(
            "SELECT name FROM pragma_index_info(?) ORDER BY seqno", (i,))]
        index.setdefault(t, []).append((i, cols))
# A filter the caller may leave out ("?2 = 0 OR user_id = ?2") cannot
# pick an index: the statement reads the workspace when it is left out.
OPTIONAL = re.compile(r'\((\?\d+ = 0|CAST\(\?\d+ AS TEXT\) IS NULL) OR'
                      r' \w+ = \?\d+\)')
WHOLE = re.compile(r'SEARCH (\w+)(?: AS \w+)? USING (?:COVERING )?INDEX (\w+)'
                   r' \(workspace_id=\?\)$')
seen, planned, fails = set(), 0, 0
for line in open(sys.argv[2], errors='replace'):
    sql = line.rstrip('\n')
    if sql in seen or not re.match(r'(SELECT|UPDATE|DELETE|INSERT)\b', sql):
        continue
    seen.add(sql)
    args, plan = (), None
    for _ in range(2):		# unbound parameters are NULL to EXPLAIN
        try:
            plan = [r[3] for r in con.execute('EXPLAIN QUERY PLAN ' + sql, args)]
            break
        except sqlite3.ProgrammingError as e:
            m = re.search(r'uses (\d+)', str(e))
            args = [None] * int(m.group(1)) if m else ()
        except sqlite3.Error:
            break	# a migration's table that is gone, a temp table
    if plan is None:
        continue
    planned += 1
    for step in plan:
        m = WHOLE.match(step)
        if not m:
            continue
        better = [i for i, cols in index.get(m.group(1), [])
                  if i != m.group(2) and len(cols) > 1 and
                  cols[0] == 'workspace_id' and
                  re.search(r'(?<![\w.])(\w+\.)?%s\s*(=|IN\b)' % cols[1],
                            OPTIONAL.sub('', sql), re.I)]
        if not better:
            continue
        hit = [a for a in allow if a[0].search(sql)]
        if hit:
            hit[0][2] += 1
            continue
        fails += 1
        print('# %s, not %s: %s' % (step, ', '.join(better), sql))
for a in allow:
    if not a[2]:
        print('# plan allow-list entry matched nothing: %s' % a[0].pattern)
print('# %d distinct statements planned, %d read a whole workspace'
      % (planned, fails))
sys.exit(1 if fails else 0)
PY
	cat >"$T_DIR/plan-allow" <<'ALLOW'
^SELECT id, at, channel, direction, minutes, note, source, created_at FROM touchpoint WHERE workspace_id = \?1 AND \?2 = 0 AND	a page of the workspace's touches, newest first, in touchpoint_at's order; the id compared is the cursor's, in a sub-select
^UPDATE signal SET contact_id = (NULL|\?3) WHERE workspace_id = \?1 AND contact_id = \?2$	a contact deleted or merged away: its signals, answered ones too, which no index by contact holds (signal_open holds the open ones)
ALLOW
	plans() { python3 "$T_DIR/plans.py" "$1" "$2" "$T_DIR/plan-allow"; }
	kith --db "$T_DIR/plan.db" --workspace Plans add Ana >/dev/null
	# The checker itself: without the statistics it must catch the
	# lookup by address that made imports quadratic.
	cp "$T_DIR/plan.db" "$T_DIR/nostat.db"
	sqlite3 "$T_DIR/nostat.db" "DROP TABLE sqlite_stat1"
	echo 'SELECT DISTINCT contact_id FROM contact_email WHERE workspace_id = ? AND email = ? COLLATE NOCASE ORDER BY contact_id LIMIT 50' >"$T_DIR/one.log"
	ok "the plan checker catches a lookup by address on a book without statistics" \
		eval '! plans "$T_DIR/nostat.db" "$T_DIR/one.log" >/dev/null'
	ok "and passes it on a book kith made" plans "$T_DIR/plan.db" "$T_DIR/one.log"
	t_n=$((t_n + 1))
	if plans "$T_DIR/plan.db" "$log" >"$T_DIR/plans.out"; then
		echo "ok $t_n - every logged statement finds its rows by an index, not by reading the workspace"
		tail -1 "$T_DIR/plans.out"
	else
		t_failed=$((t_failed + 1))
		echo "not ok $t_n - every logged statement finds its rows by an index, not by reading the workspace"
		cat "$T_DIR/plans.out"
	fi
fi

echo "1..$t_n"
[ "$t_failed" = 0 ]
