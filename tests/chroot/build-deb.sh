#!/bin/sh
# tests/chroot/build-deb.sh SUITE OUTDIR
#
# `make deb SUITE=...`: builds the package in a clean chroot of Debian
# SUITE (tests/chroot/mkchroot.sh, cached) from a copy of this source
# tree as it is (uncommitted changes included; build/, dist/ and .git
# left out), and puts the .deb, .buildinfo and .changes into OUTDIR, in
# place of the previous build's.
#
# The version gets "~debNN" (bullseye 11, bookworm 12, trixie 13) in the
# copy's changelog: each release's build is then a different version, one
# release's below the next's (0.3.0~deb12 < 0.3.0~deb13 < 0.3.0), so after
# a release upgrade the new release's build installs as an upgrade.
set -eu

[ $# -eq 2 ] || { echo "usage: $0 SUITE OUTDIR" >&2; exit 2; }
suite=$1; out=$2
here=$(cd "$(dirname "$0")" && pwd)
top=$(cd "$here/../.." && pwd)
# debian/control's Build-Depends, and build-essential.
deps="build-essential debhelper pkg-config libinih-dev libjson-c-dev
	libacl1-dev libapt-pkg-dev check"
case $suite in
bullseye) nn=11 ;; bookworm) nn=12 ;; trixie) nn=13 ;; forky) nn=14 ;;
*) nn= ;;
esac

start=$(date +%s)
# shellcheck disable=SC2086 # the package list is meant to split
tar=$("$here/mkchroot.sh" "$suite" $deps)
mkdir -p "$out"
out=$(cd "$out" && pwd)
# One build in OUTDIR: the scripts that take it (try-deb, upgrade) find it
# by name, without picking among versions.
rm -f "$out"/php-fpm-guard_*.deb "$out"/php-fpm-guard-dbgsym_*.deb \
    "$out"/php-fpm-guard_*.buildinfo "$out"/php-fpm-guard_*.changes

# The copy's changelog gets the suite's entry; dpkg-buildpackage checks the
# Build-Depends against the chroot (a new one missing here fails there).
# shellcheck disable=SC2016 # expanded inside the chroot
build='set -eu
suite=$1; nn=$2
mkdir -p /build/php-fpm-guard
cd /src
tar --exclude=./build --exclude=./dist --exclude=./.git -cf - . |
    tar -xf - -C /build/php-fpm-guard
cd /build/php-fpm-guard
if [ -n "$nn" ]; then
	v=$(dpkg-parsechangelog -S Version)~deb$nn
	who=$(dpkg-parsechangelog -S Maintainer)
	{ printf "php-fpm-guard (%s) %s; urgency=medium\n\n" "$v" "$suite"
	  printf "  * Built for Debian %s (make deb SUITE=%s).\n\n" "$suite" "$suite"
	  printf " -- %s  %s\n\n" "$who" "$(date -R)"
	  cat debian/changelog; } > debian/changelog.new
	mv debian/changelog.new debian/changelog
fi
dpkg-buildpackage -b -us -uc
changes=php-fpm-guard_$(dpkg-parsechangelog -S Version)_$(dpkg-architecture -qDEB_HOST_ARCH).changes
for f in $(sed -n "/^Files:/,/^[^ ]/s/^ .* //p" ../$changes) $changes; do
	cp ../$f /out/
	echo "  $f"
done'
"$here/enter.sh" --ro "$top:/src" --bind "$out:/out" "$tar" \
    sh -c "$build" sh "$suite" "$nn" > "$out/build.log" 2>&1 || {
	tail -30 "$out/build.log" >&2
	echo "build-deb: $suite failed, log in $out/build.log" >&2
	exit 1
}
echo "make deb SUITE=$suite: $out/ in $(($(date +%s) - start)) s"
sed -n '/^  php-fpm-guard/p' "$out/build.log"
