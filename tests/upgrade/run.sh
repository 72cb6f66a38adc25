#!/bin/sh
# tests/upgrade/run.sh [--suite bookworm|bullseye] [--policy none|fix|abort] [--dist DIR]
#
# Issue 16's acceptance run: a release upgrade (bookworm -> trixie,
# bullseye -> bookworm) in a disposable chroot of the starting release
# with its php-fpm metapackage, nginx, the stock pool www, a pool shop and
# three sites (tests/upgrade/inner.sh sets them up), the guard built for
# the starting release (DIR/SUITE/php-fpm-guard_*~debNN_*.deb, default
# dist/, built with tests/chroot/build-deb.sh if missing) with guard.conf
# policy POLICY (none: no guard), and a request loop to the three sites
# through `apt-get full-upgrade` and `apt-get autoremove --purge`.
#
# The chroot shares this host's network, so the requests are made from
# here (curl inside would be upgraded under the loop): at most
# UPGRADE_MAX_REQUESTS (30000), for at most UPGRADE_MAX_SECONDS (2400).
# Each run prints one line of numbers, then ok/FAIL for each acceptance
# point of its policy (none has none: it shows what happens without the
# guard).  Logs: build/upgrade/SUITE-POLICY/ (UPGRADE_TAG=T: SUITE-POLICY-T/).
# The packages a run downloads are kept in build/upgrade/archives-SUITE/ for the next.
# Exits 1 when an acceptance point fails, 2 when the run itself could not
# be made (setup, mirror, ports in use).
set -u

suite=bookworm policy=none dist=
while [ $# -gt 0 ]; do
	case $1 in
	--suite) suite=${2:-}; shift 2 ;;
	--policy) policy=${2:-}; shift 2 ;;
	--dist) dist=${2:-}; shift 2 ;;
	*) echo "usage: $0 [--suite bookworm|bullseye] [--policy none|fix|abort] [--dist DIR]" >&2; exit 2 ;;
	esac
done
case $suite in
bookworm) next=trixie nn=12 old=8.2 new=8.4 base=18820 ;;
bullseye) next=bookworm nn=11 old=7.4 new=8.2 base=18740 ;;
*) echo "$0: --suite bookworm|bullseye" >&2; exit 2 ;;
esac
case $policy in
none) off=0 ;; fix) off=3 ;; abort) off=6 ;;
*) echo "$0: --policy none|fix|abort" >&2; exit 2 ;;
esac
here=$(cd "$(dirname "$0")" && pwd)
top=$(cd "$here/../.." && pwd)
dist=$(cd "${dist:-$top/dist}" 2>/dev/null && pwd) || dist=$top/dist
p1=$((base + off + 1)) p2=$((base + off + 2)) p3=$((base + off + 3))
max_req=${UPGRADE_MAX_REQUESTS:-30000}
max_sec=${UPGRADE_MAX_SECONDS:-2400}
name="upgrade $suite->$next policy=$policy"
out=$top/build/upgrade/$suite-$policy${UPGRADE_TAG:+-$UPGRADE_TAG}
archives=$top/build/upgrade/archives-$suite
t0=$(date +%s)

note() { printf '%s: %s\n' "$name" "$*" >&2; }
give_up() { note "$*"; exit 2; }

for p in $p1 $p2 $p3; do
	! ss -Htln "sport = :$p" | grep -q . || give_up "port $p is in use"
done
tar=$("$top/tests/chroot/mkchroot.sh" "$suite" "php$old-fpm" nginx) || give_up "no $suite chroot"
debdir=$dist/$suite
if [ "$policy" != none ] && ! ls "$debdir"/php-fpm-guard_*~deb${nn}_*.deb >/dev/null 2>&1; then
	note "building the guard for $suite into $debdir"
	"$top/tests/chroot/build-deb.sh" "$suite" "$debdir" > "$top/build/upgrade-build-$suite.log" 2>&1 ||
	    give_up "build-deb.sh $suite failed (build/upgrade-build-$suite.log)"
