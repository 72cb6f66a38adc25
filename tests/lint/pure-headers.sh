#!/bin/sh
# The pure layers see no I/O module (issue 13): every project header that
# each pure header pulls in, however indirectly, must itself be pure.
#   tests/lint/pure-headers.sh     (from make headers)
set -eu
cd "$(dirname "$0")/../.."
pure="src/access/access.h src/access/verdict.h src/accounts/lookup.h
	src/config/pool.h src/config/inivalue.h src/diff/diff.h src/effective/effective.h
	src/effective/version.h src/fix/edit.h src/policy/policy.h
	src/report/outcome.h src/snapshot/snapshot.h src/sockets/probe_state.h"
bad=0
for h in $pure; do
	# cpp -H lists every header it opens, one per line, dots for depth.
	for inc in $(cpp -H -D_GNU_SOURCE $(pkg-config --cflags inih json-c libacl) "$h" \
			-o /dev/null 2>&1 | sed -n 's/^\.* //p' | grep '^src/\|^\./src/\|/src/' |
			xargs -r realpath --relative-to=. | sort -u); do
		case " $(echo $pure) " in
		*" $inc "*) ;;
		*) echo "$h includes $inc, which is not a pure header"; bad=1 ;;
		esac
	done
done
[ $bad -eq 0 ] && echo "headers: the pure layers include no I/O header"
exit $bad
