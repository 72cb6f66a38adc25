#!/bin/bash
# The web servers and the fleet outputs, with the real nginx, Apache
# (mod_proxy_fcgi), php-fpm8.2 and promtool.  Never the host's own config:
# copies of the host's /etc/nginx and /etc/apache2 (Debian's stock files,
# as the packages installed them) get PHP sites, enabled the way a2enmod,
# a2enconf and a2ensite do it (symlinks), and must pass `nginx -t` and
# `apache2ctl -t`.  They are then read two ways that must agree: from the
# files (--root), and as on a host -- the copies bind-mounted over
# /etc/nginx and /etc/apache2 in a private mount namespace, where the
# guard asks `nginx -T` and `apache2ctl`.  Then: the socket rename
# (check names every vhost file:line), per-socket clients with a real
# php-fpm, `status`, and the Prometheus textfile (promtool).
# Usage: tests/webservers/run.sh BINARY
set -u
BIN=$(readlink -f "$1")
work=$(mktemp -d /tmp/pfg-ws-XXXXXX); chmod 755 "$work"
. "$(dirname "$0")/../lib.sh"
trap 'stop_fpm; rm -rf "$work"' EXIT
for b in /usr/sbin/nginx /usr/sbin/apache2ctl /usr/bin/promtool; do
	[ -x "$b" ] || { echo "FAIL setup: $b missing (tests/install-deps.sh)"; exit 1; }
done

R=$work/root
N=$R/etc/nginx A=$R/etc/apache2
PHPSOCK=/run/php/php8.2-fpm.sock

# A root with Debian's stock web server configs and users.
make_root() {
	rm -rf "$R"; mkdir -p "$R/etc" "$R/run/php" "$R/var"
	cp -a /etc/nginx /etc/apache2 "$R/etc/"
	cp /etc/passwd /etc/group "$R/etc/"
	ln -s /run "$R/var/run"
}
# The host's view: the root's configs over /etc/nginx and /etc/apache2 in
# a private mount namespace (apache2ctl's runtime dir on a tmpfs there).
in_ns() {
	unshare --mount --propagation private /bin/sh -c '
		r=$1; shift
		mount --bind "$r/etc/nginx" /etc/nginx && mount --bind "$r/etc/apache2" /etc/apache2 || exit 99
		for d in /run/apache2 /var/lock/apache2; do [ -d $d ] && mount -t tmpfs tmpfs $d; done
		exec "$@"' sh "$R" "$@"
}
# What the guard says about the web servers, comparable between readers.
servers() {	# JSON -> one line per server and per use, sorted
	jq -r '.web_servers[] | "server \(.server) user=\(.user) files=\(.files|sort|join(","))",
	       (.uses[] | "use \(.server) \(.socket) \(.file):\(.line) [\(.vhost // "every site")] \(.directive)")' | sort
}
enable() { ln -sf "../$1-available/$2" "$A/$1-enabled/$2"; }	# a2enmod/a2enconf/a2ensite

# ---- 1. Stock configs: both servers valid, no use, Apache agrees ----
make_root
if in_ns nginx -t -q && in_ns apache2ctl -t >/dev/null 2>&1; then ok stock-configs-valid
else bad stock-configs-valid "$(in_ns nginx -t 2>&1; in_ns apache2ctl -t 2>&1)"; fi
files=$("$BIN" --root "$R" show --json | servers)
host=$(in_ns "$BIN" show --json); hs=$(servers <<<"$host")
if [ "$files" = "$hs" ] && ! grep -q '^use' <<<"$files" \
   && [ "$(jq -r '[.web_servers[].read_by]|join(";")' <<<"$host")" = "nginx -T;files, checked with apache2ctl" ] \
   && [ "$(jq '[.web_servers[].notes[]]|length' <<<"$host")" = 0 ] \
   && [ "$(jq -r '[.web_servers[].user]|join(";")' <<<"$host")" = "www-data;www-data" ]; then ok stock-readers-agree
