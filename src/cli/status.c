#include "status.h"
#include "../report/plugin.h"
#include "../util/atomicfile.h"
#include "../util/guard_version.h"
#include "../util/xalloc.h"

#include <errno.h>
#include <json-c/json.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#define STATUS_KIND "php-fpm-guard-status"
#define RECORD_MAX ((size_t)64 << 10)

/* What one run leaves for `status` and the textfile. */
struct record {
	const char *command;
	enum result outcome;	/* the guard's word: ok, fixed, reported, aborted, ... */
	enum run_verdict verdict;	/* ok, fixed, aborted, error (report/outcome.h) */
	int exit_code;
	long long time;
	size_t findings;
	size_t errors_left;	/* error findings not fixed */
	char *report;		/* the JSON report's path, or NULL */
	struct prom_pool_outcome *pools;
	size_t npools;
};

static char *in_root(const char *root, const char *path)
{
	return strcmp(root, "/") == 0 ? xstrdup(path) : xasprintf("%s%s", root, path);
}

/* ---- the textfile ---- */

/*
 * Where the textfile goes, inside *root; NULL when it is switched off.
 * --prom-file is root's own host path.  guard.conf's prom_file and the
 * default are paths inside --root, resolved there like every read: an
 * image's guard.conf (or a symlink in it) never names a host file.
 */
static const char *prom_path(const struct guard_opts *o, const struct guard_conf *g,
			     const char **root)
{
	*root = o->host.root;
	if (o->prom_file) {
		*root = "/";
		return *o->prom_file ? o->prom_file : NULL;
	}
	if (g->prom_file)
		return *g->prom_file ? g->prom_file : NULL;
	return PFG_PROM_FILE;
}

/*
 * node_exporter's textfile directory, opened inside the root: there
 * already (never created), a directory writable by its owner only --
 * root writes into it, and a directory anyone could swap files in would
 * aim that write.  The fd to write through; -2 skip quietly (missing);
 * -1 skip and say why.
 */
static int prom_dir_open(const struct rootfs *fs, const char *path, const char **base,
			 char **why)
{
	char *dir = xstrndup(path, (size_t)(strrchr(path, '/') - path));
	char *shown = rootfs_host_path(fs, *dir ? dir : "/");
	struct stat st, lst;
	int fd = rootfs_open_parent(fs, path, 0, base);

	if (fd < 0 && errno == ENOENT) {
		fd = -2;
	} else if (fd < 0 || fstat(fd, &st) < 0 || !S_ISDIR(st.st_mode) || (st.st_mode & 022) ||
		   (*dir && rootfs_lstat(fs, dir, &lst) == 0 && S_ISLNK(lst.st_mode))) {
		/* The directory itself a symlink: refused as before, though the
		 * write would stay inside the root through fd anyway. */
		if (fd >= 0)
			close(fd);
		fd = -1;
		*why = xasprintf("%s is not a directory writable only by its owner", shown);
	}
	free(shown);
	free(dir);
	return fd;
}

static void write_prom(int dfd, const char *base, const char *shown,
		       const struct host_view *h, const struct record *rec)
{
	struct prom_run run = { rec->time, rec->verdict, rec->pools, rec->npools };
	char *text = report_prom(h, &run);

	if (atomic_file_replace_at(dfd, base, 0, text, strlen(text), geteuid(), getegid(),
				   0644, 1) < 0)
		fprintf(stderr, "php-fpm-guard: metrics not written to %s: %s\n", shown,
			strerror(errno));
	free(text);
}

/* The textfile from h (the host as the run left it), or from a fresh
 * look when the run has no such view. */
