/*
 * release: a transaction that removes a PHP-FPM instance or brings a new
 * one (a release upgrade: php8.2-fpm removed, php8.4-fpm installed), judged
 * in Pre-Install-Pkgs before dpkg changes anything.
 *
 * Departing: an instance whose package the list removes (**REMOVE**).  It
 * is gone after the run even though dpkg keeps its conffiles (state rc).
 * Arriving: a php*-fpm package the list unpacks with no instance here
 * yet; its configuration is predicted from its .deb alone (predict.h,
 * nfiles 0: the package's conffiles are the instance's files).
 *
 * The php-fpm.sock alternative: Debian's phpX.Y-fpm unit runs
 * `php-fpm-socket-helper install /run/php/php-fpm.sock POOLFILE XY` after
 * each start (and `remove` after each stop), POOLFILE being its
 * pool.d/www.conf and XY the version's digits (82, 84): in auto mode the
 * link follows the highest version that has started, so after the run it
 * points at the www socket of the highest instance left.
 *
 * For each web server directive (host.h struct consumer) served by a
 * departing pool or through the alternative, and for each departing
 * pool, who serves it after the transaction: the same pool, a pool of
 * another instance, or nobody (findings FK_SITE_LOSES_PHP,
 * FK_SITE_CHANGES_PHP, FK_POOL_DEPARTS, each detail saying it is
 * predicted).
 *
 * Policy fix carries each departing pool into the arriving instance: a
 * file of the guard's, RELEASE_CARRY_PREFIX NAME ".conf" in its pool.d,
 * holding the pool's own sections verbatim (its user, group, listen path,
 * listen.* and every other line), renamed NAME-phpX.Y when the arriving
 * instance has a pool of that name.  Each carried file is first read in
 * the arriving instance's predicted root: a pool the arriving version
 * refuses (a config error there, an effective value php-fpm would
 * refuse, a client that could not connect) is FK_CARRY_REFUSED, which
 * aborts; nothing is carried blindly.
 */
#ifndef PFG_RELEASE_H
#define PFG_RELEASE_H

#include "hookinfo.h"
#include "predict.h"
#include "../diff/diff.h"
#include "../host/host.h"

#define RELEASE_CARRY_PREFIX "zz-php-fpm-guard-carried-"
#define RELEASE_CARRY_MAGIC "; php-fpm-guard carried pool"
#define RELEASE_ALT_LINK "/run/php/php-fpm.sock"

/* A new instance, predicted from its .deb. */
struct release_arrival {
	const struct hook_action *act;
	char *config;		/* /etc/php/8.4/fpm/php-fpm.conf */
	char *pooldir;		/* /etc/php/8.4/fpm/pool.d */
	int priority;		/* the alternative's: 84 */
	struct predict_result pr;
	struct host_opts po;
	const char **clients;
	struct host_view hp;	/* the predicted root, read */
	struct snapshot ps;
	int have;		/* hp and ps are valid */
};

/* A departing pool and where policy fix puts it. */
struct release_carry {
	const struct instance_view *from;
	const struct pool_view *pv;
	struct release_arrival *to;	/* NULL: no instance arrives */
	char *name;		/* its name in the arriving instance */
	char *path;		/* the carried file, inside the root */
	char *text;
	char *refused;		/* why it cannot be carried; NULL: it can */
	int written;
};

struct release_plan {
	const struct hook_info *hi;	/* APT's list, in the order dpkg acts */
	const struct instance_view **dep;
	size_t ndep;
	struct release_arrival *arr;
	size_t narr;
	struct release_carry *carry;
	size_t ncarry;
	char *alt_after;	/* the alternative's target after the run; NULL: none */
	char **notes;
	size_t nnotes;
};

/* 1 when hi removes a php*-fpm package or unpacks one (something to judge). */
int release_wants(const struct hook_info *hi);

/*
 * The plan for hi on h: departing and arriving instances (each arrival
 * predicted; a failure is a note), the alternative after the run, and one
 * carry per departing pool, each already read in its arrival's predicted
 * root (refused set when it does not pass).  ho: how the run reads the
 * host.  Free with release_plan_free, before h.
 */
void release_plan_build(const struct host_opts *ho, struct host_view *h,
			const struct hook_info *hi, struct release_plan *rp);

/* The findings of rp against cur (the snapshot of h; fl's findings point
 * into cur and into rp). */
void release_findings(const struct release_plan *rp, const struct host_view *h,
		      const struct snapshot *cur, struct finding_list *fl);

/* Is f a release finding that carrying the pools fixes? */
int release_fixable(const struct finding *f);

/* The carry that answers f (its pool's, or the one serving its
 * directive's socket), or NULL. */
const struct release_carry *release_carry_of(const struct release_plan *rp,
					     const struct finding *f);

/* Write every carry that can be made to the host, all or none: 0, or -1
 * with *err (caller frees) and whatever was written taken back. */
int release_write_carries(struct release_plan *rp, struct host_view *h, char **err);

/*
 * After the run (post-invoke): every pool of a carried file in an
 * instance that old (the pre-invoke snapshot) did not have -- the pools
 * carried in this run -- proven by a real connect as each of its clients
 * (host_inspect with prove on that instance alone).  One line per pool
 * into *notes (caller frees each and the array); returns the count.
 * *failed: some client could not connect.
 */
size_t release_carried_notes(const struct host_opts *ho, const struct host_view *h,
			     const struct snapshot *old, char ***notes, int *failed);

void release_plan_free(struct release_plan *rp);

#endif
