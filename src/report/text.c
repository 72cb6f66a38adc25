#include "report.h"
#include "../util/xalloc.h"

#include <stdlib.h>
#include <string.h>

static const char *origin(const struct fpm_setting *s, char *buf, size_t n)
{
	if (s->value == NULL)
		return "unset";
	snprintf(buf, n, "%s:%d", s->file, s->line);
	return buf;
}

/* "nginx fastcgi_pass at FILE:LINE, server NAME (FILE:LINE)". */
static void print_use(FILE *f, const struct consumer *c)
{
	char *site = ws_use_site(c->use);

	fprintf(f, "%s (%s) %s at %s:%d, %s", ws_kind_name(c->use->server),
		c->server->user ? c->server->user : "user unknown", c->use->directive,
		c->use->file, c->use->line, site);
	if (c->use->vhost_file)
		fprintf(f, " at %s:%d", c->use->vhost_file, c->use->vhost_line);
	free(site);
}

/* Which web servers use the pool's socket, or that none does. */
static void show_users(FILE *f, const struct host_view *h, const struct pool_view *pv)
{
	size_t i;

	if (!h->any_server)
		return;
	if (pv->ncons == 0)
		fprintf(f, "    used by:     no web server\n");
	for (i = 0; i < pv->ncons; i++) {
		fprintf(f, "    used by:     ");
		print_use(f, &pv->cons[i]);
		fputc('\n', f);
	}
}

static void show_servers(FILE *f, const struct host_view *h)
{
	size_t i, k;

	if (!h->any_server)
		return;
	fprintf(f, "web servers:\n");
	for (i = 0; i < WS_NKINDS; i++) {
		const struct ws_server *s = &h->ws.srv[i];
		if (!s->present)
			continue;
		fprintf(f, "  %-7s %s (read: %s): user %s (%s)\n", ws_kind_name((enum ws_kind)i),
			s->config ? s->config : "(no main config)", s->read_by,
			s->user ? s->user : "unknown", s->user_source ? s->user_source : "-");
		for (k = 0; k < s->nerrors; k++)
			fprintf(f, "    error: %s:%d: %s\n", s->errors[k].file,
				s->errors[k].line, s->errors[k].msg);
		for (k = 0; k < s->nnotes; k++)
			fprintf(f, "    note: %s\n", s->notes[k]);
	}
}

/* Directives that point where no pool listens. */
static void show_orphans(FILE *f, const struct host_view *h)
{
	size_t i, n = 0;

	for (i = 0; i < h->ncons; i++) {
		const struct consumer *c = &h->cons[i];
		if (c->pv)
			continue;
		if (n++ == 0)
			fprintf(f, "sockets no pool listens on:\n");
		fprintf(f, "  %s%s: ", c->use->socket, c->other_socket
			? " (a socket of another program)" : "");
		print_use(f, c);
		fputc('\n', f);
	}
}

