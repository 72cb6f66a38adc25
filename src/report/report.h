/*
 * report: how `show` and `check` print a host_view.
 *
 * JSON (schema documented in docs/json.md, "schema": 1) is built with json-c;
 * the text form is for a person at a terminal.  Neither decides anything:
 * verdicts come from host_judge().
 */
#ifndef PFG_REPORT_H
#define PFG_REPORT_H

#include <stdio.h>
#include "../diff/diff.h"
#include "../host/host.h"
#include "../policy/policy.h"
#include "outcome.h"

#define PFG_JSON_SCHEMA 1

/*
 * The text reports go to a terminal (apt's, an admin's), and pool names,
 * paths and values come from files anyone with write access to a config
 * could shape: every byte below 0x20 other than newline and tab, DEL, the
 * C1 controls (0x80-0x9f alone, a CSI for an 8-bit terminal, and
 * U+0080-U+009F in UTF-8) and any byte that is not part of valid UTF-8
 * is written as \xNN, so no escape sequence reaches the terminal; valid
 * UTF-8 characters pass unchanged.
 * text_open() gives a stream to write the report to; text_close()
 * sends it, made safe, to f.
 */
FILE *text_open(char **buf, size_t *len);
void text_close(FILE *mem, char **buf, size_t *len, FILE *f);

void report_json(FILE *f, struct host_view *h, const struct problem_list *pl,
		 int with_problems);
void report_show_text(FILE *f, struct host_view *h);
void report_check_text(FILE *f, struct host_view *h,
		       const struct problem_list *pl);

/* The serving map (serving.c): per web server directive, the site, the
 * socket as written and every symlink hop, the pool and PHP version at
 * the end, the pool's user, and whether the server's user can connect.
 * The text is `show`'s "sites:" block; the JSON is "serving" (docs/json.md). */
void report_serving_text(FILE *f, const struct host_view *h);
struct json_object;
struct json_object *report_serving_json(const struct host_view *h);


/* What a guard run did with one finding. */
struct finding_outcome {
	enum action act;
	enum policy policy;
	enum result result;
	char *fix_file;		/* where the lines go (inside the root) */
	char *lines[4];		/* the explicit values (fix or advice) */
	size_t nlines;
	char *note;		/* why a fix failed, what editing a conffile means */
};

struct run_report {
	const char *command;	/* "post-invoke", "fix", "diff" */
	enum result outcome;
	int exit_code;
	long long time;
	char **notes;		/* run-level: snapshot age, config errors */
	size_t nnotes;
	const struct finding_list *fl;
	struct finding_outcome *out;	/* parallel to fl->v; NULL for diff */
	const struct snapshot *old, *cur;
	char saved_as[128];	/* the report's name in the log dir; "" if not saved */
};

void run_report_note(struct run_report *r, char *note);	/* takes note */
/* Free the run's notes and n outcomes (out itself too); r stays usable. */
void run_report_free(struct run_report *r, struct finding_outcome *out, size_t n);

/*
 * Keep the report where admins look (report/save.c): one syslog line per
 * finding and one for the run (unless use_syslog is 0), and the JSON as
 * TIME-COMMAND-PID.json and latest.json in the opened log dir ld (NULL:
 * it could not be opened).  Failing to save is said on stderr, never
 * fatal; r->saved_as names the file when it worked.
 */
struct state_dir;
void report_save(struct run_report *r, struct state_dir *ld, int use_syslog);

/* Compiler-style text: one block per finding, then the verdict. */
void report_findings_text(FILE *f, const struct run_report *r);
/* The JSON report ("kind": "php-fpm-guard-report"); caller frees. */
char *report_findings_json(const struct run_report *r);
/* One syslog line per finding and one for the run (tag php-fpm-guard). */
void report_findings_syslog(const struct run_report *r);

/* ---- for fleets: the node_exporter textfile collector (prom.c) ---- */

#define PFG_PROM_FILE "/var/lib/prometheus/node-exporter/php_fpm_guard.prom"

/* A pool's verdict in one run. */
struct prom_pool_outcome {
	const char *instance, *pool;
	enum run_verdict outcome;
};

struct prom_run {
	long long time;
	enum run_verdict outcome;	/* the host's */
	const struct prom_pool_outcome *pools;	/* pools with a finding */
	size_t npools;
};

/*
 * The textfile for host h as it is after a run (caller frees), gauges
 * with HELP and TYPE lines, labels fpm_config, pool, socket, user:
 *   php_fpm_guard_client_can_connect            0/1 per pool and client
 *   php_fpm_guard_socket_world_accessible       0/1 per unix pool
 *   php_fpm_guard_last_run_timestamp_seconds    per pool
 *   php_fpm_guard_last_run_outcome{outcome=...} 1 for the pool's outcome,
 *                                               0 for the other three
 *   php_fpm_guard_server_socket_missing         1 per web server directive
 *                                               no pool listens for
 *   php_fpm_guard_run_timestamp_seconds, php_fpm_guard_run_outcome: the
 *   host's, also without any pool.
 */
char *report_prom(const struct host_view *h, const struct prom_run *run);

#endif
