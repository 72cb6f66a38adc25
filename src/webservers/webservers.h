/*
 * webservers: which web server sends requests to which PHP-FPM socket, and
 * as which user -- read from nginx's and Apache's own configuration.
 *
 *   nginx   /etc/nginx/nginx.conf and everything it includes (sorted globs,
 *           relative to /etc/nginx/): `fastcgi_pass unix:PATH;` in a
 *           server's locations, or `fastcgi_pass NAME;` with
 *           `upstream NAME { server unix:PATH; }`.  Its user is the main
 *           context's `user` directive; without one nginx (started as root)
 *           runs its workers as "nobody", its built-in default.
 *   Apache  /etc/apache2/apache2.conf and its Include/IncludeOptional tree
 *           (relative to ServerRoot), read the way Apache reads it at start:
 *           Define and ${VAR} (the exports of /etc/apache2/envvars), and
 *           <IfModule> (after the LoadModule lines read so far),
 *           <IfDefine>, <IfFile> decided, other sections entered.  Uses:
 *           SetHandler/AddHandler "proxy:unix:PATH|fcgi://...",
 *           ProxyPass/ProxyPassMatch ... "unix:PATH|fcgi://...", and
 *           "proxy:fcgi://NAME" or "balancer://NAME" URLs that a
 *           <Proxy "unix:PATH|fcgi://NAME"> or a BalancerMember defines.
 *           Its user is `User` (Debian: ${APACHE_RUN_USER} from envvars),
 *           else envvars' APACHE_RUN_USER.
 *
 * Every use carries the directive's file:line and its virtual host (the
 * server{} block's first server_name, the <VirtualHost>'s ServerName);
 * a use outside any virtual host (Debian's conf-enabled/php8.2-fpm.conf)
 * serves every site of that server.
 *
 * With ask_servers on the host itself (root "/"), the servers say what
 * they read: the text of `nginx -T` replaces reading nginx's files (the
 * same walk, over the files as nginx read them), and `apache2ctl -t -D
 * DUMP_INCLUDES -D DUMP_RUN_CFG` gives the files Apache includes and its
 * User; a note says where Apache and this reader disagree.  Under --root
 * no program of the image is ever run.  Nothing here fails: a file that
 * cannot be read, a directive that cannot be followed (variables in
 * fastcgi_pass), a server's refusal become notes.  Only an include
 * pattern that no reader may expand (longer than PATH_MAX, more than 64
 * wildcard levels, too many matches: src/util/rootglob.h) is an error,
 * at its file:line: the config cannot be read as the server would.
 */
#ifndef PFG_WEBSERVERS_H
#define PFG_WEBSERVERS_H

#include <stddef.h>
#include "../util/rootfs.h"

enum ws_kind { WS_NGINX, WS_APACHE, WS_NKINDS };

/* One directive that sends requests to a unix socket. */
struct ws_use {
	enum ws_kind server;
	char *socket;		/* absolute path as configured, inside the root */
	char *directive;	/* "fastcgi_pass", "upstream server", "SetHandler", ... */
	char *file;		/* where the directive is */
	int line;
	char *vhost;		/* server_name / ServerName / "<VirtualHost *:80>";
				 * "" outside any virtual host */
	char *vhost_file;	/* its server { / <VirtualHost line; NULL outside */
	int vhost_line;
};

struct ws_server {
	int present;		/* its configuration was found */
	char *config;		/* main configuration file */
	char *user;		/* the user it connects as; NULL: unknown */
	char *user_source;	/* "file:line", "apache2ctl -D DUMP_RUN_CFG", ... */
	const char *read_by;	/* "files", "nginx -T", "files, checked with apache2ctl" */
	char **files;		/* every file read, in the order read */
	size_t nfiles;
	char **index;		/* the same, sorted: was it read? (not owned) */
	char **notes;		/* "file:line: ..." what could not be followed */
	size_t nnotes;
	/* Apache: the mod_php LoadModule read (php_module, php7_module,
	 * php5_module), "file:line"; NULL: none.  With it loaded, Debian's
	 * php*-fpm.conf (inside <IfModule !mod_php*.c>) is skipped and every
	 * site's PHP runs in Apache itself. */
	char *php_module;
	char *php_module_source;
	struct ws_error {	/* what stopped reading: an include refused */
		char *file;
		int line;
		char *msg;
	} *errors;
	size_t nerrors;
};

struct ws_config {
	struct ws_server srv[WS_NKINDS];
	struct ws_use *uses;
	size_t nuses, cap;
};

/* "nginx", "apache2". */
const char *ws_kind_name(enum ws_kind k);

void webservers_read(const struct rootfs *r, int ask_servers, struct ws_config *out);
void webservers_free(struct ws_config *c);
/* Apache's config as it would read with one more module loaded (id
 * "php_module", so its .so path): what a package about to enable it
 * changes.  From the files only; free with webservers_free. */
void webservers_read_apache_with(const struct rootfs *r, const char *id, const char *so,
				 struct ws_config *out);

/* Which site a use serves: "server example.org" or "unnamed server"
 * (nginx), "example.org" or "<VirtualHost *:80>" (Apache), "every site"
 * outside any virtual host (caller frees). */
char *ws_use_site(const struct ws_use *u);

#endif
