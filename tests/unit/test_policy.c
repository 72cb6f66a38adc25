/*
 * policy: guard.conf and conf.d/ read from fixture roots, and the pure
 * decision per finding under each policy.
 *
 * The suite runs as root, so fixture files are root's; with umask 022
 * they are 0644 in 0755 directories, which guard_conf_load trusts.
 */
#include "fixture.h"
#include "policy/guardconf.h"

#include <sys/types.h>

#define CONF "/etc/php-fpm-guard/guard.conf"
#define DROPIN "/etc/php-fpm-guard/conf.d"
#define D10 DROPIN "/10-a.conf"
#define D20 DROPIN "/20-b.conf"

struct crow {
	const char *name;
	const char *conf;	/* guard.conf; NULL: absent */
	const char *d10, *d20;	/* conf.d/10-a.conf, conf.d/20-b.conf; NULL: absent */
	enum policy cli;	/* --policy; POL_UNSET: not given */
	enum policy global;	/* guard_conf_policy(g, NULL, cli) */
	const char *pool;	/* asked for this pool ... */
	enum policy pool_pol;	/* ... expects this */
	const char *clients;	/* global list, space-joined */
	const char *pool_clients;	/* the pool section's list ("": none) */
	int strict;
	size_t nerrors;
	const char *error;	/* substring of the first error */
	size_t nfiles;		/* files read */
};

