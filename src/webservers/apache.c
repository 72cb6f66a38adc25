/*
 * Apache 2.4's configuration, read the way httpd builds its tree at start
 * (server/config.c, server/util.c): lines joined by a trailing backslash,
 * '#' comments at the start of a line, ${VAR} from Define and then the
 * environment (Debian: the exports of /etc/apache2/envvars), words split
 * by ap_getword_conf (quotes, \" inside them).  What httpd decides while
 * reading is decided here too: Include/IncludeOptional, LoadModule (so
 * that <IfModule> sees the modules loaded so far), Define/UnDefine,
 * <IfDefine>, <IfFile>.  A section opened in a file closes in that file.
 */
#include "wsread.h"
#include "../util/run.h"
#include "../util/xalloc.h"

#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <unistd.h>

#define APACHE_DIR "/etc/apache2"
#define APACHE_CONF APACHE_DIR "/apache2.conf"
#define APACHE_ENVVARS APACHE_DIR "/envvars"
#define APACHECTL "/usr/sbin/apache2ctl"
#define AP_MAX_PARSES 20000
#define AP_MAX_SECTIONS 64

/* Debian's apache2 -l: compiled in, always "loaded". */
static const char *const static_modules[] = {
	"core.c", "mod_so.c", "mod_watchdog.c", "http_core.c", "mod_log_config.c",
	"mod_logio.c", "mod_version.c", "mod_unixd.c", "core_module", "so_module",
	"watchdog_module", "http_module", "log_config_module", "logio_module",
	"version_module", "unixd_module", NULL
};

struct ap_var {
	char *name, *value;
	char *from;		/* envvars file:line, for the user's source */
};

/* <Proxy "unix:PATH|fcgi://NAME"> or a BalancerMember of balancer://NAME. */
struct ap_worker {
	char *url;		/* "fcgi://name", "balancer://name": normalized */
	char *socket, *file;
	int line;
};

/* A proxy URL that names a worker: resolved after the walk. */
struct ap_ref {
	char *url, *directive, *file;
	int line;
	size_t placeholder;	/* a use without socket that holds the vhost */
};

struct ap {
	const struct rootfs *r;
	struct ws_config *c;
	struct ws_server *s;
	char *server_root;
	struct ap_var *defs, *env;	/* Define'd variables; envvars */
	size_t ndefs, nenv;
	char **defines;		/* Define'd names and -D of APACHE_ARGUMENTS */
	size_t ndefines;
	char **modules;		/* loaded: "proxy_fcgi_module" and "mod_proxy_fcgi.c" */
	size_t nmodules;
	int depth;
	size_t parses;
	char *balancer;		/* inside <Proxy balancer://NAME> */
	struct ap_worker *w;
	size_t nw, cap_w;
	struct ap_ref *refs;
	size_t nrefs, cap_refs;
};

static int has(char *const *v, size_t n, const char *s)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (strcmp(v[i], s) == 0)
			return 1;
	return 0;
}

static void set_var(struct ap_var **v, size_t *n, const char *name, const char *value,
		    const char *from)
{
	size_t i;

	for (i = 0; i < *n; i++)
		if (strcmp((*v)[i].name, name) == 0)
			break;
	if (i == *n) {
		*v = xreallocarray(*v, *n + 1, sizeof **v);
		(*v)[i].name = xstrdup(name);
		(*n)++;
	} else {
		free((*v)[i].value);
		free((*v)[i].from);
	}
	(*v)[i].value = xstrdup(value);
	(*v)[i].from = from ? xstrdup(from) : NULL;
}

static const struct ap_var *get_var(const struct ap *x, const char *name, size_t len)
{
	size_t i;

	for (i = 0; i < x->ndefs; i++)
		if (strlen(x->defs[i].name) == len && strncmp(x->defs[i].name, name, len) == 0)
			return &x->defs[i];
	for (i = 0; i < x->nenv; i++)
		if (strlen(x->env[i].name) == len && strncmp(x->env[i].name, name, len) == 0)
			return &x->env[i];
	return NULL;
}

