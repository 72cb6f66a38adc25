/*
 * prove: connect() to sockets as another user, for real.
 *
 * One child per user drops to that user's uid, gid and supplementary
 * groups (setgroups, setgid, setuid, in that order, each checked) and
 * tries every path it is given with a non-blocking connect, so a full
 * backlog cannot hang it.  Only the kernel's answer is reported:
 *   PROVE_OK        connected, or the listener is busy (EAGAIN)
 *   PROVE_REFUSED   permission passed but nobody listens (ECONNREFUSED)
 *   PROVE_DENIED    EACCES/EPERM: the web server would log error 13
 *   PROVE_ABSENT    ENOENT/ENOTDIR
 *   PROVE_OTHER     anything else (errno kept)
 *   PROVE_SKIPPED   not run (not root, path too long for sun_path)
 */
#ifndef PFG_PROVE_H
#define PFG_PROVE_H

#include <stddef.h>
#include "../accounts/accounts.h"

enum prove_result {
	PROVE_SKIPPED,
	PROVE_OK,
	PROVE_REFUSED,
	PROVE_DENIED,
	PROVE_ABSENT,
	PROVE_OTHER
};

/* paths are host paths.  results[i] and errs[i] are filled for each. */
void prove_connect(const struct account_user *u, const char *const *paths,
		   size_t n, enum prove_result *results, int *errs);

const char *prove_result_name(enum prove_result r);

/* Nonzero when the result means the user got through the permission check. */
int prove_result_permits(enum prove_result r);

#endif