static void record_prom(struct guard_opts *o, const struct guard_conf *g,
			const struct record *rec, const struct host_view *h)
{
	const char *root, *path = prom_path(o, g, &root), *base;
	char *why = NULL, *shown;
	struct rootfs fs;
	struct host_opts ho;
	struct host_view fresh;
	int dfd;

	if (path == NULL || path[0] != '/' || rootfs_init(&fs, root) < 0)
		return;
	dfd = prom_dir_open(&fs, path, &base, &why);
	shown = rootfs_host_path(&fs, path);
	rootfs_close(&fs);
	if (dfd < 0) {
		if (dfd == -1)
			fprintf(stderr, "php-fpm-guard: metrics not written: %s\n", why);
		free(why);
		free(shown);
		return;
	}
	if (h) {
		write_prom(dfd, base, shown, h, rec);
	} else {
		/* What the sockets are now: no php-fpm -t, no connect() --
		 * the fix's own proof already ran. */
		ho = o->host;
		ho.run_fpm_test = 0;
		ho.prove = 0;
		if (host_inspect(&ho, &fresh) == 0)
			write_prom(dfd, base, shown, &fresh, rec);
		host_free(&fresh);
	}
	close(dfd);
	free(shown);
}

/* ---- the record ---- */

static json_object *record_json(const struct record *rec)
{
	json_object *j = json_object_new_object();

	json_object_object_add(j, "kind", json_object_new_string(STATUS_KIND));
	json_object_object_add(j, "schema", json_object_new_int(1));
	json_object_object_add(j, "guard_version", json_object_new_string(PFG_VERSION));
	json_object_object_add(j, "command", json_object_new_string(rec->command));
	json_object_object_add(j, "time", json_object_new_int64(rec->time));
	json_object_object_add(j, "outcome", json_object_new_string(result_name(rec->outcome)));
	json_object_object_add(j, "verdict", json_object_new_string(run_verdict_name(rec->verdict)));
	json_object_object_add(j, "exit_code", json_object_new_int(rec->exit_code));
	json_object_object_add(j, "findings", json_object_new_int64((int64_t)rec->findings));
	json_object_object_add(j, "errors_left", json_object_new_int64((int64_t)rec->errors_left));
	json_object_object_add(j, "report", rec->report ? json_object_new_string(rec->report) : NULL);
	return j;
}

static void record_write(struct guard_opts *o, const struct guard_conf *g, struct state_dir *st,
			 struct record *rec, const struct host_view *h)
{
	json_object *j = record_json(rec);
	const char *text = json_object_to_json_string_ext(j, JSON_C_TO_STRING_PRETTY |
							      JSON_C_TO_STRING_NOSLASHESCAPE);
	char *err = NULL;

	/* Without fsync, as the snapshot: a crash leaves the old record. */
	if (state_write_transient(st, LAST_RUN_FILE, text, strlen(text), 0600, &err) < 0) {
		fprintf(stderr, "php-fpm-guard: status not recorded: %s\n", err);
		free(err);
	}
	json_object_put(j);
	record_prom(o, g, rec, h);
	free(rec->pools);
	free(rec->report);
}

static char *report_path(const struct guard_opts *o, const struct run_report *rep)
{
	char *dir, *p;

	if (rep->saved_as[0] == '\0')
		return NULL;
	dir = o->log_dir ? xstrdup(o->log_dir) : in_root(o->host.root, DEFAULT_LOG_DIR);
	p = xasprintf("%s/%s", dir, rep->saved_as);
	free(dir);
	return p;
}

enum run_verdict status_record_run(struct guard_opts *o, const struct guard_conf *g,
				   struct state_dir *st, const struct run_report *rep,
				   const struct host_view *h)
{
	struct record rec;
	size_t i, n = rep->fl ? rep->fl->n : 0;

	if (st == NULL)
		return RV_ERROR;
	memset(&rec, 0, sizeof rec);
	rec.command = rep->command;
	rec.outcome = rep->outcome;
	rec.verdict = result_verdict(rec.outcome, 0);
	rec.exit_code = rep->exit_code;
	rec.time = rep->time;
	rec.findings = n;
	rec.report = report_path(o, rep);
	rec.pools = xcalloc(n ? n : 1, sizeof *rec.pools);
	for (i = 0; i < n; i++) {
		const struct finding *f = &rep->fl->v[i];
		enum result result = rep->out ? rep->out[i].result : RES_REPORTED;
		enum run_verdict v = result_verdict(result, f->sev == SEV_ERROR);
		rec.verdict = run_verdict_worse(rec.verdict, v);
		rec.errors_left += f->sev == SEV_ERROR && v != RV_FIXED;
		if (f->pool && f->instance)
			rec.pools[rec.npools++] = (struct prom_pool_outcome){ f->instance, f->pool, v };
	}
	record_write(o, g, st, &rec, h);
	return rec.verdict;
}

