#include "rootfs.h"
#include "atomicfile.h"
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
	r->nofollow = 0;
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

int rootfs_init_nofollow(struct rootfs *r, const char *path)
{
	if (rootfs_init(r, path) < 0)
		return -1;
	r->nofollow = 1;
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

static int open_in_root(const struct rootfs *r, const char *path, int flags)
{
	struct open_how how;

	memset(&how, 0, sizeof how);
	how.flags = (unsigned long long)(flags | O_CLOEXEC);
	how.resolve = RESOLVE_IN_ROOT | RESOLVE_NO_MAGICLINKS |
		      (r->nofollow ? RESOLVE_NO_SYMLINKS : 0);
	return (int)syscall(SYS_openat2, r->fd, path, &how, sizeof how);
}

int rootfs_open(const struct rootfs *r, const char *path, int flags)
{
	int fd;

	if (path[0] != '/') {
		errno = EINVAL;
		return -1;
	}
	fd = open_in_root(r, path, flags);
	if (fd >= 0 || errno != ENOSYS || r->nofollow)
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

/* ---- writes ---- */

int rootfs_path_canonical(const char *path)
{
	const char *p = path, *end;
	size_t n;

	if (path[0] != '/')
		return 0;
	if (path[1] == '\0')
		return 1;
	while (*p == '/') {
		p++;
		end = strchrnul(p, '/');
		n = (size_t)(end - p);
		if (n == 0 || (n == 1 && p[0] == '.') || (n == 2 && p[0] == '.' && p[1] == '.'))
			return 0;
		p = end;
	}
	return 1;
}

/* Down from dfd (consumed) through each component of rel, made with mkdirat
 * when mode says so, each opened O_NOFOLLOW unless follow: the slow path
 * for what openat2 could not open.  The fd of the last, or -1. */
static int walk_down(int dfd, const char *rel, mode_t mode, int follow)
{
	char *copy = xstrdup(rel), *name, *next, *save = NULL;
	int fd = dfd, sub, e;

	for (name = strtok_r(copy, "/", &save); name; name = next) {
		next = strtok_r(NULL, "/", &save);
		if (strcmp(name, ".") == 0 || strcmp(name, "..") == 0) {
			errno = EINVAL;
			goto fail;
		}
		if (mode && mkdirat(fd, name, next ? 0755 : mode) < 0 && errno != EEXIST)
			goto fail;
		sub = openat(fd, name, O_PATH | O_DIRECTORY | O_CLOEXEC | (follow ? 0 : O_NOFOLLOW));
		if (sub < 0)
			goto fail;
		close(fd);
		fd = sub;
	}
	free(copy);
	return fd;
fail:
	e = errno;
	close(fd);
	free(copy);
	errno = e;
	return -1;
}

/* The deepest directory of path that exists, opened; *rest what is below. */
static int open_deepest(const struct rootfs *r, const char *path, const char **rest)
{
	char *dir = xstrdup(path);
	size_t n = strlen(dir);
	int fd, e;

	for (;;) {
		fd = open_in_root(r, n ? dir : "/", O_PATH | O_DIRECTORY);
		if (fd >= 0 || errno != ENOENT || n == 0)
			break;
		while (n > 0 && dir[n - 1] != '/')
			n--;
		while (n > 0 && dir[n - 1] == '/')
			n--;
		dir[n] = '\0';
	}
	e = errno;
	free(dir);
	*rest = path + n;
	errno = e;
	return fd;
}

int rootfs_open_dir(const struct rootfs *r, const char *path, mode_t mode)
{
	const char *rest = path;
	int fd;

	if (path[0] != '/') {
		errno = EINVAL;
		return -1;
	}
	fd = open_in_root(r, path, O_PATH | O_DIRECTORY);
	if (fd >= 0 || (errno == ENOENT && mode == 0) || (errno != ENOENT && errno != ENOSYS))
		return fd;
	fd = errno == ENOSYS ? -1 : open_deepest(r, path, &rest);
	if (fd < 0 && errno == ENOSYS) {
		/* No openat2: from the root's fd, no symlink taken but the host's own. */
		fd = fcntl(r->fd, F_DUPFD_CLOEXEC, 0);
		rest = path;
		return fd < 0 ? -1 : walk_down(fd, rest, mode, r->is_host && !r->nofollow);
	}
	if (fd < 0)
		return -1;
	return walk_down(fd, rest, mode, 0);
}

int rootfs_open_parent(const struct rootfs *r, const char *path, mode_t dir_mode,
		       const char **base)
{
	const char *slash = strrchr(path, '/');
	char *dir;
	int fd, e;

	if (path[0] != '/' || slash == NULL) {
		errno = EINVAL;
		return -1;
	}
	*base = slash + 1;
	if (**base == '\0' || strcmp(*base, ".") == 0 || strcmp(*base, "..") == 0) {
		errno = EINVAL;
		return -1;
	}
	dir = slash == path ? xstrdup("/") : xstrndup(path, (size_t)(slash - path));
	fd = rootfs_open_dir(r, dir, dir_mode);
	e = errno;
	free(dir);
	errno = e;
	return fd;
}

int rootfs_create(const struct rootfs *r, const char *path, mode_t mode, mode_t dir_mode)
{
	const char *base;
	int dfd = rootfs_open_parent(r, path, dir_mode, &base), fd, e;

	if (dfd < 0)
		return -1;
	fd = openat(dfd, base, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, mode);
	e = errno;
	close(dfd);
	errno = e;
	return fd;
}

int rootfs_replace(const struct rootfs *r, const char *path, int must_exist,
		   const void *buf, size_t len, uid_t uid, gid_t gid, mode_t mode,
		   int transient)
{
	const char *base;
	int dfd = rootfs_open_parent(r, path, 0, &base), rc, e;

	if (dfd < 0)
		return -1;
	rc = atomic_file_replace_at(dfd, base, must_exist, buf, len, uid, gid, mode, transient);
	e = errno;
	close(dfd);
	errno = e;
	return rc;
}

int rootfs_unlink(const struct rootfs *r, const char *path)
{
	const char *base;
	int dfd = rootfs_open_parent(r, path, 0, &base), rc, e;

	if (dfd < 0)
		return errno == ENOENT ? 0 : -1;
	rc = unlinkat(dfd, base, 0);
	e = errno;
	close(dfd);
	if (rc < 0 && e == ENOENT)
		return 0;
	errno = e;
	return rc;
}
