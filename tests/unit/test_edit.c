/*
 * The pool-file editor against golden files, tests/unit/golden/edit/:
 *   NAME.in	the pool file, bytes as they are
 *   NAME.req	the request, one directive a line ('#' lines and blank
 *		lines ignored):
 *		  pool NAME
 *		  anchor LINE
 *		  marker TEXT...		(rest of the line)
 *		  hash_comments 0|1
 *		  key NAME LINE VALUE...	(value: rest of the line, with
 *						 \n \r \t \\ escapes)
 *   NAME.out	the exact bytes expected, or
 *   NAME.err	a substring of the expected error (its final '\n' dropped)
 */
#include "fixture.h"
#include "fix/edit.h"

#include <dirent.h>
#include <strings.h>

#ifndef PFG_GOLDEN_DIR
#define PFG_GOLDEN_DIR "tests/unit/golden"
#endif
#define EDIT_DIR PFG_GOLDEN_DIR "/edit"
#define MAX_KEYS 16

static const char *const cases[] = {
	"debian-stock-cve",
	"replace-active",
	"insert-after-listen",
	"crlf",
	"no-final-newline",
	"crlf-no-final-newline",
	"replace-last-line",
	"split-pool",
	"split-pool-no-anchor",
	"carried-section",
	"php5-hash",
	"php7-hash-not-template",
	"marker-idempotent",
	"marker-reapply",
	"nul-bytes",
	"error-wrong-line",
	"error-no-section",
	"error-empty-file",
	"value-with-newline",
	"value-with-cr",
	"error-anchor-not-listen",
	"error-key-set-in-region",
	"error-key-other-section",
	"error-line-past-end",
	"error-duplicate-key",
};
#define NCASES ((int)(sizeof cases / sizeof *cases))

struct blob {
	char *p;
	size_t n;
};

struct req {
	struct edit_request rq;
	struct edit_key keys[MAX_KEYS];
	char *strs[2 * MAX_KEYS + 2];	/* owned strings */
	size_t nstrs;
};

/* Read a whole file, binary; 0 if it does not exist. */
static int slurp(const char *name, const char *ext, struct blob *b)
{
	char path[1024];
	FILE *f;
	size_t cap = 4096;

	snprintf(path, sizeof path, "%s/%s.%s", EDIT_DIR, name, ext);
	if ((f = fopen(path, "rb")) == NULL) {
		ck_assert_msg(errno == ENOENT, "%s: %s", path, strerror(errno));
		return 0;
	}
	b->p = malloc(cap);
	b->n = 0;
	for (;;) {
		size_t got = fread(b->p + b->n, 1, cap - b->n, f);

		b->n += got;
		if (got == 0)
			break;
		if (b->n == cap)
			b->p = realloc(b->p, cap *= 2);
		ck_assert_ptr_nonnull(b->p);
	}
	ck_assert_msg(!ferror(f), "%s: read error", path);
	fclose(f);
	return 1;
}

static char *keep(struct req *r, char *s)
{
	ck_assert(r->nstrs < sizeof r->strs / sizeof *r->strs);
	return r->strs[r->nstrs++] = s;
}

static char *unescape(const char *s)
{
	char *d = malloc(strlen(s) + 1), *o = d;

	for (; *s; s++) {
		if (*s != '\\' || s[1] == '\0') {
			*o++ = *s;
			continue;
		}
		switch (*++s) {
		case 'n': *o++ = '\n'; break;
		case 'r': *o++ = '\r'; break;
		case 't': *o++ = '\t'; break;
		default: *o++ = *s; break;
		}
	}
	*o = '\0';
	return d;
}

static void parse_key(const char *name, struct req *r, char *args)
{
	char *save = NULL, *key = strtok_r(args, " ", &save);
	char *line = strtok_r(NULL, " ", &save), *value = strtok_r(NULL, "", &save);
	struct edit_key *k;

	ck_assert_msg(key && line, "%s.req: key NAME LINE VALUE", name);
	ck_assert_msg(r->rq.nkeys < MAX_KEYS, "%s.req: too many keys", name);
	k = &r->keys[r->rq.nkeys++];
	k->key = keep(r, strdup(key));
	k->line = atoi(line);
	k->value = keep(r, unescape(value ? value : ""));
}

