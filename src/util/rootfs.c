#include "rootfs.h"
#include "xalloc.h"

#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <fcntl.h>
#include <linux/openat2.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>

/* glibc before 2.32 (bullseye's 2.31) names no SYS_openat2; its kernel
 * headers (5.10) have the number. */
#ifndef SYS_openat2
#define SYS_openat2 __NR_openat2
#endif

int rootfs_init(struct rootfs *r, const char *path)
{
	size_t n;

	if (path == NULL || *path == '\0')
		path = "/";
	if (path[0] != '/') {
		errno = EINVAL;
		return -1;
	}
	r->path = xstrdup(path);
	n = strlen(r->path);
	while (n > 1 && r->path[n - 1] == '/')
		r->path[--n] = '\0';
	r->is_host = strcmp(r->path, "/") == 0;
	r->fd = open(r->path, O_PATH | O_DIRECTORY | O_CLOEXEC);
	if (r->fd < 0) {
		int e = errno;
		free(r->path);
		r->path = NULL;
		errno = e;
		return -1;
	}
	return 0;
}

void rootfs_close(struct rootfs *r)
{
	if (r->fd >= 0)
		close(r->fd);
	r->fd = -1;
	free(r->path);
	r->path = NULL;
}

char *rootfs_host_path(const struct rootfs *r, const char *path)
{
	if (r->is_host)
		return xstrdup(path);
	return xasprintf("%s%s%s", r->path, path[0] == '/' ? "" : "/", path);
}

const char *rootfs_inner_path(const struct rootfs *r, const char *hostpath)
{
	size_t n = strlen(r->path);

	if (r->is_host)
		return hostpath;
	if (strncmp(hostpath, r->path, n) == 0 && hostpath[n] == '/')
		return hostpath + n;
	return hostpath;
}

int rootfs_open(const struct rootfs *r, const char *path, int flags)
{
	struct open_how how;
	int fd;

	if (path[0] != '/') {
		errno = EINVAL;
		return -1;
	}
	memset(&how, 0, sizeof how);
	how.flags = (unsigned long long)(flags | O_CLOEXEC);
	how.resolve = RESOLVE_IN_ROOT | RESOLVE_NO_MAGICLINKS;
	fd = (int)syscall(SYS_openat2, r->fd, path, &how, sizeof how);
	if (fd >= 0 || errno != ENOSYS)
		return fd;
	/* Old kernel: relative to the root fd, as the host would resolve. */
	while (*path == '/')
		path++;
	return openat(r->fd, *path ? path : ".", flags | O_CLOEXEC);
}

/* Split path into an opened parent directory and its last component. */
static int open_parent(const struct rootfs *r, const char *path,
		       const char **base)
{
	const char *slash = strrchr(path, '/');
	char *dir;
	int fd, e;

	if (slash == NULL) {
		errno = EINVAL;
		return -1;
	}
	*base = slash + 1;
	if (**base == '\0') {
		errno = EISDIR;
		return -1;
	}
	dir = slash == path ? xstrdup("/") : xstrndup(path, (size_t)(slash - path));
	fd = rootfs_open(r, dir, O_PATH | O_DIRECTORY);
	e = errno;
	free(dir);
	errno = e;
	return fd;
}

int rootfs_lstat(const struct rootfs *r, const char *path, struct stat *st)
{
	const char *base;
	int dfd, rc, e;

	if (strcmp(path, "/") == 0)
		return fstat(r->fd, st);
	dfd = open_parent(r, path, &base);
	if (dfd < 0)
		return -1;
	rc = fstatat(dfd, base, st, AT_SYMLINK_NOFOLLOW);
	e = errno;
	close(dfd);
	errno = e;
	return rc;
}

int rootfs_stat(const struct rootfs *r, const char *path, struct stat *st)
{
	int fd = rootfs_open(r, path, O_PATH);
	int rc, e;

	if (fd < 0)
		return -1;
	rc = fstat(fd, st);
	e = errno;
	close(fd);
	errno = e;
	return rc;
}

int rootfs_read_file(const struct rootfs *r, const char *path, size_t max,
		     char **bufp, size_t *lenp, struct stat *st)
{
	char *buf = NULL;
	size_t len = 0, cap;
	ssize_t n;
	int fd, e;

	/* O_NONBLOCK: opening a FIFO must not hang the hook. */
	fd = rootfs_open(r, path, O_RDONLY | O_NONBLOCK | O_NOCTTY);
	if (fd < 0) {
		/* open() of a unix socket fails ENXIO: say what it is instead. */
		if (errno == ENXIO && rootfs_stat(r, path, st) == 0 && !S_ISREG(st->st_mode))
			errno = EINVAL;
		return -1;
	}
	if (fstat(fd, st) < 0)
		goto fail;
	if (S_ISDIR(st->st_mode)) {
		errno = EISDIR;
		goto fail;
	}
	if (!S_ISREG(st->st_mode)) {
		errno = EINVAL;
		goto fail;
	}
	if ((size_t)st->st_size > max) {
		errno = EFBIG;
		goto fail;
	}
	cap = (size_t)st->st_size + 1;
	buf = xmalloc(cap);
	for (;;) {
		if (len + 1 >= cap) {
			if (cap > max) {
				errno = EFBIG;
				goto fail;
			}
			buf = xreallocarray(buf, cap, 2);
			cap *= 2;
		}
		n = read(fd, buf + len, cap - len - 1);
		if (n < 0) {
			if (errno == EINTR)
				continue;
			goto fail;
		}
		if (n == 0)
			break;
		len += (size_t)n;
		/* All fstat promised: stop without the extra read for EOF
		 * (one syscall a file, thousands of files on a busy host). */
		if (len == (size_t)st->st_size)
			break;
	}
	buf[len] = '\0';
	close(fd);
	*bufp = buf;
	*lenp = len;
	return 0;
fail:
	e = errno;
	free(buf);
	close(fd);
	errno = e;
	return -1;
}

char *rootfs_fd_path(const struct rootfs *r, int fd)
{
	char proc[64], buf[PATH_MAX];
	const char *in;
	ssize_t n;

	snprintf(proc, sizeof proc, "/proc/self/fd/%d", fd);
	n = readlink(proc, buf, sizeof buf - 1);
	if (n < 0)
		return NULL;
	buf[n] = '\0';
	if (r->is_host)
		return xstrdup(buf);
	in = rootfs_inner_path(r, buf);
	return xstrdup(in == buf && strcmp(buf, r->path) == 0 ? "/" : in);
}
