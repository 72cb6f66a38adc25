#include "modphp.h"
#include "../util/xalloc.h"

#include <string.h>

int modphp_is_package(const char *name)
{
	return strncmp(name, "libapache2-mod-php", 18) == 0;
}

const struct hook_action *modphp_incoming(const struct hook_info *hi)
{
	size_t i;

	for (i = 0; i < hi->n; i++)
		if (hi->v[i].deb && hi->v[i].new_version && modphp_is_package(hi->v[i].package))
			return &hi->v[i];
	return NULL;
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
	f->detail = xasprintf("site %s: installing %s enables mod_php, and Debian's "
			      "php*-fpm.conf is read only without it (<IfModule !mod_php*.c>); "
			      "hold the package, or a2dismod the module after it",
			      u->site, a->package);
}

void modphp_predict(const struct hook_info *hi, const struct snapshot *cur,
		    struct finding_list *out)
{
	const struct hook_action *a = modphp_incoming(hi);
	size_t i;

	if (a == NULL || cur->apache_mod_php || !cur->have_uses)
		return;
	for (i = 0; i < cur->nuses; i++)
		if (cur->uses[i].pool && strcmp(cur->uses[i].server, "apache2") == 0)
			predict_use(a, cur, &cur->uses[i], out);
}
