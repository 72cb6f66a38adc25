/*
 * The web servers' configs: which directive uses which socket, in which
 * site, as which user -- one table row per rule, on fixture roots laid
 * out as Debian lays out /etc/nginx and /etc/apache2.  Then the servers'
 * own dumps (nginx -T, apache2ctl), and the whole way through host,
 * snapshot and diff: a socket renamed under a vhost.
 */
#include "fixture.h"
#include "webservers/webservers.h"
#include "webservers/wsread.h"
#include "diff/diff.h"
#include "host/host.h"
#include "host/hostsnap.h"
#include "util/xalloc.h"

#include <stdlib.h>

struct file {
	const char *path;
	const char *content;
};

struct row {
	const char *rule;
	struct file files[10];
	/* every use, in order: "server socket file:line [site]" per line */
	const char *uses;
	const char *user;	/* the first present server's user, "user@source" */
	const char *note;	/* a substring of some note, or NULL: no note */
};

/* ---- Debian's stock files, cut to what matters ---- */

#define NGINX_CONF                                                              \
	"user www-data;\n"                                                      \
	"worker_processes auto;\n"                                              \
	"pid /run/nginx.pid;\n"                                                 \
	"include /etc/nginx/modules-enabled/*.conf;\n"                          \
	"\n"                                                                    \
	"events {\n"                                                            \
	"\tworker_connections 768;\n"                                           \
	"}\n"                                                                   \
	"\n"                                                                    \
	"http {\n"                                                              \
	"\tinclude /etc/nginx/mime.types;\n"                                    \
	"\tinclude /etc/nginx/conf.d/*.conf;\n"                                 \
	"\tinclude /etc/nginx/sites-enabled/*;\n"                               \
	"}\n"

#define FASTCGI_PHP                                                             \
	"# regex to split $uri to $fastcgi_script_name and $fastcgi_path\n"     \
	"fastcgi_split_path_info ^(.+?\\.php)(/.*)$;\n"                         \
	"try_files $fastcgi_script_name =404;\n"                                \
	"set $path_info $fastcgi_path_info;\n"                                  \
	"fastcgi_param PATH_INFO $path_info;\n"                                 \
	"fastcgi_index index.php;\n"                                            \
	"include fastcgi.conf;\n"

#define NGINX_BASE                                                              \
	{ "/etc/nginx/nginx.conf", NGINX_CONF },                                \
	{ "/etc/nginx/mime.types", "types {\n\ttext/html html;\n}\n" },         \
	{ "/etc/nginx/fastcgi.conf", "fastcgi_param QUERY_STRING $query_string;\n" }, \
	{ "/etc/nginx/snippets/fastcgi-php.conf", FASTCGI_PHP }

#define APACHE_CONF                                                             \
	"DefaultRuntimeDir ${APACHE_RUN_DIR}\n"                                 \
	"PidFile ${APACHE_PID_FILE}\n"                                          \
	"User ${APACHE_RUN_USER}\n"                                             \
	"Group ${APACHE_RUN_GROUP}\n"                                           \
	"IncludeOptional mods-enabled/*.load\n"                                 \
	"IncludeOptional mods-enabled/*.conf\n"                                 \
	"Include ports.conf\n"                                                  \
	"IncludeOptional conf-enabled/*.conf\n"                                 \
	"IncludeOptional sites-enabled/*.conf\n"

#define ENVVARS                                                                 \
	"unset HOME\n"                                                          \
	"if [ \"${APACHE_CONFDIR##/etc/apache2-}\" != \"${APACHE_CONFDIR}\" ] ; then\n" \
	"\tSUFFIX=\"-${APACHE_CONFDIR##/etc/apache2-}\"\n"                      \
	"else\n"                                                                \
	"\tSUFFIX=\n"                                                           \
	"fi\n"                                                                  \
	"export APACHE_RUN_USER=www-data\n"                                     \
	"export APACHE_RUN_GROUP=www-data\n"                                    \
	"export APACHE_PID_FILE=/var/run/apache2$SUFFIX/apache2.pid\n"          \
	"export APACHE_RUN_DIR=/var/run/apache2$SUFFIX\n"

/* conf-available/php8.2-fpm.conf as php8.2-fpm ships it (the part
 * before the commented example). */
