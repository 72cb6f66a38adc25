/*
 * verdict: can a client connect -- yes, no, or not known (nothing to
 * judge: no socket and no valid config).  Shared by host/ (which judges)
 * and the pure snapshot and diff; plain types only.
 */
#ifndef PFG_VERDICT_H
#define PFG_VERDICT_H

enum verdict { V_UNKNOWN = -1, V_DENIED = 0, V_ALLOWED = 1 };

#endif
