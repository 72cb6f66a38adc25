/*
 * accounts: user and group lookups as php-fpm and the kernel see them.
 *
 * For the host root this is NSS (getpwnam, getgrouplist), so LDAP or sssd
 * users resolve as php-fpm resolves them.  For any other --root it is the
 * root's own etc/passwd and etc/group, never the host's.  Every answer is
 * cached: a host with thousands of pools asks about www-data once.
 */
#ifndef PFG_ACCOUNTS_H
#define PFG_ACCOUNTS_H

#include <stddef.h>
#include <sys/types.h>

#include "../util/rootfs.h"

#include "lookup.h"

struct accounts *accounts_open(const struct rootfs *r);
void accounts_close(struct accounts *a);

#endif
