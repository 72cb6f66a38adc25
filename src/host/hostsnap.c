#include "hostsnap.h"
#include "../util/guard_version.h"
#include "../util/xalloc.h"

#include <stdlib.h>
#include <string.h>
#include <time.h>

static char *xstrdup_or_null(const char *s)
{
	return s ? xstrdup(s) : NULL;
}

static void push_str(char ***arr, size_t *n, char *s)
{
	*arr = xreallocarray(*arr, *n + 1, sizeof **arr);
	(*arr)[(*n)++] = s;
}

static char *acl_entry_text(const struct acl_ent *e, struct accounts *acc)
{
	const char *q = "";
	char perm[4] = { e->perm & 4 ? 'r' : '-', e->perm & 2 ? 'w' : '-',
			 e->perm & 1 ? 'x' : '-', '\0' };

	if (e->tag == T_USER)
		q = accounts_user_name(acc, (uid_t)e->id);
	else if (e->tag == T_GROUP)
		q = accounts_group_name(acc, (gid_t)e->id);
	return xasprintf("%s:%s:%s",
			 e->tag == T_USER || e->tag == T_USER_OBJ ? "user"
			 : e->tag == T_MASK ? "mask"
			 : e->tag == T_OTHER ? "other" : "group", q, perm);
}

static void perm_from_obj(struct snap_perm *p, const struct fsobj *o,
			  struct accounts *acc)
{
	size_t i;

	p->owner = xstrdup(accounts_user_name(acc, o->uid));
	p->group = xstrdup(accounts_group_name(acc, o->gid));
	p->uid = (long)o->uid;
	p->gid = (long)o->gid;
	p->mode = (unsigned)(o->mode & 07777);
	for (i = 0; i < o->nacl; i++)
		push_str(&p->acl, &p->nacl, acl_entry_text(&o->acl[i], acc));
}

static void pool_from_view(struct snap_pool *sp, const struct pool_view *pv,
			   struct accounts *acc)
{
	const struct fpm_pool *p = pv->pool;
	size_t i;
	int k;

	sp->name = xstrdup(p->name);
	sp->file = xstrdup(p->file);
	sp->line = p->line;
	for (k = 0; k < K_NKEYS; k++) {
		sp->set[k].value = xstrdup_or_null(p->set[k].value);
		sp->set[k].file = xstrdup_or_null(p->set[k].value ? p->set[k].file : NULL);
		sp->set[k].line = p->set[k].value ? p->set[k].line : 0;
	}
	sp->is_unix = pv->eff.is_unix;
	sp->sock_state = pv->probe.state;
	if (!sp->is_unix)
		return;
	/* Only where symlinks make it differ: a snapshot of 10000 pools
	 * should not carry every path twice. */
	if (host_listen_path(pv) && p->set[K_LISTEN].value &&
	    strcmp(host_listen_path(pv), p->set[K_LISTEN].value) != 0)
		sp->listen_path = xstrdup(host_listen_path(pv));
	sp->eff_valid = pv->eff.nerrors == 0;
	if (sp->eff_valid)
		perm_from_obj(&sp->eff, &pv->eff.obj, acc);
	for (i = 0; i < pv->eff.nerrors; i++)
		push_str(&sp->eff_errors, &sp->neff_errors, xstrdup(pv->eff.errors[i]));
	if (pv->probe.state == PROBE_SOCKET)
		perm_from_obj(&sp->sock, &pv->probe.sock, acc);
	sp->nclients = pv->nclients;
	sp->clients = xcalloc(pv->nclients, sizeof *sp->clients);
	for (i = 0; i < pv->nclients; i++) {
		const struct pool_client *pc = &pv->clients[i];
		sp->clients[i].user = xstrdup(pc->client->user);
		/* A real connect() that was refused for permission outranks
		 * the computed verdict. */
		sp->clients[i].now = pc->proof == PROVE_DENIED ? V_DENIED : pc->now;
		sp->clients[i].next = pc->next;
	}
}

/* The serving map of one use: the hops, PHP version, pool user, and
 * whether the server's user can connect to the live socket. */
