#include "diff.h"
#include "../util/xalloc.h"

#include <stdlib.h>
#include <string.h>
#include <strings.h>

static const char *const kind_names[FK_NKINDS] = {
	[FK_CLIENT_LOST] = "client-lost",
	[FK_CLIENT_LOST_NEXT] = "client-lost-at-restart",
	[FK_NOT_SOCKET] = "not-a-socket",
	[FK_FPM_TEST_REFUSED] = "php-fpm-test-refused",
	[FK_CONFIG_ERROR] = "config-error",
	[FK_BROADENED] = "socket-broadened",
	[FK_BROADENED_NEXT] = "socket-broadened-at-restart",
	[FK_LISTEN_CHANGED] = "listen-changed",
	[FK_SOCKET_VANISHED] = "socket-vanished",
	[FK_DAEMON_STOPPED] = "daemon-stopped",
	[FK_POOL_REMOVED] = "pool-removed",
	[FK_INSTANCE_REMOVED] = "instance-removed",
	[FK_POOL_ADDED] = "pool-added",
	[FK_INSTANCE_ADDED] = "instance-added",
	[FK_SERVER_SOCKET_LOST] = "server-socket-lost",
	[FK_SITE_LOSES_PHP] = "site-loses-php",
	[FK_POOL_DEPARTS] = "pool-departs",
	[FK_SITE_CHANGES_PHP] = "site-changes-php",
	[FK_CARRY_REFUSED] = "carry-refused",
	[FK_SERVER_SOCKET_UNSERVED] = "server-socket-unserved",
};

const char *finding_kind_name(enum finding_kind k)
{
	return k < FK_NKINDS ? kind_names[k] : "unknown";
}

const char *severity_name(enum severity s)
{
	return s == SEV_ERROR ? "error" : s == SEV_WARNING ? "warning" : "info";
}

static struct finding *add(struct finding_list *l, enum finding_kind k,
			   enum severity sev, const struct snap_instance *oi,
			   const struct snap_instance *ni,
			   const struct snap_pool *op, const struct snap_pool *np)
{
	struct finding *f;
	const struct snap_pool *p = np ? np : op;
	const struct snap_instance *i = ni ? ni : oi;

	XGROW(l->v, l->cap, l->n + 1);
	f = &l->v[l->n++];
	memset(f, 0, sizeof *f);
	f->kind = k;
	f->sev = sev;
	f->old_i = oi;
	f->new_i = ni;
	f->old_p = op;
	f->new_p = np;
	f->instance = i->config;
	if (p) {
		f->pool = p->name;
		/* The listen line is where an admin looks first. */
		f->file = p->set[K_LISTEN].file ? p->set[K_LISTEN].file : p->file;
		f->line = p->set[K_LISTEN].file ? p->set[K_LISTEN].line : p->line;
	} else {
		f->file = i->config;
	}
	return f;
}

char *diff_perm_text(const struct snap_perm *p)
{
	char *s = xasprintf("%s:%s %04o", p->owner ? p->owner : "?",
			    p->group ? p->group : "?", p->mode & 07777), *t;
	size_t i;
	int first = 1;

	for (i = 0; i < p->nacl; i++) {
		/* The base entries repeat the mode; show the named ones. */
		if (strncmp(p->acl[i], "user::", 6) == 0 ||
		    strncmp(p->acl[i], "group::", 7) == 0 ||
		    strncmp(p->acl[i], "other::", 7) == 0)
			continue;
		t = xasprintf("%s%s%s", s, first ? " +ACL " : ",", p->acl[i]);
		free(s);
		s = t;
		first = 0;
	}
	return s;
}

/* ---- who can get in ---- */

static int could_connect(const struct snap_client *c)
{
	return c->now == V_ALLOWED || (c->now == V_UNKNOWN && c->next == V_ALLOWED);
}

static const struct snap_client *find_client(const struct snap_pool *p,
					     const char *user)
{
	size_t i;

	for (i = 0; i < p->nclients; i++)
		if (strcmp(p->clients[i].user, user) == 0)
			return &p->clients[i];
	return NULL;
}

/* The socket as the client met it: live if there was one, else predicted. */
static const struct snap_perm *met_perm(const struct snap_pool *p)
{
	if (p->sock_state == PROBE_SOCKET)
		return &p->sock;
	return p->eff_valid ? &p->eff : NULL;
}

static void diff_clients(const struct snap_instance *oi, const struct snap_instance *ni,
			 const struct snap_pool *op, const struct snap_pool *np,
			 struct finding_list *out)
{
	size_t i;

