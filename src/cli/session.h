/*
 * session: what every acting command sets up before it looks at the host,
 * and takes down after -- guard.conf, the state dir and its lock, the
 * roll-back of an interrupted fix, php-fpm's cached answers.
 *
 * A hook must never block apt on the guard's own failure: from
 * session_setup on, die() exits 0 unless strict = yes (pfg_die_code), and
 * session_fail says what went wrong and gives the hook's exit code.
 */
#ifndef PFG_SESSION_H
#define PFG_SESSION_H

#include <stdio.h>
#include "guard.h"
#include "../discover/fpmcache.h"
#include "../state/state.h"

struct session {
	struct guard_opts *o;
	const char *command;
	struct guard_conf conf;
	struct state_dir st;
	int have_state;
	struct fpm_cache cache;	/* php-fpm's answers, kept in the state dir */
	int have_cache;
};

/* guard.conf read and applied to o (its client lists); the hooks' rules
 * for dying set.  Hooks take computed verdicts, never a real connect(). */
void session_setup(struct session *s, struct guard_opts *o, const char *command);

/* The state dir opened and locked (waiting up to --lock-wait seconds,
 * LOCK_WAIT_DEFAULT without).
 * 0, or -1 with *err. */
int session_open_state(struct session *s, char **err);

/* Put back what an interrupted fix left half-verified, and say so. */
void session_recover(struct session *s);

/* Load php-fpm's cached answers into o->host (saved by session_free). */
void session_cache_open(struct session *s);

/*
 * A hook's start: setup, state, recovery, cache, the host looked at (the
 * guard's drop-in entries for pools that went away dropped first).  0, or
 * -1 when the hook must stop: *rc is then its exit code and the session
 * is already freed.
 */
int session_begin(struct session *s, struct guard_opts *o, const char *command,
		  struct host_view *h, int *rc);

/*
 * session_begin's second half, for a hook that opened the state dir
 * itself (session_setup, session_open_state) and decided to look:
 * recovery, cache, the host.  0, or -1 as session_begin.
 */
int session_inspect(struct session *s, struct host_view *h, int *rc);

/* An internal failure in a hook: say it (taking msg), return the exit
 * code: 0 unless strict = yes. */
int session_fail(struct session *s, char *msg);

/* The directory this run's reports go to (--log-dir, a host path, else
 * the default inside --root), opened into *ld.  0, or -1 with *err. */
int session_open_log(const struct session *s, struct state_dir *ld, char **err);

void session_free(struct session *s);

#endif
