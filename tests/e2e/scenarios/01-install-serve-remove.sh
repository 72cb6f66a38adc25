# Install the .deb next to a working nginx + php8.2-fpm site; an unrelated
# package install is silent; remove keeps apt working; purge cleans up.
. /e2e/inner.sh
start_site
site_ok && ok site-serves || bad site-serves "HTTP $(http_status)"
if install_guard && [ -x /usr/sbin/php-fpm-guard ] && [ -f /etc/apt/apt.conf.d/04php-fpm-guard ] \
   && [ "$(stat -c %a:%U /var/lib/php-fpm-guard)" = 700:root ]; then ok install
else bad install "$(cat /tmp/install.log)"; fi
out=$(php-fpm-guard check 2>&1); rc=$?
if [ $rc -eq 0 ] && grep -q "ok: pool www: /run/php/php8.2-fpm.sock (www-data:www-data 0660): reachable by www-data" <<<"$out"; then ok check
else bad check "rc=$rc $out"; fi
cp "$W" /tmp/www.before
apt-get install -y -q /e2e/pfg-unrelated.deb >/tmp/apt.out 2>&1; rc=$?
if [ $rc -eq 0 ] && ! apt_said /tmp/apt.out | grep -qi "php-fpm-guard" && cmp -s "$W" /tmp/www.before \
   && [ ! -e /var/log/php-fpm-guard/latest.json ] && [ ! -e /var/lib/php-fpm-guard/pre-invoke.json ]; then ok unrelated-is-silent
else bad unrelated-is-silent "rc=$rc $(cat /tmp/apt.out)"; fi
apt-get remove -y -q php-fpm-guard >/tmp/apt.out 2>&1; rc=$?
apt-get install -y -q /e2e/pfg-unrelated2.deb >/tmp/apt2.out 2>&1; rc2=$?
if [ $rc -eq 0 ] && [ $rc2 -eq 0 ] && [ -f /etc/apt/apt.conf.d/04php-fpm-guard ] && [ ! -e /usr/sbin/php-fpm-guard ] \
   && [ ! -e /var/lib/php-fpm-guard/pre-invoke.json ]; then ok remove-keeps-apt-working
else bad remove-keeps-apt-working "rc=$rc rc2=$rc2 $(cat /tmp/apt.out /tmp/apt2.out)"; fi
apt-get purge -y -q php-fpm-guard >/tmp/apt.out 2>&1; rc=$?
if [ $rc -eq 0 ] && [ ! -e /var/lib/php-fpm-guard ] && [ ! -e /var/log/php-fpm-guard ] \
   && [ ! -e /etc/apt/apt.conf.d/04php-fpm-guard ] && apt-get install -y -q /e2e/pfg-unrelated.deb >/dev/null 2>&1; then ok purge
else bad purge "rc=$rc $(cat /tmp/apt.out)"; fi
finish
