/*
 * The hooks around dpkg: pre-invoke, post-invoke, and post-dpkg (the dpkg
 * trigger's).  Each reads like a verb: gather the facts (host,
 * snapshots), let the pure parts judge (diff, policy), act (fix/),
 * report (report/), with one cleanup path.  What every command sets up is
 * session.c, one judged run judged.c; fix and diff are fixdiff.c,
 * Pre-Install-Pkgs preinstall.c.
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

/* ---- the last good state, for the dpkg trigger ---- */

/* The host as the run left it (judged_now, writable for the snapshot). */
static struct host_view *left_view(struct judged *j)
{
	if (j->have_after)
		return &j->after;
	return j->have_h && !j->fixed_some ? &j->h : NULL;
}

/* post-invoke's snapshot, consumed: an unchanged host that ended well
 * keeps it as the last good state (a rename, however large), a changed
 * one that ended well is written from the host as the run left it. */
static void hand_over(struct session *s, struct judged *j, int same, enum run_verdict v)
{
	if (session_is_good(v) && same == 1 && state_rename(&s->st, SNAPSHOT_FILE, LAST_GOOD_FILE) == 0)
		return;
	drop_snapshot(s);
	if (session_is_good(v) && same == 0)
		session_record_good(s, left_view(j), "post-invoke");
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
	enum run_verdict v;

	judged_init(&j, "post-invoke");
	if (session_begin(&s, o, "post-invoke", &j.h, &rc) < 0)
		return rc;
	j.have_h = 1;
	same = judged_compare(&s, &j, &judged_pre_invoke, &err);
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
	v = status_record_run(o, &s.conf, &s.st, &j.rep, judged_now(&j));
	hand_over(&s, &j, same, v);
out:
	judged_free(&j);
	session_free(&s);
	return rc;
}

/* ---- post-dpkg: the dpkg file trigger ---- */

/*
 * Under a libapt frontend (apt, aptitude, unattended-upgrades) dpkg runs
 * between Pre-Invoke and Post-Invoke: the snapshot Pre-Invoke took for
 * this run is there, and the frontend that holds dpkg's lock says so in
 * DPKG_FRONTEND_LOCKED (apt sets it for dpkg, dpkg passes it to the
 * maintainer scripts).  Post-Invoke judges that run, so nothing is
 * reported twice.  A snapshot without the variable is what an
 * interrupted apt run left (dpkg --configure -a by hand): judged here.
 */
static int under_apt(struct session *s)
{
	const char *locked = getenv("DPKG_FRONTEND_LOCKED");

	return locked && *locked && state_has(&s->st, SNAPSHOT_FILE);
}

/* A finding against the last good state may be older than this dpkg run. */
static void note_base_age(struct judged *j)
{
	long long age = j->cur.created - j->old.created;

	run_report_note(&j->rep, xasprintf("compared with the last good state (recorded by %s "
					   "%lld min ago): a change made since then outside "
					   "dpkg counts as this run's", j->old.phase,
					   (age < 0 ? 0 : age) / 60));
}

/* The judgment itself: post-invoke's, against the last good state. */
static int post_dpkg_judge(struct session *s, struct judged *j)
{
	size_t i;
	int rc;

	judged_findings(j);
	if (j->have_old && j->fl.n > 0)
		note_base_age(j);
	judged_outcomes(j);
	rc = judged_act(s, j, j->have_old);
	j->rep.exit_code = rc;
	if (j->fl.n > 0)
		judged_report(s, j);
	else	/* why a base was discarded; a clean first look stays quiet */
		for (i = 0; i < j->rep.nnotes; i++)
			if (strcmp(j->rep.notes[i], j->base->none) != 0)
				fprintf(stderr, "php-fpm-guard: note: %s\n", j->rep.notes[i]);
	return rc;
}

int guard_post_dpkg(struct guard_opts *o)
{
	struct session s;
	struct judged j;
	char *err = NULL;
	int rc = 0, same;
	enum run_verdict v;

	judged_init(&j, "post-dpkg");
	session_setup(&s, o, "post-dpkg");
	if (session_open_state(&s, &err) < 0) {
		rc = session_fail(&s, err);
		session_free(&s);
		goto out_j;
	}
	if (under_apt(&s)) {
		session_free(&s);
		goto out_j;
	}
	if (session_inspect(&s, &j.h, &rc) < 0)
		goto out_j;
	j.have_h = 1;
	same = judged_compare(&s, &j, &judged_last_good, &err);
	if (same < 0) {
		rc = session_fail(&s, err);
		goto out;
	}
	if (same == 0)
		rc = post_dpkg_judge(&s, &j);
	v = status_record_run(o, &s.conf, &s.st, &j.rep, judged_now(&j));
	if (same == 0 && session_is_good(v))
		session_record_good(&s, left_view(&j), "post-dpkg");
out:
	session_free(&s);
out_j:
	judged_free(&j);
	return rc;
}
