/*
 * fix: write explicit listen values into the pool's own file, atomically
 * and reversibly.
 *
 * For each pool to fix, host_fix_lines() says what the clients need
 * (listen.owner/group/mode, or listen.acl_users/mode).  Each key goes
 * where php-fpm takes it from: the line that sets it now (whatever file
 * that is), else the file and section of the pool's `listen` line, where
 * edit_pool_file() uncomments the template line or inserts after listen.
 * Several pools in one file are edited in one pass, bottom-up, so line
 * numbers stay valid.
 *
 * Writing: every original is copied to STATE/backups/ first; a journal
 * (STATE/fix-journal.json) names each file, its backup and a digest of
 * the new bytes; then each file is replaced atomically with its owner and
 * mode kept.  The journal goes when the caller has verified the result
 * (fix_set_done).  A run killed in between leaves the journal, and
 * fix_recover() puts back every file that still holds exactly our new
 * bytes; the next run then decides afresh.
 */
#ifndef PFG_FIX_H
#define PFG_FIX_H

#include <stdio.h>
#include "../host/host.h"
#include "../state/state.h"

struct fix_pool {
	const struct instance_view *iv;
	const struct pool_view *pv;
	char *lines[4];		/* "listen.owner = www-data" */
	size_t nlines;
	char *marker;
	char *error;		/* why this pool cannot be fixed */
	int closed;		/* error says why a pool closed by hand stays so */
	char **had;		/* users that had access before (post-invoke) */
	size_t nhad;
	char **grant;		/* the client users the lines let in: verified */
	size_t ngrant;
};

struct fix_file {
	char *path;		/* inside the root */
	char *host_path;	/* for the journal and messages; never opened */
	char *base;		/* its name in dirfd; NULL: no dirfd (a drop-in) */
	int dirfd;		/* its directory, opened and judged once */
	char *old, *cur;	/* bytes before / after our edits */
	size_t oldlen, curlen;
	uid_t uid;
	gid_t gid;
	mode_t mode;
	char *backup;		/* name under STATE/backups */
};

struct fix_set {
	struct fix_pool *pools;
	size_t npools;
	struct fix_file *files;
	size_t nfiles;
};

/*
 * Queue pv for fixing with a marker that says why ("www-data lost ...");
 * had_access: a client user that could connect before (the pre-invoke
 * snapshot says so), or NULL.  Called again for the same pool, it adds
 * had_access and decides the lines again.
 *
 * Who is let in: every client of the pool -- unless the admin set the
 * socket's listen.owner/group/mode/acl_* by hand.  Such a pool is only
 * opened to a client guard.conf or --client names, a web server whose
 * config uses that socket names, or one that had access before (the
 * live socket lets it in, or had_access); a client that only host-wide
 * detection or the www-data default supplied is not.  When no denied
 * client qualifies, the pool stays closed: ->error says why, ->closed 1.
 * Returns the pool's index in fs->pools.
 */
size_t fix_set_add(struct fix_set *fs, struct host_view *h,
		   const struct instance_view *iv, const struct pool_view *pv,
		   const char *why, const char *had_access);

/* Does the fix of fp let user in (and must verification prove it)? */
int fix_pool_grants(const struct fix_pool *fp, const char *user);

/* Read the files and compute the edits.  Pools that cannot be edited get
 * ->error; returns the number of pools with a usable edit. */
size_t fix_set_plan(struct fix_set *fs, struct host_view *h);

/* The exact edit as a unified diff (diff -u), to f. */
void fix_set_print_diff(const struct fix_set *fs, FILE *f);

/* Back up, journal, replace.  0, or -1 with *err; on failure every file
 * already replaced is put back (*err names any that could not be, with
 * its backup, and the journal then stays for the next run). */
int fix_set_write(struct fix_set *fs, struct state_dir *st, char **err);

/* Put the originals back (php-fpm -t refused, or verification failed).
 * 0, or -1 with *err naming every file that stays edited and the backup
 * holding its original; the journal then stays, for fix_recover. */
int fix_set_restore(struct fix_set *fs, struct state_dir *st, char **err);

/* The result is verified: drop the journal. */
void fix_set_done(struct fix_set *fs, struct state_dir *st);

void fix_set_free(struct fix_set *fs);

/* Roll back what a killed run left half-verified.  Returns the number of
 * files restored, -1 on error (*err). */
int fix_recover(struct state_dir *st, char **err);

#endif
