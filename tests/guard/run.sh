#!/bin/bash
# The guard end to end with the real php-fpm8.2: pre-invoke, a config
# change and a php-fpm restart as an upgrade would do them, post-invoke;
# fix by hand; the faults.  Each case runs on a private copy of Debian's
# stock php-fpm configuration in a temp dir, never the host's own.
# Usage: tests/guard/run.sh BINARY
set -u
BIN=$(readlink -f "$1")
work=$(mktemp -d /tmp/pfg-guard-XXXXXX); chmod 755 "$work"
. "$(dirname "$0")/../lib.sh"
made_devlog=
trap 'stop_fpm; rm -rf "$work"; [ -z "$made_devlog" ] || rm -f /dev/log' EXIT

W=$work/fpm/pool.d/www.conf

# A fresh host: stock config copy, empty state, log and guard.conf dirs.
fresh() {
	stop_fpm
	rm -rf "$work/state" "$work/log" "$work/etc"
	mkdir -p "$work/etc/conf.d"
	copy_stock_fpm
	: > "$work/etc/guard.conf"
}
# The 2014 upgrade: owner/group lines commented out, as in the php5 conffile.
cve_www() { cve_shape "$W"; }
# Does a real connect() as USER reach the socket?  (perl-base is Essential.)
connects_as() {
	setpriv --reuid="$1" --regid="$1" --init-groups \
		perl -MIO::Socket::UNIX -e 'IO::Socket::UNIX->new(Peer => $ARGV[0]) or exit 1' "$SOCK"
}
# G's standing options (lib.sh; $VALGRIND, make valgrind, runs around it):
# the private php-fpm -- on_fpm BINARY: a stand-in for its binary.
on_fpm() {
	GOPTS=(--fpm-config "$work/fpm/php-fpm.conf" --fpm-binary "${1:-$FPM}" --client www-data
	       --state-dir "$work/state" --log-dir "$work/log" --config "$work/etc/guard.conf" --no-syslog)
}
on_fpm
# pre-invoke, the "upgrade" (a shell function), post-invoke; output in $out.
upgrade() {
	G pre-invoke 2>/dev/null || { bad "$1" "pre-invoke failed"; return 1; }
	"$2"
	out=$(G post-invoke 2>&1); rc=$?
}
cve_restart() { cve_www; start_fpm; }
has_all() {	# has_all TEXT LINE... -> names of missing lines in $missing
	local text=$1 w; shift; missing=
	for w in "$@"; do grep -qF -- "$w" <<<"$text" || missing="$missing [$w]"; done
	[ -z "$missing" ]
}
listen_line() { grep -n '^listen = ' "$W" | cut -d: -f1; }

# 1. policy fix (the default): explicit lines, -t passes, www-data connects,
#    also after a restart; owner and mode of www.conf kept; idempotent.
fresh; chown 0:33 "$W"; chmod 0640 "$W"; start_fpm
connects_as www-data || bad fix "stock pool not reachable before the test"
upgrade fix cve_restart
line=$(listen_line)
if [ $rc -eq 0 ] && has_all "$out" "$W:$line: error: pool www: www-data can no longer connect to $SOCK [client-lost]" \
	"before: www-data:www-data 0660" "now:    root:root 0660" "action: fixed (policy fix)" \
   && grep -q '^listen.owner = www-data$' "$W" && grep -q '^listen.group = www-data$' "$W" \
   && grep -q '^listen.mode = 0660$' "$W" && grep -q '^; php-fpm-guard: ' "$W" \
   && "$FPM" -t -y "$work/fpm/php-fpm.conf" >/dev/null 2>&1 && connects_as www-data \
   && [ "$(stat -c %u:%g:%a "$W")" = 0:33:640 ]; then ok fix
else bad fix "rc=$rc missing:${missing:-} out=$out $(stat -c %u:%g:%a "$W")"; fi
cp "$W" "$work/fixed.conf"
start_fpm
if connects_as www-data; then ok fix-survives-restart; else bad fix-survives-restart "www-data refused"; fi
if [ "$(jq -r '.findings[0].kind + " " + .findings[0].action + " " + .outcome' "$work/log/latest.json")" = "client-lost fixed fixed" ] \
   && ls "$work/state/backups/"*www.conf >/dev/null 2>&1; then ok fix-report-and-backup
