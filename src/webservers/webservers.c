#include "wsread.h"
#include "../util/rootglob.h"
#include "../util/xalloc.h"

#include <errno.h>
#include <fnmatch.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char *const kind_names[WS_NKINDS] = { "nginx", "apache2" };

const char *ws_kind_name(enum ws_kind k)
{
	return k < WS_NKINDS ? kind_names[k] : "?";
}

void ws_strings_free(char **v, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		free(v[i]);
	free(v);
}

/* The capacity is *n rounded up to a power of two: one realloc each time
 * *n reaches one, so that the thousands of pushes of a looping config
 * stay linear. */
void ws_push(char ***v, size_t *n, char *s)
{
	if ((*n & (*n - 1)) == 0)
		*v = xreallocarray(*v, *n ? *n * 2 : 1, sizeof **v);
	(*v)[(*n)++] = s;
}

size_t ws_add_use(struct ws_config *c, enum ws_kind k, const char *socket,
		  const char *directive, const char *file, int line)
{
	struct ws_use *u;

	XGROW(c->uses, c->cap, c->nuses + 1);
	u = &c->uses[c->nuses];
	memset(u, 0, sizeof *u);
	u->server = k;
	u->socket = xstrdup(socket);
	u->directive = xstrdup(directive);
	u->file = xstrdup(file);
	u->line = line;
	return c->nuses++;
}

void ws_set_vhost(struct ws_config *c, size_t from, const char *name,
		  const char *file, int line)
{
	size_t i;

	for (i = from; i < c->nuses; i++) {
		if (c->uses[i].vhost)
			continue;
		c->uses[i].vhost = xstrdup(name);
		c->uses[i].vhost_file = file ? xstrdup(file) : NULL;
		c->uses[i].vhost_line = line;
	}
}

void ws_note(struct ws_server *s, const char *fmt, ...)
{
	va_list ap;
	char *m;

	/* Includes that loop repeat the same notes up to the parse limits:
	 * tens of thousands, each one a realloc, in every report. */
	if (s->nnotes > WS_MAX_NOTES)
		return;
	if (s->nnotes == WS_MAX_NOTES) {
		ws_push(&s->notes, &s->nnotes,
			xasprintf("more than %d notes: the rest left out", WS_MAX_NOTES));
		return;
	}
	va_start(ap, fmt);
	m = xvasprintf(fmt, ap);
	va_end(ap);
	ws_push(&s->notes, &s->nnotes, m);
}

/* A snippet is read once per site that includes it: the sorted index
 * keeps "read before?" a binary search. */
