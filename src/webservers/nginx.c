/*
 * nginx's configuration, read the way nginx reads it (ngx_conf_file.c):
 * words separated by blanks, "quoted" or 'quoted' with backslash escapes,
 * '#' comments where a word could start, statements ended by ';' or
 * opening a block with '{', '}' closing it.  A block opened in a file
 * closes in that file; `include` reads each matching file in the context
 * of the include line.
 */
#include "wsread.h"
#include "../util/run.h"
#include "../util/xalloc.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define NGINX_BIN "/usr/sbin/nginx"
#define NGINX_CONF "/etc/nginx/nginx.conf"
#define DUMP_HEADER "# configuration file "
/* nginx -T of thousands of virtual hosts is megabytes; a cut dump does
 * not match the files and they are read instead. */
#define NGINX_DUMP_MAX ((size_t)64 << 20)
/* Files parsed per walk, counting repeats (fastcgi_params is included in
 * every PHP location): enough for any host, an end for include loops. */
#define NX_MAX_PARSES 20000
/* Blocks nested in one walk: real configs nest four or five deep. */
#define NX_MAX_NESTING 64

/* ---- the tokenizer ---- */

struct nx_lex {
	const char *p, *end;
	const char *file;
	int line;
};

enum nx_end { NX_SEMI, NX_OPEN, NX_CLOSE, NX_EOF, NX_ERROR };

/* One statement's words.  Every file of a thousand sites passes
 * through here: the words live in one buffer reused from statement to
 * statement, not one allocation each. */
struct nx_stmt {
	char *buf;		/* the words, each NUL-terminated */
	size_t len, cap;
	size_t *off;		/* where each word starts in buf */
	char **args;		/* into buf, set when the statement ends */
	size_t nargs, acap;
	int line;		/* of the first word */
	char err[96];
};

static void stmt_clear(struct nx_stmt *st)
{
	st->len = 0;
	st->nargs = 0;
}

static void stmt_free(struct nx_stmt *st)
{
	free(st->buf);
	free(st->off);
	free(st->args);
}

/* The statement is complete: point args at its words. */
static void stmt_args(struct nx_stmt *st)
{
	size_t i;

	for (i = 0; i < st->nargs; i++)
		st->args[i] = st->buf + st->off[i];
}

static int blank(char c)
{
	return c == ' ' || c == '\t' || c == '\r' || c == '\n';
}

/* Add a word, undoing nginx's escapes: \" \' \\ and \t \r \n. */
static void push_word(struct nx_stmt *st, const char *s, size_t n)
{
	const char *e = s + n;
	char *d;

	if (st->len + n + 1 > st->cap)
		XGROW(st->buf, st->cap, st->len + n + 1);
	if (st->nargs + 1 > st->acap) {
		size_t cap = st->acap;
		XGROW(st->off, cap, st->nargs + 1);
		XGROW(st->args, st->acap, st->nargs + 1);
	}
	st->off[st->nargs++] = st->len;
	d = st->buf + st->len;

	while (s < e) {
		if (*s == '\\' && s + 1 < e) {
			switch (s[1]) {
			case '"': case '\'': case '\\': s++; break;
			case 't': *d++ = '\t'; s += 2; continue;
			case 'r': *d++ = '\r'; s += 2; continue;
			case 'n': *d++ = '\n'; s += 2; continue;
			default: break;
			}
		}
		*d++ = *s++;
	}
	*d++ = '\0';
	st->len = (size_t)(d - st->buf);
}

/* A quoted word; lx->p is past the opening quote. */
static int quoted_word(struct nx_lex *lx, struct nx_stmt *st, char q)
{
	const char *start = lx->p;

	while (lx->p < lx->end && *lx->p != q) {
		if (*lx->p == '\n')
			lx->line++;
		if (*lx->p == '\\' && lx->p + 1 < lx->end)
			lx->p++;
		lx->p++;
	}
	if (lx->p >= lx->end)
		return -1;
	push_word(st, start, (size_t)(lx->p - start));
	lx->p++;
	/* nginx wants a blank, ';' or '{' after the closing quote. */
	if (lx->p < lx->end && !blank(*lx->p) && *lx->p != ';' && *lx->p != '{') {
		snprintf(st->err, sizeof st->err, "unexpected \"%c\"", *lx->p);
		return -1;
	}
	return 0;
}