else bad fix-report-and-backup "$(cat "$work/log/latest.json")"; fi
upgrade idempotent true
if [ $rc -eq 0 ] && [ -z "$out" ] && cmp -s "$W" "$work/fixed.conf" && [ ! -e "$work/state/pre-invoke.json" ]; then ok idempotent
else bad idempotent "rc=$rc out=$out"; fi
out=$(G fix 2>&1); rc=$?
if [ $rc -eq 0 ] && grep -q "nothing to fix" <<<"$out" && cmp -s "$W" "$work/fixed.conf"; then ok fix-by-hand-idempotent
else bad fix-by-hand-idempotent "rc=$rc out=$out"; fi

# 2. policy abort: non-zero, a compiler-style report, the file untouched.
fresh; echo "policy = abort" > "$work/etc/guard.conf"; start_fpm
upgrade abort cve_restart
line=$(listen_line)
if [ $rc -eq 1 ] && has_all "$out" "$W:$line: error: pool www: www-data can no longer connect" \
	"to fix, set in [www] of $W:" "listen.owner = www-data" "listen.group = www-data" \
	"listen.mode = 0660" "php-fpm-guard check" "action: aborted (policy abort)" \
   && cmp -s "$W" <(sed "s#^listen = .*#listen = $SOCK#" /etc/php/8.2/fpm/pool.d/www.conf | cve_shape) \
   && [ "$(jq -r '.findings[0].action' "$work/log/latest.json")" = aborted ]; then ok abort
else bad abort "rc=$rc missing:${missing:-} out=$out"; fi

# 3. A config change without a restart is seen: the next start is judged.
fresh; echo "policy = report" > "$work/etc/guard.conf"; start_fpm
upgrade next-start cve_www
if [ $rc -eq 0 ] && has_all "$out" "www-data will not be able to connect to $SOCK after the next php-fpm restart [client-lost-at-restart]" \
	"restart: root:root 0660" "action: reported (policy report)"; then ok next-start-report
else bad next-start-report "rc=$rc missing:${missing:-} out=$out"; fi
fresh; start_fpm
upgrade next-start-fix cve_www
if [ $rc -eq 0 ] && grep -q '^listen.owner = www-data$' "$W" && connects_as www-data \
   && start_fpm && connects_as www-data; then ok next-start-fix
else bad next-start-fix "rc=$rc out=$out"; fi

# 4. Broadening to 0666 is a security warning, never silently accepted.
to_0666() { sed -i 's/^;listen.mode = 0660/listen.mode = 0666/' "$W"; start_fpm; }
fresh; start_fpm
upgrade broaden to_0666
if [ $rc -eq 0 ] && has_all "$out" "security warning: pool www: socket $SOCK now grants more than before [socket-broadened]" \
	"any local user may connect (world-writable, CVE-2014-0185)" "action: reported (policy fix)" \
   && grep -q '^listen.mode = 0666$' "$W"; then ok broaden-reported
else bad broaden-reported "rc=$rc missing:${missing:-} out=$out"; fi
fresh; echo "policy = abort" > "$work/etc/guard.conf"; start_fpm
upgrade broaden-abort to_0666
if [ $rc -eq 1 ] && grep -q "action: aborted" <<<"$out"; then ok broaden-abort
else bad broaden-abort "rc=$rc out=$out"; fi

# 5. Nothing changed: no output at all, no report written.
fresh; start_fpm
upgrade quiet true
if [ $rc -eq 0 ] && [ -z "$out" ] && [ ! -e "$work/log/latest.json" ]; then ok unchanged-is-silent
else bad unchanged-is-silent "rc=$rc out=$out"; fi

# 6. No snapshot: does what check does, says so, changes nothing.
fresh; cve_restart
out=$(G post-invoke 2>&1); rc=$?
if [ $rc -eq 0 ] && has_all "$out" "no pre-invoke snapshot" "www-data can no longer connect" "action: reported" \
   && grep -q '^;listen.owner' "$W"; then ok no-snapshot