enum run_verdict status_record_fix(struct guard_opts *o, const struct guard_conf *g,
				   struct state_dir *st, const struct fix_set *fs, int rc,
				   const struct host_view *h)
{
	struct record rec;
	size_t i;

	if (st == NULL || o->dry_run)
		return RV_ERROR;
	memset(&rec, 0, sizeof rec);
	rec.command = "fix";
	rec.time = (long long)time(NULL);
	rec.exit_code = rc;
	rec.findings = fs->npools;
	rec.pools = xcalloc(fs->npools ? fs->npools : 1, sizeof *rec.pools);
	for (i = 0; i < fs->npools; i++) {
		const struct fix_pool *fp = &fs->pools[i];
		rec.errors_left += fp->error != NULL;
		rec.pools[rec.npools++] = (struct prom_pool_outcome){
			fp->iv->loc.config, fp->pv->pool->name, fp->error ? RV_ERROR : RV_FIXED };
	}
	rec.outcome = run_outcome(rec.errors_left > 0, 0, fs->npools > 0, 0);
	rec.verdict = result_verdict(rec.outcome, 0);
	record_write(o, g, st, &rec, h);
	return rec.verdict;
}

/* ---- `status` ---- */

static const char *str_field(json_object *j, const char *key)
{
	json_object *v;

	return json_object_object_get_ex(j, key, &v) && json_object_is_type(v, json_type_string)
		       ? json_object_get_string(v) : NULL;
}

static int int_field(json_object *j, const char *key, long long *out)
{
	json_object *v;

	if (!json_object_object_get_ex(j, key, &v) || !json_object_is_type(v, json_type_int))
		return -1;
	*out = json_object_get_int64(v);
	return 0;
}

/* The record, checked: NULL with *why when it is not one. */
static json_object *record_read(struct state_dir *st, char **why)
{
	char *buf = NULL;
	size_t len;
	long long n;
	json_object *j;
	int rc = state_read(st, LAST_RUN_FILE, RECORD_MAX, &buf, &len, why);

	if (rc != 0) {
		if (rc == 1)
			*why = xasprintf("no post-invoke or fix run recorded in %s", st->path);
		return NULL;
	}
	j = json_tokener_parse(buf);
	free(buf);
	if (j == NULL || !json_object_is_type(j, json_type_object) ||
	    !str_field(j, "kind") || strcmp(str_field(j, "kind"), STATUS_KIND) != 0 ||
	    !str_field(j, "command") || !str_field(j, "outcome") || !str_field(j, "verdict") ||
	    int_field(j, "time", &n) < 0 || int_field(j, "exit_code", &n) < 0 ||
	    int_field(j, "findings", &n) < 0 || int_field(j, "errors_left", &n) < 0) {
		json_object_put(j);
		*why = xasprintf("%s/%s is not a status record", st->path, LAST_RUN_FILE);
		return NULL;
	}
	return j;
}

/* 0 when the last run went well (ok, fixed), 1 otherwise (an unknown
 * verdict in the record is not a good one). */
static int status_exit_code(int verdict)
{
	return verdict == RV_OK || verdict == RV_FIXED ? 0 : EXIT_PROBLEMS;
}

