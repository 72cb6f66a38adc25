# The 2014 upgrade installed with `dpkg -i`, which runs no APT hook: the
# guard's dpkg file trigger (interest-noawait /etc/php) judges it against
# the last good state, recorded when the guard was installed.  Policy fix
# (the default): dpkg returns 0, the site answers, www.conf holds
# explicit values, nothing is left pending.
. /e2e/inner.sh
L=/var/lib/php-fpm-guard/last-good.json
start_site; install_guard || bad install "$(cat /tmp/install.log)"
old=$(dpkg-query -W -f '${Version}' php8.2-fpm)
if [ -f $L ] && [ "$(stat -c '%U %a' $L)" = "root 600" ] && jq -e '.root == "/"' $L >/dev/null \
   && ! grep -q 'php-fpm-guard: ' /tmp/install.log; then ok baseline-at-install
else bad baseline-at-install "$(ls -l /var/lib/php-fpm-guard; cat /tmp/install.log)"; fi
site_ok && ok site-before || bad site-before "HTTP $(http_status)"
dpkg -i /e2e/php8.2-fpm-cve.deb >/tmp/dpkg.out 2>&1; rc=$?
if [ $rc -eq 0 ] && grep -q "^Processing triggers for php-fpm-guard" /tmp/dpkg.out \
   && grep -q "$W:[0-9]*: error: pool www: www-data can no longer connect to $SOCK \[client-lost\]" /tmp/dpkg.out \
   && grep -qF "package:  php8.2-fpm $old -> $old+pfgcve1" /tmp/dpkg.out \
   && grep -q "action: fixed (policy fix)" /tmp/dpkg.out \
   && grep -q "php-fpm-guard: post-dpkg: 1 finding, outcome fixed" /tmp/dpkg.out; then ok dpkg-i-fix
else bad dpkg-i-fix "rc=$rc $(cat /tmp/dpkg.out)"; fi
site_ok && ok site-after-dpkg || bad site-after-dpkg "HTTP $(http_status)"
if grep -q '^listen.owner = www-data$' "$W" && grep -q '^listen.group = www-data$' "$W" \
   && grep -q '^listen.mode = 0660$' "$W"; then ok www-conf-explicit
else bad www-conf-explicit "$(grep -n 'listen' "$W")"; fi
restart_fpm
site_ok && ok site-after-restart || bad site-after-restart "HTTP $(http_status)"
audit=$(dpkg --audit 2>&1)
if [ -z "$audit" ] && [ "$(dpkg-query -W -f '${Status}' php-fpm-guard)" = "install ok installed" ]; then ok nothing-pending
else bad nothing-pending "$audit $(dpkg-query -W -f '${Status} ${Triggers-Pending}' php-fpm-guard)"; fi
out=$(php-fpm-guard status); src=$?
if [ $src -eq 0 ] && grep -q '^fixed: post-dpkg at .*, 1 finding, exit 0' <<<"$out" \
   && [ "$(jq -r '.command + " " + .outcome + " " + .findings[0].kind' /var/log/php-fpm-guard/latest.json)" = "post-dpkg fixed client-lost" ] \
   && grep -q 'PFG_FINDING kind=client-lost .* pool="www" .*action=fixed' /var/log/e2e-syslog \
   && [ "$(jq -r .phase $L)" = post-dpkg ]; then ok status-json-syslog
else bad status-json-syslog "status=$src $out $(cat /var/log/php-fpm-guard/latest.json)"; fi
# Another package under /etc/php fires the trigger too: nothing changed,
# nothing said.
mkdir -p /tmp/ext/DEBIAN /tmp/ext/etc/php/8.2/mods-available
printf 'Package: pfg-phpext\nVersion: 1.0\nArchitecture: all\nMaintainer: e2e <e2e@example.org>\nDescription: php-fpm-guard e2e test package\n' > /tmp/ext/DEBIAN/control
echo '; pfg' > /tmp/ext/etc/php/8.2/mods-available/pfgext.ini
dpkg-deb -b /tmp/ext /tmp/pfg-phpext.deb >/dev/null
dpkg -i /tmp/pfg-phpext.deb >/tmp/dpkg2.out 2>&1; rc=$?
if [ $rc -eq 0 ] && grep -q "^Processing triggers for php-fpm-guard" /tmp/dpkg2.out \
   && ! grep -q 'php-fpm-guard: ' /tmp/dpkg2.out && php-fpm-guard status | grep -q '^ok: post-dpkg'; then ok other-php-package-quiet
else bad other-php-package-quiet "rc=$rc $(cat /tmp/dpkg2.out)"; fi
transcript "dpkg -i php8.2-fpm-cve.deb, policy fix" /tmp/dpkg.out
finish
