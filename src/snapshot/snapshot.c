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

static void push_str(char ***arr, size_t *n, char *s)
{
	*arr = xreallocarray(*arr, *n + 1, sizeof **arr);
	(*arr)[(*n)++] = s;
}

/* ---- to JSON ----
 *
 * Written as a stream, not as a json-c tree: with thousands of pools the
 * tree's objects and hash tables cost more than everything else the hook
 * does.  The reader below is json-c's, strict, and the unit tests read
 * back what this writes.  The output is deterministic, so post-invoke
 * can tell an unchanged host by comparing bytes.
 */

struct jw {
	char *buf;
	size_t len, cap;
};

/* Room for n more bytes and the NUL. */
static inline char *jw_room(struct jw *w, size_t n)
{
	if (w->len + n + 1 > w->cap)
		XGROW(w->buf, w->cap, w->len + n + 1);
	return w->buf + w->len;
}

static void jw_raw(struct jw *w, const char *s, size_t n)
{
	memcpy(jw_room(w, n), s, n);
	w->len += n;
	w->buf[w->len] = '\0';
}

static void jw_lit(struct jw *w, const char *s)
{
	jw_raw(w, s, strlen(s));
}

/* A JSON string: quote, backslash and control bytes escaped (RFC 8259);
 * other bytes as they are, as json-c writes them. */
static void jw_str(struct jw *w, const char *s)
{
	static const char hex[] = "0123456789abcdef";
	size_t n;
	char *o;

	if (s == NULL) {
		jw_raw(w, "null", 4);
		return;
	}
	n = strlen(s);
	o = jw_room(w, n * 6 + 2);	/* worst case: every byte \u00XX */
	*o++ = '"';
	for (; *s; s++) {
		unsigned char c = (unsigned char)*s;
		if (c >= 0x20 && c != '"' && c != '\\') {
			*o++ = (char)c;
		} else if (c == '"' || c == '\\') {
			*o++ = '\\';
			*o++ = (char)c;
		} else {
			memcpy(o, "\\u00", 4);
			o[4] = hex[c >> 4];
			o[5] = hex[c & 15];
			o += 6;
		}
	}
	*o++ = '"';
	*o = '\0';
	w->len = (size_t)(o - w->buf);
}

/* ,"key": -- the comma unless it opens its object.  Keys are ours and
 * plain: no escaping needed. */
static void jw_key(struct jw *w, const char *key, int first)
{
	size_t n = strlen(key);
	char *o = jw_room(w, n + 4);

	if (!first)
		*o++ = ',';
	*o++ = '"';
	memcpy(o, key, n);
	o += n;
	*o++ = '"';
	*o++ = ':';
	*o = '\0';
	w->len = (size_t)(o - w->buf);
}

static void jw_int(struct jw *w, long long v)
{
	char b[24], *p = b + sizeof b;
	unsigned long long u = v < 0 ? 0 - (unsigned long long)v : (unsigned long long)v;

	do {
		*--p = (char)('0' + u % 10);
		u /= 10;
	} while (u);
	if (v < 0)
		*--p = '-';
	jw_raw(w, p, (size_t)(b + sizeof b - p));
}

static void jw_mode(struct jw *w, unsigned m)
{
	char b[6] = { '"', (char)('0' + ((m >> 9) & 7)), (char)('0' + ((m >> 6) & 7)),
		      (char)('0' + ((m >> 3) & 7)), (char)('0' + (m & 7)), '"' };

	jw_raw(w, b, sizeof b);
}

static void jw_tristate(struct jw *w, int v)
{
	jw_lit(w, v < 0 ? "null" : v ? "true" : "false");
}

static void jw_verdict(struct jw *w, int v)
{
	jw_lit(w, v == V_ALLOWED ? "\"yes\"" : v == V_DENIED ? "\"no\"" : "\"unknown\"");
}

static void jw_strings(struct jw *w, char *const *v, size_t n)
{
	size_t i;

	jw_raw(w, "[", 1);
	for (i = 0; i < n; i++) {
		if (i)
			jw_raw(w, ",", 1);
		jw_str(w, v[i]);
	}
	jw_raw(w, "]", 1);
}

