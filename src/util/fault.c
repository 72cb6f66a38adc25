#include "fault.h"

#include <signal.h>
#include <stdlib.h>
#include <string.h>

#define STOP_PREFIX "stop:"

void fault_point(const char *name)
{
	const char *want = getenv("PHP_FPM_GUARD_FAULT");

	if (want == NULL)
		return;
	if (strcmp(want, name) == 0) {
		raise(SIGKILL);
	} else if (strncmp(want, STOP_PREFIX, strlen(STOP_PREFIX)) == 0 &&
		   strcmp(want + strlen(STOP_PREFIX), name) == 0) {
		/* The test changes the world while we stand still, then sends
		 * SIGCONT: a race made deterministic. */
		raise(SIGSTOP);
	}
}
