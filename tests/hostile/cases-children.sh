# Sourced by tests/hostile/run.sh (issue 12, part C): the guard's children,
# a pool closed by hand, C1 controls in text, the undo of a fix, and the
# directory a fix writes in.  Uses run.sh's helpers (run, sane, sig, has,
# ok, bad, fixture, cve_fixture, fresh, GR, resume, ...).
#
#   F  children: a php-fpm stand-in (--fpm-binary) that sleeps, closes its
#      stdout and sleeps, stops itself, or leaves grandchildren holding the
#      pipe: the run ends at the deadline (or at once) and says how; its
#      environment is exactly the fixed one and it holds no fd of ours
#   G  fix and a pool the admin closed: listen.owner = pfgcadm, mode 0600,
#      www-data only detected: left closed, said why; the 2014 shape is
#      still fixed for the detected www-data
#   H  C1 controls (0x9b, U+009B) in pool names: escaped in text output
#   I  the undo of a fix that cannot be undone is not called "restored";
#      the pool dir swapped (as www-data) between judging and writing
CH=$work/child
mkdir -p "$CH"; chmod 755 "$CH"
id -u pfgcadm >/dev/null 2>&1 || useradd -r -M -s /usr/sbin/nologin pfgcadm
# A php-fpm.conf of its own: the other cases rewrite $work/fpm meanwhile.
printf '[global]\npid = %s/fpm.pid\nerror_log = %s/fpm.log\n[www]\nuser = www-data\ngroup = www-data\nlisten = %s/c.sock\nlisten.owner = www-data\nlisten.group = www-data\npm = static\npm.max_children = 1\n' \
	"$CH" "$CH" "$CH" > "$CH/php-fpm.conf"
# fake MODE: the stand-in; -v answers at once, -tt does MODE, then (if it
# gets there) runs the real php-fpm -tt.  It records its environment and
# its open descriptors first.
fake() {
	cat > "$CH/fake-$1" <<EOF
#!/bin/sh
case "\$2" in -v) echo "PHP 8.2.7 (fpm-fcgi) (built: Jan  1 2024 00:00:00)"; exit 0;; esac
tr '\\0' '\\n' < /proc/\$\$/environ > $CH/$1.env
ls -l /proc/\$\$/fd > $CH/$1.fd 2>&1
case $1 in
sleep) sleep 600 & echo \$! > $CH/$1.gc; wait; exit 0;;
closeout) exec >&- 2>&-; sleep 600 & echo \$! > $CH/$1.gc; wait; exit 0;;
stop) kill -STOP \$\$; exit 0;;
grandchild) sleep 600 & echo \$! > $CH/$1.gc
	setsid sleep 600 & echo \$! > $CH/$1.escaped;;
esac
exec $FPM "\$@"
EOF
	chmod 755 "$CH/fake-$1"
}
# child_run MODE CMD...: the guard with the stand-in, bounded at 100 s;
# out/rc/took in $CH/MODE.{out,rc,took}.
child_run() {
	local m=$1 t0; shift
	fake "$m"; t0=$(date +%s)
	timeout -k 5 100 "$BIN" --fpm-config "$CH/php-fpm.conf" --fpm-binary "$CH/fake-$m" \
		--client www-data --state-dir "$CH/state-$m" --log-dir "$CH/log-$m" --no-syslog \
		"$@" > "$CH/$m.out" 2>&1
	echo $? > "$CH/$m.rc"; echo $(( $(date +%s) - t0 )) > "$CH/$m.took"
}
# gone PIDFILE: the process it names is gone or a zombie (within 3 s: a
# SIGKILL is delivered, not waited for; its reaper may be slow).
gone() {
	local i p s; p=$(cat "$1" 2>/dev/null) || return 1
	for i in $(seq 60); do
		s=$(ps -o stat= -p "$p" 2>/dev/null) || return 0
		case $s in Z*|X*) return 0;; esac
		sleep 0.05
	done
	return 1
}
# The three that need the 60 s deadline run together, behind the rest.
child_pids=
for m in sleep closeout stop; do child_run $m check & child_pids="$child_pids $!"; done

# ---- F. the environment and the descriptors a child gets ---------------
# pre-install-pkgs holds the lock and APT_HOOK_INFO_FD when it asks
# php-fpm -tt; fd 7 is one more the guard itself inherited.
printf 'VERSION 3\nAPT::Architecture=amd64\n\nphp8.2-fpm 8.2.7-1 amd64 same > 8.2.99-1 amd64 same %s/none.deb\n' \
	"$CH" > "$CH/hookinfo"
echo planted > "$CH/planted"
fake env
( export FOO=bar LD_PRELOAD=/nonexistent/pfg-preload.so APT_HOOK_INFO_FD=8
  timeout -k 5 60 "$BIN" --fpm-config "$CH/php-fpm.conf" --fpm-binary "$CH/fake-env" \
	--client www-data --state-dir "$CH/state-env" --log-dir "$CH/log-env" --no-syslog \
	pre-install-pkgs 7<"$CH/planted" 8<"$CH/hookinfo" > "$CH/env.out" 2>&1 )
