#include "dropin_io.h"
#include "dropin.h"
#include "../util/xalloc.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

struct exists_ctx {
	const struct instance_view *iv;
	const char *dropin;	/* its path: what it defines does not count */
};

static int pool_defined_elsewhere(void *ctx, const char *pool)
{
	const struct exists_ctx *x = ctx;
	const struct fpm_pool *p = fpm_conf_find_pool(&x->iv->conf, pool);

	return p && strcmp(p->file, x->dropin) != 0 && p->set[K_LISTEN].value &&
	       p->set[K_LISTEN].file && strcmp(p->set[K_LISTEN].file, x->dropin) != 0;
}

int dropin_write(struct host_view *h, const struct instance_view *iv,
		 const struct pool_view *pv, char *const *lines, size_t nlines,
		 int dry, struct dropin_change *chg, char **err)
{
	const char *file = pv->pool->file, *slash = strrchr(file, '/');
	struct exists_ctx x = { iv, NULL };
	struct dropin d;
	struct stat st;
	int rc = -1;

	memset(chg, 0, sizeof *chg);
	*err = NULL;
	chg->path = xasprintf("%.*s/%s", (int)(slash - file), file, DROPIN_NAME);
	x.dropin = chg->path;
	if (rootfs_read_file(&h->root, chg->path, (size_t)1 << 20, &chg->old, &chg->oldlen,
			     &st) == 0) {
		if (dropin_parse(chg->old, chg->oldlen, &d, err) < 0) {
			char *e = xasprintf("%s: %s: not ours, not touched", chg->path, *err);
			free(*err);
			*err = e;
			return -1;
		}
	} else if (errno == ENOENT) {
		memset(&d, 0, sizeof d);
	} else {
		*err = xasprintf("%s: %s", chg->path, strerror(errno));
		return -1;
	}
	dropin_set(&d, pv->pool->name, lines, nlines);
	dropin_prune(&d, pool_defined_elsewhere, &x);
	chg->text = dropin_render(&d);
	dropin_free(&d);
	if (dry)
		return 0;
	/* Through the pool dir's fd, resolved inside the root as it was read. */
	if (rootfs_replace(&h->root, chg->path, 0, chg->text, strlen(chg->text), 0, 0, 0644,
			   0) < 0)
		*err = xasprintf("%s: cannot write: %s", chg->path, strerror(errno));
	else
		rc = 0;
	return rc;
}

int dropin_undo(const struct rootfs *r, const struct dropin_change *chg)
{
	if (chg->old)
		return rootfs_replace(r, chg->path, 0, chg->old, chg->oldlen, 0, 0, 0644, 0);
	return rootfs_unlink(r, chg->path);
}

void dropin_change_free(struct dropin_change *chg)
{
	free(chg->path);
	free(chg->old);
	free(chg->text);
	memset(chg, 0, sizeof *chg);
}

int dropin_tidy(struct host_view *h, const struct instance_view *iv, char **err)
{
	size_t i, blen = strlen(DROPIN_NAME), gone, total = 0;

	*err = NULL;
	for (i = 0; i < iv->conf.nfiles; i++) {
		const char *f = iv->conf.files[i];
		size_t n = strlen(f);
		struct exists_ctx x = { iv, f };
		struct dropin d;
		struct stat st;
		char *buf, *out;
		size_t len;
		if (n <= blen || f[n - blen - 1] != '/' || strcmp(f + n - blen, DROPIN_NAME) != 0)
			continue;
		if (rootfs_read_file(&h->root, f, (size_t)1 << 20, &buf, &len, &st) < 0)
			continue;
		if (dropin_parse(buf, len, &d, err) < 0) {
			free(buf);
			free(*err);
			*err = NULL;
			continue;	/* not ours: never touched */
		}
		free(buf);
		gone = dropin_prune(&d, pool_defined_elsewhere, &x);
		if (gone) {
			out = dropin_render(&d);
			if (rootfs_replace(&h->root, f, 1, out, strlen(out), st.st_uid, st.st_gid,
					   st.st_mode & 07777, 0) < 0)
				*err = xasprintf("%s: cannot write: %s", f, strerror(errno));
			free(out);
			total += gone;
		}
		dropin_free(&d);
		if (*err)
			return -1;
	}
	return (int)total;
}
