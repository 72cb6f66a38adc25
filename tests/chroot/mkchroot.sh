#!/bin/sh
# tests/chroot/mkchroot.sh SUITE [PACKAGE...]
#
# Prints the path of a cached tarball build/chroots/SUITE-NAME.tar of a
# minimal Debian SUITE (bullseye, bookworm, trixie, ...) with PACKAGEs
# installed, making it first if it is not there.  NAME is the sorted
# package list (joined by '+', or a digest of it when that is long), so
# the cache key is the suite and the set of packages; CHROOT_REFRESH=1
# makes it again.  Enter one with tests/chroot/enter.sh.
#
# mmdebstrap (--variant=apt: Essential, apt and the packages) fetches from
# the mirrors the host's own apt sources name, so it works wherever the
# host's apt does; the host's sources are never changed.  The chroot
# keeps its apt lists (apt-get install ./x.deb works inside without an
# update) and has a policy-rc.d that refuses every service start: package
# scripts inside never start daemons on this machine.
set -eu

usage() { echo "usage: $0 SUITE [PACKAGE...]" >&2; exit 2; }
[ $# -ge 1 ] || usage
suite=$1; shift
case $suite in *[!a-z]*|'') usage ;; esac
top=$(cd "$(dirname "$0")/../.." && pwd)
cache=${CHROOT_CACHE:-$top/build/chroots}

# The host's Debian mirrors, as its apt uses them (apt-get indextargets
# reads every sources file, both formats); deb.debian.org if it has none.
host_mirror() {
	# shellcheck disable=SC2016 # apt's format, not the shell's
	apt-get indextargets --format '$(REPO_URI) $(RELEASE) $(ORIGIN)' 2>/dev/null |
	    awk -v sec="$1" '$3 == "Debian" && (($2 ~ /-security$/) == sec) { print $1; exit }'
}

pkgs=$(printf '%s\n' "$@" | sed '/^$/d' | sort -u | tr '\n' ' ' | sed 's/ $//')
name=$(printf '%s' "$pkgs" | tr ' ' '+')
[ -n "$name" ] || name=base
if [ ${#name} -gt 60 ]; then
	name=$(printf '%s' "$pkgs" | sha256sum | cut -c1-16)
fi
tar=$cache/$suite-$name.tar
if [ -s "$tar" ] && [ "${CHROOT_REFRESH:-0}" != 1 ]; then
	echo "$tar"
	exit 0
fi
command -v mmdebstrap >/dev/null || {
	echo "$0: mmdebstrap is not installed (tests/install-deps.sh installs it)" >&2; exit 1; }
mkdir -p "$cache"
mirror=$(host_mirror 0); mirror=${mirror:-http://deb.debian.org/debian/}
secmirror=$(host_mirror 1); secmirror=${secmirror:-http://deb.debian.org/debian-security/}

# Security updates: SUITE-security since bullseye; updates beside main.
keyring=/usr/share/keyrings/debian-archive-keyring.gpg
src="deb [signed-by=$keyring] $mirror $suite main
deb [signed-by=$keyring] $mirror $suite-updates main
deb [signed-by=$keyring] $secmirror $suite-security main"
# shellcheck disable=SC2016 # expanded by mmdebstrap's hook shell
norc='printf "#!/bin/sh\nexit 101\n" > "$1/usr/sbin/policy-rc.d"; chmod 755 "$1/usr/sbin/policy-rc.d"'
log=$cache/$suite-$name.log
start=$(date +%s)
echo "mkchroot: $suite [$pkgs] from $mirror -> $tar" >&2
# shellcheck disable=SC2086 # the package list is meant to split
if ! mmdebstrap --variant=apt --mode=root --format=tar \
	--aptopt='Acquire::Languages "none"' \
	--aptopt='APT::Install-Recommends "false"' \
	--dpkgopt='path-exclude=/usr/share/doc/*' \
	--dpkgopt='path-include=/usr/share/doc/*/copyright' \
	--dpkgopt='path-exclude=/usr/share/man/*' \
	--dpkgopt='path-exclude=/usr/share/locale/*' \
	--essential-hook="$norc" \
	--skip=cleanup/apt/lists \
	${pkgs:+--include="$(echo $pkgs | tr ' ' ',')"} \
	"$suite" "$tar.tmp" - >"$log" 2>&1 <<EOF
$src
EOF
then
	tail -20 "$log" >&2
	rm -f "$tar.tmp"
	echo "mkchroot: $suite failed, log in $log" >&2
	exit 1
fi
mv -f "$tar.tmp" "$tar"
echo "mkchroot: $suite-$name.tar in $(($(date +%s) - start)) s" >&2
echo "$tar"
