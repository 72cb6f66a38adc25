#include "run.h"
#include "xalloc.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

static long now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1000L + ts.tv_nsec / 1000000L;
}

int run_capture(char *const argv[], int timeout_ms, char **outp, int *status)
{
	return run_capture_max(argv, timeout_ms, RUN_MAX_OUTPUT, outp, status);
}

int run_capture_max(char *const argv[], int timeout_ms, size_t max, char **outp,
		    int *status)
{
	int pfd[2], st, e;
	size_t len = 0, cap = 4096;
	char *out;
	long deadline = now_ms() + timeout_ms;
	pid_t pid;

	if (pipe2(pfd, O_CLOEXEC) < 0)
		return -1;
	pid = fork();
	if (pid < 0) {
		e = errno;
		close(pfd[0]);
		close(pfd[1]);
		errno = e;
		return -1;
	}
	if (pid == 0) {
		int nul = open("/dev/null", O_RDONLY | O_CLOEXEC);
		if (nul < 0 || dup2(nul, 0) < 0 || dup2(pfd[1], 1) < 0 ||
		    dup2(pfd[1], 2) < 0)
			_exit(127);
		execv(argv[0], argv);
		_exit(127);
	}
	close(pfd[1]);
	out = xmalloc(cap);
	for (;;) {
		struct pollfd p = { pfd[0], POLLIN, 0 };
		long left = deadline - now_ms();
		ssize_t n;
		if (left <= 0) {
			kill(pid, SIGKILL);
			break;
		}
		if (poll(&p, 1, (int)left) < 0) {
			if (errno == EINTR)
				continue;
			break;
		}
		if (p.revents == 0)
			continue;
		if (len + 1 >= cap && cap < max + 2) {
			cap *= 2;
			out = xreallocarray(out, cap, 1);
		}
		if (len + 1 >= cap) {
			char sink[4096];	/* over the bound: drain, keep nothing */
			n = read(pfd[0], sink, sizeof sink);
		} else {
			n = read(pfd[0], out + len, cap - len - 1);
			if (n > 0)
				len += (size_t)n;
		}
		if (n == 0)
			break;
		if (n < 0 && errno != EINTR)
			break;
	}
	close(pfd[0]);
	out[len] = '\0';
	while (waitpid(pid, &st, 0) < 0) {
		if (errno != EINTR) {
			st = 0;
			break;
		}
	}
	*status = WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st);
	*outp = out;
	return 0;
}
