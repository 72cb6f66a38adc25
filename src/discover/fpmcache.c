#include "fpmcache.h"
#include "../config/fpmconf.h"
#include "../util/xalloc.h"

#include <json-c/json.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define CACHE_KIND "php-fpm-guard-fpm-cache"
#define CACHE_SCHEMA 1

static void entry_free(struct fpm_cache_entry *e)
{
	size_t i;

	for (i = 0; i < e->nadopt; i++) {
		free(e->adopt[i].pool);
		free(e->adopt[i].value);
	}
	free(e->adopt);
	free(e->config);
	free(e->messages);
	memset(e, 0, sizeof *e);
}

static const char *str_field(json_object *o, const char *k)
{
	json_object *v;

	if (!json_object_object_get_ex(o, k, &v) || !json_object_is_type(v, json_type_string))
		return NULL;
	/* A NUL inside would cut the string short: not ours. */
	if (strlen(json_object_get_string(v)) != (size_t)json_object_get_string_len(v))
		return NULL;
	return json_object_get_string(v);
}

static int key_field(json_object *o, const char *k, unsigned long long *out)
{
	const char *s = str_field(o, k);
	char *end;

	if (s == NULL || strlen(s) != 16)
		return -1;
	*out = strtoull(s, &end, 16);
	return *end ? -1 : 0;
}

static int key_index(const char *name)
{
	int k;

	for (k = 0; k < K_NKEYS; k++)
		if (strcmp(fpm_key_names[k], name) == 0)
			return k;
	return -1;
}

/* One entry, all or nothing. */
static int load_entry(struct fpm_cache *c, json_object *o)
{
	struct fpm_cache_entry e;
	json_object *v, *a;
	const char *cfg = str_field(o, "config"), *msg = str_field(o, "messages");
	size_t i, n;

	memset(&e, 0, sizeof e);
	if (cfg == NULL || msg == NULL || key_field(o, "key", &e.key) < 0 ||
	    !json_object_object_get_ex(o, "verdict", &v) ||
	    !json_object_is_type(v, json_type_boolean) ||
	    !json_object_object_get_ex(o, "adoptions", &a) ||
	    !json_object_is_type(a, json_type_array))
		return -1;
	e.verdict = json_object_get_boolean(v);
	e.config = xstrdup(cfg);
	e.messages = xstrdup(msg);
	n = json_object_array_length(a);
	e.adopt = xcalloc(n ? n : 1, sizeof *e.adopt);
	for (i = 0; i < n; i++) {
		json_object *x = json_object_array_get_idx(a, i), *val;
		const char *pool = str_field(x, "pool"), *key = str_field(x, "key");
		int k = key ? key_index(key) : -1;
		if (pool == NULL || k < 0 || !json_object_object_get_ex(x, "value", &val) ||
		    (val && !json_object_is_type(val, json_type_string))) {
			entry_free(&e);
			return -1;
		}
		e.adopt[i].pool = xstrdup(pool);
		e.adopt[i].key = k;
		e.adopt[i].value = val ? xstrdup(json_object_get_string(val)) : NULL;
		e.nadopt = i + 1;
	}
	c->v = xreallocarray(c->v, c->n + 1, sizeof *c->v);
	c->v[c->n++] = e;
	return 0;
}

static void load_version(struct fpm_cache *c, json_object *o)
{
	const char *bin = str_field(o, "binary"), *ver = str_field(o, "version");
	unsigned long long key;

	if (bin == NULL || ver == NULL || key_field(o, "key", &key) < 0)
		return;
	c->ver = xreallocarray(c->ver, c->nver + 1, sizeof *c->ver);
	c->ver[c->nver++] = (struct fpm_cache_version){ xstrdup(bin), key, xstrdup(ver) };
}

static void pkgs_free(struct fpm_cache_pkgs *p)
{
	size_t i;

	for (i = 0; i < p->n; i++) {
		free(p->names[i]);
		free(p->versions[i]);
		free(p->statuses[i]);
	}
	free(p->names);
	free(p->versions);
	free(p->statuses);
	memset(p, 0, sizeof *p);
}

static void pkgs_set(struct fpm_cache_pkgs *p, unsigned long long key,
		     char *const *names, char *const *versions, char *const *statuses,
		     size_t n)
{
	size_t i;

	pkgs_free(p);
	p->key = key;
	p->names = xcalloc(n ? n : 1, sizeof *p->names);
	p->versions = xcalloc(n ? n : 1, sizeof *p->versions);
	p->statuses = xcalloc(n ? n : 1, sizeof *p->statuses);
	for (i = 0; i < n; i++) {
		p->names[i] = xstrdup(names[i]);
		p->versions[i] = xstrdup(versions[i]);
		p->statuses[i] = xstrdup(statuses[i]);
	}
	p->n = n;
}

