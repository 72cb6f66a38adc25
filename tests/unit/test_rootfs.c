/*
 * rootfs writes: every write under a root resolves inside it, as reads
 * do -- an absolute symlink in the image is re-rooted, ".." stops at the
 * root, the last name is never followed -- and a nofollow root (an
 * unpacked package) refuses any symlink at all.  The escapes are the
 * ones an image or a .deb can set up (issue 12).
 */
#include "fixture.h"
#include "state/state.h"
#include "util/rootfs.h"
#include "util/xalloc.h"

#include <limits.h>

struct crow {
	const char *path;
	int canonical;
};

static const struct crow crows[] = {
	{ "/", 1 }, { "/etc", 1 }, { "/etc/php/8.2/fpm/pool.d/www.conf", 1 },
	{ "/etc/..d/.x", 1 }, { "", 0 }, { "etc/php", 0 }, { "//etc", 0 },
	{ "/etc//php", 0 }, { "/etc/", 0 }, { "/etc/.", 0 }, { "/etc/./php", 0 },
	{ "/etc/..", 0 }, { "/etc/php/8.2/fpm/a/../../../../victim", 0 }, { "/..", 0 },
};

START_TEST(test_canonical)
{
	const struct crow *c = &crows[_i];

	ck_assert_msg(rootfs_path_canonical(c->path) == c->canonical, "'%s'", c->path);
}
END_TEST

/* A root with an absolute symlink to a host directory (outside). */
struct esc {
	char *root, *outside;
	struct rootfs r;
};

static void esc_setup(struct esc *e)
{
	char link[PATH_MAX];

	e->root = fixture_root();
	e->outside = fixture_root();
	snprintf(link, sizeof link, "%s/var", e->root);
	ck_assert_int_eq(mkdir(link, 0755), 0);
	snprintf(link, sizeof link, "%s/var/lib", e->root);
	ck_assert_int_eq(symlink(e->outside, link), 0);
	ck_assert_int_eq(rootfs_init(&e->r, e->root), 0);
}

static void esc_teardown(struct esc *e)
{
	rootfs_close(&e->r);
	fixture_rm(e->root);
	fixture_rm(e->outside);
}

/* What the link names, made inside the root: where it really points. */
static void mkdir_inside(struct esc *e)
{
	char cmd[2 * PATH_MAX + 16];

	snprintf(cmd, sizeof cmd, "mkdir -p '%s%s'", e->root, e->outside);
	ck_assert_int_eq(system(cmd), 0);
}

static int exists_in(const char *dir, const char *rel)
{
	char p[2 * PATH_MAX + 2];
	struct stat st;

	snprintf(p, sizeof p, "%s/%s", dir, rel);
	return lstat(p, &st) == 0;
}

START_TEST(test_replace_rerooted)
{
	struct esc e;
	char rel[PATH_MAX];
	int fd;

	esc_setup(&e);
	/* /var/lib -> OUTSIDE: inside the root that is ROOT/OUTSIDE, which is
	 * not there: nothing is made through the dangling link. */
	ck_assert_int_eq(rootfs_open_dir(&e.r, "/var/lib/x", 0755), -1);
	ck_assert(!exists_in(e.outside, "x"));
	mkdir_inside(&e);
	fd = rootfs_open_dir(&e.r, "/var/lib/x", 0755);
	ck_assert_int_ge(fd, 0);
	close(fd);
	ck_assert_int_eq(rootfs_replace(&e.r, "/var/lib/x/f", 0, "new", 3, 0, 0, 0644, 1), 0);
	ck_assert(!exists_in(e.outside, "x"));
	snprintf(rel, sizeof rel, "%s/x/f", e.outside + 1);
	ck_assert(exists_in(e.root, rel));
	/* ".." stops at the root. */
	ck_assert_int_eq(rootfs_replace(&e.r, "/../../../var/f2", 0, "n", 1, 0, 0, 0644, 1), 0);
	ck_assert(exists_in(e.root, "var/f2"));
	esc_teardown(&e);
}
END_TEST

