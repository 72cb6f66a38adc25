#!/bin/sh
# tests/conformance/versions.sh [SUITE...]
#
# `make conformance-versions`: the conformance suite (run.sh) and the
# version gates (gates.sh) against the real php-fpm of other Debian
# releases -- bullseye's php7.4-fpm and trixie's php8.4-fpm by default
# (bookworm's php8.2 is the host's, `make conformance`).  For each SUITE,
# in a disposable copy of one cached chroot (tests/chroot/mkchroot.sh,
# made on first use; CHROOT_CACHE, CHROOT_REFRESH as there) holding that
# release's php-fpm, its build dependencies and the suites' tools:
#   1. the guard is built from this tree (read-only at /src) by that
#      release's compiler and libraries, into build/conformance-versions/
#      SUITE/ (bound at /build, so the next run's make is incremental);
#   2. run.sh and gates.sh run there, natively: php-fpm -tt, the sockets
#      php-fpm creates and the connects are the release's own.
# Prints one line per suite (PHP version, cases and gates passed, seconds
# per step); the full output is in build/conformance-versions/SUITE.log.
# Last, all of them added up: "N passed, N failed".  Exits 1 if any failed.
set -eu

here=$(cd "$(dirname "$0")" && pwd)
top=$(cd "$here/../.." && pwd)
[ $# -gt 0 ] || set -- bullseye trixie
out=$top/build/conformance-versions
mkdir -p "$out"
# The guard's build (as `make all` needs it; no debhelper, no check) and
# run.sh's and gates.sh's tools.
pkgs="build-essential pkg-config libinih-dev libjson-c-dev libacl1-dev
	libapt-pkg-dev jq curl acl procps"

# shellcheck disable=SC2016 # expanded inside the chroot
inner='set -u
php=$1
t0=$(date +%s)
cd /src
make -s BUILD=/build all >/build/make.log 2>&1 || { cat /build/make.log; echo "BUILD FAILED"; exit 1; }
t1=$(date +%s)
echo "php-fpm: $(/usr/sbin/php-fpm$php -v | head -1)"
echo "package: $(dpkg-query -W -f "\${Version}" php$php-fpm)"
rc=0
FPM_BINARY=/usr/sbin/php-fpm$php tests/conformance/run.sh /build/php-fpm-guard || rc=1
t2=$(date +%s)
tests/conformance/gates.sh /build/php-fpm-guard /usr/sbin/php-fpm$php || rc=1
t3=$(date +%s)
echo "times: build $((t1 - t0)) s, cases $((t2 - t1)) s, gates $((t3 - t2)) s"
exit $rc'

fail=0 pass=0 failed=0
for suite in "$@"; do
	case $suite in
	bullseye) php=7.4 ;; bookworm) php=8.2 ;; trixie) php=8.4 ;;
	*) echo "$0: no PHP version known for $suite" >&2; exit 2 ;;
	esac
	start=$(date +%s)
	# shellcheck disable=SC2086 # the package list is meant to split
	tar=$("$top/tests/chroot/mkchroot.sh" "$suite" $pkgs "php$php-fpm")
	made=$(date +%s)
	mkdir -p "$out/$suite"
	log=$out/$suite.log
	rc=0
	"$top/tests/chroot/enter.sh" --ro "$top:/src" --bind "$out/$suite:/build" \
	    "$tar" sh -c "$inner" sh "$php" >"$log" 2>&1 || rc=$?
	end=$(date +%s)
	grep '^FAIL\|BUILD FAILED' "$log" || :
	cases=$(grep -E '^[0-9]+ passed, [0-9]+ failed$' "$log" | sed -n 1p)
	gates=$(grep -E '^[0-9]+ passed, [0-9]+ failed$' "$log" | sed -n 2p)
	printf '%s: %s (%s): cases %s; gates %s; chroot %s s, %s; total %s s\n' \
	    "$suite" "$(sed -n 's/^php-fpm: \(PHP [^ ]*\).*/\1/p' "$log")" \
	    "$(sed -n 's/^package: //p' "$log")" "${cases:-none}" "${gates:-none}" \
	    "$((made - start))" "$(sed -n 's/^times: //p' "$log")" "$((end - start))"
	for line in "$cases" "$gates"; do
		[ -n "$line" ] || continue
		n=${line#*, }
		pass=$((pass + ${line%% passed*})) failed=$((failed + ${n%% failed}))
	done
	if [ "$rc" != 0 ]; then
		echo "$suite: FAILED (exit $rc), log in $log"
		fail=1
		[ -n "$cases" ] && [ -n "$gates" ] || failed=$((failed + 1))
	fi
done
echo "$pass passed, $failed failed"
exit $fail
