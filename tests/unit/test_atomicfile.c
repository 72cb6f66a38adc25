/*
 * atomicfile and state: replace a file whole or not at all, with the owner
 * and mode asked for, never through a symlink, leaving no temp files; the
 * guard's state dir and its files refused when someone else could have
 * planted them.  Runs as root (chown to uid 33).
 */
#include "fixture.h"
#include "state/state.h"
#include "util/atomicfile.h"
#include "util/xalloc.h"

#include <dirent.h>
#include <signal.h>
#include <sys/wait.h>

static char *path_in(const char *dir, const char *name)
{
	size_t n = strlen(dir) + strlen(name) + 2;
	char *p = malloc(n);

	snprintf(p, n, "%s/%s", dir, name);
	return p;
}

static void put(const char *path, const char *content)
{
	FILE *f = fopen(path, "w");

	ck_assert_msg(f != NULL, "cannot write %s", path);
	fputs(content, f);
	fclose(f);
}

static char *slurp(const char *path)
{
	static char buf[4096];
	FILE *f = fopen(path, "r");
	size_t n;

	ck_assert_msg(f != NULL, "cannot read %s", path);
	n = fread(buf, 1, sizeof buf - 1, f);
	buf[n] = '\0';
	fclose(f);
	return buf;
}

/* Names in dir, sorted, space-joined (caller frees). */
static char *listing(const char *dir)
{
	struct dirent **v;
	int n = scandir(dir, &v, NULL, alphasort), i;
	size_t len = 1;
	char *s;

	ck_assert_int_ge(n, 0);
	for (i = 0; i < n; i++)
		len += strlen(v[i]->d_name) + 1;
	s = calloc(1, len);
	for (i = 0; i < n; i++) {
		if (strcmp(v[i]->d_name, ".") && strcmp(v[i]->d_name, "..")) {
			if (*s)
				strcat(s, " ");
			strcat(s, v[i]->d_name);
		}
		free(v[i]);
	}
	free(v);
	return s;
}

static void ck_listing(const char *dir, const char *want)
{
	char *got = listing(dir);

	ck_assert_msg(strcmp(got, want) == 0, "%s holds '%s', expected '%s'", dir, got, want);
	free(got);
}

/* ---- replace: owner, mode, contents ---- */

struct orow {
	uid_t uid;
	gid_t gid;
	mode_t mode;
	mode_t umask;
};

static const struct orow orows[] = {
	{ 33, 33, 0640, 022 },
	{ 33, 33, 0640, 077 },	/* umask does not narrow the mode */
	{ 0, 0, 0600, 0 },
	{ 0, 33, 0664, 077 },
	{ 33, 0, 0444, 022 },
	{ 0, 33, 02750, 022 },	/* set-gid survives the chown */
	{ 33, 33, 04755, 022 },	/* set-uid too */
};

START_TEST(test_replace_owner_mode)
{
	const struct orow *r = &orows[_i];
	char *root = fixture_root(), *f = path_in(root, "www.conf");
	struct stat before, after;
	int fd;

	put(f, "old contents\n");
	ck_assert_int_eq(chown(f, r->uid, r->gid), 0);
	ck_assert_int_eq(chmod(f, r->mode), 0);
	ck_assert_int_eq(stat(f, &before), 0);
	umask(r->umask);
	ck_assert_int_eq(atomic_file_replace(f, 1, "new\n", 4, r->uid, r->gid, r->mode), 0);
	umask(022);
	fd = open(f, O_RDONLY);
	ck_assert_int_ge(fd, 0);
	ck_assert_int_eq(fstat(fd, &after), 0);
	close(fd);
	ck_assert(S_ISREG(after.st_mode));
	ck_assert_uint_eq(after.st_uid, r->uid);
	ck_assert_uint_eq(after.st_gid, r->gid);
	ck_assert_msg((after.st_mode & 07777) == r->mode, "mode %04o, expected %04o",
		      (unsigned)(after.st_mode & 07777), (unsigned)r->mode);
	/* A new inode renamed over the old one, not the old one rewritten. */
	ck_assert_uint_ne(after.st_ino, before.st_ino);
	ck_assert_str_eq(slurp(f), "new\n");
	ck_listing(root, "www.conf");
	free(f);
	fixture_rm(root);
}
END_TEST

