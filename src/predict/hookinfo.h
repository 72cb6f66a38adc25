/*
 * hookinfo: what APT tells a DPkg::Pre-Install-Pkgs hook, protocol version
 * 3 (apt.conf(5)): a "VERSION 3" line, APT's configuration as key=value
 * lines (%-encoded) up to a blank line, then one line per package action:
 *
 *   NAME OLDVER OLDARCH OLDMA DIR NEWVER NEWARCH NEWMA ACTION
 *
 * versions "-" when absent, DIR one of < > =, ACTION a .deb path,
 * "**CONFIGURE**" or "**REMOVE**".  hookinfo_parse is pure parsing of a
 * buffer; hookinfo_read gets the buffer from APT.
 */
#ifndef PFG_HOOKINFO_H
#define PFG_HOOKINFO_H

#include <stddef.h>

struct hook_action {
	char *package;
	char *old_version;	/* NULL: not installed before */
	char *new_version;	/* NULL: being removed */
	char *deb;		/* the .deb being unpacked, or NULL */
	int configure, remove;
};

struct hook_info {
	int version;
	struct hook_action *v;
	size_t n;
	/* From the configuration lines: how dpkg will treat conffiles. */
	int force_confold, force_confnew, force_confdef;
};

/* 0, or -1 with *err naming the line.  Unknown config keys are ignored. */
int hookinfo_parse(const char *buf, size_t len, struct hook_info *hi, char **err);
void hookinfo_free(struct hook_info *hi);

#define HOOKINFO_MAX ((size_t)16 << 20)

/*
 * APT's stream: from file when it is not NULL, else from the descriptor
 * APT_HOOK_INFO_FD names (a number above 2; anything else is an error,
 * never stdin).  That descriptor is read to its end and closed, so no
 * child of the guard inherits it.  Returns the NUL-terminated text
 * (caller frees) and *len, or NULL with *err; at most HOOKINFO_MAX bytes.
 */
char *hookinfo_read(const char *file, size_t *len, char **err);

#endif
