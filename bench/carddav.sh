#!/usr/bin/env bash
# bench/carddav.sh: CardDAV with vdirsyncer, kith against Radicale
# (Debian's, started here on a free port with a temporary storage folder)
# in the same run. For each size (BENCH_CARDS, default "1000 5000 10000"):
#   upload   vdirsyncer sync of a folder of N cards into an empty server
#            (Radicale: up to BENCH_RADICALE_UPLOAD, default 1000, as its
#            PUTs grow worse than linearly; above it Radicale is filled by
#            writing its files directly);
#   first    a new client's first sync: every card down into an empty
#            folder (PROPFIND, then multigets);
#   resync   the same sync again with nothing changed.
# Seconds of wall time for the whole `vdirsyncer sync`, client included.
# Then the server alone (bench/dav_times.py): list (PROPFIND Depth 1,
# getetag), getall (one addressbook-multiget of every card) and nochange
# (a sync-collection with the current token: what a resync costs a
# client that uses RFC 6578, as iOS and DAVx5 do; vdirsyncer lists).
# And a client that syncs the way phones do (bench/davsync.c, C with
# libcurl and libxml2, so the client costs next to nothing): sc-first is
# its first sync into an empty folder (PROPFIND, sync-collection with no
# token, multigets of DAVSYNC_BATCH hrefs, default 10), sc-resync the
# same with nothing changed (PROPFIND, sync-collection with the last
# token: no multiget). Seconds from its first request to its last file
# written (the process start, tens of ms on a busy machine, left out).
# Everything lives in /dev/shm when there is one: vdirsyncer fsyncs every
# file it writes, and on a shared disk that, not the server, made the
# figures (10,000 cards: 1.6 s in kith, 104 s waiting for the disk).
# BENCH_RADICALE_MAX (default 10000) skips Radicale above that size.
set -euo pipefail
cd "$(dirname "$0")/.."
KITH=${KITH:-$PWD/build/kith}
B=${B:-build}
make --no-print-directory -s "$B/bench/davsync" >/dev/null
DAVSYNC=$PWD/$B/bench/davsync
sizes=${BENCH_CARDS:-1000 5000 10000}
radicale_max=${BENCH_RADICALE_MAX:-10000}
radicale_upload=${BENCH_RADICALE_UPLOAD:-1000}
for p in vdirsyncer radicale python3; do
	command -v $p >/dev/null || { echo "bench/carddav.sh: $p is not installed (make deps)"; exit 1; }
done
if [ -d /dev/shm ] && [ -w /dev/shm ]; then
	T=$(mktemp -d -p /dev/shm)
else
	T=$(mktemp -d)
fi
KPID= RPID=
cleanup() {
	[ -n "$KPID" ] && kill "$KPID" 2>/dev/null && wait "$KPID" 2>/dev/null
	[ -n "$RPID" ] && kill "$RPID" 2>/dev/null && wait "$RPID" 2>/dev/null
	rm -rf "$T"
}
trap cleanup EXIT
free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1]); s.close()'; }
now() { date +%s.%N; }
secs() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.2f", b - a }'; }

# gen DIR N: N cards like a phone's: labels, groups, an address, a note.
gen() {
	python3 - "$1" "$2" <<'EOF'
import os, sys
d, n = sys.argv[1], int(sys.argv[2])
os.makedirs(d, exist_ok=True)
for i in range(n):
    with open(os.path.join(d, "card-%06d.vcf" % i), "w", newline="") as f:
        f.write("\r\n".join([
            "BEGIN:VCARD", "VERSION:3.0", "PRODID:-//bench//EN",
            "UID:bench-%06d@example.org" % i,
            "FN:Person %d Example" % i, "N:Example;Person %d;;;" % i,
            "ORG:Company %d" % (i % 97), "TITLE:Director",
            "item1.EMAIL;TYPE=INTERNET:person%d@example.org" % i,
            "item1.X-ABLabel:Work",
            "TEL;TYPE=CELL:+1 415 555 %04d" % (i % 10000),
            "item2.ADR;TYPE=WORK:;;%d Main St;Springfield;IL;62701;USA" % i,
            "item2.X-ABLabel:Office",
            "NOTE:met at the fair in %d" % (2000 + i % 25),
            "X-CUSTOM:bench", "END:VCARD", ""]))
EOF
}

