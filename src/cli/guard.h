/*
 * guard: the commands that act -- pre-invoke, post-invoke, fix, diff.
 *
 * Each one gathers facts (host_inspect, snapshots), asks the pure parts
 * what they mean (diff_snapshots, policy_decide), then acts (fix, report)
 * and returns the exit code.  The hooks never let the guard's own failure
 * block apt: they return 0 on an internal error unless strict = yes.
 */
#ifndef PFG_GUARD_H
#define PFG_GUARD_H

#include "../host/host.h"
#include "../policy/guardconf.h"

#define EXIT_PROBLEMS 1

#define DEFAULT_STATE_DIR "/var/lib/php-fpm-guard"
#define DEFAULT_LOG_DIR "/var/log/php-fpm-guard"
#define DEFAULT_CONFIG "/etc/php-fpm-guard/guard.conf"
#define SNAPSHOT_FILE "pre-invoke.json"
/* The last host state a post-invoke, post-dpkg or fix ended ok or fixed
 * on: what the dpkg trigger (post-dpkg) compares with. */
#define LAST_GOOD_FILE "last-good.json"
/* A snapshot older than this is still diffed, but the report says so. */
#define SNAPSHOT_STALE_SECONDS (6LL * 3600)
/* How long a guard waits for another one's lock before it gives up. */
#define LOCK_WAIT_DEFAULT 60

struct guard_opts {
	struct host_opts host;
	const char *state_dir;	/* host paths; NULL: the default inside --root */
	const char *log_dir;
	const char *config;
	enum policy cli_policy;	/* POL_UNSET unless --policy */
	int json;
	int dry_run;
	int syslog;		/* 0 with --no-syslog */
	const char *old_file, *new_file;	/* diff */
	const char *hook_info;	/* pre-install-pkgs: read APT's info from here */
	const char *prom_file;	/* --prom-file: host path, "" none (cli/status.h) */
	int lock_wait;		/* --lock-wait seconds; 0: LOCK_WAIT_DEFAULT */
};

/* Read guard.conf (and conf.d) into g, print its errors, and point
 * o->host at its client lists (--client still wins).  g must outlive
 * every use of o->host. */
void guard_load_conf(struct guard_opts *o, struct guard_conf *g);

int guard_pre_invoke(struct guard_opts *o);
/* DPkg::Pre-Install-Pkgs (protocol 3): predict what the incoming php*-fpm
 * packages do to the sockets; abort before dpkg, or pin access with the
 * drop-in so the upgrade's own restart already creates the right socket. */
int guard_pre_install_pkgs(struct guard_opts *o);
int guard_post_invoke(struct guard_opts *o);
/*
 * The dpkg file trigger (postinst triggered, and configure): what dpkg
 * did without apt -- dpkg -i, dpkg --configure -a, config management --
 * judged against the last good state with post-invoke's policy, fix,
 * reports and exit codes.  Quiet, exit 0 at once, when a libapt
 * frontend runs this dpkg and its Pre-Invoke snapshot is there:
 * Post-Invoke judges that run.
 */
int guard_post_dpkg(struct guard_opts *o);
int guard_fix(struct guard_opts *o);
int guard_diff(struct guard_opts *o);

#endif
