#include "clients.h"
#include "../util/xalloc.h"

#include <ctype.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#define CONF_MAX ((size_t)4 << 20)

void clients_add(struct client_list *l, const char *user, const char *source)
{
	size_t i;

	for (i = 0; i < l->n; i++)
		if (strcmp(l->v[i].user, user) == 0)
			return;
	XGROW(l->v, l->cap, l->n + 1);
	l->v[l->n].user = xstrdup(user);
	l->v[l->n].source = xstrdup(source);
	l->n++;
}

/* nginx: "user NAME [GROUP];" at brace depth 0, '#' comments. */
static int nginx_user(const char *buf, char **user, int *line)
{
	const char *p = buf;
	int depth = 0, ln = 1, at_stmt = 1;

	while (*p) {
		if (*p == '#') {
			while (*p && *p != '\n')
				p++;
			continue;
		}
		if (*p == '\n') {
			ln++;
			p++;
			continue;
		}
		if (isspace((unsigned char)*p)) {
			p++;
			continue;
		}
		if (*p == '{') {
			depth++;
			at_stmt = 1;
			p++;
			continue;
		}
		if (*p == '}') {
			depth--;
			at_stmt = 1;
			p++;
			continue;
		}
		if (*p == ';') {
			at_stmt = 1;
			p++;
			continue;
		}
		if (at_stmt && depth == 0 && strncmp(p, "user", 4) == 0 &&
		    isspace((unsigned char)p[4])) {
			const char *s = p + 4, *e;
			while (*s && isspace((unsigned char)*s))
				s++;
			e = s;
			while (*e && !isspace((unsigned char)*e) && *e != ';')
				e++;
			if (e > s) {
				*user = xstrndup(s, (size_t)(e - s));
				*line = ln;
				return 1;
			}
		}
		at_stmt = 0;
		while (*p && !isspace((unsigned char)*p) && !strchr(";{}#", *p))
			p++;
	}
	return 0;
}

/* envvars: "export APACHE_RUN_USER=www-data" (quotes allowed). */
static int apache_user(const char *buf, char **user, int *line)
{
	const char *p = buf;
	int ln = 1;

	while (*p) {
		const char *eol = strchr(p, '\n'), *k;
		size_t len = eol ? (size_t)(eol - p) : strlen(p);
		char *l = xstrndup(p, len);
		char *s = l;
		while (isspace((unsigned char)*s))
			s++;
		if (strncmp(s, "export", 6) == 0 && isspace((unsigned char)s[6]))
			s += 7;
		while (isspace((unsigned char)*s))
			s++;
		k = "APACHE_RUN_USER=";
		if (strncmp(s, k, strlen(k)) == 0) {
			char *v = s + strlen(k), *e;
			if (*v == '"' || *v == '\'') {
				char q = *v++;
				e = strchr(v, q);
			} else {
				e = v + strcspn(v, " \t#;");
			}
			if (e && e > v) {
				*user = xstrndup(v, (size_t)(e - v));
				*line = ln;
				free(l);
				return 1;
			}
		}
		free(l);
		if (!eol)
			break;
		p = eol + 1;
		ln++;
	}
	return 0;
}

static void from_file(const struct rootfs *r, const char *path,
		      int (*find)(const char *, char **, int *),
		      struct client_list *l)
{
	char *buf, *user, *src;
	size_t len;
	struct stat st;
	int line;

	if (rootfs_read_file(r, path, CONF_MAX, &buf, &len, &st) < 0)
		return;
	if (find(buf, &user, &line)) {
		src = xasprintf("%s:%d", path, line);
		clients_add(l, user, src);
		free(src);
		free(user);
	} else if (find == nginx_user) {
		clients_add(l, "nobody", path);
	}
	free(buf);
}

void clients_detect(const struct rootfs *r, struct client_list *l)
{
	from_file(r, "/etc/nginx/nginx.conf", nginx_user, l);
	from_file(r, "/etc/apache2/envvars", apache_user, l);
	if (l->n == 0)
		clients_add(l, "www-data", "default");
}

void clients_free(struct client_list *l)
{
	size_t i;

	for (i = 0; i < l->n; i++) {
		free(l->v[i].user);
		free(l->v[i].source);
	}
	free(l->v);
	memset(l, 0, sizeof *l);
}
