#include "run.h"
#include "xalloc.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

/* glibc before 2.34 (bullseye's 2.31) names no SYS_close_range; its
 * kernel headers (5.10) have the number. */
#ifndef SYS_close_range
#define SYS_close_range __NR_close_range
#endif

static const char *const env_base[] = { ("PATH=" RUN_PATH), "LANG=C", "LC_ALL=C" };
#define NBASE (sizeof env_base / sizeof env_base[0])

static long now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1000L + ts.tv_nsec / 1000000L;
}

/* Names the dynamic loader, libc or a shell act on: never handed on,
 * whatever a config refers to. */
static int env_name_ok(const char *e, size_t n)
{
	static const char *const prefixes[] = { "LD_", "GCONV_", "GLIBC_", "MALLOC_" };
	static const char *const names[] = {
		"PATH", "LANG", "LC_ALL", "LOCPATH", "NLSPATH", "HOSTALIASES",
		"RES_OPTIONS", "LOCALDOMAIN", "TZDIR", "BASH_ENV", "ENV", "IFS",
		"SHELLOPTS", "PHPRC", "PHP_INI_SCAN_DIR"
	};
	size_t i;

	if (n == 0 || !(e[0] == '_' || ((e[0] | 0x20) >= 'a' && (e[0] | 0x20) <= 'z')))
		return 0;
	for (i = 1; i < n; i++)
		if (!(e[i] == '_' || (e[i] >= '0' && e[i] <= '9') ||
		      ((e[i] | 0x20) >= 'a' && (e[i] | 0x20) <= 'z')))
			return 0;
	for (i = 0; i < sizeof prefixes / sizeof prefixes[0]; i++)
		if (strncmp(e, prefixes[i], strlen(prefixes[i])) == 0)
			return 0;
	for (i = 0; i < sizeof names / sizeof names[0]; i++)
		if (strlen(names[i]) == n && strncmp(e, names[i], n) == 0)
			return 0;
	return 1;
}

/* The child's whole environment, built before fork (no malloc after). */
static char **child_env(const struct run_spec *s)
{
	char **env = xcalloc(NBASE + s->nenv + 1, sizeof *env);
	size_t i, n = 0;

	for (i = 0; i < NBASE; i++)
		env[n++] = (char *)env_base[i];
	for (i = 0; i < s->nenv; i++) {
		const char *eq = strchr(s->env[i], '=');
		if (eq && env_name_ok(s->env[i], (size_t)(eq - s->env[i])))
			env[n++] = (char *)s->env[i];
	}
	env[n] = NULL;
	return env;
}

static void close_from(int lowfd)
{
	struct rlimit rl;
	int fd, max = 65536;

	if (syscall(SYS_close_range, (unsigned)lowfd, ~0U, 0) == 0)
		return;
	/* Kernels before 5.9: every possible descriptor. */
	if (getrlimit(RLIMIT_NOFILE, &rl) == 0 && rl.rlim_cur != RLIM_INFINITY &&
	    rl.rlim_cur < 1048576)
		max = (int)rl.rlim_cur;
	for (fd = lowfd; fd < max; fd++)
		close(fd);
}

/*
 * In the child, between fork and exec: only async-signal-safe calls.
 * Every descriptor it keeps is first moved above the target range, so
 * that no dup2 lands on a source still needed (and each new one lacks
 * FD_CLOEXEC); then everything from 3 + npass up is closed.
 */
static _Noreturn void child_exec(const struct run_spec *s, int wfd, char **env)
{
	int top = 3 + (int)s->npass, nul, out, moved[RUN_MAX_PASS];
	sigset_t none;
	size_t i;

	setpgid(0, 0);
	sigemptyset(&none);
	sigprocmask(SIG_SETMASK, &none, NULL);
	signal(SIGPIPE, SIG_DFL);
	if ((nul = open("/dev/null", O_RDONLY)) < 0 || (nul = fcntl(nul, F_DUPFD, top)) < 0 ||
	    (out = fcntl(wfd, F_DUPFD, top)) < 0)
		_exit(127);
	for (i = 0; i < s->npass; i++)
		if ((moved[i] = fcntl(s->pass[i], F_DUPFD, top)) < 0)
			_exit(127);
	for (i = 0; i < s->npass; i++)
		if (dup2(moved[i], 3 + (int)i) < 0)
			_exit(127);
	if (dup2(nul, 0) < 0 || dup2(out, 1) < 0 || dup2(out, 2) < 0)
		_exit(127);
	close_from(top);
	execve(s->argv[0], s->argv, env);
	_exit(127);
}

struct capture {
	char *buf;
	size_t len, cap, max;
	int open;		/* the pipe has not reached EOF */
};

