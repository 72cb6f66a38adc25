/* release.h's findings: who serves each directive and pool after the run. */
#include "release.h"
#include "carry.h"
#include "../util/xalloc.h"

#include <stdlib.h>
#include <string.h>
#include <strings.h>

/* Who serves a socket after the run. */
struct after {
	const struct instance_view *iv;	/* NULL: nobody */
	const struct pool_view *pv;
	const struct snap_instance *si;	/* its snapshot (now, or predicted) */
};

/* /var/run is /run on Debian: compare the two spellings as one. */
static const char *norm(const char *path)
{
	return strncmp(path, "/var/run/", 9) == 0 ? path + 4 : path;
}

static int is_departing(const struct release_plan *rp, const struct instance_view *iv)
{
	size_t i;

	for (i = 0; i < rp->ndep; i++)
		if (rp->dep[i] == iv)
			return 1;
	return 0;
}

/* The pool of iv listening on path, carried files not counted. */
static const struct pool_view *listener(const struct instance_view *iv, const char *path)
{
	size_t k;

	for (k = 0; k < iv->npools; k++) {
		const char *l = iv->pools[k].pool->set[K_LISTEN].value;
		if (l && strcmp(norm(l), norm(path)) == 0 &&
		    !carry_is_carried_file(iv->pools[k].pool->file))
			return &iv->pools[k];
	}
	return NULL;
}

static struct after served_after(const struct release_plan *rp, const struct host_view *h,
				 const struct snapshot *cur, const char *path)
{
	struct after a = { NULL, NULL, NULL };
	size_t k;

	for (k = 0; path && k < h->ninst && a.pv == NULL; k++)
		if (!is_departing(rp, &h->inst[k]) && (a.pv = listener(&h->inst[k], path)) != NULL) {
			a.iv = &h->inst[k];
			a.si = snapshot_find_instance(cur, a.iv->loc.config);
		}
	for (k = 0; path && k < rp->narr && a.pv == NULL; k++)
		if (rp->arr[k].have && rp->arr[k].hp.ninst == 1 &&
		    (a.pv = listener(&rp->arr[k].hp.inst[0], path)) != NULL) {
			a.iv = &rp->arr[k].hp.inst[0];
			a.si = rp->arr[k].ps.ninst == 1 ? &rp->arr[k].ps.inst[0] : NULL;
		}
	return a;
}

static struct finding *add(struct finding_list *fl, enum finding_kind kind, enum severity sev,
			   const struct snapshot *cur, const struct instance_view *iv,
			   const struct pool_view *pv)
{
	struct finding *f;

	XGROW(fl->v, fl->cap, fl->n + 1);
	f = &fl->v[fl->n++];
	memset(f, 0, sizeof *f);
	f->kind = kind;
	f->sev = sev;
	f->instance = iv->loc.config;
	f->pool = pv->pool->name;
	f->old_i = snapshot_find_instance(cur, iv->loc.config);
	f->old_p = f->old_i ? snapshot_find_pool(f->old_i, pv->pool->name) : NULL;
	f->file = pv->pool->set[K_LISTEN].file ? pv->pool->set[K_LISTEN].file : pv->pool->file;
	f->line = pv->pool->set[K_LISTEN].file ? pv->pool->set[K_LISTEN].line : pv->pool->line;
	return f;
}

/* "pool www of /etc/php/8.4/fpm/php-fpm.conf (php8.4-fpm), as user www-data" */
static char *who(const struct instance_view *iv, const struct pool_view *pv)
{
	const char *user = pv->pool->set[K_USER].value;

	return xasprintf("pool %s of %s (%s), running PHP as %s", pv->pool->name,
			 iv->loc.config, iv->loc.package ? iv->loc.package : "?",
			 user ? user : "?");
}

/* What policy fix would do about pool pv of iv, for a detail. */
static char *carry_words(const struct release_plan *rp, const struct instance_view *iv,
			 const struct pool_view *pv)
{
	size_t k;

	for (k = 0; k < rp->ncarry; k++) {
		const struct release_carry *c = &rp->carry[k];
		if (c->from != iv || c->pv != pv)
			continue;
		if (c->refused)
			return xasprintf("it cannot be carried: %s", c->refused);
		return xasprintf("policy fix carries it into %s as [%s] (%s), keeping its socket",
				 c->to->config, c->name, c->path);
	}
	return xstrdup("it cannot be carried");
}

