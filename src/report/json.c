#include "report.h"
#include "../util/xalloc.h"

#include <json-c/json.h>
#include <string.h>
#include <sys/stat.h>

static json_object *str_or_null(const char *s)
{
	return s ? json_object_new_string(s) : NULL;
}

static json_object *mode_json(mode_t m)
{
	char buf[8];
	return json_object_new_string(access_mode_str(m, buf));
}

static json_object *where_json(const struct fpm_setting *s)
{
	char *w;
	json_object *o;

	if (s->value == NULL)
		return json_object_new_string("default");
	w = xasprintf("%s:%d", s->file, s->line);
	o = json_object_new_string(w);
	free(w);
	return o;
}

static json_object *names_json(const struct eff_name *v, size_t n)
{
	json_object *a = json_object_new_array();
	size_t i;

	for (i = 0; i < n; i++)
		json_object_array_add(a, json_object_new_string(v[i].name));
	return a;
}

static json_object *acl_json(const struct fsobj *o, struct accounts *acc)
{
	json_object *a = json_object_new_array();
	size_t i;

	for (i = 0; i < o->nacl; i++) {
		const struct acl_ent *e = &o->acl[i];
		char perm[4] = { e->perm & 4 ? 'r' : '-', e->perm & 2 ? 'w' : '-',
				 e->perm & 1 ? 'x' : '-', '\0' };
		char *s;
		const char *q = "";
		if (e->tag == T_USER)
			q = accounts_user_name(acc, (uid_t)e->id);
		else if (e->tag == T_GROUP)
			q = accounts_group_name(acc, (gid_t)e->id);
		s = xasprintf("%s:%s:%s",
			      e->tag == T_USER || e->tag == T_USER_OBJ ? "user"
			      : e->tag == T_MASK ? "mask"
			      : e->tag == T_OTHER ? "other" : "group",
			      q, perm);
		json_object_array_add(a, json_object_new_string(s));
		free(s);
	}
	return a;
}

static const char *verdict_name(enum verdict v)
{
	return v == V_ALLOWED ? "yes" : v == V_DENIED ? "no" : "unknown";
}

static json_object *socket_json(const struct pool_view *pv, struct accounts *acc)
{
	json_object *s = json_object_new_object();
	const struct socket_probe *p = &pv->probe;

	json_object_object_add(s, "path", json_object_new_string(p->path));
	json_object_object_add(s, "exists", json_object_new_boolean(p->state == PROBE_SOCKET));
	if (p->canonical && strcmp(p->canonical, p->path) != 0)
		json_object_object_add(s, "canonical", json_object_new_string(p->canonical));
	if (p->state == PROBE_SOCKET) {
		json_object_object_add(s, "owner", json_object_new_string(accounts_user_name(acc, p->sock.uid)));
		json_object_object_add(s, "group", json_object_new_string(accounts_group_name(acc, p->sock.gid)));
		json_object_object_add(s, "mode", mode_json(p->sock.mode));
		json_object_object_add(s, "acl", acl_json(&p->sock, acc));
		json_object_object_add(s, "matches_config", json_object_new_boolean(!pv->live_differs));
	} else if (p->state == PROBE_NOT_SOCKET) {
		json_object_object_add(s, "error", json_object_new_string(
			p->found_type == S_IFLNK ? "a symlink, not a socket"
						 : "not a socket"));
	} else if (p->state == PROBE_ERROR) {
		json_object_object_add(s, "error", json_object_new_string(strerror(p->err)));
	}
	return s;
}

static json_object *client_json(const struct pool_view *pv, const struct pool_client *pc,
				struct accounts *acc)
{
	json_object *c = json_object_new_object();
	int can;

