# lib.sh for tests/api/A*.sh: a real `kith serve` on a loopback port the
# kernel picks, a fresh database, curl for HTTP, jq for JSON. TAP out.
set -u
: "${KITH:?set KITH to the kith binary}"
export TZ=UTC LC_ALL=C.UTF-8 NO_COLOR=1
A_DIR=$(mktemp -d)
export KITH_DB=$A_DIR/kith.db
. "$(dirname "${BASH_SOURCE[0]}")/../engine.sh"
t_n=0
t_failed=0
SERVER_PID=

kith() { "$KITH" "$@"; }

# db_sql SQL: one statement on the suite's database, whichever engine
# (tests/engine.sh answers sqlite3 from PostgreSQL there).
db_sql() { sqlite3 "$KITH_DB" "$1"; }

# start_server [SERVE_OPTS...]: serve in the background; sets BASE
# (http://127.0.0.1:PORT). Options go after `serve` (--notify-allow ...).
start_server() {
	"$KITH" serve --listen 127.0.0.1:0 "$@" 2>"$A_DIR/serve.log" &
	SERVER_PID=$!
	for _ in $(seq 1 200); do
		BASE=$(sed -n 's|^kith: serving on \(http://[0-9.:]*\)/.*|\1|p' "$A_DIR/serve.log")
		[ -n "$BASE" ] && { start_prism; return 0; }
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
	stop_prism
	[ -n "$SERVER_PID" ] && kill -TERM "$SERVER_PID" 2>/dev/null && wait "$SERVER_PID"
	SERVER_PID=
}
trap 'stop_server; engine_cleanup; rm -rf "$A_DIR"' EXIT

