/*
 * The acting commands.  Each reads like a verb: gather the facts (host,
 * snapshots), let the pure parts judge (diff, policy), act (fix/,
 * predict/), report (report/), with one cleanup path.  What every command
 * sets up is session.c; the fix transaction is fix/apply.c; the
 * prediction and the pin are predict/pin.c.
 */
#include "guard.h"
#include "judged.h"
#include "session.h"
#include "status.h"
#include "../diff/diff.h"
#include "../fix/apply.h"
#include "../fix/dropin.h"
#include "../host/hostfind.h"
#include "../host/hostsnap.h"
#include "../predict/hookinfo.h"
#include "../predict/pin.h"
#include "../predict/release.h"
#include "../report/report.h"
#include "../util/xalloc.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

/* ---- pre-invoke, post-invoke ---- */

int guard_pre_invoke(struct guard_opts *o)
{
	struct session s;
	struct host_view h;
	char *err = NULL, *json;
	int rc = 0;

	if (session_begin(&s, o, "pre-invoke", &h, &rc) < 0)
		return rc;
	/* Each form is freed as soon as the next exists: with ten thousand
	 * pools the view, the snapshot and its text are megabytes each. */
	json = snapshot_json_from_host(&h, "pre-invoke");
	host_free(&h);
	if (state_write_transient(&s.st, SNAPSHOT_FILE, json, strlen(json), 0600, &err) < 0)
		rc = session_fail(&s, err);
	free(json);
	session_free(&s);
	return rc;
}

static void drop_snapshot(struct session *s)
{
	if (state_remove(&s->st, SNAPSHOT_FILE) < 0)
		fprintf(stderr, "php-fpm-guard: cannot remove %s/%s: %s\n", s->st.path,
			SNAPSHOT_FILE, strerror(errno));
}

/* The pools this run carried into a new instance, proven (release.h). */
static void post_carried(struct session *s, struct judged *j)
{
	char **notes;
	size_t i, n;
	int failed;

	n = release_carried_notes(&s->o->host, &j->h, &j->old, &notes, &failed);
	for (i = 0; i < n; i++)
		run_report_note(&j->rep, notes[i]);
	free(notes);
	if (failed)
		run_report_note(&j->rep, xstrdup("a carried pool did not let every client "
						 "in: see php-fpm-guard check"));
}

int guard_post_invoke(struct guard_opts *o)
{
	struct session s;
	struct judged j;
	char *err = NULL;
	size_t i;
	int rc, same;

	judged_init(&j, "post-invoke");
	if (session_begin(&s, o, "post-invoke", &j.h, &rc) < 0)
		return rc;
	j.have_h = 1;
	same = judged_compare(&s, &j, &err);
	if (same < 0) {
		rc = session_fail(&s, err);
		goto out;
	}
	rc = 0;
	if (same == 0) {
		judged_findings(&j);
		if (j.have_old)
			post_carried(&s, &j);
		judged_outcomes(&j);
		rc = judged_act(&s, &j, j.have_old);
		j.rep.exit_code = rc;
		if (j.fl.n > 0 || (j.rep.nnotes > 0 && j.have_old))
			judged_report(&s, &j);
		else	/* say why there was no snapshot, but keep clean hosts quiet */
			for (i = 0; i < j.rep.nnotes; i++)
				fprintf(stderr, "php-fpm-guard: note: %s\n", j.rep.notes[i]);
	}
	drop_snapshot(&s);
	status_record_run(o, &s.conf, &s.st, &j.rep, judged_now(&j));
out:
	judged_free(&j);
	session_free(&s);
	return rc;
}

/* ---- fix, diff ---- */

/*
 * fix's text: the diff (--dry-run) or what was fixed, and why a pool was
 * not -- pool names and file bytes, so through the terminal-safe sink
 * (report.h).  Returns 1 when some pool was not fixed.
 */
