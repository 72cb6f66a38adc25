#include "atomicfile.h"
#include "fault.h"
#include "xalloc.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#define TMP_TAG ".pfg-"

static int split_path(const char *path, char **dir, char **base)
{
	const char *slash = strrchr(path, '/');

	if (slash == NULL || slash[1] == '\0') {
		errno = EINVAL;
		return -1;
	}
	*dir = slash == path ? xstrdup("/") : xstrndup(path, (size_t)(slash - path));
	*base = xstrdup(slash + 1);
	return 0;
}

static void random_suffix(char out[13])
{
	static const char hex[] = "0123456789abcdef";
	unsigned char b[6];
	size_t i;

	if (getrandom(b, sizeof b, 0) != (ssize_t)sizeof b) {
		/* No entropy yet: unique is enough, O_EXCL decides. */
		static unsigned long n;
		struct timespec ts;
		unsigned long long v;

		clock_gettime(CLOCK_MONOTONIC, &ts);
		v = (unsigned long long)ts.tv_nsec ^ ((unsigned long long)getpid() << 20) ^ ++n;
		for (i = 0; i < sizeof b; i++, v >>= 8)
			b[i] = (unsigned char)v;
	}
	for (i = 0; i < sizeof b; i++) {
		out[2 * i] = hex[b[i] >> 4];
		out[2 * i + 1] = hex[b[i] & 15];
	}
	out[12] = '\0';
}

static void release(struct atomic_file *af)
{
	if (af->fd >= 0)
		close(af->fd);
	if (af->dirfd >= 0)
		close(af->dirfd);
	free(af->base);
	free(af->tmp);
	memset(af, 0, sizeof *af);
	af->fd = af->dirfd = -1;
}

