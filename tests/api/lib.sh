# lib.sh for tests/api/A*.sh: a real `kith serve` on a loopback port the
# kernel picks, a fresh database, curl for HTTP, jq for JSON. TAP out.
set -u
: "${KITH:?set KITH to the kith binary}"
export TZ=UTC LC_ALL=C.UTF-8 NO_COLOR=1
A_DIR=$(mktemp -d)
export KITH_DB=$A_DIR/kith.db
t_n=0
t_failed=0
SERVER_PID=

kith() { "$KITH" "$@"; }

# start_server: serve in the background; sets BASE (http://127.0.0.1:PORT).
start_server() {
	"$KITH" serve --listen 127.0.0.1:0 2>"$A_DIR/serve.log" &
	SERVER_PID=$!
	for _ in $(seq 1 200); do
		BASE=$(sed -n 's|^kith: serving on \(http://[0-9.:]*\)/.*|\1|p' "$A_DIR/serve.log")
		[ -n "$BASE" ] && return 0
		sleep 0.05
	done
	echo "not ok - server did not start"; cat "$A_DIR/serve.log"; exit 1
}

# serve_with [SERVE_OPTS...]: start_server with options after `serve`
# (--trust-proxy, --header-timeout ...).
serve_with() {
	"$KITH" serve --listen 127.0.0.1:0 "$@" 2>"$A_DIR/serve.log" &
	SERVER_PID=$!
	for _ in $(seq 1 200); do
		BASE=$(sed -n 's|^kith: serving on \(http://[0-9.:]*\)/.*|\1|p' "$A_DIR/serve.log")
		[ -n "$BASE" ] && return 0
		sleep 0.05
	done
	echo "not ok - server did not start"; cat "$A_DIR/serve.log"; exit 1
}

stop_server() {
	[ -n "$SERVER_PID" ] && kill -TERM "$SERVER_PID" 2>/dev/null && wait "$SERVER_PID"
	SERVER_PID=
}
trap 'stop_server; rm -rf "$A_DIR"' EXIT

# req METHOD PATH [curl args...]: sets STATUS, BODY (and headers in $A_DIR/h).
req() {
	local m=$1 p=$2
	shift 2
	STATUS=$(curl -s -o "$A_DIR/body" -D "$A_DIR/h" -w '%{http_code}' -X "$m" "$@" "$BASE$p")
	BODY=$(cat "$A_DIR/body")
}
header() { grep -i "^$1:" "$A_DIR/h" | head -1 | sed 's/^[^:]*: *//; s/\r$//'; }

ok() {
	local name=$1
	shift
	t_n=$((t_n + 1))
	if "$@"; then
		echo "ok $t_n - $name"
	else
		t_failed=$((t_failed + 1))
		echo "not ok $t_n - $name"
		echo "#   status $STATUS body: $(printf '%.400s' "$BODY")"
	fi
}
# expect NAME STATUS METHOD PATH [curl args...]
expect() {
	local name=$1 want=$2
	shift 2
	req "$@"
	ok "$name" test "$STATUS" = "$want"
}
finish() { stop_server; [ "$t_failed" -eq 0 ]; }

# try_server [GLOBAL_OPTS...]: like start_server, with global options
# before `serve` (--workspace NAME), but returns 1 instead of exiting when
# the server does not come up (its log is kept in $A_DIR/serve.log).
try_server() {
	"$KITH" "$@" serve --listen 127.0.0.1:0 2>"$A_DIR/serve.log" &
	SERVER_PID=$!
	for _ in $(seq 1 200); do
		BASE=$(sed -n 's|^kith: serving on \(http://[0-9.:]*\)/.*|\1|p' "$A_DIR/serve.log")
		[ -n "$BASE" ] && return 0
		kill -0 "$SERVER_PID" 2>/dev/null || break
		sleep 0.05
	done
	wait "$SERVER_PID" 2>/dev/null
	SERVER_PID=
	return 1
}
# serve_all: `kith serve` on a database of several workspaces serves them
# all (each request's user picks the workspace). Records that as a test;
# if it fails, serves with --workspace "$1" so the suite can go on.
serve_all() {
	if try_server; then
		ok "kith serve starts with several workspaces and no --workspace" true
	else
		STATUS=- BODY=$(cat "$A_DIR/serve.log")
		ok "kith serve starts with several workspaces and no --workspace" false
		try_server --workspace "$1" || { echo "not ok - server did not start"; cat "$A_DIR/serve.log"; exit 1; }
	fi
}

# jqb FILTER: jq -r FILTER on $BODY. A plain path (.key or .a.key) on the
# compact JSON the server sends is read without a process: the first
# "key": scalar in BODY (forks are dear on a busy machine); anything
# else goes to jq.
jqb() {
	local re
	if [[ $1 =~ ^\.([a-z_]+\.)?([a-z_]+)$ ]]; then
		re="\"${BASH_REMATCH[2]}\":(null|true|false|-?[0-9][0-9.eE+-]*|\"(([^\"\\\\]|\\\\.)*)\")[],}]"
		if [[ $BODY =~ $re ]]; then
			if [[ ${BASH_REMATCH[1]} == \"* ]]; then
				printf '%s\n' "${BASH_REMATCH[2]}"
			else
				printf '%s\n' "${BASH_REMATCH[1]}"
			fi
			return 0
		fi
	fi
	jq -r "$1" <<<"$BODY"
}