static const struct crow rows[] = {
	/* -- defaults -- */
	{ "no guard.conf: defaults", NULL, NULL, NULL, POL_UNSET, POL_FIX, "www", POL_FIX,
	  "", "", 0, 0, NULL, 0 },
	{ "empty guard.conf", "", NULL, NULL, POL_UNSET, POL_FIX, "www", POL_FIX,
	  "", "", 0, 0, NULL, 1 },
	{ "comments only", "; policy = abort\n# strict = yes\n\n", NULL, NULL, POL_UNSET,
	  POL_FIX, "www", POL_FIX, "", "", 0, 0, NULL, 1 },

	/* -- global keys -- */
	{ "global keys", "policy = abort\nclients = www-data nginx\nstrict = yes\n", NULL, NULL,
	  POL_UNSET, POL_ABORT, "www", POL_ABORT, "www-data nginx", "", 1, 0, NULL, 1 },
	{ "policy report", "policy = report\n", NULL, NULL, POL_UNSET, POL_REPORT, "www",
	  POL_REPORT, "", "", 0, 0, NULL, 1 },
	{ "policy fix, strict no", "policy = fix\nstrict = no\n", NULL, NULL, POL_UNSET, POL_FIX,
	  "www", POL_FIX, "", "", 0, 0, NULL, 1 },
	{ "clients separated by commas", "clients = www-data,nginx,apache\n", NULL, NULL,
	  POL_UNSET, POL_FIX, NULL, POL_FIX, "www-data nginx apache", "", 0, 0, NULL, 1 },
	{ "clients separated by commas and spaces", "clients =  www-data , nginx\tapache \n",
	  NULL, NULL, POL_UNSET, POL_FIX, NULL, POL_FIX, "www-data nginx apache", "", 0, 0,
	  NULL, 1 },
	{ "a repeated key: last wins", "clients = a\nclients = b c\npolicy = abort\npolicy = report\n",
	  NULL, NULL, POL_UNSET, POL_REPORT, NULL, POL_REPORT, "b c", "", 0, 0, NULL, 1 },
	{ "inline comment", "policy = abort ; not fix\nclients = www-data # nginx\n", NULL, NULL,
	  POL_UNSET, POL_ABORT, NULL, POL_ABORT, "www-data", "", 0, 0, NULL, 1 },

	/* -- [pool NAME] -- */
	{ "pool section overrides policy and clients",
	  "policy = fix\nclients = www-data\n[pool www]\npolicy = report\nclients = nginx\n", NULL,
	  NULL, POL_UNSET, POL_FIX, "www", POL_REPORT, "www-data", "nginx", 0, 0, NULL, 1 },
	{ "pool asked for in another case", "[pool www]\npolicy = abort\n", NULL, NULL,
	  POL_UNSET, POL_FIX, "WWW", POL_ABORT, "", "", 0, 0, NULL, 1 },
	{ "pool section in another case", "[POOL Www]\npolicy = abort\n", NULL, NULL, POL_UNSET,
	  POL_FIX, "www", POL_ABORT, "", "", 0, 0, NULL, 1 },
	{ "pool section re-opened in another case: one pool",
	  "[pool www]\npolicy = abort\n[pool WWW]\nclients = nginx\n", NULL, NULL, POL_UNSET,
	  POL_FIX, "wWw", POL_ABORT, "", "nginx", 0, 0, NULL, 1 },
	{ "pool section without policy: the global one",
	  "policy = abort\n[pool www]\nclients = nginx\n", NULL, NULL, POL_UNSET, POL_ABORT, "www",
	  POL_ABORT, "", "nginx", 0, 0, NULL, 1 },
	{ "other pools keep the global policy", "policy = abort\n[pool www]\npolicy = fix\n", NULL,
	  NULL, POL_UNSET, POL_ABORT, "api", POL_ABORT, "", "", 0, 0, NULL, 1 },

	/* -- conf.d -- */
	{ "drop-ins in sorted order, later wins", "policy = fix\nclients = www-data\n",
	  "policy = abort\nclients = nginx\n", "policy = report\n", POL_UNSET, POL_REPORT, "www",
	  POL_REPORT, "nginx", "", 0, 0, NULL, 3 },
	{ "drop-ins in sorted order, later wins (reversed)", "policy = fix\n",
	  "policy = report\n", "policy = abort\n", POL_UNSET, POL_ABORT, "www", POL_ABORT, "", "",
	  0, 0, NULL, 3 },
	{ "drop-in pool section over guard.conf's",
	  "[pool www]\npolicy = report\n", "[pool WWW]\npolicy = abort\n", NULL, POL_UNSET,
	  POL_FIX, "www", POL_ABORT, "", "", 0, 0, NULL, 2 },
	{ "drop-ins without guard.conf", NULL, "strict = yes\n", "clients = nginx\n", POL_UNSET,
	  POL_FIX, "www", POL_FIX, "nginx", "", 1, 0, NULL, 2 },

	/* -- --policy -- */
	{ "--policy over the global key", "policy = fix\n", NULL, NULL, POL_REPORT, POL_REPORT,
	  "www", POL_REPORT, "", "", 0, 0, NULL, 1 },
	{ "--policy over a pool section", "[pool www]\npolicy = report\n", NULL, NULL, POL_ABORT,
	  POL_ABORT, "www", POL_ABORT, "", "", 0, 0, NULL, 1 },
	{ "--policy over a drop-in", NULL, NULL, "policy = abort\n", POL_FIX, POL_FIX, "www",
	  POL_FIX, "", "", 0, 0, NULL, 1 },
	{ "--policy over errors", "policy = abort\nbogus = 1\n", NULL, NULL, POL_FIX, POL_FIX,
	  "www", POL_FIX, "", "", 0, 1, CONF ":2: error:", 1 },

	/* -- errors: file:line, and policy report -- */
	{ "unknown key", "policy = fix\npolcy = abort\n", NULL, NULL, POL_UNSET, POL_REPORT, "www",
	  POL_REPORT, "", "", 0, 1, CONF ":2: error: unknown key 'polcy'", 1 },
	{ "global key in a pool section", "[pool www]\nstrict = yes\n", NULL, NULL, POL_UNSET,
	  POL_REPORT, "www", POL_REPORT, "", "", 0, 1, CONF ":2: error: unknown key 'strict'", 1 },
	{ "unknown section", "[global]\npolicy = abort\n", NULL, NULL, POL_UNSET, POL_REPORT,
	  "www", POL_REPORT, "", "", 0, 1, CONF ":2: error: unknown section [global]", 1 },
	{ "pool section without a name", "[pool]\npolicy = abort\n", NULL, NULL, POL_UNSET,
	  POL_REPORT, "www", POL_REPORT, "", "", 0, 1, CONF ":2: error: unknown section", 1 },
	{ "bad policy value", "policy = fixit\n", NULL, NULL, POL_UNSET, POL_REPORT, "www",
	  POL_REPORT, "", "", 0, 1, CONF ":1: error: policy = 'fixit'", 1 },
	{ "policy value in capitals", "\n\npolicy = FIX\n", NULL, NULL, POL_UNSET, POL_REPORT,
	  "www", POL_REPORT, "", "", 0, 1, CONF ":3: error: policy", 1 },
	{ "bad pool policy value", "[pool www]\npolicy = none\n", NULL, NULL, POL_UNSET,
	  POL_REPORT, "www", POL_REPORT, "", "", 0, 1, CONF ":2: error: policy = 'none'", 1 },
	{ "bad strict value", "strict = maybe\n", NULL, NULL, POL_UNSET, POL_REPORT, "www",
	  POL_REPORT, "", "", 0, 1, CONF ":1: error: strict = 'maybe'", 1 },
	{ "key without '='", "policy = abort\nstrict\n", NULL, NULL, POL_UNSET, POL_REPORT, "www",
	  POL_REPORT, "", "", 0, 1, CONF ":2: error: 'strict' needs a value", 1 },
	{ "client name with a bad character", "clients = www-data ngin$x\n", NULL, NULL,
	  POL_UNSET, POL_REPORT, "www", POL_REPORT, "", "", 0, 1, CONF ":1: error: clients", 1 },
	{ "client name with a slash", "clients = ../root\n", NULL, NULL, POL_UNSET, POL_REPORT,
	  "www", POL_REPORT, "", "", 0, 1, CONF ":1: error: clients", 1 },
	{ "client name starting with '-'", "clients = -rf\n", NULL, NULL, POL_UNSET, POL_REPORT,
	  "www", POL_REPORT, "", "", 0, 1, CONF ":1: error: clients", 1 },
	{ "no client names", "clients = , ,\n", NULL, NULL, POL_UNSET, POL_REPORT, "www",
	  POL_REPORT, "", "", 0, 1, CONF ":1: error: clients", 1 },
	{ "bad client in a pool section", "[pool www]\nclients = nginx ;x\nclients = a*b\n", NULL,
	  NULL, POL_UNSET, POL_REPORT, "www", POL_REPORT, "", "nginx", 0, 1,
	  CONF ":3: error: clients", 1 },
	{ "section header not closed", "[pool www\npolicy = abort\n", NULL, NULL, POL_UNSET,
	  POL_REPORT, "www", POL_REPORT, "", "", 0, 1, CONF ":1: error:", 1 },
	{ "error in a drop-in names the drop-in", "policy = abort\n", "\n\n\nstrict = maybe\n",
	  NULL, POL_UNSET, POL_REPORT, "www", POL_REPORT, "", "", 0, 1,
	  D10 ":4: error: strict", 2 },
	{ "an error is not undone by a later file", "bogus = 1\n", NULL, "policy = abort\n",
	  POL_UNSET, POL_REPORT, "www", POL_REPORT, "", "", 0, 1, CONF ":1: error:", 2 },
};

