#include "guard.h"
#include "../diff/diff.h"
#include "../fix/fix.h"
#include "../report/report.h"
#include "../snapshot/snapshot.h"
#include "../sockets/repair.h"
#include "../state/state.h"
#include "../util/fault.h"
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

struct run {
	struct guard_opts *o;
	const char *command;
	struct guard_conf conf;
	struct state_dir st;
	int have_state;
	FILE *out;		/* where the report text goes */
};

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

	free(path);
	if (rc == 0 && state_lock(&r->st, 60, err) < 0) {
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
static void apply_fix(struct run *r, struct fix_set *fs)
{
	struct host_view h2, h3;
	char *err = NULL;
	size_t i;
	int refused = 0;

	if (fix_set_write(fs, &r->st, &err) < 0) {
		fail_all(fs, err);
		free(err);
		return;
	}
	if (reinspect(r, &h2, 1, 0) < 0) {
		fix_set_restore(fs, &r->st, &err);
		fail_all(fs, "cannot re-read the host after the edit; original restored");
		free(err);
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
		if (fix_set_restore(fs, &r->st, &err) < 0) {
			fail_all(fs, err);
			free(err);
		} else {
			fail_all(fs, "php-fpm -t refused the edited configuration; original restored");
		}
		host_free(&h2);
		return;
	}
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
		fix_set_plan(&fs, h);
		apply_fix(r, &fs);
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
					if (fs.pools[k].error)
						out[i].note = xstrdup(fs.pools[k].error);
					else
						out[i].result = "fixed";
				}
			if (strcmp(out[i].result, "fixed") == 0)
				fixed = 1;
			else
				failed = 1;
			break;
		}
	}
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
	o->host.prove = 1;
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
	if (host_inspect(&o->host, h) < 0) {
		*rc = hook_fail(r, xasprintf("cannot open root %s: %s", o->host.root,
					     strerror(errno)));
		run_free(r);
		return -1;
	}
	return 0;
}

int guard_pre_invoke(struct guard_opts *o)
{
	struct run r;
	struct host_view h;
	struct snapshot s;
	char *err = NULL, *json;
	int rc = 0;

	if (hook_begin(&r, o, "pre-invoke", &h, &rc) < 0)
		return rc;
	snapshot_from_host(&s, &h, "pre-invoke");
	json = snapshot_to_json(&s);
	if (state_write(&r.st, SNAPSHOT_FILE, json, strlen(json), 0600, &err) < 0)
		rc = hook_fail(&r, err);
	free(json);
	snapshot_free(&s);
	host_free(&h);
	run_free(&r);
	return rc;
}

/* The pre-invoke snapshot, or NULL with the reason noted. */
static int load_snapshot(struct run *r, struct snapshot *s, struct run_report *rep,
			 const char *root)
{
	char *buf = NULL, *err = NULL;
	size_t len;
	int rc = state_read(&r->st, SNAPSHOT_FILE, SNAPSHOT_MAX_SIZE, &buf, &len, &err);

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
	size_t i;

	if (hook_begin(&r, o, "post-invoke", &h, &rc) < 0)
		return rc;
	memset(&rep, 0, sizeof rep);
	rep.command = "post-invoke";
	rep.time = (long long)time(NULL);
	have_old = load_snapshot(&r, &old, &rep, h.root.path) == 0;
	snapshot_from_host(&cur, &h, "post-invoke");
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
		/* Say that there was no snapshot, but keep clean hosts quiet. */
		fprintf(stderr, "php-fpm-guard: note: %s\n", rep.notes[rep.nnotes - 1]);
	}
	if (state_remove(&r.st, SNAPSHOT_FILE) < 0)
		fprintf(stderr, "php-fpm-guard: cannot remove %s/%s: %s\n", r.st.path,
			SNAPSHOT_FILE, strerror(errno));
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
	ok = fix_set_plan(&fs, &h);
	if (o->dry_run) {
		fix_set_print_diff(&fs, stdout);
		rc = ok > 0 ? EXIT_PROBLEMS : 0;
	} else if (ok > 0) {
		apply_fix(&r, &fs);
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
