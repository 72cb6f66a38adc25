#include "prove.h"
#include "../util/xalloc.h"

#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#define CHILD_FD 3	/* the child's only fd besides /dev/null on 0-2 */

/* glibc before 2.34 (bullseye's 2.31) has no close_range(); its kernel
 * headers (5.10) have the number (as in util/run.c). */
#ifndef SYS_close_range
#define SYS_close_range __NR_close_range
#endif

const char *prove_result_name(enum prove_result r)
{
	switch (r) {
	case PROVE_OK: return "connected";
	case PROVE_REFUSED: return "refused (no listener, permission passed)";
	case PROVE_DENIED: return "permission denied";
	case PROVE_ABSENT: return "no such socket";
	case PROVE_OTHER: return "error";
	case PROVE_CHANGED: return "not connected: the path is no longer the socket probed";
	case PROVE_STOPPED: return "not proven: the proof process was stopped (SIGSTOP) "
				   "and killed at its deadline";
	case PROVE_KILLED: return "not proven: the proof process was killed before it answered";
	case PROVE_TIMEOUT: return "not proven: the proof process did not answer by its "
				   "deadline and was killed";
	default: return "skipped";
	}
}

int prove_result_permits(enum prove_result r)
{
	return r == PROVE_OK || r == PROVE_REFUSED;
}

int prove_result_lost(enum prove_result r)
{
	return r == PROVE_STOPPED || r == PROVE_KILLED || r == PROVE_TIMEOUT;
}

