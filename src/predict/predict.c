#include "predict.h"
#include "../apt/apt.h"
#include "../util/run.h"
#include "../util/xalloc.h"

#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define PREDICT_MAX_FILE ((size_t)64 << 20)

static void note(struct predict_result *r, char *msg)
{
	r->notes = xreallocarray(r->notes, r->nnotes + 1, sizeof *r->notes);
	r->notes[r->nnotes++] = msg;
}

/* The temp dir's three trees, each a root of its own where no symlink is
 * ever followed: what the package holds (pkg/, control/) is the
 * package's word, and root/ is what the prediction writes. */
struct trees {
	struct rootfs pkg, ctl, root;
	int have;
};

/* A file of the prediction: a new name (O_CREAT|O_EXCL|O_NOFOLLOW through
 * its directory's fd, directories made one by one), never a write
 * through anything that was there. */
static int put(const struct rootfs *t, const char *path, const char *buf, size_t len)
{
	ssize_t n = 0;
	int fd;

	if (rootfs_unlink(t, path) < 0 || (fd = rootfs_create(t, path, 0644, 0755)) < 0)
		return -1;
	while (len > 0 && ((n = write(fd, buf, len)) > 0 || (n < 0 && errno == EINTR)))
		if (n > 0) {
			buf += n;
			len -= (size_t)n;
		}
	if (close(fd) < 0 || n < 0)
		return -1;
	return 0;
}

/* A regular file's bytes inside t (symlinks as t allows), or -1 (errno). */
static int slurp(const struct rootfs *t, const char *path, char **buf, size_t *len)
{
	struct stat st;

	return rootfs_read_file(t, path, PREDICT_MAX_FILE, buf, len, &st);
}

static int run_dpkg_deb(const char *opt, const char *deb, const char *dir, char **err)
{
	char *argv[] = { "/usr/bin/dpkg-deb", (char *)opt, (char *)deb, (char *)dir, NULL };
	char *out = NULL;
	int status;

	if (run_capture(argv, 120000, &out, &status) < 0 || status != 0) {
		*err = xasprintf("dpkg-deb %s %s failed%s%s", opt, deb, out && *out ? ": " : "",
				 out ? out : "");
		free(out);
		return -1;
	}
	free(out);
	return 0;
}

static const char *recorded_md5(const struct aptshim_package *p, const char *path)
{
	size_t i;

	for (i = 0; p && i < p->nconffiles; i++)
		if (!p->conffiles[i].obsolete && strcmp(p->conffiles[i].path, path) == 0)
			return p->conffiles[i].md5;
	return NULL;
}

/* What dpkg does with conffile path; writes the result into the root. */
static int decide_conffile(const struct predict_input *in, const struct rootfs *host,
			   const struct trees *t, const char *path, struct predict_result *r,
			   char **err)
{
	char *nb = NULL, *lb = NULL, lmd5[33], nmd5[33];
	const char *rec = recorded_md5(in->installed, path);
	size_t nl = 0, ll = 0;
	int rc = 0, have_local;

	if (slurp(&t->pkg, path, &nb, &nl) < 0) {
		*err = xasprintf("%s: conffile %s %s", in->deb, path, errno == ELOOP
				 ? "is reached through a symlink in the package: refused"
				 : "missing from the package");
		return -1;
	}
	have_local = slurp(host, path, &lb, &ll) == 0;
	if (!have_local) {
		if (rec) {
			note(r, xasprintf("%s was deleted here: dpkg keeps it deleted", path));
			rc = rootfs_unlink(&t->root, path);
		} else {
			rc = put(&t->root, path, nb, nl);	/* new in this version */
		}
		goto out;
	}
	if (pkg_md5(lb, ll, lmd5) < 0 || pkg_md5(nb, nl, nmd5) < 0) {
		*err = xasprintf("cannot compute MD5 digests (libapt-pkg shim)");
		rc = -1;
		goto out;
	}
	if (strcmp(lmd5, nmd5) == 0 || (rec && strcmp(lmd5, rec) == 0)) {
		rc = put(&t->root, path, nb, nl);	/* unmodified: replaced silently */
	} else if (rec && strcmp(nmd5, rec) == 0) {
		rc = put(&t->root, path, lb, ll);	/* modified here, unchanged upstream: kept */
	} else if (in->force_confnew) {
		rc = put(&t->root, path, nb, nl);
		note(r, xasprintf("%s is modified here; --force-confnew installs the package's", path));
	} else {
		rc = put(&t->root, path, lb, ll);
		r->prompts = 1;
		note(r, xasprintf("%s is modified here and changed in %s %s: %s", path,
				  in->package, in->new_version,
				  in->force_confold ? "--force-confold keeps the local file"
				  : "dpkg will ask (unattended-upgrades holds the package back); "
				    "predicted with the local file kept"));
	}
out:
	if (rc < 0 && *err == NULL)
		*err = xasprintf("%s (predicted): %s", path, strerror(errno));
	free(nb);
	free(lb);
	return rc;
}

static int copy_in(const struct rootfs *host, const struct trees *t, const char *path, int must)
{
	char *b;
	size_t n;
	int rc = 0;

	if (slurp(host, path, &b, &n) == 0) {
		rc = put(&t->root, path, b, n);
		free(b);
	} else if (must) {
		rc = -1;
	}
	return rc;
}

/*
 * The path of one line of the package's conffiles ("[flag ]/path"), or
 * NULL (*err) for a line no package built by dpkg-deb has: relative, or
 * with "..", "." or "//" in it -- the line decides where the prediction
 * writes, so it is taken only in the one spelling that cannot leave the
 * instance's directory.  *flagged: dpkg removes it (remove-on-upgrade).
 */
