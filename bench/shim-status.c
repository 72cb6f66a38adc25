/*
 * How long the hook pays for package versions: dlopen of the libapt-pkg
 * shim plus one read of dpkg's status file, in fresh processes (each run
 * is a fork, as each hook is a new process).  Prints the median and the
 * range over N runs.  Usage: shim-status SHIM.so [STATUS] [N]
 */
#include "../src/apt/aptshim.h"

#include <dlfcn.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

static double now_ms(void)
{
	struct timespec t;

	clock_gettime(CLOCK_MONOTONIC, &t);
	return t.tv_sec * 1e3 + t.tv_nsec / 1e6;
}

static int one_read(const char *shim, const char *status)
{
	static const char *const pats[] = { "php*-fpm", "php-fpm-guard" };
	int (*rd)(const char *, const char *const *, size_t, struct aptshim_status *);
	struct aptshim_status st;
	void *h = dlopen(shim, RTLD_NOW | RTLD_LOCAL);

	if (h == NULL) {
		fprintf(stderr, "%s\n", dlerror());
		return 2;
	}
	*(void **)&rd = dlsym(h, "aptshim_read_status");
	return rd == NULL || rd(status, pats, 2, &st) < 0 ? 1 : 0;
}

static int cmp(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;
	return x < y ? -1 : x > y;
}

int main(int argc, char **argv)
{
	const char *status = argc > 2 ? argv[2] : "/var/lib/dpkg/status";
	int n = argc > 3 ? atoi(argv[3]) : 21, i, st;
	double *t;

	if (argc < 2 || n < 1) {
		fprintf(stderr, "usage: shim-status SHIM.so [STATUS] [N]\n");
		return 2;
	}
	t = calloc((size_t)n, sizeof *t);
	for (i = 0; i < n; i++) {
		double a = now_ms();
		pid_t p = fork();
		if (p == 0)
			_exit(one_read(argv[1], status));
		if (p < 0 || waitpid(p, &st, 0) < 0 || !WIFEXITED(st) || WEXITSTATUS(st) != 0) {
			fprintf(stderr, "run %d failed\n", i);
			return 1;
		}
		t[i] = now_ms() - a;
	}
	qsort(t, (size_t)n, sizeof *t, cmp);
	printf("dlopen(aptshim) + read %s: median %.2f ms, min %.2f, max %.2f over %d fresh processes\n",
	       status, t[n / 2], t[0], t[n - 1], n);
	free(t);
	return 0;
}
