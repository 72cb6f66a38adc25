#!/bin/bash
# The version-dependent rules of src/effective against a real php-fpm.
#
#   tests/conformance/gates.sh BINARY FPM_BINARY
#
# Each rule the guard decides from php-fpm's version (version.c) gets a
# pool that shows it:
#     num   listen.owner = 33   numbers are ids since 7.4.5, else names
#     numg  listen.group = 33   (the same gate, for the group)
#     acl   listen.acl_users    ACLs since 5.6.5; owner/group then ignored
#     dflt  no listen.mode      0660 since the CVE-2014-0185 fix, else 0666
#     hash  a '#' line          a comment before PHP 7, an error since
# The pools sit in a --root fixture tree (/etc/php/V/fpm, /etc/passwd and
# /etc/group copied from this system) whose dpkg status names phpV-fpm at
# some version: the guard cannot ask a binary under --root, so that
# version alone decides.
#   1. real: the status says the installed package's own version; the
#      guard's prediction must equal what FPM_BINARY really does with the
#      same pools (socket owner, group, mode, ACL entries; php-fpm -t
#      refusing the '#' line exactly when the guard does).
#   2. gates: the status claims the versions on each side of every gate
#      (7.4.4/7.4.5, 5.6.4/5.6.5, 5.4.27/5.4.28, 5.5.11/5.5.12, the
#      wheezy backport, 5.6.40/7.0.0); the prediction must flip exactly
#      there.  A gate moved either way fails here or in 1. on 7.4.
#   3. the include globs (pool.d, an nginx sites-enabled) read under --root.
# Output as run.sh's: `ok NAME` or `FAIL NAME: reason`, then `N passed,
# M failed`; exit 1 if any failed.  Needs root, jq, getfacl, setsid.
set -u

