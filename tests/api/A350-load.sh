#!/usr/bin/env bash
# A350: bench/load, small: 200 keep-alive connections and 20 slow clients
# (a header byte a second) while wrk reads a contact for 6 s. Fails when
# the server stops answering (a non-2xx, a socket error, a connection
# refused past the per-address limit or the descriptor limit), when a
# slow client is not closed near the header deadline, or when memory
# grows. The full run (1,000 + 200, 40 s) is `make bench`; its figures
# are in docs/BENCHMARKS.md.
. "$(dirname "$0")/lib.sh"
rss=1
# A sanitizer build's allocator quarantine grows by design.
grep -q __asan_init "$KITH" && rss=0
out=$(KITH=$KITH BENCH_LOAD_DIR=$A_DIR/load BENCH_LOAD_CONTACTS=300 \
	BENCH_LOAD_KEEPALIVE=200 BENCH_LOAD_SLOW=20 BENCH_LOAD_SECONDS=16 \
	BENCH_LOAD_RSS_CHECK=$rss bash "$(dirname "$0")/../../bench/load" 2>&1)
rc=$?
summary=$(grep '^bench/load: ' <<<"$out")
ok "bench/load passes (exit 0)" test "$rc" = 0
ok "... and prints its summary line" grep -q '^bench/load: PASS: wrk [0-9.]* req/s' <<<"$summary"
ok "... with RSS sampled each second" test "$(grep -c '^t= *[0-9]*s  rss' <<<"$out")" -ge 10
ok "... no non-2xx from wrk" grep -q 'non-2xx 0;' <<<"$summary"
ok "... every keep-alive connection open at the end" grep -q '200 open at the end' <<<"$summary"
ok "... every slow client closed by the server" grep -Eq '20 slow: (2[0-9]|[3-9][0-9]) closed' <<<"$summary"
[ "$rc" = 0 ] || sed 's/^/#   /' <<<"$out" | tail -30
echo "# $summary"
finish
