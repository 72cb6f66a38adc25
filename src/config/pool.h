/*
 * pool: a pool as the config reader leaves it -- the settings the guard
 * reads, each with the file:line it came from.  Plain types only, so that
 * the pure layers (effective, snapshot, diff) see no reader; fpmconf.h
 * fills them.  fpm_key_names and fpm_listen_is_unix are defined in
 * fpmconf.c; the names live for the whole run.
 */
#ifndef PFG_POOL_H
#define PFG_POOL_H

enum fpm_key {
	K_USER,
	K_GROUP,
	K_LISTEN,
	K_LISTEN_OWNER,
	K_LISTEN_GROUP,
	K_LISTEN_MODE,
	K_LISTEN_ACL_USERS,
	K_LISTEN_ACL_GROUPS,
	K_PREFIX,
	K_NKEYS
};

/* The key names as php-fpm spells them (and as --json reports them). */
extern const char *const fpm_key_names[K_NKEYS];

struct fpm_setting {
	char *value;		/* NULL: undefined (php-fpm -tt "undefined") */
	char *file;
	int line;
	int uses_env;		/* value came (partly) from ${VAR} */
};

struct fpm_pool {
	char *name;		/* as first spelled */
	char *file;		/* where the section was first opened */
	int line;
	struct fpm_setting set[K_NKEYS];
};

/* A listen value names a unix socket (php-fpm: no ':' and not all digits). */
int fpm_listen_is_unix(const char *listen);

#endif