# ---- KITH_PRISM=1: every req through a validating proxy ----
# start_prism runs `prism proxy --errors` (tests/openapi, pinned) on the
# server's own /api/v1/openapi.json in front of BASE; req then sends
# through it, so each request and each answer is checked against the
# document. A request the document refuses, prism answers itself
# (application/problem+json); req then sends it to kith directly, which
# must refuse it too (a 4xx), and the suite sees kith's answer. An
# answer that breaks the document is a violation. Either lands in
# $A_DIR/violations, and finish fails the suite with them.
# Not through the proxy, on purpose: paths outside /api/ and /hooks/
# (the web app's files, not part of the API document) and the event
# stream /api/v1/events (prism buffers whole answers; a stream never
# ends). Direct curl calls of a suite (connection counts, floods, the
# access log) measure the server itself and stay direct too.
PRISM= PRISM_PID= PRISM_N=0
start_prism() {
	[ "${KITH_PRISM:-}" = 1 ] || return 0
	local oa port
	oa=$(cd "$(dirname "${BASH_SOURCE[0]}")/../openapi" && pwd)
	stop_prism
	if [ ! -x "$oa/node_modules/.bin/prism" ]; then
		echo "not ok - KITH_PRISM=1 but tests/openapi has no prism (make deps)"; exit 1
	fi
	# A file of its own: prism reloads (and stops listening a moment)
	# when its document changes, and suites write openapi.json.
	curl -s -o "$A_DIR/prism-openapi.json" "$BASE/api/v1/openapi.json"
	port=$(node -e 'const s=require("net").createServer().listen(0,"127.0.0.1",()=>{console.log(s.address().port);s.close()})')
	"$oa/node_modules/.bin/prism" proxy --errors -h 127.0.0.1 -p "$port" \
		"$A_DIR/prism-openapi.json" "$BASE" >"$A_DIR/prism.log" 2>&1 &
	PRISM_PID=$!
	for _ in $(seq 1 300); do
		if grep -q 'Prism is listening' "$A_DIR/prism.log"; then
			PRISM=http://127.0.0.1:$port
			return 0
		fi
		kill -0 "$PRISM_PID" 2>/dev/null || break
		sleep 0.1
	done
	echo "not ok - prism did not start"; tail -20 "$A_DIR/prism.log"; exit 1
}
stop_prism() {
	[ -n "$PRISM_PID" ] && kill "$PRISM_PID" 2>/dev/null && wait "$PRISM_PID" 2>/dev/null
	PRISM_PID= PRISM=
	return 0
}
# prism_checks PATH [curl args...]: does this request go through prism?
# Not when the test asks for the server's own bytes (DIRECT=1 req ...:
# prism re-serializes JSON answers), nor with curl --interface (the
# source address is what the test is about, and a proxy replaces it),
# nor with a body prism would change or answer itself
# (tests/openapi/plain-json.mjs says which).
prism_checks() {
	local p=$1 a data=
	[ -n "$PRISM" ] && [ "${DIRECT:-}" != 1 ] || return 1
	case $p in
	/api/v1/events*) return 1 ;;
	/api/*|/hooks/*) ;;
	*) return 1 ;;
	esac
	shift
	while [ $# -gt 0 ]; do
		a=$1
		shift
		case $a in
		--interface) return 1 ;;
		-d|--data|--data-binary|--json) data=${1-} ; shift ;;
		--data-raw) data=x${1-}; data=${data#x}; shift
			printf '%s' "$data" >"$A_DIR/reqbody"; data=@"$A_DIR/reqbody" ;;
		esac
	done
	[ -n "$data" ] || return 0
	if [[ $data == @* ]]; then
		[ -f "${data#@}" ] || return 1
		cp "${data#@}" "$A_DIR/reqbody"
	else
		printf '%s' "$data" >"$A_DIR/reqbody"
	fi
	node "$(dirname "${BASH_SOURCE[0]}")/../openapi/plain-json.mjs" "$A_DIR/reqbody"
}

# req METHOD PATH [curl args...]: sets STATUS, BODY (and headers in $A_DIR/h).
req() {
	local m=$1 p=$2 why
	shift 2
	if prism_checks "$p" "$@"; then
		PRISM_N=$((PRISM_N + 1))
		# prism stops listening a moment when it reloads its
		# document (a file watcher's late event, on a loaded
		# machine): a refused connection (curl 7) sent nothing, so
		# it is tried again.
		for _ in $(seq 1 50); do
			STATUS=$(curl -s -o "$A_DIR/body" -D "$A_DIR/h" -w '%{http_code}' -X "$m" "$@" "$PRISM$p")
			[ $? = 7 ] || break
			sleep 0.1
		done
		if grep -qi '^content-type: application/problem+json' "$A_DIR/h"; then
			why=$(jq -c '[.type, (.validation // [] | map(.message))]' "$A_DIR/body" 2>/dev/null || cat "$A_DIR/body")
			if [[ $why == *'#VIOLATIONS'* ]]; then
				echo "$m $p: the answer breaks the document: $why" >>"$A_DIR/violations"
			else
				STATUS=$(curl -s -o "$A_DIR/body" -D "$A_DIR/h" -w '%{http_code}' -X "$m" "$@" "$BASE$p")
				if [ "$STATUS" -lt 400 ] || [ "$STATUS" -ge 500 ]; then
					echo "$m $p: the document refuses it ($why), kith answered $STATUS" >>"$A_DIR/violations"
				fi
			fi
		fi
	else
		STATUS=$(curl -s -o "$A_DIR/body" -D "$A_DIR/h" -w '%{http_code}' -X "$m" "$@" "$BASE$p")
	fi
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
		echo "#   status ${STATUS-} body: $(printf '%.400s' "${BODY-}")"
	fi
}
# expect NAME STATUS METHOD PATH [curl args...]
expect() {
	local name=$1 want=$2
	shift 2
	req "$@"
	ok "$name" test "$STATUS" = "$want"
}
finish() {
	stop_server
	# The proxy adds checks, not tests: a clean run prints the same
	# TAP lines as a direct one, a violation adds a failing one.
	if [ "${KITH_PRISM:-}" = 1 ]; then
		echo "# prism checked $PRISM_N requests against the OpenAPI document"
		if [ -s "$A_DIR/violations" ]; then
			t_n=$((t_n + 1))
			t_failed=$((t_failed + 1))
			echo "not ok $t_n - every request and answer matches the OpenAPI document (prism)"
			sed 's/^/#   /' "$A_DIR/violations" | head -40
		fi
	fi
	[ "$t_failed" -eq 0 ]
}

# try_server [GLOBAL_OPTS...]: like start_server, with global options
# before `serve` (--workspace NAME), but returns 1 instead of exiting when
# the server does not come up (its log is kept in $A_DIR/serve.log).
try_server() {
	"$KITH" "$@" serve --listen 127.0.0.1:0 2>"$A_DIR/serve.log" &
	SERVER_PID=$!
	for _ in $(seq 1 200); do
		BASE=$(sed -n 's|^kith: serving on \(http://[0-9.:]*\)/.*|\1|p' "$A_DIR/serve.log")
		[ -n "$BASE" ] && { start_prism; return 0; }
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
