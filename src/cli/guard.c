#include "guard.h"
#include "status.h"
#include "../diff/diff.h"
#include "../discover/fpmcache.h"
#include "../fix/dropin.h"
#include "../fix/dropin_io.h"
#include "../fix/fix.h"
#include "../predict/hookinfo.h"
#include "../predict/predict.h"
#include "../report/report.h"
#include "../snapshot/snapshot.h"
#include "../sockets/repair.h"
#include "../state/state.h"
#include "../util/atomicfile.h"
#include "../util/fault.h"
#include "../util/xalloc.h"

#include <errno.h>
#include <fcntl.h>
#include <fnmatch.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

struct run {
	struct guard_opts *o;
	const char *command;
	struct guard_conf conf;
	struct state_dir st;
	int have_state;
	struct fpm_cache cache;	/* php-fpm's answers, kept in the state dir */
	int have_cache;
	FILE *out;		/* where the report text goes */
};

#define FPM_CACHE_FILE "fpm-cache.json"

/* The hooks ask php-fpm only when what it reads changed (issue 7). */
static void cache_open(struct run *r)
{
	char *buf = NULL, *err = NULL;
	size_t len = 0;

	if (state_read(&r->st, FPM_CACHE_FILE, 64u << 20, &buf, &len, &err) < 0) {
		fprintf(stderr, "php-fpm-guard: ignoring the cache: %s\n", err);
		free(err);
	}
	fpm_cache_load(&r->cache, buf, len);
	free(buf);
	r->have_cache = 1;
	r->o->host.cache = &r->cache;
}

static void cache_close(struct run *r)
{
	char *json, *err = NULL;

	if (!r->have_cache)
		return;
	json = fpm_cache_dump(&r->cache);
	if (json && r->have_state &&
	    state_write_transient(&r->st, FPM_CACHE_FILE, json, strlen(json), 0600, &err) < 0) {
		fprintf(stderr, "php-fpm-guard: %s\n", err);
		free(err);
	}
	free(json);
	fpm_cache_free(&r->cache);
	r->o->host.cache = NULL;
	r->have_cache = 0;
}

/* ---- setup ---- */

static char *in_root(const char *root, const char *path)
{
	return strcmp(root, "/") == 0 ? xstrdup(path) : xasprintf("%s%s", root, path);
}

static char **pool_clients(void *ctx, const char *pool, size_t *n)
{
	const struct guard_conf *g = ctx;
	size_t i;

	for (i = 0; i < g->npools; i++)
		if (strcasecmp(g->pools[i].name, pool) == 0 && g->pools[i].nclients) {
			*n = g->pools[i].nclients;
			return g->pools[i].clients;
		}
	*n = 0;
	return NULL;
}

void guard_load_conf(struct guard_opts *o, struct guard_conf *g)
{
	struct rootfs fs;
	char *dir, *slash;
	size_t i;

	if (rootfs_init(&fs, o->config ? "/" : o->host.root) < 0) {
		memset(g, 0, sizeof *g);
		g->policy = POL_REPORT;
		return;
	}
	dir = xstrdup(o->config ? o->config : DEFAULT_CONFIG);
	slash = strrchr(dir, '/');
	if (slash)
		strcpy(slash, "/conf.d");
	guard_conf_load(g, &fs, o->config ? o->config : DEFAULT_CONFIG, dir);
	free(dir);
	rootfs_close(&fs);
	for (i = 0; i < g->nerrors; i++)
		fprintf(stderr, "php-fpm-guard: %s\n", g->errors[i]);
	if (g->nerrors && o->cli_policy == POL_UNSET)
		fprintf(stderr, "php-fpm-guard: guard.conf has errors: policy report for this run\n");
	if (o->host.nclients == 0 && g->nclients > 0) {
		o->host.clients = (const char *const *)g->clients;
		o->host.nclients = g->nclients;
	}
	o->host.pool_clients = pool_clients;
	o->host.pool_clients_ctx = g;
}

static int open_state(struct run *r, char **err)
{
	char *path = r->o->state_dir ? xstrdup(r->o->state_dir)
				     : in_root(r->o->host.root, DEFAULT_STATE_DIR);
	int rc = state_open(&r->st, path, 0700, err);
	int wait_s = r->o->lock_wait ? r->o->lock_wait : LOCK_WAIT_DEFAULT;

	free(path);
	if (rc == 0 && state_lock(&r->st, wait_s, err) < 0) {
		state_close(&r->st);
		return -1;
	}
	r->have_state = rc == 0;
	return rc;
}

/* An internal failure in a hook: say it, and do not block apt. */
static int hook_fail(struct run *r, char *msg)
{
	fprintf(stderr, "php-fpm-guard: %s: %s%s\n", r->command, msg,
		r->conf.strict ? "" : " (not blocking apt; strict = yes would)");
	free(msg);
	return r->conf.strict ? PFG_EXIT_ERROR : 0;
}

static void recover(struct run *r)
{
	char *err = NULL;
	int n = fix_recover(&r->st, &err);

	if (n < 0) {
		fprintf(stderr, "php-fpm-guard: %s\n", err);
	} else if (n > 0) {
		fprintf(stderr, "php-fpm-guard: an interrupted fix was rolled back "
			"(%d file%s restored from %s/backups)\n", n, n == 1 ? "" : "s",
			r->st.path);
	}
	free(err);
}

static void run_free(struct run *r)
{
	cache_close(r);
	if (r->have_state)
		state_close(&r->st);
	guard_conf_free(&r->conf);
}

/* ---- reports on disk and in syslog ---- */

static void save_report(struct run *r, struct run_report *rep)
{
	struct state_dir ld;
	char *path, *err = NULL, *json, name[96];

	if (r->o->syslog)
		report_findings_syslog(rep);
	path = r->o->log_dir ? xstrdup(r->o->log_dir) : in_root(r->o->host.root, DEFAULT_LOG_DIR);
	if (state_open(&ld, path, 0750, &err) < 0) {
		fprintf(stderr, "php-fpm-guard: report not saved: %s\n", err);
		free(err);
		free(path);
		return;
	}
	json = report_findings_json(rep);
	snprintf(name, sizeof name, "%lld-%s-%d.json", rep->time, rep->command, (int)getpid());
	if (state_write(&ld, name, json, strlen(json), 0640, &err) < 0 ||
	    state_write(&ld, "latest.json", json, strlen(json), 0640, &err) < 0) {
		fprintf(stderr, "php-fpm-guard: report not saved: %s\n", err);
		free(err);
	} else {
		/* `status` names it (cli/status.c records every run). */
		snprintf(rep->saved_as, sizeof rep->saved_as, "%s", name);
	}
	free(json);
	free(path);
	state_close(&ld);
}

