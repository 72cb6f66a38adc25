/*
 * apt: installed package versions (and conffile digests) from dpkg's
 * status file, asked of libapt-pkg through the aptshim object.
 *
 * The shim is dlopen()ed from a path fixed at build time (PFG_SHIM_PATH,
 * never from the environment: this runs as root) the first time it is
 * needed, so a host without PHP-FPM never loads libapt-pkg.  When it
 * cannot be loaded the guard goes on without package versions and says
 * why once.
 */
#ifndef PFG_APT_H
#define PFG_APT_H

#include <stddef.h>
#include "aptshim.h"

struct pkg_db {
	struct aptshim_status st;
	int loaded;		/* st holds an answer */
	int own;		/* st was filled by pkg_db_set, not by the shim */
	char *error;		/* why not */
};

/* Fill db without the shim (from the cache): name, version and status
 * of each package, copied. */
void pkg_db_set(struct pkg_db *db, char *const *names, char *const *versions,
		char *const *statuses, size_t n);

/* Read the status file at host path into db (patterns as in aptshim). */
int pkg_db_read(struct pkg_db *db, const char *status_path,
		const char *const *patterns, size_t npatterns);
void pkg_db_free(struct pkg_db *db);

/* The installed version of package name (any architecture); NULL if it
 * is not installed or the database could not be read. */
const char *pkg_db_version(const struct pkg_db *db, const char *name);
const struct aptshim_package *pkg_db_find(const struct pkg_db *db, const char *name);

/* dpkg's conffile digest (MD5, hex) of buf, through the shim.  0 or -1. */
int pkg_md5(const void *buf, size_t len, char out[33]);

#endif
