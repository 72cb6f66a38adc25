#include "serving.h"
#include "../util/xalloc.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static void push(struct serving_hops *h, char *p)
{
	h->path = xreallocarray(h->path, h->n + 1, sizeof *h->path);
	h->path[h->n++] = p;
}

static int seen(const struct serving_hops *h, const char *p)
{
	size_t i;

	for (i = 0; i < h->n; i++)
		if (strcmp(h->path[i], p) == 0)
			return 1;
	return 0;
}

/*
 * The next hop of path: its link target made absolute against the
 * directory the link sits in (resolved inside the root).  NULL when path
 * is no symlink or cannot be looked at.
 */
static char *next_hop(const struct rootfs *r, const char *path)
{
	const char *slash = strrchr(path, '/');
	char *dir, *rdir = NULL, *out = NULL, target[PATH_MAX];
	ssize_t n;
	int fd;

	if (slash == NULL || slash[1] == '\0')
		return NULL;
	dir = slash == path ? xstrdup("/") : xstrndup(path, (size_t)(slash - path));
	fd = rootfs_open(r, dir, O_PATH | O_DIRECTORY);
	free(dir);
	if (fd < 0)
		return NULL;
	n = readlinkat(fd, slash + 1, target, sizeof target - 1);
	if (n <= 0)
		goto out;
	target[n] = '\0';
	if (target[0] == '/') {
		out = xstrdup(target);
		goto out;
	}
	if ((rdir = rootfs_fd_path(r, fd)) == NULL)
		goto out;
	out = xasprintf("%s/%s", strcmp(rdir, "/") == 0 ? "" : rdir, target);
out:
	free(rdir);
	close(fd);
	return out;
}

void serving_hops(const struct rootfs *r, const char *path, struct serving_hops *out)
{
	char *next;

	memset(out, 0, sizeof *out);
	push(out, xstrdup(path));
	while ((next = next_hop(r, out->path[out->n - 1])) != NULL) {
		if (seen(out, next) || out->n > SERVING_MAX_HOPS) {
			out->loop = 1;
			free(next);
			return;
		}
		push(out, next);
	}
}

void serving_hops_free(struct serving_hops *h)
{
	size_t i;

	for (i = 0; i < h->n; i++)
		free(h->path[i]);
	free(h->path);
	memset(h, 0, sizeof *h);
}

/* "X.Y" at the start of s, up to the end character: its length, or 0. */
static size_t version_at(const char *s, char end)
{
	size_t a = strspn(s, "0123456789"), b;

	if (a == 0 || s[a] != '.')
		return 0;
	b = strspn(s + a + 1, "0123456789");
	if (b == 0 || s[a + 1 + b] != end)
		return 0;
	return a + 1 + b;
}

char *serving_php_version(const char *config, const char *package)
{
	size_t n;

	const char *p;

	/* /etc/php/X.Y/fpm/php-fpm.conf, also below another directory (a
	 * copy of /etc in a test, --fpm-config). */
	for (p = config; p && (p = strstr(p, "/php/")) != NULL; p += 5)
		if ((n = version_at(p + 5, '/')) > 0)
			return xstrndup(p + 5, n);
	if (package && strncmp(package, "php", 3) == 0 &&
	    (n = version_at(package + 3, '-')) > 0)
		return xstrndup(package + 3, n);
	if (package && strcmp(package, "php5-fpm") == 0)
		return xstrdup("5");
	return NULL;
}
