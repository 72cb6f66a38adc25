/*
 * edit: the new bytes of a pool file, see edit.h.
 *
 * Two passes over the buffer, no per-line storage (a 64 MiB file of empty
 * lines would otherwise cost more than a gigabyte): the first finds the
 * region and the lines named by number, the second looks for templates in
 * the region only.  The result is a short list of splices (insert or
 * replace at a byte offset) applied in one copy.
 */
#include "edit.h"
#include "../util/xalloc.h"

#include <stdlib.h>
#include <string.h>

#define MARKER_PREFIX	"; php-fpm-guard:"
#define EXCERPT_MAX	60

struct line {
	size_t no;		/* 1-based; 0: no such line */
	size_t off, len;	/* content, without the ending */
	size_t eol;		/* 0, 1 ("\n") or 2 ("\r\n") */
};

struct cursor {
	const char *buf;
	size_t len, pos, no;
};

/* Where one key goes. */
struct target {
	struct line ln;		/* line rewritten; ln.no == 0: inserted */
	struct line prev;	/* the line above ln, prev.no == 0: none */
	const char *sect;	/* header name above ln.no (key lines only) */
	size_t sectlen;
	int has_sect;
};

struct region {
	int found;
	struct line hdr;	/* hdr.no == 0: starts at the file start */
	size_t first_off;	/* byte where the region starts */
	size_t first_no, last_no;
};

struct splice {
	size_t off;		/* where in the input */
	size_t cut;		/* input bytes replaced */
	int rank;		/* at one offset: after-line, marker, rewrite */
	size_t seq;
	char *text;
	size_t tlen;
};

struct plan {
	struct splice *v;
	size_t n, cap;
};

enum { RANK_AFTER, RANK_MARKER, RANK_REWRITE };

static const char *const eols[] = { "", "\n", "\r\n" };

/* The same blanks the reader skips (fpmconf.c). */
static int is_blank(char ch)
{
	return ch == ' ' || ch == '\t' || ch == '\r' || ch == '\v' ||
	    ch == '\f';
}

static char ascii_lower(char ch)
{
	/* if, not ?: -- a conditional on chars is an int in C. */
	if (ch >= 'A' && ch <= 'Z')
		return (char)(ch - 'A' + 'a');
	return ch;
}

/* Case-insensitive equality of a buffer span and a C string. */
static int span_eq(const char *p, size_t n, const char *s)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (s[i] == '\0' || ascii_lower(p[i]) != ascii_lower(s[i]))
			return 0;
	return s[n] == '\0';
}

static int next_line(struct cursor *c, struct line *l)
{
	const char *nl;
	size_t end;

	if (c->pos >= c->len)
		return 0;
	l->no = ++c->no;
	l->off = c->pos;
	nl = memchr(c->buf + c->pos, '\n', c->len - c->pos);
	if (nl == NULL) {
		l->len = c->len - c->pos;
		l->eol = 0;
		c->pos = c->len;
		return 1;
	}
	end = (size_t)(nl - c->buf);
	l->len = end - c->pos;
	l->eol = 1;
	if (l->len > 0 && c->buf[end - 1] == '\r') {
		l->len--;
		l->eol = 2;
	}
	c->pos = end + 1;
	return 1;
}

static const char *skip_blanks(const char *p, const char *end)
{
	while (p < end && is_blank(*p))
		p++;
	return p;
}

/* [ \t]*[ NAME ] ... : the section name, as fpmconf takes it. */
static int header_name(const char *buf, const struct line *l,
		       const char **name, size_t *nlen)
{
	const char *p = buf + l->off, *end = p + l->len, *close;

	p = skip_blanks(p, end);
	if (p >= end || *p != '[')
		return 0;
	p++;
	close = memchr(p, ']', (size_t)(end - p));
	if (close == NULL)
		return 0;
	*name = p;
	*nlen = (size_t)(close - p);
	return 1;
}

/* p starts KEY [blanks] '=', the key case-insensitive. */
static int key_then_equals(const char *p, const char *end, const char *key)
{
	size_t klen = strlen(key);

	if ((size_t)(end - p) < klen || !span_eq(p, klen, key))
		return 0;
	p = skip_blanks(p + klen, end);
	return p < end && *p == '=';
}

static int is_assignment(const char *buf, const struct line *l,
			 const char *key)
{
	const char *p = buf + l->off, *end = p + l->len;

	return key_then_equals(skip_blanks(p, end), end, key);
}

static int is_template(const char *buf, const struct line *l, const char *key,
		       int hash_comments)
{
	const char *p = buf + l->off, *end = p + l->len;

	p = skip_blanks(p, end);
	if (p >= end || !(*p == ';' || (hash_comments && *p == '#')))
		return 0;
	return key_then_equals(skip_blanks(p + 1, end), end, key);
}

