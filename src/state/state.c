#include "state.h"
#include "../util/atomicfile.h"
#include "../util/rootfs.h"
#include "../util/xalloc.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

static int fail(char **err, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static int fail(char **err, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	*err = xvasprintf(fmt, ap);
	va_end(ap);
	return -1;
}

/* Ours and closed to others: the one test for the dir and its files. */
static const char *untrusted_why(const struct stat *st)
{
	if (st->st_uid != geteuid())
		return "owned by another user";
	if (st->st_mode & 022)
		return "writable by group or others";
	return NULL;
}

/* The directory's last name below its opened parent: made with mode
 * when missing (mode 0: never), then opened without following it. */
static int open_last(struct state_dir *s, int dfd, const char *base, mode_t mode,
		     const char *disp, char **err)
{
	struct stat st;
	const char *why = NULL;

	if (mode && mkdirat(dfd, base, mode) < 0 && errno != EEXIST)
		return fail(err, "%s: %s", disp, strerror(errno));
	s->fd = openat(dfd, base, O_PATH | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	if (s->fd < 0) {
		if (errno == ENOENT && mode == 0)
			return 1;
		return fail(err, "%s: %s", disp,
			    errno == ENOTDIR || errno == ELOOP
				    ? "not a directory (a symlink or a file): refused"
				    : strerror(errno));
	}
	if (fstat(s->fd, &st) < 0 || (why = untrusted_why(&st)) != NULL) {
		int e = errno;
		close(s->fd);
		s->fd = -1;
		return fail(err, "%s: %s: refused", disp, why ? why : strerror(e));
	}
	s->gid = st.st_gid;
	return 0;
}

int state_open_in(struct state_dir *s, const char *root, const char *path,
		  mode_t create_mode, char **err)
{
	struct rootfs fs;
	const char *base;
	char *disp;
	int dfd, rc;

	memset(s, 0, sizeof *s);
	s->fd = s->lock_fd = -1;
	if (path[0] != '/')
		return fail(err, "%s: not an absolute path", path);
	/* "dir/" would make lstat and O_NOFOLLOW follow a final symlink. */
	if (strlen(path) > 1 && path[strlen(path) - 1] == '/')
		return fail(err, "%s: give the directory without a trailing '/'", path);
	if (rootfs_init(&fs, root) < 0)
		return fail(err, "%s: %s", root, strerror(errno));
	disp = rootfs_host_path(&fs, path);
	/* The parents resolve inside the root, as every read there does. */
	dfd = rootfs_open_parent(&fs, path, create_mode ? 0755 : 0, &base);
	if (dfd < 0)
		rc = errno == ENOENT && create_mode == 0 ? 1
			: fail(err, "%s: %s", disp, strerror(errno));
	else
		rc = open_last(s, dfd, base, create_mode, disp, err);
	if (dfd >= 0)
		close(dfd);
	rootfs_close(&fs);
	if (rc == 0)
		s->path = disp;
	else
		free(disp);
	return rc;
}

int state_open(struct state_dir *s, const char *path, mode_t create_mode,
	       char **err)
{
	return state_open_in(s, "/", path, create_mode, err);
}

void state_close(struct state_dir *s)
{
	if (s->lock_fd >= 0)
		close(s->lock_fd);
	if (s->fd >= 0)
		close(s->fd);
	free(s->path);
	memset(s, 0, sizeof *s);
	s->fd = s->lock_fd = -1;
}

int state_lock(struct state_dir *s, int wait_s, char **err)
{
	struct timespec tick = { 0, 100L * 1000 * 1000 };
	int i, said = 0;

	s->lock_fd = openat(s->fd, "lock", O_RDWR | O_CREAT | O_NOFOLLOW | O_CLOEXEC, 0600);
	if (s->lock_fd < 0)
		return fail(err, "%s/lock: %s", s->path, strerror(errno));
	for (i = 0; i <= wait_s * 10; i++) {
		if (flock(s->lock_fd, LOCK_EX | LOCK_NB) == 0)
			return 0;
		if (errno != EWOULDBLOCK)
			break;
		if (!said++)
			fprintf(stderr, "php-fpm-guard: waiting for another php-fpm-guard "
				"(lock %s/lock)\n", s->path);
		nanosleep(&tick, NULL);
	}
	return fail(err, "%s/lock: %s", s->path,
		    errno == EWOULDBLOCK ? "held by another php-fpm-guard for too long"
					 : strerror(errno));
}

int state_trylock(struct state_dir *s)
{
	if (s->lock_fd < 0)
		s->lock_fd = openat(s->fd, "lock", O_RDWR | O_CREAT | O_NOFOLLOW | O_CLOEXEC, 0600);
	return s->lock_fd >= 0 && flock(s->lock_fd, LOCK_EX | LOCK_NB) == 0 ? 0 : -1;
}

int state_starts_with(struct state_dir *s, const char *name, const char *prefix,
		      size_t n, const char *then)
{
	struct stat st;
	char chunk[65536];
	size_t off = 0, tl = strlen(then);
	ssize_t got;
	int fd, same = 1;

	fd = openat(s->fd, name, O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC);
	if (fd < 0)
		return 0;
	if (fstat(fd, &st) < 0 || !S_ISREG(st.st_mode) || untrusted_why(&st) ||
	    (size_t)st.st_size < n + tl) {
		close(fd);
		return 0;
	}
	while (same && off < n + tl) {
		size_t want = n + tl - off < sizeof chunk ? n + tl - off : sizeof chunk;
		size_t i;
		got = read(fd, chunk, want);
		if (got <= 0) {
			same = 0;
			break;
		}
		for (i = 0; i < (size_t)got && same; i++)
			same = chunk[i] == (off + i < n ? prefix[off + i] : then[off + i - n]);
		off += (size_t)got;
	}
	close(fd);
	return same;
}

int state_read(struct state_dir *s, const char *name, size_t max, char **buf,
	       size_t *len, char **err)
{
	struct stat st;
	const char *why = NULL;
	size_t got = 0;
	ssize_t n;
	int fd;

	*buf = NULL;
	*len = 0;
	fd = openat(s->fd, name, O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC);
	if (fd < 0) {
		if (errno == ENOENT)
			return 1;
		return fail(err, "%s/%s: %s", s->path, name,
			    errno == ELOOP ? "a symlink: refused" : strerror(errno));
	}
	if (fstat(fd, &st) < 0 || !S_ISREG(st.st_mode) || (why = untrusted_why(&st))) {
		close(fd);
		return fail(err, "%s/%s: %s: refused", s->path, name,
			    !S_ISREG(st.st_mode) ? "not a regular file" : why);
	}
	if ((size_t)st.st_size > max) {
		close(fd);
		return fail(err, "%s/%s: larger than %zu bytes: refused", s->path, name, max);
	}
	*buf = xmalloc((size_t)st.st_size + 1);
	while (got < (size_t)st.st_size &&
	       ((n = read(fd, *buf + got, (size_t)st.st_size - got)) > 0 ||
		(n < 0 && errno == EINTR)))
		got += n > 0 ? (size_t)n : 0;
	close(fd);
	if (got != (size_t)st.st_size) {
		free(*buf);
		*buf = NULL;
		return fail(err, "%s/%s: short read", s->path, name);
	}
	(*buf)[got] = '\0';
	*len = got;
	return 0;
}

int state_subdir(struct state_dir *s, const char *name, mode_t mode, char **err)
{
	struct stat st;
	const char *why = NULL;
	int fd;

	if (mkdirat(s->fd, name, mode) < 0 && errno != EEXIST)
		return fail(err, "%s/%s: %s", s->path, name, strerror(errno));
	fd = openat(s->fd, name, O_PATH | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	if (fd < 0)
		return fail(err, "%s/%s: %s", s->path, name,
			    errno == ENOTDIR || errno == ELOOP
				    ? "not a directory (a symlink or a file): refused"
				    : strerror(errno));
	if (fstat(fd, &st) < 0 || (why = untrusted_why(&st)) != NULL) {
		int e = errno;
		close(fd);
		return fail(err, "%s/%s: %s: refused", s->path, name, why ? why : strerror(e));
	}
	close(fd);
	return 0;
}

char *state_path(const struct state_dir *s, const char *name)
{
	return xasprintf("%s/%s", s->path, name);
}

/* name is ours: a file in the dir, or in one subdirectory of it. */
static int write_in(struct state_dir *s, const char *name, const void *buf, size_t len,
		    mode_t mode, int transient, char **err)
{
	const char *slash = strrchr(name, '/');
	int dfd = s->fd, rc, e;

	if (slash) {
		char *sub = xstrndup(name, (size_t)(slash - name));
		dfd = openat(s->fd, sub, O_PATH | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
		free(sub);
	}
	rc = dfd < 0 ? -1 : atomic_file_replace_at(dfd, slash ? slash + 1 : name, 0, buf, len,
						   geteuid(), s->gid, mode, transient);
	e = errno;
	if (slash && dfd >= 0)
		close(dfd);
	if (rc < 0)
		fail(err, "%s/%s: cannot write: %s", s->path, name, strerror(e));
	return rc;
}

int state_write(struct state_dir *s, const char *name, const void *buf,
		size_t len, mode_t mode, char **err)
{
	return write_in(s, name, buf, len, mode, 0, err);
}

int state_write_transient(struct state_dir *s, const char *name, const void *buf,
			  size_t len, mode_t mode, char **err)
{
	return write_in(s, name, buf, len, mode, 1, err);
}

int state_remove(struct state_dir *s, const char *name)
{
	if (unlinkat(s->fd, name, 0) < 0 && errno != ENOENT)
		return -1;
	return 0;
}

int state_has(struct state_dir *s, const char *name)
{
	struct stat st;

	return fstatat(s->fd, name, &st, AT_SYMLINK_NOFOLLOW) == 0 && S_ISREG(st.st_mode) &&
	       untrusted_why(&st) == NULL;
}

int state_rename(struct state_dir *s, const char *from, const char *to)
{
	if (!state_has(s, from)) {
		errno = EINVAL;
		return -1;
	}
	return renameat(s->fd, from, s->fd, to);
}
