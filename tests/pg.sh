# pg.sh: a PostgreSQL for the tests, started by the tests (issue 18).
# Sourced by harnesses (bash). Debian's postgresql 15 server binaries,
# initdb + pg_ctl in a temp dir, a free port on 127.0.0.1, as an
# unprivileged user; never a system service.
#
#   pg_start        start a cluster, or join the one the caller's
#                   environment names (see "Sharing"); exports
#                   KITH_PG_BASE=postgresql://kith@127.0.0.1:PORT and
#                   KITH_PG_DIR, and registers the teardown on EXIT
#                   (before any EXIT trap already set). Call it in the
#                   harness's own shell, never in $(...): the subshell's
#                   exit would tear the cluster down.
#   pg_newdb [NAME [TEMPLATE]]
#                   a fresh database (from TEMPLATE, default template0);
#                   prints its URL, $KITH_PG_BASE/NAME. NAME defaults to
#                   a unique one. Safe in $(...).
#   pg_stop         the owner: fast stop and rm -rf; a sharer: drop the
#                   databases it made. Idempotent; runs on EXIT anyway.
#   pg_psql URL ARGS...   psql -X -q -v ON_ERROR_STOP=1 on URL.
#
# Sharing: the first pg_start of a process tree owns the cluster; it
# exports KITH_PG_BASE and KITH_PG_DIR, so a child (a suite under
# tests/run-all, if run-all calls pg_start before the suites) that calls
# pg_start finds them set and a live server, and joins instead: it gets
# databases, never its own cluster, and its teardown drops only its
# databases. Two harnesses started apart (no shared environment) each
# own a cluster: separate temp dirs, separate ports (a port taken
# between the pick and the bind makes pg_ctl fail and the start is
# retried on another).
#
# Roles: the cluster's superuser is "kith", trusted on the unix socket
# and on 127.0.0.1 without a password (only this machine reaches it, and
# only while the tests run). The server runs as nobody when the harness
# is root (initdb refuses root); KITH_PG_USER picks another account.
# A watchdog stops an owned cluster if the harness dies without running
# its EXIT trap (SIGKILL), so no postgres outlives a test run.

PG_BIN=${PG_BIN:-/usr/lib/postgresql/15/bin}
_pg_owner=0
_pg_mine=

pg_psql() {
	local url=$1
	shift
	PGCONNECT_TIMEOUT=10 psql -X -q -v ON_ERROR_STOP=1 -d "$url" "$@"
}

# _pg_as CMD...: CMD as the account that owns the cluster.
_pg_as() {
	if [ "$(id -u)" = 0 ]; then
		runuser -u "${KITH_PG_USER:-nobody}" -- "$@"
	else
		"$@"
	fi
}

