#!/bin/sh
# tests/chroot/try-deb.sh SUITE DEB
#
# Installs DEB (make deb SUITE=... built it) with apt in a fresh chroot of
# SUITE that has the release's php-fpm and nginx, starts that php-fpm (in
# the foreground of a background job, stopped by its pid at the end), and
# runs `php-fpm-guard check` and `show` there, then reinstalls the package
# through apt so that the guard's own hooks run around a real dpkg.  Exits
# non-zero if the install, check or the hooked apt run fails.
set -eu

[ $# -eq 2 ] || { echo "usage: $0 SUITE DEB" >&2; exit 2; }
suite=$1; deb=$(readlink -f "$2")
here=$(cd "$(dirname "$0")" && pwd)
case $suite in
bullseye) php=7.4 ;; bookworm) php=8.2 ;; trixie) php=8.4 ;;
*) echo "$0: no PHP version known for $suite" >&2; exit 2 ;;
esac
tar=$("$here/mkchroot.sh" "$suite" "php$php-fpm" nginx)

# shellcheck disable=SC2016 # expanded inside the chroot
script='set -eu
php=$1; deb=/dist/$2
step() { printf "\n== %s\n" "$*"; }
step "apt-get install $deb"
apt-get install -y -q "$deb" 2>&1 | grep -E "^(Setting up|Unpacking) php-fpm-guard|^E:" || :
dpkg -s php-fpm-guard | grep -E "^(Status|Version|Depends|Recommends):"
mkdir -p /run/php
php-fpm$php -F -y /etc/php/$php/fpm/php-fpm.conf >/dev/null 2>&1 & fpm=$!
trap "kill $fpm 2>/dev/null; wait $fpm 2>/dev/null || :" EXIT
for _ in $(seq 50); do [ -S /run/php/php$php-fpm.sock ] && break; sleep 0.1; done
rc=0
step "php-fpm-guard check"; php-fpm-guard check || rc=$?; echo "exit $rc"
step "php-fpm-guard show"; php-fpm-guard show || rc=$?; echo "exit $rc"
step "dpkg_status_error (show --json)"
php-fpm-guard show --json | grep -o "\"dpkg_status_error\": *[^,}]*" || :
step "apt-get install --reinstall (the hooks around dpkg)"
apt-get install -y -q --reinstall "$deb" 2>&1 | grep -iE "php-fpm-guard|^E:" || :
step "php-fpm-guard status"; php-fpm-guard status || :
exit $rc'
"$here/enter.sh" --ro "$(dirname "$deb"):/dist" "$tar" \
    sh -c "$script" sh "$php" "$(basename "$deb")"