START_TEST(test_replace_create)
{
	char *root = fixture_root(), *f = path_in(root, "new.json"), *big;
	struct stat st;
	size_t n = 1 << 20, i;

	/* must_exist: an absent target is an error and nothing is made. */
	errno = 0;
	ck_assert_int_eq(atomic_file_replace(f, 1, "x", 1, 0, 0, 0600), -1);
	ck_assert_int_eq(errno, ENOENT);
	ck_listing(root, "");
	/* Otherwise it is created. */
	ck_assert_int_eq(atomic_file_replace(f, 0, "{}", 2, 0, 33, 0640), 0);
	ck_assert_int_eq(stat(f, &st), 0);
	ck_assert_uint_eq(st.st_gid, 33);
	ck_assert_uint_eq(st.st_mode & 07777, 0640);
	ck_assert_str_eq(slurp(f), "{}");
	/* Zero bytes and a megabyte. */
	ck_assert_int_eq(atomic_file_replace(f, 1, "", 0, 0, 0, 0600), 0);
	ck_assert_int_eq(stat(f, &st), 0);
	ck_assert_int_eq(st.st_size, 0);
	big = malloc(n);
	for (i = 0; i < n; i++)
		big[i] = (char)('a' + i % 26);
	ck_assert_int_eq(atomic_file_replace(f, 1, big, n, 0, 0, 0600), 0);
	ck_assert_int_eq(stat(f, &st), 0);
	ck_assert_int_eq(st.st_size, (off_t)n);
	free(big);
	ck_listing(root, "new.json");
	free(f);
	fixture_rm(root);
}
END_TEST

/* ---- replace refuses what is not a regular file ---- */

START_TEST(test_replace_refuses)
{
	char *root = fixture_root(), *target = path_in(root, "target");
	char *link = path_in(root, "link"), *dir = path_in(root, "dir");
	char *fifo = path_in(root, "fifo"), *ldir = path_in(root, "ldir");
	char *viadir = path_in(root, "ldir/target"), buf[256];
	struct stat st;
	ssize_t n;
	int must;

	put(target, "untouched\n");
	ck_assert_int_eq(symlink("target", link), 0);
	ck_assert_int_eq(mkdir(dir, 0755), 0);
	ck_assert_int_eq(mkfifo(fifo, 0600), 0);
	ck_assert_int_eq(symlink(root, ldir), 0);
	for (must = 0; must <= 1; must++) {
		errno = 0;
		ck_assert_int_eq(atomic_file_replace(link, must, "x", 1, 0, 0, 0600), -1);
		ck_assert_int_eq(errno, ELOOP);
		errno = 0;
		ck_assert_int_eq(atomic_file_replace(dir, must, "x", 1, 0, 0, 0600), -1);
		ck_assert_int_eq(errno, EINVAL);
		errno = 0;
		ck_assert_int_eq(atomic_file_replace(fifo, must, "x", 1, 0, 0, 0600), -1);
		ck_assert_int_eq(errno, EINVAL);
		/* The directory itself is not followed either (O_NOFOLLOW with
		 * O_DIRECTORY on a link: ENOTDIR). */
		errno = 0;
		ck_assert_int_eq(atomic_file_replace(viadir, must, "x", 1, 0, 0, 0600), -1);
		ck_assert_msg(errno == ELOOP || errno == ENOTDIR, "errno %d", errno);
	}
	errno = 0;
	ck_assert_int_eq(atomic_file_replace("relative", 0, "x", 1, 0, 0, 0600), -1);
	ck_assert_int_eq(errno, EINVAL);
	errno = 0;
	ck_assert_int_eq(atomic_file_replace(root, 0, "x", 1, 0, 0, 0600), -1);
	snprintf(buf, sizeof buf, "%s/", root);
	errno = 0;
	ck_assert_int_eq(atomic_file_replace(buf, 0, "x", 1, 0, 0, 0600), -1);
	ck_assert_int_eq(errno, EINVAL);
	/* The link is still a link to the untouched target; nothing left. */
	ck_assert_int_eq(lstat(link, &st), 0);
	ck_assert(S_ISLNK(st.st_mode));
	n = readlink(link, buf, sizeof buf - 1);
	ck_assert_int_eq(n, 6);
	ck_assert_str_eq(slurp(target), "untouched\n");
	ck_listing(root, "dir fifo ldir link target");
	ck_listing(dir, "");
	free(target);
	free(link);
	free(dir);
	free(fifo);
	free(ldir);
	free(viadir);
	fixture_rm(root);
}
END_TEST

