# Sourced by every scenario, inside the sandbox.  Counters, and the
# services and packages a scenario needs.  /e2e holds the packages built
# outside: php-fpm-guard.deb, php8.2-fpm-cve.deb (the CVE-2014-0185 shaped
# upgrade of the installed php8.2-fpm), pfg-unrelated*.deb.
set -u
export DEBIAN_FRONTEND=noninteractive LC_ALL=C
. /e2e/lib.sh	# tests/lib.sh: ok, bad, finish, cve_shape
W=/etc/php/8.2/fpm/pool.d/www.conf
SOCK=/run/php/php8.2-fpm.sock

# The sandbox is a copy of this host, and this host may have its own
# php-fpm-guard -- installed (README command 1), or removed but not
# purged.  That one is not the guard under test: purge it, and whatever
# it left, so that every scenario starts on a host that never had it --
# no package, no APT hooks, no guard.conf or conf.d, no state, no
# reports, no pool drop-in, no node_exporter textfile.
purge_host_guard() {
	if dpkg-query -W -f '${db:Status-Abbrev}' php-fpm-guard 2>/dev/null | grep -q '^.[^n]'; then
		dpkg --purge php-fpm-guard >/tmp/host-guard-purge.log 2>&1 ||
			{ echo "FAIL host-guard-purge: $(cat /tmp/host-guard-purge.log)"; exit 1; }
	fi
	rm -rf /etc/apt/apt.conf.d/04php-fpm-guard /etc/php-fpm-guard /var/lib/php-fpm-guard \
		/var/log/php-fpm-guard /usr/lib/php-fpm-guard /usr/sbin/php-fpm-guard \
		/etc/php/*/fpm/pool.d/zz-php-fpm-guard.conf /etc/php5/fpm/pool.d/zz-php-fpm-guard.conf \
		/var/lib/prometheus/node-exporter/php_fpm_guard.prom
}
purge_host_guard
# What apt prints about the host's own sources and setup ("N: " notes)
# is not the guard's output: the silence checks read apt's output without.
apt_said() { grep -v '^N: ' "$1"; }

# Maintainer scripts may start and restart services in here, as on a
# real host (the host's own policy-rc.d denies it).
printf '#!/bin/sh\nexit 0\n' > /usr/sbin/policy-rc.d

# A syslog daemon stand-in: every datagram to /dev/log, one per line.
perl -MIO::Socket::UNIX -MSocket -e '
	my $s = IO::Socket::UNIX->new(Type => SOCK_DGRAM, Local => "/dev/log") or die "$!";
	open(my $f, ">>", "/var/log/e2e-syslog") or die; $f->autoflush(1);
	while (defined $s->recv(my $m, 65536)) { print $f "$m\n"; }' &
for _ in $(seq 50); do [ -S /dev/log ] && break; sleep 0.1; done

install_guard() {
	apt-get install -y -q /e2e/php-fpm-guard.deb >/tmp/install.log 2>&1
}
# nginx in front of the stock pool: the site a PHP user runs.
start_site() {
	mkdir -p /var/www/pfg
	echo '<?php echo "php-ok ", PHP_VERSION;' > /var/www/pfg/index.php
	cat > /etc/nginx/sites-enabled/pfg <<'EOS'
server {
	listen 127.0.0.1:8080;
	root /var/www/pfg;
	index index.php;
	location ~ \.php$ {
		include snippets/fastcgi-php.conf;
		fastcgi_pass unix:/run/php/php8.2-fpm.sock;
	}
}
EOS
	rm -f /etc/nginx/sites-enabled/default
	invoke-rc.d php8.2-fpm start >/dev/null 2>&1 || /etc/init.d/php8.2-fpm start >/dev/null 2>&1
	nginx
	for _ in $(seq 50); do [ -S "$SOCK" ] && break; sleep 0.1; done
}
http_status() { curl -s -o /tmp/body -w '%{http_code}' http://127.0.0.1:8080/index.php; }
site_ok() { [ "$(http_status)" = 200 ] && grep -q php-ok /tmp/body; }
restart_fpm() {
	invoke-rc.d php8.2-fpm restart >/dev/null 2>&1
	for _ in $(seq 50); do [ -S "$SOCK" ] && break; sleep 0.1; done
}
# Print a file for the record (tests/e2e/run.sh keeps each scenario's
# output in $(BUILD)/e2e/; the transcripts in docs/design.md come from there).
transcript() { echo "=== transcript: $1"; cat "$2"; echo "=== end of transcript"; }
# The package's own www.conf, as dpkg would install it.
deb_file() { dpkg-deb --fsys-tarfile "$1" | tar -xO ".$2"; }

# Requests through nginx for the whole of an apt-get install: each
# response code on a line in /tmp/codes; nginx's own "(13: Permission
# denied)" lines counted too.  Prints "RESULT NAME requests failed denied".
loop_through() {	# loop_through NAME APT-ARGS...
	local name=$1; shift
	: > /var/log/nginx/error.log; rm -f /tmp/stop /tmp/codes
	( while [ ! -e /tmp/stop ]; do
		curl -s -o /dev/null -w '%{http_code}\n' --max-time 2 http://127.0.0.1:8080/index.php
	  done ) > /tmp/codes &
	local lp=$!
	sleep 1
	apt-get install -y -q "$@" >/tmp/apt.out 2>&1; apt_rc=$?
	sleep 1; touch /tmp/stop; wait $lp
	requests=$(wc -l < /tmp/codes)
	failed=$(grep -vc '^200$' /tmp/codes)
	denied=$(grep -c '(13: Permission denied)' /var/log/nginx/error.log)
	echo "RESULT $name $requests $failed $denied"
}
