#include "discover.h"
#include "../util/run.h"
#include "../util/xalloc.h"

#include <glob.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static char *binary_if_present(const struct rootfs *r, const char *path)
{
	struct stat st;

	if (rootfs_stat(r, path, &st) == 0 && S_ISREG(st.st_mode) &&
	    (st.st_mode & 0111))
		return xstrdup(path);
	return NULL;
}

void discover_from_config(const struct rootfs *r, const char *config,
			  struct instance_loc *out)
{
	char ver[32];

	memset(out, 0, sizeof *out);
	out->config = xstrdup(config);
	if (strcmp(config, "/etc/php5/fpm/php-fpm.conf") == 0) {
		out->binary = binary_if_present(r, "/usr/sbin/php5-fpm");
		out->package = xstrdup("php5-fpm");
	} else if (sscanf(config, "/etc/php/%31[0-9.]/fpm/php-fpm.conf", ver) == 1 &&
		   strcmp(config + strlen("/etc/php/") + strlen(ver),
			  "/fpm/php-fpm.conf") == 0) {
		char *bin = xasprintf("/usr/sbin/php-fpm%s", ver);
		out->binary = binary_if_present(r, bin);
		out->package = xasprintf("php%s-fpm", ver);
		free(bin);
	}
}

char *discover_package_of_binary(const char *binary)
{
	const char *base = strrchr(binary, '/');
	char ver[16], tail;

	base = base ? base + 1 : binary;
	if (strcmp(base, "php5-fpm") == 0)
		return xstrdup("php5-fpm");
	if (sscanf(base, "php-fpm%15[0-9.]%c", ver, &tail) == 1)
		return xasprintf("php%s-fpm", ver);
	return NULL;
}

size_t discover_instances(const struct rootfs *r, struct instance_loc **out)
{
	struct instance_loc *v = NULL;
	size_t n = 0, cap = 0, i;
	struct stat st;
	char *pat;
	glob_t g;

	if (rootfs_stat(r, "/etc/php5/fpm/php-fpm.conf", &st) == 0) {
		XGROW(v, cap, n + 1);
		discover_from_config(r, "/etc/php5/fpm/php-fpm.conf", &v[n++]);
	}
	pat = rootfs_host_path(r, "/etc/php/*/fpm/php-fpm.conf");
	if (glob(pat, 0, NULL, &g) == 0) {
		for (i = 0; i < g.gl_pathc; i++) {
			XGROW(v, cap, n + 1);
			discover_from_config(r, rootfs_inner_path(r, g.gl_pathv[i]),
					     &v[n++]);
		}
		globfree(&g);
	}
	free(pat);
	*out = v;
	return n;
}

void instance_loc_free(struct instance_loc *l)
{
	free(l->config);
	free(l->binary);
	free(l->package);
	memset(l, 0, sizeof *l);
}

char *discover_binary_version(const char *host_binary)
{
	char *argv[] = { (char *)host_binary, (char *)"-n", (char *)"-v", NULL };
	char *out, *v = NULL;
	int status;
	char buf[128];

	if (run_capture(argv, 10000, &out, &status) < 0)
		return NULL;
	/* "PHP 8.2.36 (fpm-fcgi) ..." or "PHP 5.3.10-1ubuntu3.12 with ..." */
	if (status == 0 && sscanf(out, "PHP %127s", buf) == 1)
		v = xstrdup(buf);
	free(out);
	return v;
}

static void dump_line(const char *m, const char *const *keys, size_t nkeys,
		      struct fpm_dump *d)
{
	size_t n = strlen(m), k;

	if (m[0] == '[' && n > 2 && m[n - 1] == ']') {
		if (strncmp(m, "[global]", 8) == 0 && n == 8)
			return;
		XGROW(d->pools, d->cap, d->npools + 1);
		memset(&d->pools[d->npools], 0, sizeof *d->pools);
		d->pools[d->npools++].name = xstrndup(m + 1, n - 2);
		return;
	}
	if (m[0] != '\t' || d->npools == 0)
		return;
	for (k = 0; k < nkeys && k < 16; k++) {
		size_t kl = strlen(keys[k]);
		struct fpm_dump_pool *p = &d->pools[d->npools - 1];
		if (strncmp(m + 1, keys[k], kl) != 0 || strncmp(m + 1 + kl, " = ", 3) != 0)
			continue;
		free(p->values[k]);
		p->values[k] = strcmp(m + 4 + kl, "undefined") == 0
				       ? NULL : xstrdup(m + 4 + kl);
		p->seen |= 1u << k;
	}
}

#define FPM_TEST_TIMEOUT_MS 60000

int discover_fpm_test(const char *host_binary, const char *host_config,
		      const char *const *env, size_t nenv,
		      const char *const *keys, size_t nkeys,
		      struct fpm_dump *dump, char **messages)
{
	char *argv[] = { (char *)host_binary, (char *)"-n", (char *)"-tt",
			 (char *)"-y", (char *)host_config, NULL };
	struct run_spec rs;
	char *out, *line, *save = NULL, how[96];
	size_t len = 0;
	int status;

	*messages = NULL;
	memset(dump, 0, sizeof *dump);
	memset(&rs, 0, sizeof rs);
	rs.argv = argv;
	rs.timeout_ms = FPM_TEST_TIMEOUT_MS;
	/* -tt prints every setting of every pool: about 3 kB a pool, so
	 * thousands of pools need more than the usual bound.  A dump cut
	 * short only leaves keys unseen, never read as "undefined". */
	rs.max = (size_t)256 << 20;
	rs.env = env;
	rs.nenv = nenv;
	if (run_spec_capture(&rs, &out, &status) < 0)
		return -1;
	*messages = xcalloc(1, strlen(out) + strlen(host_binary) + sizeof how + 8);
	if (status >= RUN_SIGNAL_BASE)	/* not an answer: say what happened */
		len = (size_t)sprintf(*messages, "%s -tt %s", host_binary,
				      run_status_text(status, FPM_TEST_TIMEOUT_MS, how,
						      sizeof how));
	for (line = strtok_r(out, "\n", &save); line;
	     line = strtok_r(NULL, "\n", &save)) {
		const char *m = strstr(line, "NOTICE: ");
		if (m) {
			dump_line(m + 8, keys, nkeys, dump);
			continue;
		}
		m = strstr(line, "ERROR: ");
		if (m == NULL)
			m = strstr(line, "ALERT: ");
		if (m == NULL)
			continue;
		len += (size_t)sprintf(*messages + len, "%s%s", len ? "\n" : "", m);
	}
	free(out);
	return status == 0 ? 1 : 0;
}

void fpm_dump_free(struct fpm_dump *d)
{
	size_t i, k;

	for (i = 0; i < d->npools; i++) {
		free(d->pools[i].name);
		for (k = 0; k < 16; k++)
			free(d->pools[i].values[k]);
	}
	free(d->pools);
	memset(d, 0, sizeof *d);
}