static int fix_print(const struct guard_opts *o, const struct fix_set *fs)
{
	char *ob = NULL, *eb = NULL;
	size_t ol = 0, el = 0, i, k;
	FILE *out = text_open(&ob, &ol), *err = text_open(&eb, &el);
	int failed = 0;

	if (o->dry_run)
		fix_set_print_diff(fs, out);
	for (i = 0; i < fs->npools; i++) {
		const struct fix_pool *fp = &fs->pools[i];
		if (fp->error) {
			fprintf(o->dry_run ? err : out, "%s: pool %s: %s: %s\n",
				fp->iv->loc.config, fp->pv->pool->name,
				fp->closed ? "not fixed" : "cannot fix", fp->error);
			failed = 1;
			continue;
		}
		if (o->dry_run)
			continue;
		fprintf(out, "fixed pool %s (%s):", fp->pv->pool->name, fp->iv->loc.config);
		for (k = 0; k < fp->nlines; k++)
			fprintf(out, "%s %s", k ? "," : "", fp->lines[k]);
		fprintf(out, "\n");
	}
	text_close(out, &ob, &ol, stdout);
	text_close(err, &eb, &el, stderr);
	return failed;
}

/* Every pool a client cannot reach, now or after the next start. */
static void fix_collect(struct host_view *h, struct fix_set *fs)
{
	struct problem_list pl = { NULL, 0, 0 };
	size_t i;

	host_judge(h, &pl);
	for (i = 0; i < pl.n; i++)
		if (pl.v[i].kind == PR_DENIED_NOW || pl.v[i].kind == PR_DENIED_NEXT) {
			char *why = xasprintf("explicit so that %s can connect",
					      pl.v[i].pc->client->user);
			fix_set_add(fs, h, pl.v[i].inst, pl.v[i].pv, why, NULL);
			free(why);
		}
	free(pl.v);
}

int guard_fix(struct guard_opts *o)
{
	struct session s;
	struct fix_ctx fc = { &o->host, &s.st, FIX_POOL_FILE };
	struct host_view h, after;
	struct fix_set fs;
	char *err = NULL;
	int rc = 0, have_after = 0;
	size_t ok;

	memset(&fs, 0, sizeof fs);
	session_setup(&s, o, "fix");
	pfg_die_code = PFG_EXIT_ERROR;	/* fix is run by hand: its failure is one */
	fc.target = s.conf.fix_target;
	if (!o->dry_run && session_open_state(&s, &err) < 0)
		diex("%s", err);
	if (!o->dry_run)
		session_recover(&s);
	o->host.prove = 1;
	if (host_inspect(&o->host, &h) < 0)
		die("cannot open root %s", o->host.root);
	fix_collect(&h, &fs);
	if (fs.npools == 0) {
		printf("nothing to fix: every client can connect to every pool%s\n",
		       host_error_count(&h) ? " (but see php-fpm-guard check for errors)" : "");
		goto out;
	}
	ok = fix_plan(&fc, &fs, &h);
	if (o->dry_run)
		rc = ok > 0 ? EXIT_PROBLEMS : 0;
	else if (ok > 0)
		have_after = fix_apply(&fc, &h, &fs, &after);
	rc = fix_print(o, &fs) ? EXIT_PROBLEMS : rc;
out:
	status_record_fix(o, &s.conf, s.have_state ? &s.st : NULL, &fs, rc,
			  have_after ? &after : fs.npools ? NULL : &h);
	if (have_after)
		host_free(&after);
	fix_set_free(&fs);
	host_free(&h);
	session_free(&s);
	return rc;
}

static void read_snapshot_file(const char *path, struct snapshot *s)
{
	char *buf, *err = NULL;
	struct stat st;
	size_t got = 0;
	ssize_t n;
	int fd = open(path, O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC);

	if (fd < 0)
		die("%s", path);
	if (fstat(fd, &st) < 0 || !S_ISREG(st.st_mode) ||
	    (size_t)st.st_size > SNAPSHOT_MAX_SIZE)
		diex("%s: not a regular file of at most %zu bytes", path, SNAPSHOT_MAX_SIZE);
	buf = xmalloc((size_t)st.st_size + 1);
	while (got < (size_t)st.st_size && (n = read(fd, buf + got, (size_t)st.st_size - got)) > 0)
		got += (size_t)n;
	close(fd);
	if (snapshot_parse(buf, got, s, &err) < 0)
		diex("%s: not a usable snapshot: %s", path, err);
	free(buf);
}