static void parse_req(const char *name, const struct blob *b, struct req *r)
{
	char *text = strndup(b->p, b->n), *save = NULL, *ln, *arg;

	memset(r, 0, sizeof *r);
	r->rq.keys = r->keys;
	for (ln = strtok_r(text, "\n", &save); ln; ln = strtok_r(NULL, "\n", &save)) {
		if (ln[0] == '#' || ln[0] == '\0')
			continue;
		arg = strchr(ln, ' ');
		ck_assert_msg(arg != NULL, "%s.req: bad line '%s'", name, ln);
		*arg++ = '\0';
		if (strcmp(ln, "pool") == 0)
			r->rq.pool = keep(r, strdup(arg));
		else if (strcmp(ln, "anchor") == 0)
			r->rq.anchor_line = atoi(arg);
		else if (strcmp(ln, "marker") == 0)
			r->rq.marker = keep(r, strdup(arg));
		else if (strcmp(ln, "hash_comments") == 0)
			r->rq.hash_comments = atoi(arg);
		else if (strcmp(ln, "key") == 0)
			parse_key(name, r, arg);
		else
			ck_abort_msg("%s.req: unknown directive '%s'", name, ln);
	}
	free(text);
}

static void free_req(struct req *r)
{
	while (r->nstrs > 0)
		free(r->strs[--r->nstrs]);
}

static size_t first_diff(const char *a, size_t an, const char *b, size_t bn)
{
	size_t i, n = an < bn ? an : bn;

	for (i = 0; i < n && a[i] == b[i]; i++)
		;
	return i;
}

/* A short printable view of bytes at off, for failure messages. */
static const char *show(const char *p, size_t n, size_t off, char *buf, size_t bufsz)
{
	size_t i, o = 0;

	for (i = off; i < n && i < off + 24 && o + 5 < bufsz; i++) {
		unsigned char ch = (unsigned char)p[i];

		if (ch >= 0x20 && ch < 0x7f)
			buf[o++] = (char)ch;
		else
			o += (size_t)snprintf(buf + o, bufsz - o, "\\x%02x", ch);
	}
	buf[o] = '\0';
	return buf;
}

/* ---- every byte outside the written lines is the input's ---- */

struct lines {
	const char **p;
	size_t *n;		/* with the ending */
	size_t count;
};

static void split(const char *p, size_t n, struct lines *l)
{
	size_t i, start = 0;

	l->p = calloc(n + 1, sizeof *l->p);
	l->n = calloc(n + 1, sizeof *l->n);
	l->count = 0;
	for (i = 0; i < n; i++)
		if (p[i] == '\n') {
			l->p[l->count] = p + start;
			l->n[l->count++] = i + 1 - start;
			start = i + 1;
		}
	if (start < n) {
		l->p[l->count] = p + start;
		l->n[l->count++] = n - start;
	}
}

static size_t content_len(const char *p, size_t n)
{
	if (n > 0 && p[n - 1] == '\n')
		n--;
	if (n > 0 && p[n - 1] == '\r')
		n--;
	return n;
}

static int has_ci(const char *p, size_t n, const char *needle)
{
	size_t i, k = strlen(needle);

	for (i = 0; i + k <= n; i++)
		if (strncasecmp(p + i, needle, k) == 0)
			return 1;
	return 0;
}

/* A line the editor wrote: a marker or KEY = VALUE of the request. */
static int is_ours(const struct edit_request *rq, const char *p, size_t n)
{
	size_t i, c = content_len(p, n);
	char *line;
	int ours = 0;

	if (c >= 16 && memcmp(p, "; php-fpm-guard:", 16) == 0)
		return 1;
	for (i = 0; i < rq->nkeys && !ours; i++) {
		line = NULL;
		if (asprintf(&line, "%s = %s", rq->keys[i].key, rq->keys[i].value) < 0)
			ck_abort();
		ours = strlen(line) == c && memcmp(line, p, c) == 0;
		free(line);
	}
	return ours;
}

/* A line the editor may have rewritten: it names a key, or is a marker. */
static int may_change(const struct edit_request *rq, const char *p, size_t n)
{
	size_t i;

	if (has_ci(p, n, "php-fpm-guard:"))
		return 1;
	for (i = 0; i < rq->nkeys; i++)
		if (has_ci(p, n, rq->keys[i].key))
			return 1;
	return 0;
}

