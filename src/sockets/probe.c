#include "probe.h"
#include "../util/xalloc.h"

#include <acl/libacl.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/acl.h>
#include <sys/xattr.h>
#include <unistd.h>

static int tag_of(acl_tag_t t, enum acl_tag *out)
{
	switch (t) {
	case ACL_USER_OBJ: *out = T_USER_OBJ; return 0;
	case ACL_USER: *out = T_USER; return 0;
	case ACL_GROUP_OBJ: *out = T_GROUP_OBJ; return 0;
	case ACL_GROUP: *out = T_GROUP; return 0;
	case ACL_MASK: *out = T_MASK; return 0;
	case ACL_OTHER: *out = T_OTHER; return 0;
	default: return -1;
	}
}

int probe_read_acl(int fd, struct fsobj *o)
{
	char proc[64];
	acl_t acl;
	acl_entry_t e;
	int id, n = 0;

	o->acl = NULL;
	o->nacl = 0;
	/* The magic link names the inode we checked, whatever the path does. */
	snprintf(proc, sizeof proc, "/proc/self/fd/%d", fd);
	/* No access ACL attribute: only the mode bits, which fstat gave.
	 * Asking libacl would cost a stat more for every socket. */
	if (getxattr(proc, "system.posix_acl_access", NULL, 0) < 0 && errno == ENODATA)
		return 0;
	acl = acl_get_file(proc, ACL_TYPE_ACCESS);
	if (acl == NULL)
		return errno == ENOTSUP || errno == ENOSYS ? 0 : -1;
	if (acl_equiv_mode(acl, NULL) == 0) {
		acl_free(acl);
		return 0;	/* only the mode bits: no extended ACL */
	}
	for (id = ACL_FIRST_ENTRY; acl_get_entry(acl, id, &e) == 1;
	     id = ACL_NEXT_ENTRY)
		n++;
	o->acl = xcalloc((size_t)n, sizeof *o->acl);
	for (id = ACL_FIRST_ENTRY; acl_get_entry(acl, id, &e) == 1;
	     id = ACL_NEXT_ENTRY) {
		acl_tag_t t;
		acl_permset_t ps;
		struct acl_ent *d = &o->acl[o->nacl];

		if (acl_get_tag_type(e, &t) < 0 || tag_of(t, &d->tag) < 0)
			continue;
		if (t == ACL_USER || t == ACL_GROUP) {
			void *q = acl_get_qualifier(e);
			if (q == NULL)
				continue;
			d->id = t == ACL_USER ? *(uid_t *)q : *(gid_t *)q;
			acl_free(q);
		}
		if (acl_get_permset(e, &ps) < 0)
			continue;
		d->perm = (acl_get_perm(ps, ACL_READ) == 1 ? 4u : 0u) |
			  (acl_get_perm(ps, ACL_WRITE) == 1 ? 2u : 0u) |
			  (acl_get_perm(ps, ACL_EXECUTE) == 1 ? 1u : 0u);
		o->nacl++;
	}
	acl_free(acl);
	return 0;
}

static int fill_obj_stat(int fd, struct fsobj *o, struct stat *stp)
{
	struct stat st;

	if (fstat(fd, &st) < 0)
		return -1;
	if (stp)
		*stp = st;
	o->mode = st.st_mode;
	o->uid = st.st_uid;
	o->gid = st.st_gid;
	return probe_read_acl(fd, o);
}

static int fill_obj(int fd, struct fsobj *o)
{
	return fill_obj_stat(fd, o, NULL);
}


static void probe_dirs(const struct rootfs *r, const char *dir,
		       struct socket_probe *out)
{
	char *p = xstrdup(dir), *q;
	size_t n = 1, i;

	/* "/" plus one entry per component: /a/b -> "/", "/a", "/a/b". */
	if (strcmp(p, "/") != 0)
		for (q = p, n = 1; *q; q++)
			if (*q == '/')
				n++;
	out->dirs = xcalloc(n, sizeof *out->dirs);
	out->dirpaths = xcalloc(n, sizeof *out->dirpaths);
	for (i = 0; i < n; i++) {
		char *prefix;
		int fd;
		if (i == 0) {
			prefix = xstrdup("/");
		} else {
			/* the i-th '/' after the first ends the prefix */
			size_t k = 0, cnt = 0;
			for (k = 1; p[k] && cnt < i; k++)
				if (p[k] == '/')
					cnt++;
			prefix = cnt == i ? xstrndup(p, k - 1) : xstrdup(p);
		}
		fd = rootfs_open(r, prefix, O_PATH | O_DIRECTORY);
		if (fd >= 0) {
			fill_obj(fd, &out->dirs[out->ndirs]);
			close(fd);
			out->dirpaths[out->ndirs++] = prefix;
		} else {
			free(prefix);
		}
	}
	free(p);
}