/* ${VAR} replaced as httpd does; an undefined one stays as written. */
static char *substitute(const struct ap *x, const char *line)
{
	size_t cap = strlen(line) + 1, n = 0;
	char *out = xmalloc(cap);
	const char *p = line;

	while (*p) {
		const char *e;
		const struct ap_var *v;
		const char *add = p;
		size_t addn = 1;
		if (p[0] == '$' && p[1] == '{' && (e = strchr(p + 2, '}')) != NULL &&
		    (v = get_var(x, p + 2, (size_t)(e - p - 2))) != NULL) {
			add = v->value;
			addn = strlen(v->value);
			p = e + 1;
		} else {
			p++;
		}
		if (n + addn + 1 > cap) {
			cap = (n + addn + 1) * 2;
			out = xreallocarray(out, cap, 1);
		}
		memcpy(out + n, add, addn);
		n += addn;
	}
	out[n] = '\0';
	return out;
}

/* ap_getword_conf: a quoted word runs to its quote (\" inside is a
 * quote), else to the next blank. */
static size_t split_words(const char *s, char ***out)
{
	size_t n = 0;

	*out = NULL;
	for (;;) {
		const char *start;
		char *w, *d;
		while (isspace((unsigned char)*s))
			s++;
		if (!*s)
			return n;
		if (*s == '"' || *s == '\'') {
			char q = *s++;
			w = d = xmalloc(strlen(s) + 1);
			while (*s && *s != q) {
				if (*s == '\\' && s[1] == q)
					s++;
				*d++ = *s++;
			}
			*d = '\0';
			if (*s)
				s++;
		} else {
			start = s;
			while (*s && !isspace((unsigned char)*s))
				s++;
			w = xstrndup(start, (size_t)(s - start));
		}
		ws_push(out, &n, w);
	}
}

/* ---- envvars: the NAME=VALUE lines of a shell script, in order ---- */

static char *shell_value(const struct ap *x, const char *v)
{
	char *raw, *out;
	size_t n = 0, cap;
	const char *p;

	if (*v == '"' || *v == '\'') {
		const char *e = strchr(v + 1, *v);
		raw = xstrndup(v + 1, e ? (size_t)(e - v - 1) : strlen(v + 1));
		if (*v == '\'')
			return raw;
	} else {
		raw = xstrndup(v, strcspn(v, " \t;#"));
	}
	/* $NAME and ${NAME}: the variables set above; anything fancier
	 * (${X##pat}) expands to nothing. */
	cap = strlen(raw) + 1;
	out = xmalloc(cap);
	for (p = raw; *p;) {
		const char *val = p, *name;
		size_t len = 1, nl;
		if (*p == '$' && (p[1] == '{' || isalpha((unsigned char)p[1]) || p[1] == '_')) {
			const struct ap_var *var;
			int braced = p[1] == '{';
			name = p + 1 + braced;
			nl = braced ? strcspn(name, "}") : strspn(name,
				"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789_");
			var = get_var(x, name, nl);
			val = var ? var->value : "";
			len = strlen(val);
			p = name + nl + (braced && name[nl] == '}');
		} else {
			p++;
		}
		if (n + len + 1 > cap) {
			cap = (n + len + 1) * 2;
			out = xreallocarray(out, cap, 1);
		}
		memcpy(out + n, val, len);
		n += len;
	}
	out[n] = '\0';
	free(raw);
	return out;
}