static void show_pool(FILE *f, struct host_view *h, const struct pool_view *pv)
{
	const struct fpm_pool *p = pv->pool;
	const struct effective *e = &pv->eff;
	char b[8], o[512];
	size_t i;
	int k;

	fprintf(f, "  pool %s  (%s:%d)\n", p->name, p->file, p->line);
	for (k = 0; k < K_NKEYS; k++) {
		if (k == K_PREFIX && p->set[k].value == NULL)
			continue;
		fprintf(f, "    %-18s = %-28s %s\n", fpm_key_names[k],
			p->set[k].value ? p->set[k].value : "(undefined)",
			origin(&p->set[k], o, sizeof o));
	}
	if (!e->is_unix) {
		fprintf(f, "    tcp listener: no socket file, nothing to judge\n");
		return;
	}
	if (e->nerrors == 0)
		fprintf(f, "    next start:  %s:%s %s%s\n",
			accounts_user_name(h->acc, e->uid),
			accounts_group_name(h->acc, e->gid),
			access_mode_str(e->mode, b), e->acl_active ? " +ACL" : "");
	for (i = 0; i < e->nerrors; i++)
		fprintf(f, "    %s\n", e->errors[i]);
	for (i = 0; i < e->nnotes; i++)
		fprintf(f, "    note: %s\n", e->notes[i]);
	switch (pv->probe.state) {
	case PROBE_SOCKET:
		fprintf(f, "    socket now:  %s:%s %s%s%s\n",
			accounts_user_name(h->acc, pv->probe.sock.uid),
			accounts_group_name(h->acc, pv->probe.sock.gid),
			access_mode_str(pv->probe.sock.mode, b),
			pv->probe.sock.nacl ? " +ACL" : "",
			pv->live_differs ? "  (differs from config: changes at next restart)" : "");
		break;
	case PROBE_ABSENT:
		fprintf(f, "    socket now:  absent (php-fpm not running?)\n");
		break;
	case PROBE_NOT_SOCKET:
		fprintf(f, "    socket now:  NOT A SOCKET at %s\n", pv->probe.path);
		break;
	default:
		fprintf(f, "    socket now:  cannot look: %s\n", strerror(pv->probe.err));
	}
	for (i = 0; i < pv->nclients; i++) {
		const struct pool_client *pc = &pv->clients[i];
		if (pc->user == NULL) {
			fprintf(f, "    client %s: no such user\n", pc->client->user);
			continue;
		}
		fprintf(f, "    client %-10s now: %-7s next start: %-7s proof: %s\n",
			pc->client->user,
			pc->now == V_ALLOWED ? "yes" : pc->now == V_DENIED ? "NO" : "-",
			pc->next == V_ALLOWED ? "yes" : pc->next == V_DENIED ? "NO" : "-",
			prove_result_name(pc->proof));
	}
	show_users(f, h, pv);
}

static void show_text(FILE *f, struct host_view *h);

void report_show_text(FILE *f, struct host_view *h)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *mem = text_open(&buf, &len);

	show_text(mem, h);
	text_close(mem, &buf, &len, f);
}

static void show_text(FILE *f, struct host_view *h)
{
	size_t i, j;

	if (h->ninst == 0) {
		fprintf(f, "no PHP-FPM instance on this host\n");
		return;
	}
	fprintf(f, "clients:");
	for (i = 0; i < h->clients.n; i++)
		fprintf(f, " %s (%s)", h->clients.v[i].user, h->clients.v[i].source);
	fputc('\n', f);
	show_servers(f, h);
	report_serving_text(f, h);
	for (i = 0; i < h->ninst; i++) {
		struct instance_view *iv = &h->inst[i];
		fprintf(f, "%s  binary %s  version %s", iv->loc.config,
			iv->loc.binary ? iv->loc.binary : "(none)",
			iv->version ? iv->version : "unknown");
		if (iv->package_version)
			fprintf(f, "  package %s %s", iv->loc.package, iv->package_version);
		fputc('\n', f);
		for (j = 0; j < iv->conf.nerrors; j++)
			fprintf(f, "  error: %s:%d: %s\n",
				iv->conf.errors[j].file ? iv->conf.errors[j].file : "?",
				iv->conf.errors[j].line, iv->conf.errors[j].msg);
		for (j = 0; j < iv->nnotes; j++)
			fprintf(f, "  note: %s\n", iv->notes[j]);
		for (j = 0; j < iv->npools; j++)
			show_pool(f, h, &iv->pools[j]);
	}
	show_orphans(f, h);
}

/* Include patterns no reader may expand: errors with or without PHP-FPM. */
static void print_server_errors(FILE *f, const struct host_view *h)
{
	size_t i, j;

	for (i = 0; i < WS_NKINDS; i++)
		for (j = 0; j < h->ws.srv[i].nerrors; j++)
			fprintf(f, "%s:%d: error: %s\n", h->ws.srv[i].errors[j].file,
				h->ws.srv[i].errors[j].line, h->ws.srv[i].errors[j].msg);
}

