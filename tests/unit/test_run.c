/*
 * run: a child under a deadline -- killed with its whole group when it
 * overruns (also when it closed its stdout, or stopped itself), not waited
 * for once it ended while a grandchild still holds the pipe; a fixed
 * environment; no descriptor of ours but the ones passed; a status that
 * says which of these happened.  Short deadlines keep it fast.
 */
#include "fixture.h"
#include "util/run.h"

#include <fcntl.h>
#include <signal.h>
#include <sys/mman.h>
#include <time.h>

static long ms_now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1000L + ts.tv_nsec / 1000000L;
}

/* sh -c SCRIPT under timeout_ms; the output in *out, its time returned. */
static long sh(const char *script, int timeout_ms, char **out, int *status)
{
	char *argv[] = { "/bin/sh", "-c", (char *)script, NULL };
	long t0 = ms_now();

	ck_assert_int_eq(run_capture(argv, timeout_ms, out, status), 0);
	return ms_now() - t0;
}

/* Does the pid exist and not as a zombie (its reaper may be slow)? */
static int running(int pid)
{
	char path[64], buf[256], *p;
	FILE *f;
	size_t n;

	snprintf(path, sizeof path, "/proc/%d/stat", pid);
	if ((f = fopen(path, "r")) == NULL)
		return 0;
	n = fread(buf, 1, sizeof buf - 1, f);
	fclose(f);
	buf[n] = '\0';
	p = strrchr(buf, ')');
	return p && p[1] == ' ' && p[2] != 'Z' && p[2] != 'X';
}

/* Is the pid written in out still there (after a moment for the kill)? */
static int alive(const char *out)
{
	int pid = atoi(out), i;

	ck_assert_int_gt(pid, 1);
	for (i = 0; i < 40; i++) {
		if (!running(pid))
			return 0;
		usleep(25000);
	}
	kill(pid, SIGKILL);
	return 1;
}

static const struct {
	const char *script;
	int status;
	const char *text;
} rows[] = {
	{ "echo hi; exit 3", 3, "exit 3" },
	{ "kill -TERM $$", RUN_SIGNALED(SIGTERM), "killed by signal 15" },
	{ "sleep 30", RUN_DEADLINE, "killed at the 1 s deadline" },
	{ "exec >&- 2>&-; sleep 30", RUN_DEADLINE, "killed at the 1 s deadline" },
	{ "kill -STOP $$", RUN_DEADLINE, "killed at the 1 s deadline" },
};

START_TEST(test_status)
{
	char *out, buf[96];
	int st;
	long took = sh(rows[_i].script, 300, &out, &st);

	ck_assert_int_eq(st, rows[_i].status);
	ck_assert_msg(took < 3000, "took %ld ms", took);
	ck_assert_msg(strstr(run_status_text(st, 300, buf, sizeof buf), rows[_i].text) != NULL,
		      "'%s' for %s", buf, rows[_i].script);
	free(out);
}
END_TEST

/* The deadline takes the child's whole group, grandchildren included. */
START_TEST(test_deadline_kills_group)
{
	char *out;
	int st;

	sh("sleep 30 & echo $!; wait", 300, &out, &st);
	ck_assert_int_eq(st, RUN_DEADLINE);
	ck_assert_msg(!alive(out), "the grandchild outlived the deadline");
	free(out);
}
END_TEST

/* The child is done; its grandchildren hold the pipe: not waited for.
 * The one in its group is killed, the one that left it is let go. */
START_TEST(test_grandchild_holding_pipe)
{
	char *out;
	int st;
	long took = sh("sleep 30 & echo $!; exit 0", 5000, &out, &st);

	ck_assert_int_eq(st, 0);
	ck_assert_msg(took < 2000, "waited %ld ms for a grandchild", took);
	ck_assert_msg(!alive(out), "the grandchild in the group lives on");
	free(out);
	took = sh("setsid sleep 30 & echo ok; exit 0", 5000, &out, &st);
	ck_assert_msg(took < 2000, "waited %ld ms for a grandchild", took);
	ck_assert_str_eq(out, "ok\n");
	free(out);
}
END_TEST