	json_object_object_add(c, "user", json_object_new_string(pc->client->user));
	json_object_object_add(c, "source", json_object_new_string(pc->client->source));
	if (pc->user == NULL) {
		json_object_object_add(c, "can_connect", NULL);
		json_object_object_add(c, "error", json_object_new_string("no such user"));
		return c;
	}
	/* can_connect: now if the socket is live, else at the next start. */
	if (pc->now != V_UNKNOWN)
		can = pc->now == V_ALLOWED && pc->proof != PROVE_DENIED;
	else
		can = pc->next == V_ALLOWED;
	json_object_object_add(c, "can_connect",
			       pc->now == V_UNKNOWN && pc->next == V_UNKNOWN
				       ? NULL : json_object_new_boolean(can));
	json_object_object_add(c, "now", json_object_new_string(verdict_name(pc->now)));
	json_object_object_add(c, "next_start", json_object_new_string(verdict_name(pc->next)));
	json_object_object_add(c, "proof", json_object_new_string(
		pc->proof == PROVE_SKIPPED ? "skipped" :
		pc->proof == PROVE_OK ? "connected" :
		pc->proof == PROVE_REFUSED ? "refused" :
		pc->proof == PROVE_DENIED ? "denied" :
		pc->proof == PROVE_ABSENT ? "absent" : "error"));
	/* A proof the client stopped, or a path that changed under it, says
	 * nothing about the permission: named, never a disagreement. */
	if (prove_result_lost(pc->proof) || pc->proof == PROVE_CHANGED)
		json_object_object_add(c, "proof_error", json_object_new_string(
			prove_result_name(pc->proof)));
	else if (pc->proof != PROVE_SKIPPED && pc->now != V_UNKNOWN &&
	    prove_result_permits(pc->proof) != (pc->now == V_ALLOWED) &&
	    pc->proof != PROVE_ABSENT && pc->proof != PROVE_OTHER)
		json_object_object_add(c, "disagreement", json_object_new_string(
			"computed verdict and real connect() differ"));
	if (pc->now == V_DENIED || pc->next == V_DENIED) {
		char *r = host_denied_reason(pv, pc, pc->now != V_DENIED, acc);
		json_object_object_add(c, "reason", json_object_new_string(r));
		free(r);
	}
	return c;
}

/* One web server directive: where it is and which site it serves. */
static json_object *use_json(const struct ws_use *u)
{
	json_object *o = json_object_new_object();

	json_object_object_add(o, "server", json_object_new_string(ws_kind_name(u->server)));
	json_object_object_add(o, "socket", json_object_new_string(u->socket));
	json_object_object_add(o, "directive", json_object_new_string(u->directive));
	json_object_object_add(o, "file", json_object_new_string(u->file));
	json_object_object_add(o, "line", json_object_new_int(u->line));
	json_object_object_add(o, "vhost", u->vhost_file ? json_object_new_string(u->vhost) : NULL);
	json_object_object_add(o, "vhost_file", str_or_null(u->vhost_file));
	json_object_object_add(o, "vhost_line", u->vhost_file ? json_object_new_int(u->vhost_line)
							  : NULL);
	return o;
}

/* "used_by": the directives that reach this pool, each with its user. */
static json_object *used_by_json(const struct pool_view *pv)
{
	json_object *a = json_object_new_array();
	size_t i;

	for (i = 0; i < pv->ncons; i++) {
		json_object *o = use_json(pv->cons[i].use);
		json_object_object_add(o, "user", str_or_null(pv->cons[i].server->user));
		json_object_array_add(a, o);
	}
	return a;
}

/* "web_servers": each server found, what it was read with, its uses and
 * whether a pool listens where each one points. */
static json_object *servers_json(const struct host_view *h)
{
	json_object *a = json_object_new_array();
	size_t i, k;

	for (i = 0; i < WS_NKINDS; i++) {
		const struct ws_server *s = &h->ws.srv[i];
		json_object *o, *files, *notes, *uses;
		if (!s->present)
			continue;
		o = json_object_new_object();
		files = json_object_new_array();
		notes = json_object_new_array();
		uses = json_object_new_array();
		json_object_object_add(o, "server", json_object_new_string(ws_kind_name((enum ws_kind)i)));
		json_object_object_add(o, "config", str_or_null(s->config));
		json_object_object_add(o, "user", str_or_null(s->user));
		json_object_object_add(o, "user_source", str_or_null(s->user_source));
		json_object_object_add(o, "read_by", json_object_new_string(s->read_by));
		for (k = 0; k < s->nfiles; k++)
			json_object_array_add(files, json_object_new_string(s->files[k]));
		for (k = 0; k < s->nnotes; k++)
			json_object_array_add(notes, json_object_new_string(s->notes[k]));
		/* Its errors are in the top-level "errors", with "server". */
		for (k = 0; k < h->ncons; k++) {
			const struct consumer *c = &h->cons[k];
			json_object *u;
			if (c->use->server != (enum ws_kind)i)
				continue;
			u = use_json(c->use);
			json_object_object_add(u, "instance", c->iv ? json_object_new_string(c->iv->loc.config) : NULL);
			json_object_object_add(u, "pool", c->pv ? json_object_new_string(c->pv->pool->name) : NULL);
			json_object_object_add(u, "target", json_object_new_string(
				c->pv ? "pool" : c->other_socket ? "other-socket" : "missing"));
			json_object_array_add(uses, u);
		}
		json_object_object_add(o, "files", files);
		json_object_object_add(o, "notes", notes);
		json_object_object_add(o, "uses", uses);
		json_object_array_add(a, o);
	}
	return a;
}

