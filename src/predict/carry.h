/*
 * carry: release.h's carried pools -- the file of each (the pool's own
 * sections verbatim, under the name it gets in the arriving instance),
 * read first in the arriving instance's predicted root, where a pool the
 * arriving version refuses is marked refused, never carried blindly.
 * Internal to predict/.
 */
#ifndef PFG_CARRY_H
#define PFG_CARRY_H

#include "release.h"

/* One carry per pool of every departing instance of rp, each checked in
 * its arrival's predicted root (which then holds the carried files:
 * release_served_after skips them). */
void carry_plan(struct release_plan *rp, const struct host_view *h);

/* Is file one of the guard's carried files (by its name)? */
int carry_is_carried_file(const char *file);

#endif
