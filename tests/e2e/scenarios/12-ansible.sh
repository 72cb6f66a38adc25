# The fleet playbook (examples/ansible/php-fpm-guard.yml) with Debian's
# ansible against this host (connection local): it installs the .deb and
# the policy drop-in, a second run changes nothing, the guard follows the
# drop-in's policy (abort) on the next upgrade, and the playbook then
# shows the host's status line.
. /e2e/inner.sh
export ANSIBLE_NOCOLOR=1 ANSIBLE_LOCALHOST_WARNING=False ANSIBLE_PYTHON_INTERPRETER=/usr/bin/python3
PB=/e2e/examples/ansible/php-fpm-guard.yml
D=/etc/php-fpm-guard/conf.d/50-fleet.conf
# Root already: no sudo in here.  Ansible wants a UTF-8 locale.
play() { LC_ALL=C.UTF-8 ansible-playbook -i localhost, -c local "$PB" -e ansible_become=false \
	-e pfg_deb=/e2e/php-fpm-guard.deb -e pfg_policy=abort \
	-e '{"pfg_pools": {"www": {"clients": ["www-data"]}}}' "$@"; }
start_site
# The prediction before dpkg has scenarios of its own (20, 21): here the
# upgrade reaches Post-Invoke.
mkdir -p /etc/php-fpm-guard/conf.d && echo "predict = no" > /etc/php-fpm-guard/conf.d/40-e2e-post-invoke.conf
play >/tmp/play1.out 2>&1; rc=$?
if [ $rc -eq 0 ] && dpkg-query -W -f '${Status}' php-fpm-guard | grep -q 'install ok installed' \
   && [ -x /usr/lib/php-fpm-guard/apt-hook ] && grep -q '^policy = abort$' $D \
   && grep -q '^\[pool www\]$' $D && grep -q '^clients = www-data$' $D \
   && [ "$(stat -c '%U:%G %a' $D)" = "root:root 644" ]; then ok playbook-installs
else bad playbook-installs "rc=$rc $(cat /tmp/play1.out; cat $D)"; fi
out=$(php-fpm-guard check 2>&1); rc=$?
if [ $rc -eq 0 ] && ! grep -q 'error' <<<"$out"; then ok guard-reads-dropin
else bad guard-reads-dropin "rc=$rc $out"; fi
play >/tmp/play2.out 2>&1; rc=$?
if [ $rc -eq 0 ] && grep -Eq 'localhost +: ok=[0-9]+ +changed=0 ' /tmp/play2.out; then ok playbook-idempotent
else bad playbook-idempotent "rc=$rc $(cat /tmp/play2.out)"; fi
apt-get install -y -q /e2e/php8.2-fpm-cve.deb >/tmp/apt.out 2>/tmp/apt.err; rc=$?
if [ $rc -ne 0 ] && grep -q "action: aborted (policy abort)" /tmp/apt.err \
   && grep -q "Problem executing scripts DPkg::Post-Invoke" /tmp/apt.err; then ok dropin-policy-applies
else bad dropin-policy-applies "rc=$rc $(cat /tmp/apt.out /tmp/apt.err)"; fi
play >/tmp/play3.out 2>&1; rc=$?
if [ $rc -eq 0 ] && grep -q '"msg": "aborted: post-invoke at .*1 finding, 1 error left, exit 1' /tmp/play3.out; then ok playbook-shows-status
else bad playbook-shows-status "rc=$rc $(cat /tmp/play3.out)"; fi
transcript "ansible-playbook examples/ansible/php-fpm-guard.yml (first run)" /tmp/play1.out
transcript "ansible-playbook ... after the aborted upgrade" /tmp/play3.out
finish