static void jw_perm(struct jw *w, const struct snap_perm *p)
{
	jw_raw(w, "{", 1);
	jw_key(w, "owner", 1);
	jw_str(w, p->owner);
	jw_key(w, "group", 0);
	jw_str(w, p->group);
	jw_key(w, "uid", 0);
	jw_int(w, p->uid);
	jw_key(w, "gid", 0);
	jw_int(w, p->gid);
	jw_key(w, "mode", 0);
	jw_mode(w, p->mode);
	jw_key(w, "acl", 0);
	jw_strings(w, p->acl, p->nacl);
	jw_raw(w, "}", 1);
}

static const char *const sock_state_names[] = {
	"none", "socket", "absent", "not-socket", "error"
};

static void jw_pool(struct jw *w, const struct snap_pool *p)
{
	size_t i;
	int k;

	jw_raw(w, "{", 1);
	jw_key(w, "name", 1);
	jw_str(w, p->name);
	jw_key(w, "file", 0);
	jw_str(w, p->file);
	jw_key(w, "line", 0);
	jw_int(w, p->line);
	jw_key(w, "declared", 0);
	jw_raw(w, "{", 1);
	for (k = 0; k < K_NKEYS; k++) {
		jw_key(w, fpm_key_names[k], k == 0);
		if (p->set[k].value == NULL) {
			jw_lit(w, "null");
			continue;
		}
		jw_raw(w, "{", 1);
		jw_key(w, "value", 1);
		jw_str(w, p->set[k].value);
		jw_key(w, "file", 0);
		jw_str(w, p->set[k].file);
		jw_key(w, "line", 0);
		jw_int(w, p->set[k].line);
		jw_raw(w, "}", 1);
	}
	jw_raw(w, "}", 1);
	jw_key(w, "unix", 0);
	jw_lit(w, p->is_unix ? "true" : "false");
	jw_key(w, "effective", 0);
	if (p->is_unix && p->eff_valid)
		jw_perm(w, &p->eff);
	else
		jw_lit(w, "null");
	jw_key(w, "effective_errors", 0);
	jw_strings(w, p->eff_errors, p->neff_errors);
	jw_key(w, "socket_state", 0);
	jw_str(w, sock_state_names[p->sock_state]);
	jw_key(w, "socket", 0);
	if (p->sock_state == PROBE_SOCKET)
		jw_perm(w, &p->sock);
	else
		jw_lit(w, "null");
	jw_key(w, "clients", 0);
	jw_raw(w, "[", 1);
	for (i = 0; i < p->nclients; i++) {
		jw_raw(w, i ? ",{" : "{", i ? 2 : 1);
		jw_key(w, "user", 1);
		jw_str(w, p->clients[i].user);
		jw_key(w, "now", 0);
		jw_verdict(w, p->clients[i].now);
		jw_key(w, "next", 0);
		jw_verdict(w, p->clients[i].next);
		jw_raw(w, "}", 1);
	}
	jw_raw(w, "]", 1);
	if (p->listen_path) {
		jw_key(w, "listen_path", 0);
		jw_str(w, p->listen_path);
	}
	jw_raw(w, "}", 1);
}

/* An instance; its pools from si, or -- one at a time, so that the whole
 * snapshot never sits in memory beside what it describes -- from src. */
