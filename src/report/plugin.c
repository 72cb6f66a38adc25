#include "plugin.h"
#include "report.h"
#include "../util/xalloc.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#define PLUGIN_NAME "PHP-FPM-GUARD"
/* What is kept of stderr for the reason and the notes. */
#define CAPTURE_MAX ((size_t)64 << 10)
/* Long output: agents cut it (NRPE at 64 KiB, older ones at 1 KiB). */
#define DETAILS_MAX 40
/* Names listed per summary part. */
#define NAMES_MAX 3

/* ---- the mode: stderr kept, every way out an answer ---- */

static struct {
	int active, answered;
	pid_t pid;
	int err_fd;		/* memfd behind fd 2: what went to stderr */
} mode = { 0, 0, 0, -1 };

static const char *const state_names[] = { "OK", "WARNING", "CRITICAL", "UNKNOWN" };

const char *plugin_state_name(enum plugin_state s)
{
	return s >= PLUGIN_OK && s <= PLUGIN_UNKNOWN ? state_names[s] : "UNKNOWN";
}

int plugin_active(void)
{
	return mode.active;
}

/* What went to stderr so far (its last CAPTURE_MAX bytes), or NULL.
 * Plain malloc: this also runs on the way out after out of memory. */
static char *captured(void)
{
	struct stat st;
	size_t n, off = 0;
	ssize_t got;
	char *buf;

	if (mode.err_fd < 0 || fstat(mode.err_fd, &st) < 0 || st.st_size <= 0)
		return NULL;
	n = (size_t)st.st_size;
	if (n > CAPTURE_MAX) {
		off = n - CAPTURE_MAX;
		n = CAPTURE_MAX;
	}
	if ((buf = malloc(n + 1)) == NULL)
		return NULL;
	got = pread(mode.err_fd, buf, n, (off_t)off);
	buf[got > 0 ? got : 0] = '\0';
	return buf;
}

/* A line of stderr without the program's own prefix ("php-fpm-guard: ",
 * getopt's "/usr/sbin/php-fpm-guard: "). */
static const char *unprefixed(const char *line)
{
	static const char name[] = "php-fpm-guard: ";
	const char *p = strstr(line, name);

	return p && memchr(line, ' ', (size_t)(p - line)) == NULL ? p + sizeof name - 1 : line;
}

/* The last non-empty line of text, cut off it: text keeps the lines
 * before (NULL: none; plain malloc, as for captured()). */
static char *cut_last_line(char *text)
{
	char *end = text + strlen(text), *start, *line;

	while (end > text && end[-1] == '\n')
		*--end = '\0';
	if (end == text)
		return NULL;
	for (start = end; start > text && start[-1] != '\n'; start--)
		;
	line = strdup(unprefixed(start));
	*start = '\0';
	return line;
}

/* s as text that cannot break the output's shape: '|', DEL and bytes
 * below 0x20 as \xNN -- newline too, unless keep_nl. */
static void put_safe(FILE *f, const char *s, int keep_nl)
{
	const unsigned char *p = (const unsigned char *)s;

	for (; *p; p++) {
		if ((*p == '\n' && keep_nl) || (*p >= 0x20 && *p != 0x7f && *p != '|'))
			fputc(*p, f);
		else
			fprintf(f, "\\x%02x", *p);
	}
}

