/* Effective socket values from declared settings (fpm_unix.c rules). */
#include "fixture.h"
#include "accounts/accounts.h"
#include "config/fpmconf.h"
#include "effective/effective.h"

#include <sys/stat.h>

static const char PASSWD[] =
	"root:x:0:0:root:/root:/bin/sh\n"
	"www-data:x:33:33:www-data:/var/www:/usr/sbin/nologin\n"
	"nginx:x:101:102::/nonexistent:/usr/sbin/nologin\n";
static const char GROUP[] =
	"root:x:0:\n"
	"www-data:x:33:\n"
	"nginx:x:102:\n"
	"webapps:x:1001:www-data,nginx\n";

struct row {
	const char *rule;
	const char *pool;	/* lines inside [www], listen is added */
	const char *version;
	int dir_setgid;
	uid_t uid;
	gid_t gid;
	mode_t mode;
	size_t nacl;		/* named ACL entries expected */
	int errors;
};

static const struct row rows[] = {
	{ "stock Debian pool", "listen.owner = www-data\nlisten.group = www-data\n",
	  "8.2.36", 0, 33, 33, 0660, 0, 0 },
	{ "CVE-2014-0185 shape on a fixed build", "", "8.2.36", 0, 0, 0, 0660, 0, 0 },
	{ "CVE shape before the fix (precise 3.11)", "", "5.3.10-1ubuntu3.11", 0, 0, 0, 0666, 0, 0 },
	{ "CVE shape after the fix (precise 3.12)", "", "5.3.10-1ubuntu3.12", 0, 0, 0, 0660, 0, 0 },
	{ "owner name brings its primary group", "listen.owner = nginx\n", "8.2.36", 0, 101, 102, 0660, 0, 0 },
	{ "numeric owner: uid only", "listen.owner = 33\n", "8.2.36", 0, 33, 0, 0660, 0, 0 },
	{ "group alone", "listen.group = webapps\n", "8.2.36", 0, 0, 1001, 0660, 0, 0 },
	{ "mode is octal without leading 0", "listen.mode = 640\n", "8.2.36", 0, 0, 0, 0640, 0, 0 },
	{ "mode parsing stops at a non-octal digit", "listen.mode = 0698\n", "8.2.36", 0, 0, 0, 06, 0, 0 },
	{ "setgid directory gives its group", "", "8.2.36", 1, 0, 1001, 0660, 0, 0 },
	{ "ACL users: root-owned, mask shows rw", "listen.acl_users = www-data,nginx\nlisten.owner = www-data\nlisten.mode = 0600\n",
	  "8.2.36", 0, 0, 0, 0660, 2, 0 },
	{ "ACL groups", "listen.acl_groups = webapps\n", "8.2.36", 0, 0, 0, 0660, 1, 0 },
	{ "ACL keys ignored before 5.6.5", "listen.acl_users = www-data\n", "5.5.12", 0, 0, 0, 0660, 0, 0 },
	{ "unknown owner: php-fpm will not start", "listen.owner = nobody-here\n", "8.2.36", 0, 0, 0, 0660, 0, 1 },
	{ "unknown ACL group", "listen.acl_groups = nope\n", "8.2.36", 0, 0, 0, 0660, 1, 1 },
};

START_TEST(test_effective_rule)
{
	const struct row *r = &rows[_i];
	struct fpm_dialect d = { 0, "/usr", NULL, NULL };
	struct master m = { 0, 0, r->dir_setgid, 1001 };
	struct rootfs rfs;
	struct fpm_conf c;
	struct fpm_build b;
	struct effective e;
	struct accounts *a;
	char *root = fixture_root(), conf[2048];

	fixture_write(root, "/etc/passwd", PASSWD);
	fixture_write(root, "/etc/group", GROUP);
	snprintf(conf, sizeof conf, "[www]\nlisten = /run/php/w.sock\n%s", r->pool);
	fixture_write(root, "/etc/f.conf", conf);
	ck_assert_int_eq(rootfs_init(&rfs, root), 0);
	ck_assert_int_eq(fpm_conf_read(&c, &rfs, "/etc/f.conf", &d), 0);
	a = accounts_open(&rfs);
	fpm_build_from_version(&b, r->version);
	effective_compute(&c.pools[0], &b, a, &m, &e);
	ck_assert_msg((e.nerrors > 0) == (r->errors > 0), "%s: errors %zu", r->rule, e.nerrors);
	if (!r->errors) {
		ck_assert_msg(e.uid == r->uid, "%s: uid %u", r->rule, (unsigned)e.uid);
		ck_assert_msg(e.gid == r->gid, "%s: gid %u", r->rule, (unsigned)e.gid);
	}
	ck_assert_msg(e.mode == r->mode, "%s: mode %04o", r->rule, (unsigned)e.mode);
	ck_assert_msg(e.nacl_users + e.nacl_groups == r->nacl, "%s: acl %zu", r->rule,
		      e.nacl_users + e.nacl_groups);
	effective_free(&e);
	accounts_close(a);
	fpm_conf_free(&c);
	rootfs_close(&rfs);
	fixture_rm(root);
}
END_TEST

static Suite *suite(void)
{
	Suite *s = suite_create("effective");
	TCase *tc = tcase_create("rules");

	tcase_add_loop_test(tc, test_effective_rule, 0, (int)(sizeof rows / sizeof *rows));
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	return fixture_run_suite(suite());
}
