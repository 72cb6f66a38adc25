/*
 * atomicfile: replace a file so that a reader, a crash or a SIGKILL only
 * ever sees the old bytes or the new bytes.
 *
 *   begin   the target must be a regular file (never a symlink: renaming
 *           over a link would silently turn it into a file), or absent
 *           when creating.  A temp file ".NAME.pfg-XXXXXXXXXXXX" (random,
 *           O_CREAT|O_EXCL|O_NOFOLLOW, retried on collision) is made in the
 *           same directory, then given the owner and mode asked for; both
 *           fchown and fchmod are checked.
 *   write   all of it, or an error.
 *   commit  fsync the file, rename it over the target, fsync the directory.
 *   abort   unlink the temp file.
 *
 * Paths are host paths, resolved by the kernel as any path (only the
 * directory's last component is never a symlink).  The _at forms work
 * below a directory the caller already opened -- through rootfs, so that
 * a write under --root stays inside the root (rootfs_replace): name is
 * one component, never "." or "..", and dirfd is not consumed.
 * Functions return -1 with errno set and never print; the caller names
 * the file in its message.
 */
#ifndef PFG_ATOMICFILE_H
#define PFG_ATOMICFILE_H

#include <stddef.h>
#include <sys/types.h>

struct atomic_file {
	int dirfd;
	int fd;
	int transient;		/* skip the fsyncs (see atomic_file_replace_transient) */
	char *base;
	char *tmp;		/* temp name inside dir */
};

/* must_exist: 1 the target must be a regular file, 0 it may be absent. */
int atomic_file_begin(struct atomic_file *af, const char *path, int must_exist,
		      uid_t uid, gid_t gid, mode_t mode);
int atomic_file_begin_at(struct atomic_file *af, int dirfd, const char *name,
			 int must_exist, uid_t uid, gid_t gid, mode_t mode);
int atomic_file_write(struct atomic_file *af, const void *buf, size_t len);
int atomic_file_commit(struct atomic_file *af);
void atomic_file_abort(struct atomic_file *af);

/* begin + write + commit in one; on failure nothing is left behind. */
int atomic_file_replace(const char *path, int must_exist, const void *buf,
			size_t len, uid_t uid, gid_t gid, mode_t mode);

/* begin_at + write + commit; transient: without the fsyncs (below). */
int atomic_file_replace_at(int dirfd, const char *name, int must_exist, const void *buf,
			   size_t len, uid_t uid, gid_t gid, mode_t mode, int transient);

/* The same, still atomic, but without the fsyncs: for the guard's own
 * hand-over files (snapshot, cache) that a crash makes stale anyway;
 * waiting for the disk twice per file on every apt run is not worth it. */
int atomic_file_replace_transient(const char *path, const void *buf, size_t len,
				  uid_t uid, gid_t gid, mode_t mode);

/* Unlink temp files a killed run left beside path. */
void atomic_file_sweep(const char *path);
/* The same for base in a directory the caller opened (not consumed). */
void atomic_file_sweep_at(int dirfd, const char *base);

#endif
