/*
 * aptshim: what the guard asks of APT's libapt-pkg, behind a C interface.
 *
 * The shim (aptshim.cc, C++) is built as its own shared object and loaded
 * with dlopen() by apt.c only when a PHP-FPM instance exists, so a host
 * without PHP-FPM never pays for the C++ runtime and libapt-pkg.
 *
 * It reads dpkg's status file with libapt-pkg's deb822 parser (pkgTagFile)
 * and never builds APT's binary cache: a hook runs many times per apt run
 * and apt removes pkgcache.bin before Post-Invoke.
 *
 * Everything returned is malloc'ed and released with the matching free
 * function of the shim.  The functions never throw and never print.
 */
#ifndef PFG_APTSHIM_H
#define PFG_APTSHIM_H

#include <stddef.h>

#ifdef __cplusplus
extern "C" {
#endif

#define APTSHIM_ABI 2

struct aptshim_conffile {
	char *path;
	char *md5;		/* as dpkg recorded it; "newconffile" possible */
	int obsolete;
};

struct aptshim_package {
	char *name;
	char *arch;
	char *version;
	char *status;		/* "install ok installed" */
	struct aptshim_conffile *conffiles;
	size_t nconffiles;
};

struct aptshim_status {
	struct aptshim_package *pkgs;
	size_t npkgs;
	char *error;		/* set when the call returned -1 */
};

/* ABI version of the loaded object (APTSHIM_ABI). */
int aptshim_abi(void);

/*
 * Read the dpkg status file at path (a host path), keeping the stanzas
 * whose Package matches one of the fnmatch(3) patterns.  0, or -1 with
 * out->error.  A stanza that is not installed (Status not "... installed")
 * is kept too: the caller looks at status.
 */
int aptshim_read_status(const char *path, const char *const *patterns,
			size_t npatterns, struct aptshim_status *out);
void aptshim_free_status(struct aptshim_status *st);

/* MD5 of a buffer as dpkg records it for conffiles (32 hex digits and a
 * NUL into out), computed by libapt-pkg's Hashes.  0 or -1. */
int aptshim_md5(const void *buf, size_t len, char out[33]);

#ifdef __cplusplus
}
#endif

#endif
