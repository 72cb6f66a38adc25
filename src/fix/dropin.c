#include "dropin.h"
#include "../util/xalloc.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

static const char header[] =
	DROPIN_MAGIC ": written by php-fpm-guard, do not edit.\n"
	"; It re-opens pools defined in the other files here and pins their\n"
	"; socket's owner, group and mode, so that the web server keeps access\n"
	"; whatever a package upgrade does to those files.  An entry goes when\n"
	"; its pool is gone.  See php-fpm-guard(8) and fix_target in guard.conf.\n";

static void entry_free(struct dropin_entry *e)
{
	size_t i;

	for (i = 0; i < e->nlines; i++)
		free(e->lines[i]);
	free(e->pool);
	memset(e, 0, sizeof *e);
}

void dropin_free(struct dropin *d)
{
	size_t i;

	for (i = 0; i < d->n; i++)
		entry_free(&d->v[i]);
	free(d->v);
	memset(d, 0, sizeof *d);
}

static struct dropin_entry *find(struct dropin *d, const char *pool)
{
	size_t i;

	for (i = 0; i < d->n; i++)
		if (strcasecmp(d->v[i].pool, pool) == 0)
			return &d->v[i];
	return NULL;
}

static int fail(struct dropin *d, char **err, int line, const char *what)
{
	*err = xasprintf("line %d: %s", line, what);
	dropin_free(d);
	return -1;
}

int dropin_parse(const char *buf, size_t len, struct dropin *d, char **err)
{
	char *copy, *line, *next;
	struct dropin_entry *cur = NULL;
	int lineno = 0;

	memset(d, 0, sizeof *d);
	*err = NULL;
	if (len < sizeof DROPIN_MAGIC - 1 || memcmp(buf, DROPIN_MAGIC, sizeof DROPIN_MAGIC - 1) != 0 ||
	    memchr(buf, '\0', len) != NULL) {
		*err = xstrdup("line 1: not a php-fpm-guard drop-in (no '" DROPIN_MAGIC "' line)");
		return -1;
	}
	copy = xstrndup(buf, len);
	for (line = copy; line; line = next) {
		size_t n;
		next = strchr(line, '\n');
		if (next)
			*next++ = '\0';
		lineno++;
		n = strlen(line);
		if (n && line[n - 1] == '\r')
			line[--n] = '\0';
		if (n == 0 || line[0] == ';')
			continue;
		if (line[0] == '[' && line[n - 1] == ']' && n > 2) {
			line[n - 1] = '\0';
			if (find(d, line + 1)) {
				free(copy);
				return fail(d, err, lineno, "pool section repeated");
			}
			d->v = xreallocarray(d->v, d->n + 1, sizeof *d->v);
			cur = &d->v[d->n++];
			memset(cur, 0, sizeof *cur);
			cur->pool = xstrdup(line + 1);
			continue;
		}
		if (cur == NULL || strncmp(line, "listen.", 7) != 0 || strstr(line, " = ") == NULL ||
		    cur->nlines == DROPIN_MAX_LINES) {
			free(copy);
			return fail(d, err, lineno, "only [pool] sections of listen.* lines belong here");
		}
		cur->lines[cur->nlines++] = xstrdup(line);
	}
	free(copy);
	return 0;
}

void dropin_set(struct dropin *d, const char *pool, char *const *lines, size_t n)
{
	struct dropin_entry *e = find(d, pool);
	size_t i;

	if (e)
		entry_free(e);
	else {
		d->v = xreallocarray(d->v, d->n + 1, sizeof *d->v);
		e = &d->v[d->n++];
	}
	memset(e, 0, sizeof *e);
	e->pool = xstrdup(pool);
	for (i = 0; i < n && i < DROPIN_MAX_LINES; i++)
		e->lines[e->nlines++] = xstrdup(lines[i]);
}

size_t dropin_prune(struct dropin *d, int (*exists)(void *ctx, const char *pool),
		    void *ctx)
{
	size_t i, kept = 0, gone = 0;

	for (i = 0; i < d->n; i++) {
		if (exists(ctx, d->v[i].pool)) {
			d->v[kept++] = d->v[i];
		} else {
			entry_free(&d->v[i]);
			gone++;
		}
	}
	d->n = kept;
	return gone;
}

char *dropin_render(const struct dropin *d)
{
	size_t i, k, len = sizeof header;
	char *out, *p;

	for (i = 0; i < d->n; i++) {
		len += strlen(d->v[i].pool) + 4;
		for (k = 0; k < d->v[i].nlines; k++)
			len += strlen(d->v[i].lines[k]) + 1;
	}
	out = p = xmalloc(len + 1);
	memcpy(p, header, sizeof header - 1);
	p += sizeof header - 1;
	for (i = 0; i < d->n; i++) {
		p += sprintf(p, "\n[%s]\n", d->v[i].pool);
		for (k = 0; k < d->v[i].nlines; k++)
			p += sprintf(p, "%s\n", d->v[i].lines[k]);
	}
	*p = '\0';
	return out;
}
