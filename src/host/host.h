/*
 * host: everything `show` and `check` know about this host, gathered once.
 *
 * host_inspect() reads every instance's config, computes each pool's
 * effective socket, probes the live socket and decides, per client user,
 * whether it can connect now (live socket) and after the next start
 * (effective values), then proves the live verdict with a real connect().
 * host_judge() is pure: it turns that view into problems for `check`.
 *
 * The web servers' configs (src/webservers) say which server uses which
 * socket: each pool lists the directives that reach it (by the path with
 * symlinks resolved inside the root, so /var/run/... meets /run/...), and
 * a pool's clients default to the users of those servers.  Precedence:
 * guard.conf [pool NAME] clients, then --client or guard.conf clients,
 * then the users of the servers that use the socket, then the host-wide
 * detection (nginx's user, Apache's, else www-data) for a socket no
 * server names.
 */
#ifndef PFG_HOST_H
#define PFG_HOST_H

#include "../access/prove.h"
#include "../apt/apt.h"
#include "../accounts/accounts.h"
#include "../clients/clients.h"
#include "../config/fpmconf.h"
#include "../discover/discover.h"
#include "../access/verdict.h"
#include "../discover/fpmcache.h"
#include "../effective/effective.h"
#include "../effective/version.h"
#include "../sockets/probe.h"
#include "../webservers/webservers.h"
#include "serving.h"

struct pool_client {
	const struct client *client;
	const struct account_user *user;	/* NULL: no such user */
	enum verdict now;		/* live socket; unknown when absent */
	size_t now_blocker;
	enum prove_result proof;
	int proof_errno;
	enum verdict next;		/* socket php-fpm will create */
	size_t next_blocker;
};

struct instance_view;
struct pool_view;

/* A web server directive and the pool listening where it points. */
struct consumer {
	const struct ws_use *use;
	const struct ws_server *server;
	char *canonical;	/* symlinks resolved inside the root */
	const struct instance_view *iv;	/* NULL: no pool listens there */
	const struct pool_view *pv;
	int other_socket;	/* no pool, but something listens there (fcgiwrap) */
	/* The serving map: the symlinks from use->socket on (the php-fpm.sock
	 * alternative), and whether the server's user can connect to the
	 * pool's socket now (live socket) and after its next start. */
	struct serving_hops hops;
	enum verdict server_now, server_next;	/* V_UNKNOWN: no pool, no user */
};

struct pool_view {
	const struct fpm_pool *pool;
	const struct fpm_build *build;
	struct effective eff;
	struct socket_probe probe;	/* only for unix listeners */
	struct pool_client *clients;
	size_t nclients;
	struct client_list own_clients;	/* when the policy names this pool's */
	int live_differs;	/* live socket's owner/group/mode != effective */
	const struct consumer *cons;	/* the web server directives using it: */
	size_t ncons;			/* a slice of host_view.cons */
};

struct instance_view {
	struct instance_loc loc;
	char *version;
	char *package_version;	/* dpkg's record; NULL when unknown */
	struct fpm_build build;
	int running;		/* master alive per its pid file; -1 unknown */
	struct fpm_conf conf;
	int conf_ok;
	int fpm_test;		/* -1 not run, 0 refused, 1 accepted */
	char *fpm_test_msgs;
	char **notes;		/* where php-fpm -tt read a value differently */
	size_t nnotes;
	/* "NAME=value" for each ${NAME} the config took from the guard's
	 * environment: php-fpm -tt gets these, and nothing else of it. */
	char **env;
	size_t nenv;
	struct pool_view *pools;
	size_t npools;
};

struct host_opts {
	const char *root;
	const char *const *fpm_configs;
	size_t nfpm_configs;
	const char *fpm_binary;	/* binary for fpm_configs (else guessed) */
	const char *const *clients;
	size_t nclients;
	int run_fpm_test;	/* ask php-fpm -t (check) */
	int prove;		/* real connect() as each client */
	/* Per-pool client users (guard.conf [pool NAME] clients = ...):
	 * NULL or a zero count means the host-wide list. */
	char **(*pool_clients)(void *ctx, const char *pool, size_t *n);
	void *pool_clients_ctx;
	/* php-fpm's answers from earlier runs (the hooks); NULL: always ask. */
	struct fpm_cache *cache;
	/* Ask nginx -T and apache2ctl (on the host only).  The hooks do
	 * not: they read the servers' files, as --root always does. */
	int ask_servers;
};