/* begin + abort leaves nothing; the temp file has the promised name. */
START_TEST(test_begin_abort)
{
	char *root = fixture_root(), *f = path_in(root, "f"), *l;
	struct atomic_file af;
	struct stat st;

	put(f, "old");
	ck_assert_int_eq(atomic_file_begin(&af, f, 1, 33, 33, 0640), 0);
	ck_assert_int_eq(atomic_file_write(&af, "new", 3), 0);
	l = listing(root);
	ck_assert_msg(strlen(l) == strlen("f .f.pfg-XXXXXXXXXXXX") &&
		      strncmp(l, ".f.pfg-", 7) == 0, "listing '%s'", l);
	free(l);
	ck_assert_int_eq(fstat(af.fd, &st), 0);
	ck_assert_uint_eq(st.st_uid, 33);
	ck_assert_uint_eq(st.st_mode & 07777, 0640);
	atomic_file_abort(&af);
	ck_listing(root, "f");
	ck_assert_str_eq(slurp(f), "old");
	free(f);
	fixture_rm(root);
}
END_TEST

/* ---- sweep ---- */

START_TEST(test_sweep)
{
	static const char *const names[] = {
		".f.pfg-0123456789ab", ".f.pfg-abcdefabcdef",		/* swept */
		".f.pfg-short", ".f.pfg-0123456789abc", ".f.pfg-",	/* kept */
		".g.pfg-0123456789ab", "f", ".f", "x.f.pfg-0123456789ab",
		"f.pfg-0123456789ab", ".ff.pfg-0123456789ab",
	};
	char *root = fixture_root(), *f = path_in(root, "f");
	size_t i;

	for (i = 0; i < sizeof names / sizeof *names; i++) {
		char *p = path_in(root, names[i]);
		put(p, "x");
		free(p);
	}
	atomic_file_sweep(f);
	ck_listing(root, ".f .f.pfg- .f.pfg-0123456789abc .f.pfg-short .ff.pfg-0123456789ab "
			 ".g.pfg-0123456789ab f f.pfg-0123456789ab x.f.pfg-0123456789ab");
	/* Nothing to sweep, a missing directory: no harm. */
	atomic_file_sweep(f);
	atomic_file_sweep("/nonexistent-pfg-dir/f");
	atomic_file_sweep("relative");
	free(f);
	fixture_rm(root);
}
END_TEST

/* ---- killed half-way: old bytes or new bytes, never a mix ---- */

struct krow {
	const char *point;	/* PHP_FPM_GUARD_FAULT */
	const char *contents;	/* what the target holds after the kill */
	int leftover;		/* a temp file is left (and swept) */
};

static const struct krow krows[] = {
	{ "after-temp-write", "old bytes\n", 1 },
	{ "after-rename", "new bytes\n", 0 },
};

