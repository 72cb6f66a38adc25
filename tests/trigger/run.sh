#!/bin/bash
# The dpkg trigger's verb, post-dpkg, without dpkg: the last good state
# (who writes it, who reads it), the judgment against it with
# post-invoke's policy, fix and exit codes, and the hand-over to
# Post-Invoke under apt.  The real trigger in dpkg is the e2e suite's
# (tests/e2e/scenarios/13-15).  Each case runs on a private copy of
# Debian's stock php-fpm configuration in a temp dir.
# Usage: tests/trigger/run.sh BINARY
set -u
BIN=$(readlink -f "$1")
work=$(mktemp -d /tmp/pfg-trigger-XXXXXX); chmod 755 "$work"
. "$(dirname "$0")/../lib.sh"
trap 'stop_fpm; rm -rf "$work"' EXIT
unset DPKG_FRONTEND_LOCKED

W=$work/fpm/pool.d/www.conf
S=$work/state
LG=$S/last-good.json
fresh() {
	stop_fpm
	rm -rf "$S" "$work/log" "$work/etc"
	mkdir -p "$work/etc/conf.d"
	copy_stock_fpm
	: > "$work/etc/guard.conf"
	start_fpm
}
cve_restart() {
	sed -i -e 's/^listen.owner/;listen.owner/' -e 's/^listen.group/;listen.group/' "$W"
	start_fpm
}
G() {
	"$BIN" --fpm-config "$work/fpm/php-fpm.conf" --fpm-binary "$FPM" --client www-data \
	       --state-dir "$S" --log-dir "$work/log" --config "$work/etc/guard.conf" \
	       --no-syslog --prom-file none "$@"
}
status_line() { G status 2>/dev/null; }

# 1. No last good state yet, the host fine (the package's first
#    configure): quiet, exit 0, the host recorded as the last good state.
fresh
out=$(G post-dpkg 2>&1); rc=$?
if [ $rc -eq 0 ] && [ -z "$out" ] && [ "$(jq -r .phase "$LG")" = post-dpkg ] \
   && [ "$(stat -c %a "$LG")" = 600 ] && status_line | grep -q '^ok: post-dpkg '; then ok first-look-records-good
else bad first-look-records-good "rc=$rc out=$out $(ls -l "$S")"; fi

# 2. Nothing changed since: quiet, the last good state kept as it is.
cp "$LG" "$work/lg.before"
out=$(G post-dpkg 2>&1); rc=$?
if [ $rc -eq 0 ] && [ -z "$out" ] && cmp -s "$LG" "$work/lg.before"; then ok unchanged-quiet
else bad unchanged-quiet "rc=$rc out=$out"; fi

# 3. dpkg -i of the 2014 upgrade (no pre-invoke): judged against the last
#    good state, fixed as post-invoke would, the fixed host recorded.
cve_restart
out=$(G post-dpkg 2>&1); rc=$?
if [ $rc -eq 0 ] && grep -q "error: pool www: www-data can no longer connect to $SOCK \[client-lost\]" <<<"$out" \
   && grep -q "action: fixed (policy fix)" <<<"$out" && grep -q "note: compared with the last good state" <<<"$out" \
   && grep -q "php-fpm-guard: post-dpkg: 1 finding, outcome fixed" <<<"$out" \
   && grep -q '^listen.owner = www-data$' "$W" && ! cmp -s "$LG" "$work/lg.before" \
   && [ "$(jq -r '.command + " " + .outcome' "$work/log/latest.json")" = "post-dpkg fixed" ] \
   && status_line | grep -q '^fixed: post-dpkg '; then ok dpkg-upgrade-fixed
else bad dpkg-upgrade-fixed "rc=$rc out=$out"; fi
out=$(G post-dpkg 2>&1); rc=$?
[ $rc -eq 0 ] && [ -z "$out" ] && ok fixed-host-is-good || bad fixed-host-is-good "rc=$rc out=$out"

# 4. Policy abort: exit 1 (the trigger stays pending), the pool file
#    untouched, the last good state kept -- so the next run says it again.
fresh; G post-dpkg 2>/dev/null; cp "$LG" "$work/lg.good"
echo "policy = abort" > "$work/etc/guard.conf"
cve_restart; cp "$W" "$work/www.cve"
out=$(G post-dpkg 2>&1); rc=$?
if [ $rc -eq 1 ] && grep -q "action: aborted (policy abort)" <<<"$out" \
   && grep -q "^        listen.owner = www-data$" <<<"$out" && cmp -s "$W" "$work/www.cve" \
   && cmp -s "$LG" "$work/lg.good" && status_line | grep -q '^aborted: post-dpkg '; then ok abort-exits-1
