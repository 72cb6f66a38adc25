#include "rootglob.h"
#include "xalloc.h"

#include <dirent.h>
#include <fcntl.h>
#include <glob.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

const char *rootglob_refusal(const char *pattern)
{
	const char *p;
	size_t levels = 0;
	int wild = 0;

	if (strlen(pattern) >= PATH_MAX)
		return "longer than PATH_MAX";
	for (p = pattern; *p; p++) {
		if (*p == '/') {
			levels += wild;
			wild = 0;
		} else if (strchr("*?[", *p)) {
			wild = 1;
		}
	}
	if (levels + (size_t)wild > ROOTGLOB_MAX_WILD_LEVELS)
		return "more than 64 directory levels with wildcards";
	return NULL;
}

/* glob's callbacks take no context: the root, for one glob() call.
 * volatile: bullseye's GCC 10 at -O2 drops the store before glob() (it
 * misses that glob calls back into the readers below), every callback
 * then got NULL and every --root read crashed (tests/conformance/gates.sh
 * glob-in-root*, make conformance-versions). */
static const struct rootfs *volatile glob_root;

static void *rg_opendir(const char *path)
{
	int fd = rootfs_open(glob_root, *path ? path : "/", O_RDONLY | O_DIRECTORY);
	DIR *d;

	if (fd < 0)
		return NULL;
	if ((d = fdopendir(fd)) == NULL)
		close(fd);
	return d;
}

static struct dirent *rg_readdir(void *d)
{
	return readdir(d);
}

static void rg_closedir(void *d)
{
	closedir(d);
}

static int rg_lstat(const char *path, struct stat *st)
{
	return rootfs_lstat(glob_root, path, st);
}

static int rg_stat(const char *path, struct stat *st)
{
	return rootfs_stat(glob_root, path, st);
}

int rootglob_cmp(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* glob(3) itself; g filled, glob's return code. */
static int glob_in_root(const struct rootfs *r, const char *pattern, int flags, glob_t *g)
{
	int gflags = GLOB_NOSORT | GLOB_MARK, rc;

	memset(g, 0, sizeof *g);
	if (flags & ROOTGLOB_ERR)
		gflags |= GLOB_ERR;
	/* On the host itself there is nothing to escape from: glob's own
	 * directory reading, without an openat2 per entry (a thousand
	 * sites), and without GLOB_MARK no stat per match either. */
	if (r->is_host) {
		if (flags & ROOTGLOB_HOST_DIRS)
			gflags &= ~GLOB_MARK;
		return glob(pattern, gflags, NULL, g);
	}
	g->gl_opendir = rg_opendir;
	g->gl_readdir = rg_readdir;
	g->gl_closedir = rg_closedir;
	g->gl_lstat = rg_lstat;
	g->gl_stat = rg_stat;
	glob_root = r;
	rc = glob(pattern, gflags | GLOB_ALTDIRFUNC, NULL, g);
	glob_root = NULL;
	return rc;
}

/* g's matches without GLOB_MARK'ed directories, copied: 0, or -1 when
 * there are more than max. */
static int keep_files(const glob_t *g, size_t max, char ***out, size_t *n)
{
	size_t i, l;

	for (i = 0; i < g->gl_pathc; i++) {
		l = strlen(g->gl_pathv[i]);
		if (l == 0 || g->gl_pathv[i][l - 1] == '/')
			continue;
		if (*n >= max)
			return -1;
		*out = xreallocarray(*out, *n + 1, sizeof **out);
		(*out)[(*n)++] = xstrdup(g->gl_pathv[i]);
	}
	return 0;
}

int rootglob(const struct rootfs *r, const char *pattern, int flags, size_t max,
	     char ***out, size_t *n, const char **why)
{
	static char too_many[64];
	glob_t g;
	int rc;

	*out = NULL;
	*n = 0;
	*why = NULL;
	if (max == 0 || max > ROOTGLOB_MAX_MATCHES)
		max = ROOTGLOB_MAX_MATCHES;
	if ((*why = rootglob_refusal(pattern)) != NULL)
		return -1;
	rc = glob_in_root(r, pattern, flags, &g);
	if (rc == 0 && keep_files(&g, max, out, n) < 0) {
		snprintf(too_many, sizeof too_many, "matches more than %zu files", max);
		*why = too_many;
	} else if (rc == GLOB_NOSPACE)
		*why = "out of memory";
	else if (rc != 0 && rc != GLOB_NOMATCH)
		*why = "a directory on the way cannot be read";
	globfree(&g);
	if (*why) {
		rootglob_free(*out, *n);
		*out = NULL;
		*n = 0;
		return -1;
	}
	if (*n > 1)
		qsort(*out, *n, sizeof **out, rootglob_cmp);
	return 0;
}

void rootglob_free(char **v, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		free(v[i]);
	free(v);
}