static void read_envvars(struct ap *x)
{
	char *buf, *line, *save = NULL;
	size_t len;
	struct stat st;
	int ln = 0;

	if (rootfs_read_file(x->r, APACHE_ENVVARS, WS_FILE_MAX, &buf, &len, &st) < 0)
		return;
	x->s->present = 1;
	for (line = buf; line; line = save) {
		char *nl = strchr(line, '\n'), *s = line, *eq, *val, *from;
		size_t k;
		save = nl ? nl + 1 : NULL;
		if (nl)
			*nl = '\0';
		ln++;
		while (isspace((unsigned char)*s))
			s++;
		if (strncmp(s, "export", 6) == 0 && isspace((unsigned char)s[6]))
			s += 7;
		while (isspace((unsigned char)*s))
			s++;
		k = strspn(s, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789_");
		if (k == 0 || s[k] != '=' || isdigit((unsigned char)*s))
			continue;
		eq = s + k;
		*eq = '\0';
		val = shell_value(x, eq + 1);
		from = xasprintf("%s:%d", APACHE_ENVVARS, ln);
		set_var(&x->env, &x->nenv, s, val, from);
		free(from);
		free(val);
	}
	free(buf);
}

/* -D NAME in APACHE_ARGUMENTS, as apache2ctl passes them on. */
static void argument_defines(struct ap *x)
{
	const struct ap_var *a = get_var(x, "APACHE_ARGUMENTS", strlen("APACHE_ARGUMENTS"));
	char **w;
	size_t n, i;

	if (a == NULL)
		return;
	n = split_words(a->value, &w);
	for (i = 0; i + 1 < n; i++)
		if (strcmp(w[i], "-D") == 0 && !has(x->defines, x->ndefines, w[i + 1]))
			ws_push(&x->defines, &x->ndefines, xstrdup(w[i + 1]));
	ws_strings_free(w, n);
}

/* ---- modules and conditions ---- */

static void load_module(struct ap *x, const char *id, const char *path)
{
	const char *base = strrchr(path, '/');
	size_t l;

	ws_push(&x->modules, &x->nmodules, xstrdup(id));
	/* IfModule also takes the source file's name: mod_X.c. */
	l = strlen(id);
	if (l > 7 && strcmp(id + l - 7, "_module") == 0)
		ws_push(&x->modules, &x->nmodules, xasprintf("mod_%.*s.c", (int)(l - 7), id));
	base = base ? base + 1 : path;
	l = strlen(base);
	if (strncmp(base, "mod_", 4) == 0 && l > 3 && strcmp(base + l - 3, ".so") == 0)
		ws_push(&x->modules, &x->nmodules, xasprintf("%.*s.c", (int)(l - 3), base));
}

/* mod_php: php_module (PHP 8), php7_module, php5_module.  The first
 * one loaded is the one Apache runs. */
static void note_mod_php(struct ap *x, const char *id, const char *file, int line)
{
	size_t l = strlen(id);

	if (x->s->php_module || strncmp(id, "php", 3) != 0 || l < 10 ||
	    strcmp(id + l - 7, "_module") != 0 || strspn(id + 3, "0123456789") != l - 10)
		return;
	x->s->php_module = xstrdup(id);
	x->s->php_module_source = xasprintf("%s:%d", file, line);
}

static int module_loaded(const struct ap *x, const char *m)
{
	const char *const *s;

	for (s = static_modules; *s; s++)
		if (strcmp(*s, m) == 0)
			return 1;
	return has(x->modules, x->nmodules, m);
}

static char *under_root(const struct ap *x, const char *p)
{
	return p[0] == '/' ? xstrdup(p) : xasprintf("%s/%s", x->server_root, p);
}

/* 1 active, 0 not, for <IfModule>, <IfDefine>, <IfFile>; others 1. */
static int condition(const struct ap *x, const char *section, const char *arg)
{
	int neg = arg && arg[0] == '!', r;

	if (arg == NULL)
		return 1;
	if (neg)
		arg++;
	if (strcasecmp(section, "IfModule") == 0)
		r = module_loaded(x, arg);
	else if (strcasecmp(section, "IfDefine") == 0)
		r = has(x->defines, x->ndefines, arg);
	else if (strcasecmp(section, "IfFile") == 0) {
		char *p = under_root(x, arg);
		struct stat st;
		r = rootfs_stat(x->r, p, &st) == 0;
		free(p);
	} else
		return 1;	/* IfVersion, IfDirective, If/Else: taken */
	return neg ? !r : r;
}

/* ---- uses ---- */

/* "fcgi://Name:9000/path/" -> "fcgi://name:9000": what a worker's URL
 * and a request URL share. */
static char *worker_key(const char *url)
{
	const char *sep = strstr(url, "://");
	size_t n, i;
	char *k;

	if (sep == NULL)
		return NULL;
	n = (size_t)(sep + 3 - url) + strcspn(sep + 3, "/");
	k = xstrndup(url, n);
	for (i = 0; k[i]; i++)
		k[i] = (char)tolower((unsigned char)k[i]);
	return k;
}

/* "unix:PATH|fcgi://..." -> PATH; NULL when url is no UDS url. */
static char *uds_path(const char *url)
{
	if (strncasecmp(url, "unix:", 5) != 0 || url[5] != '/')
		return NULL;
	return xstrndup(url + 5, strcspn(url + 5, "|"));
}

static void proxy_url(struct ap *x, const char *url, const char *directive,
		      const char *file, int line)
{
	char *path = uds_path(url), *key;

	if (path) {
		ws_add_use(x->c, WS_APACHE, path, directive, file, line);
		free(path);
		return;
	}
	if ((key = worker_key(url)) == NULL)
		return;
	XGROW(x->refs, x->cap_refs, x->nrefs + 1);
	x->refs[x->nrefs].url = key;
	x->refs[x->nrefs].directive = xstrdup(directive);
	x->refs[x->nrefs].file = xstrdup(file);
	x->refs[x->nrefs].line = line;
	x->refs[x->nrefs].placeholder = ws_add_use(x->c, WS_APACHE, "", "", file, line);
	x->nrefs++;
}

static void add_worker(struct ap *x, const char *key, const char *uds, const char *file,
		       int line)
{
	char *path = uds_path(uds);

	if (path == NULL || key == NULL) {
		free(path);
		return;
	}
	XGROW(x->w, x->cap_w, x->nw + 1);
	x->w[x->nw].url = xstrdup(key);
	x->w[x->nw].socket = path;
	x->w[x->nw].file = xstrdup(file);
	x->w[x->nw].line = line;
	x->nw++;
}

/* A <Proxy URL> section: a UDS worker's name, or a balancer. */
static void proxy_section(struct ap *x, const char *url, const char *file, int line)
{
	const char *bar = strchr(url, '|');
	char *key;

	if (strncasecmp(url, "balancer://", 11) == 0) {
		free(x->balancer);
		x->balancer = worker_key(url);
	} else if (bar && (key = worker_key(bar + 1)) != NULL) {
		add_worker(x, key, url, file, line);
		free(key);
	}
}

/*
 * Include recurses into ap_file, as httpd does; WS_MAX_DEPTH bounds it
 * (sections within a file are an explicit stack, AP_MAX_SECTIONS deep).
 */
/* NOLINTBEGIN(misc-no-recursion) */
static int ap_file(struct ap *x, const char *path);

static void include(struct ap *x, const char *pattern, int optional, const char *file,
		    int line)
{
	char *full = under_root(x, pattern), **paths;
	const char *why;
	struct ws_src src;
	struct stat st;
	size_t n, i;

	memset(&src, 0, sizeof src);
	src.root = x->r;
	/* A directory: every file in it (Debian's layout never does this). */
	if (!ws_has_wildcard(full) && rootfs_stat(x->r, full, &st) == 0 && S_ISDIR(st.st_mode)) {
		char *all = xasprintf("%s/*", full);
		free(full);
		full = all;
	}
	n = ws_src_glob(&src, full, &paths, &why);
	if (why)
		ws_error(x->s, file, line, "%s pattern '%.64s%s' refused: %s",
			 optional ? "IncludeOptional" : "Include", full,
			 strlen(full) > 64 ? "..." : "", why);
	for (i = 0; i < n; i++)
		if (ap_file(x, paths[i]) < 0 && !(optional && errno == ENOENT))
			ws_note(x->s, "%s:%d: Include %s: %s", file, line, paths[i],
				errno == ENOENT ? "no such file" : strerror(errno));
	ws_strings_free(paths, n);
	free(full);
}

/* One directive in an active context. */
static void directive(struct ap *x, char **w, size_t n, const char *file, int line)
{
	const char *d = w[0];
	size_t i;

	if (n >= 2 && strcasecmp(d, "Define") == 0) {
		if (!has(x->defines, x->ndefines, w[1]))
			ws_push(&x->defines, &x->ndefines, xstrdup(w[1]));
		if (n >= 3)
			set_var(&x->defs, &x->ndefs, w[1], w[2], NULL);
	} else if (n >= 2 && strcasecmp(d, "UnDefine") == 0) {
		for (i = 0; i < x->ndefines; i++)
			if (strcmp(x->defines[i], w[1]) == 0) {
				free(x->defines[i]);
				x->defines[i] = xstrdup("");
			}
	} else if (n >= 2 && strcasecmp(d, "ServerRoot") == 0) {
		free(x->server_root);
		x->server_root = xstrdup(w[1]);
	} else if (n >= 3 && strcasecmp(d, "LoadModule") == 0) {
		load_module(x, w[1], w[2]);
		note_mod_php(x, w[1], file, line);
	} else if (n >= 2 && (strcasecmp(d, "Include") == 0 || strcasecmp(d, "IncludeOptional") == 0)) {
		for (i = 1; i < n; i++)
			include(x, w[i], strcasecmp(d, "IncludeOptional") == 0, file, line);
	} else if (n >= 2 && strcasecmp(d, "User") == 0) {
		free(x->s->user);
		free(x->s->user_source);
		x->s->user = xstrdup(w[1]);
		x->s->user_source = xasprintf("%s:%d", file, line);
	} else if (n >= 2 && (strcasecmp(d, "SetHandler") == 0 || strcasecmp(d, "AddHandler") == 0)) {
		if (strncasecmp(w[1], "proxy:", 6) == 0)
			proxy_url(x, w[1] + 6, d, file, line);
	} else if (n >= 2 && (strcasecmp(d, "ProxyPass") == 0 || strcasecmp(d, "ProxyPassMatch") == 0)) {
		/* ProxyPass [PATH] URL [key=value ...]: the URL is the first
		 * word that is one. */
		for (i = 1; i < n; i++)
			if (strncasecmp(w[i], "unix:", 5) == 0 || strstr(w[i], "://")) {
				proxy_url(x, w[i], d, file, line);
				break;
			}
	} else if (n >= 2 && strcasecmp(d, "BalancerMember") == 0) {
		/* Inside <Proxy balancer://NAME>: URL; outside: NAME URL. */
		if (x->balancer)
			add_worker(x, x->balancer, w[1], file, line);
		else if (n >= 3 && strncasecmp(w[1], "balancer://", 11) == 0) {
			char *key = worker_key(w[1]);
			add_worker(x, key, w[2], file, line);
			free(key);
		}
	}
}

/* ---- lines and sections ---- */

struct ap_lines {
	char *p;		/* the rest of the buffer */
	int line;		/* next physical line */
};

/* The next logical line (continuations joined) in place; its first
 * physical line number in *ln; NULL at the end. */
static char *next_line(struct ap_lines *L, int *ln)
{
	char *start, *r, *w;

	if (L->p == NULL || *L->p == '\0')
		return NULL;
	*ln = L->line;
	start = r = w = L->p;
	for (;;) {
		char *nl = strchr(r, '\n');
		char *e = nl ? nl : r + strlen(r);
		L->line++;
		if (e > r && e[-1] == '\r')
			e--;
		/* A backslash ending the line joins the next one to it. */
		if (e > r && e[-1] == '\\' && nl) {
			memmove(w, r, (size_t)(e - 1 - r));
			w += e - 1 - r;
			r = nl + 1;
			continue;
		}
		memmove(w, r, (size_t)(e - r));
		w += e - r;
		*w = '\0';
		L->p = nl ? nl + 1 : NULL;
		return start;
	}
}

struct ap_section {
	char name[32];
	int vhost;		/* <VirtualHost> */
	int proxy;		/* <Proxy>: a balancer's members follow */
};

struct ap_vhost {
	char *name;		/* ServerName */
	char *label;		/* "<VirtualHost *:80>" */
	int line;
	size_t first;		/* its first use */
};

/* Skip an inactive section to its end, nested sections and all. */
static void skip_section(struct ap_lines *L)
{
	int depth = 1, ln;
	char *l;

	while (depth > 0 && (l = next_line(L, &ln)) != NULL) {
		while (isspace((unsigned char)*l))
			l++;
		if (l[0] == '<' && l[1] == '/')
			depth--;
		else if (l[0] == '<' && isalpha((unsigned char)l[1]))
			depth++;
	}
}

static void end_vhost(struct ap *x, struct ap_vhost *vh, const char *file)
{
	ws_set_vhost(x->c, vh->first, vh->name ? vh->name : vh->label, file, vh->line);
	free(vh->name);
	free(vh->label);
	memset(vh, 0, sizeof *vh);
}

/* "<Name args>" or "</Name>": opens, closes or skips a section. */
static void section_line(struct ap *x, struct ap_lines *L, char *l, const char *file,
			 int ln, struct ap_section *stack, size_t *depth, struct ap_vhost *vh)
{
	char *gt = strrchr(l, '>'), **w;
	size_t n, k;

	if (gt)
		*gt = '\0';
	if (l[1] == '/') {
		if (*depth == 0 || strcasecmp(stack[*depth - 1].name, l + 2) != 0) {
			ws_note(x->s, "%s:%d: </%s> without <%s>", file, ln, l + 2, l + 2);
			return;
		}
		(*depth)--;
		if (stack[*depth].vhost)
			end_vhost(x, vh, file);
		if (stack[*depth].proxy) {
			free(x->balancer);
			x->balancer = NULL;
		}
		return;
	}
	n = split_words(l + 1, &w);
	if (n == 0 || !condition(x, w[0], n > 1 ? w[1] : NULL)) {
		skip_section(L);
		ws_strings_free(w, n);
		return;
	}
	if (*depth >= AP_MAX_SECTIONS) {
		ws_note(x->s, "%s:%d: sections nested deeper than %d: skipped", file, ln,
			AP_MAX_SECTIONS);
		skip_section(L);
		ws_strings_free(w, n);
		return;
	}
	k = (*depth)++;
	memset(&stack[k], 0, sizeof stack[k]);
	snprintf(stack[k].name, sizeof stack[k].name, "%s", w[0]);
	if (strcasecmp(w[0], "VirtualHost") == 0 && vh->label == NULL) {
		stack[k].vhost = 1;
		vh->first = x->c->nuses;
		vh->line = ln;
		vh->label = xasprintf("<VirtualHost %s>", n > 1 ? w[1] : "");
	} else if (strcasecmp(w[0], "Proxy") == 0 && n > 1) {
		stack[k].proxy = 1;
		proxy_section(x, w[1], file, ln);
	}
	ws_strings_free(w, n);
}

/* Read path: 0, or -1 with errno when it cannot be read (the caller
 * says where it was included). */
static int ap_file(struct ap *x, const char *path)
{
	struct ap_section stack[AP_MAX_SECTIONS];
	struct ap_vhost vh;
	struct ap_lines L;
	struct stat st;
	size_t depth = 0, len, n;
	char *buf, *l;
	int ln;

	if (x->depth >= WS_MAX_DEPTH || ++x->parses > AP_MAX_PARSES) {
		ws_note(x->s, "%s: not read: includes nested deeper than %d or more than %d files",
			path, WS_MAX_DEPTH, AP_MAX_PARSES);
		return 0;
	}
	if (rootfs_read_file(x->r, path, WS_FILE_MAX, &buf, &len, &st) < 0)
		return -1;
	ws_add_file(x->s, path);
	memset(&vh, 0, sizeof vh);
	L.p = buf;
	L.line = 1;
	x->depth++;
	while ((l = next_line(&L, &ln)) != NULL) {
		char *sub, **w;
		while (isspace((unsigned char)*l))
			l++;
		if (*l == '\0' || *l == '#')
			continue;
		sub = substitute(x, l);
		if (sub[0] == '<') {
			section_line(x, &L, sub, path, ln, stack, &depth, &vh);
		} else if ((n = split_words(sub, &w)) > 0) {
			if (vh.label && n >= 2 && strcasecmp(w[0], "ServerName") == 0 && !vh.name)
				vh.name = xstrdup(w[1]);
			directive(x, w, n, path, ln);
			ws_strings_free(w, n);
		}
		free(sub);
	}
	x->depth--;
	if (depth > 0)
		ws_note(x->s, "%s: <%s> not closed in this file", path, stack[depth - 1].name);
	if (vh.label)
		end_vhost(x, &vh, path);
	free(buf);
	return 0;
}

/* NOLINTEND(misc-no-recursion) */

/* URLs that name a <Proxy> worker or a balancer: its sockets. */
static void resolve_refs(struct ap *x)
{
	size_t i, j;

	for (i = 0; i < x->nrefs; i++) {
		const struct ap_ref *r = &x->refs[i];
		for (j = 0; j < x->nw; j++) {
			const struct ws_use *ph;
			char *d;
			size_t u;
			if (strcmp(x->w[j].url, r->url) != 0)
				continue;
			if (x->c->nuses >= WS_MAX_USES) {
				ws_note(x->s, "more than %d uses: the rest left out", WS_MAX_USES);
				return;
			}
			d = xasprintf("%s %s (worker at %s:%d)", r->directive, r->url,
				      x->w[j].file, x->w[j].line);
			u = ws_add_use(x->c, WS_APACHE, x->w[j].socket, d, r->file, r->line);
			free(d);
			ph = &x->c->uses[r->placeholder];
			ws_set_vhost(x->c, u, ph->vhost ? ph->vhost : "", ph->vhost_file,
				     ph->vhost_line);
		}
	}
}


static void vars_free(struct ap_var *v, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++) {
		free(v[i].name);
		free(v[i].value);
		free(v[i].from);
	}
	free(v);
}