START_TEST(test_killed)
{
	const struct krow *k = &krows[_i];
	char *root = fixture_root(), *f = path_in(root, "f"), *l;
	pid_t pid;
	int status;

	put(f, "old bytes\n");
	pid = fork();
	ck_assert_int_ge(pid, 0);
	if (pid == 0) {
		setenv("PHP_FPM_GUARD_FAULT", k->point, 1);
		atomic_file_replace(f, 1, "new bytes\n", 10, 0, 0, 0644);
		_exit(0);	/* not reached when the fault point fires */
	}
	ck_assert_int_eq(waitpid(pid, &status, 0), pid);
	ck_assert_msg(WIFSIGNALED(status) && WTERMSIG(status) == SIGKILL,
		      "%s: not killed (status %d)", k->point, status);
	ck_assert_str_eq(slurp(f), k->contents);
	l = listing(root);
	if (k->leftover)
		ck_assert_msg(strlen(l) == strlen(".f.pfg-XXXXXXXXXXXX f"), "listing '%s'", l);
	else
		ck_assert_str_eq(l, "f");
	free(l);
	atomic_file_sweep(f);
	ck_listing(root, "f");
	ck_assert_str_eq(slurp(f), k->contents);
	free(f);
	fixture_rm(root);
}
END_TEST

/* ---- state_open ---- */

struct srow {
	const char *name;
	const char *setup;	/* "dir MODE UID", "link", "file", "missing" */
	int ok;
	const char *error;	/* substring */
};

static const struct srow srows[] = {
	{ "missing: created 0700", "missing", 1, NULL },
	{ "our 0700 dir", "dir 0700 0", 1, NULL },
	{ "our 0755 dir", "dir 0755 0", 1, NULL },
	{ "symlink to our dir", "link", 0, "symlink" },
	{ "symlink to our dir, given with a trailing '/'", "link/", 0, "trailing" },
	{ "a regular file", "file", 0, "not a directory" },
	{ "world-writable dir", "dir 0777 0", 0, "writable by group or others" },
	{ "group-writable dir", "dir 0770 0", 0, "writable by group or others" },
	{ "sticky world-writable dir", "dir 01777 0", 0, "writable by group or others" },
	{ "dir owned by www-data", "dir 0700 33", 0, "owned by another user" },
};

#define NSROWS ((int)(sizeof srows / sizeof *srows))

START_TEST(test_state_open)
{
	const struct srow *r = &srows[_i];
	char *root = fixture_root(), *st = path_in(root, "state"), *real = path_in(root, "real");
	struct state_dir s;
	struct stat sb;
	char *err = NULL;
	unsigned mode;
	unsigned uid;
	int rc;

	if (strncmp(r->setup, "dir", 3) == 0) {
		ck_assert_int_eq(sscanf(r->setup, "dir %o %u", &mode, &uid), 2);
		ck_assert_int_eq(mkdir(st, 0700), 0);
		ck_assert_int_eq(chmod(st, mode), 0);
		ck_assert_int_eq(chown(st, uid, uid), 0);
	} else if (strncmp(r->setup, "link", 4) == 0) {
		ck_assert_int_eq(mkdir(real, 0700), 0);
		ck_assert_int_eq(symlink(real, st), 0);
		if (strcmp(r->setup, "link/") == 0) {
			char *slash = xasprintf("%s/", st);
			free(st);
			st = slash;
		}
	} else if (strcmp(r->setup, "file") == 0) {
		put(st, "x");
		chmod(st, 0600);
	}
	rc = state_open(&s, st, 0700, &err);
	if (r->ok) {
		ck_assert_msg(rc == 0, "%s: %s", r->name, err);
		ck_assert_int_ge(s.fd, 0);
		ck_assert_int_eq(lstat(st, &sb), 0);
		ck_assert(S_ISDIR(sb.st_mode));
		if (strcmp(r->setup, "missing") == 0)
			ck_assert_uint_eq(sb.st_mode & 07777, 0700);
		state_close(&s);
	} else {
		ck_assert_msg(rc == -1, "%s: accepted", r->name);
		ck_assert_msg(err && strstr(err, r->error) && strstr(err, st),
			      "%s: error '%s'", r->name, err ? err : "(null)");
		free(err);
	}
	free(st);
	free(real);
	fixture_rm(root);
}
END_TEST

