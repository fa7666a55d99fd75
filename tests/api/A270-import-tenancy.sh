#!/usr/bin/env bash
# A220: a book import is held to the same tenancy and validation as the
# rest of the API. An owner of an empty workspace names other
# workspaces' organization ids (review H2) or a zone that is a file
# path (review M7): refused with 422 naming the field, and no other
# tenant's organization name ever shows.
. "$(dirname "$0")/lib.sh"
WA=(--workspace "Alpha")
WB=(--workspace "Beta")
WG=(--workspace "Gamma")
kith "${WA[@]}" add "Ann Alpha" --org "AlphaCorp Confidential" >/dev/null
# Ids are per workspace: Alpha's second organization (2) is an id Gamma,
# with one of its own below, never has.
kith "${WA[@]}" add "Al Alpha" --org "AlphaCorp Second" >/dev/null
kith "${WB[@]}" add "Bea Beta" --org "BetaOrg" >/dev/null
kith "${WG[@]}" user add owner@gamma.example --role owner >/dev/null
TG=$(kith "${WG[@]}" token create owner@gamma.example --name probe | tail -1)
serve_all Gamma
AG=(-H "Authorization: Bearer $TG")
J=(-H 'content-type: application/json')
ok "Alpha and Beta have their organizations" \
	test "$(kith "${WA[@]}" export | jq -r '.organizations[0].name')" = "AlphaCorp Confidential"
no_leak() { ! grep -qE 'AlphaCorp|BetaOrg' "$A_DIR/body"; }

req POST /api/v1/import "${AG[@]}" "${J[@]}" -d '{"format":"kith-book","version":1,"contacts":[{"id":900001,"name":"probe1","org_id":1},{"id":900002,"name":"probe2","org_id":2}]}'
ok "contacts naming other workspaces' org ids: 422" test "$STATUS" = 422
ok "naming the field" test "$(jqb .error.field)" = "contacts[0].org_id"
ok "and no name leaks in the error" no_leak
# Ids the book cannot keep (taken elsewhere) are remapped: still refused.
req POST /api/v1/import "${AG[@]}" "${J[@]}" -d '{"format":"kith-book","version":1,"contacts":[{"id":1,"name":"probe1","org_id":1}]}'
ok "with a taken contact id too: 422" test "$STATUS" = 422
req POST /api/v1/import "${AG[@]}" "${J[@]}" -d '{"format":"kith-book","version":1,"contacts":[{"id":900001,"name":"g"}],"gifts":[{"id":900001,"contact_id":900001,"org_id":1,"text":"x","at":"2026-01-01T00:00:00Z"}]}'
ok "a gift naming another workspace's org: 422 ($(jqb .error.field))" test "$STATUS" = 422
req POST /api/v1/import "${AG[@]}" "${J[@]}" -d '{"format":"kith-book","version":1,"contacts":[{"id":900001,"name":"g"}],"revenue":[{"id":900001,"contact_id":900001,"org_id":2,"amount":5,"at":"2026-01-01T00:00:00Z"}]}'
ok "revenue naming another workspace's org: 422 ($(jqb .error.field))" test "$STATUS" = 422
# A book with its own organizations, whose ids other workspaces use too:
# ids are per workspace, and the contact shows the book's organization.
req POST /api/v1/import "${AG[@]}" "${J[@]}" -d '{"format":"kith-book","version":1,"organizations":[{"id":1,"name":"GammaOwn"}],"contacts":[{"id":1,"name":"probe1","org_id":1}]}'
ok "a book's own organization with a taken id: 201" test "$STATUS" = 201
for p in /api/v1/contacts /api/v1/export; do
	req GET "$p" "${AG[@]}"
	ok "GET $p: 200 without another tenant's org" bash -c "test $STATUS = 200 && ! grep -qE 'AlphaCorp|BetaOrg' '$A_DIR/body'"
done
ok "the contact shows its own organization" grep -q GammaOwn "$A_DIR/body"
CID=$(jq -r '.contacts[0].id' "$A_DIR/body")
req GET "/api/v1/contacts/$CID/brief" "${AG[@]}"
ok "the brief: 200 without another tenant's org" bash -c "test $STATUS = 200 && ! grep -qE 'AlphaCorp|BetaOrg' '$A_DIR/body'"
req PATCH "/api/v1/contacts/$CID" "${AG[@]}" "${J[@]}" -d '{"org_id":2}'
ok "PATCH with another workspace's org_id: 422 ($STATUS)" test "$STATUS" = 422 -o "$STATUS" = 428
req POST /api/v1/import "${AG[@]}" "${J[@]}" -d '{"format":"kith-book","version":1,"workspace":{"tz":"/dev/stdin"},"contacts":[{"id":1,"name":"c"}]}'
ok "a workspace zone of /dev/stdin: 422" test "$STATUS" = 422
ok "naming workspace.tz" test "$(jqb .error.field)" = workspace.tz
req GET /api/v1/settings "${AG[@]}"
ok "the zone was not stored" bash -c "! grep -q dev/stdin '$A_DIR/body'"
expect "the server still answers" 200 GET /api/v1/contacts "${AG[@]}"
if [ -z "${KITH_TEST_PG:-}" ]; then
	ok "the database's -wal and -shm are 0600 (L9)" \
		test "$(stat -c %a "$KITH_DB" "$KITH_DB-wal" "$KITH_DB-shm" | sort -u)" = 600
else
	t_n=$((t_n + 1))
	echo "ok $t_n - the database's -wal and -shm are 0600 (L9) # SKIP sqlite only"
fi
echo "1..$t_n"
finish
