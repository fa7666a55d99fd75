#!/usr/bin/env bash
# T160: names in every script line up in `kith list` and `kith due`:
# columns are counted in what a terminal shows (wcwidth: a combining
# mark takes none, Hangul and Han two), so the column after the name
# starts at the same place on every line, measured with Python's
# unicodedata. On a TTY a right-to-left name is wrapped in U+2068 FSI
# ... U+2069 PDI (zero columns); through a pipe the bytes are the
# stored name's. Exercises src/render/term.c.
. "$(dirname "$0")/lib.sh"

ZOE=$(printf 'Zoe\xcc\x88 Adams') # "Zoë" with a combining diaeresis
kith add "דנה כהן" --tier A --org Harbor --every 30 >/dev/null
kith add "عمر حداد" --org Cedar --every 30 >/dev/null
kith add "$ZOE" --tier B --org "Zoë Café" --every 30 >/dev/null
kith add "김민지 Kim" --tier C --org 한빛 --every 30 --tz Asia/Seoul >/dev/null
kith add "Plain Name" --tier A --every 30 >/dev/null
for who in 1 2 3 4 5; do
	kith log "$who" --via call --at 2026-01-05 >/dev/null
done

# The display column where the text after the name starts, per line:
# all lines must agree. widths.py COL_START SKIP_RE < text
cat >"$T_DIR/widths.py" <<'EOF'
import sys, unicodedata
def width(s):
    w = 0
    for ch in s:
        if unicodedata.combining(ch) or unicodedata.category(ch) in ("Mn", "Me", "Cf"):
            continue
        w += 2 if unicodedata.east_asian_width(ch) in ("W", "F") else 1
    return w
# widths.py WORDS: where the first of WORDS ("a|b") starts, per line.
# widths.py --after NAMES: where the first text after the name starts
# (lines with nothing after the name are left out).
after = sys.argv[1] == "--after"
want = sys.argv[-1]
cols = set()
for line in sys.stdin.read().splitlines():
    for word in want.split("|"):
        i = line.find(word)
        if i < 0:
            continue
        if after:
            j = i + len(word)
            rest = line[j:]
            if not rest.strip():
                break
            i = j + len(rest) - len(rest.lstrip(" \u2069"))
        cols.add(width(line[:i]))
        break
print(len(cols), sorted(cols))
sys.exit(0)
EOF
kith list >"$T_DIR/list"
NAMES="דנה כהן|عمر حداد|$ZOE|김민지 Kim|Plain Name"
check "list: after each name the tier at 33 (the organization at 37 when none)" 0 "2 [33, 37]" \
	python3 "$T_DIR/widths.py" --after "$NAMES" <"$T_DIR/list"
check "list: the last column too" 0 "1 [64]" \
	python3 "$T_DIR/widths.py" "months ago" <"$T_DIR/list"
check "list: so does the organization column" 0 "1 [37]" \
	python3 "$T_DIR/widths.py" "Harbor|Cedar|Zoë Café|한빛|    never" <"$T_DIR/list"
ok "list through a pipe keeps the names' bytes (no isolates)" \
	bash -c '! grep -q $'"'"'\xe2\x81\xa8'"'"' "$1" && grep -qF "$2" "$1"' _ "$T_DIR/list" "$ZOE"
check "the whole list" 0 "    1  דנה כהן                   A   Harbor                  10 months ago
    2  عمر حداد                      Cedar                   10 months ago
    3  $ZOE                 B   Zoë Café                10 months ago
    4  김민지 Kim                C   한빛                    10 months ago
    5  Plain Name                A                           10 months ago" cat "$T_DIR/list"

kith due >"$T_DIR/due"
check "due: the column after the names starts at one place" 0 "1 [34]" \
	python3 "$T_DIR/widths.py" --after "$NAMES" <"$T_DIR/due"

# On a terminal: the right-to-left names isolated, the others not.
if script -qec true /dev/null >/dev/null 2>&1; then
	script -qec "'$KITH' list" /dev/null >"$T_DIR/tty" 2>&1
	ok "on a TTY the Hebrew and Arabic names are wrapped in FSI ... PDI" \
		bash -c 'grep -qF $'"'"'\xe2\x81\xa8דנה כהן\xe2\x81\xa9'"'"' "$1" && grep -qF $'"'"'\xe2\x81\xa8عمر حداد\xe2\x81\xa9'"'"' "$1"' _ "$T_DIR/tty"
	ok "and only those" test "$(grep -c $'\xe2\x81\xa8' "$T_DIR/tty")" = 2
	check "on a TTY the columns still line up (33, or 37)" 0 "2 [33, 37]" \
		python3 "$T_DIR/widths.py" --after "$NAMES" <<<"$(sed 's/\x1b\[[0-9;]*m//g; s/\r$//' "$T_DIR/tty")"
else
	t_n=$((t_n + 1)); echo "ok $t_n - # SKIP no script(1) for a TTY"
fi
finish
