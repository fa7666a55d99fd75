#!/usr/bin/env bash
# T055: kith report on a 3,000-contact book with gifts, revenue and
# promises on many contacts (issue 19: the report groups them by contact
# in one pass instead of scanning all of them per contact). Each loyal
# contact's lifetime value must be the sum of its revenue, and "thank-you
# due" exactly the loyal contacts with no gift in the last 365 days, as
# SQL computes them from the same rows. No timing is asserted.
. "$(dirname "$0")/lib.sh"
W=(--workspace Bench)
kith "${W[@]}" demo --contacts 3000 --touches 15000 >/dev/null
now=$(date -d "$KITH_NOW" +%s)
sqlite3 "$KITH_DB" "
INSERT INTO revenue(workspace_id, contact_id, amount_cents, at)
	SELECT workspace_id, id, id * 100 + 7, $now - 86400 * (id % 900) FROM contact WHERE id % 3 = 0;
INSERT INTO revenue(workspace_id, contact_id, amount_cents, at)
	SELECT workspace_id, id, 99, $now - 86400 FROM contact WHERE id % 7 = 0;
INSERT INTO gift(workspace_id, contact_id, text, value_cents, at)
	SELECT workspace_id, id, 'wine', 2000, $now - 86400 * (id % 700) FROM contact WHERE id % 2 = 0;
INSERT INTO promise(workspace_id, contact_id, text, due, created_at)
	SELECT workspace_id, id, 'call back', $now + 86400, $now - 86400 FROM contact WHERE id % 5 = 0;"
kith "${W[@]}" --json report >"$T_DIR/report.json"
ok "the report covers every contact" test "$(jq .contacts "$T_DIR/report.json")" = 3000
ok "some contacts are loyal (the check below is not empty)" \
	test "$(jq '.loyal | length' "$T_DIR/report.json")" -gt 100
# Lifetime value in cents per loyal contact, as the report has it ...
jq -r '.loyal[] | "\(.id) \(.lifetime_value * 100 | round)"' "$T_DIR/report.json" | sort >"$T_DIR/ltv.report"
# ... and as SQL sums it for the same contacts.
jq -r '.loyal[].id' "$T_DIR/report.json" | paste -sd, >"$T_DIR/loyal.ids"
sqlite3 "$KITH_DB" "SELECT c.id || ' ' || coalesce((SELECT sum(amount_cents) FROM revenue r WHERE r.workspace_id = c.workspace_id AND r.contact_id = c.id), 0)
	FROM contact c WHERE c.id IN ($(cat "$T_DIR/loyal.ids"))" | sort >"$T_DIR/ltv.sql"
ok "each loyal contact's lifetime value is the sum of its revenue" cmp -s "$T_DIR/ltv.report" "$T_DIR/ltv.sql"
ok "... for contacts with revenue too" test "$(awk '$2 > 0' "$T_DIR/ltv.report" | wc -l)" -gt 50
jq -r '.thank_you_due[].id' "$T_DIR/report.json" | sort >"$T_DIR/thanks.report"
sqlite3 "$KITH_DB" "SELECT c.id FROM contact c WHERE c.id IN ($(cat "$T_DIR/loyal.ids"))
	AND NOT EXISTS (SELECT 1 FROM gift g WHERE g.workspace_id = c.workspace_id AND g.contact_id = c.id AND g.at >= $now - 365 * 86400)" |
	sort >"$T_DIR/thanks.sql"
ok "thank-you due: exactly the loyal contacts without a gift in 365 days" \
	cmp -s "$T_DIR/thanks.report" "$T_DIR/thanks.sql"
ok "... some are due and some are not" \
	test "$(wc -l <"$T_DIR/thanks.sql")" -gt 10 -a "$(wc -l <"$T_DIR/thanks.sql")" -lt "$(jq '.loyal | length' "$T_DIR/report.json")"
finish
