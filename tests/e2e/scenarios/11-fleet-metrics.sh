# What a fleet reads after apt runs: `php-fpm-guard status` (one line, and
# JSON), the node_exporter textfile (checked by promtool) and the syslog
# lines -- after a run that found nothing and after the 2014 upgrade fixed
# by post-invoke.  On a host without node_exporter's directory nothing is
# created and nothing said.
. /e2e/inner.sh
D=/var/lib/prometheus/node-exporter
P=$D/php_fpm_guard.prom
mkdir -p $D		# what prometheus-node-exporter's package creates
start_site; install_guard || bad install "$(cat /tmp/install.log)"
echo "predict = no" > /etc/php-fpm-guard/conf.d/40-e2e-post-invoke.conf

# An unrelated package: post-invoke finds nothing, says nothing, records.
apt-get install -y -q /e2e/pfg-unrelated.deb >/tmp/apt1.out 2>&1; rc=$?
out=$(php-fpm-guard status); src=$?
if [ $rc -eq 0 ] && [ $src -eq 0 ] && grep -Eq '^ok: post-invoke at [0-9T:-]+Z \([0-9]+ s ago\), 0 findings, exit 0$' <<<"$out" \
   && ! apt_said /tmp/apt1.out | grep -q php-fpm-guard; then ok quiet-run-recorded
else bad quiet-run-recorded "rc=$rc status=$src $out $(cat /tmp/apt1.out)"; fi
if promtool check metrics < $P >/tmp/promtool.out 2>&1 \
   && grep -q '^php_fpm_guard_client_can_connect{fpm_config="/etc/php/8.2/fpm/php-fpm.conf",pool="www",socket="/run/php/php8.2-fpm.sock",user="www-data"} 1$' $P \
   && grep -q '^php_fpm_guard_socket_world_accessible{.*pool="www".*} 0$' $P \
   && grep -q '^php_fpm_guard_run_outcome{outcome="ok"} 1$' $P \
   && [ "$(stat -c '%U %a' $P)" = "root 644" ]; then ok metrics-after-quiet-run
else bad metrics-after-quiet-run "$(cat /tmp/promtool.out $P)"; fi
t1=$(awk '/^php_fpm_guard_run_timestamp_seconds /{print $2}' $P)

# The 2014 upgrade, fixed by post-invoke.
sleep 1
apt-get install -y -q /e2e/php8.2-fpm-cve.deb >/tmp/apt2.out 2>&1; rc=$?
out=$(php-fpm-guard status); src=$?
js=$(php-fpm-guard status --json)
report=$(jq -r .report <<<"$js")
if [ $rc -eq 0 ] && [ $src -eq 0 ] && grep -q '^fixed: post-invoke at .*, 1 finding, exit 0, report /var/log/php-fpm-guard/[0-9]*-post-invoke-[0-9]*\.json$' <<<"$out" \
   && [ "$(jq -r '"\(.verdict) \(.findings) \(.errors_left)"' <<<"$js")" = "fixed 1 0" ] \
   && [ "$(jq -r '.outcome + " " + .findings[0].kind' "$report")" = "fixed client-lost" ]; then ok status-fixed
else bad status-fixed "rc=$rc status=$src $out $js"; fi
t2=$(awk '/^php_fpm_guard_run_timestamp_seconds /{print $2}' $P)
if promtool check metrics < $P >/tmp/promtool.out 2>&1 && [ "$t2" -gt "$t1" ] \
   && grep -q '^php_fpm_guard_last_run_outcome{.*pool="www",outcome="fixed"} 1$' $P \
   && grep -q '^php_fpm_guard_client_can_connect{.*pool="www".*user="www-data"} 1$' $P \
   && grep -q '^php_fpm_guard_run_outcome{outcome="fixed"} 1$' $P; then ok metrics-after-fix
else bad metrics-after-fix "t1=$t1 t2=$t2 $(cat /tmp/promtool.out $P)"; fi
cp $P /tmp/prom-after-fix.txt
if grep -q 'PFG_FINDING kind=client-lost severity=error security=0 instance="/etc/php/8.2/fpm/php-fpm.conf" pool="www" user="www-data" .*action=fixed' /var/log/e2e-syslog \
   && grep -q 'PFG_RUN command=post-invoke outcome=fixed findings=1 exit=0' /var/log/e2e-syslog; then ok syslog-ids
else bad syslog-ids "$(grep PFG_ /var/log/e2e-syslog)"; fi

# No node_exporter on this host: nothing created, nothing said.
rm -rf /var/lib/prometheus
apt-get install -y -q /e2e/pfg-unrelated2.deb >/tmp/apt3.out 2>&1; rc=$?
if [ $rc -eq 0 ] && [ ! -e /var/lib/prometheus ] && ! apt_said /tmp/apt3.out | grep -q 'php-fpm-guard' \
   && php-fpm-guard status | grep -q '^ok: post-invoke'; then ok no-node-exporter-quiet
else bad no-node-exporter-quiet "rc=$rc $(cat /tmp/apt3.out)"; fi
php-fpm-guard status > /tmp/status.txt; php-fpm-guard status --json >> /tmp/status.txt
transcript "php-fpm-guard status; php-fpm-guard status --json" /tmp/status.txt
transcript "$P after the fix" /tmp/prom-after-fix.txt
finish
