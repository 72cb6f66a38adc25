/*
 * diff: before/after snapshots -> findings, one table row per rule.
 *
 * Snapshots are written in a one-line-per-object shorthand, turned into
 * the JSON text snapshot_to_json writes (built with json-c here, not by
 * snapshot.c) and read back with snapshot_parse, so every row also goes
 * through the parser the hooks use.
 *
 *   inst [config=PATH] [version=V] [test=1|0|-] [running=1|0|-] [err=TEXT]
 *   pool NAME [listen=ADDR|-] [line=N] [eff=OWNER:GROUP:MODE|-]
 *        [effacl=E,E..] [efferr=TEXT] [sock=OWNER:GROUP:MODE|absent|not-socket]
 *        [sockacl=E,E..] [c=USER:NOW:NEXT,..]
 *
 * Defaults are the stock Debian bookworm pool: instance
 * /etc/php/8.2/fpm/php-fpm.conf (8.2.36, php-fpm -t accepted, running),
 * pool listening on /run/php/php8.2-fpm.sock declared at www.conf:41,
 * effective and live socket www-data:www-data 0660, client www-data
 * yes/yes.  An ADDR not starting with '/' is a tcp pool: no effective
 * values, no socket, no clients.
 */
#include "fixture.h"
#include "diff/diff.h"

#include <json-c/json.h>
#include <time.h>

#define DEF_CONFIG "/etc/php/8.2/fpm/php-fpm.conf"
#define DEF_LISTEN "/run/php/php8.2-fpm.sock"
#define POOL_FILE "/etc/php/8.2/fpm/pool.d/www.conf"
#define LISTEN_LINE 41

/* ---- the shorthand -> snapshot JSON ---- */

static long id_of(const char *name, int group)
{
	if (strcmp(name, "root") == 0)
		return 0;
	if (strcmp(name, "www-data") == 0)
		return 33;
	if (strcmp(name, "nginx") == 0)
		return group ? 102 : 101;
	if (strcmp(name, "webapps") == 0)
		return 1001;
	return strtol(name, NULL, 10);
}

static json_object *perm_json(const char *spec, const char *acl)
{
	json_object *o = json_object_new_object(), *a = json_object_new_array();
	char owner[64], group[64], mode[16];
	char *copy, *tok, *save = NULL;

	ck_assert_msg(sscanf(spec, "%63[^:]:%63[^:]:%15s", owner, group, mode) == 3,
		      "bad perm spec '%s'", spec);
	json_object_object_add(o, "owner", json_object_new_string(owner));
	json_object_object_add(o, "group", json_object_new_string(group));
	json_object_object_add(o, "uid", json_object_new_int64(id_of(owner, 0)));
	json_object_object_add(o, "gid", json_object_new_int64(id_of(group, 1)));
	json_object_object_add(o, "mode", json_object_new_string(mode));
	copy = strdup(acl ? acl : "");
	for (tok = strtok_r(copy, ",", &save); tok; tok = strtok_r(NULL, ",", &save))
		json_object_array_add(a, json_object_new_string(tok));
	free(copy);
	json_object_object_add(o, "acl", a);
	return o;
}

static json_object *string_array(const char *one)
{
	json_object *a = json_object_new_array();

	if (one)
		json_object_array_add(a, json_object_new_string(one));
	return a;
}

static json_object *tristate(const char *v)
{
	return strcmp(v, "-") == 0 ? NULL : json_object_new_boolean(atoi(v));
}

static json_object *inst_json(char *args)
{
	json_object *o = json_object_new_object();
	const char *config = DEF_CONFIG, *version = "8.2.36", *test = "1";
	const char *running = "1", *err = NULL;
	char *tok, *save = NULL;

	for (tok = strtok_r(args, " ", &save); tok; tok = strtok_r(NULL, " ", &save)) {
		if (strncmp(tok, "config=", 7) == 0)
			config = tok + 7;
		else if (strncmp(tok, "version=", 8) == 0)
			version = tok + 8;
		else if (strncmp(tok, "test=", 5) == 0)
			test = tok + 5;
		else if (strncmp(tok, "running=", 8) == 0)
			running = tok + 8;
		else if (strncmp(tok, "err=", 4) == 0)
			err = tok + 4;
		else
			ck_abort_msg("bad inst token '%s'", tok);
	}
	json_object_object_add(o, "config", json_object_new_string(config));
	json_object_object_add(o, "binary", json_object_new_string("/usr/sbin/php-fpm8.2"));
	json_object_object_add(o, "package", json_object_new_string("php8.2-fpm"));
	json_object_object_add(o, "version", json_object_new_string(version));
	json_object_object_add(o, "package_version", NULL);
	json_object_object_add(o, "default_mode", json_object_new_string("0660"));
	json_object_object_add(o, "fpm_test", tristate(test));
	json_object_object_add(o, "fpm_test_messages",
			       strcmp(test, "0") == 0 ? json_object_new_string("ERROR: bad") : NULL);
	json_object_object_add(o, "running", tristate(running));
	json_object_object_add(o, "config_errors", string_array(err));
	json_object_object_add(o, "pools", json_object_new_array());
	return o;
}