struct host_view {
	struct rootfs root;
	struct accounts *acc;
	struct pkg_db pkgs;	/* dpkg's view, read only when PHP-FPM exists */
	struct probe_cache *dirs;	/* socket directories, looked at once */
	struct client_list clients;
	struct instance_view *inst;
	size_t ninst;
	struct ws_config ws;	/* nginx's and Apache's configs */
	struct consumer *cons;	/* one per ws.uses, sorted by canonical path */
	size_t ncons;
	int any_server;		/* some web server config was found */
};

/* 0, or -1 when the root itself cannot be opened (errno). */
int host_inspect(const struct host_opts *o, struct host_view *h);
void host_free(struct host_view *h);

enum problem_kind {
	PR_DENIED_NOW,		/* a client cannot connect to the live socket */
	PR_DENIED_NEXT,		/* ... or will not after the next start */
	PR_NOT_SOCKET,		/* something else sits at the socket path */
	PR_WORLD_ACCESS,	/* world-writable socket: CVE-2014-0185 shape */
	PR_NO_CLIENT_USER,	/* a client user does not exist */
	PR_SERVER_SOCKET_MISSING,	/* a server uses a socket no pool listens on */
	PR_LISTEN_CONFLICT,	/* two pools listen on one path (after symlinks) */
};

struct problem {
	enum problem_kind kind;
	const struct instance_view *inst;
	const struct pool_view *pv;
	const struct pool_client *pc;	/* NULL unless about a client */
	int is_error;		/* counts for exit 1; warnings do not */
	const struct consumer *cons;	/* PR_SERVER_SOCKET_MISSING (inst, pv NULL) */
	/* PR_LISTEN_CONFLICT: the pool that claimed the path first (in the
	 * order php-fpm instances and their pools are read); inst/pv is the
	 * second, whose php-fpm would refuse to start ("Another FPM instance
	 * seems to already listen"). */
	const struct instance_view *other_inst;
	const struct pool_view *other_pv;
};

struct problem_list {
	struct problem *v;
	size_t n, cap;
};

/* Pure judgement of h: the pools' problems. */
void host_judge(const struct host_view *h, struct problem_list *out);
/* The web servers' problems, appended: a directive that points at a
 * socket path no pool listens on and where no other socket is (the
 * php5 -> php7 rename).  Their inst and pv are NULL, cons is set.  Only
 * for hosts with PHP-FPM. */
void host_judge_servers(const struct host_view *h, struct problem_list *out);

/* Pools of any instances whose unix listen paths are the same after
 * symlinks (also one instance twice through includes), appended as
 * PR_LISTEN_CONFLICT errors, one per later pool.  Pure. */
void host_judge_conflicts(const struct host_view *h, struct problem_list *out);

/* The path a pool listens on with symlinks resolved inside the root (the
 * probe's canonical path, else as configured); NULL for tcp. */
const char *host_listen_path(const struct pool_view *pv);

/* The PHP version of an instance ("8.2"); NULL when unknown (caller frees). */
char *host_php_version(const struct instance_view *iv);

/* Why a verdict is "denied", in words (caller frees). */
char *host_denied_reason(const struct pool_view *pv, const struct pool_client *pc,
			 int next, struct accounts *acc);

/* The lines that would fix pv for its clients, one per array slot
 * ("listen.owner = www-data"); returns the count (at most 4). */
size_t host_fix_lines(const struct pool_view *pv, struct accounts *acc,
		      char *lines[4]);

/* Count of errors for exit 2: config errors (web servers' too),
 * php-fpm -t refusals. */
size_t host_error_count(const struct host_view *h);

#endif
