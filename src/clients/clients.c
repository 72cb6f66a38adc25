#include "clients.h"
#include "../util/xalloc.h"

#include <stdlib.h>
#include <string.h>

void clients_add(struct client_list *l, const char *user, const char *source)
{
	clients_add_from(l, user, source, CLIENT_NAMED);
}

void clients_add_from(struct client_list *l, const char *user, const char *source,
		      enum client_origin origin)
{
	size_t i;

	for (i = 0; i < l->n; i++)
		if (strcmp(l->v[i].user, user) == 0)
			return;
	XGROW(l->v, l->cap, l->n + 1);
	l->v[l->n].user = xstrdup(user);
	l->v[l->n].source = xstrdup(source);
	l->v[l->n].origin = origin;
	l->n++;
}

void clients_detect(const struct ws_config *ws, struct client_list *l)
{
	size_t i;

	for (i = 0; i < WS_NKINDS; i++)
		if (ws->srv[i].present && ws->srv[i].user)
			clients_add_from(l, ws->srv[i].user, ws->srv[i].user_source,
					 CLIENT_DETECTED);
	if (l->n == 0)
		clients_add_from(l, "www-data", "default", CLIENT_DETECTED);
}

void clients_free(struct client_list *l)
{
	size_t i;

	for (i = 0; i < l->n; i++) {
		free(l->v[i].user);
		free(l->v[i].source);
	}
	free(l->v);
	memset(l, 0, sizeof *l);
}