#define PHP_FPM_CONF                                                            \
	"# Redirect to local php-fpm if mod_php is not available\n"             \
	"<IfModule !mod_php8.c>\n"                                              \
	"<IfModule proxy_fcgi_module>\n"                                        \
	"    # Enable http authorization headers\n"                             \
	"    <IfModule setenvif_module>\n"                                      \
	"    SetEnvIfNoCase ^Authorization$ \"(.+)\" HTTP_AUTHORIZATION=$1\n"   \
	"    </IfModule>\n"                                                     \
	"\n"                                                                    \
	"    # Using (?:pattern) instead of (pattern) is a small optimization\n" \
	"    # that avoid capturing the matching pattern\n"                     \
	"    <FilesMatch \".+\\.ph(?:ar|p|tml)$\">\n"                           \
	"        SetHandler \"proxy:unix:/run/php/php8.2-fpm.sock|fcgi://localhost\"\n" \
	"    </FilesMatch>\n"                                                   \
	"</IfModule>\n"                                                         \
	"</IfModule>\n"

#define APACHE_BASE                                                             \
	{ "/etc/apache2/apache2.conf", APACHE_CONF },                           \
	{ "/etc/apache2/envvars", ENVVARS },                                    \
	{ "/etc/apache2/ports.conf", "Listen 80\n" },                           \
	{ "/etc/apache2/mods-enabled/proxy.load",                               \
	  "LoadModule proxy_module /usr/lib/apache2/modules/mod_proxy.so\n" }

#define PROXY_FCGI                                                              \
	{ "/etc/apache2/mods-enabled/proxy_fcgi.load",                          \
	  "# Depends: proxy\n"                                                  \
	  "LoadModule proxy_fcgi_module /usr/lib/apache2/modules/mod_proxy_fcgi.so\n" }

#define SITES_NGINX "/etc/nginx/sites-enabled/"
#define SOCK "/run/php/php8.2-fpm.sock"

