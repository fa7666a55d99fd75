#!/usr/bin/env bash
# A360: the read path stays fresh (issue 19). Whatever the server keeps
# between requests to answer GET /api/v1/contacts/{id} quickly, a token
# revoked, a user removed or a role changed by another process (the CLI,
# or any SQLite client), and a sign-out, count from the very next
# request: on the same keep-alive connection that was just served, hot,
# from that credential, and on a fresh one.
. "$(dirname "$0")/lib.sh"
W=(--workspace "Studio")
kith "${W[@]}" user add ana@studio.example --role owner >/dev/null
kith "${W[@]}" user add vic@studio.example --role viewer >/dev/null
kith "${W[@]}" user add rex@studio.example --role viewer >/dev/null
printf 'correct horse battery staple\n' | kith "${W[@]}" user add \
	ben@studio.example --role member --password-stdin >/dev/null
TA=$(kith "${W[@]}" token create ana@studio.example --name a | tail -1)
TV=$(kith "${W[@]}" token create vic@studio.example --name v | tail -1)
TR=$(kith "${W[@]}" token create rex@studio.example --name r | tail -1)
TB=$(kith "${W[@]}" token create ben@studio.example --name b | tail -1)
TV2=$(kith "${W[@]}" token create vic@studio.example --name v2 | tail -1)
VID=$(kith "${W[@]}" token list | awk '$2 == "v" {print $1}')
V2ID=$(kith "${W[@]}" token list | awk '$2 == "v2" {print $1}')
start_server
req POST /api/v1/contacts -H "Authorization: Bearer $TA" \
	-H 'content-type: application/json' -d '{"name":"Ada Lovelace"}'
CID=$(jqb .id)
ok "a contact to read" test "$STATUS" = 201 -a -n "$CID"

# keepalive SCRIPT: one connection, requests and commands in turn. A
# line "GET PATH TOKEN [N]" sends N (1) requests and prints the statuses
# joined by commas; "RUN CMD..." runs a command between two requests
# (the connection stays open); "PATCH|DELETE|POST PATH TOKEN BODY" one
# write. TOKEN "cookie:S[,CSRF]" sends a session cookie instead. Prints
# one line per request line, then conn:same when all went over the one
# connection (conn:new otherwise).
keepalive() {
	python3 - "$BASE" <<PY
import http.client, shlex, subprocess, sys, urllib.parse
u = urllib.parse.urlparse(sys.argv[1])
c = http.client.HTTPConnection(u.hostname, u.port, timeout=10)
c.connect()
first = c.sock
same = True
for line in """$1""".strip().splitlines():
    w = shlex.split(line)
    if w[0] == "RUN":
        subprocess.run(w[1:], check=True, stdout=subprocess.DEVNULL)
        continue
    n = int(w[3]) if w[0] == "GET" and len(w) > 3 else 1
    out = []
    for _ in range(n):
        h = {}
        if w[2].startswith("cookie:"):
            h["Cookie"] = "kith_session=" + w[2][7:].split(",")[0]
            if "," in w[2]:
                h["X-CSRF-Token"] = w[2].split(",")[1]
        elif w[2] != "-":
            h["Authorization"] = "Bearer " + w[2]
        body = None
        if w[0] != "GET" and len(w) > 3:
            body = w[3]
            h["Content-Type"] = "application/json"
        same = same and c.sock is first
        c.request(w[0], w[1], body=body, headers=h)
        r = c.getresponse()
        r.read()
        out.append(str(r.status))
    print(",".join(out))
# Was every request sent over the first connection? (A refusal before
# the body is read closes it, and http.client then opens another.)
print("conn:" + ("same" if same else "new"))
PY
}
hot() { printf '%s\n' "$(printf '200,%.0s' $(seq 1 "$1"))" | sed 's/,$//'; }

