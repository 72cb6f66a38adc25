/*
 * dropin: the guard's own pool-configuration file, DROPIN_NAME in the
 * directory a php-fpm.conf includes (pool.d/zz-php-fpm-guard.conf).
 *
 * php-fpm merges a re-opened [name] section into the pool of that name,
 * later values winning (php-src fpm_conf.c; conformance case
 * 16-case-insensitive-reopen), and pool.d/ *.conf is read in sorted
 * order, so explicit listen.* values here override what a package's
 * www.conf says -- without editing www.conf, which would make it a
 * locally modified conffile that every later upgrade stops on.
 *
 * The file is the guard's: it starts with DROPIN_MAGIC, holds only
 * sections of listen.* lines, and is rewritten whole.  A file at that
 * path without the magic line is someone else's and is never touched.
 * An entry must never outlive its pool: a section here for a pool that
 * no other file defines would be a pool without `listen`, and php-fpm
 * would refuse to start.  Pure functions; the caller reads and writes.
 */
#ifndef PFG_DROPIN_H
#define PFG_DROPIN_H

#include <stddef.h>

#define DROPIN_NAME "zz-php-fpm-guard.conf"
#define DROPIN_MAGIC "; php-fpm-guard drop-in"
#define DROPIN_MAX_LINES 4

struct dropin_entry {
	char *pool;
	char *lines[DROPIN_MAX_LINES];	/* "listen.owner = www-data" */
	size_t nlines;
};

struct dropin {
	struct dropin_entry *v;
	size_t n;
};

/* 0, or -1 with *err when the bytes are not a drop-in of ours. */
int dropin_parse(const char *buf, size_t len, struct dropin *d, char **err);
/* Replace (or add) the entry for pool (matched case-insensitively). */
void dropin_set(struct dropin *d, const char *pool, char *const *lines, size_t n);
/* Drop the entries whose pool exists() says is gone; returns how many. */
size_t dropin_prune(struct dropin *d, int (*exists)(void *ctx, const char *pool),
		    void *ctx);
/* The file's bytes (caller frees). */
char *dropin_render(const struct dropin *d);
void dropin_free(struct dropin *d);

#endif