static void ap_free(struct ap *x)
{
	size_t i;

	vars_free(x->defs, x->ndefs);
	vars_free(x->env, x->nenv);
	ws_strings_free(x->defines, x->ndefines);
	ws_strings_free(x->modules, x->nmodules);
	for (i = 0; i < x->nw; i++) {
		free(x->w[i].url);
		free(x->w[i].socket);
		free(x->w[i].file);
	}
	free(x->w);
	for (i = 0; i < x->nrefs; i++) {
		free(x->refs[i].url);
		free(x->refs[i].directive);
		free(x->refs[i].file);
	}
	free(x->refs);
	free(x->balancer);
	free(x->server_root);
}

/* The user: User as read, else envvars' APACHE_RUN_USER; where a
 * ${VAR} gave it, the envvars line too. */
static void settle_user(struct ap *x)
{
	const struct ap_var *v = get_var(x, "APACHE_RUN_USER", strlen("APACHE_RUN_USER"));
	struct ws_server *s = x->s;

	if (s->user && strstr(s->user, "${")) {
		ws_note(s, "%s: User %s: the variable is not defined", s->user_source, s->user);
		free(s->user);
		free(s->user_source);
		s->user = s->user_source = NULL;
	}
	if (s->user == NULL && v && *v->value) {
		s->user = xstrdup(v->value);
		s->user_source = xstrdup(v->from ? v->from : APACHE_ENVVARS);
	} else if (s->user && v && v->from && strcmp(s->user, v->value) == 0) {
		char *src = xasprintf("%s via %s", s->user_source, v->from);
		free(s->user_source);
		s->user_source = src;
	}
}