static const char *const declared_keys[] = {
	"user", "group", "listen", "listen.owner", "listen.group", "listen.mode",
	"listen.acl_users", "listen.acl_groups", "prefix"
};

static json_object *pool_json(char *args)
{
	json_object *o = json_object_new_object(), *d = json_object_new_object();
	json_object *cl = json_object_new_array();
	const char *name = NULL, *listen = DEF_LISTEN, *eff = "www-data:www-data:0660";
	const char *effacl = NULL, *efferr = NULL, *sock = "www-data:www-data:0660";
	const char *sockacl = NULL, *clients = "www-data:yes:yes";
	char *tok, *save = NULL, *copy, *c, *csave = NULL;
	int line = LISTEN_LINE, is_unix;
	size_t k;

	for (tok = strtok_r(args, " ", &save); tok; tok = strtok_r(NULL, " ", &save)) {
		if (name == NULL)
			name = tok;
		else if (strncmp(tok, "listen=", 7) == 0)
			listen = strcmp(tok + 7, "-") == 0 ? NULL : tok + 7;
		else if (strncmp(tok, "line=", 5) == 0)
			line = atoi(tok + 5);
		else if (strncmp(tok, "eff=", 4) == 0)
			eff = strcmp(tok + 4, "-") == 0 ? NULL : tok + 4;
		else if (strncmp(tok, "effacl=", 7) == 0)
			effacl = tok + 7;
		else if (strncmp(tok, "efferr=", 7) == 0)
			efferr = tok + 7;
		else if (strncmp(tok, "sock=", 5) == 0)
			sock = tok + 5;
		else if (strncmp(tok, "sockacl=", 8) == 0)
			sockacl = tok + 8;
		else if (strncmp(tok, "c=", 2) == 0)
			clients = tok + 2;
		else
			ck_abort_msg("bad pool token '%s'", tok);
	}
	ck_assert_ptr_nonnull(name);
	is_unix = listen == NULL || listen[0] == '/';
	json_object_object_add(o, "name", json_object_new_string(name));
	json_object_object_add(o, "file", json_object_new_string(POOL_FILE));
	json_object_object_add(o, "line", json_object_new_int(4));
	for (k = 0; k < sizeof declared_keys / sizeof *declared_keys; k++) {
		json_object *s = NULL;
		if (strcmp(declared_keys[k], "listen") == 0 && listen) {
			s = json_object_new_object();
			json_object_object_add(s, "value", json_object_new_string(listen));
			json_object_object_add(s, "file", json_object_new_string(POOL_FILE));
			json_object_object_add(s, "line", json_object_new_int(line));
		}
		json_object_object_add(d, declared_keys[k], s);
	}
	json_object_object_add(o, "declared", d);
	json_object_object_add(o, "unix", json_object_new_boolean(is_unix));
	if (!is_unix) {
		json_object_object_add(o, "effective", NULL);
		json_object_object_add(o, "effective_errors", string_array(NULL));
		json_object_object_add(o, "socket_state", json_object_new_string("none"));
		json_object_object_add(o, "socket", NULL);
		json_object_object_add(o, "clients", cl);
		return o;
	}
	json_object_object_add(o, "effective", eff && !efferr ? perm_json(eff, effacl) : NULL);
	json_object_object_add(o, "effective_errors", string_array(efferr));
	if (strcmp(sock, "absent") == 0 || strcmp(sock, "not-socket") == 0 ||
	    strcmp(sock, "error") == 0) {
		json_object_object_add(o, "socket_state", json_object_new_string(sock));
		json_object_object_add(o, "socket", NULL);
	} else {
		json_object_object_add(o, "socket_state", json_object_new_string("socket"));
		json_object_object_add(o, "socket", perm_json(sock, sockacl));
	}
	copy = strdup(clients);
	for (c = strtok_r(copy, ",", &csave); c; c = strtok_r(NULL, ",", &csave)) {
		json_object *co = json_object_new_object();
		char user[64], now[16], next[16];
		ck_assert_msg(sscanf(c, "%63[^:]:%15[^:]:%15s", user, now, next) == 3,
			      "bad client spec '%s'", c);
		json_object_object_add(co, "user", json_object_new_string(user));
		json_object_object_add(co, "now", json_object_new_string(now));
		json_object_object_add(co, "next", json_object_new_string(next));
		json_object_array_add(cl, co);
	}
	free(copy);
	json_object_object_add(o, "clients", cl);
	return o;
}