static void outcome_free(struct finding_outcome *o, size_t n)
{
	size_t i, k;

	for (i = 0; i < n; i++) {
		for (k = 0; k < o[i].nlines; k++)
			free(o[i].lines[k]);
		free(o[i].fix_file);
		free(o[i].note);
	}
	free(o);
}

/* ---- findings to host objects ---- */

static struct pool_view *find_pool_view(struct host_view *h, const char *config,
					const char *pool, struct instance_view **ivp)
{
	size_t i, j;

	if (config == NULL || pool == NULL)
		return NULL;
	for (i = 0; i < h->ninst; i++) {
		if (strcmp(h->inst[i].loc.config, config) != 0)
			continue;
		for (j = 0; j < h->inst[i].npools; j++)
			if (strcasecmp(h->inst[i].pools[j].pool->name, pool) == 0) {
				if (ivp)
					*ivp = &h->inst[i];
				return &h->inst[i].pools[j];
			}
	}
	return NULL;
}

static int is_lost(const struct finding *f)
{
	return f->kind == FK_CLIENT_LOST || f->kind == FK_CLIENT_LOST_NEXT;
}

/* The explicit lines that would give the pool's clients access again. */
static void advise(struct host_view *h, const struct finding *f,
		   struct finding_outcome *o)
{
	struct pool_view *pv = find_pool_view(h, f->instance, f->pool, NULL);
	const struct fpm_setting *l;

	if (pv == NULL || !is_lost(f))
		return;
	o->nlines = host_fix_lines(pv, h->acc, o->lines);
	l = &pv->pool->set[K_LISTEN];
	o->fix_file = xstrdup(l->file ? l->file : pv->pool->file);
}

/* ---- fixing ---- */

static int pool_verified(const struct pool_view *pv, char **why)
{
	size_t c;

	if (pv->eff.nerrors) {
		*why = xasprintf("the edited pool does not read: %s", pv->eff.errors[0]);
		return 0;
	}
	for (c = 0; c < pv->nclients; c++) {
		const struct pool_client *pc = &pv->clients[c];
		if (pc->user == NULL)
			continue;
		if (pc->next != V_ALLOWED || pc->now == V_DENIED || pc->proof == PROVE_DENIED) {
			*why = xasprintf("verification failed: %s still cannot connect (%s)",
					 pc->client->user,
					 pc->next != V_ALLOWED ? "after a restart" : "to the live socket");
			return 0;
		}
	}
	return 1;
}

static void fail_all(struct fix_set *fs, const char *msg)
{
	size_t i;

	for (i = 0; i < fs->npools; i++)
		if (fs->pools[i].error == NULL)
			fs->pools[i].error = xstrdup(msg);
}

/* Re-read the host after the edit; inspect as the original run did. */
static int reinspect(struct run *r, struct host_view *h, int fpm_test, int prove)
{
	struct host_opts ho = r->o->host;

	ho.run_fpm_test = fpm_test;
	ho.prove = prove;
	return host_inspect(&ho, h);
}

static void repair_sockets(struct fix_set *fs, struct host_view *h2)
{
	size_t i;

	for (i = 0; i < fs->npools; i++) {
		struct fix_pool *fp = &fs->pools[i];
		struct pool_view *pv;
		if (fp->error)
			continue;
		pv = find_pool_view(h2, fp->iv->loc.config, fp->pv->pool->name, NULL);
		if (pv == NULL || pv->probe.state != PROBE_SOCKET || pv->eff.nerrors)
			continue;
		if (socket_repair(&h2->root, pv->probe.path, pv->probe.dev, pv->probe.ino,
				  &pv->eff.obj) < 0)
			fp->error = xasprintf("socket %s not repaired: %s", pv->probe.path,
					      strerror(errno));
	}
}

/*
 * Write, prove with php-fpm -t, repair the live sockets, prove with a
 * real connect.  Pools that end with ->error failed; the rest are fixed.
 */
/* fix_target = drop-in: every pool's lines into the guard's drop-in. */
static int write_dropins(struct host_view *h, struct fix_set *fs,
			 struct dropin_change **chg, size_t *n)
{
	size_t i;
	char *err = NULL;

	*chg = xcalloc(fs->npools ? fs->npools : 1, sizeof **chg);
	*n = 0;
	for (i = 0; i < fs->npools; i++) {
		struct fix_pool *fp = &fs->pools[i];
		if (fp->error)
			continue;
		if (dropin_write(h, fp->iv, fp->pv, fp->lines, fp->nlines, 0, &(*chg)[*n],
				 &err) < 0) {
			fp->error = err;
			err = NULL;
			continue;
		}
		(*n)++;
	}
	return *n > 0 ? 0 : -1;
}

static void undo_dropins(struct host_view *h, struct dropin_change *chg, size_t n)
{
	while (n-- > 0)
		dropin_undo(&h->root, &chg[n]);
}

static void free_dropins(struct dropin_change *chg, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		dropin_change_free(&chg[i]);
	free(chg);
}

/* Put back what apply_fix wrote: the pool files, or the drop-ins. */
static int undo_fix(struct run *r, struct host_view *h, struct fix_set *fs,
		    struct dropin_change *chg, size_t nchg, char **err)
{
	if (r->conf.fix_target == FIX_DROPIN) {
		undo_dropins(h, chg, nchg);
		return 0;
	}
	return fix_set_restore(fs, &r->st, err);
}