#define NROWS ((int)(sizeof rows / sizeof *rows))

static char *joined(char **v, size_t n)
{
	size_t i, len = 1;
	char *s;

	for (i = 0; i < n; i++)
		len += strlen(v[i]) + 1;
	s = calloc(1, len);
	for (i = 0; i < n; i++) {
		if (i)
			strcat(s, " ");
		strcat(s, v[i]);
	}
	return s;
}

static const struct pool_policy *section(const struct guard_conf *g, const char *pool)
{
	size_t i;

	for (i = 0; pool && i < g->npools; i++)
		if (strcasecmp(g->pools[i].name, pool) == 0)
			return &g->pools[i];
	return NULL;
}

static void load(struct guard_conf *g, const char *root)
{
	struct rootfs rfs;

	ck_assert_int_eq(rootfs_init(&rfs, root), 0);
	guard_conf_load(g, &rfs, CONF, DROPIN);
	rootfs_close(&rfs);
}

START_TEST(test_conf)
{
	const struct crow *r = &rows[_i];
	const struct pool_policy *pp;
	struct guard_conf g;
	char *root = fixture_root(), *s, *errs;

	umask(022);
	/* The directories exist even when a file does not. */
	fixture_write(root, DROPIN "/README", "not read: bogus = 1\n");
	if (r->conf)
		fixture_write(root, CONF, r->conf);
	if (r->d10)
		fixture_write(root, D10, r->d10);
	if (r->d20)
		fixture_write(root, D20, r->d20);
	load(&g, root);
	errs = joined(g.errors, g.nerrors);
	ck_assert_msg(g.nerrors == r->nerrors, "%s: %zu errors: %s", r->name, g.nerrors, errs);
	if (r->error)
		ck_assert_msg(strstr(g.errors[0], r->error) != NULL, "%s: error '%s' lacks '%s'",
			      r->name, g.errors[0], r->error);
	ck_assert_msg(guard_conf_policy(&g, NULL, r->cli) == r->global, "%s: policy %s", r->name,
		      policy_name(guard_conf_policy(&g, NULL, r->cli)));
	ck_assert_msg(guard_conf_policy(&g, r->pool, r->cli) == r->pool_pol,
		      "%s: pool %s policy %s", r->name, r->pool ? r->pool : "-",
		      policy_name(guard_conf_policy(&g, r->pool, r->cli)));
	/* With errors nothing but --policy counts. */
	if (r->nerrors)
		ck_assert_int_eq(guard_conf_policy(&g, r->pool, POL_UNSET), POL_REPORT);
	s = joined(g.clients, g.nclients);
	ck_assert_msg(strcmp(s, r->clients) == 0, "%s: clients '%s'", r->name, s);
	free(s);
	pp = section(&g, r->pool);
	s = pp ? joined(pp->clients, pp->nclients) : strdup("");
	ck_assert_msg(strcmp(s, r->pool_clients) == 0, "%s: pool clients '%s'", r->name, s);
	free(s);
	ck_assert_msg(g.strict == r->strict, "%s: strict %d", r->name, g.strict);
	ck_assert_msg(g.nfiles == r->nfiles, "%s: %zu files read", r->name, g.nfiles);
	free(errs);
	guard_conf_free(&g);
	fixture_rm(root);
}
END_TEST