static const struct row rows[] = {
	/* ---- nginx ---- */
	{ "nginx: Debian's layout, a site with the fastcgi-php snippet",
	  { NGINX_BASE,
	    { SITES_NGINX "default",
	      "server {\n"
	      "\tlisten 80 default_server;\n"
	      "\troot /var/www/html;\n"
	      "\tserver_name _;\n"
	      "\tlocation ~ \\.php$ {\n"
	      "\t\tinclude snippets/fastcgi-php.conf;\n"
	      "\t\tfastcgi_pass unix:" SOCK ";\n"
	      "\t}\n"
	      "}\n" } },
	  "nginx " SOCK " " SITES_NGINX "default:7 [server _]",
	  "www-data@/etc/nginx/nginx.conf:1", NULL },
	{ "nginx: stock default site: the fastcgi_pass is commented out",
	  { NGINX_BASE,
	    { SITES_NGINX "default",
	      "server {\n\tlocation ~ \\.php$ {\n\t\tinclude snippets/fastcgi-php.conf;\n"
	      "\t#\tfastcgi_pass unix:/run/php/php7.4-fpm.sock;\n\t}\n}\n" } },
	  "", "www-data@/etc/nginx/nginx.conf:1", NULL },
	{ "nginx: server_name after the locations still names the site",
	  { NGINX_BASE,
	    { SITES_NGINX "a", "server {\n location / { fastcgi_pass unix:/run/a.sock; }\n"
	      " server_name a.example b.example;\n}\n" } },
	  "nginx /run/a.sock " SITES_NGINX "a:2 [server a.example]", "www-data@/etc/nginx/nginx.conf:1",
	  NULL },
	{ "nginx: upstream defined after its use, each unix member a use",
	  { NGINX_BASE,
	    { SITES_NGINX "a",
	      "server {\n server_name up.example;\n location / { fastcgi_pass php; }\n}\n"
	      "upstream php {\n server unix:/run/p1.sock weight=2;\n server 127.0.0.1:9000;\n"
	      " server unix:/run/p2.sock backup;\n}\n" } },
	  "nginx /run/p1.sock " SITES_NGINX "a:6 [server up.example]\n"
	  "nginx /run/p2.sock " SITES_NGINX "a:8 [server up.example]",
	  "www-data@/etc/nginx/nginx.conf:1", NULL },
	{ "nginx: a TCP fastcgi_pass is nobody's socket",
	  { NGINX_BASE,
	    { SITES_NGINX "a", "server { location / { fastcgi_pass 127.0.0.1:9000; } }\n" } },
	  "", "www-data@/etc/nginx/nginx.conf:1", NULL },
	{ "nginx: variables in fastcgi_pass are not followed, and say so",
	  { NGINX_BASE,
	    { SITES_NGINX "a", "server { location / { fastcgi_pass unix:/run/php/php$v-fpm.sock; } }\n" } },
	  "", "www-data@/etc/nginx/nginx.conf:1", "has variables: not followed" },
	{ "nginx: quotes, escapes and a comment glued to a word",
	  { NGINX_BASE,
	    { SITES_NGINX "a",
	      "server { # a comment { ; }\n"
	      "  server_name \"q.example\";\n"
	      "  location / {\n    fastcgi_pass   'unix:/run/q\\'s.sock' ;\n  }\n"
	      "  location /b { fastcgi_pass unix:/run/b#c.sock; }\n}\n" } },
	  "nginx /run/q's.sock " SITES_NGINX "a:4 [server q.example]\n"
	  "nginx /run/b#c.sock " SITES_NGINX "a:6 [server q.example]",
	  "www-data@/etc/nginx/nginx.conf:1", NULL },
	{ "nginx: a snippet with the pass, included by two sites",
	  { NGINX_BASE,
	    { "/etc/nginx/snippets/php.conf", "location ~ \\.php$ {\n fastcgi_pass unix:" SOCK ";\n}\n" },
	    { SITES_NGINX "a", "server { server_name a; include snippets/php.conf; }\n" },
	    { SITES_NGINX "b", "server { server_name b; include /etc/nginx/snippets/php.conf; }\n" } },
	  "nginx " SOCK " /etc/nginx/snippets/php.conf:2 [server a]\n"
	  "nginx " SOCK " /etc/nginx/snippets/php.conf:2 [server b]",
	  "www-data@/etc/nginx/nginx.conf:1", NULL },
	{ "nginx: a snippet naming the server counts every time; an inert one is read once",
	  { NGINX_BASE,
	    { "/etc/nginx/snippets/name.conf", "server_name shared.example;\n" },
	    { "/etc/nginx/snippets/inert.conf", "fastcgi_param A b;\n" },
	    { SITES_NGINX "a",
	      "server { include snippets/inert.conf; include snippets/name.conf;\n"
	      " location / { include snippets/inert.conf; fastcgi_pass unix:/run/a.sock; } }\n"
	      "server { include snippets/inert.conf; include snippets/name.conf;\n"
	      " location / { include snippets/inert.conf; fastcgi_pass unix:/run/b.sock; } }\n" } },
	  "nginx /run/a.sock " SITES_NGINX "a:2 [server shared.example]\n"
	  "nginx /run/b.sock " SITES_NGINX "a:4 [server shared.example]",
	  "www-data@/etc/nginx/nginx.conf:1", NULL },
	{ "nginx: a stream server is no web site",
	  { { "/etc/nginx/nginx.conf",
	      "user nginx;\nstream {\n upstream u { server unix:/run/s.sock; }\n"
	      " server { listen 1234; proxy_pass u; }\n}\n" } },
	  "", "nginx@/etc/nginx/nginx.conf:1", NULL },
	{ "nginx: without a user directive workers run as nobody",
	  { { "/etc/nginx/nginx.conf", "http { server { location / { fastcgi_pass unix:/run/n.sock; } } }\n" } },
	  "nginx /run/n.sock /etc/nginx/nginx.conf:1 [unnamed server]",
	  "nobody@/etc/nginx/nginx.conf (no user directive: nginx's default)", NULL },
	{ "nginx: a missing include is named; an empty glob is not",
	  { { "/etc/nginx/nginx.conf", "user u;\nhttp {\n include conf.d/*.conf;\n include gone.conf;\n}\n" } },
	  "", "u@/etc/nginx/nginx.conf:1", "/etc/nginx/nginx.conf:4: include /etc/nginx/gone.conf: no such file" },
	{ "nginx: a file that includes itself ends",
	  { { "/etc/nginx/nginx.conf", "user u;\nhttp { include /etc/nginx/loop.conf; }\n" },
	    { "/etc/nginx/loop.conf", "include /etc/nginx/loop.conf;\n" } },
	  "", "u@/etc/nginx/nginx.conf:1", "includes nested deeper than" },
	{ "nginx: an unclosed block is reported, what came before is kept",
	  { { "/etc/nginx/nginx.conf", "user u;\nhttp {\n server {\n  location / { fastcgi_pass unix:/run/u.sock; }\n" } },
	  "nginx /run/u.sock /etc/nginx/nginx.conf:4 [unnamed server]", "u@/etc/nginx/nginx.conf:1",
	  "unexpected end of file" },

	/* ---- Apache ---- */
	{ "apache: Debian's php8.2-fpm.conf with proxy_fcgi enabled serves every site",
	  { APACHE_BASE, PROXY_FCGI,
	    { "/etc/apache2/conf-enabled/php8.2-fpm.conf", PHP_FPM_CONF } },
	  "apache2 " SOCK " /etc/apache2/conf-enabled/php8.2-fpm.conf:12 [every site]",
	  "www-data@/etc/apache2/apache2.conf:3 via /etc/apache2/envvars:7", NULL },
	{ "apache: ... and without proxy_fcgi it is not used",
	  { APACHE_BASE,
	    { "/etc/apache2/conf-enabled/php8.2-fpm.conf", PHP_FPM_CONF } },
	  "", "www-data@/etc/apache2/apache2.conf:3 via /etc/apache2/envvars:7", NULL },
	{ "apache: a vhost's SetHandler and ProxyPassMatch, continuation lines",
	  { APACHE_BASE, PROXY_FCGI,
	    { "/etc/apache2/sites-enabled/site.conf",
	      "<VirtualHost *:80>\n"
	      "\tServerName site.example\n"
	      "\t<FilesMatch \\.php$>\n"
	      "\t\tSetHandler \"proxy:unix:/run/php/site.sock|fcgi://localhost\"\n"
	      "\t</FilesMatch>\n"
	      "\tProxyPassMatch ^/(.*\\.php)$ \\\n"
	      "\t\tunix:/run/php/other.sock|fcgi://localhost/var/www/$1\n"
	      "</VirtualHost>\n"
	      "<VirtualHost *:8080>\n"
	      "\tProxyPass /app/ \"unix:/run/php/app.sock|fcgi://localhost/\" timeout=30\n"
	      "</VirtualHost>\n" } },
	  "apache2 /run/php/site.sock /etc/apache2/sites-enabled/site.conf:4 [site.example]\n"
	  "apache2 /run/php/other.sock /etc/apache2/sites-enabled/site.conf:6 [site.example]\n"
	  "apache2 /run/php/app.sock /etc/apache2/sites-enabled/site.conf:10 [<VirtualHost *:8080>]",
	  "www-data@/etc/apache2/apache2.conf:3 via /etc/apache2/envvars:7", NULL },
	{ "apache: a <Proxy> worker named by SetHandler proxy:fcgi://NAME",
	  { APACHE_BASE, PROXY_FCGI,
	    { "/etc/apache2/conf-enabled/php.conf",
	      "<Proxy \"unix:/run/php/w.sock|fcgi://php-w\">\n ProxySet timeout=60\n</Proxy>\n"
	      "<FilesMatch \\.php$>\n SetHandler proxy:fcgi://PHP-W/\n</FilesMatch>\n" } },
	  "apache2 /run/php/w.sock /etc/apache2/conf-enabled/php.conf:5 [every site]",
	  "www-data@/etc/apache2/apache2.conf:3 via /etc/apache2/envvars:7", NULL },
	{ "apache: a balancer's unix members",
	  { APACHE_BASE, PROXY_FCGI,
	    { "/etc/apache2/sites-enabled/b.conf",
	      "<VirtualHost *:80>\nServerName b.example\n"
	      "<Proxy balancer://php>\n BalancerMember \"unix:/run/php/b1.sock|fcgi://localhost\"\n"
	      " BalancerMember unix:/run/php/b2.sock|fcgi://localhost\n</Proxy>\n"
	      "ProxyPassMatch ^/(.*\\.php)$ balancer://php/var/www/$1\n</VirtualHost>\n" } },
	  "apache2 /run/php/b1.sock /etc/apache2/sites-enabled/b.conf:7 [b.example]\n"
	  "apache2 /run/php/b2.sock /etc/apache2/sites-enabled/b.conf:7 [b.example]",
	  "www-data@/etc/apache2/apache2.conf:3 via /etc/apache2/envvars:7", NULL },
	{ "apache: Define, ${VAR} and <IfDefine>",
	  { APACHE_BASE, PROXY_FCGI,
	    { "/etc/apache2/conf-enabled/v.conf",
	      "Define PHPV 8.2\n<IfDefine PHPV>\nSetHandler \"proxy:unix:/run/php/php${PHPV}-fpm.sock|fcgi://l\"\n"
	      "</IfDefine>\n<IfDefine !PHPV>\nSetHandler \"proxy:unix:/run/php/never.sock|fcgi://l\"\n</IfDefine>\n" } },
	  "apache2 " SOCK " /etc/apache2/conf-enabled/v.conf:3 [every site]",
	  "www-data@/etc/apache2/apache2.conf:3 via /etc/apache2/envvars:7", NULL },
	{ "apache: envvars alone gives the user (the old detection)",
	  { { "/etc/apache2/envvars", "export APACHE_RUN_USER='web'\n" } },
	  "", "web@/etc/apache2/envvars:1", NULL },
	{ "apache: a missing Include is named, IncludeOptional is not",
	  { { "/etc/apache2/apache2.conf", "User www-data\nIncludeOptional nothing/*.conf\nInclude gone.conf\n" } },
	  "", "www-data@/etc/apache2/apache2.conf:1", "/etc/apache2/apache2.conf:3: Include /etc/apache2/gone.conf: no such file" },
	{ "apache: a section not closed in its file",
	  { { "/etc/apache2/apache2.conf", "User u\nInclude x.conf\n" },
	    { "/etc/apache2/x.conf", "<VirtualHost *:80>\nSetHandler proxy:unix:/run/x.sock|fcgi://l\n" } },
	  "apache2 /run/x.sock /etc/apache2/x.conf:2 [<VirtualHost *:80>]", "u@/etc/apache2/apache2.conf:1",
	  "<VirtualHost> not closed in this file" },
};