static void jw_instance(struct jw *w, const struct snap_instance *si, size_t idx,
			const struct snap_pool_source *src)
{
	size_t j;

	jw_raw(w, "{", 1);
	jw_key(w, "config", 1);
	jw_str(w, si->config);
	jw_key(w, "binary", 0);
	jw_str(w, si->binary);
	jw_key(w, "package", 0);
	jw_str(w, si->package);
	jw_key(w, "version", 0);
	jw_str(w, si->version);
	jw_key(w, "package_version", 0);
	jw_str(w, si->package_version);
	jw_key(w, "default_mode", 0);
	jw_mode(w, si->default_mode);
	jw_key(w, "fpm_test", 0);
	jw_tristate(w, si->fpm_test);
	jw_key(w, "fpm_test_messages", 0);
	jw_str(w, si->fpm_test_msgs);
	jw_key(w, "running", 0);
	jw_tristate(w, si->running);
	jw_key(w, "config_errors", 0);
	jw_strings(w, si->config_errors, si->nconfig_errors);
	jw_key(w, "pools", 0);
	jw_raw(w, "[", 1);
	for (j = 0; j < (src ? src->npools(src->ctx, idx) : si->npools); j++) {
		if (j)
			jw_raw(w, ",\n", 2);
		if (src) {
			struct snap_pool tmp;
			memset(&tmp, 0, sizeof tmp);
			src->pool(src->ctx, idx, j, &tmp);
			jw_pool(w, &tmp);
			snap_pool_free(&tmp);
		} else {
			jw_pool(w, &si->pools[j]);
		}
	}
	jw_raw(w, "]}", 2);
}

static void jw_uses(struct jw *w, const struct snapshot *s)
{
	size_t i;

	jw_key(w, "server_uses", 0);
	jw_raw(w, "[", 1);
	for (i = 0; i < s->nuses; i++) {
		const struct snap_use *u = &s->uses[i];
		jw_raw(w, i ? ",\n{" : "\n{", i ? 3 : 2);
		jw_key(w, "server", 1);
		jw_str(w, u->server);
		jw_key(w, "user", 0);
		jw_str(w, u->user);
		jw_key(w, "socket", 0);
		jw_str(w, u->socket);
		jw_key(w, "directive", 0);
		jw_str(w, u->directive);
		jw_key(w, "file", 0);
		jw_str(w, u->file);
		jw_key(w, "line", 0);
		jw_int(w, u->line);
		jw_key(w, "site", 0);
		jw_str(w, u->site);
		jw_key(w, "instance", 0);
		jw_str(w, u->instance);
		jw_key(w, "pool", 0);
		jw_str(w, u->pool);
		jw_key(w, "other_socket", 0);
		jw_lit(w, u->other_socket ? "true" : "false");
		jw_key(w, "hops", 0);
		jw_strings(w, u->hops, u->nhops);
		jw_key(w, "php", 0);
		jw_str(w, u->php);
		jw_key(w, "pool_user", 0);
		jw_str(w, u->pool_user);
		jw_key(w, "can_connect", 0);
		jw_tristate(w, u->can_connect);
		jw_raw(w, "}", 1);
	}
	jw_raw(w, "]", 1);
}

/*
 * The body -- everything that describes the host -- comes first and the
 * header of this one run (phase, time, boot) last, so that two snapshots
 * of an unchanged host share every byte up to SNAPSHOT_TAIL_MARK.
 */
static char *to_json(const struct snapshot *s, const struct snap_pool_source *src)
{
	struct jw w = { NULL, 0, 0 };
	size_t i;

	jw_lit(&w, "{\"kind\":\"" SNAPSHOT_KIND "\",\"schema\":");
	jw_int(&w, SNAPSHOT_SCHEMA);
	jw_key(&w, "root", 0);
	jw_str(&w, s->root);
	jw_key(&w, "guard_version", 0);
	jw_str(&w, s->guard_version);
	jw_key(&w, "instances", 0);
	jw_raw(&w, "[\n", 2);
	for (i = 0; i < s->ninst; i++) {
		if (i)
			jw_raw(&w, ",\n", 2);
		jw_instance(&w, &s->inst[i], i, src);
	}
	jw_raw(&w, "]", 1);
	if (s->have_uses)
		jw_uses(&w, s);
	if (s->apache_mod_php) {
		jw_key(&w, "apache_mod_php", 0);
		jw_str(&w, s->apache_mod_php);
		jw_key(&w, "apache_mod_php_source", 0);
		jw_str(&w, s->apache_mod_php_source);
	}
	jw_lit(&w, SNAPSHOT_TAIL_MARK);
	jw_str(&w, s->phase);
	jw_key(&w, "boot_id", 0);
	jw_str(&w, s->boot_id);
	jw_key(&w, "created", 0);
	jw_int(&w, s->created);
	jw_raw(&w, "}\n", 2);
	return w.buf;
}

