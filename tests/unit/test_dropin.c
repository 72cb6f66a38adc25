/* The guard's drop-in (fix/dropin) and APT's Pre-Install-Pkgs list
 * (predict/hookinfo): the pure parts of the prediction. */
#include "fixture.h"
#include "fix/dropin.h"
#include "predict/hookinfo.h"

static char *const LINES[] = { "listen.owner = www-data", "listen.group = www-data",
			       "listen.mode = 0660" };

START_TEST(test_render_parse_roundtrip)
{
	struct dropin d = { NULL, 0 }, e;
	char *text, *again, *err;

	dropin_set(&d, "www", LINES, 3);
	dropin_set(&d, "api", LINES, 2);
	text = dropin_render(&d);
	ck_assert(strncmp(text, DROPIN_MAGIC, strlen(DROPIN_MAGIC)) == 0);
	ck_assert_ptr_nonnull(strstr(text, "\n[www]\nlisten.owner = www-data\nlisten.group = www-data\nlisten.mode = 0660\n"));
	ck_assert_int_eq(dropin_parse(text, strlen(text), &e, &err), 0);
	ck_assert_uint_eq(e.n, 2);
	again = dropin_render(&e);
	ck_assert_str_eq(text, again);
	free(text);
	free(again);
	dropin_free(&d);
	dropin_free(&e);
}
END_TEST

START_TEST(test_set_replaces_case_insensitively)
{
	struct dropin d = { NULL, 0 };
	char *const one[] = { "listen.acl_users = www-data,nginx" };

	dropin_set(&d, "www", LINES, 3);
	dropin_set(&d, "WWW", one, 1);
	ck_assert_uint_eq(d.n, 1);
	ck_assert_uint_eq(d.v[0].nlines, 1);
	ck_assert_str_eq(d.v[0].lines[0], "listen.acl_users = www-data,nginx");
	dropin_free(&d);
}
END_TEST

static int only_www(void *ctx, const char *pool)
{
	(void)ctx;
	return strcmp(pool, "www") == 0;
}

START_TEST(test_prune_drops_gone_pools)
{
	struct dropin d = { NULL, 0 };

	dropin_set(&d, "www", LINES, 3);
	dropin_set(&d, "old", LINES, 3);
	ck_assert_uint_eq(dropin_prune(&d, only_www, NULL), 1);
	ck_assert_uint_eq(d.n, 1);
	ck_assert_str_eq(d.v[0].pool, "www");
	dropin_free(&d);
}
END_TEST

struct bad { const char *name, *text, *err; };
static const struct bad bads[] = {
	{ "someone else's file", "[www]\nlisten.owner = x\n", "not a php-fpm-guard drop-in" },
	{ "a key that is not listen.*", DROPIN_MAGIC "\n[www]\npm = static\n", "line 3: only [pool] sections" },
	{ "a key before any section", DROPIN_MAGIC "\nlisten.owner = x\n", "line 2: only [pool] sections" },
	{ "a section twice", DROPIN_MAGIC "\n[www]\n[WWW]\n", "line 3: pool section repeated" },
};

START_TEST(test_refuses_what_is_not_ours)
{
	const struct bad *b = &bads[_i];
	struct dropin d;
	char *err = NULL;

	ck_assert_msg(dropin_parse(b->text, strlen(b->text), &d, &err) < 0, "%s: accepted", b->name);
	ck_assert_msg(err && strstr(err, b->err), "%s: %s", b->name, err ? err : "(null)");
	free(err);
}
END_TEST

