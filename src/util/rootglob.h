/*
 * rootglob: the one glob(3) inside a root that every config reader uses
 * for its include patterns (php-fpm's include=, nginx's include, Apache's
 * Include/IncludeOptional), with the same limits for all of them.
 *
 * glob walks directories itself: a pattern with "..", or a symlinked
 * directory in a --root image, would list the host's files while every
 * read resolves inside the root.  Under a root other than "/" every
 * directory glob opens and every stat it does goes through rootfs
 * (openat2 RESOLVE_IN_ROOT), so listing and reading agree.
 *
 * glibc's glob() recurses once per directory level that holds a wildcard,
 * copying the path on the stack each time: thousands of "/a*" levels
 * overflow an 8 MiB stack (found by fuzz/fuzz_fpmconf, then met again in
 * the nginx reader).  No real pattern is longer than PATH_MAX or needs
 * more than a few wildcard levels, and no real include matches more than
 * ROOTGLOB_MAX_MATCHES files: beyond these the pattern is refused, before
 * glob() ever sees it.
 *
 * Not reentrant (glob's callbacks take no context: the root is handed
 * over in a file-scope variable for the duration of one call).
 */
#ifndef PFG_ROOTGLOB_H
#define PFG_ROOTGLOB_H

#include <stddef.h>

#include "rootfs.h"

#define ROOTGLOB_MAX_WILD_LEVELS 64	/* directory levels holding a wildcard */
#define ROOTGLOB_MAX_MATCHES 65536	/* paths one pattern may match */

/* Flags. */
#define ROOTGLOB_ERR 1		/* a directory on the way that cannot be read
				 * fails the expansion (php-fpm's GLOB_ERR) */
#define ROOTGLOB_HOST_DIRS 2	/* on the host, directories may stay among
				 * the matches (no stat per match): the
				 * caller's read says EISDIR and skips them */

/* Why pattern may not be expanded ("longer than PATH_MAX", "more than 64
 * directory levels with wildcards"), a static string; NULL: it may. */
const char *rootglob_refusal(const char *pattern);

/*
 * The paths inside r matching pattern (absolute, inside the root), sorted
 * bytewise, directories left out (but see ROOTGLOB_HOST_DIRS).  A pattern
 * without wildcards matches itself if it exists.  Returns 0 with *out and
 * *n set (*n 0 and *out NULL: no match), or -1 with *why static text
 * (valid until the next call):
 * the pattern refused (rootglob_refusal), more than max matches (max 0:
 * ROOTGLOB_MAX_MATCHES), or with ROOTGLOB_ERR a directory that could not
 * be read.  The caller frees *out with rootglob_free.
 */
int rootglob(const struct rootfs *r, const char *pattern, int flags, size_t max,
	     char ***out, size_t *n, const char **why);
void rootglob_free(char **v, size_t n);

/* The sort rootglob's results are in (qsort on char *), for readers that
 * match names themselves (nginx -T's dump). */
int rootglob_cmp(const void *a, const void *b);

#endif
