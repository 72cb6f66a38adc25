#!/bin/sh
# tests/chroot/enter.sh [--bind HOST:DIR]... [--ro HOST:DIR]... TARBALL CMD [ARG...]
#
# Runs CMD as root inside a disposable copy of TARBALL (one that
# tests/chroot/mkchroot.sh made): the tarball is extracted into a fresh
# directory under build/chroots/run/, CMD runs there in a private mount
# namespace (unshare -m: /proc, /dev and the binds are seen by nothing
# outside it and go with it), and the copy is removed on exit, whatever
# CMD did.  --bind/--ro mount a host directory (read-write/read-only) at
# DIR inside.  CMD gets a minimal environment (PATH, HOME, LANG,
# DEBIAN_FRONTEND); its exit status is enter.sh's.
#
# CHROOT_KEEP=1 keeps the copy (its path goes to stderr) for a look.
set -eu

top=$(cd "$(dirname "$0")/../.." && pwd)
binds=
while [ $# -gt 0 ]; do
	case $1 in
	--bind|--ro)
		[ $# -ge 2 ] || { echo "$0: $1 needs HOST:DIR" >&2; exit 2; }
		binds="$binds $1=$2"; shift 2 ;;
	--) shift; break ;;
	-*) echo "$0: unknown option $1" >&2; exit 2 ;;
	*) break ;;
	esac
done
[ $# -ge 2 ] || { echo "usage: $0 [--bind HOST:DIR]... [--ro HOST:DIR]... TARBALL CMD..." >&2; exit 2; }
tarball=$1; shift
[ -s "$tarball" ] || { echo "$0: no tarball $tarball" >&2; exit 1; }

runs=${CHROOT_RUN:-$top/build/chroots/run}
mkdir -p "$runs"
root=$(mktemp -d "$runs/root.XXXXXX")
# --one-file-system: were a mount ever left behind, rm stops at it.
# shellcheck disable=SC2317 # called by the trap
cleanup() {
	if [ "${CHROOT_KEEP:-0}" = 1 ]; then echo "enter: kept $root" >&2
	else rm -rf --one-file-system "$root"; fi
}
trap cleanup EXIT
trap 'exit 130' INT TERM
tar --numeric-owner -xpf "$tarball" -C "$root"
# mmdebstrap's cleanup removes the policy-rc.d its hook wrote: put one in
# every copy, so that no package script starts a daemon on this machine
# (a caller that wants a service allows it itself).
if [ ! -e "$root/usr/sbin/policy-rc.d" ]; then
	printf '#!/bin/sh\nexit 101\n' > "$root/usr/sbin/policy-rc.d"
	chmod 755 "$root/usr/sbin/policy-rc.d"
fi
cp -L /etc/resolv.conf "$root/etc/resolv.conf" 2>/dev/null || :

# The namespace's script: mounts, then chroot with a minimal environment.
# shellcheck disable=SC2016 # expanded by the inner shell
inner='set -eu
root=$1; binds=$2; shift 2
mount --make-rprivate /
mount -t proc proc "$root/proc"
mount --rbind /dev "$root/dev"
for b in $binds; do
	kind=${b%%=*}; spec=${b#*=}; src=${spec%%:*}; dst=${spec#*:}
	mkdir -p "$root$dst"
	mount --bind "$src" "$root$dst"
	[ "$kind" = --ro ] && mount -o remount,bind,ro "$root$dst"
done
exec chroot "$root" /usr/bin/env -i PATH=/usr/sbin:/usr/bin:/sbin:/bin \
    HOME=/root LANG=C.UTF-8 DEBIAN_FRONTEND=noninteractive "$@"'
rc=0
unshare -m --propagation private sh -c "$inner" sh "$root" "$binds" "$@" || rc=$?
exit $rc
