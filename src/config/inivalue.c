#include "inivalue.h"
#include "../util/xalloc.h"

#include <ctype.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

struct buf {
	char *s;
	size_t len, cap;
};

static void buf_putn(struct buf *b, const char *s, size_t n)
{
	XGROW(b->s, b->cap, b->len + n + 1);
	memcpy(b->s + b->len, s, n);
	b->len += n;
	b->s[b->len] = '\0';
}

/* ${NAME} at p; returns the length consumed or 0 when unterminated. */
static size_t expand_var(const char *p, struct buf *b, ini_getenv_fn fn,
			 void *ctx, int *uses_env)
{
	const char *end = strchr(p + 2, '}');
	char *name;
	const char *val;

	if (end == NULL)
		return 0;
	name = xstrndup(p + 2, (size_t)(end - (p + 2)));
	val = fn ? fn(ctx, name) : NULL;
	free(name);
	if (val)
		buf_putn(b, val, strlen(val));
	*uses_env = 1;
	return (size_t)(end - p) + 1;
}

static int is_bare_bool(const char *s, const char **val)
{
	static const char *const yes[] = { "yes", "on", "true" };
	static const char *const no[] = { "no", "off", "false", "none", "null" };
	size_t i;

	for (i = 0; i < sizeof yes / sizeof *yes; i++)
		if (strcasecmp(s, yes[i]) == 0) {
			*val = "1";
			return 1;
		}
	for (i = 0; i < sizeof no / sizeof *no; i++)
		if (strcasecmp(s, no[i]) == 0) {
			*val = "";
			return 1;
		}
	return 0;
}

static int fail(struct ini_value *out, struct buf *b, const char *msg)
{
	free(b->s);
	out->text = NULL;
	out->error = msg;
	return -1;
}

int ini_value_eval(const char *raw, ini_getenv_fn fn, void *ctx,
		   struct ini_value *out)
{
	struct buf b = { NULL, 0, 0 };
	const char *p = raw;
	int quoted = 0, bare_only = 1;
	size_t n, keep = 0;

	out->uses_env = 0;
	out->error = NULL;
	buf_putn(&b, "", 0);
	while (*p != '\0' && *p != ';') {
		if (*p == '"') {
			quoted = 1;
			for (p++; *p != '"'; p++) {
				if (*p == '\0')
					return fail(out, &b, "unterminated double-quoted value");
				if (*p == '\\' && (p[1] == '"' || p[1] == '\\' || p[1] == '$')) {
					buf_putn(&b, p + 1, 1);
					p++;
				} else if (p[0] == '$' && p[1] == '{') {
					n = expand_var(p, &b, fn, ctx, &out->uses_env);
					if (n == 0)
						return fail(out, &b, "unterminated ${ in value");
					p += n - 1;
				} else {
					buf_putn(&b, p, 1);
				}
			}
			p++;
			keep = b.len;
		} else if (*p == '\'') {
			const char *end = strchr(p + 1, '\'');
			if (end == NULL)
				return fail(out, &b, "unterminated single-quoted value");
			quoted = 1;
			buf_putn(&b, p + 1, (size_t)(end - p - 1));
			p = end + 1;
			keep = b.len;
		} else if (p[0] == '$' && p[1] == '{') {
			n = expand_var(p, &b, fn, ctx, &out->uses_env);
			if (n == 0)
				return fail(out, &b, "unterminated ${ in value");
			bare_only = 0;
			p += n;
		} else if (*p == '=') {
			return fail(out, &b, "syntax error: unexpected '=' in value");
		} else if (strchr("|&~!()^", *p) != NULL) {
			/* PHP would evaluate an integer expression here. */
			return fail(out, &b, "INI expressions (| & ~ ! ^ ( )) in values are not supported; quote the value");
		} else {
			/* A run of plain bytes at once; a lone '$' on its own. */
			size_t run = strcspn(p, "\"'$=;|&~!()^");
			if (run == 0)
				run = 1;
			buf_putn(&b, p, run);
			p += run;
		}
	}
	/* Trailing blanks before a comment are not part of the value. */
	while (b.len > keep && isspace((unsigned char)b.s[b.len - 1]))
		b.s[--b.len] = '\0';
	if (!quoted && bare_only) {
		const char *v;
		/* yes/on/true/no/off/false/none/null: 2 to 5 letters. */
		if (b.len >= 2 && b.len <= 5 && is_bare_bool(b.s, &v)) {
			b.len = 0;
			buf_putn(&b, v, strlen(v));
		}
	}
	out->text = b.s;
	return 0;
}
