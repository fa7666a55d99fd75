#!/usr/bin/env bash
# A140: a webhook flood: 2,000 deliveries (and 400 repeats of some of
# them) from 16 connections at once. Every acknowledged (202) delivery is
# stored exactly once, repeats stay single, and the API keeps answering
# the agenda during the flood.
. "$(dirname "$0")/lib.sh"
W=(--workspace "Studio")
printf 'correct horse battery staple\n' | kith "${W[@]}" user add \
	ana@studio.example --role owner --password-stdin >/dev/null
T=$(kith "${W[@]}" token create ana@studio.example --name a140 | tail -1)
HOOK=/hooks/$(kith "${W[@]}" webhook show | sed 's|.*/hooks/||')
kith "${W[@]}" add "Dana Harbor" --email dana@harbor.example >/dev/null
# stop_clean: SIGTERM the server; it must exit 0 (under ASan: no leaks,
# no errors), its report shown if not.
stop_clean() {
	local rc
	kill -TERM "$SERVER_PID" && wait "$SERVER_PID"
	rc=$?
	SERVER_PID=
	ok "the server stops cleanly on SIGTERM (exit 0)" test "$rc" = 0
	[ "$rc" = 0 ] || grep -A12 'ERROR\|runtime error' "$A_DIR/serve.log" | head -40 | sed 's/^/#   /'
}
start_server --hook-rate 0 --hook-daily 0

# The flood: 16 keep-alive connections share a queue of 2,400 deliveries
# (ids f-0..f-1999, then f-0..f-399 again, shuffled in); one more
# connection reads the agenda over and over meanwhile. Prints a summary.
node -e '
const http = require("http");
const [base, hook, token] = process.argv.slice(1);
const u = new URL(base);
const agent = new http.Agent({ keepAlive: true, maxSockets: 16 });
const q = [];
for (let i = 0; i < 2000; i++) q.push(i);
for (let i = 0; i < 400; i++) q.splice((i * 7919) % q.length, 0, i);
const out = { status: {}, acked: {}, ids: {}, agenda: [], agenda_ms: [], errors: 0 };
function send(n) {
	return new Promise((done) => {
		const body = JSON.stringify({ id: "f-" + n, type: n % 2 ? "form" : "website_visit",
			email: n % 10 ? "lead" + n + "@flood.example" : "dana@harbor.example",
			url: "https://studio.example/p/" + n });
		const r = http.request({ host: u.hostname, port: u.port, path: hook, method: "POST",
			agent, headers: { "content-type": "application/json",
			"content-length": Buffer.byteLength(body) } }, (res) => {
			let b = "";
			res.on("data", (c) => (b += c));
			res.on("end", () => {
				out.status[res.statusCode] = (out.status[res.statusCode] || 0) + 1;
				if (res.statusCode === 202) {
					const id = JSON.parse(b).signal.id;
					out.acked["f-" + n] = out.acked["f-" + n] || [];
					if (!out.acked["f-" + n].includes(id)) out.acked["f-" + n].push(id);
				}
				done();
			});
		});
		r.on("error", () => { out.errors++; done(); });
		r.end(body);
	});
}
let flooding = true;
async function worker() { while (q.length) await send(q.shift()); }
async function reader() {
	const a = new http.Agent({ keepAlive: true, maxSockets: 1 });
	while (flooding) {
		const t0 = Date.now();
		await new Promise((done) => {
			const r = http.get({ host: u.hostname, port: u.port, path: "/api/v1/agenda", agent: a,
				headers: { authorization: "Bearer " + token } }, (res) => {
				res.resume();
				res.on("end", () => { out.agenda.push(res.statusCode);
					out.agenda_ms.push(Date.now() - t0); done(); });
			});
			r.on("error", () => { out.agenda.push(0); done(); });
		});
		await new Promise((r) => setTimeout(r, 50));
	}
}
const t0 = Date.now();
const rd = reader();
Promise.all(Array.from({ length: 16 }, worker)).then(async () => {
	out.seconds = (Date.now() - t0) / 1000;
	flooding = false;
	await rd;
	console.log(JSON.stringify(out));
	process.exit(0);
});' "$BASE" "$HOOK" "$T" >"$A_DIR/flood.json"
F=$A_DIR/flood.json
echo "# flood: $(jq -c '{status, errors, seconds, agenda_reads: (.agenda | length), agenda_max_ms: (.agenda_ms | max)}' "$F")"
ok "the flood ran" test -s "$F"
ok "every delivery was answered (no connection errors)" test "$(jq .errors "$F")" = 0
ok "most deliveries were acknowledged" test "$(jq '.status["202"] // 0' "$F")" -ge 2000
ok "nothing failed with a 5xx" test "$(jq '[.status | to_entries[] | select(.key | startswith("5")) | .value] | add // 0' "$F")" = 0
ok "a repeat is acknowledged with the same signal" test "$(jq '[.acked[] | length] | max' "$F")" = 1
ACKED=$(jq '.acked | length' "$F")
ok "all 2,000 ids were acknowledged" test "$ACKED" = 2000

req GET /api/v1/signals "${A[@]}" -H "Authorization: Bearer $T"
ok "the list is one page" test "$(jqb .next_cursor)" = null
jq '[.items[] | select(.ext_id | startswith("f-"))]' <<<"$BODY" >"$A_DIR/stored.json"
ok "each acknowledged delivery is stored" \
	test "$(jq -n --slurpfile a "$F" --slurpfile s "$A_DIR/stored.json" '($s[0] | map(.ext_id)) as $have | [$a[0].acked | keys[] | select(. as $k | $have | index($k) | not)] | length')" = 0
ok "each stored once (repeats stay single)" \
	test "$(jq '[.[].ext_id] | length == (unique | length)' "$A_DIR/stored.json")" = true
ok "2,000 stored in all" test "$(jq length "$A_DIR/stored.json")" = 2000
ok "the acknowledged ids are the stored ids" \
	test "$(jq -n --slurpfile a "$F" --slurpfile s "$A_DIR/stored.json" '([$a[0].acked[][0]] | sort) == ([$s[0][].id] | sort)')" = true
ok "the CLI counts the same" test "$(kith "${W[@]}" --json signals | jq '[.[] | select(.ext_id | startswith("f-"))] | length')" = 2000
ok "Dana's signals matched her" test "$(jq '[.[] | select(.email == "dana@harbor.example") | .contact.name] | unique' -c "$A_DIR/stored.json")" = '["Dana Harbor"]'

ok "the agenda answered during the flood" test "$(jq '.agenda | length' "$F")" -ge 3
ok "always 200" test "$(jq '[.agenda[] | select(. != 200)] | length' "$F")" = 0
ok "Dana, with waiting signals, tops the agenda" \
	test "$(curl -s -H "Authorization: Bearer $T" "$BASE/api/v1/agenda" | jq -r '.items[0].contact.name')" = "Dana Harbor"
stop_clean
finish
