#include "apt.h"
#include "../util/xalloc.h"

#include <dlfcn.h>
#include <stdlib.h>
#include <string.h>

#ifndef PFG_SHIM_PATH
#define PFG_SHIM_PATH "/usr/lib/php-fpm-guard/aptshim.so"
#endif

static struct {
	int tried;
	char *error;
	int (*read_status)(const char *, const char *const *, size_t, struct aptshim_status *);
	void (*free_status)(struct aptshim_status *);
	int (*md5)(const void *, size_t, char *);
} shim;

/*
 * A shim that does not load is a degraded guard, never a failed one: the
 * package only Recommends the shim's libapt-pkg, whose soname changes
 * between releases (6.0 to 7.0 at trixie), so mid-upgrade and after it the
 * old shim may find no library to link.  Said once, on stderr (in a hook,
 * apt's output), and in the JSON report's dpkg_status_error.
 */
static void shim_unavailable(char *why)
{
	shim.error = why;
	warnx("note: package versions unknown: %s", why);
}

static int shim_load(void)
{
	void *h;
	int (*abi)(void);

	if (shim.tried)
		return shim.read_status ? 0 : -1;
	shim.tried = 1;
	h = dlopen(PFG_SHIM_PATH, RTLD_NOW | RTLD_LOCAL);
	if (h == NULL) {
		shim_unavailable(xasprintf("cannot load %s: %s", PFG_SHIM_PATH, dlerror()));
		return -1;
	}
	*(void **)&abi = dlsym(h, "aptshim_abi");
	*(void **)&shim.read_status = dlsym(h, "aptshim_read_status");
	*(void **)&shim.free_status = dlsym(h, "aptshim_free_status");
	*(void **)&shim.md5 = dlsym(h, "aptshim_md5");
	if (abi == NULL || shim.read_status == NULL || shim.free_status == NULL ||
	    shim.md5 == NULL ||
	    abi() != APTSHIM_ABI) {
		shim_unavailable(xasprintf("%s: not the aptshim this guard was built with",
					   PFG_SHIM_PATH));
		shim.read_status = NULL;
		dlclose(h);
		return -1;
	}
	return 0;
}

int pkg_db_read(struct pkg_db *db, const char *status_path,
		const char *const *patterns, size_t npatterns)
{
	memset(db, 0, sizeof *db);
	if (shim_load() < 0) {
		db->error = xstrdup(shim.error);
		return -1;
	}
	if (shim.read_status(status_path, patterns, npatterns, &db->st) < 0) {
		db->error = xstrdup(db->st.error ? db->st.error : "cannot read the dpkg status");
		shim.free_status(&db->st);
		return -1;
	}
	db->loaded = 1;
	return 0;
}

void pkg_db_set(struct pkg_db *db, char *const *names, char *const *versions,
		char *const *statuses, size_t n)
{
	size_t i;

	memset(db, 0, sizeof *db);
	db->st.pkgs = xcalloc(n ? n : 1, sizeof *db->st.pkgs);
	for (i = 0; i < n; i++) {
		db->st.pkgs[i].name = xstrdup(names[i]);
		db->st.pkgs[i].arch = xstrdup("");
		db->st.pkgs[i].version = xstrdup(versions[i]);
		db->st.pkgs[i].status = xstrdup(statuses[i]);
	}
	db->st.npkgs = n;
	db->loaded = db->own = 1;
}

void pkg_db_free(struct pkg_db *db)
{
	size_t i;

	if (db->own) {
		for (i = 0; i < db->st.npkgs; i++) {
			free(db->st.pkgs[i].name);
			free(db->st.pkgs[i].arch);
			free(db->st.pkgs[i].version);
			free(db->st.pkgs[i].status);
		}
		free(db->st.pkgs);
	} else if (db->loaded) {
		shim.free_status(&db->st);
	}
	free(db->error);
	memset(db, 0, sizeof *db);
}

static int has_suffix(const char *s, const char *suffix)
{
	size_t n = strlen(s), k = strlen(suffix);

	return n >= k && strcmp(s + n - k, suffix) == 0;
}

const struct aptshim_package *pkg_db_find(const struct pkg_db *db, const char *name)
{
	size_t i;

	for (i = 0; db->loaded && name && i < db->st.npkgs; i++) {
		const struct aptshim_package *p = &db->st.pkgs[i];
		/* "install ok installed"; also half-configured and friends
		 * have their files on disk, but only a configured package is
		 * certain -- and one whose triggers are still pending (in
		 * the middle of a dpkg run: the guard's own trigger) is. */
		if (strcmp(p->name, name) == 0 && (has_suffix(p->status, " installed") ||
						    has_suffix(p->status, " triggers-pending") ||
						    has_suffix(p->status, " triggers-awaited")))
			return p;
	}
	return NULL;
}

const char *pkg_db_version(const struct pkg_db *db, const char *name)
{
	const struct aptshim_package *p = pkg_db_find(db, name);

	return p ? p->version : NULL;
}

int pkg_md5(const void *buf, size_t len, char out[33])
{
	if (shim_load() < 0)
		return -1;
	return shim.md5(buf, len, out);
}
