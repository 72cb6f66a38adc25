# The same with policy abort: unattended-upgrades records the failure.
. /e2e/inner.sh; . /e2e/uu.sh
start_site; install_guard || bad install "$(cat /tmp/install.log)"
# This scenario holds the Post-Invoke path; the prediction has its own (20, 21).
echo "predict = no" > /etc/php-fpm-guard/conf.d/40-e2e-post-invoke.conf
echo "policy = abort" > /etc/php-fpm-guard/conf.d/50-abort.conf
uu_repo || bad repo "$(cat /tmp/update.log)"
uu_run; rc=$?
if [ $rc -ne 0 ] && uu_log | grep -q "Problem executing scripts DPkg::Post-Invoke" \
   && [ "$(jq -r .outcome /var/log/php-fpm-guard/latest.json)" = aborted ] \
   && grep -q 'PFG_RUN command=post-invoke outcome=aborted' /var/log/e2e-syslog \
   && grep -q '^;listen.owner' "$W"; then ok unattended-abort-recorded
else bad unattended-abort-recorded "rc=$rc $(cat /tmp/uu.out; uu_log)"; fi
finish