else bad no-snapshot "rc=$rc missing:${missing:-} out=$out"; fi

# 7. The guard's own failure never blocks apt, unless strict = yes.
fresh; start_fpm
mkdir -p "$work/elsewhere"; ln -s "$work/elsewhere" "$work/state"
out=$(G pre-invoke 2>&1); rc=$?
if [ $rc -eq 0 ] && grep -q "not blocking apt" <<<"$out" && [ -z "$(ls "$work/elsewhere")" ]; then ok own-failure-not-blocking
else bad own-failure-not-blocking "rc=$rc out=$out"; fi
echo "strict = yes" > "$work/etc/guard.conf"
out=$(G pre-invoke 2>&1); rc=$?
if [ $rc -eq 2 ] && grep -q "refused" <<<"$out"; then ok strict-blocks
else bad strict-blocks "rc=$rc out=$out"; fi
rm -f "$work/state"; rm -rf "$work/elsewhere"

# 8. A guard.conf error names file:line and falls back to report.
fresh; printf 'policy = fix\nfrobnicate = yes\n' > "$work/etc/guard.conf"; start_fpm
upgrade conf-error cve_restart
if [ $rc -eq 0 ] && has_all "$out" "$work/etc/guard.conf:2: error: unknown key 'frobnicate'" \
	"policy report for this run" "action: reported (policy report)" && grep -q '^;listen.owner' "$W"; then ok conf-error-report
else bad conf-error-report "rc=$rc missing:${missing:-} out=$out"; fi

# 9. A per-pool section overrides the global policy; --policy overrides both.
fresh; printf 'policy = abort\n[pool www]\npolicy = report\n' > "$work/etc/guard.conf"; start_fpm
upgrade pool-override cve_restart
if [ $rc -eq 0 ] && grep -q "action: reported (policy report)" <<<"$out"; then ok pool-section-override
else bad pool-section-override "rc=$rc out=$out"; fi
fresh; printf 'policy = abort\n' > "$work/etc/guard.conf"; start_fpm
G pre-invoke; cve_restart; out=$(G --policy fix post-invoke 2>&1); rc=$?
if [ $rc -eq 0 ] && grep -q '^listen.owner = www-data$' "$W"; then ok cli-policy-override
else bad cli-policy-override "rc=$rc out=$out"; fi

# 10. fix --dry-run: the exact edit as a unified diff, nothing changed.
fresh; cve_restart; cp "$W" "$work/before.conf"
out=$(G fix --dry-run 2>&1); rc=$?
if [ $rc -eq 1 ] && has_all "$out" "--- $W" "+++ $W" "-;listen.owner = www-data" "+listen.owner = www-data" \
	"+; php-fpm-guard: " && cmp -s "$W" "$work/before.conf" && [ ! -e "$work/state" ]; then ok dry-run
else bad dry-run "rc=$rc missing:${missing:-} out=$out"; fi
# The diff applies to the original and gives what fix writes.
patch -s -o "$work/patched.conf" "$work/before.conf" <<<"$out" >/dev/null 2>&1
out=$(G fix 2>&1); rc=$?
if [ $rc -eq 0 ] && grep -q "fixed pool www" <<<"$out" && cmp -s "$W" "$work/patched.conf" && connects_as www-data; then ok fix-by-hand
else bad fix-by-hand "rc=$rc out=$out"; fi

# 11. php-fpm -t refuses the edited config: the original comes back.
cat > "$work/fake-fpm" <<EOS
#!/bin/sh
# php-fpm8.2 that refuses any config php-fpm-guard has touched.
for a; do case \$a in -t|-tt) if grep -q 'php-fpm-guard:' "$W"; then echo "ERROR: refused by test"; exit 78; fi;; esac; done
exec $FPM "\$@"
EOS
chmod 755 "$work/fake-fpm"
fresh; start_fpm; on_fpm "$work/fake-fpm"
G pre-invoke; cve_restart; cp "$W" "$work/before.conf"
out=$(G post-invoke 2>&1); rc=$?
if [ $rc -eq 1 ] && has_all "$out" "php-fpm -t refused the edited configuration; original restored" "action: fix-failed" \
   && cmp -s "$W" "$work/before.conf" && [ ! -e "$work/state/fix-journal.json" ]; then ok fpm-t-refuses-rollback
