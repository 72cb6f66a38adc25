/*
 * effective: what php-fpm will create at its next start, from the
 * declared settings and the build (php-src fpm_unix.c
 * fpm_unix_resolve_socket_permissions, fpm_sockets.c).
 *
 *   mode   listen.mode read as octal (strtoul base 8: "660" == "0660";
 *          parsing stops at the first non-octal digit), else the build's
 *          default (0660; 0666 before the CVE-2014-0185 fix).  The kernel
 *          keeps only the 0777 bits (bind under umask(0777 ^ mode)).
 *   owner  listen.owner: a name gives its uid AND its primary group; a
 *          number (PHP >= 7.4.5) gives the uid only.  Unset: the master's
 *          user (root).
 *   group  listen.group (name or number), else the owner's primary group
 *          when the owner was a name, else the master's group -- or the
 *          directory's group when that directory is set-group-ID.
 *   ACL    listen.acl_users / listen.acl_groups (comma lists, names only,
 *          no trimming) on ACL builds: owner and group are ignored, the
 *          socket stays the master's, entries get rw and the mask shows
 *          in the group bits.
 * Pure apart from the account lookups it is handed (accounts/lookup.h);
 * no I/O header.
 */
#ifndef PFG_EFFECTIVE_H
#define PFG_EFFECTIVE_H

#include "../access/access.h"
#include "../accounts/lookup.h"
#include "../config/pool.h"
#include "version.h"

struct eff_name {
	char *name;
	unsigned long id;
	int resolved;
};

struct effective {
	int is_unix;
	const char *path;	/* listen value (inside the root) */
	uid_t uid;
	gid_t gid;
	mode_t mode;		/* permission bits the socket will show */
	struct eff_name *acl_users, *acl_groups;
	size_t nacl_users, nacl_groups;
	int acl_active;
	const char *owner_from, *group_from, *mode_from; /* "file:line"/"default" */
	char *owner_src, *group_src, *mode_src;	/* storage for the above */
	char **errors;		/* php-fpm would refuse to start */
	size_t nerrors;
	char **notes;
	size_t nnotes;
	struct fsobj obj;	/* the socket as it will be, for access checks */
};

struct master {
	uid_t uid;
	gid_t gid;
	int dir_setgid;		/* socket directory has S_ISGID */
	gid_t dir_gid;
};

void effective_compute(const struct fpm_pool *p, const struct fpm_build *b,
		       struct accounts *a, const struct master *m,
		       struct effective *out);
void effective_free(struct effective *e);

#endif
