#!/bin/bash
# Prediction from the incoming package (DPkg::Pre-Install-Pkgs), on
# php5-fpm fixture roots: php5 cannot run here, so the table runs under
# --root with real .deb files built by dpkg-deb, a dpkg status file with
# the conffile MD5s, and APT's protocol-3 list given with --hook-info.
#
# The table: (local www.conf modified or not) x (the new package changes
# listen.* or not) x (the new version before or after the CVE-2014-0185
# fix) -> does www-data lose access at the upgrade's restart?  Then the
# policies: abort writes nothing, fix pins access with the drop-in.
# Usage: tests/predict/run.sh BINARY
set -u
BIN=$(readlink -f "$1")
work=$(mktemp -d /tmp/pfg-predict-XXXXXX); chmod 755 "$work"
. "$(dirname "$0")/../lib.sh"
trap 'rm -rf "$work"' EXIT
R=$work/root
W=/etc/php5/fpm/pool.d/www.conf
OLD=5.3.10-1ubuntu3.11	# before the fix: 0666 by default
FIXED=5.3.10-1ubuntu3.12	# after it: 0660

# The pool file as the old package shipped it: explicit owner and group.
stock() {
	printf '[www]\nuser = www-data\ngroup = www-data\nlisten = /var/run/php5-fpm.sock\nlisten.owner = www-data\nlisten.group = www-data\n;listen.mode = 0666\npm = dynamic\npm.max_children = 5\npm.start_servers = 2\npm.min_spare_servers = 1\npm.max_spare_servers = 3\n'
}
global_conf() { printf '[global]\npid = /var/run/php5-fpm.pid\ninclude=/etc/php5/fpm/pool.d/*.conf\n'; }
md5() { md5sum | cut -d' ' -f1; }

# deb VERSION LISTEN_CHANGE: a php5-fpm package whose www.conf either
# comments listen.owner/group out (the 2014 shape) or only changes pm.
deb() {
	local t=$work/deb-$1-$2
	rm -rf "$t"; mkdir -p "$t/DEBIAN" "$t/etc/php5/fpm/pool.d"
	global_conf > "$t/etc/php5/fpm/php-fpm.conf"
	if [ "$2" = yes ]; then
		stock | cve_shape
	elif [ "$2" = mode ]; then
		stock | sed 's/^;listen.mode = 0666/listen.mode = 0666/'
	else
		stock | sed 's/^pm.max_children = 5/pm.max_children = 6/'
	fi > "$t/etc/php5/fpm/pool.d/www.conf"
	printf 'Package: php5-fpm\nVersion: %s\nArchitecture: all\nMaintainer: t <t@example.org>\nDescription: test\n' "$1" > "$t/DEBIAN/control"
	printf '/etc/php5/fpm/php-fpm.conf\n/etc/php5/fpm/pool.d/www.conf\n' > "$t/DEBIAN/conffiles"
	dpkg-deb -b "$t" "$work/php5-fpm_$1_$2.deb" >/dev/null
	echo "$work/php5-fpm_$1_$2.deb"
}
# root MODIFIED: the host before the upgrade, php5-fpm $OLD installed.
root() {
	rm -rf "$R"; mkdir -p "$R/etc/php5/fpm/pool.d" "$R/var/lib/dpkg" "$R/var/run" \
		"$R/var/lib/php-fpm-guard" "$R/var/log"
	printf 'root:x:0:0::/root:/bin/sh\nwww-data:x:33:33::/var/www:/bin/sh\n' > "$R/etc/passwd"
	printf 'root:x:0:\nwww-data:x:33:\n' > "$R/etc/group"
	global_conf > "$R/etc/php5/fpm/php-fpm.conf"
	stock > "$R$W"
	printf 'Package: php5-fpm\nStatus: install ok installed\nArchitecture: amd64\nVersion: %s\nConffiles:\n /etc/php5/fpm/php-fpm.conf %s\n %s %s\n\n' \
		"$OLD" "$(global_conf | md5)" "$W" "$(stock | md5)" > "$R/var/lib/dpkg/status"
	[ "$1" = yes ] && sed -i 's/^pm.start_servers = 2/pm.start_servers = 3/' "$R$W"
	return 0
}
info() {	# info DEB VERSION [DPKG-OPTION]
	printf 'VERSION 3\nAPT::Architecture=amd64\n%s\n\nphp5-fpm %s amd64 none < %s all none %s\n' \
		"${3:+DPkg::Options::=$3}" "$OLD" "$2" "$1" > "$work/info"
}
GOPTS=(--root "$R" --no-syslog)	# for G (lib.sh)