static void check_preserved(const char *name, const struct edit_request *rq,
			    const struct blob *in, const char *out, size_t outlen)
{
	struct lines a, b;
	size_t i = 0, j = 0;

	split(in->p, in->n, &a);
	split(out, outlen, &b);
	for (;;) {
		while (j < b.count && is_ours(rq, b.p[j], b.n[j]))
			j++;
		if (i >= a.count || j >= b.count)
			break;
		if (a.n[i] == b.n[j] && memcmp(a.p[i], b.p[j], a.n[i]) == 0) {
			i++, j++;
			continue;
		}
		/* The last line may have been given its missing ending. */
		if (i + 1 == a.count && a.p[i][a.n[i] - 1] != '\n' &&
		    content_len(b.p[j], b.n[j]) == a.n[i] &&
		    memcmp(a.p[i], b.p[j], a.n[i]) == 0) {
			i++, j++;
			continue;
		}
		ck_assert_msg(may_change(rq, a.p[i], a.n[i]),
		    "%s: input line %zu changed though it names no key", name, i + 1);
		i++;
	}
	ck_assert_msg(j == b.count, "%s: output line %zu is neither the input's "
	    "nor ours", name, j + 1);
	for (; i < a.count; i++)
		ck_assert_msg(may_change(rq, a.p[i], a.n[i]),
		    "%s: input line %zu lost", name, i + 1);
	free(a.p), free(a.n), free(b.p), free(b.n);
}

START_TEST(test_golden)
{
	const char *name = cases[_i];
	struct blob in, rqb, want;
	struct req r;
	char *out = NULL, *err = NULL, v1[128], v2[128];
	size_t outlen = 0, off;
	int rc, has_out, has_err;

	ck_assert_msg(slurp(name, "in", &in), "%s: no .in", name);
	ck_assert_msg(slurp(name, "req", &rqb), "%s: no .req", name);
	parse_req(name, &rqb, &r);
	has_out = slurp(name, "out", &want);
	if (!has_out)
		has_err = slurp(name, "err", &want);
	else
		has_err = 0;
	ck_assert_msg(has_out || has_err, "%s: neither .out nor .err", name);

	rc = edit_pool_file(in.p, in.n, &r.rq, &out, &outlen, &err);
	if (has_err) {
		char *sub = strndup(want.p, content_len(want.p, want.n));

		ck_assert_msg(rc == -1, "%s: succeeded, expected error '%s'", name, sub);
		ck_assert_msg(out == NULL, "%s: output on error", name);
		ck_assert_msg(err != NULL && strstr(err, sub) != NULL,
		    "%s: error '%s', expected '%s'", name, err ? err : "(none)", sub);
		free(sub);
	} else {
		ck_assert_msg(rc == 0, "%s: error: %s", name, err ? err : "(none)");
		ck_assert_msg(err == NULL, "%s: error message on success", name);
		check_preserved(name, &r.rq, &in, out, outlen);
		off = first_diff(out, outlen, want.p, want.n);
		ck_assert_msg(outlen == want.n && off == outlen,
		    "%s: output differs from %s.out at byte %zu (got %zu bytes, "
		    "want %zu): got \"%s\", want \"%s\"", name, name, off, outlen,
		    want.n, show(out, outlen, off, v1, sizeof v1),
		    show(want.p, want.n, off, v2, sizeof v2));
	}
	free(out);
	free(err);
	free(want.p);
	free(rqb.p);
	free(in.p);
	free_req(&r);
}
END_TEST

/* Every golden case on disk is in cases[], so none is silently skipped. */
START_TEST(test_golden_listed)
{
	DIR *d = opendir(EDIT_DIR);
	struct dirent *e;
	int i, nreq = 0;

	ck_assert_msg(d != NULL, "%s: %s", EDIT_DIR, strerror(errno));
	while ((e = readdir(d)) != NULL) {
		size_t n = strlen(e->d_name);

		if (n < 5 || strcmp(e->d_name + n - 4, ".req") != 0)
			continue;
		nreq++;
		for (i = 0; i < NCASES; i++)
			if (strlen(cases[i]) == n - 4 &&
			    strncmp(cases[i], e->d_name, n - 4) == 0)
				break;
		ck_assert_msg(i < NCASES, "golden case %s is not in cases[]", e->d_name);
	}
	closedir(d);
	ck_assert_int_eq(nreq, NCASES);
}
END_TEST

/* ---- large input: linear time, NUL bytes, no per-line storage ---- */

