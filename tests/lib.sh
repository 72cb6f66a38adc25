# Shared by the shell suites (source it after setting $work): counters and
# a private php-fpm8.2 running on a copy of Debian's stock configuration
# under $work/fpm, listening on $SOCK.  Never the host's own config.
FPM=/usr/sbin/php-fpm8.2
SOCK=$work/run/php-fpm.sock
pass=0 fail=0
ok()  { echo "ok $1"; pass=$((pass+1)); }
bad() { echo "FAIL $1: $2"; fail=$((fail+1)); }
finish() { echo "$pass passed, $fail failed"; [ $fail -eq 0 ]; }

fpm_pid=
stop_fpm() {
	[ -n "$fpm_pid" ] || return 0
	kill "$fpm_pid" 2>/dev/null; wait "$fpm_pid" 2>/dev/null; fpm_pid=
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
# restart would: the socket is created afresh from the config.
start_fpm() {
	stop_fpm
	rm -f "$SOCK"
	"$FPM" -n -F -y "$work/fpm/php-fpm.conf" >/dev/null 2>&1 & fpm_pid=$!
	for _ in $(seq 50); do [ -S "$SOCK" ] && return 0; sleep 0.1; done
	return 1
}
