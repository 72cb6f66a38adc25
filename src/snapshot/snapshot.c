#include "snapshot.h"
#include "../util/guard_version.h"
#include "../util/xalloc.h"

#include <errno.h>
#include <fcntl.h>
#include <json-c/json.h>
#include <limits.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#define SNAPSHOT_KIND "php-fpm-guard-snapshot"

static char *xstrdup_or_null(const char *s)
{
	return s ? xstrdup(s) : NULL;
}

static void push_str(char ***arr, size_t *n, char *s)
{
	*arr = xreallocarray(*arr, *n + 1, sizeof **arr);
	(*arr)[(*n)++] = s;
}

/* ---- from the host ---- */

static char *acl_entry_text(const struct acl_ent *e, struct accounts *acc)
{
	const char *q = "";
	char perm[4] = { e->perm & 4 ? 'r' : '-', e->perm & 2 ? 'w' : '-',
			 e->perm & 1 ? 'x' : '-', '\0' };

	if (e->tag == T_USER)
		q = accounts_user_name(acc, (uid_t)e->id);
	else if (e->tag == T_GROUP)
		q = accounts_group_name(acc, (gid_t)e->id);
	return xasprintf("%s:%s:%s",
			 e->tag == T_USER || e->tag == T_USER_OBJ ? "user"
			 : e->tag == T_MASK ? "mask"
			 : e->tag == T_OTHER ? "other" : "group", q, perm);
}

static void perm_from_obj(struct snap_perm *p, const struct fsobj *o,
			  struct accounts *acc)
{
	size_t i;

	p->owner = xstrdup(accounts_user_name(acc, o->uid));
	p->group = xstrdup(accounts_group_name(acc, o->gid));
	p->uid = (long)o->uid;
	p->gid = (long)o->gid;
	p->mode = (unsigned)(o->mode & 07777);
	for (i = 0; i < o->nacl; i++)
		push_str(&p->acl, &p->nacl, acl_entry_text(&o->acl[i], acc));
}

static void pool_from_view(struct snap_pool *sp, const struct pool_view *pv,
			   struct accounts *acc)
{
	const struct fpm_pool *p = pv->pool;
	size_t i;
	int k;

	sp->name = xstrdup(p->name);
	sp->file = xstrdup(p->file);
	sp->line = p->line;
	for (k = 0; k < K_NKEYS; k++) {
		sp->set[k].value = xstrdup_or_null(p->set[k].value);
		sp->set[k].file = xstrdup_or_null(p->set[k].value ? p->set[k].file : NULL);
		sp->set[k].line = p->set[k].value ? p->set[k].line : 0;
	}
	sp->is_unix = pv->eff.is_unix;
	sp->sock_state = pv->probe.state;
	if (!sp->is_unix)
		return;
	sp->eff_valid = pv->eff.nerrors == 0;
	if (sp->eff_valid)
		perm_from_obj(&sp->eff, &pv->eff.obj, acc);
	for (i = 0; i < pv->eff.nerrors; i++)
		push_str(&sp->eff_errors, &sp->neff_errors, xstrdup(pv->eff.errors[i]));
	if (pv->probe.state == PROBE_SOCKET)
		perm_from_obj(&sp->sock, &pv->probe.sock, acc);
	sp->nclients = pv->nclients;
	sp->clients = xcalloc(pv->nclients, sizeof *sp->clients);
	for (i = 0; i < pv->nclients; i++) {
		const struct pool_client *pc = &pv->clients[i];
		sp->clients[i].user = xstrdup(pc->client->user);
		/* A real connect() that was refused for permission outranks
		 * the computed verdict. */
		sp->clients[i].now = pc->proof == PROVE_DENIED ? V_DENIED : pc->now;
		sp->clients[i].next = pc->next;
	}
}

