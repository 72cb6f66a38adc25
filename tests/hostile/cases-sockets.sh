# Sourced by tests/hostile/run.sh (its helpers: run, sane, has, G, fresh,
# fixture, ok, bad ...).  Issue 12, sockets: /run/php is www-data's on
# Debian (0755 www-data:www-data), so www-data may rename, replace and
# link the entries there -- every case below is done AS www-data (or as
# the client user), with real php-fpm8.2 processes, and fails on a guard
# that takes a socket file's word for whose socket it is.
#   socket-swap-other-pool-refused     another pool's socket renamed onto
#       the pool's path is not chowned to the client (fix, and the hooks)
#   socket-hardlink-foreign-refused    a foreign listener's hard link there
#   socket-swap-in-world-writable-dir  (with socket-in-world-writable-dir)
#   orphan-symlink-never-connected     a symlink at a path no pool uses
#   forged-pid-file-not-running        the pid file names a fake php-fpm
#   prove-child-sigstop                the client user stops the proof child
AU=pfgaadm OU=pfgaoth CU=pfgacli	# this area's own users
for u in $AU $OU $CU; do id -u $u >/dev/null 2>&1 || useradd -r -M -s /usr/sbin/nologin $u; done
www() { setpriv --reuid=www-data --regid=www-data --clear-groups "$@"; }
# acl_of FILE: owner, group, mode and any extended ACL, one line.
acl_of() { echo "$(stat -c %U:%G:%a "$1") $(getfacl -cpE "$1" 2>/dev/null | grep -Ev '^(user|group|other)::' | tr '\n' ' ')"; }
# listen_as USER PATH [MODE]: a listener as USER at PATH, logging each accept
# to PATH.log; its pid in $lpid.
listen_as() {
	rm -f "$2" "$2.log"
	setpriv --reuid="$1" --regid="$1" --clear-groups perl -MIO::Socket::UNIX -e '
		umask 0177; my $s = IO::Socket::UNIX->new(Local => $ARGV[0], Listen => 5) or die "$!";
		open(L, ">>", "$ARGV[0].log") or die; syswrite L, "up\n";
		while (my $c = $s->accept) { syswrite L, "accept\n"; close $c }' "$2" & lpid=$!
	local i; for i in $(seq 50); do [ -S "$2" ] && [ -s "$2.log" ] && return 0; sleep 0.1; done
	return 1
}
accepts() { grep -c '^accept' "$1.log" 2>/dev/null; }
# The stock www pool, its directory www-data's as /run/php is, and an
# admin pool beside it whose socket only $AU may use.
two_pools() {
	fresh; chown 33:33 "$work/run"
	ADM=$work/run/admin.sock
	printf '[admin]\nuser = %s\ngroup = %s\nlisten = %s\nlisten.owner = %s\nlisten.group = %s\nlisten.mode = 0600\npm = static\npm.max_children = 1\n' \
		$AU $AU "$ADM" $AU $AU > "$work/fpm/pool.d/admin.conf"
	printf '[pool admin]\nclients = %s\n' $AU > "$work/guard.conf"
}

# 1. The swap: www-data moves its pool's socket aside and renames the admin
# pool's onto its name.  The guard sees www-data locked out of "its"
# socket; a fix that chowns that inode hands the admin pool to www-data.
for how in fix hooks; do
	two_pools; start_fpm
	[ $how = hooks ] && G pre-invoke
	adm_before=$(acl_of "$ADM")
	www sh -c "mv '$SOCK' '$work/run/aside.sock' && mv '$ADM' '$SOCK'"
	if [ $how = fix ]; then G fix; else G post-invoke; fi
	adm_after=$(acl_of "$SOCK")	# the admin inode, still under www's name
	www sh -c "mv '$SOCK' '$ADM' && mv '$work/run/aside.sock' '$SOCK'"
	if sane && [ $rc -eq 1 ] && has "not repaired: refused: the kernel says this socket was bound as $ADM, not $SOCK" \
	   && [ "$adm_after" = "$adm_before" ] && [ "$(acl_of "$ADM")" = "$adm_before" ] \
	   && ! www perl -MIO::Socket::UNIX -e 'IO::Socket::UNIX->new(Peer => $ARGV[0]) or exit 1' "$ADM" 2>/dev/null; then
		ok "socket-swap-other-pool-refused ($how)"
	else bad "socket-swap-other-pool-refused ($how)" "rc=$rc before=[$adm_before] after=[$adm_after] $out"; fi
	stop_fpm
