# Sourced by tests/hostile/run.sh (uses run, sane, sig, has, ok, bad,
# copy_stock_fpm, $BIN, $FPM, $work).  Issue 12, part 2 and 3: root's
# writes go where the attacker's files say.
#   P  an incoming .deb whose conffile list or data aims the prediction
#      (Pre-Install-Pkgs, before dpkg and before any policy) at a host
#      file: "..", "//", ".", relative lines, symlinks in its data.  The
#      package is built by the attacker (www-data, dpkg-deb); the guard
#      runs as apt would run it, as root, with and without --root, under
#      policy abort, report and fix.  Nothing outside the prediction tree
#      may be created or changed, and the report names the package.
#   W  an image for --root whose guard.conf names prom_file through an
#      absolute symlink out of the image, and whose /var/lib, /var/log and
#      PHP directory are absolute symlinks to host directories: state dir,
#      log dir, textfile and drop-in must all land inside the image.  The
#      image is a tarball the attacker made (www-data), unpacked by root.
RW=$work/rw
RWV=/tmp/pfg-rw-$$		# host paths the attacker aims at
rm -rf "$RW" "$RWV"-*; mkdir -p "$RW/attacker"; chown www-data:www-data "$RW/attacker"
as_attacker() { setpriv --reuid=www-data --regid=www-data --clear-groups "$@"; }

# ---- P. the incoming package ---------------------------------------------
# rw_deb NAME DIR LINES SETUP: php8.2-fpm 8.2.99-pfg for the instance in
# DIR (its php-fpm.conf's directory), conffiles LINES; SETUP is run by the
# attacker in the data tree ($t) to plant symlinks and payloads.
rw_deb() {
	local t=$RW/attacker/$1
	as_attacker bash -c '
		t=$0 dir=$1; rm -rf "$t"; mkdir -p "$t/DEBIAN" "$t$dir/pool.d"
		printf "[global]\npid = /run/php/php8.2-fpm.pid\ninclude=%s/pool.d/*.conf\n" "$dir" > "$t$dir/php-fpm.conf"
		printf "[www]\nuser = www-data\ngroup = www-data\nlisten = /run/php/php8.2-fpm.sock\nlisten.owner = www-data\nlisten.group = www-data\npm = static\npm.max_children = 2\n" > "$t$dir/pool.d/www.conf"
		printf "Package: php8.2-fpm\nVersion: 8.2.99-pfg\nArchitecture: all\nMaintainer: m <m@example.org>\nDescription: hostile\n" > "$t/DEBIAN/control"
		printf "%s\n" "$2" > "$t/DEBIAN/conffiles"
		cd "$t" && eval "$3" && dpkg-deb --nocheck --root-owner-group -b "$t" "$t.deb" >/dev/null 2>&1' \
		"$t" "$2" "$3" "$4" || return 1
	echo "$t.deb"
}
# What the attacker's lines and data are, for an instance in DIR.  The
# escape: a/ in the package points 16 levels deep into its own payload, so
# a/../(16)/tmp/X reads the payload there; in the prediction tree a/ is a
# plain directory and the same 16 ".." climb out of /tmp onto the host.
rw_case() {	# rw_case NAME DIR -> LINES and SETUP in $lines $setup
	local dir=$2 deep ups
	deep=$(printf 'd%s/' $(seq 16)); ups=$(printf '../%.0s' $(seq 16))
	local back; back=$(printf '../%.0s' $(seq "$(tr -cd / <<<"$dir" | wc -c)"))
	setup=:
	case $1 in
	dotdot-symlink-escape)
		lines="$dir/a/$ups${RWV#/}-victim"
		setup="mkdir -p usr/share/pfg/$deep usr/share/pfg$(dirname "$RWV")
			printf PFGPAYLOAD > usr/share/pfg$RWV-victim; ln -s ${back}usr/share/pfg/$deep .$dir/a";;
	dotdot-through-root-symlink)
		lines="$dir/a/../../../..$RWV-victim"; setup="ln -s / .$dir/a";;
	dotdot-new-file)
		lines="$dir/a/$ups${RWV#/}-new"
		setup="mkdir -p usr/share/pfg/$deep usr/share/pfg$(dirname "$RWV")
			printf PFGPAYLOAD > usr/share/pfg$RWV-new; ln -s ${back}usr/share/pfg/$deep .$dir/a";;
	double-slash) lines="$dir//pool.d/www.conf";;
	dot-component) lines="$dir/./pool.d/www.conf";;
	relative) lines="${dir#/}/pool.d/www.conf";;
	pool-dir-symlink)
		lines="$dir/pool.d/www.conf"; setup="rm -r .$dir/pool.d; ln -s $RWV-x .$dir/pool.d";;
	benign) lines="$dir/php-fpm.conf
