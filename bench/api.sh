#!/usr/bin/env bash
# bench/api.sh: GET /api/v1/contacts/{id} with wrk (keep-alive, 64
# connections) against kith serve, beside nginx serving a static file of
# the same size, alternated BENCH_API_ROUNDS times (3) in the same run and
# compared by medians; kith's memory while it serves a 100,000-contact
# workspace; webhooks (BENCH_API_HOOKS=0 skips them). KITH names the binary
# (build/kith). Part of `make bench`.
set -euo pipefail
cd "$(dirname "$0")/.."
contacts=${BENCH_API_CONTACTS:-100000}
dur=${BENCH_DURATION:-10s}
dir=build/bench/api
kith=${KITH:-./build/kith}
mkdir -p "$dir"
db=$dir/book-$contacts.db
export KITH_NOW=${KITH_NOW:-2026-11-20T15:00:00Z} TZ=UTC
if [ ! -s "$db" ]; then
	echo "building a $contacts-contact workspace..."
	"$kith" --db "$db" --workspace Bench demo --contacts "$contacts" --touches $((contacts * 10)) >/dev/null
	"$kith" --db "$db" --workspace Bench user add bench@kith.example --role owner >/dev/null
fi
token=$("$kith" --db "$db" --workspace Bench token create bench@kith.example --name bench | tail -1)

"$kith" --db "$db" serve --listen 127.0.0.1:0 --hook-rate 0 --hook-daily 0 2>"$dir/serve.log" &
kpid=$!
ngpid=
trap 'kill $kpid 2>/dev/null; [ -n "$ngpid" ] && kill $ngpid 2>/dev/null; true' EXIT
for _ in $(seq 1 100); do
	base=$(sed -n 's|^kith: serving on \(http://[0-9.:]*\)/.*|\1|p' "$dir/serve.log")
	[ -n "$base" ] && break
	sleep 0.1
done
id=$((contacts / 2))
curl -sf -H "Authorization: Bearer $token" "$base/api/v1/contacts/$id" >"$dir/contact.json"
size=$(stat -c %s "$dir/contact.json")

# nginx: the same bytes from a file, 2 workers (one per core), no log.
mkdir -p "$dir/nginx/html"
cp "$dir/contact.json" "$dir/nginx/html/contact.json"
port=$((20000 + RANDOM % 20000))
cat >"$dir/nginx/nginx.conf" <<CONF
worker_processes auto;
pid $PWD/$dir/nginx/nginx.pid;
error_log $PWD/$dir/nginx/error.log;
events { worker_connections 1024; }
http {
	access_log off;
	keepalive_requests 100000;
	server {
		listen 127.0.0.1:$port;
		root $PWD/$dir/nginx/html;
		default_type application/json;
	}
}
CONF
/usr/sbin/nginx -c "$PWD/$dir/nginx/nginx.conf" -g 'daemon off;' &
ngpid=$!
sleep 0.5