done

# 2. A hard link of another user's listening socket at the pool's path.
# www-data moves the pool's socket aside; the link itself is made by root
# here, as fs.protected_hardlinks=0 would let www-data make it.
fresh; chown 33:33 "$work/run"; mkdir -p "$work/other"; chown $OU "$work/other"
listen_as $OU "$work/other/other.sock" || bad socket-hardlink-foreign-refused "listener did not start"
cve_restart
oth_before=$(acl_of "$work/other/other.sock")
www mv "$SOCK" "$work/run/aside.sock"
ln "$work/other/other.sock" "$SOCK"
G fix
if sane && [ $rc -eq 1 ] && has "not repaired: refused: the kernel says this socket was bound as $work/other/other.sock" \
   && [ "$(acl_of "$work/other/other.sock")" = "$oth_before" ]; then ok socket-hardlink-foreign-refused
else bad socket-hardlink-foreign-refused "rc=$rc before=[$oth_before] after=[$(acl_of "$work/other/other.sock")] $out"; fi
kill $lpid; wait $lpid 2>/dev/null; stop_fpm

# 3. The world-writable directory (run.sh's socket-in-world-writable-dir
# repairs the pool's own socket there): anyone may swap another user's
# socket in, and the guard must refuse it on the kernel's word.
fresh; mkdir -m 0777 "$work/run/open"; chmod 0777 "$work/run/open"
sed -i "s#^listen = .*#listen = $work/run/open/php.sock#" "$W"; SOCK0=$SOCK; SOCK=$work/run/open/php.sock
listen_as $OU "$work/run/open/other.sock" || bad socket-swap-in-world-writable-dir "listener did not start"
cve_restart
oth_before=$(acl_of "$work/run/open/other.sock")
www sh -c "mv '$SOCK' '$work/run/open/aside.sock' && mv '$work/run/open/other.sock' '$SOCK'"
G fix
if sane && [ $rc -eq 1 ] && has "not repaired: refused: the kernel says this socket was bound as $work/run/open/other.sock" \
   && [ "$(acl_of "$SOCK")" = "$oth_before" ]; then ok socket-swap-in-world-writable-dir
else bad socket-swap-in-world-writable-dir "rc=$rc before=[$oth_before] after=[$(acl_of "$SOCK")] $out"; fi
kill $lpid; wait $lpid 2>/dev/null; stop_fpm; SOCK=$SOCK0

# 4. A symlink planted (by www-data, in its /run/php) at a socket path a
# web server uses but no pool listens on: the guard, root, must not
# connect where it points.  The listener there counts accepts.
fixture; chown 33:33 "$R/run/php"; mkdir -p "$R/etc/nginx/sites-enabled"
printf 'user www-data;\nevents {}\nhttp {\ninclude /etc/nginx/sites-enabled/*;\n}\n' > "$R/etc/nginx/nginx.conf"
printf 'server {\nlisten 80;\nserver_name old.example;\nlocation ~ \\.php$ {\nfastcgi_pass unix:/run/php/php7.4-fpm.sock;\n}\n}\n' \
	> "$R/etc/nginx/sites-enabled/old"
listen_as root "$R/srv/target.sock" || bad orphan-symlink-never-connected "listener did not start"
www ln -s /srv/target.sock "$R/run/php/php7.4-fpm.sock"
why=
for cmd in check "show --json" pre-invoke post-invoke; do
	GR $cmd; sane || why="$why [$cmd: rc=$rc]"
