/*
 * probe_state: what the probe found at a socket path.  Plain types only,
 * shared by the probe and the pure layers (snapshot, diff).
 */
#ifndef PFG_PROBE_STATE_H
#define PFG_PROBE_STATE_H

enum probe_state {
	PROBE_NONE,		/* not probed: not a unix listener */
	PROBE_SOCKET,		/* a unix socket is there */
	PROBE_ABSENT,		/* nothing there (or its directory is missing) */
	PROBE_NOT_SOCKET,	/* something else: file, symlink, directory */
	PROBE_ERROR		/* could not look (errno in err) */
};

#endif
