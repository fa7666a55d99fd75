# kith: `make run` and `make test` are all a newcomer needs.
# Everything builds out of tree into build/ (build/asan/ for the sanitizers).

CC      ?= cc
PKGS    := sqlite3 libpq jansson libsodium libmicrohttpd libcurl libical gmime-3.0 libxml-2.0
CFLAGS  ?= -O2 -g
WARN    := -std=c11 -D_GNU_SOURCE -Wall -Wextra -Werror -Wshadow \
           -Wstrict-prototypes -Wmissing-prototypes -Wno-missing-field-initializers
DEPCFLAGS = $(shell pkg-config --cflags $(PKGS) 2>/dev/null)
DEPLIBS   = $(shell pkg-config --libs $(PKGS) 2>/dev/null) -lm -lpthread

B       ?= build
SRC     := $(sort $(wildcard src/*.c src/*/*.c))
LIBSRC  := $(filter-out src/main.c,$(SRC))
OBJ     := $(LIBSRC:%.c=$(B)/obj/%.o) $(B)/obj/gen/assets.o
# The web app, embedded in the binary (tools/embed.c).
WEB_FILES := $(sort $(shell find web -type f ! -name '*.md' 2>/dev/null))
MAINOBJ := $(B)/obj/src/main.o

UNIT_SRC := $(sort $(wildcard tests/unit/test_*.c))
UNIT_BIN := $(UNIT_SRC:tests/unit/%.c=$(B)/tests/%)

# Debian packages the build, the tests and the benchmarks need.
APT_PKGS := build-essential pkg-config libsqlite3-dev libjansson-dev libsodium-dev \
            libmicrohttpd-dev libcurl4-openssl-dev libical-dev curl wrk nginx-light \
            libcmocka-dev clang libclang-rt-14-dev sqlite3 jq python3 \
            libgmime-3.0-dev dovecot-imapd openssl \
            libxml2-dev libxml2-utils vdirsyncer khard litmus radicale \
            man-db groff-base systemd zsh fish postgresql libpq-dev

.PHONY: all run test bench deps clean unit cli asan fuzz lint install uninstall
all: $(B)/kith

deps:
	@./scripts/install-deps $(APT_PKGS)
	@command -v npm >/dev/null || ./scripts/install-deps nodejs npm
	@./scripts/install-deps chromium fonts-noto-color-emoji fonts-nanum
	@for d in tests/web tests/openapi; do \
		if [ ! -d $$d/node_modules ] || \
		    [ $$d/package-lock.json -nt $$d/node_modules ]; then \
			echo "  NPM     $$d"; \
			(cd $$d && npm ci --no-audit --no-fund --loglevel=error && \
				touch node_modules) || exit 1; \
		fi; \
	done

$(B)/obj/%.o: %.c
	@mkdir -p $(dir $@)
	@echo "  CC      $<"
	@$(CC) $(WARN) $(CFLAGS) $(DEPCFLAGS) -Isrc -MMD -MP -c $< -o $@

$(B)/embed: tools/embed.c
	@mkdir -p $(dir $@)
	@$(CC) -O1 -o $@ $<

$(B)/gen/assets.c: $(WEB_FILES) $(B)/embed
	@mkdir -p $(dir $@)
	@echo "  EMBED   web/ ($(words $(WEB_FILES)) files)"
	@$(B)/embed $@ web/ $(WEB_FILES)

$(B)/obj/gen/assets.o: $(B)/gen/assets.c
	@mkdir -p $(dir $@)
	@$(CC) $(CFLAGS) -Isrc -c $< -o $@

$(B)/libkith.a: $(OBJ)
	@rm -f $@
	@ar rcs $@ $^

$(B)/kith: $(MAINOBJ) $(B)/libkith.a
	@echo "  LINK    $@"
	@$(CC) $(CFLAGS) -o $@ $^ $(DEPLIBS)

$(B)/tests/%: tests/unit/%.c $(B)/libkith.a tests/unit/unit.h
	@mkdir -p $(dir $@)
	@echo "  TEST    $@"
	@$(CC) $(WARN) $(CFLAGS) $(DEPCFLAGS) -Isrc -o $@ $< $(B)/libkith.a \
		$(DEPLIBS) $(shell pkg-config --libs cmocka 2>/dev/null)

# The migrations of both engines and kith_due, for the schema test
# (tests/cli/T510-pg-schema.sh).
$(B)/tools/dump_migrations: tests/tools/dump_migrations.c $(B)/libkith.a
	@mkdir -p $(dir $@)
	@echo "  TOOL    $@"
	@$(CC) $(WARN) $(CFLAGS) $(DEPCFLAGS) -Isrc -o $@ $< $(B)/libkith.a \
		$(DEPLIBS)

unit: $(UNIT_BIN) $(B)/tools/dump_migrations
cli: $(B)/kith

# The whole suite: plain build, then again under ASan+UBSan.
# The completions too: T420's `make install` runs in two passes at once
# and must find nothing left to build.
test: deps
	@$(MAKE) --no-print-directory all unit $(B)/completions/kith.bash
	@$(MAKE) --no-print-directory B=build/asan CC=clang \
		CFLAGS="-O1 -g -fsanitize=address,undefined -fno-omit-frame-pointer -fno-sanitize-recover=all" \
		all unit build/asan/completions/kith.bash
	@$(MAKE) --no-print-directory fuzz-build
	@./tests/run-all build build/asan

run: deps all
	@./scripts/run