static const char FILLER[] = "; filler \0 line\n";
static const char TAIL_IN[] = "[www]\nlisten = /run/php/w.sock\n;listen.mode = 0660\n";
/* By the anchor: the template right after the block shares its marker. */
static const char TAIL_OUT[] = "[www]\nlisten = /run/php/w.sock\n; php-fpm-guard: m\n"
	"listen.owner = www-data\nlisten.mode = 0660\n";
/* By the header: the block follows it, the template has its own marker. */
static const char TAIL_OUT_HDR[] = "[www]\n; php-fpm-guard: m\nlisten.owner = www-data\n"
	"listen = /run/php/w.sock\n; php-fpm-guard: m\nlisten.mode = 0660\n";
#define NFILL ((size_t)1 << 20)

START_TEST(test_large)
{
	const size_t fl = sizeof FILLER - 1;
	const char *tail = _i == 0 ? TAIL_OUT_HDR : TAIL_OUT;
	const size_t tin = sizeof TAIL_IN - 1, tout = strlen(tail);
	struct edit_key keys[] = {
		{ "listen.owner", "www-data", 0 },
		{ "listen.mode", "0660", 0 },
	};
	struct edit_request rq = { "www", 0, "php-fpm-guard: m", keys, 2, 0 };
	char *buf = malloc(NFILL * fl + tin), *out, *err;
	size_t i, outlen;

	for (i = 0; i < NFILL; i++)
		memcpy(buf + i * fl, FILLER, fl);
	memcpy(buf + NFILL * fl, TAIL_IN, tin);
	/* _i == 0: the region by its header; 1: by the anchor. */
	rq.anchor_line = _i == 0 ? 0 : (int)NFILL + 2;
	ck_assert_msg(edit_pool_file(buf, NFILL * fl + tin, &rq, &out, &outlen,
	    &err) == 0, "error: %s", err);
	ck_assert_uint_eq(outlen, NFILL * fl + tout);
	ck_assert(memcmp(out, buf, NFILL * fl) == 0);
	ck_assert(memcmp(out + NFILL * fl, tail, tout) == 0);
	free(out);
	free(buf);
}
END_TEST

/* Requests the .req format cannot spell. */
START_TEST(test_bad_requests)
{
	static const char conf[] = "[www]\nlisten = /run/php/w.sock\n";
	struct edit_key k = { "listen.owner", "www-data", 0 };
	struct edit_request rq = { "www", 2, "php-fpm-guard: m", &k, 1, 0 };
	char *out, *err;
	size_t outlen;

	rq.marker = "php-fpm-guard: two\nlines";
	ck_assert_int_eq(edit_pool_file(conf, sizeof conf - 1, &rq, &out, &outlen, &err), -1);
	ck_assert_ptr_nonnull(strstr(err, "marker"));
	free(err);
	rq.marker = "php-fpm-guard: m";
	k.key = "listen.owner = x";
	ck_assert_int_eq(edit_pool_file(conf, sizeof conf - 1, &rq, &out, &outlen, &err), -1);
	ck_assert_ptr_nonnull(strstr(err, "not a php-fpm key"));
	free(err);
	k.key = "";
	ck_assert_int_eq(edit_pool_file(conf, sizeof conf - 1, &rq, &out, &outlen, &err), -1);
	free(err);
	k.key = "listen.owner";
	rq.pool = "";
	ck_assert_int_eq(edit_pool_file(conf, sizeof conf - 1, &rq, &out, &outlen, &err), -1);
	free(err);
	/* No keys: the file comes back as it was. */
	rq.pool = "www";
	rq.nkeys = 0;
	ck_assert_int_eq(edit_pool_file(conf, sizeof conf - 1, &rq, &out, &outlen, &err), 0);
	ck_assert_uint_eq(outlen, sizeof conf - 1);
	ck_assert(memcmp(out, conf, outlen) == 0);
	free(out);
}
END_TEST

static Suite *suite(void)
{
	Suite *s = suite_create("edit");
	TCase *tc = tcase_create("golden");
	TCase *big = tcase_create("large");

	tcase_add_loop_test(tc, test_golden, 0, NCASES);
	tcase_add_test(tc, test_golden_listed);
	tcase_add_test(tc, test_bad_requests);
	suite_add_tcase(s, tc);
	/* 16 MiB twice; sanitizers make it slower. */
	tcase_set_timeout(big, 60);
	tcase_add_loop_test(big, test_large, 0, 2);
	suite_add_tcase(s, big);
	return s;
}

int main(void)
{
	return fixture_run_suite(suite());
}
