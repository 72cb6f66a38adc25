/*
 * dropin_io: putting the guard's drop-in (dropin.h) on disk.
 *
 * The drop-in goes beside the pool's own file (pool.d/), so the include
 * glob that reads that file reads it too, and sorts after it.  Entries
 * of pools no other file defines are dropped on every write.  The write
 * is atomic (temp + fsync + rename + fsync of the directory) through the
 * pool directory's fd, opened inside the root as it was read (rootfs_replace:
 * a symlink in an image never sends it to the host), root:root
 * 0644 like the package's pool files; the previous bytes are handed back
 * so that a refusal by php-fpm -t can put them back.
 */
#ifndef PFG_DROPIN_IO_H
#define PFG_DROPIN_IO_H

#include "../host/host.h"

struct dropin_change {
	char *path;		/* inside the root */
	char *old;		/* previous bytes; NULL: there was no file */
	size_t oldlen;
	char *text;		/* bytes written */
};

/*
 * Set (pool -> lines) in the drop-in of pv's directory, pruning entries
 * whose pool iv no longer defines elsewhere.  dry: compute, do not write.
 * 0 and *chg filled, or -1 with *err.
 */
int dropin_write(struct host_view *h, const struct instance_view *iv,
		 const struct pool_view *pv, char *const *lines, size_t nlines,
		 int dry, struct dropin_change *chg, char **err);

/*
 * Drop the entries of every drop-in iv reads whose pool no other file
 * defines any more (a pool renamed or removed by an upgrade): left there,
 * the entry alone would define a pool without listen and php-fpm would
 * not start.  Returns the number of entries dropped, -1 on error (*err).
 */
int dropin_tidy(struct host_view *h, const struct instance_view *iv, char **err);

/* Put the previous bytes back (or remove a file that did not exist). */
int dropin_undo(const struct rootfs *r, const struct dropin_change *chg);
void dropin_change_free(struct dropin_change *chg);

#endif
