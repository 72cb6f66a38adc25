/*
 * serving: which PHP serves each site, as which user, and the findings
 * when that changes -- on fixture roots, through host_inspect, the
 * snapshot as a file and the diff, as the hooks run them.
 *
 *   hops                 the php-fpm.sock alternative as a symlink chain,
 *                        loops, links that aim out of the root
 *   show                 one line per site (a live socket bound in the root)
 *   server-retargeted    the alternative moved to another instance
 *   listen-conflict      two instances on one path; one instance twice
 *   handler-changed      Apache loads mod_php: the FPM handler is skipped;
 *                        and predicted from a Pre-Install-Pkgs list
 *   daemon-stopped       an error naming the sites when servers use it
 */
#include "fixture.h"
#include "diff/diff.h"
#include "host/host.h"
#include "host/hostsnap.h"
#include "host/serving.h"
#include "predict/modphp.h"
#include "report/report.h"
#include "util/xalloc.h"

#include <sys/socket.h>
#include <sys/un.h>

#define POOL_TMPL "[%s]\nuser = %s\ngroup = %s\nlisten = %s\nlisten.owner = www-data\n" \
	"listen.group = www-data\npm = ondemand\npm.max_children = 2\n"

static void fixture_link(const char *root, const char *target, const char *rel)
{
	char *p = xasprintf("%s%s", root, rel);

	unlink(p);
	ck_assert_msg(symlink(target, p) == 0, "symlink %s: %s", p, strerror(errno));
	free(p);
}

static void write_accounts(const char *root)
{
	fixture_write(root, "/etc/passwd", "root:x:0:0::/root:/bin/sh\n"
		      "www-data:x:33:33::/var/www:/usr/sbin/nologin\n"
		      "shop:x:1001:1001::/srv/shop:/usr/sbin/nologin\n");
	fixture_write(root, "/etc/group", "root:x:0:\nwww-data:x:33:\nshop:x:1001:\n");
}

/* An instance of PHP ver with one pool. */
static void write_instance(const char *root, const char *ver, const char *pool,
			   const char *user, const char *listen)
{
	char *conf = xasprintf("/etc/php/%s/fpm/php-fpm.conf", ver);
	char *inc = xasprintf("[global]\npid = /run/php/php%s-fpm.pid\n"
			      "include = /etc/php/%s/fpm/pool.d/*.conf\n", ver, ver);
	char *pf = xasprintf("/etc/php/%s/fpm/pool.d/%s.conf", ver, pool);
	char *body = xasprintf(POOL_TMPL, pool, user, user, listen);

	fixture_write(root, conf, inc);
	fixture_write(root, pf, body);
	free(conf);
	free(inc);
	free(pf);
	free(body);
}

static void write_nginx_site(const char *root, const char *name, const char *sock)
{
	char *rel = xasprintf("/etc/nginx/sites-enabled/%s", name);
	char *body = xasprintf("server {\n\tlisten 80;\n\tserver_name %s.example;\n"
			       "\tlocation ~ \\.php$ {\n\t\tinclude fastcgi.conf;\n"
			       "\t\tfastcgi_pass unix:%s;\n\t}\n}\n", name, sock);

	fixture_write(root, rel, body);
	free(rel);
	free(body);
}

static void write_nginx(const char *root)
{
	fixture_write(root, "/etc/nginx/nginx.conf", "user www-data;\n"
		      "http { include /etc/nginx/sites-enabled/*; }\n");
	fixture_write(root, "/etc/nginx/fastcgi.conf", "fastcgi_param A b;\n");
	fixture_write(root, "/run/php/.keep", "");
	fixture_write(root, "/etc/alternatives/.keep", "");
}

/* The Debian alternative: php-fpm.sock -> /etc/alternatives -> ver's. */
static void point_alternative(const char *root, const char *ver)
{
	char *t = xasprintf("/run/php/php%s-fpm.sock", ver);

	fixture_link(root, "/etc/alternatives/php-fpm.sock", "/run/php/php-fpm.sock");
	fixture_link(root, t, "/etc/alternatives/php-fpm.sock");
	free(t);
}

static void inspect(const char *root, const char *const *cfg, size_t n, struct host_view *h)
{
	struct host_opts o;

	memset(&o, 0, sizeof o);
	o.root = root;
	o.fpm_configs = cfg;
	o.nfpm_configs = n;
	ck_assert_int_eq(host_inspect(&o, h), 0);
}

