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
		stock | sed -e 's/^listen.owner/;listen.owner/' -e 's/^listen.group/;listen.group/'
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
G() { "$BIN" --root "$R" --no-syslog "$@"; }

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

# ---- Release upgrades (issue 16): removals and new instances ----
# A bookworm-shaped root: php8.2-fpm with the stock pool www and a custom
# pool shop (its own user), nginx with three sites -- on
# php8.2-fpm.sock, on Debian's php-fpm.sock alternative, on shop.sock --
# and the transaction of bookworm -> trixie: php8.2-fpm removed,
# php8.4-fpm new (a fake .deb built here), the php-fpm metapackage.
RR=$work/rel-root
rel_www() {	# rel_www BRANCH
	printf '[www]\nuser = www-data\ngroup = www-data\nlisten = /run/php/php%s-fpm.sock\nlisten.owner = www-data\nlisten.group = www-data\npm = dynamic\npm.max_children = 5\npm.start_servers = 2\npm.min_spare_servers = 1\npm.max_spare_servers = 3\n' "$1"
}
rel_global() { printf '[global]\npid = /run/php/php%s-fpm.pid\ninclude=/etc/php/%s/fpm/pool.d/*.conf\n' "$1" "$1"; }
rel_shop() {
	printf '; the shop, its own user\n[shop]\nuser = shop\ngroup = shop\nlisten = /run/php/shop.sock\nlisten.owner = www-data\nlisten.group = www-data\npm = ondemand\npm.max_children = 3\nphp_admin_value[error_log] = /var/log/php-$pool.log\n'
}
rel_site() {	# rel_site NAME SOCKET
	printf 'server {\n\tlisten 80;\n\tserver_name %s.example;\n\tlocation ~ \\.php$ {\n\t\tfastcgi_pass unix:%s;\n\t}\n}\n' "$1" "$2" > "$RR/etc/nginx/sites-enabled/$1"
}
rel_root() {
	rm -rf "$RR"; mkdir -p "$RR/etc/php/8.2/fpm/pool.d" "$RR/var/lib/dpkg" "$RR/run/php" \
		"$RR/etc/alternatives" "$RR/etc/nginx/sites-enabled" "$RR/var/lib/php-fpm-guard" "$RR/var/log"
	printf 'root:x:0:0::/root:/bin/sh\nwww-data:x:33:33::/var/www:/bin/sh\nshop:x:990:990::/srv/shop:/bin/sh\n' > "$RR/etc/passwd"
	printf 'root:x:0:\nwww-data:x:33:\nshop:x:990:\n' > "$RR/etc/group"
	rel_global 8.2 > "$RR/etc/php/8.2/fpm/php-fpm.conf"
	rel_www 8.2 > "$RR/etc/php/8.2/fpm/pool.d/www.conf"
	rel_shop > "$RR/etc/php/8.2/fpm/pool.d/shop.conf"
	printf 'Package: php8.2-fpm\nStatus: install ok installed\nArchitecture: amd64\nVersion: 8.2.29-1~deb12u1\nConffiles:\n /etc/php/8.2/fpm/php-fpm.conf %s\n /etc/php/8.2/fpm/pool.d/www.conf %s\n\n' \
		"$(rel_global 8.2 | md5)" "$(rel_www 8.2 | md5)" > "$RR/var/lib/dpkg/status"
	ln -s /etc/alternatives/php-fpm.sock "$RR/run/php/php-fpm.sock"
	ln -s /run/php/php8.2-fpm.sock "$RR/etc/alternatives/php-fpm.sock"
	printf 'user www-data;\nevents {\n}\nhttp {\n\tinclude /etc/nginx/sites-enabled/*;\n}\n' > "$RR/etc/nginx/nginx.conf"
	rel_site old /run/php/php8.2-fpm.sock
	rel_site alt /run/php/php-fpm.sock
	rel_site shop /run/php/shop.sock
	rel_sock /run/php/php8.2-fpm.sock /run/php/shop.sock
}
rel_deb() {	# rel_deb BRANCH VERSION: a phpBRANCH-fpm .deb with the stock www
	local t=$work/reldeb-$1
	rm -rf "$t"; mkdir -p "$t/DEBIAN" "$t/etc/php/$1/fpm/pool.d" "$t/usr/sbin"
	rel_global "$1" > "$t/etc/php/$1/fpm/php-fpm.conf"
	rel_www "$1" > "$t/etc/php/$1/fpm/pool.d/www.conf"
	printf '#!/bin/sh\nexit 0\n' > "$t/usr/sbin/php-fpm$1"; chmod 755 "$t/usr/sbin/php-fpm$1"
	printf 'Package: php%s-fpm\nVersion: %s\nArchitecture: all\nMaintainer: t <t@example.org>\nDescription: test\n' "$1" "$2" > "$t/DEBIAN/control"
	printf '/etc/php/%s/fpm/php-fpm.conf\n/etc/php/%s/fpm/pool.d/www.conf\n' "$1" "$1" > "$t/DEBIAN/conffiles"
	dpkg-deb -b "$t" "$work/php$1-fpm_$2_all.deb" >/dev/null
	echo "$work/php$1-fpm_$2_all.deb"
}
rel_info() {	# rel_info DEB [EXTRA-LINES-FILE]
	{ printf 'VERSION 3\nAPT::Architecture=amd64\n\n'
	  [ -n "${2:-}" ] && cat "$2"
	  printf 'php8.2-fpm 8.2.29-1~deb12u1 amd64 none > - - none **REMOVE**\n'
	  printf 'php8.4-fpm - - none < 8.4.11-1 all none %s\n' "$1"
	  printf 'php-fpm 2:8.2+93 all none < 2:8.4+96 all none %s/php-fpm_2%%3a8.4+96_all.deb\n' "$work"
	} > "$work/relinfo"
}
RG() { "$BIN" --root "$RR" --no-syslog "$@"; }
rel_sock() {	# rel_sock PATH...: the socket files a php-fpm start leaves (nobody listens)
	local p
	for p in "$@"; do
		rm -f "$RR$p"
		perl -MIO::Socket::UNIX -e 'IO::Socket::UNIX->new(Local => $ARGV[0], Listen => 1) or die "$ARGV[0]: $!"' "$RR$p"
		chown 33:33 "$RR$p"; chmod 0660 "$RR$p"
	done
}
tree_sum() { (cd "$RR" && find etc -exec stat -c '%n %s %a' {} + | sort; find etc -type f -exec md5sum {} + | sort); }

