/*
 * The Prometheus text exposition format (version 0.0.4) as node_exporter's
 * textfile collector reads it: "# HELP" and "# TYPE" once per metric
 * before its samples, label values in double quotes with backslash,
 * double quote and newline escaped, one sample per line.  Every metric is
 * a gauge: each describes the host as the last run left it.
 */
#include "report.h"
#include "../util/xalloc.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* A label value: backslash, double quote and newline escaped.  Written
 * in runs between those bytes: a host with thousands of pools writes
 * tens of thousands of labels on every apt run. */
static void label(FILE *f, const char *name, const char *v, int first)
{
	size_t n;

	if (!first)
		fputc(',', f);
	fputs(name, f);
	fputs("=\"", f);
	while (*v) {
		n = strcspn(v, "\\\"\n");
		fwrite(v, 1, n, f);
		v += n;
		if (*v) {
			fputs(*v == '\n' ? "\\n" : *v == '"' ? "\\\"" : "\\\\", f);
			v++;
		}
	}
	fputc('"', f);
}

static void header(FILE *f, const char *name, const char *help)
{
	fprintf(f, "# HELP %s %s\n# TYPE %s gauge\n", name, help, name);
}

/* {fpm_config="...",pool="..." -- the caller adds and closes. */
static void pool_labels(FILE *f, const char *metric, const struct instance_view *iv,
			const struct pool_view *pv)
{
	fputs(metric, f);
	fputc('{', f);
	label(f, "fpm_config", iv->loc.config, 1);
	label(f, "pool", pv->pool->name, 0);
}

/* What JSON calls can_connect: the live socket when there is one (a real
 * connect refused for permission outranks the computed verdict), else
 * the next start; -1 when neither is known. */
static int can_connect(const struct pool_client *pc)
{
	if (pc->user == NULL)
		return -1;
	if (pc->now != V_UNKNOWN)
		return pc->now == V_ALLOWED && pc->proof != PROVE_DENIED;
	return pc->next == V_UNKNOWN ? -1 : pc->next == V_ALLOWED;
}

static int world_accessible(const struct pool_view *pv)
{
	return (pv->eff.nerrors == 0 && (pv->eff.mode & 0002)) ||
	       (pv->probe.state == PROBE_SOCKET && (pv->probe.sock.mode & 0002));
}

static enum run_verdict pool_outcome(const struct prom_run *run,
				     const struct instance_view *iv, const struct pool_view *pv)
{
	enum run_verdict o = RV_OK;
	size_t i;

	for (i = 0; i < run->npools; i++)
		if (strcmp(run->pools[i].pool, pv->pool->name) == 0 &&
		    strcmp(run->pools[i].instance, iv->loc.config) == 0)
			o = run_verdict_worse(o, run->pools[i].outcome);
	return o;
}

/* Walks the unix pools of a host, instance by instance. */
struct pool_iter {
	const struct host_view *h;
	size_t i, j;
};

static int next_unix_pool(struct pool_iter *it, const struct instance_view **iv,
			  const struct pool_view **pv)
{
	for (; it->i < it->h->ninst; it->i++, it->j = 0)
		while (it->j < it->h->inst[it->i].npools) {
			*iv = &it->h->inst[it->i];
			*pv = &(*iv)->pools[it->j++];
			if ((*pv)->eff.is_unix)
				return 1;
		}
	return 0;
}

