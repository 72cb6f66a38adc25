/* php-fpm config semantics, one table row per rule (fpm_conf.c). */
#include "fixture.h"
#include "config/fpmconf.h"

#include <stdlib.h>

struct file {
	const char *path;
	const char *content;
};

struct row {
	const char *rule;
	struct file files[8];
	int hash_comments;	/* php5 dialect */
	const char *pool;	/* pool to look at (NULL: expect an error) */
	const char *key;
	const char *value;	/* expected value; NULL: undefined */
	const char *where;	/* expected "file:line" of the value, or NULL */
	const char *err_at;	/* expected error "file:line" */
};

#define HDR "[global]\npid = /run/x.pid\n"

static const struct row rows[] = {
	{ "double quotes stripped",
	  { { "/etc/f.conf", HDR "[www]\nlisten.owner = \"www-data\"\nlisten = /run/w.sock\n" } },
	  0, "www", "listen.owner", "www-data", "/etc/f.conf:4", NULL },
	{ "single quotes stripped, ';' inside kept",
	  { { "/etc/f.conf", HDR "[www]\nlisten.group = 'a;b'\nlisten = /run/w.sock\n" } },
	  0, "www", "listen.group", "a;b", NULL, NULL },
	{ "';' comment without a space",
	  { { "/etc/f.conf", HDR "[www]\nlisten = /run/a.sock;comment\n" } },
	  0, "www", "listen", "/run/a.sock", NULL, NULL },
	{ "leading whitespace and CR ignored",
	  { { "/etc/f.conf", HDR "[www]\r\n   \tlisten.mode = 0660\r\nlisten = /run/w.sock\n" } },
	  0, "www", "listen.mode", "0660", "/etc/f.conf:4", NULL },
	{ "'#' line is an error in PHP >= 7",
	  { { "/etc/f.conf", HDR "[www]\n#listen.owner = x\n" } },
	  0, NULL, NULL, NULL, NULL, "/etc/f.conf:4" },
	{ "'#' line is a comment in php5",
	  { { "/etc/f.conf", HDR "[www]\n# old style comment\nlisten = /run/x.sock\n" } },
	  1, "www", "listen", "/run/x.sock", "/etc/f.conf:5", NULL },
	{ "include glob sorted: last file wins",
	  { { "/etc/f.conf", HDR "include = /etc/p/*.conf\n" },
	    { "/etc/p/b.conf", "[www]\nlisten.mode = 0600\n" },
	    { "/etc/p/a.conf", "[www]\nlisten.mode = 0660\nlisten = /run/w.sock\n" } },
	  0, "www", "listen.mode", "0600", "/etc/p/b.conf:2", NULL },
	{ "relative include resolves against the prefix /usr",
	  { { "/etc/f.conf", HDR "include = ../etc/p/*.conf\n" },
	    { "/usr/.keep", "" },
	    { "/etc/p/a.conf", "[www]\nlisten = /run/r.sock\n" } },
	  0, "www", "listen", "/run/r.sock", NULL, NULL },
	{ "include nesting: 5 files deep is fine",
	  { { "/etc/f.conf", HDR "include = /etc/1.conf\n" },
	    { "/etc/1.conf", "include = /etc/2.conf\n" },
	    { "/etc/2.conf", "include = /etc/3.conf\n" },
	    { "/etc/3.conf", "include = /etc/4.conf\n" },
	    { "/etc/4.conf", "[deep]\nlisten = /run/d.sock\n" } },
	  0, "deep", "listen", "/run/d.sock", NULL, NULL },
	{ "include nesting: the 6th level is refused",
	  { { "/etc/f.conf", HDR "include = /etc/1.conf\n" },
	    { "/etc/1.conf", "include = /etc/2.conf\n" },
	    { "/etc/2.conf", "include = /etc/3.conf\n" },
	    { "/etc/3.conf", "include = /etc/4.conf\n" },
	    { "/etc/4.conf", "include = /etc/5.conf\n" },
	    { "/etc/5.conf", "[deep]\nlisten = /run/d.sock\n" } },
	  0, NULL, NULL, NULL, NULL, "/etc/4.conf:1" },
	{ "lines after an include stay in the included file's last section",
	  { { "/etc/f.conf", HDR "[www]\nlisten = /run/w.sock\ninclude = /etc/o.conf\nlisten.mode = 0600\n" },
	    { "/etc/o.conf", "[other]\nlisten = /run/o.sock\n" } },
	  0, "other", "listen.mode", "0600", "/etc/f.conf:6", NULL },
	{ "[NAME] re-opens a pool case-insensitively from another file",
	  { { "/etc/f.conf", HDR "[www]\nlisten = /run/w.sock\ninclude = /etc/o.conf\n" },
	    { "/etc/o.conf", "[WWW]\nlisten.owner = nginx\n" } },
	  0, "www", "listen.owner", "nginx", "/etc/o.conf:2", NULL },
	{ "repeated key: last value wins",
	  { { "/etc/f.conf", HDR "[www]\nlisten.mode = 0600\nlisten.mode = 0640\nlisten = /run/w.sock\n" } },
	  0, "www", "listen.mode", "0640", "/etc/f.conf:5", NULL },
	{ "[global] switches back: pool keys there are errors",
	  { { "/etc/f.conf", HDR "[www]\nlisten = /run/w.sock\n[global]\nlisten.owner = x\n" } },
	  0, NULL, NULL, NULL, NULL, "/etc/f.conf:6" },
	{ "$pool expands to the pool name",
	  { { "/etc/f.conf", HDR "[site1]\nlisten = /run/php-$pool.sock\n" } },
	  0, "site1", "listen", "/run/php-site1.sock", NULL, NULL },
	{ "unknown listen.* key is an error naming file:line",
	  { { "/etc/f.conf", HDR "[www]\nlisten = /run/w.sock\nlisten.ownr = www-data\n" } },
	  0, NULL, NULL, NULL, NULL, "/etc/f.conf:5" },
	{ "bare yes becomes 1",
	  { { "/etc/f.conf", HDR "[www]\nlisten.mode = yes\nlisten = /run/w.sock\n" } },
	  0, "www", "listen.mode", "1", NULL, NULL },
	{ "relative unix listen path lives under the prefix",
	  { { "/etc/f.conf", HDR "[www]\nlisten = run/w.sock\n" } },
	  0, "www", "listen", "/usr/run/w.sock", NULL, NULL },
	{ "tcp listener is kept as written",
	  { { "/etc/f.conf", HDR "[www]\nlisten = 127.0.0.1:9000\n" } },
	  0, "www", "listen", "127.0.0.1:9000", NULL, NULL },
	{ "empty value is defined but empty",
	  { { "/etc/f.conf", HDR "[www]\nlisten.owner =\nlisten = /run/w.sock\n" } },
	  0, "www", "listen.owner", "", NULL, NULL },
	{ "unset key stays undefined",
	  { { "/etc/f.conf", HDR "[www]\nlisten = /run/w.sock\n" } },
	  0, "www", "listen.owner", NULL, NULL, NULL },
	{ "':' is not a separator for php-fpm",
	  { { "/etc/f.conf", HDR "[www]\nlisten: /run/w.sock\n" } },
	  0, NULL, NULL, NULL, NULL, "/etc/f.conf:4" },
	{ "include matching nothing is only a warning",
	  { { "/etc/f.conf", HDR "include = /etc/none*.conf\n[www]\nlisten = /run/w.sock\n" } },
	  0, "www", "listen", "/run/w.sock", NULL, NULL },
	{ "include glob skips directories",
	  { { "/etc/f.conf", HDR "include = /etc/p/*\n" },
	    { "/etc/p/d.conf/x", "junk that must not be read\n" },
	    { "/etc/p/a.conf", "[www]\nlisten = /run/w.sock\n" } },
	  0, "www", "listen", "/run/w.sock", NULL, NULL },
	{ "\\$ in double quotes is a literal $, not a variable",
	  { { "/etc/f.conf", HDR "[www]\nlisten = \"/run/\\${X}.sock\"\n" } },
	  0, "www", "listen", "/run/${X}.sock", NULL, NULL },
	{ "a section header indented with spaces is refused",
	  { { "/etc/f.conf", HDR "[www]\nlisten = /run/w.sock\n  [other]\n" } },
	  0, NULL, NULL, NULL, NULL, "/etc/f.conf:5" },
	{ "a tab before a section header is fine",
	  { { "/etc/f.conf", HDR "\t[www]\nlisten = /run/w.sock\n" } },
	  0, "www", "listen", "/run/w.sock", NULL, NULL },
	{ "a port alone is a tcp listener, not a relative path",
	  { { "/etc/f.conf", HDR "[www]\nlisten = 9000\n" } },
	  0, "www", "listen", "9000", NULL, NULL },
	{ "keys are case-insensitive, the value is kept",
	  { { "/etc/f.conf", HDR "[www]\nLISTEN.Owner = Www\nlisten = /run/w.sock\n" } },
	  0, "www", "listen.owner", "Www", "/etc/f.conf:4", NULL },
};

