/*
 * kernel: the kernel's word on a unix socket, not its path's.
 *
 * A socket file at a pool's path proves nothing about whose socket it
 * is: /run/php is www-data's on Debian, so www-data may rename another
 * pool's socket onto that name, or (fs.protected_hardlinks=0) link any
 * socket on the host there.  The kernel knows better.  sock_diag
 * (NETLINK_SOCK_DIAG, UDIAG_SHOW_NAME | UDIAG_SHOW_VFS) lists every
 * listening unix socket with the name it was bound to and the inode it
 * is bound at; /proc/PID/fd says who holds it ("socket:[INO]").
 *
 * A socket is the pool's own when the kernel says: it listens, it was
 * bound under exactly the pool's path (php-fpm binds the configured path
 * itself, after an unlink: fpm_sockets.c), the inode it is bound at is
 * the one the caller holds open, and a php-fpm master holds it -- a
 * process whose exe is the instance's php-fpm binary, running as root,
 * whose parent is no php-fpm (workers inherit the listening fd too).
 * A pid file (in www-data's /run/php) only narrows that: when it names
 * a pid, the master must be that pid.
 */
#ifndef PFG_KERNEL_H
#define PFG_KERNEL_H

#include <sys/types.h>
#include "../util/rootfs.h"

struct kernel_listener {
	unsigned long sock_ino;	/* the "socket:[INO]" in /proc/PID/fd */
	dev_t dev;		/* the file it is bound at (stat's encoding) */
	ino_t ino;		/* 0: not bound at a file */
	char *name;		/* as bound; NULL: abstract or unnamed */
};

struct kernel_listeners {
	struct kernel_listener *v;
	size_t n;
};

/* Every listening unix socket on the host.  0, or -1 with errno when the
 * kernel cannot be asked (no unix_diag, not root).  Free with
 * kernel_listeners_free. */
int kernel_listeners_read(struct kernel_listeners *out);
void kernel_listeners_free(struct kernel_listeners *l);

/* The listener bound at the file (dev, ino); NULL: none listens there.
 * Points into l. */
const struct kernel_listener *kernel_listener_at(const struct kernel_listeners *l,
						 dev_t dev, ino_t ino);

/* Does pid hold the socket sock_ino?  1, 0, or -1 when its fds cannot
 * be read. */
int kernel_pid_holds(pid_t pid, unsigned long sock_ino);

/* Is pid a php-fpm master: exe the binary at host path binary (the same
 * file, or that path deleted by an upgrade; NULL: a root-owned file
 * named php-fpm*), real uid 0, and a parent that is no php-fpm?  1 or 0. */
int kernel_is_fpm_master(pid_t pid, const char *binary);

/* Does pid (a host pid) carry the number want in its own pid namespace,
 * as a pid file inside a container would name it?  1 or 0. */
int kernel_pid_is(pid_t pid, long want);

/* The pid a pid file names (relative paths under /var, php-fpm's
 * localstatedir on Debian).  >0; 0 when there is none or it is not a
 * number; -1 with errno when it cannot be read. */
long kernel_pid_file(const struct rootfs *r, const char *pid_file);

enum sock_verdict {
	SV_PROVEN,		/* the pool's own socket, held by its master */
	SV_UNPROVABLE,		/* the kernel or /proc cannot be asked */
	SV_NOT_LISTENING,	/* nothing listens on this inode */
	SV_OTHER_NAME,		/* bound under another name: moved or linked */
	SV_NO_MASTER,		/* no php-fpm master holds it */
	SV_OTHER_MASTER		/* held by a master the pid file does not name */
};

/* What the pool's socket must be.  Strings are borrowed. */
struct sock_expect {
	const char *bound;	/* host path the pool binds */
	const char *binary;	/* host path of the instance's php-fpm; NULL: any */
	long pid;		/* the instance's pid file; 0: none */
};

/* Prove that fd (O_PATH, the very file the caller will act through) is
 * the pool's own listening socket.  SV_PROVEN, or the verdict with *why
 * (caller frees) saying what the kernel said instead. */
enum sock_verdict kernel_prove_socket(int fd, const struct sock_expect *e, char **why);

#endif
