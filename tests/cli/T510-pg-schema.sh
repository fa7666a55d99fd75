#!/usr/bin/env bash
# T510: the PostgreSQL migrations (src/store/migrate_pg.c) mean what the
# SQLite ones (src/store/migrate.c) do (issue 18). Every migration is
# applied in order, each in one transaction, to a PostgreSQL this test
# starts (tests/pg.sh) and, the same way, to a SQLite file; then the two
# schemas are compared: tables and columns in order with their types,
# NOT NULL and defaults, which columns are case-insensitive, keys,
# unique and foreign constraints, named indexes (columns, collation,
# unique, partial) and triggers. The CardDAV triggers are run through
# one script on both and must leave the same counts and tombstones;
# unique keys on NOCASE columns must refuse a case variant on both; and
# kith_due in SQL must give what the C function SQLite calls gives.
# run-all: first build only (it starts its own PostgreSQL, and the one C
# part, the migrations dump, is the same under the sanitizers)
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/../pg.sh"
dump=$(dirname "$KITH")/tools/dump_migrations
[ -x "$dump" ] || {
	echo "not ok 1 - no $dump (make unit builds it)"
	exit 1
}
sq=$T_DIR/schema.db
# sq [-c] SQL: sqlite3 on the SQLite twin, -c taken as psql takes it.
sq() {
	[ "${1:-}" = -c ] && shift
	sqlite3 -batch -bail "$sq" "$@"
}

n=$("$dump" count)
ok "a PostgreSQL migration for each of the $n" \
	bash -c "for v in \$(seq 1 $n); do '$dump' pg \$v >/dev/null || exit 1; done"

pg_start || exit 1
db=$(pg_newdb "t510_$$") || exit 1
pq() { pg_psql "$db" -tA "$@"; }

for v in $(seq 1 "$n"); do
	{
		echo "BEGIN;"
		"$dump" pg "$v"
		echo ";UPDATE kith_schema SET version = $v; COMMIT;"
	} >"$T_DIR/pg$v.sql"
	ok "PostgreSQL migration $v applies" \
		pg_psql "$db" -o /dev/null -f "$T_DIR/pg$v.sql"
	{
		echo "BEGIN;"
		"$dump" sqlite "$v"
		echo ";PRAGMA user_version = $v; COMMIT;"
	} | sq >/dev/null || echo "# SQLite migration $v failed"
done
check "the schema version is kept in kith_schema" 0 "$n" \
	pq -c "SELECT version FROM kith_schema"

# Columns: table|column|type|not null|default, in column order.
sq "SELECT m.name, p.name,
	CASE upper(p.type) WHEN 'INTEGER' THEN 'bigint' WHEN 'TEXT' THEN 'text'
	ELSE p.type END, p.\"notnull\" OR p.pk > 0, coalesce(p.dflt_value, '')
	FROM sqlite_schema m, pragma_table_xinfo(m.name) p
	WHERE m.type = 'table' AND m.name NOT LIKE 'sqlite_%'
	ORDER BY m.name, p.cid" >"$T_DIR/sq.cols"
pq -c "SELECT table_name, column_name, data_type,
	CASE is_nullable WHEN 'NO' THEN 1 ELSE 0 END,
	regexp_replace(coalesce(column_default, ''), '::(text|bigint)$', '')
	FROM information_schema.columns
	WHERE table_schema = 'public' AND table_name NOT IN ('kith_schema', 'kith_autoinc')
	ORDER BY table_name COLLATE \"C\", ordinal_position" >"$T_DIR/pg.cols"
check "tables and columns are the same, in order" 0 "$(cat "$T_DIR/sq.cols")" \
	cat "$T_DIR/pg.cols"
ok "there are columns to compare" test "$(wc -l <"$T_DIR/sq.cols")" -gt 150

# Case-insensitive columns: COLLATE NOCASE in SQLite's table text.
sq "SELECT name, sql FROM sqlite_schema WHERE type = 'table'" |
	while IFS='|' read -r t sql; do
		printf '%s\n' "${sql#*(}" | tr ',' '\n' |
			grep -i 'COLLATE NOCASE' | awk -v t="$t" '{print t "|" $1}'
	done | LC_ALL=C sort >"$T_DIR/sq.nocase"
pq -c "SELECT table_name || '|' || column_name
	FROM information_schema.columns
	WHERE table_schema = 'public' AND collation_name = 'nocase'" |
	LC_ALL=C sort >"$T_DIR/pg.nocase"