else bad stock-readers-agree "files:
$files
host:
$hs
$(jq -c '.web_servers[]|{server,read_by,notes}' <<<"$host")"; fi

# ---- 2. PHP sites in both servers, Debian's way ----
cat > "$N/sites-available/pfg" <<'EOS'
upstream php_backend {
	server unix:/var/run/php/php8.2-fpm.sock;
}

server {
	listen 127.0.0.1:8080;
	server_name pfg.example;
	root /var/www/pfg;
	location ~ \.php$ {
		include snippets/fastcgi-php.conf;
		fastcgi_pass unix:/run/php/php8.2-fpm.sock;
	}
	location /app/ {
		include fastcgi_params;
		fastcgi_pass php_backend;
	}
}
EOS
ln -s /etc/nginx/sites-available/pfg "$N/sites-enabled/pfg"
cat > "$A/sites-available/pfg.conf" <<'EOS'
<VirtualHost 127.0.0.1:8081>
	ServerName pfg-apache.example
	DocumentRoot /var/www/pfg
	<Proxy "unix:/run/php/php8.2-fpm.sock|fcgi://php-pfg">
		ProxySet timeout=30
	</Proxy>
	ProxyPassMatch "^/app/(.*\.php)$" "fcgi://php-pfg/var/www/pfg/$1"
</VirtualHost>
EOS
enable mods proxy.load; enable mods proxy.conf; enable mods proxy_fcgi.load
enable conf php8.2-fpm.conf; enable sites pfg.conf
sh_line=$(grep -n '^ *SetHandler' "$A/conf-available/php8.2-fpm.conf" | head -1 | cut -d: -f1)
want="use apache2 $PHPSOCK /etc/apache2/conf-enabled/php8.2-fpm.conf:$sh_line [every site] SetHandler
use apache2 $PHPSOCK /etc/apache2/sites-enabled/pfg.conf:7 [pfg-apache.example] ProxyPassMatch fcgi://php-pfg (worker at /etc/apache2/sites-enabled/pfg.conf:4)
use nginx $PHPSOCK /etc/nginx/sites-enabled/pfg:11 [pfg.example] fastcgi_pass
use nginx /var/run/php/php8.2-fpm.sock /etc/nginx/sites-enabled/pfg:2 [pfg.example] server in upstream php_backend (fastcgi_pass at /etc/nginx/sites-enabled/pfg:15)"
if in_ns nginx -t -q && in_ns apache2ctl -t >/dev/null 2>&1; then ok php-configs-valid
else bad php-configs-valid "$(in_ns nginx -t 2>&1; in_ns apache2ctl -t 2>&1)"; fi
files=$("$BIN" --root "$R" show --json | servers)
host=$(in_ns "$BIN" show --json); hs=$(servers <<<"$host")
if [ "$(grep '^use' <<<"$files")" = "$want" ]; then ok php-uses-from-files
else bad php-uses-from-files "got:
$(grep '^use' <<<"$files")
want:
$want"; fi
if [ "$files" = "$hs" ] && [ "$(jq '[.web_servers[].notes[]]|length' <<<"$host")" = 0 ]; then ok php-readers-agree
else bad php-readers-agree "files:
$files
host:
$hs
$(jq -c '.web_servers[].notes' <<<"$host")"; fi

# ---- 3. The socket renamed under them: every vhost named, exit 1 ----
mkdir -p "$R/etc/php/8.2/fpm/pool.d"
printf '[global]\npid = /run/php/php8.2-fpm.pid\ninclude=/etc/php/8.2/fpm/pool.d/*.conf\n' \
	> "$R/etc/php/8.2/fpm/php-fpm.conf"
printf '[www]\nuser = www-data\ngroup = www-data\nlisten = %s\nlisten.owner = www-data\nlisten.group = www-data\npm = ondemand\npm.max_children = 2\n' \
	"$PHPSOCK" > "$R/etc/php/8.2/fpm/pool.d/www.conf"