rc=$?; out=$(cat "$CH/env.out")
want=$(printf 'LANG=C\nLC_ALL=C\nPATH=/usr/sbin:/usr/bin:/sbin:/bin')
got=$(LC_ALL=C sort "$CH/env.env" 2>/dev/null)
if [ $rc -eq 0 ] && [ "$got" = "$want" ]; then ok child-env-is-fixed
else bad child-env-is-fixed "rc=$rc env: $(tr '\n' ' ' <<<"$got") $out"; fi
# 0-2 and what the shell itself opened (its script, a saved copy of its
# stdout pipe, the listing it writes): nothing else of the guard's.
extra=$(awk 'NR > 1 && $9 != "" { print $9, $11 }' "$CH/env.fd" 2>/dev/null |
	grep -vE '^[0-9]+ (/dev/null|pipe:\[[0-9]+\]|'"$CH"'/fake-env|'"$CH"'/env\.fd)$')
if [ -s "$CH/env.fd" ] && [ -z "$extra" ]; then ok child-inherits-no-fd
else bad child-inherits-no-fd "open in the child: $(tr '\n' ' ' <<<"$extra") $(cat "$CH/env.fd" 2>/dev/null | tr '\n' ' ')"; fi

# A child that exits at once but leaves grandchildren holding its stdout:
# one in its group (killed with it), one that left with setsid (let go).
child_run grandchild check
took=$(cat "$CH/grandchild.took"); rc=$(cat "$CH/grandchild.rc")
if [ "$rc" = 0 ] && [ "$took" -lt 30 ] && gone "$CH/grandchild.gc"; then ok "child-grandchild-holding-pipe-not-waited-for ($took s)"
else bad child-grandchild-holding-pipe-not-waited-for "rc=$rc took=$took s, group grandchild $(gone "$CH/grandchild.gc" && echo gone || echo alive): $(cat "$CH/grandchild.out")"; fi
kill "$(cat "$CH/grandchild.escaped" 2>/dev/null)" "$(cat "$CH/grandchild.gc" 2>/dev/null)" 2>/dev/null

# ---- G. a pool closed by hand, www-data only detected ------------------
# No --client, no guard.conf clients, no web server names the socket: the
# clients are the host-wide detection (this host's nginx user, or the
# www-data default).
GD() { run "$BIN" --fpm-config "$work/fpm/php-fpm.conf" --fpm-binary "$FPM" \
	--state-dir "$S" --log-dir "$L" --config "$work/guard.conf" --no-syslog "$@"; }
fresh
sed -i -e 's/^\[www\]/[admin]/' -e 's/^listen.owner = .*/listen.owner = pfgcadm/' \
	-e 's/^;listen.mode = .*/listen.mode = 0600/' "$W"
start_fpm; cp -p "$W" "$work/before.conf"; sock_before=$(stat -c %U:%G:%a "$SOCK")
GD fix
if sane && [ $rc -eq 1 ] && has "pool admin: not fixed: left closed: listen.owner = pfgcadm is set by hand" \
   && cmp -s "$W" "$work/before.conf" && [ "$(stat -c %U:%G:%a "$SOCK")" = "$sock_before" ] \
   && [ "$sock_before" = pfgcadm:www-data:600 ]; then ok closed-pool-left-closed
else bad closed-pool-left-closed "rc=$rc socket $sock_before -> $(stat -c %U:%G:%a "$SOCK") $(diff "$work/before.conf" "$W" | head -5) $out"; fi
# Named in guard.conf for that pool, the same client is let in.
printf '[pool admin]\nclients = www-data\n' > "$work/guard.conf"
GD fix
if sane && [ $rc -eq 0 ] && has "fixed pool admin" && [ "$(stat -c %U:%G:%a "$SOCK")" = www-data:www-data:660 ]; then ok closed-pool-opened-when-named
else bad closed-pool-opened-when-named "rc=$rc $(stat -c %U:%G:%a "$SOCK") $out"; fi
# The 2014 shape (owner/group commented out, nothing set by hand): still
# fixed for the detected www-data, with explicit values.
fresh; cve_restart
GD fix
if sane && [ $rc -eq 0 ] && has "fixed pool www" && grep -q '^listen.owner = www-data' "$W" \
   && [ "$(stat -c %U:%G:%a "$SOCK")" = www-data:www-data:660 ]; then ok cve-2014-shape-still-fixed-for-detected-client
else bad cve-2014-shape-still-fixed-for-detected-client "rc=$rc $(stat -c %U:%G:%a "$SOCK") $out"; fi
stop_fpm