else bad fpm-t-refuses-rollback "rc=$rc missing:${missing:-} out=$out"; fi
on_fpm

# 12. SIGKILL at every step of a fix: the file is exactly old or exactly
#     new, and the next run finishes.
for point in after-backup after-journal after-temp-write after-rename after-write before-socket-repair; do
	fresh; start_fpm
	G pre-invoke; cve_restart; cp "$W" "$work/before.conf"
	PHP_FPM_GUARD_FAULT=$point G post-invoke >/dev/null 2>&1; rc=$?
	whole=no
	{ cmp -s "$W" "$work/before.conf" || cmp -s "$W" "$work/fixed.conf"; } && whole=yes
	out=$(G post-invoke 2>&1); rc2=$?
	left=$(find "$work/fpm" -name '.*.pfg-*' | wc -l)
	if [ $rc -eq 137 ] && [ $whole = yes ] && [ $rc2 -eq 0 ] && cmp -s "$W" "$work/fixed.conf" \
	   && [ "$left" = 0 ] && [ ! -e "$work/state/fix-journal.json" ] && connects_as www-data; then
		ok "sigkill-$point"
	else bad "sigkill-$point" "rc=$rc whole=$whole rc2=$rc2 left=$left out=$out"; fi
done

# 13. diff OLD NEW on two snapshots, text and JSON.
fresh; start_fpm
G pre-invoke; cp "$work/state/pre-invoke.json" "$work/old.json"
cve_restart; G pre-invoke; cp "$work/state/pre-invoke.json" "$work/new.json"
out=$("$BIN" diff "$work/old.json" "$work/new.json" 2>&1); rc=$?
if [ $rc -eq 1 ] && grep -q "www-data can no longer connect" <<<"$out" \
   && [ "$("$BIN" diff --json "$work/old.json" "$work/new.json" | jq -r '.findings[0].kind')" = client-lost ] \
   && "$BIN" diff "$work/old.json" "$work/old.json" >/dev/null; then ok diff-command
else bad diff-command "rc=$rc out=$out"; fi
printf '{"kind":"php-fpm-guard-snapshot","schema":1' > "$work/cut.json"
out=$("$BIN" diff "$work/old.json" "$work/cut.json" 2>&1); rc=$?
if [ $rc -eq 2 ] && grep -q "cut.json: not a usable snapshot: not valid JSON" <<<"$out"; then ok diff-rejects-truncated
else bad diff-rejects-truncated "rc=$rc out=$out"; fi

# 16. fix_target = drop-in: www.conf stays as the package shipped it; the
#     guard's own pool.d/zz-php-fpm-guard.conf re-opens [www] instead.
fresh; echo "fix_target = drop-in" > "$work/etc/guard.conf"; start_fpm
upgrade dropin cve_restart
D=$work/fpm/pool.d/zz-php-fpm-guard.conf
if [ $rc -eq 0 ] && grep -q "fixed: set in \[www\] of $D" <<<"$out" && grep -q '^;listen.owner' "$W" \
   && ! grep -q 'php-fpm-guard' "$W" && head -1 "$D" | grep -q '^; php-fpm-guard drop-in' \
   && grep -q '^\[www\]$' "$D" && grep -q '^listen.owner = www-data$' "$D" \
   && connects_as www-data && start_fpm && connects_as www-data; then ok fix-target-drop-in
