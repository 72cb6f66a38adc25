#include "pin.h"
#include "../fix/dropin.h"
#include "../fix/dropin_io.h"
#include "../host/hostfind.h"
#include "../host/hostsnap.h"
#include "../util/xalloc.h"

#include <errno.h>
#include <fnmatch.h>
#include <stdlib.h>
#include <string.h>

int pin_is_fpm_package(const char *name)
{
	return fnmatch("php*-fpm", name, 0) == 0;
}

/* How the predicted root is read: that one instance, the host's clients. */
static void predicted_opts(const struct host_opts *ho, const struct host_view *h,
			   struct prediction *p)
{
	size_t i;

	p->clients = xcalloc(h->clients.n ? h->clients.n : 1, sizeof *p->clients);
	for (i = 0; i < h->clients.n; i++)
		p->clients[i] = h->clients.v[i].user;
	memset(&p->po, 0, sizeof p->po);
	p->po.root = p->pr.root;
	p->po.fpm_configs = (const char *const *)&p->iv->loc.config;
	p->po.nfpm_configs = 1;
	p->po.clients = p->clients;
	p->po.nclients = h->clients.n;
	p->po.pool_clients = ho->pool_clients;
	p->po.pool_clients_ctx = ho->pool_clients_ctx;
}

static int predict_one(const struct host_opts *ho, struct host_view *h, struct prediction *p,
		       const struct hook_info *hi, char **err)
{
	static const char *const pats[] = { "php*-fpm" };
	struct pkg_db db;
	struct predict_input in;
	char *status = rootfs_host_path(&h->root, "/var/lib/dpkg/status");
	size_t i;
	int rc;

	/* Fresh from dpkg: the cache keeps versions, not conffile digests. */
	pkg_db_read(&db, status, pats, 1);
	free(status);
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
	predicted_opts(ho, h, p);
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

static void note(struct prediction_set *ps, char *text)
{
	ps->notes = xreallocarray(ps->notes, ps->nnotes + 1, sizeof *ps->notes);
	ps->notes[ps->nnotes++] = text;
}

/* The instance of h that act's package upgrades, or NULL (a first
 * install, a removal, not PHP-FPM). */
static struct instance_view *upgraded(struct host_view *h, const struct hook_action *act)
{
	size_t k;

	if (act->deb == NULL || act->new_version == NULL || !pin_is_fpm_package(act->package))
		return NULL;
	for (k = 0; k < h->ninst; k++)
		if (h->inst[k].loc.package && strcmp(h->inst[k].loc.package, act->package) == 0)
			return &h->inst[k];
	return NULL;
}

/* Diff p against cur into fl; the new findings say they are predicted. */
static void diff_predicted(const struct prediction *p, const struct snapshot *cur,
			   struct finding_list *fl)
{
	const struct snap_instance *si = snapshot_find_instance(cur, p->iv->loc.config);
	size_t k = fl->n;

	if (si && p->ps.ninst == 1)
		diff_instances(si, &p->ps.inst[0], fl);
	for (; k < fl->n; k++)
		if (fl->v[k].detail == NULL)
			fl->v[k].detail = xasprintf(
				"predicted: %s %s -> %s unpacked from %s, then php-fpm "
				"restarted by its maintainer script", p->act->package,
				p->act->old_version ? p->act->old_version : "-",
				p->act->new_version, p->act->deb);
}

void pin_predict_all(const struct host_opts *ho, struct host_view *h,
		     const struct hook_info *hi, const struct snapshot *cur,
		     struct prediction_set *ps, struct finding_list *fl)
{
	size_t i, k;
	char *err = NULL;

	memset(ps, 0, sizeof *ps);
	ps->v = xcalloc(hi->n ? hi->n : 1, sizeof *ps->v);
	for (i = 0; i < hi->n; i++) {
		struct instance_view *iv = upgraded(h, &hi->v[i]);
		struct prediction *p;
		if (iv == NULL)
			continue;
		p = &ps->v[ps->n++];
		p->iv = iv;
		p->act = &hi->v[i];
		if (predict_one(ho, h, p, hi, &err) < 0) {
			note(ps, xasprintf("%s %s: cannot predict: %s; post-invoke will still "
					   "check", p->act->package, p->act->new_version, err));
			free(err);
			err = NULL;
			continue;
		}
		for (k = 0; k < p->pr.nnotes; k++)
			note(ps, xstrdup(p->pr.notes[k]));
		diff_predicted(p, cur, fl);
	}
}

struct prediction *pin_prediction_of(struct prediction_set *ps, const struct finding *f)
{
	size_t k;

	for (k = 0; k < ps->n; k++)
		if (ps->v[k].have && strcmp(ps->v[k].iv->loc.config, f->instance) == 0)
			return &ps->v[k];
	return NULL;
}

size_t pin_fix_lines(struct prediction *p, const struct finding *f, char **lines,
		     char **fix_file)
{
	struct pool_view *ppv;
	const char *pf;

	if (f->kind != FK_CLIENT_LOST && f->kind != FK_CLIENT_LOST_NEXT)
		return 0;
	ppv = host_find_pool(&p->hp, f->instance, f->pool, NULL);
	if (ppv == NULL)
		return 0;
	pf = ppv->pool->file;
	*fix_file = xasprintf("%.*s/%s", (int)(strrchr(pf, '/') - pf), pf, DROPIN_NAME);
	return host_fix_lines(ppv, p->hp.acc, lines);
}

/* 1: with the drop-in written at chg's path in the predicted root, every
 * client of pool gets in there. */
static int pinned_in_prediction(struct prediction *p, const struct dropin_change *chg,
				const char *pool)
{
	struct pool_view *v;
	size_t k;
	int ok = 0;

	/* Written through the prediction's own root, as the real one was. */
	if (rootfs_replace(&p->hp.root, chg->path, 0, chg->text, strlen(chg->text), 0, 0, 0644,
			   1) < 0)
		goto out;
	host_free(&p->hp);
	if (host_inspect(&p->po, &p->hp) < 0) {
		p->have = 0;
		goto out;
	}
	v = host_find_pool(&p->hp, p->iv->loc.config, pool, NULL);
	ok = v && v->eff.nerrors == 0;
	for (k = 0; ok && k < v->nclients; k++)
		ok = v->clients[k].user == NULL || v->clients[k].next == V_ALLOWED;
out:
	return ok;
}

/* 1: the installed php-fpm accepts the host's configuration of config. */
static int accepted_by_fpm(const struct host_opts *ho, const char *config)
{
	struct host_opts o = *ho;
	struct host_view check;
	size_t k;
	int ok = 1;

	o.run_fpm_test = 1;
	o.prove = 0;
	if (host_inspect(&o, &check) < 0)
		return 1;	/* as before the pin: post-invoke still checks */
	for (k = 0; k < check.ninst; k++)
		if (strcmp(check.inst[k].loc.config, config) == 0 &&
		    (check.inst[k].fpm_test == 0 || check.inst[k].conf.nerrors))
			ok = 0;
	host_free(&check);
	return ok;
}

int pin_with_dropin(const struct host_opts *ho, struct host_view *h, struct prediction *p,
		    const char *pool, char *const *lines, size_t nlines, char **why)
{
	struct pool_view *cpv = host_find_pool(h, p->iv->loc.config, pool, NULL);
	struct dropin_change chg;
	char *err = NULL;
	int ok;

	if (cpv == NULL || host_find_pool(&p->hp, p->iv->loc.config, pool, NULL) == NULL) {
		*why = xstrdup("the pool is not in both the current and the predicted configuration");
		return -1;
	}
	if (nlines == 0) {
		*why = xstrdup("none of its client users exists");
		return -1;
	}
	if (dropin_write(h, p->iv, cpv, lines, nlines, 0, &chg, &err) < 0) {
		*why = err;
		return -1;
	}
	ok = pinned_in_prediction(p, &chg, pool);
	if (!ok)
		*why = xasprintf("%s does not take effect (the include glob does not read it, "
				 "or a later file overrides it)", chg.path);
	else if (!(ok = accepted_by_fpm(ho, p->iv->loc.config)))
		*why = xasprintf("php-fpm -t refuses the configuration with %s", chg.path);
	if (!ok && dropin_undo(&h->root, &chg) < 0) {
		char *more = xasprintf("%s; and %s could not be taken back: %s", *why, chg.path,
				       strerror(errno));
		free(*why);
		*why = more;
	}
	dropin_change_free(&chg);
	return ok ? 0 : -1;
}

void prediction_set_free(struct prediction_set *ps)
{
	size_t i;

	for (i = 0; i < ps->n; i++) {
		struct prediction *p = &ps->v[i];
		if (p->have) {
			snapshot_free(&p->ps);
			host_free(&p->hp);
		}
		predict_cleanup(&p->pr);
		free(p->clients);
	}
	free(ps->v);
	for (i = 0; i < ps->nnotes; i++)
		free(ps->notes[i]);
	free(ps->notes);
	memset(ps, 0, sizeof *ps);
}