# ---- H. C1 controls in text output -------------------------------------
# 0x9b alone is CSI for an 8-bit terminal; U+009B (c2 9b) for a UTF-8 one.
# A real UTF-8 name (café) passes as it is.
fixture
printf '[c1\x9bx]\nuser = www-data\nlisten = /run/php/c1.sock\n' > "$D/c1.conf"
printf '[u\xc2\x9by]\nuser = www-data\nlisten = /run/php/u.sock\n' > "$D/u.conf"
printf '[caf\xc3\xa9]\nuser = www-data\nlisten = /run/php/cafe.sock\n' > "$D/cafe.conf"
GR check
if sane && ! LC_ALL=C grep -q $'\x9b' <<<"$out" && has 'c1\x9bx' && has 'u\xc2\x9by' && has $'caf\xc3\xa9'; then ok c1-controls-escaped-in-text
else bad c1-controls-escaped-in-text "$(LC_ALL=C grep -c $'\x9b' <<<"$out") raw 0x9b lines: $(cat -v <<<"$out" | head -c 600)"; fi

# ---- I. undo, and the directory a fix writes in -------------------------
# gr_stopped POINT ARGS...: GR in the background, stopped at POINT.
gr_stopped() {
	local p=$1 i; shift
	PHP_FPM_GUARD_FAULT=stop:$p "$BIN" --root "$R" --state-dir "$S" --log-dir "$L" \
		--no-syslog "$@" > "$work/g.out" 2>&1 &
	gpid=$!
	for i in $(seq 200); do
		[ "$(ps -o stat= -p $gpid 2>/dev/null | cut -c1)" = T ] && return 0; sleep 0.05
	done
	return 1
}
# The root goes away after the write (re-reading it fails, so the fix is
# undone) and the pool dir is immutable: the restore fails and must be
# said, with the backup that holds the original.
cve_fixture; cp -p "$D/www.conf" "$work/before.conf"
if gr_stopped after-write --client www-data fix; then
	mv "$R" "$R.moved"; chattr +i "$R.moved/etc/php/8.2/fpm/pool.d"
	resume
	chattr -i "$R.moved/etc/php/8.2/fpm/pool.d"
	if [ $rc -eq 1 ] && ! has "original restored" && has "the original was NOT restored" \
	   && has "its original is $S/backups/"; then ok undo-failure-said
	else bad undo-failure-said "rc=$rc $out"; fi
	# ... and without the immutable dir, the restore goes through the
	# directory judged before, wherever it went: truly restored.
	rm -rf "$R"; mv "$R.moved" "$R"; rm -rf "$S" "$L"
else bad undo-failure-said "guard did not stop"; kill -9 "$gpid"; fi
cve_fixture; cp -p "$D/www.conf" "$work/before.conf"
if gr_stopped after-write --client www-data fix; then
	mv "$R" "$R.moved"
	resume
	if [ $rc -eq 1 ] && has "original restored" && cmp -s "$R.moved/etc/php/8.2/fpm/pool.d/www.conf" "$work/before.conf"; then ok undo-restores-through-judged-dir
	else bad undo-restores-through-judged-dir "rc=$rc $(diff "$work/before.conf" "$R.moved/etc/php/8.2/fpm/pool.d/www.conf" | head -4) $out"; fi
	rm -rf "$R"; mv "$R.moved" "$R"; rm -rf "$S" "$L"
else bad undo-restores-through-judged-dir "guard did not stop"; kill -9 "$gpid"; fi
# The pool dir (root's, 0755: judged safe) sits in a directory www-data
# owns.  Between the judging and the write, www-data swaps in a pool dir
# of its own with its own www.conf: the fix lands in the judged one.
cve_fixture; chown 33:33 "$R/etc/php/8.2/fpm"
if gr_stopped after-journal --client www-data fix; then
	setpriv --reuid=www-data --regid=www-data --clear-groups sh -c '
		cd "$1" && mv pool.d pool.d.judged && mkdir pool.d && echo "; www-data owns this" > pool.d/www.conf' \
		sh "$R/etc/php/8.2/fpm"
	resume
	if [ "$(cat "$R/etc/php/8.2/fpm/pool.d/www.conf")" = "; www-data owns this" ] \
	   && [ "$(stat -c %U "$R/etc/php/8.2/fpm/pool.d/www.conf")" = www-data ] \
	   && grep -q '^listen.owner = www-data' "$R/etc/php/8.2/fpm/pool.d.judged/www.conf"; then ok fix-writes-in-judged-dir
	else bad fix-writes-in-judged-dir "rc=$rc $(ls -l "$R/etc/php/8.2/fpm/pool.d") $out"; fi
else bad fix-writes-in-judged-dir "guard did not stop"; kill -9 "$gpid"; fi
rm -rf "$S" "$L"

# ---- F, continued: the children that need the deadline ------------------
wait $child_pids
for m in sleep closeout stop; do
	rc=$(cat "$CH/$m.rc"); took=$(cat "$CH/$m.took"); out=$(cat "$CH/$m.out")
	if [ "$rc" = 2 ] && [ "$took" -lt 90 ] && has "fake-$m -tt killed at the 60 s deadline" \
	   && { [ $m = stop ] || gone "$CH/$m.gc"; }; then ok "child-$m-killed-at-deadline ($took s)"
	else bad "child-$m-killed-at-deadline" "rc=$rc took=$took s $( [ $m = stop ] || { gone "$CH/$m.gc" && echo 'group gone' || echo 'its grandchild lives'; }): $out"; fi
	kill "$(cat "$CH/$m.gc" 2>/dev/null)" 2>/dev/null
done
