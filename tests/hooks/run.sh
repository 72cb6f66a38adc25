#!/bin/bash
# hooks/apt-hook, the wrapper APT runs: the guard's deliberate verdicts
# (0, 1 abort, 2 strict) reach apt; a crash or a hang does not block apt;
# stdin is never the terminal.  A stand-in guard plays each part.
# Usage: tests/hooks/run.sh
set -u
here=$(cd "$(dirname "$0")" && pwd)
work=$(mktemp -d /tmp/pfg-hooks-XXXXXX)
. "$here/../lib.sh"
trap 'rm -rf "$work"' EXIT
# The wrapper with its guard path pointed at the stand-in and its time
# limit cut to 2 s.
sed -e "s#^guard=/usr/sbin/php-fpm-guard#guard=$work/guard#" \
    -e 's/timeout --kill-after=10 300/timeout --kill-after=1 2/' \
    "$here/../../hooks/apt-hook" > "$work/apt-hook"
chmod 755 "$work/apt-hook"
grep -q "guard=$work/guard" "$work/apt-hook" || { echo "FAIL cannot retarget the wrapper"; exit 1; }
stand_in() { printf '#!/bin/sh\n%s\n' "$1" > "$work/guard"; chmod 755 "$work/guard"; }
case_() {	# NAME BEHAVIOUR WANT-RC WANT-TEXT
	stand_in "$2"
	out=$(echo "typed at a prompt" | "$work/apt-hook" post-invoke 2>&1); rc=$?
	if [ $rc -eq "$3" ] && grep -q -- "$4" <<<"$out"; then ok "$1"
	else bad "$1" "rc=$rc out=$out"; fi
}
case_ passes-0 'echo fine; exit 0' 0 fine
case_ passes-abort 'echo aborted >&2; exit 1' 1 aborted
case_ passes-strict 'exit 2' 2 ''
case_ crash-does-not-block 'kill -SEGV $$' 0 "failed (exit 139); not blocking apt"
case_ hang-does-not-block 'sleep 30' 0 "did not finish within 300 s; not blocking apt"
case_ no-stdin 'if read x; then echo "read: $x"; exit 1; fi; echo no-input' 0 no-input
case_ gets-command 'echo "cmd=$1"' 0 "cmd=post-invoke"
rm -f "$work/guard"
out=$("$work/apt-hook" pre-invoke 2>&1); rc=$?
[ $rc -eq 0 ] && [ -z "$out" ] && ok removed-guard-is-silent || bad removed-guard-is-silent "rc=$rc $out"
# The Pre-Install-Pkgs stub, with the package removed: it reads what apt
# sends (apt must never write into a closed pipe) and succeeds.
sed -e "s#^hook=/usr/lib/php-fpm-guard/apt-hook#hook=$work/gone#" \
    "$here/../../hooks/apt-pre-install-pkgs" > "$work/stub"; chmod 755 "$work/stub"
out=$(seq 100000 | APT_HOOK_INFO_FD=20 "$work/stub" 20<&0 2>&1); rc=$?
[ $rc -eq 0 ] && [ -z "$out" ] && ok stub-drains-when-removed || bad stub-drains-when-removed "rc=$rc $out"
sed -e "s#^hook=/usr/lib/php-fpm-guard/apt-hook#hook=$work/apt-hook#" \
    "$here/../../hooks/apt-pre-install-pkgs" > "$work/stub"; chmod 755 "$work/stub"
stand_in 'echo "cmd=$1 fd=$APT_HOOK_INFO_FD"'
out=$(APT_HOOK_INFO_FD=20 "$work/stub" 20</dev/null 2>&1); rc=$?
[ $rc -eq 0 ] && grep -q "cmd=pre-install-pkgs fd=20" <<<"$out" && ok stub-runs-the-guard || bad stub-runs-the-guard "rc=$rc $out"
finish