int ws_add_file(struct ws_server *s, const char *path)
{
	size_t lo = 0, hi = s->nfiles;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		int c = strcmp(s->index[mid], path);
		if (c == 0)
			return -1;
		if (c < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	if (s->nfiles >= WS_MAX_FILES)
		return -1;
	ws_push(&s->files, &s->nfiles, xstrdup(path));
	s->index = xreallocarray(s->index, s->nfiles, sizeof *s->index);
	memmove(s->index + lo + 1, s->index + lo, (s->nfiles - 1 - lo) * sizeof *s->index);
	s->index[lo] = s->files[s->nfiles - 1];
	return 0;
}

int ws_has_wildcard(const char *p)
{
	return strpbrk(p, "*?[") != NULL;
}

/* ---- text from the root or from a dump ---- */

int ws_src_read(const struct ws_src *s, const char *path, char **buf, size_t *len)
{
	struct stat st;
	size_t i;

	if (s->dump == NULL)
		return rootfs_read_file(s->root, path, WS_FILE_MAX, buf, len, &st);
	for (i = 0; i < s->ndump; i++)
		if (strcmp(s->dump[i].path, path) == 0) {
			*buf = xstrndup(s->dump[i].text, s->dump[i].len);
			*len = s->dump[i].len;
			return 0;
		}
	errno = ENOENT;
	return -1;
}

/*
 * Include patterns go through rootglob, the glob every reader shares (the
 * same limits as php-fpm's include=); a dump (nginx -T) is matched by name
 * under the same limits.
 */
size_t ws_src_glob(const struct ws_src *s, const char *pattern, char ***out,
		   const char **why)
{
	static char too_many[64];
	size_t i, n = 0;

	*out = NULL;
	if ((*why = rootglob_refusal(pattern)) != NULL)
		return 0;
	if (s->dump == NULL) {
		if (!ws_has_wildcard(pattern)) {
			ws_push(out, &n, xstrdup(pattern));
			return n;
		}
		return rootglob(s->root, pattern, 0, WS_MAX_FILES, out, &n, why) < 0 ? 0 : n;
	}
	/* The dump holds what the server read: a pattern matches its names
	 * as glob() would have matched the files (no '/' or leading '.' for
	 * a wildcard). */
	for (i = 0; i < s->ndump; i++) {
		if (fnmatch(pattern, s->dump[i].path, FNM_PATHNAME | FNM_PERIOD) != 0)
			continue;
		if (n >= WS_MAX_FILES) {
			snprintf(too_many, sizeof too_many, "matches more than %d files",
				 WS_MAX_FILES);
			*why = too_many;
			ws_strings_free(*out, n);
			*out = NULL;
			return 0;
		}
		ws_push(out, &n, xstrdup(s->dump[i].path));
	}
	if (n > 1)
		qsort(*out, n, sizeof **out, rootglob_cmp);
	return n;
}

void ws_error(struct ws_server *s, const char *file, int line, const char *fmt, ...)
{
	struct ws_error *e;
	va_list ap;

	s->errors = xreallocarray(s->errors, s->nerrors + 1, sizeof *s->errors);
	e = &s->errors[s->nerrors++];
	e->file = xstrdup(file);
	e->line = line;
	va_start(ap, fmt);
	e->msg = xvasprintf(fmt, ap);
	va_end(ap);
}

/* ---- the module ---- */

void webservers_read(const struct rootfs *r, int ask_servers, struct ws_config *out)
{
	size_t i;

	memset(out, 0, sizeof *out);
	ask_servers = ask_servers && r->is_host;
	ws_nginx_read(r, ask_servers, out);
	ws_apache_read(r, ask_servers, out);
	/* A use no virtual host claimed serves every site of its server. */
	ws_set_vhost(out, 0, "", NULL, 0);
	for (i = 0; i < WS_NKINDS; i++)
		if (out->srv[i].read_by == NULL)
			out->srv[i].read_by = "files";
}

void webservers_free(struct ws_config *c)
{
	size_t i, k;

	for (i = 0; i < c->nuses; i++) {
		free(c->uses[i].socket);
		free(c->uses[i].directive);
		free(c->uses[i].file);
		free(c->uses[i].vhost);
		free(c->uses[i].vhost_file);
	}
	free(c->uses);
	for (i = 0; i < WS_NKINDS; i++) {
		struct ws_server *s = &c->srv[i];
		free(s->config);
		free(s->user);
		free(s->user_source);
		free(s->php_module);
		free(s->php_module_source);
		ws_strings_free(s->files, s->nfiles);
		free(s->index);
		ws_strings_free(s->notes, s->nnotes);
		for (k = 0; k < s->nerrors; k++) {
			free(s->errors[k].file);
			free(s->errors[k].msg);
		}
		free(s->errors);
	}
	memset(c, 0, sizeof *c);
}

char *ws_use_site(const struct ws_use *u)
{
	if (u->vhost_file == NULL)
		return xstrdup("every site");
	if (u->server == WS_NGINX)
		return *u->vhost ? xasprintf("server %s", u->vhost) : xstrdup("unnamed server");
	return xstrdup(u->vhost);
}

void ws_drop_placeholders(struct ws_config *c, size_t from, enum ws_kind k)
{
	size_t i, n = from;

	for (i = from; i < c->nuses; i++) {
		struct ws_use *u = &c->uses[i];
		if (u->server == k && u->socket[0] == '\0') {
			free(u->socket);
			free(u->directive);
			free(u->file);
			free(u->vhost);
			free(u->vhost_file);
			continue;
		}
		c->uses[n++] = *u;
	}
	c->nuses = n;
}