/* An unquoted word: up to a blank, ';' or '{' ("${" keeps going). */
static void plain_word(struct nx_lex *lx, struct nx_stmt *st)
{
	const char *start = lx->p;

	while (lx->p < lx->end) {
		char c = *lx->p;
		if (c == '\\' && lx->p + 1 < lx->end) {
			lx->p += 2;
			continue;
		}
		if (c == '{' && lx->p > start && lx->p[-1] == '$') {
			lx->p++;
			continue;
		}
		if (blank(c) || c == ';' || c == '{')
			break;
		lx->p++;
	}
	push_word(st, start, (size_t)(lx->p - start));
}

/* One statement: its words and how it ended. */
static enum nx_end nx_read(struct nx_lex *lx, struct nx_stmt *st)
{
	stmt_clear(st);
	st->err[0] = '\0';
	for (;;) {
		char c;
		while (lx->p < lx->end && blank(*lx->p)) {
			if (*lx->p == '\n')
				lx->line++;
			lx->p++;
		}
		if (lx->p >= lx->end) {
			if (st->nargs == 0)
				return NX_EOF;
			snprintf(st->err, sizeof st->err, "unexpected end of file, expecting \";\" or \"}\"");
			return NX_ERROR;
		}
		c = *lx->p;
		if (c == ';' || c == '{' || c == '}') {
			lx->p++;
			if ((c == '}') != (st->nargs == 0)) {
				snprintf(st->err, sizeof st->err, "unexpected \"%c\"", c);
				return NX_ERROR;
			}
			stmt_args(st);
			return c == ';' ? NX_SEMI : c == '{' ? NX_OPEN : NX_CLOSE;
		}
		if (c == '#') {
			while (lx->p < lx->end && *lx->p != '\n')
				lx->p++;
			continue;
		}
		if (st->nargs == 0)
			st->line = lx->line;
		if (c == '"' || c == '\'') {
			lx->p++;
			if (quoted_word(lx, st, c) < 0) {
				if (!st->err[0])
					snprintf(st->err, sizeof st->err, "unterminated %c quote", c);
				return NX_ERROR;
			}
		} else {
			plain_word(lx, st);
		}
	}
}

/* ---- the walk ---- */

enum nx_ctx { CX_MAIN, CX_HTTP, CX_SERVER, CX_UPSTREAM, CX_OTHER };

struct nx_member {		/* upstream NAME { server unix:PATH; } */
	char *upstream, *socket, *file;
	int line;
};

struct nx_pass {		/* fastcgi_pass NAME (an upstream, or host:port) */
	char *name, *file;
	int line;
	size_t vhost_use;	/* a placeholder use that carries the vhost */
};

struct nx {
	const struct ws_src *src;
	struct ws_config *c;
	struct ws_server *s;
	char *prefix;		/* directory of nginx.conf, for relative includes */
	int depth;		/* includes */
	int nesting;		/* blocks */
	size_t parses;
	char *upstream;		/* inside upstream NAME { } */
	struct nx_member *mem;
	size_t nmem, cap_mem;
	struct nx_pass *pass;
	size_t npass, cap_pass;
	/* the server { } being read */
	char *server_name;
	int have_user;
	/* Directives that counted, so far: a file whose parse adds none
	 * (fastcgi.conf, snippets/fastcgi-php.conf, included by every PHP
	 * location) is not read again in the same context. */
	size_t effects;
	struct nx_inert {
		char *path;
		enum nx_ctx ctx;
	} *inert;
	size_t ninert, cap_inert;
};

