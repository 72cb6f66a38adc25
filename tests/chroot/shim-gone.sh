#!/bin/bash
# The release upgrade's middle, on this host: the guard's libapt-pkg shim
# is there but the library it links is gone (libapt-pkg6.0 after the
# upgrade to trixie, which has 7.0).  The guard must go on without package
# versions, say so once, and neither fail a command nor block a hook.
# Usage: tests/chroot/shim-gone.sh BUILD-DIR (make shim-gone builds it
# with SHIMDIR=BUILD-DIR/lib).
set -u
build=$(readlink -f "$1")
BIN=$build/php-fpm-guard
GOOD=$(dirname "$0")/../../build/php-fpm-guard
work=$(mktemp -d /tmp/pfg-shimgone-XXXXXX); chmod 755 "$work"
. "$(dirname "$0")/../lib.sh"
trap 'stop_fpm; rm -rf "$work"' EXIT

# A shim linking a library that is then removed: what dlopen meets when
# libapt-pkg's soname has moved on.
lib=$build/lib
mkdir -p "$lib"
echo 'int pfg_gone(void); int pfg_gone(void) { return 0; }' |
    cc -shared -fPIC -Wl,-soname,libpfggone.so.1 -o "$lib/libpfggone.so.1" -x c -
echo 'int pfg_gone(void); int aptshim_abi(void); int aptshim_abi(void) { return pfg_gone(); }' |
    cc -shared -fPIC -o "$lib/aptshim.so" -x c - -L"$lib" -l:libpfggone.so.1
rm -f "$lib/libpfggone.so.1"

copy_stock_fpm; start_fpm || bad start "php-fpm did not start"
G=(--fpm-config "$work/fpm/php-fpm.conf" --fpm-binary "$FPM" --client www-data)
H=("${G[@]}" --state-dir "$work/state" --log-dir "$work/log" --no-syslog --prom-file none)

# check: the same verdict as with a working shim, plus one note.
want=$("$GOOD" "${G[@]}" check 2>/dev/null); wrc=$?
out=$("$BIN" "${G[@]}" check 2>"$work/err"); rc=$?
notes=$(grep -c "note: package versions unknown: cannot load $lib/aptshim.so: libpfggone.so.1" "$work/err")
if [ $rc -eq $wrc ] && [ $rc -eq 0 ] && [ "$out" = "$want" ] && [ "$notes" = 1 ]; then ok check-degrades
else bad check-degrades "rc=$rc (want $wrc) notes=$notes out=$out err=$(cat "$work/err")"; fi

# show --json: the reason is in dpkg_status_error, the pools are there.
out=$("$BIN" "${G[@]}" show --json 2>/dev/null); rc=$?
if [ $rc -eq 0 ] && jq -e '(.dpkg_status_error | test("libpfggone")) and (.instances[0].pools | length) == 1' \
	>/dev/null <<<"$out"; then ok show-json-says-why
else bad show-json-says-why "rc=$rc out=$out"; fi

# The hooks around a dpkg run: exit 0, apt goes on.
"$BIN" "${H[@]}" pre-invoke >"$work/pre" 2>&1; prc=$?
"$BIN" "${H[@]}" post-invoke >"$work/post" 2>&1; qrc=$?
if [ $prc -eq 0 ] && [ $qrc -eq 0 ] && grep -q "package versions unknown" "$work/pre"; then
	ok hooks-do-not-block
else bad hooks-do-not-block "pre=$prc post=$qrc $(cat "$work/pre" "$work/post")"; fi
stop_fpm
finish