void snapshot_from_host(struct snapshot *s, struct host_view *h,
			const char *phase)
{
	size_t i, j;

	memset(s, 0, sizeof *s);
	s->phase = xstrdup(phase);
	s->guard_version = xstrdup(PFG_VERSION);
	s->boot_id = snapshot_boot_id();
	s->created = (long long)time(NULL);
	s->root = xstrdup(h->root.path);
	s->ninst = h->ninst;
	s->inst = xcalloc(h->ninst, sizeof *s->inst);
	for (i = 0; i < h->ninst; i++) {
		const struct instance_view *iv = &h->inst[i];
		struct snap_instance *si = &s->inst[i];
		si->config = xstrdup(iv->loc.config);
		si->binary = xstrdup_or_null(iv->loc.binary);
		si->package = xstrdup_or_null(iv->loc.package);
		si->version = xstrdup_or_null(iv->version);
		si->package_version = xstrdup_or_null(iv->package_version);
		si->default_mode = (unsigned)iv->build.default_mode;
		si->fpm_test = iv->fpm_test;
		si->fpm_test_msgs = xstrdup_or_null(iv->fpm_test_msgs);
		si->running = iv->running;
		for (j = 0; j < iv->conf.nerrors; j++) {
			const struct fpm_error *e = &iv->conf.errors[j];
			push_str(&si->config_errors, &si->nconfig_errors,
				 xasprintf("%s:%d: %s", e->file ? e->file : iv->loc.config,
					   e->line, e->msg));
		}
		si->npools = iv->npools;
		si->pools = xcalloc(iv->npools, sizeof *si->pools);
		for (j = 0; j < iv->npools; j++)
			pool_from_view(&si->pools[j], &iv->pools[j], h->acc);
	}
}

/* ---- to JSON ---- */

static json_object *jstr(const char *s)
{
	return s ? json_object_new_string(s) : NULL;
}

static json_object *jverdict(int v)
{
	return json_object_new_string(v == V_ALLOWED ? "yes" : v == V_DENIED ? "no" : "unknown");
}

static json_object *jtristate(int v)
{
	return v < 0 ? NULL : json_object_new_boolean(v);
}

static json_object *jstrings(char *const *v, size_t n)
{
	json_object *a = json_object_new_array();
	size_t i;

	for (i = 0; i < n; i++)
		json_object_array_add(a, json_object_new_string(v[i]));
	return a;
}

static json_object *jmode(unsigned m)
{
	char b[8];

	snprintf(b, sizeof b, "%04o", m & 07777);
	return json_object_new_string(b);
}

static json_object *jperm(const struct snap_perm *p)
{
	json_object *o = json_object_new_object();

	json_object_object_add(o, "owner", jstr(p->owner));
	json_object_object_add(o, "group", jstr(p->group));
	json_object_object_add(o, "uid", json_object_new_int64(p->uid));
	json_object_object_add(o, "gid", json_object_new_int64(p->gid));
	json_object_object_add(o, "mode", jmode(p->mode));
	json_object_object_add(o, "acl", jstrings(p->acl, p->nacl));
	return o;
}

static const char *const sock_state_names[] = {
	"none", "socket", "absent", "not-socket", "error"
};

static json_object *jpool(const struct snap_pool *p)
{
	json_object *o = json_object_new_object(), *d = json_object_new_object();
	json_object *cl = json_object_new_array();
	size_t i;
	int k;

	json_object_object_add(o, "name", json_object_new_string(p->name));
	json_object_object_add(o, "file", json_object_new_string(p->file));
	json_object_object_add(o, "line", json_object_new_int(p->line));
	for (k = 0; k < K_NKEYS; k++) {
		json_object *s = NULL;
		if (p->set[k].value) {
			s = json_object_new_object();
			json_object_object_add(s, "value", json_object_new_string(p->set[k].value));
			json_object_object_add(s, "file", jstr(p->set[k].file));
			json_object_object_add(s, "line", json_object_new_int(p->set[k].line));
		}
		json_object_object_add(d, fpm_key_names[k], s);
	}
	json_object_object_add(o, "declared", d);
	json_object_object_add(o, "unix", json_object_new_boolean(p->is_unix));
	json_object_object_add(o, "effective", p->is_unix && p->eff_valid ? jperm(&p->eff) : NULL);
	json_object_object_add(o, "effective_errors", jstrings(p->eff_errors, p->neff_errors));
	json_object_object_add(o, "socket_state", json_object_new_string(sock_state_names[p->sock_state]));
	json_object_object_add(o, "socket", p->sock_state == PROBE_SOCKET ? jperm(&p->sock) : NULL);
	for (i = 0; i < p->nclients; i++) {
		json_object *c = json_object_new_object();
		json_object_object_add(c, "user", json_object_new_string(p->clients[i].user));
		json_object_object_add(c, "now", jverdict(p->clients[i].now));
		json_object_object_add(c, "next", jverdict(p->clients[i].next));
		json_object_array_add(cl, c);
	}
	json_object_object_add(o, "clients", cl);
	return o;
}

