# php-fpm-guard -- see README.md.  `make` builds build/php-fpm-guard,
# `make check` runs every test (check-core, then e2e on the .deb), `make
# check-fast` (= check-core) the unit tests and the suites that need no
# sandbox and no real apt, `make asan-check` check-core under ASan+UBSan,
# `make deb` the package in dist/

CC       ?= cc
CXX      ?= c++
PKGS     := inih json-c libacl
CFLAGS   ?= -O2 -g
# C-only flags (trixie's dpkg-buildflags has -Werror=implicit-function-
# declaration) stay out of the shim: it takes CXXFLAGS, CFLAGS by default.
CXXFLAGS ?= $(CFLAGS)
BUILD    ?= build
# Where the binary finds the libapt-pkg shim (fixed at build time, never
# taken from the environment): the build dir here, /usr/lib/... in the .deb.
SHIMDIR  ?= $(abspath $(BUILD))
# Project flags stay even when CFLAGS is given on the command line.
PFG_CFLAGS := -std=c11 -D_GNU_SOURCE -Wall -Wextra -Werror -Wshadow \
            -Wstrict-prototypes -Wmissing-prototypes -Wformat=2 \
            -fstack-protector-strong -D_FORTIFY_SOURCE=2 \
            -DPFG_SHIM_PATH='"$(SHIMDIR)/aptshim.so"' \
            $(shell pkg-config --cflags $(PKGS))
# -ldl: dlopen() is in libdl before glibc 2.34 (bullseye has 2.31).
LDLIBS   += $(shell pkg-config --libs $(PKGS)) -ldl
ALL_CFLAGS = $(PFG_CFLAGS) $(CFLAGS)
PFG_CXXFLAGS := -std=c++17 -Wall -Wextra -Werror -fPIC -fstack-protector-strong \
            -D_FORTIFY_SOURCE=2

SRCS := $(wildcard src/*/*.c)
LIB_SRCS := $(filter-out src/cli/main.c,$(SRCS))
OBJS := $(SRCS:src/%.c=$(BUILD)/obj/%.o)
LIB_OBJS := $(LIB_SRCS:src/%.c=$(BUILD)/obj/%.o)

TEST_SRCS := $(wildcard tests/unit/*.c)
TEST_BINS := $(TEST_SRCS:tests/unit/%.c=$(BUILD)/tests/%)

.PHONY: all check check-core check-fast unit cli conformance guard php5 hooks predict trigger e2e headers asan-check bench bench-shim clean

all: $(BUILD)/php-fpm-guard $(BUILD)/aptshim.so

# The only C++: libapt-pkg behind an extern "C" interface, dlopen()ed.
$(BUILD)/aptshim.so: src/apt/aptshim.cc src/apt/aptshim.h
	@mkdir -p $(dir $@)
	$(CXX) $(PFG_CXXFLAGS) $(CXXFLAGS) $(LDFLAGS) -shared -o $@ $< -lapt-pkg

# Every C header must also compile as C++ (the shim includes one).
headers:
	@set -e; for h in $(wildcard src/*/*.h); do \
	    printf '#include "%s"\n' "$$h" | $(CXX) -std=c++17 -Wall -Wextra -Werror \
	        -D_GNU_SOURCE $(shell pkg-config --cflags $(PKGS)) -I. -fsyntax-only -x c++ - \
	        || { echo "$$h does not compile as C++"; exit 1; }; done; \
	    echo "headers: every C header compiles as C++"
	tests/lint/pure-headers.sh

$(BUILD)/php-fpm-guard: $(OBJS)
	$(CC) $(ALL_CFLAGS) $(LDFLAGS) -o $@ $^ $(LDLIBS)