static int is_marker(const char *buf, const struct line *l)
{
	const char *p = buf + l->off, *end = p + l->len;
	size_t n = sizeof MARKER_PREFIX - 1;

	p = skip_blanks(p, end);
	return (size_t)(end - p) >= n && memcmp(p, MARKER_PREFIX, n) == 0;
}

/* The line quoted in a message: bounded, control bytes (NUL too) as '?'. */
static char *excerpt(const char *buf, const struct line *l)
{
	size_t n = l->len < EXCERPT_MAX ? l->len : EXCERPT_MAX, i;
	char *s = xmalloc(n + 4);

	/* cppcheck-suppress knownConditionTrueFalse ; 2.10 takes n for 0 */
	for (i = 0; i < n; i++) {
		unsigned char ch = (unsigned char)buf[l->off + i];
		if (ch < 0x20 || ch == 0x7f)
			s[i] = '?';
		else
			s[i] = (char)ch;
	}
	/* cppcheck-suppress knownConditionTrueFalse ; as above */
	strcpy(s + n, n < l->len ? "..." : "");
	return s;
}

static int fail_expected(char **err, const char *buf, const struct line *l,
			 const char *key)
{
	char *ex = excerpt(buf, l);

	*err = xasprintf("line %zu: expected %s, found '%s'", l->no, key, ex);
	free(ex);
	return -1;
}

static int fail_section(char **err, size_t no, const char *what,
			const char *sect, size_t sectlen, const char *pool)
{
	struct line l = { 0, 0, sectlen, 0 };
	char *ex = excerpt(sect, &l);

	*err = xasprintf("line %zu: %s is in section [%s], not in [%s]", no,
	    what, ex, pool);
	free(ex);
	return -1;
}

static const char *bad_char(const char *s)
{
	if (strchr(s, '\n') != NULL)
		return "a newline";
	if (strchr(s, '\r') != NULL)
		return "a carriage return";
	return NULL;
}

static int check_request(const struct edit_request *rq, char **err)
{
	const char *why;
	size_t i, j;

	if (rq->pool == NULL || rq->pool[0] == '\0')
		return *err = xstrdup("no pool name given"), -1;
	if (rq->marker == NULL)
		return *err = xstrdup("no marker given"), -1;
	if ((why = bad_char(rq->marker)) != NULL)
		return *err = xasprintf("the marker contains %s", why), -1;
	if (rq->anchor_line < 0)
		return *err = xstrdup("negative anchor line"), -1;
	for (i = 0; i < rq->nkeys; i++) {
		const struct edit_key *k = &rq->keys[i];

		if (k->key == NULL || k->key[0] == '\0' || k->value == NULL)
			return *err = xstrdup("empty key"), -1;
		/* The written line must read back as this key, nothing else. */
		if (k->key[strcspn(k->key, " \t\v\f=;#\n\r")] != '\0')
			return *err = xasprintf("key '%s' is not a php-fpm key",
			    k->key), -1;
		if ((why = bad_char(k->value)) != NULL)
			return *err = xasprintf("%s: the value contains %s",
			    k->key, why), -1;
		if (k->line < 0)
			return *err = xasprintf("%s: negative line", k->key), -1;
		for (j = 0; j < i; j++)
			if (span_eq(k->key, strlen(k->key), rq->keys[j].key))
				return *err = xasprintf("key %s given twice",
				    k->key), -1;
	}
	return 0;
}

/*
 * Pass 1: the region, the anchor and the key lines, each with the line
 * above it and the header it sits under.
 */
static void scan_file(const char *buf, size_t len,
		      const struct edit_request *rq, struct region *reg,
		      struct target *anchor, struct target *tg,
		      size_t *nlines, size_t *first_eol)
{
	struct cursor c = { buf, len, 0, 0 };
	struct line l, prev = { 0, 0, 0, 0 }, hdr = { 0, 0, 0, 0 };
	const char *sect = NULL, *name;
	size_t sectlen = 0, nlen, i;
	int open = 0;

	memset(reg, 0, sizeof *reg);
	*first_eol = 1;
	while (next_line(&c, &l)) {
		if (l.no == 1 && l.eol != 0)
			*first_eol = l.eol;
		if (header_name(buf, &l, &name, &nlen)) {
			if (open)
				reg->last_no = l.no - 1;
			open = 0;
			hdr = l;
			sect = name;
			sectlen = nlen;
			if (rq->anchor_line == 0 && span_eq(name, nlen, rq->pool)) {
				reg->found = open = 1;
				reg->hdr = l;
				reg->first_off = l.off;
				reg->first_no = l.no;
			}
		}
		if ((size_t)rq->anchor_line == l.no) {
			reg->found = open = 1;
			reg->hdr = hdr;
			reg->first_off = hdr.no ? hdr.off : 0;
			reg->first_no = hdr.no ? hdr.no : 1;
		}
		for (i = 0; i <= rq->nkeys; i++) {
			struct target *t = i < rq->nkeys ? &tg[i] : anchor;
			int want = i < rq->nkeys ? rq->keys[i].line :
			    rq->anchor_line;

			if (want <= 0 || (size_t)want != l.no)
				continue;
			t->ln = l;
			t->prev = prev;
			t->sect = sect;
			t->sectlen = sectlen;
			t->has_sect = sect != NULL;
		}
		prev = l;
	}
	if (open)
		reg->last_no = c.no;
	*nlines = c.no;
}

