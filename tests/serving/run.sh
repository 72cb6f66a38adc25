#!/bin/bash
# The serving map with the real servers: nginx, and two php-fpm masters
# (instances 8.2 and 8.4: Debian's stock 8.2 configuration twice, the
# second a copy as a repacked php8.4-fpm would install it, both run by
# php-fpm8.2) behind Debian's php-fpm.sock alternative
#   /run/php/php-fpm.sock -> /etc/alternatives/php-fpm.sock -> /run/php/php8.X-fpm.sock
# Never the host's own config or sockets: the body runs in a private mount
# namespace with copies bind-mounted over /etc/nginx, /etc/php and
# /etc/alternatives and a tmpfs on /run/php.  Cases: `show` prints one
# line per site; the alternative retargeted under nginx (server-retargeted,
# a warning, and an error with [pool www] retarget = error; nginx answers
# from the new instance); two pools on one path (check and the diff name
# both file:line, and the second php-fpm really refuses); php-fpm stopped
# under a site (daemon-stopped, an error naming the site).
# Usage: tests/serving/run.sh BINARY
set -u
BIN=$(readlink -f "$1")
if [ "${PFG_SERVING_INNER:-}" != 1 ]; then
	for b in /usr/sbin/nginx /usr/sbin/php-fpm8.2 /usr/bin/curl /usr/bin/unshare; do
		[ -x "$b" ] || { echo "FAIL setup: $b missing (tests/install-deps.sh)"; exit 1; }
	done
	[ -d /run/php ] || { echo "FAIL setup: /run/php missing (php8.2-fpm installed?)"; exit 1; }
	PFG_SERVING_INNER=1 exec unshare --mount --propagation private "$0" "$@"
fi
work=$(mktemp -d /tmp/pfg-serving-XXXXXX); chmod 755 "$work"
. "$(dirname "$0")/../lib.sh"
FPM=/usr/sbin/php-fpm8.2
PORT=18093
declare -A mpid
ngx_pid=
cleanup() {
	local v
	[ -n "$ngx_pid" ] && kill "$ngx_pid" 2>/dev/null
	for v in "${!mpid[@]}"; do kill "${mpid[$v]}" 2>/dev/null; done
	wait 2>/dev/null
	rm -rf "$work"
}
trap cleanup EXIT

# ---- the copies, mounted where the servers and the guard look ----
E=$work/etc
mkdir -p "$E" "$work/www" "$work/log" "$work/state"
cp -a /etc/nginx "$E/nginx"
cp -a /etc/alternatives "$E/alternatives"
sed -i -e "s#^pid .*#pid $work/nginx.pid;#" -e "s#/var/log/nginx#$work/log#g" "$E/nginx/nginx.conf"
rm -f "$E/nginx/sites-enabled/"*
cat > "$E/nginx/sites-enabled/pfg" <<EOS
server {
	listen 127.0.0.1:$PORT;
	server_name pfg.example;
	root $work/www;
	location ~ \.php\$ {
		include snippets/fastcgi-php.conf;
		fastcgi_pass unix:/run/php/php-fpm.sock;
	}
}
EOS
SITE_LINE=7
printf '<?php echo getenv("PFG_INSTANCE"), "\\n";\n' > "$work/www/m.php"
for v in 8.2 8.4; do
	d=$E/php/$v/fpm
	mkdir -p "$d/pool.d"
	sed -e "s#^pid = .*#pid = /run/php/php$v-fpm.pid#" \
	    -e "s#^error_log = .*#error_log = $work/fpm$v.log#" \
	    -e "s#^include=.*#include=/etc/php/$v/fpm/pool.d/*.conf#" \
	    /etc/php/8.2/fpm/php-fpm.conf > "$d/php-fpm.conf"
	sed -e "s#^listen = .*#listen = /run/php/php$v-fpm.sock#" \
	    /etc/php/8.2/fpm/pool.d/www.conf > "$d/pool.d/www.conf"
	printf 'env[PFG_INSTANCE] = %s\n' "$v" >> "$d/pool.d/www.conf"
