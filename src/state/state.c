#include "state.h"
#include "../util/atomicfile.h"
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

static int mkdir_parents(const char *path, mode_t mode)
{
	char *p = xstrdup(path), *s;
	int rc = 0;

	for (s = p + 1; (s = strchr(s, '/')) != NULL; s++) {
		*s = '\0';
		if (mkdir(p, 0755) < 0 && errno != EEXIST)
			rc = -1;
		*s = '/';
	}
	if (rc == 0 && mkdir(p, mode) < 0 && errno != EEXIST)
		rc = -1;
	free(p);
	return rc;
}

int state_open(struct state_dir *s, const char *path, mode_t create_mode,
	       char **err)
{
	struct stat st;
	const char *why = NULL;

	memset(s, 0, sizeof *s);
	s->fd = s->lock_fd = -1;
	if (path[0] != '/')
		return fail(err, "%s: not an absolute path", path);
	/* "dir/" would make lstat and O_NOFOLLOW follow a final symlink. */
	if (strlen(path) > 1 && path[strlen(path) - 1] == '/')
		return fail(err, "%s: give the directory without a trailing '/'", path);
	if (lstat(path, &st) < 0) {
		if (errno != ENOENT || mkdir_parents(path, create_mode) < 0)
			return fail(err, "%s: %s", path, strerror(errno));
	}
	s->fd = open(path, O_PATH | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	if (s->fd < 0)
		return fail(err, "%s: %s", path,
			    errno == ENOTDIR || errno == ELOOP
				    ? "not a directory (a symlink or a file): refused"
				    : strerror(errno));
	if (fstat(s->fd, &st) < 0 || (why = untrusted_why(&st)) != NULL) {
		int e = errno;
		close(s->fd);
		s->fd = -1;
		return fail(err, "%s: %s: refused", path, why ? why : strerror(e));
	}
	s->path = xstrdup(path);
	s->gid = st.st_gid;
	return 0;
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

int state_write(struct state_dir *s, const char *name, const void *buf,
		size_t len, mode_t mode, char **err)
{
	char *p = state_path(s, name);
	int rc = atomic_file_replace(p, 0, buf, len, geteuid(), s->gid, mode);

	if (rc < 0)
		fail(err, "%s: cannot write: %s", p, strerror(errno));
	free(p);
	return rc;
}

int state_write_transient(struct state_dir *s, const char *name, const void *buf,
			  size_t len, mode_t mode, char **err)
{
	char *p = state_path(s, name);
	int rc = atomic_file_replace_transient(p, buf, len, geteuid(), s->gid, mode);

	if (rc < 0)
		fail(err, "%s: cannot write: %s", p, strerror(errno));
	free(p);
	return rc;
}

int state_remove(struct state_dir *s, const char *name)
{
	if (unlinkat(s->fd, name, 0) < 0 && errno != ENOENT)
		return -1;
	return 0;
}
