/*
 * keys: the pool settings the guard reads, as php-fpm names them.  Plain
 * types only, so that the pure layers (snapshot, diff) can name a key
 * without seeing the config reader.  fpm_key_names is defined in
 * fpmconf.c and lives for the whole run.
 */
#ifndef PFG_KEYS_H
#define PFG_KEYS_H

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

#endif