D84=$(rel_deb 8.4 8.4.11-1)
rel_root; rel_info "$D84"
out=$(RG --policy report pre-install-pkgs --hook-info "$work/relinfo" 2>&1); rc=$?
if [ $rc -eq 0 ] && grep -q "^/etc/nginx/sites-enabled/old:5: error: pool www: nginx (server old.example) will get no PHP after the transaction: nobody serves /run/php/php8.2-fpm.sock \[site-loses-php\]" <<<"$out" \
   && grep -q "^/etc/nginx/sites-enabled/shop:5: error: pool shop: nginx (server shop.example) will get no PHP.*\[site-loses-php\]" <<<"$out" \
   && grep -q "^/etc/php/8.2/fpm/pool.d/shop.conf:5: error: pool shop: pool leaves with its package.*\[pool-departs\]" <<<"$out" \
   && grep -q "^/etc/php/8.2/fpm/pool.d/www.conf:4: error: pool www: pool leaves with its package.*\[pool-departs\]" <<<"$out"; then ok release-removal-predicted
else bad release-removal-predicted "rc=$rc $out"; fi
# The alternative: php8.4-fpm's unit registers its www socket with
# priority 84 > 82, and php8.2's leaves with its stop: the site on
# php-fpm.sock is served by PHP 8.4's www, as www-data.
if grep -q "^/etc/nginx/sites-enabled/alt:5: warning: pool www: nginx (server alt.example) will be served by another PHP-FPM instance through /run/php/php-fpm.sock \[site-changes-php\]" <<<"$out" \
   && grep -q "now:    pool www of /etc/php/8.4/fpm/php-fpm.conf (php8.4-fpm), running PHP as www-data" <<<"$out"; then ok release-alternative-retarget
