/*
 * version: what a php-fpm build does by default, decided from its version.
 *
 * The one default that matters here changed with CVE-2014-0185: sockets
 * were created 0666 before the fix and 0660 after.  Upstream fixed it in
 * 5.4.28 and 5.5.12 (5.6 shipped fixed); distributions backported it:
 *   Debian wheezy  5.4.4-14+deb7u10      (DSA-2943-1)
 *   Ubuntu precise 5.3.10-1ubuntu3.12    (USN-2254-1)
 *   Ubuntu saucy   5.5.3+dfsg-1ubuntu2.4 (USN-2254-1)
 *   Ubuntu trusty  5.5.9+dfsg-1ubuntu4.1 (USN-2254-1)
 * Pure functions, no I/O.
 */
#ifndef PFG_VERSION_H
#define PFG_VERSION_H

#include <sys/types.h>

/* dpkg's version ordering (epoch:upstream-revision, '~' sorts first). */
int deb_version_cmp(const char *a, const char *b);

struct fpm_build {
	const char *version;	/* as reported (binary -v or package); may be NULL */
	int known;		/* version could be parsed */
	int major, minor, patch;
	mode_t default_mode;	/* 0666 before the CVE-2014-0185 fix, else 0660 */
	int has_acl;		/* listen.acl_* exist (>= 5.6.5, ACL build) */
	int numeric_ids;	/* listen.owner/group may be numbers (>= 7.4.5) */
	int hash_comments;	/* '#' starts a comment (PHP 5) */
};

/* Fill b from a version string such as "8.2.36", "8.2.36-1~deb12u1" or
 * "5.3.10-1ubuntu3.12".  An unknown version assumes a current build. */
void fpm_build_from_version(struct fpm_build *b, const char *version);

#endif
