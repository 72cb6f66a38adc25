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

static int fill_obj(int fd, struct fsobj *o)
{
	struct stat st;

	if (fstat(fd, &st) < 0)
		return -1;
	o->mode = st.st_mode;
	o->uid = st.st_uid;
	o->gid = st.st_gid;
	return probe_read_acl(fd, o);
}

/* Canonical path (inside the root) of the directory behind dirfd. */
static char *dir_canonical(const struct rootfs *r, int dirfd)
{
	char proc[64], buf[PATH_MAX];
	ssize_t n;

	snprintf(proc, sizeof proc, "/proc/self/fd/%d", dirfd);
	n = readlink(proc, buf, sizeof buf - 1);
	if (n < 0)
		return NULL;
	buf[n] = '\0';
	if (!r->is_host) {
		const char *in = rootfs_inner_path(r, buf);
		if (in == buf && strcmp(buf, r->path) == 0)
			return xstrdup("/");
		return xstrdup(in);
	}
	return xstrdup(buf);
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

void socket_probe(const struct rootfs *r, const char *path,
		  struct socket_probe *out)
{
	const char *slash = strrchr(path, '/');
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
	dfd = rootfs_open(r, dir, O_PATH | O_DIRECTORY);
	free(dir);
	if (dfd < 0) {
		out->err = errno;
		out->state = errno == ENOENT || errno == ENOTDIR ? PROBE_ABSENT
								  : PROBE_ERROR;
		return;
	}
	{
		char *canon_dir = dir_canonical(r, dfd);
		if (canon_dir) {
			out->canonical = xasprintf("%s%s%s", canon_dir,
						   strcmp(canon_dir, "/") ? "/" : "",
						   slash + 1);
			probe_dirs(r, canon_dir, out);
			free(canon_dir);
		}
	}
	if (fstatat(dfd, slash + 1, &st, AT_SYMLINK_NOFOLLOW) < 0) {
		out->err = errno;
		out->state = errno == ENOENT ? PROBE_ABSENT : PROBE_ERROR;
		close(dfd);
		return;
	}
	if (!S_ISSOCK(st.st_mode)) {
		out->state = PROBE_NOT_SOCKET;
		out->found_type = st.st_mode & S_IFMT;
		close(dfd);
		return;
	}
	fd = openat(dfd, slash + 1, O_PATH | O_NOFOLLOW | O_CLOEXEC);
	close(dfd);
	if (fd < 0 || fill_obj(fd, &out->sock) < 0 || !S_ISSOCK(out->sock.mode)) {
		/* Replaced between the two looks: do not trust either. */
		out->err = fd < 0 ? errno : EAGAIN;
		out->state = PROBE_ERROR;
		if (fd >= 0)
			close(fd);
		return;
	}
	{
		struct stat now;
		if (fstat(fd, &now) < 0 || now.st_dev != st.st_dev || now.st_ino != st.st_ino) {
			out->err = EAGAIN;
			out->state = PROBE_ERROR;
			close(fd);
			return;
		}
	}
	close(fd);
	out->dev = st.st_dev;
	out->ino = st.st_ino;
	out->state = PROBE_SOCKET;
}

void socket_probe_free(struct socket_probe *p)
{
	size_t i;

	for (i = 0; i < p->ndirs; i++) {
		free(p->dirs[i].acl);
		free(p->dirpaths[i]);
	}
	free(p->dirs);
	free(p->dirpaths);
	free(p->sock.acl);
	free(p->path);
	free(p->canonical);
	memset(p, 0, sizeof *p);
}