fi
mkdir -p "$archives" "$top/build/upgrade"
rm -rf "$out"
ctl=$(mktemp -d "$top/build/upgrade/ctl.XXXXXX")
mkdir "$ctl/archives-out"
cp "$here/inner.sh" "$ctl/inner.sh"
loop_pid='' enter_pid=''
# shellcheck disable=SC2317 # called by the trap
cleanup() {
	: > "$ctl/stop"; : > "$ctl/checked"
	[ -n "$loop_pid" ] && wait "$loop_pid" 2>/dev/null
	[ -n "$enter_pid" ] && wait "$enter_pid" 2>/dev/null
	mv -n "$ctl"/archives-out/*.deb "$archives/" 2>/dev/null
	rm -rf "$ctl/archives-out"
	mv "$ctl" "$out" 2>/dev/null || rm -rf "$ctl"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

# The chroot: inner.sh with /ctl bound; the guard's package and the kept
# downloads read-only.
set -- --bind "$ctl:/ctl" --ro "$archives:/archives-in"
[ "$policy" != none ] && set -- "$@" --ro "$debdir:/dist"
# shellcheck disable=SC2016 # expanded inside the chroot
"$top/tests/chroot/enter.sh" "$@" "$tar" sh -c '
	cp /archives-in/*.deb /var/cache/apt/archives/ 2>/dev/null
	sh /ctl/inner.sh "$@"; rc=$?
	for f in /var/cache/apt/archives/*.deb; do
		[ -e "/archives-in/${f##*/}" ] || cp "$f" /ctl/archives-out/ 2>/dev/null
	done
	exit $rc' sh "$suite" "$next" "$policy" $p1 $p2 $p3 > "$ctl/inner.log" 2>&1 &
enter_pid=$!

await() {	# await FILE SECONDS: 0 when FILE appears while the chroot runs
	i=0
	while [ $i -lt $(($2 * 5)) ]; do
		[ -e "$1" ] && return 0
		[ -e "$ctl/failed" ] && return 1
		kill -0 "$enter_pid" 2>/dev/null || { [ -e "$1" ]; return; }
		sleep 0.2; i=$((i + 1))
	done
	return 1
}
# STATUS VERSION USER of one site, "000 - -" when it does not answer.
ask() {	# ask PORT
	body=$(curl -s --max-time 5 -w '\n%{http_code}' "http://127.0.0.1:$1/index.php" 2>/dev/null)
	code=$(printf '%s\n' "$body" | tail -1)
	# shellcheck disable=SC2046 # the body's two words
	set -- $(printf '%s\n' "$body" | sed '$d' | head -1)
	ver=$(printf '%s' "${1:--}" | cut -d. -f1,2)
	case $code in 200) printf '%s %s %s\n' "$code" "$ver" "${2:--}" ;; *) printf '%s - -\n' "${code:-000}" ;; esac
}
loop() {
	n=0 start=$(date +%s)
	while [ ! -e "$ctl/stop" ] && [ $n -lt "$max_req" ] && [ $(($(date +%s) - start)) -lt "$max_sec" ]; do
		now=$(date +%s)
		for p in $p1 $p2 $p3; do
			printf '%s %s %s\n' "$p" "$(curl -s -o /dev/null -w '%{http_code}' --max-time 2 "http://127.0.0.1:$p/index.php")" "$now"
		done
		n=$((n + 3))
		sleep 0.05
	done > "$ctl/codes"
}

await "$ctl/ready" 1800 || { tail -15 "$ctl/inner.log" >&2; give_up "the chroot's setup failed (log in $out)"; }
before="$(ask $p1)|$(ask $p2)|$(ask $p3)"
echo "$before" > "$ctl/sites-before"
[ "$before" = "200 $old www-data|200 $old www-data|200 $old shop" ] ||
    give_up "the sites do not answer as set up before the upgrade: $before"
loop & loop_pid=$!
: > "$ctl/go"
await "$ctl/upgraded" "$max_sec" || { tail -15 "$ctl/inner.log" >&2; give_up "the upgrade did not finish (log in $out)"; }
sleep 1
: > "$ctl/stop"; wait "$loop_pid"; loop_pid=
after="$(ask $p1)|$(ask $p2)|$(ask $p3)"
echo "$after" > "$ctl/sites-after"
: > "$ctl/checked"
wait "$enter_pid"; enter_pid=
rc_up=- rc_ar=- dpkg_changed=- rc_check=- rc_status=- guard=- release=- fpm=- running=- hooks=-
# shellcheck disable=SC1091 # written by inner.sh
[ -r "$ctl/results" ] && . "$ctl/results"

