#!/bin/bash
# End-to-end: the .deb with real apt-get, dpkg, php8.2-fpm, nginx and
# unattended-upgrades, each scenario in a fresh disposable overlay copy of
# this host (tests/e2e/sandbox.sh).  Each scenario's whole output is kept
# in $E2E_LOGS (default build/e2e).  Usage: tests/e2e/run.sh DEB [SCENARIO...]
set -u
here=$(cd "$(dirname "$0")" && pwd)
deb=$(readlink -f "$1"); shift
. "$here/sandbox.sh"
work=$(mktemp -d /var/tmp/pfg-e2e-XXXXXX)
. "$here/../lib.sh"
logs=${E2E_LOGS:-build/e2e}; mkdir -p "$logs"
trap 'rm -rf "$work"' EXIT
scen_pass=0 scen_fail=0

# The CVE-2014-0185 shaped upgrade of the installed php8.2-fpm: the same
# package (dpkg-repack of what is installed), a higher version, and a
# www.conf whose listen.owner/listen.group are commented out -- the shape
# php5-fpm's conffile had in 2014.  The host's www.conf is unmodified, so
# dpkg replaces it silently, as it did then.
build_cve_deb() {
	local d=$work/repack v
	mkdir -p "$d" && (cd "$d" && dpkg-repack php8.2-fpm >/dev/null 2>&1) || return 1
	dpkg-deb -R "$d"/php8.2-fpm_*.deb "$d/tree" || return 1
	v=$(dpkg-query -W -f '${Version}' php8.2-fpm)
	sed -i "s/^Version: .*/Version: $v+pfgcve1/" "$d/tree/DEBIAN/control"
	# The same upgrade with www.conf as it is: the request-loop baseline.
	sed -i "s/^Version: .*/Version: $v+pfgplain1/" "$d/tree/DEBIAN/control"
	dpkg-deb -b "$d/tree" "$work/files/php8.2-fpm-plain.deb" >/dev/null || return 1
	sed -i "s/^Version: .*/Version: $v+pfgcve1/" "$d/tree/DEBIAN/control"
	cve_shape "$d/tree/etc/php/8.2/fpm/pool.d/www.conf"
	(cd "$d/tree" && find . -type f ! -path './DEBIAN/*' -printf '%P\0' | sort -z |
		xargs -0 md5sum > DEBIAN/md5sums)
	dpkg-deb -b "$d/tree" "$work/files/php8.2-fpm-cve.deb" >/dev/null
}
# Small packages of our own: two harmless ones, one whose postinst fails.
build_small_deb() {	# NAME POSTINST-EXIT
	local t=$work/$1
	mkdir -p "$t/DEBIAN" "$t/usr/share/doc/$1"
	printf 'Package: %s\nVersion: 1.0\nArchitecture: all\nMaintainer: e2e <e2e@example.org>\nDescription: php-fpm-guard e2e test package\n' "$1" > "$t/DEBIAN/control"
	printf '#!/bin/sh\nexit %s\n' "$2" > "$t/DEBIAN/postinst"; chmod 755 "$t/DEBIAN/postinst"
	echo test > "$t/usr/share/doc/$1/README"
	dpkg-deb -b "$t" "$work/files/$1.deb" >/dev/null
}
mkdir -p "$work/files/scenarios"
build_cve_deb || { echo "FAIL cannot build the php8.2-fpm upgrade"; exit 1; }
build_small_deb pfg-unrelated 0; build_small_deb pfg-unrelated2 0; build_small_deb pfg-broken 1
cp "$deb" "$work/files/php-fpm-guard.deb"
cp "$here/inner.sh" "$here/uu.sh" "$here/../lib.sh" "$work/files/"
cp -r "$here/../../examples" "$work/files/"	# the fleet playbook (12-ansible)

scenarios=("$@")
[ ${#scenarios[@]} -gt 0 ] || scenarios=($(cd "$here/scenarios" && ls *.sh))
for s in "${scenarios[@]}"; do
	cp "$here/scenarios/$s" "$work/files/scenarios/"
	echo "== $s"
	out=$(sandbox_run "$work/files" "scenarios/$s" 2>&1); rc=$?
	printf '%s\n' "$out" > "$logs/${s%.sh}.log"
	echo "$out" | grep -E '^(ok|FAIL) ' | sed "s/^/  /"
	# Every check counts once; a scenario that ended badly without saying
	# FAIL is one failure more.
	n=$(grep -c '^ok ' <<<"$out"); pass=$((pass + n))
	n=$(grep -c '^FAIL' <<<"$out"); fail=$((fail + n))
	if [ $rc -eq 0 ] && [ $n -eq 0 ] && grep -q '^[0-9]* passed, 0 failed$' <<<"$out"; then
		scen_pass=$((scen_pass+1))
	else
		scen_fail=$((scen_fail+1)); [ $n -gt 0 ] || bad "$s" "rc=$rc"
		echo "$out" | tail -40 | sed 's/^/  | /'
	fi
done
# The zero-downtime table (docs/design.md): requests through nginx during the upgrade.
if grep -qh '^RESULT ' "$logs"/*.log 2>/dev/null; then
	echo "requests during the upgrade (total / failed / permission denied):"
	grep -h '^RESULT ' "$logs"/*.log | awk '{ printf "  %-12s %5s / %4s / %4s\n", $2, $3, $4, $5 }'
fi
# No more failures with the predicted fix than a plain restart causes
# (a few requests of slack: the two runs are separate sandboxes).
base=$(awk '$1 == "RESULT" && $2 == "baseline" { print $4 }' "$logs"/07-*.log 2>/dev/null)
pred=$(awk '$1 == "RESULT" && $2 == "predicted" { print $4 }' "$logs"/20-*.log 2>/dev/null)
if [ -n "$base" ] && [ -n "$pred" ]; then
	if [ "$pred" -le $((base + 5)) ]; then ok "predicted-fix ($pred failed, baseline $base)"
	else bad predicted-fix "$pred failed, more than baseline $base + 5"; fi
fi
echo "e2e: $scen_pass scenarios passed, $scen_fail failed"
[ $scen_fail -eq 0 ] || fail=$((fail > 0 ? fail : 1))
finish
