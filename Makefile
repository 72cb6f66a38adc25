# php-fpm-guard -- see README.md.  `make` builds build/php-fpm-guard,
# `make check` runs every test, `make asan-check` the same under ASan+UBSan.

CC       ?= cc
PKGS     := inih json-c libacl
CFLAGS   ?= -O2 -g
# Project flags stay even when CFLAGS is given on the command line.
PFG_CFLAGS := -std=c11 -D_GNU_SOURCE -Wall -Wextra -Werror -Wshadow \
            -Wstrict-prototypes -Wmissing-prototypes -Wformat=2 \
            -fstack-protector-strong -D_FORTIFY_SOURCE=2 \
            $(shell pkg-config --cflags $(PKGS))
LDLIBS   += $(shell pkg-config --libs $(PKGS))
ALL_CFLAGS = $(PFG_CFLAGS) $(CFLAGS)
BUILD    ?= build

SRCS := $(wildcard src/*/*.c)
LIB_SRCS := $(filter-out src/cli/main.c,$(SRCS))
OBJS := $(SRCS:src/%.c=$(BUILD)/obj/%.o)
LIB_OBJS := $(LIB_SRCS:src/%.c=$(BUILD)/obj/%.o)

TEST_SRCS := $(wildcard tests/unit/*.c)
TEST_BINS := $(TEST_SRCS:tests/unit/%.c=$(BUILD)/tests/%)

.PHONY: all check unit cli conformance asan-check clean

all: $(BUILD)/php-fpm-guard

$(BUILD)/php-fpm-guard: $(OBJS)
	$(CC) $(ALL_CFLAGS) $(LDFLAGS) -o $@ $^ $(LDLIBS)

$(BUILD)/obj/%.o: src/%.c $(wildcard src/*/*.h)
	@mkdir -p $(dir $@)
	$(CC) $(ALL_CFLAGS) -c -o $@ $<

$(BUILD)/tests/%: tests/unit/%.c $(LIB_OBJS) $(wildcard tests/unit/*.h)
	@mkdir -p $(dir $@)
	$(CC) $(ALL_CFLAGS) $(LDFLAGS) $(shell pkg-config --cflags check) -Isrc -o $@ $< \
	    $(LIB_OBJS) $(LDLIBS) $(shell pkg-config --libs check)

unit: $(TEST_BINS)
	@set -e; for t in $(TEST_BINS); do echo "== $$t"; $$t; done

conformance: $(BUILD)/php-fpm-guard
	tests/conformance/run.sh $(BUILD)/php-fpm-guard

cli: $(BUILD)/php-fpm-guard
	tests/cli/run.sh $(BUILD)/php-fpm-guard

check: all unit cli conformance
	@echo "make check: all suites passed"

# The whole suite again under AddressSanitizer + UndefinedBehaviorSanitizer
# (LeakSanitizer included), in its own build directory.
asan-check:
	$(MAKE) BUILD=build/asan \
	    CFLAGS="-O1 -g -fsanitize=address,undefined -fno-omit-frame-pointer -fno-sanitize-recover=all" \
	    LDFLAGS="-fsanitize=address,undefined" check

clean:
	rm -rf build dist