done
mount --bind "$E/nginx" /etc/nginx && mount --bind "$E/php" /etc/php &&
	mount --bind "$E/alternatives" /etc/alternatives && mount -t tmpfs -o mode=755 tmpfs /run/php ||
	{ echo "FAIL setup: mounts"; exit 1; }
chown www-data:www-data /run/php

start_master() {	# VERSION: (re)start that instance's master
	local v=$1 i
	[ -n "${mpid[$v]:-}" ] && { kill "${mpid[$v]}" 2>/dev/null; wait "${mpid[$v]}" 2>/dev/null; }
	rm -f "/run/php/php$v-fpm.sock"
	"$FPM" -n -F -y "/etc/php/$v/fpm/php-fpm.conf" >"$work/master$v.out" 2>&1 & mpid[$v]=$!
	for i in $(seq 50); do [ -S "/run/php/php$v-fpm.sock" ] && return 0; sleep 0.1; done
	return 1
}
stop_master() { kill "${mpid[$1]}" 2>/dev/null; wait "${mpid[$1]}" 2>/dev/null; mpid[$1]=; }
alt() { ln -sfn "/run/php/php$1-fpm.sock" /etc/alternatives/php-fpm.sock; }
get() { curl -s --max-time 5 "http://127.0.0.1:$PORT/m.php"; }
G=("$BIN" --fpm-config /etc/php/8.2/fpm/php-fpm.conf --fpm-config /etc/php/8.4/fpm/php-fpm.conf
   --fpm-binary "$FPM" --state-dir "$work/state" --log-dir "$work/log" --config "$work/guard.conf"
   --no-syslog)
: > "$work/guard.conf"

start_master 8.2 && start_master 8.4 || { echo "FAIL setup: php-fpm: $(cat "$work"/fpm*.log)"; exit 1; }
ln -sfn /etc/alternatives/php-fpm.sock /run/php/php-fpm.sock
alt 8.2
nginx -t -q && nginx && for _ in $(seq 50); do [ -s "$work/nginx.pid" ] && break; sleep 0.1; done
ngx_pid=$(cat "$work/nginx.pid" 2>/dev/null)
[ -n "$ngx_pid" ] || { echo "FAIL setup: nginx did not start"; exit 1; }

# ---- 1. show: one line per site ----
out=$("${G[@]}" show 2>&1); rc=$?
want="  site pfg.example (/etc/nginx/sites-enabled/pfg:$SITE_LINE): PHP 8.2 pool www as www-data via /run/php/php-fpm.sock -> /etc/alternatives/php-fpm.sock -> /run/php/php8.2-fpm.sock, nginx www-data can connect"
if [ $rc -eq 0 ] && grep -qxF -- "$want" <<<"$out" && [ "$(get)" = 8.2 ]; then ok serving-show
else bad serving-show "rc=$rc want [$want] in: $out"; fi
json=$("${G[@]}" show --json)
if [ "$(jq -r '.serving.sites[0] | "\(.site) \(.php) \(.pool) \(.pool_user) \(.can_connect) \(.hops|join(" "))"' <<<"$json")" \
     = "pfg.example 8.2 www www-data true /run/php/php-fpm.sock /etc/alternatives/php-fpm.sock /run/php/php8.2-fpm.sock" ] \
   && [ "$(jq -r .schema <<<"$json")" = 1 ]; then ok serving-json
else bad serving-json "$(jq -c .serving <<<"$json")"; fi

# ---- 2. the alternative retargeted to the other instance ----
"${G[@]}" pre-invoke; alt 8.4
out=$("${G[@]}" post-invoke 2>&1); rc=$?
if [ $rc -eq 0 ] && grep -qF "/etc/nginx/sites-enabled/pfg:$SITE_LINE: warning: pool www: nginx (server pfg.example) now reaches another PHP-FPM pool [server-retargeted]" <<<"$out" \
   && grep -qF "site server pfg.example: now PHP 8.4 pool www as www-data, before PHP 8.2 pool www as www-data" <<<"$out" \
   && [ "$(get)" = 8.4 ]; then ok retargeted-warning