int guard_diff(struct guard_opts *o)
{
	struct judged j;
	int rc;

	judged_init(&j, "diff");
	read_snapshot_file(o->old_file, &j.old);
	j.have_old = 1;
	read_snapshot_file(o->new_file, &j.cur);
	j.have_cur = 1;
	diff_snapshots(&j.old, &j.cur, &j.fl);
	judged_outcomes(&j);
	j.rep.out = NULL;	/* diff decides nothing */
	j.rep.outcome = j.fl.n ? RES_REPORTED : RES_OK;
	rc = j.fl.n ? EXIT_PROBLEMS : 0;
	j.rep.exit_code = rc;
	if (o->json) {
		char *text = report_findings_json(&j.rep);
		puts(text);
		free(text);
	} else {
		report_findings_text(stdout, &j.rep);
	}
	judged_free(&j);
	return rc;
}

/* ---- pre-install-pkgs: predict from the incoming packages ---- */

/*
 * APT's list, parsed into hi: 1 when it unpacks a php*-fpm package (there
 * is something to predict), 0 when not (or predict = no), -1 on the
 * guard's own failure (*rc its exit code).
 */
static int read_transaction(struct session *s, struct hook_info *hi, int *rc)
{
	char *info, *err = NULL;
	size_t len = 0;
	int want = 0;

	info = hookinfo_read(s->o->hook_info, &len, &err);
	if (s->conf.no_predict) {	/* read what apt sent, then nothing */
		free(info);
		free(err);
		return 0;
	}
	if (info == NULL || hookinfo_parse(info, len, hi, &err) < 0) {
		free(info);
		*rc = session_fail(s, xasprintf("APT's package list: %s", err));
		free(err);
		return -1;
	}
	free(info);
	/* Unpacked or removed: a release upgrade does both. */
	want = release_wants(hi);
	if (!want)
		hookinfo_free(hi);
	return want;
}

/* f's policy, and the lines that pin access (what fix writes to the
 * drop-in, what abort tells the admin to add).  1 when it aborts. */
static int pre_decide(struct session *s, struct prediction_set *ps,
		      const struct release_plan *rp, const struct finding *f,
		      struct finding_outcome *o)
{
	struct prediction *p = pin_prediction_of(ps, f);
	const struct release_carry *c = release_carry_of(rp, f);

	o->policy = guard_conf_policy(&s->conf, f->pool, s->o->cli_policy);
	o->act = policy_decide(f, o->policy);
	if (o->act == ACT_FIX && release_fixable(f) && (c == NULL || c->refused)) {
		/* No carry: a site's PHP is lost (abort); an unused pool just goes. */
		o->act = f->sev == SEV_ERROR ? ACT_ABORT : ACT_REPORT;
		o->note = xasprintf("not carried: %s", c ? c->refused : "no carry for this pool");
	}
	o->result = o->act == ACT_ABORT ? RES_ABORTED : RES_REPORTED;
	if (p)
		o->nlines = pin_fix_lines(p, f, o->lines, &o->fix_file);
	return o->act == ACT_ABORT;
}

/* Policy fix: pin each pool once; the result of the first finding of a
 * pool holds for the others. */
static void pre_pin(struct session *s, struct judged *j, struct prediction_set *ps, size_t i)
{
	const struct finding *f = &j->fl.v[i];
	struct finding_outcome *o = &j->out[i];
	struct prediction *p = pin_prediction_of(ps, f);
	char *why = NULL;
	size_t k;

	for (k = 0; k < i; k++)
		if (j->out[k].act == ACT_FIX && strcmp(j->fl.v[k].instance, f->instance) == 0 &&
		    strcasecmp(j->fl.v[k].pool, f->pool) == 0) {
			o->result = j->out[k].result;
			return;
		}
	if (p && pin_with_dropin(&s->o->host, &j->h, p, f->pool, o->lines, o->nlines,
				 &why) == 0) {
		o->result = RES_PINNED;
		o->note = xstrdup("the upgrade's restart creates the socket with these values; "
				  "post-invoke confirms");
	} else {
		o->result = RES_DEFERRED;
		o->note = xasprintf("not pinned before dpkg (%s): post-invoke fixes it after "
				    "the restart", why ? why : "no prediction");
	}
	free(why);
}

/* Policy fix of release findings: every carry written, or none and
 * the run aborted.  1 when it aborts. */
