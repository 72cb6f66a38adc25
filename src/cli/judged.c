#include "judged.h"
#include "../fix/apply.h"
#include "../fix/dropin.h"
#include "../host/hostfind.h"
#include "../host/hostsnap.h"
#include "../util/xalloc.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

const struct judged_base judged_pre_invoke = {
	SNAPSHOT_FILE, "pre-invoke snapshot", "pre-invoke", 1,
	"no pre-invoke snapshot (first run, or pre-invoke failed): checking the current "
	"state instead, nothing is changed"
};

/* Any phase: post-invoke, fix, post-dpkg write it, and an unchanged
 * post-invoke keeps pre-invoke's snapshot as it. */
const struct judged_base judged_last_good = {
	LAST_GOOD_FILE, "last good state", NULL, 0,
	"no last good state recorded (the guard has not yet seen this host fine): "
	"checking the current state instead, nothing is changed"
};

void judged_init(struct judged *j, const char *command)
{
	memset(j, 0, sizeof *j);
	j->rep.command = command;
	j->rep.time = (long long)time(NULL);
}

void judged_outcomes(struct judged *j)
{
	j->out = xcalloc(j->fl.n ? j->fl.n : 1, sizeof *j->out);
	j->rep.fl = &j->fl;
	j->rep.out = j->out;
	j->rep.old = j->have_old ? &j->old : NULL;
	j->rep.cur = j->have_cur ? &j->cur : NULL;
}

const struct host_view *judged_now(const struct judged *j)
{
	if (j->have_after)
		return &j->after;
	return j->have_h && !j->fixed_some ? &j->h : NULL;
}

void judged_free(struct judged *j)
{
	run_report_free(&j->rep, j->out, j->fl.n);
	finding_list_free(&j->fl);
	if (j->have_old)
		snapshot_free(&j->old);
	if (j->have_cur)
		snapshot_free(&j->cur);
	if (j->have_after)
		host_free(&j->after);
	if (j->have_h)
		host_free(&j->h);
}

void judged_report(struct session *s, struct judged *j)
{
	struct state_dir ld;
	char *err = NULL;
	int have = session_open_log(s, &ld, &err) == 0;

	report_findings_text(stderr, &j->rep);
	if (!have)
		fprintf(stderr, "php-fpm-guard: report not saved: %s\n", err);
	report_save(&j->rep, have ? &ld : NULL, s->o->syslog);
	if (have)
		state_close(&ld);
	free(err);
}

/* ---- deciding and fixing ---- */

static int is_lost(const struct finding *f)
{
	return f->kind == FK_CLIENT_LOST || f->kind == FK_CLIENT_LOST_NEXT;
}

/* The explicit lines that would give pv's clients access again. */
static void advise(struct host_view *h, const struct pool_view *pv,
		   const struct finding *f, struct finding_outcome *o)
{
	const struct fpm_setting *l;

	if (pv == NULL || !is_lost(f))
		return;
	o->nlines = host_fix_lines(pv, h->acc, o->lines);
	l = &pv->pool->set[K_LISTEN];
	o->fix_file = xstrdup(l->file ? l->file : pv->pool->file);
}

/* Policy for every finding; the ones to fix queued in fs (fixi[i] their
 * pool's index, or (size_t)-1).  Each finding's pool is looked up once. */
static void decide_all(struct session *s, struct judged *j, int allow_fix,
		       struct fix_set *fs, size_t *fixi)
{
	size_t i;

	for (i = 0; i < j->fl.n; i++) {
		const struct finding *f = &j->fl.v[i];
		struct finding_outcome *o = &j->out[i];
		struct instance_view *iv = NULL;
		struct pool_view *pv = host_find_pool(&j->h, f->instance, f->pool, &iv);
		char *why;

		if (f->kind == FK_SERVER_RETARGETED &&
		    guard_conf_retarget_error(&s->conf, f->pool))
			j->fl.v[i].sev = SEV_ERROR;	/* [pool NAME] retarget = error */
		o->policy = guard_conf_policy(&s->conf, f->pool, s->o->cli_policy);
		o->act = policy_decide(f, o->policy);
		if (o->act == ACT_FIX && !allow_fix)
			o->act = ACT_REPORT;
		advise(&j->h, pv, f, o);
		fixi[i] = (size_t)-1;
		if (o->act != ACT_FIX || pv == NULL)
			continue;
		why = xasprintf("explicit so that %s can connect (it lost access: %s)",
				f->user, f->after ? f->after : "?");
		/* f->user: a client the snapshot says had access. */
		fixi[i] = fix_set_add(fs, &j->h, iv, pv, why, f->user);
		free(why);
	}
}

/* A fixed finding's outcome: where the lines went, and the conffile note. */
static void fixed(struct session *s, const struct rootfs *root, const struct fix_pool *fp,
		  struct finding_outcome *o)
{
	o->result = RES_FIXED;
	if (s->conf.fix_target == FIX_DROPIN) {
		const char *pf = fp->pv->pool->file;
		free(o->fix_file);
		o->fix_file = xasprintf("%.*s/%s", (int)(strrchr(pf, '/') - pf), pf, DROPIN_NAME);
	} else if (o->fix_file && o->note == NULL) {
		o->note = fix_conffile_note(root, o->fix_file);
	}
}

