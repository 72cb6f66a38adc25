#!/bin/sh
# The longest functions in src/, longest first, and a failure when one is
# over the limit (issue 13: a function fits a screen or two).
#   tests/lint/long-functions.sh [LIMIT] [COUNT]    (default 80 lines, top 10)
# Needs universal-ctags (its `end:` field gives each function's last line).
set -eu
limit=${1:-80} count=${2:-10}
cd "$(dirname "$0")/../.."
ctags --languages=C,C++ --kinds-C=f --kinds-C++=f --fields=+ne -o - -R src |
awk -F'\t' -v limit="$limit" -v count="$count" '
	{ l = 0; e = 0
	  for (i = 4; i <= NF; i++) {
		if ($i ~ /^line:/) l = substr($i, 6)
		if ($i ~ /^end:/) e = substr($i, 5)
	  }
	  if (l > 0 && e >= l) printf "%d\t%s:%d\t%s\n", e - l + 1, $2, l, $1 }' |
sort -rn | awk -F'\t' -v limit="$limit" -v count="$count" '
	NR <= count || $1 > limit { printf "%5d  %s  %s\n", $1, $2, $3 }
	$1 > limit { over++ }
	END { if (over) { printf "%d function(s) over %d lines\n", over, limit; exit 1 }
	      printf "no function over %d lines\n", limit }'