static char *uses_text(const struct ws_config *c)
{
	char *out = xstrdup(""), *t, *site;
	size_t i;

	for (i = 0; i < c->nuses; i++) {
		site = ws_use_site(&c->uses[i]);
		t = xasprintf("%s%s%s %s %s:%d [%s]", out, i ? "\n" : "", ws_kind_name(c->uses[i].server),
			      c->uses[i].socket, c->uses[i].file, c->uses[i].line, site);
		free(out);
		free(site);
		out = t;
	}
	return out;
}

static int has_note(const struct ws_config *c, const char *needle)
{
	size_t i, k;

	for (i = 0; i < WS_NKINDS; i++)
		for (k = 0; k < c->srv[i].nnotes; k++)
			if (strstr(c->srv[i].notes[k], needle))
				return 1;
	return 0;
}

static size_t nnotes(const struct ws_config *c)
{
	return c->srv[WS_NGINX].nnotes + c->srv[WS_APACHE].nnotes;
}

START_TEST(test_rule)
{
	const struct row *r = &rows[_i];
	char *root = fixture_root(), *got, *user = NULL;
	struct rootfs fs;
	struct ws_config c;
	size_t i;

	for (i = 0; i < 10 && r->files[i].path; i++)
		fixture_write(root, r->files[i].path, r->files[i].content);
	ck_assert_int_eq(rootfs_init(&fs, root), 0);
	webservers_read(&fs, 0, &c);
	got = uses_text(&c);
	ck_assert_msg(strcmp(got, r->uses) == 0, "%s:\ngot\n%s\nwant\n%s", r->rule, got, r->uses);
	for (i = 0; i < WS_NKINDS && user == NULL; i++)
		if (c.srv[i].present)
			user = xasprintf("%s@%s", c.srv[i].user ? c.srv[i].user : "(none)",
					 c.srv[i].user_source ? c.srv[i].user_source : "-");
	ck_assert_msg(user && strcmp(user, r->user) == 0, "%s: user %s, want %s", r->rule,
		      user ? user : "(no server)", r->user);
	if (r->note)
		ck_assert_msg(has_note(&c, r->note), "%s: no note '%s'", r->rule, r->note);
	else
		ck_assert_msg(nnotes(&c) == 0, "%s: unexpected note '%s'", r->rule,
			      c.srv[WS_NGINX].nnotes ? c.srv[WS_NGINX].notes[0] : c.srv[WS_APACHE].notes[0]);
	free(user);
	free(got);
	webservers_free(&c);
	rootfs_close(&fs);
	fixture_rm(root);
}
END_TEST