	for (i = 0; i < np->nclients; i++) {
		const struct snap_client *nc = &np->clients[i];
		const struct snap_client *oc = find_client(op, nc->user);
		const struct snap_perm *was = met_perm(op), *is;
		struct finding *f;
		int lost_now;

		if (oc == NULL || !could_connect(oc))
			continue;
		lost_now = nc->now == V_DENIED;
		/* A restart that was already going to lock the client out
		 * before this run is not this run's news. */
		if (!lost_now && (nc->next != V_DENIED || oc->next == V_DENIED))
			continue;
		f = add(out, lost_now ? FK_CLIENT_LOST : FK_CLIENT_LOST_NEXT,
			SEV_ERROR, oi, ni, op, np);
		f->user = nc->user;
		is = lost_now ? &np->sock : &np->eff;
		f->before = was ? diff_perm_text(was) : xstrdup("unknown");
		f->after = diff_perm_text(is);
	}
}

/* ---- broadening ---- */

/* Does entry text "tag:qual:rwx" grant write, given the ACL's mask? */
static int acl_entry_writes(const struct snap_perm *p, const char *e)
{
	const char *perm = strrchr(e, ':');
	size_t i;

	if (perm == NULL || strchr(perm, 'w') == NULL)
		return 0;
	for (i = 0; i < p->nacl; i++)
		if (strncmp(p->acl[i], "mask::", 6) == 0)
			return strchr(p->acl[i] + 6, 'w') != NULL;
	return 1;
}

/* Qualified entries (user:NAME / group:NAME) only: the base ones mirror
 * the mode, which is compared on its own. */
static int acl_named(const char *e)
{
	return (strncmp(e, "user:", 5) == 0 && e[5] != ':') ||
	       (strncmp(e, "group:", 6) == 0 && e[6] != ':');
}

static int acl_grants(const struct snap_perm *p, const char *entry)
{
	size_t i, qlen = strrchr(entry, ':') - entry;

	for (i = 0; i < p->nacl; i++)
		if (strncmp(p->acl[i], entry, qlen + 1) == 0)
			return acl_entry_writes(p, p->acl[i]);
	return 0;
}

/* s + "; " + piece, both consumed. */
static char *append(char *s, char *piece)
{
	char *t;

	if (s == NULL)
		return piece;
	t = xasprintf("%s; %s", s, piece);
	free(s);
	free(piece);
	return t;
}

/* What new grants that old did not, in words; NULL when nothing. */
static char *broadening(const struct snap_perm *old, const struct snap_perm *cur)
{
	char *what = NULL;
	size_t i;

	if ((cur->mode & 0002) && !(old->mode & 0002))
		what = append(what, xstrdup("any local user may connect (world-writable, CVE-2014-0185)"));
	/* Group root is left out: its members administer the host anyway,
	 * and a pool falling back to root:root (the CVE-2014-0185 shape)
	 * takes access away; it does not hand it out. */
	if ((cur->mode & 0020) && cur->gid != 0 &&
	    (cur->gid != old->gid || !(old->mode & 0020)))
		what = append(what, xasprintf("every member of group %s may connect", cur->group));
	for (i = 0; i < cur->nacl; i++)
		if (acl_named(cur->acl[i]) && acl_entry_writes(cur, cur->acl[i]) &&
		    !acl_grants(old, cur->acl[i]))
			what = append(what, xasprintf("new ACL entry %s", cur->acl[i]));
	return what;
}

static void diff_broadening(const struct snap_instance *oi, const struct snap_instance *ni,
			    const struct snap_pool *op, const struct snap_pool *np,
			    struct finding_list *out)
{
	const struct snap_perm *was = op ? met_perm(op) : NULL;
	static const struct snap_perm nothing;
	char *live = NULL, *next = NULL;
	struct finding *f;

	if (np->sock_state == PROBE_SOCKET)
		live = broadening(was ? was : &nothing, &np->sock);
	if (np->eff_valid)
		next = broadening(op && op->eff_valid ? &op->eff : was ? was : &nothing,
				  &np->eff);
	if (live) {
		f = add(out, FK_BROADENED, SEV_WARNING, oi, ni, op, np);
		f->security = 1;
		f->before = was ? diff_perm_text(was) : xstrdup("none");
		f->after = diff_perm_text(&np->sock);
		f->detail = live;
	}
	/* Said once when the live socket already shows it. */
	if (next && (live == NULL || strcmp(live, next) != 0)) {
		f = add(out, FK_BROADENED_NEXT, SEV_WARNING, oi, ni, op, np);
		f->security = 1;
		f->before = op && op->eff_valid ? diff_perm_text(&op->eff)
			    : was ? diff_perm_text(was) : xstrdup("none");
		f->after = diff_perm_text(&np->eff);
		f->detail = next;
		next = NULL;
	}
	free(next);
}

