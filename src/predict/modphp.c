#include "modphp.h"
#include "../util/xalloc.h"
#include "../webservers/webservers.h"

#include <stdlib.h>

#include <string.h>

int modphp_is_package(const char *name)
{
	return strncmp(name, "libapache2-mod-php", 18) == 0;
}

const struct hook_action *modphp_incoming(const struct hook_info *hi)
{
	size_t i;

	for (i = 0; i < hi->n; i++)
		if (hi->v[i].deb && hi->v[i].new_version && modphp_is_package(hi->v[i].package) &&
		    modphp_module_of(hi->v[i].package, NULL, NULL) == 0)
			return &hi->v[i];
	return NULL;
}

int modphp_module_of(const char *package, char **id, char **so)
{
	const char *v = package + 18;	/* after "libapache2-mod-php" */
	size_t n = strspn(v, "0123456789.");
	int major;

	if (!modphp_is_package(package) || n == 0 || v[n] != '\0' || v[0] == '.')
		return -1;
	major = atoi(v);
	if (id)
		*id = major >= 8 ? xstrdup("php_module") : xasprintf("php%d_module", major);
	if (so)
		*so = xasprintf("/usr/lib/apache2/modules/libphp%s.so", v);
	return 0;
}

/* Is there a use of Apache at file with socket in c? */
static int still_used(const struct ws_config *c, const struct snap_use *u)
{
	size_t i;

	for (i = 0; i < c->nuses; i++)
		if (c->uses[i].server == WS_APACHE && strcmp(c->uses[i].file, u->file) == 0 &&
		    strcmp(c->uses[i].socket, u->socket) == 0)
			return 1;
	return 0;
}

static void predict_use(const struct hook_action *a, const struct snapshot *cur,
			const struct snap_use *u, struct finding_list *out)
{
	const struct snap_instance *si = snapshot_find_instance(cur, u->instance);
	struct finding *f;

	if (si == NULL)
		return;
	XGROW(out->v, out->cap, out->n + 1);
	f = &out->v[out->n++];
	memset(f, 0, sizeof *f);
	f->kind = FK_HANDLER_CHANGED;
	f->sev = SEV_WARNING;
	f->security = 1;
	f->old_i = si;
	f->old_p = snapshot_find_pool(si, u->pool);
	f->old_use = u;
	f->instance = si->config;
	f->pool = u->pool;
	f->user = u->user;
	f->file = u->file;
	f->line = u->line;
	f->before = xasprintf("PHP %s pool %s as %s", u->php ? u->php : "?", u->pool,
			      u->pool_user ? u->pool_user : "?");
	f->after = xasprintf("predicted: mod_php from %s %s, inside Apache as %s", a->package,
			     a->new_version, u->user ? u->user : "Apache's user");
	f->detail = xasprintf("site %s: installing %s enables mod_php, and %s:%d is read "
			      "only without it; hold the package, or a2dismod the module after it",
			      u->site, a->package, u->file, u->line);
}

void modphp_predict(const struct hook_info *hi, const struct rootfs *r,
		    const struct snapshot *cur, struct finding_list *out)
{
	const struct hook_action *a = modphp_incoming(hi);
	struct ws_config then;
	char *id = NULL, *so = NULL;
	size_t i;

	if (a == NULL || cur->apache_mod_php || !cur->have_uses ||
	    modphp_module_of(a->package, &id, &so) < 0)
		return;
	webservers_read_apache_with(r, id, so, &then);
	for (i = 0; i < cur->nuses; i++)
		if (cur->uses[i].pool && strcmp(cur->uses[i].server, "apache2") == 0 &&
		    !still_used(&then, &cur->uses[i]))
			predict_use(a, cur, &cur->uses[i], out);
	webservers_free(&then);
	free(id);
	free(so);
}