/* Each line of what went to stderr, as a note. */
static void put_notes(FILE *f, char *text)
{
	char *line, *save = NULL;

	for (line = strtok_r(text, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
		fputs("note: ", f);
		put_safe(f, unprefixed(line), 0);
		fputc('\n', f);
	}
}

void plugin_fail(const char *why, int with_stderr)
{
	char *err = captured();
	char *line = err && with_stderr ? cut_last_line(err) : NULL;

	mode.answered = 1;
	printf("%s UNKNOWN - ", PLUGIN_NAME);
	if (why)
		put_safe(stdout, why, 0);
	if (why && line)
		fputs(": ", stdout);
	if (line)
		put_safe(stdout, line, 0);
	if (!why && !line)
		fputs("php-fpm-guard failed and gave no reason", stdout);
	putchar('\n');
	if (err)
		put_notes(stdout, err);	/* what came before */
	fflush(stdout);
	free(line);
	free(err);
	_exit(PLUGIN_UNKNOWN);
}

/* Any exit() before the answer: die(), diex(), out of memory. */
static void exit_unknown(void)
{
	if (!mode.active || mode.answered || getpid() != mode.pid)
		return;
	plugin_fail(NULL, 1);
}

void plugin_begin(void)
{
	int fd;

	if (mode.active)
		return;
	mode.active = 1;
	mode.pid = getpid();
	pfg_die_code = PLUGIN_UNKNOWN;
	fflush(stderr);
	fd = memfd_create("php-fpm-guard-stderr", MFD_CLOEXEC);
	if (fd >= 0 && dup2(fd, STDERR_FILENO) >= 0)
		mode.err_fd = fd;
	else if (fd >= 0)
		close(fd);
	atexit(exit_unknown);
}

int plugin_emit(enum plugin_state s, const char *summary, const char *perf,
		const char *details)
{
	char *err = captured();

	mode.answered = 1;
	printf("%s %s - ", PLUGIN_NAME, plugin_state_name(s));
	put_safe(stdout, summary, 0);
	if (*perf)
		printf(" | %s", perf);
	putchar('\n');
	put_safe(stdout, details, 1);
	if (err)
		put_notes(stdout, err);
	free(err);
	return (int)s;
}

/* ---- the verdict on a host ---- */

/* A site, or (no site uses PHP-FPM) a unix pool standing for one. */
struct site {
	const struct consumer *use;	/* its first use; NULL for a pool */
	const struct pool_view *pv;	/* the pool (pool sites only) */
	const struct consumer *bad;	/* the first use that cannot reach PHP */
	int reaches;
};

/* Up to NAMES_MAX names and how many there were. */
struct names {
	size_t n;
	char *text;
};

struct judge {
	const struct host_view *h;
	const struct problem_list *pl;
	size_t *base;		/* per instance: the index of its first pool */
	unsigned char *covered;	/* per pool: a summary part names it already */
	struct site *sites;
	size_t nsites, nbad, npools, other_uses, world_writable;
	int counted_pools;
	enum plugin_state state;
	FILE *sum, *det;
	char *sumbuf, *detbuf;
	size_t sumlen, detlen, nparts, ndet, dropped;
};

static void names_add(struct names *l, const char *name)
{
	char *t;

	if (l->n++ >= NAMES_MAX)
		return;
	t = l->text ? xasprintf("%s, %s", l->text, name) : xstrdup(name);
	free(l->text);
	l->text = t;
}

/* "a, b, c and 2 more"; frees the list. */
static char *names_take(struct names *l)
{
	char *t = l->n > NAMES_MAX ? xasprintf("%s and %zu more", l->text, l->n - NAMES_MAX)
				   : xstrdup(l->text ? l->text : "");

	free(l->text);
	memset(l, 0, sizeof *l);
	return t;
}

static void raise_state(struct judge *j, enum plugin_state s)
{
	if (s > j->state)
		j->state = s;
}

/* One part of the status line (at state s). */
static void __attribute__((format(printf, 3, 4)))
part(struct judge *j, enum plugin_state s, const char *fmt, ...)
{
	va_list ap;

	raise_state(j, s);
	if (j->nparts++)
		fputs("; ", j->sum);
	va_start(ap, fmt);
	vfprintf(j->sum, fmt, ap);
	va_end(ap);
}

/* One line of the long output, "WORD: ...", up to DETAILS_MAX. */
static void __attribute__((format(printf, 3, 4)))
detail(struct judge *j, const char *word, const char *fmt, ...)
{
	va_list ap;
	char *line;

	if (j->ndet++ >= DETAILS_MAX) {
		j->dropped++;
		return;
	}
	va_start(ap, fmt);
	line = xvasprintf(fmt, ap);
	va_end(ap);
	/* One line each: a newline in a name must not start one. */
	fprintf(j->det, "%s: ", word);
	put_safe(j->det, line, 0);
	fputc('\n', j->det);
	free(line);
}

static size_t pool_index(const struct judge *j, const struct instance_view *iv,
			 const struct pool_view *pv)
{
	return j->base[iv - j->h->inst] + (size_t)(pv - iv->pools);
}

static int client_reaches(const struct pool_view *pv, const struct pool_client *pc)
{
	enum verdict v = pv->probe.state == PROBE_SOCKET ? pc->now : pc->next;

	return v == V_ALLOWED && pc->proof != PROVE_DENIED;
}

/*
 * The first client of pv that cannot connect, among those that count:
 * the server's user when it is one of pv's clients, else every client
 * that exists.  NULL when all of them can; *none when none exists.
 */
static const struct pool_client *failing_client(const struct pool_view *pv,
						const char *server_user, int *none)
{
	size_t i, n = 0;
	int all;

	*none = 0;
	for (all = 0; all <= 1; all++) {
		if (!all && server_user == NULL)
			continue;
		for (i = 0; i < pv->nclients; i++) {
			const struct pool_client *pc = &pv->clients[i];
			if (pc->user == NULL ||
			    (!all && strcmp(pc->client->user, server_user) != 0))
				continue;
			n++;
			if (!client_reaches(pv, pc))
				return pc;
		}
		if (n)
			return NULL;
	}
	*none = 1;
	return NULL;
}

static int pool_reaches(const struct pool_view *pv, const char *server_user)
{
	int none;

	if (pv->probe.state == PROBE_NOT_SOCKET)
		return 0;
	return failing_client(pv, server_user, &none) == NULL && !none;
}

static int use_reaches(const struct consumer *c)
{
	return c->pv && pool_reaches(c->pv, c->server->user);
}

/* Why pv cannot be reached (caller frees). */
static char *unreach_reason(const struct host_view *h, const struct pool_view *pv,
			    const char *server_user)
{
	const struct pool_client *pc;
	char *r, *s;
	int none, next = pv->probe.state != PROBE_SOCKET;

	if (pv->probe.state == PROBE_NOT_SOCKET)
		return xasprintf("%s is not a socket", pv->probe.path);
	pc = failing_client(pv, server_user, &none);
	if (none || pc == NULL)
		return xstrdup("none of its client users exists");
	if ((next ? pc->next : pc->now) == V_UNKNOWN)
		return xasprintf("%s: the socket php-fpm will create cannot be worked out "
				 "(a config error)", pc->client->user);
	r = host_denied_reason(pv, pc, next, h->acc);
	s = xasprintf("%s cannot connect%s: %s", pc->client->user,
		      next ? " (php-fpm not running: by the socket it will create)" : "", r);
	free(r);
	return s;
}

/* Sites: the uses' virtual hosts, in config order of their first use. */
static int cmp_site(const void *a, const void *b)
{
	const struct ws_use *x = (*(const struct consumer *const *)a)->use;
	const struct ws_use *y = (*(const struct consumer *const *)b)->use;
	int c = (int)x->server - (int)y->server;

	if (c == 0)
		c = strcmp(x->vhost_file ? x->vhost_file : "", y->vhost_file ? y->vhost_file : "");
	if (c == 0)
		c = x->vhost_line - y->vhost_line;
	if (c == 0)
		c = strcmp(x->vhost, y->vhost);
	if (c == 0)
		c = x < y ? -1 : x > y;
	return c;
}

static int same_site(const struct consumer *a, const struct consumer *b)
{
	const struct ws_use *x = a->use, *y = b->use;

	return x->server == y->server && x->vhost_line == y->vhost_line &&
	       strcmp(x->vhost_file ? x->vhost_file : "", y->vhost_file ? y->vhost_file : "") == 0 &&
	       strcmp(x->vhost, y->vhost) == 0;
}

static void collect_sites(struct judge *j)
{
	const struct consumer **v = xcalloc(j->h->ncons ? j->h->ncons : 1, sizeof *v);
	size_t i, n = 0;

	for (i = 0; i < j->h->ncons; i++) {
		const struct consumer *c = &j->h->cons[i];
		if (c->pv == NULL && c->other_socket)
			j->other_uses++;	/* fcgiwrap's, not PHP-FPM's */
		else
			v[n++] = c;
	}
	qsort(v, n, sizeof *v, cmp_site);
	j->sites = xcalloc(n ? n : 1, sizeof *j->sites);
	for (i = 0; i < n; i++) {
		struct site *s;
		if (i == 0 || !same_site(v[i - 1], v[i]))
			j->sites[j->nsites++] = (struct site){ v[i], NULL, NULL, 1 };
		s = &j->sites[j->nsites - 1];
		if (s->reaches && !use_reaches(v[i])) {
			s->reaches = 0;
			s->bad = v[i];
			j->nbad++;
		}
	}
	free(v);
}

/* No site uses PHP-FPM: each unix pool is one. */
static void collect_pools(struct judge *j)
{
	size_t i, k;

	j->counted_pools = 1;
	j->sites = xcalloc(j->npools ? j->npools : 1, sizeof *j->sites);
	for (i = 0; i < j->h->ninst; i++)
		for (k = 0; k < j->h->inst[i].npools; k++) {
			const struct pool_view *pv = &j->h->inst[i].pools[k];
			int r;
			if (!pv->eff.is_unix)
				continue;
			r = pool_reaches(pv, NULL);
			j->sites[j->nsites++] = (struct site){ NULL, pv, NULL, r };
			j->nbad += !r;
			if (!r)
				j->covered[pool_index(j, &j->h->inst[i], pv)] = 1;
		}
}

/* "shop.example", "every nginx site", "unnamed nginx server at F:L". */
static char *site_name(const struct ws_use *u)
{
	if (u->vhost_file == NULL)
		return xasprintf("every %s site", ws_kind_name(u->server));
	if (*u->vhost)
		return xstrdup(u->vhost);
	return xasprintf("unnamed %s server at %s:%d", ws_kind_name(u->server), u->vhost_file,
			 u->vhost_line);
}

/* One unreachable site's name for the status line and its detail. */
static void bad_site(struct judge *j, const struct site *s, struct names *l)
{
	const struct consumer *c = s->bad;
	char *name, *why, *item;

	if (s->use == NULL) {
		why = unreach_reason(j->h, s->pv, NULL);
		names_add(l, s->pv->pool->name);
		detail(j, "CRITICAL", "pool %s (%s): %s", s->pv->pool->name, s->pv->probe.path, why);
		free(why);
		return;
	}
	name = site_name(s->use->use);
	if (c->pv) {
		j->covered[pool_index(j, c->iv, c->pv)] = 1;
		item = xasprintf("%s (pool %s)", name, c->pv->pool->name);
		why = unreach_reason(j->h, c->pv, c->server->user);
		detail(j, "CRITICAL", "site %s (%s %s at %s:%d): pool %s on %s: %s", name,
		       ws_kind_name(c->use->server), c->use->directive, c->use->file,
		       c->use->line, c->pv->pool->name, c->pv->probe.path, why);
	} else {
		item = xasprintf("%s (no pool at %s)", name, c->use->socket);
		why = NULL;
		detail(j, "CRITICAL", "site %s (%s %s at %s:%d): no PHP-FPM pool listens on %s",
		       name, ws_kind_name(c->use->server), c->use->directive, c->use->file,
		       c->use->line, c->use->socket);
	}
	names_add(l, item);
	free(item);
	free(name);
	free(why);
}

/* The unreachable sites: the first part of the status line. */
static void report_sites(struct judge *j)
{
	struct names l = { 0, NULL };
	size_t i;
	char *t;

	for (i = 0; i < j->nsites; i++)
		if (!j->sites[i].reaches)
			bad_site(j, &j->sites[i], &l);
	if (j->nbad == 0)
		return;
	t = names_take(&l);
	if (j->counted_pools)
		part(j, PLUGIN_CRITICAL, "%zu of %zu pool%s unreachable by %s clients: %s",
		     j->nbad, j->nsites, j->nsites == 1 ? "" : "s", j->nbad == 1 ? "its" : "their",
		     t);
	else
		part(j, PLUGIN_CRITICAL, "%zu of %zu site%s cannot reach PHP: %s", j->nbad,
		     j->nsites, j->nsites == 1 ? "" : "s", t);
	free(t);
}

/* "FILE:LINE" of pv's listen line. */
static char *listen_at(const struct pool_view *pv)
{
	const struct fpm_setting *l = &pv->pool->set[K_LISTEN];

	return l->file ? xasprintf("%s:%d", l->file, l->line)
		       : xasprintf("%s:%d", pv->pool->file, pv->pool->line);
}

/* A site's line said it already: the reason its socket cannot be reached. */
static int said_by_site(const struct judge *j, const struct problem *p)
{
	if (p->pv == NULL || !j->covered[pool_index(j, p->inst, p->pv)])
		return 0;
	return p->kind == PR_DENIED_NOW || p->kind == PR_NOT_SOCKET ||
	       (p->kind == PR_DENIED_NEXT && p->pv->probe.state != PROBE_SOCKET);
}

static void problem_detail(struct judge *j, const struct problem *p, const char *word)
{
	const struct pool_view *pv = p->pv;
	char *at, *r, b[8];
	int next = p->kind == PR_DENIED_NEXT;

	if (p->kind == PR_NO_CLIENT_USER) {
		detail(j, word, "client user %s (%s) does not exist", p->pc->client->user,
		       p->pc->client->source);
		return;
	}
	if (pv == NULL || said_by_site(j, p))
		return;
	at = listen_at(pv);
	if (p->kind == PR_NOT_SOCKET) {
		detail(j, word, "%s: pool %s: %s is not a socket", at, pv->pool->name, pv->probe.path);
	} else if (p->kind == PR_WORLD_ACCESS) {
		detail(j, word, "%s: pool %s: socket %s is world-writable (%s): any local user "
		       "can talk to PHP-FPM (CVE-2014-0185)", at, pv->pool->name, pv->probe.path,
		       access_mode_str(pv->probe.state == PROBE_SOCKET && (pv->probe.sock.mode & 2)
				       ? pv->probe.sock.mode : pv->eff.mode, b));
	} else {
		r = host_denied_reason(pv, p->pc, next, j->h->acc);
		detail(j, word, "%s: pool %s: %s cannot connect to %s%s: %s", at, pv->pool->name,
		       p->pc->client->user, pv->probe.path,
		       next ? " after the next php-fpm restart" : "", r);
		free(r);
	}
	free(at);
}

/* The status line's words for a kind: before the count, the noun, after. */
static const struct {
	const char *before, *noun, *after;
} kind_words[] = {
	[PR_DENIED_NOW] = { "clients cannot connect to ", "pool", "" },
	[PR_DENIED_NEXT] = { "clients cannot connect to ", "pool",
			     " after the next php-fpm restart" },
	[PR_NOT_SOCKET] = { "no socket at the path of ", "pool", "" },
	[PR_WORLD_ACCESS] = { "world-writable socket of ", "pool", "" },
};

/* The problems of kind k (of pools): a detail each, a part naming the
 * pools no site named. */
static void report_kind(struct judge *j, enum problem_kind k)
{
	struct names l = { 0, NULL };
	const struct pool_view *last = NULL;
	enum plugin_state s = PLUGIN_OK;
	size_t i, n;
	char *t;

	for (i = 0; i < j->pl->n; i++) {
		const struct problem *p = &j->pl->v[i];
		if (p->kind != k)
			continue;
		problem_detail(j, p, p->is_error ? "CRITICAL" : "WARNING");
		if (j->covered[pool_index(j, p->inst, p->pv)])
			continue;
		s = p->is_error ? PLUGIN_CRITICAL : PLUGIN_WARNING;
		if (p->pv != last)	/* a pool's problems are adjacent */
			names_add(&l, p->pv->pool->name);
		last = p->pv;
	}
	if ((n = l.n) == 0)
		return;
	t = names_take(&l);
	part(j, s, "%s%zu %s%s%s: %s", kind_words[k].before, n, kind_words[k].noun,
	     n == 1 ? "" : "s", kind_words[k].after, t);
	free(t);
}

/* Client users that do not exist: each once, however many pools name it. */
static void report_missing_users(struct judge *j)
{
	struct names l = { 0, NULL };
	const char **seen = NULL;
	size_t i, k, n = 0;
	char *t;

	for (i = 0; i < j->pl->n; i++) {
		const struct problem *p = &j->pl->v[i];
		if (p->kind != PR_NO_CLIENT_USER)
			continue;
		for (k = 0; k < n && strcmp(seen[k], p->pc->client->user) != 0; k++)
			;
		if (k < n)
			continue;
		seen = xreallocarray(seen, n + 1, sizeof *seen);
		seen[n++] = p->pc->client->user;
		problem_detail(j, p, "WARNING");
		names_add(&l, p->pc->client->user);
	}
	free(seen);
	if (n == 0)
		return;
	t = names_take(&l);
	part(j, PLUGIN_WARNING, "%zu missing client user%s: %s", n, n == 1 ? "" : "s", t);
	free(t);
}

/* The text of php-fpm -t on one line (caller frees). */
static char *one_line(const char *s)
{
	char *t = xstrdup(s && *s ? s : "(no message)"), *p;
	size_t n = strlen(t);

	while (n > 0 && (t[n - 1] == '\n' || t[n - 1] == ' '))
		t[--n] = '\0';
	for (p = t; *p; p++)
		if (*p == '\n')
			*p = ' ';
	return t;
}

static void conf_errors(struct judge *j, const struct instance_view *iv, size_t *n,
			char **first)
{
	size_t k, e;
	char *t;

	for (k = 0; k < iv->conf.nerrors; k++) {
		const struct fpm_error *fe = &iv->conf.errors[k];
		t = fe->line > 0 ? xasprintf("%s:%d: %s", fe->file, fe->line, fe->msg)
				 : xasprintf("%s: %s", fe->file ? fe->file : iv->loc.config, fe->msg);
		detail(j, "CRITICAL", "%s", t);
		if (*n)
			free(t);
		else
			*first = t;
		++*n;
	}
	for (k = 0; k < iv->npools; k++)
		for (e = 0; e < iv->pools[k].eff.nerrors; e++) {
			detail(j, "CRITICAL", "%s", iv->pools[k].eff.errors[e]);
			if ((*n)++ == 0)
				*first = xstrdup(iv->pools[k].eff.errors[e]);
		}
}

/* Config errors and php-fpm -t's refusals. */
static void report_errors(struct judge *j)
{
	struct names refused = { 0, NULL };
	size_t i, n = 0, nref;
	char *first = NULL, *t;

	for (i = 0; i < j->h->ninst; i++) {
		const struct instance_view *iv = &j->h->inst[i];
		if (iv->fpm_test == 0) {
			t = one_line(iv->fpm_test_msgs);
			detail(j, "CRITICAL", "%s: %s -t refuses this configuration: %s",
			       iv->loc.config, iv->loc.binary, t);
			free(t);
			names_add(&refused, iv->loc.config);
		}
		conf_errors(j, iv, &n, &first);
	}
	if ((nref = refused.n) > 0) {
		t = names_take(&refused);
		part(j, PLUGIN_CRITICAL, "php-fpm -t refuses %s%s", nref > 1 ? "the configs " : "", t);
		free(t);
	}
	if (n > 0)
		part(j, PLUGIN_CRITICAL, "%zu config error%s: %s", n, n == 1 ? "" : "s", first);
	free(first);
}

static void report_notes(struct judge *j)
{
	const struct host_view *h = j->h;
	struct names idle = { 0, NULL };
	size_t i, k, n;
	char *t;

	if (j->counted_pools)
		detail(j, "note", "%s: the unix socket pools (%zu) count as the sites",
		       h->any_server ? "no nginx or Apache site uses PHP-FPM"
				     : "no nginx or Apache configuration found", j->nsites);
	if (j->other_uses)
		detail(j, "note", "%zu web server use%s another program's socket, not PHP-FPM's: "
		       "not counted", j->other_uses, j->other_uses == 1 ? " is" : "s are");
	for (i = 0; i < h->ninst; i++)
		for (k = 0; k < h->inst[i].npools; k++)
			if (h->inst[i].pools[k].probe.state == PROBE_ABSENT)
				names_add(&idle, h->inst[i].pools[k].pool->name);
	if ((n = idle.n) > 0) {
		t = names_take(&idle);
		detail(j, "note", "%zu pool%s not running (no socket), judged by the socket "
		       "php-fpm will create: %s", n, n == 1 ? "" : "s", t);
		free(t);
	}
	for (i = 0; i < h->ninst; i++)
		for (k = 0; k < h->inst[i].nnotes; k++)
			detail(j, "note", "%s", h->inst[i].notes[k]);
	for (i = 0; i < WS_NKINDS; i++)
		for (k = 0; k < h->ws.srv[i].nnotes; k++)
			detail(j, "note", "%s: %s", ws_kind_name((enum ws_kind)i), h->ws.srv[i].notes[k]);
	detail(j, "note", "verdicts from metadata: no connect() to any pool");
}

/* The sites and the problems, worst first. */
static void judge_php(struct judge *j)
{
	size_t i, w = 0;

	collect_sites(j);
	if (j->nsites == 0) {
		free(j->sites);
		j->sites = NULL;
		collect_pools(j);
	}
	report_sites(j);
	report_kind(j, PR_DENIED_NOW);
	report_kind(j, PR_NOT_SOCKET);
	report_errors(j);
	report_kind(j, PR_DENIED_NEXT);
	report_kind(j, PR_WORLD_ACCESS);
	report_missing_users(j);
	if (j->nbad == 0 && j->counted_pools)
		part(j, PLUGIN_OK, "%zu of %zu pool%s reachable by %s clients",
		     j->nsites, j->nsites, j->nsites == 1 ? "" : "s",
		     j->nsites == 1 ? "its" : "their");
	else if (j->nbad == 0)
		part(j, PLUGIN_OK, "%zu of %zu site%s reach PHP", j->nsites, j->nsites,
		     j->nsites == 1 ? "" : "s");
	for (i = 0; i < j->pl->n; i++)
		w += j->pl->v[i].kind == PR_WORLD_ACCESS;
	report_notes(j);
	j->world_writable = w;
}

static FILE *memstream(char **buf, size_t *len)
{
	FILE *f = open_memstream(buf, len);

	if (f == NULL)
		die("cannot buffer the plugin's output");
	return f;
}

void plugin_judge_host(const struct host_view *h, const struct problem_list *pl,
		       struct plugin_result *out)
{
	struct judge j;
	size_t i;

	memset(&j, 0, sizeof j);
	j.h = h;
	j.pl = pl;
	j.sum = memstream(&j.sumbuf, &j.sumlen);
	j.det = memstream(&j.detbuf, &j.detlen);
	j.base = xcalloc(h->ninst ? h->ninst : 1, sizeof *j.base);
	for (i = 0; i < h->ninst; i++) {
		j.base[i] = j.npools;
		j.npools += h->inst[i].npools;
	}
	j.covered = xcalloc(j.npools ? j.npools : 1, 1);
	if (h->ninst == 0) {
		part(&j, PLUGIN_OK, "no PHP-FPM on this host");
		detail(&j, "note", "no PHP-FPM instance found: nothing to guard");
	} else {
		judge_php(&j);
	}
	if (j.dropped)
		fprintf(j.det, "... %zu more line%s: php-fpm-guard check says all\n", j.dropped,
			j.dropped == 1 ? "" : "s");
	fclose(j.sum);
	fclose(j.det);
	memset(out, 0, sizeof *out);
	out->state = j.state;
	out->summary = j.sumbuf;
	out->details = j.detbuf;
	out->sites = j.nsites;
	out->reachable = j.nsites - j.nbad;
	out->pools = j.npools;
	out->world_writable = j.world_writable;
	out->counted_pools = j.counted_pools;
	out->perf = xasprintf("sites=%zu;;; reachable=%zu;;; pools=%zu;;; world_writable=%zu;;;",
			      out->sites, out->reachable, out->pools, out->world_writable);
	free(j.sites);
	free(j.base);
	free(j.covered);
}

void plugin_result_free(struct plugin_result *r)
{
	free(r->summary);
	free(r->perf);
	free(r->details);
	memset(r, 0, sizeof *r);
}