static const char *find_value(const struct fpm_conf *c, const char *pool,
			      const char *key, const char **where, int *found)
{
	const struct fpm_pool *p = fpm_conf_find_pool(c, pool);
	int k;
	static char buf[512];

	*found = p != NULL;
	*where = NULL;
	if (p == NULL)
		return NULL;
	for (k = 0; k < K_NKEYS; k++)
		if (strcmp(fpm_key_names[k], key) == 0) {
			if (p->set[k].file) {
				snprintf(buf, sizeof buf, "%s:%d", p->set[k].file,
					 p->set[k].line);
				*where = buf;
			}
			return p->set[k].value;
		}
	ck_abort_msg("unknown key %s in test", key);
	return NULL;
}

START_TEST(test_rule)
{
	const struct row *r = &rows[_i];
	struct fpm_dialect d = { r->hash_comments, "/usr", NULL, NULL };
	struct rootfs rfs;
	struct fpm_conf c;
	char *root = fixture_root();
	const char *where, *v;
	int found, rc;
	size_t i;

	for (i = 0; i < 8 && r->files[i].path; i++)
		fixture_write(root, r->files[i].path, r->files[i].content);
	ck_assert_int_eq(rootfs_init(&rfs, root), 0);
	rc = fpm_conf_read(&c, &rfs, "/etc/f.conf", &d);
	if (r->err_at) {
		char at[512];
		ck_assert_msg(rc < 0, "%s: expected an error", r->rule);
		ck_assert_uint_ge(c.nerrors, 1);
		snprintf(at, sizeof at, "%s:%d", c.errors[0].file, c.errors[0].line);
		ck_assert_msg(strcmp(at, r->err_at) == 0, "%s: error at %s (%s), want %s",
			      r->rule, at, c.errors[0].msg, r->err_at);
	} else {
		ck_assert_msg(rc == 0, "%s: unexpected error %s:%d: %s", r->rule,
			      c.nerrors ? c.errors[0].file : "", c.nerrors ? c.errors[0].line : 0,
			      c.nerrors ? c.errors[0].msg : "");
		v = find_value(&c, r->pool, r->key, &where, &found);
		ck_assert_msg(found, "%s: pool %s missing", r->rule, r->pool);
		if (r->value == NULL)
			ck_assert_msg(v == NULL, "%s: want undefined, got '%s'", r->rule, v);
		else
			ck_assert_msg(v && strcmp(v, r->value) == 0, "%s: got '%s' want '%s'",
				      r->rule, v ? v : "(null)", r->value);
		if (r->where)
			ck_assert_msg(where && strcmp(where, r->where) == 0,
				      "%s: from %s, want %s", r->rule, where ? where : "-", r->where);
	}
	fpm_conf_free(&c);
	rootfs_close(&rfs);
	fixture_rm(root);
}
END_TEST

