/*
 * fault: named fault points for the fault-injection tests.
 *
 * fault_point("after-rename") acts when the environment variable
 * PHP_FPM_GUARD_FAULT names that point:
 *   NAME        SIGKILL: the guard dies exactly between two steps of a fix
 *               (no sleeps, no races), and a test checks that what is left
 *               on disk is whole;
 *   stop:NAME   SIGSTOP: the guard halts there until SIGCONT, so a test
 *               can swap a file or socket under it (a race, made
 *               deterministic) and check that nothing wrong is touched.
 * Unset, it costs a getenv.  Neither changes what the guard decides; both
 * only stop it.
 */
#ifndef PFG_FAULT_H
#define PFG_FAULT_H
void fault_point(const char *name);
#endif