static void apply_fix(struct run *r, struct host_view *h, struct fix_set *fs)
{
	struct host_view h2, h3;
	struct dropin_change *chg = NULL;
	char *err = NULL;
	size_t i, nchg = 0;
	int refused = 0;

	if (r->conf.fix_target == FIX_DROPIN ? write_dropins(h, fs, &chg, &nchg) < 0
	    : fix_set_write(fs, &r->st, &err) < 0) {
		fail_all(fs, err ? err : "the drop-in could not be written");
		free(err);
		free_dropins(chg, nchg);
		return;
	}
	if (reinspect(r, &h2, 1, 0) < 0) {
		undo_fix(r, h, fs, chg, nchg, &err);
		fail_all(fs, "cannot re-read the host after the edit; original restored");
		free(err);
		free_dropins(chg, nchg);
		return;
	}
	for (i = 0; i < h2.ninst; i++) {
		size_t k;
		for (k = 0; k < fs->npools; k++)
			if (strcmp(fs->pools[k].iv->loc.config, h2.inst[i].loc.config) == 0 &&
			    (h2.inst[i].fpm_test == 0 || h2.inst[i].conf.nerrors > 0))
				refused = 1;
	}
	if (refused) {
		if (undo_fix(r, h, fs, chg, nchg, &err) < 0) {
			fail_all(fs, err);
			free(err);
		} else {
			fail_all(fs, "php-fpm -t refused the edited configuration; original restored");
		}
		host_free(&h2);
		free_dropins(chg, nchg);
		return;
	}
	free_dropins(chg, nchg);
	fault_point("before-socket-repair");
	repair_sockets(fs, &h2);
	host_free(&h2);
	if (reinspect(r, &h3, 0, 1) < 0) {
		fail_all(fs, "cannot re-read the host to verify");
		return;
	}
	for (i = 0; i < fs->npools; i++) {
		struct fix_pool *fp = &fs->pools[i];
		struct pool_view *pv = fp->error ? NULL
			: find_pool_view(&h3, fp->iv->loc.config, fp->pv->pool->name, NULL);
		if (fp->error == NULL && (pv == NULL || !pool_verified(pv, &fp->error)) &&
		    fp->error == NULL)
			fp->error = xstrdup("the pool is gone after the edit");
	}
	host_free(&h3);
	fix_set_done(fs, &r->st);
}

/*
 * A fix written into a package's conffile makes it locally modified:
 * every later upgrade that changes it stops to ask, and
 * unattended-upgrades holds such a package back -- security updates stop
 * arriving.  Say so wherever that happened.
 */
static void note_conffile_edits(struct run *r, struct host_view *h,
				const struct finding_list *fl, struct finding_outcome *out)
{
	static const char *const pats[] = { "php*-fpm" };
	struct pkg_db db;
	char *status;
	size_t i, p, c;

	for (i = 0; i < fl->n && strcmp(out[i].result ? out[i].result : "", "fixed") != 0; i++)
		;
	if (i == fl->n || r->conf.fix_target == FIX_DROPIN)
		return;
	status = rootfs_host_path(&h->root, "/var/lib/dpkg/status");
	if (pkg_db_read(&db, status, pats, 1) == 0)
		for (i = 0; i < fl->n; i++) {
			if (out[i].result == NULL || strcmp(out[i].result, "fixed") != 0 ||
			    out[i].fix_file == NULL || out[i].note)
				continue;
			for (p = 0; p < db.st.npkgs; p++)
				for (c = 0; c < db.st.pkgs[p].nconffiles; c++)
					if (strcmp(db.st.pkgs[p].conffiles[c].path, out[i].fix_file) == 0 &&
					    out[i].note == NULL)
						out[i].note = xasprintf(
							"%s is a conffile of %s and is now locally modified: "
							"every upgrade that changes it will stop and ask, and "
							"unattended-upgrades will hold %s back (no more PHP "
							"security updates). fix_target = drop-in in guard.conf "
							"avoids that", out[i].fix_file, db.st.pkgs[p].name,
							db.st.pkgs[p].name);
		}
	pkg_db_free(&db);
	free(status);
}

/* Decide every finding, fix what policy says to fix, fill the outcomes.
 * Returns the exit code the findings call for. */
static int act_on(struct run *r, struct host_view *h, const struct finding_list *fl,
		  struct finding_outcome *out, int allow_fix, const char **outcome)
{
	struct fix_set fs;
	size_t i, k;
	int aborted = 0, failed = 0, fixed = 0;

	memset(&fs, 0, sizeof fs);
	for (i = 0; i < fl->n; i++) {
		const struct finding *f = &fl->v[i];
		out[i].policy = guard_conf_policy(&r->conf, f->pool, r->o->cli_policy);
		out[i].act = policy_decide(f, out[i].policy);
		if (out[i].act == ACT_FIX && !allow_fix)
			out[i].act = ACT_REPORT;
		advise(h, f, &out[i]);
		if (out[i].act == ACT_FIX) {
			struct instance_view *iv;
			struct pool_view *pv = find_pool_view(h, f->instance, f->pool, &iv);
			char *why = xasprintf("explicit so that %s can connect (it lost access: %s)",
					      f->user, f->after ? f->after : "?");
			if (pv)
				fix_set_add(&fs, h, iv, pv, why);
			free(why);
		}
	}
	if (fs.npools > 0) {
		if (r->conf.fix_target == FIX_POOL_FILE)
			fix_set_plan(&fs, h);
		apply_fix(r, h, &fs);
	}
	for (i = 0; i < fl->n; i++) {
		const struct finding *f = &fl->v[i];
		switch (out[i].act) {
		case ACT_ABORT:
			out[i].result = "aborted";
			aborted = 1;
			break;
		case ACT_REPORT:
			out[i].result = "reported";
			break;
		case ACT_FIX:
			out[i].result = "fix-failed";
			for (k = 0; k < fs.npools; k++)
				if (strcmp(fs.pools[k].iv->loc.config, f->instance) == 0 &&
				    strcasecmp(fs.pools[k].pv->pool->name, f->pool) == 0) {
					if (fs.pools[k].error) {
						out[i].note = xstrdup(fs.pools[k].error);
					} else {
						out[i].result = "fixed";
						if (r->conf.fix_target == FIX_DROPIN) {
							const char *pf = fs.pools[k].pv->pool->file;
							free(out[i].fix_file);
							out[i].fix_file = xasprintf("%.*s/%s",
								(int)(strrchr(pf, '/') - pf), pf,
								DROPIN_NAME);
						}
					}
				}
			if (strcmp(out[i].result, "fixed") == 0)
				fixed = 1;
			else
				failed = 1;
			break;
		}
	}
	note_conffile_edits(r, h, fl, out);
	fix_set_free(&fs);
	*outcome = failed ? "fix-failed" : aborted ? "aborted" : fixed ? "fixed"
		   : fl->n ? "reported" : "ok";
	return failed || aborted ? EXIT_PROBLEMS : 0;
}

