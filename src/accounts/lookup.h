/*
 * lookup: the questions the pure layers may ask about users and groups
 * (accounts.h opens the answers for a root).  Every pointer returned lives
 * as long as the struct accounts it came from.
 */
#ifndef PFG_LOOKUP_H
#define PFG_LOOKUP_H

#include <stddef.h>
#include <sys/types.h>

struct account_user {
	char *name;
	uid_t uid;
	gid_t gid;		/* primary group */
	gid_t *groups;		/* all groups, primary included */
	size_t ngroups;
};

struct accounts;

/* NULL when the user does not exist. */
const struct account_user *accounts_user(struct accounts *a, const char *name);
const struct account_user *accounts_user_by_uid(struct accounts *a, uid_t uid);

/* 0 and *gid, or -1 when the group does not exist. */
int accounts_group(struct accounts *a, const char *name, gid_t *gid);

/* Name for an id, or the number as text; the string lives as long as a. */
const char *accounts_user_name(struct accounts *a, uid_t uid);
const char *accounts_group_name(struct accounts *a, gid_t gid);

#endif