static const char *const BOTH[] = { "/etc/php/8.2/fpm/php-fpm.conf",
				    "/etc/php/8.4/fpm/php-fpm.conf" };

static char *snap_of(const char *root, const char *const *cfg, size_t n, const char *phase)
{
	struct host_view h;
	char *j;

	inspect(root, cfg, n, &h);
	j = snapshot_json_from_host(&h, phase);
	host_free(&h);
	return j;
}

static void parse(const char *j, struct snapshot *s)
{
	char *err = NULL;

	ck_assert_msg(snapshot_parse(j, strlen(j), s, &err) == 0, "%s", err);
}

static size_t count(const struct finding_list *fl, enum finding_kind k)
{
	size_t i, n = 0;

	for (i = 0; i < fl->n; i++)
		n += fl->v[i].kind == k;
	return n;
}

static const struct finding *first(const struct finding_list *fl, enum finding_kind k)
{
	size_t i;

	for (i = 0; i < fl->n; i++)
		if (fl->v[i].kind == k)
			return &fl->v[i];
	ck_abort_msg("no %s among %zu findings", finding_kind_name(k), fl->n);
	return NULL;
}

/* ---- hops ---- */

START_TEST(test_hops_alternative)
{
	char *root = fixture_root();
	struct rootfs r;
	struct serving_hops h;

	write_nginx(root);
	point_alternative(root, "8.2");
	ck_assert_int_eq(rootfs_init(&r, root), 0);
	serving_hops(&r, "/run/php/php-fpm.sock", &h);
	ck_assert_uint_eq(h.n, 3);
	ck_assert_str_eq(h.path[0], "/run/php/php-fpm.sock");
	ck_assert_str_eq(h.path[1], "/etc/alternatives/php-fpm.sock");
	ck_assert_str_eq(h.path[2], "/run/php/php8.2-fpm.sock");
	ck_assert_int_eq(h.loop, 0);
	serving_hops_free(&h);
	/* A relative link resolves against its own directory, in the root. */
	fixture_link(root, "php8.4-fpm.sock", "/etc/alternatives/php-fpm.sock");
	serving_hops(&r, "/run/php/php-fpm.sock", &h);
	ck_assert_uint_eq(h.n, 3);
	ck_assert_str_eq(h.path[2], "/etc/alternatives/php8.4-fpm.sock");
	serving_hops_free(&h);
	/* A loop ends, and says so. */
	fixture_link(root, "/run/php/php-fpm.sock", "/etc/alternatives/php-fpm.sock");
	serving_hops(&r, "/run/php/php-fpm.sock", &h);
	ck_assert_int_eq(h.loop, 1);
	ck_assert_uint_eq(h.n, 2);
	serving_hops_free(&h);
	/* An absolute target is inside the root: the next hop is read there,
	 * never on the host (the host's /etc/alternatives has no such link). */
	fixture_link(root, "/etc/alternatives/pfg-nowhere", "/etc/alternatives/php-fpm.sock");
	fixture_link(root, "/../../../../run/php/php8.2-fpm.sock", "/etc/alternatives/pfg-nowhere");
	serving_hops(&r, "/run/php/php-fpm.sock", &h);
	ck_assert_uint_eq(h.n, 4);
	ck_assert_str_eq(h.path[3], "/../../../../run/php/php8.2-fpm.sock");
	serving_hops_free(&h);
	rootfs_close(&r);
	fixture_rm(root);
}
END_TEST

START_TEST(test_php_version)
{
	char *v = serving_php_version("/etc/php/8.2/fpm/php-fpm.conf", NULL);

	ck_assert_str_eq(v, "8.2");
	free(v);
	v = serving_php_version("/opt/fpm.conf", "php7.4-fpm");
	ck_assert_str_eq(v, "7.4");
	free(v);
	ck_assert_ptr_null(serving_php_version("/opt/fpm.conf", NULL));
	ck_assert_ptr_null(serving_php_version("/etc/php/x/fpm/php-fpm.conf", "nginx"));
}
END_TEST

/* ---- show: one line per site ---- */