# ---- a token revoked by the CLI ----
out=$(keepalive "GET /api/v1/contacts/$CID $TV 50
RUN $KITH --db $KITH_DB ${W[*]} token revoke $VID
GET /api/v1/contacts/$CID $TV")
ok "50 reads by the token on one connection: 200 each" test "$(sed -n 1p <<<"$out")" = "$(hot 50)"
ok "kith token revoke (another process): the very next read on that connection is 401" test "$(sed -n 2p <<<"$out")" = 401
ok "... all on the one connection" test "$(sed -n 3p <<<"$out")" = conn:same
expect "... and a read on a new connection" 401 GET /api/v1/contacts/$CID -H "Authorization: Bearer $TV"
expect "the user's other token still reads" 200 GET /api/v1/contacts/$CID -H "Authorization: Bearer $TV2"

# ---- a token revoked through the API, on another connection ----
out=$(keepalive "GET /api/v1/contacts/$CID $TV2 20
RUN curl -s -o /dev/null -X DELETE -H \"Authorization: Bearer $TA\" $BASE/api/v1/tokens/$V2ID
GET /api/v1/contacts/$CID $TV2")
ok "a token revoked by DELETE /tokens on another connection: 200s, then 401" test "$out" = "$(hot 20)
401
conn:same"

# ---- the same connection revokes its own token's sibling, then reads ----
TA2=$(kith "${W[@]}" token create ana@studio.example --name a2 | tail -1)
A2ID=$(kith "${W[@]}" token list | awk '$2 == "a2" {print $1}')
out=$(keepalive "GET /api/v1/contacts/$CID $TA2 20
DELETE /api/v1/tokens/$A2ID $TA
GET /api/v1/contacts/$CID $TA2")
ok "revoked on the connection that just read with it: 200s, 204, then 401" test "$out" = "$(hot 20)
204
401
conn:same"

# ---- a user removed by the CLI ----
out=$(keepalive "GET /api/v1/contacts/$CID $TR 30
RUN $KITH --db $KITH_DB ${W[*]} user remove rex@studio.example
GET /api/v1/contacts/$CID $TR")
ok "kith user remove: 200s, then the very next read is 401" test "$out" = "$(hot 30)
401
conn:same"

# ---- a role changed by another process ----
# kith has no CLI for roles: any client writing the database counts
# (psql on PostgreSQL).
cat >"$A_DIR/setrole.py" <<'PY'
import sqlite3, subprocess, sys
if sys.argv[1].startswith("postgresql://"):
    subprocess.run(["psql", "-qAtX", "-v", "ON_ERROR_STOP=1", sys.argv[1], "-c",
                    "UPDATE \"user\" SET role = '%s' WHERE email = '%s'"
                    % (sys.argv[3], sys.argv[2])], check=True)
    sys.exit(0)
c = sqlite3.connect(sys.argv[1], isolation_level=None, timeout=10)
c.execute("UPDATE user SET role = ? WHERE email = ?", (sys.argv[3], sys.argv[2]))
PY
req POST /api/v1/contacts -H "Authorization: Bearer $TA" \
	-H 'content-type: application/json' -d '{"name":"Spare"}'
CID2=$(jqb .id)
# A write without a body (DELETE) is authorised with the read path's
# lookup; one with a body when its headers arrive.
out=$(keepalive "GET /api/v1/contacts/$CID $TB 30
RUN python3 $A_DIR/setrole.py $KITH_DB ben@studio.example viewer
DELETE /api/v1/contacts/$CID2 $TB
GET /api/v1/contacts/$CID $TB
RUN python3 $A_DIR/setrole.py $KITH_DB ben@studio.example member
DELETE /api/v1/contacts/$CID2 $TB
RUN python3 $A_DIR/setrole.py $KITH_DB ben@studio.example viewer
PATCH /api/v1/contacts/$CID $TB '{\"title\":\"Countess\"}'
RUN python3 $A_DIR/setrole.py $KITH_DB ben@studio.example member
PATCH /api/v1/contacts/$CID $TB '{\"title\":\"Countess\"}'")
ok "a member demoted to viewer by another process: the very next DELETE is 403" test "$(sed -n 2p <<<"$out")" = 403
ok "... reads still 200" test "$(sed -n 3p <<<"$out")" = 200
ok "... promoted back: the very next DELETE is 204" test "$(sed -n 4p <<<"$out")" = 204
ok "... demoted again: the very next PATCH is 403" test "$(sed -n 5p <<<"$out")" = 403
ok "... promoted back: the very next PATCH is 200" test "$(sed -n 6p <<<"$out")" = 200

# ---- sign-out ----
req POST /api/v1/session -H 'content-type: application/json' \
	-d '{"email":"ben@studio.example","password":"correct horse battery staple"}'
SES=$(sed -n 's/^[Ss]et-[Cc]ookie: kith_session=\([^;]*\).*/\1/p' "$A_DIR/h")
ok "signed in with a session cookie" test "$STATUS" = 200 -a -n "$SES"
req GET /api/v1/me -b "kith_session=$SES"
CSRF=$(jqb .csrf_token)
ok "... and a CSRF token" test -n "$CSRF" -a "$CSRF" != null
out=$(keepalive "GET /api/v1/contacts/$CID cookie:$SES 30
DELETE /api/v1/session cookie:$SES,$CSRF
GET /api/v1/contacts/$CID cookie:$SES")
ok "sign-out on the connection that just read: 200s, 204, then 401" test "$out" = "$(hot 30)
204
401
conn:same"
expect "... and on a new connection" 401 GET /api/v1/me -b "kith_session=$SES"

# ---- the reply itself is fresh: a change by the CLI shows at once ----
out=$(keepalive "GET /api/v1/contacts/$CID $TA 20")
ok "20 reads of the contact" test "$out" = "$(hot 20)
conn:same"
kith "${W[@]}" edit "$CID" --title "Analyst" >/dev/null
req GET /api/v1/contacts/$CID -H "Authorization: Bearer $TA"
ok "a title changed by another process shows on the next read" test "$(jqb .title)" = Analyst

# ---- what the server keeps between reads never holds the WAL ----
# Its threads keep their read snapshot from one request to the next;
# one left idle ends within a second, and the ticker copies the WAL to
# its end, so a checkpoint from outside that waits for no reader (the
# sqlite3 shell has no busy timeout) finds none. SQLite only.
if [ -z "${KITH_TEST_PG:-}" ]; then
	keepalive "GET /api/v1/contacts/$CID $TA 40" >/dev/null
	kith "${W[@]}" edit "$CID" --title "Idle" >/dev/null
	keepalive "GET /api/v1/contacts/$CID $TA 40" >/dev/null
	kith "${W[@]}" edit "$CID" --title "Idle again" >/dev/null
	req GET /api/v1/contacts/$CID -H "Authorization: Bearer $TA"
	ok "a read right after the edit: the new title" test "$(jqb .title)" = "Idle again"
	sleep 1.5
	ck=
	for _ in 1 2 3 4 5; do
		ck=$(sqlite3 "$KITH_DB" 'PRAGMA wal_checkpoint(TRUNCATE)')
		[ "${ck%%|*}" = 0 ] && break
		sleep 0.1
	done
	ok "idle for 1.5 s, no snapshot of the server's holds the WAL: TRUNCATE checkpoint $ck" \
		test "${ck%%|*}" = 0
	ok "... and the WAL file is empty" test "$(stat -c %s "$KITH_DB-wal")" = 0
	expect "... the server reads on" 200 GET /api/v1/contacts/$CID -H "Authorization: Bearer $TA"
	ok "... the latest title" test "$(jqb .title)" = "Idle again"
fi

finish