char *snapshot_to_json(const struct snapshot *s)
{
	json_object *root = json_object_new_object(), *insts = json_object_new_array();
	size_t i, j;
	char *out;

	json_object_object_add(root, "kind", json_object_new_string(SNAPSHOT_KIND));
	json_object_object_add(root, "schema", json_object_new_int(SNAPSHOT_SCHEMA));
	json_object_object_add(root, "phase", json_object_new_string(s->phase));
	json_object_object_add(root, "guard_version", json_object_new_string(s->guard_version));
	json_object_object_add(root, "boot_id", jstr(s->boot_id));
	json_object_object_add(root, "created", json_object_new_int64(s->created));
	json_object_object_add(root, "root", json_object_new_string(s->root));
	for (i = 0; i < s->ninst; i++) {
		const struct snap_instance *si = &s->inst[i];
		json_object *o = json_object_new_object(), *pools = json_object_new_array();
		json_object_object_add(o, "config", json_object_new_string(si->config));
		json_object_object_add(o, "binary", jstr(si->binary));
		json_object_object_add(o, "package", jstr(si->package));
		json_object_object_add(o, "version", jstr(si->version));
		json_object_object_add(o, "package_version", jstr(si->package_version));
		json_object_object_add(o, "default_mode", jmode(si->default_mode));
		json_object_object_add(o, "fpm_test", jtristate(si->fpm_test));
		json_object_object_add(o, "fpm_test_messages", jstr(si->fpm_test_msgs));
		json_object_object_add(o, "running", jtristate(si->running));
		json_object_object_add(o, "config_errors", jstrings(si->config_errors, si->nconfig_errors));
		for (j = 0; j < si->npools; j++)
			json_object_array_add(pools, jpool(&si->pools[j]));
		json_object_object_add(o, "pools", pools);
		json_object_array_add(insts, o);
	}
	json_object_object_add(root, "instances", insts);
	out = xstrdup(json_object_to_json_string_ext(root, JSON_C_TO_STRING_PRETTY |
						     JSON_C_TO_STRING_NOSLASHESCAPE));
	json_object_put(root);
	return out;
}

/* ---- from JSON: every field checked, the first fault named ---- */

struct rd {
	char *err;		/* first fault */
	char path[256];		/* where we are, for the message */
};

static int rd_fail(struct rd *r, const char *key, const char *what)
{
	if (r->err == NULL)
		r->err = xasprintf("%s%s%s: %s", r->path, *r->path ? "." : "", key, what);
	return -1;
}

static json_object *rd_field(struct rd *r, json_object *o, const char *key,
			     json_type want, int nullable)
{
	json_object *v;

	if (r->err)
		return NULL;
	if (!json_object_object_get_ex(o, key, &v)) {
		rd_fail(r, key, "missing");
		return NULL;
	}
	if (v == NULL) {
		if (!nullable)
			rd_fail(r, key, "must not be null");
		return NULL;
	}
	if (!json_object_is_type(v, want)) {
		rd_fail(r, key, "wrong type");
		return NULL;
	}
	return v;
}

static char *rd_str(struct rd *r, json_object *o, const char *key, int nullable)
{
	json_object *v = rd_field(r, o, key, json_type_string, nullable);
	const char *s;

	if (v == NULL)
		return NULL;
	s = json_object_get_string(v);
	if (strlen(s) != (size_t)json_object_get_string_len(v)) {
		rd_fail(r, key, "contains a NUL byte");
		return NULL;
	}
	return xstrdup(s);
}

static long long rd_int(struct rd *r, json_object *o, const char *key,
			long long lo, long long hi)
{
	json_object *v = rd_field(r, o, key, json_type_int, 0);
	long long n;

	if (v == NULL)
		return lo;
	errno = 0;
	n = json_object_get_int64(v);
	if (errno != 0 || n < lo || n > hi) {
		rd_fail(r, key, "out of range");
		return lo;
	}
	return n;
}

static int rd_tristate(struct rd *r, json_object *o, const char *key)
{
	json_object *v = rd_field(r, o, key, json_type_boolean, 1);

	return v == NULL ? -1 : json_object_get_boolean(v) != 0;
}

