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

static int mkdirs_for(const char *path)
{
	char *p = xstrdup(path), *s;

	for (s = p + 1; (s = strchr(s, '/')) != NULL; s++) {
		*s = '\0';
		if (mkdir(p, 0755) < 0 && errno != EEXIST) {
			free(p);
			return -1;
		}
		*s = '/';
	}
	free(p);
	return 0;
}

static int put(const char *path, const char *buf, size_t len)
{
	int fd;
	ssize_t n;

	if (mkdirs_for(path) < 0)
		return -1;
	fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_NOFOLLOW | O_CLOEXEC, 0644);
	if (fd < 0)
		return -1;
	n = write(fd, buf, len);
	if (close(fd) < 0 || n < 0 || (size_t)n != len)
		return -1;
	return 0;
}

/* A regular file's bytes (no symlink at the last step), or -1 (errno). */
static int slurp(const char *path, char **buf, size_t *len)
{
	struct stat st;
	ssize_t n;
	int fd = open(path, O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC);

	if (fd < 0)
		return -1;
	if (fstat(fd, &st) < 0 || !S_ISREG(st.st_mode) || (size_t)st.st_size > PREDICT_MAX_FILE) {
		close(fd);
		errno = EINVAL;
		return -1;
	}
	*buf = xmalloc((size_t)st.st_size + 1);
	n = read(fd, *buf, (size_t)st.st_size);
	close(fd);
	if (n < 0 || n != st.st_size) {
		free(*buf);
		*buf = NULL;
		errno = EIO;
		return -1;
	}
	(*buf)[n] = '\0';
	*len = (size_t)n;
	return 0;
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
			   const char *tmp, const char *path, struct predict_result *r,
			   char **err)
{
	char *newp = xasprintf("%s/pkg%s", tmp, path), *dst = xasprintf("%s/root%s", tmp, path);
	char *hostp = rootfs_host_path(host, path), *nb = NULL, *lb = NULL;
	char lmd5[33], nmd5[33];
	const char *rec = recorded_md5(in->installed, path);
	size_t nl = 0, ll = 0;
	int rc = 0, have_local;

	if (slurp(newp, &nb, &nl) < 0) {
		*err = xasprintf("%s: conffile %s missing from the package", in->deb, path);
		rc = -1;
		goto out;
	}
	have_local = slurp(hostp, &lb, &ll) == 0;
	if (!have_local) {
		if (rec) {
			note(r, xasprintf("%s was deleted here: dpkg keeps it deleted", path));
			unlink(dst);
		} else {
			rc = put(dst, nb, nl);	/* new in this version */
		}
		goto out;
	}
	if (pkg_md5(lb, ll, lmd5) < 0 || pkg_md5(nb, nl, nmd5) < 0) {
		*err = xasprintf("cannot compute MD5 digests (libapt-pkg shim)");
		rc = -1;
		goto out;
	}
	if (strcmp(lmd5, nmd5) == 0 || (rec && strcmp(lmd5, rec) == 0)) {
		rc = put(dst, nb, nl);	/* unmodified: replaced silently */
	} else if (rec && strcmp(nmd5, rec) == 0) {
		rc = put(dst, lb, ll);	/* modified here, unchanged upstream: kept */
	} else if (in->force_confnew) {
		rc = put(dst, nb, nl);
		note(r, xasprintf("%s is modified here; --force-confnew installs the package's", path));
	} else {
		rc = put(dst, lb, ll);
		r->prompts = 1;
		note(r, xasprintf("%s is modified here and changed in %s %s: %s", path,
				  in->package, in->new_version,
				  in->force_confold ? "--force-confold keeps the local file"
				  : "dpkg will ask (unattended-upgrades holds the package back); "
				    "predicted with the local file kept"));
	}
	if (rc < 0)
		*err = xasprintf("%s: %s", dst, strerror(errno));
out:
	free(nb);
	free(lb);
	free(newp);
	free(dst);
	free(hostp);
	return rc;
}

static int copy_in(const struct rootfs *host, const char *tmp, const char *path, int must)
{
	char *hostp = rootfs_host_path(host, path), *dst = xasprintf("%s/root%s", tmp, path), *b;
	size_t n;
	int rc = 0;

	if (slurp(hostp, &b, &n) == 0) {
		rc = put(dst, b, n);
		free(b);
	} else if (must) {
		rc = -1;
	}
	free(hostp);
	free(dst);
	return rc;
}

int predict_build(const struct predict_input *in, const struct rootfs *host,
		  struct predict_result *out, char **err)
{
	char tmpl[] = "/tmp/php-fpm-guard-predict-XXXXXX", *tmp, *pkg, *ctl, *list = NULL;
	char *dir = xstrdup(in->config), *slash, *line, *save = NULL, *status;
	size_t len, i;

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
	pkg = xasprintf("%s/pkg", tmp);
	ctl = xasprintf("%s/control", tmp);
	if (mkdir(out->root, 0700) < 0 || run_dpkg_deb("-x", in->deb, pkg, err) < 0 ||
	    run_dpkg_deb("-e", in->deb, ctl, err) < 0)
		goto fail;
	/* What php-fpm reads now, as it is. */
	for (i = 0; i < in->nfiles; i++)
		if (copy_in(host, tmp, in->files[i], 1) < 0) {
			*err = xasprintf("cannot copy %s: %s", in->files[i], strerror(errno));
			goto fail;
		}
	/* The package's conffiles of this instance, as dpkg will leave them. */
	free(ctl);
	ctl = xasprintf("%s/control/conffiles", tmp);
	if (slurp(ctl, &list, &len) == 0) {
		for (line = strtok_r(list, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
			char *sp = strchr(line, ' ');
			if (sp)
				*sp = '\0';	/* "remove-on-upgrade" and friends */
			if (strncmp(line, dir, strlen(dir)) != 0)
				continue;
			if (decide_conffile(in, host, tmp, line, out, err) < 0)
				goto fail;
		}
	}
	if (copy_in(host, tmp, "/etc/passwd", 0) < 0 || copy_in(host, tmp, "/etc/group", 0) < 0) {
		*err = xasprintf("cannot copy the account files: %s", strerror(errno));
		goto fail;
	}
	status = xasprintf("Package: %s\nStatus: install ok installed\nArchitecture: all\n"
			   "Version: %s\n\n", in->package, in->new_version);
	line = xasprintf("%s/var/lib/dpkg/status", out->root);
	i = put(line, status, strlen(status)) < 0;
	free(line);
	free(status);
	if (i) {
		*err = xasprintf("cannot write the predicted dpkg status: %s", strerror(errno));
		goto fail;
	}
	free(list);
	free(pkg);
	free(ctl);
	free(dir);
	return 0;
fail:
	free(list);
	free(pkg);
	free(ctl);
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
