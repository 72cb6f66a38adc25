#include "monitor.h"
#include "../discover/fpmcache.h"
#include "../report/plugin.h"
#include "../state/state.h"
#include "../util/xalloc.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

/* The hooks' cache of php-fpm's answers (guard.c). */
#define FPM_CACHE_FILE "fpm-cache.json"
#define FPM_CACHE_MAX ((size_t)64 << 20)

/*
 * The hooks' cache, read without their lock (it is replaced atomically):
 * 1 and c filled, or 0 when there is none.  A state dir that is missing
 * stays missing; one the state rules refuse is said, and php-fpm is
 * asked instead.
 */
static int cache_read(const struct guard_opts *o, struct fpm_cache *c)
{
	char *path = o->state_dir ? xstrdup(o->state_dir)
		   : strcmp(o->host.root, "/") == 0 ? xstrdup(DEFAULT_STATE_DIR)
		   : xasprintf("%s%s", o->host.root, DEFAULT_STATE_DIR);
	char *buf = NULL, *err = NULL;
	struct state_dir st;
	struct stat sb;
	size_t len = 0;
	int rc = 0;

	if (stat(path, &sb) < 0)
		goto out;
	if (state_open(&st, path, 0700, &err) < 0)
		goto out;
	if (state_read(&st, FPM_CACHE_FILE, FPM_CACHE_MAX, &buf, &len, &err) == 0) {
		fpm_cache_load(c, buf, len);
		rc = 1;
	}
	state_close(&st);
out:
	if (err)
		warnx("php-fpm -t asked, its cache not read: %s", err);
	free(err);
	free(buf);
	free(path);
	return rc;
}

/* Orders misread: which clients to judge is not known. */
static _Noreturn void guard_conf_unknown(const struct guard_conf *g)
{
	char *why = xasprintf("guard.conf: %s%s", g->errors[0],
			      g->nerrors > 1 ? " (and more, see the notes)" : "");

	plugin_fail(why, 0);
}

int monitor_check(struct guard_opts *o)
{
	struct guard_conf g;
	struct host_view h;
	struct problem_list pl = { NULL, 0, 0 };
	struct plugin_result r;
	struct fpm_cache cache;
	int rc, have_cache;

	guard_load_conf(o, &g);
	if (g.nerrors > 0)
		guard_conf_unknown(&g);
	o->host.run_fpm_test = 1;
	o->host.prove = 0;
	o->host.ask_servers = 0;
	memset(&cache, 0, sizeof cache);
	if ((have_cache = cache_read(o, &cache)) != 0)
		o->host.cache = &cache;
	if (host_inspect(&o->host, &h) < 0)
		die("cannot open root %s", o->host.root);
	host_judge(&h, &pl);
	host_judge_servers(&h, &pl);
	plugin_judge_host(&h, &pl, &r);
	rc = plugin_emit(r.state, r.summary, r.perf, r.details);
	plugin_result_free(&r);
	free(pl.v);
	host_free(&h);
	if (have_cache)
		fpm_cache_free(&cache);
	o->host.cache = NULL;
	guard_conf_free(&g);
	return rc;
}