START_TEST(test_create_never_follows)
{
	struct esc e;
	char target[PATH_MAX], link[PATH_MAX];
	int fd;

	esc_setup(&e);
	snprintf(target, sizeof target, "%s/victim", e.outside);
	snprintf(link, sizeof link, "%s/var/v", e.root);
	ck_assert_int_eq(symlink(target, link), 0);
	fd = rootfs_create(&e.r, "/var/v", 0644, 0);
	ck_assert_int_eq(fd, -1);
	ck_assert_int_eq(errno, EEXIST);
	ck_assert(!exists_in(e.outside, "victim"));
	/* unlink removes the link, never its target. */
	fixture_write(e.outside, "victim", "keep");
	ck_assert_int_eq(rootfs_unlink(&e.r, "/var/v"), 0);
	ck_assert(exists_in(e.outside, "victim"));
	ck_assert(!exists_in(e.root, "var/v"));
	ck_assert_int_eq(rootfs_unlink(&e.r, "/var/gone/v"), 0);
	/* Made directories: ".." below what exists is refused. */
	ck_assert_int_eq(rootfs_open_dir(&e.r, "/new/../../x", 0755), -1);
	ck_assert_int_eq(errno, EINVAL);
	esc_teardown(&e);
}
END_TEST

START_TEST(test_nofollow_root)
{
	struct esc e;
	struct rootfs nf;
	char *buf;
	size_t len;
	struct stat st;

	esc_setup(&e);
	fixture_write(e.outside, "f", "host");
	ck_assert_int_eq(rootfs_init_nofollow(&nf, e.root), 0);
	ck_assert_int_eq(rootfs_read_file(&nf, "/var/lib/f", 100, &buf, &len, &st), -1);
	ck_assert_int_eq(errno, ELOOP);
	ck_assert_int_eq(rootfs_create(&nf, "/var/lib/g", 0644, 0755), -1);
	ck_assert_int_eq(errno, ELOOP);
	ck_assert(!exists_in(e.outside, "g"));
	/* The same root, followed: the symlink stays inside (ROOT/OUTSIDE/f). */
	ck_assert_int_eq(rootfs_read_file(&e.r, "/var/lib/f", 100, &buf, &len, &st), -1);
	ck_assert_int_eq(errno, ENOENT);
	rootfs_close(&nf);
	esc_teardown(&e);
}
END_TEST

START_TEST(test_state_open_in_rerooted)
{
	struct esc e;
	struct state_dir s;
	char *err = NULL, rel[PATH_MAX];

	esc_setup(&e);
	ck_assert_int_eq(state_open_in(&s, e.root, "/var/lib/php-fpm-guard", 0, &err), 1);
	ck_assert_int_eq(state_open_in(&s, e.root, "/var/lib/php-fpm-guard", 0700, &err), -1);
	ck_assert_msg(strstr(err, "/var/lib/php-fpm-guard") != NULL, "%s", err);
	free(err);
	ck_assert(!exists_in(e.outside, "php-fpm-guard"));
	mkdir_inside(&e);
	ck_assert_msg(state_open_in(&s, e.root, "/var/lib/php-fpm-guard", 0700, &err) == 0,
		      "%s", err);
	ck_assert_int_eq(state_write(&s, "last-run.json", "{}", 2, 0600, &err), 0);
	state_close(&s);
	ck_assert(!exists_in(e.outside, "php-fpm-guard"));
	snprintf(rel, sizeof rel, "%s/php-fpm-guard/last-run.json", e.outside + 1);
	ck_assert(exists_in(e.root, rel));
	esc_teardown(&e);
}
END_TEST

int main(void)
{
	Suite *s = suite_create("rootfs");
	TCase *t = tcase_create("writes");

	tcase_add_loop_test(t, test_canonical, 0, (int)(sizeof crows / sizeof *crows));
	tcase_add_test(t, test_replace_rerooted);
	tcase_add_test(t, test_create_never_follows);
	tcase_add_test(t, test_nofollow_root);
	tcase_add_test(t, test_state_open_in_rerooted);
	suite_add_tcase(s, t);
	return fixture_run_suite(s);
}