out=$("$BIN" --root "$R" check 2>&1); rc=$?
if [ $rc -eq 0 ] && grep -qF "ok: pool www: $PHPSOCK" <<<"$out" \
   && grep -qF "used by nginx at /etc/nginx/sites-enabled/pfg:11 and more (see show)" <<<"$out"; then ok served
else bad served "rc=$rc $out"; fi
sed -i "s#^listen = .*#listen = /run/php/php-fpm.sock#" "$R/etc/php/8.2/fpm/pool.d/www.conf"
out=$("$BIN" --root "$R" check 2>&1); rc=$?
missing=
for w in "/etc/nginx/sites-enabled/pfg:11: error: nginx, server pfg.example: fastcgi_pass to $PHPSOCK, where no PHP-FPM pool listens" \
	 "/etc/nginx/sites-enabled/pfg:2: error: nginx, server pfg.example: server in upstream php_backend" \
	 "/etc/apache2/conf-enabled/php8.2-fpm.conf:$sh_line: error: apache2, every site: SetHandler to $PHPSOCK" \
	 "/etc/apache2/sites-enabled/pfg.conf:7: error: apache2, pfg-apache.example: ProxyPassMatch" \
	 "pools listen on: /run/php/php-fpm.sock (pool www)" \
	 "ok: pool www: /run/php/php-fpm.sock" "no web server uses it"; do
	grep -qF -- "$w" <<<"$out" || missing="$missing [$w]"
done
if [ $rc -eq 1 ] && [ -z "$missing" ]; then ok rename-check
else bad rename-check "rc=$rc missing:$missing
$out"; fi
out=$("$BIN" --root "$R" check --json); rc=$?
if [ $rc -eq 1 ] && [ "$(jq '[.problems[]|select(.kind=="server-socket-missing")]|length' <<<"$out")" = 4 ] \
   && [ "$(jq -r '.problems[]|select(.kind=="server-socket-missing" and .server=="nginx" and .line==11)|.file' <<<"$out")" = /etc/nginx/sites-enabled/pfg ] \
   && [ "$(jq -r '.instances[0].pools[0].used_by_web_server' <<<"$out")" = false ] \
   && [ "$(jq -r '[.web_servers[].uses[].target]|unique|join(",")' <<<"$out")" = missing ]; then ok rename-json
else bad rename-json "rc=$rc $(jq -c '.problems' <<<"$out")"; fi
# Another program's socket at the path (fcgiwrap, say) is not PHP-FPM's
# to judge: no error.  Once nothing listens on it (a stale socket file),
# it is an error again.
perl -MIO::Socket::UNIX -e '$s = IO::Socket::UNIX->new(Local => $ARGV[0], Listen => 1) or die;
	open(F, ">", "$ARGV[0].up"); close F; sleep 30' "$R$PHPSOCK" & lp=$!
for _ in $(seq 50); do [ -e "$R$PHPSOCK.up" ] && break; sleep 0.1; done
out=$("$BIN" --root "$R" check --json); rc=$?
if [ "$(jq '[.problems[]|select(.kind=="server-socket-missing")]|length' <<<"$out")" = 0 ] \
   && [ "$(jq -r '[.web_servers[].uses[].target]|unique|join(",")' <<<"$out")" = other-socket ]; then ok other-program-socket
else bad other-program-socket "rc=$rc $(jq -c '.problems' <<<"$out")"; fi
kill $lp; wait $lp 2>/dev/null
out=$("$BIN" --root "$R" check --json); rc=$?
if [ -S "$R$PHPSOCK" ] && [ $rc -eq 1 ] \
   && [ "$(jq '[.problems[]|select(.kind=="server-socket-missing")]|length' <<<"$out")" = 4 ]; then ok stale-socket-is-missing
else bad stale-socket-is-missing "rc=$rc $(jq -c '.problems' <<<"$out")"; fi
rm -f "$R$PHPSOCK" "$R$PHPSOCK.up"

