#!/bin/sh
# Install everything the build and the test suite need, from Debian's
# archive.  Run as root on Debian 12 / Ubuntu 22.04 or later.
set -eu
export DEBIAN_FRONTEND=noninteractive
apt-get update -q
apt-get install -y -q --no-install-recommends \
	build-essential pkg-config \
	libinih-dev libjson-c-dev libacl1-dev libapt-pkg-dev check \
	php8.2-fpm curl jq acl util-linux patch
