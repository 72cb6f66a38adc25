/*
 * probe: the live socket as the web server meets it.
 *
 * The socket path is lstat'ed inside the root, never followed: a symlink
 * where a socket should be is reported, not trusted.  Directory components
 * are resolved the way connect() resolves them (symlinks followed inside
 * the root, so /var/run/x.sock is checked through /run), and each
 * directory on the canonical path is recorded for the search-permission
 * check.  POSIX ACLs come from libacl on an O_PATH descriptor of the very
 * inode that was checked.
 */
#ifndef PFG_PROBE_H
#define PFG_PROBE_H

#include "../access/access.h"
#include "../util/rootfs.h"
#include "probe_state.h"

struct socket_probe {
	char *path;		/* as configured (inside the root) */
	char *canonical;	/* directories resolved; NULL if unknown */
	enum probe_state state;
	int err;
	mode_t found_type;	/* S_IFMT of what is there when not a socket */
	struct fsobj sock;
	dev_t dev;		/* identity of the socket judged, for repair */
	ino_t ino;
	struct fsobj *dirs;	/* "/" first, the socket's directory last */
	char **dirpaths;
	size_t ndirs;
	int way_shared;		/* dirs/dirpaths belong to a probe_cache */
};

void socket_probe(const struct rootfs *r, const char *path,
		  struct socket_probe *out);

/* The same with the directories' facts shared between calls: for a host's
 * many sockets, in one run (the facts are as old as the run).  The
 * probes point into the cache for dirs/dirpaths: free the probes first. */
struct probe_cache;
struct probe_cache *probe_cache_new(void);
void probe_cache_free(struct probe_cache *c);
void socket_probe_cached(const struct rootfs *r, struct probe_cache *c,
			 const char *path, struct socket_probe *out);
void socket_probe_free(struct socket_probe *p);

/* The first directory on the socket's way that a non-root user may write
 * (owns it, or a group, other or ACL entry other than root's has w): such
 * a user may rename or link anything onto the socket's name.  NULL when
 * none; the way itself when it is unknown.  Points into p. */
const char *socket_probe_open_dir(const struct socket_probe *p);

/* Read the ACL of an open fd (O_PATH fine) into o; 0 or -1. */
int probe_read_acl(int fd, struct fsobj *o);

#endif