/* Where Apache and this reader disagree about the files read. */
static void check_dump(struct ap *x, const struct ws_apache_dump *d)
{
	size_t i;

	for (i = 0; i < d->nfiles; i++)
		if (!has(x->s->files, x->s->nfiles, d->files[i]))
			ws_note(x->s, "apache2ctl: Apache reads %s, which this reader did not", d->files[i]);
	for (i = 0; i < x->s->nfiles; i++)
		if (!has(d->files, d->nfiles, x->s->files[i]))
			ws_note(x->s, "apache2ctl: Apache does not read %s, which this reader did",
				x->s->files[i]);
	if (d->user && (x->s->user == NULL || strcmp(d->user, x->s->user) != 0)) {
		if (x->s->user)
			ws_note(x->s, "apache2ctl: Apache runs as %s, where %s says %s", d->user,
				x->s->user_source, x->s->user);
		free(x->s->user);
		free(x->s->user_source);
		x->s->user = xstrdup(d->user);
		x->s->user_source = xstrdup("apache2ctl -D DUMP_RUN_CFG");
	}
}

/* The walk; with id, that module counts as loaded before any file. */
static void walk(const struct rootfs *r, const struct ws_apache_dump *d,
		 struct ws_config *c, const char *id, const char *so)
{
	struct ap x;
	struct stat st;
	size_t first = c->nuses;