check "the same columns are NOCASE" 0 "$(cat "$T_DIR/sq.nocase")" \
	cat "$T_DIR/pg.nocase"
echo "# NOCASE columns: $(tr '\n' ' ' <"$T_DIR/pg.nocase")"

# Keys, unique constraints, foreign keys, named indexes, triggers.
sq "SELECT m.name || '|PK|' || (SELECT group_concat(name, ',') FROM
	(SELECT p.name FROM pragma_table_info(m.name) p WHERE p.pk > 0
	ORDER BY p.pk)) FROM sqlite_schema m WHERE m.type = 'table'
	AND m.name NOT LIKE 'sqlite_%';
	SELECT m.name || '|UNIQUE|' || (SELECT group_concat(x.name || ' '
	|| lower(x.coll), ',') FROM pragma_index_xinfo(l.name) x
	WHERE x.key)
	FROM sqlite_schema m, pragma_index_list(m.name) l
	WHERE m.type = 'table' AND l.origin = 'u';
	SELECT m.name || '|FK|' || f.\"from\" || '->' || f.\"table\" || '.'
	|| f.\"to\" FROM sqlite_schema m, pragma_foreign_key_list(m.name) f
	WHERE m.type = 'table';
	SELECT i.tbl_name || '|INDEX|' || i.name || '|' || l.\"unique\" || '|'
	|| l.partial || '|' || (SELECT group_concat(x.name || ' '
	|| lower(x.coll), ',') FROM pragma_index_xinfo(i.name) x
	WHERE x.key)
	FROM sqlite_schema i, pragma_index_list(i.tbl_name) l
	WHERE i.type = 'index' AND i.sql IS NOT NULL AND l.name = i.name;
	SELECT tbl_name || '|TRIGGER|' || name FROM sqlite_schema
	WHERE type = 'trigger'" | LC_ALL=C sort >"$T_DIR/sq.keys"
pq -c "CREATE TEMP VIEW icols AS SELECT k.indexrelid,
	string_agg(a.attname || ' ' || CASE WHEN k.coll IN (0, 100, 950)
	THEN 'binary' ELSE (SELECT collname FROM pg_collation
	WHERE oid = k.coll) END, ',' ORDER BY k.n) AS cols
	FROM (SELECT x.indexrelid, x.indrelid, u.* FROM pg_index x,
	unnest(x.indkey::int2[], x.indcollation::oid[]) WITH ORDINALITY
	AS u(att, coll, n)) k JOIN pg_attribute a ON a.attrelid = k.indrelid
	AND a.attnum = k.att GROUP BY k.indexrelid" \
	-c "SELECT t.relname || '|PK|' || string_agg(a.attname, ','
	ORDER BY k.n) FROM pg_constraint c JOIN pg_class t
	ON t.oid = c.conrelid, unnest(c.conkey) WITH ORDINALITY AS k(att, n)
	JOIN pg_attribute a ON a.attnum = k.att
	WHERE a.attrelid = c.conrelid AND c.contype = 'p'
	AND t.relnamespace = 'public'::regnamespace
	AND t.relname NOT IN ('kith_schema', 'kith_autoinc') GROUP BY t.relname
	UNION ALL
	SELECT t.relname || '|UNIQUE|' || i.cols FROM pg_constraint c
	JOIN pg_class t ON t.oid = c.conrelid JOIN icols i
	ON i.indexrelid = c.conindid WHERE c.contype = 'u'
	AND t.relnamespace = 'public'::regnamespace
	UNION ALL
	SELECT t.relname || '|FK|' || a.attname || '->' || r.relname || '.'
	|| b.attname FROM pg_constraint c JOIN pg_class t
	ON t.oid = c.conrelid JOIN pg_class r ON r.oid = c.confrelid,
	unnest(c.conkey, c.confkey) AS k(att, fatt)
	JOIN pg_attribute a ON a.attnum = k.att JOIN pg_attribute b
	ON b.attnum = k.fatt
	WHERE a.attrelid = c.conrelid AND b.attrelid = c.confrelid
	AND c.contype = 'f' AND t.relnamespace = 'public'::regnamespace
	UNION ALL
	SELECT t.relname || '|INDEX|' || ic.relname || '|'
	|| x.indisunique::int || '|' || (x.indpred IS NOT NULL)::int || '|'
	|| i.cols FROM pg_index x JOIN pg_class ic ON ic.oid = x.indexrelid
	JOIN pg_class t ON t.oid = x.indrelid JOIN pg_namespace s
	ON s.oid = t.relnamespace JOIN icols i ON i.indexrelid = x.indexrelid
	WHERE s.nspname = 'public' AND NOT EXISTS (SELECT 1
	FROM pg_constraint c WHERE c.conindid = x.indexrelid)
	UNION ALL
	SELECT t.relname || '|TRIGGER|' || g.tgname FROM pg_trigger g
	JOIN pg_class t ON t.oid = g.tgrelid WHERE NOT g.tgisinternal
	AND g.tgfoid <> 'kith_id'::regproc" |
	LC_ALL=C sort >"$T_DIR/pg.keys"
