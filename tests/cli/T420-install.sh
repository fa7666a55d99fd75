#!/usr/bin/env bash
# T420: make install / uninstall (Makefile), the man pages (docs/man),
# the completions (tools/completions.sh) and the systemd units
# (contrib/). Every command of src/main.c's table must be in kith.1 and
# in each completion; every option a command's --help names, in its man
# page.
. "$(dirname "$0")/lib.sh"
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
B=$(dirname "$KITH")
B=${B#"$ROOT"/}
D=$T_DIR/dest

make -s -C "$ROOT" install B="$B" DESTDIR="$D" PREFIX=/usr >"$T_DIR/make.log" 2>&1
ok "make install DESTDIR PREFIX=/usr exits 0" test $? = 0 || sed 's/^/#   /' "$T_DIR/make.log"
files="usr/bin/kith usr/share/man/man1/kith.1 usr/share/man/man1/kith-serve.1
usr/share/bash-completion/completions/kith usr/share/zsh/site-functions/_kith
usr/share/fish/vendor_completions.d/kith.fish usr/lib/systemd/system/kith.service
usr/lib/systemd/system/kith-backup.service usr/lib/systemd/system/kith-backup.timer
usr/lib/sysusers.d/kith.conf"
for f in $files; do
	ok "installed: /$f" test -s "$D/$f"
done
ok "nothing else installed" test "$(cd "$D" && find . -type f | sort | sed 's|^\./||')" = "$(echo "$files" | tr ' ' '\n' | sort)"
ok "the binary is executable" test -x "$D/usr/bin/kith" -a "$(stat -c %a "$D/usr/bin/kith")" = 755
check "the installed binary runs" 0 "kith 0.1.0" "$D/usr/bin/kith" --version
check_rc "the installed binary opens a database" 0 "$D/usr/bin/kith" --db "$T_DIR/i.db" init
ok "the unit runs the installed path" grep -qx 'ExecStart=/usr/bin/kith --db /var/lib/kith/kith.db serve --listen 127.0.0.1:8080 --trust-proxy 127.0.0.1/32' "$D/usr/lib/systemd/system/kith.service"
ok "no @BINDIR@ left" bash -c "! grep -r @BINDIR@ '$D'"
for k in NoNewPrivileges=yes ProtectSystem=strict PrivateTmp=yes ReadWritePaths=/var/lib/kith User=kith; do
	ok "the unit sets $k" grep -qx "$k" "$D/usr/lib/systemd/system/kith.service"
done

# ---- the man pages render without warnings ----
for m in kith kith-serve; do
	MANWIDTH=80 man --warnings -l "$D/usr/share/man/man1/$m.1" >"$T_DIR/$m.txt" 2>"$T_DIR/$m.err"
	ok "man $m renders" test $? = 0 -a -s "$T_DIR/$m.txt"
	ok "man $m: no warnings" test ! -s "$T_DIR/$m.err" || sed 's/^/#   /' "$T_DIR/$m.err"
done

# ---- every command, everywhere ----
cmds=$(sed -n 's/^\t{ "\([a-z][a-z-]*\)", cmd_.*/\1/p' "$ROOT/src/main.c")
ok "read the command table ($(echo $cmds | wc -w) commands)" test "$(echo $cmds | wc -w)" -ge 30
missing=
for c in $cmds; do
	grep -Eq "^\.(B|BI|BR) \"?$c( |\"|$)" "$D/usr/share/man/man1/kith.1" || missing="$missing kith.1:$c"
	grep -Eq "(^|[ \"'])$c([ )\"]|$)" "$D/usr/share/bash-completion/completions/kith" || missing="$missing bash:$c"
	grep -q "^		'$c:" "$D/usr/share/zsh/site-functions/_kith" || missing="$missing zsh:$c"
	grep -q "__fish_use_subcommand -a $c " "$D/usr/share/fish/vendor_completions.d/kith.fish" || missing="$missing fish:$c"
done
ok "every command is in kith.1 and each completion${missing:+ (missing:$missing)}" test -z "$missing"

# Every option a command's usage names is in its man page.
missing=
for c in $cmds; do
	page=kith.1
	[ "$c" = serve ] && page=kith-serve.1
	for o in $("$KITH" "$c" --help | sed -n '/^$/q;p' | grep -o -- '--[a-z][a-z-]*' | sort -u); do
		grep -q -- "${o//-/\\\\-}" "$D/usr/share/man/man1/$page" || missing="$missing $c:$o"
	done
done
ok "every option is in the man pages${missing:+ (missing:$missing)}" test -z "$missing"

# ---- the completions work ----
got=$(bash -c '. "$1"; COMP_WORDS=(kith ba); COMP_CWORD=1; _kith; echo "${COMPREPLY[@]}"' - "$D/usr/share/bash-completion/completions/kith")
ok "bash completes a command (ba -> $got)" test "$got" = backup
got=$(bash -c '. "$1"; COMP_WORDS=(kith --json restore --f); COMP_CWORD=3; _kith; echo "${COMPREPLY[@]}"' - "$D/usr/share/bash-completion/completions/kith")
ok "bash completes an option after a global (--f -> $got)" test "$got" = --force
if command -v zsh >/dev/null; then
	ok "zsh parses _kith" zsh -n "$D/usr/share/zsh/site-functions/_kith"
else
	echo "ok $((t_n += 1)) # skip no zsh"
fi
if command -v fish >/dev/null; then
	ok "fish parses kith.fish" fish -n "$D/usr/share/fish/vendor_completions.d/kith.fish"
	got=$(HOME=$T_DIR fish -c "source '$D/usr/share/fish/vendor_completions.d/kith.fish'; complete -C'kith doc'" 2>/dev/null | cut -f1)
	ok "fish completes a command (doc -> $got)" test "$got" = doctor
else
	echo "ok $((t_n += 1)) # skip no fish"
	echo "ok $((t_n += 1)) # skip no fish"
fi

# ---- the units verify ----
if command -v systemd-analyze >/dev/null; then
	mkdir -p "$T_DIR/units"
	for u in kith.service kith-backup.service kith-backup.timer; do
		sed "s|/usr/bin/kith|$D/usr/bin/kith|g" "$D/usr/lib/systemd/system/$u" >"$T_DIR/units/$u"
	done
	check "systemd-analyze verify passes" 0 "" \
		systemd-analyze verify --man=no "$T_DIR/units/kith.service" \
		"$T_DIR/units/kith-backup.service" "$T_DIR/units/kith-backup.timer"
else
	echo "ok $((t_n += 1)) # skip no systemd-analyze"
fi

# ---- uninstall ----
make -s -C "$ROOT" uninstall B="$B" DESTDIR="$D" PREFIX=/usr >"$T_DIR/make.log" 2>&1
ok "make uninstall exits 0" test $? = 0
ok "make uninstall removes every file" test -z "$(find "$D" -type f)"
finish
