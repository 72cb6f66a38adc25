/*
 * fpmcache: php-fpm's own answers, remembered between hook runs.
 *
 * Asking php-fpm costs an exec of about 20 ms per question, twice per apt
 * run per instance, and unattended-upgrades runs the hooks once per
 * package.  The answers only change when what php-fpm reads changes, so
 * they are kept in STATE/fpm-cache.json under a key that covers exactly
 * that: for `-t`, the identity (path, device, inode, size, mtime, ctime)
 * of every config file read plus the binary's identity; for `-v`, the
 * binary's identity.  A config that takes values from the environment
 * (${VAR}) is never cached.  The file is read like every state file:
 * anything malformed is an empty cache, never a trusted answer.
 */
#ifndef PFG_FPMCACHE_H
#define PFG_FPMCACHE_H

/* Its file in the state dir: written by the hooks, read by the plugin. */
#define FPM_CACHE_FILE "fpm-cache.json"

#include <stddef.h>

struct fpm_adoption {
	char *pool;
	int key;		/* enum fpm_key */
	char *value;		/* NULL: php-fpm says undefined */
};

struct fpm_cache_entry {
	char *config;
	unsigned long long key;
	int verdict;		/* 1 accepted, 0 refused */
	char *messages;
	struct fpm_adoption *adopt;
	size_t nadopt;
};

struct fpm_cache_version {
	char *binary;
	unsigned long long key;
	char *version;
};

/* php*-fpm package versions as dpkg's status file said them. */
struct fpm_cache_pkgs {
	unsigned long long key;	/* the status file's identity; 0: none */
	char **names, **versions, **statuses;
	size_t n;
};

struct fpm_cache {
	struct fpm_cache_pkgs pkgs;
	struct fpm_cache_entry *v;
	size_t n;
	struct fpm_cache_version *ver;
	size_t nver;
	int dirty;
	unsigned hits, misses;
};

/* Parse a cache file's bytes (NULL: start empty).  Never fails. */
void fpm_cache_load(struct fpm_cache *c, const char *buf, size_t len);
/* The bytes to store, or NULL when nothing changed (caller frees). */
char *fpm_cache_dump(const struct fpm_cache *c);
void fpm_cache_free(struct fpm_cache *c);

const struct fpm_cache_entry *fpm_cache_get(struct fpm_cache *c, const char *config,
					    unsigned long long key);
/* Takes copies. */
void fpm_cache_put(struct fpm_cache *c, const char *config, unsigned long long key,
		   int verdict, const char *messages,
		   const struct fpm_adoption *adopt, size_t nadopt);

const char *fpm_cache_get_version(struct fpm_cache *c, const char *binary,
				  unsigned long long key);
void fpm_cache_put_version(struct fpm_cache *c, const char *binary,
			   unsigned long long key, const char *version);

/* The package list for a status file identity, or NULL. */
const struct fpm_cache_pkgs *fpm_cache_get_pkgs(const struct fpm_cache *c,
					       unsigned long long key);
void fpm_cache_put_pkgs(struct fpm_cache *c, unsigned long long key,
			char *const *names, char *const *versions,
			char *const *statuses, size_t n);

#endif
