/*
 * fuzzroot: a private temp root (in /dev/shm when it can) whose files
 * are slices of one fuzz input, for the targets that read a whole config
 * tree through rootfs and rootglob as the guard meets it: the input is up
 * to nslots files separated by a line sep; slot i is written at slots[i]
 * inside the root, and a slot the input does not reach is removed.  A
 * fuzzed include can reach every slot (and glob, loop and nest over them)
 * but nothing of the host.  The root is removed when libFuzzer exits.
 * Header-only: each fuzz target is one .c file (Makefile: fuzz_%).
 */
#ifndef PFG_FUZZROOT_H
#define PFG_FUZZROOT_H

#include "util/rootfs.h"

#include <fcntl.h>
#include <ftw.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

/* An include loop runs a reader to its parse limit (20000 files) in one
 * input: with ASan's default 256 MB quarantine of freed buffers that is
 * 1.5 GB of RSS, near libFuzzer's -rss_limit_mb; 64 MB keeps it near
 * 700 MB and still catches a use after free within a run. */
const char *__asan_default_options(void);
const char *__asan_default_options(void)
{
	return "quarantine_size_mb=64";
}

struct fuzz_slice {
	const uint8_t *p;	/* NULL: not in the input */
	size_t len;
};

static char fuzz_root_dir[64];
static struct rootfs fuzz_root;

static int fuzz_rm(const char *p, const struct stat *st, int type, struct FTW *f)
{
	(void)st;
	(void)type;
	(void)f;
	remove(p);
	return 0;
}

static void fuzz_root_cleanup(void)
{
	nftw(fuzz_root_dir, fuzz_rm, 16, FTW_DEPTH | FTW_PHYS);
}

/* mkdir -p of path's parent, inside the root. */
static void fuzz_mkdirs(const char *inner)
{
	char p[256];
	char *s;

	snprintf(p, sizeof p, "%s%s", fuzz_root_dir, inner);
	for (s = p + strlen(fuzz_root_dir) + 1; (s = strchr(s, '/')) != NULL; s++) {
		*s = '\0';
		if (mkdir(p, 0755) < 0 && access(p, F_OK) < 0)
			abort();
		*s = '/';
	}
}

static void fuzz_root_setup(const char *const *slots, size_t nslots)
{
	size_t i;

	if (fuzz_root_dir[0])
		return;
	snprintf(fuzz_root_dir, sizeof fuzz_root_dir, "%s/pfg-fuzz-XXXXXX",
		 access("/dev/shm", W_OK) == 0 ? "/dev/shm" : "/tmp");
	if (mkdtemp(fuzz_root_dir) == NULL)
		abort();
	atexit(fuzz_root_cleanup);
	for (i = 0; i < nslots; i++)
		fuzz_mkdirs(slots[i]);
	if (rootfs_init(&fuzz_root, fuzz_root_dir) < 0)
		abort();
}

static void fuzz_put(const char *inner, const struct fuzz_slice *sl)
{
	char p[256];
	int fd;

	snprintf(p, sizeof p, "%s%s", fuzz_root_dir, inner);
	if (sl->p == NULL) {
		unlink(p);
		return;
	}
	fd = open(p, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
	if (fd < 0 || (sl->len && write(fd, sl->p, sl->len) != (ssize_t)sl->len))
		abort();
	close(fd);
}

/* Cut data into the slots' files (and out[], nslots of them). */
static void fuzz_root_fill(const char *const *slots, size_t nslots, const char *sep,
			   const uint8_t *data, size_t size, struct fuzz_slice *out)
{
	size_t i, off = 0, n, seplen = strlen(sep);
	int more = 1;

	for (i = 0; i < nslots; i++) {
		const uint8_t *at;
		out[i].p = NULL;
		out[i].len = 0;
		if (more) {
			at = memmem(data + off, size - off, sep, seplen);
			n = at ? (size_t)(at - (data + off)) : size - off;
			out[i].p = data + off;
			out[i].len = n;
			if (at)
				off += n + seplen;
			else
				more = 0;
		}
		fuzz_put(slots[i], &out[i]);
	}
}

#endif
