/*
 * libFuzzer target: the Apache reader (src/webservers/apache.c) on hostile
 * bytes, through the real file system path (rootfs, rootglob), as the
 * guard meets /etc/apache2 in a --root image: envvars, Define and
 * ${VAR}, <IfModule>/<IfDefine>/<IfFile>, Include/IncludeOptional, the
 * proxy directives.
 *
 * The input's first byte: bit 0 also parses the rest of the input as
 * `apache2ctl -t -D DUMP_INCLUDES -D DUMP_RUN_CFG` output and, when it is
 * one, checks the walk against it.  The rest is up to SLOTS files
 * separated by a line "#@@": apache2.conf first, then envvars and the
 * files Debian's layout includes, so fuzzed includes, globs, loops and
 * nesting reach each other but nothing of the host.
 */
#include "fuzzroot.h"
#include "fuzzws.h"

#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define SEP "\n#@@\n"
static const char *const slots[] = {
	"/etc/apache2/apache2.conf", "/etc/apache2/envvars", "/etc/apache2/ports.conf",
	"/etc/apache2/mods-enabled/a.load", "/etc/apache2/mods-enabled/a.conf",
	"/etc/apache2/conf-enabled/a.conf", "/etc/apache2/sites-enabled/a.conf",
	"/etc/apache2/sites-enabled/b.conf",
};
#define SLOTS (sizeof slots / sizeof *slots)

static int parse_ctl(const uint8_t *data, size_t size, struct ws_apache_dump *d)
{
	char *out = strndup((const char *)data, size);
	int rc;

	if (out == NULL)
		abort();
	rc = ws_apache_parse_dump(out, d);
	free(out);
	if (rc < 0 && (d->nfiles || d->files || d->user || d->server_root))
		abort();	/* a refused dump leaves d empty */
	return rc;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct fuzz_slice sl[SLOTS];
	struct ws_apache_dump d;
	struct ws_config c;
	int have = 0;

	if (size == 0)
		return 0;
	fuzz_root_setup(slots, SLOTS);
	fuzz_root_fill(slots, SLOTS, SEP, data + 1, size - 1, sl);
	memset(&d, 0, sizeof d);
	if (data[0] & 1)
		have = parse_ctl(data + 1, size - 1, &d) == 0;
	memset(&c, 0, sizeof c);
	ws_apache_walk(&fuzz_root, have ? &d : NULL, &c);
	fuzz_ws_check(&c);
	webservers_free(&c);
	ws_apache_dump_free(&d);
	return 0;
}