static int is_inert(const struct nx *x, const char *path, enum nx_ctx ctx)
{
	size_t i;

	for (i = 0; i < x->ninert; i++)
		if (x->inert[i].ctx == ctx && strcmp(x->inert[i].path, path) == 0)
			return 1;
	return 0;
}

/*
 * The walk recurses as nginx's own parser does, through nested blocks and
 * includes; both are bounded (NX_MAX_NESTING blocks in a file,
 * WS_MAX_DEPTH includes), so the stack stays small whatever the files say.
 */
/* NOLINTBEGIN(misc-no-recursion) */
static int nx_file(struct nx *x, const char *path, enum nx_ctx ctx);

static void nx_include(struct nx *x, const char *file, int line, const char *arg,
		       enum nx_ctx ctx)
{
	char *pattern = arg[0] == '/' ? xstrdup(arg) : xasprintf("%s%s", x->prefix, arg);
	const char *why;
	char **paths;
	size_t n, i;

	n = ws_src_glob(x->src, pattern, &paths, &why);
	if (why)
		ws_error(x->s, file, line, "include pattern '%.64s%s' refused: %s", pattern,
			 strlen(pattern) > 64 ? "..." : "", why);
	for (i = 0; i < n; i++)
		if (nx_file(x, paths[i], ctx) < 0)
			ws_note(x->s, "%s:%d: include %s: %s", file, line, paths[i],
				errno == ENOENT ? "no such file" : strerror(errno));
	ws_strings_free(paths, n);
	free(pattern);
}

static void nx_fastcgi_pass(struct nx *x, const char *file, const struct nx_stmt *st)
{
	const char *a = st->args[1];

	if (strchr(a, '$')) {
		ws_note(x->s, "%s:%d: fastcgi_pass %s has variables: not followed", file,
			st->line, a);
	} else if (strncmp(a, "unix:", 5) == 0) {
		if (a[5] == '/')
			ws_add_use(x->c, WS_NGINX, a + 5, "fastcgi_pass", file, st->line);
		else
			ws_note(x->s, "%s:%d: fastcgi_pass %s: not an absolute path", file,
				st->line, a);
	} else {
		/* An upstream's name, resolved once every upstream is known, or
		 * a TCP address.  A placeholder use (no socket) holds the
		 * virtual host until then. */
		XGROW(x->pass, x->cap_pass, x->npass + 1);
		x->pass[x->npass].name = xstrdup(a);
		x->pass[x->npass].file = xstrdup(file);
		x->pass[x->npass].line = st->line;
		x->pass[x->npass].vhost_use = ws_add_use(x->c, WS_NGINX, "", "", file, st->line);
		x->npass++;
	}
}

static void nx_simple(struct nx *x, const char *file, const struct nx_stmt *st,
		      enum nx_ctx ctx)
{
	const char *d = st->args[0];

	if (strcmp(d, "include") == 0 && st->nargs == 2) {
		nx_include(x, file, st->line, st->args[1], ctx);
		return;
	}
	if (strcmp(d, "user") == 0 && ctx == CX_MAIN && st->nargs >= 2) {
		free(x->s->user);
		free(x->s->user_source);
		x->s->user = xstrdup(st->args[1]);
		x->s->user_source = xasprintf("%s:%d", file, st->line);
		x->have_user = 1;
	} else if (strcmp(d, "server_name") == 0 && ctx == CX_SERVER && st->nargs >= 2) {
		if (x->server_name == NULL)
			x->server_name = xstrdup(st->args[1]);
	} else if (strcmp(d, "fastcgi_pass") == 0 && ctx == CX_SERVER && st->nargs == 2) {
		nx_fastcgi_pass(x, file, st);
	} else if (strcmp(d, "server") == 0 && ctx == CX_UPSTREAM && st->nargs >= 2 &&
		   strncmp(st->args[1], "unix:", 5) == 0 && st->args[1][5] == '/') {
		XGROW(x->mem, x->cap_mem, x->nmem + 1);
		x->mem[x->nmem].upstream = xstrdup(x->upstream);
		x->mem[x->nmem].socket = xstrdup(st->args[1] + 5);
		x->mem[x->nmem].file = xstrdup(file);
		x->mem[x->nmem].line = st->line;
		x->nmem++;
	} else {
		return;		/* nothing that counts */
	}
	x->effects++;
}