/*
 * What every socket in one directory shares: the directory's fd, its
 * canonical path and the directories on the way.  Shared hosting puts
 * thousands of sockets in /run/php; looking at the way once per
 * directory, not once per socket, saves five syscalls a socket.
 */
struct probe_dir {
	char *dir;		/* as configured */
	int fd;			/* O_PATH, or -1 with err */
	int err;
	char *canon;		/* NULL if unknown */
	struct socket_probe way;	/* only dirs/dirpaths/ndirs used */
};

struct probe_cache {
	struct probe_dir *v;
	size_t n, cap;
	size_t *index;		/* open addressing over v, index_cap slots */
	size_t index_cap;
};

struct probe_cache *probe_cache_new(void)
{
	return xcalloc(1, sizeof(struct probe_cache));
}

void probe_cache_free(struct probe_cache *c)
{
	size_t i, j;

	if (c == NULL)
		return;
	for (i = 0; i < c->n; i++) {
		struct probe_dir *d = &c->v[i];
		if (d->fd >= 0)
			close(d->fd);
		for (j = 0; j < d->way.ndirs; j++) {
			free(d->way.dirs[j].acl);
			free(d->way.dirpaths[j]);
		}
		free(d->way.dirs);
		free(d->way.dirpaths);
		free(d->dir);
		free(d->canon);
	}
	free(c->v);
	free(c->index);
	free(c);
}

static size_t dir_hash(const char *s)
{
	size_t h = 5381;

	while (*s)
		h = h * 33 + (unsigned char)*s++;
	return h;
}

static void index_put(struct probe_cache *c, size_t i)
{
	size_t k = dir_hash(c->v[i].dir) & (c->index_cap - 1);

	while (c->index[k] != (size_t)-1)
		k = (k + 1) & (c->index_cap - 1);
	c->index[k] = i;
}

static void index_rebuild(struct probe_cache *c)
{
	size_t i;

	free(c->index);
	c->index_cap = c->index_cap ? c->index_cap * 2 : 64;
	c->index = xmalloc(c->index_cap * sizeof *c->index);
	memset(c->index, 0xff, c->index_cap * sizeof *c->index);
	for (i = 0; i < c->n; i++)
		index_put(c, i);
}

static struct probe_dir *dir_lookup(const struct rootfs *r, struct probe_cache *c,
				    const char *dir)
{
	struct probe_dir *d;
	size_t k;

	if (c->index_cap) {
		for (k = dir_hash(dir) & (c->index_cap - 1); c->index[k] != (size_t)-1;
		     k = (k + 1) & (c->index_cap - 1))
			if (strcmp(c->v[c->index[k]].dir, dir) == 0)
				return &c->v[c->index[k]];
	}
	XGROW(c->v, c->cap, c->n + 1);
	d = &c->v[c->n];
	memset(d, 0, sizeof *d);
	d->dir = xstrdup(dir);
	d->fd = rootfs_open(r, dir, O_PATH | O_DIRECTORY);
	d->err = d->fd < 0 ? errno : 0;
	if (d->fd >= 0 && (d->canon = rootfs_fd_path(r, d->fd)) != NULL)
		probe_dirs(r, d->canon, &d->way);
	c->n++;
	if (c->n * 2 > c->index_cap)
		index_rebuild(c);
	else
		index_put(c, c->n - 1);
	return d;
}

void socket_probe(const struct rootfs *r, const char *path,
		  struct socket_probe *out)
{
	struct probe_cache *c = probe_cache_new();
	size_t i;

	socket_probe_cached(r, c, path, out);
	if (out->way_shared) {
		/* Take the way over from the cache that goes away now. */
		for (i = 0; i < c->n; i++)
			c->v[i].way.ndirs = 0, c->v[i].way.dirs = NULL, c->v[i].way.dirpaths = NULL;
		out->way_shared = 0;
	}
	probe_cache_free(c);
}

