/*
 * hostfind: a host view and findings -- the pool a finding names, and
 * check's problems as findings (for a run without a snapshot, and fix).
 */
#ifndef PFG_HOSTFIND_H
#define PFG_HOSTFIND_H

#include "../diff/diff.h"
#include "host.h"

/* The pool of that name (case-insensitive, as php-fpm) in the instance
 * of that config, and its instance in *ivp if ivp is not NULL; NULL when
 * there is none.  The pointers live as long as h. */
struct pool_view *host_find_pool(struct host_view *h, const char *config,
				 const char *pool, struct instance_view **ivp);

/* host_judge's problems that the diff also knows (lost access now or at
 * the next start, not a socket, world-writable) as findings against cur,
 * the snapshot of h; appended to fl. */
void host_findings_from_problems(const struct host_view *h, const struct snapshot *cur,
				 struct finding_list *fl);

#endif