/* All or nothing, like the other entries. */
static void load_pkgs(struct fpm_cache *c, json_object *o)
{
	json_object *a;
	unsigned long long key;
	char **nm, **vr, **stt;
	size_t i, n;

	if (key_field(o, "key", &key) < 0 || !json_object_object_get_ex(o, "packages", &a) ||
	    !json_object_is_type(a, json_type_array))
		return;
	n = json_object_array_length(a);
	nm = xcalloc(n ? n : 1, sizeof *nm);
	vr = xcalloc(n ? n : 1, sizeof *vr);
	stt = xcalloc(n ? n : 1, sizeof *stt);
	for (i = 0; i < n; i++) {
		json_object *x = json_object_array_get_idx(a, i);
		nm[i] = (char *)str_field(x, "name");
		vr[i] = (char *)str_field(x, "version");
		stt[i] = (char *)str_field(x, "status");
		if (nm[i] == NULL || vr[i] == NULL || stt[i] == NULL)
			break;
	}
	if (i == n)
		pkgs_set(&c->pkgs, key, nm, vr, stt, n);
	free(nm);
	free(vr);
	free(stt);
}

const struct fpm_cache_pkgs *fpm_cache_get_pkgs(const struct fpm_cache *c,
					       unsigned long long key)
{
	return c->pkgs.key != 0 && c->pkgs.key == key ? &c->pkgs : NULL;
}

void fpm_cache_put_pkgs(struct fpm_cache *c, unsigned long long key,
			char *const *names, char *const *versions,
			char *const *statuses, size_t n)
{
	pkgs_set(&c->pkgs, key, names, versions, statuses, n);
	c->dirty = 1;
}

void fpm_cache_load(struct fpm_cache *c, const char *buf, size_t len)
{
	struct json_tokener *tok;
	json_object *root, *a, *kind, *schema;
	size_t i;

	memset(c, 0, sizeof *c);
	if (buf == NULL || len > (64u << 20))
		return;
	tok = json_tokener_new();
	json_tokener_set_flags(tok, JSON_TOKENER_STRICT);
	root = json_tokener_parse_ex(tok, buf, (int)len);
	json_tokener_free(tok);
	if (root == NULL || !json_object_object_get_ex(root, "kind", &kind) ||
	    !json_object_is_type(kind, json_type_string) ||
	    strcmp(json_object_get_string(kind), CACHE_KIND) != 0 ||
	    !json_object_object_get_ex(root, "schema", &schema) ||
	    json_object_get_int(schema) != CACHE_SCHEMA) {
		json_object_put(root);
		return;
	}
	if (json_object_object_get_ex(root, "tests", &a) && json_object_is_type(a, json_type_array))
		for (i = 0; i < json_object_array_length(a); i++)
			load_entry(c, json_object_array_get_idx(a, i));
	if (json_object_object_get_ex(root, "versions", &a) && json_object_is_type(a, json_type_array))
		for (i = 0; i < json_object_array_length(a); i++)
			load_version(c, json_object_array_get_idx(a, i));
	if (json_object_object_get_ex(root, "dpkg_status", &a) && json_object_is_type(a, json_type_object))
		load_pkgs(c, a);
	json_object_put(root);
}

static json_object *hex(unsigned long long k)
{
	char b[24];

	snprintf(b, sizeof b, "%016llx", k);
	return json_object_new_string(b);
}

