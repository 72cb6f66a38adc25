/*
 * clients: who connects to PHP-FPM's sockets -- the web server users.
 *
 *   nginx   the `user` directive of /etc/nginx/nginx.conf (main context);
 *           nginx's built-in default is "nobody", but Debian's nginx.conf
 *           always says www-data, so a missing directive means nobody.
 *   Apache  APACHE_RUN_USER in /etc/apache2/envvars.
 * When neither web server is installed the client is www-data, the user
 * every Debian web server package runs as.  --client overrides it all.
 */
#ifndef PFG_CLIENTS_H
#define PFG_CLIENTS_H

#include <stddef.h>
#include "../util/rootfs.h"

struct client {
	char *user;
	char *source;		/* "/etc/nginx/nginx.conf:1", "default", "--client" */
};

struct client_list {
	struct client *v;
	size_t n, cap;
};

void clients_add(struct client_list *l, const char *user, const char *source);
void clients_detect(const struct rootfs *r, struct client_list *l);
void clients_free(struct client_list *l);

#endif