# conf NAME URL USER PASS LOCAL: a vdirsyncer config in $T/NAME.
conf() {
	mkdir -p "$T/$1"
	cat >"$T/$1/config" <<EOF
[general]
status_path = "$T/$1/status/"
[pair p]
a = "local"
b = "remote"
collections = null
conflict_resolution = "b wins"
[storage local]
type = "filesystem"
path = "$5/"
fileext = ".vcf"
[storage remote]
type = "carddav"
url = "$2"
username = "$3"
password = "$4"
EOF
}
vsync() { # NAME: one timed sync; prints seconds
	local a b
	a=$(now)
	VDIRSYNCER_CONFIG=$T/$1/config vdirsyncer sync >"$T/$1.log" 2>&1 ||
		{ echo "bench/carddav.sh: vdirsyncer sync ($1) failed:" >&2; tail -5 "$T/$1.log" >&2; exit 1; }
	b=$(now)
	secs "$a" "$b"
}
dsync() { # URL USER PASS DIR N: one davsync; prints its seconds
	local got
	mkdir -p "$4"
	"$DAVSYNC" "$1" "$2" "$3" "$4" >"$T/davsync.log" 2>&1 ||
		{ echo "bench/carddav.sh: davsync failed:" >&2; cat "$T/davsync.log" >&2; exit 1; }
	got=$(find "$4" -name '*.vcf' | wc -l)
	[ "$got" = "$5" ] || { echo "bench/carddav.sh: davsync got $got of $5 cards" >&2; exit 1; }
	sed -n 's/.* seconds \([0-9.]*\)$/\1/p' "$T/davsync.log"
}
vdiscover() { VDIRSYNCER_CONFIG=$T/$1/config vdirsyncer discover </dev/null >/dev/null 2>&1 || true; }

printf '== CardDAV with vdirsyncer %s: kith %s, Radicale %s, %s cores\n' \
	"$(vdirsyncer --version | awk '{print $NF}')" \
	"$(git rev-parse --short HEAD 2>/dev/null || echo dirty)" \
	"$(radicale --version)" "$(nproc)"