/*
 * A new pool's socket grants its owner and group access by design (a new
 * php8.3-fpm next to 8.2 is not an incident); only world access is worth
 * a security warning there.
 */
static void diff_new_pool_world(const struct snap_instance *oi,
				const struct snap_instance *ni,
				const struct snap_pool *np, struct finding_list *out)
{
	const struct snap_perm *p = np->sock_state == PROBE_SOCKET ? &np->sock
				    : np->eff_valid ? &np->eff : NULL;
	struct finding *f;

	if (p == NULL || !(p->mode & 0002))
		return;
	f = add(out, np->sock_state == PROBE_SOCKET ? FK_BROADENED : FK_BROADENED_NEXT,
		SEV_WARNING, oi, ni, NULL, np);
	f->security = 1;
	f->before = xstrdup("none");
	f->after = diff_perm_text(p);
	f->detail = xstrdup("any local user may connect (world-writable, CVE-2014-0185)");
}

/* ---- pools and instances ---- */

static void diff_pool(const struct snap_instance *oi, const struct snap_instance *ni,
		      const struct snap_pool *op, const struct snap_pool *np,
		      struct finding_list *out)
{
	const char *ol = op->set[K_LISTEN].value, *nl = np->set[K_LISTEN].value;
	struct finding *f;

	if ((ol == NULL) != (nl == NULL) || (ol && strcmp(ol, nl) != 0)) {
		f = add(out, FK_LISTEN_CHANGED, SEV_WARNING, oi, ni, op, np);
		f->before = xstrdup(ol ? ol : "(unset)");
		f->after = xstrdup(nl ? nl : "(unset)");
		f->detail = xstrdup("web servers still pointing at the old address will fail");
	} else if (np->is_unix && op->sock_state == PROBE_SOCKET &&
		   np->sock_state != PROBE_SOCKET && np->sock_state != PROBE_NONE) {
		int other = np->sock_state == PROBE_NOT_SOCKET;
		f = add(out, other ? FK_NOT_SOCKET : FK_SOCKET_VANISHED,
			other ? SEV_ERROR : SEV_WARNING, oi, ni, op, np);
		f->before = diff_perm_text(&op->sock);
		f->after = xstrdup(other ? "not a socket" : "absent");
	}
	if (np->neff_errors > 0 && op->neff_errors == 0) {
		f = add(out, FK_CONFIG_ERROR, SEV_ERROR, oi, ni, op, np);
		f->before = xstrdup("valid");
		f->after = xstrdup(np->eff_errors[0]);
	}
	if (!np->is_unix)
		return;
	diff_clients(oi, ni, op, np, out);
	diff_broadening(oi, ni, op, np, out);
}

struct name_ix {
	const char *name;
	size_t i;
};

static int name_ix_cmp(const void *a, const void *b)
{
	return strcasecmp(((const struct name_ix *)a)->name,
			  ((const struct name_ix *)b)->name);
}

/* Pools by name, sorted, so that ten thousand pools diff in n log n. */
static struct name_ix *pool_index(const struct snap_instance *si)
{
	struct name_ix *ix = xcalloc(si->npools ? si->npools : 1, sizeof *ix);
	size_t i;

	for (i = 0; i < si->npools; i++)
		ix[i] = (struct name_ix){ si->pools[i].name, i };
	qsort(ix, si->npools, sizeof *ix, name_ix_cmp);
	return ix;
}

static const struct snap_pool *lookup(const struct snap_instance *si,
				      const struct name_ix *ix, const char *name)
{
	struct name_ix key = { name, 0 }, *hit;

	hit = bsearch(&key, ix, si->npools, sizeof *ix, name_ix_cmp);
	return hit ? &si->pools[hit->i] : NULL;
}

static void diff_instance(const struct snap_instance *oi, const struct snap_instance *ni,
			  struct finding_list *out)
{
	struct name_ix *oix = pool_index(oi), *nix = pool_index(ni);
	struct finding *f;
	size_t i;

