# The one library of the shell suites (source it after setting $work; the
# e2e sandbox gets a copy as /e2e/lib.sh, where $work is unset):
#   ok, bad, finish   the counters; finish prints "N passed, N failed"
#                     (the line CI reads) and, on the next, the suite's time
#   G                 the guard under test: $BIN with the suite's standing
#                     options (the array GOPTS) and its own arguments
#   cve_shape         www.conf as the CVE-2014-0185 upgrade shipped it
#   copy_stock_fpm, start_fpm, stop_fpm
#                     a private php-fpm8.2 on a copy of Debian's stock
#                     configuration under $work/fpm, listening on $SOCK,
#                     in a process group of its own.  Never the host's
#                     own config.
FPM=/usr/sbin/php-fpm8.2
[ -z "${work:-}" ] || SOCK=$work/run/php-fpm.sock
pass=0 fail=0 suite_t0=$EPOCHREALTIME
ok()  { echo "ok $1"; pass=$((pass+1)); }
bad() { echo "FAIL $1: $2"; fail=$((fail+1)); }
finish() {
	echo "$pass passed, $fail failed"
	echo "time: $(elapsed "$suite_t0") s (${0#"${0%/*/*}/"})"
	[ $fail -eq 0 ]
}
elapsed() { awk -v a="$1" -v b="$EPOCHREALTIME" 'BEGIN { printf "%.1f", b - a }'; }

# The guard under test.  GOPTS says where it looks (--root, or
# --fpm-config ... for a private php-fpm) and where it keeps its state;
# $VALGRIND (make valgrind) runs around it.
GOPTS=()
G() { ${VALGRIND:-} "$BIN" "${GOPTS[@]}" "$@"; }

# The 2014 upgrade of php5-fpm's www.conf: listen.owner and listen.group
# commented out.  cve_shape FILE edits FILE; with no FILE, a filter.
cve_shape() {
	sed -e 's/^listen.owner/;listen.owner/' -e 's/^listen.group/;listen.group/' ${1:+-i "$1"}
}

# php-fpm.conf and pool.d/www.conf as Debian ships them, paths moved.
copy_stock_fpm() {
	rm -rf "$work/fpm" "$work/run"; mkdir -p "$work/fpm/pool.d" "$work/run"
	chmod 755 "$work/run"
	sed -e "s#^pid = .*#pid = $work/fpm.pid#" \
	    -e "s#^error_log = .*#error_log = $work/fpm.log#" \
	    -e "s#^include=.*#include=$work/fpm/pool.d/*.conf#" \
	    /etc/php/8.2/fpm/php-fpm.conf > "$work/fpm/php-fpm.conf"
	sed -e "s#^listen = .*#listen = $SOCK#" \
	    /etc/php/8.2/fpm/pool.d/www.conf > "$work/fpm/pool.d/www.conf"
}
# (Re)start php-fpm in the foreground of a background job, as a package's
# restart would: the socket is created afresh from the config.  setsid
# makes the master (which $! is: setsid execs) a process group leader, so
# that stop_fpm reaches its workers too.
start_fpm() {
	stop_fpm
	rm -f "$SOCK"
	setsid "$FPM" -n -F -y "$work/fpm/php-fpm.conf" >/dev/null 2>&1 </dev/null & fpm_pid=$!
	fpm_pidfile=$work/fpm.pid
	for _ in $(seq 50); do [ -S "$SOCK" ] && return 0; sleep 0.1; done
	return 1
}
# Stop the php-fpm of start_fpm (or any master whose pid a suite put in
# fpm_pid, and its pid file in fpm_pidfile): its whole process group,
# TERM and then KILL, and the master its pid file names if that differs.
fpm_pid= fpm_pidfile=
fpm_alive() { local s; s=$(ps -o stat= -p "$1" 2>/dev/null) || return 1; [[ $s != Z* ]]; }
stop_fpm() {
	local pid=$fpm_pid other _
	[ -n "$pid" ] || return 0
	other=$(cat "${fpm_pidfile:-/dev/null}" 2>/dev/null)
	if [[ $other =~ ^[0-9]+$ ]] && [ "$other" != "$pid" ]; then
		kill -TERM -- "-$other" 2>/dev/null || kill -TERM "$other" 2>/dev/null
	fi
	kill -TERM -- "-$pid" 2>/dev/null || kill -TERM "$pid" 2>/dev/null
	for _ in $(seq 60); do fpm_alive "$pid" || break; sleep 0.05; done
	kill -KILL -- "-$pid" 2>/dev/null; kill -KILL "$pid" 2>/dev/null
	wait "$pid" 2>/dev/null
	for _ in $(seq 40); do
		pgrep -g "$pid" >/dev/null 2>&1 || break
		kill -KILL -- "-$pid" 2>/dev/null; sleep 0.05
	done
	fpm_pid= fpm_pidfile=
}
