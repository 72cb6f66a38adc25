#!/bin/bash
# The 2014 incident itself, replayed on a php5-fpm fixture root: php5
# cannot run here, so everything comes from files under --root -- an
# Ubuntu precise shaped /etc/php5/fpm, a dpkg status file that says
# php5-fpm 5.3.10-1ubuntu3.11 before the upgrade and 3.12 after (the
# USN-2254-1 fix), and a real unix socket file at /var/run/php5-fpm.sock.
# The versions are read through the libapt-pkg shim; the defaults (0666
# before, 0660 after) come from them alone.  Usage: tests/php5/run.sh BINARY
set -u
BIN=$(readlink -f "$1")
work=$(mktemp -d /tmp/pfg-php5-XXXXXX); chmod 755 "$work"
. "$(dirname "$0")/../lib.sh"
trap 'rm -rf "$work"' EXIT
R=$work/root
W=$R/etc/php5/fpm/pool.d/www.conf

status() {	# status VERSION: a dpkg status file listing php5-fpm VERSION
	cat > "$R/var/lib/dpkg/status" <<EOS
Package: libc6
Status: install ok installed
Priority: required
Section: libs
Architecture: amd64
Version: 2.15-0ubuntu10.5
Description: Embedded GNU C Library: Shared libraries

Package: php5-fpm
Status: install ok installed
Priority: optional
Section: php
Installed-Size: 8764
Maintainer: Ubuntu Developers <ubuntu-devel-discuss@lists.ubuntu.com>
Architecture: amd64
Source: php5
Version: $1
Conffiles:
 /etc/php5/fpm/php-fpm.conf 2c7d1bf4bb3e1f5ebb4a2b3bd02d3e41
 /etc/php5/fpm/pool.d/www.conf 0a4c1a9e5c2b8c02a50f7d22bfa0e1a7
 /etc/init/php5-fpm.conf 8e8c3ecf0c2d65a9e1b6fd1cd3efa2c6
Description: server-side, HTML-embedded scripting language (FPM-CGI binary)

EOS
}
# A socket file as php5-fpm would have left it (nobody listens: the proof
# gets "refused" when permission passes, "denied" when it does not).
make_socket() {
	perl -MIO::Socket::UNIX -e 'IO::Socket::UNIX->new(Local => $ARGV[0], Listen => 1) or die "$!"' \
		"$R/var/run/php5-fpm.sock"
	chown 0:0 "$R/var/run/php5-fpm.sock"; chmod "$1" "$R/var/run/php5-fpm.sock"
}
fixture() {
	rm -rf "$R"
	mkdir -p "$R/etc/php5/fpm/pool.d" "$R/var/lib/dpkg" "$R/var/run" "$R/var/log"
	printf 'root:x:0:0:root:/root:/bin/bash\nwww-data:x:33:33:www-data:/var/www:/bin/sh\n' > "$R/etc/passwd"
	printf 'root:x:0:\nwww-data:x:33:\n' > "$R/etc/group"
	cat > "$R/etc/php5/fpm/php-fpm.conf" <<'EOS'
;;;;;;;;;;;;;;;;;;;;;
; FPM Configuration ;
;;;;;;;;;;;;;;;;;;;;;
# php5 still took '#' comments (deprecated); Ubuntu's file had ';' ones.
[global]
pid = /var/run/php5-fpm.pid
error_log = /var/log/php5-fpm.log
include=/etc/php5/fpm/pool.d/*.conf
EOS
	cat > "$W" <<'EOS'
; Start a new pool named 'www'.
[www]
# The address on which to accept FastCGI requests.
listen = /var/run/php5-fpm.sock

; Set permissions for unix socket, if one is used. In Linux, read/write
; permissions must be set in order to allow connections from a web server. Many
; BSD-derived systems allow connections regardless of permissions.
; Default Values: user and group are set as the running user
;                 mode is set to 0666
;listen.owner = www-data
;listen.group = www-data
;listen.mode = 0666

user = www-data
group = www-data
pm = dynamic
pm.max_children = 5
pm.start_servers = 2
pm.min_spare_servers = 1
pm.max_spare_servers = 3
chdir = /
EOS
	status 5.3.10-1ubuntu3.11
}
GOPTS=(--root "$R" --no-syslog)	# for G (lib.sh)
GOLD=$W.expected
expected() {	# the seed's three lines, uncommented in place
	sed -e "s/^;listen.owner = www-data/; php-fpm-guard: MARK\nlisten.owner = www-data/" \
	    -e 's/^;listen.group = www-data/listen.group = www-data/' \
	    -e 's/^;listen.mode = 0666/listen.mode = 0660/' "$W" > "$GOLD"
}
same_but_marker() { cmp -s <(sed 's/^; php-fpm-guard: .*/; php-fpm-guard: MARK/' "$W") "$GOLD"; }

# 1. Socket present: 0666 before, 0660 after; www-data lost access; fix.
fixture; make_socket 0666; expected
out=$(G show --json); 
if [ "$(jq -r '.instances[0] | .package_version + " " + .default_mode' <<<"$out")" = "5.3.10-1ubuntu3.11 0666" ] \
   && [ "$(jq -r '.instances[0].pools[0].clients[0].can_connect' <<<"$out")" = true ]; then ok php5-before
else bad php5-before "$out"; fi
G pre-invoke || bad php5-pre "rc=$?"
status 5.3.10-1ubuntu3.12; chmod 0660 "$R/var/run/php5-fpm.sock"	# the upgrade's restart
out=$(G post-invoke 2>&1); rc=$?
if [ $rc -eq 0 ] && has() { grep -qF -- "$1" <<<"$out"; } \
   && has "/etc/php5/fpm/pool.d/www.conf:4: error: pool www: www-data can no longer connect to /var/run/php5-fpm.sock [client-lost]" \
   && has "before: root:root 0666" && has "now:    root:root 0660" \
   && has "package:  php5-fpm 5.3.10-1ubuntu3.11 -> 5.3.10-1ubuntu3.12" && has "action: fixed" \
   && same_but_marker && [ "$(stat -c %U:%G:%a "$R/var/run/php5-fpm.sock")" = www-data:www-data:660 ]; then
	ok php5-fix
else bad php5-fix "rc=$rc out=$out $(diff "$W" "$GOLD")"; fi
out=$(G check 2>&1); rc=$?
if [ $rc -eq 0 ] && grep -q "ok: pool www: /var/run/php5-fpm.sock (www-data:www-data 0660)" <<<"$out"; then ok php5-check-after
else bad php5-check-after "rc=$rc out=$out"; fi

# 2. No socket file at all: the versions alone predict the loss.
fixture; expected
out=$(G show --json)
if [ "$(jq -r '.instances[0].pools[0] | .effective.mode + " " + .clients[0].next_start' <<<"$out")" = "0666 yes" ]; then ok php5-predict-0666
else bad php5-predict-0666 "$out"; fi
G pre-invoke; status 5.3.10-1ubuntu3.12
out=$(G --policy abort post-invoke 2>&1); rc=$?
if [ $rc -eq 1 ] && grep -qF "www-data will not be able to connect to /var/run/php5-fpm.sock after the next php-fpm restart [client-lost-at-restart]" <<<"$out" \
   && grep -qF "restart: root:root 0660" <<<"$out" && grep -qF "listen.owner = www-data" <<<"$out" \
   && grep -q '^;listen.owner' "$W"; then ok php5-predict-abort
else bad php5-predict-abort "rc=$rc out=$out"; fi
G pre-invoke; out=$(G post-invoke 2>&1); rc=$?	# the loss is old news now
[ $rc -eq 0 ] && [ -z "$out" ] && ok php5-no-news || bad php5-no-news "rc=$rc out=$out"
out=$(G fix 2>&1); rc=$?
if [ $rc -eq 0 ] && same_but_marker; then ok php5-fix-by-hand
else bad php5-fix-by-hand "rc=$rc out=$out $(diff "$W" "$GOLD")"; fi

finish
