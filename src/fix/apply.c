#include "apply.h"
#include "dropin_io.h"
#include "../apt/apt.h"
#include "../host/hostfind.h"
#include "../sockets/repair.h"
#include "../util/fault.h"
#include "../util/xalloc.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

/* ---- planning ---- */

/* fix_target = drop-in: each pool's drop-in change as a fix_file. */
static size_t plan_dropins(struct host_view *h, struct fix_set *fs)
{
	size_t i, ok = 0;

	for (i = 0; i < fs->npools; i++) {
		struct fix_pool *fp = &fs->pools[i];
		struct dropin_change chg;
		struct fix_file *ff;
		char *err = NULL;
		if (fp->error)
			continue;
		if (dropin_write(h, fp->iv, fp->pv, fp->lines, fp->nlines, 1, &chg, &err) < 0) {
			fp->error = err;
			continue;
		}
		fs->files = xreallocarray(fs->files, fs->nfiles + 1, sizeof *fs->files);
		ff = &fs->files[fs->nfiles++];
		memset(ff, 0, sizeof *ff);
		ff->path = xstrdup(chg.path);
		ff->old = chg.old ? chg.old : xstrdup("");
		ff->oldlen = chg.old ? chg.oldlen : 0;
		ff->cur = chg.text;
		ff->curlen = strlen(chg.text);
		chg.old = chg.text = NULL;
		dropin_change_free(&chg);
		ok++;
	}
	return ok;
}

size_t fix_plan(const struct fix_ctx *c, struct fix_set *fs, struct host_view *h)
{
	return c->target == FIX_DROPIN ? plan_dropins(h, fs) : fix_set_plan(fs, h);
}

/* ---- what the fix writes, and taking it back ---- */

struct written {
	struct dropin_change *chg;	/* fix_target = drop-in */
	size_t nchg;
};

static void fail_all(struct fix_set *fs, const char *msg)
{
	size_t i;

	for (i = 0; i < fs->npools; i++)
		if (fs->pools[i].error == NULL)
			fs->pools[i].error = xstrdup(msg);
}

static int write_dropins(struct host_view *h, struct fix_set *fs, struct written *w)
{
	size_t i;
	char *err = NULL;

	w->chg = xcalloc(fs->npools ? fs->npools : 1, sizeof *w->chg);
	for (i = 0; i < fs->npools; i++) {
		struct fix_pool *fp = &fs->pools[i];
		if (fp->error)
			continue;
		if (dropin_write(h, fp->iv, fp->pv, fp->lines, fp->nlines, 0,
				 &w->chg[w->nchg], &err) < 0) {
			fp->error = err;
			err = NULL;
			continue;
		}
		w->nchg++;
	}
	return w->nchg > 0 ? 0 : -1;
}

static int write_fix(const struct fix_ctx *c, struct host_view *h, struct fix_set *fs,
		     struct written *w, char **err)
{
	if (c->target == FIX_DROPIN) {
		if (write_dropins(h, fs, w) == 0)
			return 0;
		*err = xstrdup("the drop-in could not be written");
		return -1;
	}
	return fix_set_write(fs, c->st, err);
}

/* Put back what write_fix wrote.  0, or -1 with *err naming what could
 * not be restored (and where the original still is). */
static int undo_fix(const struct fix_ctx *c, struct host_view *h, struct fix_set *fs,
		    struct written *w, char **err)
{
	size_t n = w->nchg;
	int rc = 0;

	if (c->target != FIX_DROPIN)
		return fix_set_restore(fs, c->st, err);
	while (n-- > 0)
		if (dropin_undo(&h->root, &w->chg[n]) < 0 && rc == 0) {
			*err = xasprintf("%s: not %s (%s): take the guard's entries out by hand",
					 w->chg[n].path, w->chg[n].old ? "put back" : "removed",
					 strerror(errno));
			rc = -1;
		}
	return rc;
}

static void written_free(struct written *w)
{
	size_t i;

	for (i = 0; i < w->nchg; i++)
		dropin_change_free(&w->chg[i]);
	free(w->chg);
	memset(w, 0, sizeof *w);
}

/* Undo, and fail every pool with why -- saying whether the undo worked. */
static void roll_back(const struct fix_ctx *c, struct host_view *h, struct fix_set *fs,
		      struct written *w, const char *why)
{
	char *err = NULL, *msg;

	if (undo_fix(c, h, fs, w, &err) < 0)
		msg = xasprintf("%s; the original was NOT restored: %s", why,
				err ? err : "unknown error");
	else
		msg = xasprintf("%s; original restored", why);
	fail_all(fs, msg);
	free(msg);
	free(err);
}

/* ---- after the write ---- */

/* Re-read the host after the edit, as the run looks at it. */
static int reinspect(const struct fix_ctx *c, struct host_view *h, int fpm_test, int prove)
{
	struct host_opts ho = *c->host;

	ho.run_fpm_test = fpm_test;
	ho.prove = prove;
	return host_inspect(&ho, h);
}

/* Did php-fpm -t (or the guard's own reading) refuse an instance the fix
 * touched? */
static int refused(const struct fix_set *fs, const struct host_view *h2)
{
	size_t i, k;

	for (i = 0; i < h2->ninst; i++)
		for (k = 0; k < fs->npools; k++)
			if (strcmp(fs->pools[k].iv->loc.config, h2->inst[i].loc.config) == 0 &&
			    (h2->inst[i].fpm_test == 0 || h2->inst[i].conf.nerrors > 0))
				return 1;
	return 0;
}