else bad retargeted-warning "rc=$rc answer=$(get) $out"; fi
printf 'policy = abort\n[pool www]\nretarget = error\n' > "$work/guard.conf"
"${G[@]}" pre-invoke; alt 8.2
out=$("${G[@]}" post-invoke 2>&1); rc=$?
if [ $rc -eq 1 ] && grep -qF "pfg:$SITE_LINE: error: pool www: nginx (server pfg.example) now reaches another PHP-FPM pool [server-retargeted]" <<<"$out" \
   && grep -qF "now PHP 8.2 pool www as www-data, before PHP 8.4 pool www as www-data" <<<"$out" \
   && grep -qF "action: aborted (policy abort)" <<<"$out"; then ok retargeted-error-by-policy
else bad retargeted-error-by-policy "rc=$rc $out"; fi
: > "$work/guard.conf"
out=$("${G[@]}" pre-invoke 2>&1; "${G[@]}" post-invoke 2>&1); rc=$?
if [ $rc -eq 0 ] && [ -z "$out" ]; then ok unchanged-quiet
else bad unchanged-quiet "rc=$rc $out"; fi

# ---- 3. two pools on one path ----
"${G[@]}" pre-invoke
sed -i "s#^listen = .*#listen = /run/php/php8.2-fpm.sock#" /etc/php/8.4/fpm/pool.d/www.conf
out=$("${G[@]}" check 2>&1); rc=$?
if [ $rc -eq 1 ] && grep -qF "/etc/php/8.4/fpm/pool.d/www.conf:41: error: pool www listens on /run/php/php8.2-fpm.sock, where pool www of /etc/php/8.2/fpm/php-fpm.conf listens too (/etc/php/8.2/fpm/pool.d/www.conf:41)" <<<"$out"; then ok listen-conflict-check
else bad listen-conflict-check "rc=$rc $out"; fi
start_master 8.4; sleep 0.5
if grep -q "Another FPM instance seems to already listen on /run/php/php8.2-fpm.sock" "$work/fpm8.4.log" "$work/master8.4.out" 2>/dev/null; then ok listen-conflict-real
else bad listen-conflict-real "$(tail -3 "$work/fpm8.4.log" "$work/master8.4.out")"; fi
out=$("${G[@]}" post-invoke 2>&1); rc=$?
if [ $rc -eq 1 ] && grep -qF "/etc/php/8.4/fpm/pool.d/www.conf:41: error: pool www: two pools now listen on /run/php/php8.2-fpm.sock [listen-conflict]" <<<"$out" \
   && grep -qF "before: pool www of /etc/php/8.2/fpm/php-fpm.conf listens on /run/php/php8.2-fpm.sock (/etc/php/8.2/fpm/pool.d/www.conf:41)" <<<"$out"; then ok listen-conflict-diff
else bad listen-conflict-diff "rc=$rc $out"; fi
sed -i "s#^listen = .*#listen = /run/php/php8.4-fpm.sock#" /etc/php/8.4/fpm/pool.d/www.conf
start_master 8.4

# ---- 4. php-fpm stopped under the site ----
"${G[@]}" pre-invoke
stop_master 8.2
out=$("${G[@]}" post-invoke 2>&1); rc=$?
if [ $rc -eq 1 ] && grep -qF "/etc/php/8.2/fpm/php-fpm.conf: error: php-fpm is no longer running [daemon-stopped]" <<<"$out" \
   && grep -qF "sites on it get no PHP: server pfg.example (nginx /etc/nginx/sites-enabled/pfg:$SITE_LINE)" <<<"$out" \
   && [ "$(get)" != 8.2 ]; then ok stopped-under-site
else bad stopped-under-site "rc=$rc $out"; fi
"${G[@]}" pre-invoke
stop_master 8.4
out=$("${G[@]}" post-invoke 2>&1); rc=$?
if grep -qF "/etc/php/8.4/fpm/php-fpm.conf: warning: php-fpm is no longer running [daemon-stopped]" <<<"$out"; then ok stopped-without-site
else bad stopped-without-site "rc=$rc $out"; fi
finish
