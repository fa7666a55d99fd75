#!/usr/bin/env bash
# T090: kith demo seeds a believable book; a big synthetic one answers due.
. "$(dirname "$0")/lib.sh"

check "demo on a new database" 0 "Seeded the demo book. Try: kith due" kith demo
ok "a dozen contacts" test "$(kith --json list | jq length)" -ge 10
check_rc "due answers" 0 kith due
ok "due lists people with reasons" \
	grep -q '^  1  [^ ].*' "$T_DIR/out"
ok "every listed person has at least one reason" \
	test "$(kith --json due | jq 'all(.[]; (.reasons | length) > 0)')" = true
ok "kith --json due has more than 3 people" test "$(kith --json due | jq length)" -gt 3
ok "rank non-increasing" \
	test "$(kith --json due | jq '[.[].rank] as $r | all(range(1; $r | length); $r[.] <= $r[. - 1])')" = true
ok "the demo has facts, dates and several channels" \
	test "$(kith export | jq '[(.facts | length) > 5, (.dates | length) > 3, ([.touchpoints[].channel] | unique | length) >= 6] | all')" = true
ok "a loyal client, one going cold, a digital-only one" \
	test "$(kith --json report | jq '[(.loyal | length) > 0, (.going_cold | length) > 0, (.digital_only | length) > 0] | all')" = true
before=$(db_dump)
check "demo again in the same workspace is refused" 2 \
	'kith demo: --workspace: the workspace already holds contacts; seed the demo into a new one (--workspace Demo)' \
	kith demo
ok "and wrote nothing" test "$before" = "$(db_dump)"
check "demo --json" 0 '{
  "seeded": true
}' kith --db "$T_DIR/j.db" --json demo

BIG=$T_DIR/big.db
check "a big synthetic book" 0 "Seeded 2000 contacts and 20000 touchpoints" \
	kith --db "$BIG" demo --contacts 2000 --touches 20000
ok "2000 contacts" test "$(kith --db "$BIG" --json health | jq .contacts)" = 2000
ok "due answers on it: 50 by default" test "$(kith --db "$BIG" --json due | jq length)" = 50
ok "due --limit 5" test "$(kith --db "$BIG" --json due --limit 5 | jq length)" = 5
ok "the big book's agenda is ranked" \
	test "$(kith --db "$BIG" --json due | jq '[.[].rank] as $r | all(range(1; $r | length); $r[.] <= $r[. - 1])')" = true
# The big demo ANALYZEs; a table it leaves empty (handles) keeps the
# planner's seed (migrate_stats_sql), so a lookup by handle reads its
# index, not the workspace, once the table fills.
ok "after ANALYZE a lookup by handle still plans on its index" \
	bash -c "sqlite3 '$BIG' \"EXPLAIN QUERY PLAN SELECT contact_id FROM
	 contact_handle WHERE workspace_id = 1 AND handle = 'x' ORDER BY
	 contact_id LIMIT 1\" | grep -q contact_handle_name"
check "a big book without history" 0 "Seeded 30 contacts and 0 touchpoints" \
	kith --db "$T_DIR/empty.db" demo --contacts 30 --touches 0
check "bad --contacts" 2 \
	'kith demo: --contacts: expected a whole number from 1 to 100000000, got "lots"' \
	kith --db "$T_DIR/c.db" demo --contacts lots
finish