/* A file of nothing but opening braces ends with a note, not a crash. */
START_TEST(test_nginx_deep_nesting)
{
	char *root = fixture_root(), *deep = xmalloc(200001);
	struct rootfs fs;
	struct ws_config c;
	size_t i;

	for (i = 0; i < 100000; i++)
		memcpy(deep + 2 * i, "a{", 2);
	deep[200000] = '\0';
	fixture_write(root, "/etc/nginx/nginx.conf", "user u;\nhttp { include /etc/nginx/deep; }\n");
	fixture_write(root, "/etc/nginx/deep", deep);
	ck_assert_int_eq(rootfs_init(&fs, root), 0);
	webservers_read(&fs, 0, &c);
	ck_assert(has_note(&c, "blocks nested deeper than 64"));
	webservers_free(&c);
	rootfs_close(&fs);
	free(deep);
	fixture_rm(root);
}
END_TEST

/* No web server at all: nothing present, no use, no note. */
START_TEST(test_no_server)
{
	char *root = fixture_root();
	struct rootfs fs;
	struct ws_config c;

	ck_assert_int_eq(rootfs_init(&fs, root), 0);
	webservers_read(&fs, 1, &c);	/* asking: never under a root */
	ck_assert(!c.srv[WS_NGINX].present && !c.srv[WS_APACHE].present);
	ck_assert_uint_eq(c.nuses, 0);
	ck_assert_uint_eq(nnotes(&c), 0);
	webservers_free(&c);
	rootfs_close(&fs);
	fixture_rm(root);
}
END_TEST

