#include "outcome.h"

#include <string.h>

static const char *const result_names[RES_NRESULTS] = {
	[RES_OK] = "ok", [RES_REPORTED] = "reported", [RES_FIXED] = "fixed",
	[RES_PINNED] = "pinned", [RES_DEFERRED] = "deferred",
	[RES_ABORTED] = "aborted", [RES_FIX_FAILED] = "fix-failed",
	[RES_CARRIED] = "carried",
};

/* The array order is the severity order. */
static const char *const verdict_names[RV_NVERDICTS] = {
	[RV_OK] = "ok", [RV_FIXED] = "fixed", [RV_ABORTED] = "aborted", [RV_ERROR] = "error",
};

const char *result_name(enum result r)
{
	return (unsigned)r < RES_NRESULTS ? result_names[r] : "error";
}

int result_parse(const char *name)
{
	int i;

	for (i = 0; i < RES_NRESULTS; i++)
		if (strcmp(name, result_names[i]) == 0)
			return i;
	return -1;
}

const char *run_verdict_name(enum run_verdict v)
{
	return (unsigned)v < RV_NVERDICTS ? verdict_names[v] : "error";
}

int run_verdict_parse(const char *name)
{
	int i;

	for (i = 0; i < RV_NVERDICTS; i++)
		if (strcmp(name, verdict_names[i]) == 0)
			return i;
	return -1;
}

enum run_verdict result_verdict(enum result r, int is_error)
{
	switch (r) {
	case RES_OK:
		return RV_OK;
	case RES_FIXED:
	case RES_PINNED:
	case RES_CARRIED:
		return RV_FIXED;
	case RES_ABORTED:
		return RV_ABORTED;
	case RES_REPORTED:
		return is_error ? RV_ERROR : RV_OK;
	default:
		return RV_ERROR;
	}
}

enum run_verdict run_verdict_worse(enum run_verdict a, enum run_verdict b)
{
	return a > b ? a : b;
}

enum result run_outcome(int failed, int aborted, int fixed, int any)
{
	return failed ? RES_FIX_FAILED : aborted ? RES_ABORTED : fixed ? RES_FIXED
	       : any ? RES_REPORTED : RES_OK;
}