/* A listening socket at root/rel, owned uid:gid, mode. */
static int bind_socket(const char *root, const char *rel, uid_t uid, gid_t gid, mode_t mode)
{
	struct sockaddr_un a;
	char *p = xasprintf("%s%s", root, rel);
	int fd = socket(AF_UNIX, SOCK_STREAM, 0);

	memset(&a, 0, sizeof a);
	a.sun_family = AF_UNIX;
	ck_assert_uint_lt(strlen(p), sizeof a.sun_path);
	strcpy(a.sun_path, p);
	ck_assert_int_eq(bind(fd, (struct sockaddr *)&a, sizeof a), 0);
	ck_assert_int_eq(listen(fd, 1), 0);
	ck_assert_int_eq(chown(p, uid, gid), 0);
	ck_assert_int_eq(chmod(p, mode), 0);
	free(p);
	return fd;
}

START_TEST(test_show_three_sites)
{
	static const char *const cfg[] = { "/etc/php/8.2/fpm/php-fpm.conf" };
	char *root = fixture_root(), *buf = NULL;
	size_t len = 0;
	struct host_view h;
	FILE *mem;
	int fd;

	write_accounts(root);
	write_nginx(root);
	write_instance(root, "8.2", "shop", "shop", "/run/php/shop.sock");
	fixture_write(root, "/etc/php/8.2/fpm/pool.d/www.conf",
		      "[www]\nuser = www-data\ngroup = www-data\nlisten = /run/php/php8.2-fpm.sock\n"
		      "listen.owner = root\nlisten.group = root\nlisten.mode = 0600\n");
	write_nginx_site(root, "shop", "/run/php/shop.sock");
	write_nginx_site(root, "blog", "/run/php/php-fpm.sock");
	write_nginx_site(root, "old", "/run/php/php5-fpm.sock");
	point_alternative(root, "8.2");
	ck_assert_int_eq(chmod(root, 0755), 0);
	fd = bind_socket(root, "/run/php/shop.sock", 1001, 33, 0660);
	inspect(root, cfg, 1, &h);
	mem = open_memstream(&buf, &len);
	report_serving_text(mem, &h);
	fclose(mem);
	ck_assert_msg(strstr(buf, "  site shop.example (/etc/nginx/sites-enabled/shop:6): PHP 8.2 "
			     "pool shop as shop via /run/php/shop.sock, nginx www-data can "
			     "connect\n"), "%s", buf);
	ck_assert_msg(strstr(buf, "  site blog.example (/etc/nginx/sites-enabled/blog:6): PHP 8.2 "
			     "pool www as www-data via /run/php/php-fpm.sock -> "
			     "/etc/alternatives/php-fpm.sock -> /run/php/php8.2-fpm.sock, nginx "
			     "www-data CANNOT connect once the pool starts\n"), "%s", buf);
	ck_assert_msg(strstr(buf, "  site old.example (/etc/nginx/sites-enabled/old:6): NO pool "
			     "listens via /run/php/php5-fpm.sock\n"), "%s", buf);
	free(buf);
	host_free(&h);
	close(fd);
	fixture_rm(root);
}
END_TEST

/* ---- server-retargeted ---- */

static void write_two_instances(const char *root)
{
	write_accounts(root);
	write_nginx(root);
	write_instance(root, "8.2", "www", "www-data", "/run/php/php8.2-fpm.sock");
	write_instance(root, "8.4", "www", "www-data", "/run/php/php8.4-fpm.sock");
	write_nginx_site(root, "shop", "/run/php/php-fpm.sock");
}

START_TEST(test_retargeted)
{
	char *root = fixture_root(), *j1, *j2;
	struct snapshot old, cur;
	struct finding_list fl = { NULL, 0, 0 };
	const struct finding *f;

	write_two_instances(root);
	point_alternative(root, "8.2");
	j1 = snap_of(root, BOTH, 2, "pre-invoke");
	point_alternative(root, "8.4");	/* a higher-priority php8.4-fpm installed */
	j2 = snap_of(root, BOTH, 2, "post-invoke");
	parse(j1, &old);
	parse(j2, &cur);
	ck_assert_uint_eq(cur.nuses, 1);
	ck_assert_uint_eq(cur.uses[0].nhops, 3);
	ck_assert_str_eq(cur.uses[0].hops[2], "/run/php/php8.4-fpm.sock");
	ck_assert_str_eq(cur.uses[0].php, "8.4");
	diff_snapshots(&old, &cur, &fl);
	ck_assert_uint_eq(count(&fl, FK_SERVER_RETARGETED), 1);
	f = first(&fl, FK_SERVER_RETARGETED);
	ck_assert_int_eq(f->sev, SEV_WARNING);
	ck_assert_str_eq(f->before, "PHP 8.2 pool www as www-data");
	ck_assert_str_eq(f->after, "PHP 8.4 pool www as www-data");
	ck_assert_str_eq(f->file, "/etc/nginx/sites-enabled/shop");
	ck_assert_int_eq(f->line, 6);
	ck_assert_str_eq(f->instance, "/etc/php/8.4/fpm/php-fpm.conf");
	ck_assert_msg(strstr(f->detail, "site server shop.example: now PHP 8.4 pool www as "
			     "www-data, before PHP 8.2 pool www as www-data"), "%s", f->detail);
	ck_assert_uint_eq(count(&fl, FK_SERVER_SOCKET_LOST), 0);
	finding_list_free(&fl);
	/* Unchanged alternative: nothing. */
	diff_snapshots(&cur, &cur, &fl);
	ck_assert_uint_eq(fl.n, 0);
	finding_list_free(&fl);
	snapshot_free(&old);
	snapshot_free(&cur);
	free(j1);
	free(j2);
	fixture_rm(root);
}
END_TEST