static int nx_block(struct nx *x, struct nx_lex *lx, enum nx_ctx ctx, int in_block);

/* A block statement: what context its body is read in. */
static int nx_open(struct nx *x, struct nx_lex *lx, const struct nx_stmt *st,
		   enum nx_ctx ctx)
{
	const char *d = st->args[0];
	size_t first;
	int rc, line = st->line;

	if ((ctx == CX_MAIN && strcmp(d, "http") == 0) ||
	    (ctx == CX_HTTP && (strcmp(d, "upstream") == 0 || strcmp(d, "server") == 0)))
		x->effects++;
	if (ctx == CX_MAIN && strcmp(d, "http") == 0)
		return nx_block(x, lx, CX_HTTP, 1);
	if (ctx == CX_HTTP && strcmp(d, "upstream") == 0 && st->nargs == 2) {
		x->upstream = xstrdup(st->args[1]);
		rc = nx_block(x, lx, CX_UPSTREAM, 1);
		free(x->upstream);
		x->upstream = NULL;
		return rc;
	}
	if (ctx == CX_HTTP && strcmp(d, "server") == 0) {
		/* server_name may come after the locations: the uses read in
		 * this block get it when the block ends. */
		first = x->c->nuses;
		free(x->server_name);
		x->server_name = NULL;
		rc = nx_block(x, lx, CX_SERVER, 1);
		ws_set_vhost(x->c, first, x->server_name ? x->server_name : "", lx->file, line);
		free(x->server_name);
		x->server_name = NULL;
		return rc;
	}
	/* location, if, limit_except inside a server stay in it; anything
	 * else (events, map, types, stream, mail) is only searched for
	 * includes. */
	return nx_block(x, lx, ctx == CX_SERVER ? CX_SERVER : CX_OTHER, 1);
}

static int nx_block(struct nx *x, struct nx_lex *lx, enum nx_ctx ctx, int in_block)
{
	struct nx_stmt st;
	int rc = 0;

	if (in_block && x->nesting >= NX_MAX_NESTING) {
		ws_note(x->s, "%s:%d: blocks nested deeper than %d: the rest of this file is not read",
			lx->file, lx->line, NX_MAX_NESTING);
		return -1;
	}
	x->nesting += in_block;
	memset(&st, 0, sizeof st);
	for (;;) {
		enum nx_end e = nx_read(lx, &st);
		if (e == NX_ERROR) {
			ws_note(x->s, "%s:%d: %s: the rest of this file is not read", lx->file,
				lx->line, st.err);
			rc = -1;
			break;
		}
		if (e == NX_EOF || e == NX_CLOSE) {
			if ((e == NX_EOF && in_block) || (e == NX_CLOSE && !in_block)) {
				ws_note(x->s, "%s:%d: unexpected %s", lx->file, lx->line,
					e == NX_EOF ? "end of file, expecting \"}\"" : "\"}\"");
				rc = -1;
			}
			break;
		}
		if (e == NX_SEMI)
			nx_simple(x, lx->file, &st, ctx);
		else if (nx_open(x, lx, &st, ctx) < 0) {
			rc = -1;
			break;
		}
	}
	stmt_free(&st);
	x->nesting -= in_block;
	return rc;
}

/* Read path in context ctx: 0, or -1 with errno when it cannot be read
 * (the caller says where it was included). */
