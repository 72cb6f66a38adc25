#include "access.h"

#include <stdio.h>
#include <sys/stat.h>

static int in_groups(const struct cred *c, gid_t g)
{
	size_t i;

	if (c->gid == g)
		return 1;
	for (i = 0; i < c->ngroups; i++)
		if (c->groups[i] == g)
			return 1;
	return 0;
}

static int allows_by_mode(const struct fsobj *o, const struct cred *c,
			  unsigned want)
{
	unsigned perm;

	if (c->uid == o->uid)
		perm = (o->mode >> 6) & 7;
	else if (in_groups(c, o->gid))
		perm = (o->mode >> 3) & 7;
	else
		perm = o->mode & 7;
	return (perm & want) == want;
}

static int allows_by_acl(const struct fsobj *o, const struct cred *c,
			 unsigned want)
{
	unsigned mask = 7, other = 0;
	int group_matched = 0;
	size_t i;

	for (i = 0; i < o->nacl; i++) {
		if (o->acl[i].tag == T_MASK)
			mask = o->acl[i].perm;
		if (o->acl[i].tag == T_OTHER)
			other = o->acl[i].perm;
	}
	if (c->uid == o->uid) {
		for (i = 0; i < o->nacl; i++)
			if (o->acl[i].tag == T_USER_OBJ)
				return (o->acl[i].perm & want) == want;
		return 0;
	}
	for (i = 0; i < o->nacl; i++)
		if (o->acl[i].tag == T_USER && o->acl[i].id == c->uid)
			return (o->acl[i].perm & mask & want) == want;
	for (i = 0; i < o->nacl; i++) {
		const struct acl_ent *e = &o->acl[i];
		int match = (e->tag == T_GROUP_OBJ && in_groups(c, o->gid)) ||
			    (e->tag == T_GROUP && in_groups(c, (gid_t)e->id));
		if (!match)
			continue;
		group_matched = 1;
		if ((e->perm & mask & want) == want)
			return 1;
	}
	if (group_matched)
		return 0;
	return (other & want) == want;
}

int access_allows(const struct fsobj *o, const struct cred *c, unsigned want)
{
	if (c->uid == 0)
		return 1;
	if (o->nacl > 0)
		return allows_by_acl(o, c, want);
	return allows_by_mode(o, c, want);
}

int access_can_connect(const struct fsobj *dirs, size_t ndirs,
		       const struct fsobj *sock, const struct cred *c,
		       size_t *blocker)
{
	size_t i;

	for (i = 0; i < ndirs; i++)
		if (!access_allows(&dirs[i], c, WANT_X)) {
			*blocker = i;
			return 0;
		}
	if (!access_allows(sock, c, WANT_W)) {
		*blocker = ndirs;
		return 0;
	}
	return 1;
}

const char *access_mode_str(mode_t mode, char *buf)
{
	snprintf(buf, 8, "%04o", (unsigned)(mode & 07777));
	return buf;
}
