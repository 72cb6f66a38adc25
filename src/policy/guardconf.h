/*
 * guardconf: reading guard.conf and conf.d/ *.conf (policy.h says what
 * they hold) with libinih, inside a root.
 */
#ifndef PFG_GUARDCONF_H
#define PFG_GUARDCONF_H

#include "policy.h"
#include "../util/rootfs.h"

/*
 * Read path (inside r), then every *.conf in dropin_dir (inside r).  A
 * missing main file means defaults.  Never fails: problems land in
 * g->errors and make guard_conf_policy() answer POL_REPORT.
 */
void guard_conf_load(struct guard_conf *g, const struct rootfs *r,
		     const char *path, const char *dropin_dir);
void guard_conf_free(struct guard_conf *g);

#endif