/* A line named by number exists, is KEY = ..., and lies in the pool. */
static int check_target(const char *buf, const struct edit_request *rq,
			const struct target *t, int want, const char *key,
			size_t nlines, char **err)
{
	if (t->ln.no == 0) {
		*err = xasprintf("line %d: no such line for %s (the file has "
		    "%zu lines)", want, key, nlines);
		return -1;
	}
	if (!is_assignment(buf, &t->ln, key))
		return fail_expected(err, buf, &t->ln, key);
	if (t->has_sect && !span_eq(t->sect, t->sectlen, rq->pool))
		return fail_section(err, t->ln.no, key, t->sect, t->sectlen,
		    rq->pool);
	return 0;
}

/*
 * Pass 2, over the region only: the first template of each key that is
 * not set, and no active setting of such a key (the caller would have
 * named its line; inserting another would be shadowed or shadow it).
 */
static int scan_region(const char *buf, size_t len,
		       const struct edit_request *rq, const struct region *reg,
		       struct target *tg, char **err)
{
	struct cursor c = { buf, len, reg->first_off, reg->first_no - 1 };
	struct line l, prev = { 0, 0, 0, 0 };
	size_t i;

	while (c.no < reg->last_no && next_line(&c, &l)) {
		for (i = 0; i < rq->nkeys; i++) {
			const char *key = rq->keys[i].key;

			if (rq->keys[i].line != 0)
				continue;
			if (is_assignment(buf, &l, key)) {
				*err = xasprintf("line %zu: %s is set here, "
				    "but the request says it is not set in "
				    "this file", l.no, key);
				return -1;
			}
			if (tg[i].ln.no == 0 &&
			    is_template(buf, &l, key, rq->hash_comments)) {
				tg[i].ln = l;
				tg[i].prev = prev;
			}
		}
		prev = l;
	}
	return 0;
}

static void add_splice(struct plan *p, size_t off, size_t cut, int rank,
		       char *text)
{
	struct splice *s;

	XGROW(p->v, p->cap, p->n + 1);
	s = &p->v[p->n];
	s->off = off;
	s->cut = cut;
	s->rank = rank;
	s->seq = p->n;
	s->text = text;
	s->tlen = strlen(text);
	p->n++;
}

static int splice_cmp(const void *a, const void *b)
{
	const struct splice *x = a, *y = b;

	if (x->off != y->off)
		return x->off < y->off ? -1 : 1;
	if (x->rank != y->rank)
		return x->rank < y->rank ? -1 : 1;
	return x->seq < y->seq ? -1 : x->seq > y->seq;
}

static int is_rewritten(const struct target *tg, size_t n, size_t no)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (tg[i].ln.no == no)
			return 1;
	return 0;
}

/*
 * The marker for a rewritten line: reuse ours right above it, share the
 * one above a written line right above it, else add one.
 */
static void plan_marker(struct plan *p, const char *buf,
			const struct edit_request *rq, const struct target *tg,
			const struct target *t, size_t after_no,
			size_t first_eol)
{
	const struct line *ln = &t->ln, *pv = &t->prev;
	const char *eol = eols[ln->eol ? ln->eol : first_eol];

	if (pv->no != 0 && is_marker(buf, pv)) {
		add_splice(p, pv->off, pv->len, RANK_REWRITE,
		    xasprintf("; %s", rq->marker));
		return;
	}
	if (pv->no != 0 && (is_rewritten(tg, rq->nkeys, pv->no) ||
	    pv->no == after_no))
		return;
	add_splice(p, ln->off, 0, RANK_MARKER,
	    xasprintf("; %s%s", rq->marker, eol));
}

