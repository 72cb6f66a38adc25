# Sourced by tests/hostile/run.sh (its helpers: run, sane, has, ok, bad).
# Issue 16, release upgrades: policy fix writes a carried pool file into
# the arriving instance's pool.d, named after the pool.  A tenant who owns
# a pool file the old instance includes (shared hosting: include=
# /srv/tenants/*/pool.conf) names the pool -- each case is written AS that
# tenant, and the guard must write nothing outside the arriving pool.d,
# and nothing at all when a carry cannot be made safely.
#   release-pool-name-traversal      [../../../../etc/cron.d/pfgrel]
#   release-carry-steals-new-socket  a tenant pool on php8.4-fpm.sock
RX=pfgrelx
id -u $RX >/dev/null 2>&1 || useradd -r -M -s /usr/sbin/nologin $RX
RH=$work/release
rel_h_root() {
	rm -rf "$RH"; mkdir -p "$RH/root/etc/php/8.2/fpm/pool.d" "$RH/root/var/lib/dpkg" "$RH/root/run/php" \
		"$RH/root/srv/tenants/t1" "$RH/root/etc/cron.d" "$RH/state" "$RH/log" "$RH/deb/DEBIAN" \
		"$RH/deb/etc/php/8.4/fpm/pool.d"
	chmod 755 "$RH" "$RH/root"
	chown $RX: "$RH/root/srv/tenants/t1"
	printf 'root:x:0:0::/root:/bin/sh\nwww-data:x:33:33::/var/www:/bin/sh\n%s:x:%s:%s::/srv:/bin/sh\n' $RX "$(id -u $RX)" "$(id -g $RX)" > "$RH/root/etc/passwd"
	printf 'root:x:0:\nwww-data:x:33:\n%s:x:%s:\n' $RX "$(id -g $RX)" > "$RH/root/etc/group"
	printf '[global]\npid = /run/php/php8.2-fpm.pid\ninclude=/etc/php/8.2/fpm/pool.d/*.conf\ninclude=/srv/tenants/*/pool.conf\n' > "$RH/root/etc/php/8.2/fpm/php-fpm.conf"
	printf '[www]\nuser = www-data\ngroup = www-data\nlisten = /run/php/php8.2-fpm.sock\nlisten.owner = www-data\nlisten.group = www-data\npm = ondemand\npm.max_children = 2\n' > "$RH/root/etc/php/8.2/fpm/pool.d/www.conf"
	printf 'Package: php8.2-fpm\nStatus: install ok installed\nArchitecture: amd64\nVersion: 8.2.29-1~deb12u1\n\n' > "$RH/root/var/lib/dpkg/status"
	printf '[global]\npid = /run/php/php8.4-fpm.pid\ninclude=/etc/php/8.4/fpm/pool.d/*.conf\n' > "$RH/deb/etc/php/8.4/fpm/php-fpm.conf"
	printf '[www]\nuser = www-data\ngroup = www-data\nlisten = /run/php/php8.4-fpm.sock\nlisten.owner = www-data\nlisten.group = www-data\npm = ondemand\npm.max_children = 2\n' > "$RH/deb/etc/php/8.4/fpm/pool.d/www.conf"
	printf 'Package: php8.4-fpm\nVersion: 8.4.11-1\nArchitecture: all\nMaintainer: t <t@example.org>\nDescription: t\n' > "$RH/deb/DEBIAN/control"
	printf '/etc/php/8.4/fpm/php-fpm.conf\n/etc/php/8.4/fpm/pool.d/www.conf\n' > "$RH/deb/DEBIAN/conffiles"
	dpkg-deb -b "$RH/deb" "$RH/php8.4-fpm.deb" >/dev/null
	printf 'VERSION 3\n\nphp8.2-fpm 8.2.29-1~deb12u1 amd64 none > - - none **REMOVE**\nphp8.4-fpm - - none < 8.4.11-1 all none %s\n' "$RH/php8.4-fpm.deb" > "$RH/info"
}
tenant() { setpriv --reuid=$RX --regid=$RX --clear-groups "$@"; }
rel_h_run() { run "$BIN" --root "$RH/root" --state-dir "$RH/state" --log-dir "$RH/log" --no-syslog \
	pre-install-pkgs --hook-info "$RH/info"; }

rel_h_root
tenant sh -c 'printf "[../../../../etc/cron.d/pfgrel]\nuser = %s\ngroup = %s\nlisten = /run/php/t1.sock\npm = ondemand\npm.max_children = 1\n" '$RX' '$RX' > "$1"' sh "$RH/root/srv/tenants/t1/pool.conf"
rel_h_run
if sane && [ $rc -eq 1 ] && has "[carry-refused]" && has "cannot name a file" \
   && [ -z "$(find "$RH/root" -name '*pfgrel*')" ] && [ ! -e "$RH/root/etc/php/8.4" ]; then ok release-pool-name-traversal
else bad release-pool-name-traversal "rc=$rc $out $(find "$RH/root" -name '*pfgrel*')"; fi

rel_h_root
tenant sh -c 'printf "[t1]\nuser = %s\ngroup = %s\nlisten = /run/php/php8.4-fpm.sock\nlisten.owner = www-data\nlisten.group = www-data\nlisten.mode = 0666\npm = ondemand\npm.max_children = 1\n" '$RX' '$RX' > "$1"' sh "$RH/root/srv/tenants/t1/pool.conf"
rel_h_run
if sane && [ $rc -eq 1 ] && has "[carry-refused]" && has "listens on /run/php/php8.4-fpm.sock too" \
   && [ ! -e "$RH/root/etc/php/8.4" ]; then ok release-carry-steals-new-socket
else bad release-carry-steals-new-socket "rc=$rc $out"; fi