/* Files are read in order: guard.conf, then conf.d sorted; *.conf only. */
START_TEST(test_files_order)
{
	struct guard_conf g;
	char *root = fixture_root();

	umask(022);
	fixture_write(root, CONF, "");
	fixture_write(root, DROPIN "/20-b.conf", "");
	fixture_write(root, DROPIN "/10-a.conf", "");
	fixture_write(root, DROPIN "/9-z.conf", "");
	fixture_write(root, DROPIN "/30-c.conf.dpkg-old", "bogus = 1\n");
	fixture_write(root, DROPIN "/.40-hidden.conf", "bogus = 1\n");
	load(&g, root);
	ck_assert_uint_eq(g.nerrors, 0);
	ck_assert_uint_eq(g.nfiles, 4);
	ck_assert_str_eq(g.files[0], CONF);
	ck_assert_str_eq(g.files[1], DROPIN "/10-a.conf");
	ck_assert_str_eq(g.files[2], DROPIN "/20-b.conf");
	ck_assert_str_eq(g.files[3], DROPIN "/9-z.conf");
	guard_conf_free(&g);
	fixture_rm(root);
}
END_TEST

/* ---- files not to be trusted ---- */

struct trow {
	const char *name;
	const char *path;	/* chmod/chown this (inside the root) */
	mode_t mode;
	uid_t uid;
	const char *error;	/* substring of the error */
};

static const struct trow trows[] = {
	{ "world-writable guard.conf", CONF, 0666, 0, "writable by others" },
	{ "group-writable guard.conf", CONF, 0664, 0, "writable by others" },
	{ "guard.conf owned by www-data", CONF, 0644, 33, "not owned by root" },
	{ "world-writable drop-in", D10, 0646, 0, "writable by others" },
	{ "drop-in owned by www-data", D10, 0600, 33, "not owned by root" },
	{ "world-writable directory", "/etc/php-fpm-guard", 0777, 0, "is writable by others" },
	{ "group-writable directory", "/etc/php-fpm-guard", 0775, 0, "is writable by others" },
	{ "directory owned by www-data", "/etc/php-fpm-guard", 0755, 33, "directory" },
	{ "world-writable conf.d", DROPIN, 0777, 0, "is writable by others" },
	{ "sticky directory owned by www-data", "/etc/php-fpm-guard", 01755, 33, "directory" },
	{ "sticky world-writable directory", "/etc/php-fpm-guard", 01777, 0, "is writable by others" },
};

#define NTROWS ((int)(sizeof trows / sizeof *trows))

START_TEST(test_untrusted)
{
	const struct trow *t = &trows[_i];
	struct guard_conf g;
	char *root = fixture_root(), host[4200];
	size_t i;
	int found = 0;

	umask(022);
	/* Orders that must not be followed: strict and policy abort. */
	fixture_write(root, CONF, "policy = abort\nstrict = yes\n");
	fixture_write(root, D10, "policy = abort\nclients = nginx\n");
	snprintf(host, sizeof host, "%s%s", root, t->path);
	ck_assert_int_eq(chmod(host, t->mode), 0);
	ck_assert_int_eq(chown(host, t->uid, t->uid), 0);
	load(&g, root);
	ck_assert_msg(g.nerrors >= 1, "%s: accepted", t->name);
	for (i = 0; i < g.nerrors; i++)
		if (strstr(g.errors[i], t->error) != NULL)
			found = 1;
	ck_assert_msg(found, "%s: no error with '%s' (first: %s)", t->name, t->error, g.errors[0]);
	/* The error names the file; the file's orders are not taken. */
	ck_assert_msg(strncmp(g.errors[0], CONF, strlen(CONF)) == 0 ||
		      strncmp(g.errors[0], D10, strlen(D10)) == 0, "%s: %s", t->name, g.errors[0]);
	ck_assert_int_eq(guard_conf_policy(&g, "www", POL_UNSET), POL_REPORT);
	if (strcmp(t->path, CONF) == 0 || strcmp(t->path, "/etc/php-fpm-guard") == 0)
		ck_assert_int_eq(g.strict, 0);
	if (strcmp(t->path, D10) == 0 || strcmp(t->path, DROPIN) == 0)
		ck_assert_uint_eq(g.nclients, 0);
	guard_conf_free(&g);
	fixture_rm(root);
}
END_TEST

