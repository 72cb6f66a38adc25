/*
 * snapshot: what the guard knows about the host at one moment, as plain
 * data that survives a trip through a file.
 *
 * pre-invoke writes one before dpkg runs; post-invoke takes another and
 * hands both to diff.  Everything the diff needs is in here (names, ids,
 * modes, verdicts, file:line of each declared value), so a snapshot can be
 * judged without the host it came from.
 *
 * The file is JSON (json-c), "kind": "php-fpm-guard-snapshot",
 * "schema": SNAPSHOT_SCHEMA.  snapshot_parse() trusts nothing: a wrong
 * kind or schema, a missing field or a field of the wrong type rejects
 * the whole file with a message naming the field.
 */
#ifndef PFG_SNAPSHOT_H
#define PFG_SNAPSHOT_H

#include <stddef.h>
#include <stdio.h>
#include <time.h>
/* Pure: data and its JSON; no I/O header (the host's view becomes a
 * snapshot in host/hostsnap.h). */
#include "../access/verdict.h"
#include "../config/pool.h"
#include "../sockets/probe_state.h"

#define SNAPSHOT_SCHEMA 1
#define SNAPSHOT_MAX_SIZE ((size_t)256 << 20)

struct snap_setting {
	char *value;		/* NULL: not set anywhere */
	char *file;
	int line;
};

/* Owner, group, mode and ACL of a socket (live or predicted). */
struct snap_perm {
	char *owner, *group;	/* names, or the number as text */
	long uid, gid;
	unsigned mode;		/* permission bits only */
	char **acl;		/* "user:www-data:rw-", "mask::rw-" ... */
	size_t nacl;
};

struct snap_client {
	char *user;
	int now;		/* enum verdict: -1 unknown, 0 denied, 1 allowed */
	int next;
};

struct snap_pool {
	char *name;
	char *file;
	int line;
	struct snap_setting set[K_NKEYS];
	int is_unix;
	int eff_valid;		/* 0: php-fpm would refuse this pool */
	struct snap_perm eff;
	char **eff_errors;
	size_t neff_errors;
	int sock_state;		/* enum probe_state */
	struct snap_perm sock;
	struct snap_client *clients;
	size_t nclients;
	char *listen_path;	/* unix listen with symlinks resolved, when that differs
				 * from set[K_LISTEN]; NULL: the same, or unknown */
};

struct snap_instance {
	char *config;
	char *binary;		/* NULL: not installed */
	char *package;
	char *version;		/* binary -v */
	char *package_version;	/* dpkg status; NULL when unknown */
	unsigned default_mode;
	int fpm_test;		/* -1 not run, 0 refused, 1 accepted */
	char *fpm_test_msgs;
	int running;		/* -1 unknown, 0 no, 1 yes */
	char **config_errors;	/* "file:line: message" */
	size_t nconfig_errors;
	struct snap_pool *pools;
	size_t npools;
};

/* A web server directive and the pool listening where it points (host.h
 * struct consumer), so that the diff can tell a socket renamed under a
 * server that still uses the old path. */
struct snap_use {
	char *server;		/* "nginx", "apache2" */
	char *user;		/* the server's user; NULL: unknown */
	char *socket;		/* as configured */
	char *directive;
	char *file;
	int line;
	char *site;		/* "server example.org", "every site", ... */
	char *instance, *pool;	/* the pool listening there; NULL: none */
	int other_socket;	/* no pool, another program's socket is there */
	/* The serving map (optional in the file: older guards wrote none). */
	char **hops;		/* the socket path and each symlink target after it */
	size_t nhops;
	char *php;		/* the instance's PHP version ("8.2"); NULL: unknown */
	char *pool_user;	/* the pool's user; NULL: unknown or no pool */
	int can_connect;	/* the server's user, live socket: -1 unknown, 0, 1 */
};

struct snapshot {
	char *phase;		/* "pre-invoke", "post-invoke", "check" */
	char *guard_version;
	char *boot_id;		/* NULL when unknown */
	long long created;	/* seconds since the epoch */
	char *root;
	struct snap_instance *inst;
	size_t ninst;
	struct snap_use *uses;	/* "server_uses" */
	size_t nuses;
	int have_uses;		/* 0: a snapshot without "server_uses" (older guard) */
	char *apache_mod_php;	/* Apache loads mod_php (its module id); NULL: no */
	char *apache_mod_php_source;	/* "file:line" of the LoadModule */
};

/* JSON text of s (caller frees); deterministic, the run's own header
 * (phase, boot_id, created) after SNAPSHOT_TAIL_MARK at the end. */
#define SNAPSHOT_TAIL_MARK ",\n\"phase\":"
char *snapshot_to_json(const struct snapshot *s);

/* Where the pools come from when they are written one at a time: npools
 * of instance inst, and pool j of it filled into a zeroed *out (which the
 * writer frees with snap_pool_free).  ctx is the caller's. */
struct snap_pool_source {
	void *ctx;
	size_t (*npools)(void *ctx, size_t inst);
	void (*pool)(void *ctx, size_t inst, size_t j, struct snap_pool *out);
};

/* snapshot_to_json of s with each instance's pools taken from src instead
 * of s: the same bytes without the whole snapshot in memory (caller frees). */
char *snapshot_to_json_streamed(const struct snapshot *s,
				const struct snap_pool_source *src);

/* Free what a snap_pool holds (not p itself). */
void snap_pool_free(struct snap_pool *p);

/* Bytes of the text before the run's own header (0: not found): two
 * snapshots whose bodies are equal describe the same host state. */
size_t snapshot_body_length(const char *json);

/* 0, or -1 with *err (caller frees) saying what is wrong. */
int snapshot_parse(const char *buf, size_t len, struct snapshot *s, char **err);

void snapshot_free(struct snapshot *s);

/* Lookups by identity: instance by config path, pool by name. */
const struct snap_instance *snapshot_find_instance(const struct snapshot *s,
						   const char *config);
const struct snap_pool *snapshot_find_pool(const struct snap_instance *i,
					   const char *name);

/* This boot's id (/proc/sys/kernel/random/boot_id), or NULL. */
char *snapshot_boot_id(void);

#endif
