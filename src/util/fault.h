/*
 * fault: named kill points for the fault-injection tests.
 *
 * fault_point("after-rename") kills the process with SIGKILL when the
 * environment variable PHP_FPM_GUARD_FAULT names that point, so a test can
 * stop the guard exactly between two steps of a fix (no sleeps, no races)
 * and check that what is left on disk is whole.  Unset, it costs a getenv.
 */
#ifndef PFG_FAULT_H
#define PFG_FAULT_H
void fault_point(const char *name);
#endif