rate() { sed -n 's/^Requests\/sec: *\([0-9.]*\).*/\1/p'; }
count() { sed -n 's/^ *\([0-9]*\) requests in.*/\1/p' "$1"; }
median() { sort -g | awk '{ v[NR] = $1 } END { print v[int((NR + 1) / 2)] }'; }
# CPU time (ns) of every thread of the given processes: per request it is
# what the server spent, however busy the shared machine was.
cpu_ns() { for p in "$@"; do cat /proc/"$p"/task/*/schedstat; done 2>/dev/null | awk '{ s += $1 } END { printf "%.0f\n", s }'; }
ngworkers=$(pgrep -P "$ngpid" | tr '\n' ' ')
rounds=${BENCH_API_ROUNDS:-3}
echo "== API read: GET /api/v1/contacts/$id ($size bytes), wrk -t2 -c64 -d$dur, kith and nginx alternated $rounds times"
: >"$dir/rates-kith.txt"
: >"$dir/rates-nginx.txt"
: >"$dir/cpu-kith.txt"
: >"$dir/cpu-nginx.txt"
for i in $(seq 1 "$rounds"); do
	c0=$(cpu_ns "$kpid")
	k=$(wrk -t2 -c64 -d"$dur" -H "Authorization: Bearer $token" "$base/api/v1/contacts/$id" | tee "$dir/wrk-kith-$i.txt" | rate)
	c1=$(cpu_ns "$kpid")
	# shellcheck disable=SC2086
	n0=$(cpu_ns $ngworkers)
	n=$(wrk -t2 -c64 -d"$dur" "http://127.0.0.1:$port/contact.json" | tee "$dir/wrk-nginx-$i.txt" | rate)
	# shellcheck disable=SC2086
	n1=$(cpu_ns $ngworkers)
	kc=$(awk -v a="$c0" -v b="$c1" -v r="$(count "$dir/wrk-kith-$i.txt")" 'BEGIN { printf "%.1f", (b - a) / 1000 / r }')
	nc=$(awk -v a="$n0" -v b="$n1" -v r="$(count "$dir/wrk-nginx-$i.txt")" 'BEGIN { printf "%.1f", (b - a) / 1000 / r }')
	echo "$k" >>"$dir/rates-kith.txt"
	echo "$n" >>"$dir/rates-nginx.txt"
	echo "$kc" >>"$dir/cpu-kith.txt"
	echo "$nc" >>"$dir/cpu-nginx.txt"
	awk -v i="$i" -v k="$k" -v n="$n" -v kc="$kc" -v nc="$nc" 'BEGIN { printf "round %d: kith %s req/s (%s us CPU each), nginx %s req/s (%s us), ratio %.2f\n", i, k, kc, n, nc, k / n }'
done
k=$(median <"$dir/rates-kith.txt")
n=$(median <"$dir/rates-nginx.txt")
kc=$(median <"$dir/cpu-kith.txt")
nc=$(median <"$dir/cpu-nginx.txt")
rss=$(awk '/VmRSS/ {print $2}' /proc/$kpid/status)
hwm=$(awk '/VmHWM/ {print $2}' /proc/$kpid/status)
echo "kith  $k req/s (median)"
echo "nginx $n req/s (median)"
awk -v k="$k" -v n="$n" 'BEGIN { printf "ratio %.2f (target >= 0.80)\n", k / n }'
echo "server CPU per request (median): kith $kc us, nginx $nc us (nginx/kith $(awk -v a="$nc" -v b="$kc" 'BEGIN { printf "%.2f", a / b }'))"
echo "kith resident memory serving $contacts contacts: $((rss / 1024)) MB after the run, peak $((hwm / 1024)) MB (target < 50 MB)"
grep -h "Non-2xx\|Socket errors" "$dir"/wrk-kith-*.txt "$dir"/wrk-nginx-*.txt || true
[ "${BENCH_API_HOOKS:-1}" = 0 ] && exit 0

# Webhooks: distinct signals from 64 connections; every 202 must be stored.
hook=$("$kith" --db "$db" --workspace Bench webhook show --base "$base")
before=$(sqlite3 "$db" 'SELECT count(*) FROM signal')
echo "== webhooks: POST /hooks/<secret>, wrk -t2 -c64 -d$dur, distinct ids"
wrk -t2 -c64 -d"$dur" -s bench/webhook.lua "$hook" >"$dir/wrk-hook.txt"
w=$(rate <"$dir/wrk-hook.txt")
sent=$(sed -n 's/^ *\([0-9]*\) requests in.*/\1/p' "$dir/wrk-hook.txt")
bad=$(sed -n 's/^ *Non-2xx or 3xx responses: *\([0-9]*\).*/\1/p' "$dir/wrk-hook.txt")
sleep 1
after=$(sqlite3 "$db" 'SELECT count(*) FROM signal')
echo "webhooks accepted: $w req/s; $sent sent, ${bad:-0} refused, $((after - before)) stored"