START_TEST(test_env_fixed)
{
	char *out;
	int st;

	setenv("PFG_PLANTED", "x", 1);
	setenv("LD_PRELOAD", "/nonexistent/pfg.so", 1);
	sh("tr '\\0' '\\n' < /proc/$$/environ | LC_ALL=C sort", 2000, &out, &st);
	unsetenv("LD_PRELOAD");
	unsetenv("PFG_PLANTED");
	ck_assert_int_eq(st, 0);
	ck_assert_str_eq(out, "LANG=C\nLC_ALL=C\nPATH=" RUN_PATH "\n");
	free(out);
}
END_TEST

/* Extra entries pass; the loader's and libc's names never do. */
START_TEST(test_env_extra)
{
	const char *env[] = { "POOLDIR=/srv", "LD_PRELOAD=/x.so", "GCONV_PATH=/x", "PATH=/evil",
			      "1BAD=x", "NOEQUALS" };
	char *argv[] = { "/bin/sh", "-c", "tr '\\0' '\\n' < /proc/$$/environ | LC_ALL=C sort",
			 NULL };
	struct run_spec rs;
	char *out;
	int st;

	memset(&rs, 0, sizeof rs);
	rs.argv = argv;
	rs.timeout_ms = 2000;
	rs.env = env;
	rs.nenv = sizeof env / sizeof *env;
	ck_assert_int_eq(run_spec_capture(&rs, &out, &st), 0);
	ck_assert_str_eq(out, "LANG=C\nLC_ALL=C\nPATH=" RUN_PATH "\nPOOLDIR=/srv\n");
	free(out);
}
END_TEST

/* No descriptor of ours, with or without FD_CLOEXEC, but those passed
 * (as 3, 4, ... in order). */
START_TEST(test_fds)
{
	char *argv[] = { "/bin/sh", "-c", "ls -l /proc/self/fd; cat <&3; cat <&4", NULL };
	int leak = memfd_create("pfg-leak", 0), leak2 = memfd_create("pfg-leak", MFD_CLOEXEC);
	int p1[2], p2[2], pass[2];
	struct run_spec rs;
	char *out;
	int st;

	ck_assert_int_ge(leak, 0);
	ck_assert_int_ge(leak2, 0);
	ck_assert_int_eq(pipe(p1), 0);
	ck_assert_int_eq(pipe(p2), 0);
	ck_assert_int_eq(write(p1[1], "one\n", 4), 4);
	ck_assert_int_eq(write(p2[1], "two\n", 4), 4);
	close(p1[1]);
	close(p2[1]);
	pass[0] = p2[0];	/* crossed on purpose: the order is the caller's */
	pass[1] = p1[0];
	memset(&rs, 0, sizeof rs);
	rs.argv = argv;
	rs.timeout_ms = 2000;
	rs.pass = pass;
	rs.npass = 2;
	ck_assert_int_eq(run_spec_capture(&rs, &out, &st), 0);
	ck_assert_int_eq(st, 0);
	ck_assert_msg(strstr(out, "pfg-leak") == NULL, "a descriptor leaked: %s", out);
	ck_assert_msg(strstr(out, "two\none\n") != NULL, "passed fds: %s", out);
	free(out);
	close(p1[0]);
	close(p2[0]);
	close(leak);
	close(leak2);
}
END_TEST

static Suite *suite(void)
{
	Suite *s = suite_create("run");
	TCase *tc = tcase_create("run");

	tcase_set_timeout(tc, 30);
	tcase_add_loop_test(tc, test_status, 0, (int)(sizeof rows / sizeof *rows));
	tcase_add_test(tc, test_deadline_kills_group);
	tcase_add_test(tc, test_grandchild_holding_pipe);
	tcase_add_test(tc, test_env_fixed);
	tcase_add_test(tc, test_env_extra);
	tcase_add_test(tc, test_fds);
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	return fixture_run_suite(suite());
}