else bad release-alternative-retarget "$out"; fi
# The new instance is predicted from its .deb alone (no /etc/php/8.4 here).
if grep -q "policy fix carries it into /etc/php/8.4/fpm/php-fpm.conf as \[www-php8.2\]" <<<"$out" \
   && grep -q "policy fix carries it into /etc/php/8.4/fpm/php-fpm.conf as \[shop\]" <<<"$out" && [ ! -e "$RR/etc/php/8.4" ]; then ok release-new-instance-from-deb
else bad release-new-instance-from-deb "$out"; fi

# abort: exit 1 before dpkg, one report naming every site and pool, and
# nothing written anywhere.
before=$(tree_sum)
out=$(RG --policy abort pre-install-pkgs --hook-info "$work/relinfo" 2>&1); rc=$?
after=$(tree_sum)
n=$(grep -c "action: aborted (policy abort)" <<<"$out")
if [ $rc -eq 1 ] && [ "$n" -eq 4 ] && [ "$before" = "$after" ] && [ ! -e "$RR/etc/php/8.4" ]; then ok release-abort-before-dpkg
else bad release-abort-before-dpkg "rc=$rc n=$n $out"; fi

# fix: the pools are carried into 8.4's pool.d, one file each, the
# guard's, keeping user, listen path, listen.* and the rest.
out=$(RG pre-install-pkgs --hook-info "$work/relinfo" 2>&1); rc=$?
CW=$RR/etc/php/8.4/fpm/pool.d/zz-php-fpm-guard-carried-www-php8.2.conf
CS=$RR/etc/php/8.4/fpm/pool.d/zz-php-fpm-guard-carried-shop.conf
if [ $rc -eq 0 ] && grep -q "action: carried (policy fix)" <<<"$out" \
   && head -1 "$CW" | grep -q '^; php-fpm-guard carried pool' && grep -q '^\[www-php8.2\]$' "$CW" \
   && grep -q '^listen = /run/php/php8.2-fpm.sock$' "$CW" && grep -q '^listen.owner = www-data$' "$CW" \
   && grep -q '^\[shop\]$' "$CS" && grep -q '^user = shop$' "$CS" && grep -q '^listen = /run/php/shop.sock$' "$CS" \
   && grep -q '^php_admin_value\[error_log\] = /var/log/php-\$pool.log$' "$CS" \
   && [ "$(ls "$RR/etc/php/8.4/fpm/pool.d")" = "$(printf 'zz-php-fpm-guard-carried-shop.conf\nzz-php-fpm-guard-carried-www-php8.2.conf')" ]; then ok release-fix-carries
else bad release-fix-carries "rc=$rc $out $(cat "$CW" "$CS" 2>&1)"; fi
# A renamed pool keeps what $pool meant: www's values name www still.
printf '[www]\nuser = www-data\ngroup = www-data\nlisten = /run/php/php8.2-fpm.sock\nlisten.owner = www-data\nlisten.group = www-data\nslowlog = /var/log/$pool.slow\npm = ondemand\npm.max_children = 2\n' > "$RR/etc/php/8.2/fpm/pool.d/www.conf"
out=$(RG pre-install-pkgs --hook-info "$work/relinfo" 2>&1); rc=$?
if [ $rc -eq 0 ] && grep -q '^slowlog = /var/log/www.slow$' "$CW"; then ok release-carry-keeps-pool-var
else bad release-carry-keeps-pool-var "rc=$rc $(cat "$CW")"; fi

