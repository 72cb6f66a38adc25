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
 */
#ifndef PFG_REPAIR_H
#define PFG_REPAIR_H

#include <sys/stat.h>
#include "../access/access.h"
#include "../util/rootfs.h"

/* want: owner, group, permission bits and ACL (nacl 0: none).  expect_dev
 * and expect_ino identify the inode the probe judged.  0 or -1/errno. */
int socket_repair(const struct rootfs *r, const char *path,
		  dev_t expect_dev, ino_t expect_ino, const struct fsobj *want);

#endif
