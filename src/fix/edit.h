/*
 * edit: compute the new bytes of one php-fpm pool file after setting some
 * listen.* keys in one pool's section.  Pure: no I/O, no globals; the
 * caller reads the file, and writes the result back atomically.
 *
 * Contract:
 *   - The input is (buf, len): it may hold NUL bytes and be as large as
 *     FPM_MAX_FILE_SIZE.  Time is linear in len (times the handful of
 *     keys).  Lines are split on '\n'; a line whose '\n' is preceded by
 *     '\r' ends in "\r\n".  A final line without '\n' is a line.
 *   - Every byte outside the lines named below is copied unchanged.
 *   - Section header: first non-blank byte '[' and a ']' later on the line;
 *     the name is the text between '[' and the first ']', blanks kept, as
 *     fpmconf reads it.  A *region* runs from a header (or the file start)
 *     up to the line before the next header.  The region edited is the one
 *     holding anchor_line when anchor_line > 0 (it may have no header: a
 *     file included while the pool was open), else the last region whose
 *     header names the pool, case-insensitively.
 *   - Each key, in the order given:
 *       line > 0: that line must be an active `KEY =` (leading blanks and
 *         blanks before '=' allowed, key case-insensitive); its content is
 *         replaced by "KEY = VALUE", its ending kept.
 *       line == 0: the first commented template `;KEY =` in the region
 *         (also `#KEY =` with hash_comments; blanks allowed around the
 *         comment character) is replaced by "KEY = VALUE", uncommenting
 *         it in place.  Without a template the line is inserted after the
 *         anchor line, else after the region's header, after the lines
 *         inserted there for earlier keys.
 *     KEY is spelled as the caller gave it, VALUE written verbatim.
 *   - Markers: "; MARKER" (always ';') sits directly above each run of
 *     written lines, so one marker covers the whole inserted block, and a
 *     rewritten line shares the marker of the written line right above it
 *     (a rewritten line or the inserted block).  When the line above a
 *     rewritten line is already a comment starting "; php-fpm-guard:",
 *     that comment is rewritten instead of a second one being added.
 *   - Line endings: a rewritten line keeps its own; an inserted line (and
 *     a marker) takes the ending of the line it follows (a marker above a
 *     rewritten line: that line's), or when that line has none, the first
 *     line's ending ("\n" if the first line has none either).  Inserting
 *     after a last line without '\n' first gives it that ending.
 *   - Errors (return -1, nothing in *out): an empty pool name or key, a
 *     key holding blanks, '=', ';' or '#', a '\n' or '\r' in a key, value
 *     or marker (a NUL cannot occur: the strings are C strings); the same
 *     key twice; a line number past the end of the file; a key line that
 *     is not an active assignment of that key, or the anchor line not one
 *     of "listen"; a key or anchor line under a header naming another
 *     section; a line == 0 key that is in fact set (active) in the region;
 *     no region for the pool ("pool [www] has no section in this file").
 *     Messages name the line where there is one:
 *     "line 12: expected listen.owner, found 'user = x'".
 *   - Applying the output again only gives the same output if the caller
 *     passes the new line numbers (the marker rule keeps it to one marker).
 */
#ifndef PFG_EDIT_H
#define PFG_EDIT_H

#include <stddef.h>

struct edit_key {
	const char *key;	/* "listen.owner" (matched case-insensitively) */
	const char *value;	/* "www-data"; written verbatim */
	int line;		/* 1-based line of this key's active setting in
				 * this file, to replace; 0 = not set in this file */
};

struct edit_request {
	const char *pool;	/* section name, matched case-insensitively */
	int anchor_line;	/* 1-based line of the pool's `listen =` in this
				 * file; 0 = none in this file */
	const char *marker;	/* comment text without the ';', e.g.
				 * "php-fpm-guard: explicit so www-data keeps access" */
	const struct edit_key *keys;
	size_t nkeys;
	int hash_comments;	/* php5 dialect: '#' also starts a comment line */
};

/*
 * Returns 0 and *out, *outlen (malloc'ed, NUL-terminated for convenience,
 * the caller frees *out), or -1 and *err (malloc'ed message, caller frees).
 */
int edit_pool_file(const char *buf, size_t len, const struct edit_request *rq,
		   char **out, size_t *outlen, char **err);

#endif
