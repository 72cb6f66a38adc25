#!/bin/bash
# Conformance suite: php-fpm-guard against the real php-fpm.
#
#   tests/conformance/run.sh BINARY [CASE...]
#
# Needs root, /usr/sbin/php-fpm8.2 (override with FPM_BINARY=...), jq, curl,
# setpriv, getfacl and a www-data account.  Every case is a directory
# cases/NN-name/ holding php-fpm.conf plus any other files (pool.d/*.conf,
# ...).  All files are copied to a fresh temporary directory and these
# placeholders are replaced in every file (and in `expect` values):
#     @DIR@   the case's temporary working directory (mode 0755; a 0755
#             directory @DIR@/run exists for sockets)
#     @PORT@  a free TCP port on 127.0.0.1
#
# A case is valid unless its `expect` says check_exit=2.  For a valid case:
#   1. the declared values of every pool (name, user, group, listen,
#      listen.owner/.group/.mode/.acl_users/.acl_groups) of `show --json`
#      must equal what `php-fpm8.2 -tt -y php-fpm.conf` prints ("undefined"
#      is JSON null);
#   2. `show --json` and `check --json` are run BEFORE php-fpm starts (the
#      prediction); then `php-fpm8.2 -n -F -y php-fpm.conf` is started, we
#      wait (at most 5 s) for the sockets at the listen paths php-fpm -tt
#      printed (the tool's socket.path must be the same path, listen_type
#      "unix"), and each unix socket's real owner, group, mode (stat, as
#      4-digit octal) and named ACL
#      entries (getfacl) must equal the predicted `effective` values; check's
#      exit code must be 1 if some real connect below fails, else 0 (unless
#      expect sets check_exit), and check's fpm_test must be true;
#   3. with php-fpm running, `show --json` (and `show --json --no-proof`)
#      must give for every unix pool the same can_connect for www-data as a
#      real connect as www-data (curl --unix-socket; curl exit 7 = cannot
#      connect).  A TCP pool must have listen_type "tcp", socket null, no
#      false verdict, and its port must accept a connection;
#   4. php-fpm (its whole process group) is killed and the directory removed.
# For an invalid case (check_exit=2): `check --json` must exit 2,
# `php-fpm8.2 -t` must refuse the config, and every error_line must be
# named by some errors[] entry (its "file" and "line" fields).
#
# `expect` format: one `key=value` per line; blank lines and lines starting
# with '#' are ignored.  Keys (all optional, most repeatable):
#   check_exit=N               exit code of `check --json` (2: invalid config)
#   error_line=FILE:LINE       an errors[] entry names FILE (absolute, use
#                              @DIR@) and LINE
#   can_connect=POOL:BOOL      the real connect of www-data gives BOOL (and the
#                              tool must agree, as for every unix pool)
#   effective=POOL:OWNER:GROUP:MODE   predicted and real socket ownership/mode
#   acl=POOL:ENTRY             getfacl -cp of the real socket has ENTRY
#                              (e.g. user:www-data:rw-)
#   declared=POOL:KEY=VALUE    php-fpm -tt prints KEY = VALUE for POOL
#   source=POOL:KEY=FILE:LINE  the tool's sources[KEY] for POOL
#   pools=N                    php-fpm -tt shows exactly N pools
#   env=NAME=VALUE             exported for php-fpm and the tool
#   mkdir=REL:MODE             create @DIR@/REL (mode MODE, root) first
#
# Output: one line per case, `ok NN-name` or `FAIL NN-name: reason`, then
# `N passed, M failed` and the time (tests/lib.sh's finish).  Exit status
# 1 if any case failed.

set -u

