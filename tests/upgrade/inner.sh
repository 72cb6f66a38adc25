#!/bin/sh
# tests/upgrade/inner.sh SUITE NEXT POLICY PORT1 PORT2 PORT3
#
# Runs inside a disposable chroot of SUITE (tests/upgrade/run.sh starts
# it through tests/chroot/enter.sh) and talks to run.sh through files in
# /ctl (a host directory bound there): the host side makes the requests,
# because curl inside would be replaced by the upgrade it measures.
#
#   ready      (inner) the three sites are set up and served
#   go         (host)  the request loop runs: start the upgrade
#   upgraded   (inner) full-upgrade and autoremove are done, results written
#   checked    (host)  the loop has stopped and the sites were asked again
#   failed     (inner) the setup failed (its reason in the log)
#
# The setup is issue 16's: SUITE's php-fpm metapackage and nginx, the stock
# pool www, a pool shop (user shop, /run/php/shop.sock, listen.owner and
# group www-data), and three sites: one on /run/php/phpX.Y-fpm.sock, one on
# /run/php/php-fpm.sock (the alternative Debian's systemd unit keeps with
# php-fpm-socket-helper), one on /run/php/shop.sock.
# $q is apt's options (meant to split); ls of known names; os-release as
# it is.
# shellcheck disable=SC2086,SC2012,SC1091,SC2015
set -u
suite=$1 next=$2 policy=$3 p_fpm=$4 p_alt=$5 p_shop=$6
ctl=/ctl
q="-y -q -o Dpkg::Options::=--force-confdef -o Dpkg::Options::=--force-confold"

log() { printf '[%s] %s\n' "$(date +%T)" "$*"; }
fail() { log "setup failed: $*"; : > "$ctl/failed"; stop_all; exit 1; }
await() {	# await FILE SECONDS
	i=0
	while [ ! -e "$1" ] && [ $i -lt $(($2 * 10)) ]; do sleep 0.1; i=$((i + 1)); done
	[ -e "$1" ]
}

# Only php*-fpm and nginx may be started, as a real upgrade starts them;
# anything else a maintainer script would start stays down.
allow_services() {
	cat > /usr/sbin/policy-rc.d <<'EOF'
#!/bin/sh
# tests/upgrade: php*-fpm and nginx start, nothing else does.
case $1 in php*-fpm|nginx) exit 0 ;; esac
exit 101
EOF
	chmod 755 /usr/sbin/policy-rc.d
}

# There is no systemd here: the init scripts run.  What Debian's
# phpX.Y-fpm.service adds to them (ExecStartPost/ExecStopPost: the
# php-fpm.sock alternative) a wrapper around invoke-rc.d does, read from
# the unit file of the package being started, so the new release's unit is
# the one that runs.
emulate_units() {
	dpkg-divert --quiet --local --rename --divert /usr/sbin/invoke-rc.d.real \
	    --add /usr/sbin/invoke-rc.d || return 1
	cat > /usr/sbin/invoke-rc.d <<'EOF'
#!/bin/sh
# tests/upgrade: invoke-rc.d, then the systemd unit's Exec*Post lines.
rc=0
/usr/sbin/invoke-rc.d.real "$@" || rc=$?
svc= act=
for a; do
	case $a in --*) ;; *) if [ -z "$svc" ]; then svc=$a; elif [ -z "$act" ]; then act=$a; fi ;; esac
