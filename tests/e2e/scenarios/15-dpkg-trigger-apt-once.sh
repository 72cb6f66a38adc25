# Under apt both fire: the trigger (inside dpkg) finds this run's
# Pre-Invoke snapshot, and apt holding dpkg's lock, and leaves the run
# to Post-Invoke: the 2014 upgrade through apt-get is reported once.
. /e2e/inner.sh
start_site; install_guard || bad install "$(cat /tmp/install.log)"
echo "predict = no" > /etc/php-fpm-guard/conf.d/40-e2e-post-invoke.conf
apt-get install -y -q /e2e/php8.2-fpm-cve.deb >/tmp/apt.out 2>&1; rc=$?
n=$(grep -c "error: pool www: www-data can no longer connect" /tmp/apt.out)
if [ $rc -eq 0 ] && grep -q "^Processing triggers for php-fpm-guard" /tmp/apt.out && [ "$n" = 1 ] \
   && grep -q "php-fpm-guard: post-invoke: 1 finding, outcome fixed" /tmp/apt.out \
   && ! grep -q "post-dpkg" /tmp/apt.out; then ok apt-reports-once
else bad apt-reports-once "rc=$rc n=$n $(cat /tmp/apt.out)"; fi
if [ "$(ls /var/log/php-fpm-guard/ | grep -c 'post-invoke.*\.json$')" = 1 ] \
   && ! ls /var/log/php-fpm-guard/ | grep -q 'post-dpkg' \
   && [ "$(grep -c 'PFG_FINDING kind=client-lost' /var/log/e2e-syslog)" = 1 ]; then ok one-report-saved
else bad one-report-saved "$(ls /var/log/php-fpm-guard/; grep PFG_ /var/log/e2e-syslog)"; fi
site_ok && ok site-after-upgrade || bad site-after-upgrade "HTTP $(http_status)"
if [ ! -e /var/lib/php-fpm-guard/pre-invoke.json ] && [ "$(jq -r .phase /var/lib/php-fpm-guard/last-good.json)" = post-invoke ] \
   && [ -z "$(dpkg --audit 2>&1)" ]; then ok last-good-from-post-invoke
else bad last-good-from-post-invoke "$(ls -l /var/lib/php-fpm-guard; dpkg --audit)"; fi
transcript "apt-get install ./php8.2-fpm-cve.deb: trigger and Post-Invoke" /tmp/apt.out
finish