# ---- 4. A real php-fpm: clients per socket ----
# The stock pool (lib.sh) listens at $SOCK, a site of nginx uses it, and
# nginx runs as nobody here: nobody is the pool's client, not www-data.
copy_stock_fpm; start_fpm || bad per-socket "php-fpm did not start"
make_root
sed -i 's/^user www-data;/user nobody;/' "$N/nginx.conf"
printf 'server {\n\tlisten 127.0.0.1:8082;\n\tlocation / {\n\t\tfastcgi_pass unix:%s;\n\t}\n}\n' "$SOCK" \
	> "$N/sites-enabled/sock"
FG=("$BIN" --fpm-config "$work/fpm/php-fpm.conf" --fpm-binary "$FPM")	# for in_ns
out=$(in_ns "${FG[@]}" check 2>&1); rc=$?
if [ $rc -eq 1 ] && grep -qF "$work/fpm/pool.d/www.conf:" <<<"$out" \
   && grep -qF "error: pool www: nobody cannot connect to $SOCK" <<<"$out" \
   && grep -qF 'proven: connect() as nobody fails' <<<"$out"; then ok per-socket-client
else bad per-socket-client "rc=$rc $out"; fi
json=$(in_ns "${FG[@]}" show --json)
if [ "$(jq -r '.instances[0].pools[0].clients|map(.user)|join(",")' <<<"$json")" = nobody ] \
   && [ "$(jq -r '.instances[0].pools[0].used_by[0]|"\(.server) \(.file):\(.line) \(.user)"' <<<"$json")" = "nginx /etc/nginx/sites-enabled/sock:4 nobody" ] \
   && [ "$(jq -r '.clients|map(.user)|join(",")' <<<"$json")" = nobody,www-data ]; then ok per-socket-json
else bad per-socket-json "$(jq -c '{clients, c: .instances[0].pools[0].clients, u: .instances[0].pools[0].used_by}' <<<"$json")"; fi
out=$(in_ns "${FG[@]}" --client www-data check 2>&1); rc=$?
if [ $rc -eq 0 ] && grep -qF "reachable by www-data; used by nginx at /etc/nginx/sites-enabled/sock:4" <<<"$out"; then ok explicit-client-wins
else bad explicit-client-wins "rc=$rc $out"; fi

# ---- 5. nginx -T refuses a broken config: the files are read instead ----
echo 'this is not nginx' > "$N/sites-enabled/broken"
json=$(in_ns "$BIN" --fpm-config "$work/fpm/php-fpm.conf" show --json 2>&1)
if [ "$(jq -r '.web_servers[0].read_by' <<<"$json")" = files ] \
   && jq -r '.web_servers[0].notes[]' <<<"$json" | grep -q 'nginx -T refuses the configuration (exit 1' \
   && jq -r '.web_servers[0].notes[]' <<<"$json" | grep -q 'sites-enabled/broken:2: unexpected end of file'; then ok nginx-T-refused
else bad nginx-T-refused "$(jq -c '.web_servers[0]|{read_by,notes}' <<<"$json")"; fi
rm -f "$N/sites-enabled/broken"

# ---- 6. status and the Prometheus textfile ----
S=$work/state L=$work/log P=$work/prom
mkdir -p "$S" "$L" "$P"; chmod 700 "$S"; chmod 755 "$P"
printf 'clients = www-data\n' > "$work/guard.conf"; chmod 644 "$work/guard.conf"
GOPTS=(--fpm-config "$work/fpm/php-fpm.conf" --fpm-binary "$FPM" --state-dir "$S"
   --log-dir "$L" --config "$work/guard.conf" --prom-file "$P/php_fpm_guard.prom" --no-syslog)