bench: deps all
	@$(MAKE) --no-print-directory $(B)/bench/bench_due $(B)/bench/bench_vcard
	@./bench/run
	@./bench/api.sh
	@./bench/mail.sh
	@./bench/carddav.sh
	@KITH=$(B)/kith ./bench/pg.sh
	@KITH=$(B)/kith ./bench/load
	@# On a copy: the loop starts kith afresh at every kill, and a
	@# rebuild meanwhile must not be what it starts. The whole log stays.
	@cp $(B)/kith $(B)/bench/kith-crash
	@KITH=$(B)/bench/kith-crash bash tests/crash/run.sh 1000 >$(B)/bench/crash.log 2>&1; \
		grep '^# kill' $(B)/bench/crash.log; tail -8 $(B)/bench/crash.log; \
		echo "(the whole log: $(B)/bench/crash.log)"

$(B)/bench/%: bench/%.c $(B)/libkith.a
	@mkdir -p $(dir $@)
	$(CC) $(WARN) $(CFLAGS) $(DEPCFLAGS) -Isrc -o $@ $< $(B)/libkith.a $(DEPLIBS)

# libFuzzer targets; `make test` replays their seed corpora. The library
# is built once with coverage hooks; each target only links against it.
FUZZ_SRC := $(sort $(wildcard fuzz/fuzz_*.c))
FUZZ_BIN := $(FUZZ_SRC:fuzz/%.c=build/fuzz/%)
FUZZ_FLAGS := -g -O1 -fsanitize=fuzzer-no-link,address,undefined
fuzz-build:
	@$(MAKE) --no-print-directory B=build/fuzzlib CC=clang \
		CFLAGS="$(FUZZ_FLAGS)" build/fuzzlib/libkith.a
	@$(MAKE) --no-print-directory $(FUZZ_BIN)
build/fuzz/%: fuzz/%.c $(wildcard fuzz/*.h) build/fuzzlib/libkith.a
	@mkdir -p $(dir $@)
	@echo "  FUZZ    $@"
	@clang $(WARN) -g -O1 -fsanitize=fuzzer,address,undefined $(DEPCFLAGS) -Isrc \
		-o $@ $< build/fuzzlib/libkith.a $(DEPLIBS)

# ---- install: `sudo make install`, PREFIX and DESTDIR honoured ----
PREFIX  ?= /usr/local
BINDIR  ?= $(PREFIX)/bin
MANDIR  ?= $(PREFIX)/share/man
BASHCOMPDIR ?= $(PREFIX)/share/bash-completion/completions
ZSHCOMPDIR  ?= $(PREFIX)/share/zsh/site-functions
FISHCOMPDIR ?= $(PREFIX)/share/fish/vendor_completions.d
# systemd reads units from /usr/local/lib/systemd/system as well.
UNITDIR     ?= $(PREFIX)/lib/systemd/system
SYSUSERSDIR ?= $(PREFIX)/lib/sysusers.d
MANPAGES := docs/man/kith.1 docs/man/kith-serve.1
INSTALLED := $(BINDIR)/kith $(MANDIR)/man1/kith.1 $(MANDIR)/man1/kith-serve.1 \
	$(BASHCOMPDIR)/kith $(ZSHCOMPDIR)/_kith $(FISHCOMPDIR)/kith.fish \
	$(UNITDIR)/kith.service $(UNITDIR)/kith-backup.service \
	$(UNITDIR)/kith-backup.timer $(SYSUSERSDIR)/kith.conf

# Completions come from the binary's own command table.
$(B)/completions/kith.bash: $(B)/kith tools/completions.sh
	@echo "  GEN     $(B)/completions"
	@sh tools/completions.sh $(B)/kith $(B)/completions

install: $(B)/kith $(B)/completions/kith.bash
	install -d $(DESTDIR)$(BINDIR) $(DESTDIR)$(MANDIR)/man1 \
		$(DESTDIR)$(BASHCOMPDIR) $(DESTDIR)$(ZSHCOMPDIR) \
		$(DESTDIR)$(FISHCOMPDIR) $(DESTDIR)$(UNITDIR) \
		$(DESTDIR)$(SYSUSERSDIR)
	install -m 755 $(B)/kith $(DESTDIR)$(BINDIR)/kith
	install -m 644 $(MANPAGES) $(DESTDIR)$(MANDIR)/man1/
	install -m 644 $(B)/completions/kith.bash $(DESTDIR)$(BASHCOMPDIR)/kith
	install -m 644 $(B)/completions/_kith $(DESTDIR)$(ZSHCOMPDIR)/_kith
	install -m 644 $(B)/completions/kith.fish $(DESTDIR)$(FISHCOMPDIR)/kith.fish
	for u in kith.service kith-backup.service; do \
		sed 's|@BINDIR@|$(BINDIR)|g' contrib/$$u.in >$(DESTDIR)$(UNITDIR)/$$u && \
		chmod 644 $(DESTDIR)$(UNITDIR)/$$u || exit 1; \
	done
	install -m 644 contrib/kith-backup.timer $(DESTDIR)$(UNITDIR)/
	install -m 644 contrib/kith.sysusers $(DESTDIR)$(SYSUSERSDIR)/kith.conf

uninstall:
	rm -f $(addprefix $(DESTDIR),$(INSTALLED))

# make fuzz: every target for FUZZ_SECONDS each (default 60); new inputs
# that add coverage are merged into fuzz/corpus/. docs/FUZZING.md.
FUZZ_SECONDS ?= 60
fuzz: fuzz-build
	@FUZZ_SECONDS=$(FUZZ_SECONDS) ./scripts/fuzz

lint:
	clang-format --dry-run --Werror $(SRC) $(wildcard src/*/*.h src/*.h)
	cppcheck --quiet --error-exitcode=1 --enable=warning,portability \
		--suppress=missingIncludeSystem -Isrc src

clean:
	rm -rf build

-include $(OBJ:.o=.d) $(MAINOBJ:.o=.d)