/* connect() to the socket fd (O_PATH) is open on, not to a path. */
static int connect_fd(int fd)
{
	struct sockaddr_un sa;
	int s, rc;

	memset(&sa, 0, sizeof sa);
	sa.sun_family = AF_UNIX;
	snprintf(sa.sun_path, sizeof sa.sun_path, "/proc/self/fd/%d", fd);
	s = socket(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (s < 0)
		return errno;
	rc = connect(s, (struct sockaddr *)&sa, sizeof sa);
	rc = rc == 0 || errno == EINPROGRESS ? 0 : errno;
	close(s);
	return rc;
}

/* As the client: open the path without following it (search permission
 * is checked on the way), and connect only if it is the probed socket. */
static int try_connect(const struct prove_target *t)
{
	struct sockaddr_un sa;
	struct stat st;
	int fd, rc;

	if (strlen(t->path) >= sizeof sa.sun_path)
		return ENAMETOOLONG;
	fd = open(t->path, O_PATH | O_NOFOLLOW | O_CLOEXEC);
	if (fd < 0)
		return errno;
	if (fstat(fd, &st) < 0)
		rc = errno;
	else if (!S_ISSOCK(st.st_mode) || st.st_dev != t->dev || st.st_ino != t->ino)
		rc = ESTALE;
	else
		rc = connect_fd(fd);
	close(fd);
	return rc;
}

/* Keep the pipe (as CHILD_FD) and nothing else of the guard's: not its
 * lock, which a stopped child would otherwise hold after the guard. */
static int shed_fds(int wfd)
{
	int null;

	if (wfd != CHILD_FD && dup2(wfd, CHILD_FD) < 0)
		return -1;
	if (syscall(SYS_close_range, CHILD_FD + 1, ~0U, 0) < 0)
		return -1;
	if ((null = open("/dev/null", O_RDWR | O_CLOEXEC)) < 0)
		return -1;
	if (dup2(null, 0) < 0 || dup2(null, 1) < 0 || dup2(null, 2) < 0)
		return -1;
	close(null);
	return 0;
}

static _Noreturn void child(const struct account_user *u,
			    const struct prove_target *t, size_t n, int wfd)
{
	size_t i;

	if (shed_fds(wfd) < 0)
		_exit(5);
	if (setgroups(u->ngroups, u->groups) < 0 || setgid(u->gid) < 0 ||
	    setuid(u->uid) < 0 || (u->uid != 0 && setuid(0) == 0))
		_exit(3);
	for (i = 0; i < n; i++) {
		int e = try_connect(&t[i]);
		if (write(CHILD_FD, &e, sizeof e) != (ssize_t)sizeof e)
			_exit(4);
	}
	_exit(0);
}

static enum prove_result classify(int e)
{
	switch (e) {
	case 0:
	case EAGAIN:
		return PROVE_OK;
	case ECONNREFUSED:
		return PROVE_REFUSED;
	case EACCES:
	case EPERM:
		return PROVE_DENIED;
	case ENOENT:
	case ENOTDIR:
		return PROVE_ABSENT;
	case ENAMETOOLONG:
		return PROVE_SKIPPED;
	case ESTALE:
	case ELOOP:
		return PROVE_CHANGED;
	default:
		return PROVE_OTHER;
	}
}

static long ms_since(const struct timespec *t0)
{
	struct timespec now;

	clock_gettime(CLOCK_MONOTONIC, &now);
	return (now.tv_sec - t0->tv_sec) * 1000 + (now.tv_nsec - t0->tv_nsec) / 1000000;
}

/* The child's answers, until its deadline: how many; *eof when it closed
 * the pipe (it is exiting) rather than ran out of time. */
static size_t read_answers(int rfd, int *errs, size_t n, int *eof)
{
	size_t want = n * sizeof *errs, got = 0;
	struct timespec t0;
	ssize_t k;

	*eof = 0;
	clock_gettime(CLOCK_MONOTONIC, &t0);
	while (got < want) {
		struct pollfd p = { rfd, POLLIN, 0 };
		long left = PROVE_DEADLINE_MS - ms_since(&t0);
		int r;
		if (left <= 0)
			break;
		r = poll(&p, 1, (int)left);
		if (r < 0 && errno == EINTR)
			continue;
		if (r <= 0)
			break;
		k = read(rfd, (char *)errs + got, want - got);
		if (k < 0 && errno == EINTR)
			continue;
		if (k <= 0) {
			*eof = 1;
			break;
		}
		got += (size_t)k;
	}
	return got / sizeof *errs;
}

/* Reap the child, killing it first unless it has ended: what became of
 * it when it did not answer (PROVE_SKIPPED: it ended by itself). */
static enum prove_result reap(pid_t pid, int eof, int *sig)
{
	enum prove_result lost = PROVE_TIMEOUT;
	pid_t w;
	int st;

	*sig = 0;
	do
		w = waitpid(pid, &st, eof ? WUNTRACED : WNOHANG | WUNTRACED);
	while (w < 0 && errno == EINTR);
	if (w == pid && WIFSIGNALED(st)) {
		*sig = WTERMSIG(st);
		return PROVE_KILLED;
	}
	if (w == pid && !WIFSTOPPED(st))
		return PROVE_SKIPPED;
	if (w == pid) {
		*sig = WSTOPSIG(st);
		lost = PROVE_STOPPED;
	}
	kill(pid, SIGKILL);
	while (waitpid(pid, &st, 0) < 0 && errno == EINTR)
		;
	return lost;
}

void prove_connect(const struct account_user *u, const struct prove_target *t,
		   size_t n, enum prove_result *results, int *errs)
{
	enum prove_result lost;
	int pfd[2], eof, sig;
	size_t i, got;
	pid_t pid;

	for (i = 0; i < n; i++) {
		results[i] = PROVE_SKIPPED;
		errs[i] = 0;
	}
	if (n == 0 || geteuid() != 0)
		return;
	if (pipe2(pfd, O_CLOEXEC) < 0)
		return;
	pid = fork();
	if (pid < 0) {
		close(pfd[0]);
		close(pfd[1]);
		return;
	}
	if (pid == 0)
		child(u, t, n, pfd[1]);
	close(pfd[1]);
	got = read_answers(pfd[0], errs, n, &eof);
	close(pfd[0]);
	for (i = 0; i < got; i++)
		results[i] = classify(errs[i]);
	/* Answers in full: the child is on its way out; reap it all the same. */
	lost = reap(pid, eof || got == n, &sig);
	for (i = got; i < n; i++) {
		results[i] = lost;
		errs[i] = sig;
	}
}
