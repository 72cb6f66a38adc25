#define INI_HANDLER_LINENO 1
#include "guardconf.h"
#include "../util/xalloc.h"

#include <errno.h>
#include <glob.h>
#include <ini.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>

#define GUARD_CONF_MAX_SIZE ((size_t)1 << 20)

struct load {
	struct guard_conf *g;
	const char *file;
};

static void conf_error(struct guard_conf *g, const char *file, int line,
		       const char *fmt, ...) __attribute__((format(printf, 4, 5)));
static void conf_error(struct guard_conf *g, const char *file, int line,
		       const char *fmt, ...)
{
	char *msg;
	va_list ap;

	va_start(ap, fmt);
	msg = xvasprintf(fmt, ap);
	va_end(ap);
	g->errors = xreallocarray(g->errors, g->nerrors + 1, sizeof *g->errors);
	g->errors[g->nerrors++] = line > 0
		? xasprintf("%s:%d: error: %s", file, line, msg)
		: xasprintf("%s: error: %s", file, msg);
	free(msg);
}

static void free_list(char **v, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		free(v[i]);
	free(v);
}

/* Space- or comma-separated user names; each must look like a user name. */
static int parse_clients(const char *value, char ***out, size_t *n)
{
	char *copy = xstrdup(value), *tok, *save = NULL;
	char **v = NULL;
	size_t k = 0;

	for (tok = strtok_r(copy, " \t,", &save); tok; tok = strtok_r(NULL, " \t,", &save)) {
		if (tok[strspn(tok, "abcdefghijklmnopqrstuvwxyz"
				    "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789._-")] != '\0' ||
		    tok[0] == '-') {
			free_list(v, k);
			free(copy);
			return -1;
		}
		v = xreallocarray(v, k + 1, sizeof *v);
		v[k++] = xstrdup(tok);
	}
	free(copy);
	if (k == 0)
		return -1;
	free_list(*out, *n);
	*out = v;
	*n = k;
	return 0;
}

static int parse_bool(const char *s)
{
	if (!strcasecmp(s, "yes") || !strcasecmp(s, "true") || !strcmp(s, "1") ||
	    !strcasecmp(s, "on"))
		return 1;
	if (!strcasecmp(s, "no") || !strcasecmp(s, "false") || !strcmp(s, "0") ||
	    !strcasecmp(s, "off"))
		return 0;
	return -1;
}

static struct pool_policy *pool_section(struct guard_conf *g, const char *name)
{
	size_t i;

	for (i = 0; i < g->npools; i++)
		if (strcasecmp(g->pools[i].name, name) == 0)
			return &g->pools[i];
	g->pools = xreallocarray(g->pools, g->npools + 1, sizeof *g->pools);
	memset(&g->pools[g->npools], 0, sizeof *g->pools);
	g->pools[g->npools].name = xstrdup(name);
	g->pools[g->npools].policy = POL_UNSET;
	return &g->pools[g->npools++];
}

/* "pool NAME" -> NAME, or NULL for any other section. */
static const char *pool_name_of(const char *section)
{
	if (strncasecmp(section, "pool", 4) != 0 || (section[4] != ' ' && section[4] != '\t'))
		return NULL;
	section += 5;
	section += strspn(section, " \t");
	return *section ? section : NULL;
}

/* [pool NAME] retarget = warning | error. */
static void retarget_key(struct guard_conf *g, struct pool_policy *pp, const char *file,
			 int line, const char *value)
{
	if (strcmp(value, "error") == 0)
		pp->retarget_error = 1;
	else if (strcmp(value, "warning") == 0)
		pp->retarget_error = 0;
	else
		conf_error(g, file, line, "retarget = '%s': expected warning or error", value);
}

