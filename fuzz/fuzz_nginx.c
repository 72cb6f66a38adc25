/*
 * libFuzzer target: the nginx reader (src/webservers/nginx.c) on hostile
 * bytes, through the real file system path (rootfs, rootglob), as the
 * guard meets /etc/nginx in a --root image; and over the same files as
 * `nginx -T` would dump them (the reader's other source).
 *
 * The input's first byte picks the sources (bit 0: the files as a dump,
 * matched by name instead of globbed; bit 1: the rest of the input also
 * parsed as nginx -T output, and walked when it is one); the rest is up
 * to SLOTS files separated by a line "#@@": nginx.conf first, then the
 * files Debian's layout includes, so fuzzed includes, globs, loops and
 * nesting reach each other but nothing of the host.
 */
#include "fuzzroot.h"
#include "fuzzws.h"

#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define SEP "\n#@@\n"
#define MAIN "/etc/nginx/nginx.conf"
static const char *const slots[] = {
	MAIN, "/etc/nginx/fastcgi.conf", "/etc/nginx/snippets/fastcgi-php.conf",
	"/etc/nginx/conf.d/a.conf", "/etc/nginx/sites-enabled/a",
	"/etc/nginx/sites-enabled/b", "/etc/nginx/mime.types",
};
#define SLOTS (sizeof slots / sizeof *slots)

static void walk(const struct ws_src *src)
{
	struct ws_config c;

	memset(&c, 0, sizeof c);
	ws_nginx_walk(src, MAIN, &c);
	fuzz_ws_check(&c);
	webservers_free(&c);
}

/* The slots as a dump: text up to a NUL, as ws_nginx_parse_dump keeps. */
static size_t slots_as_dump(const struct fuzz_slice *sl, struct ws_text *t)
{
	size_t i, n = 0;

	for (i = 0; i < SLOTS; i++) {
		if (sl[i].p == NULL)
			continue;
		t[n].path = strdup(slots[i]);
		t[n].len = strnlen((const char *)sl[i].p, sl[i].len);
		t[n].text = strndup((const char *)sl[i].p, t[n].len);
		if (t[n].path == NULL || t[n].text == NULL)
			abort();
		n++;
	}
	return n;
}

static void parsed_dump(const uint8_t *data, size_t size)
{
	struct ws_src src;
	struct ws_text *t;
	size_t n;
	char *out = strndup((const char *)data, size);

	if (out == NULL)
		abort();
	memset(&src, 0, sizeof src);
	src.root = &fuzz_root;
	if (ws_nginx_parse_dump(&fuzz_root, out, &t, &n) == 0) {
		src.dump = t;
		src.ndump = n;
		walk(&src);
		ws_texts_free(t, n);
	} else if (t != NULL || n != 0) {
		abort();	/* a refused dump leaves nothing */
	}
	free(out);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct fuzz_slice sl[SLOTS];
	struct ws_text t[SLOTS];
	struct ws_src src;
	size_t n;

	if (size == 0)
		return 0;
	fuzz_root_setup(slots, SLOTS);
	fuzz_root_fill(slots, SLOTS, SEP, data + 1, size - 1, sl);
	memset(&src, 0, sizeof src);
	src.root = &fuzz_root;
	if (data[0] & 1) {
		n = slots_as_dump(sl, t);
		src.dump = t;
		src.ndump = n;
		walk(&src);
		while (n > 0) {
			n--;
			free(t[n].path);
			free(t[n].text);
		}
	} else {
		walk(&src);
	}
	if (data[0] & 2)
		parsed_dump(data + 1, size - 1);
	return 0;
}