# dpkg does the rest: php8.4-fpm unpacked over the directory the guard
# made (real dpkg on this root: a file that is no package's in pool.d is
# not a conffile question), php8.2-fpm removed to state rc.
mkdir -p "$RR/var/lib/dpkg/info" "$RR/var/lib/dpkg/updates" "$RR/var/lib/dpkg/triggers"
touch "$RR/var/lib/dpkg/available"
dout=$(dpkg --root="$RR" --force-script-chrootless --force-bad-path -i "$D84" </dev/null 2>&1); drc=$?
sed -i 's/^Status: install ok installed$/Status: deinstall ok config-files/;T;:a;n;ba' "$RR/var/lib/dpkg/status"
if [ $drc -eq 0 ] && ! grep -qi "conffile\|prompt" <<<"$dout" && [ -f "$CW" ] && [ -f "$CS" ] \
   && [ -f "$RR/etc/php/8.4/fpm/pool.d/www.conf" ] && grep -q "^Package: php8.4-fpm" "$RR/var/lib/dpkg/status"; then ok release-dpkg-takes-pre-made-dir
else bad release-dpkg-takes-pre-made-dir "drc=$drc $dout"; fi
# After the run: the alternative follows 8.4; every site is served by a
# pool of 8.4 (the 8.2 leftovers in state rc are no instance).
ln -sfn /run/php/php8.4-fpm.sock "$RR/etc/alternatives/php-fpm.sock"
rm -f "$RR/run/php/php8.2-fpm.sock" "$RR/run/php/shop.sock"	# php8.2-fpm stopped
rel_sock /run/php/php8.4-fpm.sock /run/php/php8.2-fpm.sock /run/php/shop.sock	# php8.4-fpm started
out=$(RG check 2>&1); rc=$?
if [ $rc -eq 0 ] && ! grep -q "no PHP-FPM pool listens\|/etc/php/8.2" <<<"$out" \
   && grep -q "ok: pool www-php8.2: /run/php/php8.2-fpm.sock" <<<"$out" && grep -q "ok: pool shop: /run/php/shop.sock" <<<"$out"; then ok release-after-upgrade-served
else bad release-after-upgrade-served "rc=$rc $out"; fi
# apt autoremove --purge php8.2-fpm: /etc/php/8.2 goes, the carried pools stay.
rm -rf "$RR/etc/php/8.2"
awk 'BEGIN{RS="";ORS="\n\n"} !/^Package: php8.2-fpm\n/' "$RR/var/lib/dpkg/status" > "$RR/status.new" && mv "$RR/status.new" "$RR/var/lib/dpkg/status"
out=$(RG check 2>&1); rc=$?
if [ $rc -eq 0 ] && [ -f "$CW" ] && [ -f "$CS" ] && grep -q "ok: pool shop: /run/php/shop.sock" <<<"$out"; then ok release-purge-keeps-carried
else bad release-purge-keeps-carried "rc=$rc $out"; fi
# The .deb's own files never name a carried file: dpkg -L has none.
if ! dpkg --root="$RR" -L php8.4-fpm | grep -q carried; then ok release-carried-no-conffile
else bad release-carried-no-conffile "$(dpkg --root="$RR" -L php8.4-fpm)"; fi

