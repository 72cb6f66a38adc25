#!/bin/bash
# The hook pair's cost, from no PHP-FPM to ten thousand pools (issue 7).
# Usage: bench/run.sh BUILD_DIR [SIZES...]   (make bench)
#
# For each size it writes a host in a temp dir: php-fpm.conf including
# pool.d/*.conf, one file per pool as shared hosting has them, each pool
# ondemand on its own unix socket, and a socket file per pool with the
# metadata php-fpm would give it (www-data:www-data 0660; nobody listens,
# which costs the guard's real connect() the same).  Then, on the same
# files, after a warm-up, the median of R runs of:
#   pair   php-fpm-guard pre-invoke, then post-invoke (the hooks of one apt run)
#   fpm-t  php-fpm8.2 -t on the same config (what an admin runs by hand)
#   floor  reading every config file once (cat) and stat-ing every socket
#   plugin       check --monitoring-plugin, php-fpm -t answered from the
#                cache the pair left (what a monitoring agent runs each minute)
#   p-cold       the same without a state dir, so without a cache:
#                php-fpm -tt and -v run every time
# and prints wall and CPU ms, peak RSS, the ratios pair/fpm-t and
# pair/floor, and the targets.  Size 0 is a host without PHP-FPM.
# Then, for 1 and 1000 pools, the instructions of the pair under
# callgrind (repeatable on a noisy machine), and a check with strace that
# no hook ever opens APT's binary cache (pkgcache.bin).
set -eu
B=$(readlink -f "$1"); shift
G=$B/php-fpm-guard T=$B/timeit FPM=/usr/sbin/php-fpm8.2
sizes=("$@"); [ ${#sizes[@]} -gt 0 ] || sizes=(0 1 100 1000 10000)
R=${R:-11} W=${W:-3}
work=$(mktemp -d /tmp/pfg-bench-XXXXXX); chmod 755 "$work"
trap '[ -n "${KEEP:-}" ] || rm -rf "$work"' EXIT

make_host() {	# make_host DIR N
	local d=$1 n=$2
	mkdir -p "$d/fpm/pool.d" "$d/run" "$d/state" "$d/log"; chmod 755 "$d" "$d/run"
	printf '[global]\npid = %s/fpm.pid\nerror_log = %s/fpm.log\ninclude=%s/fpm/pool.d/*.conf\n' \
		"$d" "$d" "$d" > "$d/fpm/php-fpm.conf"
	perl -e '
		my ($d, $n) = @ARGV;
		for my $i (1 .. $n) {
			open(my $f, ">", "$d/fpm/pool.d/site$i.conf") or die;
			print $f "; site $i\n[site$i]\nuser = www-data\ngroup = www-data\n",
				"listen = $d/run/site$i.sock\nlisten.owner = www-data\n",
				"listen.group = www-data\nlisten.mode = 0660\n",
				"pm = ondemand\npm.max_children = 5\npm.process_idle_timeout = 10s\n",
				"chdir = /\nphp_admin_value[error_log] = /var/log/php/site$i.log\n";
			close $f;
		}' "$d" "$n"
	perl -MIO::Socket::UNIX -e '
		my ($d, $n) = @ARGV;
		for my $i (1 .. $n) {
			my $p = "$d/run/site$i.sock";
			IO::Socket::UNIX->new(Local => $p, Listen => 1) or die "$p: $!";
			chown 33, 33, $p; chmod 0660, $p;
		}' "$d" "$n"
}

# The monitoring plugin on the same host: each run must fit a 1-minute
# check interval by a wide margin.
plugin_rows() {	# plugin_rows N (after the pair, with args set)
	local a cold=()
	# Cold: a state dir that does not exist (never created), no cache.
	for a in "${args[@]}"; do
		[ "$a" = "$d/state" ] && a=$d/no-state
		cold+=("$a")
	done
	read -r mw mc mr < <("$T" "$R" "$W" -- "$G" "${args[@]}" check --monitoring-plugin)
	printf '%-6s %-6s %9s %9s %9s %8s %8s  %s\n' "$1" plugin "$mw" "$mc" "$mr" - - \
		"$(of_minute "$mw") of a 1-min interval; <= 1%"
	# php-fpm -tt of 10000 pools takes seconds: cold up to 1000 only.
	[ "$1" != 0 ] && [ "$1" -le 1000 ] || return 0
	read -r mw mc mr < <("$T" "$R" "$W" -- "$G" "${cold[@]}" check --monitoring-plugin)
	printf '%-6s %-6s %9s %9s %9s %8s %8s  %s\n' "$1" p-cold "$mw" "$mc" "$mr" - - \
		"$(of_minute "$mw") of a 1-min interval; <= 5%"
}
of_minute() { awk -v w="$1" 'BEGIN { printf "%.2f%%", w / 600 }'; }

printf '%-6s %-6s %9s %9s %9s %8s %8s  %s\n' pools what wall_ms cpu_ms rss_kb x_fpm-t x_floor target
for n in "${sizes[@]}"; do
	d=$work/h$n
	if [ "$n" = 0 ]; then
		mkdir -p "$d/root" "$d/state" "$d/log"
		args=(--root "$d/root")
	else
		make_host "$d" "$n"
		args=(--fpm-config "$d/fpm/php-fpm.conf" --fpm-binary "$FPM" --client www-data)
	fi
	args+=(--state-dir "$d/state" --log-dir "$d/log" --no-syslog)
	read -r pw pc pr < <("$T" "$R" "$W" -- "$G" "${args[@]}" pre-invoke --then "$G" "${args[@]}" post-invoke)
	plugin_rows "$n"
	if [ "$n" = 0 ]; then
		printf '%-6s %-6s %9s %9s %9s %8s %8s  %s\n' 0 pair "$pw" "$pc" "$pr" - - "pair <= 3 ms"
		continue
	fi
	read -r tw tc tr < <("$T" "$R" "$W" -- "$FPM" -t -y "$d/fpm/php-fpm.conf")
	read -r fw fc fr < <("$T" "$R" "$W" -- sh -c 'cat "$1"/fpm/php-fpm.conf "$1"/fpm/pool.d/*.conf >/dev/null && stat -c %a "$1"/run/* >/dev/null' sh "$d")
	case $n in
	1) target="pair <= 10 ms and <= 0.5x fpm-t";;
	1000) target="pair <= 0.5x fpm-t and <= 2x floor";;
	10000) target="<= 11x the 1000-pool pair, rss <= 32768 kB";;
	*) target=-;;
	esac
	rt=$(awk -v a="$pw" -v b="$tw" 'BEGIN { printf "%.2f", a / b }')
	rf=$(awk -v a="$pw" -v b="$fw" 'BEGIN { printf "%.2f", a / b }')
	printf '%-6s %-6s %9s %9s %9s %8s %8s  %s\n' "$n" pair "$pw" "$pc" "$pr" "$rt" "$rf" "$target"
	printf '%-6s %-6s %9s %9s %9s\n' "$n" fpm-t "$tw" "$tc" "$tr"
	printf '%-6s %-6s %9s %9s %9s\n' "$n" floor "$fw" "$fc" "$fr"
