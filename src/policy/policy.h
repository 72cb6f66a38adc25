/*
 * policy: what the admin asked the guard to do, and the pure decision per
 * finding.
 *
 * guard.conf (then conf.d/ *.conf in sorted order, later wins) is read with
 * libinih.  Global keys come before any section:
 *     policy = fix | abort | report     (default fix)
 *     clients = www-data nginx ...      (default: detected web server users)
 *     strict = yes | no                 (default no)
 *     fix_target = pool-file | drop-in  (default pool-file)
 *     predict = yes | no                (default yes: Pre-Install-Pkgs)
 *     prom_file = PATH | none           (default the node_exporter textfile)
 * PATH is always a path inside the root (--root), resolved there like every
 * read (RESOLVE_IN_ROOT: a symlink in an image stays in the image), never
 * a host path: an image's guard.conf cannot aim root's write at the host.
 * Only the command line's --prom-file, --state-dir and --log-dir are host
 * paths.
 * [pool NAME] sections override policy and clients for pools of that name
 * (case-insensitive, as php-fpm names pools), and may say
 *     retarget = warning | error        (default warning)
 * for server-retargeted: a site that now reaches this pool name in another
 * PHP instance (the php-fpm.sock alternative moved).  The command line's --policy
 * overrides every file.  Any unknown section or key, or a bad value, is an
 * error naming file:line, and the whole run falls back to policy report:
 * a guard that misread its orders must not act on them.
 *
 * The file and its directory must be root's and not writable by anyone
 * else: they decide what a root process writes into /etc.
 *
 * This header is pure (the data and the decisions, no I/O header);
 * reading the files is guardconf.h.
 */
#ifndef PFG_POLICY_H
#define PFG_POLICY_H

#include <stddef.h>
#include "../diff/diff.h"

enum policy { POL_UNSET = -1, POL_FIX, POL_ABORT, POL_REPORT };

struct pool_policy {
	char *name;
	enum policy policy;
	char **clients;		/* empty: the global list */
	size_t nclients;
	int retarget_error;	/* retarget = error: server-retargeted is an error */
};

/* Where a fix writes its explicit values. */
enum fix_target {
	FIX_POOL_FILE,		/* the pool's own file (www.conf): the default */
	FIX_DROPIN		/* the guard's drop-in beside it (fix/dropin.h) */
};

struct guard_conf {
	enum policy policy;
	enum fix_target fix_target;
	int no_predict;		/* predict = no: Pre-Install-Pkgs does nothing */
	char **clients;
	size_t nclients;
	int strict;
	char *prom_file;	/* NULL: the default; "": none (report.h) */
	struct pool_policy *pools;
	size_t npools;
	char **files;		/* read, in order */
	size_t nfiles;
	char **errors;		/* "file:line: error: ..." */
	size_t nerrors;
};

/* The policy for a pool: --policy (cli, POL_UNSET if not given), else the
 * pool's section, else the global key; POL_REPORT when the files had errors. */
enum policy guard_conf_policy(const struct guard_conf *g, const char *pool,
			      enum policy cli);

/* 1 when [pool NAME] says retarget = error, else 0. */
int guard_conf_retarget_error(const struct guard_conf *g, const char *pool);

/* "fix" / "abort" / "report"; parse returns POL_UNSET for anything else. */
const char *policy_name(enum policy p);
enum policy policy_parse(const char *s);

enum action {
	ACT_REPORT,		/* say it, change nothing */
	ACT_FIX,		/* write explicit values, repair the socket */
	ACT_ABORT		/* fail the hook, change nothing */
};

/*
 * Pure: what to do with one finding under policy p.
 *   report  report everything, never fail the run.
 *   abort   fail the run on every error and every broadening.
 *   fix     fix lost access; fail the run on an error that has no fix;
 *           report broadenings and warnings.
 */
enum action policy_decide(const struct finding *f, enum policy p);

#endif