static void age_text(long long age, char *buf, size_t n)
{
	if (age < 120)
		snprintf(buf, n, "%lld s ago", age < 0 ? 0 : age);
	else if (age < 7200)
		snprintf(buf, n, "%lld min ago", age / 60);
	else if (age < 172800)
		snprintf(buf, n, "%lld h ago", age / 3600);
	else
		snprintf(buf, n, "%lld days ago", age / 86400);
}

/* "fixed: post-invoke at 2026-11-26T21:52:00Z (5 min ago), 1 finding,
 * exit 0, report /var/log/php-fpm-guard/...json" */
static void print_line(json_object *j, long long now)
{
	long long t = 0, findings = 0, left = 0, code = 0;
	char when[32], ago[32];
	const char *report = str_field(j, "report");
	struct tm tm;
	time_t tt;

	int_field(j, "time", &t);
	int_field(j, "findings", &findings);
	int_field(j, "errors_left", &left);
	int_field(j, "exit_code", &code);
	tt = (time_t)t;
	strftime(when, sizeof when, "%Y-%m-%dT%H:%M:%SZ", gmtime_r(&tt, &tm));
	age_text(now - t, ago, sizeof ago);
	printf("%s: %s at %s (%s), %lld finding%s", str_field(j, "outcome"),
	       str_field(j, "command"), when, ago, findings, findings == 1 ? "" : "s");
	if (left)
		printf(", %lld error%s left", left, left == 1 ? "" : "s");
	printf(", exit %lld", code);
	if (report)
		printf(", report %s", report);
	putchar('\n');
}

/* The record of the last run, or NULL and *why. */
static json_object *record_load(const struct guard_opts *o, char **why)
{
	char *path = o->state_dir ? xstrdup(o->state_dir) : in_root(o->host.root, DEFAULT_STATE_DIR);
	struct state_dir st;
	json_object *j = NULL;
	int rc;

	/* status only reads: a missing state dir is not created (mode 0);
	 * the default resolves inside --root, as every other use does. */
	rc = o->state_dir ? state_open_in(&st, "/", o->state_dir, 0, why)
			  : state_open_in(&st, o->host.root, DEFAULT_STATE_DIR, 0, why);
	if (rc == 1) {
		*why = xasprintf("no post-invoke or fix run recorded (%s does not exist)", path);
	} else if (rc == 0) {
		j = record_read(&st, why);
		state_close(&st);
	}
	free(path);
	return j;
}

int status_command(struct guard_opts *o)
{
	char *why = NULL;
	json_object *j = record_load(o, &why);
	long long now = (long long)time(NULL), t = 0;
	int rc;

	if (j == NULL) {
		if (o->json) {
			json_object *e = json_object_new_object();
			json_object_object_add(e, "kind", json_object_new_string(STATUS_KIND));
			json_object_object_add(e, "schema", json_object_new_int(1));
			json_object_object_add(e, "recorded", json_object_new_boolean(0));
			json_object_object_add(e, "error", json_object_new_string(why));
			puts(json_object_to_json_string_ext(e, JSON_C_TO_STRING_PRETTY |
							    JSON_C_TO_STRING_NOSLASHESCAPE));
			json_object_put(e);
		} else {
			printf("unknown: %s\n", why);
		}
		free(why);
		return PFG_EXIT_ERROR;
	}
	rc = status_exit_code(run_verdict_parse(str_field(j, "verdict")));
	if (o->json) {
		int_field(j, "time", &t);
		json_object_object_add(j, "recorded", json_object_new_boolean(1));
		json_object_object_add(j, "age_seconds", json_object_new_int64(now - t));
		puts(json_object_to_json_string_ext(j, JSON_C_TO_STRING_PRETTY |
						    JSON_C_TO_STRING_NOSLASHESCAPE));
	} else {
		print_line(j, now);
	}
	json_object_put(j);
	return rc;
}

/* ---- `status --monitoring-plugin` ---- */

static int is(const char *a, const char *b)
{
	return a && strcmp(a, b) == 0;
}

