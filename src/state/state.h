/*
 * state: the guard's own directories -- the state dir (snapshots handed
 * from pre-invoke to post-invoke, backups, the fix journal, the lock) and
 * the report dir.
 *
 * A directory is used only if it is a real directory (never a symlink),
 * owned by the guard's user (root) and writable by nobody else; it is
 * created 0700 (reports 0750) when missing.  Files in it are opened
 * O_NOFOLLOW and must be regular, ours, and not writable by others; a file
 * someone else planted is refused, never read.  Writes are atomic
 * (atomicfile, through the dir's fd).  Functions return -1 with a message in *err (caller frees).
 */
#ifndef PFG_STATE_H
#define PFG_STATE_H

#include <stddef.h>
#include <sys/types.h>

struct state_dir {
	char *path;		/* host path */
	int fd;			/* O_PATH|O_DIRECTORY */
	int lock_fd;
	gid_t gid;		/* files written get the dir's group (adm for logs) */
};

/* path is a host path (--state-dir, --log-dir: root's own choice). */
int state_open(struct state_dir *s, const char *path, mode_t create_mode,
	       char **err);
/*
 * The default dirs under --root: path is inside root and resolves there
 * as every read does (rootfs_open_parent), so an image whose /var/lib is
 * a symlink to a host directory gets its state dir inside the image, not
 * on the host.  The last name is never a symlink, as above.  0; 1 when
 * create_mode is 0 and the directory does not exist (*err untouched);
 * -1 with *err.  s->path is the host-visible path, for messages.
 */
int state_open_in(struct state_dir *s, const char *root, const char *path,
		  mode_t create_mode, char **err);
void state_close(struct state_dir *s);

/* Exclusive lock for the whole run: waits up to wait_s seconds (saying
 * so once on stderr), then fails. */
int state_lock(struct state_dir *s, int wait_s, char **err);
/* The same lock only if it is free now: 0 taken, -1 not (held, or the
 * lock file refused); silent. */
int state_trylock(struct state_dir *s);

/* 0 and the bytes; 1 when the file does not exist; -1 on error. */
int state_read(struct state_dir *s, const char *name, size_t max, char **buf,
	       size_t *len, char **err);
/* 1 when the file is ours (as state_read checks) and its first n bytes
 * are prefix, followed by then; 0 otherwise.  Reads in chunks: nothing
 * the size of the file is held in memory. */
int state_starts_with(struct state_dir *s, const char *name, const char *prefix,
		      size_t n, const char *then);
int state_write(struct state_dir *s, const char *name, const void *buf,
		size_t len, mode_t mode, char **err);
/* state_write without the fsyncs, for hand-over files (snapshot, cache). */
int state_write_transient(struct state_dir *s, const char *name, const void *buf,
			  size_t len, mode_t mode, char **err);
/* 0, also when it did not exist. */
int state_remove(struct state_dir *s, const char *name);
/* 1 when name is a regular file of ours (as state_read checks), else 0. */
int state_has(struct state_dir *s, const char *name);
/* from replaces to atomically, both in the dir; from must be a regular
 * file of ours.  0, or -1 with errno. */
int state_rename(struct state_dir *s, const char *from, const char *to);

/* Create (mode) or check a subdirectory: a real directory, ours, writable
 * by nobody else -- the same rules as the dir itself.  0, or -1 with *err. */
int state_subdir(struct state_dir *s, const char *name, mode_t mode, char **err);

/* Host path of a file in the dir (caller frees). */
char *state_path(const struct state_dir *s, const char *name);

#endif