/* A guard.conf that is not a regular file, or unreadable: an error. */
START_TEST(test_not_a_file)
{
	struct guard_conf g;
	char *root = fixture_root(), host[4200];

	umask(022);
	fixture_write(root, DROPIN "/x.conf/y", "");	/* a directory named *.conf */
	snprintf(host, sizeof host, "%s%s", root, CONF);
	ck_assert_int_eq(mkfifo(host, 0644), 0);
	load(&g, root);
	ck_assert_uint_eq(g.nerrors, 2);
	ck_assert_ptr_nonnull(strstr(g.errors[0], CONF ": error: cannot read"));
	ck_assert_ptr_nonnull(strstr(g.errors[1], DROPIN "/x.conf: error: cannot read"));
	ck_assert_int_eq(guard_conf_policy(&g, NULL, POL_UNSET), POL_REPORT);
	guard_conf_free(&g);
	fixture_rm(root);
}
END_TEST

START_TEST(test_policy_names)
{
	ck_assert_int_eq(policy_parse("fix"), POL_FIX);
	ck_assert_int_eq(policy_parse("abort"), POL_ABORT);
	ck_assert_int_eq(policy_parse("report"), POL_REPORT);
	ck_assert_int_eq(policy_parse(""), POL_UNSET);
	ck_assert_int_eq(policy_parse("Fix"), POL_UNSET);
	ck_assert_int_eq(policy_parse("fix "), POL_UNSET);
	ck_assert_str_eq(policy_name(POL_FIX), "fix");
	ck_assert_str_eq(policy_name(POL_ABORT), "abort");
	ck_assert_str_eq(policy_name(POL_REPORT), "report");
	ck_assert_str_eq(policy_name(POL_UNSET), "unset");
}
END_TEST

/* ---- policy_decide ---- */

struct arow {
	enum finding_kind kind;
	enum severity sev;
	int security;
	enum action fix, abort, report;
};