requests=$(wc -l < "$ctl/codes")
failed=$(grep -vc ' 200 ' "$ctl/codes")
# The seconds from the first failed request to the last.
window=$(awk '$2 != 200 { if (!f) f = $3; l = $3 } END { print f ? l - f + 1 : 0 }' "$ctl/codes")
denied=$(grep -c '(13: Permission denied)' "$ctl/nginx-error.log" 2>/dev/null)
per=$(for p in $p1 $p2 $p3; do grep "^$p " "$ctl/codes" | grep -vc ' 200 '; done | paste -sd/)
# shellcheck disable=SC2086 # fields
codes() { echo "$1" | tr '|' '\n' | cut -d' ' -f1 | paste -sd' '; }
who() { echo "$1" | tr '|' '\n' | awk '{ print $2 " " $3 }' | paste -sd, | sed 's/,/, /g'; }
echo "$name: requests $requests, failed $failed ($per) within ${window}s, permission denied ${denied:-0}; apt full-upgrade rc $rc_up, autoremove rc $rc_ar; sites: $(codes "$after") ($(who "$after")) [before: $(codes "$before") ($(who "$before"))] in $(($(date +%s) - t0)) s"

bad=0
point() {	# point CONDITION-RC TEXT
	if [ "$1" -eq 0 ]; then echo "  ok   $2"; else echo "  FAIL $2"; bad=$((bad + 1)); fi
}
site_is() {	# site_is N STATUS VERSION USER
	[ "$(echo "$after" | cut -d'|' -f"$1")" = "$2 $3 $4" ]
}
names() {	# an error line of the report in apt's output names TEXT
	grep -F ': error: ' "$ctl/full-upgrade.out" | grep -qF -- "$1"
}
case $policy in
none)
	echo "  note without the guard: $(codes "$after" | tr ' ' '\n' | grep -vc '^200$') of 3 sites do not answer 200 after the upgrade"
	echo "  note release $release; php-fpm packages: $fpm; running: $running"
	;;
fix)
	[ "$rc_up" = 0 ] && [ "$rc_ar" = 0 ]; point $? "apt exits 0 in both steps (full-upgrade $rc_up, autoremove $rc_ar)"
	site_is 1 200 $new www-data && site_is 2 200 $new www-data && site_is 3 200 $new shop
	point $? "all three sites answer 200 from PHP $new, shop as shop, the others as www-data ($(who "$after"))"
	[ "$rc_check" = 0 ]; point $? "php-fpm-guard check is clean (exit $rc_check)"
	case $guard in install_ok_installed_*) r=0 ;; *) r=1 ;; esac
	[ $r = 0 ] && [ "$rc_status" = 0 ] && [ "$hooks" = yes ]
	point $? "the guard is still installed and working ($guard, status exit $rc_status, apt hooks: $hooks)"
	[ "$release" = "$next" ]; point $? "the chroot is $next ($release)"
	;;
abort)
	[ "$rc_up" != 0 ] && [ "$dpkg_changed" = no ]; point $? "the full-upgrade fails before dpkg changes anything (rc $rc_up, dpkg status changed: $dpkg_changed)"
	site_is 1 200 $old www-data && site_is 2 200 $old www-data && site_is 3 200 $old shop
	point $? "all three sites still answer 200 from PHP $old ($(who "$after"))"
	r=0
	for w in sites-enabled/site-fpm sites-enabled/site-shop "pool shop" "pool www"; do
		names "$w" || { r=1; note "no error line of the report names $w"; }
	done
	point $r "the report names the sites site-fpm, site-shop and the pools shop, www"
	grep -F site-alt "$ctl/full-upgrade.out" | sed 's/^/  note site-alt: /' | head -3
	[ "$failed" = 0 ]; point $? "no request failed ($failed of $requests)"
	;;
esac
[ $bad -eq 0 ]
