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
