#include "repair.h"
#include "../util/xalloc.h"

#include <acl/libacl.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/acl.h>
#include <unistd.h>

/* Text form of the wanted ACL with numeric qualifiers ("u:33:rw-"). */
static char *acl_text(const struct fsobj *o)
{
	char *s = xstrdup(""), *t;
	size_t i;

	for (i = 0; i < o->nacl; i++) {
		const struct acl_ent *e = &o->acl[i];
		char perm[4] = { e->perm & 4 ? 'r' : '-', e->perm & 2 ? 'w' : '-',
				 e->perm & 1 ? 'x' : '-', '\0' };
		char q[24] = "";
		const char *tag = e->tag == T_USER_OBJ || e->tag == T_USER ? "u"
				  : e->tag == T_MASK ? "m" : e->tag == T_OTHER ? "o" : "g";
		if (e->tag == T_USER || e->tag == T_GROUP)
			snprintf(q, sizeof q, "%lu", e->id);
		t = xasprintf("%s%s%s:%s:%s", s, *s ? "," : "", tag, q, perm);
		free(s);
		s = t;
	}
	return s;
}

static int apply_acl(const char *proc, const struct fsobj *want)
{
	acl_t acl;
	char *text;
	int rc;

	if (want->nacl == 0) {
		/* Drop any extended entries: back to the plain mode bits. */
		acl = acl_from_mode(want->mode & 0777);
	} else {
		size_t i;
		for (i = 0; i < want->nacl; i++)
			if ((want->acl[i].tag == T_USER || want->acl[i].tag == T_GROUP) &&
			    want->acl[i].id == (unsigned long)-1) {
				errno = EINVAL;	/* an unresolved name */
				return -1;
			}
		text = acl_text(want);
		acl = acl_from_text(text);
		free(text);
	}
	if (acl == NULL)
		return -1;
	rc = acl_set_file(proc, ACL_TYPE_ACCESS, acl);
	acl_free(acl);
	/* A file system without ACLs is fine when none are wanted. */
	if (rc < 0 && errno == EOPNOTSUPP && want->nacl == 0)
		rc = 0;
	return rc;
}

/*
 * May the socket behind fd be changed?  When the kernel proves it the
 * pool's own; or, where the kernel cannot be asked or nothing listens on
 * it (a stale file, a fixture root), when no non-root user could have
 * put it there.  0, or -1 with EPERM and *why.
 */
static int proven_or_safe(int fd, const struct repair_target *t, char **why)
{
	enum sock_verdict v = SV_UNPROVABLE;
	char *k = NULL;

	if (t->expect)
		v = kernel_prove_socket(fd, t->expect, &k);
	else
		k = xstrdup("nothing to prove it against");
	if (v == SV_PROVEN ||
	    ((v == SV_UNPROVABLE || v == SV_NOT_LISTENING) && t->open_dir == NULL)) {
		free(k);
		return 0;
	}
	if (v == SV_UNPROVABLE || v == SV_NOT_LISTENING)
		*why = xasprintf("refused: it cannot be proven the pool's own (%s), and "
				 "%s may be written by a non-root user; the pool's "
				 "fix stays, php-fpm's next start creates the socket",
				 k, t->open_dir);
	else
		*why = xasprintf("refused: %s", k);
	free(k);
	errno = EPERM;
	return -1;
}

int socket_repair(const struct rootfs *r, const struct repair_target *t,
		  const struct fsobj *want, char **why)
{
	struct stat st;
	char proc[64];
	int fd, saved, rc = -1;

	*why = NULL;
	fd = rootfs_open(r, t->path, O_PATH | O_NOFOLLOW);
	if (fd < 0)
		return -1;
	if (fstat(fd, &st) < 0)
		goto out;
	if (S_ISLNK(st.st_mode)) {
		errno = ELOOP;
		goto out;
	}
	if (!S_ISSOCK(st.st_mode)) {
		errno = ENOTSOCK;
		goto out;
	}
	if (st.st_dev != t->dev || st.st_ino != t->ino) {
		errno = ESTALE;
		goto out;
	}
	/* The proof is about this fd's inode, which every change goes through. */
	if (proven_or_safe(fd, t, why) < 0)
		goto out;
	snprintf(proc, sizeof proc, "/proc/self/fd/%d", fd);
	if (fchownat(fd, "", want->uid, want->gid, AT_EMPTY_PATH) < 0)
		goto out;
	if (chmod(proc, want->mode & 0777) < 0)
		goto out;
	rc = apply_acl(proc, want);
out:
	saved = errno;
	close(fd);
	errno = saved;
	return rc;
}