# A carried pool the arriving version refuses: php5-fpm -> php7.0-fpm,
# a pool with a '#' comment (php5 took it as a comment, php >= 7 refuses
# it).  Named in the report; that pool falls back to abort; nothing
# carried.
rel_root; rm -rf "$RR/etc/php/8.2"
mkdir -p "$RR/etc/php5/fpm/pool.d"
printf '[global]\npid = /var/run/php5-fpm.pid\ninclude=/etc/php5/fpm/pool.d/*.conf\n' > "$RR/etc/php5/fpm/php-fpm.conf"
printf '[legacy]\nuser = shop\ngroup = shop\n# tuned in 2014\nlisten = /run/php/shop.sock\nlisten.owner = www-data\nlisten.group = www-data\npm = ondemand\npm.max_children = 2\n' > "$RR/etc/php5/fpm/pool.d/legacy.conf"
printf 'Package: php5-fpm\nStatus: install ok installed\nArchitecture: amd64\nVersion: 5.6.40+dfsg-0+deb8u12\n\n' > "$RR/var/lib/dpkg/status"
rm -f "$RR/etc/nginx/sites-enabled/old" "$RR/etc/nginx/sites-enabled/alt"
D70=$(rel_deb 7.0 7.0.33-0+deb9u12)
printf 'VERSION 3\n\nphp5-fpm 5.6.40+dfsg-0+deb8u12 amd64 none > - - none **REMOVE**\nphp7.0-fpm - - none < 7.0.33-0+deb9u12 all none %s\n' "$D70" > "$work/relinfo"
before=$(tree_sum)
out=$(RG pre-install-pkgs --hook-info "$work/relinfo" 2>&1); rc=$?
after=$(tree_sum)
if [ $rc -eq 1 ] && grep -q "error: pool legacy: the arriving PHP version refuses this pool: it cannot be carried \[carry-refused\]" <<<"$out" \
   && grep -q "refused by php7.0-fpm 7.0.33-0+deb9u12: /etc/php/7.0/fpm/pool.d/zz-php-fpm-guard-carried-legacy.conf:[0-9]*:.*#" <<<"$out" \
   && grep -q "note: not carried: " <<<"$out" && [ "$before" = "$after" ] && [ ! -e "$RR/etc/php/7.0" ]; then ok release-carry-refused-aborts
else bad release-carry-refused-aborts "rc=$rc $out"; fi

# After the fact, without the guard's carry (predict = report): the run
# that removed php8.2-fpm leaves its conffiles (rc) and no instance; the
# sites on its sockets are errors at their file:line, not warnings.
rel_root; rel_info "$D84"
RG pre-invoke 2>/dev/null
mkdir -p "$RR/var/lib/dpkg/info" "$RR/var/lib/dpkg/updates" "$RR/var/lib/dpkg/triggers"; touch "$RR/var/lib/dpkg/available"
dpkg --root="$RR" --force-script-chrootless --force-bad-path -i "$D84" </dev/null >/dev/null 2>&1
sed -i 's/^Status: install ok installed$/Status: deinstall ok config-files/;T;:a;n;ba' "$RR/var/lib/dpkg/status"
rm -f "$RR/run/php/php8.2-fpm.sock" "$RR/run/php/shop.sock"; rel_sock /run/php/php8.4-fpm.sock
ln -sfn /run/php/php8.4-fpm.sock "$RR/etc/alternatives/php-fpm.sock"
out=$(RG --policy report post-invoke 2>&1); rc=$?
if grep -q "^/etc/nginx/sites-enabled/old:5: error: pool www: nginx (server old.example) still sends requests to /run/php/php8.2-fpm.sock, where no pool listens now \[server-socket-lost\]" <<<"$out" \
   && grep -q "^/etc/nginx/sites-enabled/shop:5: error: pool shop: .*\[server-socket-lost\]" <<<"$out" \
   && ! grep -q "^/etc/nginx/sites-enabled/alt:5:" <<<"$out" && grep -q "\[instance-removed\]" <<<"$out"; then ok release-post-invoke-errors
else bad release-post-invoke-errors "rc=$rc $out"; fi

# The whole run with the guard: pre-invoke, Pre-Install-Pkgs carries,
# dpkg, php8.4-fpm's start (listeners on the three paths it serves now),
# post-invoke: no site lost, and the report lists each carried pool,
# proven by a real connect as www-data.
rel_root; rel_info "$D84"
RG pre-invoke 2>/dev/null
RG pre-install-pkgs --hook-info "$work/relinfo" >/dev/null 2>&1
mkdir -p "$RR/var/lib/dpkg/info" "$RR/var/lib/dpkg/updates" "$RR/var/lib/dpkg/triggers"; touch "$RR/var/lib/dpkg/available"
dpkg --root="$RR" --force-script-chrootless --force-bad-path -i "$D84" </dev/null >/dev/null 2>&1
sed -i 's/^Status: install ok installed$/Status: deinstall ok config-files/;T;:a;n;ba' "$RR/var/lib/dpkg/status"
ln -sfn /run/php/php8.4-fpm.sock "$RR/etc/alternatives/php-fpm.sock"
lpids=
for p in php8.4-fpm php8.2-fpm shop; do
	rm -f "$RR/run/php/$p.sock"
	perl -MIO::Socket::UNIX -e '$s = IO::Socket::UNIX->new(Local => $ARGV[0], Listen => 5) or die; chown 33, 33, $ARGV[0]; chmod 0660, $ARGV[0]; while ($c = $s->accept) { close $c }' "$RR/run/php/$p.sock" &
	lpids="$lpids $!"
