# php-fpm-guard -- see README.md.  `make` builds build/php-fpm-guard,
# `make check` runs every test, `make asan-check` the same under ASan+UBSan.

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

.PHONY: all check unit cli conformance guard php5 headers asan-check clean

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

check: all headers unit cli conformance guard php5
	@echo "make check: all suites passed"

# The whole suite again under AddressSanitizer + UndefinedBehaviorSanitizer
# (LeakSanitizer included), in its own build directory.
asan-check:
	$(MAKE) BUILD=build/asan \
	    CFLAGS="-O1 -g -fsanitize=address,undefined -fno-omit-frame-pointer -fno-sanitize-recover=all" \
	    LDFLAGS="-fsanitize=address,undefined" check

clean:
	rm -rf build dist