static unsigned rd_mode(struct rd *r, json_object *o, const char *key)
{
	char *s = rd_str(r, o, key, 0), *end;
	unsigned long m = 0;

	if (s == NULL)
		return 0;
	errno = 0;
	m = strtoul(s, &end, 8);
	if (*s == '\0' || *end != '\0' || errno != 0 || m > 07777)
		rd_fail(r, key, "not an octal mode");
	free(s);
	return (unsigned)m;
}

static int rd_verdict(struct rd *r, json_object *o, const char *key)
{
	char *s = rd_str(r, o, key, 0);
	int v = V_UNKNOWN;

	if (s == NULL)
		return v;
	if (strcmp(s, "yes") == 0)
		v = V_ALLOWED;
	else if (strcmp(s, "no") == 0)
		v = V_DENIED;
	else if (strcmp(s, "unknown") != 0)
		rd_fail(r, key, "not yes/no/unknown");
	free(s);
	return v;
}

static void rd_strings(struct rd *r, json_object *o, const char *key,
		       char ***out, size_t *n)
{
	json_object *a = rd_field(r, o, key, json_type_array, 0);
	size_t i, len;

	if (a == NULL)
		return;
	len = json_object_array_length(a);
	for (i = 0; i < len && r->err == NULL; i++) {
		json_object *e = json_object_array_get_idx(a, i);
		if (e == NULL || !json_object_is_type(e, json_type_string)) {
			rd_fail(r, key, "element is not a string");
			return;
		}
		if (strlen(json_object_get_string(e)) != (size_t)json_object_get_string_len(e)) {
			rd_fail(r, key, "contains a NUL byte");
			return;
		}
		push_str(out, n, xstrdup(json_object_get_string(e)));
	}
}

