#!/usr/bin/env bash
# bench/api-callgrind.sh: user-space instructions kith serve spends per
# GET /api/v1/contacts/{id} with a bearer token, counted by callgrind
# over N keep-alive reads (BENCH_CG_READS, 400) after a warm-up. Unlike
# req/s or CPU time it does not move with the machine's load, so it
# compares two builds (KITH=) on a shared machine. Uses the workspace
# bench/api.sh builds (BENCH_API_CONTACTS, 5000 here).
set -euo pipefail
cd "$(dirname "$0")/.."
contacts=${BENCH_API_CONTACTS:-5000}
reads=${BENCH_CG_READS:-400}
dir=build/bench/api
kith=${KITH:-./build/kith}
mkdir -p "$dir"
db=${BENCH_API_DB:-$dir/book-$contacts.db}
export KITH_NOW=${KITH_NOW:-2026-11-20T15:00:00Z} TZ=UTC
if [ ! -s "$db" ]; then
	echo "building a $contacts-contact workspace..."
	"$kith" --db "$db" --workspace Bench demo --contacts "$contacts" --touches $((contacts * 10)) >/dev/null
	"$kith" --db "$db" --workspace Bench user add bench@kith.example --role owner >/dev/null
fi
token=$("$kith" --db "$db" --workspace Bench token create bench@kith.example --name callgrind | tail -1)
out=$dir/callgrind.out
rm -f "$out" "$out".*
valgrind --tool=callgrind --callgrind-out-file="$out" \
	"$kith" --db "$db" serve --listen 127.0.0.1:0 --threads 1 --hook-rate 0 --hook-daily 0 2>"$dir/cg-serve.log" &
vpid=$!
trap 'kill $vpid 2>/dev/null; true' EXIT
base=
for _ in $(seq 1 600); do
	base=$(sed -n 's|^kith: serving on \(http://[0-9.:]*\)/.*|\1|p' "$dir/cg-serve.log")
	[ -n "$base" ] && break
	sleep 0.1
done
[ -n "$base" ] || { echo "kith serve did not start" >&2; cat "$dir/cg-serve.log" >&2; exit 1; }
url=$base/api/v1/contacts/$((contacts / 2))
urls() { for _ in $(seq 1 "$1"); do printf 'url = "%s"\noutput = /dev/null\n' "$url"; done; }
# One pool thread, so the warm-up opens the store and fills the statement
# cache of the thread that serves the counted keep-alive run.
urls 20 | curl -sf -K - -H "Authorization: Bearer $token"
callgrind_control -z "$vpid" >/dev/null
urls "$reads" | curl -sf -K - -H "Authorization: Bearer $token"
callgrind_control -d "$vpid" >/dev/null
ir=$(cat "$out".* | sed -n 's/^summary: *\([0-9]*\).*/\1/p' | awk '{ s += $1 } END { print s }')
echo "callgrind: $reads keep-alive reads, $ir instructions, $((ir / reads)) per request"
echo "(callgrind_annotate $out.1 for where)"
