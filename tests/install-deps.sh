#!/bin/sh
# Install what the build needs, and with no argument also what the test
# suite needs, from Debian's archive.  Run as root on Debian 12 / Ubuntu
# 22.04 or later.   tests/install-deps.sh [--build-only]
set -eu
export DEBIAN_FRONTEND=noninteractive
build="build-essential pkg-config debhelper
	libinih-dev libjson-c-dev libacl1-dev libapt-pkg-dev check"
# The suites run the real thing: php-fpm and nginx, apt and dpkg with the
# .deb (lintian, dpkg-repack to rebuild php8.2-fpm as an upgrade,
# apt-ftparchive for a local repository, unattended-upgrades).
tests="php8.2-fpm nginx curl jq acl util-linux patch
	lintian dpkg-repack apt-utils unattended-upgrades"
[ "${1:-}" = --build-only ] && tests=
apt-get update -q
# shellcheck disable=SC2086 # word splitting of the package lists is meant
apt-get install -y -q --no-install-recommends $build $tests
