# Without the guard: the 2014 incident.  From the restart on every
# request fails with "(13: Permission denied)".
. /e2e/inner.sh
start_site
loop_through no-guard /e2e/php8.2-fpm-cve.deb
[ $apt_rc -eq 0 ] && [ "$denied" -gt 0 ] && ! site_ok && ok "no-guard ($requests requests, $failed failed, $denied denied)" \
	|| bad no-guard "apt=$apt_rc requests=$requests failed=$failed denied=$denied"
finish
