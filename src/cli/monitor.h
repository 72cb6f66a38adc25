/*
 * monitor: `check --monitoring-plugin`, the host as a Monitoring Plugin
 * (report/plugin.h says the output and the states).
 *
 * The facts are check's, gathered for an agent that asks every minute:
 * no connect() to any pool (--no-proof's verdicts, from the sockets'
 * and directories' metadata, so an ondemand pool is never woken); the
 * web servers' files read as the hooks read them (no nginx -T, no
 * apache2ctl); php-fpm -t as check asks it, answered from the hooks'
 * cache (STATE/fpm-cache.json) while nothing php-fpm reads has changed.
 * The answers php-fpm gave on a miss go back into the cache when its
 * lock is free at once (as a hook would write them); the state dir is
 * never created.  Nothing else on the host is changed.
 */
#ifndef PFG_MONITOR_H
#define PFG_MONITOR_H

#include "guard.h"

/* The plugin's exit code, 0..3 (plugin_begin() must have run).  A
 * guard.conf with errors is UNKNOWN: the clients it names are not
 * known. */
int monitor_check(struct guard_opts *o);

#endif
