/*
 * libFuzzer target: the php-fpm config reader (src/config) on hostile
 * bytes, through the real file system path (rootfs, libinih, include
 * globs), as the guard meets a pool directory.
 *
 * The input is up to SLOTS files separated by a line ";@@": the first is
 * /php-fpm.conf, the rest /pool.d/a.conf, /pool.d/b.conf, /l1.conf ...
 * /l4.conf, all inside a private temp root, so a fuzzed `include=` can
 * reach them (and globs, loops and depth) but nothing of the host.  The
 * first byte picks the dialect (php5 '#' comments or not).  The
 * environment for ${VAR} is a fixed fake, so runs are reproducible.
 */
#include "config/fpmconf.h"

#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define SEP "\n;@@\n"
static const char *const slots[] = {
	"/php-fpm.conf", "/pool.d/a.conf", "/pool.d/b.conf",
	"/l1.conf", "/l2.conf", "/l3.conf", "/l4.conf",
};
#define SLOTS (sizeof slots / sizeof *slots)

static char root_dir[64];
static struct rootfs root;

static const char *fake_env(void *ctx, const char *name)
{
	(void)ctx;
	return strcmp(name, "POOL_USER") == 0 ? "www-data" : NULL;
}

/* Leave nothing behind in /dev/shm when libFuzzer exits. */
static void cleanup(void)
{
	char p[128];
	size_t i;

	for (i = 0; i < SLOTS; i++) {
		snprintf(p, sizeof p, "%s%s", root_dir, slots[i]);
		unlink(p);
	}
	snprintf(p, sizeof p, "%s/pool.d", root_dir);
	rmdir(p);
	rmdir(root_dir);
}

static void setup(void)
{
	char p[128];

	snprintf(root_dir, sizeof root_dir, "%s/pfg-fuzz-XXXXXX",
		 access("/dev/shm", W_OK) == 0 ? "/dev/shm" : "/tmp");
	if (mkdtemp(root_dir) == NULL)
		abort();
	snprintf(p, sizeof p, "%s/pool.d", root_dir);
	if (mkdir(p, 0755) < 0 || rootfs_init(&root, root_dir) < 0)
		abort();
	atexit(cleanup);
}

static void put(size_t slot, const uint8_t *buf, size_t len)
{
	char p[128];
	int fd;

	snprintf(p, sizeof p, "%s%s", root_dir, slots[slot]);
	if (buf == NULL) {
		unlink(p);
		return;
	}
	fd = open(p, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
	if (fd < 0 || (len && write(fd, buf, len) != (ssize_t)len))
		abort();
	close(fd);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct fpm_dialect d = { 0, NULL, fake_env, NULL };
	struct fpm_conf c;
	size_t i, slot, off = 1, n;
	int more = 1;

	if (root_dir[0] == '\0')
		setup();
	if (size == 0)
		return 0;
	d.hash_comments = data[0] & 1;
	for (slot = 0; slot < SLOTS; slot++) {
		const uint8_t *sep;
		if (!more) {
			put(slot, NULL, 0);
			continue;
		}
		sep = memmem(data + off, size - off, SEP, strlen(SEP));
		n = sep ? (size_t)(sep - (data + off)) : size - off;
		put(slot, data + off, n);
		if (sep)
			off += n + strlen(SEP);
		else
			more = 0;
	}
	fpm_conf_read(&c, &root, "/php-fpm.conf", &d);
	for (i = 0; i < c.npools; i++) {
		/* Every pool read must be found again by its name. */
		if (fpm_conf_find_pool(&c, c.pools[i].name) == NULL)
			abort();
		(void)fpm_listen_is_unix(c.pools[i].set[K_LISTEN].value);
	}
	fpm_conf_free(&c);
	return 0;
}
