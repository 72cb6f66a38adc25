/* The connect() permission decision: mode bits, ACLs, directories. */
#include "fixture.h"
#include "access/access.h"
#include "effective/version.h"

#include <sys/stat.h>

static const gid_t wwwgroups[] = { 33 };
static const gid_t wwwplus[] = { 33, 1001 };

struct row {
	const char *rule;
	struct fsobj sock;
	struct acl_ent acl[8];
	size_t nacl;
	struct cred cred;
	int allowed;
};

#define SOCK(m, u, g) { S_IFSOCK | (m), (u), (g), NULL, 0 }
#define WWW { 33, 33, wwwgroups, 1 }

static const struct row rows[] = {
	{ "owner with rw", SOCK(0660, 33, 0), {{0}}, 0, WWW, 1 },
	{ "owner without w", SOCK(0460, 33, 33), {{0}}, 0, WWW, 0 },
	{ "group member with rw", SOCK(0660, 0, 33), {{0}}, 0, WWW, 1 },
	{ "CVE shape root:root 0660", SOCK(0660, 0, 0), {{0}}, 0, WWW, 0 },
	{ "pre-CVE root:root 0666", SOCK(0666, 0, 0), {{0}}, 0, WWW, 1 },
	{ "supplementary group", SOCK(0660, 0, 1001), {{0}}, 0,
	  { 33, 33, wwwplus, 2 }, 1 },
	{ "owner class wins over group: owner lacks w", SOCK(0260 & 0460, 33, 33), {{0}}, 0, WWW, 0 },
	{ "root always passes", SOCK(0000, 5, 5), {{0}}, 0, { 0, 0, NULL, 0 }, 1 },
	{ "named ACL user rw", SOCK(0660, 0, 0),
	  { { T_USER_OBJ, 0, 6 }, { T_USER, 33, 6 }, { T_GROUP_OBJ, 0, 6 },
	    { T_MASK, 0, 6 }, { T_OTHER, 0, 0 } }, 5, WWW, 1 },
	{ "named ACL user masked out", SOCK(0660, 0, 0),
	  { { T_USER_OBJ, 0, 6 }, { T_USER, 33, 6 }, { T_GROUP_OBJ, 0, 6 },
	    { T_MASK, 0, 4 }, { T_OTHER, 0, 0 } }, 5, WWW, 0 },
	{ "named ACL group rw", SOCK(0660, 0, 0),
	  { { T_USER_OBJ, 0, 6 }, { T_GROUP, 33, 6 }, { T_GROUP_OBJ, 0, 0 },
	    { T_MASK, 0, 6 }, { T_OTHER, 0, 0 } }, 5, WWW, 1 },
	{ "matching group entry without w denies despite other rw", SOCK(0666, 0, 33),
	  { { T_USER_OBJ, 0, 6 }, { T_GROUP_OBJ, 0, 4 }, { T_MASK, 0, 6 },
	    { T_OTHER, 0, 6 } }, 4, WWW, 0 },
	{ "ACL other rw for a stranger", SOCK(0666, 0, 0),
	  { { T_USER_OBJ, 0, 6 }, { T_USER, 99, 6 }, { T_GROUP_OBJ, 0, 6 },
	    { T_MASK, 0, 6 }, { T_OTHER, 0, 6 } }, 5, WWW, 1 },
};

START_TEST(test_socket_rule)
{
	const struct row *r = &rows[_i];
	struct fsobj o = r->sock;

	o.acl = (struct acl_ent *)r->acl;
	o.nacl = r->nacl;
	ck_assert_msg(access_allows(&o, &r->cred, WANT_W) == r->allowed,
		      "%s: want %d", r->rule, r->allowed);
}
END_TEST

START_TEST(test_directory_blocks)
{
	struct fsobj dirs[2] = { { S_IFDIR | 0755, 0, 0, NULL, 0 },
				 { S_IFDIR | 0700, 0, 0, NULL, 0 } };
	struct fsobj sock = { S_IFSOCK | 0660, 33, 33, NULL, 0 };
	struct cred c = WWW;
	size_t blocker = 99;

	ck_assert_int_eq(access_can_connect(dirs, 2, &sock, &c, &blocker), 0);
	ck_assert_uint_eq(blocker, 1);
	dirs[1].mode = S_IFDIR | 0711;
	ck_assert_int_eq(access_can_connect(dirs, 2, &sock, &c, &blocker), 1);
	sock.uid = 0;
	sock.gid = 0;
	ck_assert_int_eq(access_can_connect(dirs, 2, &sock, &c, &blocker), 0);
	ck_assert_uint_eq(blocker, 2);
}
END_TEST

