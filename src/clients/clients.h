/*
 * clients: who connects to PHP-FPM's sockets -- the web server users.
 *
 * The host-wide list: the user of every web server whose config exists
 * (src/webservers: nginx's `user`, nobody when it has none; Apache's
 * User, Debian's ${APACHE_RUN_USER} from /etc/apache2/envvars), else
 * www-data, the user every Debian web server package runs as.  Per
 * socket the users of the servers that use it come first (host.c);
 * --client and guard.conf override it all.
 */
#ifndef PFG_CLIENTS_H
#define PFG_CLIENTS_H

#include <stddef.h>
#include "../webservers/webservers.h"

/* Where a client comes from: what fix may open a pool to on its behalf
 * (fix.c: a pool closed by hand is never opened to a detected client
 * that had no access before). */
enum client_origin {
	CLIENT_NAMED,		/* guard.conf clients, [pool] clients, --client */
	CLIENT_SERVER,		/* a web server's config uses this very socket */
	CLIENT_DETECTED,	/* host-wide: some server's user, or www-data */
};

struct client {
	char *user;
	char *source;		/* "/etc/nginx/nginx.conf:1", "default", "--client" */
	enum client_origin origin;
};

struct client_list {
	struct client *v;
	size_t n, cap;
};

/* A user the admin named (CLIENT_NAMED); the first source of a user wins. */
void clients_add(struct client_list *l, const char *user, const char *source);
void clients_add_from(struct client_list *l, const char *user, const char *source,
		      enum client_origin origin);
void clients_detect(const struct ws_config *ws, struct client_list *l);
void clients_free(struct client_list *l);

#endif