void socket_probe_cached(const struct rootfs *r, struct probe_cache *c,
			 const char *path, struct socket_probe *out)
{
	const char *slash = strrchr(path, '/');
	const struct probe_dir *pd;
	char *dir;
	int dfd, fd;
	struct stat st;

	memset(out, 0, sizeof *out);
	out->path = xstrdup(path);
	if (path[0] != '/' || slash == NULL || slash[1] == '\0') {
		out->state = PROBE_ERROR;
		out->err = EINVAL;
		return;
	}
	dir = slash == path ? xstrdup("/") : xstrndup(path, (size_t)(slash - path));
	pd = dir_lookup(r, c, dir);
	free(dir);
	if (pd->fd < 0) {
		out->err = pd->err;
		out->state = pd->err == ENOENT || pd->err == ENOTDIR ? PROBE_ABSENT
								      : PROBE_ERROR;
		return;
	}
	dfd = pd->fd;
	if (pd->canon) {
		size_t a = strlen(pd->canon), b = strlen(slash + 1);
		int sep = strcmp(pd->canon, "/") != 0;
		out->canonical = xmalloc(a + (size_t)sep + b + 1);
		memcpy(out->canonical, pd->canon, a);
		if (sep)
			out->canonical[a] = '/';
		memcpy(out->canonical + a + sep, slash + 1, b + 1);
		out->dirs = pd->way.dirs;
		out->dirpaths = pd->way.dirpaths;
		out->ndirs = pd->way.ndirs;
		out->way_shared = 1;
	}
	if (fstatat(dfd, slash + 1, &st, AT_SYMLINK_NOFOLLOW) < 0) {
		out->err = errno;
		out->state = errno == ENOENT ? PROBE_ABSENT : PROBE_ERROR;
		return;
	}
	if (!S_ISSOCK(st.st_mode)) {
		out->state = PROBE_NOT_SOCKET;
		out->found_type = st.st_mode & S_IFMT;
		return;
	}
	fd = openat(dfd, slash + 1, O_PATH | O_NOFOLLOW | O_CLOEXEC);
	{
		struct stat now;
		if (fd < 0 || fill_obj_stat(fd, &out->sock, &now) < 0 ||
		    !S_ISSOCK(out->sock.mode) || now.st_dev != st.st_dev ||
		    now.st_ino != st.st_ino) {
			/* Replaced between the two looks: do not trust either. */
			out->err = fd < 0 ? errno : EAGAIN;
			out->state = PROBE_ERROR;
			if (fd >= 0)
				close(fd);
			return;
		}
	}
	close(fd);
	out->dev = st.st_dev;
	out->ino = st.st_ino;
	out->state = PROBE_SOCKET;
}

static int others_may_write(const struct fsobj *d)
{
	size_t i;
	int mask_w = 1;

	if (d->uid != 0 || (d->mode & S_IWOTH) || ((d->mode & S_IWGRP) && d->gid != 0))
		return 1;
	for (i = 0; i < d->nacl; i++)
		if (d->acl[i].tag == T_MASK)
			mask_w = (d->acl[i].perm & 2) != 0;
	for (i = 0; mask_w && i < d->nacl; i++)
		if ((d->acl[i].tag == T_USER || d->acl[i].tag == T_GROUP) &&
		    d->acl[i].id != 0 && (d->acl[i].perm & 2))
			return 1;
	return 0;
}

const char *socket_probe_open_dir(const struct socket_probe *p)
{
	size_t i;

	if (p->ndirs == 0)
		return p->path;
	for (i = 0; i < p->ndirs; i++) {
		const struct fsobj *d = &p->dirs[i];
		/* /tmp: sticky, and root's directory below it cannot be
		 * renamed by others.  Not so the socket, which php-fpm gives
		 * to listen.owner. */
		if (i + 1 < p->ndirs && (d->mode & S_ISVTX) && d->uid == 0 &&
		    p->dirs[i + 1].uid == 0)
			continue;
		if (others_may_write(d))
			return p->dirpaths[i];
	}
	return NULL;
}

void socket_probe_free(struct socket_probe *p)
{
	size_t i;

	for (i = 0; !p->way_shared && i < p->ndirs; i++) {
		free(p->dirs[i].acl);
		free(p->dirpaths[i]);
	}
	if (!p->way_shared) {
		free(p->dirs);
		free(p->dirpaths);
	}
	free(p->sock.acl);
	free(p->path);
	free(p->canonical);
	memset(p, 0, sizeof *p);
}