/* What the record says, before its age. */
static enum plugin_state outcome_state(json_object *j)
{
	const char *verdict = str_field(j, "verdict"), *outcome = str_field(j, "outcome");
	long long left = 0;

	int_field(j, "errors_left", &left);
	if (is(verdict, "aborted") || is(verdict, "error") || is(outcome, "fix-failed") ||
	    is(outcome, "aborted") || is(outcome, "error") || left > 0)
		return PLUGIN_CRITICAL;
	if (!is(verdict, "ok") && !is(verdict, "fixed"))
		return PLUGIN_UNKNOWN;
	/* Findings reported and none of them an error: warnings. */
	return is(outcome, "reported") ? PLUGIN_WARNING : PLUGIN_OK;
}

static void duration(long long s, char *buf, size_t n)
{
	age_text(s, buf, n);
	buf[strlen(buf) - strlen(" ago")] = '\0';
}

/* "ok: post-invoke 5 min ago, 1 finding, 1 error left, exit 0". */
static char *run_words(json_object *j, long long age)
{
	long long findings = 0, left = 0, code = 0;
	char ago[32], *errs;
	char *s;

	int_field(j, "findings", &findings);
	int_field(j, "errors_left", &left);
	int_field(j, "exit_code", &code);
	age_text(age, ago, sizeof ago);
	errs = left ? xasprintf(", %lld error%s left", left, left == 1 ? "" : "s") : xstrdup("");
	s = xasprintf("%s: %s %s, %lld finding%s%s, exit %lld", str_field(j, "outcome"),
		      str_field(j, "command"), ago, findings, findings == 1 ? "" : "s", errs, code);
	free(errs);
	return s;
}

static char *status_details(json_object *j, long long t, long long max_age)
{
	const char *report = str_field(j, "report");
	char when[32], max[32];
	struct tm tm;
	time_t tt = (time_t)t;

	strftime(when, sizeof when, "%Y-%m-%dT%H:%M:%SZ", gmtime_r(&tt, &tm));
	duration(max_age, max, sizeof max);
	return xasprintf("note: the last post-invoke or fix ran at %s\n%s%s%s"
			 "note: %s%s (--max-age %lld)\n", when,
			 report ? "note: its report: " : "", report ? report : "",
			 report ? "\n" : "", max_age ? "WARNING when older than " : "",
			 max_age ? max : "its age is never a WARNING", max_age);
}

int status_plugin(struct guard_opts *o, long long max_age)
{
	char *why = NULL, *words, *summary, *details, *perf, max[32];
	json_object *j = record_load(o, &why);
	long long now = (long long)time(NULL), t = 0, age, findings = 0, left = 0;
	enum plugin_state s;
	int rc;

	if (j == NULL)
		plugin_fail(why, 0);
	int_field(j, "time", &t);
	int_field(j, "findings", &findings);
	int_field(j, "errors_left", &left);
	age = now > t ? now - t : 0;
	words = run_words(j, age);
	s = outcome_state(j);
	duration(max_age, max, sizeof max);
	if (s == PLUGIN_UNKNOWN)
		summary = xasprintf("the record's verdict is not known: %s", words);
	else if (s <= PLUGIN_WARNING && max_age > 0 && age > max_age) {
		s = PLUGIN_WARNING;
		summary = xasprintf("no guarded run for more than %s; last %s", max, words);
	} else
		summary = xasprintf("last run %s%s", words,
				    s == PLUGIN_WARNING ? " (warnings only)" : "");
	details = status_details(j, t, max_age);
	perf = max_age ? xasprintf("age=%llds;%lld;;0; findings=%lld;;;0; errors_left=%lld;;;0;",
				   age, max_age, findings, left)
		       : xasprintf("age=%llds;;;0; findings=%lld;;;0; errors_left=%lld;;;0;",
				   age, findings, left);
	rc = plugin_emit(s, summary, perf, details);
	free(words);
	free(summary);
	free(details);
	free(perf);
	json_object_put(j);
	return rc;
}