/* deb_version_cmp must order exactly like dpkg --compare-versions. */
static const char *const versions[] = {
	"5.3.10-1ubuntu3.11", "5.3.10-1ubuntu3.12", "5.3.10-1ubuntu3.9",
	"8.2.36-1~deb12u1", "8.2.36-1~deb12u2", "8.2.36-1", "8.2.36",
	"1:8.2.0", "8.2.36+dfsg-1", "5.5.9+dfsg-1ubuntu4.1", "5.5.9+dfsg-1ubuntu4",
	"5.4.4-14+deb7u10", "5.4.4-14+deb7u9", "5.4.4-14", "7.4.33-1+deb11u8",
};

START_TEST(test_version_order_matches_dpkg)
{
	size_t n = sizeof versions / sizeof *versions, i, j;
	char cmd[512];

	if (system("command -v dpkg >/dev/null") != 0)
		ck_abort_msg("dpkg not found");
	for (i = 0; i < n; i++)
		for (j = 0; j < n; j++) {
			int mine = deb_version_cmp(versions[i], versions[j]);
			snprintf(cmd, sizeof cmd, "dpkg --compare-versions '%s' lt '%s'",
				 versions[i], versions[j]);
			ck_assert_msg((mine < 0) == (system(cmd) == 0),
				      "%s vs %s: mine %d", versions[i], versions[j], mine);
		}
}
END_TEST

static const struct {
	const char *version;
	mode_t mode;
	int acl, numeric, hash;
} builds[] = {
	{ "5.3.10-1ubuntu3.11", 0666, 0, 0, 1 },
	{ "5.3.10-1ubuntu3.12", 0660, 0, 0, 1 },
	{ "5.4.4-14+deb7u9", 0666, 0, 0, 1 },
	{ "5.4.4-14+deb7u10", 0660, 0, 0, 1 },
	{ "5.4.27", 0666, 0, 0, 1 },
	{ "5.4.28", 0660, 0, 0, 1 },
	{ "5.5.9+dfsg-1ubuntu4", 0666, 0, 0, 1 },
	{ "5.5.9+dfsg-1ubuntu4.1", 0660, 0, 0, 1 },
	{ "5.5.11", 0666, 0, 0, 1 },
	{ "5.5.12", 0660, 0, 0, 1 },
	{ "5.6.4", 0660, 0, 0, 1 },
	{ "5.6.5", 0660, 1, 0, 1 },
	{ "7.4.4", 0660, 1, 0, 0 },
	{ "7.4.5", 0660, 1, 1, 0 },
	{ "8.2.36", 0660, 1, 1, 0 },
	{ NULL, 0660, 1, 1, 0 },
};

START_TEST(test_build_defaults)
{
	struct fpm_build b;

	fpm_build_from_version(&b, builds[_i].version);
	ck_assert_msg(b.default_mode == builds[_i].mode, "%s: mode %o",
		      builds[_i].version, (unsigned)b.default_mode);
	ck_assert_int_eq(b.has_acl, builds[_i].acl);
	ck_assert_int_eq(b.numeric_ids, builds[_i].numeric);
	ck_assert_int_eq(b.hash_comments, builds[_i].hash);
}
END_TEST

static Suite *suite(void)
{
	Suite *s = suite_create("access");
	TCase *tc = tcase_create("decisions");

	tcase_add_loop_test(tc, test_socket_rule, 0, (int)(sizeof rows / sizeof *rows));
	tcase_add_test(tc, test_directory_blocks);
	tcase_add_test(tc, test_version_order_matches_dpkg);
	tcase_add_loop_test(tc, test_build_defaults, 0, (int)(sizeof builds / sizeof *builds));
	tcase_set_timeout(tc, 60);
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	return fixture_run_suite(suite());
}