START_TEST(test_state_open_nested_and_relative)
{
	char *root = fixture_root(), *st = path_in(root, "var/lib/php-fpm-guard");
	struct state_dir s;
	struct stat sb;
	char *err = NULL;

	ck_assert_msg(state_open(&s, st, 0750, &err) == 0, "%s", err);
	ck_assert_int_eq(stat(st, &sb), 0);
	ck_assert_uint_eq(sb.st_mode & 07777, 0750);
	state_close(&s);
	ck_assert_int_eq(state_open(&s, "var/lib/x", 0700, &err), -1);
	ck_assert_ptr_nonnull(strstr(err, "not an absolute path"));
	free(err);
	free(st);
	fixture_rm(root);
}
END_TEST

/* ---- state_read / state_write ---- */

struct rrow {
	const char *name;
	const char *setup;	/* how "snap" is made */
	int rc;			/* state_read's answer */
	const char *error;
};

static const struct rrow rrows[] = {
	{ "our file", "file 0600 0", 0, NULL },
	{ "our file, readable by others", "file 0644 0", 0, NULL },
	{ "missing", "missing", 1, NULL },
	{ "symlink to our file", "link", -1, "a symlink: refused" },
	{ "file owned by www-data", "file 0600 33", -1, "owned by another user" },
	{ "file writable by others", "file 0666 0", -1, "writable by group or others" },
	{ "file writable by group", "file 0620 0", -1, "writable by group or others" },
	{ "FIFO", "fifo", -1, "not a regular file" },
	{ "directory", "dir", -1, "not a regular file" },
	{ "larger than asked for", "big", -1, "larger than 16 bytes" },
};

#define NRROWS ((int)(sizeof rrows / sizeof *rrows))

START_TEST(test_state_read)
{
	const struct rrow *r = &rrows[_i];
	char *root = fixture_root(), *dir = path_in(root, "state");
	char *snap = path_in(dir, "snap"), *other = path_in(dir, "other");
	char *err = NULL, *buf = (char *)1;
	struct state_dir s;
	unsigned mode, uid;
	size_t len = 99;
	int rc;

	ck_assert_msg(state_open(&s, dir, 0700, &err) == 0, "%s", err);
	if (strncmp(r->setup, "file", 4) == 0) {
		ck_assert_int_eq(sscanf(r->setup, "file %o %u", &mode, &uid), 2);
		put(snap, "{\"x\": 1}\n");
		ck_assert_int_eq(chmod(snap, mode), 0);
		ck_assert_int_eq(chown(snap, uid, uid), 0);
	} else if (strcmp(r->setup, "link") == 0) {
		put(other, "{\"x\": 1}\n");
		ck_assert_int_eq(chmod(other, 0600), 0);
		ck_assert_int_eq(symlink("other", snap), 0);
	} else if (strcmp(r->setup, "fifo") == 0) {
		ck_assert_int_eq(mkfifo(snap, 0600), 0);
	} else if (strcmp(r->setup, "dir") == 0) {
		ck_assert_int_eq(mkdir(snap, 0700), 0);
	} else if (strcmp(r->setup, "big") == 0) {
		put(snap, "0123456789abcdefg");
		ck_assert_int_eq(chmod(snap, 0600), 0);
	}
	rc = state_read(&s, "snap", 16, &buf, &len, &err);
	ck_assert_msg(rc == r->rc, "%s: rc %d (%s)", r->name, rc, rc < 0 ? err : "");
	if (rc == 0) {
		ck_assert_uint_eq(len, 9);
		ck_assert_str_eq(buf, "{\"x\": 1}\n");
		free(buf);
	} else {
		ck_assert_ptr_null(buf);
		ck_assert_uint_eq(len, 0);
	}
	if (rc < 0) {
		ck_assert_msg(err && strstr(err, r->error) && strstr(err, snap),
			      "%s: error '%s'", r->name, err ? err : "(null)");
		free(err);
	}
	state_close(&s);
	free(snap);
	free(other);
	free(dir);
	fixture_rm(root);
}
END_TEST

