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
# The hardening tools (make fuzz, lint, valgrind): clang with its
# libFuzzer runtime, clang-tidy, cppcheck, valgrind.
# The web servers and fleets (tests/webservers, e2e 10-12): Apache with
# mod_proxy_fcgi beside nginx; Debian's ansible (and python3-apt, which
# its apt module needs) for the playbook in examples/; prometheus for
# promtool, which checks the textfile (without Recommends: no
# node-exporter).  The other releases (make deb SUITE=..., make chroots,
# tests/chroot/): mmdebstrap, and the archive keys of every release.
tests="php8.2-fpm nginx curl jq acl util-linux patch
	lintian dpkg-repack apt-utils unattended-upgrades valgrind strace
	clang clang-tidy cppcheck
	apache2 ansible python3-apt prometheus
	mmdebstrap debian-archive-keyring"
[ "${1:-}" = --build-only ] && tests=
apt-get update -q
# libFuzzer's runtime has a package of its own on Debian 12 (Ubuntu 22.04
# ships it inside libclang-common-14-dev).
if [ -n "$tests" ] && apt-cache show libclang-rt-14-dev >/dev/null 2>&1; then
	tests="$tests libclang-rt-14-dev"
fi
# The test packages are installed without starting their services: the
# suites start their own php-fpm, nginx and Apache (e2e: in sandboxes),
# and Debian's default sites of nginx and Apache would both take port 80,
# failing one of the postinsts.  A policy-rc.d already there is kept.
if [ -n "$tests" ] && [ ! -e /usr/sbin/policy-rc.d ]; then
	printf '#!/bin/sh\nexit 101\n' > /usr/sbin/policy-rc.d
	chmod 755 /usr/sbin/policy-rc.d
	trap 'rm -f /usr/sbin/policy-rc.d' EXIT
fi
# shellcheck disable=SC2086 # word splitting of the package lists is meant
apt-get install -y -q --no-install-recommends $build $tests
# e2e 30 installs libapache2-mod-php8.2 inside a sandbox that has only
# loopback: apt takes it (and what it needs) from the host's cache.
if [ -n "$tests" ]; then
	apt-get install -y -q --no-install-recommends --download-only libapache2-mod-php8.2
fi
