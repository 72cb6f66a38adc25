/*
 * predict: the configuration php-fpm will read after dpkg unpacks a new
 * php*-fpm package, built as a root directory that the ordinary reader
 * (host_inspect with --root semantics) can judge.
 *
 * dpkg's conffile rules decide each file (dpkg(1), "--force-conf*"):
 *   local file unmodified (its MD5 is the one dpkg recorded)  -> the new one
 *   local file modified, the package's version changed        -> the local
 *       one stays under --force-confold; without it dpkg asks, and
 *       unattended-upgrades holds the package back: both are noted
 *   local file deleted by the admin                           -> stays deleted
 *   a conffile new in this version                            -> installed
 * Every other file php-fpm reads is copied as it is.  The package's
 * version goes into the root's dpkg status, so the version-aware default
 * (0666 before the CVE-2014-0185 fix, 0660 after) is the new one.  Users
 * and groups come from a copy of /etc/passwd and /etc/group.
 *
 * The .deb is read with dpkg-deb (-x, -e): no archive parsing here.  What
 * it unpacks is the package's word, and the package is not trusted before
 * dpkg judges it: the unpacked tree and the prediction are each a root
 * where no symlink is followed (rootfs_init_nofollow: RESOLVE_IN_ROOT |
 * RESOLVE_NO_SYMLINKS), a conffile line that is not a canonical absolute
 * path ("..", ".", "//", relative) refuses the whole prediction, and every
 * predicted file is a new name (O_CREAT|O_EXCL|O_NOFOLLOW) made through
 * its directory's fd, directories made one component at a time.  The
 * host's files are read inside the host root (rootfs_read_file).
 */
#ifndef PFG_PREDICT_H
#define PFG_PREDICT_H

#include <stddef.h>
#include "../apt/aptshim.h"
#include "../util/rootfs.h"

struct predict_input {
	const char *package;		/* php8.2-fpm */
	const char *new_version;
	const char *deb;		/* host path of the .deb */
	const char *config;		/* the instance's php-fpm.conf */
	char *const *files;		/* every file its config reads now */
	size_t nfiles;
	const struct aptshim_package *installed;	/* dpkg's record; may be NULL */
	int force_confold, force_confnew;
};

struct predict_result {
	char *root;			/* temp dir: remove with predict_cleanup */
	char **notes;
	size_t nnotes;
	int prompts;			/* dpkg would ask about a conffile */
};

/* 0, or -1 with *err (a refused package says why; the caller names it). */
int predict_build(const struct predict_input *in, const struct rootfs *host,
		  struct predict_result *out, char **err);
void predict_cleanup(struct predict_result *r);

#endif
