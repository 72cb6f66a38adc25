#!/bin/sh
# tests/chroot/upgrade.sh [--full] DIST
#
# The release upgrade bookworm -> trixie with the guard installed, in a
# disposable bookworm chroot (php8.2-fpm, nginx): installs
# DIST/bookworm/php-fpm-guard_*.deb, points apt at trixie and simulates
# `apt-get full-upgrade`, printing what it would do to php-fpm-guard and
# libapt-pkg.  With --full it then really upgrades (the guard's hooks run
# around every dpkg call of it: old guard, new libraries), runs check,
# removes libapt-pkg6.0 (the shim then cannot load: check must still work,
# with a note), and installs DIST/trixie's package as the upgrade.
# Exits non-zero when the simulation removes the guard, or, with --full,
# when an apt run or a check fails.
set -eu

full=0
[ "${1:-}" = --full ] && { full=1; shift; }
[ $# -eq 1 ] || { echo "usage: $0 [--full] DIST" >&2; exit 2; }
dist=$(readlink -f "$1")
here=$(cd "$(dirname "$0")" && pwd)
tar=$("$here/mkchroot.sh" bookworm php8.2-fpm nginx)

# shellcheck disable=SC2016 # expanded inside the chroot
script='set -eu
full=$1
step() { printf "\n== %s (%s)\n" "$*" "$(date +%T)"; }
check() {
	rc=0; php-fpm-guard check 2>&1 || rc=$?; echo "check: exit $rc"
	php-fpm-guard show 2>/dev/null | grep -o "package .*" || echo "show: no package version"
	[ $rc -eq 0 ]
}
q="-y -q -o Dpkg::Options::=--force-confdef -o Dpkg::Options::=--force-confold"
step "install the bookworm build"
apt-get install $q /dist/bookworm/php-fpm-guard_*~deb12_amd64.deb >/dev/null
dpkg-query -W -f "\${Package} \${Version}\n  Depends: \${Depends}\n  Recommends: \${Recommends}\n" php-fpm-guard
mkdir -p /run/php
php-fpm8.2 -F >/dev/null 2>&1 & fpm=$!
trap "kill $fpm 2>/dev/null; wait $fpm 2>/dev/null || :" EXIT
for _ in $(seq 50); do [ -S /run/php/php8.2-fpm.sock ] && break; sleep 0.1; done
check

step "sources: bookworm -> trixie, apt-get -s full-upgrade"
sed -i "s/bookworm/trixie/g" /etc/apt/sources.list
apt-get update -q >/dev/null
apt-get -s full-upgrade > /tmp/sim
# What goes (bookworm php8.2-fpm does: the t64 successors of its libraries
# conflict with them), and what becomes of the guard and libapt-pkg.
grep -E "^Remv |^Inst (php-fpm-guard|libapt-pkg)" /tmp/sim | cut -d" " -f1-3 || :
printf "simulated: %s installed/upgraded, %s removed\n" \
    "$(grep -c ^Inst /tmp/sim)" "$(grep -c ^Remv /tmp/sim || :)"
if grep -q "^Remv php-fpm-guard" /tmp/sim; then
	echo "verdict: the upgrade REMOVES php-fpm-guard"; exit 1
fi
echo "verdict: php-fpm-guard is kept"
[ "$full" = 1 ] || exit 0

step "apt-get full-upgrade (for real: the guard hooks every dpkg run)"
apt-get $q full-upgrade > /tmp/up 2>&1 || { tail -30 /tmp/up; exit 1; }
grep -iE "php-fpm-guard|^E:" /tmp/up | grep -v "^Get:" | tail -15 || :
grep "^VERSION=" /etc/os-release
dpkg-query -W -f "\${Package} \${Version} \${Status}\n" php-fpm-guard libapt-pkg6.0 libapt-pkg7.0
php-fpm-guard status 2>&1 | head -5
step "check after the upgrade (bookworm guard, trixie libraries)"
check
step "apt-get autoremove -s"
apt-get -s autoremove | grep -E "^Remv (php-fpm-guard|libapt-pkg)" || echo "(neither php-fpm-guard nor libapt-pkg)"
step "apt-get purge libapt-pkg6.0 (the shim loses its library; hooks run)"
apt-get $q purge libapt-pkg6.0 2>&1 | grep -iE "php-fpm-guard|^E:|Removing" || :
check
step "install the trixie build (an upgrade: ~deb13 > ~deb12)"
apt-get $q install /dist/trixie/php-fpm-guard_*~deb13_amd64.deb 2>&1 | grep -iE "php-fpm-guard|^E:" || :
dpkg-query -W -f "\${Package} \${Version}\n  Depends: \${Depends}\n  Recommends: \${Recommends}\n" php-fpm-guard
check'
"$here/enter.sh" --ro "$dist:/dist" "$tar" sh -c "$script" sh "$full"