/* check's problems as findings: for runs without a snapshot, and fix. */
static void findings_from_problems(const struct host_view *h, const struct snapshot *cur,
				   struct finding_list *fl)
{
	struct problem_list pl = { NULL, 0, 0 };
	size_t i;

	host_judge(h, &pl);
	for (i = 0; i < pl.n; i++) {
		const struct problem *p = &pl.v[i];
		const struct snap_instance *si = snapshot_find_instance(cur, p->inst->loc.config);
		const struct snap_pool *sp = si ? snapshot_find_pool(si, p->pv->pool->name) : NULL;
		struct finding *f;
		enum finding_kind k;

		if (p->kind == PR_DENIED_NOW)
			k = FK_CLIENT_LOST;
		else if (p->kind == PR_DENIED_NEXT)
			k = FK_CLIENT_LOST_NEXT;
		else if (p->kind == PR_NOT_SOCKET)
			k = FK_NOT_SOCKET;
		else if (p->kind == PR_WORLD_ACCESS)
			k = FK_BROADENED;
		else
			continue;
		if (sp == NULL)
			continue;
		XGROW(fl->v, fl->cap, fl->n + 1);
		f = &fl->v[fl->n++];
		memset(f, 0, sizeof *f);
		f->kind = k;
		f->sev = k == FK_BROADENED ? SEV_WARNING : SEV_ERROR;
		f->security = k == FK_BROADENED;
		f->new_i = si;
		f->new_p = sp;
		f->instance = si->config;
		f->pool = sp->name;
		f->user = p->pc ? p->pc->client->user : NULL;
		f->file = sp->set[K_LISTEN].file ? sp->set[K_LISTEN].file : sp->file;
		f->line = sp->set[K_LISTEN].file ? sp->set[K_LISTEN].line : sp->line;
		if (k == FK_CLIENT_LOST || k == FK_CLIENT_LOST_NEXT) {
			f->after = diff_perm_text(k == FK_CLIENT_LOST ? &sp->sock : &sp->eff);
			f->detail = host_denied_reason(p->pv, p->pc, k == FK_CLIENT_LOST_NEXT, h->acc);
		} else if (k == FK_BROADENED) {
			f->after = diff_perm_text(sp->sock_state == PROBE_SOCKET ? &sp->sock : &sp->eff);
			f->detail = xstrdup("any local user may connect (world-writable, CVE-2014-0185)");
		}
	}
	free(pl.v);
}

/* ---- the commands ---- */

static void hook_setup(struct run *r, struct guard_opts *o, const char *command)
{
	memset(r, 0, sizeof *r);
	r->o = o;
	r->command = command;
	r->out = stderr;
	guard_load_conf(o, &r->conf);
	/* From here on even a dying guard must not fail the apt run. */
	pfg_die_code = r->conf.strict ? PFG_EXIT_ERROR : 0;
	o->host.run_fpm_test = 1;
	/* Snapshots take the computed verdicts: a real connect() to every
	 * socket on every apt run would wake every ondemand pool.  The fix
	 * is still proven by a real connect (apply_fix). */
	o->host.prove = 0;
}

/* Entries of the guard's drop-ins whose pool went away: gone, said.
 * Returns how many went. */
static int tidy_dropins(struct host_view *h, FILE *f)
{
	size_t i;
	char *err = NULL;
	int n, total = 0;

	for (i = 0; i < h->ninst; i++) {
		n = dropin_tidy(h, &h->inst[i], &err);
		if (n < 0) {
			fprintf(f, "php-fpm-guard: %s\n", err);
			free(err);
			err = NULL;
		} else if (n > 0) {
			fprintf(f, "php-fpm-guard: note: %s: dropped %d drop-in entr%s for pools "
				"that no longer exist\n", h->inst[i].loc.config, n,
				n == 1 ? "y" : "ies");
			total += n;
		}
	}
	return total;
}

/*
 * Everything a hook does before it looks at snapshots: guard.conf, the
 * state dir and its lock, recovery of an interrupted fix, the host's
 * facts.  -1 when the hook must stop; *rc is then its exit code.
 */
static int hook_begin(struct run *r, struct guard_opts *o, const char *command,
		      struct host_view *h, int *rc)
{
	char *err = NULL;

	hook_setup(r, o, command);
	if (open_state(r, &err) < 0) {
		*rc = hook_fail(r, err);
		run_free(r);
		return -1;
	}
	recover(r);
	cache_open(r);
	if (host_inspect(&o->host, h) < 0) {
		*rc = hook_fail(r, xasprintf("cannot open root %s: %s", o->host.root,
					     strerror(errno)));
		run_free(r);
		return -1;
	}
	/* An entry of the guard's drop-in whose pool went away would be a
	 * pool without listen: drop it first, and look again. */
	if (tidy_dropins(h, stderr) > 0) {
		host_free(h);
		if (host_inspect(&o->host, h) < 0) {
			*rc = hook_fail(r, xasprintf("cannot open root %s: %s", o->host.root,
						     strerror(errno)));
			run_free(r);
			return -1;
		}
	}
	return 0;
}

int guard_pre_invoke(struct guard_opts *o)
{
	struct run r;
	struct host_view h;
	char *err = NULL, *json;
	int rc = 0;

	if (hook_begin(&r, o, "pre-invoke", &h, &rc) < 0)
		return rc;
	/* Each form is freed as soon as the next exists: with ten thousand
	 * pools the view, the snapshot and its text are megabytes each. */
	json = snapshot_json_from_host(&h, "pre-invoke");
	host_free(&h);
	if (state_write_transient(&r.st, SNAPSHOT_FILE, json, strlen(json), 0600, &err) < 0)
		rc = hook_fail(&r, err);
	free(json);
	run_free(&r);
	return rc;
}

