# Prediction under policy abort: apt stops before dpkg runs.  The
# installed version is unchanged and the site never fails.
. /e2e/inner.sh
start_site; install_guard || bad install "$(cat /tmp/install.log)"
old=$(dpkg-query -W -f '${Version}' php8.2-fpm)
echo "policy = abort" > /etc/php-fpm-guard/conf.d/50-e2e.conf
loop_through abort /e2e/php8.2-fpm-cve.deb
if [ $apt_rc -ne 0 ] && [ "$failed" = 0 ] && [ "$(dpkg-query -W -f '${Version}' php8.2-fpm)" = "$old" ] \
   && grep -q "will not be able to connect to $SOCK after the next php-fpm restart" /tmp/apt.out \
   && grep -q "action: aborted (policy abort)" /tmp/apt.out; then
	ok "abort-before-dpkg ($requests requests, $failed failed, $denied denied)"
else bad abort-before-dpkg "apt=$apt_rc failed=$failed $(cat /tmp/apt.out)"; fi
transcript "apt-get install ./php8.2-fpm-cve.deb, prediction (policy abort)" /tmp/apt.out
finish
