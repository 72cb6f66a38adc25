/*
 * accounts: user and group lookups as php-fpm and the kernel see them.
 *
 * For the host root this is NSS (getpwnam, getgrouplist), so LDAP or sssd
 * users resolve as php-fpm resolves them.  For any other --root it is the
 * root's own etc/passwd and etc/group, never the host's.  Every answer is
 * cached: a host with thousands of pools asks about www-data once.
 */
#ifndef PFG_ACCOUNTS_H
#define PFG_ACCOUNTS_H

#include <stddef.h>
#include <sys/types.h>

#include "../util/rootfs.h"

struct account_user {
	char *name;
	uid_t uid;
	gid_t gid;		/* primary group */
	gid_t *groups;		/* all groups, primary included */
	size_t ngroups;
};

struct accounts;

struct accounts *accounts_open(const struct rootfs *r);
void accounts_close(struct accounts *a);

/* NULL when the user does not exist. */
const struct account_user *accounts_user(struct accounts *a, const char *name);
const struct account_user *accounts_user_by_uid(struct accounts *a, uid_t uid);

/* 0 and *gid, or -1 when the group does not exist. */
int accounts_group(struct accounts *a, const char *name, gid_t *gid);

/* Name for an id, or the number as text; the string lives as long as a. */
const char *accounts_user_name(struct accounts *a, uid_t uid);
const char *accounts_group_name(struct accounts *a, gid_t gid);

#endif
