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
	psql -qX -v ON_ERROR_STOP=1 "$KITH_TEST_PG/postgres" -c \
		"CREATE DATABASE $KITH_TEST_DBNAME TEMPLATE template0 ENCODING 'UTF8' LOCALE 'C'" \
		>/dev/null || { echo "not ok - cannot create database $KITH_TEST_DBNAME"; exit 1; }
	export KITH_DB=$KITH_TEST_PG/$KITH_TEST_DBNAME
	engine_cleanup() {
		psql -qX "$KITH_TEST_PG/postgres" -c \
			"DROP DATABASE IF EXISTS $KITH_TEST_DBNAME WITH (FORCE)" >/dev/null 2>&1
	}
else
	engine_cleanup() { :; }
fi
