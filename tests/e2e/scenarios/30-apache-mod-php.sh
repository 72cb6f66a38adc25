# Apache and mod_php (issue 14, item 4).  Apache 2.4 serves PHP from the
# stock pool through mod_proxy_fcgi and Debian's php8.2-fpm.conf, which
# sits inside <IfModule !mod_php8.c> (here rewritten to <IfModule
# !php_module>, see below).  Then `apt-get install
# libapache2-mod-php8.2` (from Debian's archive through the host's apt
# lists; the sandbox has no network, so the .deb must be in the host's
# /var/cache/apt/archives: `apt-get install --download-only
# libapache2-mod-php8.2` once).  Its postinst moves Apache to
# mpm_prefork and enables the module.
#   policy abort:  the Pre-Install-Pkgs hook predicts handler-changed for
#                  the site on the pool and apt stops before dpkg: the
#                  package is not installed, the pool still serves.
#   policy report: the prediction is said, the package is installed, and
#                  post-invoke reports handler-changed; php_sapi_name()
#                  through Apache says apache2handler.
# With Debian's own php8.2-fpm.conf (<IfModule !mod_php8.c>, a name PHP 8's
# module does not carry) the pool keeps serving beside mod_php, and the
# guard says so: the last part.
. /e2e/inner.sh
APC=/etc/apache2/conf-enabled/php8.2-fpm.conf
PKG=libapache2-mod-php8.2

start_apache() {
	mkdir -p /run/lock
	a2enmod -q proxy_fcgi setenvif >/dev/null && a2enconf -q php8.2-fpm >/dev/null || return 1
	sed -i 's/^Listen 80$/Listen 8081/' /etc/apache2/ports.conf
	sed -i 's/<VirtualHost \*:80>/<VirtualHost *:8081>/' /etc/apache2/sites-available/000-default.conf
	echo '<?php echo "sapi ", php_sapi_name();' > /var/www/html/index.php
	apache2ctl start >/tmp/apache.log 2>&1
	for _ in $(seq 50); do [ "$(sapi)" != "" ] && return 0; sleep 0.1; done
	return 1
}
sapi() { curl -s --max-time 5 http://127.0.0.1:8081/index.php | sed -n 's/^sapi //p'; }

if ! ls /var/cache/apt/archives/${PKG}_*.deb >/dev/null 2>&1; then
	bad setup "$PKG is not in the host's apt cache: apt-get install --download-only $PKG"
	finish; exit 1
fi
start_site; install_guard || bad install "$(cat /tmp/install.log)"
start_apache || bad apache-start "$(cat /tmp/apache.log)"
aline=$(grep -n '^ *SetHandler' $APC | head -1 | cut -d: -f1)
if [ "$(sapi)" = fpm-fcgi ]; then ok apache-on-pool
else bad apache-on-pool "sapi '$(sapi)'"; fi
out=$(php-fpm-guard show 2>&1)
if grep -qF "  site every site ($APC:$aline): PHP 8.2 pool www as www-data via $SOCK, apache2 www-data can connect" <<<"$out"; then ok show-apache-site
else bad show-apache-site "$out"; fi

# Debian's php8.2-fpm.conf tests mod_php8.c, but PHP 8's module calls
# itself mod_php.c (its source file): with stock files the pool keeps
# serving after the install, and the guard predicts nothing (the last
# part checks that).  The FPM handler as admins and panels write it,
# behind <IfModule !php_module>, is taken over: that is the breakage.
sed -i 's/^<IfModule !mod_php8.c>$/<IfModule !php_module>/' $APC
apache2ctl -k graceful >/dev/null 2>&1; sleep 1

# ---- abort: stopped before dpkg ----
echo "policy = abort" > /etc/php-fpm-guard/conf.d/40-e2e.conf
apt-get install -y -q $PKG >/tmp/apt.out 2>/tmp/apt.err; rc=$?
if [ $rc -ne 0 ] && grep -qF "$APC:$aline: security warning: pool www: apache2 (every site) no longer sends PHP to the pool: mod_php serves it [handler-changed]" /tmp/apt.err \
   && grep -qF "predicted: mod_php from $PKG" /tmp/apt.err && grep -qF "action: aborted (policy abort)" /tmp/apt.err \
   && ! dpkg-query -W -f '${Status}' $PKG 2>/dev/null | grep -q 'ok installed' \
   && [ "$(sapi)" = fpm-fcgi ]; then ok predicted-abort
else bad predicted-abort "rc=$rc sapi $(sapi) $(cat /tmp/apt.out /tmp/apt.err)"; fi
transcript "apt-get install $PKG under abort (stderr)" /tmp/apt.err

# ---- report: installed; post-invoke says what really happened ----
echo "policy = report" > /etc/php-fpm-guard/conf.d/40-e2e.conf
apt-get install -y -q $PKG >/tmp/apt.out 2>/tmp/apt.err; rc=$?
restart_apache() {	# a new MPM needs a stop and a start
	apache2ctl stop >/dev/null 2>&1; sleep 1; apache2ctl start >>/tmp/apache.log 2>&1
	for _ in $(seq 50); do [ -n "$(sapi)" ] && break; sleep 0.1; done
}
restart_apache
if [ $rc -eq 0 ] && grep -qF "predicted: mod_php from $PKG" /tmp/apt.err \
   && dpkg-query -W -f '${Status}' $PKG | grep -q 'ok installed'; then ok installed-under-report
else bad installed-under-report "rc=$rc $(cat /tmp/apt.out /tmp/apt.err)"; fi
if [ "$(sapi)" = apache2handler ] \
   && grep -qF "now:    mod_php (php_module, /etc/apache2/mods-enabled/php8.2.load:" /tmp/apt.err \
   && grep -qF "$APC:$aline: security warning: pool www: apache2 (every site) no longer sends PHP to the pool: mod_php serves it [handler-changed]" /tmp/apt.err; then
	ok reported-after-dpkg
else bad reported-after-dpkg "sapi '$(sapi)' $(cat /tmp/apt.err)"; fi
out=$(php-fpm-guard show 2>&1)
if grep -qF "apache2, every site: PHP by mod_php in Apache itself" <<<"$out"; then ok show-mod-php
else bad show-mod-php "$out"; fi
transcript "apt-get install $PKG under report (stderr)" /tmp/apt.err

# ---- Debian's own file: the pool keeps serving beside mod_php ----
sed -i 's/^<IfModule !php_module>$/<IfModule !mod_php8.c>/' $APC
restart_apache
out=$(php-fpm-guard show 2>&1)
if [ "$(sapi)" = fpm-fcgi ] \
   && grep -qF "  site every site ($APC:$aline): PHP 8.2 pool www as www-data via $SOCK, apache2 www-data can connect (mod_php php_module is loaded too, /etc/apache2/mods-enabled/php8.2.load:" <<<"$out"; then
	ok stock-conf-keeps-pool
else bad stock-conf-keeps-pool "sapi '$(sapi)' $out"; fi
apache2ctl stop >/dev/null 2>&1
finish
