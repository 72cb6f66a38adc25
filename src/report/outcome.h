/*
 * outcome: what a run did, as typed values with one name table.
 *
 * A finding's result and a run's outcome share one enum: their names are
 * a contract (the report's "action" and "outcome", syslog's action= and
 * outcome=, status's "outcome"), so they are spelled here and nowhere
 * else.  Fleets see four verdicts (the textfile's outcome label, status's
 * "verdict"), ordered error > aborted > fixed > ok, defined here once.
 * Pure: no I/O header.
 */
#ifndef PFG_OUTCOME_H
#define PFG_OUTCOME_H

enum result {
	RES_OK,			/* nothing found */
	RES_REPORTED,		/* said, nothing changed */
	RES_FIXED,		/* written and proven */
	RES_PINNED,		/* pre-install-pkgs: access pinned before dpkg */
	RES_DEFERRED,		/* pre-install-pkgs: left to post-invoke */
	RES_ABORTED,		/* the run failed on it by policy */
	RES_FIX_FAILED,		/* a fix was tried and did not verify */
	RES_CARRIED,		/* pre-install-pkgs: the pool carried into the arriving instance */
	RES_NRESULTS
};

/* "ok", "reported", "fixed", "pinned", "deferred", "aborted", "fix-failed". */
const char *result_name(enum result r);
/* The result of that name; -1 for anything else. */
int result_parse(const char *name);

enum run_verdict { RV_OK, RV_FIXED, RV_ABORTED, RV_ERROR, RV_NVERDICTS };

/* "ok", "fixed", "aborted", "error"; parse returns -1 for anything else. */
const char *run_verdict_name(enum run_verdict v);
int run_verdict_parse(const char *name);

/* A result as a fleet sees it; is_error: the finding was an error, so
 * that "reported" (policy report) leaves an error behind. */
enum run_verdict result_verdict(enum result r, int is_error);
/* The worse of two verdicts (error > aborted > fixed > ok). */
enum run_verdict run_verdict_worse(enum run_verdict a, enum run_verdict b);

/* A run's outcome from what it did with its findings: a failed fix
 * outranks an abort, which outranks a fix; otherwise reported if there
 * was anything at all. */
enum result run_outcome(int failed, int aborted, int fixed, int any);

#endif
