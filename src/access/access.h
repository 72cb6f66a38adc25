/*
 * access: may this user connect() to this unix socket?  A pure decision.
 *
 * Linux allows connect() on a unix socket path when the caller has search
 * permission on every directory on the way and write permission on the
 * socket inode.  Permissions are decided as in POSIX.1e ACLs (acl(5)):
 * owner, then named users (masked), then the owning group and named groups
 * (masked; one granting entry suffices, a matching entry that does not
 * grant denies), then other.  uid 0 passes (CAP_DAC_OVERRIDE).
 */
#ifndef PFG_ACCESS_H
#define PFG_ACCESS_H

#include <stddef.h>
#include <sys/types.h>

enum acl_tag { T_USER_OBJ, T_USER, T_GROUP_OBJ, T_GROUP, T_MASK, T_OTHER };

struct acl_ent {
	enum acl_tag tag;
	unsigned long id;	/* uid or gid for T_USER / T_GROUP */
	unsigned perm;		/* 4 r, 2 w, 1 x */
};

/* Metadata of one file system object (socket or directory). */
struct fsobj {
	mode_t mode;		/* st_mode, type bits included */
	uid_t uid;
	gid_t gid;
	struct acl_ent *acl;	/* NULL/0: no extended ACL */
	size_t nacl;
};

struct cred {
	uid_t uid;
	gid_t gid;
	const gid_t *groups;	/* all groups, primary included */
	size_t ngroups;
};

#define WANT_W 2u
#define WANT_X 1u

/* Nonzero when c may have all of want on o. */
int access_allows(const struct fsobj *o, const struct cred *c, unsigned want);

/*
 * Walk dirs (outermost first, the socket's directory last) for search and
 * the socket for write.  Returns 1 when connect() would pass the
 * permission checks; otherwise 0 and *blocker is the index in dirs of the
 * directory that stops it, or ndirs when it is the socket itself.
 */
int access_can_connect(const struct fsobj *dirs, size_t ndirs,
		       const struct fsobj *sock, const struct cred *c,
		       size_t *blocker);

/* "0660" style text of the permission bits (buf of 8 bytes at least). */
const char *access_mode_str(mode_t mode, char *buf);

#endif
