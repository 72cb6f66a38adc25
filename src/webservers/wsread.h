/*
 * wsread: what the nginx and Apache readers share -- where config text
 * comes from (the root's files, or the files as nginx -T dumped them),
 * sorted globs inside the root, and the bookkeeping of uses and notes.
 * Internal to src/webservers; the parsers' entry points are here so that
 * the unit tests can feed them canned server output.
 */
#ifndef PFG_WSREAD_H
#define PFG_WSREAD_H

#include "webservers.h"

#define WS_FILE_MAX ((size_t)4 << 20)	/* one config file */
#define WS_MAX_FILES 4096		/* files per server: include loops end here */
#define WS_MAX_DEPTH 16			/* include nesting */
#define WS_MAX_NOTES 1000		/* per server; then one "more" note */
/* Uses per walk made by resolving names (a worker's or an upstream's):
 * each reference times each definition of its name, which a config that
 * repeats both through looping includes multiplies into the millions. */
#define WS_MAX_USES 65536
#define WS_RUN_TIMEOUT_MS 10000		/* nginx -T, apache2ctl */

/* One file as a server read it. */
struct ws_text {
	char *path;
	char *text;
	size_t len;
};

struct ws_src {
	const struct rootfs *root;
	const struct ws_text *dump;	/* NULL: read the root's files */
	size_t ndump;
};

/* The text of path, NUL-terminated (caller frees): 0, or -1 with errno. */
int ws_src_read(const struct ws_src *s, const char *path, char **buf, size_t *len);
/* Paths matching pattern, sorted bytewise as nginx's glob() and Apache's
 * fnmatch includes sort them; a pattern without wildcards gives itself
 * (reading it says whether it exists; in a dump only what the server
 * read is there).  Caller frees with ws_strings_free.  0 with *why set
 * (static text, valid until the next call): the pattern is refused
 * (rootglob's limits, WS_MAX_FILES matches). */
size_t ws_src_glob(const struct ws_src *s, const char *pattern, char ***out,
		   const char **why);
int ws_has_wildcard(const char *p);

void ws_strings_free(char **v, size_t n);
/* Appends s (taken) to *v, an array that only ever grows through here. */
void ws_push(char ***v, size_t *n, char *s);

/* A use with vhost unset (NULL); returns its index. */
size_t ws_add_use(struct ws_config *c, enum ws_kind k, const char *socket,
		  const char *directive, const char *file, int line);
/* Drop server k's placeholder uses (empty socket) from [from, nuses),
 * keeping the order of the others. */
void ws_drop_placeholders(struct ws_config *c, size_t from, enum ws_kind k);
/* Uses [from, nuses) still without a virtual host get this one. */
void ws_set_vhost(struct ws_config *c, size_t from, const char *name,
		  const char *file, int line);
/* A note, unless WS_MAX_NOTES are there already. */
void ws_note(struct ws_server *s, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
/* An error at file:line (see struct ws_error). */
void ws_error(struct ws_server *s, const char *file, int line, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));
/* Lists path among the files read: 0, or -1 when it is listed already
 * or WS_MAX_FILES are. */
int ws_add_file(struct ws_server *s, const char *path);

/* The readers. */
void ws_nginx_read(const struct rootfs *r, int ask, struct ws_config *c);
void ws_apache_read(const struct rootfs *r, int ask, struct ws_config *c);

/* nginx: walk main_conf and its includes from src. */
void ws_nginx_walk(const struct ws_src *src, const char *main_conf, struct ws_config *c);
/* nginx -T's output split into its files.  -1 unless every file's text
 * is exactly the file in the root (size checked): a comment that looks
 * like a dump header cannot cut a file in two unnoticed. */
int ws_nginx_parse_dump(const struct rootfs *r, const char *out, struct ws_text **files,
			size_t *n);
void ws_texts_free(struct ws_text *t, size_t n);

/* What `apache2ctl -t -D DUMP_INCLUDES -D DUMP_RUN_CFG` says. */
struct ws_apache_dump {
	char **files;		/* "Included configuration files", in order */
	size_t nfiles;
	char *user;		/* User: name="www-data" */
	char *server_root;
};
/* 0, or -1 (d left empty) when out holds no include list. */
int ws_apache_parse_dump(const char *out, struct ws_apache_dump *d);
void ws_apache_dump_free(struct ws_apache_dump *d);
/* Walk apache2.conf in the root; d (may be NULL) checks the files and
 * gives the user. */
void ws_apache_walk(const struct rootfs *r, const struct ws_apache_dump *d,
		    struct ws_config *c);

#endif
