/*
 * rootfs: every path the guard reads is resolved inside a root directory,
 * like dpkg --root.  With root "/" this is the host itself.
 *
 * Resolution uses openat2(RESOLVE_IN_ROOT) so that an absolute symlink in a
 * fixture tree (or a hostile one) resolves inside the root and never escapes
 * to the host.  Kernels without openat2 (< 5.6) fall back to plain openat()
 * below the root fd, which follows symlinks as the host would: acceptable
 * for root "/", documented as a limit for other roots.
 *
 * Functions return -1 with errno set; they never print.
 */
#ifndef PFG_ROOTFS_H
#define PFG_ROOTFS_H

#include <stddef.h>
#include <sys/stat.h>

struct rootfs {
	char *path;	/* "/" or an absolute directory without trailing '/' */
	int fd;		/* O_PATH|O_DIRECTORY fd of path */
	int is_host;	/* path is "/" */
};

/* Open the root; returns -1 with errno on failure. */
int rootfs_init(struct rootfs *r, const char *path);
void rootfs_close(struct rootfs *r);

/* Host-visible path of an absolute path inside the root (caller frees). */
char *rootfs_host_path(const struct rootfs *r, const char *path);

/* Strip the root prefix from a host path; returns a pointer into hostpath. */
const char *rootfs_inner_path(const struct rootfs *r, const char *hostpath);

/* The path (inside the root) of what fd is open on, from /proc/self/fd:
 * every symlink on the way already resolved.  NULL on failure. */
char *rootfs_fd_path(const struct rootfs *r, int fd);

/* openat2 in root.  path must be absolute (inside the root). */
int rootfs_open(const struct rootfs *r, const char *path, int flags);

/* lstat of path inside the root: the final component is never followed. */
int rootfs_lstat(const struct rootfs *r, const char *path, struct stat *st);

/* stat following symlinks inside the root. */
int rootfs_stat(const struct rootfs *r, const char *path, struct stat *st);

/*
 * Read a regular file (symlinks followed inside the root, as php-fpm does)
 * into a NUL-terminated buffer.  Refuses FIFOs, devices and directories
 * without blocking (EINVAL / EISDIR) and files above max bytes (EFBIG).
 * st receives the fstat of what was read.
 */
int rootfs_read_file(const struct rootfs *r, const char *path, size_t max,
		     char **buf, size_t *len, struct stat *st);

#endif