static void pool_metrics(FILE *f, const struct host_view *h, const struct prom_run *run)
{
	const struct instance_view *iv;
	const struct pool_view *pv;
	struct pool_iter it = { h, 0, 0 };
	size_t c, k;

	header(f, "php_fpm_guard_client_can_connect", "1 if the client user can connect to "
	       "the pool's unix socket (the live socket, else after the next php-fpm start), 0 if not.");
	for (it.i = it.j = 0; next_unix_pool(&it, &iv, &pv);)
		for (c = 0; c < pv->nclients; c++) {
			int v = can_connect(&pv->clients[c]);
			if (v < 0)
				continue;
			pool_labels(f, "php_fpm_guard_client_can_connect", iv, pv);
			label(f, "socket", pv->probe.path, 0);
			label(f, "user", pv->clients[c].client->user, 0);
			fprintf(f, "} %d\n", v);
		}
	header(f, "php_fpm_guard_socket_world_accessible", "1 if any local user can connect "
	       "to the pool's socket (world-writable, the CVE-2014-0185 shape), 0 if not.");
	for (it.i = it.j = 0; next_unix_pool(&it, &iv, &pv);) {
		pool_labels(f, "php_fpm_guard_socket_world_accessible", iv, pv);
		label(f, "socket", pv->probe.path, 0);
		fprintf(f, "} %d\n", world_accessible(pv));
	}
	header(f, "php_fpm_guard_last_run_timestamp_seconds", "When php-fpm-guard last judged "
	       "the pool (post-invoke or fix), in seconds since the epoch.");
	for (it.i = it.j = 0; next_unix_pool(&it, &iv, &pv);) {
		pool_labels(f, "php_fpm_guard_last_run_timestamp_seconds", iv, pv);
		fprintf(f, "} %lld\n", run->time);
	}
	header(f, "php_fpm_guard_last_run_outcome", "The pool's outcome in the last run: 1 for "
	       "the one that applies (ok, fixed, aborted, error), 0 for the others.");
	for (it.i = it.j = 0; next_unix_pool(&it, &iv, &pv);) {
		enum run_verdict o = pool_outcome(run, iv, pv);
		for (k = 0; k < RV_NVERDICTS; k++) {
			pool_labels(f, "php_fpm_guard_last_run_outcome", iv, pv);
			label(f, "outcome", run_verdict_name((enum run_verdict)k), 0);
			fprintf(f, "} %d\n", o == (enum run_verdict)k);
		}
	}
}

static void server_metrics(FILE *f, const struct host_view *h)
{
	char line[16];
	size_t i, n = 0;

	for (i = 0; i < h->ncons; i++) {
		const struct consumer *c = &h->cons[i];
		if (c->pv || c->other_socket || h->ninst == 0)
			continue;
		if (n++ == 0)
			header(f, "php_fpm_guard_server_socket_missing", "1 for each web server "
			       "directive that points at a socket no PHP-FPM pool listens on.");
		snprintf(line, sizeof line, "%d", c->use->line);
		fputs("php_fpm_guard_server_socket_missing{", f);
		label(f, "server", ws_kind_name(c->use->server), 1);
		label(f, "file", c->use->file, 0);
		label(f, "line", line, 0);
		label(f, "socket", c->use->socket, 0);
		fputs("} 1\n", f);
	}
}

char *report_prom(const struct host_view *h, const struct prom_run *run)
{
	char *buf = NULL;
	size_t len = 0, k;
	FILE *f = open_memstream(&buf, &len);

	if (f == NULL)
		diex("out of memory");
	pool_metrics(f, h, run);
	server_metrics(f, h);
	header(f, "php_fpm_guard_run_timestamp_seconds", "When php-fpm-guard last ran "
	       "post-invoke or fix on this host, in seconds since the epoch.");
	fprintf(f, "php_fpm_guard_run_timestamp_seconds %lld\n", run->time);
	header(f, "php_fpm_guard_run_outcome", "The host's outcome in the last run: 1 for the "
	       "one that applies (ok, fixed, aborted, error), 0 for the others.");
	for (k = 0; k < RV_NVERDICTS; k++) {
		fputs("php_fpm_guard_run_outcome{", f);
		label(f, "outcome", run_verdict_name((enum run_verdict)k), 1);
		fprintf(f, "} %d\n", run->outcome == (enum run_verdict)k);
	}
	if (fclose(f) != 0)
		diex("out of memory");
	return buf;
}
