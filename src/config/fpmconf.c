#define INI_HANDLER_LINENO 1
#include "fpmconf.h"
#include "../util/rootglob.h"
#include "../util/xalloc.h"

#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <ini.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <unistd.h>

const char *const fpm_key_names[K_NKEYS] = {
	[K_USER] = "user",
	[K_GROUP] = "group",
	[K_LISTEN] = "listen",
	[K_LISTEN_OWNER] = "listen.owner",
	[K_LISTEN_GROUP] = "listen.group",
	[K_LISTEN_MODE] = "listen.mode",
	[K_LISTEN_ACL_USERS] = "listen.acl_users",
	[K_LISTEN_ACL_GROUPS] = "listen.acl_groups",
	[K_PREFIX] = "prefix",
};

/* php-fpm 8.2's [global] keys (fpm_conf.c ini_fpm_global_options). */
static const char *const global_keys[] = {
	"pid", "error_log", "syslog.ident", "syslog.facility", "log_buffering",
	"log_level", "log_limit", "emergency_restart_interval",
	"emergency_restart_threshold", "process_control_timeout",
	"process.max", "process.priority", "daemonize", "rlimit_files",
	"rlimit_core", "events.mechanism", "systemd_interval", NULL
};

/* php-fpm 8.2's pool keys (fpm_conf.c ini_fpm_pool_options). */
static const char *const pool_keys[] = {
	"prefix", "user", "group", "listen", "listen.backlog", "listen.owner",
	"listen.group", "listen.mode", "listen.allowed_clients",
	"listen.acl_users", "listen.acl_groups", "listen.setfib",
	"process.priority", "process.dumpable", "pm", "pm.max_children",
	"pm.start_servers", "pm.min_spare_servers", "pm.max_spare_servers",
	"pm.max_spawn_rate", "pm.process_idle_timeout", "pm.max_requests",
	"pm.status_path", "pm.status_listen", "ping.path", "ping.response",
	"access.log", "access.format", "slowlog",
	"request_slowlog_timeout", "request_slowlog_trace_depth",
	"request_terminate_timeout",
	"request_terminate_timeout_track_finished", "rlimit_files",
	"rlimit_core", "chroot", "chdir", "catch_workers_output",
	"decorate_workers_output", "clear_env", "security.limit_extensions",
	"apparmor_hat", NULL
};

/* Array entries: name[key] = value. */
static const char *const pool_array_keys[] = {
	"env", "php_value", "php_flag", "php_admin_value", "php_admin_flag",
	"access.suppress_path", NULL
};

struct reader {
	const char *file;	/* path inside the root */
	const char *pos, *end;
	int lineno;
	int had_nul;
	const char *raw;	/* the current line, for syntax checks */
	size_t rawlen;
};

struct ctx {
	struct fpm_conf *c;
	const struct rootfs *r;
	const struct fpm_dialect *d;
	struct fpm_pool *cur;	/* NULL: [global] */
	int depth;
	int failed;
	struct reader *rd;
};

void fpm_conf_add_error(struct fpm_conf *c, const char *file, int line,
			const char *fmt, ...)
{
	va_list ap;
	struct fpm_error *e;
	char *msg;

	va_start(ap, fmt);
	msg = xvasprintf(fmt, ap);
	va_end(ap);
	XGROW(c->errors, c->cap_errors, c->nerrors + 1);
	e = &c->errors[c->nerrors++];
	e->file = file ? xstrdup(file) : NULL;
	e->line = line;
	e->msg = msg;
}

/* Printable, bounded rendering of untrusted text for error messages. */
static char *quote_for_msg(const char *s)
{
	size_t i, o = 0, n = strlen(s);
	size_t max = n > 64 ? 64 : n;
	char *out = xmalloc(max * 4 + 4);

	/* cppcheck-suppress knownConditionTrueFalse ; 2.10 takes max for 0 */
	for (i = 0; i < max; i++) {
		unsigned char ch = (unsigned char)s[i];
		if (isprint(ch) && ch != '\\')
			out[o++] = (char)ch;
		else
			o += (size_t)sprintf(out + o, "\\x%02x", ch);
	}
	if (n > max)
		o += (size_t)sprintf(out + o, "...");
	out[o] = '\0';
	return out;
}