/* A one-file fixture root read with dialect d; returns fpm_conf_read's rc. */
static int read_one(char **root, struct rootfs *rfs, struct fpm_conf *c,
		    const struct fpm_dialect *d, const char *content)
{
	*root = fixture_root();
	fixture_write(*root, "/etc/f.conf", content);
	ck_assert_int_eq(rootfs_init(rfs, *root), 0);
	return fpm_conf_read(c, rfs, "/etc/f.conf", d);
}

static void done_one(char *root, struct rootfs *rfs, struct fpm_conf *c)
{
	fpm_conf_free(c);
	rootfs_close(rfs);
	fixture_rm(root);
}

/* Rules that need bytes a string table cannot hold well. */
START_TEST(test_long_line_and_long_name)
{
	struct fpm_dialect d = { 0, "/usr", NULL, NULL };
	struct rootfs rfs;
	struct fpm_conf c;
	char *root = fixture_root(), *content;
	size_t longlen = 1 << 20;
	char name[101];
	const struct fpm_pool *p;

	memset(name, 'p', 100);
	name[100] = '\0';
	content = malloc(longlen + 512);
	strcpy(content, HDR "[");
	strcat(content, name);
	strcat(content, "]\n; ");
	memset(content + strlen(content), 'x', longlen);
	content[strlen(HDR) + 1 + 100 + 4 + longlen] = '\0';
	strcat(content, "\nlisten = /run/long.sock\n");
	fixture_write(root, "/etc/f.conf", content);
	ck_assert_int_eq(rootfs_init(&rfs, root), 0);
	ck_assert_int_eq(fpm_conf_read(&c, &rfs, "/etc/f.conf", &d), 0);
	ck_assert_uint_eq(c.npools, 1);
	p = &c.pools[0];
	ck_assert_str_eq(p->name, name);
	ck_assert_str_eq(p->set[K_LISTEN].value, "/run/long.sock");
	ck_assert_int_eq(p->set[K_LISTEN].line, 5);
	fpm_conf_free(&c);
	rootfs_close(&rfs);
	free(content);
	fixture_rm(root);
}
END_TEST