static void print_errors(FILE *f, struct host_view *h)
{
	size_t i, j, k;

	for (i = 0; i < WS_NKINDS; i++)
		for (j = 0; j < h->ws.srv[i].nnotes; j++)
			fprintf(f, "note: %s: %s\n", ws_kind_name((enum ws_kind)i),
				h->ws.srv[i].notes[j]);
	print_server_errors(f, h);
	for (i = 0; i < h->ninst; i++) {
		struct instance_view *iv = &h->inst[i];
		for (j = 0; j < iv->nnotes; j++)
			fprintf(f, "note: %s\n", iv->notes[j]);
		for (j = 0; j < iv->conf.nerrors; j++) {
			const struct fpm_error *e = &iv->conf.errors[j];
			if (e->line > 0)
				fprintf(f, "%s:%d: error: %s\n", e->file, e->line, e->msg);
			else
				fprintf(f, "%s: error: %s\n", e->file ? e->file : iv->loc.config, e->msg);
		}
		for (j = 0; j < iv->npools; j++)
			for (k = 0; k < iv->pools[j].eff.nerrors; k++)
				fprintf(f, "%s\n", iv->pools[j].eff.errors[k]);
		if (iv->fpm_test == 0)
			fprintf(f, "%s: error: %s -t refuses this configuration:\n  %s\n",
				iv->loc.config, iv->loc.binary,
				iv->fpm_test_msgs && *iv->fpm_test_msgs ? iv->fpm_test_msgs : "(no message)");
	}
}

/*
 * The php5 -> php7 rename: a server still sends PHP to a socket path that
 * no pool listens on.  Named by the directive's file:line, with the
 * sockets that do exist.
 */
static void print_server_problem(FILE *f, const struct host_view *h, const struct problem *p)
{
	const struct consumer *c = p->cons;
	char *site = ws_use_site(c->use);
	size_t i, j, n = 0;

	fprintf(f, "%s:%d: error: %s, %s: %s to %s, where no PHP-FPM pool listens\n",
		c->use->file, c->use->line, ws_kind_name(c->use->server), site,
		c->use->directive, c->use->socket);
	free(site);
	for (i = 0; i < h->ninst; i++)
		for (j = 0; j < h->inst[i].npools; j++) {
			const struct pool_view *pv = &h->inst[i].pools[j];
			if (!pv->eff.is_unix)
				continue;
			fprintf(f, "%s%s (pool %s)", n++ ? ", " : "  pools listen on: ",
				pv->probe.path, pv->pool->name);
		}
	if (n)
		fputc('\n', f);
	fprintf(f, "  fix: point it at a pool's socket, or give a pool listen = %s\n",
		c->use->socket);
}

/* Two pools on one path: the second php-fpm to start refuses. */
static void print_conflict(FILE *f, const struct problem *p, const char *file, int line)
{
	const struct fpm_setting *o = &p->other_pv->pool->set[K_LISTEN];

	fprintf(f, "%s:%d: error: pool %s listens on %s, where pool %s of %s listens too "
		"(%s:%d); the second php-fpm to start refuses (\"Another FPM instance seems "
		"to already listen\") [listen-conflict]\n", file, line, p->pv->pool->name,
		host_listen_path(p->pv), p->other_pv->pool->name, p->other_inst->loc.config,
		o->file ? o->file : p->other_pv->pool->file,
		o->file ? o->line : p->other_pv->pool->line);
	fprintf(f, "  fix: give one of the pools its own listen path\n");
}

