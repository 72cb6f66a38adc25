#include "release.h"
#include "carry.h"
#include "pin.h"
#include "../host/hostsnap.h"
#include "../util/xalloc.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

int release_wants(const struct hook_info *hi)
{
	size_t i;

	for (i = 0; i < hi->n; i++)
		if (pin_is_fpm_package(hi->v[i].package) &&
		    (hi->v[i].remove || (hi->v[i].deb && hi->v[i].new_version)))
			return 1;
	return 0;
}

static void plan_note(struct release_plan *rp, char *text)
{
	rp->notes = xreallocarray(rp->notes, rp->nnotes + 1, sizeof *rp->notes);
	rp->notes[rp->nnotes++] = text;
}

/* "8.4" of php8.4-fpm (caller frees), or NULL for other names (php5-fpm). */
static char *branch_of(const char *package)
{
	size_t n = strlen(package);

	if (strncmp(package, "php", 3) != 0 || n < 9 || strcmp(package + n - 4, "-fpm") != 0 ||
	    strspn(package + 3, "0123456789.") != n - 7 || strchr(package + 3, '.') == NULL)
		return NULL;
	return xstrndup(package + 3, n - 7);
}

/* The alternative's priority: the branch's digits (8.2 -> 82), as the
 * unit gives php-fpm-socket-helper; 0 for a package without it. */
static int alt_priority(const char *package)
{
	char *b = package ? branch_of(package) : NULL, digits[16];
	size_t i, k = 0;

	if (b == NULL)
		return 0;
	for (i = 0; b[i] && k + 1 < sizeof digits; i++)
		if (b[i] != '.')
			digits[k++] = b[i];
	digits[k] = '\0';
	free(b);
	return atoi(digits);
}

static const struct hook_action *action_for(const struct hook_info *hi, const char *package)
{
	size_t i;

	for (i = 0; package && i < hi->n; i++)
		if (strcmp(hi->v[i].package, package) == 0)
			return &hi->v[i];
	return NULL;
}

static int departing(const struct release_plan *rp, const struct instance_view *iv)
{
	size_t i;

	for (i = 0; i < rp->ndep; i++)
		if (rp->dep[i] == iv)
			return 1;
	return 0;
}

/* How the arrival's predicted root is read: that instance, the host's clients. */
static void arrival_opts(const struct host_opts *ho, const struct host_view *h,
			 struct release_arrival *a)
{
	size_t i;

	a->clients = xcalloc(h->clients.n ? h->clients.n : 1, sizeof *a->clients);
	for (i = 0; i < h->clients.n; i++)
		a->clients[i] = h->clients.v[i].user;
	memset(&a->po, 0, sizeof a->po);
	a->po.root = a->pr.root;
	a->po.fpm_configs = (const char *const *)&a->config;
	a->po.nfpm_configs = 1;
	a->po.clients = a->clients;
	a->po.nclients = h->clients.n;
	a->po.pool_clients = ho->pool_clients;
	a->po.pool_clients_ctx = ho->pool_clients_ctx;
}

/* Predict a from its .deb alone; 0, or -1 with *err. */
static int predict_arrival(const struct host_opts *ho, struct host_view *h,
			   const struct hook_info *hi, struct release_arrival *a, char **err)
{
	struct predict_input in;

	memset(&in, 0, sizeof in);
	in.package = a->act->package;
	in.new_version = a->act->new_version;
	in.deb = a->act->deb;
	in.config = a->config;
	in.installed = pkg_db_find(&h->pkgs, a->act->package);	/* rc: its conffiles */
	in.force_confold = hi->force_confold;
	in.force_confnew = hi->force_confnew;
	if (predict_build(&in, &h->root, &a->pr, err) < 0)
		return -1;
	arrival_opts(ho, h, a);
	if (host_inspect(&a->po, &a->hp) < 0) {
		*err = xasprintf("cannot read the predicted configuration: %s", strerror(errno));
		return -1;
	}
	snapshot_from_host(&a->ps, &a->hp, "predicted");
	a->have = 1;
	return 0;
}

static int installed_here(const struct host_view *h, const char *package)
{
	size_t k;

	for (k = 0; k < h->ninst; k++)
		if (h->inst[k].loc.package && strcmp(h->inst[k].loc.package, package) == 0)
			return 1;
	return 0;
}

static void add_arrival(const struct host_opts *ho, struct host_view *h,
			const struct hook_info *hi, const struct hook_action *act,
			struct release_plan *rp)
{
	struct release_arrival *a;
	char *b = branch_of(act->package), *err = NULL;

