# php-fpm-guard -- see README.md.  `make` builds build/php-fpm-guard,
# `make check` runs every test (check-core, then e2e on the .deb), `make asan-check`
# check-core under ASan+UBSan, `make deb` the package in dist/

CC       ?= cc
CXX      ?= c++
PKGS     := inih json-c libacl
CFLAGS   ?= -O2 -g
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
LDLIBS   += $(shell pkg-config --libs $(PKGS))
ALL_CFLAGS = $(PFG_CFLAGS) $(CFLAGS)
PFG_CXXFLAGS := -std=c++17 -Wall -Wextra -Werror -fPIC -fstack-protector-strong \
            -D_FORTIFY_SOURCE=2

SRCS := $(wildcard src/*/*.c)
LIB_SRCS := $(filter-out src/cli/main.c,$(SRCS))
OBJS := $(SRCS:src/%.c=$(BUILD)/obj/%.o)
LIB_OBJS := $(LIB_SRCS:src/%.c=$(BUILD)/obj/%.o)

TEST_SRCS := $(wildcard tests/unit/*.c)
TEST_BINS := $(TEST_SRCS:tests/unit/%.c=$(BUILD)/tests/%)

.PHONY: all check check-core unit cli conformance guard php5 hooks e2e headers asan-check bench-shim clean

all: $(BUILD)/php-fpm-guard $(BUILD)/aptshim.so

# The only C++: libapt-pkg behind an extern "C" interface, dlopen()ed.
$(BUILD)/aptshim.so: src/apt/aptshim.cc src/apt/aptshim.h
	@mkdir -p $(dir $@)
	$(CXX) $(PFG_CXXFLAGS) $(CFLAGS) $(LDFLAGS) -shared -o $@ $< -lapt-pkg

# Every C header must also compile as C++ (the shim includes one).
headers:
	@set -e; for h in $(wildcard src/*/*.h); do \
	    printf '#include "%s"\n' "$$h" | $(CXX) -std=c++17 -Wall -Wextra -Werror \
	        -D_GNU_SOURCE $(shell pkg-config --cflags $(PKGS)) -I. -fsyntax-only -x c++ - \
	        || { echo "$$h does not compile as C++"; exit 1; }; done; \
	    echo "headers: every C header compiles as C++"

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
	@set -e; for t in $(TEST_BINS); do echo "== $$t"; $$t; done

conformance: $(BUILD)/php-fpm-guard
	tests/conformance/run.sh $(BUILD)/php-fpm-guard

cli: $(BUILD)/php-fpm-guard
	tests/cli/run.sh $(BUILD)/php-fpm-guard

guard: $(BUILD)/php-fpm-guard $(BUILD)/aptshim.so
	tests/guard/run.sh $(BUILD)/php-fpm-guard

php5: $(BUILD)/php-fpm-guard $(BUILD)/aptshim.so
	tests/php5/run.sh $(BUILD)/php-fpm-guard

hooks:
	tests/hooks/run.sh

# The .deb in disposable overlay copies of this host: real apt-get, dpkg,
# php8.2-fpm, nginx, unattended-upgrades.  lintian first: zero errors and
# warnings (overrides carry their reasons).
DEB_VERSION = $(shell dpkg-parsechangelog -S Version 2>/dev/null)
DEB_ARCH    = $(shell dpkg-architecture -qDEB_HOST_ARCH 2>/dev/null)
e2e: deb
	lintian --fail-on error,warning dist/php-fpm-guard_$(DEB_VERSION)_$(DEB_ARCH).deb
	tests/e2e/run.sh dist/php-fpm-guard_$(DEB_VERSION)_$(DEB_ARCH).deb

check-core: all headers unit cli conformance guard php5 hooks

check: check-core e2e
	@echo "make check: all suites passed"

# The whole suite again under AddressSanitizer + UndefinedBehaviorSanitizer
# (LeakSanitizer included), in its own build directory -- all but e2e,
# which tests the release .deb.
asan-check:
	$(MAKE) BUILD=build/asan \
	    CFLAGS="-O1 -g -fsanitize=address,undefined -fno-omit-frame-pointer -fno-sanitize-recover=all" \
	    LDFLAGS="-fsanitize=address,undefined" check-core

# What reading package versions costs a hook (README, issue 4).
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
	install -m 0644 apt.conf.d/04php-fpm-guard $(DESTDIR)/etc/apt/apt.conf.d/04php-fpm-guard
	install -m 0644 debian/guard.conf $(DESTDIR)/etc/php-fpm-guard/guard.conf

deb:
	@set -e; \
	changes=php-fpm-guard_$$(dpkg-parsechangelog -S Version)_$$(dpkg-architecture -qDEB_HOST_ARCH).changes; \
	dpkg-buildpackage -b -us -uc; \
	files=$$(sed -n '/^Files:/,/^[^ ]/s/^ .* //p' ../$$changes); \
	mkdir -p dist; \
	for f in $$files $$changes; do mv -f ../$$f dist/; done; \
	echo "make deb: dist/"; for f in $$files $$changes; do echo "  $$f"; done

# What dpkg-buildpackage leaves in debian/ (`make clean` runs this too).
deb-clean:
	rm -rf debian/.debhelper debian/php-fpm-guard debian/files \
	    debian/*.substvars debian/*.debhelper.log debian/debhelper-build-stamp

clean: deb-clean
