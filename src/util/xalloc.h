/*
 * xalloc: allocation and error helpers in the signify style.
 *
 * x-prefixed functions never return failure: on out-of-memory they print
 * "php-fpm-guard: out of memory" and exit(2).  Exit code 2 is "error" for
 * every command, so a dying helper never masquerades as a finding.
 *
 * die()/warn() append strerror(errno); diex()/warnx() do not.  Use the
 * errno variants only right after a failed system call.
 */
#ifndef PFG_XALLOC_H
#define PFG_XALLOC_H

#include <stdarg.h>
#include <stddef.h>

#define PFG_EXIT_ERROR 2

/* What die()/diex()/out-of-memory exit with: PFG_EXIT_ERROR, except in an
 * APT hook that must not block apt (0 there unless strict = yes). */
extern int pfg_die_code;

void *xmalloc(size_t n);
void *xcalloc(size_t nmemb, size_t size);
void *xreallocarray(void *p, size_t nmemb, size_t size);
char *xstrdup(const char *s);
char *xstrndup(const char *s, size_t n);
char *xasprintf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
char *xvasprintf(const char *fmt, va_list ap) __attribute__((format(printf, 1, 0)));

void die(const char *fmt, ...) __attribute__((noreturn, format(printf, 1, 2)));
void diex(const char *fmt, ...) __attribute__((noreturn, format(printf, 1, 2)));
void warn(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void warnx(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* Grow array arr (cap elements) to hold at least need; updates both. */
void *xgrow_impl(void *p, size_t *cap, size_t need, size_t sz);
#define XGROW(arr, cap, need) \
	((arr) = xgrow_impl((arr), &(cap), (need), sizeof *(arr)))

#endif
