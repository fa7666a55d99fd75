#!/usr/bin/env bash
# bench/pg.sh: PostgreSQL beside SQLite, same book, same run (issue 18).
# Part of `make bench`, after bench/run and bench/api.sh, whose books it
# copies: the agenda book (build/bench/book-$contacts-$touches.db, made
# by bench_due) and the API book (build/bench/api/book-$api.db, made by
# api.sh). It starts its own PostgreSQL 15 (tests/pg.sh: a temp dir, a
# free port, torn down on exit), tunes it for a 24 GiB machine (below),
# copies each book with `kith migrate --to` (timed), runs ANALYZE, then:
#   - the agenda: bench_due --pg, app_agenda on both engines alternated,
#     each top 50 checked against the full scan of the SQLite book;
#   - the API read: GET /api/v1/contacts/{id} with wrk against one kith
#     serve on the SQLite file and one on the PostgreSQL copy, alternated
#     BENCH_API_ROUNDS times (3), medians and the ratio PG/SQLite;
#   - in each round, PostgreSQL alone: pgbench running the read's two
#     statements (bench/pg_floor.sql), the most kith on PostgreSQL
#     could reach on these cores with HTTP costing nothing.
# Env: BENCH_CONTACTS / BENCH_TOUCHES / BENCH_API_CONTACTS / BENCH_DURATION
# as bench/run and bench/api.sh; KITH (build/kith); BENCH_PG_FULL=1 also
# runs the agenda's full scan on PostgreSQL (minutes at 1M contacts).
set -euo pipefail
cd "$(dirname "$0")/.."
contacts=${BENCH_CONTACTS:-1000000}
touches=${BENCH_TOUCHES:-10000000}
api=${BENCH_API_CONTACTS:-100000}
dur=${BENCH_DURATION:-10s}
rounds=${BENCH_API_ROUNDS:-3}
kith=${KITH:-./build/kith}
book=build/bench/book-$contacts-$touches.db
apibook=build/bench/api/book-$api.db
dir=build/bench/pg
export KITH_NOW=${KITH_NOW:-2026-11-20T15:00:00Z} TZ=${TZ:-UTC}
for f in "$book" "$apibook"; do
	[ -s "$f" ] || {
		echo "bench/pg.sh: no $f (bench/run and bench/api.sh make it)" >&2
		exit 1
	}
done
rm -rf "$dir"
mkdir -p "$dir"

# shellcheck source=tests/pg.sh
. tests/pg.sh
pg_start
# tests/pg.sh's cluster is a throwaway (fsync, synchronous_commit and
# full_page_writes off; that only speeds the load, the reads measured
# write nothing). For the reads: a buffer cache that holds the agenda
# book (~2 GB on disk) and the planner told the OS caches the rest;
# checkpoints spaced so the one-transaction copy does not stall on them.
cat >>"$KITH_PG_DIR/data/postgresql.conf" <<-CONF
	# bench/pg.sh
	shared_buffers = 4GB
	effective_cache_size = 16GB
	maintenance_work_mem = 1GB
	work_mem = 64MB
	max_wal_size = 16GB
	checkpoint_timeout = 30min
	random_page_cost = 1.1
	jit = off
	shared_preload_libraries = 'pg_stat_statements'
	pg_stat_statements.track_planning = on
CONF
_pg_as "$PG_BIN/pg_ctl" -D "$KITH_PG_DIR/data" -l "$KITH_PG_DIR/server.log" \
	-w -t 120 restart >/dev/null
echo "== PostgreSQL beside SQLite: $("$PG_BIN/postgres" --version), $KITH_PG_BASE"
pg_psql "$KITH_PG_BASE/postgres" -tAc "SELECT name || ' = ' || current_setting(name)
	FROM pg_settings WHERE name IN
	('shared_buffers', 'effective_cache_size', 'work_mem',
	 'max_wal_size', 'random_page_cost', 'jit', 'fsync',
	 'synchronous_commit', 'full_page_writes', 'shared_preload_libraries')
	 ORDER BY name" |
	sed 's/^/  /'

# copy BOOK NAME: a database NAME (C locale) holding BOOK; prints its URL.
copy() {
	local src=$1 name=$2 url t0 t1
	url=$(pg_newdb "$name")
	t0=$(date +%s.%N)
	"$kith" --db "$src" migrate --to "$url" >"$dir/migrate-$name.txt"
	t1=$(date +%s.%N)
	pg_psql "$url" -c 'ANALYZE' >&2
	awk -v a="$t0" -v b="$t1" -v s="$src" -v r="$(tail -1 "$dir/migrate-$name.txt")" \
		'BEGIN { printf "copied %s: %s in %.1f s\n", s, r, b - a }' >&2
	echo "$url"
}