[ $# -eq 2 ] || { echo "usage: $0 BINARY FPM_BINARY" >&2; exit 2; }
BIN=$(readlink -f "$1")
FPM=$2
V=$(basename "$FPM" | sed -n 's/^php-fpm\([0-9][0-9.]*\)$/\1/p')
[ -n "$V" ] || { echo "$0: cannot tell the PHP version from $FPM" >&2; exit 2; }
REAL=$(dpkg-query -W -f '${Version}' "php$V-fpm" 2>/dev/null)
[ -n "$REAL" ] || { echo "$0: php$V-fpm is not installed" >&2; exit 2; }
for t in jq getfacl setsid; do
	command -v $t >/dev/null || { echo "missing: $t" >&2; exit 2; }
done

W=$(mktemp -d /tmp/pfg-gates.XXXXXX)
chmod 755 "$W"
R=$W/root
FPID=
stop_fpm() {
	[ -n "$FPID" ] || return 0
	kill -TERM -- "-$FPID" 2>/dev/null
	for _ in $(seq 60); do kill -0 "$FPID" 2>/dev/null || break; sleep 0.05; done
	kill -KILL -- "-$FPID" 2>/dev/null
	wait "$FPID" 2>/dev/null
	FPID=
}
trap 'stop_fpm; rm -rf "$W"' EXIT
trap 'exit 130' INT TERM HUP

PASS=0 FAILED=0
ok() { echo "ok $1"; PASS=$((PASS + 1)); }
bad() { echo "FAIL $1: $2"; FAILED=$((FAILED + 1)); }

# The pools; @R@ is "" in the root's copy and the root in the real one.
POOLS='[num]
user = www-data
listen = @R@/run/php/num.sock
listen.owner = 33
pm = static
pm.max_children = 1

[numg]
user = www-data
listen = @R@/run/php/numg.sock
listen.group = 33
pm = static
pm.max_children = 1

[acl]
user = www-data
listen = @R@/run/php/acl.sock
listen.owner = www-data
listen.group = www-data
listen.mode = 0600
listen.acl_users = www-data
pm = static
pm.max_children = 1

[dflt]
user = www-data
listen = @R@/run/php/dflt.sock
listen.owner = www-data
listen.group = www-data
pm = static
pm.max_children = 1
'
HASH='[hash]
user = www-data
listen = @R@/run/php/hash.sock
# listen.mode = 0600
pm = static
pm.max_children = 1
'

# fixture POOLTEXT: the root tree (status: the real version) and
# $W/real.conf, the same pools with their paths inside the root.
fixture() {
	local etc=$R/etc/php/$V/fpm
	rm -rf "$R" "$W/real.conf" "$W/real.d"
	mkdir -p "$etc/pool.d" "$R/var/lib/dpkg" "$R/run/php" "$R/var/log" "$W/real.d"
	chmod 755 "$R" "$R/run" "$R/run/php"
	cp /etc/passwd /etc/group "$R/etc/"
	printf '[global]\npid = %s/run/php/fpm.pid\nerror_log = %s/var/log/fpm.log\ninclude = %s/*.conf\n' \
		"" "" "/etc/php/$V/fpm/pool.d" > "$etc/php-fpm.conf"
	printf '[global]\npid = %s/run/php/fpm.pid\nerror_log = %s/var/log/fpm.log\ninclude = %s/*.conf\n' \
		"$R" "$R" "$W/real.d" > "$W/real.conf"
	printf '%s' "${1//@R@/}" > "$etc/pool.d/gates.conf"
	printf '%s' "${1//@R@/$R}" > "$W/real.d/gates.conf"
	status "$REAL"
}
status() {
	printf 'Package: php%s-fpm\nStatus: install ok installed\nArchitecture: %s\nVersion: %s\nDescription: FPM\n\n' \
		"$V" "$(dpkg --print-architecture)" "$1" > "$R/var/lib/dpkg/status"
}
G() { "$BIN" --root "$R" --no-syslog "$@"; }

# predicted POOL JSON: "OWNER GROUP MODE|ACL user entries" of show --json.
predicted() {
	jq -r --arg p "$1" '.instances[0].pools[] | select(.name == $p) | .effective
		| "\(.owner) \(.group) \(.mode)|"
		  + ([(.acl_users // [])[] | "user:\(.):rw-"] | join(" "))' <<<"$2"
}
# real POOL: the socket php-fpm made, in the same form.
real() {
	local s=$R/run/php/$1.sock own grp mode
	read -r own grp mode < <(stat -c '%U %G %a' "$s")
	printf '%s %s %04o|%s\n' "$own" "$grp" "0$mode" "$(getfacl -cp "$s" 2>/dev/null |
		awk -F: '$1 == "user" && $2 != "" { print $1 ":" $2 ":" $3 }' | sort | tr '\n' ' ' |
		sed 's/ $//')"
}
start_real() {
	local p
	setsid "$FPM" -n -F -y "$W/real.conf" >"$W/fpm.out" 2>&1 </dev/null &
	FPID=$!
	for _ in $(seq 100); do
		for p in "$@"; do
			[ -S "$R/run/php/$p.sock" ] || { sleep 0.05; continue 2; }
		done
		return 0
	done
	return 1
}

# 1. The real version: prediction against the sockets php-fpm makes.
fixture "$POOLS"
show=$(G show --json 2>/dev/null)
if ! start_real num numg acl dflt; then
	bad "gates-real-$V" "php-fpm did not start: $(grep -m2 -E 'ERROR|ALERT' "$W/fpm.out" | tr '\n' ' ')"
else
	for p in num numg acl dflt; do
		want=$(predicted $p "$show"); got=$(real $p)
		if [ "$want" = "$got" ]; then ok "gates-real-$V-$p"
		else bad "gates-real-$V-$p" "guard (status $REAL) predicts '$want', php-fpm made '$got'"; fi
	done
fi
stop_fpm
fixture "$HASH"
G check --json >/dev/null 2>&1; grc=$?
"$FPM" -n -t -y "$W/real.conf" >/dev/null 2>&1; frc=$?
if { [ "$frc" != 0 ] && [ "$grc" = 2 ]; } || { [ "$frc" = 0 ] && [ "$grc" != 2 ]; }; then
	ok "gates-real-$V-hash"
else
	bad "gates-real-$V-hash" "php-fpm -t exits $frc, guard check (status $REAL) exits $grc"
fi

# 2. Claimed versions on each side of every gate.
# claim NAME VERSION POOL WANT: the prediction for POOL under VERSION.
claim() {
	local out got
	status "$2"
	out=$(G show --json 2>/dev/null)
	got=$(predicted "$3" "$out")
	if [ "$got" = "$4" ]; then ok "$1"
	else bad "$1" "status $2: [$3] predicted '$got', want '$4'"; fi
}
# claim_err NAME VERSION PATTERN: check refuses, with an error matching.
claim_err() {
	local out rc
	status "$2"
	out=$(G check --json 2>/dev/null); rc=$?
	if [ $rc = 2 ] && jq -e --arg re "$3" '[.errors[]?.message | test($re)] | any' \
		>/dev/null <<<"$out"; then ok "$1"
	else bad "$1" "status $2: check exits $rc, errors $(jq -c '[.errors[]?.message]' <<<"$out")"; fi
}
fixture "$POOLS"
claim_err gate-numeric-owner-7.4.4 7.4.4-1 "listen.owner: no such user '33'"
claim_err gate-numeric-group-7.4.4 7.4.4-1 "listen.group: no such group '33'"
claim gate-numeric-owner-7.4.5 7.4.5-1 num "www-data root 0660|"
claim gate-numeric-group-7.4.5 7.4.5-1 numg "root www-data 0660|"
claim gate-acl-5.6.4 5.6.4-1 acl "www-data www-data 0600|"
claim gate-acl-5.6.5 5.6.5-1 acl "root root 0660|user:www-data:rw-"
claim gate-default-5.4.27 5.4.27-1 dflt "www-data www-data 0666|"
claim gate-default-5.4.28 5.4.28-1 dflt "www-data www-data 0660|"
claim gate-default-5.5.11 5.5.11-1 dflt "www-data www-data 0666|"
claim gate-default-5.5.12 5.5.12-1 dflt "www-data www-data 0660|"
claim gate-default-wheezy-deb7u9 5.4.4-14+deb7u9 dflt "www-data www-data 0666|"
claim gate-default-wheezy-deb7u10 5.4.4-14+deb7u10 dflt "www-data www-data 0660|"
fixture "$HASH"
status 5.6.40+dfsg-0+deb8u1
G check --json >/dev/null 2>&1; rc=$?
got=$(predicted hash "$(G show --json 2>/dev/null)")
if [ "$rc" != 2 ] && [ "$got" = "root root 0660|" ]; then ok gate-hash-5.6.40
else bad gate-hash-5.6.40 "check exits $rc, [hash] predicted '$got' (want a comment: root root 0660)"; fi
claim_err gate-hash-7.0.0 7.0.0-1 "."

# 3. The include globs under --root (glob's callbacks reach the root
# through a static: a compiler that drops its store, as bullseye's GCC 10
# did, crashes every --root read of a pool.d/*.conf or sites-enabled/*).
fixture "$POOLS"
mkdir -p "$R/etc/nginx/sites-enabled"
printf 'events {}\nhttp {\n\tinclude /etc/nginx/sites-enabled/*;\n}\n' > "$R/etc/nginx/nginx.conf"
printf 'server {\n\tlisten 80;\n\tlocation ~ \\.php$ { fastcgi_pass unix:/run/php/num.sock; }\n}\n' \
	> "$R/etc/nginx/sites-enabled/default"
out=$(G show --json 2>/dev/null); rc=$?
got=$(jq -r '[.instances[0].pools[].name] + [.web_servers[]?.files[]?] | join(" ")' <<<"$out" 2>/dev/null)
if [ "$got" = "num numg acl dflt /etc/nginx/nginx.conf /etc/nginx/sites-enabled/default" ]; then
	ok glob-in-root
else bad glob-in-root "show --json exits $rc, read '$got'"; fi
rm -rf "$R/etc/php"	# nginx's glob alone (src/webservers)
out=$(G show --json 2>/dev/null); rc=$?
got=$(jq -r '[.web_servers[]?.files[]?] | join(" ")' <<<"$out" 2>/dev/null)
if [ "$got" = "/etc/nginx/nginx.conf /etc/nginx/sites-enabled/default" ]; then
	ok glob-in-root-nginx
else bad glob-in-root-nginx "show --json exits $rc, read '$got'"; fi

echo "$PASS passed, $FAILED failed"
[ "$FAILED" = 0 ]
