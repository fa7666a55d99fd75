# lib.sh: sourced by every tests/cli/T*.sh. Runs the real binary ($KITH)
# on a fresh database with a fixed clock and zone, and compares whole
# output (stdout and stderr) and exit codes. Prints TAP.
set -u
: "${KITH:?set KITH to the kith binary}"
export KITH_NOW=2026-11-20T15:00:00Z TZ=America/Chicago NO_COLOR=1 LC_ALL=C.UTF-8
T_DIR=$(mktemp -d)
export KITH_DB=$T_DIR/kith.db
. "$(dirname "${BASH_SOURCE[0]}")/../engine.sh"
trap 'engine_cleanup; rm -rf "$T_DIR"' EXIT
t_n=0
t_failed=0

kith() { "$KITH" "$@"; }

# check NAME WANT_RC WANT_OUTPUT CMD...: stdout+stderr must equal WANT.
check() {
	local name=$1 want_rc=$2 want=$3 got rc
	shift 3
	t_n=$((t_n + 1))
	got=$("$@" 2>&1)
	rc=$?
	if [ "$rc" = "$want_rc" ] && [ "$got" = "$want" ]; then
		echo "ok $t_n - $name"
	else
		t_failed=$((t_failed + 1))
		echo "not ok $t_n - $name"
		echo "#   exit: want $want_rc, got $rc"
		diff <(printf '%s\n' "$want") <(printf '%s\n' "$got") | sed 's/^/#   /'
	fi
}

# check_rc NAME WANT_RC CMD...: only the exit code matters.
check_rc() {
	local name=$1 want_rc=$2 rc
	shift 2
	t_n=$((t_n + 1))
	"$@" >"$T_DIR/out" 2>&1
	rc=$?
	if [ "$rc" = "$want_rc" ]; then
		echo "ok $t_n - $name"
	else
		t_failed=$((t_failed + 1))
		echo "not ok $t_n - $name (exit $rc, want $want_rc)"
		sed 's/^/#   /' "$T_DIR/out"
	fi
}

# skip NAME REASON: a check that does not apply here (an engine's own
# file), counted as skipped by tests/run-all.
skip() {
	t_n=$((t_n + 1))
	echo "ok $t_n - $1 # SKIP $2"
}

# ok NAME CONDITION...: a shell test.
ok() {
	local name=$1
	shift
	t_n=$((t_n + 1))
	if "$@"; then
		echo "ok $t_n - $name"
	else
		t_failed=$((t_failed + 1))
		echo "not ok $t_n - $name"
	fi
}

# The database's content, for proving a failed command wrote nothing.
db_dump() { sqlite3 "$KITH_DB" .dump; }

finish() { [ "$t_failed" -eq 0 ]; }
