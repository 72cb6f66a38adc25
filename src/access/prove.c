#include "prove.h"
#include "../util/xalloc.h"

#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <unistd.h>

const char *prove_result_name(enum prove_result r)
{
	switch (r) {
	case PROVE_OK: return "connected";
	case PROVE_REFUSED: return "refused (no listener, permission passed)";
	case PROVE_DENIED: return "permission denied";
	case PROVE_ABSENT: return "no such socket";
	case PROVE_OTHER: return "error";
	default: return "skipped";
	}
}

int prove_result_permits(enum prove_result r)
{
	return r == PROVE_OK || r == PROVE_REFUSED;
}

static int try_connect(const char *path)
{
	struct sockaddr_un sa;
	int fd, rc;

	memset(&sa, 0, sizeof sa);
	sa.sun_family = AF_UNIX;
	if (strlen(path) >= sizeof sa.sun_path)
		return ENAMETOOLONG;
	memcpy(sa.sun_path, path, strlen(path));
	fd = socket(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return errno;
	rc = connect(fd, (struct sockaddr *)&sa, sizeof sa);
	rc = rc == 0 || errno == EINPROGRESS ? 0 : errno;
	close(fd);
	return rc;
}

static _Noreturn void child(const struct account_user *u,
			    const char *const *paths, size_t n, int wfd)
{
	size_t i;

	if (setgroups(u->ngroups, u->groups) < 0 || setgid(u->gid) < 0 ||
	    setuid(u->uid) < 0 || (u->uid != 0 && setuid(0) == 0))
		_exit(3);
	for (i = 0; i < n; i++) {
		int e = try_connect(paths[i]);
		if (write(wfd, &e, sizeof e) != (ssize_t)sizeof e)
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
	default:
		return PROVE_OTHER;
	}
}

void prove_connect(const struct account_user *u, const char *const *paths,
		   size_t n, enum prove_result *results, int *errs)
{
	int pfd[2], status;
	size_t i;
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
	if (pid == 0) {
		close(pfd[0]);
		child(u, paths, n, pfd[1]);
	}
	close(pfd[1]);
	for (i = 0; i < n; i++) {
		int e;
		ssize_t got;
		do
			got = read(pfd[0], &e, sizeof e);
		while (got < 0 && errno == EINTR);
		if (got != (ssize_t)sizeof e)
			break;
		errs[i] = e;
		results[i] = classify(e);
	}
	close(pfd[0]);
	while (waitpid(pid, &status, 0) < 0 && errno == EINTR)
		;
}
