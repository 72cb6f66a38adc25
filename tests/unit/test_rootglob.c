/*
 * rootglob, the one include glob of every reader: its limits (at the
 * boundary and past it), what it lists (files, sorted, never the host's)
 * and its match cap.
 */
#include "fixture.h"
#include "util/rootglob.h"

#include <limits.h>

struct limit_row {
	const char *name;
	const char *unit;	/* repeated */
	size_t times;
	const char *why;	/* NULL: accepted */
};

static const struct limit_row limits[] = {
	{ "64 wildcard levels", "/a*", 64, NULL },
	{ "65 wildcard levels", "/a*", 65, "more than 64 directory levels" },
	{ "thousands of /* levels", "/*", 3000, "longer than PATH_MAX" },
	{ "wildcards in one level count once", "/a*b?c[d]", 64, NULL },
	{ "plain levels do not count", "/etc", 1000, NULL },
	{ "PATH_MAX bytes", "/", PATH_MAX, "longer than PATH_MAX" },
	{ "PATH_MAX - 1 bytes", "/", PATH_MAX - 1, NULL },
};

START_TEST(test_limits)
{
	const struct limit_row *r = &limits[_i];
	size_t i, n = strlen(r->unit) * r->times + 1;
	char *p = malloc(n);
	const char *why;

	ck_assert_ptr_nonnull(p);
	p[0] = '\0';
	for (i = 0; i < r->times; i++)
		strcat(p, r->unit);
	why = rootglob_refusal(p);
	if (r->why == NULL)
		ck_assert_msg(why == NULL, "%s: refused (%s)", r->name, why);
	else
		ck_assert_msg(why && strstr(why, r->why), "%s: %s", r->name, why ? why : "accepted");
	free(p);
}
END_TEST

static char *listing(char **v, size_t n)
{
	char *s = calloc(1, 4096);
	size_t i;

	ck_assert_ptr_nonnull(s);
	for (i = 0; i < n; i++) {
		strcat(s, v[i]);
		strcat(s, i + 1 < n ? " " : "");
	}
	return s;
}

/* Files only, bytewise sorted; a symlinked directory and ".." resolve in
 * the root (the host's /etc has no b.conf). */
START_TEST(test_lists_in_root)
{
	char *root = fixture_root(), link[4200], **v, *got;
	struct rootfs r;
	const char *why;
	size_t n;

	fixture_write(root, "/etc/x/b.conf", "");
	fixture_write(root, "/etc/x/a.conf", "");
	fixture_write(root, "/etc/x/B.conf", "");
	fixture_write(root, "/etc/x/dir.conf/inner", "");
	snprintf(link, sizeof link, "%s/etc/l", root);
	ck_assert_int_eq(symlink("/etc/x", link), 0);
	ck_assert_int_eq(rootfs_init(&r, root), 0);

	ck_assert_int_eq(rootglob(&r, "/etc/x/*.conf", 0, 0, &v, &n, &why), 0);
	got = listing(v, n);
	ck_assert_str_eq(got, "/etc/x/B.conf /etc/x/a.conf /etc/x/b.conf");
	free(got);
	rootglob_free(v, n);

	ck_assert_int_eq(rootglob(&r, "/../../../etc/l/b*", 0, 0, &v, &n, &why), 0);
	got = listing(v, n);
	ck_assert_str_eq(got, "/../../../etc/l/b.conf");
	free(got);
	rootglob_free(v, n);

	/* No such directory: no match (nginx), or with ROOTGLOB_ERR an
	 * error, as php-fpm's GLOB_ERR makes it one. */
	ck_assert_int_eq(rootglob(&r, "/etc/nope/*", 0, 0, &v, &n, &why), 0);
	ck_assert_uint_eq(n, 0);
	ck_assert_ptr_null(v);
	ck_assert_int_eq(rootglob(&r, "/etc/nope/*", ROOTGLOB_ERR, 0, &v, &n, &why), -1);
	ck_assert_str_eq(why, "a directory on the way cannot be read");
	rootfs_close(&r);
	fixture_rm(root);
}
END_TEST

START_TEST(test_refuses)
{
	char *root = fixture_root(), *p, **v = (char **)1;
	struct rootfs r;
	const char *why;
	size_t n = 1, i;

	fixture_write(root, "/etc/x/a.conf", "");
	fixture_write(root, "/etc/x/b.conf", "");
	fixture_write(root, "/etc/x/c.conf", "");
	ck_assert_int_eq(rootfs_init(&r, root), 0);
	/* More matches than the caller takes. */
	ck_assert_int_eq(rootglob(&r, "/etc/x/*", 0, 2, &v, &n, &why), -1);
	ck_assert_str_eq(why, "matches more than 2 files");
	ck_assert_ptr_null(v);
	ck_assert_uint_eq(n, 0);
	ck_assert_int_eq(rootglob(&r, "/etc/x/*", 0, 3, &v, &n, &why), 0);
	ck_assert_uint_eq(n, 3);
	rootglob_free(v, n);
	/* The glob bomb: refused before glob() sees it. */
	p = malloc(3000 * 2 + 1);
	ck_assert_ptr_nonnull(p);
	for (i = 0; i < 3000; i++)
		memcpy(p + 2 * i, "/*", 2);
	p[6000] = '\0';
	ck_assert_int_eq(rootglob(&r, p, 0, 0, &v, &n, &why), -1);
	ck_assert_str_eq(why, "longer than PATH_MAX");
	free(p);
	rootfs_close(&r);
	fixture_rm(root);
}
END_TEST

int main(void)
{
	Suite *s = suite_create("rootglob");
	TCase *tc = tcase_create("rootglob");

	tcase_add_loop_test(tc, test_limits, 0, sizeof limits / sizeof *limits);
	tcase_add_test(tc, test_lists_in_root);
	tcase_add_test(tc, test_refuses);
	suite_add_tcase(s, tc);
	return fixture_run_suite(s);
}
