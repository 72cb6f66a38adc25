# `dpkg -i` of the 2014 upgrade under policy abort: dpkg has already
# unpacked and restarted php-fpm, so nothing can be stopped; the trigger
# reports the pool and fails, which leaves it pending: dpkg says so and
# `dpkg --audit` shows it.  What the admin then does (php-fpm-guard(8),
# TRIGGER): fix the pool, then dpkg --configure --pending.
. /e2e/inner.sh
start_site; install_guard || bad install "$(cat /tmp/install.log)"
echo "policy = abort" > /etc/php-fpm-guard/conf.d/50-abort.conf
dpkg -i /e2e/php8.2-fpm-cve.deb >/tmp/dpkg.out 2>&1; rc=$?
if [ $rc -ne 0 ] && grep -q "^Processing triggers for php-fpm-guard" /tmp/dpkg.out \
   && grep -q "$W:[0-9]*: error: pool www: www-data can no longer connect to $SOCK \[client-lost\]" /tmp/dpkg.out \
   && grep -q "^        listen.owner = www-data$" /tmp/dpkg.out \
   && grep -q "action: aborted (policy abort)" /tmp/dpkg.out \
   && grep -q "error processing package php-fpm-guard" /tmp/dpkg.out; then ok trigger-reports-pool
else bad trigger-reports-pool "rc=$rc $(cat /tmp/dpkg.out)"; fi
if cmp -s "$W" <(deb_file /e2e/php8.2-fpm-cve.deb "$W"); then ok www-conf-is-package-file
else bad www-conf-is-package-file "$(diff <(deb_file /e2e/php8.2-fpm-cve.deb "$W") "$W")"; fi
dpkg --audit >/tmp/audit.out 2>&1
st=$(dpkg-query -W -f '${Status}' php-fpm-guard)
if grep -q 'php-fpm-guard' /tmp/audit.out && [ "$st" != "install ok installed" ]; then ok audit-shows-pending
else bad audit-shows-pending "status=$st $(cat /tmp/audit.out)"; fi
out=$(php-fpm-guard status); src=$?
[ $src -eq 1 ] && grep -q '^aborted: post-dpkg ' <<<"$out" && ok status-aborted || bad status-aborted "rc=$src $out"
! site_ok && ok site-down-as-reported || bad site-down-as-reported "HTTP $(http_status)"
# The admin: fix the pool, then let dpkg finish.
php-fpm-guard fix >/tmp/fix.out 2>&1; frc=$?
dpkg --configure --pending >/tmp/pending.out 2>&1; prc=$?
audit=$(dpkg --audit 2>&1)
if [ $frc -eq 0 ] && [ $prc -eq 0 ] && [ -z "$audit" ] && site_ok \
   && [ "$(dpkg-query -W -f '${Status}' php-fpm-guard)" = "install ok installed" ]; then ok admin-recovers
else bad admin-recovers "fix=$frc pending=$prc audit=$audit $(cat /tmp/fix.out /tmp/pending.out)"; fi
cat /tmp/dpkg.out /tmp/audit.out > /tmp/transcript
transcript "dpkg -i php8.2-fpm-cve.deb, policy abort; dpkg --audit" /tmp/transcript
finish
