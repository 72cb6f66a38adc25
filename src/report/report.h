/*
 * report: how `show` and `check` print a host_view.
 *
 * JSON (schema documented in README.md, "schema": 1) is built with json-c;
 * the text form is for a person at a terminal.  Neither decides anything:
 * verdicts come from host_judge().
 */
#ifndef PFG_REPORT_H
#define PFG_REPORT_H

#include <stdio.h>
#include "../diff/diff.h"
#include "../host/host.h"
#include "../policy/policy.h"

#define PFG_JSON_SCHEMA 1

void report_json(FILE *f, struct host_view *h, const struct problem_list *pl,
		 int with_problems);
void report_show_text(FILE *f, struct host_view *h);
void report_check_text(FILE *f, struct host_view *h,
		       const struct problem_list *pl);


/* What a guard run did with one finding. */
struct finding_outcome {
	enum action act;
	enum policy policy;
	const char *result;	/* "fixed", "fix-failed", "aborted", "reported" */
	char *fix_file;		/* where the lines go (inside the root) */
	char *lines[4];		/* the explicit values (fix or advice) */
	size_t nlines;
	char *note;		/* why a fix failed, what editing a conffile means */
};

struct run_report {
	const char *command;	/* "post-invoke", "fix", "diff" */
	const char *outcome;	/* "ok", "fixed", "aborted", "reported", "fix-failed", "error" */
	int exit_code;
	long long time;
	char **notes;		/* run-level: snapshot age, config errors */
	size_t nnotes;
	const struct finding_list *fl;
	struct finding_outcome *out;	/* parallel to fl->v; NULL for diff */
	const struct snapshot *old, *cur;
};

void run_report_note(struct run_report *r, char *note);	/* takes note */

/* Compiler-style text: one block per finding, then the verdict. */
void report_findings_text(FILE *f, const struct run_report *r);
/* The JSON report ("kind": "php-fpm-guard-report"); caller frees. */
char *report_findings_json(const struct run_report *r);
/* One syslog line per finding and one for the run (tag php-fpm-guard). */
void report_findings_syslog(const struct run_report *r);

#endif