done

# A release upgrade's Pre-Install-Pkgs (issue 16): 500 packages that are
# not PHP-FPM in APT's list, php8.2-fpm removed, php8.4-fpm new (a .deb
# the size of Debian's, 2 MB of binary), the php-fpm metapackage; a
# bookworm-shaped root with two pools and three nginx sites.  Only the
# php*-fpm .deb that brings an instance is read (dpkg-deb runs twice).
rel_bench() {
	local r=$work/rel/root t=$work/rel/deb i d v s n rw rc rr args
	mkdir -p "$r/etc/php/8.2/fpm/pool.d" "$r/var/lib/dpkg" "$r/run/php" "$r/etc/nginx/sites-enabled" \
		"$r/var/lib/php-fpm-guard" "$r/var/log" "$t/DEBIAN" "$t/etc/php/8.4/fpm/pool.d" "$t/usr/sbin"
	printf 'root:x:0:0::/root:/bin/sh\nwww-data:x:33:33::/var/www:/bin/sh\nshop:x:990:990::/srv:/bin/sh\n' > "$r/etc/passwd"
	printf 'root:x:0:\nwww-data:x:33:\nshop:x:990:\n' > "$r/etc/group"
	for v in 8.2 8.4; do
		d=$r; [ $v = 8.4 ] && d=$t
		printf '[global]\npid = /run/php/php%s-fpm.pid\ninclude=/etc/php/%s/fpm/pool.d/*.conf\n' $v $v > "$d/etc/php/$v/fpm/php-fpm.conf"
		printf '[www]\nuser = www-data\ngroup = www-data\nlisten = /run/php/php%s-fpm.sock\nlisten.owner = www-data\nlisten.group = www-data\npm = ondemand\npm.max_children = 5\n' $v > "$d/etc/php/$v/fpm/pool.d/www.conf"
	done
	printf '[shop]\nuser = shop\ngroup = shop\nlisten = /run/php/shop.sock\nlisten.owner = www-data\nlisten.group = www-data\npm = ondemand\npm.max_children = 3\n' > "$r/etc/php/8.2/fpm/pool.d/shop.conf"
	printf 'Package: php8.2-fpm\nStatus: install ok installed\nArchitecture: amd64\nVersion: 8.2.29-1~deb12u1\n\n' > "$r/var/lib/dpkg/status"
	printf 'user www-data;\nevents {\n}\nhttp {\n\tinclude /etc/nginx/sites-enabled/*;\n}\n' > "$r/etc/nginx/nginx.conf"
	for s in php8.2-fpm php-fpm shop; do
		printf 'server {\n\tserver_name %s;\n\tlocation / {\n\t\tfastcgi_pass unix:/run/php/%s.sock;\n\t}\n}\n' $s $s > "$r/etc/nginx/sites-enabled/$s"
	done
	head -c 2000000 /dev/urandom > "$t/usr/sbin/php-fpm8.4"; chmod 755 "$t/usr/sbin/php-fpm8.4"
	printf 'Package: php8.4-fpm\nVersion: 8.4.11-1\nArchitecture: all\nMaintainer: b <b@example.org>\nDescription: bench\n' > "$t/DEBIAN/control"
	printf '/etc/php/8.4/fpm/php-fpm.conf\n/etc/php/8.4/fpm/pool.d/www.conf\n' > "$t/DEBIAN/conffiles"
	dpkg-deb -Zgzip -b "$t" "$work/rel/php8.4-fpm_8.4.11-1_all.deb" >/dev/null
	{ printf 'VERSION 3\nAPT::Architecture=amd64\n\n'
	  for i in $(seq 500); do
		printf 'libbench%d 1.%d-1 amd64 same < 1.%d-2 amd64 same /var/cache/apt/archives/libbench%d_1.%d-2_amd64.deb\n' $i $i $i $i $i
	  done
	  printf 'php8.2-fpm 8.2.29-1~deb12u1 amd64 none > - - none **REMOVE**\n'
	  printf 'php8.4-fpm - - none < 8.4.11-1 all none %s\n' "$work/rel/php8.4-fpm_8.4.11-1_all.deb"
	  printf 'php-fpm 2:8.2+93 all none < 2:8.4+96 all none /var/cache/apt/archives/php-fpm_2%%3a8.4+96_all.deb\n'
	} > "$work/rel/info"
	args=(--root "$r" --no-syslog --policy report pre-install-pkgs --hook-info "$work/rel/info")
	read -r rw rc rr < <("$T" "$R" "$W" -- "$G" "${args[@]}")
	printf '%-6s %-6s %9s %9s %9s %8s %8s  %s\n' release pre-i-p "$rw" "$rc" "$rr" - - \
		"503 packages in the list, one .deb read: <= 1000 ms"
	if command -v strace >/dev/null; then
		n=$(strace -f -e trace=execve "$G" "${args[@]}" 2>&1 >/dev/null | grep -c 'execve("/usr/bin/dpkg-deb"' || true)
		echo "release pre-install-pkgs: dpkg-deb run $n times (the php8.4-fpm .deb, -x and -e)"
		[ "$n" = 2 ] || exit 1
	fi
	awk -v w="$rw" 'BEGIN { exit !(w <= 1000) }' || { echo "release pre-install-pkgs: over 1 s"; exit 1; }
}
rel_bench

