/* Temporary fixture roots for unit tests: a directory tree that the code
 * under test reads through --root semantics. */
#ifndef PFG_TEST_FIXTURE_H
#define PFG_TEST_FIXTURE_H

#include <check.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static inline char *fixture_root(void)
{
	char tmpl[] = "/tmp/pfg-unit-XXXXXX";
	char *d = mkdtemp(tmpl);

	ck_assert_ptr_nonnull(d);
	return strdup(d);
}

/* Write root/rel (creating directories) with content. */
static inline void fixture_write(const char *root, const char *rel,
				 const char *content)
{
	char path[4096], *p;
	FILE *f;

	snprintf(path, sizeof path, "%s/%s", root, rel[0] == '/' ? rel + 1 : rel);
	for (p = path + strlen(root) + 1; (p = strchr(p, '/')) != NULL; p++) {
		*p = '\0';
		mkdir(path, 0755);
		*p = '/';
	}
	f = fopen(path, "w");
	ck_assert_msg(f != NULL, "cannot write %s", path);
	fputs(content, f);
	fclose(f);
}

static inline void fixture_rm(char *root)
{
	char cmd[4200];

	snprintf(cmd, sizeof cmd, "rm -rf '%s'", root);
	if (system(cmd) != 0)
		fprintf(stderr, "cannot remove %s\n", root);
	free(root);
}

/* main() of every unit test binary: run the suite, exit non-zero on failure. */
static inline int fixture_run_suite(Suite *s)
{
	SRunner *sr = srunner_create(s);
	int failed;

	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}

#endif