/* ---- listen-conflict ---- */

START_TEST(test_listen_conflict_check)
{
	char *root = fixture_root();
	struct problem_list pl = { NULL, 0, 0 };
	struct host_view h;

	write_two_instances(root);
	/* 8.4 takes 8.2's path through the /var/run link. */
	write_instance(root, "8.4", "www", "www-data", "/var/run/php/php8.2-fpm.sock");
	fixture_write(root, "/var/.keep", "");
	fixture_link(root, "/run", "/var/run");
	inspect(root, BOTH, 2, &h);
	host_judge_conflicts(&h, &pl);
	ck_assert_uint_eq(pl.n, 1);
	ck_assert_int_eq(pl.v[0].kind, PR_LISTEN_CONFLICT);
	ck_assert_int_eq(pl.v[0].is_error, 1);
	ck_assert_str_eq(pl.v[0].inst->loc.config, "/etc/php/8.4/fpm/php-fpm.conf");
	ck_assert_str_eq(pl.v[0].other_inst->loc.config, "/etc/php/8.2/fpm/php-fpm.conf");
	ck_assert_str_eq(pl.v[0].other_pv->pool->set[K_LISTEN].file,
			 "/etc/php/8.2/fpm/pool.d/www.conf");
	free(pl.v);
	pl.v = NULL;
	pl.n = pl.cap = 0;
	host_free(&h);
	/* One instance twice: a second pool file on the same path. */
	write_instance(root, "8.4", "www", "www-data", "/run/php/php8.4-fpm.sock");
	fixture_write(root, "/etc/php/8.2/fpm/pool.d/zz-copy.conf",
		      "[copy]\nuser = www-data\ngroup = www-data\n"
		      "listen = /run/php/php8.2-fpm.sock\n");
	inspect(root, BOTH, 2, &h);
	host_judge_conflicts(&h, &pl);
	ck_assert_uint_eq(pl.n, 1);
	ck_assert_str_eq(pl.v[0].pv->pool->name, "copy");
	ck_assert_str_eq(pl.v[0].other_pv->pool->name, "www");
	free(pl.v);
	host_free(&h);
	fixture_rm(root);
}
END_TEST