done
sleep 0.2
if [ -z "$why" ] && [ "$(accepts "$R/srv/target.sock")" = 0 ] && [ -L "$R/run/php/php7.4-fpm.sock" ]; then ok orphan-symlink-never-connected
else bad orphan-symlink-never-connected "accepts=$(accepts "$R/srv/target.sock") $why"; fi
kill $lpid; wait $lpid 2>/dev/null

# 5. The pid file is in www-data's directory: once php-fpm is gone,
# www-data points it at a process of its own whose comm says php-fpm.
# The guard must still see that php-fpm stopped.
for fake in copy-of-sleep perl-renamed; do
	fresh; chown 33:33 "$work/run"
	sed -i "s#^pid = .*#pid = $work/run/php-fpm.pid#" "$work/fpm/php-fpm.conf"
	start_fpm; G pre-invoke; stop_fpm
	case $fake in
	copy-of-sleep) cp /bin/sleep "$work/run/php-fpm8.2"; chown 33:33 "$work/run/php-fpm8.2"
		setpriv --reuid=www-data --regid=www-data --clear-groups "$work/run/php-fpm8.2" 60 & fpid=$!;;
	perl-renamed) setpriv --reuid=www-data --regid=www-data --clear-groups perl -e '$0 = "php-fpm: master process"; sleep 60' & fpid=$!;;
	esac
	sleep 0.3; echo $fpid > "$work/run/php-fpm.pid"; chown 33:33 "$work/run/php-fpm.pid"
	comm=$(cat /proc/$fpid/comm)
	G post-invoke
	if sane && has "php-fpm is no longer running" && [ "${comm#php-fpm}" != "$comm" ]; then ok "forged-pid-file-not-running ($fake)"
	else bad "forged-pid-file-not-running ($fake)" "comm=$comm rc=$rc $out"; fi
	kill $fpid; wait $fpid 2>/dev/null
done

# 6. The connect proof runs as the client user, who may stop it: here the
# client ($CU) stops every process it may signal, over and over, until
# it has caught the guard's proof child.  The guard must end by its
# deadline, say so, and leave its lock free.  --foreground: if the guard
# hangs, only it is killed, as apt would; a child holding the lock stays.
caught=0
for try in $(seq 10); do
	fresh; cve_restart; mkdir -m 0700 "$S"
	setpriv --reuid=$CU --regid=$CU --clear-groups perl -e 'kill "STOP", -1 while 1' & apid=$!
	start=$(date +%s)
	# To a file: a child that kept the guard's stdout would hold $(...) open.
	timeout --foreground -k 5 30 "$BIN" --fpm-config "$work/fpm/php-fpm.conf" --fpm-binary "$FPM" \
		--client $CU --state-dir "$S" --log-dir "$L" --config "$work/guard.conf" --no-syslog fix \
		> "$work/sig.out" 2>&1; rc=$?; out=$(cat "$work/sig.out")
	took=$(( $(date +%s) - start ))
	kill $apid; wait $apid 2>/dev/null
	lock_free=no; flock -n "$S/lock" true && lock_free=yes
	left=$(ps -o pid= -u $CU | tr -d ' ' | tr '\n' ' ')
	for p in $left; do kill -9 "$p"; done
	if has "stopped (SIGSTOP)" || [ $rc -eq 124 ] || [ -n "$left" ]; then caught=1; break; fi
done
if [ $caught = 1 ] && sane && [ $rc -eq 1 ] && [ "$took" -lt 20 ] && [ $lock_free = yes ] && [ -z "$left" ] \
   && has "verification failed: the connect() as $CU was not proven" && has "stopped (SIGSTOP)"; then
	ok "prove-child-sigstop (try $try, ${took} s)"
else bad prove-child-sigstop "caught=$caught try=$try rc=$rc took=${took}s lock_free=$lock_free left=[$left] $out"; fi
stop_fpm