START_TEST(test_state_write)
{
	char *root = fixture_root(), *dir = path_in(root, "state");
	char *victim = path_in(root, "victim"), *link = path_in(dir, "planted");
	char *err = NULL, *buf, *p;
	struct state_dir s;
	struct stat st;
	size_t len;

	ck_assert_msg(state_open(&s, dir, 0700, &err) == 0, "%s", err);
	ck_assert_int_eq(state_write(&s, "snap", "abc", 3, 0600, &err), 0);
	ck_assert_int_eq(state_read(&s, "snap", 1024, &buf, &len, &err), 0);
	ck_assert_uint_eq(len, 3);
	ck_assert_str_eq(buf, "abc");
	free(buf);
	p = state_path(&s, "snap");
	ck_assert_int_eq(stat(p, &st), 0);
	ck_assert_uint_eq(st.st_mode & 07777, 0600);
	ck_assert_uint_eq(st.st_uid, geteuid());
	free(p);
	/* Over it again, then over a planted symlink: refused, victim kept. */
	ck_assert_int_eq(state_write(&s, "snap", "defg", 4, 0640, &err), 0);
	ck_assert_int_eq(state_read(&s, "snap", 1024, &buf, &len, &err), 0);
	ck_assert_str_eq(buf, "defg");
	free(buf);
	put(victim, "victim\n");
	ck_assert_int_eq(symlink(victim, link), 0);
	ck_assert_int_eq(state_write(&s, "planted", "x", 1, 0600, &err), -1);
	ck_assert_ptr_nonnull(strstr(err, "planted"));
	free(err);
	ck_assert_str_eq(slurp(victim), "victim\n");
	ck_listing(dir, "planted snap");
	ck_assert_int_eq(state_remove(&s, "snap"), 0);
	ck_assert_int_eq(state_remove(&s, "snap"), 0);
	ck_assert_int_eq(state_read(&s, "snap", 1024, &buf, &len, &err), 1);
	state_close(&s);
	free(victim);
	free(link);
	free(dir);
	fixture_rm(root);
}
END_TEST

START_TEST(test_state_lock)
{
	char *root = fixture_root(), *err = NULL;
	struct state_dir a, b;
	int saved, null, rc;

	ck_assert_msg(state_open(&a, root, 0700, &err) == 0, "%s", err);
	ck_assert_msg(state_open(&b, root, 0700, &err) == 0, "%s", err);
	ck_assert_msg(state_lock(&a, 0, &err) == 0, "%s", err);
	/* It says "waiting" once on stderr: keep the test output clean. */
	fflush(stderr);
	saved = dup(2);
	null = open("/dev/null", O_WRONLY);
	ck_assert_int_ge(saved, 0);
	ck_assert_int_ge(null, 0);
	dup2(null, 2);
	rc = state_lock(&b, 0, &err);
	dup2(saved, 2);
	close(saved);
	close(null);
	ck_assert_int_eq(rc, -1);
	ck_assert_ptr_nonnull(strstr(err, "held by another php-fpm-guard"));
	free(err);
	state_close(&b);
	/* Released with the dir. */
	state_close(&a);
	ck_assert_msg(state_open(&b, root, 0700, &err) == 0, "%s", err);
	ck_assert_msg(state_lock(&b, 0, &err) == 0, "%s", err);
	state_close(&b);
	fixture_rm(root);
}
END_TEST

static Suite *suite(void)
{
	Suite *s = suite_create("atomicfile");
	TCase *af = tcase_create("atomicfile");
	TCase *st = tcase_create("state");

	umask(022);
	tcase_add_loop_test(af, test_replace_owner_mode, 0, (int)(sizeof orows / sizeof *orows));
	tcase_add_test(af, test_replace_create);
	tcase_add_test(af, test_replace_refuses);
	tcase_add_test(af, test_begin_abort);
	tcase_add_test(af, test_sweep);
	tcase_add_loop_test(af, test_killed, 0, (int)(sizeof krows / sizeof *krows));
	suite_add_tcase(s, af);
	tcase_add_loop_test(st, test_state_open, 0, NSROWS);
	tcase_add_test(st, test_state_open_nested_and_relative);
	tcase_add_loop_test(st, test_state_read, 0, NRROWS);
	tcase_add_test(st, test_state_write);
	tcase_add_test(st, test_state_lock);
	suite_add_tcase(s, st);
	return s;
}

int main(void)
{
	return fixture_run_suite(suite());
}
