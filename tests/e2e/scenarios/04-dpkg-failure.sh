# dpkg fails in the same run (a package whose postinst fails): the guard's
# Post-Invoke still runs and reports, and apt still fails for dpkg's
# reason -- the guard never masks it.
. /e2e/inner.sh
start_site; install_guard || bad install "$(cat /tmp/install.log)"
# This scenario holds the Post-Invoke path; the prediction has its own (20, 21).
echo "predict = no" > /etc/php-fpm-guard/conf.d/40-e2e-post-invoke.conf
apt-get install -y -q /e2e/php8.2-fpm-cve.deb /e2e/pfg-broken.deb >/tmp/apt.out 2>&1; rc=$?
if [ $rc -ne 0 ] && grep -q "pfg-broken" /tmp/apt.out && grep -q "subprocess installed post-installation script returned error exit status 1\|installed pfg-broken package post-installation script subprocess returned error exit status 1" /tmp/apt.out; then ok dpkg-failure-not-masked
else bad dpkg-failure-not-masked "rc=$rc $(cat /tmp/apt.out)"; fi
if grep -q "www-data can no longer connect" /tmp/apt.out && grep -q '^listen.owner = www-data$' "$W" && site_ok; then ok guard-still-ran
else bad guard-still-ran "$(cat /tmp/apt.out)"; fi
finish