int judged_act(struct session *s, struct judged *j, int allow_fix)
{
	struct fix_ctx fc = { &s->o->host, &s->st, s->conf.fix_target };
	struct fix_set fs;
	size_t i, *fixi = xcalloc(j->fl.n ? j->fl.n : 1, sizeof *fixi);
	int aborted = 0, failed = 0, nfixed = 0;

	memset(&fs, 0, sizeof fs);
	decide_all(s, j, allow_fix, &fs, fixi);
	if (fs.npools > 0) {
		if (fc.target == FIX_POOL_FILE)
			fix_set_plan(&fs, &j->h);
		j->fixed_some = 1;
		j->have_after = fix_apply(&fc, &j->h, &fs, &j->after);
	}
	for (i = 0; i < j->fl.n; i++) {
		struct finding_outcome *o = &j->out[i];
		const struct fix_pool *fp = fixi[i] == (size_t)-1 ? NULL : &fs.pools[fixi[i]];
		if (o->act == ACT_ABORT) {
			o->result = RES_ABORTED;
			aborted = 1;
		} else if (o->act == ACT_REPORT) {
			o->result = RES_REPORTED;
		} else if (fp && fp->error == NULL) {
			fixed(s, &j->h.root, fp, o);
			nfixed = 1;
		} else {
			o->result = RES_FIX_FAILED;
			o->note = fp ? xstrdup(fp->error) : NULL;
			failed = 1;
		}
	}
	fix_set_free(&fs);
	free(fixi);
	j->rep.outcome = run_outcome(failed, aborted, nfixed, j->fl.n > 0);
	return failed || aborted ? EXIT_PROBLEMS : 0;
}

/* ---- post-invoke, post-dpkg: the two snapshots ---- */

/*
 * The base snapshot: 0 parsed into s, 1 byte-for-byte the same host
 * state as cur_json (nothing to diff, nothing parsed), -1 none (the
 * reason noted).
 */
static int load_snapshot(struct session *ss, const struct judged_base *b, struct snapshot *s,
			 struct run_report *rep, const char *root, const char *cur_json)
{
	char *buf = NULL, *err = NULL;
	size_t len, body = snapshot_body_length(cur_json);
	int rc;

	/* The common case on every apt run: nothing about PHP-FPM changed.
	 * Compared as a stream, so that the old text (megabytes with
	 * thousands of pools) never sits in memory beside the new. */
	if (body > 0 && state_starts_with(&ss->st, b->file, cur_json, body,
					  SNAPSHOT_TAIL_MARK))
		return 1;
	rc = state_read(&ss->st, b->file, SNAPSHOT_MAX_SIZE, &buf, &len, &err);
	if (rc == 1)
		return -1;
	if (rc < 0) {
		run_report_note(rep, xasprintf("%s not used: %s", b->what, err));
		free(err);
		return -1;
	}
	rc = snapshot_parse(buf, len, s, &err);
	free(buf);
	if (rc < 0) {
		run_report_note(rep, xasprintf("%s %s/%s discarded: %s", b->what,
					       ss->st.path, b->file, err));
		free(err);
		return -1;
	}
	if (strcmp(s->root, root) != 0 || (b->phase && strcmp(s->phase, b->phase) != 0)) {
		run_report_note(rep, xasprintf("%s discarded: taken for root %s by %s", b->what,
					       s->root, s->phase));
		snapshot_free(s);
		return -1;
	}
	return 0;
}

static void note_staleness(const struct snapshot *old, const struct snapshot *cur,
			   struct run_report *rep)
{
	long long age = cur->created - old->created;

	if (old->boot_id && cur->boot_id && strcmp(old->boot_id, cur->boot_id) != 0)
		run_report_note(rep, xasprintf("the pre-invoke snapshot is from another boot "
					       "(%lld s ago): live sockets were compared "
					       "across a reboot", age));
	else if (age > SNAPSHOT_STALE_SECONDS)
		run_report_note(rep, xasprintf("the pre-invoke snapshot is %lld h old (an "
					       "interrupted apt run?): changes since then are "
					       "all reported as this run's", age / 3600));
	if (strcmp(old->guard_version, cur->guard_version) != 0)
		run_report_note(rep, xasprintf("the pre-invoke snapshot was taken by "
					       "php-fpm-guard %s", old->guard_version));
}

int judged_compare(struct session *s, struct judged *j, const struct judged_base *b,
		   char **err)
{
	char *cur_json = snapshot_json_from_host(&j->h, j->rep.command);
	char *root = xstrdup(j->h.root.path);
	int rc = -1, same;

	host_free(&j->h);
	j->have_h = 0;
	j->base = b;
	same = load_snapshot(s, b, &j->old, &j->rep, root, cur_json);
	if (same == 1) {
		rc = 1;
		goto out;
	}
	j->have_old = same == 0;
	if (snapshot_parse(cur_json, strlen(cur_json), &j->cur, err) < 0)
		goto out;
	j->have_cur = 1;
	if (host_inspect(&s->o->host, &j->h) < 0) {
		*err = xasprintf("cannot look at the host again: %s", strerror(errno));
		goto out;
	}
	j->have_h = 1;
	rc = 0;
out:
	free(cur_json);
	free(root);
	return rc;
}

void judged_findings(struct judged *j)
{
	if (j->have_old) {
		if (j->base->stale_notes)
			note_staleness(&j->old, &j->cur, &j->rep);
		diff_snapshots(&j->old, &j->cur, &j->fl);
		return;
	}
	run_report_note(&j->rep, xstrdup(j->base->none));
	host_findings_from_problems(&j->h, &j->cur, &j->fl);
}