for modified in no yes; do
for change in no yes; do
for ver in "$OLD" "$FIXED"; do
	name="local-modified=$modified,listen-changed=$change,new=$ver"
	d=$(deb "$ver" "$change"); root "$modified"; info "$d" "$ver"
	out=$(G --policy report pre-install-pkgs --hook-info "$work/info" 2>&1); rc=$?
	lost=no; grep -q "www-data will not be able to connect to /var/run/php5-fpm.sock after the next php-fpm restart" <<<"$out" && lost=yes
	# Only an unmodified file takes the new www.conf; without owner/group
	# only the fixed build's 0660 shuts www-data out.
	want=no; [ $modified = no ] && [ $change = yes ] && [ "$ver" = "$FIXED" ] && want=yes
	asks=no; grep -q "dpkg will ask" <<<"$out" && asks=yes
	wantask=no; [ $modified = yes ] && wantask=yes
	if [ $rc -eq 0 ] && [ $lost = $want ] && [ $asks = $wantask ]; then ok "$name"
	else bad "$name" "rc=$rc lost=$lost (want $want) asks=$asks (want $wantask): $out"; fi
done; done; done

# A new package that sets listen.mode = 0666: www-data keeps access, but
# every local user gains it -- predicted as a broadening, never accepted
# silently.
d=$(deb 5.3.10-1ubuntu3.13 mode); root no
sed -i "s/^Version: .*/Version: $FIXED/" "$R/var/lib/dpkg/status"	# 0660 now
printf 'VERSION 3\n\nphp5-fpm %s amd64 none < 5.3.10-1ubuntu3.13 all none %s\n' "$FIXED" "$d" > "$work/info"
out=$(G --policy report pre-install-pkgs --hook-info "$work/info" 2>&1)
if grep -q "security warning: pool www: socket /var/run/php5-fpm.sock will grant more than before after the next restart" <<<"$out"; then ok predicted-broadening
else bad predicted-broadening "$out"; fi

# --force-confold in APT's options: a modified file is kept, no question.
d=$(deb "$FIXED" yes); root yes; info "$d" "$FIXED" --force-confold
out=$(G --policy report pre-install-pkgs --hook-info "$work/info" 2>&1)
if grep -q "force-confold keeps the local file" <<<"$out" && ! grep -q "will not be able to connect" <<<"$out"; then ok confold-keeps-local
else bad confold-keeps-local "$out"; fi

# abort: exit 1 before dpkg, nothing written anywhere in the root.
d=$(deb "$FIXED" yes); root no; info "$d" "$FIXED"
before=$(cd "$R" && find etc -type f -exec md5sum {} + | sort)
out=$(G --policy abort pre-install-pkgs --hook-info "$work/info" 2>&1); rc=$?
after=$(cd "$R" && find etc -type f -exec md5sum {} + | sort)
if [ $rc -eq 1 ] && grep -q "action: aborted (policy abort)" <<<"$out" && [ "$before" = "$after" ] \
   && grep -q "listen.owner = www-data" <<<"$out"; then ok abort-before-dpkg
else bad abort-before-dpkg "rc=$rc $out"; fi

# fix: the drop-in pins access; the package's www.conf is never touched;
# a second run (the drop-in now read) predicts no loss at all.
out=$(G pre-install-pkgs --hook-info "$work/info" 2>&1); rc=$?
D=$R/etc/php5/fpm/pool.d/zz-php-fpm-guard.conf
if [ $rc -eq 0 ] && grep -q "action: pinned (policy fix)" <<<"$out" && [ -f "$D" ] \
   && grep -q '^listen.owner = www-data$' "$D" && grep -q '^listen.mode = 0660$' "$D" \
   && [ "$(md5sum < "$R$W")" = "$(stock | md5sum)" ]; then ok fix-pins-with-drop-in
else bad fix-pins-with-drop-in "rc=$rc $out"; fi
out=$(G pre-install-pkgs --hook-info "$work/info" 2>&1); rc=$?
if [ $rc -eq 0 ] && [ -z "$out" ]; then ok pinned-is-quiet-next-time
else bad pinned-is-quiet-next-time "rc=$rc $out"; fi
# After dpkg: the new www.conf plus the drop-in: www-data keeps access.
cp "$work/deb-$FIXED-yes/etc/php5/fpm/pool.d/www.conf" "$R$W"
sed -i "s/^Version: .*/Version: $FIXED/" "$R/var/lib/dpkg/status"
out=$(G check 2>&1); rc=$?
if [ $rc -eq 0 ] && grep -q "ok: pool www: /var/run/php5-fpm.sock (not running; at next start www-data:www-data 0660)" <<<"$out"; then ok upgraded-with-drop-in-ok
else bad upgraded-with-drop-in-ok "rc=$rc $out"; fi

# Unrelated packages: the hook reads the list and does nothing.
printf 'VERSION 3\n\nhello - - none < 2.10-3 amd64 same /var/cache/apt/archives/hello_2.10-3_amd64.deb\n' > "$work/info"
out=$(G pre-install-pkgs --hook-info "$work/info" 2>&1); rc=$?
[ $rc -eq 0 ] && [ -z "$out" ] && ok unrelated-is-silent || bad unrelated-is-silent "rc=$rc $out"
# Version 1 input (filenames only): the guard's own failure, not apt's.
printf '/var/cache/apt/archives/php5-fpm.deb\n' > "$work/info"
out=$(G pre-install-pkgs --hook-info "$work/info" 2>&1); rc=$?
[ $rc -eq 0 ] && grep -q "not blocking apt" <<<"$out" && ok wrong-protocol-not-blocking || bad wrong-protocol-not-blocking "rc=$rc $out"
finish