char *fpm_cache_dump(const struct fpm_cache *c)
{
	json_object *root, *tests, *vers;
	size_t i, j;
	char *out;

	if (!c->dirty)
		return NULL;
	root = json_object_new_object();
	tests = json_object_new_array();
	vers = json_object_new_array();
	json_object_object_add(root, "kind", json_object_new_string(CACHE_KIND));
	json_object_object_add(root, "schema", json_object_new_int(CACHE_SCHEMA));
	for (i = 0; i < c->n; i++) {
		const struct fpm_cache_entry *e = &c->v[i];
		json_object *o = json_object_new_object(), *a = json_object_new_array();
		json_object_object_add(o, "config", json_object_new_string(e->config));
		json_object_object_add(o, "key", hex(e->key));
		json_object_object_add(o, "verdict", json_object_new_boolean(e->verdict));
		json_object_object_add(o, "messages", json_object_new_string(e->messages));
		for (j = 0; j < e->nadopt; j++) {
			json_object *x = json_object_new_object();
			json_object_object_add(x, "pool", json_object_new_string(e->adopt[j].pool));
			json_object_object_add(x, "key", json_object_new_string(fpm_key_names[e->adopt[j].key]));
			json_object_object_add(x, "value", e->adopt[j].value
					       ? json_object_new_string(e->adopt[j].value) : NULL);
			json_object_array_add(a, x);
		}
		json_object_object_add(o, "adoptions", a);
		json_object_array_add(tests, o);
	}
	for (i = 0; i < c->nver; i++) {
		json_object *o = json_object_new_object();
		json_object_object_add(o, "binary", json_object_new_string(c->ver[i].binary));
		json_object_object_add(o, "key", hex(c->ver[i].key));
		json_object_object_add(o, "version", json_object_new_string(c->ver[i].version));
		json_object_array_add(vers, o);
	}
	json_object_object_add(root, "tests", tests);
	json_object_object_add(root, "versions", vers);
	if (c->pkgs.key) {
		json_object *o = json_object_new_object(), *a = json_object_new_array();
		json_object_object_add(o, "key", hex(c->pkgs.key));
		for (i = 0; i < c->pkgs.n; i++) {
			json_object *x = json_object_new_object();
			json_object_object_add(x, "name", json_object_new_string(c->pkgs.names[i]));
			json_object_object_add(x, "version", json_object_new_string(c->pkgs.versions[i]));
			json_object_object_add(x, "status", json_object_new_string(c->pkgs.statuses[i]));
			json_object_array_add(a, x);
		}
		json_object_object_add(o, "packages", a);
		json_object_object_add(root, "dpkg_status", o);
	}
	out = xstrdup(json_object_to_json_string_ext(root, JSON_C_TO_STRING_PLAIN |
						     JSON_C_TO_STRING_NOSLASHESCAPE));
	json_object_put(root);
	return out;
}

void fpm_cache_free(struct fpm_cache *c)
{
	size_t i;

	pkgs_free(&c->pkgs);
	for (i = 0; i < c->n; i++)
		entry_free(&c->v[i]);
	free(c->v);
	for (i = 0; i < c->nver; i++) {
		free(c->ver[i].binary);
		free(c->ver[i].version);
	}
	free(c->ver);
	memset(c, 0, sizeof *c);
}

const struct fpm_cache_entry *fpm_cache_get(struct fpm_cache *c, const char *config,
					    unsigned long long key)
{
	size_t i;

	for (i = 0; i < c->n; i++)
		if (c->v[i].key == key && strcmp(c->v[i].config, config) == 0) {
			c->hits++;
			return &c->v[i];
		}
	c->misses++;
	return NULL;
}

void fpm_cache_put(struct fpm_cache *c, const char *config, unsigned long long key,
		   int verdict, const char *messages,
		   const struct fpm_adoption *adopt, size_t nadopt)
{
	struct fpm_cache_entry *e = NULL;
	size_t i;

	for (i = 0; i < c->n && e == NULL; i++)
		if (strcmp(c->v[i].config, config) == 0) {
			e = &c->v[i];
			entry_free(e);
		}
	if (e == NULL) {
		c->v = xreallocarray(c->v, c->n + 1, sizeof *c->v);
		e = &c->v[c->n++];
	}
	e->config = xstrdup(config);
	e->key = key;
	e->verdict = verdict;
	e->messages = xstrdup(messages ? messages : "");
	e->adopt = xcalloc(nadopt ? nadopt : 1, sizeof *e->adopt);
	for (i = 0; i < nadopt; i++) {
		e->adopt[i].pool = xstrdup(adopt[i].pool);
		e->adopt[i].key = adopt[i].key;
		e->adopt[i].value = adopt[i].value ? xstrdup(adopt[i].value) : NULL;
	}
	e->nadopt = nadopt;
	c->dirty = 1;
}

const char *fpm_cache_get_version(struct fpm_cache *c, const char *binary,
				  unsigned long long key)
{
	size_t i;

	for (i = 0; i < c->nver; i++)
		if (c->ver[i].key == key && strcmp(c->ver[i].binary, binary) == 0)
			return c->ver[i].version;
	return NULL;
}

void fpm_cache_put_version(struct fpm_cache *c, const char *binary,
			   unsigned long long key, const char *version)
{
	size_t i;

	for (i = 0; i < c->nver; i++)
		if (strcmp(c->ver[i].binary, binary) == 0) {
			free(c->ver[i].version);
			c->ver[i].version = xstrdup(version);
			c->ver[i].key = key;
			c->dirty = 1;
			return;
		}
	c->ver = xreallocarray(c->ver, c->nver + 1, sizeof *c->ver);
	c->ver[c->nver++] = (struct fpm_cache_version){ xstrdup(binary), key, xstrdup(version) };
	c->dirty = 1;
}
