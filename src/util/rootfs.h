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
	int nofollow;	/* no symlink is ever followed (rootfs_init_nofollow) */
};

/* Open the root; returns -1 with errno on failure. */
int rootfs_init(struct rootfs *r, const char *path);
/* The same for a tree someone else made (an unpacked package): every
 * resolution adds RESOLVE_NO_SYMLINKS, so a symlink anywhere on a path
 * fails it (ELOOP).  Without openat2 every open fails (ENOSYS). */
int rootfs_init_nofollow(struct rootfs *r, const char *path);
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

/*
 * Writes resolve inside the root exactly as reads do.  The directory is
 * opened with openat2(RESOLVE_IN_ROOT|RESOLVE_NO_MAGICLINKS): an absolute
 * symlink in an image is re-rooted and ".." stops at the root, so nothing
 * lands on the host; the last name is created or replaced through that
 * directory's fd and never followed.  Missing directories are made with
 * mkdirat one component at a time, each opened O_NOFOLLOW ("." and ".."
 * refused, EINVAL).  Without openat2 a root other than "/" is walked the
 * same way from its fd: any symlink on the path refuses the write (ELOOP).
 */

/* 1 if path is absolute, without empty, "." or ".." components and
 * without a trailing '/' ("/" is); 0 otherwise.  Pure. */
int rootfs_path_canonical(const char *path);

/* Open directory path inside the root (O_PATH|O_DIRECTORY).  mode 0: it
 * must exist; else missing components are created, the last with mode,
 * the ones above 0755.  The fd, or -1 with errno. */
int rootfs_open_dir(const struct rootfs *r, const char *path, mode_t mode);

/* The parent directory of path, as rootfs_open_dir(r, parent, dir_mode);
 * *base points into path at the last name (never "", "." or ".."). */
int rootfs_open_parent(const struct rootfs *r, const char *path, mode_t dir_mode,
		       const char **base);

/* A new file: O_WRONLY|O_CREAT|O_EXCL|O_NOFOLLOW with mode through the
 * parent's fd (parents made with dir_mode; 0: they must exist).  The fd,
 * or -1 with errno (EEXIST when any name is there, a symlink too). */
int rootfs_create(const struct rootfs *r, const char *path, mode_t mode, mode_t dir_mode);

/* atomic_file_replace_at through the parent's fd (which must exist). */
int rootfs_replace(const struct rootfs *r, const char *path, int must_exist,
		   const void *buf, size_t len, uid_t uid, gid_t gid, mode_t mode,
		   int transient);

/* Remove the name path (a symlink itself, never its target): 0, also when
 * it or its directory does not exist; -1 with errno. */
int rootfs_unlink(const struct rootfs *r, const char *path);

#endif