	memset(&x, 0, sizeof x);
	x.r = r;
	x.c = c;
	x.s = &c->srv[WS_APACHE];
	x.server_root = xstrdup(APACHE_DIR);
	read_envvars(&x);
	argument_defines(&x);
	if (id && so) {
		load_module(&x, id, so);
		note_mod_php(&x, id, "(predicted)", 0);
	}
	if (rootfs_stat(r, APACHE_CONF, &st) == 0) {
		x.s->present = 1;
		x.s->config = xstrdup(APACHE_CONF);
		if (ap_file(&x, APACHE_CONF) < 0)
			ws_note(x.s, "%s: cannot read: %s", APACHE_CONF, strerror(errno));
	}
	if (x.s->present) {
		resolve_refs(&x);
		ws_drop_placeholders(c, first, WS_APACHE);
		settle_user(&x);
		if (d)
			check_dump(&x, d);
	}
	ap_free(&x);
}

void ws_apache_walk(const struct rootfs *r, const struct ws_apache_dump *d,
		    struct ws_config *c)
{
	walk(r, d, c, NULL, NULL);
}

void webservers_read_apache_with(const struct rootfs *r, const char *id, const char *so,
				 struct ws_config *out)
{
	memset(out, 0, sizeof *out);
	walk(r, NULL, out, id, so);
}