else bad abort-exits-1 "rc=$rc out=$out"; fi
out=$(G post-dpkg 2>&1); rc=$?
[ $rc -eq 1 ] && grep -q "action: aborted (policy abort)" <<<"$out" && ok abort-repeats-until-fixed \
	|| bad abort-repeats-until-fixed "rc=$rc out=$out"
# The admin fixes by hand: fix records the fixed host as good, and the
# trigger run again (dpkg --configure --pending) is quiet and exits 0.
G fix >/dev/null 2>&1; frc=$?
phase=$(jq -r .phase "$LG")
out=$(G post-dpkg 2>&1); rc=$?
if [ $frc -eq 0 ] && [ $rc -eq 0 ] && [ -z "$out" ] && [ "$phase" = fix ]; then ok fix-records-good
else bad fix-records-good "fix=$frc rc=$rc phase=$phase out=$out"; fi

# 5. Under apt: Pre-Invoke's snapshot is there and the frontend holds
#    dpkg's lock -- the trigger says nothing, changes nothing, records
#    nothing; Post-Invoke reports the run, once.
fresh; G post-dpkg 2>/dev/null
G pre-invoke 2>/dev/null
cve_restart; cp "$W" "$work/www.cve"; cp "$LG" "$work/lg.before"
before=$(G status --json 2>/dev/null | jq -r .time)
out=$(DPKG_FRONTEND_LOCKED=true G post-dpkg 2>&1); rc=$?
if [ $rc -eq 0 ] && [ -z "$out" ] && cmp -s "$W" "$work/www.cve" && cmp -s "$LG" "$work/lg.before" \
   && [ -e "$S/pre-invoke.json" ] && [ "$(G status --json 2>/dev/null | jq -r .time)" = "$before" ] \
   && [ "$(ls "$work/log" 2>/dev/null | grep -c post-dpkg)" = 0 ]; then ok under-apt-leaves-it-to-post-invoke
else bad under-apt-leaves-it-to-post-invoke "rc=$rc out=$out"; fi
out=$(G post-invoke 2>&1); rc=$?
if [ $rc -eq 0 ] && [ "$(grep -c 'error: pool www' <<<"$out")" = 1 ] && grep -q "action: fixed" <<<"$out" \
   && [ ! -e "$S/pre-invoke.json" ] && [ "$(jq -r .phase "$LG")" = post-invoke ]; then ok post-invoke-reports-once-and-records-good
else bad post-invoke-reports-once-and-records-good "rc=$rc out=$out"; fi

# 6. A snapshot an interrupted apt run left, dpkg --configure -a by hand
#    (no frontend lock): not this run's -- the trigger judges.
fresh; G post-dpkg 2>/dev/null
G pre-invoke 2>/dev/null
cve_restart
out=$(G post-dpkg 2>&1); rc=$?
if [ $rc -eq 0 ] && grep -q "\[client-lost\]" <<<"$out" && grep -q "action: fixed" <<<"$out"; then ok stale-snapshot-not-this-run
else bad stale-snapshot-not-this-run "rc=$rc out=$out"; fi

# 7. An unchanged post-invoke keeps its snapshot as the last good state
#    (a rename: the very bytes pre-invoke wrote).
fresh; G pre-invoke 2>/dev/null; cp "$S/pre-invoke.json" "$work/pre.json"
out=$(G post-invoke 2>&1); rc=$?
if [ $rc -eq 0 ] && [ -z "$out" ] && [ ! -e "$S/pre-invoke.json" ] && cmp -s "$LG" "$work/pre.json"; then ok unchanged-post-invoke-keeps-snapshot
else bad unchanged-post-invoke-keeps-snapshot "rc=$rc out=$out $(ls "$S")"; fi

# 8. A run that ends in error is not good: policy report leaves the
#    lost access in place and the last good state as it was.
fresh; G post-dpkg 2>/dev/null; cp "$LG" "$work/lg.good"
echo "policy = report" > "$work/etc/guard.conf"
cve_restart
out=$(G post-dpkg 2>&1); rc=$?
if [ $rc -eq 0 ] && grep -q "action: reported (policy report)" <<<"$out" && cmp -s "$LG" "$work/lg.good" \
   && status_line | grep -q '^reported: post-dpkg '; then ok report-is-not-good
