#!/bin/bash
# `check --monitoring-plugin` and `status --monitoring-plugin` (issue 15)
# on real host states: a real php-fpm8.2 with four pools in a temp dir,
# and an nginx configuration of three PHP sites put over /etc/nginx (an
# empty dir over /etc/apache2) in a private mount namespace, so the guard
# reads them as a host's.  Every exit code comes from a state: OK (the
# host as it should be; no PHP-FPM, with a note), WARNING (a
# world-writable socket), CRITICAL (a lost client, a site without a
# pool, a config php-fpm -t refuses -- also from the hooks' cache),
# UNKNOWN (every failure of the guard itself).  Every output goes through
# a parser of the Monitoring Plugins' output and perfdata rules, and
# stderr must stay empty (agents merge it into the output).  strace
# shows that no pool is connect()ed to.  Usage: tests/plugin/run.sh BINARY
set -u
BIN=$(readlink -f "$1")
work=$(mktemp -d /tmp/pfg-plugin-XXXXXX); chmod 755 "$work"
. "$(dirname "$0")/../lib.sh"
trap 'stop_fpm; rm -rf "$work"' EXIT
for b in /usr/bin/strace /usr/bin/perl /usr/bin/setpriv; do
	[ -x "$b" ] || { echo "FAIL setup: $b missing (tests/install-deps.sh)"; exit 1; }
done
TENANT=pfgplugx
id -u "$TENANT" >/dev/null 2>&1 || useradd -r -M -s /usr/sbin/nologin "$TENANT"

N=$work/nginx NOA=$work/no-apache OUT=$work/outputs
mkdir -p "$N/sites" "$N/tenants" "$NOA" "$OUT"
chown "$TENANT" "$N/tenants"
printf 'user www-data;\nevents {}\nhttp {\n\tinclude /etc/nginx/sites/*.conf;\n\tinclude /etc/nginx/tenants/*.conf;\n}\n' \
	> "$N/nginx.conf"
site() {	# site NAME SOCKET: an nginx site sending PHP to SOCKET
	printf 'server {\n\tlisten 127.0.0.1:8090;\n\tserver_name %s;\n\tlocation ~ \\.php$ {\n\t\tfastcgi_pass unix:%s;\n\t}\n}\n' \
		"$1" "$2" > "$N/sites/$1.conf"
}
pool() {	# pool NAME: a pool on $work/run/NAME.sock, www-data:www-data 0660
	printf '[%s]\nuser = www-data\ngroup = www-data\nlisten = %s/run/%s.sock\nlisten.owner = www-data\nlisten.group = www-data\nlisten.mode = 0660\npm = ondemand\npm.max_children = 2\n' \
		"$1" "$work" "$1" > "$work/fpm/pool.d/$1.conf"
}
copy_stock_fpm
pool shop; pool blog; pool api
site www.example "$SOCK"; site shop.example "$work/run/shop.sock"; site blog.example "$work/run/blog.sock"
restart() {
	start_fpm || return 1
	for s in shop blog api; do
		for _ in $(seq 50); do [ -S "$work/run/$s.sock" ] && break; sleep 0.1; done
	done
}
# The guard as on a host whose /etc/nginx is $N and without Apache.
ns() {
	unshare --mount --propagation private /bin/sh -c '
		mount --bind "$1" /etc/nginx && mount --bind "$2" /etc/apache2 || exit 99
		shift 2; exec "$@"' sh "$N" "$NOA" "$@"
}
G=("$BIN" --fpm-config "$work/fpm/php-fpm.conf" --fpm-binary "$FPM" --config "$work/guard.conf")
n=0
# plugin NAME CMD...: run it, keep stdout, stderr and the exit code.
plugin() {
	local name=$1; shift
	n=$((n+1))
	"$@" >"$OUT/$n.out" 2>"$OUT/$n.err"; echo $? >"$OUT/$n.rc"
	echo "$name" >"$OUT/$n.name"
	out=$(cat "$OUT/$n.out"); rc=$(cat "$OUT/$n.rc"); line1=$(head -1 "$OUT/$n.out")
}

