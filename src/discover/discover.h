/*
 * discover: which PHP-FPM instances this host (or --root image) has.
 *
 * php5-fpm:    /etc/php5/fpm/php-fpm.conf   binary /usr/sbin/php5-fpm
 * php7.x/8.x:  /etc/php/X.Y/fpm/php-fpm.conf binary /usr/sbin/php-fpmX.Y
 * The binary is asked for its version (-v) and, for `check`, to test its
 * own config (-t) -- only on the host root, where running it is
 * meaningful.
 */
#ifndef PFG_DISCOVER_H
#define PFG_DISCOVER_H

#include <stddef.h>
#include "../util/rootfs.h"

struct instance_loc {
	char *config;		/* inside the root */
	char *binary;		/* inside the root; NULL when not installed */
	char *package;		/* php5-fpm, php8.2-fpm; NULL when unknown */
};

/* Discovered instances, sorted by config path. */
size_t discover_instances(const struct rootfs *r, struct instance_loc **out);

/* An instance for an explicit --fpm-config path (binary guessed). */
void discover_from_config(const struct rootfs *r, const char *config,
			  struct instance_loc *out);

void instance_loc_free(struct instance_loc *l);
/* The Debian package that ships a php-fpm binary, by its name
 * (/usr/sbin/php-fpm8.2 -> php8.2-fpm); NULL for other names. */
char *discover_package_of_binary(const char *binary);

/* "8.2.36" / "5.3.10-1ubuntu3.12" from `binary -v`; NULL on failure. */
char *discover_binary_version(const char *host_binary);

/* One pool's values as `php-fpm -tt` prints them (NULL: "undefined"). */
struct fpm_dump_pool {
	char *name;
	char *values[16];	/* indexed like keys[] given to discover_fpm_test */
	unsigned seen;		/* bit k: php-fpm printed key k (values[k] NULL
				 * with the bit set: "undefined") */
};

struct fpm_dump {
	struct fpm_dump_pool *pools;
	size_t npools, cap;
};

/*
 * Run `binary -tt -y config` (the instance's own verdict and reading).
 * Returns 1 when php-fpm accepts the config, 0 when it refuses it
 * (*messages holds its ERROR/ALERT lines, or says how it was killed:
 * a php-fpm that does not answer counts as a refusal), -1 when it could
 * not be run.  env ("NAME=value", nenv of them) is added to the child's
 * fixed environment.  dump receives, per pool, the values of the nkeys
 * keys named in keys.
 */
int discover_fpm_test(const char *host_binary, const char *host_config,
		      const char *const *env, size_t nenv,
		      const char *const *keys, size_t nkeys,
		      struct fpm_dump *dump, char **messages);
void fpm_dump_free(struct fpm_dump *d);

#endif