static int nx_file(struct nx *x, const char *path, enum nx_ctx ctx)
{
	struct nx_lex lx;
	char *buf;
	size_t len, effects = x->effects, notes = x->s->nnotes;

	if (is_inert(x, path, ctx))
		return 0;
	if (x->depth >= WS_MAX_DEPTH || ++x->parses > NX_MAX_PARSES) {
		ws_note(x->s, "%s: not read: includes nested deeper than %d or more than %d files",
			path, WS_MAX_DEPTH, NX_MAX_PARSES);
		return 0;
	}
	if (ws_src_read(x->src, path, &buf, &len) < 0)
		return -1;
	ws_add_file(x->s, path);
	lx.p = buf;
	lx.end = buf + len;
	lx.file = path;
	lx.line = 1;
	x->depth++;
	nx_block(x, &lx, ctx, 0);
	x->depth--;
	free(buf);
	if (x->effects == effects && x->s->nnotes == notes) {
		XGROW(x->inert, x->cap_inert, x->ninert + 1);
		x->inert[x->ninert].path = xstrdup(path);
		x->inert[x->ninert++].ctx = ctx;
	}
	return 0;
}

/* NOLINTEND(misc-no-recursion) */

/* fastcgi_pass NAME: the unix members of upstream NAME, each a use at
 * its `server unix:` line (where the path is), with the pass's host. */
static void nx_resolve(struct nx *x)
{
	size_t i, j;

	for (i = 0; i < x->npass; i++) {
		const struct nx_pass *p = &x->pass[i];
		const struct ws_use *ph;
		for (j = 0; j < x->nmem; j++) {
			const struct nx_member *m = &x->mem[j];
			char *d;
			size_t u;
			if (strcmp(m->upstream, p->name) != 0)
				continue;
			if (x->c->nuses >= WS_MAX_USES) {
				ws_note(x->s, "more than %d uses: the rest left out", WS_MAX_USES);
				return;
			}
			d = xasprintf("server in upstream %s (fastcgi_pass at %s:%d)", m->upstream,
				      p->file, p->line);
			u = ws_add_use(x->c, WS_NGINX, m->socket, d, m->file, m->line);
			free(d);
			ph = &x->c->uses[p->vhost_use];	/* the array may have moved */
			ws_set_vhost(x->c, u, ph->vhost ? ph->vhost : "", ph->vhost_file,
				     ph->vhost_line);
		}
	}
}


void ws_nginx_walk(const struct ws_src *src, const char *main_conf, struct ws_config *c)
{
	struct nx x;
	const char *slash = strrchr(main_conf, '/');
	size_t i, first = c->nuses;

	memset(&x, 0, sizeof x);
	x.src = src;
	x.c = c;
	x.s = &c->srv[WS_NGINX];
	x.s->present = 1;
	free(x.s->config);
	x.s->config = xstrdup(main_conf);
	x.prefix = xstrndup(main_conf, slash ? (size_t)(slash - main_conf) + 1 : 0);
	if (nx_file(&x, main_conf, CX_MAIN) < 0)
		ws_note(x.s, "%s: cannot read: %s", main_conf, strerror(errno));
	nx_resolve(&x);
	ws_drop_placeholders(c, first, WS_NGINX);
	if (!x.have_user) {
		/* nginx started as root runs its workers as nobody. */
		x.s->user = xstrdup("nobody");
		x.s->user_source = xasprintf("%s (no user directive: nginx's default)", main_conf);
	}
	for (i = 0; i < x.nmem; i++) {
		free(x.mem[i].upstream);
		free(x.mem[i].socket);
		free(x.mem[i].file);
	}
	free(x.mem);
	for (i = 0; i < x.npass; i++) {
		free(x.pass[i].name);
		free(x.pass[i].file);
	}
	free(x.pass);
	for (i = 0; i < x.ninert; i++)
		free(x.inert[i].path);
	free(x.inert);
	free(x.prefix);
}

/* ---- nginx -T ---- */

void ws_texts_free(struct ws_text *t, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++) {
		free(t[i].path);
		free(t[i].text);
	}
	free(t);
}

