# Prediction + drop-in (the default): Pre-Install-Pkgs pins access before
# dpkg, so the restart inside the upgrade already creates the right
# socket: no request is refused for permission, and www.conf is exactly
# the package's file (no locally modified conffile).
. /e2e/inner.sh
start_site; install_guard || bad install "$(cat /tmp/install.log)"
loop_through predicted /e2e/php8.2-fpm-cve.deb
if [ $apt_rc -eq 0 ] && [ "$denied" = 0 ] && site_ok && grep -q "action: pinned (policy fix)" /tmp/apt.out \
   && cmp -s "$W" <(deb_file /e2e/php8.2-fpm-cve.deb "$W") \
   && grep -q '^listen.owner = www-data$' /etc/php/8.2/fpm/pool.d/zz-php-fpm-guard.conf; then
	ok "predicted ($requests requests, $failed failed, $denied denied)"
else bad predicted "apt=$apt_rc requests=$requests failed=$failed denied=$denied $(cat /tmp/apt.out)"; fi
restart_fpm
site_ok && ok predicted-after-restart || bad predicted-after-restart "HTTP $(http_status)"
transcript "apt-get install ./php8.2-fpm-cve.deb, prediction (policy fix)" /tmp/apt.out
finish
