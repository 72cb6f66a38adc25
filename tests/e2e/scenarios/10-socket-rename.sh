# A socket renamed by an upgrade under the web servers that use it -- the
# php5 -> php7 breakage.  nginx (start_site) and Apache 2.4 with
# mod_proxy_fcgi and Debian's php8.2-fpm.conf enabled both serve PHP from
# /run/php/php8.2-fpm.sock.  The upgrade is the installed php8.2-fpm
# rebuilt with `listen = /run/php/php-fpm.sock` in its www.conf: dpkg
# replaces the unmodified conffile, the postinst restarts php-fpm on the
# new path, both sites fail.  post-invoke names every directive still
# pointing at the old path by file:line (server-socket-lost: an error
# with no fix, so even policy fix fails the apt run), and so does check.
. /e2e/inner.sh
NGX=/etc/nginx/sites-enabled/pfg
APC=/etc/apache2/conf-enabled/php8.2-fpm.conf
NEW=/run/php/php-fpm.sock

start_apache() {
	mkdir -p /run/lock	# /var/lock: the sandbox's /run starts empty
	a2enmod -q proxy_fcgi setenvif >/dev/null && a2enconf -q php8.2-fpm >/dev/null || return 1
	sed -i 's/^Listen 80$/Listen 8081/' /etc/apache2/ports.conf
	sed -i 's/<VirtualHost \*:80>/<VirtualHost *:8081>/' /etc/apache2/sites-available/000-default.conf
	echo '<?php echo "php-ok ", PHP_VERSION;' > /var/www/html/index.php
	apache2ctl start >/tmp/apache.log 2>&1
	for _ in $(seq 50); do apache_status | grep -q '^[0-9]' && return 0; sleep 0.1; done
	return 1
}
apache_status() { curl -s -o /tmp/abody -w '%{http_code}' http://127.0.0.1:8081/index.php; }
# The installed php8.2-fpm, repacked, a higher version, listening elsewhere.
build_rename_deb() {
	local d=/tmp/rename v
	mkdir -p $d && (cd $d && dpkg-repack php8.2-fpm >/dev/null 2>&1) || return 1
	dpkg-deb -R $d/php8.2-fpm_*.deb $d/tree || return 1
	v=$(dpkg-query -W -f '${Version}' php8.2-fpm)
	sed -i "s/^Version: .*/Version: $v+pfgrename1/" $d/tree/DEBIAN/control
	sed -i "s#^listen = .*#listen = $NEW#" $d/tree$W
	(cd $d/tree && find . -type f ! -path './DEBIAN/*' -printf '%P\0' | sort -z |
		xargs -0 md5sum > DEBIAN/md5sums)
	dpkg-deb -b $d/tree /tmp/php8.2-fpm-rename.deb >/dev/null
}

start_site; install_guard || bad install "$(cat /tmp/install.log)"
echo "predict = no" > /etc/php-fpm-guard/conf.d/40-e2e-post-invoke.conf
start_apache || bad apache-start "$(cat /tmp/apache.log)"
build_rename_deb || bad build "cannot repack php8.2-fpm"
nline=$(grep -n 'fastcgi_pass' $NGX | cut -d: -f1)
aline=$(grep -n '^ *SetHandler' $APC | head -1 | cut -d: -f1)
if site_ok && [ "$(apache_status)" = 200 ] && grep -q php-ok /tmp/abody; then ok both-sites-serve
else bad both-sites-serve "nginx $(http_status) apache $(apache_status)"; fi
out=$(php-fpm-guard show 2>&1)
if grep -qF "used by:     nginx (www-data) fastcgi_pass at $NGX:$nline, unnamed server" <<<"$out" \
   && grep -qF "used by:     apache2 (www-data) SetHandler at $APC:$aline, every site" <<<"$out" \
   && grep -qF "nginx   /etc/nginx/nginx.conf (read: nginx -T): user www-data" <<<"$out" \
   && grep -qF "apache2 /etc/apache2/apache2.conf (read: files, checked with apache2ctl): user www-data" <<<"$out"; then ok show-used-by
else bad show-used-by "$out"; fi

apt-get install -y -q /tmp/php8.2-fpm-rename.deb >/tmp/apt.out 2>/tmp/apt.err; rc=$?
missing=
for w in "$NGX:$nline: error: pool www: nginx (unnamed server) still sends requests to $SOCK, where no pool listens now [server-socket-lost]" \
	 "$APC:$aline: error: pool www: apache2 (every site) still sends requests to $SOCK, where no pool listens now [server-socket-lost]" \
	 "now:    pool www listens on $NEW" "action: aborted (policy fix)" \
	 "Problem executing scripts DPkg::Post-Invoke"; do
	grep -qF -- "$w" /tmp/apt.err || missing="$missing [$w]"
done
if [ $rc -ne 0 ] && [ -z "$missing" ]; then ok rename-reported-by-vhost
else bad rename-reported-by-vhost "rc=$rc missing:$missing $(cat /tmp/apt.out /tmp/apt.err)"; fi
if [ "$(http_status)" = 502 ] && [ "$(apache_status)" = 503 ]; then ok sites-down-as-reported
else bad sites-down-as-reported "nginx $(http_status) apache $(apache_status)"; fi
if [ "$(jq -r '[.findings[]|select(.kind=="server-socket-lost")|"\(.file):\(.line)"]|sort|join(" ")' /var/log/php-fpm-guard/latest.json)" = "$APC:$aline $NGX:$nline" ] \
   && grep -q "PFG_FINDING kind=server-socket-lost severity=error .*file=\"$NGX\" line=$nline .*action=aborted" /var/log/e2e-syslog; then ok json-and-syslog
else bad json-and-syslog "$(cat /var/log/php-fpm-guard/latest.json; grep PFG_ /var/log/e2e-syslog)"; fi
out=$(php-fpm-guard check 2>&1); rc=$?
if [ $rc -eq 1 ] && grep -qF "$NGX:$nline: error: nginx, unnamed server: fastcgi_pass to $SOCK, where no PHP-FPM pool listens" <<<"$out" \
   && grep -qF "$APC:$aline: error: apache2, every site: SetHandler to $SOCK" <<<"$out" \
   && grep -qF "pools listen on: $NEW (pool www)" <<<"$out"; then ok check-names-vhosts
else bad check-names-vhosts "rc=$rc $out"; fi
out=$(php-fpm-guard status); rc=$?
[ $rc -eq 1 ] && grep -q '^aborted: post-invoke ' <<<"$out" && ok status-aborted || bad status-aborted "rc=$rc $out"
# Point nginx at the new socket: its site works, only Apache is left.
sed -i "s#unix:$SOCK#unix:$NEW#" $NGX && nginx -s reload; sleep 1
out=$(php-fpm-guard check 2>&1); rc=$?
if site_ok && [ $rc -eq 1 ] && ! grep -qF "$NGX:$nline: error" <<<"$out" && grep -qF "$APC:$aline: error" <<<"$out" \
   && grep -qF "ok: pool www: $NEW (www-data:www-data 0660): reachable by www-data; used by nginx at $NGX:$nline" <<<"$out"; then ok nginx-repointed
else bad nginx-repointed "rc=$rc HTTP $(http_status) $out"; fi
transcript "apt-get install ./php8.2-fpm-rename.deb (stderr)" /tmp/apt.err
apache2ctl stop >/dev/null 2>&1
finish