check "keys, constraints, indexes and triggers are the same" 0 \
	"$(cat "$T_DIR/sq.keys")" cat "$T_DIR/pg.keys"
ok "there are indexes and triggers to compare" \
	test "$(grep -c -e '|INDEX|' -e '|TRIGGER|' "$T_DIR/sq.keys")" -gt 50

# The CardDAV triggers, run through the same writes on both engines.
cat >"$T_DIR/dav.sql" <<'SQL'
INSERT INTO workspace(id, name, created_at) VALUES (1, 'one', 0);
INSERT INTO workspace(id, name, created_at) VALUES (2, 'two', 0);
INSERT INTO organization(id, workspace_id, name, created_at)
	VALUES (1, 1, 'Acme', 0);
INSERT INTO contact(id, workspace_id, name, org_id, created_at, updated_at,
	any_anchor, meet_anchor) VALUES (1, 1, 'Ann', 1, 0, 0, 0, 0);
INSERT INTO contact(id, workspace_id, name, org_id, created_at, updated_at,
	any_anchor, meet_anchor) VALUES (2, 1, 'Bo', 1, 0, 0, 0, 0);
INSERT INTO contact(id, workspace_id, name, created_at, updated_at,
	any_anchor, meet_anchor) VALUES (3, 1, 'Cy', 0, 0, 0, 0);
INSERT INTO contact(id, workspace_id, name, created_at, updated_at,
	any_anchor, meet_anchor) VALUES (4, 2, 'Di', 0, 0, 0, 0);
UPDATE contact SET version = version + 1, name = 'Ann B' WHERE id = 1;
UPDATE contact SET version = version + 1, snooze_until = 99 WHERE id = 2;
UPDATE contact SET version = version, name = 'Bo B' WHERE id = 2;
UPDATE contact SET dav_href = 'cy.vcf' WHERE id = 3;
UPDATE contact SET dav_href = 'cy2.vcf' WHERE id = 3;
UPDATE contact SET dav_book = 5 WHERE id = 3;
UPDATE contact SET dav_href = 'cy2.vcf' WHERE id = 3;
UPDATE organization SET name = 'Acme Inc' WHERE id = 1;
UPDATE organization SET name = 'Acme Inc' WHERE id = 1;
INSERT INTO kdate(id, workspace_id, contact_id, kind, day, year_known,
	yearly, mmdd, created_at) VALUES (1, 1, 2, 'birthday', 1, 1, 1, 101, 0);
DELETE FROM kdate WHERE id = 1;
INSERT INTO dav_card(id, workspace_id, href, uid, card)
	VALUES (1, 1, 'g.vcf', 'g', 'BEGIN:VCARD');
UPDATE dav_card SET card = 'BEGIN:VCARD2' WHERE id = 1;
UPDATE dav_card SET uid = 'g2' WHERE id = 1;
UPDATE dav_card SET book = 5 WHERE id = 1;
DELETE FROM dav_card WHERE id = 1;
UPDATE workspace SET dav_tombstones = 4 WHERE id = 1;
DELETE FROM contact WHERE id = 1;
DELETE FROM contact WHERE id = 2;
DELETE FROM contact WHERE id = 3;
DELETE FROM contact WHERE id = 4;
SQL
cat >"$T_DIR/dav-out.sql" <<'SQL'
SELECT id, dav_seq, dav_floor, dav_tombstones, dav_tombstones_n
	FROM workspace ORDER BY id;
SELECT workspace_id, seq, contact_id, uid, href, book FROM dav_tombstone
	ORDER BY workspace_id, seq;