/* Descend into a named child for error messages; returns the old length. */
static size_t rd_enter(struct rd *r, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
static size_t rd_enter(struct rd *r, const char *fmt, ...)
{
	size_t old = strlen(r->path);
	va_list ap;

	if (old + 1 < sizeof r->path) {
		if (old)
			r->path[old] = '.';
		va_start(ap, fmt);
		vsnprintf(r->path + old + (old ? 1 : 0),
			  sizeof r->path - old - (old ? 1 : 0), fmt, ap);
		va_end(ap);
	}
	return old;
}

static void rd_leave(struct rd *r, size_t old)
{
	r->path[old] = '\0';
}

static void rd_perm(struct rd *r, json_object *o, struct snap_perm *p)
{
	p->owner = rd_str(r, o, "owner", 0);
	p->group = rd_str(r, o, "group", 0);
	p->uid = (long)rd_int(r, o, "uid", 0, UINT_MAX);
	p->gid = (long)rd_int(r, o, "gid", 0, UINT_MAX);
	p->mode = rd_mode(r, o, "mode");
	rd_strings(r, o, "acl", &p->acl, &p->nacl);
}

static int sock_state_from_name(const char *s)
{
	size_t i;

	for (i = 0; i < sizeof sock_state_names / sizeof *sock_state_names; i++)
		if (strcmp(s, sock_state_names[i]) == 0)
			return (int)i;
	return -1;
}

static void rd_pool(struct rd *r, json_object *o, struct snap_pool *p)
{
	json_object *d, *v, *a;
	char *st;
	size_t i, n;
	int k;

	p->name = rd_str(r, o, "name", 0);
	p->file = rd_str(r, o, "file", 0);
	p->line = (int)rd_int(r, o, "line", 0, INT_MAX);
	d = rd_field(r, o, "declared", json_type_object, 0);
	for (k = 0; k < K_NKEYS && d; k++) {
		size_t old = rd_enter(r, "declared");
		v = rd_field(r, d, fpm_key_names[k], json_type_object, 1);
		if (v) {
			size_t old2 = rd_enter(r, "%s", fpm_key_names[k]);
			p->set[k].value = rd_str(r, v, "value", 0);
			p->set[k].file = rd_str(r, v, "file", 1);
			p->set[k].line = (int)rd_int(r, v, "line", 0, INT_MAX);
			rd_leave(r, old2);
		}
		rd_leave(r, old);
	}
	v = rd_field(r, o, "unix", json_type_boolean, 0);
	p->is_unix = v && json_object_get_boolean(v);
	v = rd_field(r, o, "effective", json_type_object, 1);
	p->eff_valid = v != NULL;
	if (v) {
		size_t old = rd_enter(r, "effective");
		rd_perm(r, v, &p->eff);
		rd_leave(r, old);
	}
	rd_strings(r, o, "effective_errors", &p->eff_errors, &p->neff_errors);
	st = rd_str(r, o, "socket_state", 0);
	if (st && (p->sock_state = sock_state_from_name(st)) < 0)
		rd_fail(r, "socket_state", "unknown state");
	free(st);
	v = rd_field(r, o, "socket", json_type_object, 1);
	if (v) {
		size_t old = rd_enter(r, "socket");
		rd_perm(r, v, &p->sock);
		rd_leave(r, old);
	}
	if (r->err == NULL && (p->sock_state == PROBE_SOCKET) != (v != NULL))
		rd_fail(r, "socket", "disagrees with socket_state");
	a = rd_field(r, o, "clients", json_type_array, 0);
	n = a ? json_object_array_length(a) : 0;
	p->clients = xcalloc(n, sizeof *p->clients);
	for (i = 0; i < n && r->err == NULL; i++) {
		json_object *c = json_object_array_get_idx(a, i);
		size_t old = rd_enter(r, "clients[%zu]", i);
		if (c == NULL || !json_object_is_type(c, json_type_object)) {
			rd_fail(r, "client", "not an object");
		} else {
			p->clients[i].user = rd_str(r, c, "user", 0);
			p->clients[i].now = rd_verdict(r, c, "now");
			p->clients[i].next = rd_verdict(r, c, "next");
			p->nclients = i + 1;
		}
		rd_leave(r, old);
	}
}

static void rd_instance(struct rd *r, json_object *o, struct snap_instance *si)
{
	json_object *a;
	size_t i, n;

	si->config = rd_str(r, o, "config", 0);
	si->binary = rd_str(r, o, "binary", 1);
	si->package = rd_str(r, o, "package", 1);
	si->version = rd_str(r, o, "version", 1);
	si->package_version = rd_str(r, o, "package_version", 1);
	si->default_mode = rd_mode(r, o, "default_mode");
	si->fpm_test = rd_tristate(r, o, "fpm_test");
	si->fpm_test_msgs = rd_str(r, o, "fpm_test_messages", 1);
	si->running = rd_tristate(r, o, "running");
	rd_strings(r, o, "config_errors", &si->config_errors, &si->nconfig_errors);
	a = rd_field(r, o, "pools", json_type_array, 0);
	n = a ? json_object_array_length(a) : 0;
	si->pools = xcalloc(n, sizeof *si->pools);
	for (i = 0; i < n && r->err == NULL; i++) {
		json_object *p = json_object_array_get_idx(a, i);
		size_t old = rd_enter(r, "pools[%zu]", i);
		si->npools = i + 1;
		if (p == NULL || !json_object_is_type(p, json_type_object))
			rd_fail(r, "pool", "not an object");
		else
			rd_pool(r, p, &si->pools[i]);
		rd_leave(r, old);
	}
}

int snapshot_parse(const char *buf, size_t len, struct snapshot *s, char **err)
{
	struct json_tokener *tok;
	json_object *root, *a;
	struct rd r;
	char *kind;
	size_t i, n;
	long long schema;

	memset(s, 0, sizeof *s);
	memset(&r, 0, sizeof r);
	*err = NULL;
	if (len > SNAPSHOT_MAX_SIZE || len > INT_MAX) {
		*err = xstrdup("too large");
		return -1;
	}
	tok = json_tokener_new();
	/* We write strict JSON; anything looser was not written by us. */
	json_tokener_set_flags(tok, JSON_TOKENER_STRICT);
	root = json_tokener_parse_ex(tok, buf, (int)len);
	if (root == NULL || json_tokener_get_parse_end(tok) != len) {
		enum json_tokener_error je = json_tokener_get_error(tok);
		*err = xasprintf("not valid JSON at byte %zu: %s",
				 json_tokener_get_parse_end(tok),
				 je == json_tokener_continue ? "truncated"
				 : je == json_tokener_success ? "trailing data"
				 : json_tokener_error_desc(je));
		json_object_put(root);
		json_tokener_free(tok);
		return -1;
	}
	json_tokener_free(tok);
	if (!json_object_is_type(root, json_type_object)) {
		*err = xstrdup("not a JSON object");
		json_object_put(root);
		return -1;
	}
	kind = rd_str(&r, root, "kind", 0);
	if (kind && strcmp(kind, SNAPSHOT_KIND) != 0)
		rd_fail(&r, "kind", "not a php-fpm-guard snapshot");
	free(kind);
	schema = rd_int(&r, root, "schema", 0, INT_MAX);
	if (r.err == NULL && schema != SNAPSHOT_SCHEMA)
		r.err = xasprintf("schema %lld, this guard reads schema %d", schema,
				  SNAPSHOT_SCHEMA);
	s->phase = rd_str(&r, root, "phase", 0);
	s->guard_version = rd_str(&r, root, "guard_version", 0);
	s->boot_id = rd_str(&r, root, "boot_id", 1);
	s->created = rd_int(&r, root, "created", 0, LLONG_MAX);
	s->root = rd_str(&r, root, "root", 0);
	a = rd_field(&r, root, "instances", json_type_array, 0);
	n = a ? json_object_array_length(a) : 0;
	s->inst = xcalloc(n, sizeof *s->inst);
	for (i = 0; i < n && r.err == NULL; i++) {
		json_object *o = json_object_array_get_idx(a, i);
		size_t old = rd_enter(&r, "instances[%zu]", i);
		s->ninst = i + 1;
		if (o == NULL || !json_object_is_type(o, json_type_object))
			rd_fail(&r, "instance", "not an object");
		else
			rd_instance(&r, o, &s->inst[i]);
		rd_leave(&r, old);
	}
	json_object_put(root);
	if (r.err) {
		*err = r.err;
		snapshot_free(s);
		return -1;
	}
	return 0;
}

/* ---- the rest ---- */

static void free_strings(char **v, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		free(v[i]);
	free(v);
}

static void perm_free(struct snap_perm *p)
{
	free(p->owner);
	free(p->group);
	free_strings(p->acl, p->nacl);
}

static void pool_free(struct snap_pool *p)
{
	size_t i;
	int k;

	free(p->name);
	free(p->file);
	for (k = 0; k < K_NKEYS; k++) {
		free(p->set[k].value);
		free(p->set[k].file);
	}
	perm_free(&p->eff);
	perm_free(&p->sock);
	free_strings(p->eff_errors, p->neff_errors);
	for (i = 0; i < p->nclients; i++)
		free(p->clients[i].user);
	free(p->clients);
}

void snapshot_free(struct snapshot *s)
{
	size_t i, j;

	for (i = 0; i < s->ninst; i++) {
		struct snap_instance *si = &s->inst[i];
		free(si->config);
		free(si->binary);
		free(si->package);
		free(si->version);
		free(si->package_version);
		free(si->fpm_test_msgs);
		free_strings(si->config_errors, si->nconfig_errors);
		for (j = 0; j < si->npools; j++)
			pool_free(&si->pools[j]);
		free(si->pools);
	}
	free(s->inst);
	free(s->phase);
	free(s->guard_version);
	free(s->boot_id);
	free(s->root);
	memset(s, 0, sizeof *s);
}

const struct snap_instance *snapshot_find_instance(const struct snapshot *s,
						   const char *config)
{
	size_t i;

	for (i = 0; i < s->ninst; i++)
		if (s->inst[i].config && strcmp(s->inst[i].config, config) == 0)
			return &s->inst[i];
	return NULL;
}

const struct snap_pool *snapshot_find_pool(const struct snap_instance *si,
					   const char *name)
{
	size_t i;

	/* php-fpm re-opens pools case-insensitively; names are unique so. */
	for (i = 0; i < si->npools; i++)
		if (si->pools[i].name && strcasecmp(si->pools[i].name, name) == 0)
			return &si->pools[i];
	return NULL;
}

char *snapshot_boot_id(void)
{
	char buf[64];
	ssize_t n;
	int fd = open("/proc/sys/kernel/random/boot_id", O_RDONLY | O_CLOEXEC);

	if (fd < 0)
		return NULL;
	n = read(fd, buf, sizeof buf - 1);
	close(fd);
	if (n <= 0)
		return NULL;
	buf[n] = '\0';
	buf[strcspn(buf, "\n")] = '\0';
	return xstrdup(buf);
}