# _pg_on_exit CMD: run CMD on EXIT before whatever trap is already set
# (tests/cli/lib.sh removes its temp dir there).
_pg_on_exit() {
	local old
	old=$(trap -p EXIT)
	old=${old#trap -- \'}
	old=${old%\' EXIT}
	old=${old//\'\\\'\'/\'}
	# shellcheck disable=SC2064
	trap "$1${old:+; $old}" EXIT
}

pg_start() {
	local dir port try log
	if [ -n "${KITH_PG_BASE:-}" ] && [ -n "${KITH_PG_DIR:-}" ] &&
		pg_psql "$KITH_PG_BASE/postgres" -tAc 'SELECT 1' >/dev/null 2>&1; then
		_pg_mine=$(mktemp)
		_pg_on_exit pg_stop
		return 0
	fi
	[ -x "$PG_BIN/initdb" ] || {
		echo "pg_start: no $PG_BIN/initdb (make deps installs postgresql)" >&2
		return 1
	}
	dir=$(mktemp -d "${TMPDIR:-/tmp}/kith-pg.XXXXXX") || return 1
	chmod 755 "$dir"
	mkdir "$dir/data"
	[ "$(id -u)" = 0 ] && chown "${KITH_PG_USER:-nobody}" "$dir" "$dir/data"
	# C locale: text sorts and compares by byte as SQLite's BINARY does,
	# and lower() folds ASCII only, as SQLite's does. UTF8 so any text
	# kith stores fits. The ICU collation nocase (migration 1) is the
	# only other one the schema uses.
	if ! _pg_as "$PG_BIN/initdb" -D "$dir/data" -U kith -A trust \
		-E UTF8 --locale=C --no-sync >"$dir/initdb.log" 2>&1; then
		echo "pg_start: initdb failed:" >&2
		cat "$dir/initdb.log" >&2
		rm -rf "$dir"
		return 1
	fi
	cat >>"$dir/data/postgresql.conf" <<-CONF
		# tests/pg.sh: throwaway cluster, speed over durability
		fsync = off
		synchronous_commit = off
		full_page_writes = off
		listen_addresses = '127.0.0.1'
		unix_socket_directories = '$dir'
		max_connections = 200
		logging_collector = off
	CONF
	log=$dir/server.log
	for try in 1 2 3 4 5 6 7 8; do
		port=$((20000 + (RANDOM * 32768 + RANDOM) % 40000))
		# Someone listening already: pick again without starting.
		(: <"/dev/tcp/127.0.0.1/$port") 2>/dev/null && continue
		if _pg_as "$PG_BIN/pg_ctl" -D "$dir/data" -l "$log" -w -t 60 \
			-o "-p $port" start >/dev/null 2>&1; then
			break
		fi
		port=
	done
	if [ -z "$port" ]; then
		echo "pg_start: postgres did not start:" >&2
		tail -20 "$log" >&2
		rm -rf "$dir"
		return 1
	fi
	export KITH_PG_DIR=$dir
	export KITH_PG_BASE=postgresql://kith@127.0.0.1:$port
	_pg_owner=1
	_pg_on_exit pg_stop
	# The watchdog: this shell gone without its trap, the cluster goes.
	(
		parent=$$
		trap '' HUP INT
		while kill -0 "$parent" 2>/dev/null && [ -d "$dir/data" ]; do
			sleep 2
		done
		if [ -d "$dir/data" ]; then
			_pg_as "$PG_BIN/pg_ctl" -D "$dir/data" -m immediate stop
			rm -rf "$dir"
		fi
	) </dev/null >/dev/null 2>&1 &
	disown $! 2>/dev/null
	return 0
}

pg_newdb() {
	local name=${1:-kith_$$_${RANDOM}${RANDOM}} tpl=${2:-template0}
	: "${KITH_PG_BASE:?pg_newdb: call pg_start first}"
	# file_copy: with fsync off its checkpoint is cheap, and it beat
	# PostgreSQL 15's default (wal_log, every block through the WAL):
	# ~0.1 s a database against ~0.25 s.
	pg_psql "$KITH_PG_BASE/postgres" -c "CREATE DATABASE \"$name\"
		TEMPLATE \"$tpl\" STRATEGY file_copy" || return 1
	[ -n "$_pg_mine" ] && echo "$name" >>"$_pg_mine"
	echo "$KITH_PG_BASE/$name"
}

pg_stop() {
	local name
	if [ "$_pg_owner" = 1 ]; then
		_pg_owner=0
		if [ -d "$KITH_PG_DIR/data" ]; then
			_pg_as "$PG_BIN/pg_ctl" -D "$KITH_PG_DIR/data" -m fast \
				-w stop >/dev/null 2>&1
			rm -rf "$KITH_PG_DIR"
		fi
		unset KITH_PG_BASE KITH_PG_DIR
	elif [ -n "$_pg_mine" ]; then
		while read -r name; do
			pg_psql "$KITH_PG_BASE/postgres" -c \
				"DROP DATABASE IF EXISTS \"$name\" WITH (FORCE)" \
				>/dev/null 2>&1
		done <"$_pg_mine"
		rm -f "$_pg_mine"
		_pg_mine=
	fi
	return 0
}