static json_object *pool_json(const struct host_view *h, const struct pool_view *pv,
			      struct accounts *acc)
{
	const struct fpm_pool *p = pv->pool;
	const struct effective *e = &pv->eff;
	json_object *o = json_object_new_object(), *eff, *src, *arr;
	size_t i;
	int k;

	json_object_object_add(o, "name", json_object_new_string(p->name));
	json_object_object_add(o, "file", json_object_new_string(p->file));
	json_object_object_add(o, "line", json_object_new_int(p->line));
	for (k = 0; k < K_NKEYS; k++)
		if (k != K_PREFIX)
			json_object_object_add(o, fpm_key_names[k], str_or_null(p->set[k].value));
	src = json_object_new_object();
	for (k = 0; k < K_NKEYS; k++)
		json_object_object_add(src, fpm_key_names[k], where_json(&p->set[k]));
	json_object_object_add(o, "sources", src);
	json_object_object_add(o, "listen_type", json_object_new_string(e->is_unix ? "unix" : "tcp"));
	if (e->is_unix) {
		eff = json_object_new_object();
		if (e->nerrors == 0) {
			json_object_object_add(eff, "owner", json_object_new_string(accounts_user_name(acc, e->uid)));
			json_object_object_add(eff, "group", json_object_new_string(accounts_group_name(acc, e->gid)));
			json_object_object_add(eff, "mode", mode_json(e->mode));
		} else {
			json_object_object_add(eff, "owner", NULL);
			json_object_object_add(eff, "group", NULL);
			json_object_object_add(eff, "mode", mode_json(e->mode));
		}
		json_object_object_add(eff, "acl_users", names_json(e->acl_users, e->nacl_users));
		json_object_object_add(eff, "acl_groups", names_json(e->acl_groups, e->nacl_groups));
		json_object_object_add(eff, "owner_from", json_object_new_string(e->owner_from));
		json_object_object_add(eff, "group_from", json_object_new_string(e->group_from));
		json_object_object_add(eff, "mode_from", json_object_new_string(e->mode_from));
		arr = json_object_new_array();
		for (i = 0; i < e->nnotes; i++)
			json_object_array_add(arr, json_object_new_string(e->notes[i]));
		json_object_object_add(eff, "notes", arr);
		json_object_object_add(o, "effective", eff);
		json_object_object_add(o, "socket", socket_json(pv, acc));
		arr = json_object_new_array();
		for (i = 0; i < pv->nclients; i++)
			json_object_array_add(arr, client_json(pv, &pv->clients[i], acc));
		json_object_object_add(o, "clients", arr);
		json_object_object_add(o, "used_by", used_by_json(pv));
		json_object_object_add(o, "used_by_web_server", h->any_server
				       ? json_object_new_boolean(pv->ncons > 0) : NULL);
	} else {
		json_object_object_add(o, "effective", NULL);
		json_object_object_add(o, "socket", NULL);
		json_object_object_add(o, "clients", json_object_new_array());
		json_object_object_add(o, "used_by", json_object_new_array());
		json_object_object_add(o, "used_by_web_server", NULL);
	}
	return o;
}

static json_object *add_error(json_object *arr, const char *instance, const char *file,
			      int line, const char *msg)
{
	json_object *e = json_object_new_object();

	json_object_object_add(e, "instance", str_or_null(instance));
	json_object_object_add(e, "file", str_or_null(file));
	json_object_object_add(e, "line", line > 0 ? json_object_new_int(line) : NULL);
	json_object_object_add(e, "message", json_object_new_string(msg));
	json_object_array_add(arr, e);
	return e;
}

/* A web server's errors: its "server" says whose (the instance is null). */
static void add_server_errors(json_object *arr, const struct host_view *h)
{
	size_t i, k;

	for (i = 0; i < WS_NKINDS; i++)
		for (k = 0; k < h->ws.srv[i].nerrors; k++) {
			const struct ws_error *we = &h->ws.srv[i].errors[k];
			json_object_object_add(add_error(arr, NULL, we->file, we->line, we->msg),
					       "server", json_object_new_string(
						       ws_kind_name((enum ws_kind)i)));
		}
}

