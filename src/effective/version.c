#include "version.h"

#include <ctype.h>
#include <stdio.h>
#include <string.h>

/* dpkg's ordering of one character in a non-digit run. */
static int order(int c)
{
	if (isdigit(c))
		return 0;
	if (isalpha(c))
		return c;
	if (c == '~')
		return -1;
	if (c)
		return c + 256;
	return 0;
}

static int verrevcmp(const char *a, const char *b, size_t alen, size_t blen)
{
	const char *ae = a + alen, *be = b + blen;

	while (a < ae || b < be) {
		int first_diff = 0;

		while ((a < ae && !isdigit((unsigned char)*a)) ||
		       (b < be && !isdigit((unsigned char)*b))) {
			int ac = a < ae ? order((unsigned char)*a) : 0;
			int bc = b < be ? order((unsigned char)*b) : 0;
			if (ac != bc)
				return ac - bc;
			a++;
			b++;
		}
		while (a < ae && *a == '0')
			a++;
		while (b < be && *b == '0')
			b++;
		while (a < ae && isdigit((unsigned char)*a) &&
		       b < be && isdigit((unsigned char)*b)) {
			if (!first_diff)
				first_diff = *a - *b;
			a++;
			b++;
		}
		if (a < ae && isdigit((unsigned char)*a))
			return 1;
		if (b < be && isdigit((unsigned char)*b))
			return -1;
		if (first_diff)
			return first_diff;
	}
	return 0;
}

struct debver {
	unsigned long epoch;
	const char *up;
	size_t uplen;
	const char *rev;
	size_t revlen;
};

static void split(const char *v, struct debver *d)
{
	const char *colon = strchr(v, ':'), *dash;

	d->epoch = 0;
	if (colon && colon > v && strspn(v, "0123456789") == (size_t)(colon - v)) {
		sscanf(v, "%lu", &d->epoch);
		v = colon + 1;
	}
	dash = strrchr(v, '-');
	d->up = v;
	if (dash) {
		d->uplen = (size_t)(dash - v);
		d->rev = dash + 1;
		d->revlen = strlen(dash + 1);
	} else {
		d->uplen = strlen(v);
		d->rev = "";
		d->revlen = 0;
	}
}

int deb_version_cmp(const char *a, const char *b)
{
	struct debver x, y;
	int r;

	split(a, &x);
	split(b, &y);
	if (x.epoch != y.epoch)
		return x.epoch < y.epoch ? -1 : 1;
	r = verrevcmp(x.up, y.up, x.uplen, y.uplen);
	if (r)
		return r < 0 ? -1 : 1;
	r = verrevcmp(x.rev, y.rev, x.revlen, y.revlen);
	return r < 0 ? -1 : r > 0;
}

/* Distribution backports of the CVE-2014-0185 fix, per upstream series. */
static const struct {
	const char *series;	/* "5.3.10-1ubuntu" etc: prefix of the version */
	const char *fixed;	/* first fixed version in that line */
} backports[] = {
	{ "5.3.10-1ubuntu", "5.3.10-1ubuntu3.12" },
	{ "5.4.4-14", "5.4.4-14+deb7u10" },
	{ "5.5.3+dfsg-1ubuntu", "5.5.3+dfsg-1ubuntu2.4" },
	{ "5.5.9+dfsg-1ubuntu", "5.5.9+dfsg-1ubuntu4.1" },
};

static int cve_fixed(const struct fpm_build *b)
{
	size_t i;

	for (i = 0; b->version && i < sizeof backports / sizeof *backports; i++)
		if (strncmp(b->version, backports[i].series,
			    strlen(backports[i].series)) == 0)
			return deb_version_cmp(b->version, backports[i].fixed) >= 0;
	if (b->major != 5)
		return b->major > 5;
	if (b->minor >= 6)
		return 1;
	if (b->minor == 5)
		return b->patch >= 12;
	if (b->minor == 4)
		return b->patch >= 28;
	return 0;
}

static int at_least(const struct fpm_build *b, int ma, int mi, int pa)
{
	if (b->major != ma)
		return b->major > ma;
	if (b->minor != mi)
		return b->minor > mi;
	return b->patch >= pa;
}

void fpm_build_from_version(struct fpm_build *b, const char *version)
{
	const char *v = version;

	memset(b, 0, sizeof *b);
	b->version = version;
	if (v && strchr(v, ':'))
		v = strchr(v, ':') + 1;
	if (v && sscanf(v, "%d.%d.%d", &b->major, &b->minor, &b->patch) == 3)
		b->known = 1;
	if (!b->known) {
		/* Nothing to go by: assume a current build. */
		b->major = 8;
		b->default_mode = 0660;
		b->has_acl = 1;
		b->numeric_ids = 1;
		return;
	}
	b->version = v;
	b->default_mode = cve_fixed(b) ? 0660 : 0666;
	b->has_acl = at_least(b, 5, 6, 5);
	b->numeric_ids = at_least(b, 7, 4, 5);
	b->hash_comments = b->major < 7;
}
