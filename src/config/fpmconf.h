/*
 * fpmconf: read a php-fpm.conf and everything it includes, the way php-fpm
 * does (php-src sapi/fpm/fpm/fpm_conf.c), on top of libinih.
 *
 * Contract:
 *   - Each physical line is one INI statement (php-fpm parses line by line:
 *     no continuation lines, lines of any length).
 *   - include= takes a glob, sorted; a relative pattern resolves against the
 *     prefix (/usr on Debian), not the including file; at most
 *     FPM_MAX_INCLUDE_DEPTH files deep.  After an include the current
 *     section is whatever the included file left open.
 *   - [name] opens or re-opens a pool, case-insensitively, from any file;
 *     [global] (any case) switches back.  A repeated key: last one wins.
 *   - $pool is expanded in every value as it is set (fpm_conf_set_string).
 *   - '#' starts a comment only for php5 (dialect.hash_comments); for
 *     PHP >= 7 it is an unknown entry, an error, as php-fpm reports it.
 *   - Unknown keys are errors, like php-fpm.  Parsing stops at the first
 *     error, like php-fpm; the error names file:line.
 *
 * All paths are inside the rootfs given.
 */
#ifndef PFG_FPMCONF_H
#define PFG_FPMCONF_H

#include <stddef.h>

#include "../util/rootfs.h"
#include "inivalue.h"
#include "pool.h"

#define FPM_MAX_INCLUDE_DEPTH 5
#define FPM_MAX_FILE_SIZE ((size_t)64 << 20)

struct fpm_error {
	char *file;		/* NULL when not tied to a file */
	int line;		/* 0 when not tied to a line */
	char *msg;
};

struct fpm_dialect {
	int hash_comments;	/* php5: '#' lines are comments */
	const char *prefix;	/* php-fpm's prefix, "/usr" on Debian */
	ini_getenv_fn getenv_fn;
	void *env_ctx;
};

struct fpm_conf {
	char *path;
	char *pid_file;		/* [global] pid, if set */
	struct fpm_pool *pools;
	size_t npools, cap_pools;
	struct fpm_error *errors;
	size_t nerrors, cap_errors;
	char **files;		/* every file read, in order */
	size_t nfiles, cap_files;
	/* Digest of every file's path and stat identity (device, inode,
	 * size, mtime, ctime) in read order: equal digests mean php-fpm
	 * would read the same bytes, so its verdict can be reused. */
	unsigned long long identity;
	int uses_env;		/* some value anywhere took part of a ${VAR} */
	/* case-insensitive name -> pool index, open addressing */
	size_t *index;
	size_t index_cap;
};

/*
 * Read path (inside r) into c.  Returns 0 when php-fpm would accept the
 * syntax, -1 when it would refuse it (c->errors says why).  c is always
 * filled as far as reading got and must be freed with fpm_conf_free().
 */
int fpm_conf_read(struct fpm_conf *c, const struct rootfs *r, const char *path,
		  const struct fpm_dialect *d);
void fpm_conf_free(struct fpm_conf *c);

/* Record an error (file may be NULL, line 0). */
void fpm_conf_add_error(struct fpm_conf *c, const char *file, int line,
			const char *fmt, ...) __attribute__((format(printf, 4, 5)));

/* FNV-1a 64 mixing for identity digests (h = 0 starts one). */
struct stat;
unsigned long long fpm_identity_mix(unsigned long long h, const void *p, size_t n);
unsigned long long fpm_identity_stat(unsigned long long h, const struct stat *st);

struct fpm_pool *fpm_conf_find_pool(const struct fpm_conf *c, const char *name);

#endif