/* ---- apache2ctl ---- */

void ws_apache_dump_free(struct ws_apache_dump *d)
{
	ws_strings_free(d->files, d->nfiles);
	free(d->user);
	free(d->server_root);
	memset(d, 0, sizeof *d);
}

/*
 *   Included configuration files:
 *     (*) /etc/apache2/apache2.conf
 *       (146) /etc/apache2/mods-enabled/access_compat.load
 *   ServerRoot: "/etc/apache2"
 *   User: name="www-data" id=33
 */
int ws_apache_parse_dump(const char *out, struct ws_apache_dump *d)
{
	const char *p = out;
	int in_list = 0, seen = 0;

	memset(d, 0, sizeof *d);
	while (p && *p) {
		const char *nl = strchr(p, '\n'), *s = p, *q;
		size_t len = nl ? (size_t)(nl - p) : strlen(p);
		if (strncmp(p, "Included configuration files:", 29) == 0) {
			in_list = seen = 1;
		} else if (in_list && len > 2 && p[0] == ' ') {
			while (*s == ' ')
				s++;
			if (*s == '(' && (q = memchr(s, ')', len - (size_t)(s - p))) != NULL &&
			    q[1] == ' ' && q[2] == '/')
				ws_push(&d->files, &d->nfiles, xstrndup(q + 2, len - (size_t)(q + 2 - p)));
			else
				in_list = 0;
		} else {
			in_list = 0;
			if (strncmp(p, "User: name=\"", 12) == 0 && (q = memchr(p + 12, '"', len - 12))) {
				free(d->user);
				d->user = xstrndup(p + 12, (size_t)(q - p - 12));
			} else if (strncmp(p, "ServerRoot: \"", 13) == 0 &&
				   (q = memchr(p + 13, '"', len - 13))) {
				free(d->server_root);
				d->server_root = xstrndup(p + 13, (size_t)(q - p - 13));
			}
		}
		p = nl ? nl + 1 : NULL;
	}
	if (!seen)
		ws_apache_dump_free(d);
	return seen ? 0 : -1;
}