START_TEST(test_listen_conflict_diff)
{
	char *root = fixture_root(), *j1, *j2;
	struct snapshot old, cur;
	struct finding_list fl = { NULL, 0, 0 };
	const struct finding *f;

	write_two_instances(root);
	point_alternative(root, "8.2");
	j1 = snap_of(root, BOTH, 2, "pre-invoke");
	write_instance(root, "8.4", "www", "www-data", "/run/php/php8.2-fpm.sock");
	j2 = snap_of(root, BOTH, 2, "post-invoke");
	parse(j1, &old);
	parse(j2, &cur);
	diff_snapshots(&old, &cur, &fl);
	ck_assert_uint_eq(count(&fl, FK_LISTEN_CONFLICT), 1);
	f = first(&fl, FK_LISTEN_CONFLICT);
	ck_assert_int_eq(f->sev, SEV_ERROR);
	ck_assert_str_eq(f->file, "/etc/php/8.4/fpm/pool.d/www.conf");
	ck_assert_int_eq(f->line, 4);
	ck_assert_str_eq(f->before, "pool www of /etc/php/8.2/fpm/php-fpm.conf listens on "
			 "/run/php/php8.2-fpm.sock (/etc/php/8.2/fpm/pool.d/www.conf:4)");
	finding_list_free(&fl);
	/* A conflict that was there before is no change. */
	diff_snapshots(&cur, &cur, &fl);
	ck_assert_uint_eq(count(&fl, FK_LISTEN_CONFLICT), 0);
	finding_list_free(&fl);
	snapshot_free(&cur);
	free(j2);
	/* The same path through the /var/run link: the snapshot keeps the
	 * resolved path, the diff meets the two. */
	fixture_write(root, "/var/.keep", "");
	fixture_link(root, "/run", "/var/run");
	write_instance(root, "8.4", "www", "www-data", "/var/run/php/php8.2-fpm.sock");
	j2 = snap_of(root, BOTH, 2, "post-invoke");
	parse(j2, &cur);
	ck_assert_str_eq(cur.inst[1].pools[0].listen_path, "/run/php/php8.2-fpm.sock");
	ck_assert_ptr_null(cur.inst[0].pools[0].listen_path);	/* the same as listen */
	diff_snapshots(&old, &cur, &fl);
	ck_assert_uint_eq(count(&fl, FK_LISTEN_CONFLICT), 1);
	finding_list_free(&fl);
	snapshot_free(&old);
	snapshot_free(&cur);
	free(j1);
	free(j2);
	fixture_rm(root);
}
END_TEST

/* ---- handler-changed: Apache and mod_php ---- */

#define APACHE_CONF "User www-data\nIncludeOptional mods-enabled/*.load\n" \
	"IncludeOptional conf-enabled/*.conf\n"
/* bullseye's php7.4-fpm.conf: the module's own name is mod_php7.c */
#define FPM74_CONF "<IfModule !mod_php7.c>\n<IfModule proxy_fcgi_module>\n" \
	"<FilesMatch \".+\\.ph(?:ar|p|tml)$\">\n" \
	"    SetHandler \"proxy:unix:/run/php/php7.4-fpm.sock|fcgi://localhost\"\n" \
	"</FilesMatch>\n</IfModule>\n</IfModule>\n"

static const char *const PHP74[] = { "/etc/php/7.4/fpm/php-fpm.conf" };

static void write_apache(const char *root)
{
	write_accounts(root);
	write_instance(root, "7.4", "www", "www-data", "/run/php/php7.4-fpm.sock");
	fixture_write(root, "/run/php/.keep", "");
	fixture_write(root, "/etc/apache2/apache2.conf", APACHE_CONF);
	fixture_write(root, "/etc/apache2/mods-enabled/proxy.load",
		      "LoadModule proxy_module /usr/lib/apache2/modules/mod_proxy.so\n");
	fixture_write(root, "/etc/apache2/mods-enabled/proxy_fcgi.load",
		      "LoadModule proxy_fcgi_module /usr/lib/apache2/modules/mod_proxy_fcgi.so\n");
	fixture_write(root, "/etc/apache2/conf-enabled/php7.4-fpm.conf", FPM74_CONF);
}

START_TEST(test_handler_changed)
{
	char *root = fixture_root(), *j1, *j2;
	struct snapshot old, cur;
	struct finding_list fl = { NULL, 0, 0 };
	const struct finding *f;

	write_apache(root);
	j1 = snap_of(root, PHP74, 1, "pre-invoke");
	fixture_write(root, "/etc/apache2/mods-enabled/php7.4.load",
		      "LoadModule php7_module /usr/lib/apache2/modules/libphp7.4.so\n");
	j2 = snap_of(root, PHP74, 1, "post-invoke");
	parse(j1, &old);
	parse(j2, &cur);
	ck_assert_uint_eq(old.nuses, 1);
	ck_assert_ptr_null(old.apache_mod_php);
	ck_assert_uint_eq(cur.nuses, 0);
	ck_assert_str_eq(cur.apache_mod_php, "php7_module");
	ck_assert_str_eq(cur.apache_mod_php_source, "/etc/apache2/mods-enabled/php7.4.load:1");
	diff_snapshots(&old, &cur, &fl);
	ck_assert_uint_eq(count(&fl, FK_HANDLER_CHANGED), 1);
	f = first(&fl, FK_HANDLER_CHANGED);
	ck_assert_int_eq(f->sev, SEV_WARNING);
	ck_assert_int_eq(f->security, 1);
	ck_assert_int_eq(policy_decide(f, POL_ABORT), ACT_ABORT);
	ck_assert_int_eq(policy_decide(f, POL_FIX), ACT_REPORT);
	ck_assert_str_eq(f->file, "/etc/apache2/conf-enabled/php7.4-fpm.conf");
	ck_assert_int_eq(f->line, 4);
	ck_assert_str_eq(f->before, "PHP 7.4 pool www as www-data");
	ck_assert_str_eq(f->after, "mod_php (php7_module, /etc/apache2/mods-enabled/php7.4.load:1) "
			 "inside Apache");
	ck_assert_msg(strstr(f->detail, "a2dismod php7.4 to give it back"), "%s", f->detail);
	/* The directive went away with the module: not a lost socket. */
	ck_assert_uint_eq(count(&fl, FK_SERVER_SOCKET_LOST), 0);
	finding_list_free(&fl);
	/* Back to FPM: no finding the other way. */
	diff_snapshots(&cur, &old, &fl);
	ck_assert_uint_eq(count(&fl, FK_HANDLER_CHANGED), 0);
	finding_list_free(&fl);
	snapshot_free(&old);
	snapshot_free(&cur);
	free(j1);
	free(j2);
	fixture_rm(root);
}
END_TEST

