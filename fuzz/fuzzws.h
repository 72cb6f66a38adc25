/*
 * What any web server reading must leave, whatever the files said: every
 * use a socket path (placeholders resolved or dropped), a file and a
 * site; every error a file:line; no more files than a server takes.
 * Aborts (a libFuzzer crash) when not.  Header-only, for fuzz_nginx and
 * fuzz_apache.
 */
#ifndef PFG_FUZZWS_H
#define PFG_FUZZWS_H

#include "webservers/wsread.h"

#include <stdlib.h>

static void fuzz_ws_check(struct ws_config *c)
{
	size_t i, k;

	ws_set_vhost(c, 0, "", NULL, 0);
	for (i = 0; i < c->nuses; i++) {
		const struct ws_use *u = &c->uses[i];
		char *site;
		if (u->socket == NULL || u->socket[0] != '/' || u->file == NULL ||
		    u->directive == NULL || u->vhost == NULL)
			abort();
		site = ws_use_site(u);
		free(site);
	}
	for (i = 0; i < WS_NKINDS; i++) {
		const struct ws_server *s = &c->srv[i];
		if (s->nfiles > WS_MAX_FILES)
			abort();
		for (k = 0; k < s->nerrors; k++)
			if (s->errors[k].file == NULL || s->errors[k].line <= 0 ||
			    s->errors[k].msg == NULL)
				abort();
		for (k = 0; k < s->nnotes; k++)
			if (s->notes[k] == NULL)
				abort();
	}
}

#endif
