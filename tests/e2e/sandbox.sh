# A disposable copy of this host: / under an overlay whose upper layer is
# a temp dir, entered with chroot in private mount, pid and network
# namespaces, with its own /run, /tmp, /dev (and a syslog socket at
# /dev/log) and loopback only.  Real apt-get, dpkg, php-fpm and nginx run
# in it; when the scenario ends every process in it dies with the pid
# namespace and the upper layer is deleted: the host is unchanged.
#
# sandbox_run DIR SCRIPT: copy DIR to /e2e inside, run /e2e/SCRIPT there.

sandbox_run() {
	local files=$1 script=$2 sb rc
	sb=$(mktemp -d /var/tmp/pfg-sandbox-XXXXXX)
	mkdir -p "$sb/upper/e2e" "$sb/work" "$sb/merged"
	cp -a "$files/." "$sb/upper/e2e/"
	unshare --mount --pid --net --fork --propagation private \
		/bin/sh -eu -c '
		sb=$1; script=$2; M=$sb/merged
		mount -t overlay overlay -o "lowerdir=/,upperdir=$sb/upper,workdir=$sb/work" "$M"
		mount -t proc proc "$M/proc"
		mount -t sysfs -o ro sysfs "$M/sys"
		mount -t tmpfs -o mode=0755 tmpfs "$M/run"
		mount -t tmpfs -o mode=1777 tmpfs "$M/tmp"
		mount -t tmpfs -o mode=0755 tmpfs "$M/dev"
		for d in null:1:3 zero:1:5 full:1:7 random:1:8 urandom:1:9 tty:5:0; do
			IFS=: read -r n ma mi <<-EOD
			$d
			EOD
			mknod -m 666 "$M/dev/$n" c "$ma" "$mi"
		done
		mkdir "$M/dev/pts" "$M/dev/shm"
		mount -t devpts -o newinstance,ptmxmode=0666 devpts "$M/dev/pts"
		ln -s pts/ptmx "$M/dev/ptmx"
		ln -s /proc/self/fd "$M/dev/fd"
		ip link set lo up
		exec chroot "$M" /bin/bash "/e2e/$script"
	' sh "$sb" "$script"
	rc=$?
	rm -rf "$sb"
	return $rc
}