START_TEST(test_hookinfo_v3)
{
	static const char in[] =
		"VERSION 3\n"
		"APT::Architecture=amd64\n"
		"DPkg::Options::=--force-confold\n"
		"DPkg::Pre-Install-Pkgs::=/etc/php-fpm-guard/apt-pre-install-pkgs\n"
		"\n"
		"php8.2-fpm 8.2.36-1~deb12u1 amd64 same < 8.2.36-1~deb12u2 amd64 same /var/cache/apt/archives/php8.2-fpm_8.2.36-1~deb12u2_amd64.deb\n"
		"hello - - none < 2.10-3 amd64 same /tmp/hello.deb\n"
		"php8.2-fpm 8.2.36-1~deb12u1 amd64 same < 8.2.36-1~deb12u2 amd64 same **CONFIGURE**\n"
		"gone 1.0 all none > - - none **REMOVE**\n";
	struct hook_info hi;
	char *err = NULL;

	ck_assert_msg(hookinfo_parse(in, sizeof in - 1, &hi, &err) == 0, "%s", err);
	ck_assert_int_eq(hi.version, 3);
	ck_assert_int_eq(hi.force_confold, 1);
	ck_assert_int_eq(hi.force_confnew, 0);
	ck_assert_uint_eq(hi.n, 4);
	ck_assert_str_eq(hi.v[0].package, "php8.2-fpm");
	ck_assert_str_eq(hi.v[0].old_version, "8.2.36-1~deb12u1");
	ck_assert_str_eq(hi.v[0].new_version, "8.2.36-1~deb12u2");
	ck_assert_str_eq(hi.v[0].deb, "/var/cache/apt/archives/php8.2-fpm_8.2.36-1~deb12u2_amd64.deb");
	ck_assert_ptr_null(hi.v[1].old_version);
	ck_assert_int_eq(hi.v[2].configure, 1);
	ck_assert_ptr_null(hi.v[2].deb);
	ck_assert_int_eq(hi.v[3].remove, 1);
	ck_assert_ptr_null(hi.v[3].new_version);
	hookinfo_free(&hi);
}
END_TEST

START_TEST(test_hookinfo_percent_encoding)
{
	static const char in[] = "VERSION 3\nDPkg::Options::=--force-conf%6Eew\n\n";
	struct hook_info hi;
	char *err = NULL;

	ck_assert_int_eq(hookinfo_parse(in, sizeof in - 1, &hi, &err), 0);
	ck_assert_int_eq(hi.force_confnew, 1);
	hookinfo_free(&hi);
}
END_TEST

static const struct bad badinfo[] = {
	{ "version 1 (file names only)", "/var/cache/apt/archives/x.deb\n", "line 1: expected VERSION" },
	{ "version 2 action lines", "VERSION 2\n\nphp8.2-fpm 1 < 2 /x.deb\n", "protocol version 2" },
	{ "a short action line", "VERSION 3\n\nphp8.2-fpm 1 amd64 same < 2\n", "line 3: not a version 3" },
	{ "no input at all", "", "no input" },
	/* fuzz_hookinfo: atoi() read past a first line shorter than "VERSION " */
	{ "a first line shorter than VERSION", "V\n", "line 1: expected VERSION" },
};

START_TEST(test_hookinfo_refuses)
{
	const struct bad *b = &badinfo[_i];
	struct hook_info hi;
	char *err = NULL;

	ck_assert_msg(hookinfo_parse(b->text, strlen(b->text), &hi, &err) < 0, "%s: accepted", b->name);
	ck_assert_msg(err && strstr(err, b->err), "%s: %s", b->name, err ? err : "(null)");
	free(err);
}
END_TEST

int main(void)
{
	Suite *s = suite_create("dropin");
	TCase *tc = tcase_create("dropin");

	tcase_add_test(tc, test_render_parse_roundtrip);
	tcase_add_test(tc, test_set_replaces_case_insensitively);
	tcase_add_test(tc, test_prune_drops_gone_pools);
	tcase_add_loop_test(tc, test_refuses_what_is_not_ours, 0, (int)(sizeof bads / sizeof *bads));
	tcase_add_test(tc, test_hookinfo_v3);
	tcase_add_test(tc, test_hookinfo_percent_encoding);
	tcase_add_loop_test(tc, test_hookinfo_refuses, 0, (int)(sizeof badinfo / sizeof *badinfo));
	suite_add_tcase(s, tc);
	return fixture_run_suite(s);
}
