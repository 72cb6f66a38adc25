/*
 * run: execute a program without a shell and capture what it prints.
 *
 * The child gets stdin /dev/null, stdout and stderr the capture pipe
 * (bounded), no other descriptor of ours (close_range after the dup2s:
 * not the lock, not APT_HOOK_INFO_FD, not a memfd), a process group of
 * its own, and a fixed environment: RUN_ENV_BASE, plus what the caller
 * names (run_spec.env), never the guard's own.  A hook must never hang on
 * a child: at the deadline the whole group is killed with SIGKILL (a
 * stopped child too), and once the child itself has ended the run does
 * not wait for a grandchild that still holds the pipe -- what is left of
 * its group is killed, and one that left the group is abandoned.
 */
#ifndef PFG_RUN_H
#define PFG_RUN_H

#include <stddef.h>

#define RUN_MAX_OUTPUT ((size_t)1 << 20)
#define RUN_MAX_PASS 8
#define RUN_PATH "/usr/sbin:/usr/bin:/sbin:/bin"

/* The status word: an exit code 0..255, RUN_SIGNALED(sig) for a child a
 * signal killed, RUN_DEADLINE for one we killed at the deadline.  Every
 * value but 0 is a failure, so "status != 0" stays the test for it. */
#define RUN_SIGNAL_BASE 256
#define RUN_SIGNALED(sig) (RUN_SIGNAL_BASE + (sig))
#define RUN_DEADLINE 1024

struct run_spec {
	char *const *argv;	/* argv[0] an absolute path: no PATH search */
	int timeout_ms;
	size_t max;		/* output bound; 0: RUN_MAX_OUTPUT */
	/* "NAME=value" entries added to RUN_ENV_BASE; names the loader or
	 * libc act on (LD_*, GCONV_PATH, ...) are dropped. */
	const char *const *env;
	size_t nenv;
	/* Descriptors the child gets as 3, 4, ... (in this order), at most
	 * RUN_MAX_PASS. */
	const int *pass;
	size_t npass;
};

/* Returns 0 when the program ran: *out is what it printed (NUL-ended,
 * caller frees), *status as above.  -1 when it could not be started
 * (errno set; *out untouched). */
int run_spec_capture(const struct run_spec *s, char **out, int *status);

/* The same with the base environment, no descriptors passed, and
 * RUN_MAX_OUTPUT / max as the bound (what is over it is drained and
 * dropped). */
int run_capture(char *const argv[], int timeout_ms, char **out, int *status);
int run_capture_max(char *const argv[], int timeout_ms, size_t max, char **out,
		    int *status);

/* The status in words for a message: "exit 3", "killed by signal 9",
 * "killed at the 60 s deadline" (timeout_ms says which).  Written into
 * buf (64 bytes is enough), which is returned. */
const char *run_status_text(int status, int timeout_ms, char *buf, size_t len);

#endif
