# The Post-Invoke fix alone (predict = no): requests fail from the
# maintainer script's restart until Post-Invoke repairs the socket.
. /e2e/inner.sh
start_site; install_guard || bad install "$(cat /tmp/install.log)"
echo "predict = no" > /etc/php-fpm-guard/conf.d/50-e2e.conf
loop_through post-invoke /e2e/php8.2-fpm-cve.deb
[ $apt_rc -eq 0 ] && site_ok && grep -q "action: fixed" /tmp/apt.out && ok "post-invoke ($requests requests, $failed failed, $denied denied)" \
	|| bad post-invoke "apt=$apt_rc requests=$requests failed=$failed denied=$denied $(cat /tmp/apt.out)"
finish