done
case $svc in php*-fpm) ;; *) exit $rc ;; esac
unit=/lib/systemd/system/$svc.service
[ -r "$unit" ] || unit=/usr/lib/systemd/system/$svc.service
[ -r "$unit" ] || exit $rc
post() {
	sed -n "s/^$1=-\{0,1\}//p" "$unit" | while read -r cmd; do sh -c "$cmd" || :; done
}
sock=$(sed -n 's/^listen[[:space:]]*=[[:space:]]*//p' /etc/php/*/fpm/pool.d/www.conf 2>/dev/null | grep "$svc" | head -1)
case $act in
start|restart|force-reload|try-restart)
	[ "$act" = start ] || post ExecStopPost
	i=0; while [ -n "$sock" ] && [ ! -S "$sock" ] && [ $i -lt 50 ]; do sleep 0.1; i=$((i + 1)); done
	post ExecStartPost ;;
stop)	post ExecStopPost ;;
esac
exit $rc
EOF
	chmod 755 /usr/sbin/invoke-rc.d
}

shop_pool() {	# shop_pool PHPVER
	cat > "/etc/php/$1/fpm/pool.d/shop.conf" <<'EOF'
[shop]
user = shop
group = shop
listen = /run/php/shop.sock
listen.owner = www-data
listen.group = www-data
pm = dynamic
pm.max_children = 5
pm.start_servers = 2
pm.min_spare_servers = 1
pm.max_spare_servers = 3
EOF
}

# PHP_VERSION and the user the PHP process runs as (its effective uid).
site() {	# site NAME PORT SOCKET
	mkdir -p "/srv/$1"
	cat > "/srv/$1/index.php" <<'EOF'
<?php
if (function_exists('posix_geteuid')) {
	$u = posix_getpwuid(posix_geteuid());
	$u = $u['name'];
} else {
	$u = trim(exec('id -un'));
}
echo PHP_VERSION, ' ', $u, "\n";
EOF
	cat > "/etc/nginx/sites-available/$1" <<EOF
server {
	listen 127.0.0.1:$2;
	server_name $1;
	root /srv/$1;
	index index.php;
	location ~ \\.php\$ {
		include snippets/fastcgi-php.conf;
		fastcgi_pass unix:$3;
	}
}
EOF
	ln -sf "../sites-available/$1" "/etc/nginx/sites-enabled/$1"
}

setup() {
	old=$(ls /etc/php | head -1)
	log "setup: $suite, PHP $old, policy $policy"
	allow_services
	emulate_units || fail "cannot divert invoke-rc.d"
	apt-get install $q php-fpm > "$ctl/install.out" 2>&1 || fail "apt-get install php-fpm: $(tail -3 "$ctl/install.out")"
	id -u shop >/dev/null 2>&1 || useradd -r -M -U -s /usr/sbin/nologin shop || fail "useradd shop"
	shop_pool "$old"
	# The stock site listens on port 80 of the host's own network.
	rm -f /etc/nginx/sites-enabled/default
	site site-fpm "$p_fpm" "/run/php/php$old-fpm.sock"
	site site-alt "$p_alt" /run/php/php-fpm.sock
	site site-shop "$p_shop" /run/php/shop.sock
	if [ "$policy" != none ]; then
		deb=$(ls /dist/php-fpm-guard_*.deb | head -1)
		[ -n "$deb" ] || fail "no guard package in /dist"
		apt-get install $q "$deb" > "$ctl/guard-install.out" 2>&1 || fail "install $deb: $(tail -3 "$ctl/guard-install.out")"
		printf 'policy = %s\n' "$policy" > /etc/php-fpm-guard/conf.d/50-upgrade-e2e.conf
	fi
	invoke-rc.d "php$old-fpm" start || fail "php$old-fpm does not start"
	invoke-rc.d nginx start || fail "nginx does not start"
	for s in "php$old-fpm" php-fpm shop; do
		await "/run/php/$s.sock" 10 || fail "no /run/php/$s.sock"
	done
	if [ "$policy" != none ]; then
		php-fpm-guard check > "$ctl/check-before.out" 2>&1 || fail "check before the upgrade: $(cat "$ctl/check-before.out")"
	fi
}

# The release's sources become the next release's, security suite included
# (SUITE-security -> NEXT-security, SUITE-updates -> NEXT-updates).
switch_sources() {
	sed -i "s/\\b$suite\\b/$next/g" /etc/apt/sources.list
	rm -f /etc/apt/sources.list.d/*.list 2>/dev/null || :
	cp /etc/apt/sources.list "$ctl/sources.list"
	apt-get update -q > "$ctl/update.out" 2>&1 || fail "apt-get update for $next: $(tail -3 "$ctl/update.out")"
}

upgrade() {
	sum_before=$(md5sum < /var/lib/dpkg/status)
	log "apt-get full-upgrade"
	rc_up=0
	timeout 1800 apt-get $q full-upgrade > "$ctl/full-upgrade.out" 2>&1 || rc_up=$?
	sum_after=$(md5sum < /var/lib/dpkg/status)
	log "apt-get autoremove --purge"
	rc_ar=0
	timeout 900 apt-get $q autoremove --purge > "$ctl/autoremove.out" 2>&1 || rc_ar=$?
	dpkg_changed=yes
	[ "$sum_before" = "$sum_after" ] && dpkg_changed=no
}

# KEY='VALUE' lines for run.sh to source (values have no quote in them).
kv() { printf "%s='%s'\n" "$1" "$(printf '%s' "$2" | tr -d "'")"; }

results() {
	rc_check=-
	rc_status=-
	guard=absent
	if command -v php-fpm-guard >/dev/null; then
		rc_check=0; php-fpm-guard check > "$ctl/check-after.out" 2>&1 || rc_check=$?
		rc_status=0; php-fpm-guard status > "$ctl/status-after.out" 2>&1 || rc_status=$?
	fi
	guard=$(dpkg-query -W -f '${Status} ${Version}' php-fpm-guard 2>/dev/null | tr ' ' _) || guard=absent
	{
		kv rc_up "$rc_up"
		kv rc_ar "$rc_ar"
		kv dpkg_changed "$dpkg_changed"
		kv rc_check "$rc_check"
		kv rc_status "$rc_status"
		kv guard "${guard:-absent}"
		hooks=no
		grep -qs 'php-fpm-guard' /etc/apt/apt.conf.d/04php-fpm-guard && hooks=yes
		kv hooks "$hooks"
		kv release "$(. /etc/os-release; echo "$VERSION_CODENAME")"
		kv fpm "$(dpkg-query -W -f '${db:Status-Abbrev}${Package} ' 'php*-fpm' 2>/dev/null | tr -s ' ')"
		kv running "$(ours | grep -E '^php-fpm' | sort | uniq -c | tr -s ' ' | tr '\n' ',')"
	} > "$ctl/results"
	ls /etc/php/*/fpm/pool.d/ > "$ctl/pools.out" 2>&1 || :
	ls -la /run/php/ > "$ctl/run-php.out" 2>&1 || :
	cp /var/log/nginx/error.log "$ctl/nginx-error.log" 2>/dev/null || :
	ls /var/log/php-fpm-guard/ > /dev/null 2>&1 && cp -r /var/log/php-fpm-guard "$ctl/guard-reports" 2>/dev/null || :
}

