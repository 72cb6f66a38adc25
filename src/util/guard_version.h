/* The guard's own version, recorded in every snapshot and report.  Kept in
 * step with debian/changelog (tests/cli checks that they agree). */
#ifndef PFG_GUARD_VERSION_H
#define PFG_GUARD_VERSION_H
#define PFG_VERSION "0.3.0"
#endif