# The Monitoring Plugins' output rules: the status line "NAME STATE -
# text", its state the exit code's, then " | " and the perfdata; no '|'
# anywhere else (each starts perfdata); perfdata as space-separated
# 'label'=value[UOM];[warn];[crit];[min];[max], label quoted when it has
# a space, '=' or a quote (a quote doubled inside), value and min/max in
# [-0-9.], UOM one of s us ms % B KB MB TB GB c, warn/crit in the range
# format [@][start:][end] (start may be ~), trailing semicolons optional.
# Prints label=value[UOM] per item; exit 1 and why when it does not parse.
cat > "$work/perfparse.pl" <<'EOP'
use strict; use warnings;
my $rc = shift; my @lines = <STDIN>; chomp @lines;
my %st = (OK => 0, WARNING => 1, CRITICAL => 2, UNKNOWN => 3);
sub reject { print STDERR "$_[0]\n"; exit 1 }
reject("no output") unless @lines;
my ($state, $text, $perf) = $lines[0] =~ /^PHP-FPM-GUARD (\S+) - ([^|]+?)(?: \| (.*))?$/
	or reject("status line: $lines[0]");
reject("state $state, exit $rc") unless exists $st{$state} && $st{$state} == $rc;
for (@lines[1 .. $#lines]) { reject("'|' after the status line: $_") if /\|/ }
$perf //= ""; $perf =~ s/\s+$//;
my $num = qr/-?[0-9.]+/; my $range = qr/\@?(?:~|$num)?(?::(?:$num)?)?/;
while (length $perf) {
	my $label;
	if ($perf =~ s/^'((?:[^']|'')+)'=//) { ($label = $1) =~ s/''/'/g }
	elsif ($perf =~ s/^([^'= ][^= ]*)=//) { $label = $1 }
	else { reject("label at: $perf") }
	$perf =~ s/^([-0-9.]+)(s|us|ms|%|B|KB|MB|TB|GB|c)?((?:;[^ ;]*){0,4})(?: +|$)//
		or reject("value of $label at: $perf");
	my ($v, $uom, $rest) = ($1, $2 // "", $3);
	reject("value $v of $label") unless $v =~ /^$num$/;
	my @f = split /;/, $rest, -1; shift @f;
	for my $i (0 .. $#f) {
		next if $f[$i] eq "";
		my $ok = $i < 2 ? $f[$i] =~ /^$range$/ : $f[$i] =~ /^$num$/;
		reject("field " . ($i + 1) . " '$f[$i]' of $label") unless $ok;
	}
	print "$label=$v$uom\n";
}
EOP
perf() { perl "$work/perfparse.pl" "$rc" < "$OUT/$n.out"; }	# of the last run
# The parser rejects what breaks the rules (so it can fail).
rules_bad=0
for t in "PHP-FPM-GUARD OK - fine | sites=3;;; reachable=x;;;" "PHP-FPM-GUARD OK - a | b | sites=1" \
	 "PHP-FPM-GUARD CRITICAL - fine | sites=3;;;" "PHP-FPM-GUARD OK - fine | 'a b=1" \
	 "PHP-FPM-GUARD OK - fine | sites=1;;;;;" "PHP-FPM-GUARD OK - fine | a=1;2:1x" \
	 "$(printf 'PHP-FPM-GUARD OK - fine | a=1\nmore | b=2')"; do
	printf '%s\n' "$t" | perl "$work/perfparse.pl" 0 >/dev/null 2>&1 || rules_bad=$((rules_bad+1))
done
good=$(printf "PHP-FPM-GUARD OK - x | 'a b'=1s;@1:2;~:3;0; 'it''s'=2.5%%;;;; c=-1\n" | perl "$work/perfparse.pl" 0 2>&1)
if [ $rules_bad = 7 ] && [ "$good" = "a b=1s
it's=2.5%
c=-1" ]; then ok perfdata-parser-self-test
else bad perfdata-parser-self-test "rejected $rules_bad of 7; good: $good"; fi

PERF3="sites=3;;; reachable=3;;; pools=4;;; world_writable=0;;;"
# ---- 1. The host as it should be: OK ----
restart || bad ok-host "php-fpm did not start"
plugin ok-host ns "${G[@]}" check --monitoring-plugin
if [ "$rc" = 0 ] && [ "$line1" = "PHP-FPM-GUARD OK - 3 of 3 sites reach PHP | $PERF3" ] \
   && [ "$(perf | tr '\n' ' ')" = "sites=3 reachable=3 pools=4 world_writable=0 " ]; then ok ok-host
else bad ok-host "rc=$rc $out"; fi
# No connect() to any pool: every verdict from metadata.
ns strace -f -qq -e trace=connect -o "$work/connect.trace" "${G[@]}" check --monitoring-plugin >/dev/null 2>&1
if [ -s "$work/connect.trace" ] || grep -q . "$work/connect.trace" 2>/dev/null; then
	hits=$(grep -cE "$work/run|/proc/self/fd/" "$work/connect.trace")
else hits=0; fi
# The proof connects through /proc/self/fd/N of the socket it judged
# (an O_PATH fd), not through the path: count both.
strace_saw=$(ns strace -f -qq -e trace=connect "$BIN" --fpm-config "$work/fpm/php-fpm.conf" --fpm-binary "$FPM" \
	--config "$work/guard.conf" check 2>&1 >/dev/null | grep -cE "$work/run|/proc/self/fd/")
if [ "$hits" = 0 ] && [ "$strace_saw" -gt 0 ]; then ok no-connect-to-pools
else bad no-connect-to-pools "plugin connect()s to the pools: $hits (plain check, proving: $strace_saw)"; fi

# ---- 2. A lost client (the 2014 upgrade shape on one pool): CRITICAL ----
sed -i -e '/^listen.owner/d' -e '/^listen.group/d' "$work/fpm/pool.d/shop.conf"
restart
l=$(grep -n fastcgi_pass "$N/sites/shop.example.conf" | cut -d: -f1)
plugin lost-client ns "${G[@]}" check --monitoring-plugin
want="PHP-FPM-GUARD CRITICAL - 1 of 3 sites cannot reach PHP: shop.example (pool shop) | sites=3;;; reachable=2;;; pools=4;;; world_writable=0;;;"
if [ "$rc" = 2 ] && [ "$line1" = "$want" ] \
   && grep -qxF "CRITICAL: site shop.example (nginx fastcgi_pass at /etc/nginx/sites/shop.example.conf:$l): pool shop on $work/run/shop.sock: www-data cannot connect: socket root:root 0660: www-data is not the owner, not in group root, and others may not write" <<<"$out"; then
	ok lost-client
else bad lost-client "rc=$rc $out"; fi
pool shop; restart

# ---- 3. A world-writable socket: WARNING ----
printf 'listen.mode = 0666\n' >> "$work/fpm/pool.d/www.conf"
restart
plugin world-writable ns "${G[@]}" check --monitoring-plugin
if [ "$rc" = 1 ] \
   && [ "$line1" = "PHP-FPM-GUARD WARNING - world-writable socket of 1 pool: www; 3 of 3 sites reach PHP | sites=3;;; reachable=3;;; pools=4;;; world_writable=1;;;" ] \
   && grep -q "^WARNING: $work/fpm/pool.d/www.conf:[0-9]*: pool www: socket $SOCK is world-writable (0666)" <<<"$out"; then
	ok world-writable-warning
else bad world-writable-warning "rc=$rc $out"; fi
sed -i '$d' "$work/fpm/pool.d/www.conf"; restart

# ---- 4. A config php-fpm refuses: CRITICAL, also from the hooks' cache ----
printf 'pm.max_children = 0\n' >> "$work/fpm/pool.d/api.conf"
plugin fpm-refuses ns "${G[@]}" check --monitoring-plugin
if [ "$rc" = 2 ] && [ "$line1" = "PHP-FPM-GUARD CRITICAL - php-fpm -t refuses $work/fpm/php-fpm.conf; 3 of 3 sites reach PHP | $PERF3" ] \
   && grep -qF "CRITICAL: $work/fpm/php-fpm.conf: $FPM -t refuses this configuration: ALERT: [pool api] pm.max_children must be a positive value" <<<"$out"; then
	ok fpm-refuses-critical
else bad fpm-refuses-critical "rc=$rc $out"; fi
S=$work/state L=$work/log
mkdir -p "$S" "$L"; chmod 700 "$S"
H=("${G[@]}" --state-dir "$S" --log-dir "$L" --no-syslog --prom-file none)
ns "${H[@]}" pre-invoke 2>/dev/null	# asks php-fpm -t, keeps its answer
cache_before=$(md5sum < "$S/fpm-cache.json")
ns strace -f -qq -e trace=execve -o "$work/exec.trace" "${H[@]}" check --monitoring-plugin >/dev/null 2>&1
plugin fpm-refuses-cached ns "${H[@]}" check --monitoring-plugin
if [ "$rc" = 2 ] && [ "$line1" = "PHP-FPM-GUARD CRITICAL - php-fpm -t refuses $work/fpm/php-fpm.conf; 3 of 3 sites reach PHP | $PERF3" ] \
   && ! grep -qF "execve(\"$FPM\"" "$work/exec.trace" && grep -q "execve(\"$BIN\"" "$work/exec.trace" \
   && [ "$(md5sum < "$S/fpm-cache.json")" = "$cache_before" ]; then ok fpm-refuses-from-cache
else bad fpm-refuses-from-cache "rc=$rc $out $(grep -c execve "$work/exec.trace") execs"; fi
# Without a cache php-fpm is asked (so the test above can fail), and its
# answer kept for the next minute; a missing state dir is never created.
mkdir -p "$work/state0"; chmod 700 "$work/state0"
for i in 1 2; do
	ns strace -f -qq -e trace=execve -o "$work/exec$i.trace" "${G[@]}" --state-dir "$work/state0" \
		check --monitoring-plugin >/dev/null 2>&1
done
"${G[@]}" --state-dir "$work/state-missing" check --monitoring-plugin >/dev/null
if grep -qF "execve(\"$FPM\"" "$work/exec1.trace" && [ -s "$work/state0/fpm-cache.json" ] \
   && ! grep -qF "execve(\"$FPM\"" "$work/exec2.trace" && [ ! -e "$work/state-missing" ]; then
	ok fpm-asked-once-then-cached
else bad fpm-asked-once-then-cached "$(grep -h execve "$work"/exec[12].trace; ls "$work/state0")"; fi
# While a hook holds the lock the plugin neither waits nor writes.
mkdir -p "$work/state1"; chmod 700 "$work/state1"; : > "$work/state1/lock"; chmod 600 "$work/state1/lock"
flock -x "$work/state1/lock" sleep 4 & holder=$!
sleep 0.3
t0=$(date +%s%N)
plugin locked ns "${G[@]}" --state-dir "$work/state1" check --monitoring-plugin
ms=$(( ($(date +%s%N) - t0) / 1000000 ))
kill $holder 2>/dev/null; wait $holder 2>/dev/null
if [ "$rc" = 2 ] && [ "$ms" -lt 3000 ] && [ ! -e "$work/state1/fpm-cache.json" ]; then ok lock-held-no-wait-no-write
else bad lock-held-no-wait-no-write "rc=$rc ${ms} ms $(ls "$work/state1") $out"; fi
pool api

# ---- 4b. A client user that does not exist: WARNING, named once ----
printf 'clients = www-data nopfgplugin\n' > "$work/guard.conf"
plugin missing-user ns "${G[@]}" check --monitoring-plugin
rm -f "$work/guard.conf"
if [ "$rc" = 1 ] && [ "$line1" = "PHP-FPM-GUARD WARNING - 1 missing client user: nopfgplugin; 3 of 3 sites reach PHP | $PERF3" ] \
   && [ "$(grep -c '^WARNING: client user nopfgplugin .* does not exist$' <<<"$out")" = 1 ]; then
	ok missing-client-user-warning-once
else bad missing-client-user-warning-once "rc=$rc $out"; fi

# ---- 5. A site where no pool listens (the php5 -> php7 rename): CRITICAL ----
site old.example "$work/run/php5-fpm.sock"
plugin site-without-pool ns "${G[@]}" check --monitoring-plugin
if [ "$rc" = 2 ] \
   && [ "$line1" = "PHP-FPM-GUARD CRITICAL - 1 of 4 sites cannot reach PHP: old.example (no pool at $work/run/php5-fpm.sock) | sites=4;;; reachable=3;;; pools=4;;; world_writable=0;;;" ] \
   && grep -qF "CRITICAL: site old.example (nginx fastcgi_pass at /etc/nginx/sites/old.example.conf:5): no PHP-FPM pool listens on $work/run/php5-fpm.sock" <<<"$out"; then
	ok site-without-pool
else bad site-without-pool "rc=$rc $out"; fi
rm -f "$N/sites/old.example.conf"

# ---- 6. No web server config: the pools count, and the details say so ----
N_SAVE=$N; N=$NOA
plugin no-web-server ns "${G[@]}" check --monitoring-plugin
N=$N_SAVE
if [ "$rc" = 0 ] && [ "$line1" = "PHP-FPM-GUARD OK - 4 of 4 pools reachable by their clients | sites=4;;; reachable=4;;; pools=4;;; world_writable=0;;;" ] \
   && grep -qxF "note: no nginx or Apache configuration found: the unix socket pools (4) count as the sites" <<<"$out"; then
	ok no-web-server-counts-pools
else bad no-web-server-counts-pools "rc=$rc $out"; fi

# ---- 7. No PHP-FPM: OK, with a note ----
mkdir -p "$work/empty"
plugin no-php-fpm "$BIN" --root "$work/empty" check --monitoring-plugin
if [ "$rc" = 0 ] && [ "$out" = "PHP-FPM-GUARD OK - no PHP-FPM on this host | sites=0;;; reachable=0;;; pools=0;;; world_writable=0;;;
note: no PHP-FPM instance found: nothing to guard" ]; then ok no-php-fpm-ok
else bad no-php-fpm-ok "rc=$rc $out"; fi

# ---- 8. Every failure of the guard itself: UNKNOWN, one line, exit 3 ----
unknown() {	# unknown NAME REASON-PATTERN CMD...: exit 3, the reason on line 1
	local name=$1 pat=$2; shift 2
	plugin "$name" "$@"
	if [ "$rc" = 3 ] && grep -Eq "^PHP-FPM-GUARD UNKNOWN - $pat" <<<"$line1" \
	   && [ ! -s "$OUT/$n.err" ]; then ok "$name"
	else bad "$name" "rc=$rc $out / stderr: $(cat "$OUT/$n.err")"; fi
}
unknown unknown-bad-usage "bad usage: unrecognized option '--bogus'$" \
	"${G[@]}" check --monitoring-plugin --bogus
unknown unknown-bad-operand "bad usage" "${G[@]}" check extra --monitoring-plugin
unknown unknown-json-too "--monitoring-plugin and --json: one output at a time$" \
	"${G[@]}" check --monitoring-plugin --json
unknown unknown-other-command "--monitoring-plugin: only with check and status, not fix$" \
	"${G[@]}" fix --monitoring-plugin
unknown unknown-help "usage: see php-fpm-guard --help without --monitoring-plugin" \
	"${G[@]}" check --monitoring-plugin --help
unknown unknown-version "php-fpm-guard [0-9]" "$BIN" status --version --monitoring-plugin
mkdir -p "$work/conf-dir"
unknown unknown-guard-conf-unreadable "guard.conf: $work/conf-dir: error: cannot read: Is a directory$" \
	"$BIN" --fpm-config "$work/fpm/php-fpm.conf" --config "$work/conf-dir" check --monitoring-plugin
printf 'clients = www-data\npolicy = sometimes\n' > "$work/bad.conf"
unknown unknown-guard-conf-bad-value "guard.conf: $work/bad.conf:2: error: " \
	"$BIN" --fpm-config "$work/fpm/php-fpm.conf" --config "$work/bad.conf" check --monitoring-plugin
printf 'clients = www-data\n' > "$work/open.conf"; chmod 666 "$work/open.conf"
unknown unknown-guard-conf-writable-by-others "guard.conf: $work/open.conf" \
	"$BIN" --fpm-config "$work/fpm/php-fpm.conf" --config "$work/open.conf" check --monitoring-plugin
unknown unknown-no-root "cannot open root $work/nowhere: No such file or directory$" \
	"$BIN" --root "$work/nowhere" check --monitoring-plugin
unknown unknown-relative-path "--state-dir needs an absolute path, not 'rel'$" \
	"$BIN" --state-dir rel status --monitoring-plugin
unknown unknown-bad-max-age "--max-age 'soon': expected a number of seconds$" \
	"$BIN" --state-dir "$S" status --monitoring-plugin --max-age soon
unknown unknown-max-age-on-check "--max-age: only with status --monitoring-plugin$" \
	"${G[@]}" check --monitoring-plugin --max-age 60
mkdir -p "$work/state-open"; chmod 777 "$work/state-open"
unknown unknown-state-dir-refused "$work/state-open" \
	"$BIN" --state-dir "$work/state-open" status --monitoring-plugin
mkdir -p "$work/state-none"; chmod 700 "$work/state-none"
unknown unknown-no-run-recorded "no post-invoke or fix run recorded in $work/state-none$" \
	"$BIN" --state-dir "$work/state-none" status --monitoring-plugin

# ---- 9. status --monitoring-plugin: the last guarded run ----
S=$work/st9; mkdir -p "$S"; chmod 700 "$S"
H=("${G[@]}" --state-dir "$S" --log-dir "$L" --no-syslog --prom-file none)
restart
ns "${H[@]}" pre-invoke; ns "${H[@]}" post-invoke
plugin status-ok "${H[@]}" status --monitoring-plugin
if [ "$rc" = 0 ] && grep -Eqx 'PHP-FPM-GUARD OK - last run ok: post-invoke [0-9]+ s ago, 0 findings, exit 0 \| age=[0-9]+s;691200;;0; findings=0;;;0; errors_left=0;;;0;' <<<"$line1" \
   && grep -Eqx 'note: the last post-invoke or fix ran at [0-9T:-]+Z' <<<"$out"; then ok status-ok
else bad status-ok "rc=$rc $out"; fi
sleep 2
plugin status-too-old "${H[@]}" status --monitoring-plugin --max-age 1
if [ "$rc" = 1 ] && grep -Eqx 'PHP-FPM-GUARD WARNING - no guarded run for more than 1 s; last ok: post-invoke [0-9]+ s ago, 0 findings, exit 0 \| age=[0-9]+s;1;;0; findings=0;;;0; errors_left=0;;;0;' <<<"$line1"; then
	ok status-too-old-warning
else bad status-too-old-warning "rc=$rc $out"; fi
plugin status-age-off "${H[@]}" status --monitoring-plugin --max-age 0
if [ "$rc" = 0 ] && grep -q '| age=[0-9]*s;;;0; ' <<<"$line1"; then ok status-max-age-0-never-too-old
else bad status-max-age-0-never-too-old "rc=$rc $out"; fi
# Only warnings reported (a socket made world-writable during the run).
ns "${H[@]}" pre-invoke
printf 'listen.mode = 0666\n' >> "$work/fpm/pool.d/www.conf"; restart
ns "${H[@]}" --policy report post-invoke >/dev/null 2>&1
plugin status-warnings "${H[@]}" status --monitoring-plugin
if [ "$rc" = 1 ] && grep -Eq '^PHP-FPM-GUARD WARNING - last run reported: post-invoke [0-9]+ s ago, 1 finding, exit 0 \(warnings only\) \|' <<<"$line1"; then
	ok status-warnings-only
else bad status-warnings-only "rc=$rc $out $(jq -c . "$S/last-run.json")"; fi
sed -i '$d' "$work/fpm/pool.d/www.conf"; restart
# Aborted: a client lost during the run, policy abort.
ns "${H[@]}" pre-invoke
sed -i -e '/^listen.owner/d' -e '/^listen.group/d' "$work/fpm/pool.d/shop.conf"; restart
ns "${H[@]}" --policy abort post-invoke >/dev/null 2>&1
plugin status-aborted "${H[@]}" status --monitoring-plugin
if [ "$rc" = 2 ] && grep -Eq '^PHP-FPM-GUARD CRITICAL - last run aborted: post-invoke [0-9]+ s ago, 1 finding, 1 error left, exit 1 \| .*errors_left=1;;;0;$' <<<"$line1"; then
	ok status-aborted-critical
else bad status-aborted-critical "rc=$rc $out"; fi
pool shop; restart

# ---- 10. Text from configs cannot forge the output (as the attacker) ----
# A tenant who may write an nginx include names a site so that its name,
# printed on the status line, would end the text, bring its own
# perfdata, or start a status line of its own.
setpriv --reuid="$TENANT" --regid="$(id -g "$TENANT")" --clear-groups /bin/sh -c '
	printf "server {\n\tserver_name \"evil.example | reachable=999;;; pools=0;;;\";\n\tlocation / { fastcgi_pass unix:/run/evil.sock; }\n}\n" > "$1/evil.conf"
	printf "server {\n\tserver_name \"x\nPHP-FPM-GUARD OK - all fine | sites=1;;;\";\n\tlocation / { fastcgi_pass unix:/run/evil2.sock; }\n}\n" > "$1/evil2.conf"' \
	sh "$N/tenants"
plugin forged-names ns "${G[@]}" check --monitoring-plugin
labels=$(perf 2>&1 | tr '\n' ' ')
if [ -s "$N/tenants/evil.conf" ] && [ "$(stat -c %U "$N/tenants/evil.conf")" = "$TENANT" ] \
   && [ "$rc" = 2 ] && [ "$labels" = "sites=5 reachable=3 pools=4 world_writable=0 " ] \
   && grep -qF 'evil.example \x7c reachable=999;;; pools=0;;;' <<<"$line1" \
   && [ "$(grep -c '^PHP-FPM-GUARD' <<<"$out")" = 1 ] && grep -qF 'x\x0aPHP-FPM-GUARD OK - all fine \x7c' <<<"$out"; then
	ok forged-site-names-cannot-forge-perfdata-or-state
else bad forged-site-names-cannot-forge-perfdata-or-state "rc=$rc perf: $labels $out"; fi
rm -f "$N/tenants/"*.conf
stop_fpm

# ---- 11. The examples' command lines: accepted, and allowed by sudoers ----
EX=$(dirname "$0")/../../examples/monitoring
commands() {	# the guard's command lines in example files
	perl -ne 'next if /^\s*#/ && !/UserParameter|command\[/;
	if (m{(/usr/sbin/php-fpm-guard[^\]|>;\\\n]*)}) { my $c = $1; $c =~ s/[",]//g;
	$c =~ s/\s+/ /g; $c =~ s/\s+$//; print "$c\n" }' "$@"
}
cmds=$(commands "$EX"/* | sort -u)
sudoers=$(perl -0ne 's/\\\n//g; /^Cmnd_Alias \w+ = (.*)$/m or exit 1;
	print join("\n", map { s/^\s+|\s+$//gr } split /,/, $1), "\n"' "$EX/sudoers-php-fpm-guard")
nex=0 exbad=
while read -r c; do
	[ -n "$c" ] || continue
	nex=$((nex+1))
	grep -qxF "$c" <<<"$sudoers" || exbad="$exbad [not in sudoers: $c]"
	read -ra argv <<<"${c#/usr/sbin/php-fpm-guard }"
	plugin "example: $c" "$BIN" "${argv[@]}"	# on this host, as the agent would
	[ "$rc" -le 3 ] && [ ! -s "$OUT/$n.err" ] || exbad="$exbad [$c: rc=$rc $(cat "$OUT/$n.err")]"
done <<<"$cmds"
for f in icinga2-php-fpm-guard.conf nagios-php-fpm-guard.cfg checkmk-mrpe.cfg zabbix-php-fpm-guard.conf; do
	commands "$EX/$f" | grep -q 'php-fpm-guard check --monitoring-plugin$' || exbad="$exbad [$f: no check]"
done
if [ "$nex" = 2 ] && [ -z "$exbad" ]; then ok examples-commands-run-and-are-in-sudoers
else bad examples-commands-run-and-are-in-sudoers "$nex commands:$exbad"; fi

# ---- 12. Every output above: the Monitoring Plugins' shape, stderr empty ----
parsed=0 broken=
for f in "$OUT"/*.out; do
	i=${f%.out}; i=${i##*/}
	if perl "$work/perfparse.pl" "$(cat "$OUT/$i.rc")" < "$f" >/dev/null 2>"$work/why" && [ ! -s "$OUT/$i.err" ]; then
		parsed=$((parsed+1))
	else broken="$broken [$(cat "$OUT/$i.name"): $(cat "$work/why") stderr: $(cat "$OUT/$i.err")]"; fi
done
if [ -z "$broken" ] && [ "$parsed" = "$n" ] && [ "$n" -ge 25 ]; then ok "every-output-parses-and-stderr-empty ($parsed outputs)"
else bad every-output-parses-and-stderr-empty "$parsed of $n:$broken"; fi
for s in 0 1 2 3; do
	grep -qx "$s" "$OUT"/*.rc || bad "exit-$s-seen" "no test produced exit $s"
done
ok every-exit-code-from-a-host-state

finish