START_TEST(test_nul_byte)
{
	struct fpm_dialect d = { 0, "/usr", NULL, NULL };
	struct rootfs rfs;
	struct fpm_conf c;
	char *root = fixture_root(), path[4200];
	FILE *f;

	fixture_write(root, "/etc/f.conf", "");
	snprintf(path, sizeof path, "%s/etc/f.conf", root);
	f = fopen(path, "w");
	fwrite(HDR "[www]\nlisten = /run/\0x.sock\n", 1, strlen(HDR) + 26, f);
	fclose(f);
	ck_assert_int_eq(rootfs_init(&rfs, root), 0);
	ck_assert_int_eq(fpm_conf_read(&c, &rfs, "/etc/f.conf", &d), -1);
	ck_assert_int_eq(c.errors[0].line, 4);
	ck_assert_ptr_nonnull(strstr(c.errors[0].msg, "NUL"));
	fpm_conf_free(&c);
	rootfs_close(&rfs);
	fixture_rm(root);
}
END_TEST

static const char *fake_env(void *ctx, const char *name)
{
	(void)ctx;
	return strcmp(name, "SOCK_OWNER") == 0 ? "nginx" : NULL;
}

START_TEST(test_env_variable)
{
	struct fpm_dialect d = { 0, "/usr", fake_env, NULL };
	struct rootfs rfs;
	struct fpm_conf c;
	char *root;

	ck_assert_int_eq(read_one(&root, &rfs, &c, &d, HDR "[www]\nlisten.owner = "
				  "${SOCK_OWNER}\nlisten = /run/w.sock\n"), 0);
	ck_assert_str_eq(c.pools[0].set[K_LISTEN_OWNER].value, "nginx");
	ck_assert_int_eq(c.pools[0].set[K_LISTEN_OWNER].uses_env, 1);
	done_one(root, &rfs, &c);
}
END_TEST

START_TEST(test_include_loop_stops)
{
	struct fpm_dialect d = { 0, "/usr", NULL, NULL };
	struct rootfs rfs;
	struct fpm_conf c;
	char *root;

	ck_assert_int_eq(read_one(&root, &rfs, &c, &d, HDR "include = /etc/f.conf\n"), -1);
	ck_assert_ptr_nonnull(strstr(c.errors[0].msg, "recursively"));
	done_one(root, &rfs, &c);
}
END_TEST

START_TEST(test_symlink_stays_in_root)
{
	struct fpm_dialect d = { 0, "/usr", NULL, NULL };
	struct rootfs rfs;
	struct fpm_conf c;
	char *root = fixture_root(), link[4200];

	/* An absolute symlink inside the root resolves inside the root. */
	fixture_write(root, "/etc/real.conf", HDR "[www]\nlisten = /run/in-root.sock\n");
	snprintf(link, sizeof link, "%s/etc/f.conf", root);
	ck_assert_int_eq(symlink("/etc/real.conf", link), 0);
	ck_assert_int_eq(rootfs_init(&rfs, root), 0);
	ck_assert_int_eq(fpm_conf_read(&c, &rfs, "/etc/f.conf", &d), 0);
	ck_assert_str_eq(c.pools[0].set[K_LISTEN].value, "/run/in-root.sock");
	fpm_conf_free(&c);
	rootfs_close(&rfs);
	fixture_rm(root);
}
END_TEST

static Suite *suite(void)
{
	Suite *s = suite_create("config");
	TCase *tc = tcase_create("rules");

	tcase_add_loop_test(tc, test_rule, 0, (int)(sizeof rows / sizeof *rows));
	tcase_add_test(tc, test_long_line_and_long_name);
	tcase_add_test(tc, test_nul_byte);
	tcase_add_test(tc, test_env_variable);
	tcase_add_test(tc, test_include_loop_stops);
	tcase_add_test(tc, test_symlink_stays_in_root);
	tcase_set_timeout(tc, 30);
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	return fixture_run_suite(suite());
}