static const struct arow arows[] = {
	/* every kind with the severity diff gives it */
	{ FK_CLIENT_LOST, SEV_ERROR, 0, ACT_FIX, ACT_ABORT, ACT_REPORT },
	{ FK_CLIENT_LOST_NEXT, SEV_ERROR, 0, ACT_FIX, ACT_ABORT, ACT_REPORT },
	{ FK_NOT_SOCKET, SEV_ERROR, 0, ACT_ABORT, ACT_ABORT, ACT_REPORT },
	{ FK_FPM_TEST_REFUSED, SEV_ERROR, 0, ACT_ABORT, ACT_ABORT, ACT_REPORT },
	{ FK_CONFIG_ERROR, SEV_ERROR, 0, ACT_ABORT, ACT_ABORT, ACT_REPORT },
	{ FK_BROADENED, SEV_WARNING, 1, ACT_REPORT, ACT_ABORT, ACT_REPORT },
	{ FK_BROADENED_NEXT, SEV_WARNING, 1, ACT_REPORT, ACT_ABORT, ACT_REPORT },
	{ FK_LISTEN_CHANGED, SEV_WARNING, 0, ACT_REPORT, ACT_REPORT, ACT_REPORT },
	{ FK_SOCKET_VANISHED, SEV_WARNING, 0, ACT_REPORT, ACT_REPORT, ACT_REPORT },
	{ FK_DAEMON_STOPPED, SEV_WARNING, 0, ACT_REPORT, ACT_REPORT, ACT_REPORT },
	{ FK_POOL_REMOVED, SEV_WARNING, 0, ACT_REPORT, ACT_REPORT, ACT_REPORT },
	{ FK_INSTANCE_REMOVED, SEV_WARNING, 0, ACT_REPORT, ACT_REPORT, ACT_REPORT },
	{ FK_POOL_ADDED, SEV_INFO, 0, ACT_REPORT, ACT_REPORT, ACT_REPORT },
	{ FK_INSTANCE_ADDED, SEV_INFO, 0, ACT_REPORT, ACT_REPORT, ACT_REPORT },
	{ FK_SERVER_SOCKET_LOST, SEV_ERROR, 0, ACT_ABORT, ACT_ABORT, ACT_REPORT },
	/* release upgrades: carrying the pool fixes a departure */
	{ FK_SITE_LOSES_PHP, SEV_ERROR, 0, ACT_FIX, ACT_ABORT, ACT_REPORT },
	{ FK_POOL_DEPARTS, SEV_ERROR, 0, ACT_FIX, ACT_ABORT, ACT_REPORT },
	{ FK_POOL_DEPARTS, SEV_WARNING, 0, ACT_FIX, ACT_REPORT, ACT_REPORT },
	{ FK_SITE_CHANGES_PHP, SEV_WARNING, 0, ACT_REPORT, ACT_REPORT, ACT_REPORT },
	{ FK_CARRY_REFUSED, SEV_ERROR, 0, ACT_ABORT, ACT_ABORT, ACT_REPORT },
	{ FK_SERVER_SOCKET_UNSERVED, SEV_ERROR, 0, ACT_ABORT, ACT_ABORT, ACT_REPORT },
	{ FK_DAEMON_STOPPED, SEV_ERROR, 0, ACT_ABORT, ACT_ABORT, ACT_REPORT },
	/* the decision follows kind, severity and the security flag */
	{ FK_CLIENT_LOST, SEV_WARNING, 0, ACT_FIX, ACT_REPORT, ACT_REPORT },
	{ FK_CLIENT_LOST_NEXT, SEV_INFO, 0, ACT_FIX, ACT_REPORT, ACT_REPORT },
	{ FK_LISTEN_CHANGED, SEV_ERROR, 0, ACT_ABORT, ACT_ABORT, ACT_REPORT },
	{ FK_BROADENED, SEV_ERROR, 1, ACT_ABORT, ACT_ABORT, ACT_REPORT },
	{ FK_BROADENED, SEV_INFO, 1, ACT_REPORT, ACT_ABORT, ACT_REPORT },
	{ FK_POOL_ADDED, SEV_INFO, 1, ACT_REPORT, ACT_ABORT, ACT_REPORT },
	{ FK_INSTANCE_REMOVED, SEV_WARNING, 1, ACT_REPORT, ACT_ABORT, ACT_REPORT },
};

#define NAROWS ((int)(sizeof arows / sizeof *arows))

static const char *action_name(enum action a)
{
	return a == ACT_FIX ? "fix" : a == ACT_ABORT ? "abort" : "report";
}

START_TEST(test_decide)
{
	static const enum policy pols[] = { POL_FIX, POL_ABORT, POL_REPORT };
	const struct arow *r = &arows[_i / 3];
	enum policy p = pols[_i % 3];
	enum action want = p == POL_FIX ? r->fix : p == POL_ABORT ? r->abort : r->report, got;
	struct finding f;

	memset(&f, 0, sizeof f);
	f.kind = r->kind;
	f.sev = r->sev;
	f.security = r->security;
	f.instance = "/etc/php/8.2/fpm/php-fpm.conf";
	f.pool = "www";
	f.user = "www-data";
	got = policy_decide(&f, p);
	ck_assert_msg(got == want, "%s %s%s under %s: %s, expected %s",
		      finding_kind_name(r->kind), severity_name(r->sev),
		      r->security ? " security" : "", policy_name(p), action_name(got),
		      action_name(want));
}
END_TEST

static Suite *suite(void)
{
	Suite *s = suite_create("policy");
	TCase *tc = tcase_create("guard.conf");
	TCase *dc = tcase_create("decide");

	tcase_add_loop_test(tc, test_conf, 0, NROWS);
	tcase_add_test(tc, test_files_order);
	tcase_add_loop_test(tc, test_untrusted, 0, NTROWS);
	tcase_add_test(tc, test_not_a_file);
	suite_add_tcase(s, tc);
	tcase_add_test(dc, test_policy_names);
	tcase_add_loop_test(dc, test_decide, 0, NAROWS * 3);
	suite_add_tcase(s, dc);
	return s;
}

int main(void)
{
	return fixture_run_suite(suite());
}