char *snapshot_to_json(const struct snapshot *s)
{
	return to_json(s, NULL);
}

char *snapshot_to_json_streamed(const struct snapshot *s,
				const struct snap_pool_source *src)
{
	return to_json(s, src);
}

size_t snapshot_body_length(const char *json)
{
	const char *m = strstr(json, SNAPSHOT_TAIL_MARK);

	return m ? (size_t)(m - json) : 0;
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

/* A field later guards added: absent is NULL, as null is. */
static char *rd_opt_str(struct rd *r, json_object *o, const char *key)
{
	json_object *v;

	return json_object_object_get_ex(o, key, &v) ? rd_str(r, o, key, 1) : NULL;
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
	p->listen_path = rd_opt_str(r, o, "listen_path");
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

/* The serving map's fields of a use: each optional. */
static void rd_use_serving(struct rd *r, json_object *o, struct snap_use *u)
{
	json_object *v;

	if (json_object_object_get_ex(o, "hops", &v))
		rd_strings(r, o, "hops", &u->hops, &u->nhops);
	u->php = rd_opt_str(r, o, "php");
	u->pool_user = rd_opt_str(r, o, "pool_user");
	u->can_connect = json_object_object_get_ex(o, "can_connect", &v)
		? rd_tristate(r, o, "can_connect") : -1;
}

/* "server_uses" is optional: snapshots of guards before it have none,
 * and the diff then says nothing about the web servers. */
static void rd_uses(struct rd *r, json_object *root, struct snapshot *s)
{
	json_object *a, *v;
	size_t i, n;

	if (!json_object_object_get_ex(root, "server_uses", &a))
		return;
	a = rd_field(r, root, "server_uses", json_type_array, 0);
	n = a ? json_object_array_length(a) : 0;
	s->have_uses = a != NULL;
	s->uses = xcalloc(n ? n : 1, sizeof *s->uses);
	for (i = 0; i < n && r->err == NULL; i++) {
		json_object *o = json_object_array_get_idx(a, i);
		struct snap_use *u = &s->uses[i];
		size_t old = rd_enter(r, "server_uses[%zu]", i);
		s->nuses = i + 1;
		if (o == NULL || !json_object_is_type(o, json_type_object)) {
			rd_fail(r, "use", "not an object");
		} else {
			u->server = rd_str(r, o, "server", 0);
			u->user = rd_str(r, o, "user", 1);
			u->socket = rd_str(r, o, "socket", 0);
			u->directive = rd_str(r, o, "directive", 0);
			u->file = rd_str(r, o, "file", 0);
			u->line = (int)rd_int(r, o, "line", 0, INT_MAX);
			u->site = rd_str(r, o, "site", 0);
			u->instance = rd_str(r, o, "instance", 1);
			u->pool = rd_str(r, o, "pool", 1);
			v = rd_field(r, o, "other_socket", json_type_boolean, 0);
			u->other_socket = v && json_object_get_boolean(v);
			rd_use_serving(r, o, u);
			if (r->err == NULL && (u->instance == NULL) != (u->pool == NULL))
				rd_fail(r, "pool", "disagrees with instance");
		}
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
	rd_uses(&r, root, s);
	s->apache_mod_php = rd_opt_str(&r, root, "apache_mod_php");
	s->apache_mod_php_source = rd_opt_str(&r, root, "apache_mod_php_source");
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

void snap_pool_free(struct snap_pool *p)
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
	free(p->listen_path);
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
			snap_pool_free(&si->pools[j]);
		free(si->pools);
	}
	free(s->inst);
	for (i = 0; i < s->nuses; i++) {
		struct snap_use *u = &s->uses[i];
		free(u->server);
		free(u->user);
		free(u->socket);
		free(u->directive);
		free(u->file);
		free(u->site);
		free(u->instance);
		free(u->pool);
		free_strings(u->hops, u->nhops);
		free(u->php);
		free(u->pool_user);
	}
	free(s->uses);
	free(s->apache_mod_php);
	free(s->apache_mod_php_source);
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
