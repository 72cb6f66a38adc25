# Sourced by tests/hostile/run.sh (its helpers: run, sane, has, GR,
# fixture, ok, bad ...).  Issue 14, the serving map.  /run/php is
# www-data's on Debian (0755 www-data:www-data), and so is the first link
# of the php-fpm.sock alternative, /run/php/php-fpm.sock: www-data may
# replace it.  Every plant below is made AS www-data, in a fixture root.
#   serving-hop-loop             a symlink loop at the alternative: show
#       ends, says "a symlink loop", and the site reaches no pool
#   serving-hop-escape           a chain aimed out of the root (absolute
#       targets, ..): every hop is read inside the root, the host's
#       /etc/alternatives is never named
#   serving-retarget-by-www-data www-data points the alternative at
#       another pool (a privileged one): post-invoke says
#       server-retargeted with both pools (the old guard said nothing)
wwwdo() { setpriv --reuid=www-data --regid=www-data --clear-groups "$@"; }
serving_fixture() {
	fixture
	chown 33:33 "$R/run/php"; chmod 0755 "$R/run"
	mkdir -p "$R/etc/nginx/sites-enabled" "$R/etc/alternatives"
	printf 'user www-data;\nhttp { include /etc/nginx/sites-enabled/*; }\n' > "$R/etc/nginx/nginx.conf"
	printf 'server {\n\tserver_name shop.example;\n\tlocation ~ \\.php$ {\n\t\tfastcgi_pass unix:/run/php/php-fpm.sock;\n\t}\n}\n' \
		> "$R/etc/nginx/sites-enabled/shop"
	printf '[admin]\nuser = root\ngroup = root\nlisten = /run/php/admin.sock\nlisten.owner = www-data\nlisten.group = www-data\npm = static\npm.max_children = 1\n' \
		> "$D/admin.conf"
	ln -s /etc/alternatives/php-fpm.sock "$R/run/php/php-fpm.sock"
	ln -s /run/php/php8.2-fpm.sock "$R/etc/alternatives/php-fpm.sock"
	chown -h 33:33 "$R/run/php/php-fpm.sock"
}

serving_fixture
wwwdo ln -sfn php-fpm.sock "$R/run/php/php-fpm.sock"
GR show
if sane && [ $rc -eq 0 ] && has "site shop.example (/etc/nginx/sites-enabled/shop:4): NO pool listens via /run/php/php-fpm.sock -> ... (a symlink loop)"; then ok serving-hop-loop
else bad serving-hop-loop "rc=$rc $out"; fi

serving_fixture
wwwdo ln -sfn /../../../../../etc/alternatives/php-fpm.sock "$R/run/php/php-fpm.sock"
rm -f "$R/etc/alternatives/php-fpm.sock"
ln -s ../../../../../../run/php/php8.2-fpm.sock "$R/etc/alternatives/php-fpm.sock"
GR show --json
hops=$(jq -r '.serving.sites[0] | "\(.hops|join(" ")) \(.pool)"' <<<"$out" 2>/dev/null)
if sane && [ "$hops" = "/run/php/php-fpm.sock /../../../../../etc/alternatives/php-fpm.sock /etc/alternatives/../../../../../../run/php/php8.2-fpm.sock www" ]; then ok serving-hop-escape
else bad serving-hop-escape "rc=$rc hops=[$hops]"; fi

serving_fixture
GR pre-invoke
wwwdo ln -sfn /run/php/admin.sock "$R/run/php/php-fpm.sock"
GR post-invoke
if sane && has "/etc/nginx/sites-enabled/shop:4: warning: pool admin: nginx (server shop.example) now reaches another PHP-FPM pool [server-retargeted]" \
   && has "now PHP 8.2 pool admin as root, before PHP 8.2 pool www as www-data"; then ok serving-retarget-by-www-data
else bad serving-retarget-by-www-data "rc=$rc $out"; fi