static void site_finding(const struct release_plan *rp, const struct host_view *h,
			 const struct snapshot *cur, size_t i, struct finding_list *fl)
{
	const struct consumer *c = &h->cons[i];
	const char *sock = c->use->socket;
	int alt = strcmp(norm(sock), RELEASE_ALT_LINK) == 0;
	struct after a = served_after(rp, h, cur, alt ? rp->alt_after : c->canonical);
	struct finding *f;
	char *how;

	if (c->iv == NULL || (!is_departing(rp, c->iv) && !(alt && a.pv != c->pv)))
		return;
	if (a.pv == c->pv)
		return;
	f = add(fl, a.pv ? FK_SITE_CHANGES_PHP : FK_SITE_LOSES_PHP,
		a.pv ? SEV_WARNING : SEV_ERROR, cur, c->iv, c->pv);
	f->use = i < cur->nuses ? &cur->uses[i] : NULL;
	f->user = c->server->user;
	f->file = c->use->file;
	f->line = c->use->line;
	/* new_i stays NULL: the report's package line is about one instance. */
	(void)a.si;
	f->before = who(c->iv, c->pv);
	f->after = a.pv ? who(a.iv, a.pv)
		   : xasprintf("nobody: no pool listens on %s after the transaction",
			       alt ? (rp->alt_after ? rp->alt_after : "(no alternative left)")
			       : c->canonical);
	how = a.pv ? xstrdup("the site keeps PHP, from another instance and version")
		   : carry_words(rp, c->iv, c->pv);
	f->detail = xasprintf("predicted: %s %s:%d uses %s%s; %s", ws_kind_name(c->use->server),
			      c->use->file, c->use->line, sock,
			      alt ? " (Debian's php-fpm.sock alternative, which follows the "
				    "highest PHP version that starts)" : "", how);
	free(how);
}

static int used_by_server(const struct host_view *h, const struct pool_view *pv)
{
	(void)h;
	return pv->ncons > 0;
}

static void pool_finding(const struct release_plan *rp, const struct host_view *h,
			 const struct snapshot *cur, const struct instance_view *iv,
			 const struct pool_view *pv, struct finding_list *fl)
{
	const char *l = pv->pool->set[K_LISTEN].value;
	int used = used_by_server(h, pv);
	/* An error when a web server loses it; else a warning, so that an
	 * admin's plain `apt remove` of an unused branch is never stopped. */
	struct finding *f = add(fl, FK_POOL_DEPARTS, used ? SEV_ERROR : SEV_WARNING, cur, iv, pv);
	char *how = carry_words(rp, iv, pv);

	f->before = who(iv, pv);
	f->after = xasprintf("nobody: %s is removed (dpkg keeps its conffiles, state rc, but "
			     "nothing starts it)", iv->loc.package ? iv->loc.package : "its package");
	f->detail = xasprintf("predicted: its socket %s %s; %s", l ? l : "?",
			      used ? "is used by a web server" : "is used by no web server read here",
			      how);
	free(how);
}

/* A carry the arriving version refuses: that pool cannot be saved. */
static void refused_finding(const struct release_carry *c, const struct snapshot *cur,
			    struct finding_list *fl)
{
	struct finding *f = add(fl, FK_CARRY_REFUSED, SEV_ERROR, cur, c->from, c->pv);

	f->before = who(c->from, c->pv);
	f->after = xasprintf("refused by %s %s: %s", c->to->act->package,
			     c->to->act->new_version, c->refused);
	f->detail = xasprintf("predicted: the pool cannot be carried into %s as it is; fix "
			      "it (or move it by hand), then upgrade", c->to->config);
}

void release_findings(const struct release_plan *rp, const struct host_view *h,
		      const struct snapshot *cur, struct finding_list *fl)
{
	size_t i, k;

	for (i = 0; i < h->ncons; i++)
		site_finding(rp, h, cur, i, fl);
	for (i = 0; i < rp->ndep; i++)
		for (k = 0; k < rp->dep[i]->npools; k++)
			pool_finding(rp, h, cur, rp->dep[i], &rp->dep[i]->pools[k], fl);
	for (k = 0; k < rp->ncarry; k++)
		if (rp->carry[k].to && rp->carry[k].refused)
			refused_finding(&rp->carry[k], cur, fl);
}

int release_fixable(const struct finding *f)
{
	return f->kind == FK_SITE_LOSES_PHP || f->kind == FK_POOL_DEPARTS;
}

const struct release_carry *release_carry_of(const struct release_plan *rp,
					     const struct finding *f)
{
	size_t k;

	if (!release_fixable(f))
		return NULL;
	for (k = 0; k < rp->ncarry; k++)
		if (strcmp(rp->carry[k].from->loc.config, f->instance) == 0 &&
		    strcasecmp(rp->carry[k].pv->pool->name, f->pool) == 0)
			return &rp->carry[k];
	return NULL;
}