static int fail_at(struct ctx *x, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

static int fail_at(struct ctx *x, const char *fmt, ...)
{
	va_list ap;
	char *msg;

	va_start(ap, fmt);
	msg = xvasprintf(fmt, ap);
	va_end(ap);
	fpm_conf_add_error(x->c, x->rd->file, x->rd->lineno, "%s", msg);
	free(msg);
	x->failed = 1;
	return 0;
}

/* ---- pool index (case-insensitive) ---- */

static size_t name_hash(const char *s)
{
	size_t h = 1469598103934665603ULL;

	for (; *s; s++) {
		h ^= (unsigned char)tolower((unsigned char)*s);
		h *= 1099511628211ULL;
	}
	return h;
}

static void index_insert(struct fpm_conf *c, size_t idx)
{
	size_t mask = c->index_cap - 1;
	size_t h = name_hash(c->pools[idx].name) & mask;

	while (c->index[h] != (size_t)-1)
		h = (h + 1) & mask;
	c->index[h] = idx;
}

static void index_grow(struct fpm_conf *c)
{
	size_t i, n = c->index_cap ? c->index_cap * 2 : 64;

	free(c->index);
	c->index = xreallocarray(NULL, n, sizeof *c->index);
	c->index_cap = n;
	for (i = 0; i < n; i++)
		c->index[i] = (size_t)-1;
	for (i = 0; i < c->npools; i++)
		index_insert(c, i);
}

struct fpm_pool *fpm_conf_find_pool(const struct fpm_conf *c, const char *name)
{
	size_t mask, h;

	if (c->index_cap == 0)
		return NULL;
	mask = c->index_cap - 1;
	for (h = name_hash(name) & mask; c->index[h] != (size_t)-1;
	     h = (h + 1) & mask)
		if (strcasecmp(c->pools[c->index[h]].name, name) == 0)
			return &c->pools[c->index[h]];
	return NULL;
}

static struct fpm_pool *open_pool(struct ctx *x, const char *name)
{
	struct fpm_conf *c = x->c;
	struct fpm_pool *p = fpm_conf_find_pool(c, name);

	if (p)
		return p;
	XGROW(c->pools, c->cap_pools, c->npools + 1);
	p = &c->pools[c->npools++];
	memset(p, 0, sizeof *p);
	p->name = xstrdup(name);
	p->file = xstrdup(x->rd->file);
	p->line = x->rd->lineno;
	if (c->npools * 2 > c->index_cap)
		index_grow(c);
	else
		index_insert(c, c->npools - 1);
	return p;
}

/* ---- line reader handed to libinih ---- */

static int is_blank(char ch)
{
	return ch == ' ' || ch == '\t' || ch == '\r' || ch == '\v' ||
	       ch == '\f';
}

/*
 * Section headers are tracked here, not through libinih's section
 * argument: libinih truncates names at 49 characters, has no notion of a
 * section outliving an include, and gives no callback for an empty
 * section, while php-fpm creates the pool as soon as it sees [name].
 */
static int track_section(struct ctx *x, const char *line, size_t len)
{
	const char *p = line, *end = line + len, *close;
	int spaces = 0, tabs = 0;
	char *name;

	for (; p < end && is_blank(*p); p++) {
		spaces += *p == ' ';
		tabs += *p == '\t';
	}
	if (p >= end || *p != '[')
		return 0;
	/* PHP's scanner rejects "  [name]" but takes a tab before '['. */
	if (spaces && !tabs)
		return -1;
	close = memchr(p, ']', (size_t)(end - p));
	if (close == NULL)
		return 0;	/* libinih reports the syntax error */
	p++;
	/* php-fpm keeps blanks inside the brackets: "[ www ]" is " www ". */
	name = xstrndup(p, (size_t)(close - p));
	if (strcasecmp(name, "global") == 0)
		x->cur = NULL;
	else
		x->cur = open_pool(x, name);
	free(name);
	return 0;
}

static char *read_line(char *str, int num, void *stream)
{
	struct ctx *x = stream;
	struct reader *rd = x->rd;
	const char *nl;
	size_t len;

	if (rd->pos >= rd->end || x->failed)
		return NULL;
	nl = memchr(rd->pos, '\n', (size_t)(rd->end - rd->pos));
	len = nl ? (size_t)(nl - rd->pos) + 1 : (size_t)(rd->end - rd->pos);
	rd->lineno++;
	rd->raw = rd->pos;
	rd->rawlen = len;
	if (memchr(rd->pos, '\0', len) != NULL) {
		rd->had_nul = 1;
		return NULL;
	}
	if (len + 1 > (size_t)num) {
		/* Cannot happen: ini_max_line is sized from the longest line. */
		rd->had_nul = 1;
		return NULL;
	}
	memcpy(str, rd->pos, len);
	str[len] = '\0';
	rd->pos += len;
	if (track_section(x, str, len) < 0) {
		fail_at(x, "syntax error: a section header may not be indented "
			   "with spaces (php-fpm refuses it)");
		return NULL;
	}
	return str;
}

/* ---- entries ---- */

static int key_in(const char *const *list, const char *name)
{
	int first = tolower((unsigned char)*name);

	/* The first letter filters most of the list before strcasecmp: this
	 * runs for every line of every pool file. */
	for (; *list; list++)
		if (**list == first && strcasecmp(*list, name) == 0)
			return 1;
	return 0;
}

static int is_array_key(const char *name)
{
	const char *br = strchr(name, '[');
	size_t n;
	const char *const *k;

	if (br == NULL || name[strlen(name) - 1] != ']')
		return 0;
	n = (size_t)(br - name);
	for (k = pool_array_keys; *k; k++)
		if (strlen(*k) == n && strncmp(*k, name, n) == 0)
			return 1;
	return 0;
}

static int load_file(struct ctx *x, const char *path);

/*
 * include= as php-fpm expands it (glob with GLOB_ERR | GLOB_MARK, sorted;
 * no match only warns), through the one rootglob every reader shares: a
 * pattern too long, too deep or matching too many files is an error at
 * the include line, before glob() is asked.
 */
static int do_include(struct ctx *x, const char *pattern)
{
	const char *why;
	char *full, **paths;
	size_t i, n;

	if (pattern[0] == '/')
		full = xstrdup(pattern);
	else
		full = xasprintf("%s/%s", x->d->prefix, pattern);
	if (rootglob(x->r, full, ROOTGLOB_ERR | ROOTGLOB_HOST_DIRS, 0, &paths, &n, &why) < 0) {
		char *q = quote_for_msg(full);
		if (rootglob_refusal(full))
			fail_at(x, "include pattern '%s' refused: %s", q, why);
		else
			fail_at(x, "unable to expand include pattern '%s': %s", q, why);
		free(q);
		free(full);
		return 0;
	}
	/* Directories among the matches (on the host): load_file skips
	 * them when reading says EISDIR, as php-fpm skips GLOB_MARK'ed ones. */
	for (i = 0; i < n && !x->failed; i++)
		load_file(x, paths[i]);
	rootglob_free(paths, n);
	free(full);
	return !x->failed;
}

static char *expand_pool_name(const char *s, const char *pool);

static void store(struct ctx *x, enum fpm_key k, const struct ini_value *v)
{
	struct fpm_setting *s = &x->cur->set[k];

	free(s->value);
	free(s->file);
	/* fpm_conf_set_string expands $pool as each value is set. */
	if (strstr(v->text, "$pool")) {
		s->value = expand_pool_name(v->text, x->cur->name);
		free(v->text);
	} else {
		s->value = v->text;
	}
	s->file = xstrdup(x->rd->file);
	s->line = x->rd->lineno;
	s->uses_env = v->uses_env;
}

/* php-fpm's scanner only accepts '=': libinih's ':' concession is not. */
static int separator_is_colon(const struct reader *rd)
{
	size_t i;

	for (i = 0; i < rd->rawlen; i++) {
		if (rd->raw[i] == '=')
			return 0;
		if (rd->raw[i] == ':')
			return 1;
	}
	return 0;
}

static int on_global_entry(struct ctx *x, const char *name, char *text)
{
	if (!key_in(global_keys, name)) {
		char *qname = quote_for_msg(name);
		int rc = fail_at(x, "unknown entry '%s' in [global]", qname);
		free(qname);
		free(text);
		return rc;
	}
	if (strcasecmp(name, "pid") == 0) {
		free(x->c->pid_file);
		x->c->pid_file = text;
	} else {
		free(text);
	}
	return 1;
}

static int on_pool_entry(struct ctx *x, const char *name,
			 const struct ini_value *v)
{
	int k;

	if (is_array_key(name)) {
		free(v->text);
		return 1;
	}
	if (!key_in(pool_keys, name)) {
		char *qname = quote_for_msg(name);
		int rc = fail_at(x, "unknown entry '%s'", qname);
		free(qname);
		free(v->text);
		return rc;
	}
	for (k = 0; k < K_NKEYS; k++)
		if (fpm_key_names[k][0] == tolower((unsigned char)*name) &&
		    strcasecmp(name, fpm_key_names[k]) == 0) {
			store(x, (enum fpm_key)k, v);
			return 1;
		}
	free(v->text);
	return 1;
}

static int on_entry(void *user, const char *section, const char *name,
		    const char *value, int lineno)
{
	struct ctx *x = user;
	struct ini_value v;
	char *qname;
	int ok;

	(void)section;
	(void)lineno;
	if (x->failed)
		return 0;
	/* The quoted name is only for messages: made when one is needed
	 * (this runs for every line of every pool file). */
	qname = value == NULL || separator_is_colon(x->rd) ? quote_for_msg(name) : NULL;
	if (value == NULL)
		ok = fail_at(x, "value is missing for '%s'", qname);
	else if (separator_is_colon(x->rd))
		ok = fail_at(x, "syntax error: '%s' is not followed by '='", qname);
	else if (ini_value_eval(value, x->d->getenv_fn, x->d->env_ctx, &v) < 0) {
		qname = quote_for_msg(name);
		ok = fail_at(x, "%s (entry '%s')", v.error, qname);
	}
	else if ((x->c->uses_env |= v.uses_env), strcmp(name, "include") == 0) {
		/* php-fpm matches "include" case-sensitively, other keys not. */
		if (*v.text == '\0')
			ok = fail_at(x, "include has an empty pattern");
		else
			ok = do_include(x, v.text);
		free(v.text);
	} else if (x->cur == NULL)
		ok = on_global_entry(x, name, v.text);
	else
		ok = on_pool_entry(x, name, &v);
	free(qname);
	return ok;
}

static void set_inih_dialect(const struct fpm_dialect *d, size_t longest)
{
	/* Debian's libinih exposes its build switches as variables. */
	ini_allow_multiline = 0;
	ini_allow_bom = 0;
	ini_allow_inline_comments = 0;	/* ';' handled by inivalue, quote-aware */
	ini_start_comment_prefixes = d->hash_comments ? ";#" : ";";
	ini_stop_on_first_error = 1;
	ini_allow_no_value = 1;		/* so that we name the key ourselves */
	ini_use_stack = 0;
	ini_allow_realloc = 0;
	ini_max_line = (int)longest + 3;
	ini_initial_alloc = ini_max_line;
}

static size_t longest_line(const char *buf, size_t len)
{
	size_t best = 0;
	const char *p = buf, *end = buf + len, *nl;

	while (p < end) {
		nl = memchr(p, '\n', (size_t)(end - p));
		if (nl == NULL)
			nl = end;
		if ((size_t)(nl - p) > best)
			best = (size_t)(nl - p);
		p = nl + 1;
	}
	return best;
}

static const char *describe_errno(int e)
{
	switch (e) {
	case EINVAL:
		return "not a regular file";
	case EFBIG:
		return "file too large";
	default:
		return strerror(e);
	}
}

static int load_file(struct ctx *x, const char *path)
{
	struct reader rd, *saved = x->rd;
	struct stat st;
	char *buf;
	size_t len;
	int rc;

	if (x->depth >= FPM_MAX_INCLUDE_DEPTH) {
		fpm_conf_add_error(x->c, saved ? saved->file : path,
				   saved ? saved->lineno : 0,
				   "cannot include '%s': more than %d files "
				   "included recursively (php-fpm's limit)",
				   path, FPM_MAX_INCLUDE_DEPTH);
		x->failed = 1;
		return -1;
	}
	if (rootfs_read_file(x->r, path, FPM_MAX_FILE_SIZE, &buf, &len, &st) < 0) {
		int e = errno;
		if (e == EISDIR && saved)
			return 0;	/* an include glob matched a directory */
		if (saved)
			fpm_conf_add_error(x->c, saved->file, saved->lineno,
					   "cannot read included file '%s': %s",
					   path, describe_errno(e));
		else
			fpm_conf_add_error(x->c, path, 0, "cannot read: %s",
					   describe_errno(e));
		x->failed = 1;
		return -1;
	}
	XGROW(x->c->files, x->c->cap_files, x->c->nfiles + 1);
	x->c->files[x->c->nfiles++] = xstrdup(path);
	x->c->identity = fpm_identity_mix(x->c->identity, path, strlen(path) + 1);
	x->c->identity = fpm_identity_stat(x->c->identity, &st);

	memset(&rd, 0, sizeof rd);
	rd.file = x->c->files[x->c->nfiles - 1];
	rd.pos = buf;
	rd.end = buf + len;
	x->rd = &rd;
	x->depth++;
	set_inih_dialect(x->d, longest_line(buf, len));
	rc = ini_parse_stream(read_line, x, on_entry, x);
	x->depth--;
	if (rd.had_nul && !x->failed) {
		fpm_conf_add_error(x->c, rd.file, rd.lineno,
				   "NUL byte in line: not a php-fpm config");
		x->failed = 1;
	} else if (rc > 0 && !x->failed) {
		fpm_conf_add_error(x->c, rd.file, rc, "syntax error");
		x->failed = 1;
	} else if (rc < 0 && !x->failed) {
		fpm_conf_add_error(x->c, rd.file, 0, "cannot parse (%d)", rc);
		x->failed = 1;
	}
	x->rd = saved;
	free(buf);
	return x->failed ? -1 : 0;
}

/* ---- after all files: what php-fpm does in fpm_conf_process_all_pools ---- */

static char *expand_pool_name(const char *s, const char *pool)
{
	const char *p;
	char *out = xstrdup(""), *tmp;

	while ((p = strstr(s, "$pool")) != NULL) {
		tmp = xasprintf("%s%.*s%s", out, (int)(p - s), s, pool);
		free(out);
		out = tmp;
		s = p + 5;
	}
	tmp = xasprintf("%s%s", out, s);
	free(out);
	return tmp;
}

/* Is a listen value a unix socket path (fpm_sockets_domain_from_address)? */
unsigned long long fpm_identity_mix(unsigned long long h, const void *p, size_t n)
{
	const unsigned char *b = p;
	size_t i;

	if (h == 0)
		h = 1469598103934665603ULL;	/* FNV-1a 64 */
	for (i = 0; i < n; i++) {
		h ^= b[i];
		h *= 1099511628211ULL;
	}
	return h;
}

unsigned long long fpm_identity_stat(unsigned long long h, const struct stat *st)
{
	/* Field by field: struct padding must not enter the digest. */
	long long v[8] = { (long long)st->st_dev, (long long)st->st_ino,
			   (long long)st->st_size, (long long)st->st_mode,
			   st->st_mtim.tv_sec, st->st_mtim.tv_nsec,
			   st->st_ctim.tv_sec, st->st_ctim.tv_nsec };

	unsigned char b[sizeof v];
	size_t i, k;

	/* Byte by byte through shifts, not through the array's memory: the
	 * same bytes on little-endian, and no type punning for the analyzer
	 * (clang-tidy took v's bytes for uninitialized). */
	for (i = 0; i < 8; i++)
		for (k = 0; k < 8; k++)
			b[i * 8 + k] = (unsigned char)((unsigned long long)v[i] >> (8 * k));
	return fpm_identity_mix(h, b, sizeof b);
}

int fpm_listen_is_unix(const char *listen)
{
	if (listen == NULL || *listen == '\0')
		return 0;
	if (strchr(listen, ':') != NULL)
		return 0;
	return strspn(listen, "0123456789") != strlen(listen);
}

static void make_absolute(struct fpm_setting *s, const char *base)
{
	char *v;

	if (s->value == NULL || *s->value == '\0' || s->value[0] == '/')
		return;
	v = xasprintf("%s/%s", base, s->value);
	free(s->value);
	s->value = v;
}

static void post_process(struct fpm_conf *c, const struct fpm_dialect *d)
{
	size_t i;

	for (i = 0; i < c->npools; i++) {
		struct fpm_pool *p = &c->pools[i];
		make_absolute(&p->set[K_PREFIX], d->prefix);
		{
			/* A relative unix path lives under the pool's prefix. */
			const char *pfx = p->set[K_PREFIX].value;
			if (fpm_listen_is_unix(p->set[K_LISTEN].value))
				make_absolute(&p->set[K_LISTEN],
					      pfx && *pfx ? pfx : d->prefix);
		}
		if (p->set[K_LISTEN].value == NULL ||
		    *p->set[K_LISTEN].value == '\0')
			fpm_conf_add_error(c, p->file, p->line,
					   "[pool %s] no listen address have been defined!",
					   p->name);
	}
}

static const char *default_getenv(void *ctx, const char *name)
{
	(void)ctx;
	return getenv(name);
}

int fpm_conf_read(struct fpm_conf *c, const struct rootfs *r, const char *path,
		  const struct fpm_dialect *d)
{
	struct fpm_dialect dd = *d;
	struct ctx x;

	memset(c, 0, sizeof *c);
	c->path = xstrdup(path);
	if (dd.getenv_fn == NULL)
		dd.getenv_fn = default_getenv;
	if (dd.prefix == NULL)
		dd.prefix = "/usr";
	memset(&x, 0, sizeof x);
	x.c = c;
	x.r = r;
	x.d = &dd;
	load_file(&x, path);
	if (!x.failed)
		post_process(c, &dd);
	return c->nerrors ? -1 : 0;
}

void fpm_conf_free(struct fpm_conf *c)
{
	size_t i;
	int k;

	for (i = 0; i < c->npools; i++) {
		free(c->pools[i].name);
		free(c->pools[i].file);
		for (k = 0; k < K_NKEYS; k++) {
			free(c->pools[i].set[k].value);
			free(c->pools[i].set[k].file);
		}
	}
	for (i = 0; i < c->nerrors; i++) {
		free(c->errors[i].file);
		free(c->errors[i].msg);
	}
	for (i = 0; i < c->nfiles; i++)
		free(c->files[i]);
	free(c->pools);
	free(c->errors);
	free(c->files);
	free(c->index);
	free(c->path);
	free(c->pid_file);
	memset(c, 0, sizeof *c);
}
