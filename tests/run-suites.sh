#!/bin/bash
# make check, make check-fast: run the suites (make targets) and add them
# up.   tests/run-suites.sh [-j N] SUITE... [-- SUITE...]
# The suites before "--" run N at a time (default: one per CPU; each is
# private to its temp dirs), those after it one at a time, afterwards.
# Each suite's whole output goes to $SUITE_LOGS/SUITE.log (default
# build/logs) and is printed when it ends; it ends with the suite's
# "N passed, N failed" line and its time.  Then a table, the time of the
# run, and last the whole run's "N passed, N failed" (the line CI reads).
# A suite that fails without a count of its own counts one failure.
# Exit 1 if any suite failed.
set -u
make=${MAKE:-make}
logs=${SUITE_LOGS:-build/logs}
jobs=$(nproc)
if [ "${1:-}" = -j ]; then jobs=$2; shift 2; fi
par=() ser=()
while [ $# -gt 0 ] && [ "$1" != -- ]; do par+=("$1"); shift; done
[ $# -gt 0 ] && shift
ser=("$@")
mkdir -p "$logs"
t0=$EPOCHREALTIME
elapsed() { awk -v a="$1" -v b="$EPOCHREALTIME" 'BEGIN { printf "%.1f", b - a }'; }

declare -A suite_of t_of
running=0 total_pass=0 total_fail=0 failed_suites= table=
start() {
	rm -f "$logs/$1.log"
	$make -s --no-print-directory "$1" > "$logs/$1.log" 2>&1 </dev/null &
	suite_of[$!]=$1 t_of[$1]=$EPOCHREALTIME running=$((running + 1))
}
# The next suite to end: its output, its counts, its line in the table.
collect() {
	local pid rc s t line p=0 f=0
	wait -n -p pid; rc=$?
	s=${suite_of[$pid]}; t=$(elapsed "${t_of[$s]}"); running=$((running - 1))
	echo "== $s"
	cat "$logs/$s.log"
	line=$(grep -E '^[0-9]+ passed, [0-9]+ failed$' "$logs/$s.log" | tail -1)
	if [ -n "$line" ]; then read -r p _ f _ <<<"${line//,/}"; fi
	if [ $rc -ne 0 ]; then
		[ "$f" -gt 0 ] || f=1
		failed_suites="$failed_suites $s"
		echo "== $s: make $s exited $rc (whole output in $logs/$s.log)"
	fi
	total_pass=$((total_pass + p)) total_fail=$((total_fail + f))
	table+=$(printf '  %-12s %6d ok %5d FAIL %7s s' "$s" "$p" "$f" "$t")$'\n'
}
for s in "${par[@]}"; do
	while [ $running -ge "$jobs" ]; do collect; done
	start "$s"
done
while [ $running -gt 0 ]; do collect; done
for s in "${ser[@]}"; do start "$s"; collect; done

echo "== summary (logs in $logs/)"
printf '%s' "$table"
echo "time: $(elapsed "$t0") s for ${#par[@]} suites ${jobs} at a time${ser:+, then ${ser[*]}}"
if [ -n "$failed_suites" ]; then echo "FAILED:$failed_suites"; else echo "all suites passed"; fi
echo "$total_pass passed, $total_fail failed"
[ -z "$failed_suites" ]
