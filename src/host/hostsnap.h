/*
 * hostsnap: a host view as a snapshot -- the one place that knows both
 * (snapshot/ is pure data and its JSON; host/ is the I/O that looks).
 */
#ifndef PFG_HOSTSNAP_H
#define PFG_HOSTSNAP_H

#include "../snapshot/snapshot.h"
#include "host.h"

/* Copy what diff needs out of a host view into *s (free with
 * snapshot_free); the run's header (phase, boot id, time) is set. */
void snapshot_from_host(struct snapshot *s, struct host_view *h,
			const char *phase);

/* snapshot_to_json(snapshot_from_host(h)) without ever holding the
 * whole snapshot: the same bytes, pool by pool (caller frees). */
char *snapshot_json_from_host(struct host_view *h, const char *phase);

#endif
