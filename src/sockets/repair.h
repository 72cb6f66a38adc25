/*
 * repair: give the live socket the owner, group, mode and ACL that the
 * (fixed) config predicts, so the web server gets in again without a
 * php-fpm restart -- which the guard must not do behind apt's back.
 *
 * The path is opened O_PATH|O_NOFOLLOW inside the root and the very inode
 * opened is checked: it must be a socket, and the same device and inode
 * the probe saw.  A symlink or anything swapped in since the probe is
 * left alone (ESTALE / ELOOP / ENOTSOCK).  chown goes through the fd
 * (AT_EMPTY_PATH), chmod and the ACL through /proc/self/fd, so no path
 * is looked up twice.
 *
 * That the inode did not change since the probe says nothing of whose it
 * is: another pool's socket renamed onto the path, or a hard link of any
 * socket on the host, is a socket too.  So before any change the kernel
 * must prove it the pool's own (kernel.h: listening, bound under the
 * pool's path at this very inode, held by the instance's php-fpm
 * master).  Anything else is refused.  Where the kernel cannot be asked,
 * or nothing listens on the file (a stale one), only a socket on a way no
 * non-root user may write is changed; elsewhere it is refused as well:
 * the pool file's fix stays, and php-fpm's next start makes the socket.
 */
#ifndef PFG_REPAIR_H
#define PFG_REPAIR_H

#include <sys/stat.h>
#include "../access/access.h"
#include "../util/rootfs.h"
#include "kernel.h"

struct repair_target {
	const char *path;	/* inside the root */
	dev_t dev;		/* the inode the probe judged */
	ino_t ino;
	const struct sock_expect *expect;	/* whose socket it must be */
	const char *open_dir;	/* a directory on the way a non-root user
				 * may write (probe.h); NULL: none */
};

/* want: owner, group, permission bits and ACL (nacl 0: none).  0, or -1
 * with errno; then *why (caller frees) says why in words when the kernel
 * refused it (errno EPERM), else it is NULL. */
int socket_repair(const struct rootfs *r, const struct repair_target *t,
		  const struct fsobj *want, char **why);

#endif
