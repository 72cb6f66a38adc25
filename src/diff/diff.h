/*
 * diff: what changed between two snapshots that matters to the web
 * server's access.  A pure function of the two snapshots: no I/O, no
 * lookups, so every classification is a table-driven unit test.
 *
 * A client "could connect before" when the old live socket let it in,
 * or, with no live socket then, when the old config would have.  Losing
 * that is an error now (live socket) or at the next restart (effective
 * values).  A socket that grants more than before (world bits, a new
 * ACL entry, a new or newly writable group) is a security warning that
 * is never accepted silently.  Identical snapshots give no finding.
 *
 * A web server directive that reached a pool before and points where no
 * pool listens now (the socket was renamed or its instance removed under
 * it, as php5-fpm -> php7.0-fpm did) is an error at the directive's
 * file:line.  Said only when both snapshots list the servers' uses.
 */
#ifndef PFG_DIFF_H
#define PFG_DIFF_H

#include "../snapshot/snapshot.h"

enum finding_kind {
	FK_CLIENT_LOST,		/* cannot connect to the live socket now */
	FK_CLIENT_LOST_NEXT,	/* will not after the next php-fpm start */
	FK_NOT_SOCKET,		/* something else now sits at the path */
	FK_FPM_TEST_REFUSED,	/* php-fpm -t refuses the new config */
	FK_CONFIG_ERROR,	/* the config no longer reads */
	FK_BROADENED,		/* live socket grants more than before */
	FK_BROADENED_NEXT,	/* the next start would grant more */
	FK_LISTEN_CHANGED,
	FK_SOCKET_VANISHED,
	FK_DAEMON_STOPPED,
	FK_POOL_REMOVED,
	FK_INSTANCE_REMOVED,
	FK_POOL_ADDED,
	FK_INSTANCE_ADDED,
	FK_SERVER_SOCKET_LOST,	/* a server's socket path has no pool now */
	/* Release upgrades (issue 16): predicted before dpkg ... */
	FK_SITE_LOSES_PHP,	/* a server's socket: nobody serves it after the transaction */
	FK_POOL_DEPARTS,	/* a pool of an instance whose package is removed */
	FK_SITE_CHANGES_PHP,	/* a server's socket: another instance's pool serves it after */
	FK_CARRY_REFUSED,	/* the arriving version refuses a carried pool */
	/* ... and after the fact. */
	FK_SERVER_SOCKET_UNSERVED,	/* a server's pool: its socket is gone, its master not running */
	FK_NKINDS
};

enum severity { SEV_INFO, SEV_WARNING, SEV_ERROR };

struct finding {
	enum finding_kind kind;
	enum severity sev;
	int security;		/* broadening: abort refuses it */
	const struct snap_instance *old_i, *new_i;	/* either may be NULL */
	const struct snap_pool *old_p, *new_p;
	const char *instance;	/* config path */
	const char *pool;	/* NULL: about the instance */
	const char *user;	/* the client affected, if one */
	const char *file;	/* where an admin looks first */
	int line;
	char *before, *after;	/* short texts: "www-data:www-data 0660" */
	char *detail;		/* NULL or a sentence */
	const struct snap_use *use;	/* FK_SERVER_SOCKET_LOST, _UNSERVED, FK_SITE_*: the directive */
};

struct finding_list {
	struct finding *v;
	size_t n, cap;
};

void diff_snapshots(const struct snapshot *old, const struct snapshot *cur,
		    struct finding_list *out);
void finding_list_free(struct finding_list *l);

/* One instance against another (a prediction against now).  A pool whose
 * new sock_state is PROBE_NONE was not looked at: only its config is
 * judged, its live socket is not missed. */
void diff_instances(const struct snap_instance *old, const struct snap_instance *cur,
		    struct finding_list *out);

/* Stable identifier ("client-lost"), used in JSON and syslog. */
const char *finding_kind_name(enum finding_kind k);
const char *severity_name(enum severity s);

/* "www-data:www-data 0660 +ACL(user:nginx:rw-)" (caller frees). */
char *diff_perm_text(const struct snap_perm *p);

#endif