$(BUILD)/obj/%.o: src/%.c $(wildcard src/*/*.h)
	@mkdir -p $(dir $@)
	$(CC) $(ALL_CFLAGS) -c -o $@ $<

$(BUILD)/tests/%: tests/unit/%.c $(LIB_OBJS) $(wildcard tests/unit/*.h)
	@mkdir -p $(dir $@)
	$(CC) $(ALL_CFLAGS) $(LDFLAGS) $(shell pkg-config --cflags check) -Isrc -o $@ $< \
	    $(LIB_OBJS) $(LDLIBS) $(shell pkg-config --libs check)

unit: $(TEST_BINS) $(BUILD)/aptshim.so
	@tests/unit/run.sh $(TEST_BINS)

conformance: $(BUILD)/php-fpm-guard
	tests/conformance/run.sh $(BUILD)/php-fpm-guard

# The version gates of src/effective on the host's php-fpm8.2 (--root).
.PHONY: gates
gates: $(BUILD)/php-fpm-guard
	tests/conformance/gates.sh $(BUILD)/php-fpm-guard /usr/sbin/php-fpm8.2

# The same cases and gates on bullseye's PHP 7.4 and trixie's 8.4, each
# in its release's chroot with the guard built there (cached chroots,
# made on first use: tests/conformance/versions.sh).
CONFORMANCE_SUITES ?= bullseye trixie
.PHONY: conformance-versions
conformance-versions:
	tests/conformance/versions.sh $(CONFORMANCE_SUITES)

cli: $(BUILD)/php-fpm-guard
	tests/cli/run.sh $(BUILD)/php-fpm-guard

guard: $(BUILD)/php-fpm-guard $(BUILD)/aptshim.so
	tests/guard/run.sh $(BUILD)/php-fpm-guard

php5: $(BUILD)/php-fpm-guard $(BUILD)/aptshim.so
	tests/php5/run.sh $(BUILD)/php-fpm-guard

hooks:
	tests/hooks/run.sh

# nginx, Apache and the fleet outputs (issue 6): tests/webservers/run.sh
# says what.
.PHONY: webservers
webservers: $(BUILD)/php-fpm-guard
	tests/webservers/run.sh $(BUILD)/php-fpm-guard

predict: $(BUILD)/php-fpm-guard $(BUILD)/aptshim.so
	tests/predict/run.sh $(BUILD)/php-fpm-guard

# The serving map with real nginx and two php-fpm masters (issue 14):
# tests/serving/run.sh says what.
.PHONY: serving
serving: $(BUILD)/php-fpm-guard
	tests/serving/run.sh $(BUILD)/php-fpm-guard

# check and status --monitoring-plugin (issue 15): tests/plugin/run.sh says what.
.PHONY: plugin
plugin: $(BUILD)/php-fpm-guard
	tests/plugin/run.sh $(BUILD)/php-fpm-guard

# post-dpkg, the dpkg trigger's verb, without dpkg (issue 15).
trigger: $(BUILD)/php-fpm-guard $(BUILD)/aptshim.so
	tests/trigger/run.sh $(BUILD)/php-fpm-guard

# Hostile input, faults, races (issue 5): tests/hostile/run.sh says what.
.PHONY: hostile
hostile: $(BUILD)/php-fpm-guard $(BUILD)/aptshim.so
	tests/hostile/run.sh $(BUILD)/php-fpm-guard

# The .deb in disposable overlay copies of this host: real apt-get, dpkg,
# php8.2-fpm, nginx, unattended-upgrades.  lintian first: zero errors and
# warnings (overrides carry their reasons).
DEB_VERSION = $(shell dpkg-parsechangelog -S Version 2>/dev/null)
DEB_ARCH    = $(shell dpkg-architecture -qDEB_HOST_ARCH 2>/dev/null)
e2e: deb
	lintian --fail-on error,warning dist/php-fpm-guard_$(DEB_VERSION)_$(DEB_ARCH).deb
	tests/e2e/run.sh dist/php-fpm-guard_$(DEB_VERSION)_$(DEB_ARCH).deb

# The suites, run and added up by tests/run-suites.sh: each ends with its
# "N passed, N failed" line and its time, the run with a table and the
# whole run's "N passed, N failed" as its last line.  The fast ones run
# one per CPU at a time (each keeps to its own temp dirs), the longest
# first so that they end together; conformance-versions and e2e after
# them, one at a time.  Logs:
# $(BUILD)/logs/SUITE.log.
FAST_SUITES := hostile conformance gates guard unit webservers serving plugin trigger hooks predict cli php5 shim-gone
RUN_SUITES   = MAKE='$(MAKE)' SUITE_LOGS=$(BUILD)/logs tests/run-suites.sh

check-core: all headers
	@$(RUN_SUITES) $(FAST_SUITES)

# The quick tier: every suite that needs no sandbox and no real apt, but
# hostile (its deadline cases wait out the guard's 60 s child deadline).
QUICK_SUITES := $(filter-out hostile,$(FAST_SUITES))
check-fast: all headers
	@$(RUN_SUITES) $(QUICK_SUITES)

check: all headers
	@$(RUN_SUITES) $(FAST_SUITES) -- conformance-versions e2e

# The whole suite again under AddressSanitizer + UndefinedBehaviorSanitizer
# (LeakSanitizer included), in its own build directory -- all but e2e,
# which tests the release .deb.
asan-check:
	$(MAKE) BUILD=build/asan \
	    CFLAGS="-O1 -g -fsanitize=address,undefined -fno-omit-frame-pointer -fno-sanitize-recover=all" \
	    LDFLAGS="-fsanitize=address,undefined" check-core

# The hook pair from no PHP-FPM to 10000 pools against php-fpm -t and the
# read floor (docs/performance.md); not part of make check.
bench: all
	$(CC) -O2 -Wall -Wextra -Werror -o $(BUILD)/timeit bench/timeit.c
	bench/run.sh $(BUILD)

# What reading package versions costs a hook (docs/performance.md, issue 4).
bench-shim: $(BUILD)/aptshim.so
	$(CC) $(ALL_CFLAGS) -o $(BUILD)/shim-status bench/shim-status.c
	$(BUILD)/shim-status $(BUILD)/aptshim.so /var/lib/dpkg/status 51

clean:
	rm -rf build dist

# ---- installing, and the Debian package ----
#
# `make install DESTDIR=...` installs what `make` built in $(BUILD).  The
# paths are fixed: the hook runs /usr/sbin/php-fpm-guard and the apt.conf.d
# snippet runs /usr/lib/php-fpm-guard/apt-hook.  The binary has the shim
# path compiled in, so build and install with the same SHIMDIR, in a BUILD
# dir of their own; for a system install:
#     make BUILD=build/inst SHIMDIR=/usr/lib/php-fpm-guard install
# Objects do not notice a changed SHIMDIR: install checks that the binary
# really loads the shim it installs.
#
# `make deb`: dpkg-buildpackage; debian/rules builds in build/deb with
# SHIMDIR=/usr/lib/php-fpm-guard, never touching build/.  The files of that
# build (as its .changes lists them) go from ../ to dist/.
.PHONY: install deb deb-clean

install: $(BUILD)/php-fpm-guard $(BUILD)/aptshim.so
	@grep -qaF '$(SHIMDIR)/aptshim.so' $(BUILD)/php-fpm-guard || { \
	    echo "make install: $(BUILD)/php-fpm-guard does not load $(SHIMDIR)/aptshim.so:" \
	         "build with SHIMDIR=$(SHIMDIR) in a fresh BUILD dir" >&2; exit 1; }
	install -d $(DESTDIR)/usr/sbin $(DESTDIR)$(SHIMDIR) $(DESTDIR)/usr/lib/php-fpm-guard \
	    $(DESTDIR)/etc/apt/apt.conf.d $(DESTDIR)/etc/php-fpm-guard/conf.d
	install -m 0755 $(BUILD)/php-fpm-guard $(DESTDIR)/usr/sbin/php-fpm-guard
	install -m 0644 $(BUILD)/aptshim.so $(DESTDIR)$(SHIMDIR)/aptshim.so
	install -m 0755 hooks/apt-hook $(DESTDIR)/usr/lib/php-fpm-guard/apt-hook
	install -m 0755 hooks/apt-pre-install-pkgs $(DESTDIR)/etc/php-fpm-guard/apt-pre-install-pkgs
	install -m 0644 apt.conf.d/04php-fpm-guard $(DESTDIR)/etc/apt/apt.conf.d/04php-fpm-guard
	install -m 0644 debian/guard.conf $(DESTDIR)/etc/php-fpm-guard/guard.conf

# `make deb SUITE=bullseye|bookworm|trixie`: the same build in a clean
# chroot of that release (tests/chroot/build-deb.sh; chroot tarballs cached
# in build/chroots/), into dist/SUITE/.
SUITE ?=
deb:
ifneq ($(SUITE),)
	tests/chroot/build-deb.sh $(SUITE) dist/$(SUITE)
else
	@set -e; \
	changes=php-fpm-guard_$$(dpkg-parsechangelog -S Version)_$$(dpkg-architecture -qDEB_HOST_ARCH).changes; \
	dpkg-buildpackage -b -us -uc; \
	files=$$(sed -n '/^Files:/,/^[^ ]/s/^ .* //p' ../$$changes); \
	mkdir -p dist; \
	for f in $$files $$changes; do mv -f ../$$f dist/; done; \
	echo "make deb: dist/"; for f in $$files $$changes; do echo "  $$f"; done
endif

# The chroot tarballs the release suites use (docs/tests.md, "Other Debian releases"): each
# release's PHP-FPM with nginx, and the package build's.
CHROOT_SUITES := bullseye:php7.4-fpm bookworm:php8.2-fpm trixie:php8.4-fpm
CHROOT_BUILD_DEPS := build-essential debhelper pkg-config libinih-dev \
	libjson-c-dev libacl1-dev libapt-pkg-dev check
.PHONY: chroots
chroots:
	@set -e; for sp in $(CHROOT_SUITES); do \
	    tests/chroot/mkchroot.sh $${sp%%:*} $${sp#*:} nginx; \
	    tests/chroot/mkchroot.sh $${sp%%:*} $(CHROOT_BUILD_DEPS); done

# Each release's package built in its chroot, installed and run there
# beside that release's php-fpm (check, show, a hooked apt run), then the
# bookworm -> trixie upgrade with the guard installed (docs/tests.md, "Other Debian releases").
.PHONY: chroot-check
chroot-check:
	@set -e; for s in bullseye bookworm trixie; do $(MAKE) deb SUITE=$$s; \
	    tests/chroot/try-deb.sh $$s dist/$$s/php-fpm-guard_*_$(DEB_ARCH).deb; done
	tests/chroot/upgrade.sh --full dist

# Issue 16's acceptance: release upgrades (bookworm -> trixie, bullseye ->
# bookworm) with three sites and two pools, a request loop through
# full-upgrade and autoremove, without the guard and with policy fix and
# abort (tests/upgrade/run.sh; narrow with UPGRADE_SUITES, UPGRADE_POLICIES).
UPGRADE_SUITES ?= bookworm bullseye
UPGRADE_POLICIES ?= none fix abort
.PHONY: upgrade-e2e
upgrade-e2e:
	@set -e; for s in $(UPGRADE_SUITES); do $(MAKE) deb SUITE=$$s; done; \
	rc=0; for s in $(UPGRADE_SUITES); do for p in $(UPGRADE_POLICIES); do \
	    tests/upgrade/run.sh --suite $$s --policy $$p || rc=1; done; done; exit $$rc

# The guard whose shim cannot load its libapt-pkg (the soname moved on):
# degrades with a note, never fails a command or a hook.
.PHONY: shim-gone
shim-gone: $(BUILD)/php-fpm-guard
	$(MAKE) BUILD=$(BUILD)/shim-gone SHIMDIR=$(abspath $(BUILD))/shim-gone/lib \
	    $(BUILD)/shim-gone/php-fpm-guard
	tests/chroot/shim-gone.sh $(BUILD)/shim-gone

# What dpkg-buildpackage leaves in debian/ (`make clean` runs this too).
deb-clean:
	rm -rf debian/.debhelper debian/php-fpm-guard debian/files \
	    debian/*.substvars debian/*.debhelper.log debian/debhelper-build-stamp

clean: deb-clean

# ---- hardening tools (issue 5) ----
#
# `make fuzz`: libFuzzer (clang, ASan+UBSan) on the readers of hostile
# input -- php-fpm's config, the snapshot, nginx's and Apache's configs,
# APT's hook info -- FUZZ_SECONDS each (default 60), from the seed corpora in
# fuzz/corpus/ (new inputs go to build/fuzz/corpus/, crashes to
# build/fuzz/crashes/); `make fuzz-ci` is what CI runs.  `make valgrind`:
# the guard suite (the one that fixes) with every guard run under memcheck.
# The web server readers end an include loop at 20000 parses: a few
# seconds natively, tens under ASan and coverage -- their timeout is 60 s,
# so that this bound is not taken for a hang.
# `make lint`: cppcheck and clang-tidy over src/, zero findings (each
# suppression carries its reason: .cppcheck-suppressions, .clang-tidy).
.PHONY: fuzz fuzz-ci fuzz-build valgrind lint cppcheck clang-tidy

FUZZ_SECONDS ?= 60
FUZZ_BUILD   := build/fuzz
FUZZERS      := fpmconf snapshot nginx apache hookinfo
FUZZ_SAN     := -fsanitize=address,undefined -fno-sanitize-recover=all -fno-omit-frame-pointer

fuzz-build:
	$(MAKE) BUILD=$(FUZZ_BUILD) CC=clang \
	    CFLAGS="-O1 -g -fsanitize=fuzzer-no-link $(FUZZ_SAN)" \
	    LDFLAGS="-fsanitize=fuzzer $(FUZZ_SAN)" $(FUZZERS:%=$(FUZZ_BUILD)/fuzz_%)

$(BUILD)/fuzz_%: fuzz/fuzz_%.c $(wildcard fuzz/*.h) $(LIB_OBJS)
	$(CC) $(ALL_CFLAGS) $(LDFLAGS) -Isrc -o $@ $< $(LIB_OBJS) $(LDLIBS)

fuzz: fuzz-build
	@set -e; for f in $(FUZZERS); do \
	    mkdir -p $(FUZZ_BUILD)/corpus/$$f $(FUZZ_BUILD)/crashes/$$f; \
	    echo "== fuzz_$$f: $(FUZZ_SECONDS) s"; \
	    case $$f in nginx|apache) to=60;; *) to=10;; esac; \
	    $(FUZZ_BUILD)/fuzz_$$f -max_total_time=$(FUZZ_SECONDS) -timeout=$$to \
	        -rss_limit_mb=2048 -max_len=65536 -dict=fuzz/$$f.dict -print_final_stats=1 \
	        -artifact_prefix=$(FUZZ_BUILD)/crashes/$$f/ \
	        $(FUZZ_BUILD)/corpus/$$f fuzz/corpus/$$f > $(FUZZ_BUILD)/$$f.log 2>&1 \
	        || { tail -40 $(FUZZ_BUILD)/$$f.log; echo "fuzz_$$f failed: see $(FUZZ_BUILD)/$$f.log, inputs in $(FUZZ_BUILD)/crashes/$$f"; exit 1; }; \
	    grep -E '^(Done|stat::number_of_executed_units)' $(FUZZ_BUILD)/$$f.log; \
	done

# CI's share: 30 s a target (an nginx or Apache input that loops its
# includes can take tens of seconds under ASan, and libFuzzer looks at
# its budget only between inputs).
fuzz-ci:
	$(MAKE) fuzz FUZZ_SECONDS=30

# memcheck around every guard run of tests/guard/run.sh, one log per
# process in build/valgrind/ (valgrind 3.19 does not know openat2, warns
# for each call, and the guard takes its openat fallback there: the logs
# keep that noise out of the outputs the suite compares).  Any memcheck
# error fails the run (exit 99) and is printed.
VG_LOGS := $(abspath $(BUILD))/valgrind
valgrind: $(BUILD)/php-fpm-guard $(BUILD)/aptshim.so
	rm -rf $(VG_LOGS); mkdir -p $(VG_LOGS)
	VALGRIND="valgrind -q --error-exitcode=99 --leak-check=full \
	    --errors-for-leak-kinds=definite,indirect --show-leak-kinds=definite,indirect --log-file=$(VG_LOGS)/%p.log" \
	    tests/guard/run.sh $(BUILD)/php-fpm-guard
	@if grep -h '^==[0-9]*== ' $(VG_LOGS)/*.log; then \
	    echo "valgrind: memcheck errors above (logs in $(VG_LOGS))"; exit 1; fi; \
	echo "valgrind: $$(ls $(VG_LOGS) | wc -l) guard processes, no memcheck error"

LINT_SRCS := $(filter-out src/apt/aptshim.cc,$(wildcard src/*/*.c))

cppcheck:
	cppcheck --quiet --error-exitcode=1 --std=c11 --language=c \
	    --enable=warning,style,performance,portability --inline-suppr \
	    --suppressions-list=.cppcheck-suppressions -D_GNU_SOURCE -D__linux__ \
	    $(shell pkg-config --cflags-only-I $(PKGS)) $(LINT_SRCS)

# Without the build's -W flags and _FORTIFY_SOURCE: the compiler already
# enforces those, and clang-tidy 14's analyzer crashes on host.c with the
# fortified string builtins.
clang-tidy:
	clang-tidy --quiet $(LINT_SRCS) -- -std=c11 -D_GNU_SOURCE \
	    -DPFG_SHIM_PATH='"/usr/lib/php-fpm-guard/aptshim.so"' \
	    $(shell pkg-config --cflags $(PKGS)) -Isrc

lint: cppcheck clang-tidy long-functions
	@echo "lint: cppcheck and clang-tidy clean, no function over 80 lines"

# A function fits a screen or two: the ten longest, and none over 80 lines.
.PHONY: long-functions
long-functions:
	tests/lint/long-functions.sh 80 10