	if (b == NULL && strcmp(act->package, "php5-fpm") != 0)
		return;		/* not a layout the guard knows */
	a = &rp->arr[rp->narr++];
	memset(a, 0, sizeof *a);
	a->act = act;
	a->config = b ? xasprintf("/etc/php/%s/fpm/php-fpm.conf", b)
		      : xstrdup("/etc/php5/fpm/php-fpm.conf");
	a->pooldir = b ? xasprintf("/etc/php/%s/fpm/pool.d", b) : xstrdup("/etc/php5/fpm/pool.d");
	a->priority = alt_priority(act->package);
	free(b);
	if (predict_arrival(ho, h, hi, a, &err) < 0) {
		plan_note(rp, xasprintf("%s %s (new instance): cannot predict: %s; post-invoke "
					"will still check", act->package, act->new_version, err));
		free(err);
	}
}

/* The departing and arriving instances of hi. */
static void find_instances(const struct host_opts *ho, struct host_view *h,
			   const struct hook_info *hi, struct release_plan *rp)
{
	size_t i, k;

	rp->dep = xcalloc(h->ninst ? h->ninst : 1, sizeof *rp->dep);
	rp->arr = xcalloc(hi->n ? hi->n : 1, sizeof *rp->arr);
	for (k = 0; k < h->ninst; k++) {
		const struct hook_action *act = action_for(hi, h->inst[k].loc.package);
		if (act && act->remove)
			rp->dep[rp->ndep++] = &h->inst[k];
	}
	for (i = 0; i < hi->n; i++)
		if (pin_is_fpm_package(hi->v[i].package) && hi->v[i].deb &&
		    hi->v[i].new_version && !installed_here(h, hi->v[i].package))
			add_arrival(ho, h, hi, &hi->v[i], rp);
}

/* The listen value of the pool in dir's pool.d/www.conf: what the socket
 * helper registers. */
static const char *www_socket(const struct instance_view *iv)
{
	size_t n = strrchr(iv->loc.config, '/') - iv->loc.config, k;
	char *www = xasprintf("%.*s/pool.d/www.conf", (int)n, iv->loc.config);
	const char *sock = NULL;

	for (k = 0; k < iv->npools && sock == NULL; k++)
		if (strcmp(iv->pools[k].pool->file, www) == 0)
			sock = iv->pools[k].pool->set[K_LISTEN].value;
	free(www);
	return sock;
}

/* The alternative after the run: the highest priority among the
 * instances left and the arriving ones. */
static void alternative_after(const struct host_view *h, struct release_plan *rp)
{
	const char *best = NULL;
	int prio = 0, p;
	size_t k;

	for (k = 0; k < h->ninst; k++) {
		p = alt_priority(h->inst[k].loc.package);
		if (!departing(rp, &h->inst[k]) && p > prio && www_socket(&h->inst[k])) {
			prio = p;
			best = www_socket(&h->inst[k]);
		}
	}
	for (k = 0; k < rp->narr; k++)
		if (rp->arr[k].have && rp->arr[k].priority > prio && rp->arr[k].hp.ninst == 1 &&
		    www_socket(&rp->arr[k].hp.inst[0])) {
			prio = rp->arr[k].priority;
			best = www_socket(&rp->arr[k].hp.inst[0]);
		}
	rp->alt_after = best ? xstrdup(best) : NULL;
}

void release_plan_build(const struct host_opts *ho, struct host_view *h,
			const struct hook_info *hi, struct release_plan *rp)
{
	memset(rp, 0, sizeof *rp);
	rp->hi = hi;
	find_instances(ho, h, hi, rp);
	alternative_after(h, rp);
	carry_plan(rp, h);
}

void release_plan_free(struct release_plan *rp)
{
	size_t i;

	for (i = 0; i < rp->narr; i++) {
		struct release_arrival *a = &rp->arr[i];
		if (a->have) {
			snapshot_free(&a->ps);
			host_free(&a->hp);
		}
		predict_cleanup(&a->pr);
		free(a->clients);
		free(a->config);
		free(a->pooldir);
	}
	for (i = 0; i < rp->ncarry; i++) {
		free(rp->carry[i].name);
		free(rp->carry[i].path);
		free(rp->carry[i].text);
		free(rp->carry[i].refused);
	}
	for (i = 0; i < rp->nnotes; i++)
		free(rp->notes[i]);
	free(rp->notes);
	free(rp->carry);
	free(rp->arr);
	free(rp->dep);
	free(rp->alt_after);
	memset(rp, 0, sizeof *rp);
}