# The names of the processes started in here: they share this mount
# namespace, nothing outside does (enter.sh's unshare -m); ps would list
# the host's too.
ours() {
	ns=$(readlink /proc/self/ns/mnt)
	for d in /proc/[0-9]*; do
		[ "$(readlink "$d/ns/mnt" 2>/dev/null)" = "$ns" ] && cat "$d/comm" 2>/dev/null
	done
}

# Stop everything started in here before the copy goes.
stop_all() {
	for s in /etc/init.d/php*-fpm /etc/init.d/nginx; do
		[ -x "$s" ] && "$s" stop >/dev/null 2>&1
	done
	ns=$(readlink /proc/self/ns/mnt)
	for sig in TERM KILL; do
		for d in /proc/[0-9]*; do
			p=${d#/proc/}
			[ "$p" = $$ ] && continue
			[ "$(readlink "$d/ns/mnt" 2>/dev/null)" = "$ns" ] || continue
			kill -s $sig "$p" 2>/dev/null
		done
		sleep 1
	done
	:
}

setup
switch_sources
# Downloads first: the measured run is dpkg's, not the mirror's.
apt-get $q -d full-upgrade > "$ctl/download.out" 2>&1 || fail "download: $(tail -3 "$ctl/download.out")"
: > "$ctl/ready"
log "ready: sites on $p_fpm $p_alt $p_shop"
await "$ctl/go" 60 || fail "the host never started its loop"
sleep 1
upgrade
log "full-upgrade rc $rc_up, autoremove rc $rc_ar, dpkg status changed: $dpkg_changed"
results
: > "$ctl/upgraded"
await "$ctl/checked" 120 || log "the host never checked the sites"
stop_all
exit 0
