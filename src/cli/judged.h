/*
 * judged: one run that judges the host -- the facts (the host view, the
 * snapshots), what they mean (findings), what was done about them
 * (outcomes, the report) -- shared by the acting commands in guard.c.
 */
#ifndef PFG_JUDGED_H
#define PFG_JUDGED_H

#include "session.h"
#include "../diff/diff.h"
#include "../report/report.h"

/*
 * What a judged run compares the host with: a snapshot file in the state
 * dir -- pre-invoke's, handed to post-invoke, or the last state the guard
 * recorded as good, for the dpkg trigger.
 */
struct judged_base {
	const char *file;	/* in the state dir */
	const char *what;	/* its name in notes */
	const char *phase;	/* the phase that must have taken it; NULL: any */
	int stale_notes;	/* say when it is old or from another boot */
	const char *none;	/* the note when there is none */
};

extern const struct judged_base judged_pre_invoke;	/* SNAPSHOT_FILE */
extern const struct judged_base judged_last_good;	/* LAST_GOOD_FILE */

struct judged {
	const struct judged_base *base;	/* set by judged_compare */
	struct host_view h;		/* the host as looked at */
	struct host_view after;		/* the host as a fix left it */
	int have_h, have_after, fixed_some;
	struct snapshot old, cur;
	int have_old, have_cur;
	struct finding_list fl;
	struct finding_outcome *out;	/* parallel to fl.v */
	struct run_report rep;
};

/* Empty, for command (the report's "command"), timed now. */
void judged_init(struct judged *j, const char *command);

/* The outcomes array for the findings there are now, and the report's
 * pointers to findings, outcomes and snapshots. */
void judged_outcomes(struct judged *j);

/* The host as the run left it, for status and the textfile; NULL when a
 * fix was tried but left no view of the result. */
const struct host_view *judged_now(const struct judged *j);

/*
 * post-invoke, post-dpkg: compare the host's snapshot text (from j->h,
 * its phase j->rep.command) with the snapshot b names, keeping one form
 * of the facts in memory at a time -- the unchanged host is the common
 * case.  1 the same (nothing to do, j->h freed), 0 j holds both snapshots
 * (j->have_old 0 when b's file was missing or unusable, the reason noted)
 * and the host looked at again, -1 the guard's own failure (*err, caller
 * frees).
 */
int judged_compare(struct session *s, struct judged *j, const struct judged_base *b,
		   char **err);

/* Findings: the diff of the two snapshots, or without the base snapshot
 * what check finds (then reported, never fixed). */
void judged_findings(struct judged *j);

/*
 * Decide every finding by policy (each finding's pool looked up once),
 * fix what the policy says to fix when allow_fix, fill the outcomes and
 * the run's outcome.  Returns the exit code the findings call for.
 */
int judged_act(struct session *s, struct judged *j, int allow_fix);

/* Text on stderr, and the report kept (report_save). */
void judged_report(struct session *s, struct judged *j);

void judged_free(struct judged *j);

#endif
