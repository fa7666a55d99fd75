#!/usr/bin/env bash
# A150: no cron: `kith serve` sends each member one morning digest at the
# start of their working day, in their zone, through their notify URLs;
# not before the day starts, not twice, not at weekends.
. "$(dirname "$0")/lib.sh"
W=(--workspace "Studio")
kith "${W[@]}" demo >/dev/null
printf 'correct horse battery staple\n' | kith "${W[@]}" user add \
	ana@studio.example --role owner --password-stdin >/dev/null

RX_LOG=$A_DIR/rx.log
: >"$RX_LOG"
node -e '
const http = require("http"), fs = require("fs");
const [log, portf] = process.argv.slice(1);
http.createServer((q, r) => {
	let b = "";
	q.on("data", (c) => (b += c));
	q.on("end", () => {
		fs.appendFileSync(log, JSON.stringify({ path: q.url, body: b }) + "\n");
		r.end("ok");
	});
}).listen(0, "127.0.0.1", function () {
	fs.writeFileSync(portf + ".tmp", String(this.address().port));
	fs.renameSync(portf + ".tmp", portf);
});' "$RX_LOG" "$A_DIR/rx.port" &
RX_PID=$!
trap 'kill $RX_PID 2>/dev/null; stop_server; rm -rf "$A_DIR"' EXIT
for _ in $(seq 1 100); do [ -s "$A_DIR/rx.port" ] && break; sleep 0.05; done
RX=http://127.0.0.1:$(cat "$A_DIR/rx.port")
kith "${W[@]}" notify add "$RX/ana" >/dev/null

mornings() { grep -c 'Good morning' "$RX_LOG"; }
wait_mornings() {
	for _ in $(seq 1 60); do
		[ "$(mornings)" -ge "$1" ] && return 0
		sleep 0.05
	done
	return 1
}

# Monday 08:50 in the workspace's zone (UTC here): not yet.
export KITH_NOW=2026-11-23T08:50:00Z
start_server --notify-allow "127.0.0.1:$(cat "$A_DIR/rx.port")"
sleep 2.5
ok "before the working day: no digest" test "$(mornings)" = 0
stop_server

# Monday 09:05: one digest, naming who to reach.
export KITH_NOW=2026-11-23T09:05:00Z
start_server --notify-allow "127.0.0.1:$(cat "$A_DIR/rx.port")"
ok "at the start of the working day: a digest" wait_mornings 1
ok "it names someone to reach" grep -q 'Reach today' "$RX_LOG"
sleep 2.5
ok "... and only one, however long the server runs" test "$(mornings)" = 1
stop_server
start_server --notify-allow "127.0.0.1:$(cat "$A_DIR/rx.port")"
sleep 2.5
ok "a restart that day sends no second one" test "$(mornings)" = 1
stop_server
# With nothing to do (today's digest sent, no alert held) the ticker
# only reads: no write transaction per member per second. The one it
# may open is the once-a-minute sweep of expired sessions.
KITH_SQL_LOG=$A_DIR/sql.log start_server --notify-allow "127.0.0.1:$(cat "$A_DIR/rx.port")"
sleep 2.5
stop_server
begins=$(grep -c '^BEGIN \(IMMEDIATE\|ISOLATION\)' "$A_DIR/sql.log")
sweeps=$(grep -c '^DELETE FROM session WHERE expires_at' "$A_DIR/sql.log")
ok "an idle server's ticker opens no write transaction but the sweep's ($begins, $sweeps)" \
	test "$begins" = "$sweeps"
ok "... and reads who has work ($(grep -c '^SELECT DISTINCT workspace_id, user_id FROM alert WHERE held = 1' "$A_DIR/sql.log") times)" \
	grep -q '^SELECT DISTINCT workspace_id, user_id FROM alert WHERE held = 1' "$A_DIR/sql.log"

# Saturday 10:00: none.
export KITH_NOW=2026-11-28T10:00:00Z
start_server --notify-allow "127.0.0.1:$(cat "$A_DIR/rx.port")"
sleep 2.5
ok "at the weekend: none" test "$(mornings)" = 1
stop_server

# The member's own zone counts: Seoul's Tuesday 09:10 is Monday 00:10 UTC.
kith "${W[@]}" user add kim@studio.example --role member >/dev/null
db_sql "UPDATE \"user\" SET tz = 'Asia/Seoul' WHERE email = 'kim@studio.example'"
kith "${W[@]}" notify add "$RX/kim" --user kim@studio.example >/dev/null
export KITH_NOW=2026-11-24T00:10:00Z
start_server --notify-allow "127.0.0.1:$(cat "$A_DIR/rx.port")"
ok "a member in Seoul gets theirs at 09:10 Seoul time" \
	bash -c 'for i in $(seq 1 60); do grep -q "\"/kim\".*Good morning" "$0" && exit 0; sleep 0.05; done; exit 1' "$RX_LOG"
stop_server
finish