/* ---- nginx -T ---- */

#define SITE_TEXT "server {\n# configuration file /etc/nginx/fake:\n location / { fastcgi_pass unix:/run/t.sock; }\n}\n"

START_TEST(test_nginx_dump)
{
	char *root = fixture_root(), *out, *got;
	struct rootfs fs;
	struct ws_text *t;
	struct ws_config c;
	struct ws_src src;
	size_t n;

	fixture_write(root, "/etc/nginx/nginx.conf", "user u;\nhttp { include /etc/nginx/s/*; }\n");
	fixture_write(root, "/etc/nginx/s/site", SITE_TEXT);
	ck_assert_int_eq(rootfs_init(&fs, root), 0);
	/* What nginx -T -q prints: each file, a newline after it.  A line in
	 * the site that looks like a header does not cut it. */
	out = xasprintf("nginx: [warn] something\n"
			"# configuration file /etc/nginx/nginx.conf:\n"
			"user u;\nhttp { include /etc/nginx/s/*; }\n\n"
			"# configuration file /etc/nginx/s/site:\n" SITE_TEXT "\n");
	ck_assert_int_eq(ws_nginx_parse_dump(&fs, out, &t, &n), 0);
	ck_assert_uint_eq(n, 2);
	ck_assert_str_eq(t[1].path, "/etc/nginx/s/site");
	ck_assert_str_eq(t[1].text, SITE_TEXT);
	memset(&c, 0, sizeof c);
	memset(&src, 0, sizeof src);
	src.root = &fs;
	src.dump = t;
	src.ndump = n;
	ws_nginx_walk(&src, t[0].path, &c);
	ws_set_vhost(&c, 0, "", NULL, 0);
	got = uses_text(&c);
	ck_assert_str_eq(got, "nginx /run/t.sock /etc/nginx/s/site:3 [unnamed server]");
	free(got);
	webservers_free(&c);
	ws_texts_free(t, n);
	free(out);
	/* A dump that is not the files on disk (changed meanwhile) is refused. */
	out = xasprintf("# configuration file /etc/nginx/nginx.conf:\nuser u;\n\n");
	ck_assert_int_eq(ws_nginx_parse_dump(&fs, out, &t, &n), -1);
	free(out);
	ck_assert_int_eq(ws_nginx_parse_dump(&fs, "nginx: [emerg] bad\n", &t, &n), -1);
	rootfs_close(&fs);
	fixture_rm(root);
}
END_TEST

/* ---- apache2ctl -t -D DUMP_INCLUDES -D DUMP_RUN_CFG ---- */