$dir/pool.d/www.conf";;
	esac
}
rw_sig() { local f; for f in "$RWV"-*; do sig "$f"; done; sig "$work/fpm"; }
rw_host_files() {	# the host's own files the attacker aims at
	rm -rf "$RWV"-*; printf 'keep\n' > "$RWV-victim"; chmod 0644 "$RWV-victim"
	mkdir -p "$RWV-x"; printf '[www]\nuser = www-data\nlisten = /run/php/php8.2-fpm.sock\nlisten.mode = 0666\nPFGHOSTFILE = 1\n' > "$RWV-x/www.conf"
}
rw_root() {	# a --root fixture with php8.2-fpm 8.2.7-1 installed
	local r=$1; rm -rf "$r"
	mkdir -p "$r/etc/php/8.2/fpm/pool.d" "$r/var/lib/dpkg" "$r/run/php"
	printf 'root:x:0:0::/root:/bin/sh\nwww-data:x:33:33::/var/www:/bin/sh\n' > "$r/etc/passwd"
	printf 'root:x:0:\nwww-data:x:33:\n' > "$r/etc/group"
	printf '[global]\npid = /run/php/php8.2-fpm.pid\ninclude=/etc/php/8.2/fpm/pool.d/*.conf\n' > "$r/etc/php/8.2/fpm/php-fpm.conf"
	printf '[www]\nuser = www-data\ngroup = www-data\nlisten = /run/php/php8.2-fpm.sock\nlisten.owner = www-data\nlisten.group = www-data\npm = static\npm.max_children = 1\n' > "$r/etc/php/8.2/fpm/pool.d/www.conf"
	printf 'Package: php8.2-fpm\nStatus: install ok installed\nArchitecture: amd64\nVersion: 8.2.7-1\n\n' > "$r/var/lib/dpkg/status"
}
rw_info() { printf 'VERSION 3\nAPT::Architecture=amd64\n\nphp8.2-fpm 8.2.7-1 amd64 none < 8.2.99-pfg all none %s\n' "$1" > "$RW/info"; }

RWR=$RW/root
for mode in root host; do
	if [ $mode = root ]; then
		dir=/etc/php/8.2/fpm
		rwg() { run "$BIN" --root "$RWR" --state-dir "$RW/state" --log-dir "$RW/log" --no-syslog "$@"; }
	else
		stop_fpm; copy_stock_fpm; : > "$work/guard.conf"; dir=$work/fpm
		rwg() { run "$BIN" --fpm-config "$work/fpm/php-fpm.conf" --fpm-binary "$FPM" --client www-data \
			--state-dir "$RW/state" --log-dir "$RW/log" --config "$work/guard.conf" --no-syslog "$@"; }
	fi
	for c in dotdot-symlink-escape dotdot-through-root-symlink dotdot-new-file double-slash \
		 dot-component relative pool-dir-symlink benign; do
		rw_case $c "$dir"
		if ! deb=$(rw_deb "$c-$mode" "$dir" "$lines" "$setup"); then bad "predict-$c-$mode" "dpkg-deb failed"; continue; fi
		rw_info "$deb"
		for pol in abort report fix; do
			rw_host_files; [ $mode = root ] && rw_root "$RWR"
			rm -rf "$RW/state" "$RW/log"
			before=$(rw_sig)
			rwg --policy $pol pre-install-pkgs --hook-info "$RW/info"
			why=
			sane || why="$why [crash/hang rc=$rc]"
			[ $rc -eq 0 ] || why="$why [rc=$rc]"
			after=$(rw_sig)
			[ "$after" = "$before" ] || why="$why [a host file changed: $(diff <(echo "$before") <(echo "$after") | head -4)]"
			[ "$(cat "$RWV-victim")" = keep ] || why="$why [victim now: $(head -c 40 "$RWV-victim")]"
			[ -e "$RWV-new" ] && why="$why [$RWV-new created]"
			has PFGHOSTFILE && why="$why [a host file read as the package's]"
			if [ $c = benign ]; then
				has "refused" && why="$why [a clean package refused: $out]"
				has "cannot predict" && why="$why [a clean package not predicted: $out]"
			else
				{ has "php8.2-fpm 8.2.99-pfg: cannot predict" && has "refused"; } ||
					why="$why [no refusal naming the package: $out]"
			fi
			if [ -z "$why" ]; then ok "predict-$c-$mode-$pol"; else bad "predict-$c-$mode-$pol" "$why"; fi
		done
	done
done
stop_fpm