int atomic_file_begin_at(struct atomic_file *af, int dirfd, const char *name,
			 int must_exist, uid_t uid, gid_t gid, mode_t mode)
{
	struct stat st;
	char rnd[13];
	int tries, saved;

	memset(af, 0, sizeof *af);
	af->fd = af->dirfd = -1;
	if (*name == '\0' || strchr(name, '/') || !strcmp(name, ".") || !strcmp(name, "..")) {
		errno = EINVAL;
		return -1;
	}
	af->base = xstrdup(name);
	/* A descriptor of our own that fsync accepts (dirfd may be O_PATH). */
	af->dirfd = openat(dirfd, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (af->dirfd < 0)
		goto fail;
	if (fstatat(af->dirfd, af->base, &st, AT_SYMLINK_NOFOLLOW) == 0) {
		if (!S_ISREG(st.st_mode)) {
			errno = S_ISLNK(st.st_mode) ? ELOOP : EINVAL;
			goto fail;
		}
	} else if (errno != ENOENT || must_exist) {
		goto fail;
	}
	for (tries = 0; tries < 16; tries++) {
		random_suffix(rnd);
		free(af->tmp);
		af->tmp = xasprintf(".%s" TMP_TAG "%s", af->base, rnd);
		af->fd = openat(af->dirfd, af->tmp,
				O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600);
		if (af->fd >= 0 || errno != EEXIST)
			break;
	}
	if (af->fd < 0)
		goto fail;
	/* Owner first: chown clears set-id bits that fchmod then sets. */
	if (fchown(af->fd, uid, gid) < 0 || fchmod(af->fd, mode & 07777) < 0) {
		saved = errno;
		atomic_file_abort(af);
		errno = saved;
		return -1;
	}
	return 0;
fail:
	saved = errno;
	release(af);
	errno = saved;
	return -1;
}

int atomic_file_begin(struct atomic_file *af, const char *path, int must_exist,
		      uid_t uid, gid_t gid, mode_t mode)
{
	char *dir, *base;
	int dfd, rc, saved;

	memset(af, 0, sizeof *af);
	af->fd = af->dirfd = -1;
	if (split_path(path, &dir, &base) < 0)
		return -1;
	dfd = open(dir, O_PATH | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	rc = dfd < 0 ? -1 : atomic_file_begin_at(af, dfd, base, must_exist, uid, gid, mode);
	saved = errno;
	if (dfd >= 0)
		close(dfd);
	free(dir);
	free(base);
	errno = saved;
	return rc;
}

int atomic_file_write(struct atomic_file *af, const void *buf, size_t len)
{
	const char *p = buf;
	ssize_t n;

	while (len > 0) {
		n = write(af->fd, p, len);
		if (n < 0) {
			if (errno == EINTR)
				continue;
			return -1;
		}
		p += n;
		len -= (size_t)n;
	}
	return 0;
}

int atomic_file_commit(struct atomic_file *af)
{
	int saved;

	if (!af->transient && fsync(af->fd) < 0)
		goto fail;
	fault_point("after-temp-write");
	if (close(af->fd) < 0) {
		af->fd = -1;
		goto fail;
	}
	af->fd = -1;
	if (renameat(af->dirfd, af->tmp, af->dirfd, af->base) < 0)
		goto fail;
	fault_point("after-rename");
	/* The rename is durable only once the directory is. */
	if (!af->transient && fsync(af->dirfd) < 0) {
		saved = errno;
		release(af);
		errno = saved;
		return -1;
	}
	release(af);
	return 0;
fail:
	saved = errno;
	atomic_file_abort(af);
	errno = saved;
	return -1;
}

void atomic_file_abort(struct atomic_file *af)
{
	if (af->dirfd >= 0 && af->tmp)
		unlinkat(af->dirfd, af->tmp, 0);
	release(af);
}

/* Write and commit a begun file; on failure nothing is left behind. */
static int write_commit(struct atomic_file *af, const void *buf, size_t len, int transient)
{
	int saved;

	af->transient = transient;
	if (atomic_file_write(af, buf, len) < 0) {
		saved = errno;
		atomic_file_abort(af);
		errno = saved;
		return -1;
	}
	return atomic_file_commit(af);
}

int atomic_file_replace_at(int dirfd, const char *name, int must_exist, const void *buf,
			   size_t len, uid_t uid, gid_t gid, mode_t mode, int transient)
{
	struct atomic_file af;

	if (atomic_file_begin_at(&af, dirfd, name, must_exist, uid, gid, mode) < 0)
		return -1;
	return write_commit(&af, buf, len, transient);
}

static int replace(const char *path, int must_exist, const void *buf, size_t len,
		   uid_t uid, gid_t gid, mode_t mode, int transient)
{
	struct atomic_file af;

	if (atomic_file_begin(&af, path, must_exist, uid, gid, mode) < 0)
		return -1;
	return write_commit(&af, buf, len, transient);
}

int atomic_file_replace(const char *path, int must_exist, const void *buf,
			size_t len, uid_t uid, gid_t gid, mode_t mode)
{
	return replace(path, must_exist, buf, len, uid, gid, mode, 0);
}

int atomic_file_replace_transient(const char *path, const void *buf, size_t len,
				  uid_t uid, gid_t gid, mode_t mode)
{
	return replace(path, 0, buf, len, uid, gid, mode, 1);
}

/* Unlink our temp names for base in the directory dfd (closed here). */
static void sweep_dir(int dfd, const char *base)
{
	char *prefix = xasprintf(".%s" TMP_TAG, base);
	struct dirent *de;
	DIR *d;

	if (dfd >= 0 && (d = fdopendir(dfd)) != NULL) {
		while ((de = readdir(d)) != NULL)
			if (strncmp(de->d_name, prefix, strlen(prefix)) == 0 &&
			    strlen(de->d_name) == strlen(prefix) + 12)
				unlinkat(dirfd(d), de->d_name, 0);
		closedir(d);
	} else if (dfd >= 0) {
		close(dfd);
	}
	free(prefix);
}

void atomic_file_sweep(const char *path)
{
	char *dir, *base;

	if (split_path(path, &dir, &base) < 0)
		return;
	sweep_dir(open(dir, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC), base);
	free(dir);
	free(base);
}

void atomic_file_sweep_at(int dirfd, const char *base)
{
	/* A fresh open of the same directory: fdopendir would take dirfd
	 * and its offset. */
	if (*base && strchr(base, '/') == NULL && strcmp(base, ".") != 0 && strcmp(base, "..") != 0)
		sweep_dir(openat(dirfd, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC), base);
}