done
for _ in $(seq 50); do [ -S "$RR/run/php/shop.sock" ] && [ -S "$RR/run/php/php8.2-fpm.sock" ] && [ -S "$RR/run/php/php8.4-fpm.sock" ] && break; sleep 0.1; done
out=$(RG post-invoke 2>&1); rc=$?
for p in $lpids; do kill "$p"; wait "$p" 2>/dev/null; done
if [ $rc -eq 0 ] && ! grep -q "server-socket-lost\|server-socket-unserved" <<<"$out" \
   && grep -q "note: carried pool \[shop\] (/etc/php/8.4/fpm/pool.d/zz-php-fpm-guard-carried-shop.conf) serves /run/php/shop.sock, proven: www-data: connected" <<<"$out" \
   && grep -q "note: carried pool \[www-php8.2\] .* serves /run/php/php8.2-fpm.sock, proven: www-data: connected" <<<"$out"; then ok release-post-invoke-proves-carried
else bad release-post-invoke-proves-carried "rc=$rc $out"; fi

# A plain `apt remove php8.2-fpm`, nothing arriving: with no site on its
# pools it goes through (warnings), with one it is stopped before dpkg.
rel_root; rm -f "$RR"/etc/nginx/sites-enabled/*
printf 'VERSION 3\n\nphp8.2-fpm 8.2.29-1~deb12u1 amd64 none > - - none **REMOVE**\n' > "$work/relinfo"
out=$(RG pre-install-pkgs --hook-info "$work/relinfo" 2>&1); rc=$?
if [ $rc -eq 0 ] && [ "$(grep -c 'warning: pool .*\[pool-departs\]' <<<"$out")" -eq 2 ] && ! grep -q "aborted" <<<"$out"; then ok release-plain-remove-unused
else bad release-plain-remove-unused "rc=$rc $out"; fi
rel_site shop /run/php/shop.sock
out=$(RG pre-install-pkgs --hook-info "$work/relinfo" 2>&1); rc=$?
if [ $rc -eq 1 ] && grep -q "note: not carried: no PHP-FPM instance arrives" <<<"$out" \
   && grep -q "^/etc/nginx/sites-enabled/shop:5: error: .*\[site-loses-php\]" <<<"$out"; then ok release-plain-remove-used-aborts
else bad release-plain-remove-used-aborts "rc=$rc $out"; fi

# APT's list starts php8.4-fpm (**CONFIGURE**) before it removes
# php8.2-fpm: carried pools would meet the old master on their sockets,
# php-fpm 8.4 would refuse to start; nothing is carried, the run aborts.
rel_root
printf 'VERSION 3\n\nphp8.4-fpm - - none < 8.4.11-1 all none %s\nphp8.4-fpm - - none < 8.4.11-1 all none **CONFIGURE**\nphp8.2-fpm 8.2.29-1~deb12u1 amd64 none > - - none **REMOVE**\n' "$D84" > "$work/relinfo"
before=$(tree_sum)
out=$(RG pre-install-pkgs --hook-info "$work/relinfo" 2>&1); rc=$?
after=$(tree_sum)
if [ $rc -eq 1 ] && grep -q "apt starts php8.4-fpm before it removes php8.2-fpm" <<<"$out" && grep -q "\[carry-refused\]" <<<"$out" \
   && [ "$before" = "$after" ] && [ ! -e "$RR/etc/php/8.4" ]; then ok release-order-clash-aborts
else bad release-order-clash-aborts "rc=$rc $out"; fi
finish