/*
 * "# configuration file PATH:\n", PATH's bytes, "\n", the next header...
 * nginx writes each file as it read it and adds a newline.  The size of
 * the file in the root says where its text ends, so a line inside a file
 * that looks like a header cannot split it.
 */
int ws_nginx_parse_dump(const struct rootfs *r, const char *out, struct ws_text **files,
			size_t *n)
{
	const char *p = out, *end = out + strlen(out), *nl;
	struct stat st;
	size_t cap = 0;

	*files = NULL;
	*n = 0;
	/* Anything before the first header (warnings) is not the dump. */
	while (strncmp(p, DUMP_HEADER, strlen(DUMP_HEADER)) != 0) {
		if ((p = strchr(p, '\n')) == NULL)
			return -1;
		p++;
	}
	while (*p) {
		struct ws_text *t;
		if (strncmp(p, DUMP_HEADER, strlen(DUMP_HEADER)) != 0 ||
		    (nl = strchr(p, '\n')) == NULL || nl[-1] != ':')
			goto bad;
		p += strlen(DUMP_HEADER);
		XGROW(*files, cap, *n + 1);
		t = &(*files)[(*n)++];
		t->path = xstrndup(p, (size_t)(nl - 1 - p));
		t->text = NULL;
		if (t->path[0] != '/' || rootfs_stat(r, t->path, &st) < 0 || !S_ISREG(st.st_mode) ||
		    (size_t)(end - nl - 1) < (size_t)st.st_size + 1 || nl[1 + st.st_size] != '\n')
			goto bad;
		t->len = (size_t)st.st_size;
		t->text = xstrndup(nl + 1, t->len);
		if (strlen(t->text) != t->len)	/* a NUL byte */
			goto bad;
		p = nl + 1 + st.st_size + 1;
	}
	return *n > 0 ? 0 : -1;
bad:
	ws_texts_free(*files, *n);
	*files = NULL;
	*n = 0;
	return -1;
}

static int nginx_dump(const struct rootfs *r, struct ws_config *c)
{
	char *argv[] = { NGINX_BIN, "-T", "-q", NULL };
	struct ws_server *s = &c->srv[WS_NGINX];
	struct ws_text *files;
	struct ws_src src;
	char *out = NULL;
	size_t n;
	int status;

	if (access(NGINX_BIN, X_OK) < 0)
		return -1;
	if (run_capture_max(argv, WS_RUN_TIMEOUT_MS, NGINX_DUMP_MAX, &out, &status) < 0) {
		ws_note(s, "%s -T: cannot run: %s; read the files instead", NGINX_BIN,
			strerror(errno));
		return -1;
	}
	if (status != 0 || ws_nginx_parse_dump(r, out, &files, &n) < 0) {
		char *first = out ? xstrndup(out, strcspn(out, "\n")) : xstrdup("");
		char how[96];
		if (status != 0)
			ws_note(s, "%s -T refuses the configuration (%s: %s); read the files instead",
				NGINX_BIN, run_status_text(status, WS_RUN_TIMEOUT_MS, how,
							   sizeof how), first);
		else
			ws_note(s, "%s -T: its output does not match the files (changed "
				"meanwhile?); read the files instead", NGINX_BIN);
		free(first);
		free(out);
		return -1;
	}
	free(out);
	memset(&src, 0, sizeof src);
	src.root = r;
	src.dump = files;
	src.ndump = n;
	s->read_by = "nginx -T";
	ws_nginx_walk(&src, files[0].path, c);
	ws_texts_free(files, n);
	return 0;
}

void ws_nginx_read(const struct rootfs *r, int ask, struct ws_config *c)
{
	struct ws_src src;
	struct stat st;

	if (ask && nginx_dump(r, c) == 0)
		return;
	if (rootfs_stat(r, NGINX_CONF, &st) < 0)
		return;
	memset(&src, 0, sizeof src);
	src.root = r;
	ws_nginx_walk(&src, NGINX_CONF, c);
}
