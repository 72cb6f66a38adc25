#include "hostfind.h"
#include "../util/xalloc.h"

#include <stdlib.h>
#include <string.h>
#include <strings.h>

struct pool_view *host_find_pool(struct host_view *h, const char *config,
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

void host_findings_from_problems(const struct host_view *h, const struct snapshot *cur,
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