	if (ni->nconfig_errors > 0 && oi->nconfig_errors == 0) {
		f = add(out, FK_CONFIG_ERROR, SEV_ERROR, oi, ni, NULL, NULL);
		f->before = xstrdup("valid");
		f->after = xstrdup(ni->config_errors[0]);
	}
	if (ni->fpm_test == 0 && oi->fpm_test != 0) {
		f = add(out, FK_FPM_TEST_REFUSED, SEV_ERROR, oi, ni, NULL, NULL);
		f->before = xstrdup(oi->fpm_test == 1 ? "accepted" : "not tested");
		f->after = xstrdup("refused");
		f->detail = ni->fpm_test_msgs ? xstrdup(ni->fpm_test_msgs) : NULL;
	}
	if (oi->running == 1 && ni->running == 0) {
		f = add(out, FK_DAEMON_STOPPED, SEV_WARNING, oi, ni, NULL, NULL);
		f->before = xstrdup("running");
		f->after = xstrdup("not running");
	}
	for (i = 0; i < ni->npools; i++) {
		const struct snap_pool *np = &ni->pools[i];
		const struct snap_pool *op = lookup(oi, oix, np->name);
		if (op)
			diff_pool(oi, ni, op, np, out);
		else if (ni->nconfig_errors == 0 || oi->nconfig_errors > 0) {
			f = add(out, FK_POOL_ADDED, SEV_INFO, oi, ni, NULL, np);
			f->after = xstrdup(np->set[K_LISTEN].value ? np->set[K_LISTEN].value : "(no listen)");
			if (np->is_unix)
				diff_new_pool_world(oi, ni, np, out);
		}
	}
	/* A config that stopped reading half-way loses pools; the config
	 * error says so, a removal per pool would only be noise. */
	if (ni->nconfig_errors == 0 && oi->pools)
		for (i = 0; i < oi->npools; i++)
			if (lookup(ni, nix, oi->pools[i].name) == NULL) {
				f = add(out, FK_POOL_REMOVED, SEV_WARNING, oi, ni,
					&oi->pools[i], NULL);
				f->before = xstrdup(oi->pools[i].set[K_LISTEN].value
						    ? oi->pools[i].set[K_LISTEN].value : "(no listen)");
				f->after = xstrdup("removed");
			}
	free(oix);
	free(nix);
}

void diff_instances(const struct snap_instance *old, const struct snap_instance *cur,
		    struct finding_list *out)
{
	diff_instance(old, cur, out);
}

/* The same directive in the old snapshot, where it reached a pool: same
 * server, file and socket (its line may have moved). */
static const struct snap_use *served_before(const struct snapshot *old,
					    const struct snap_use *u)
{
	size_t i;

	for (i = 0; i < old->nuses; i++) {
		const struct snap_use *o = &old->uses[i];
		if (o->pool && strcmp(o->server, u->server) == 0 &&
		    strcmp(o->file, u->file) == 0 && strcmp(o->socket, u->socket) == 0)
			return o;
	}
	return NULL;
}

/* Directives whose pool went away under them: the socket renamed by an
 * upgrade, the instance removed. */
static void diff_servers(const struct snapshot *old, const struct snapshot *cur,
			 struct finding_list *out)
{
	size_t i;

	if (!old->have_uses || !cur->have_uses)
		return;
	for (i = 0; i < cur->nuses; i++) {
		const struct snap_use *u = &cur->uses[i], *o;
		const struct snap_instance *oi, *ni;
		const struct snap_pool *np;
		struct finding *f;
		if (u->pool || u->other_socket || (o = served_before(old, u)) == NULL ||
		    (oi = snapshot_find_instance(old, o->instance)) == NULL)
			continue;
		ni = snapshot_find_instance(cur, o->instance);
		np = ni ? snapshot_find_pool(ni, o->pool) : NULL;
		f = add(out, FK_SERVER_SOCKET_LOST, SEV_ERROR, oi, ni,
			snapshot_find_pool(oi, o->pool), np);
		f->use = u;
		f->pool = o->pool;
		f->user = u->user;
		f->file = u->file;
		f->line = u->line;
		f->before = xasprintf("pool %s listened on %s", o->pool, u->socket);
		f->after = np && np->set[K_LISTEN].value
			? xasprintf("pool %s listens on %s", np->name, np->set[K_LISTEN].value)
			: xasprintf("no pool listens on %s", u->socket);
		f->detail = xasprintf("%s, %s: %s at %s:%d still points there; point it at the "
				      "pool's socket, or give the pool its old listen back",
				      u->server, u->site, u->directive, u->file, u->line);
	}
}