out=$(G status); rc=$?
if [ $rc -eq 2 ] && grep -q "^unknown: no post-invoke or fix run recorded" <<<"$out"; then ok status-none
else bad status-none "rc=$rc $out"; fi
G pre-invoke; G post-invoke; rc=$?
out=$(G status); src=$?
if [ $rc -eq 0 ] && [ $src -eq 0 ] && grep -Eq '^ok: post-invoke at [0-9T:-]+Z \([0-9]+ s ago\), 0 findings, exit 0$' <<<"$out" \
   && promtool check metrics < "$P/php_fpm_guard.prom" \
   && grep -qF "php_fpm_guard_client_can_connect{fpm_config=\"$work/fpm/php-fpm.conf\",pool=\"www\",socket=\"$SOCK\",user=\"www-data\"} 1" "$P/php_fpm_guard.prom" \
   && grep -qF 'php_fpm_guard_run_outcome{outcome="ok"} 1' "$P/php_fpm_guard.prom"; then ok unchanged-run-recorded
else bad unchanged-run-recorded "rc=$rc status=$src $out $(cat "$P/php_fpm_guard.prom")"; fi
t1=$(jq .time "$S/last-run.json")
# The 2014 upgrade shape, fixed: status says fixed, the metrics say so
# per pool, and www-data can connect again.
cve_shape "$work/fpm/pool.d/www.conf"
G pre-invoke; start_fpm; sleep 1; G post-invoke 2>/dev/null; rc=$?
out=$(G status); src=$?
js=$(G status --json)
if [ $rc -eq 0 ] && [ $src -eq 0 ] && grep -Eq '^fixed: post-invoke at .*, 1 finding, exit 0, report '"$L"'/[0-9]+-post-invoke-[0-9]+\.json$' <<<"$out" \
   && [ "$(jq -r '"\(.kind) \(.schema) \(.verdict) \(.findings) \(.errors_left) \(.recorded)"' <<<"$js")" = "php-fpm-guard-status 1 fixed 1 0 true" ] \
   && [ -f "$(jq -r .report <<<"$js")" ] && [ "$(jq .time <<<"$js")" -gt "$t1" ] \
   && promtool check metrics < "$P/php_fpm_guard.prom" \
   && grep -q '^php_fpm_guard_last_run_outcome{.*pool="www",outcome="fixed"} 1$' "$P/php_fpm_guard.prom" \
   && grep -q '^php_fpm_guard_client_can_connect{.*user="www-data"} 1$' "$P/php_fpm_guard.prom" \
   && grep -q '^php_fpm_guard_run_outcome{outcome="fixed"} 1$' "$P/php_fpm_guard.prom"; then ok fixed-run-recorded
else bad fixed-run-recorded "rc=$rc status=$src $out $js $(cat "$P/php_fpm_guard.prom")"; fi
# Under abort: exit 1 from status, the pool's outcome aborted, can_connect 0.
copy_stock_fpm; start_fpm; G pre-invoke
cve_shape "$work/fpm/pool.d/www.conf"
start_fpm; sleep 1; G --policy abort post-invoke 2>/dev/null; rc=$?
out=$(G status); src=$?
if [ $rc -eq 1 ] && [ $src -eq 1 ] && grep -q '^aborted: post-invoke .*1 finding, 1 error left, exit 1' <<<"$out" \
   && promtool check metrics < "$P/php_fpm_guard.prom" \
   && grep -q '^php_fpm_guard_last_run_outcome{.*pool="www",outcome="aborted"} 1$' "$P/php_fpm_guard.prom" \
   && grep -q '^php_fpm_guard_client_can_connect{.*user="www-data"} 0$' "$P/php_fpm_guard.prom"; then ok aborted-run-recorded
