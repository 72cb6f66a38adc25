# The same upgrade with policy abort: apt fails with DPkg::Post-Invoke,
# the report is on stderr, in syslog and in JSON, www.conf is exactly the
# package's new file.
. /e2e/inner.sh
start_site; install_guard || bad install "$(cat /tmp/install.log)"
# This scenario holds the Post-Invoke path; the prediction has its own (20, 21).
echo "predict = no" > /etc/php-fpm-guard/conf.d/40-e2e-post-invoke.conf
echo "policy = abort" > /etc/php-fpm-guard/conf.d/50-abort.conf
apt-get install -y -q /e2e/php8.2-fpm-cve.deb >/tmp/apt.out 2>/tmp/apt.err; rc=$?
if [ $rc -ne 0 ] && grep -q "Problem executing scripts DPkg::Post-Invoke" /tmp/apt.err \
   && grep -q "$W:[0-9]*: error: pool www: www-data can no longer connect" /tmp/apt.err \
   && grep -q "^        listen.owner = www-data$" /tmp/apt.err && grep -q "action: aborted (policy abort)" /tmp/apt.err; then ok apt-abort
else bad apt-abort "rc=$rc $(cat /tmp/apt.out /tmp/apt.err)"; fi
if cmp -s "$W" <(deb_file /e2e/php8.2-fpm-cve.deb "$W"); then ok www-conf-is-package-file
else bad www-conf-is-package-file "$(diff <(deb_file /e2e/php8.2-fpm-cve.deb "$W") "$W")"; fi
if [ "$(jq -r '.outcome + " " + .findings[0].action' /var/log/php-fpm-guard/latest.json)" = "aborted aborted" ] \
   && grep -q 'PFG_FINDING kind=client-lost .*action=aborted' /var/log/e2e-syslog \
   && grep -q 'PFG_RUN command=post-invoke outcome=aborted findings=1 exit=1' /var/log/e2e-syslog; then ok json-and-syslog
else bad json-and-syslog "$(cat /var/log/e2e-syslog)"; fi
[ "$(http_status)" = 502 ] && ok site-down-as-reported || bad site-down-as-reported "HTTP $(http_status)"
transcript "apt-get install ./php8.2-fpm-cve.deb, policy abort (stderr)" /tmp/apt.err
finish