/* Does some directive of s use a pool of instance config? */
static int instance_serves_sites(const struct snapshot *s, const char *config)
{
	size_t i;

	for (i = 0; i < s->nuses; i++)
		if (s->uses[i].pool && s->uses[i].instance &&
		    strcmp(s->uses[i].instance, config) == 0)
			return 1;
	return 0;
}

/* A stopped master that web servers use is their PHP gone: an error. */
static void escalate_stopped(const struct snapshot *old, const struct snapshot *cur,
			     struct finding_list *out, size_t from)
{
	size_t k;

	for (k = from; k < out->n; k++) {
		struct finding *f = &out->v[k];
		if (f->kind == FK_DAEMON_STOPPED && (instance_serves_sites(old, f->instance) ||
						     instance_serves_sites(cur, f->instance))) {
			f->sev = SEV_ERROR;
			free(f->detail);
			f->detail = xstrdup("web servers send requests to its pools: they get "
					    "errors (502) until it runs again");
		}
	}
}

/*
 * Directives that reached a live pool before and whose pool is still
 * configured but served by nobody now: its socket is gone -- its master
 * stopped, or (a pool carried into a new instance) the departing
 * master's exit unlinked the path after the new one had bound it.
 */
static void diff_unserved(const struct snapshot *old, const struct snapshot *cur,
			  struct finding_list *out)
{
	size_t i;

	if (!old->have_uses || !cur->have_uses)
		return;
	for (i = 0; i < cur->nuses; i++) {
		const struct snap_use *u = &cur->uses[i], *o;
		const struct snap_instance *oi, *ni;
		const struct snap_pool *op, *np;
		struct finding *f;
		if (u->pool == NULL || u->other_socket || (o = served_before(old, u)) == NULL ||
		    (oi = snapshot_find_instance(old, o->instance)) == NULL ||
		    (op = snapshot_find_pool(oi, o->pool)) == NULL || op->sock_state != PROBE_SOCKET ||
		    (ni = snapshot_find_instance(cur, u->instance)) == NULL ||
		    (np = snapshot_find_pool(ni, u->pool)) == NULL ||
		    np->sock_state != PROBE_ABSENT)
			continue;
		f = add(out, FK_SERVER_SOCKET_UNSERVED, SEV_ERROR, oi, ni, op, np);
		f->use = u;
		f->user = u->user;
		f->file = u->file;
		f->line = u->line;
		f->before = xasprintf("pool %s served %s", o->pool, u->socket);
		f->after = xasprintf("pool %s is configured there, but %s", u->pool,
				     ni->running == 0 ? "its php-fpm is not running"
				     : ni->binary == NULL ? "its php-fpm binary is gone"
				     : "its socket is gone (another master's exit can remove a "
				       "path it shared)");
		f->detail = xasprintf("%s, %s: %s at %s:%d gets no PHP; (re)start %s, or point "
				      "the directive at a pool that runs", u->server, u->site,
				      u->directive, u->file, u->line,
				      ni->package ? ni->package : "the instance");
	}
}

void diff_snapshots(const struct snapshot *old, const struct snapshot *cur,
		    struct finding_list *out)
{
	size_t i, j;
	struct finding *f;

	for (i = 0; i < cur->ninst; i++) {
		const struct snap_instance *ni = &cur->inst[i];
		const struct snap_instance *oi = snapshot_find_instance(old, ni->config);
		if (oi) {
			diff_instance(oi, ni, out);
			continue;
		}
		f = add(out, FK_INSTANCE_ADDED, SEV_INFO, NULL, ni, NULL, NULL);
		f->after = xstrdup(ni->version ? ni->version : "unknown version");
		for (j = 0; j < ni->npools; j++)
			if (ni->pools[j].is_unix)
				diff_new_pool_world(NULL, ni, &ni->pools[j], out);
	}
	for (i = 0; i < old->ninst; i++)
		if (snapshot_find_instance(cur, old->inst[i].config) == NULL) {
			f = add(out, FK_INSTANCE_REMOVED, SEV_WARNING, &old->inst[i], NULL,
				NULL, NULL);
			f->before = xstrdup(old->inst[i].version ? old->inst[i].version : "installed");
			f->after = xstrdup("removed");
		}
	diff_servers(old, cur, out);
	diff_unserved(old, cur, out);
	escalate_stopped(old, cur, out, 0);
}

void finding_list_free(struct finding_list *l)
{
	size_t i;

	for (i = 0; i < l->n; i++) {
		free(l->v[i].before);
		free(l->v[i].after);
		free(l->v[i].detail);
	}
	free(l->v);
	memset(l, 0, sizeof *l);
}
