# The 2014 upgrade through apt with policy fix (the default): the
# package's postinst restarts php-fpm onto a root:root 0660 socket; the
# guard puts the explicit values into www.conf and repairs the socket.
. /e2e/inner.sh
start_site; install_guard || bad install "$(cat /tmp/install.log)"
# This scenario holds the Post-Invoke path; the prediction has its own (20, 21).
echo "predict = no" > /etc/php-fpm-guard/conf.d/40-e2e-post-invoke.conf
old=$(dpkg-query -W -f '${Version}' php8.2-fpm)
site_ok && ok site-before || bad site-before "HTTP $(http_status)"
apt-get install -y -q /e2e/php8.2-fpm-cve.deb >/tmp/apt.out 2>&1; rc=$?
if [ $rc -eq 0 ] && grep -q "$W:[0-9]*: error: pool www: www-data can no longer connect to $SOCK \[client-lost\]" /tmp/apt.out \
   && grep -q "action: fixed (policy fix)" /tmp/apt.out \
   && grep -qF "package:  php8.2-fpm $old -> $old+pfgcve1" /tmp/apt.out \
   && grep -q "is a conffile of php8.2-fpm and is now locally modified" /tmp/apt.out; then ok apt-fix
else bad apt-fix "rc=$rc $(cat /tmp/apt.out)"; fi
if grep -q '^listen.owner = www-data$' "$W" && grep -q '^listen.group = www-data$' "$W" \
   && grep -q '^listen.mode = 0660$' "$W" && php-fpm8.2 -t >/dev/null 2>&1; then ok www-conf-explicit
else bad www-conf-explicit "$(grep -n 'listen' "$W")"; fi
site_ok && ok site-after-upgrade || bad site-after-upgrade "HTTP $(http_status)"
restart_fpm
site_ok && ok site-after-restart || bad site-after-restart "HTTP $(http_status)"
if [ "$(jq -r '.outcome + " " + .findings[0].kind + " " + .findings[0].pool' /var/log/php-fpm-guard/latest.json)" = "fixed client-lost www" ] \
   && grep -q 'PFG_FINDING kind=client-lost .* pool="www" user="www-data" .*action=fixed' /var/log/e2e-syslog; then ok json-and-syslog
else bad json-and-syslog "$(cat /var/log/php-fpm-guard/latest.json /var/log/e2e-syslog)"; fi
transcript "apt-get install ./php8.2-fpm-cve.deb, policy fix" /tmp/apt.out
finish
