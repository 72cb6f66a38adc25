#include "session.h"
#include "../fix/dropin_io.h"
#include "../fix/fix.h"
#include "../util/xalloc.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>


/* --state-dir and --log-dir are host paths, root's own choice; the
 * defaults are inside --root and resolve there (state_open_in). */
static int open_guard_dir(struct state_dir *d, const char *given, const char *root,
			  const char *dflt, mode_t mode, char **err)
{
	return given ? state_open(d, given, mode, err) : state_open_in(d, root, dflt, mode, err);
}

static char **pool_clients(void *ctx, const char *pool, size_t *n)
{
	const struct guard_conf *g = ctx;
	size_t i;

	for (i = 0; i < g->npools; i++)
		if (strcasecmp(g->pools[i].name, pool) == 0 && g->pools[i].nclients) {
			*n = g->pools[i].nclients;
			return g->pools[i].clients;
		}
	*n = 0;
	return NULL;
}

void guard_load_conf(struct guard_opts *o, struct guard_conf *g)
{
	struct rootfs fs;
	char *dir, *slash;
	size_t i;

	if (rootfs_init(&fs, o->config ? "/" : o->host.root) < 0) {
		memset(g, 0, sizeof *g);
		g->policy = POL_REPORT;
		return;
	}
	dir = xstrdup(o->config ? o->config : DEFAULT_CONFIG);
	slash = strrchr(dir, '/');
	if (slash)
		strcpy(slash, "/conf.d");
	guard_conf_load(g, &fs, o->config ? o->config : DEFAULT_CONFIG, dir);
	free(dir);
	rootfs_close(&fs);
	for (i = 0; i < g->nerrors; i++)
		fprintf(stderr, "php-fpm-guard: %s\n", g->errors[i]);
	if (g->nerrors && o->cli_policy == POL_UNSET)
		fprintf(stderr, "php-fpm-guard: guard.conf has errors: policy report for this run\n");
	if (o->host.nclients == 0 && g->nclients > 0) {
		o->host.clients = (const char *const *)g->clients;
		o->host.nclients = g->nclients;
	}
	o->host.pool_clients = pool_clients;
	o->host.pool_clients_ctx = g;
}

void session_setup(struct session *s, struct guard_opts *o, const char *command)
{
	memset(s, 0, sizeof *s);
	s->o = o;
	s->command = command;
	guard_load_conf(o, &s->conf);
	/* From here on even a dying guard must not fail the apt run. */
	pfg_die_code = s->conf.strict ? PFG_EXIT_ERROR : 0;
	o->host.run_fpm_test = 1;
	/* Snapshots take the computed verdicts: a real connect() to every
	 * socket on every apt run would wake every ondemand pool.  A fix is
	 * still proven by a real connect (fix_apply). */
	o->host.prove = 0;
}

int session_open_state(struct session *s, char **err)
{
	int rc = open_guard_dir(&s->st, s->o->state_dir, s->o->host.root, DEFAULT_STATE_DIR,
				0700, err);

	if (rc == 0 && state_lock(&s->st, s->o->lock_wait ? s->o->lock_wait : LOCK_WAIT_DEFAULT,
				  err) < 0) {
		state_close(&s->st);
		return -1;
	}
	s->have_state = rc == 0;
	return rc;
}

void session_recover(struct session *s)
{
	char *err = NULL;
	int n = fix_recover(&s->st, &err);

	if (n < 0)
		fprintf(stderr, "php-fpm-guard: %s\n", err);
	else if (n > 0)
		fprintf(stderr, "php-fpm-guard: an interrupted fix was rolled back "
			"(%d file%s restored from %s/backups)\n", n, n == 1 ? "" : "s",
			s->st.path);
	free(err);
}

/* The hooks ask php-fpm only when what it reads changed (issue 7). */
void session_cache_open(struct session *s)
{
	char *buf = NULL, *err = NULL;
	size_t len = 0;

	if (state_read(&s->st, FPM_CACHE_FILE, 64u << 20, &buf, &len, &err) < 0) {
		fprintf(stderr, "php-fpm-guard: ignoring the cache: %s\n", err);
		free(err);
	}
	fpm_cache_load(&s->cache, buf, len);
	free(buf);
	s->have_cache = 1;
	s->o->host.cache = &s->cache;
}

static void cache_close(struct session *s)
{
	char *json, *err = NULL;

	if (!s->have_cache)
		return;
	json = fpm_cache_dump(&s->cache);
	if (json && s->have_state &&
	    state_write_transient(&s->st, FPM_CACHE_FILE, json, strlen(json), 0600, &err) < 0) {
		fprintf(stderr, "php-fpm-guard: %s\n", err);
		free(err);
	}
	free(json);
	fpm_cache_free(&s->cache);
	s->o->host.cache = NULL;
	s->have_cache = 0;
}

int session_fail(struct session *s, char *msg)
{
	fprintf(stderr, "php-fpm-guard: %s: %s%s\n", s->command, msg,
		s->conf.strict ? "" : " (not blocking apt; strict = yes would)");
	free(msg);
	return s->conf.strict ? PFG_EXIT_ERROR : 0;
}

int session_open_log(const struct session *s, struct state_dir *ld, char **err)
{
	return open_guard_dir(ld, s->o->log_dir, s->o->host.root, DEFAULT_LOG_DIR, 0750, err);
}

void session_free(struct session *s)
{
	cache_close(s);
	if (s->have_state)
		state_close(&s->st);
	guard_conf_free(&s->conf);
}

/* Entries of the guard's drop-ins whose pool went away: gone, said.
 * Returns how many went. */
static int tidy_dropins(struct host_view *h)
{
	size_t i;
	char *err = NULL;
	int n, total = 0;

	for (i = 0; i < h->ninst; i++) {
		n = dropin_tidy(h, &h->inst[i], &err);
		if (n < 0) {
			fprintf(stderr, "php-fpm-guard: %s\n", err);
			free(err);
			err = NULL;
		} else if (n > 0) {
			fprintf(stderr, "php-fpm-guard: note: %s: dropped %d drop-in entr%s for "
				"pools that no longer exist\n", h->inst[i].loc.config, n,
				n == 1 ? "y" : "ies");
			total += n;
		}
	}
	return total;
}

int session_inspect(struct session *s, struct host_view *h, int *rc)
{
	struct guard_opts *o = s->o;

	session_recover(s);
	session_cache_open(s);
	if (host_inspect(&o->host, h) < 0)
		goto fail_root;
	/* An entry of the guard's drop-in whose pool went away would be a
	 * pool without listen: drop it first, and look again. */
	if (tidy_dropins(h) > 0) {
		host_free(h);
		if (host_inspect(&o->host, h) < 0)
			goto fail_root;
	}
	return 0;
fail_root:
	*rc = session_fail(s, xasprintf("cannot open root %s: %s", o->host.root,
					strerror(errno)));
	session_free(s);
	return -1;
}

int session_begin(struct session *s, struct guard_opts *o, const char *command,
		  struct host_view *h, int *rc)
{
	char *err = NULL;

	session_setup(s, o, command);
	if (session_open_state(s, &err) < 0) {
		*rc = session_fail(s, err);
		session_free(s);
		return -1;
	}
	return session_inspect(s, h, rc);
}
