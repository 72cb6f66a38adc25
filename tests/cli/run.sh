#!/bin/bash
# End-to-end checks of the two commands as a user meets them, with the real
# php-fpm8.2: a host without PHP-FPM, the stock pool, the CVE-2014-0185
# shape (listen.owner/group commented out, php-fpm restarted), a config
# php-fpm refuses.  Usage: tests/cli/run.sh BINARY
set -u
BIN=$(readlink -f "$1")
work=$(mktemp -d /tmp/pfg-cli-XXXXXX); chmod 755 "$work"
. "$(dirname "$0")/../lib.sh"
trap 'stop_fpm; rm -rf "$work"' EXIT

# 1. No PHP-FPM at all: says so, exits 0.
mkdir -p "$work/empty"
out=$("$BIN" --root "$work/empty" check 2>&1); rc=$?
if [ $rc -eq 0 ] && grep -q "no PHP-FPM" <<<"$out"; then ok no-php-fpm
else bad no-php-fpm "rc=$rc out=$out"; fi
out=$("$BIN" --root "$work/empty" show --json 2>&1); rc=$?
if [ $rc -eq 0 ] && [ "$(jq '.instances|length' <<<"$out")" = 0 ]; then ok no-php-fpm-json
else bad no-php-fpm-json "rc=$rc out=$out"; fi

make_copy() { copy_stock_fpm; }
GOPTS=(--fpm-config "$work/fpm/php-fpm.conf" --fpm-binary "$FPM" --client www-data)

# 2. Stock pool, php-fpm running: a few lines saying www-data can reach it.
make_copy; start_fpm || bad stock "php-fpm did not start"
out=$(G check 2>&1); rc=$?
if [ $rc -eq 0 ] && grep -q "ok: pool www: $work/run/php-fpm.sock (www-data:www-data 0660): reachable by www-data" <<<"$out" \
   && [ "$(wc -l <<<"$out")" -le 3 ]; then ok stock
else bad stock "rc=$rc out=$out"; fi
stop_fpm

# 3. The 2014 incident: owner/group commented out, php-fpm restarted.
cve_shape "$work/fpm/pool.d/www.conf"
line=$(grep -n '^listen = ' "$work/fpm/pool.d/www.conf" | cut -d: -f1)
start_fpm || bad cve "php-fpm did not start"
out=$(G check 2>&1); rc=$?
want=("$work/fpm/pool.d/www.conf:$line: error: pool www: www-data cannot connect"
      "socket root:root 0660" "listen.owner = www-data" "listen.group = www-data"
      "listen.mode = 0660" "proven: connect() as www-data fails")
missing=
for w in "${want[@]}"; do grep -qF "$w" <<<"$out" || missing="$missing [$w]"; done
if [ $rc -eq 1 ] && [ -z "$missing" ]; then ok cve-2014-0185-shape
else bad cve-2014-0185-shape "rc=$rc missing:$missing out=$out"; fi
out=$(G check --json 2>&1); rc=$?
if [ $rc -eq 1 ] && [ "$(jq -r '.instances[0].pools[0].clients[0].can_connect' <<<"$out")" = false ] \
   && [ "$(jq -r '.problems[0].fix_lines|join(";")' <<<"$out")" = "listen.owner = www-data;listen.group = www-data;listen.mode = 0660" ]; then
	ok cve-json
else bad cve-json "rc=$rc out=$out"; fi
stop_fpm

# 4. Changed config, php-fpm not restarted: the next start is judged too.
make_copy; start_fpm || bad next-start "php-fpm did not start"
cve_shape "$work/fpm/pool.d/www.conf"
out=$(G check 2>&1); rc=$?
if [ $rc -eq 1 ] && grep -q "will not be able to (after the next php-fpm restart)" <<<"$out"; then ok next-start
else bad next-start "rc=$rc out=$out"; fi
stop_fpm

# 5. A config php-fpm refuses: exit 2, file:line named.
make_copy
printf 'listen.bogus = 1\n' >> "$work/fpm/pool.d/www.conf"
n=$(wc -l < "$work/fpm/pool.d/www.conf")
out=$(G check 2>&1); rc=$?
if [ $rc -eq 2 ] && grep -qF "$work/fpm/pool.d/www.conf:$n: error: unknown entry 'listen.bogus'" <<<"$out"; then ok invalid-config
else bad invalid-config "rc=$rc out=$out"; fi

# 6. Host discovery on this machine finds the installed php8.2-fpm.
out=$("$BIN" show --json 2>&1); rc=$?
if [ "$(jq -r '.instances[] | select(.config=="/etc/php/8.2/fpm/php-fpm.conf") | .binary' <<<"$out")" = "$FPM" ]; then ok discovery
else bad discovery "rc=$rc out=$out"; fi

# 7. One version everywhere: the binary, guard_version.h, debian/changelog.
v=$("$BIN" --version); cl=$(cd "$(dirname "$0")/../.." && dpkg-parsechangelog -S Version)
if [ "$v" = "php-fpm-guard $cl" ]; then ok version-matches-changelog
else bad version-matches-changelog "binary '$v', changelog '$cl'"; fi

finish
