#!/bin/bash
# The Check unit tests: each binary prints its own summary ("100%:
# Checks: N, Failures: F, Errors: E"); this adds the suite's line,
# "N passed, N failed" over all of them (a binary that dies without its
# summary is one failure), and the time.  Usage: tests/unit/run.sh TEST...
set -u
t0=$EPOCHREALTIME pass=0 fail=0
for t in "$@"; do
	echo "== $t"
	out=$("$t" 2>&1); rc=$?
	printf '%s\n' "$out"
	sum=$(sed -n 's/^[0-9]*%: Checks: \([0-9]*\), Failures: \([0-9]*\), Errors: \([0-9]*\)$/\1 \2 \3/p' <<<"$out" | tail -1)
	if [ -z "$sum" ]; then
		echo "FAIL $t: no summary (exit $rc)"; fail=$((fail + 1)); continue
	fi
	read -r n f e <<<"$sum"
	pass=$((pass + n - f - e)) fail=$((fail + f + e))
	[ $rc -eq 0 ] || [ $((f + e)) -gt 0 ] || { echo "FAIL $t: exit $rc"; fail=$((fail + 1)); }
done
echo "$pass passed, $fail failed"
echo "time: $(awk -v a="$t0" -v b="$EPOCHREALTIME" 'BEGIN { printf "%.1f", b - a }') s (unit)"
[ $fail -eq 0 ]