if [ $# -lt 1 ]; then
	echo "usage: $0 BINARY [CASE...]" >&2
	exit 2
fi
BIN=$(readlink -f "$1")
shift
CLIENT=www-data
HERE=$(cd "$(dirname "$0")" && pwd)
CASES=$HERE/cases
. "$HERE/../lib.sh"	# ok, bad, finish; stop_fpm (fpm_pid, fpm_pidfile)
# After lib.sh, whose FPM is the host's php-fpm8.2.
FPM=${FPM_BINARY:-/usr/sbin/php-fpm8.2}

for tool in jq curl setpriv getfacl stat setsid; do
	command -v "$tool" >/dev/null || { echo "missing: $tool" >&2; exit 2; }
done
[ -x "$BIN" ] || { echo "not executable: $BIN" >&2; exit 2; }
[ -x "$FPM" ] || { echo "not executable: $FPM" >&2; exit 2; }
[ "$(id -u)" = 0 ] || { echo "must run as root" >&2; exit 2; }

CUR_WORK=""

cleanup() {
	stop_fpm
	if [ -n "$CUR_WORK" ]; then
		rm -rf -- "$CUR_WORK"
		CUR_WORK=""
	fi
}
trap cleanup EXIT
trap 'cleanup; exit 130' INT TERM HUP

free_port() {
	local p i hex
	for i in $(seq 100); do
		p=$((30000 + RANDOM % 30000))
		hex=$(printf '%04X' "$p")
		if ! awk -v h=":$hex" 'NR>1 && substr($2, length($2)-4) == h {f=1} END {exit !f}' \
			/proc/net/tcp /proc/net/tcp6 2>/dev/null; then
			echo "$p"
			return 0
		fi
	done
	echo 39999
}

# php-fpm -tt output -> "POOL<TAB>KEY<TAB>VALUE" lines.
KEYS_RE='^(user|group|listen|listen\.(owner|group|mode|acl_users|acl_groups))$'
tt_tuples() {
	awk -v re="$KEYS_RE" '
	{ i = index($0, "NOTICE: "); if (!i) next; s = substr($0, i + 8) }
	s ~ /^\[.*\]$/ {
		pool = substr(s, 2, length(s) - 2)
		if (pool == "global") { pool = ""; next }
		print pool "\tname\t" pool
		next
	}
	pool != "" && substr(s, 1, 1) == "\t" {
		k = substr(s, 2); eq = index(k, " = ")
		if (!eq) next
		key = substr(k, 1, eq - 1); val = substr(k, eq + 3)
		if (key ~ re) print pool "\t" key "\t" val
	}'
}

json_tuples() {
	jq -r '.instances[0].pools[]? | . as $p
		| ["name","user","group","listen","listen.owner","listen.group",
		   "listen.mode","listen.acl_users","listen.acl_groups"][] as $k
		| [$p.name, $k, (if $p[$k] == null then "undefined"
				 else ($p[$k] | tostring) end)] | join("\t")'
}

# Run a command with the case's environment.
cenv() { env "${CASE_ENV[@]}" "$@"; }

tool() { cenv "$BIN" --fpm-config "$CONF" --fpm-binary "$FPM" --client "$CLIENT" "$@"; }

# real_connect PATH -> "true"/"false"
real_connect() {
	local rc
	setpriv --reuid="$CLIENT" --regid="$CLIENT" --init-groups \
		curl -s -o /dev/null --max-time 3 --unix-socket "$1" http://localhost/ \
		</dev/null >/dev/null 2>&1
	rc=$?
	if [ "$rc" = 7 ]; then echo false; else echo true; fi
}

REASONS=()
fail() { REASONS+=("$*"); }

run_case() {
	local cdir=$1 name=$2 line key val f
	REASONS=()
	CASE_ENV=()
	CUR_WORK=$(mktemp -d /tmp/fpm-conformance.XXXXXX)
	local W=$CUR_WORK
	chmod 755 "$W"
	mkdir -p "$W/run"
	chmod 755 "$W/run"
	local PORT
	PORT=$(free_port)
	(cd "$cdir" && tar cf - --exclude=./expect .) | (cd "$W" && tar xf -)
	while IFS= read -r -d '' f; do
		sed -i "s|@DIR@|$W|g; s|@PORT@|$PORT|g" "$f"
	done < <(find "$W" -type f -print0)
	CONF=$W/php-fpm.conf

	# --- expectations
	local check_exit="" pools_n=""
	local -a err_lines=() exp_conn=() exp_eff=() exp_acl=() exp_decl=() exp_src=()
	if [ -f "$cdir/expect" ]; then
		while IFS= read -r line || [ -n "$line" ]; do
			line=${line%$'\r'}
			case $line in ''|'#'*) continue ;; esac
			key=${line%%=*}
			val=${line#*=}
			val=${val//@DIR@/$W}
			val=${val//@PORT@/$PORT}
			case $key in
			check_exit) check_exit=$val ;;
			error_line) err_lines+=("$val") ;;
			can_connect) exp_conn+=("$val") ;;
			effective) exp_eff+=("$val") ;;
			acl) exp_acl+=("$val") ;;
			declared) exp_decl+=("$val") ;;
			source) exp_src+=("$val") ;;
			pools) pools_n=$val ;;
			env) CASE_ENV+=("$val") ;;
			mkdir)
				mkdir -p "$W/${val%:*}"
				chmod "${val##*:}" "$W/${val%:*}" ;;
			*) fail "unknown expect key '$key'" ;;
			esac
		done < "$cdir/expect"
	fi

	if [ "$check_exit" = 2 ]; then
		run_invalid
	else
		run_valid
	fi
	cleanup
	if [ ${#REASONS[@]} -eq 0 ]; then
		ok "$name"
	else
		local msg="" r
		for r in "${REASONS[@]}"; do msg+="${msg:+; }$r"; done
		bad "$name" "$msg"
	fi
}

run_invalid() {
	local out rc e file ln
	out=$(tool check --json 2>/dev/null)
	rc=$?
	[ "$rc" = 2 ] || fail "check --json exited $rc, want 2"
	cenv "$FPM" -n -t -y "$CONF" >/dev/null 2>&1
	rc=$?
	[ "$rc" != 0 ] || fail "php-fpm -t accepts the config (case expects it invalid)"
	if ! jq -e . >/dev/null 2>&1 <<<"$out"; then
		fail "check --json printed no valid JSON"
		return
	fi
	for e in "${err_lines[@]}"; do
		file=${e%:*}
		ln=${e##*:}
		jq -e --arg f "$file" --argjson l "$ln" \
			'[.errors[]? | select(.file == $f and .line == $l)] | length > 0' \
			>/dev/null <<<"$out" ||
			fail "no error names $e (errors: $(jq -c '[.errors[]? | "\(.file):\(.line)"]' <<<"$out"))"
	done
}

run_valid() {
	local tt rc show1 show2 show3 check d pool k v want got i
	tt=$(cenv "$FPM" -tt -y "$CONF" 2>&1)
	rc=$?
	if [ "$rc" != 0 ]; then
		fail "php-fpm -tt refuses the config: $(grep -m1 ERROR <<<"$tt")"
		return
	fi
	local tt_t
	tt_t=$(tt_tuples <<<"$tt" | sort)

	# 1. declared values, predicted before php-fpm runs
	show1=$(tool show --json 2>/dev/null)
	if ! jq -e '.instances[0]' >/dev/null 2>&1 <<<"$show1"; then
		fail "show --json printed no instance"
		return
	fi
	d=$(jq -r '.errors[]? | "\(.file):\(.line): \(.message)"' <<<"$show1")
	[ -z "$d" ] || fail "tool reports errors: ${d:0:300}"
	d=$(diff <(printf '%s\n' "$tt_t") <(json_tuples <<<"$show1" | sort) |
		grep '^[<>]' | head -4 | sed 's/^</php-fpm:/; s/^>/tool:/' | tr '\t\n' '| ')
	[ -z "$d" ] || fail "declared values differ: $d"

	local npools
	npools=$(grep -c $'\tname\t' <<<"$tt_t")
	[ -z "$pools_n" ] || [ "$npools" = "$pools_n" ] ||
		fail "php-fpm has $npools pools, case expects $pools_n"
	for e in "${exp_decl[@]}"; do
		pool=${e%%:*}; k=${e#*:}; v=${k#*=}; k=${k%%=*}
		grep -qxF "$pool"$'\t'"$k"$'\t'"$v" <<<"$tt_t" ||
			fail "php-fpm does not have [$pool] $k = $v (case design)"
	done
	for e in "${exp_src[@]}"; do
		pool=${e%%:*}; k=${e#*:}; v=${k#*=}; k=${k%%=*}
		got=$(jq -r --arg p "$pool" --arg k "$k" \
			'.instances[0].pools[] | select(.name == $p) | .sources[$k]' <<<"$show1")
		[ "$got" = "$v" ] || fail "[$pool] sources.$k is '$got', want '$v'"
	done

	# Unix sockets per php-fpm (-tt), and the tool's listen_type/socket.
	local -a upools=() upaths=() tpools=() tports=()
	while IFS=$'\t' read -r pool k v; do
		[ "$k" = listen ] || continue
		got=$(jq -r --arg p "$pool" '.instances[0].pools[] | select(.name == $p)
			| "\(.listen_type)|\(.socket.path // "null")"' <<<"$show1")
		if [[ $v == /* ]]; then
			upools+=("$pool")
			upaths+=("$v")
			[ "$got" = "unix|$v" ] || fail "[$pool] listen_type|socket.path is '$got', want 'unix|$v'"
		else
			tpools+=("$pool")
			tports+=("${v##*:}")
			[ "$got" = "tcp|null" ] || fail "[$pool] listen_type|socket.path is '$got', want 'tcp|null'"
		fi
	done <<<"$tt_t"

	local chk chk_rc
	chk=$(tool check --json 2>/dev/null)
	chk_rc=$?
	got=$(jq -r '.instances[0].fpm_test' <<<"$chk" 2>/dev/null)
	[ "$got" = true ] || fail "check: fpm_test is '$got', want true"

	# 2. start php-fpm, wait for its sockets
	# A plain command (not a shell function) so that $! is php-fpm itself:
	# env and setsid exec, and setsid makes it a process group leader.
	env "${CASE_ENV[@]}" setsid "$FPM" -n -F -y "$CONF" >"$W/fpm.out" 2>&1 </dev/null &
	fpm_pid=$! fpm_pidfile=$W/fpm.pid	# lib.sh's stop_fpm: its process group
	local ready=0
	for i in $(seq 100); do
		ready=1
		for v in "${upaths[@]}"; do
			[ -S "$v" ] || { ready=0; break; }
		done
		if [ "${#tports[@]}" -gt 0 ] && [ $ready = 1 ]; then
			for v in "${tports[@]}"; do
				(exec 3<>"/dev/tcp/127.0.0.1/$v") 2>/dev/null || { ready=0; break; }
			done
		fi
		[ $ready = 1 ] && break
		fpm_alive "$fpm_pid" || break
		sleep 0.05
	done
	if [ $ready != 1 ]; then
		fail "php-fpm did not come up: $(grep -m2 -E 'ERROR|ALERT' "$W/fpm.out" | tr '\n' ' ')"
		return
	fi

	local real_conn=()
	for i in "${!upools[@]}"; do
		pool=${upools[$i]}
		v=${upaths[$i]}
		local st own grp mode
		read -r own grp mode < <(stat -c '%U %G %a' "$v")
		mode=$(printf '%04o' "0$mode")
		want=$(jq -r --arg p "$pool" '.instances[0].pools[] | select(.name == $p)
			| .effective | "\(.owner) \(.group) \(.mode)"' <<<"$show1")
		[ "$want" = "$own $grp $mode" ] ||
			fail "[$pool] socket is '$own $grp $mode', tool predicted '$want'"
		local racl pacl
		racl=$(getfacl -cp "$v" 2>/dev/null | awk -F: '($1=="user"||$1=="group") && $2!="" {
			p=$3; sub(/[ \t].*/, "", p); print $1 ":" $2 ":" p }' | sort | tr '\n' ' ')
		pacl=$(jq -r --arg p "$pool" '.instances[0].pools[] | select(.name == $p)
			| .effective | ((.acl_users // [])[] | "user:\(.):rw-"),
				       ((.acl_groups // [])[] | "group:\(.):rw-")' <<<"$show1" |
			sort | tr '\n' ' ')
		[ "$racl" = "$pacl" ] ||
			fail "[$pool] socket ACL is '${racl% }', tool predicted '${pacl% }'"
		for e in "${exp_acl[@]}"; do
			[ "${e%%:*}" = "$pool" ] || continue
			getfacl -cp "$v" 2>/dev/null | grep -qxF "${e#*:}" ||
				fail "[$pool] real socket lacks ACL entry ${e#*:}"
		done
		for e in "${exp_eff[@]}"; do
			[ "${e%%:*}" = "$pool" ] || continue
			want=${e#*:}
			want=${want//:/ }
			[ "$want" = "$own $grp $mode" ] ||
				fail "[$pool] real socket is '$own $grp $mode', case expects '$want'"
		done
		real_conn+=("$(real_connect "$v")")
	done

	local any_false=0
	for v in "${real_conn[@]}"; do [ "$v" = false ] && any_false=1; done
	want=${check_exit:-$any_false}
	[ "$chk_rc" = "$want" ] || fail "check --json (before start) exited $chk_rc, want $want"

	# 3. verdicts with php-fpm running
	show2=$(tool show --json 2>/dev/null)
	show3=$(tool --no-proof show --json 2>/dev/null)
	for i in "${!upools[@]}"; do
		pool=${upools[$i]}
		local s lbl
		for lbl in show show--no-proof; do
			if [ $lbl = show ]; then s=$show2; else s=$show3; fi
			got=$(jq -r --arg p "$pool" --arg u "$CLIENT" '.instances[0].pools[]
				| select(.name == $p) | .clients[]? | select(.user == $u)
				| .can_connect' <<<"$s" 2>/dev/null)
			[ "$got" = "${real_conn[$i]}" ] ||
				fail "[$pool] $lbl says can_connect=${got:-missing}, real connect as $CLIENT: ${real_conn[$i]}"
		done
		for e in "${exp_conn[@]}"; do
			[ "${e%:*}" = "$pool" ] || continue
			[ "${e##*:}" = "${real_conn[$i]}" ] ||
				fail "[$pool] real can_connect is ${real_conn[$i]}, case expects ${e##*:}"
		done
	done
	for i in "${!tpools[@]}"; do
		pool=${tpools[$i]}
		got=$(jq -r --arg p "$pool" '[.instances[0].pools[] | select(.name == $p)
			| .clients[]? | .can_connect | select(. == false)] | length' <<<"$show2")
		[ "$got" = 0 ] || fail "[$pool] tcp pool judged can_connect=false"
		setpriv --reuid="$CLIENT" --regid="$CLIENT" --init-groups \
			curl -s -o /dev/null --max-time 3 "http://127.0.0.1:${tports[$i]}/" \
			</dev/null >/dev/null 2>&1
		[ $? != 7 ] || fail "[$pool] php-fpm does not listen on port ${tports[$i]}"
	done
	for e in "${exp_conn[@]}"; do
		pool=${e%:*}
		printf '%s\n' "${upools[@]}" | grep -qxF "$pool" ||
			fail "expect names unix pool '$pool' that php-fpm does not have"
	done
}

if [ $# -gt 0 ]; then
	LIST=("$@")
else
	LIST=()
	for d in "$CASES"/*/; do LIST+=("$(basename "$d")"); done
fi
for c in "${LIST[@]}"; do
	c=$(basename "$c")
	if [ ! -f "$CASES/$c/php-fpm.conf" ]; then
		bad "$c" "no php-fpm.conf"
		continue
	fi
	run_case "$CASES/$c" "$c"
done
finish