static int apache_dump(struct ws_server *s, struct ws_apache_dump *d)
{
	char *argv[] = { APACHECTL, "-t", "-D", "DUMP_INCLUDES", "-D", "DUMP_RUN_CFG", NULL };
	char *out = NULL;
	int status;

	if (access(APACHECTL, X_OK) < 0)
		return -1;
	if (run_capture(argv, WS_RUN_TIMEOUT_MS, &out, &status) < 0) {
		ws_note(s, "%s: cannot run: %s", APACHECTL, strerror(errno));
		return -1;
	}
	if (status != 0 || ws_apache_parse_dump(out, d) < 0) {
		/* httpd's messages carry an AHnnnnn id: the first one says why. */
		const char *msg = out ? out : "", *ah = strstr(msg, "AH");
		char *first = xstrndup(ah ? ah : msg, strcspn(ah ? ah : msg, "\n"));
		char how[96];
		if (status != 0)
			ws_note(s, "%s -t refuses the configuration (%s: %s)", APACHECTL,
				run_status_text(status, WS_RUN_TIMEOUT_MS, how, sizeof how),
				first);
		else
			ws_note(s, "%s -t -D DUMP_INCLUDES printed no include list", APACHECTL);
		free(first);
		free(out);
		ws_apache_dump_free(d);
		return -1;
	}
	free(out);
	return 0;
}

void ws_apache_read(const struct rootfs *r, int ask, struct ws_config *c)
{
	struct ws_apache_dump d;
	struct stat st;
	int have = 0;

	if (rootfs_stat(r, APACHE_CONF, &st) < 0 && rootfs_stat(r, APACHE_ENVVARS, &st) < 0)
		return;
	memset(&d, 0, sizeof d);
	if (ask && apache_dump(&c->srv[WS_APACHE], &d) == 0)
		have = 1;
	ws_apache_walk(r, have ? &d : NULL, c);
	if (have)
		c->srv[WS_APACHE].read_by = "files, checked with apache2ctl";
	ws_apache_dump_free(&d);
}
