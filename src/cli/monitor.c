#include "monitor.h"
#include "../discover/fpmcache.h"
#include "../report/plugin.h"
#include "../state/state.h"
#include "../util/xalloc.h"

#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>

#define FPM_CACHE_MAX ((size_t)64 << 20)

struct cache {
	struct state_dir st;
	struct fpm_cache c;
	int open;
};

/*
 * The hooks' cache, read without their lock (it is replaced atomically).
 * A state dir that is missing stays missing (no cache, php-fpm is asked
 * every time); one the state rules refuse is said, and not used.
 */
static void cache_open(const struct guard_opts *o, struct cache *k)
{
	char *buf = NULL, *err = NULL;
	size_t len = 0;
	int rc;

	memset(k, 0, sizeof *k);
	/* Never created (mode 0); the default resolves inside --root. */
	rc = o->state_dir ? state_open_in(&k->st, "/", o->state_dir, 0, &err)
			  : state_open_in(&k->st, o->host.root, DEFAULT_STATE_DIR, 0, &err);
	if (rc != 0)
		goto out;
	if (state_read(&k->st, FPM_CACHE_FILE, FPM_CACHE_MAX, &buf, &len, &err) < 0) {
		state_close(&k->st);
		goto out;
	}
	fpm_cache_load(&k->c, buf, len);
	k->open = 1;
out:
	if (err)
		warnx("php-fpm -t asked, its cache not used: %s", err);
	free(err);
	free(buf);
}

/*
 * What php-fpm answered, kept for the next minute -- only when the lock
 * is free at once: while a hook holds it, the hook writes the cache.
 */
static void cache_close(struct cache *k)
{
	char *json, *err = NULL;

	if (!k->open)
		return;
	json = fpm_cache_dump(&k->c);
	if (json) {
		if (state_trylock(&k->st) == 0 &&
		    state_write_transient(&k->st, FPM_CACHE_FILE, json, strlen(json), 0600,
					  &err) < 0)
			warnx("%s", err);
	}
	free(err);
	free(json);
	fpm_cache_free(&k->c);
	state_close(&k->st);
	k->open = 0;
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
	struct cache cache;
	int rc;

	guard_load_conf(o, &g);
	if (g.nerrors > 0)
		guard_conf_unknown(&g);
	o->host.run_fpm_test = 1;
	o->host.prove = 0;
	o->host.ask_servers = 0;
	cache_open(o, &cache);
	if (cache.open)
		o->host.cache = &cache.c;
	if (host_inspect(&o->host, &h) < 0)
		die("cannot open root %s", o->host.root);
	host_judge(&h, &pl);
	host_judge_servers(&h, &pl);
	plugin_judge_host(&h, &pl, &r);
	rc = plugin_emit(r.state, r.summary, r.perf, r.details);
	plugin_result_free(&r);
	free(pl.v);
	host_free(&h);
	cache_close(&cache);
	o->host.cache = NULL;
	guard_conf_free(&g);
	return rc;
}
