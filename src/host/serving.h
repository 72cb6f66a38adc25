/*
 * serving: the path from a web server's directive to the PHP that answers
 * it -- the symlink hops on the way (the php-fpm.sock alternative:
 * /run/php/php-fpm.sock -> /etc/alternatives/php-fpm.sock ->
 * /run/php/php8.2-fpm.sock), the PHP version of the instance at the end,
 * and whether the server's own user can connect there.
 *
 * Every hop is read with readlinkat() through a directory opened inside
 * the root (RESOLVE_IN_ROOT): an absolute link target is taken inside the
 * root, ".." stops at it, nothing on the host is ever followed.  Other
 * helpers may use serving_hops() for any path a server connects to.
 */
#ifndef PFG_SERVING_H
#define PFG_SERVING_H

#include <stddef.h>
#include "../util/rootfs.h"

#define SERVING_MAX_HOPS 40	/* the kernel's own limit (MAXSYMLINKS) */

struct serving_hops {
	char **path;		/* each link's target after the first: path[0] the
				 * path as written, path[n-1] where it ends */
	size_t n;
	int loop;		/* 1: the chain comes back to itself or exceeds
				 * SERVING_MAX_HOPS; path holds the hops read */
};

/* The chain of path (absolute, inside r) into *out; free with
 * serving_hops_free.  A missing component ends the chain there. */
void serving_hops(const struct rootfs *r, const char *path, struct serving_hops *out);
void serving_hops_free(struct serving_hops *h);

/* "8.2" for an instance at [...]/php/8.2/fpm/php-fpm.conf or of package
 * php8.2-fpm (either may be NULL); NULL when neither says (caller frees). */
char *serving_php_version(const char *config, const char *package);

#endif