else bad fix-target-drop-in "rc=$rc out=$out $(cat "$D" 2>&1)"; fi
# The drop-in never outlives its pool: with www gone, its entry goes.
G pre-invoke 2>/dev/null
sed -e 's/^\[www\]/[other]/' "$W" > "$work/fpm/pool.d/other.conf"; rm -f "$W"
start_fpm; out=$(G post-invoke 2>&1); rc=$?
if [ $rc -eq 0 ] && ! grep -q '^\[www\]$' "$D" && grep -q "dropped 1 drop-in entry" <<<"$out" \
   && "$FPM" -t -y "$work/fpm/php-fpm.conf" >/dev/null 2>&1; then ok drop-in-pruned
else bad drop-in-pruned "rc=$rc out=$out $(cat "$D")"; fi
rm -f "$work/fpm/pool.d/other.conf"

# 15. The no-change path asks php-fpm nothing: its answers (-t, -v) are
#     cached by the identity of the config files and the binary, and a
#     changed config is asked again (issue 7).
cat > "$work/count-fpm" <<EOS
#!/bin/sh
echo "\$*" >> "$work/fpm-calls"
exec $FPM "\$@"
EOS
chmod 755 "$work/count-fpm"
fresh; start_fpm; on_fpm "$work/count-fpm"; : > "$work/fpm-calls"
G pre-invoke; G post-invoke; first=$(wc -l < "$work/fpm-calls")
G pre-invoke; G post-invoke; second=$(wc -l < "$work/fpm-calls")
printf '; touched\n' >> "$W"
G pre-invoke; third=$(wc -l < "$work/fpm-calls")
if [ "$first" -ge 1 ] && [ "$second" = "$first" ] && [ "$third" -gt "$second" ]; then ok fpm-answers-cached
else bad fpm-answers-cached "calls: first pair $first, second pair $second, after a change $third: $(cat "$work/fpm-calls")"; fi
on_fpm

# 14. syslog: one line per finding with stable fields, tag php-fpm-guard.
#     A datagram listener stands in for the syslog daemon at /dev/log
#     (bind-mounted over a real one in a private mount namespace).
listen_log() {
	perl -MIO::Socket::UNIX -MSocket -e '
		my $s = IO::Socket::UNIX->new(Type => SOCK_DGRAM, Local => $ARGV[0]) or die "$!";
		open(my $f, ">>", $ARGV[1]) or die; $f->autoflush(1);
		while (defined $s->recv(my $m, 65536)) { print $f "$m\n"; }' "$1" "$2" &
	log_pid=$!
	for _ in $(seq 50); do [ -S "$1" ] && return 0; sleep 0.1; done
}
fresh; echo "policy = abort" > "$work/etc/guard.conf"; start_fpm
G pre-invoke; cve_restart; : > "$work/syslog.txt"
if [ -e /dev/log ]; then
	listen_log "$work/devlog" "$work/syslog.txt"
	unshare -m sh -c 'mount --bind "$1" /dev/log && shift && exec "$@"' sh "$work/devlog" \
		"$BIN" --fpm-config "$work/fpm/php-fpm.conf" --fpm-binary "$FPM" --client www-data \
		--state-dir "$work/state" --log-dir "$work/log" --config "$work/etc/guard.conf" \
		post-invoke >/dev/null 2>&1
else
	made_devlog=1
	listen_log /dev/log "$work/syslog.txt"
	"$BIN" --fpm-config "$work/fpm/php-fpm.conf" --fpm-binary "$FPM" --client www-data \
		--state-dir "$work/state" --log-dir "$work/log" --config "$work/etc/guard.conf" \
		post-invoke >/dev/null 2>&1
	rm -f /dev/log; made_devlog=
fi
sleep 0.2; kill $log_pid 2>/dev/null; wait $log_pid 2>/dev/null
if grep -q "php-fpm-guard\[[0-9]*\]: PFG_FINDING kind=client-lost severity=error security=0 instance=\"$work/fpm/php-fpm.conf\" pool=\"www\" user=\"www-data\" file=\"$W\" line=[0-9]* before=\"www-data:www-data 0660\" after=\"root:root 0660\" action=aborted" "$work/syslog.txt" \
   && grep -q "PFG_RUN command=post-invoke outcome=aborted findings=1 exit=1" "$work/syslog.txt"; then ok syslog
else bad syslog "$(cat "$work/syslog.txt")"; fi

finish
