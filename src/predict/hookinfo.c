#include "hookinfo.h"
#include "../util/xalloc.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

/* %XX-decode in place (APT encodes '=', '%', newlines, control bytes). */
static void decode(char *s)
{
	char *o = s;

	for (; *s; s++) {
		if (s[0] == '%' && s[1] && s[2]) {
			char hex[3] = { s[1], s[2], 0 }, *end;
			long v = strtol(hex, &end, 16);
			if (*end == '\0') {
				*o++ = (char)v;
				s += 2;
				continue;
			}
		}
		*o++ = *s;
	}
	*o = '\0';
}

static char *field_or_null(const char *f)
{
	return strcmp(f, "-") == 0 ? NULL : xstrdup(f);
}

static void config_line(struct hook_info *hi, char *line)
{
	char *eq = strchr(line, '=');

	if (eq == NULL)
		return;
	*eq = '\0';
	decode(line);
	decode(eq + 1);
	/* Lists come as "Key::=value"; the dpkg options are what matters. */
	if (strcasecmp(line, "DPkg::Options::") != 0)
		return;
	if (strcmp(eq + 1, "--force-confold") == 0)
		hi->force_confold = 1;
	else if (strcmp(eq + 1, "--force-confnew") == 0)
		hi->force_confnew = 1;
	else if (strcmp(eq + 1, "--force-confdef") == 0)
		hi->force_confdef = 1;
}

static int action_line(struct hook_info *hi, char *line, int lineno, char **err)
{
	char *f[10], *save = NULL, *t;
	int n = 0;
	struct hook_action *a;

	for (t = strtok_r(line, " ", &save); t && n < 10; t = strtok_r(NULL, " ", &save))
		f[n++] = t;
	if (n != 9 || strlen(f[4]) != 1 || strchr("<>=", f[4][0]) == NULL) {
		*err = xasprintf("line %d: not a version 3 package action", lineno);
		return -1;
	}
	hi->v = xreallocarray(hi->v, hi->n + 1, sizeof *hi->v);
	a = &hi->v[hi->n++];
	memset(a, 0, sizeof *a);
	a->package = xstrdup(f[0]);
	a->old_version = field_or_null(f[1]);
	a->new_version = field_or_null(f[5]);
	if (strcmp(f[8], "**CONFIGURE**") == 0)
		a->configure = 1;
	else if (strcmp(f[8], "**REMOVE**") == 0)
		a->remove = 1;
	else
		a->deb = xstrdup(f[8]);
	return 0;
}

int hookinfo_parse(const char *buf, size_t len, struct hook_info *hi, char **err)
{
	char *copy = xstrndup(buf, len), *line, *next;
	int lineno = 0, in_config = 1, rc = 0;

	memset(hi, 0, sizeof *hi);
	*err = NULL;
	for (line = copy; line && rc == 0; line = next) {
		next = strchr(line, '\n');
		if (next)
			*next++ = '\0';
		else if (*line == '\0')
			break;
		lineno++;
		if (lineno == 1) {
			if (strncmp(line, "VERSION ", 8) != 0 || atoi(line + 8) < 2) {
				*err = xstrdup("line 1: expected VERSION 2 or 3 (set "
					       "DPkg::Tools::Options::...::Version \"3\")");
				rc = -1;
				continue;	/* line 1 may be shorter than "VERSION " */
			}
			hi->version = atoi(line + 8);
			continue;
		}
		if (in_config) {
			if (*line == '\0')
				in_config = 0;
			else
				config_line(hi, line);
			continue;
		}
		if (*line == '\0')
			continue;
		if (hi->version < 3) {
			*err = xasprintf("line %d: protocol version %d, the guard needs 3",
					 lineno, hi->version);
			rc = -1;
		} else {
			rc = action_line(hi, line, lineno, err);
		}
	}
	free(copy);
	if (rc == 0 && lineno == 0) {
		*err = xstrdup("no input from APT");
		rc = -1;
	}
	if (rc < 0)
		hookinfo_free(hi);
	return rc;
}

void hookinfo_free(struct hook_info *hi)
{
	size_t i;

	for (i = 0; i < hi->n; i++) {
		free(hi->v[i].package);
		free(hi->v[i].old_version);
		free(hi->v[i].new_version);
		free(hi->v[i].deb);
	}
	free(hi->v);
	memset(hi, 0, sizeof *hi);
}

/* The descriptor APT named, or -1 with *err. */
static int apt_fd(char **err)
{
	const char *env = getenv("APT_HOOK_INFO_FD");
	char *end;
	long fd;

	if (env == NULL) {
		*err = xstrdup("APT_HOOK_INFO_FD is not set (not run by APT?)");
		return -1;
	}
	errno = 0;
	fd = strtol(env, &end, 10);
	if (errno || end == env || *end || fd <= 2 || fd > INT_MAX) {
		*err = xasprintf("APT_HOOK_INFO_FD=%s is not a descriptor APT would pass", env);
		return -1;
	}
	/* Ours alone from here on: no child may inherit it. */
	if (fcntl((int)fd, F_SETFD, FD_CLOEXEC) < 0) {
		*err = xasprintf("APT_HOOK_INFO_FD=%s: %s", env, strerror(errno));
		return -1;
	}
	return (int)fd;
}

char *hookinfo_read(const char *file, size_t *len, char **err)
{
	size_t cap = 65536, n = 0;
	char *buf;
	ssize_t got;
	int fd = file ? open(file, O_RDONLY | O_CLOEXEC) : apt_fd(err);

	if (fd < 0) {
		if (file)
			*err = xasprintf("%s: %s", file, strerror(errno));
		return NULL;
	}
	buf = xmalloc(cap);
	while ((got = read(fd, buf + n, cap - n - 1)) > 0 || (got < 0 && errno == EINTR)) {
		if (got < 0)
			continue;
		n += (size_t)got;
		if (n + 1 < cap)
			continue;
		if (cap >= HOOKINFO_MAX) {
			*err = xstrdup("APT's package list is larger than 16 MiB");
			free(buf);
			buf = NULL;
			break;
		}
		buf = xreallocarray(buf, cap, 2);
		cap *= 2;
	}
	if (got < 0 && buf) {
		*err = xasprintf("reading APT's package list: %s", strerror(errno));
		free(buf);
		buf = NULL;
	}
	close(fd);
	if (buf) {
		buf[n] = '\0';
		*len = n;
	}
	return buf;
}