static int pre_carry(struct judged *j, struct release_plan *rp)
{
	char *err = NULL;
	size_t i;
	int any = 0, failed;

	for (i = 0; i < j->fl.n; i++)
		any |= j->out[i].act == ACT_FIX && release_fixable(&j->fl.v[i]);
	if (!any)
		return 0;
	failed = release_write_carries(rp, &j->h, &err) < 0;
	for (i = 0; i < j->fl.n; i++) {
		const struct release_carry *c = release_carry_of(rp, &j->fl.v[i]);
		struct finding_outcome *o = &j->out[i];
		if (o->act != ACT_FIX || c == NULL)
			continue;
		o->result = failed ? RES_ABORTED : RES_CARRIED;
		o->note = failed ? xasprintf("not carried: %s", err)
			  : xasprintf("carried as [%s] into %s: the first start of %s serves "
				      "it; post-invoke proves it", c->name, c->to->config,
				      c->to->act->package);
		if (!failed)
			o->fix_file = xstrdup(c->path);
	}
	free(err);
	return failed;
}

/* Decide, then abort before dpkg or pin now.  Returns the exit code. */
static int pre_act(struct session *s, struct judged *j, struct prediction_set *ps,
		   struct release_plan *rp)
{
	size_t i;
	int aborted = 0, pinned = 0, deferred = 0, carried = 0;

	for (i = 0; i < j->fl.n; i++)
		aborted |= pre_decide(s, ps, rp, &j->fl.v[i], &j->out[i]);
	if (!aborted)
		aborted = pre_carry(j, rp);
	for (i = 0; i < j->fl.n; i++)
		carried |= j->out[i].result == RES_CARRIED;
	for (i = 0; !aborted && i < j->fl.n; i++) {
		if (j->out[i].act != ACT_FIX || j->out[i].result == RES_CARRIED)
			continue;
		pre_pin(s, j, ps, i);
		pinned |= j->out[i].result == RES_PINNED;
		deferred |= j->out[i].result == RES_DEFERRED;
	}
	j->rep.outcome = aborted ? RES_ABORTED : deferred ? RES_DEFERRED : pinned ? RES_PINNED
			 : carried ? RES_CARRIED : j->fl.n ? RES_REPORTED : RES_OK;
	return aborted ? EXIT_PROBLEMS : 0;
}

int guard_pre_install_pkgs(struct guard_opts *o)
{
	struct session s;
	struct judged j;
	struct hook_info hi;
	struct prediction_set ps;
	struct release_plan rp;
	char *err = NULL;
	size_t i;
	int rc = 0;

	memset(&ps, 0, sizeof ps);
	memset(&rp, 0, sizeof rp);
	judged_init(&j, "pre-install-pkgs");
	session_setup(&s, o, "pre-install-pkgs");
	if (read_transaction(&s, &hi, &rc) <= 0)
		goto out;	/* the common case: no PHP-FPM in this run */
	if (session_open_state(&s, &err) < 0) {
		rc = session_fail(&s, err);
		goto out_hi;
	}
	session_cache_open(&s);
	if (host_inspect(&o->host, &j.h) < 0) {
		rc = session_fail(&s, xasprintf("cannot open root %s: %s", o->host.root,
						strerror(errno)));
		goto out_hi;
	}
	j.have_h = 1;
	snapshot_from_host(&j.cur, &j.h, "pre-install-pkgs");
	j.have_cur = 1;
	pin_predict_all(&o->host, &j.h, &hi, &j.cur, &ps, &j.fl);
	release_plan_build(&o->host, &j.h, &hi, &rp);
	release_findings(&rp, &j.h, &j.cur, &j.fl);
	for (i = 0; i < ps.nnotes; i++)
		run_report_note(&j.rep, xstrdup(ps.notes[i]));
	for (i = 0; i < rp.nnotes; i++)
		run_report_note(&j.rep, xstrdup(rp.notes[i]));
	judged_outcomes(&j);
	rc = pre_act(&s, &j, &ps, &rp);
	j.rep.exit_code = rc;
	if (j.fl.n > 0 || j.rep.nnotes > 0)
		judged_report(&s, &j);
	prediction_set_free(&ps);
	release_plan_free(&rp);
out_hi:
	hookinfo_free(&hi);
out:
	judged_free(&j);
	session_free(&s);
	return rc;
}
