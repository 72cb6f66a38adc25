/*
 * timeit: run a command (or a pair of commands) R times after W warm-up
 * runs and print the median wall time, the median CPU time (user+sys of
 * the children, from wait4) and the peak RSS, as one line of numbers.
 *
 *   timeit R W -- CMD... [--then CMD...]
 *
 * With --then, each run is the first command followed by the second (the
 * hook pair) and the figures are for the pair.  Output:
 *   wall_ms cpu_ms maxrss_kb
 * A command that exits non-zero is reported and stops the measurement,
 * so a broken setup never yields a number.  The commands' own output
 * goes to /dev/null.
 */
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

static double now_ms(void)
{
	struct timespec t;

	clock_gettime(CLOCK_MONOTONIC, &t);
	return t.tv_sec * 1e3 + t.tv_nsec / 1e6;
}

/* Run argv; add its CPU time to *cpu and raise *rss. */
static int run(char **argv, double *cpu, long *rss)
{
	struct rusage ru;
	int st;
	pid_t p = fork();

	if (p == 0) {
		/* Measured, not watched: what it prints would only cost time. */
		int nul = open("/dev/null", O_WRONLY);
		if (nul >= 0 && (dup2(nul, 1) < 0 || dup2(nul, 2) < 0))
			_exit(126);
		execvp(argv[0], argv);
		_exit(127);
	}
	if (p < 0 || wait4(p, &st, 0, &ru) < 0)
		return -1;
	*cpu += ru.ru_utime.tv_sec * 1e3 + ru.ru_utime.tv_usec / 1e3 +
		ru.ru_stime.tv_sec * 1e3 + ru.ru_stime.tv_usec / 1e3;
	if (ru.ru_maxrss > *rss)
		*rss = ru.ru_maxrss;
	if (!WIFEXITED(st) || WEXITSTATUS(st) != 0) {
		fprintf(stderr, "timeit: %s exited with %d\n", argv[0],
			WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st));
		return -1;
	}
	return 0;
}

static int cmp(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;
	return x < y ? -1 : x > y;
}

int main(int argc, char **argv)
{
	int r, w, i, n;
	char **first, **second = NULL;
	double *wall, *cpu;
	long rss = 0;

	if (argc < 5 || strcmp(argv[3], "--") != 0) {
		fprintf(stderr, "usage: timeit R W -- CMD... [--then CMD...]\n");
		return 2;
	}
	r = atoi(argv[1]);
	w = atoi(argv[2]);
	first = argv + 4;
	for (i = 4; i < argc; i++)
		if (strcmp(argv[i], "--then") == 0) {
			argv[i] = NULL;
			second = argv + i + 1;
		}
	if (r < 1 || w < 0)
		return 2;
	wall = calloc((size_t)r, sizeof *wall);
	cpu = calloc((size_t)r, sizeof *cpu);
	for (n = 0; n < r + w; n++) {
		double c = 0, t0 = now_ms();
		long rr = 0;
		if (run(first, &c, &rr) < 0 || (second && run(second, &c, &rr) < 0))
			return 1;
		if (n >= w) {
			wall[n - w] = now_ms() - t0;
			cpu[n - w] = c;
			if (rr > rss)
				rss = rr;
		}
	}
	qsort(wall, (size_t)r, sizeof *wall, cmp);
	qsort(cpu, (size_t)r, sizeof *cpu, cmp);
	printf("%.2f %.2f %ld\n", wall[r / 2], cpu[r / 2], rss);
	return 0;
}