else bad aborted-run-recorded "rc=$rc status=$src $out $(grep -v '^#' "$P/php_fpm_guard.prom")"; fi
# The alerts of examples/prometheus on exactly these samples, held for
# 15 minutes: the unreachable pool and the failed run page.
rules=$(readlink -f "$(dirname "$0")/../../examples/prometheus/php-fpm-guard.rules.yml")
{
	printf 'rule_files: [%s]\nevaluation_interval: 1m\ntests:\n  - interval: 1m\n    input_series:\n' "$rules"
	grep -v '^#' "$P/php_fpm_guard.prom" | grep -v timestamp_seconds |
		sed -E "s/^(.*) ([0-9]+)\$/      - series: '\1'\n        values: '\2x15'/"
	printf '    alert_rule_test:\n      - eval_time: 10m\n        alertname: PhpFpmSocketUnreachable\n'
	printf '        exp_alerts:\n          - exp_labels: {severity: page, fpm_config: "%s", pool: www, socket: "%s", user: www-data}\n' \
		"$work/fpm/php-fpm.conf" "$SOCK"
	printf '            exp_annotations:\n              summary: "www-data cannot connect to %s on "\n' "$SOCK"
	printf '              description: "pool www of %s; run php-fpm-guard check there"\n' "$work/fpm/php-fpm.conf"
	printf '      - eval_time: 10m\n        alertname: PhpFpmGuardRunFailed\n        exp_alerts:\n'
	printf '          - exp_labels: {severity: ticket, outcome: aborted}\n'
	printf '            exp_annotations: {summary: "php-fpm-guard aborted on : see php-fpm-guard status there"}\n'
} > "$work/rules-test.yml"
if promtool check rules "$rules" >/dev/null && promtool test rules "$work/rules-test.yml" >"$work/rt.out" 2>&1; then ok alert-rules-on-textfile
else bad alert-rules-on-textfile "$(cat "$work/rt.out" "$work/rules-test.yml")"; fi
# fix records too; --dry-run does not.
before=$(cat "$S/last-run.json")
G fix --dry-run >/dev/null
same=$([ "$before" = "$(cat "$S/last-run.json")" ] && echo yes)
G fix >/dev/null; rc=$?
out=$(G status); src=$?
if [ "$same" = yes ] && [ $rc -eq 0 ] && [ $src -eq 0 ] && grep -q '^fixed: fix at .*, 1 finding, exit 0$' <<<"$out" \
   && grep -q '^php_fpm_guard_client_can_connect{.*user="www-data"} 1$' "$P/php_fpm_guard.prom"; then ok fix-recorded
else bad fix-recorded "dry-run-unchanged=$same rc=$rc status=$src $out"; fi
# Where the textfile goes: a missing directory is never created and says
# nothing; one writable by others is refused; none switches it off;
# guard.conf's prom_file is used.
G --prom-file "$work/nodir/x.prom" pre-invoke
err=$(G --prom-file "$work/nodir/x.prom" post-invoke 2>&1)
if [ ! -e "$work/nodir" ] && [ -z "$err" ]; then ok prom-dir-missing-quiet
else bad prom-dir-missing-quiet "$err"; fi
mkdir -m 777 "$work/open"; chmod 777 "$work/open"
G --prom-file "$work/open/x.prom" pre-invoke
err=$(G --prom-file "$work/open/x.prom" post-invoke 2>&1)
if [ ! -e "$work/open/x.prom" ] && grep -q "metrics not written: $work/open is not a directory writable only by its owner" <<<"$err"; then ok prom-dir-open-refused
else bad prom-dir-open-refused "$err"; fi
rm -f "$P/php_fpm_guard.prom"
G --prom-file none pre-invoke; G --prom-file none post-invoke
[ ! -e "$P/php_fpm_guard.prom" ] && ok prom-none || bad prom-none "written"
printf 'clients = www-data\nprom_file = %s/conf.prom\n' "$P" > "$work/guard.conf"
GOPTS=(--fpm-config "$work/fpm/php-fpm.conf" --fpm-binary "$FPM" --state-dir "$S"
    --log-dir "$L" --config "$work/guard.conf" --no-syslog)
G pre-invoke; G post-invoke
if promtool check metrics < "$P/conf.prom" 2>/dev/null; then ok prom-file-from-guard-conf
else bad prom-file-from-guard-conf "$(ls -la "$P")"; fi
printf 'prom_file = relative.prom\n' > "$work/guard.conf"
out=$(G check 2>&1)
if grep -qF "$work/guard.conf:1: error: prom_file = 'relative.prom': expected an absolute path or none" <<<"$out"; then ok prom-file-key-checked
else bad prom-file-key-checked "$out"; fi
stop_fpm

finish