START_TEST(test_apache_dump)
{
	static const char out[] =
		"Included configuration files:\n"
		"  (*) /etc/apache2/apache2.conf\n"
		"    (1) /etc/apache2/ports.conf\n"
		"    (2) /etc/apache2/conf-enabled/extra.conf\n"
		"AH00558: apache2: Could not reliably determine the server's fully qualified domain name\n"
		"ServerRoot: \"/etc/apache2\"\n"
		"Define: DUMP_INCLUDES\n"
		"User: name=\"www-run\" id=1000\n"
		"Group: name=\"www-run\" id=1000\n";
	char *root = fixture_root();
	struct ws_apache_dump d;
	struct rootfs fs;
	struct ws_config c;

	ck_assert_int_eq(ws_apache_parse_dump(out, &d), 0);
	ck_assert_uint_eq(d.nfiles, 3);
	ck_assert_str_eq(d.files[2], "/etc/apache2/conf-enabled/extra.conf");
	ck_assert_str_eq(d.user, "www-run");
	ck_assert_str_eq(d.server_root, "/etc/apache2");
	/* Apache's word wins for the user; every disagreement is a note. */
	fixture_write(root, "/etc/apache2/apache2.conf", "User www-data\nInclude ports.conf\n");
	fixture_write(root, "/etc/apache2/ports.conf", "Listen 80\nInclude mine.conf\n");
	fixture_write(root, "/etc/apache2/mine.conf", "\n");
	ck_assert_int_eq(rootfs_init(&fs, root), 0);
	memset(&c, 0, sizeof c);
	ws_apache_walk(&fs, &d, &c);
	ck_assert_str_eq(c.srv[WS_APACHE].user, "www-run");
	ck_assert_str_eq(c.srv[WS_APACHE].user_source, "apache2ctl -D DUMP_RUN_CFG");
	ck_assert(has_note(&c, "Apache reads /etc/apache2/conf-enabled/extra.conf, which this reader did not"));
	ck_assert(has_note(&c, "Apache does not read /etc/apache2/mine.conf"));
	ck_assert(has_note(&c, "Apache runs as www-run, where /etc/apache2/apache2.conf:1 says www-data"));
	webservers_free(&c);
	ws_apache_dump_free(&d);
	ck_assert_int_eq(ws_apache_parse_dump("AH00526: Syntax error on line 3\n", &d), -1);
	rootfs_close(&fs);
	fixture_rm(root);
}
END_TEST

/* ---- through host, snapshot and diff ---- */

#define FPM_CONF "[global]\npid = /run/php/fpm.pid\ninclude = /etc/php/8.2/fpm/pool.d/*.conf\n"

static void write_host(const char *root, const char *listen)
{
	char *link, *pool = xasprintf("[www]\nuser = www-data\ngroup = www-data\nlisten = %s\n"
				      "listen.owner = www-data\nlisten.group = www-data\n"
				      "pm = ondemand\npm.max_children = 2\n", listen);

	fixture_write(root, "/etc/passwd", "root:x:0:0::/root:/bin/sh\n"
		      "www-data:x:33:33::/var/www:/usr/sbin/nologin\n"
		      "web:x:1000:1000::/home/web:/bin/sh\n");
	fixture_write(root, "/etc/group", "root:x:0:\nwww-data:x:33:\nweb:x:1000:\n");
	fixture_write(root, "/etc/php/8.2/fpm/php-fpm.conf", FPM_CONF);
	fixture_write(root, "/etc/php/8.2/fpm/pool.d/www.conf", pool);
	fixture_write(root, "/etc/nginx/nginx.conf", "user web;\nhttp { include /etc/nginx/sites-enabled/*; }\n");
	/* The path through /var/run, as old configs wrote it. */
	fixture_write(root, "/etc/nginx/sites-enabled/app",
		      "server {\n\tserver_name app.example;\n\tlocation ~ \\.php$ {\n"
		      "\t\tfastcgi_pass unix:/var/run/php/php8.2-fpm.sock;\n\t}\n}\n");
	fixture_write(root, "/run/php/.keep", "");
	fixture_write(root, "/var/.keep", "");
	link = xasprintf("%s/var/run", root);
	if (symlink("/run", link) < 0 && errno != EEXIST)
		ck_abort_msg("symlink %s", link);
	free(link);
	free(pool);
}

static void inspect(const char *root, struct host_view *h)
{
	static const char *const cfg[] = { "/etc/php/8.2/fpm/php-fpm.conf" };
	struct host_opts o;

	memset(&o, 0, sizeof o);
	o.root = root;
	o.fpm_configs = cfg;
	o.nfpm_configs = 1;
	ck_assert_int_eq(host_inspect(&o, h), 0);
}