static int on_entry(void *user, const char *section, const char *name,
		    const char *value, int line)
{
	struct load *l = user;
	struct guard_conf *g = l->g;
	const char *pool = NULL;
	enum policy *pol = &g->policy;
	char ***clients = &g->clients;
	size_t *nclients = &g->nclients;

	if (*section) {
		if ((pool = pool_name_of(section)) == NULL) {
			conf_error(g, l->file, line, "unknown section [%s] (expected [pool NAME])",
				   section);
			return 1;
		}
		struct pool_policy *pp = pool_section(g, pool);
		pol = &pp->policy;
		clients = &pp->clients;
		nclients = &pp->nclients;
	}
	if (name == NULL)	/* a bare [section] line */
		return 1;
	if (value == NULL) {
		conf_error(g, l->file, line, "'%s' needs a value", name);
		return 1;
	}
	if (strcmp(name, "policy") == 0) {
		enum policy p = policy_parse(value);
		if (p == POL_UNSET)
			conf_error(g, l->file, line, "policy = '%s': expected fix, abort or report",
				   value);
		else
			*pol = p;
	} else if (strcmp(name, "clients") == 0) {
		if (parse_clients(value, clients, nclients) < 0)
			conf_error(g, l->file, line, "clients = '%s': expected user names",
				   value);
	} else if (strcmp(name, "retarget") == 0 && pool != NULL) {
		retarget_key(g, pool_section(g, pool), l->file, line, value);
	} else if (strcmp(name, "strict") == 0 && pool == NULL) {
		int b = parse_bool(value);
		if (b < 0)
			conf_error(g, l->file, line, "strict = '%s': expected yes or no", value);
		else
			g->strict = b;
	} else if (strcmp(name, "predict") == 0 && pool == NULL) {
		int b = parse_bool(value);
		if (b < 0)
			conf_error(g, l->file, line, "predict = '%s': expected yes or no", value);
		else
			g->no_predict = !b;
	} else if (strcmp(name, "fix_target") == 0 && pool == NULL) {
		if (strcmp(value, "pool-file") == 0)
			g->fix_target = FIX_POOL_FILE;
		else if (strcmp(value, "drop-in") == 0)
			g->fix_target = FIX_DROPIN;
		else
			conf_error(g, l->file, line,
				   "fix_target = '%s': expected pool-file or drop-in", value);
	} else if (strcmp(name, "prom_file") == 0 && pool == NULL) {
		/* The Prometheus textfile: a path inside the root (cli/status.c
		 * opens it there), or none. */
		if (strcmp(value, "none") != 0 && value[0] != '/')
			conf_error(g, l->file, line, "prom_file = '%s': expected an absolute "
				   "path or none", value);
		else {
			free(g->prom_file);
			g->prom_file = xstrdup(strcmp(value, "none") == 0 ? "" : value);
		}
	} else {
		conf_error(g, l->file, line, "unknown key '%s'%s%s%s", name,
			   pool ? " in [pool " : "", pool ? pool : "", pool ? "]" : "");
	}
	return 1;
}

static void set_inih_dialect(void)
{
	/* guard.conf is a plain INI file: comments with ; or #, also after
	 * a value; no continuation lines. */
	ini_allow_multiline = 0;
	ini_allow_bom = 1;
	ini_allow_inline_comments = 1;
	ini_inline_comment_prefixes = ";#";
	ini_start_comment_prefixes = ";#";
	ini_stop_on_first_error = 0;
	ini_allow_no_value = 1;
	ini_use_stack = 0;
	ini_allow_realloc = 1;
	ini_max_line = 4096;
	ini_initial_alloc = 200;
}

/* Root's, not writable by group or others: it steers a root process. */
static int trusted(const struct stat *st)
{
	return st->st_uid == 0 && !(st->st_mode & 022);
}

static void load_file(struct guard_conf *g, const struct rootfs *r,
		      const char *path, int must_exist)
{
	struct load l = { g, path };
	struct stat st;
	char *buf, *dir, *slash;
	size_t len;
	int rc;

	if (rootfs_read_file(r, path, GUARD_CONF_MAX_SIZE, &buf, &len, &st) < 0) {
		if (errno != ENOENT || must_exist)
			conf_error(g, path, 0, "cannot read: %s", strerror(errno));
		return;
	}
	dir = xstrdup(path);
	slash = strrchr(dir, '/');
	slash[slash == dir ? 1 : 0] = '\0';
	if (!trusted(&st)) {
		conf_error(g, path, 0, "not owned by root or writable by others: ignored");
	} else if (rootfs_stat(r, dir, &st) < 0 || !trusted(&st)) {
		conf_error(g, path, 0, "directory %s is not root's or is writable by others: ignored",
			   dir);
	} else if (memchr(buf, '\0', len) != NULL) {
		conf_error(g, path, 0, "contains a NUL byte");
	} else {
		g->files = xreallocarray(g->files, g->nfiles + 1, sizeof *g->files);
		g->files[g->nfiles++] = xstrdup(path);
		set_inih_dialect();
		rc = ini_parse_string(buf, on_entry, &l);
		if (rc > 0)
			conf_error(g, path, rc, "syntax error (expected key = value or [pool NAME])");
		else if (rc < 0)
			conf_error(g, path, 0, "cannot parse: out of memory");
	}
	free(dir);
	free(buf);
}

void guard_conf_load(struct guard_conf *g, const struct rootfs *r,
		     const char *path, const char *dropin_dir)
{
	char *pattern, *host_pattern;
	glob_t gl;
	size_t i;

	memset(g, 0, sizeof *g);
	g->policy = POL_FIX;
	load_file(g, r, path, 0);
	if (dropin_dir == NULL)
		return;
	pattern = xasprintf("%s/*.conf", dropin_dir);
	host_pattern = rootfs_host_path(r, pattern);
	if (glob(host_pattern, 0, NULL, &gl) == 0) {
		for (i = 0; i < gl.gl_pathc; i++)
			load_file(g, r, rootfs_inner_path(r, gl.gl_pathv[i]), 1);
		globfree(&gl);
	}
	free(host_pattern);
	free(pattern);
}

void guard_conf_free(struct guard_conf *g)
{
	size_t i;

	for (i = 0; i < g->npools; i++) {
		free(g->pools[i].name);
		free_list(g->pools[i].clients, g->pools[i].nclients);
	}
	free(g->pools);
	free_list(g->clients, g->nclients);
	free(g->prom_file);
	free_list(g->files, g->nfiles);
	free_list(g->errors, g->nerrors);
	memset(g, 0, sizeof *g);
}
