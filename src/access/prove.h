/*
 * prove: connect() to sockets as another user, for real.
 *
 * One child per user drops to that user's uid, gid and supplementary
 * groups (setgroups, setgid, setuid, in that order, each checked) and
 * tries every path it is given.  It opens each path O_PATH|O_NOFOLLOW as
 * that user (the directories' search permission is checked there), makes
 * sure it is still the inode the probe judged -- a symlink or another
 * file planted since is never followed -- and connects non-blocking
 * through that fd, so a full backlog cannot hang it and nothing but the
 * probed socket is ever connected to.
 *
 * The child runs as the client user, who may stop or kill it: the
 * parent gives it PROVE_DEADLINE_MS in all, then SIGKILLs and reaps it.
 * It holds no fd but its pipe (no lock, no state file), so whatever
 * becomes of it, the guard's lock goes with the guard.
 *
 * Only the kernel's answer is reported:
 *   PROVE_OK        connected, or the listener is busy (EAGAIN)
 *   PROVE_REFUSED   permission passed but nobody listens (ECONNREFUSED)
 *   PROVE_DENIED    EACCES/EPERM: the web server would log error 13
 *   PROVE_ABSENT    ENOENT/ENOTDIR
 *   PROVE_OTHER     anything else (errno kept)
 *   PROVE_SKIPPED   not run (not root, path too long for sun_path)
 *   PROVE_CHANGED   the path is no longer the probed socket: not connected
 *   PROVE_STOPPED   the child was stopped (SIGSTOP) and killed at its deadline
 *   PROVE_KILLED    the child died by a signal before answering
 *   PROVE_TIMEOUT   the child did not answer by its deadline; killed
 */
#ifndef PFG_PROVE_H
#define PFG_PROVE_H

#include <stddef.h>
#include <sys/types.h>
#include "../accounts/accounts.h"

#define PROVE_DEADLINE_MS 5000

enum prove_result {
	PROVE_SKIPPED,
	PROVE_OK,
	PROVE_REFUSED,
	PROVE_DENIED,
	PROVE_ABSENT,
	PROVE_OTHER,
	PROVE_CHANGED,
	PROVE_STOPPED,
	PROVE_KILLED,
	PROVE_TIMEOUT
};

/* One socket to prove: a host path and the inode the probe judged. */
struct prove_target {
	const char *path;
	dev_t dev;
	ino_t ino;
};

/* results[i] and errs[i] are filled for each target (errs[i]: the
 * connect's errno, or the signal that stopped or killed the child). */
void prove_connect(const struct account_user *u, const struct prove_target *t,
		   size_t n, enum prove_result *results, int *errs);

/* Words for a result; static storage. */
const char *prove_result_name(enum prove_result r);

/* Nonzero when the result means the user got through the permission check. */
int prove_result_permits(enum prove_result r);

/* Nonzero when the child never answered: stopped, killed or timed out. */
int prove_result_lost(enum prove_result r);

#endif