/* The block inserted after line `at`: marker (unless shared), then keys. */
static void plan_block(struct plan *p, const struct edit_request *rq,
		       const struct target *tg, const struct line *at,
		       size_t first_eol)
{
	const char *eol = eols[at->eol ? at->eol : first_eol];
	char *text, *more;
	size_t i;

	/* A last line without '\n' gets the file's ending first. */
	text = xstrdup(at->eol ? "" : eol);
	if (!is_rewritten(tg, rq->nkeys, at->no)) {
		more = xasprintf("%s; %s%s", text, rq->marker, eol);
		free(text);
		text = more;
	}
	for (i = 0; i < rq->nkeys; i++) {
		if (tg[i].ln.no != 0)
			continue;
		more = xasprintf("%s%s = %s%s", text, rq->keys[i].key,
		    rq->keys[i].value, eol);
		free(text);
		text = more;
	}
	add_splice(p, at->off + at->len + at->eol, 0, RANK_AFTER, text);
}

static void plan_edits(struct plan *p, const char *buf,
		       const struct edit_request *rq, const struct target *tg,
		       const struct line *at, size_t first_eol)
{
	size_t i, after_no = 0;

	for (i = 0; i < rq->nkeys; i++)
		if (tg[i].ln.no == 0)
			after_no = at->no;
	for (i = 0; i < rq->nkeys; i++) {
		const struct target *t = &tg[i];

		if (t->ln.no == 0)
			continue;
		add_splice(p, t->ln.off, t->ln.len, RANK_REWRITE,
		    xasprintf("%s = %s", rq->keys[i].key, rq->keys[i].value));
		plan_marker(p, buf, rq, tg, t, after_no, first_eol);
	}
	if (after_no != 0)
		plan_block(p, rq, tg, at, first_eol);
}

/* memcpy, but an empty input buffer may be NULL. */
static size_t put(char *dst, size_t o, const char *src, size_t n)
{
	if (n != 0)
		memcpy(dst + o, src, n);
	return o + n;
}

static void apply_plan(struct plan *p, const char *buf, size_t len,
		       char **out, size_t *outlen)
{
	size_t i, n = len, pos = 0, o = 0;
	char *dst;

	if (p->n > 0)
		qsort(p->v, p->n, sizeof *p->v, splice_cmp);
	for (i = 0; i < p->n; i++)
		n = n - p->v[i].cut + p->v[i].tlen;
	dst = xmalloc(n + 1);
	for (i = 0; i < p->n; i++) {
		const struct splice *s = &p->v[i];

		o = put(dst, o, buf + pos, s->off - pos);
		o = put(dst, o, s->text, s->tlen);
		pos = s->off + s->cut;
	}
	o = put(dst, o, buf + pos, len - pos);
	dst[o] = '\0';
	*out = dst;
	*outlen = o;
}

static void free_plan(struct plan *p)
{
	size_t i;

	for (i = 0; i < p->n; i++)
		free(p->v[i].text);
	free(p->v);
}

static int locate(const char *buf, size_t len, const struct edit_request *rq,
		  struct target *tg, struct line *at, size_t *first_eol,
		  char **err)
{
	struct region reg;
	struct target anchor;
	size_t i, nlines;

	memset(&anchor, 0, sizeof anchor);
	scan_file(buf, len, rq, &reg, &anchor, tg, &nlines, first_eol);
	if (rq->anchor_line > 0 && check_target(buf, rq, &anchor,
	    rq->anchor_line, "listen", nlines, err) < 0)
		return -1;
	for (i = 0; i < rq->nkeys; i++)
		if (rq->keys[i].line > 0 && check_target(buf, rq, &tg[i],
		    rq->keys[i].line, rq->keys[i].key, nlines, err) < 0)
			return -1;
	if (!reg.found) {
		*err = xasprintf("pool [%s] has no section in this file",
		    rq->pool);
		return -1;
	}
	*at = rq->anchor_line > 0 ? anchor.ln : reg.hdr;
	return scan_region(buf, len, rq, &reg, tg, err);
}

int edit_pool_file(const char *buf, size_t len, const struct edit_request *rq,
		   char **out, size_t *outlen, char **err)
{
	struct plan p = { NULL, 0, 0 };
	struct target *tg;
	struct line at;
	size_t first_eol;

	*out = NULL;
	*outlen = 0;
	*err = NULL;
	if (check_request(rq, err) < 0)
		return -1;
	tg = xcalloc(rq->nkeys, sizeof *tg);
	if (locate(buf, len, rq, tg, &at, &first_eol, err) < 0) {
		free(tg);
		return -1;
	}
	plan_edits(&p, buf, rq, tg, &at, first_eol);
	apply_plan(&p, buf, len, out, outlen);
	free_plan(&p);
	free(tg);
	return 0;
}