# Instructions per pair, warm (the cache of php-fpm's answers filled).
ir() {	# ir ARGS...: instructions of one run
	valgrind --tool=callgrind --callgrind-out-file=/dev/null "$G" "$@" 2>&1 |
		sed -n 's/.*Collected : \([0-9]*\).*/\1/p'
}
if command -v valgrind >/dev/null; then
	for n in 1 1000; do
		d=$work/h$n
		[ -d "$d" ] || make_host "$d" "$n"
		args=(--fpm-config "$d/fpm/php-fpm.conf" --fpm-binary "$FPM" --client www-data
		      --state-dir "$d/state" --log-dir "$d/log" --no-syslog)
		"$G" "${args[@]}" pre-invoke; "$G" "${args[@]}" post-invoke
		a=$(ir "${args[@]}" pre-invoke); b=$(ir "${args[@]}" post-invoke)
		printf '%-6s instructions per pair (callgrind): %s (pre-invoke %s, post-invoke %s)\n' \
			"$n" "$((a + b))" "$a" "$b"
		printf '%-6s instructions per check --monitoring-plugin (callgrind, cache warm): %s\n' \
			"$n" "$(ir "${args[@]}" check --monitoring-plugin)"
	done
fi

# APT's binary cache is never built nor read by a hook, cold or warm.
if command -v strace >/dev/null; then
	d=$work/h1; [ -d "$d" ] || make_host "$d" 1
	rm -f "$d/state/fpm-cache.json"
	args=(--fpm-config "$d/fpm/php-fpm.conf" --fpm-binary "$FPM" --client www-data
	      --state-dir "$d/state" --log-dir "$d/log" --no-syslog)
	hits=$( { strace -f -e trace=open,openat,openat2,stat,newfstatat,statx "$G" "${args[@]}" pre-invoke
		  strace -f -e trace=open,openat,openat2,stat,newfstatat,statx "$G" "${args[@]}" post-invoke; } 2>&1 |
		grep -c 'pkgcache.bin\|srcpkgcache.bin' || true)
	if [ "$hits" = 0 ]; then echo "APT binary cache (pkgcache.bin): never touched by the hooks (strace, cold cache)"
	else echo "APT binary cache: TOUCHED $hits times"; exit 1; fi
fi