static const char *problem_kind_name(enum problem_kind k)
{
	switch (k) {
	case PR_DENIED_NOW: return "client-denied";
	case PR_DENIED_NEXT: return "client-denied-after-restart";
	case PR_NOT_SOCKET: return "not-a-socket";
	case PR_WORLD_ACCESS: return "world-accessible";
	case PR_SERVER_SOCKET_MISSING: return "server-socket-missing";
	case PR_LISTEN_CONFLICT: return "listen-conflict";
	default: return "client-user-missing";
	}
}

/* A server directive that reaches no pool, as a problem. */
static json_object *server_problem_json(const struct problem *p)
{
	const struct consumer *c = p->cons;
	json_object *o = json_object_new_object();
	char *r = xasprintf("%s %s sends requests to %s, where no PHP-FPM pool listens",
			    ws_kind_name(c->use->server), c->use->directive, c->use->socket);

	json_object_object_add(o, "kind", json_object_new_string(problem_kind_name(p->kind)));
	json_object_object_add(o, "severity", json_object_new_string("error"));
	json_object_object_add(o, "instance", NULL);
	json_object_object_add(o, "pool", NULL);
	json_object_object_add(o, "file", json_object_new_string(c->use->file));
	json_object_object_add(o, "line", json_object_new_int(c->use->line));
	json_object_object_add(o, "user", str_or_null(c->server->user));
	json_object_object_add(o, "reason", json_object_new_string(r));
	json_object_object_add(o, "fix_lines", json_object_new_array());
	json_object_object_add(o, "server", json_object_new_string(ws_kind_name(c->use->server)));
	json_object_object_add(o, "socket", json_object_new_string(c->use->socket));
	json_object_object_add(o, "vhost", c->use->vhost_file ? json_object_new_string(c->use->vhost) : NULL);
	free(r);
	return o;
}

static json_object *clients_json(const struct host_view *h)
{
	json_object *cl = json_object_new_array();
	size_t i;

	for (i = 0; i < h->clients.n; i++) {
		json_object *c = json_object_new_object();
		json_object_object_add(c, "user", json_object_new_string(h->clients.v[i].user));
		json_object_object_add(c, "source", json_object_new_string(h->clients.v[i].source));
		json_object_array_add(cl, c);
	}
	return cl;
}

static json_object *strings_json(char *const *v, size_t n)
{
	json_object *a = json_object_new_array();
	size_t i;

	for (i = 0; i < n; i++)
		json_object_array_add(a, json_object_new_string(v[i]));
	return a;
}

static json_object *instance_json(struct host_view *h, struct instance_view *iv)
{
	json_object *o = json_object_new_object(), *pools = json_object_new_array();
	size_t j;

	json_object_object_add(o, "config", json_object_new_string(iv->loc.config));
	json_object_object_add(o, "binary", str_or_null(iv->loc.binary));
	json_object_object_add(o, "package", str_or_null(iv->loc.package));
	json_object_object_add(o, "version", str_or_null(iv->version));
	json_object_object_add(o, "package_version", str_or_null(iv->package_version));
	json_object_object_add(o, "default_mode", mode_json(iv->build.default_mode));
	json_object_object_add(o, "fpm_test", iv->fpm_test < 0 ? NULL
				: json_object_new_boolean(iv->fpm_test));
	json_object_object_add(o, "files", strings_json(iv->conf.files, iv->conf.nfiles));
	json_object_object_add(o, "notes", strings_json(iv->notes, iv->nnotes));
	for (j = 0; j < iv->npools; j++)
		json_object_array_add(pools, pool_json(h, &iv->pools[j], h->acc));
	json_object_object_add(o, "pools", pools);
	return o;
}

/* The instance's config errors, its pools' effective-value errors and a
 * php-fpm -t refusal, each one entry of "errors". */
static void instance_errors(json_object *errs, const struct instance_view *iv)
{
	size_t j, k;

	for (j = 0; j < iv->conf.nerrors; j++)
		add_error(errs, iv->loc.config, iv->conf.errors[j].file,
			  iv->conf.errors[j].line, iv->conf.errors[j].msg);
	for (j = 0; j < iv->npools; j++)
		for (k = 0; k < iv->pools[j].eff.nerrors; k++)
			add_error(errs, iv->loc.config, NULL, 0, iv->pools[j].eff.errors[k]);
	if (iv->fpm_test == 0) {
		char *m = xasprintf("%s -t refuses the configuration%s%s",
				    iv->loc.binary,
				    iv->fpm_test_msgs && *iv->fpm_test_msgs ? ": " : "",
				    iv->fpm_test_msgs ? iv->fpm_test_msgs : "");
		add_error(errs, iv->loc.config, iv->loc.config, 0, m);
		free(m);
	}
}