static const char *conffile_path(const struct predict_input *in, char *line,
				 int *flagged, char **err)
{
	char *sp = strchr(line, ' ');

	*flagged = 0;
	if (sp && line[0] != '/') {
		*flagged = 1;	/* "remove-on-upgrade /etc/..." */
		line = sp + strspn(sp, " ");
	} else if (sp) {
		*sp = '\0';
	}
	if (!rootfs_path_canonical(line)) {
		*err = xasprintf("%s lists conffile '%s', not a canonical absolute path: refused",
				 in->deb, line);
		return NULL;
	}
	return line;
}

/* The package's conffiles of this instance, as dpkg will leave them. */
static int decide_conffiles(const struct predict_input *in, const struct rootfs *host,
			    const struct trees *t, const char *dir, struct predict_result *out,
			    char **err)
{
	char *list, *line, *save = NULL;
	const char *path;
	size_t len;
	int flagged, rc = 0;

	if (slurp(&t->ctl, "/conffiles", &list, &len) < 0) {
		if (errno == ENOENT)
			return 0;	/* a package without conffiles */
		*err = xasprintf("%s: conffiles: %s", in->deb, strerror(errno));
		return -1;
	}
	for (line = strtok_r(list, "\n", &save); line && rc == 0;
	     line = strtok_r(NULL, "\n", &save)) {
		if ((path = conffile_path(in, line, &flagged, err)) == NULL)
			rc = -1;
		else if (!flagged && strncmp(path, dir, strlen(dir)) == 0)
			rc = decide_conffile(in, host, t, path, out, err);
	}
	free(list);
	return rc;
}

static void trees_close(struct trees *t)
{
	if (t->have) {
		rootfs_close(&t->pkg);
		rootfs_close(&t->ctl);
		rootfs_close(&t->root);
	}
	t->have = 0;
}

/* Unpack the .deb into tmp and open its trees. */
static int trees_open(const struct predict_input *in, const char *tmp, struct trees *t,
		      char **err)
{
	char *pkg = xasprintf("%s/pkg", tmp), *ctl = xasprintf("%s/control", tmp);
	char *root = xasprintf("%s/root", tmp);
	int rc = -1;

	memset(t, 0, sizeof *t);
	if (mkdir(root, 0700) < 0)
		*err = xasprintf("%s: %s", root, strerror(errno));
	else if (run_dpkg_deb("-x", in->deb, pkg, err) == 0 &&
		 run_dpkg_deb("-e", in->deb, ctl, err) == 0) {
		if (rootfs_init_nofollow(&t->pkg, pkg) < 0)
			*err = xasprintf("%s: %s", pkg, strerror(errno));
		else if (rootfs_init_nofollow(&t->ctl, ctl) < 0) {
			*err = xasprintf("%s: %s", ctl, strerror(errno));
			rootfs_close(&t->pkg);
		} else if (rootfs_init_nofollow(&t->root, root) < 0) {
			*err = xasprintf("%s: %s", root, strerror(errno));
			rootfs_close(&t->pkg);
			rootfs_close(&t->ctl);
		} else {
			t->have = 1;
			rc = 0;
		}
	}
	free(pkg);
	free(ctl);
	free(root);
	return rc;
}

int predict_build(const struct predict_input *in, const struct rootfs *host,
		  struct predict_result *out, char **err)
{
	char tmpl[] = "/tmp/php-fpm-guard-predict-XXXXXX", *tmp, *status;
	char *dir = xstrdup(in->config), *slash;
	struct trees t = { .have = 0 };
	size_t i;

	memset(out, 0, sizeof *out);
	*err = NULL;
	slash = strrchr(dir, '/');
	slash[1] = '\0';	/* "/etc/php/8.2/fpm/" */
	if ((tmp = mkdtemp(tmpl)) == NULL) {
		*err = xasprintf("cannot make a temp dir: %s", strerror(errno));
		free(dir);
		return -1;
	}
	out->root = xasprintf("%s/root", tmp);
	if (trees_open(in, tmp, &t, err) < 0)
		goto fail;
	/* What php-fpm reads now, as it is. */
	for (i = 0; i < in->nfiles; i++)
		if (copy_in(host, &t, in->files[i], 1) < 0) {
			*err = xasprintf("cannot copy %s: %s", in->files[i], strerror(errno));
			goto fail;
		}
	if (decide_conffiles(in, host, &t, dir, out, err) < 0)
		goto fail;
	if (copy_in(host, &t, "/etc/passwd", 0) < 0 || copy_in(host, &t, "/etc/group", 0) < 0) {
		*err = xasprintf("cannot copy the account files: %s", strerror(errno));
		goto fail;
	}
	status = xasprintf("Package: %s\nStatus: install ok installed\nArchitecture: all\n"
			   "Version: %s\n\n", in->package, in->new_version);
	i = put(&t.root, "/var/lib/dpkg/status", status, strlen(status)) < 0;
	free(status);
	if (i) {
		*err = xasprintf("cannot write the predicted dpkg status: %s", strerror(errno));
		goto fail;
	}
	trees_close(&t);
	free(dir);
	return 0;
fail:
	trees_close(&t);
	free(dir);
	predict_cleanup(out);
	return -1;
}

static int rm_one(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
	(void)st;
	(void)ftw;
	return flag == FTW_DP ? rmdir(path) : unlink(path);
}

void predict_cleanup(struct predict_result *r)
{
	size_t i;

	if (r->root) {
		char *top = xstrdup(r->root);
		*strrchr(top, '/') = '\0';	/* the temp dir above root/ */
		nftw(top, rm_one, 16, FTW_DEPTH | FTW_PHYS);
		free(top);
	}
	for (i = 0; i < r->nnotes; i++)
		free(r->notes[i]);
	free(r->notes);
	free(r->root);
	memset(r, 0, sizeof *r);
}