# sock URL: the same database over the unix socket (what a kith beside
# its PostgreSQL would use; the round trip is the agenda's cost).
port=${KITH_PG_BASE##*:}
sock() { echo "postgresql://kith@/${1##*/}?host=$KITH_PG_DIR&port=$port"; }

bookurl=$(copy "$book" agenda)
# pg_stat_statements counts what the agenda costs the server, a figure
# the shared machine's noise does not move.
pg_psql "$bookurl" -c 'CREATE EXTENSION pg_stat_statements' \
	-c 'SELECT pg_stat_statements_reset()' >/dev/null
./build/bench/bench_due --pg "$book" "$bookurl" "$(sock "$bookurl")"
# 2 x 201 agenda runs (TCP and socket, warm-up included); the opening
# statements of the two connections are a rounding error.
pg_psql "$bookurl" -tA -F' ' -c "SELECT sum(calls), round(sum(total_exec_time)::numeric, 1),
	round(sum(total_plan_time)::numeric, 1) FROM pg_stat_statements
	WHERE dbid = (SELECT oid FROM pg_database WHERE datname = 'agenda')" |
	awk '{ printf "PostgreSQL server per agenda run: %.0f statements, %.2f ms executing, %.2f ms planning\n", $1 / 402, $2 / 402, $3 / 402 }'
pg_psql "$bookurl" -tA -F' | ' -c "SELECT calls / 402, round((total_exec_time + total_plan_time)::numeric / 402, 2),
	left(regexp_replace(query, '\s+', ' ', 'g'), 90) FROM pg_stat_statements
	WHERE dbid = (SELECT oid FROM pg_database WHERE datname = 'agenda')
	ORDER BY calls DESC LIMIT 12" | sed 's/^/  per run: /' >"$dir/agenda-statements.txt"
cat "$dir/agenda-statements.txt"

apiurl=$(copy "$apibook" api)
token=$("$kith" --db "$apibook" --workspace Bench token create bench@kith.example --name bench-sqlite | tail -1)
# A server on PostgreSQL keeps its mail key under XDG_CONFIG_HOME.
export XDG_CONFIG_HOME=$PWD/$dir/config
mkdir -p "$XDG_CONFIG_HOME"
ptoken=$("$kith" --db "$apiurl" --workspace Bench token create bench@kith.example --name bench-pg | tail -1)

sq=
pq=
pu=
trap 'kill $sq $pq $pu 2>/dev/null; pg_stop' EXIT
# serve DB LOG: kith serve on DB, as bench/api.sh runs it; sets base.
serve() {
	"$kith" --db "$1" serve --listen 127.0.0.1:0 --hook-rate 0 --hook-daily 0 2>"$2" &
	for _ in $(seq 1 100); do
		base=$(sed -n 's|^kith: serving on \(http://[0-9.:]*\)/.*|\1|p' "$2")
		[ -n "$base" ] && return 0
		sleep 0.1
	done
	echo "bench/pg.sh: kith serve on $1 did not start:" >&2
	cat "$2" >&2
	exit 1
}
serve "$apibook" "$dir/serve-sqlite.log"
sq=$!
sbase=$base
serve "$apiurl" "$dir/serve-pg.log"
pq=$!
pbase=$base
serve "$(sock "$apiurl")" "$dir/serve-pgsock.log"
pu=$!
ubase=$base
id=$((api / 2))
curl -sf -H "Authorization: Bearer $token" "$sbase/api/v1/contacts/$id" >"$dir/contact-sqlite.json"
curl -sf -H "Authorization: Bearer $ptoken" "$pbase/api/v1/contacts/$id" >"$dir/contact-pg.json"
curl -sf -H "Authorization: Bearer $ptoken" "$ubase/api/v1/contacts/$id" >"$dir/contact-pgsock.json"
for f in pg pgsock; do
	if ! cmp -s "$dir/contact-sqlite.json" "$dir/contact-$f.json"; then
		echo "bench/pg.sh: the contact differs between the engines:" >&2
		diff "$dir/contact-sqlite.json" "$dir/contact-$f.json" >&2 || true
		exit 1
	fi
done

rate() { sed -n 's/^Requests\/sec: *\([0-9.]*\).*/\1/p'; }
median() { sort -g | awk '{ v[NR] = $1 } END { print v[int((NR + 1) / 2)] }'; }
# The floor: PostgreSQL alone answering the read's two statements
# (bench/pg_floor.sql) to pgbench, 8 clients as kith's 8 connections,
# no HTTP. kith on PostgreSQL does this work and its HTTP besides, on
# the same cores, so it cannot pass this figure.
phash=$(pg_psql "$apiurl" -tAc "SELECT hash FROM api_token WHERE name = 'bench-pg'")
pws=$(pg_psql "$apiurl" -tAc "SELECT workspace_id FROM api_token WHERE name = 'bench-pg'")
pnow=$(date -d "$KITH_NOW" +%s)
floor() {
	"$PG_BIN/pgbench" -n -M prepared -f bench/pg_floor.sql -c 8 -j 2 \
		-T "${dur%s}" -D hash="$phash" -D now="$pnow" -D id="$id" \
		-D ws="$pws" -D card=0 "$apiurl" 2>&1 | tee "$dir/pgbench-$1.txt" |
		awk '/^tps = / { printf "%.2f\n", $3 }'
}
echo "== API read on both engines: GET /api/v1/contacts/$id ($(stat -c %s "$dir/contact-pg.json") bytes, the same on both), wrk -t2 -c64 -d$dur, SQLite, PostgreSQL over TCP and over the unix socket alternated $rounds times"
: >"$dir/rates-sqlite.txt"
: >"$dir/rates-pg.txt"
: >"$dir/rates-pgsock.txt"
: >"$dir/rates-floor.txt"
for i in $(seq 1 "$rounds"); do
	s=$(wrk -t2 -c64 -d"$dur" -H "Authorization: Bearer $token" "$sbase/api/v1/contacts/$id" | tee "$dir/wrk-sqlite-$i.txt" | rate)
	p=$(wrk -t2 -c64 -d"$dur" -H "Authorization: Bearer $ptoken" "$pbase/api/v1/contacts/$id" | tee "$dir/wrk-pg-$i.txt" | rate)
	u=$(wrk -t2 -c64 -d"$dur" -H "Authorization: Bearer $ptoken" "$ubase/api/v1/contacts/$id" | tee "$dir/wrk-pgsock-$i.txt" | rate)
	f=$(floor "$i")
	echo "$s" >>"$dir/rates-sqlite.txt"
	echo "$p" >>"$dir/rates-pg.txt"
	echo "$u" >>"$dir/rates-pgsock.txt"
	echo "$f" >>"$dir/rates-floor.txt"
	awk -v i="$i" -v s="$s" -v p="$p" -v u="$u" -v f="$f" 'BEGIN { printf "round %d: SQLite %s req/s, PostgreSQL TCP %s req/s (%.2f), unix socket %s req/s (%.2f); pgbench alone %s (%.2f)\n", i, s, p, p / s, u, u / s, f, f / s }'
done
s=$(median <"$dir/rates-sqlite.txt")
p=$(median <"$dir/rates-pg.txt")
u=$(median <"$dir/rates-pgsock.txt")
f=$(median <"$dir/rates-floor.txt")
echo "kith on SQLite                 $s req/s (median)"
echo "kith on PostgreSQL, TCP        $p req/s (median)"
echo "kith on PostgreSQL, unix socket $u req/s (median)"
echo "PostgreSQL alone (pgbench, the same two statements, no HTTP) $f req/s (median)"
awk -v s="$s" -v p="$p" -v u="$u" -v f="$f" 'BEGIN { printf "ratio PostgreSQL/SQLite: TCP %.2f, unix socket %.2f (target >= 0.50); PostgreSQL alone %.2f\n", p / s, u / s, f / s }'
# The floor ran kith's own statements: the SELECTs run over 10,000
# times in the API database are two texts (kith's; the floor's equal
# or merged with them) once parameter numbers and constants are set
# aside. (The copy's INSERTs run thousands of times, and each server's
# outbox poll once a second.)
busy="FROM pg_stat_statements WHERE calls > 10000
	AND query LIKE 'SELECT%' AND dbid =
	(SELECT oid FROM pg_database WHERE datname = 'api')"
texts=$(pg_psql "$bookurl" -tAc "SELECT count(DISTINCT
	regexp_replace(query, '\\\$[0-9]+', '?', 'g')) $busy")
if [ "$texts" != 2 ]; then
	echo "bench/pg.sh: bench/pg_floor.sql no longer runs kith's read ($texts texts):" >&2
	pg_psql "$bookurl" -tAc "SELECT calls, query $busy" >&2
	exit 1
fi
grep -h "Non-2xx\|Socket errors" "$dir"/wrk-*.txt || true
