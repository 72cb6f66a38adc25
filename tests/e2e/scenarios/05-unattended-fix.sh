# unattended-upgrade installs the CVE-shaped upgrade; policy fix keeps the
# site up.
. /e2e/inner.sh; . /e2e/uu.sh
start_site; install_guard || bad install "$(cat /tmp/install.log)"
# This scenario holds the Post-Invoke path; the prediction has its own (20, 21).
echo "predict = no" > /etc/php-fpm-guard/conf.d/40-e2e-post-invoke.conf
old=$(dpkg-query -W -f '${Version}' php8.2-fpm)
uu_repo || bad repo "$(cat /tmp/update.log)"
uu_run; rc=$?
if [ $rc -eq 0 ] && [ "$(dpkg-query -W -f '${Version}' php8.2-fpm)" = "$old+pfgcve1" ]; then ok unattended-upgraded
else bad unattended-upgraded "rc=$rc $(cat /tmp/uu.out; uu_log)"; fi
if grep -q '^listen.owner = www-data$' "$W" && site_ok \
   && [ "$(jq -r .outcome /var/log/php-fpm-guard/latest.json)" = fixed ] \
   && grep -q 'PFG_FINDING kind=client-lost .*action=fixed' /var/log/e2e-syslog; then ok unattended-site-up
else bad unattended-site-up "HTTP $(http_status) $(uu_log)"; fi
restart_fpm
site_ok && ok unattended-site-up-after-restart || bad unattended-site-up-after-restart "HTTP $(http_status)"
finish