/* One read from the pipe into c; what is over the bound is dropped. */
static void capture_read(struct capture *c, int fd)
{
	char sink[4096];
	ssize_t n;

	if (c->len + 1 >= c->cap && c->cap < c->max + 2) {
		c->cap *= 2;
		c->buf = xreallocarray(c->buf, c->cap, 1);
	}
	if (c->len + 1 >= c->cap) {
		n = read(fd, sink, sizeof sink);
	} else {
		n = read(fd, c->buf + c->len, c->cap - c->len - 1);
		if (n > 0)
			c->len += (size_t)n;
	}
	if (n == 0 || (n < 0 && errno != EINTR && errno != EAGAIN))
		c->open = 0;
}

static int child_ended(int pidfd, pid_t pid, short revents)
{
	siginfo_t si;

	if (pidfd >= 0)
		return (revents & POLLIN) != 0;
	/* No pidfd (kernel < 5.3): ask, without reaping, so that the pid
	 * and its group stay ours until the kill below. */
	memset(&si, 0, sizeof si);
	return waitid(P_PID, (id_t)pid, &si, WEXITED | WNOHANG | WNOWAIT) == 0 &&
	       si.si_pid == pid;
}

/*
 * Read until the child ends or the deadline passes; an EOF alone is not
 * the end (a child may close stdout and go on).  After the child's end,
 * only what is already in the pipe is taken.  Returns 1 at the deadline.
 */
static int capture_until_end(struct capture *c, int rfd, pid_t pid, long deadline)
{
	int pidfd = (int)syscall(SYS_pidfd_open, pid, 0), ended = 0, late = 0;

	while (c->open || !ended) {
		struct pollfd p[2] = { { c->open ? rfd : -1, POLLIN, 0 }, { pidfd, POLLIN, 0 } };
		long left = deadline - now_ms();
		int n, wait_ms = ended ? 0 : pidfd < 0 && left > 100 ? 100 : (int)left;
		if (left <= 0) {	/* also bounds a drain someone keeps filling */
			late = !ended;
			break;
		}
		n = poll(p, 2, wait_ms < 0 ? 0 : wait_ms);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0 || (ended && (n == 0 || !(p[0].revents & (POLLIN | POLLHUP)))))
			break;
		if (p[0].revents)
			capture_read(c, rfd);
		if (!ended && child_ended(pidfd, pid, p[1].revents)) {
			ended = 1;
			kill(-pid, SIGKILL);	/* what is left of its group */
		}
	}
	if (pidfd >= 0)
		close(pidfd);
	return late;
}

static int reap(pid_t pid, int late)
{
	int st;

	while (waitpid(pid, &st, 0) < 0)
		if (errno != EINTR)
			return RUN_SIGNALED(SIGKILL);
	if (WIFEXITED(st))
		return WEXITSTATUS(st);
	if (late && WTERMSIG(st) == SIGKILL)
		return RUN_DEADLINE;
	return RUN_SIGNALED(WTERMSIG(st));
}

int run_spec_capture(const struct run_spec *s, char **outp, int *status)
{
	struct capture c = { NULL, 0, 4096, s->max ? s->max : RUN_MAX_OUTPUT, 1 };
	long deadline = now_ms() + s->timeout_ms;
	char **env = child_env(s);
	int pfd[2], e, late;
	pid_t pid;

	if (s->npass > RUN_MAX_PASS) {
		free(env);
		errno = EINVAL;
		return -1;
	}
	if (pipe2(pfd, O_CLOEXEC) < 0) {
		free(env);
		return -1;
	}
	pid = fork();
	if (pid < 0) {
		e = errno;
		close(pfd[0]);
		close(pfd[1]);
		free(env);
		errno = e;
		return -1;
	}
	if (pid == 0)
		child_exec(s, pfd[1], env);
	setpgid(pid, pid);	/* also here: no kill may miss the group */
	free(env);
	close(pfd[1]);
	fcntl(pfd[0], F_SETFL, O_NONBLOCK);
	c.buf = xmalloc(c.cap);
	late = capture_until_end(&c, pfd[0], pid, deadline);
	if (late) {
		kill(-pid, SIGKILL);
		kill(pid, SIGKILL);
	}
	close(pfd[0]);
	c.buf[c.len] = '\0';
	*status = reap(pid, late);
	*outp = c.buf;
	return 0;
}

int run_capture(char *const argv[], int timeout_ms, char **outp, int *status)
{
	return run_capture_max(argv, timeout_ms, RUN_MAX_OUTPUT, outp, status);
}

int run_capture_max(char *const argv[], int timeout_ms, size_t max, char **outp,
		    int *status)
{
	struct run_spec s;

	memset(&s, 0, sizeof s);
	s.argv = argv;
	s.timeout_ms = timeout_ms;
	s.max = max;
	return run_spec_capture(&s, outp, status);
}

const char *run_status_text(int status, int timeout_ms, char *buf, size_t len)
{
	if (status == RUN_DEADLINE)
		snprintf(buf, len, "killed at the %d s deadline", (timeout_ms + 999) / 1000);
	else if (status >= RUN_SIGNAL_BASE)
		snprintf(buf, len, "killed by signal %d (%s)", status - RUN_SIGNAL_BASE,
			 strsignal(status - RUN_SIGNAL_BASE));
	else
		snprintf(buf, len, "exit %d", status);
	return buf;
}
