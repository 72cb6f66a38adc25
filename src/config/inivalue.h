/*
 * inivalue: the PHP-INI value layer on top of libinih.
 *
 * libinih splits "name = value" and trims whitespace; php-fpm then feeds
 * the value through PHP's INI scanner (ZEND_INI_SCANNER_NORMAL).  This
 * module reproduces the parts of that scanner that a pool's listen.*
 * settings can meet:
 *   - "..." (backslash escapes \" \\ and \$, ${VAR} expanded inside)
 *   - '...' (verbatim)
 *   - ';' starts a comment anywhere outside quotes, even without a space
 *   - ${VAR} expanded from php-fpm's environment through a callback
 *   - a bare yes/on/true becomes "1"; no/off/false/none/null becomes ""
 *   - characters the scanner rejects in a bare value are a syntax error
 *
 * Pure: no I/O, no globals.
 */
#ifndef PFG_INIVALUE_H
#define PFG_INIVALUE_H

/* Returns the variable's value or NULL when it is unset. */
typedef const char *(*ini_getenv_fn)(void *ctx, const char *name);

struct ini_value {
	char *text;		/* evaluated value (malloc'd); NULL on error */
	int uses_env;		/* a ${VAR} took part */
	const char *error;	/* static message when text is NULL */
};

/* Evaluate raw (as libinih hands it over).  Returns 0, or -1 with
 * out->error set. */
int ini_value_eval(const char *raw, ini_getenv_fn getenv_fn, void *env_ctx,
		   struct ini_value *out);

#endif
