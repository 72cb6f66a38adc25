/* The pure half of policy/: names, and what to do with a finding. */
#include "policy.h"

#include <string.h>
#include <strings.h>

static const char *const policy_names[] = { "fix", "abort", "report" };

const char *policy_name(enum policy p)
{
	return p >= POL_FIX && p <= POL_REPORT ? policy_names[p] : "unset";
}

enum policy policy_parse(const char *s)
{
	int i;

	for (i = POL_FIX; i <= POL_REPORT; i++)
		if (strcmp(s, policy_names[i]) == 0)
			return (enum policy)i;
	return POL_UNSET;
}

enum policy guard_conf_policy(const struct guard_conf *g, const char *pool,
			      enum policy cli)
{
	size_t i;

	if (cli != POL_UNSET)
		return cli;
	if (g->nerrors > 0)
		return POL_REPORT;
	for (i = 0; pool && i < g->npools; i++)
		if (strcasecmp(g->pools[i].name, pool) == 0 &&
		    g->pools[i].policy != POL_UNSET)
			return g->pools[i].policy;
	return g->policy;
}

enum action policy_decide(const struct finding *f, enum policy p)
{
	/* A pool that departs with its package, and the sites it served,
	 * are fixed by carrying the pool into the arriving instance. */
	int fixable = f->kind == FK_CLIENT_LOST || f->kind == FK_CLIENT_LOST_NEXT ||
		      f->kind == FK_SITE_LOSES_PHP || f->kind == FK_POOL_DEPARTS;

	if (p == POL_REPORT)
		return ACT_REPORT;
	if (p == POL_ABORT)
		return f->sev == SEV_ERROR || f->security ? ACT_ABORT : ACT_REPORT;
	/* fix: lost access has a fix.  An error without one (php-fpm -t
	 * refuses, not a socket) fails the run as abort would.  A broadening
	 * is the admin's to judge: reported loudly, never undone behind
	 * their back. */
	if (fixable)
		return ACT_FIX;
	return f->sev == SEV_ERROR ? ACT_ABORT : ACT_REPORT;
}