else bad report-is-not-good "rc=$rc out=$out $(status_line)"; fi

# 9. A last good state that is not one (corrupt, another root's):
#    discarded with a note, the host checked, nothing changed, exit 0.
fresh; mkdir -m 0700 "$S"; echo '{"kind": "nonsense"' > "$LG"; chmod 600 "$LG"
cve_restart; cp "$W" "$work/www.cve"
out=$(G post-dpkg 2>&1); rc=$?
if [ $rc -eq 0 ] && grep -q "last good state $S/last-good.json discarded" <<<"$out" \
   && grep -q "no last good state recorded" <<<"$out" && cmp -s "$W" "$work/www.cve"; then ok corrupt-base-discarded
else bad corrupt-base-discarded "rc=$rc out=$out"; fi

# 10. The guard's own failure never fails dpkg, unless strict = yes.
fresh; mkdir -m 0777 "$S"
out=$(G post-dpkg 2>&1); rc=$?
echo "strict = yes" > "$work/etc/guard.conf"
out2=$(G post-dpkg 2>&1); rc2=$?
chmod 0700 "$S"
if [ $rc -eq 0 ] && grep -q "post-dpkg: .*refused (not blocking apt" <<<"$out" && [ $rc2 -eq 2 ]; then ok own-failure-not-blocking
else bad own-failure-not-blocking "rc=$rc rc2=$rc2 out=$out out2=$out2"; fi
# 11. Inside a dpkg run the status file is stale: what dpkg did so far is
#     in its journal (var/lib/dpkg/updates/NNNN), and the package it just
#     configured is "triggers-pending" while its own triggers wait.  The
#     2014 upgrade on a php5 image (no php5 binary here, no socket: the
#     version alone says 0666 before, 0660 after): the trigger must read
#     the journal to see the new version at all.
R=$work/root
php5_status() {	# FILE VERSION STATUS
	printf 'Package: php5-fpm\nStatus: install ok %s\nArchitecture: amd64\nVersion: %s\nDescription: php5 fpm\n\n' "$3" "$2" > "$1"
}
rm -rf "$R"; mkdir -p "$R/etc/php5/fpm/pool.d" "$R/var/lib/dpkg/updates" "$R/var/run" "$R/var/log"
printf 'root:x:0:0:root:/root:/bin/bash\nwww-data:x:33:33:www-data:/var/www:/bin/sh\n' > "$R/etc/passwd"
printf 'root:x:0:\nwww-data:x:33:\n' > "$R/etc/group"
printf '[global]\npid = /var/run/php5-fpm.pid\nerror_log = /var/log/php5-fpm.log\ninclude=/etc/php5/fpm/pool.d/*.conf\n' > "$R/etc/php5/fpm/php-fpm.conf"
printf '[www]\nlisten = /var/run/php5-fpm.sock\n;listen.owner = www-data\n;listen.group = www-data\n;listen.mode = 0666\nuser = www-data\ngroup = www-data\npm = dynamic\npm.max_children = 5\npm.start_servers = 2\npm.min_spare_servers = 1\npm.max_spare_servers = 3\n' > "$R/etc/php5/fpm/pool.d/www.conf"
php5_status "$R/var/lib/dpkg/status" 5.3.10-1ubuntu3.11 installed
G5() { "$BIN" --root "$R" --no-syslog --prom-file none "$@"; }
# (A first look that finds only the world-writable socket warns and
# still records the host: a warning is no error.)
out=$(G5 post-dpkg 2>&1); rc=$?
[ $rc -eq 0 ] && [ -f "$R/var/lib/php-fpm-guard/last-good.json" ] || bad php5-baseline "rc=$rc out=$out"
php5_status "$R/var/lib/dpkg/updates/0000" 5.3.10-1ubuntu3.12 triggers-pending
out=$(G5 --policy abort post-dpkg 2>&1); rc=$?
if [ $rc -eq 1 ] && grep -qF "www-data will not be able to connect to /var/run/php5-fpm.sock after the next php-fpm restart [client-lost-at-restart]" <<<"$out" \
   && grep -qF "package:  php5-fpm 5.3.10-1ubuntu3.11 -> 5.3.10-1ubuntu3.12" <<<"$out"; then ok reads-dpkg-journal
else bad reads-dpkg-journal "rc=$rc out=$out"; fi
finish