printf '%-7s %-9s %8s %8s %8s | %7s %7s %8s | %8s %9s\n' cards server upload first resync list getall nochange sc-first sc-resync
for n in $sizes; do
	gen "$T/src-$n" "$n"
	# ---- kith ----
	export KITH_DB=$T/kith-$n.db
	printf '%s\n' 'correct horse battery' |
		"$KITH" --workspace Bench user add bench@example.org --role owner --password-stdin >/dev/null
	"$KITH" serve --listen 127.0.0.1:0 --quiet 2>"$T/kith.log" &
	KPID=$!
	base=
	for _ in $(seq 1 100); do
		base=$(sed -n 's|^kith: serving on \(http://[0-9.:]*\)/.*|\1|p' "$T/kith.log")
		[ -n "$base" ] && break
		sleep 0.05
	done
	book=$("$KITH" --workspace Bench --json carddav --user bench@example.org --base-url "$base" | python3 -c 'import json,sys; print(json.load(sys.stdin)["addressbook"])')
	cp -r "$T/src-$n" "$T/kup-$n"
	conf "kup-$n" "$book" bench@example.org 'correct horse battery' "$T/kup-$n"
	vdiscover "kup-$n"
	up=$(vsync "kup-$n")
	mkdir -p "$T/kdown-$n"
	conf "kdown-$n" "$book" bench@example.org 'correct horse battery' "$T/kdown-$n"
	vdiscover "kdown-$n"
	first=$(vsync "kdown-$n")
	re=$(vsync "kdown-$n")
	got=$(find "$T/kdown-$n" -name '*.vcf' | wc -l)
	[ "$got" = "$n" ] || { echo "bench/carddav.sh: kith gave $got of $n cards" >&2; exit 1; }
	read -r sl sg sc < <(python3 bench/dav_times.py "$book" bench@example.org 'correct horse battery')
	dfirst=$(dsync "$book" bench@example.org 'correct horse battery' "$T/kdav-$n" "$n")
	dre=$(dsync "$book" bench@example.org 'correct horse battery' "$T/kdav-$n" "$n")
	printf '%-7s %-9s %8s %8s %8s | %7s %7s %8s | %8s %9s\n' "$n" kith "$up" "$first" "$re" "$sl" "$sg" "$sc" "$dfirst" "$dre"
	kill "$KPID"; wait "$KPID" 2>/dev/null || true; KPID=
	[ "$n" -le "$radicale_max" ] || continue
	# ---- Radicale ----
	store=$T/radicale-$n
	mkdir -p "$store/collection-root/bench/contacts"
	printf '{"tag": "VADDRESSBOOK", "D:displayname": "bench"}' \
		>"$store/collection-root/bench/contacts/.Radicale.props"
	[ "$n" -le "$radicale_upload" ] ||
		cp "$T/src-$n"/*.vcf "$store/collection-root/bench/contacts/"
	port=$(free_port)
	radicale --server-hosts "127.0.0.1:$port" --storage-filesystem-folder "$store" \
		--auth-type none --logging-level warning >"$T/radicale.log" 2>&1 &
	RPID=$!
	for _ in $(seq 1 100); do
		curl -s -o /dev/null "http://127.0.0.1:$port/" && break
		sleep 0.1
	done
	rup=-
	if [ "$n" -le "$radicale_upload" ]; then
		cp -r "$T/src-$n" "$T/rup-$n"
		conf "rup-$n" "http://127.0.0.1:$port/bench/contacts/" bench x "$T/rup-$n"
		vdiscover "rup-$n"
		rup=$(vsync "rup-$n")
	fi
	mkdir -p "$T/rdown-$n"
	conf "rdown-$n" "http://127.0.0.1:$port/bench/contacts/" bench x "$T/rdown-$n"
	vdiscover "rdown-$n"
	rfirst=$(vsync "rdown-$n")
	rre=$(vsync "rdown-$n")
	got=$(find "$T/rdown-$n" -name '*.vcf' | wc -l)
	[ "$got" = "$n" ] || { echo "bench/carddav.sh: Radicale gave $got of $n cards" >&2; exit 1; }
	read -r rl rg rc < <(python3 bench/dav_times.py "http://127.0.0.1:$port/bench/contacts/" bench x)
	rdfirst=$(dsync "http://127.0.0.1:$port/bench/contacts/" bench x "$T/rdav-$n" "$n")
	rdre=$(dsync "http://127.0.0.1:$port/bench/contacts/" bench x "$T/rdav-$n" "$n")
	printf '%-7s %-9s %8s %8s %8s | %7s %7s %8s | %8s %9s   (kith: first %sx, upload %sx, getall %sx, sc-first %sx, sc-resync %sx)\n' \
		"$n" radicale "$rup" "$rfirst" "$rre" "$rl" "$rg" "$rc" "$rdfirst" "$rdre" \
		"$(awk -v a="$rfirst" -v b="$first" 'BEGIN { printf "%.1f", a / b }')" \
		"$(awk -v a="$rup" -v b="$up" 'BEGIN { if (a == "-") print "-"; else printf "%.1f", a / b }')" \
		"$(awk -v a="$rg" -v b="$sg" 'BEGIN { printf "%.1f", a / b }')" \
		"$(awk -v a="$rdfirst" -v b="$dfirst" 'BEGIN { printf "%.1f", a / b }')" \
		"$(awk -v a="$rdre" -v b="$dre" 'BEGIN { printf "%.1f", a / b }')"
	kill "$RPID"; wait "$RPID" 2>/dev/null || true; RPID=
done
