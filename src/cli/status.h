/*
 * status: what the last acting run did on this host, where a fleet looks.
 *
 * Every post-invoke and fix (not --dry-run) records, nothing found or
 * not, its outcome in STATE/last-run.json (replaced atomically) and
 * writes, from the host as the run left it, the Prometheus textfile
 * (report.h, report_prom): --prom-file FILE (a host path; "none" skips
 * it), else guard.conf's prom_file (inside --root; none skips it), else
 * PFG_PROM_FILE inside --root.  The textfile goes only into a directory
 * that exists -- where node_exporter's textfile collector already looks --
 * and is a real directory writable by no one but its owner; otherwise it
 * is skipped, quietly when the directory is missing.
 *
 * `php-fpm-guard status [--json]` prints that record: one line that
 * starts with the outcome (for ssh loops over a fleet), or JSON
 * ("kind": "php-fpm-guard-status", "schema": 1).
 */
#ifndef PFG_STATUS_H
#define PFG_STATUS_H

#include "guard.h"
#include "../fix/fix.h"
#include "../report/report.h"
#include "../state/state.h"

#define LAST_RUN_FILE "last-run.json"

/* After post-invoke, post-dpkg: rep says what it found and did (rep->fl
 * NULL: nothing changed since pre-invoke).  st: the run's state dir
 * (NULL: nothing is recorded).  now: the host as the run left it, NULL
 * when the run has no such view (it is then looked at again for the
 * textfile).  Both return the run's verdict as recorded (RV_OK, RV_FIXED:
 * the run ended well); RV_ERROR when nothing was recorded. */
enum run_verdict status_record_run(struct guard_opts *o, const struct guard_conf *g,
		       struct state_dir *st, const struct run_report *rep,
		       const struct host_view *now);

/* After fix: its fix set and exit code; now as in status_record_run. */
enum run_verdict status_record_fix(struct guard_opts *o, const struct guard_conf *g,
		       struct state_dir *st, const struct fix_set *fs, int rc,
		       const struct host_view *now);

/* `status`: exit 0 the last run went well (ok, fixed, only warnings
 * reported), 1 it aborted, a fix failed or it left an error, 2 no run is
 * recorded or the record cannot be read. */
int status_command(struct guard_opts *o);

/*
 * `status --monitoring-plugin` (report/plugin.h): OK when the last run
 * went well; WARNING when it only reported warnings or is older than
 * max_age seconds (0: never too old) -- the hooks record only when apt
 * runs dpkg, so a quiet host's last run can be days old; CRITICAL when
 * it aborted, a fix failed or errors were left; UNKNOWN (exit 3 here)
 * when no run is recorded or the record cannot be read.  Returns 0..2.
 */
#define STATUS_MAX_AGE (8LL * 86400)
int status_plugin(struct guard_opts *o, long long max_age);

#endif