START_TEST(test_handler_predicted)
{
	static const char in[] =
		"VERSION 3\n\n"
		"libapache2-mod-php7.4 - - none < 7.4.33-1+deb11u5 amd64 same "
		"/var/cache/apt/archives/libapache2-mod-php7.4_7.4.33-1+deb11u5_amd64.deb\n";
	static const char conf_only[] =
		"VERSION 3\n\n"
		"libapache2-mod-php7.4 - - none < 7.4.33-1+deb11u5 amd64 same **CONFIGURE**\n";
	char *root = fixture_root(), *j, *err = NULL, *id, *so;
	struct snapshot cur;
	struct hook_info hi;
	struct finding_list fl = { NULL, 0, 0 };
	const struct finding *f;
	struct rootfs r;

	write_apache(root);
	ck_assert_int_eq(rootfs_init(&r, root), 0);
	j = snap_of(root, PHP74, 1, "pre-install-pkgs");
	parse(j, &cur);
	ck_assert_msg(hookinfo_parse(in, sizeof in - 1, &hi, &err) == 0, "%s", err);
	ck_assert_int_eq(modphp_is_package("libapache2-mod-php"), 1);
	ck_assert_int_eq(modphp_is_package("php7.4-fpm"), 0);
	ck_assert_int_eq(modphp_module_of("libapache2-mod-php", NULL, NULL), -1);
	ck_assert_int_eq(modphp_module_of("libapache2-mod-php8.2", &id, &so), 0);
	ck_assert_str_eq(id, "php_module");
	ck_assert_str_eq(so, "/usr/lib/apache2/modules/libphp8.2.so");
	free(id);
	free(so);
	ck_assert_int_eq(modphp_module_of("libapache2-mod-php7.4", &id, &so), 0);
	ck_assert_str_eq(id, "php7_module");
	free(id);
	free(so);
	modphp_predict(&hi, &r, &cur, &fl);
	ck_assert_uint_eq(fl.n, 1);
	f = first(&fl, FK_HANDLER_CHANGED);
	ck_assert_int_eq(f->security, 1);
	ck_assert_int_eq(policy_decide(f, POL_ABORT), ACT_ABORT);
	ck_assert_str_eq(f->file, "/etc/apache2/conf-enabled/php7.4-fpm.conf");
	ck_assert_msg(strstr(f->after, "libapache2-mod-php7.4 7.4.33-1+deb11u5"), "%s", f->after);
	finding_list_free(&fl);
	hookinfo_free(&hi);
	/* Without a .deb to unpack there is nothing to predict. */
	ck_assert_int_eq(hookinfo_parse(conf_only, sizeof conf_only - 1, &hi, &err), 0);
	modphp_predict(&hi, &r, &cur, &fl);
	ck_assert_uint_eq(fl.n, 0);
	hookinfo_free(&hi);
	snapshot_free(&cur);
	free(j);
	rootfs_close(&r);
	fixture_rm(root);
}
END_TEST

/* bookworm: php8.2-fpm.conf tests mod_php8.c, PHP 8's module is named
 * mod_php.c: with it loaded Apache still reads the FPM handler (later
 * than php8.2.conf's, so the pool keeps serving).  Nothing to predict;
 * the same handler behind <IfModule !php_module> is taken over. */
