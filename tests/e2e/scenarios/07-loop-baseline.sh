# Baseline for the request loop: the same upgrade mechanics (unpack,
# restart by the maintainer script) with www.conf unchanged, no guard:
# what a plain php-fpm restart costs by itself.
. /e2e/inner.sh
start_site
site_ok || bad site "HTTP $(http_status)"
loop_through baseline /e2e/php8.2-fpm-plain.deb
[ $apt_rc -eq 0 ] && [ "$denied" = 0 ] && [ "$requests" -gt 20 ] && ok "baseline ($requests requests, $failed failed, $denied denied)" \
	|| bad baseline "apt=$apt_rc requests=$requests failed=$failed denied=$denied $(cat /tmp/apt.out)"
finish
