#!/usr/bin/env bash
# T080: a failed command changes nothing: the database is byte-for-byte the
# same (db_dump) before and after each refused command.
. "$(dirname "$0")/lib.sh"

kith init >/dev/null
kith add "Dana Whitfield" --email dana@harbor.example --tier A --tag client >/dev/null
kith add "Sam Ortiz" --tz Europe/Berlin >/dev/null
kith log dana --via call --at "2026-11-10 10:00" >/dev/null
kith promise dana "send specs" --due 2026-11-28 >/dev/null
kith done 1 >/dev/null
kith cadence --tag client --every 21 >/dev/null
kith export >"$T_DIR/book.json"

# unchanged NAME WANT_RC CMD...: CMD fails with WANT_RC and the dump is the same.
unchanged() {
	local name=$1 rc=$2 before after
	shift 2
	before=$(db_dump)
	check_rc "$name: exit $rc" "$rc" "$@"
	after=$(db_dump)
	ok "$name: nothing written" test "$before" = "$after"
	[ "$before" = "$after" ] ||
		diff <(echo "$before") <(echo "$after") | head -5 | sed 's/^/#   /'
}

unchanged "add: a bad tier after valid options" 2 \
	kith add "Eve Stone" --email eve@stone.example --tag vip --tier Q
unchanged "edit: a bad cadence after a new name and tag" 2 \
	kith edit dana --name "Dana X" --tag vip --every often
unchanged "log: the second participant is unknown" 2 \
	kith log dana,nobody --via in_person --note "coffee"
unchanged "log: the first named again after two valid" 2 \
	kith log dana,sam,"Dana Whitfield" --via call
unchanged "promise: an impossible due date" 2 \
	kith promise dana "send deck" --due 2026-02-30
unchanged "done: a promise already kept" 2 kith done 1
unchanged "cadence: a bad face-to-face cadence after a good one" 2 \
	kith cadence --tag client --every 7 --meet-every sometimes
unchanged "merge: into an unknown contact" 2 kith merge sam nobody
unchanged "demo: into a non-empty workspace" 2 kith demo
unchanged "a failed command in a new workspace does not create it" 2 \
	kith --workspace Elsewhere add "Eve Stone" --tier Q

# A book whose very last element is bad: nothing of it may land.
jq '.workspace.name = "Restored" |
    .revenue += [{"id": 9, "contact_id": 42, "org_id": null, "amount": 10,
                  "at": "2026-11-01T00:00:00Z", "note": null}]' \
	"$T_DIR/book.json" >"$T_DIR/last-bad.json"
unchanged "import into a new workspace, failing on the last element" 2 \
	kith --workspace Restored import "$T_DIR/last-bad.json"
export KITH_DB=$T_DIR/fresh.db
kith init >/dev/null
unchanged "import into an empty database, failing on the last element" 2 \
	kith import "$T_DIR/last-bad.json"
ok "the good book still imports afterwards" \
	test "$(kith --json import "$T_DIR/book.json" | jq -c .)" = '{"contacts":2,"touchpoints":1,"organizations":0}'
finish
