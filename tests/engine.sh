# engine.sh: sourced by tests/cli/lib.sh and tests/api/lib.sh. Without
# KITH_TEST_PG the suite runs on a fresh SQLite file (KITH_DB set by the
# caller). With KITH_TEST_PG (postgresql://USER@HOST:PORT, a server the
# test run started: tests/pg.sh) it gets a fresh database of its own on
# that server instead, dropped when the suite ends.
# sqlite_only REASON: a suite about the SQLite file itself (backup of the
# file, integrity_check, a full disk under it) is skipped on PostgreSQL,
# and says so in TAP.
sqlite_only() {
	if [ -n "${KITH_TEST_PG:-}" ]; then
		echo "1..0 # SKIP sqlite only: $*"
		exit 0
	fi
}

# pg_only REASON: a suite about PostgreSQL itself (two servers on one
# database, a restart of the database) is skipped on SQLite.
pg_only() {
	if [ -z "${KITH_TEST_PG:-}" ]; then
		echo "1..0 # SKIP postgresql only: $*"
		exit 0
	fi
}

if [ -n "${KITH_TEST_PG:-}" ]; then
	KITH_TEST_DBNAME="kt_$(basename "$0" .sh | tr -c 'a-zA-Z0-9\n' '_' | tr 'A-Z' 'a-z')_$$"
	if [ -n "${KITH_TEST_CITUS:-}" ]; then
		# KITH_TEST_CITUS: the directory of a scripts/citus-cluster
		# (KITH_TEST_PG its coordinator): the database is made on
		# every node, migrated and distributed by workspace before the
		# suite runs (docs/SCALING.md, "kith's suites on Citus").
		"$(dirname "${BASH_SOURCE[0]}")/../scripts/citus-cluster" kithdb \
			"$KITH_TEST_CITUS" "$KITH_TEST_DBNAME" \
			"$(dirname "$KITH")/tools/dump_migrations" >/dev/null ||
			{ echo "not ok - cannot create database $KITH_TEST_DBNAME on Citus"; exit 1; }
	else
		psql -qX -v ON_ERROR_STOP=1 "$KITH_TEST_PG/postgres" -c \
			"CREATE DATABASE $KITH_TEST_DBNAME TEMPLATE template0 ENCODING 'UTF8' LOCALE 'C'" \
			>/dev/null || { echo "not ok - cannot create database $KITH_TEST_DBNAME"; exit 1; }
	fi
	# Two of SQLite's functions the suites' own queries use.
	psql -qX -v ON_ERROR_STOP=1 "$KITH_TEST_PG/$KITH_TEST_DBNAME" >/dev/null <<-'SQL' ||
	CREATE FUNCTION instr(a text, b text) RETURNS int LANGUAGE sql
	 IMMUTABLE AS 'SELECT strpos(a COLLATE "C", b)';
	CREATE FUNCTION strftime(f text, t bigint, m text) RETURNS text
	 LANGUAGE sql IMMUTABLE AS $$SELECT to_char(to_timestamp(t) AT TIME
	 ZONE 'UTC', replace(replace(replace(replace(f, '%Y', 'YYYY'),
	 '%m', 'MM'), '%d', 'DD'), '%s', 'EPOCH'))$$;
	SQL
		{ echo "not ok - cannot prepare database $KITH_TEST_DBNAME"; exit 1; }
	export KITH_DB=$KITH_TEST_PG/$KITH_TEST_DBNAME
	# The mail key of a PostgreSQL book is the user's (~/.config/kith).
	export XDG_CONFIG_HOME=${T_DIR:-${A_DIR:-/tmp}}/config
	mailkey=$XDG_CONFIG_HOME/kith/mail.key
	# What a suite asks the database with sqlite3 "$KITH_DB" SQL, psql
	# answers in the same shape (| between columns, no header).
	# .dump (or .dump TABLE...) is pg_dump's data as INSERTs.
	sqlite3() {
		local a t
		if [ "${1:-}" != "$KITH_DB" ]; then
			command sqlite3 "$@"
		elif [ "${2:-}" = .dump ] || [ "${2#.dump }" != "${2:-}" ]; then
			shift
			t=()
			for a in "$@"; do
				a=${a#.dump}
				a=${a# }
				[ -n "$a" ] && t+=(-t "${a//%/*}")
			done
			pg_dump -a --inserts --no-owner "${t[@]}" "$KITH_DB" |
				grep -v '^--\|^SET \|^SELECT pg_catalog\|^.restrict \|^.unrestrict '
		elif [ -n "${KITH_TEST_CITUS:-}" ]; then
			# The suites' own checks join on ids alone, which Citus
			# runs only by repartitioning (kith's statements name the
			# workspace: T500).
			PGOPTIONS='-c citus.enable_repartition_joins=on' \
				psql -qAtX -v ON_ERROR_STOP=1 "$KITH_DB" -c "$2"
		else
			psql -qAtX -v ON_ERROR_STOP=1 "$KITH_DB" -c "$2"
		fi
	}
	engine_cleanup() {
		if [ -n "${KITH_TEST_CITUS:-}" ]; then
			"$(dirname "${BASH_SOURCE[0]}")/../scripts/citus-cluster" dropdb \
				"$KITH_TEST_CITUS" "$KITH_TEST_DBNAME" >/dev/null 2>&1
			return
		fi
		psql -qX "$KITH_TEST_PG/postgres" -c \
			"DROP DATABASE IF EXISTS $KITH_TEST_DBNAME WITH (FORCE)" >/dev/null 2>&1
	}
else
	mailkey=$KITH_DB.mailkey
	engine_cleanup() { :; }
fi

# db_lock SECONDS READY [RELEASE]: another process holds the database's
# write lock (an import, a backup), touching the file READY once it has
# it, until the file RELEASE exists or SECONDS pass. A test that waits
# for its request and then touches RELEASE holds the lock exactly as
# long as it needs, however slow a loaded machine makes the request.
# SQLite: BEGIN IMMEDIATE. PostgreSQL: every table locked EXCLUSIVE
# (reads pass, writes wait; kith's lock_timeout is 5 s).
db_lock() {
	# A deadline, not a count of sleeps: on a loaded machine each
	# sleep runs long, and a lock held seconds too long lets a
	# server's queued requests run into its header deadline.
	local release=${3:-/nonexistent/db_lock} until=$(($(date +%s) + $1))
	if [ -n "${KITH_TEST_PG:-}" ]; then
		psql -qAtX -v ON_ERROR_STOP=1 "$KITH_DB" >/dev/null <<-SQL
			BEGIN;
			DO \$\$ BEGIN EXECUTE (SELECT 'LOCK TABLE '
			  || string_agg(format('%I', tablename), ', ')
			  || ' IN EXCLUSIVE MODE' FROM pg_tables
			  WHERE schemaname = 'public'); END \$\$;
			\! touch '$2'; while [ \$(date +%s) -lt $until ] && [ ! -e '$release' ]; do sleep 0.1; done
			COMMIT;
		SQL
	else
		{ echo '.timeout 10000'; echo 'BEGIN IMMEDIATE;'
		  echo ".shell touch '$2'"
		  local end=$((${EPOCHREALTIME/./} + $1 * 1000000))
		  while ((${EPOCHREALTIME/./} < end)) && [ ! -e "$release" ]; do
			sleep 0.1
		  done
		  echo 'COMMIT;'; } |
			sqlite3 "$KITH_DB"
	fi
}