SQL
cat >"$T_DIR/dav-mid.sql" <<'SQL'
SELECT id, dav_book, dav_href FROM contact ORDER BY id;
SELECT dav_seq FROM contact ORDER BY dav_seq;
SELECT id, book, seq FROM dav_card ORDER BY id;
SQL
want=$(sq <"$T_DIR/dav.sql" 2>&1 && sq <"$T_DIR/dav-out.sql")
check "the CardDAV triggers count and prune the same" 0 "$want" \
	pq -f "$T_DIR/dav.sql" -f "$T_DIR/dav-out.sql"
ok "the trigger script left tombstones and pruned" \
	test "$(sq "SELECT (SELECT count(*) FROM dav_tombstone) || ' '
		|| (SELECT dav_floor FROM workspace WHERE id = 1)")" = "4 18"
# The writes before the deletes, then the counts. PostgreSQL runs row
# triggers after their statement, SQLite after each row: the contacts of
# a renamed organization get the same new counts, maybe not in the same
# row order, so the counts are compared as a set.
head -n -4 "$T_DIR/dav.sql" | grep -v dav_tombstones >"$T_DIR/dav-keep.sql"
for v in $(seq 1 "$n"); do
	"$dump" sqlite "$v" | sqlite3 -batch -bail "$sq.2" >/dev/null
done
want=$(sqlite3 -batch -bail "$sq.2" <"$T_DIR/dav-keep.sql" 2>&1 &&
	sqlite3 -batch "$sq.2" <"$T_DIR/dav-mid.sql")
pq -c "TRUNCATE workspace, organization, contact, kdate, dav_card,
	dav_tombstone CASCADE" 2>/dev/null
check "each contact and card gets the same count" 0 "$want" \
	pq -f "$T_DIR/dav-keep.sql" -f "$T_DIR/dav-mid.sql"

# NOCASE keys refuse a case variant on both engines.
fails() { ! "$@" >/dev/null 2>&1; }
for e in sq pq; do
	ok "$e: a workspace name differing in case only is refused" \
		fails $e -c "INSERT INTO workspace(id, name, created_at)
			VALUES (7, 'ONE', 0)" 2>/dev/null
	ok "$e: a user email differing in case only is refused" \
		fails $e -c "INSERT INTO workspace(id, name, created_at)
			VALUES (8, 'eight', 0);
		INSERT INTO \"user\"(workspace_id, email, created_at)
			VALUES (8, 'ann@x.example', 0);
		INSERT INTO \"user\"(workspace_id, email, created_at)
			VALUES (8, 'Ann@X.example', 0)"
	check "$e: NOCASE compares and groups without case" 0 "1" \
		$e -c "SELECT count(DISTINCT tag) FROM (SELECT 'VIP' COLLATE
			NOCASE AS tag UNION ALL SELECT 'vip') t"
done 2>/dev/null

# kith_due in SQL against the C function, over month ends, leap days,
# negative times, every cadence shape and codes past 32 bits.
# (Not INT_MIN, nor month counts that overflow int: undefined in C.)
codes="0 1 7 30 365 -1 -2 -3 -6 -11 -12 -13 -24 -120 -1200 4294967297
	-4294967297 4294967295 2147483647 NULL"
anchors="NULL 0 1 -1 -86400 -86401 86399 951782400 951868799 946684799
	1706659200 1706745599 1709164800 1738281600 4102444799 -2208988800
	-62135596800 1700000000 1234567890 253402300799"
for c in $codes; do for a in $anchors; do echo "$c $a"; done; done \
	>"$T_DIR/due.in"
"$dump" due <"$T_DIR/due.in" >"$T_DIR/due.want"
{
	echo "SELECT coalesce(kith_due(c, a)::text, 'NULL') FROM (VALUES"
	awk 'NR > 1 { printf "," } { printf "(%d, %s::bigint, %s::bigint)\n",
		NR, $1, $2 }' "$T_DIR/due.in"
	echo ") v(n, c, a) ORDER BY n"
} >"$T_DIR/due.sql"
check "kith_due in SQL is the C function, $(wc -l <"$T_DIR/due.in") cases" 0 \
	"$(cat "$T_DIR/due.want")" pq -f "$T_DIR/due.sql"
ok "kith_due: a month from Jan 31 2024 is Feb 29" \
	test "$(pq -c "SELECT kith_due(-1, 1706659200)")" = 1709164800
finish