START_TEST(test_handler_php8_names)
{
	static const char in[] =
		"VERSION 3\n\n"
		"libapache2-mod-php8.2 - - none < 8.2.36-1~deb12u1 amd64 same /tmp/m.deb\n";
	static const char *const cfg[] = { "/etc/php/8.2/fpm/php-fpm.conf" };
	char *root = fixture_root(), *j, *err = NULL, *conf;
	struct snapshot cur;
	struct hook_info hi;
	struct finding_list fl = { NULL, 0, 0 };
	struct rootfs r;
	int pass;

	write_apache(root);
	write_instance(root, "8.2", "www", "www-data", "/run/php/php8.2-fpm.sock");
	ck_assert_int_eq(rootfs_init(&r, root), 0);
	ck_assert_int_eq(hookinfo_parse(in, sizeof in - 1, &hi, &err), 0);
	for (pass = 0; pass < 2; pass++) {
		unlink(conf = xasprintf("%s/etc/apache2/conf-enabled/php7.4-fpm.conf", root));
		free(conf);
		fixture_write(root, "/etc/apache2/conf-enabled/php8.2-fpm.conf", pass == 0
			      ? "<IfModule !mod_php8.c>\nSetHandler \"proxy:unix:/run/php/php8.2-fpm.sock|fcgi://l\"\n</IfModule>\n"
			      : "<IfModule !php_module>\nSetHandler \"proxy:unix:/run/php/php8.2-fpm.sock|fcgi://l\"\n</IfModule>\n");
		j = snap_of(root, cfg, 1, "pre-install-pkgs");
		parse(j, &cur);
		ck_assert_uint_eq(cur.nuses, 1);
		modphp_predict(&hi, &r, &cur, &fl);
		ck_assert_uint_eq(fl.n, (size_t)pass);
		finding_list_free(&fl);
		snapshot_free(&cur);
		free(j);
	}
	hookinfo_free(&hi);
	rootfs_close(&r);
	fixture_rm(root);
}
END_TEST

/* ---- daemon-stopped under a site ---- */

START_TEST(test_stopped_under_site)
{
	char *root = fixture_root(), *j;
	struct snapshot old, cur;
	struct finding_list fl = { NULL, 0, 0 };
	const struct finding *f;

	write_two_instances(root);
	point_alternative(root, "8.2");
	j = snap_of(root, BOTH, 2, "pre-invoke");
	parse(j, &old);
	parse(j, &cur);
	/* Under --root nobody's master can be asked: say what the pid file
	 * and the kernel would have said on the host. */
	old.inst[0].running = old.inst[1].running = 1;
	cur.inst[0].running = cur.inst[1].running = 0;
	diff_snapshots(&old, &cur, &fl);
	ck_assert_uint_eq(count(&fl, FK_DAEMON_STOPPED), 2);
	f = first(&fl, FK_DAEMON_STOPPED);
	ck_assert_str_eq(f->instance, "/etc/php/8.2/fpm/php-fpm.conf");
	ck_assert_int_eq(f->sev, SEV_ERROR);
	ck_assert_msg(strstr(f->detail, "server shop.example (nginx /etc/nginx/sites-enabled/shop:6)"),
		      "%s", f->detail);
	/* 8.4 serves no site: still only a warning. */
	ck_assert_int_eq(fl.v[1].kind == FK_DAEMON_STOPPED ? fl.v[1].sev : SEV_WARNING,
			 SEV_WARNING);
	finding_list_free(&fl);
	snapshot_free(&old);
	snapshot_free(&cur);
	free(j);
	fixture_rm(root);
}
END_TEST

static Suite *suite(void)
{
	Suite *s = suite_create("serving");
	TCase *tc = tcase_create("core");

	tcase_add_test(tc, test_hops_alternative);
	tcase_add_test(tc, test_php_version);
	tcase_add_test(tc, test_show_three_sites);
	tcase_add_test(tc, test_retargeted);
	tcase_add_test(tc, test_listen_conflict_check);
	tcase_add_test(tc, test_listen_conflict_diff);
	tcase_add_test(tc, test_handler_changed);
	tcase_add_test(tc, test_handler_predicted);
	tcase_add_test(tc, test_handler_php8_names);
	tcase_add_test(tc, test_stopped_under_site);
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	return fixture_run_suite(suite());
}