/* listen-conflict: the pool that holds the path first. */
static void conflict_json(json_object *o, const struct problem *p)
{
	const struct fpm_pool *q = p->other_pv->pool;
	const struct fpm_setting *l = &q->set[K_LISTEN];

	json_object_object_add(o, "socket", json_object_new_string(host_listen_path(p->pv)));
	json_object_object_add(o, "other_instance",
			       json_object_new_string(p->other_inst->loc.config));
	json_object_object_add(o, "other_pool", json_object_new_string(q->name));
	json_object_object_add(o, "other_file", json_object_new_string(l->file ? l->file : q->file));
	json_object_object_add(o, "other_line", json_object_new_int(l->file ? l->line : q->line));
}

static json_object *pool_problem_json(const struct host_view *h, const struct problem *p)
{
	json_object *o = json_object_new_object(), *fx = json_object_new_array();
	const struct fpm_pool *pool = p->pv->pool;
	int at_listen = pool->set[K_LISTEN].file != NULL;
	char *lines[4];
	size_t n = 0, k;

	json_object_object_add(o, "kind", json_object_new_string(problem_kind_name(p->kind)));
	json_object_object_add(o, "severity", json_object_new_string(p->is_error ? "error" : "warning"));
	json_object_object_add(o, "instance", json_object_new_string(p->inst->loc.config));
	json_object_object_add(o, "pool", json_object_new_string(pool->name));
	json_object_object_add(o, "file", json_object_new_string(
		at_listen ? pool->set[K_LISTEN].file : pool->file));
	json_object_object_add(o, "line", json_object_new_int(
		at_listen ? pool->set[K_LISTEN].line : pool->line));
	json_object_object_add(o, "user", p->pc ? json_object_new_string(p->pc->client->user) : NULL);
	if (p->kind == PR_DENIED_NOW || p->kind == PR_DENIED_NEXT) {
		char *r = host_denied_reason(p->pv, p->pc, p->kind == PR_DENIED_NEXT, h->acc);
		json_object_object_add(o, "reason", json_object_new_string(r));
		free(r);
		n = host_fix_lines(p->pv, h->acc, lines);
	}
	for (k = 0; k < n; k++) {
		json_object_array_add(fx, json_object_new_string(lines[k]));
		free(lines[k]);
	}
	json_object_object_add(o, "fix_lines", fx);
	if (p->kind == PR_LISTEN_CONFLICT)
		conflict_json(o, p);
	return o;
}

static json_object *problems_json(const struct host_view *h, const struct problem_list *pl)
{
	json_object *pr = json_object_new_array();
	size_t i;

	for (i = 0; i < pl->n; i++)
		json_object_array_add(pr, pl->v[i].kind == PR_SERVER_SOCKET_MISSING
				      ? server_problem_json(&pl->v[i])
				      : pool_problem_json(h, &pl->v[i]));
	return pr;
}

void report_json(FILE *f, struct host_view *h, const struct problem_list *pl,
		 int with_problems)
{
	json_object *root = json_object_new_object(), *insts = json_object_new_array();
	json_object *errs = json_object_new_array();
	size_t i;

	json_object_object_add(root, "schema", json_object_new_int(PFG_JSON_SCHEMA));
	json_object_object_add(root, "root", json_object_new_string(h->root.path));
	json_object_object_add(root, "clients", clients_json(h));
	for (i = 0; i < h->ninst; i++) {
		json_object_array_add(insts, instance_json(h, &h->inst[i]));
		instance_errors(errs, &h->inst[i]);
	}
	json_object_object_add(root, "instances", insts);
	add_server_errors(errs, h);
	json_object_object_add(root, "web_servers", servers_json(h));
	json_object_object_add(root, "serving", report_serving_json(h));
	json_object_object_add(root, "dpkg_status_error", str_or_null(h->pkgs.error));
	json_object_object_add(root, "errors", errs);
	if (with_problems)
		json_object_object_add(root, "problems", problems_json(h, pl));
	fputs(json_object_to_json_string_ext(root, JSON_C_TO_STRING_PRETTY |
					       JSON_C_TO_STRING_NOSLASHESCAPE), f);
	fputc('\n', f);
	json_object_put(root);
}
