# unattended-upgrades is a libapt frontend too (python-apt): the trigger
# inside its dpkg run leaves the run to Post-Invoke, which reports once.
. /e2e/inner.sh; . /e2e/uu.sh
start_site; install_guard || bad install "$(cat /tmp/install.log)"
echo "predict = no" > /etc/php-fpm-guard/conf.d/40-e2e-post-invoke.conf
uu_repo || bad repo "$(cat /tmp/update.log)"
uu_run; rc=$?
if [ $rc -eq 0 ] && uu_log | grep -q "Processing triggers for php-fpm-guard" \
   && [ "$(ls /var/log/php-fpm-guard/ | grep -c 'post-invoke.*\.json$')" = 1 ] \
   && ! ls /var/log/php-fpm-guard/ | grep -q 'post-dpkg' \
   && [ "$(grep -c 'PFG_FINDING kind=client-lost' /var/log/e2e-syslog)" = 1 ] \
   && [ "$(jq -r '.command + " " + .outcome' /var/log/php-fpm-guard/latest.json)" = "post-invoke fixed" ]; then ok uu-reports-once
else bad uu-reports-once "rc=$rc $(ls /var/log/php-fpm-guard/; grep PFG_ /var/log/e2e-syslog; uu_log)"; fi
site_ok && ok uu-site-up || bad uu-site-up "HTTP $(http_status)"
finish
