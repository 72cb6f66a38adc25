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

int discover_fpm_test(const char *host_binary, const char *host_config,
		      char **messages)
{
	char *argv[] = { (char *)host_binary, (char *)"-n", (char *)"-t",
			 (char *)"-y", (char *)host_config, NULL };
	char *out, *line, *save = NULL;
	size_t len = 0;
	int status;

	*messages = NULL;
	if (run_capture(argv, 30000, &out, &status) < 0)
		return -1;
	*messages = xcalloc(1, strlen(out) + 1);
	for (line = strtok_r(out, "\n", &save); line;
	     line = strtok_r(NULL, "\n", &save)) {
		const char *m = strstr(line, "ERROR: ");
		if (m == NULL)
			m = strstr(line, "ALERT: ");
		if (m == NULL)
			continue;
		len += (size_t)sprintf(*messages + len, "%s%s", len ? "\n" : "", m);
	}
	free(out);
	return status == 0 ? 1 : 0;
}
