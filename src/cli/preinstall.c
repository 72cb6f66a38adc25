/*
 * pre-install-pkgs (DPkg::Pre-Install-Pkgs, protocol 3): before dpkg
 * changes anything, predict what the transaction's php*-fpm packages do
 * (predict/pin.c for upgrades, predict/release.c for removals and new
 * branches), then abort, or pin access in the drop-in and carry pools
 * into the arriving instance, by policy.
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
#include "../predict/modphp.h"
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
	/* Unpacked or removed: a release upgrade does both; a mod_php
	 * module unpacked takes Apache's sites off their pools. */
	want = release_wants(hi) || modphp_incoming(hi) != NULL;
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
	modphp_predict(&hi, &j.h.root, &j.cur, &j.fl);	/* libapache2-mod-php*: sites leave their pools */
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
