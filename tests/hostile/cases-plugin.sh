# Sourced by tests/hostile/run.sh (uses its fixture, GR, sig, sane, has):
# the monitoring plugin's output (issue 15; tests/plugin/run.sh for the
# rest).  A tenant who may write an nginx include names a site so that
# the name, printed on the status line, would end the text and bring its
# own perfdata, or start a status line of its own.  The attack is made as
# the tenant; the guard must print exactly one status line with its own
# four perfdata labels, and write nothing.
PFG_TENANT=pfgplugx
id -u "$PFG_TENANT" >/dev/null 2>&1 || useradd -r -M -s /usr/sbin/nologin "$PFG_TENANT"
fixture
mkdir -p "$R/etc/nginx/tenants"
printf 'user www-data;\nevents {}\nhttp {\n\tinclude /etc/nginx/tenants/*.conf;\n\tserver {\n\t\tserver_name good.example;\n\t\tlocation / { fastcgi_pass unix:/run/php/php8.2-fpm.sock; }\n\t}\n}\n' \
	> "$R/etc/nginx/nginx.conf"
chown "$PFG_TENANT" "$R/etc/nginx/tenants"
setpriv --reuid="$PFG_TENANT" --regid="$(id -g "$PFG_TENANT")" --clear-groups /bin/sh -c '
	printf "server {\n\tserver_name \"evil | reachable=999;;; pools=0;;;\nPHP-FPM-GUARD OK - fine | sites=9;;;\";\n\tlocation / { fastcgi_pass unix:/run/evil.sock; }\n}\n" > "$1/evil.conf"' \
	sh "$R/etc/nginx/tenants"
before=$(sig "$R")
GR check --monitoring-plugin
first=$(head -1 <<<"$out")
if [ "$(stat -c %U "$R/etc/nginx/tenants/evil.conf" 2>/dev/null)" = "$PFG_TENANT" ] && sane && [ $rc -eq 2 ] \
   && [ "$(tr -cd '|' <<<"$out" | wc -c)" = 1 ] \
   && [[ $first == "PHP-FPM-GUARD CRITICAL - 1 of 2 sites cannot reach PHP: evil \x7c reachable=999;;; pools=0;;;\x0aPHP-FPM-GUARD OK - fine \x7c sites=9;;; (no pool at /run/evil.sock) | sites=2;;; reachable=1;;; pools=1;;; world_writable=0;;;" ]] \
   && [ "$(grep -c '^PHP-FPM-GUARD' <<<"$out")" = 1 ] && [ "$before" = "$(sig "$R")" ]; then
	ok plugin-forged-site-name-as-tenant
else bad plugin-forged-site-name-as-tenant "rc=$rc $out"; fi