# ---- W. --root writes stay in the image ----------------------------------
# The attacker's image: /var/lib and /var/log are absolute symlinks to
# host directories (which exist, as the attacker expects them to), /etc/php/8.2
# too, and guard.conf puts the textfile below /var/lib.  Inside the image
# the same names exist, so that a write re-rooted there succeeds.
rw_image() {	# rw_image TARBALL [GUARD.CONF LINES]
	as_attacker bash -c '
		i=$0/img v=$1 conf=$2; rm -rf "$i"; mkdir -p "$i/etc/php-fpm-guard" "$i/var" "$i/run/php"
		mkdir -p "$i$v-lib/prometheus/node-exporter" "$i$v-log" "$i$v-php/fpm/pool.d"
		chmod 0755 "$i$v-lib" "$i$v-lib/prometheus" "$i$v-lib/prometheus/node-exporter" "$i$v-log"
		printf "root:x:0:0::/root:/bin/sh\nwww-data:x:33:33::/var/www:/bin/sh\n" > "$i/etc/passwd"
		printf "root:x:0:\nwww-data:x:33:\n" > "$i/etc/group"
		printf "[global]\npid = /run/php/php8.2-fpm.pid\ninclude=/etc/php/8.2/fpm/pool.d/*.conf\n" > "$i$v-php/fpm/php-fpm.conf"
		printf "[www]\nuser = www-data\ngroup = www-data\nlisten = /run/php/php8.2-fpm.sock\npm = static\npm.max_children = 1\n" > "$i$v-php/fpm/pool.d/www.conf"
		printf "%b" "$conf" > "$i/etc/php-fpm-guard/guard.conf"
		mkdir -p "$i/etc/php"; ln -s "$v-php" "$i/etc/php/8.2"
		ln -s "$v-lib" "$i/var/lib"; ln -s "$v-log" "$i/var/log"
		tar --owner=0 --group=0 -C "$i" -cf "$0/img.tar" .' "$RW/attacker" "$RWV" "$1"
	rm -rf "$RWR"; mkdir -p "$RWR"; tar -C "$RWR" -xpf "$RW/attacker/img.tar"
}
rw_host_dirs() {	# what the attacker expects on the host: the real-looking dirs
	rm -rf "$RWV"-*
	mkdir -p "$RWV-lib/prometheus/node-exporter" "$RWV-log" "$RWV-php"
	cp -a "$RWR$RWV-php/." "$RWV-php/"	# so the host glob finds the instance too
}
rw_writes_case() {	# NAME GUARD.CONF-LINES CHECK...: hooks and fix on the image
	local name=$1 conf=$2 before why= gr
	rw_image "$conf"; rw_host_dirs
	before=$(sig "$RWV-lib")$(sig "$RWV-log")$(sig "$RWV-php")
	gr() { run "$BIN" --root "$RWR" --no-syslog "$@"; }
	# No snapshot yet: post-invoke reports check's findings and saves them.
	gr --policy report post-invoke; sane || why="$why [post-invoke rc=$rc $out]"
	gr pre-invoke; sane && [ $rc -eq 0 ] || why="$why [pre-invoke rc=$rc $out]"
	gr fix; sane || why="$why [fix rc=$rc $out]"
	gr status; sane || why="$why [status rc=$rc $out]"
	[ "$(sig "$RWV-lib")$(sig "$RWV-log")$(sig "$RWV-php")" = "$before" ] ||
		why="$why [written on the host: $(diff <(echo "$before") <(sig "$RWV-lib"; sig "$RWV-log"; sig "$RWV-php") | grep '^>' | head -5)]"
	shift 2
	for f in "$@"; do [ -e "$RWR$RWV$f" ] || why="$why [$RWV$f not written inside the image]"; done
	if [ -z "$why" ]; then ok "$name"; else bad "$name" "$why"; fi
}
# The pool below loses www-data (no listen.owner): post-invoke reports, fix
# writes the drop-in (fix_target = drop-in), every writer runs.
rw_writes_case root-writes-stay-in-image \
	'clients = www-data\nfix_target = drop-in\nprom_file = /var/lib/prometheus/node-exporter/guard.prom\n' \
	-lib/php-fpm-guard/last-run.json -lib/prometheus/node-exporter/guard.prom \
	-log/php-fpm-guard/latest.json -php/fpm/pool.d/zz-php-fpm-guard.conf
# The default textfile path, the same symlink.
rw_writes_case root-default-prom-stays-in-image 'clients = www-data\n' \
	-lib/prometheus/node-exporter/php_fpm_guard.prom -lib/php-fpm-guard/last-run.json
# --state-dir and --log-dir from root's command line are host paths: used as given.
rw_image 'clients = www-data\n'; rw_host_dirs
run "$BIN" --root "$RWR" --state-dir "$RW/hs" --log-dir "$RW/hl" --no-syslog --policy report post-invoke
if sane && [ -f "$RW/hs/last-run.json" ] && [ -f "$RW/hl/latest.json" ]; then ok root-cli-dirs-are-host-paths
else bad root-cli-dirs-are-host-paths "rc=$rc $(ls -R "$RW/hs" "$RW/hl" 2>&1) $out"; fi
rm -rf "$RWV"-*