/* Shorthand -> JSON text (caller frees). */
static char *spec_json(const char *spec)
{
	json_object *root = json_object_new_object(), *insts = json_object_new_array();
	json_object *cur = NULL;
	char *copy = strdup(spec), *line, *save = NULL, *out;

	json_object_object_add(root, "kind", json_object_new_string("php-fpm-guard-snapshot"));
	json_object_object_add(root, "schema", json_object_new_int(1));
	json_object_object_add(root, "phase", json_object_new_string("pre-invoke"));
	json_object_object_add(root, "guard_version", json_object_new_string("test"));
	json_object_object_add(root, "boot_id", NULL);
	json_object_object_add(root, "created", json_object_new_int64(1700000000));
	json_object_object_add(root, "root", json_object_new_string("/"));
	for (line = strtok_r(copy, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
		if (strncmp(line, "inst", 4) == 0 && (line[4] == ' ' || line[4] == '\0')) {
			cur = inst_json(line + 4);
			json_object_array_add(insts, cur);
		} else if (strncmp(line, "pool ", 5) == 0) {
			json_object *pools;
			ck_assert_msg(cur != NULL, "pool before inst in '%s'", spec);
			json_object_object_get_ex(cur, "pools", &pools);
			json_object_array_add(pools, pool_json(line + 5));
		} else {
			ck_abort_msg("bad spec line '%s'", line);
		}
	}
	json_object_object_add(root, "instances", insts);
	out = strdup(json_object_to_json_string_ext(root, JSON_C_TO_STRING_PLAIN));
	json_object_put(root);
	free(copy);
	return out;
}

static void load(const char *spec, struct snapshot *s)
{
	char *json = spec_json(spec), *err = NULL;

	ck_assert_msg(snapshot_parse(json, strlen(json), s, &err) == 0,
		      "snapshot does not parse: %s\n%s", err, json);
	free(json);
}

/* ---- the table ---- */

struct exp {
	const char *kind;	/* finding_kind_name; NULL ends the list */
	const char *user;	/* NULL: no user */
	const char *sev;
	int security;
	const char *before;	/* NULL: not checked */
	const char *after;
	const char *pool;	/* NULL: not checked */
	int line;		/* 0: not checked; else POOL_FILE:line */
	const char *detail;	/* substring; NULL: not checked */
};

struct drow {
	const char *name;
	const char *old, *cur;
	struct exp e[6];
};

#define STOCK "inst\npool www\n"
#define ACL_NGINX "user::rw-,user:nginx:rw-,group::rw-,mask::rw-,other::---"

static const struct drow rows[] = {
	/* -- nothing changed -- */
	{ "identical stock host", STOCK, STOCK, { { NULL } } },
	{ "no PHP-FPM at all", "", "", { { NULL } } },
	{ "identical instance without pools", "inst\n", "inst\n", { { NULL } } },
	{ "identical tcp pool", "inst\npool www listen=127.0.0.1:9000\n",
	  "inst\npool www listen=127.0.0.1:9000\n", { { NULL } } },
	{ "identical, two instances, ACLs, denied and unknown clients",
	  "inst config=/etc/php5/fpm/php-fpm.conf version=5.6.40 test=- running=-\n"
	  "pool www listen=/run/php5-fpm.sock sock=root:root:0660 eff=root:root:0660 c=www-data:no:no\n"
	  "inst\npool www sockacl=" ACL_NGINX " c=www-data:yes:yes,nginx:yes:yes\n"
	  "pool api listen=/run/php/api.sock sock=absent c=www-data:unknown:yes\n"
	  "pool tcp listen=127.0.0.1:9000\n",
	  "inst config=/etc/php5/fpm/php-fpm.conf version=5.6.40 test=- running=-\n"
	  "pool www listen=/run/php5-fpm.sock sock=root:root:0660 eff=root:root:0660 c=www-data:no:no\n"
	  "inst\npool www sockacl=" ACL_NGINX " c=www-data:yes:yes,nginx:yes:yes\n"
	  "pool api listen=/run/php/api.sock sock=absent c=www-data:unknown:yes\n"
	  "pool tcp listen=127.0.0.1:9000\n",
	  { { NULL } } },
	{ "identical, a restart denial already pending before this run",
	  "inst\npool www eff=root:root:0660 c=www-data:yes:no\n",
	  "inst\npool www eff=root:root:0660 c=www-data:yes:no\n", { { NULL } } },
	{ "identical, config already refused and errors before",
	  "inst test=0 err=/etc/php/8.2/fpm/pool.d/www.conf:3:bad\npool www\n",
	  "inst test=0 err=/etc/php/8.2/fpm/pool.d/www.conf:3:bad\npool www\n", { { NULL } } },

	/* -- lost access -- */
	{ "CVE-2014-0185: live socket falls back to root:root 0660", STOCK,
	  "inst\npool www eff=root:root:0660 sock=root:root:0660 c=www-data:no:no\n",
	  { { "client-lost", "www-data", "error", 0, "www-data:www-data 0660",
	      "root:root 0660", "www", LISTEN_LINE, NULL } } },
	{ "CVE-2014-0185 from an old build's root:root 0666",
	  "inst\npool www eff=root:root:0666 sock=root:root:0666\n",
	  "inst\npool www eff=root:root:0660 sock=root:root:0660 c=www-data:no:no\n",
	  { { "client-lost", "www-data", "error", 0, "root:root 0666", "root:root 0660",
	      "www", LISTEN_LINE, NULL } } },
	{ "listen line is the finding's line", "inst\npool www line=7\n",
	  "inst\npool www line=7 eff=root:root:0660 sock=root:root:0660 c=www-data:no:no\n",
	  { { "client-lost", "www-data", "error", 0, NULL, NULL, "www", 7, NULL } } },
	{ "only the client that lost access", "inst\npool www c=www-data:yes:yes,nginx:yes:yes\n",
	  "inst\npool www sock=www-data:www-data:0600 eff=www-data:www-data:0600 "
	  "c=www-data:yes:yes,nginx:no:no\n",
	  { { "client-lost", "nginx", "error", 0, "www-data:www-data 0660",
	      "www-data:www-data 0600", NULL, 0, NULL } } },
	{ "config changed, php-fpm not restarted", STOCK,
	  "inst\npool www eff=root:root:0660 c=www-data:yes:no\n",
	  { { "client-lost-at-restart", "www-data", "error", 0, "www-data:www-data 0660",
	      "root:root 0660", "www", LISTEN_LINE, NULL } } },
	{ "client who could not connect before",
	  "inst\npool www c=www-data:yes:yes,nginx:no:no\n",
	  "inst\npool www sock=www-data:www-data:0640 eff=www-data:www-data:0640 "
	  "c=www-data:yes:yes,nginx:no:no\n", { { NULL } } },
	{ "client not listed before", STOCK,
	  "inst\npool www c=www-data:yes:yes,nginx:no:no\n", { { NULL } } },
	{ "no socket before, config allowed; now the config forbids",
	  "inst\npool www sock=absent c=www-data:unknown:yes\n",
	  "inst\npool www sock=absent eff=root:root:0660 c=www-data:unknown:no\n",
	  { { "client-lost-at-restart", "www-data", "error", 0, "www-data:www-data 0660",
	      "root:root 0660", "www", LISTEN_LINE, NULL } } },
	{ "no socket before, config denied already",
	  "inst\npool www sock=absent eff=root:root:0660 c=www-data:unknown:no\n",
	  "inst\npool www sock=absent eff=root:root:0600 c=www-data:unknown:no\n", { { NULL } } },

	/* -- where the socket is -- */
	{ "listen path changed", STOCK,
	  "inst\npool www listen=/run/php/www.sock\n",
	  { { "listen-changed", NULL, "warning", 0, DEF_LISTEN, "/run/php/www.sock",
	      "www", LISTEN_LINE, NULL } } },
	{ "socket vanished", STOCK, "inst\npool www sock=absent c=www-data:unknown:yes\n",
	  { { "socket-vanished", NULL, "warning", 0, "www-data:www-data 0660", "absent",
	      "www", LISTEN_LINE, NULL } } },
	{ "a file where the socket was", STOCK,
	  "inst\npool www sock=not-socket c=www-data:unknown:yes\n",
	  { { "not-a-socket", NULL, "error", 0, "www-data:www-data 0660", "not a socket",
	      "www", LISTEN_LINE, NULL } } },

	/* -- pools and instances -- */
	{ "pool added", STOCK,
	  "inst\npool www\npool api listen=/run/php/api.sock eff=root:root:0660 "
	  "sock=root:root:0660 c=www-data:no:no\n",
	  { { "pool-added", NULL, "info", 0, NULL, "/run/php/api.sock", "api", 0, NULL } } },
	{ "pool added on tcp", STOCK, "inst\npool www\npool api listen=127.0.0.1:9001\n",
	  { { "pool-added", NULL, "info", 0, NULL, "127.0.0.1:9001", "api", 0, NULL } } },
	{ "pool added with a group-writable socket is no broadening", STOCK,
	  "inst\npool www\npool api listen=/run/php/api.sock\n",
	  { { "pool-added", NULL, "info", 0, NULL, NULL, "api", 0, NULL } } },
	{ "pool added with a world-writable socket is a broadening", STOCK,
	  "inst\npool www\npool api listen=/run/php/api.sock sock=www-data:www-data:0666\n",
	  { { "pool-added", NULL, "info", 0, NULL, NULL, "api", 0, NULL },
	    { "socket-broadened", NULL, "warning", 1, "none", "www-data:www-data 0666",
	      "api", 0, "world-writable" } } },
	{ "pool removed", "inst\npool www\npool api listen=/run/php/api.sock line=9\n", STOCK,
	  { { "pool-removed", NULL, "warning", 0, "/run/php/api.sock", "removed", "api", 9,
	      NULL } } },
	{ "pool names compare case-insensitively", STOCK, "inst\npool WWW\n", { { NULL } } },
	{ "pool names compare case-insensitively, losing access", STOCK,
	  "inst\npool WWW eff=root:root:0660 sock=root:root:0660 c=www-data:no:no\n",
	  { { "client-lost", "www-data", "error", 0, NULL, NULL, "WWW", LISTEN_LINE, NULL } } },
	{ "instance added", STOCK,
	  "inst\npool www\ninst config=/etc/php/8.3/fpm/php-fpm.conf version=8.3.1\n"
	  "pool www listen=127.0.0.1:9000\n",
	  { { "instance-added", NULL, "info", 0, NULL, "8.3.1", NULL, 0, NULL } } },
	{ "instance added with a group-writable socket is no broadening (php8.3 beside 8.2)",
	  STOCK,
	  "inst\npool www\ninst config=/etc/php/8.3/fpm/php-fpm.conf version=8.3.1\n"
	  "pool www listen=/run/php/php8.3-fpm.sock\n",
	  { { "instance-added", NULL, "info", 0, NULL, "8.3.1", NULL, 0, NULL } } },
	{ "instance removed",
	  "inst\npool www\ninst config=/etc/php/8.3/fpm/php-fpm.conf version=8.3.1\n"
	  "pool www listen=/run/php/php8.3-fpm.sock\n", STOCK,
	  { { "instance-removed", NULL, "warning", 0, "8.3.1", "removed", NULL, 0, NULL } } },

	/* -- broadening -- */
	{ "live mode 0660 -> 0666", STOCK, "inst\npool www sock=www-data:www-data:0666\n",
	  { { "socket-broadened", NULL, "warning", 1, "www-data:www-data 0660",
	      "www-data:www-data 0666", "www", LISTEN_LINE, "world-writable" } } },
	{ "effective mode 0660 -> 0666 only", STOCK,
	  "inst\npool www eff=www-data:www-data:0666\n",
	  { { "socket-broadened-at-restart", NULL, "warning", 1, "www-data:www-data 0660",
	      "www-data:www-data 0666", "www", LISTEN_LINE, "world-writable" } } },
	{ "live and effective 0666: said once", STOCK,
	  "inst\npool www eff=www-data:www-data:0666 sock=www-data:www-data:0666\n",
	  { { "socket-broadened", NULL, "warning", 1, "www-data:www-data 0660",
	      "www-data:www-data 0666", NULL, 0, NULL } } },
	{ "new named ACL entry user:nginx:rw-", STOCK,
	  "inst\npool www sockacl=" ACL_NGINX "\n",
	  { { "socket-broadened", NULL, "warning", 1, "www-data:www-data 0660",
	      "www-data:www-data 0660 +ACL user:nginx:rw-,mask::rw-", NULL, 0,
	      "user:nginx:rw-" } } },
	{ "new named ACL entry in the config only (listen.acl_users)", STOCK,
	  "inst\npool www effacl=" ACL_NGINX "\n",
	  { { "socket-broadened-at-restart", NULL, "warning", 1, NULL, NULL, NULL, 0,
	      "user:nginx:rw-" } } },
	{ "new named ACL group entry", STOCK,
	  "inst\npool www sockacl=user::rw-,group::rw-,group:webapps:rw-,mask::rw-,other::---\n",
	  { { "socket-broadened", NULL, "warning", 1, NULL, NULL, NULL, 0,
	      "group:webapps:rw-" } } },
	{ "ACL entry masked off by mask::r--", STOCK,
	  "inst\npool www sock=www-data:www-data:0640 "
	  "sockacl=user::rw-,user:nginx:rw-,group::rw-,mask::r--,other::---\n", { { NULL } } },
	{ "read-only named ACL entry", STOCK,
	  "inst\npool www sockacl=user::rw-,user:nginx:r--,group::rw-,mask::rw-,other::---\n",
	  { { NULL } } },
	{ "mask widened: an existing entry starts to write",
	  "inst\npool www sock=www-data:www-data:0640 "
	  "sockacl=user::rw-,user:nginx:rw-,group::rw-,mask::r--,other::---\n",
	  "inst\npool www sockacl=" ACL_NGINX "\n",
	  { { "socket-broadened", NULL, "warning", 1, NULL, NULL, NULL, 0,
	      "user:nginx:rw-" } } },
	{ "existing ACL entry unchanged",
	  "inst\npool www sockacl=" ACL_NGINX "\n", "inst\npool www sockacl=" ACL_NGINX "\n",
	  { { NULL } } },
	{ "group www-data -> webapps, group-writable", STOCK,
	  "inst\npool www eff=www-data:webapps:0660 sock=www-data:webapps:0660\n",
	  { { "socket-broadened", NULL, "warning", 1, "www-data:www-data 0660",
	      "www-data:webapps 0660", "www", LISTEN_LINE, "group webapps" } } },
	{ "group gains write 0640 -> 0660",
	  "inst\npool www eff=www-data:www-data:0640 sock=www-data:www-data:0640\n", STOCK,
	  { { "socket-broadened", NULL, "warning", 1, "www-data:www-data 0640",
	      "www-data:www-data 0660", NULL, 0, "group www-data" } } },
	{ "group changed but not writable", STOCK,
	  "inst\npool www eff=www-data:webapps:0600 sock=www-data:webapps:0600\n", { { NULL } } },
	{ "narrowing is not broadening",
	  "inst\npool www eff=www-data:www-data:0666 sock=www-data:www-data:0666\n", STOCK,
	  { { NULL } } },

	/* -- the daemon and its config -- */
	{ "php-fpm -t accepted -> refused", STOCK, "inst test=0\npool www\n",
	  { { "php-fpm-test-refused", NULL, "error", 0, "accepted", "refused", NULL, 0,
	      "ERROR: bad" } } },
	{ "php-fpm -t not run -> refused", "inst test=-\npool www\n", "inst test=0\npool www\n",
	  { { "php-fpm-test-refused", NULL, "error", 0, "not tested", "refused", NULL, 0,
	      NULL } } },
	{ "php-fpm -t accepted -> not run", STOCK, "inst test=-\npool www\n", { { NULL } } },
	{ "php-fpm stopped", STOCK, "inst running=0\npool www\n",
	  { { "daemon-stopped", NULL, "warning", 0, "running", "not running", NULL, 0,
	      NULL } } },
	{ "php-fpm running unknown -> stopped", "inst running=-\npool www\n",
	  "inst running=0\npool www\n", { { NULL } } },
	{ "new config error: pools it hid are not removed",
	  "inst\npool www\npool api listen=/run/php/api.sock\n",
	  "inst err=/etc/php/8.2/fpm/pool.d/api.conf:3:bad\npool www\n",
	  { { "config-error", NULL, "error", 0, "valid", "/etc/php/8.2/fpm/pool.d/api.conf:3:bad",
	      NULL, 0, NULL } } },
	{ "config error fixed: pool back", "inst err=/etc/php/8.2/fpm/pool.d/api.conf:3:bad\npool www\n",
	  "inst\npool www\npool api listen=/run/php/api.sock eff=root:root:0660 sock=root:root:0660\n",
	  { { "pool-added", NULL, "info", 0, NULL, NULL, "api", 0, NULL } } },
	{ "pool's effective values become invalid", STOCK,
	  "inst\npool www efferr=listen.owner-nobody-does-not-exist c=www-data:yes:unknown\n",
	  { { "config-error", NULL, "error", 0, "valid", "listen.owner-nobody-does-not-exist",
	      "www", LISTEN_LINE, NULL } } },

	/* -- several at once -- */
	{ "CVE shape on two pools and a broadening on a third",
	  "inst\npool a listen=/run/a.sock\npool b listen=/run/b.sock\npool c listen=/run/c.sock\n",
	  "inst\npool a listen=/run/a.sock eff=root:root:0660 sock=root:root:0660 c=www-data:no:no\n"
	  "pool b listen=/run/b.sock eff=root:root:0660 c=www-data:yes:no\n"
	  "pool c listen=/run/c.sock sock=www-data:www-data:0666\n",
	  { { "client-lost", "www-data", "error", 0, NULL, NULL, "a", 0, NULL },
	    { "client-lost-at-restart", "www-data", "error", 0, NULL, NULL, "b", 0, NULL },
	    { "socket-broadened", NULL, "warning", 1, NULL, NULL, "c", 0, NULL } } },
};

#define NROWS ((int)(sizeof rows / sizeof *rows))

static char *list_text(const struct finding_list *fl)
{
	size_t i, cap = 64 + fl->n * 256, len = 0;
	char *s = malloc(cap);

	s[0] = '\0';
	for (i = 0; i < fl->n; i++) {
		const struct finding *f = &fl->v[i];
		int n = snprintf(s + len, cap - len, "\n  %s %s sec=%d user=%s pool=%s %s:%d [%s] -> [%s]",
				 finding_kind_name(f->kind), severity_name(f->sev), f->security,
				 f->user ? f->user : "-", f->pool ? f->pool : "-",
				 f->file ? f->file : "-", f->line,
				 f->before ? f->before : "-", f->after ? f->after : "-");
		if (n < 0 || (size_t)n >= cap - len)
			break;
		len += (size_t)n;
	}
	return s;
}

static int same_str(const char *a, const char *b)
{
	return (a == NULL && b == NULL) || (a && b && strcmp(a, b) == 0);
}

static void check_findings(const char *name, const struct finding_list *fl,
			   const struct exp *e)
{
	char used[64] = { 0 }, *txt = list_text(fl);
	size_t i, nexp = 0;

	ck_assert_uint_lt(fl->n, sizeof used);
	for (; e[nexp].kind; nexp++) {
		const struct exp *x = &e[nexp];
		const struct finding *f = NULL;
		for (i = 0; i < fl->n; i++)
			if (!used[i] && strcmp(finding_kind_name(fl->v[i].kind), x->kind) == 0 &&
			    same_str(fl->v[i].user, x->user)) {
				f = &fl->v[i];
				used[i] = 1;
				break;
			}
		ck_assert_msg(f != NULL, "%s: no %s (user %s) among:%s", name, x->kind,
			      x->user ? x->user : "-", txt);
		ck_assert_msg(strcmp(severity_name(f->sev), x->sev) == 0, "%s: %s severity %s",
			      name, x->kind, severity_name(f->sev));
		ck_assert_msg(f->security == x->security, "%s: %s security %d", name, x->kind,
			      f->security);
		ck_assert_ptr_nonnull(f->instance);
		if (x->before)
			ck_assert_msg(same_str(f->before, x->before), "%s: %s before '%s'", name,
				      x->kind, f->before ? f->before : "(null)");
		if (x->after)
			ck_assert_msg(same_str(f->after, x->after), "%s: %s after '%s'", name,
				      x->kind, f->after ? f->after : "(null)");
		if (x->pool)
			ck_assert_msg(same_str(f->pool, x->pool), "%s: %s pool '%s'", name,
				      x->kind, f->pool ? f->pool : "(null)");
		if (x->line) {
			ck_assert_msg(same_str(f->file, POOL_FILE), "%s: %s file '%s'", name,
				      x->kind, f->file ? f->file : "(null)");
			ck_assert_msg(f->line == x->line, "%s: %s line %d", name, x->kind, f->line);
		}
		if (x->detail)
			ck_assert_msg(f->detail && strstr(f->detail, x->detail), "%s: %s detail '%s'",
				      name, x->kind, f->detail ? f->detail : "(null)");
	}
	ck_assert_msg(fl->n == nexp, "%s: %zu findings, expected %zu:%s", name, fl->n, nexp, txt);
	free(txt);
}

START_TEST(test_diff_rule)
{
	const struct drow *r = &rows[_i];
	struct snapshot old, cur;
	struct finding_list fl = { NULL, 0, 0 };

	load(r->old, &old);
	load(r->cur, &cur);
	diff_snapshots(&old, &cur, &fl);
	check_findings(r->name, &fl, r->e);
	finding_list_free(&fl);
	snapshot_free(&old);
	snapshot_free(&cur);
}
END_TEST

/* The stable names JSON and syslog use. */
START_TEST(test_finding_names)
{
	static const char *const names[FK_NKINDS] = {
		"client-lost", "client-lost-at-restart", "not-a-socket",
		"php-fpm-test-refused", "config-error", "socket-broadened",
		"socket-broadened-at-restart", "listen-changed", "socket-vanished",
		"daemon-stopped", "pool-removed", "instance-removed", "pool-added",
		"instance-added", "server-socket-lost", "site-loses-php", "pool-departs",
		"site-changes-php", "carry-refused", "server-socket-unserved"
	};
	int k;

	for (k = 0; k < FK_NKINDS; k++)
		ck_assert_str_eq(finding_kind_name((enum finding_kind)k), names[k]);
	ck_assert_str_eq(severity_name(SEV_INFO), "info");
	ck_assert_str_eq(severity_name(SEV_WARNING), "warning");
	ck_assert_str_eq(severity_name(SEV_ERROR), "error");
}
END_TEST

/* ---- issue 16: sites whose PHP is gone after the fact ---- */

/* spec's snapshot with one nginx directive using pool of DEF_CONFIG at sock. */
static void load_used(const char *spec, const char *sock, const char *pool,
		      struct snapshot *s)
{
	char *json = spec_json(spec), *err = NULL;
	json_object *root = json_tokener_parse(json), *a = json_object_new_array();
	json_object *u = json_object_new_object();
	const char *text;

	json_object_object_add(u, "server", json_object_new_string("nginx"));
	json_object_object_add(u, "user", json_object_new_string("www-data"));
	json_object_object_add(u, "socket", json_object_new_string(sock));
	json_object_object_add(u, "directive", json_object_new_string("fastcgi_pass"));
	json_object_object_add(u, "file", json_object_new_string("/etc/nginx/sites-enabled/shop"));
	json_object_object_add(u, "line", json_object_new_int(5));
	json_object_object_add(u, "site", json_object_new_string("server shop.example"));
	json_object_object_add(u, "instance", pool ? json_object_new_string(DEF_CONFIG) : NULL);
	json_object_object_add(u, "pool", pool ? json_object_new_string(pool) : NULL);
	json_object_object_add(u, "other_socket", json_object_new_boolean(0));
	json_object_array_add(a, u);
	json_object_object_add(root, "server_uses", a);
	text = json_object_to_json_string(root);
	ck_assert_msg(snapshot_parse(text, strlen(text), s, &err) == 0, "%s", err);
	json_object_put(root);
	free(json);
}

/* The findings point into the snapshots: freed by the caller, after. */
static struct snapshot used_old, used_cur;

static void diff_used(const char *old_spec, const char *cur_spec, const char *pool,
		      struct finding_list *fl)
{
	load_used(old_spec, "/run/php/php8.2-fpm.sock", "www", &used_old);
	load_used(cur_spec, "/run/php/php8.2-fpm.sock", pool, &used_cur);
	diff_snapshots(&used_old, &used_cur, fl);
}

static void used_free(struct finding_list *fl)
{
	finding_list_free(fl);
	snapshot_free(&used_old);
	snapshot_free(&used_cur);
}

static const struct finding *find_kind(const struct finding_list *fl, const char *kind)
{
	size_t i;

	for (i = 0; i < fl->n; i++)
		if (strcmp(finding_kind_name(fl->v[i].kind), kind) == 0)
			return &fl->v[i];
	return NULL;
}

/* A stopped master a web server uses is an error, not a warning; and the
 * site on its socket, which nobody serves now, is one too, at its line. */
START_TEST(test_stopped_used_instance)
{
	struct finding_list fl = { NULL, 0, 0 };
	const struct finding *f;

	diff_used(STOCK, "inst running=0\npool www sock=absent c=www-data:unknown:yes\n", "www", &fl);
	f = find_kind(&fl, "daemon-stopped");
	ck_assert_ptr_nonnull(f);
	ck_assert_str_eq(severity_name(f->sev), "error");
	f = find_kind(&fl, "server-socket-unserved");
	ck_assert_ptr_nonnull(f);
	ck_assert_str_eq(severity_name(f->sev), "error");
	ck_assert_str_eq(f->file, "/etc/nginx/sites-enabled/shop");
	ck_assert_int_eq(f->line, 5);
	ck_assert_ptr_nonnull(strstr(f->after, "not running"));
	used_free(&fl);
	/* Not used by any server: a warning, as before. */
	{
		struct snapshot old, cur;
		load(STOCK, &old);
		load("inst running=0\npool www\n", &cur);
		diff_snapshots(&old, &cur, &fl);
		ck_assert_str_eq(severity_name(find_kind(&fl, "daemon-stopped")->sev), "warning");
		ck_assert_ptr_null(find_kind(&fl, "server-socket-unserved"));
		finding_list_free(&fl);
		snapshot_free(&old);
		snapshot_free(&cur);
	}
}
END_TEST

/* A running master whose socket path is gone (a departing master's exit
 * unlinked what the arriving one had bound): the site is unserved. */
START_TEST(test_running_socket_gone)
{
	struct finding_list fl = { NULL, 0, 0 };
	const struct finding *f;

	diff_used(STOCK, "inst running=1\npool www sock=absent c=www-data:unknown:yes\n", "www", &fl);
	f = find_kind(&fl, "server-socket-unserved");
	ck_assert_ptr_nonnull(f);
	ck_assert_str_eq(severity_name(f->sev), "error");
	ck_assert_ptr_nonnull(strstr(f->after, "its socket is gone"));
	ck_assert_ptr_null(find_kind(&fl, "daemon-stopped"));
	used_free(&fl);
}
END_TEST

/* A running master whose socket is there: nothing about the site. */
START_TEST(test_served_site_quiet)
{
	struct finding_list fl = { NULL, 0, 0 };

	diff_used(STOCK, STOCK, "www", &fl);
	ck_assert_uint_eq(fl.n, 0);
	used_free(&fl);
}
END_TEST

/* ---- many pools: one change, one finding, n log n ---- */

/* "inst\npool P0 listen=/run/P0.sock\n..." with pool `broken` lost. */
static char *many_pools(size_t n, const char *prefix, long broken)
{
	size_t cap = 64 + n * (2 * strlen(prefix) + 160), len;
	char *s = malloc(cap);
	size_t i;

	len = (size_t)snprintf(s, cap, "inst\n");
	for (i = 0; i < n; i++)
		len += (size_t)snprintf(s + len, cap - len, "pool %s%zu listen=/run/php/%s%zu.sock%s\n",
					prefix, i, prefix, i,
					(long)i == broken
						? " eff=root:root:0660 sock=root:root:0660 c=www-data:no:no"
						: "");
	ck_assert_uint_lt(len, cap);
	return s;
}

static double now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

START_TEST(test_many_pools)
{
	/* _i 0: 3000 pools; 1: 30000 pools whose names share a long prefix,
	 * with the diff itself timed: a quadratic pool lookup would need
	 * ~4.5e8 name comparisons there (many seconds), n log n ~1e6. */
	static const struct { size_t n; const char *prefix; double max_s; } cfg[] = {
		{ 3000, "pool", 2.0 },
		{ 30000, "a-pool-name-with-a-rather-long-common-prefix-", 2.0 },
	};
	size_t n = cfg[_i].n;
	char *a = many_pools(n, cfg[_i].prefix, -1);
	char *b = many_pools(n, cfg[_i].prefix, (long)n / 2);
	char want[128];
	struct snapshot old, cur;
	struct finding_list fl = { NULL, 0, 0 };
	double t;

	load(a, &old);
	load(b, &cur);
	ck_assert_uint_eq(cur.inst[0].npools, n);
	t = now_s();
	diff_snapshots(&old, &cur, &fl);
	t = now_s() - t;
	ck_assert_msg(fl.n == 1, "%zu findings", fl.n);
	ck_assert_int_eq(fl.v[0].kind, FK_CLIENT_LOST);
	snprintf(want, sizeof want, "%s%zu", cfg[_i].prefix, n / 2);
	ck_assert_str_eq(fl.v[0].pool, want);
	ck_assert_str_eq(fl.v[0].user, "www-data");
	ck_assert_msg(t < cfg[_i].max_s, "diff of %zu pools took %.2f s", n, t);
	finding_list_free(&fl);
	/* And the identical pair gives nothing. */
	diff_snapshots(&old, &old, &fl);
	ck_assert_uint_eq(fl.n, 0);
	finding_list_free(&fl);
	snapshot_free(&old);
	snapshot_free(&cur);
	free(a);
	free(b);
}
END_TEST

static Suite *suite(void)
{
	Suite *s = suite_create("diff");
	TCase *tc = tcase_create("classification");
	TCase *big = tcase_create("many pools");

	tcase_add_loop_test(tc, test_diff_rule, 0, NROWS);
	tcase_add_test(tc, test_finding_names);
	tcase_add_test(tc, test_stopped_used_instance);
	tcase_add_test(tc, test_served_site_quiet);
	tcase_add_test(tc, test_running_socket_gone);
	suite_add_tcase(s, tc);
	tcase_set_timeout(big, 120);
	tcase_add_loop_test(big, test_many_pools, 0, 2);
	suite_add_tcase(s, big);
	return s;
}

int main(void)
{
	return fixture_run_suite(suite());
}