static void print_problem(FILE *f, struct host_view *h, const struct problem *p)
{
	const struct pool_view *pv = p->pv;
	const struct fpm_setting *l;
	const char *file;
	int line;
	char *lines[4], *r, b[8];
	size_t n, i;

	if (p->kind == PR_SERVER_SOCKET_MISSING) {
		print_server_problem(f, h, p);
		return;
	}
	l = &pv->pool->set[K_LISTEN];
	file = l->file ? l->file : pv->pool->file;
	line = l->file ? l->line : pv->pool->line;
	switch (p->kind) {
	case PR_LISTEN_CONFLICT:
		print_conflict(f, p, file, line);
		return;
	case PR_NOT_SOCKET:
		fprintf(f, "%s:%d: error: pool %s: %s is not a socket (%s)\n", file, line,
			pv->pool->name, pv->probe.path,
			pv->probe.found_type == S_IFLNK ? "a symlink" : "another file type");
		return;
	case PR_WORLD_ACCESS:
		fprintf(f, "%s:%d: warning: pool %s: socket %s is world-writable (%s): any local "
			"user can talk to PHP-FPM (CVE-2014-0185)\n", file, line, pv->pool->name,
			pv->probe.path,
			access_mode_str(pv->probe.state == PROBE_SOCKET &&
					(pv->probe.sock.mode & 2) ? pv->probe.sock.mode : pv->eff.mode, b));
		return;
	case PR_NO_CLIENT_USER:
		fprintf(f, "warning: client user %s (%s) does not exist\n",
			p->pc->client->user, p->pc->client->source);
		return;
	default:
		break;
	}
	r = host_denied_reason(pv, p->pc, p->kind == PR_DENIED_NEXT, h->acc);
	fprintf(f, "%s:%d: error: pool %s: %s %s connect to %s\n", file, line,
		pv->pool->name, p->pc->client->user,
		p->kind == PR_DENIED_NOW ? "cannot" : "will not be able to (after the next php-fpm restart)",
		pv->probe.path);
	fprintf(f, "  %s\n", r);
	free(r);
	if (p->kind == PR_DENIED_NOW && p->pc->proof == PROVE_DENIED)
		fprintf(f, "  proven: connect() as %s fails with \"Permission denied\" "
			"(nginx: 13: Permission denied, 502)\n", p->pc->client->user);
	fprintf(f, "  listen.owner: %s, listen.group: %s, listen.mode: %s\n",
		pv->pool->set[K_LISTEN_OWNER].value ? pv->pool->set[K_LISTEN_OWNER].value : "unset",
		pv->pool->set[K_LISTEN_GROUP].value ? pv->pool->set[K_LISTEN_GROUP].value : "unset",
		pv->pool->set[K_LISTEN_MODE].value ? pv->pool->set[K_LISTEN_MODE].value : "unset (default)");
	n = host_fix_lines(pv, h->acc, lines);
	if (n) {
		fprintf(f, "  fix: in [%s] of %s set:\n", pv->pool->name, file);
		for (i = 0; i < n; i++) {
			fprintf(f, "      %s\n", lines[i]);
			free(lines[i]);
		}
		fprintf(f, "  then restart php-fpm and run: php-fpm-guard check\n");
	}
}

static void check_text(FILE *f, struct host_view *h, const struct problem_list *pl);

void report_check_text(FILE *f, struct host_view *h, const struct problem_list *pl)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *mem = text_open(&buf, &len);

	check_text(mem, h, pl);
	text_close(mem, &buf, &len, f);
}

static void check_text(FILE *f, struct host_view *h, const struct problem_list *pl)
{
	size_t i, j, c, bad;
	char b[8];

	if (h->ninst == 0) {
		print_server_errors(f, h);
		fprintf(f, "no PHP-FPM instance on this host: nothing to check\n");
		return;
	}
	print_errors(f, h);
	for (i = 0; i < pl->n; i++)
		print_problem(f, h, &pl->v[i]);
	for (i = 0; i < h->ninst; i++)
		for (j = 0; j < h->inst[i].npools; j++) {
			const struct pool_view *pv = &h->inst[i].pools[j];
			if (!pv->eff.is_unix) {
				fprintf(f, "ok: pool %s listens on %s (tcp, not judged)\n",
					pv->pool->name, pv->pool->set[K_LISTEN].value);
				continue;
			}
			for (c = bad = 0; c < pl->n; c++)
				bad += pl->v[c].pv == pv && pl->v[c].is_error;
			if (bad || pv->eff.nerrors)
				continue;
			fprintf(f, "ok: pool %s: %s", pv->pool->name, pv->probe.path);
			if (pv->probe.state == PROBE_SOCKET)
				fprintf(f, " (%s:%s %s)",
					accounts_user_name(h->acc, pv->probe.sock.uid),
					accounts_group_name(h->acc, pv->probe.sock.gid),
					access_mode_str(pv->probe.sock.mode, b));
			else
				fprintf(f, " (not running; at next start %s:%s %s)",
					accounts_user_name(h->acc, pv->eff.uid),
					accounts_group_name(h->acc, pv->eff.gid),
					access_mode_str(pv->eff.mode, b));
			fprintf(f, ": reachable by");
			for (c = 0; c < pv->nclients; c++)
				if (pv->clients[c].user)
					fprintf(f, " %s", pv->clients[c].client->user);
			if (pv->ncons > 0)
				fprintf(f, "; used by %s at %s:%d%s",
					ws_kind_name(pv->cons[0].use->server), pv->cons[0].use->file,
					pv->cons[0].use->line, pv->ncons > 1 ? " and more (see show)" : "");
			else if (h->any_server)
				fprintf(f, "; no web server uses it");
			fputc('\n', f);
		}
}
