/*
 * run: execute a program without a shell and capture what it prints.
 *
 * stdin is /dev/null, stdout and stderr are captured together (bounded),
 * the environment is the caller's.  A program still running after
 * timeout_ms is killed: a hook must never hang on a child.
 */
#ifndef PFG_RUN_H
#define PFG_RUN_H

#include <stddef.h>

#define RUN_MAX_OUTPUT ((size_t)1 << 20)

/* Returns 0 when the program ran and *status is its exit code (128+sig
 * when killed); -1 when it could not be started (errno set). */
int run_capture(char *const argv[], int timeout_ms, char **out, int *status);
/* The same with another bound than RUN_MAX_OUTPUT (what is over it is
 * drained and dropped). */
int run_capture_max(char *const argv[], int timeout_ms, size_t max, char **out,
		    int *status);

#endif
