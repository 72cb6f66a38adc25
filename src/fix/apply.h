/*
 * apply: the fix transaction.  Write the explicit values (into the pool
 * files, or the guard's drop-in), have the instance's own php-fpm -t
 * accept the result, repair the live sockets, and prove the result with a
 * real connect() as each client.  When php-fpm refuses, or the host cannot
 * be read again, what was written is put back, and the pool's error says
 * whether that worked.
 */
#ifndef PFG_APPLY_H
#define PFG_APPLY_H

#include "fix.h"
#include "../policy/policy.h"

struct fix_ctx {
	const struct host_opts *host;	/* how the run looks at the host */
	struct state_dir *st;		/* backups and journal (pool-file fixes) */
	enum fix_target target;
};

/*
 * Compute each pool's edit: the pool-file edit (fix_set_plan), or for
 * the drop-in what each pool's drop-in write would change, as fs->files,
 * so that fix_set_print_diff shows it too.  Returns the number of pools
 * with a usable change; the others get ->error.
 */
size_t fix_plan(const struct fix_ctx *c, struct fix_set *fs, struct host_view *h);

/*
 * Apply a planned fs to host h.  Pools that end with ->error failed; the
 * others are written, accepted by php-fpm -t, repaired and proven.
 * Returns 1 with *after the host as the fix left it (free with
 * host_free), 0 when there is no such view.
 */
int fix_apply(const struct fix_ctx *c, struct host_view *h, struct fix_set *fs,
	      struct host_view *after);

/*
 * A fix written into a package's conffile makes it locally modified:
 * every later upgrade that changes it stops to ask, and
 * unattended-upgrades holds the package back.  The note that says so for
 * path (inside root), or NULL when no php*-fpm package owns it (caller
 * frees).
 */
char *fix_conffile_note(const struct rootfs *root, const char *path);

#endif