/*
 * The pre-invoke snapshot: 0 parsed into s, 1 byte-for-byte the same host
 * state as cur_json (nothing to diff, nothing parsed), -1 none (the
 * reason noted).
 */
static int load_snapshot(struct run *r, struct snapshot *s, struct run_report *rep,
			 const char *root, const char *cur_json)
{
	char *buf = NULL, *err = NULL;
	size_t len, body = snapshot_body_length(cur_json);
	int rc;

	/* The common case on every apt run: nothing about PHP-FPM changed.
	 * Compared as a stream, so that the old text (megabytes with
	 * thousands of pools) never sits in memory beside the new. */
	if (body > 0 && state_starts_with(&r->st, SNAPSHOT_FILE, cur_json, body,
					  SNAPSHOT_TAIL_MARK))
		return 1;
	rc = state_read(&r->st, SNAPSHOT_FILE, SNAPSHOT_MAX_SIZE, &buf, &len, &err);
	if (rc == 1)
		return -1;
	if (rc < 0) {
		run_report_note(rep, xasprintf("pre-invoke snapshot not used: %s", err));
		free(err);
		return -1;
	}
	if (snapshot_parse(buf, len, s, &err) < 0) {
		run_report_note(rep, xasprintf("pre-invoke snapshot %s/%s discarded: %s",
					       r->st.path, SNAPSHOT_FILE, err));
		free(err);
		free(buf);
		return -1;
	}
	free(buf);
	if (strcmp(s->root, root) != 0 || strcmp(s->phase, "pre-invoke") != 0) {
		run_report_note(rep, xasprintf("pre-invoke snapshot discarded: taken for root %s "
					       "by %s", s->root, s->phase));
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

int guard_post_invoke(struct guard_opts *o)
{
	struct run r;
	struct host_view h;
	struct snapshot old, cur;
	struct finding_list fl = { NULL, 0, 0 };
	struct finding_outcome *out;
	struct run_report rep;
	int have_old, rc;
	char *cur_json, *root, *err = NULL;
	size_t i;

	if (hook_begin(&r, o, "post-invoke", &h, &rc) < 0)
		return rc;
	memset(&rep, 0, sizeof rep);
	rep.command = "post-invoke";
	rep.time = (long long)time(NULL);
	/* The unchanged host is the common case: compare the text of the
	 * two snapshots and keep only one form of the facts in memory at a
	 * time; the view is rebuilt when something did change. */
	cur_json = snapshot_json_from_host(&h, "post-invoke");
	root = xstrdup(h.root.path);
	host_free(&h);
	have_old = load_snapshot(&r, &old, &rep, root, cur_json);
	free(root);
	if (have_old == 1) {
		free(cur_json);
		if (state_remove(&r.st, SNAPSHOT_FILE) < 0)
			fprintf(stderr, "php-fpm-guard: cannot remove %s/%s: %s\n", r.st.path,
				SNAPSHOT_FILE, strerror(errno));
		status_record_run(o, &r.conf, &r.st, &rep, NULL);
		run_free(&r);
		return 0;
	}
	have_old = have_old == 0;
	if (snapshot_parse(cur_json, strlen(cur_json), &cur, &err) < 0 ||
	    host_inspect(&o->host, &h) < 0) {
		rc = hook_fail(&r, err ? err : xasprintf("cannot look at the host again: %s",
							  strerror(errno)));
		free(cur_json);
		if (have_old)
			snapshot_free(&old);
		run_free(&r);
		return rc;
	}
	free(cur_json);
	if (have_old) {
		note_staleness(&old, &cur, &rep);
		diff_snapshots(&old, &cur, &fl);
	} else {
		run_report_note(&rep, xstrdup("no pre-invoke snapshot (first run, or pre-invoke "
					      "failed): checking the current state instead, "
					      "nothing is changed"));
		findings_from_problems(&h, &cur, &fl);
	}
	out = xcalloc(fl.n ? fl.n : 1, sizeof *out);
	rep.fl = &fl;
	rep.out = out;
	rep.old = have_old ? &old : NULL;
	rep.cur = &cur;
	rc = act_on(&r, &h, &fl, out, have_old, &rep.outcome);
	rep.exit_code = rc;
	if (fl.n > 0 || (rep.nnotes > 0 && have_old)) {
		report_findings_text(stderr, &rep);
		save_report(&r, &rep);
	} else if (!have_old && rep.nnotes > 0) {
		/* Say why there was no snapshot, but keep clean hosts quiet. */
		for (i = 0; i < rep.nnotes; i++)
			fprintf(stderr, "php-fpm-guard: note: %s\n", rep.notes[i]);
	}
	if (state_remove(&r.st, SNAPSHOT_FILE) < 0)
		fprintf(stderr, "php-fpm-guard: cannot remove %s/%s: %s\n", r.st.path,
			SNAPSHOT_FILE, strerror(errno));
	status_record_run(o, &r.conf, &r.st, &rep, &h);
	for (i = 0; i < rep.nnotes; i++)
		free(rep.notes[i]);
	free(rep.notes);
	outcome_free(out, fl.n);
	finding_list_free(&fl);
	if (have_old)
		snapshot_free(&old);
	snapshot_free(&cur);
	host_free(&h);
	run_free(&r);
	return rc;
}

/*
 * fix_target = drop-in, for --dry-run: what each pool's drop-in write
 * would change, as fix_set files so that fix_set_print_diff shows it.
 * Returns the number of pools with a usable change.
 */
static size_t plan_dropins(struct host_view *h, struct fix_set *fs)
{
	size_t i, ok = 0;

	for (i = 0; i < fs->npools; i++) {
		struct fix_pool *fp = &fs->pools[i];
		struct dropin_change chg;
		struct fix_file *ff;
		char *err = NULL;
		if (fp->error)
			continue;
		if (dropin_write(h, fp->iv, fp->pv, fp->lines, fp->nlines, 1, &chg, &err) < 0) {
			fp->error = err;
			continue;
		}
		fs->files = xreallocarray(fs->files, fs->nfiles + 1, sizeof *fs->files);
		ff = &fs->files[fs->nfiles++];
		memset(ff, 0, sizeof *ff);
		ff->path = xstrdup(chg.path);
		ff->old = chg.old ? chg.old : xstrdup("");
		ff->oldlen = chg.old ? chg.oldlen : 0;
		ff->cur = chg.text;
		ff->curlen = strlen(chg.text);
		chg.old = chg.text = NULL;
		dropin_change_free(&chg);
		ok++;
	}
	return ok;
}

int guard_fix(struct guard_opts *o)
{
	struct run r;
	struct host_view h;
	struct problem_list pl = { NULL, 0, 0 };
	struct fix_set fs;
	char *err = NULL;
	size_t i, ok;
	int rc = 0;

	memset(&r, 0, sizeof r);
	memset(&fs, 0, sizeof fs);
	r.o = o;
	r.command = "fix";
	r.out = stdout;
	guard_load_conf(o, &r.conf);
	if (!o->dry_run) {
		if (open_state(&r, &err) < 0)
			diex("%s", err);
		recover(&r);
	}
	o->host.run_fpm_test = 1;
	o->host.prove = 1;
	if (host_inspect(&o->host, &h) < 0)
		die("cannot open root %s", o->host.root);
	host_judge(&h, &pl);
	for (i = 0; i < pl.n; i++)
		if (pl.v[i].kind == PR_DENIED_NOW || pl.v[i].kind == PR_DENIED_NEXT) {
			char *why = xasprintf("explicit so that %s can connect",
					      pl.v[i].pc->client->user);
			fix_set_add(&fs, &h, pl.v[i].inst, pl.v[i].pv, why);
			free(why);
		}
	if (fs.npools == 0) {
		printf("nothing to fix: every client can connect to every pool%s\n",
		       host_error_count(&h) ? " (but see php-fpm-guard check for errors)" : "");
		goto done;
	}
	ok = r.conf.fix_target == FIX_DROPIN ? plan_dropins(&h, &fs) : fix_set_plan(&fs, &h);
	if (o->dry_run) {
		fix_set_print_diff(&fs, stdout);
		rc = ok > 0 ? EXIT_PROBLEMS : 0;
	} else if (ok > 0) {
		apply_fix(&r, &h, &fs);
	}
	for (i = 0; i < fs.npools; i++) {
		struct fix_pool *fp = &fs.pools[i];
		size_t k;
		if (fp->error) {
			fprintf(o->dry_run ? stderr : stdout, "%s: pool %s: cannot fix: %s\n",
				fp->iv->loc.config, fp->pv->pool->name, fp->error);
			rc = EXIT_PROBLEMS;
			continue;
		}
		if (o->dry_run)
			continue;
		printf("fixed pool %s (%s):", fp->pv->pool->name, fp->iv->loc.config);
		for (k = 0; k < fp->nlines; k++)
			printf("%s %s", k ? "," : "", fp->lines[k]);
		printf("\n");
	}
done:
	status_record_fix(o, &r.conf, r.have_state ? &r.st : NULL, &fs, rc, &h);
	free(pl.v);
	fix_set_free(&fs);
	host_free(&h);
	run_free(&r);
	return rc;
}

static int read_snapshot_file(const char *path, struct snapshot *s)
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
	return 0;
}

int guard_diff(struct guard_opts *o)
{
	struct snapshot old, cur;
	struct finding_list fl = { NULL, 0, 0 };
	struct run_report rep;
	int rc;

	read_snapshot_file(o->old_file, &old);
	read_snapshot_file(o->new_file, &cur);
	diff_snapshots(&old, &cur, &fl);
	memset(&rep, 0, sizeof rep);
	rep.command = "diff";
	rep.time = (long long)time(NULL);
	rep.fl = &fl;
	rep.old = &old;
	rep.cur = &cur;
	rep.outcome = fl.n ? "reported" : "ok";
	rc = fl.n ? EXIT_PROBLEMS : 0;
	rep.exit_code = rc;
	if (o->json) {
		char *j = report_findings_json(&rep);
		puts(j);
		free(j);
	} else {
		report_findings_text(stdout, &rep);
	}
	finding_list_free(&fl);
	snapshot_free(&old);
	snapshot_free(&cur);
	return rc;
}

/* ---- pre-install-pkgs: predict from the incoming package ---- */

#define HOOK_INFO_MAX ((size_t)16 << 20)

/* APT's protocol-3 stream: from --hook-info, else APT_HOOK_INFO_FD. */
static char *read_hook_info(const char *file, size_t *len, char **err)
{
	const char *env = getenv("APT_HOOK_INFO_FD");
	size_t cap = 65536, n = 0;
	char *buf;
	ssize_t got;
	int fd = file ? open(file, O_RDONLY | O_CLOEXEC) : env ? atoi(env) : 0;

	if (fd < 0) {
		*err = xasprintf("%s: %s", file, strerror(errno));
		return NULL;
	}
	buf = xmalloc(cap);
	while ((got = read(fd, buf + n, cap - n - 1)) > 0 || (got < 0 && errno == EINTR)) {
		if (got < 0)
			continue;
		n += (size_t)got;
		if (n + 1 == cap) {
			if (cap >= HOOK_INFO_MAX) {
				*err = xstrdup("APT's package list is larger than 16 MiB");
				free(buf);
				buf = NULL;
				break;
			}
			buf = xreallocarray(buf, cap, 2);
			cap *= 2;
		}
	}
	if (file)
		close(fd);
	if (buf) {
		buf[n] = '\0';
		*len = n;
	}
	return buf;
}

static int is_fpm_package(const char *name)
{
	return fnmatch("php*-fpm", name, 0) == 0;
}

/* The predicted view of one instance after the package is unpacked. */
struct prediction {
	struct instance_view *iv;
	const struct hook_action *act;
	struct predict_result pr;
	struct host_opts po;
	const char **clients;
	struct host_view hp;
	struct snapshot ps;
	int have;
};

static int predict_instance(struct run *r, struct host_view *h, struct prediction *p,
			    const struct hook_info *hi, char **err)
{
	static const char *const pats[] = { "php*-fpm" };
	struct pkg_db db;
	struct predict_input in;
	size_t i;
	int rc;

	/* Fresh from dpkg: the cache keeps versions, not conffile digests. */
	{
		char *status = rootfs_host_path(&h->root, "/var/lib/dpkg/status");
		pkg_db_read(&db, status, pats, 1);
		free(status);
	}
	memset(&in, 0, sizeof in);
	in.package = p->act->package;
	in.new_version = p->act->new_version;
	in.deb = p->act->deb;
	in.config = p->iv->loc.config;
	in.files = p->iv->conf.files;
	in.nfiles = p->iv->conf.nfiles;
	in.installed = pkg_db_find(&db, p->act->package);
	in.force_confold = hi->force_confold;
	in.force_confnew = hi->force_confnew;
	rc = predict_build(&in, &h->root, &p->pr, err);
	pkg_db_free(&db);
	if (rc < 0)
		return -1;
	p->clients = xcalloc(h->clients.n ? h->clients.n : 1, sizeof *p->clients);
	for (i = 0; i < h->clients.n; i++)
		p->clients[i] = h->clients.v[i].user;
	memset(&p->po, 0, sizeof p->po);
	p->po.root = p->pr.root;
	p->po.fpm_configs = (const char *const *)&p->iv->loc.config;
	p->po.nfpm_configs = 1;
	p->po.clients = p->clients;
	p->po.nclients = h->clients.n;
	p->po.pool_clients = r->o->host.pool_clients;
	p->po.pool_clients_ctx = r->o->host.pool_clients_ctx;
	if (host_inspect(&p->po, &p->hp) < 0) {
		*err = xasprintf("cannot read the predicted configuration: %s", strerror(errno));
		return -1;
	}
	snapshot_from_host(&p->ps, &p->hp, "predicted");
	/* Only the config is predicted: the socket is what the restart makes. */
	for (i = 0; p->ps.ninst && i < p->ps.inst[0].npools; i++)
		if (p->ps.inst[0].pools[i].is_unix)
			p->ps.inst[0].pools[i].sock_state = PROBE_NONE;
	p->have = 1;
	return 0;
}

static void prediction_free(struct prediction *p)
{
	if (p->have) {
		snapshot_free(&p->ps);
		host_free(&p->hp);
	}
	predict_cleanup(&p->pr);
	free(p->clients);
	memset(p, 0, sizeof *p);
}

/*
 * Pin the access of pool before dpkg runs: the drop-in in the real pool
 * directory, proven twice -- the predicted configuration with it lets
 * every client in, and the installed php-fpm -t accepts it.  -1 with
 * *why when the drop-in cannot do it (it is then taken back).
 */
static int pin_with_dropin(struct run *r, struct host_view *h, struct prediction *p,
			   const char *pool, struct finding_outcome *o, char **why)
{
	struct pool_view *ppv = find_pool_view(&p->hp, p->iv->loc.config, pool, NULL);
	struct pool_view *cpv = find_pool_view(h, p->iv->loc.config, pool, NULL);
	struct dropin_change chg;
	struct host_view check;
	char *err = NULL, *copy;
	size_t k;
	int ok = 0;

	if (ppv == NULL || cpv == NULL) {
		*why = xstrdup("the pool is not in both the current and the predicted configuration");
		return -1;
	}
	if (o->nlines == 0) {
		*why = xstrdup("none of its client users exists");
		return -1;
	}
	if (dropin_write(h, p->iv, cpv, o->lines, o->nlines, 0, &chg, &err) < 0) {
		*why = err;
		return -1;
	}
	/* 1: with the drop-in, the predicted socket lets every client in. */
	copy = xasprintf("%s%s", p->pr.root, chg.path);
	if (atomic_file_replace(copy, 0, chg.text, strlen(chg.text), 0, 0, 0644) == 0) {
		host_free(&p->hp);
		if (host_inspect(&p->po, &p->hp) == 0) {
			struct pool_view *v = find_pool_view(&p->hp, p->iv->loc.config, pool, NULL);
			ok = v && v->eff.nerrors == 0;
			for (k = 0; ok && k < v->nclients; k++)
				ok = v->clients[k].user == NULL || v->clients[k].next == V_ALLOWED;
		} else {
			p->have = 0;
		}
	}
	free(copy);
	if (!ok)
		*why = xasprintf("%s does not take effect (the include glob does not read it, "
				 "or a later file overrides it)", chg.path);
	/* 2: the installed php-fpm accepts the configuration with it. */
	if (ok && reinspect(r, &check, 1, 0) == 0) {
		for (k = 0; k < check.ninst; k++)
			if (strcmp(check.inst[k].loc.config, p->iv->loc.config) == 0 &&
			    (check.inst[k].fpm_test == 0 || check.inst[k].conf.nerrors))
				ok = 0;
		if (!ok)
			*why = xasprintf("php-fpm -t refuses the configuration with %s", chg.path);
		host_free(&check);
	}
	if (!ok)
		dropin_undo(&h->root, &chg);
	dropin_change_free(&chg);
	return ok ? 0 : -1;
}

int guard_pre_install_pkgs(struct guard_opts *o)
{
	struct run r;
	struct host_view h;
	struct hook_info hi;
	struct snapshot cur;
	struct finding_list fl = { NULL, 0, 0 };
	struct finding_outcome *out;
	struct run_report rep;
	struct prediction *preds;
	size_t len, i, k, npreds = 0;
	char *info, *err = NULL;
	int rc = 0, want = 0, aborted = 0, pinned = 0, deferred = 0;

	hook_setup(&r, o, "pre-install-pkgs");
	info = read_hook_info(o->hook_info, &len, &err);
	if (r.conf.no_predict) {	/* read what apt sent, then nothing */
		free(info);
		free(err);
		run_free(&r);
		return 0;
	}
	if (info == NULL || hookinfo_parse(info, len, &hi, &err) < 0) {
		free(info);
		rc = hook_fail(&r, xasprintf("APT's package list: %s", err));
		free(err);
		run_free(&r);
		return rc;
	}
	free(info);
	for (i = 0; i < hi.n; i++)
		want += hi.v[i].deb != NULL && hi.v[i].new_version && is_fpm_package(hi.v[i].package);
	if (want == 0) {	/* the common case: no PHP-FPM in this run */
		hookinfo_free(&hi);
		run_free(&r);
		return 0;
	}
	if (open_state(&r, &err) < 0) {
		rc = hook_fail(&r, err);
		hookinfo_free(&hi);
		run_free(&r);
		return rc;
	}
	cache_open(&r);
	if (host_inspect(&o->host, &h) < 0) {
		rc = hook_fail(&r, xasprintf("cannot open root %s: %s", o->host.root, strerror(errno)));
		hookinfo_free(&hi);
		run_free(&r);
		return rc;
	}
	memset(&rep, 0, sizeof rep);
	rep.command = "pre-install-pkgs";
	rep.time = (long long)time(NULL);
	snapshot_from_host(&cur, &h, "pre-install-pkgs");
	preds = xcalloc((size_t)want, sizeof *preds);
	for (i = 0; i < hi.n; i++) {
		struct prediction *p;
		const struct snap_instance *si;
		if (hi.v[i].deb == NULL || hi.v[i].new_version == NULL ||
		    !is_fpm_package(hi.v[i].package))
			continue;
		for (k = 0; k < h.ninst; k++)
			if (h.inst[k].loc.package &&
			    strcmp(h.inst[k].loc.package, hi.v[i].package) == 0)
				break;
		if (k == h.ninst)
			continue;	/* a first install: nothing to keep */
		p = &preds[npreds++];
		p->iv = &h.inst[k];
		p->act = &hi.v[i];
		if (predict_instance(&r, &h, p, &hi, &err) < 0) {
			run_report_note(&rep, xasprintf("%s %s: cannot predict: %s; post-invoke "
							"will still check", hi.v[i].package,
							hi.v[i].new_version, err));
			free(err);
			err = NULL;
			continue;
		}
		for (k = 0; k < p->pr.nnotes; k++)
			run_report_note(&rep, xstrdup(p->pr.notes[k]));
		si = snapshot_find_instance(&cur, p->iv->loc.config);
		k = fl.n;
		if (si && p->ps.ninst == 1)
			diff_instances(si, &p->ps.inst[0], &fl);
		for (; k < fl.n; k++)
			fl.v[k].detail = fl.v[k].detail ? fl.v[k].detail
				: xasprintf("predicted: %s %s -> %s unpacked from %s, then "
					    "php-fpm restarted by its maintainer script",
					    p->act->package, p->act->old_version ? p->act->old_version : "-",
					    p->act->new_version, p->act->deb);
	}
	out = xcalloc(fl.n ? fl.n : 1, sizeof *out);
	for (i = 0; i < fl.n; i++) {
		struct finding *f = &fl.v[i];
		out[i].policy = guard_conf_policy(&r.conf, f->pool, o->cli_policy);
		out[i].act = policy_decide(f, out[i].policy);
		out[i].result = out[i].act == ACT_ABORT ? "aborted" : "reported";
		aborted |= out[i].act == ACT_ABORT;
		/* The lines that pin access, from the predicted pool: what fix
		 * writes to the drop-in, what abort tells the admin to add. */
		for (k = 0; k < npreds; k++)
			if (preds[k].have && strcmp(preds[k].iv->loc.config, f->instance) == 0) {
				struct pool_view *ppv = find_pool_view(&preds[k].hp, f->instance,
								       f->pool, NULL);
				const char *pf = ppv ? ppv->pool->file : NULL;
				if (ppv && (f->kind == FK_CLIENT_LOST || f->kind == FK_CLIENT_LOST_NEXT)) {
					out[i].nlines = host_fix_lines(ppv, preds[k].hp.acc, out[i].lines);
					out[i].fix_file = xasprintf("%.*s/%s",
						(int)(strrchr(pf, '/') - pf), pf, DROPIN_NAME);
				}
			}
	}
	/* abort: apt stops before dpkg, nothing changed.  fix: pin now. */
	for (i = 0; !aborted && i < fl.n; i++) {
		struct finding *f = &fl.v[i];
		char *why = NULL;
		if (out[i].act != ACT_FIX)
			continue;
		for (k = 0; k < npreds; k++)
			if (preds[k].have && strcmp(preds[k].iv->loc.config, f->instance) == 0)
				break;
		for (size_t j = 0; j < i; j++)	/* one pin per pool */
			if (out[j].act == ACT_FIX && strcmp(fl.v[j].instance, f->instance) == 0 &&
			    strcasecmp(fl.v[j].pool, f->pool) == 0) {
				out[i].result = out[j].result;
				why = (char *)"";
			}
		if (why) {
			why = NULL;
			continue;
		}
		if (k < npreds && pin_with_dropin(&r, &h, &preds[k], f->pool, &out[i], &why) == 0) {
			out[i].result = "pinned";
			out[i].note = xstrdup("the upgrade's restart creates the socket with these "
					      "values; post-invoke confirms");
			pinned = 1;
		} else {
			out[i].result = "deferred";
			out[i].note = xasprintf("not pinned before dpkg (%s): post-invoke fixes it "
						"after the restart", why ? why : "no prediction");
			deferred = 1;
		}
		free(why);
	}
	rc = aborted ? EXIT_PROBLEMS : 0;
	rep.fl = &fl;
	rep.out = out;
	rep.cur = &cur;
	rep.exit_code = rc;
	rep.outcome = aborted ? "aborted" : deferred ? "deferred" : pinned ? "pinned"
		      : fl.n ? "reported" : "ok";
	if (fl.n > 0 || rep.nnotes > 0) {
		report_findings_text(stderr, &rep);
		save_report(&r, &rep);
	}
	for (i = 0; i < npreds; i++)
		prediction_free(&preds[i]);
	free(preds);
	for (i = 0; i < rep.nnotes; i++)
		free(rep.notes[i]);
	free(rep.notes);
	outcome_free(out, fl.n);
	finding_list_free(&fl);
	snapshot_free(&cur);
	host_free(&h);
	hookinfo_free(&hi);
	run_free(&r);
	return rc;
}