static void use_serving(struct snap_use *u, const struct consumer *c)
{
	size_t i;

	u->nhops = c->hops.n;
	u->hops = xcalloc(c->hops.n ? c->hops.n : 1, sizeof *u->hops);
	for (i = 0; i < c->hops.n; i++)
		u->hops[i] = xstrdup(c->hops.path[i]);
	u->php = c->iv ? host_php_version(c->iv) : NULL;
	u->pool_user = c->pv ? xstrdup_or_null(c->pv->pool->set[K_USER].value) : NULL;
	u->can_connect = c->server_now == V_UNKNOWN ? -1 : c->server_now == V_ALLOWED;
}

/* The web servers' directives and the pools they reach. */
static void uses_from_host(struct snapshot *s, const struct host_view *h)
{
	size_t i;

	s->have_uses = 1;
	s->nuses = h->ncons;
	s->uses = xcalloc(h->ncons ? h->ncons : 1, sizeof *s->uses);
	for (i = 0; i < h->ncons; i++) {
		const struct consumer *c = &h->cons[i];
		struct snap_use *u = &s->uses[i];
		u->server = xstrdup(ws_kind_name(c->use->server));
		u->user = xstrdup_or_null(c->server->user);
		u->socket = xstrdup(c->use->socket);
		u->directive = xstrdup(c->use->directive);
		u->file = xstrdup(c->use->file);
		u->line = c->use->line;
		u->site = ws_use_site(c->use);
		u->instance = c->iv ? xstrdup(c->iv->loc.config) : NULL;
		u->pool = c->pv ? xstrdup(c->pv->pool->name) : NULL;
		u->other_socket = c->pv == NULL && c->other_socket;
		use_serving(u, c);
	}
	if (h->ws.srv[WS_APACHE].php_module) {
		s->apache_mod_php = xstrdup(h->ws.srv[WS_APACHE].php_module);
		s->apache_mod_php_source = xstrdup(h->ws.srv[WS_APACHE].php_module_source);
	}
}

/* The snapshot's header and instances; their pools too if with_pools. */
static void fill_from_host(struct snapshot *s, struct host_view *h,
			   const char *phase, int with_pools)
{
	size_t i, j;

	memset(s, 0, sizeof *s);
	s->phase = xstrdup(phase);
	s->guard_version = xstrdup(PFG_VERSION);
	s->boot_id = snapshot_boot_id();
	s->created = (long long)time(NULL);
	s->root = xstrdup(h->root.path);
	s->ninst = h->ninst;
	s->inst = xcalloc(h->ninst, sizeof *s->inst);
	for (i = 0; i < h->ninst; i++) {
		const struct instance_view *iv = &h->inst[i];
		struct snap_instance *si = &s->inst[i];
		si->config = xstrdup(iv->loc.config);
		si->binary = xstrdup_or_null(iv->loc.binary);
		si->package = xstrdup_or_null(iv->loc.package);
		si->version = xstrdup_or_null(iv->version);
		si->package_version = xstrdup_or_null(iv->package_version);
		si->default_mode = (unsigned)iv->build.default_mode;
		si->fpm_test = iv->fpm_test;
		si->fpm_test_msgs = xstrdup_or_null(iv->fpm_test_msgs);
		si->running = iv->running;
		for (j = 0; j < iv->conf.nerrors; j++) {
			const struct fpm_error *e = &iv->conf.errors[j];
			push_str(&si->config_errors, &si->nconfig_errors,
				 xasprintf("%s:%d: %s", e->file ? e->file : iv->loc.config,
					   e->line, e->msg));
		}
		if (!with_pools)
			continue;
		si->npools = iv->npools;
		si->pools = xcalloc(iv->npools, sizeof *si->pools);
		for (j = 0; j < iv->npools; j++)
			pool_from_view(&si->pools[j], &iv->pools[j], h->acc);
	}
	uses_from_host(s, h);
}

void snapshot_from_host(struct snapshot *s, struct host_view *h,
			const char *phase)
{
	fill_from_host(s, h, phase, 1);
}

static size_t view_npools(void *ctx, size_t inst)
{
	const struct host_view *h = ctx;

	return h->inst[inst].npools;
}

static void view_pool(void *ctx, size_t inst, size_t j, struct snap_pool *out)
{
	struct host_view *h = ctx;

	pool_from_view(out, &h->inst[inst].pools[j], h->acc);
}

char *snapshot_json_from_host(struct host_view *h, const char *phase)
{
	struct snap_pool_source src = { h, view_npools, view_pool };
	struct snapshot s;
	char *json;

	fill_from_host(&s, h, phase, 0);
	json = snapshot_to_json_streamed(&s, &src);
	snapshot_free(&s);
	return json;
}