START_TEST(test_clients_per_socket)
{
	char *root = fixture_root();
	struct problem_list pl = { NULL, 0, 0 };
	struct host_view h;
	const struct pool_view *pv;

	write_host(root, SOCK);
	inspect(root, &h);
	ck_assert_uint_eq(h.ninst, 1);
	pv = &h.inst[0].pools[0];
	/* /var/run/php/... meets /run/php/...: nginx uses the pool, and its
	 * user, not the host-wide default, is the pool's client. */
	ck_assert_uint_eq(pv->ncons, 1);
	ck_assert_str_eq(pv->cons[0].use->file, "/etc/nginx/sites-enabled/app");
	ck_assert_uint_eq(pv->nclients, 1);
	ck_assert_str_eq(pv->clients[0].client->user, "web");
	host_judge_servers(&h, &pl);
	ck_assert_uint_eq(pl.n, 0);
	host_free(&h);
	/* The socket renamed: the vhost points where no pool listens. */
	write_host(root, "/run/php/php-fpm.sock");
	inspect(root, &h);
	pv = &h.inst[0].pools[0];
	ck_assert_uint_eq(pv->ncons, 0);
	ck_assert_str_eq(pv->clients[0].client->user, "web");	/* host-wide: nginx's user */
	host_judge_servers(&h, &pl);
	ck_assert_uint_eq(pl.n, 1);
	ck_assert_int_eq(pl.v[0].kind, PR_SERVER_SOCKET_MISSING);
	ck_assert_int_eq(pl.v[0].cons->use->line, 4);
	free(pl.v);
	host_free(&h);
	fixture_rm(root);
}
END_TEST

START_TEST(test_rename_in_diff)
{
	char *root = fixture_root(), *j1, *j2, *err = NULL;
	struct snapshot old, cur;
	struct finding_list fl = { NULL, 0, 0 };
	struct host_view h;
	size_t i, found = 0;

	write_host(root, SOCK);
	inspect(root, &h);
	j1 = snapshot_json_from_host(&h, "pre-invoke");
	host_free(&h);
	write_host(root, "/run/php/php-fpm.sock");
	inspect(root, &h);
	j2 = snapshot_json_from_host(&h, "post-invoke");
	host_free(&h);
	ck_assert_msg(snapshot_parse(j1, strlen(j1), &old, &err) == 0, "%s", err);
	ck_assert_msg(snapshot_parse(j2, strlen(j2), &cur, &err) == 0, "%s", err);
	ck_assert_uint_eq(cur.nuses, 1);
	diff_snapshots(&old, &cur, &fl);
	for (i = 0; i < fl.n; i++) {
		const struct finding *f = &fl.v[i];
		if (f->kind != FK_SERVER_SOCKET_LOST)
			continue;
		found++;
		ck_assert_int_eq(f->sev, SEV_ERROR);
		ck_assert_str_eq(f->file, "/etc/nginx/sites-enabled/app");
		ck_assert_int_eq(f->line, 4);
		ck_assert_str_eq(f->pool, "www");
		ck_assert_str_eq(f->user, "web");
		ck_assert_str_eq(f->before, "pool www listened on /var/run/php/php8.2-fpm.sock");
		ck_assert_str_eq(f->after, "pool www listens on /run/php/php-fpm.sock");
	}
	ck_assert_uint_eq(found, 1);
	finding_list_free(&fl);
	/* A snapshot of an older guard has no server_uses: nothing said. */
	old.have_uses = 0;
	diff_snapshots(&old, &cur, &fl);
	for (i = 0; i < fl.n; i++)
		ck_assert_int_ne(fl.v[i].kind, FK_SERVER_SOCKET_LOST);
	finding_list_free(&fl);
	snapshot_free(&old);
	snapshot_free(&cur);
	free(j1);
	free(j2);
	fixture_rm(root);
}
END_TEST

static Suite *suite(void)
{
	Suite *s = suite_create("webservers");
	TCase *tc = tcase_create("core");

	tcase_add_loop_test(tc, test_rule, 0, (int)(sizeof rows / sizeof *rows));
	tcase_add_test(tc, test_no_server);
	tcase_add_test(tc, test_nginx_deep_nesting);
	tcase_add_test(tc, test_nginx_dump);
	tcase_add_test(tc, test_apache_dump);
	tcase_add_test(tc, test_clients_per_socket);
	tcase_add_test(tc, test_rename_in_diff);
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	return fixture_run_suite(suite());
}