/* Repair one pool's live socket, once the kernel proves it the pool's. */
static void repair_socket(struct host_view *h2, struct instance_view *iv,
			  struct pool_view *pv, struct fix_pool *fp)
{
	char *bound = rootfs_host_path(&h2->root, pv->probe.path), *why = NULL;
	char *binary = iv->loc.binary ? rootfs_host_path(&h2->root, iv->loc.binary) : NULL;
	struct sock_expect ex = { bound, binary, 0 };
	struct repair_target t = { pv->probe.path, pv->probe.dev, pv->probe.ino, &ex,
				   socket_probe_open_dir(&pv->probe) };

	ex.pid = kernel_pid_file(&h2->root, iv->conf.pid_file);
	if (socket_repair(&h2->root, &t, &pv->eff.obj, &why) < 0)
		fp->error = xasprintf("socket %s not repaired: %s", pv->probe.path,
				      why ? why : strerror(errno));
	free(why);
	free(bound);
	free(binary);
}

static void repair_sockets(struct fix_set *fs, struct host_view *h2)
{
	struct instance_view *iv = NULL;
	size_t i;

	for (i = 0; i < fs->npools; i++) {
		struct fix_pool *fp = &fs->pools[i];
		struct pool_view *pv;
		if (fp->error)
			continue;
		pv = host_find_pool(h2, fp->iv->loc.config, fp->pv->pool->name, &iv);
		if (pv == NULL || pv->probe.state != PROBE_SOCKET || pv->eff.nerrors)
			continue;
		repair_socket(h2, iv, pv, fp);
	}
}

static int pool_verified(const struct pool_view *pv, const struct fix_pool *fp, char **why)
{
	size_t c;

	if (pv->eff.nerrors) {
		*why = xasprintf("the edited pool does not read: %s", pv->eff.errors[0]);
		return 0;
	}
	for (c = 0; c < pv->nclients; c++) {
		const struct pool_client *pc = &pv->clients[c];
		if (pc->user == NULL || !fix_pool_grants(fp, pc->client->user))
			continue;	/* not one the fix let in (a pool closed by hand) */
		if (prove_result_lost(pc->proof)) {
			*why = xasprintf("verification failed: the connect() as %s was not "
					 "proven (%s)", pc->client->user,
					 prove_result_name(pc->proof));
			return 0;
		}
		if (pc->next != V_ALLOWED || pc->now == V_DENIED || pc->proof == PROVE_DENIED) {
			*why = xasprintf("verification failed: %s still cannot connect (%s)",
					 pc->client->user,
					 pc->next != V_ALLOWED ? "after a restart" : "to the live socket");
			return 0;
		}
	}
	return 1;
}

/* Every pool still without an error must be proven in h3. */
static void verify(struct fix_set *fs, struct host_view *h3)
{
	size_t i;

	for (i = 0; i < fs->npools; i++) {
		struct fix_pool *fp = &fs->pools[i];
		struct pool_view *pv;
		if (fp->error)
			continue;
		pv = host_find_pool(h3, fp->iv->loc.config, fp->pv->pool->name, NULL);
		if (pv == NULL)
			fp->error = xstrdup("the pool is gone after the edit");
		else
			pool_verified(pv, fp, &fp->error);
	}
}

int fix_apply(const struct fix_ctx *c, struct host_view *h, struct fix_set *fs,
	      struct host_view *after)
{
	struct written w = { NULL, 0 };
	struct host_view h2;
	char *err = NULL;
	int have_after = 0;

	if (write_fix(c, h, fs, &w, &err) < 0) {
		fail_all(fs, err ? err : "the fix could not be written");
		goto out;
	}
	if (reinspect(c, &h2, 1, 0) < 0) {
		roll_back(c, h, fs, &w, "cannot re-read the host after the edit");
		goto out;
	}
	if (refused(fs, &h2)) {
		roll_back(c, h, fs, &w, "php-fpm -t refused the edited configuration");
		host_free(&h2);
		goto out;
	}
	fault_point("before-socket-repair");
	repair_sockets(fs, &h2);
	host_free(&h2);
	if (reinspect(c, after, 0, 1) < 0) {
		fail_all(fs, "cannot re-read the host to verify");
		goto out;
	}
	have_after = 1;
	verify(fs, after);
	fix_set_done(fs, c->st);
out:
	free(err);
	written_free(&w);
	return have_after;
}

/* ---- conffiles ---- */

char *fix_conffile_note(const struct rootfs *root, const char *path)
{
	static const char *const pats[] = { "php*-fpm" };
	struct pkg_db db;
	char *status = rootfs_host_path(root, "/var/lib/dpkg/status"), *note = NULL;
	size_t p, k;

	if (pkg_db_read(&db, status, pats, 1) == 0)
		for (p = 0; p < db.st.npkgs && note == NULL; p++)
			for (k = 0; k < db.st.pkgs[p].nconffiles && note == NULL; k++)
				if (strcmp(db.st.pkgs[p].conffiles[k].path, path) == 0)
					note = xasprintf(
						"%s is a conffile of %s and is now locally modified: "
						"every upgrade that changes it will stop and ask, and "
						"unattended-upgrades will hold %s back (no more PHP "
						"security updates). fix_target = drop-in in guard.conf "
						"avoids that", path, db.st.pkgs[p].name,
						db.st.pkgs[p].name);
	pkg_db_free(&db);
	free(status);
	return note;
}
