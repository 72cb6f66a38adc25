#include "host.h"
#include "../sockets/kernel.h"
#include "../util/xalloc.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <grp.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

static struct cred cred_of(const struct account_user *u)
{
	struct cred c = { u->uid, u->gid, u->groups, u->ngroups };
	return c;
}

static void judge_client(struct pool_view *pv, struct pool_client *pc)
{
	struct cred c;

	pc->now = pc->next = V_UNKNOWN;
	pc->proof = PROVE_SKIPPED;
	if (pc->user == NULL || !pv->eff.is_unix)
		return;
	c = cred_of(pc->user);
	if (pv->probe.state == PROBE_SOCKET)
		pc->now = access_can_connect(pv->probe.dirs, pv->probe.ndirs,
					     &pv->probe.sock, &c, &pc->now_blocker)
				  ? V_ALLOWED : V_DENIED;
	if (pv->eff.nerrors == 0)
		pc->next = access_can_connect(pv->probe.dirs, pv->probe.ndirs,
					      &pv->eff.obj, &c, &pc->next_blocker)
				   ? V_ALLOWED : V_DENIED;
}

/* ---- the web servers that use each socket ---- */


/*
 * Does something listen on the socket behind fd (O_PATH)?  The kernel's
 * list of listeners says, without a connect(): a symlink or a hard link
 * planted at a path no pool uses must not make root connect where it
 * points.  A stale socket file (its program killed) is in no list.  When
 * the kernel cannot be asked, a socket file there is taken as someone's.
 */
static int socket_alive(const struct kernel_listeners *l, int ok, int fd)
{
	struct stat st;

	if (!ok || fstat(fd, &st) < 0)
		return 1;
	return kernel_listener_at(l, st.st_dev, st.st_ino) != NULL;
}

/*
 * The path a server connects to, every symlink resolved inside the root
 * as connect() resolves it (/var/run -> /run, an alternatives link to a
 * versioned socket); *sock says a socket file is there now.  With nothing
 * there: its directory resolved, and the name.
 */
static char *server_socket_path(const struct rootfs *r, const char *path, int *sock)
{
	const char *slash = strrchr(path, '/');
	char *dir, *in, *out;
	struct stat st;
	int fd = rootfs_open(r, path, O_PATH);

	*sock = 0;
	if (fd >= 0) {
		*sock = fstat(fd, &st) == 0 && S_ISSOCK(st.st_mode);
		in = rootfs_fd_path(r, fd);
		close(fd);
		return in ? in : xstrdup(path);
	}
	dir = slash == path ? xstrdup("/") : xstrndup(path, (size_t)(slash - path));
	fd = rootfs_open(r, dir, O_PATH | O_DIRECTORY);
	free(dir);
	if (fd < 0)
		return xstrdup(path);
	in = rootfs_fd_path(r, fd);
	close(fd);
	if (in == NULL)
		return xstrdup(path);
	out = xasprintf("%s%s%s", in, strcmp(in, "/") == 0 ? "" : "/", slash + 1);
	free(in);
	return out;
}

static int cmp_consumer(const void *a, const void *b)
{
	const struct consumer *x = a, *y = b;
	int c = strcmp(x->canonical, y->canonical);

	/* Equal paths keep the order of the configs. */
	if (c == 0)
		c = x->use < y->use ? -1 : x->use > y->use;
	return c;
}

/* One consumer per use, sorted by path for the pools' lookups. */
static void consumers_init(struct host_view *h)
{
	size_t i;

	h->ncons = h->ws.nuses;
	h->cons = xcalloc(h->ncons ? h->ncons : 1, sizeof *h->cons);
	for (i = 0; i < h->ncons; i++) {
		struct consumer *c = &h->cons[i];
		c->use = &h->ws.uses[i];
		c->server = &h->ws.srv[c->use->server];
		c->canonical = server_socket_path(&h->root, c->use->socket, &c->other_socket);
	}
	qsort(h->cons, h->ncons, sizeof *h->cons, cmp_consumer);
	for (i = 0; i < WS_NKINDS; i++)
		h->any_server |= h->ws.srv[i].present;
}

/*
 * A socket file where no pool listens: another program's (fcgiwrap) if
 * something accepts on it, else a stale one a killed php-fpm left.  Only
 * these are connected to -- never a pool's socket, which would wake an
 * ondemand pool on every apt run.
 */
static void consumers_settle(struct host_view *h)
{
	struct kernel_listeners l = { NULL, 0 };
	size_t i;
	int fd, ok = -1;

	for (i = 0; i < h->ncons; i++) {
		struct consumer *c = &h->cons[i];
		if (c->pv || !c->other_socket)
			continue;
		if (ok < 0)
			ok = kernel_listeners_read(&l) == 0;
		fd = rootfs_open(&h->root, c->canonical, O_PATH);
		c->other_socket = fd >= 0 && socket_alive(&l, ok, fd);
		if (fd >= 0)
			close(fd);
	}
	kernel_listeners_free(&l);
}

/* The consumers of pv's socket: a slice of h->cons. */
static void pool_consumers(struct host_view *h, const struct instance_view *iv,
			   struct pool_view *pv)
{
	const char *path = pv->probe.canonical ? pv->probe.canonical : pv->probe.path;
	size_t lo = 0, hi = h->ncons, i;

	if (path == NULL)
		return;
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		if (strcmp(h->cons[mid].canonical, path) < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	for (i = lo; i < h->ncons && strcmp(h->cons[i].canonical, path) == 0; i++)
		if (h->cons[i].pv == NULL) {
			h->cons[i].pv = pv;
			h->cons[i].iv = iv;
		}
	pv->cons = &h->cons[lo];
	pv->ncons = i - lo;
}

/* The users of the servers that use pv's socket, as its clients. */
static void server_clients(const struct pool_view *pv, struct client_list *out)
{
	size_t i;

	for (i = 0; i < pv->ncons; i++) {
		const struct consumer *c = &pv->cons[i];
		char *src;
		if (c->server->user == NULL)
			continue;
		src = xasprintf("%s %s, uses it at %s:%d", ws_kind_name(c->use->server),
				c->server->user_source, c->use->file, c->use->line);
		clients_add_from(out, c->server->user, src, CLIENT_SERVER);
		free(src);
	}
}

static void inspect_pool(struct host_view *h, const struct host_opts *o,
			 struct instance_view *iv, const struct fpm_pool *p,
			 struct pool_view *pv)
{
	const struct client_list *cl = &h->clients;
	char **own = NULL;
	size_t nown = 0;

	struct master m = { 0, 0, 0, 0 };
	size_t i;

	memset(pv, 0, sizeof *pv);
	pv->pool = p;
	pv->build = &iv->build;
	if (fpm_listen_is_unix(p->set[K_LISTEN].value)) {
		socket_probe_cached(&h->root, h->dirs, p->set[K_LISTEN].value, &pv->probe);
		if (pv->probe.ndirs > 0) {
			const struct fsobj *d = &pv->probe.dirs[pv->probe.ndirs - 1];
			m.dir_setgid = (d->mode & S_ISGID) != 0;
			m.dir_gid = d->gid;
		}
	}
	effective_compute(p, &iv->build, h->acc, &m, &pv->eff);
	if (pv->probe.state == PROBE_SOCKET && pv->eff.nerrors == 0)
		pv->live_differs = pv->probe.sock.uid != pv->eff.uid ||
				   pv->probe.sock.gid != pv->eff.gid ||
				   (pv->probe.sock.mode & 0777) != pv->eff.mode;
	if (pv->eff.is_unix)
		pool_consumers(h, iv, pv);
	if (o->pool_clients)
		own = o->pool_clients(o->pool_clients_ctx, p->name, &nown);
	if (own && nown > 0) {
		for (i = 0; i < nown; i++)
			clients_add(&pv->own_clients, own[i], "guard.conf [pool]");
		cl = &pv->own_clients;
	} else if (o->nclients == 0) {
		/* Per socket: the users of the servers that use it. */
		server_clients(pv, &pv->own_clients);
		if (pv->own_clients.n > 0)
			cl = &pv->own_clients;
	}
	pv->nclients = cl->n;
	pv->clients = xcalloc(pv->nclients, sizeof *pv->clients);
	for (i = 0; i < pv->nclients; i++) {
		pv->clients[i].client = &cl->v[i];
		pv->clients[i].user = accounts_user(h->acc, cl->v[i].user);
		judge_client(pv, &pv->clients[i]);
	}
}

/*
 * php-fpm is the authority on its own config: where its -tt dump reads a
 * value differently (a PHP constant such as E_ERROR in a bare value, an
 * INI expression), take its value and say so.  The differences are kept
 * as a list so that the cache can replay them without asking again.
 */
static size_t dump_adoptions(const struct instance_view *iv, const struct fpm_dump *d,
			     struct fpm_adoption **out)
{
	size_t i, n = 0;
	int k;

	*out = NULL;
	for (i = 0; i < d->npools; i++) {
		const struct fpm_pool *p = fpm_conf_find_pool(&iv->conf, d->pools[i].name);
		if (p == NULL)
			continue;
		for (k = 0; k < K_NKEYS; k++) {
			const struct fpm_setting *s = &p->set[k];
			const char *theirs = d->pools[i].values[k];
			/* Only what php-fpm printed: a key missing from its
			 * dump (output cut short) is no "undefined". */
			if (!(d->pools[i].seen & (1u << k)))
				continue;
			if (k == K_PREFIX || (s->value == NULL && theirs == NULL) ||
			    (s->value && theirs && strcmp(s->value, theirs) == 0))
				continue;
			*out = xreallocarray(*out, n + 1, sizeof **out);
			(*out)[n++] = (struct fpm_adoption){ xstrdup(p->name), k,
							     theirs ? xstrdup(theirs) : NULL };
		}
	}
	return n;
}

static void adopt(struct instance_view *iv, const struct fpm_adoption *a, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++) {
		struct fpm_pool *p = fpm_conf_find_pool(&iv->conf, a[i].pool);
		struct fpm_setting *s;
		if (p == NULL)
			continue;
		s = &p->set[a[i].key];
		iv->notes = xreallocarray(iv->notes, iv->nnotes + 1, sizeof *iv->notes);
		iv->notes[iv->nnotes++] = xasprintf(
			"%s:%d: pool %s: php-fpm reads %s as '%s' where the file says '%s'; using php-fpm's value",
			s->file ? s->file : p->file, s->file ? s->line : p->line, p->name,
			fpm_key_names[a[i].key], a[i].value ? a[i].value : "(undefined)",
			s->value ? s->value : "(undefined)");
		free(s->value);
		s->value = a[i].value ? xstrdup(a[i].value) : NULL;
	}
}

static void adoptions_free(struct fpm_adoption *a, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++) {
		free(a[i].pool);
		free(a[i].value);
	}
	free(a);
}

/* Identity of the binary (host root only): the cache key's half. */
static int binary_key(const char *binary, unsigned long long *key)
{
	struct stat st;

	if (stat(binary, &st) < 0)
		return -1;
	*key = fpm_identity_stat(fpm_identity_mix(0, binary, strlen(binary) + 1), &st);
	return 0;
}

/* php-fpm -tt: from the cache when what it would read is unchanged. */
static void ask_fpm_test(const struct host_opts *o, struct instance_view *iv)
{
	const struct fpm_cache_entry *e = NULL;
	unsigned long long bkey, key = 0;
	struct fpm_adoption *ad;
	struct fpm_dump dump;
	size_t n;
	int cacheable = o->cache && !iv->conf.uses_env && binary_key(iv->loc.binary, &bkey) == 0;

	if (cacheable) {
		key = fpm_identity_mix(iv->conf.identity, &bkey, sizeof bkey);
		e = fpm_cache_get(o->cache, iv->loc.config, key);
	}
	if (e) {
		iv->fpm_test = e->verdict;
		iv->fpm_test_msgs = xstrdup(e->messages);
		adopt(iv, e->adopt, e->nadopt);
		return;
	}
	iv->fpm_test = discover_fpm_test(iv->loc.binary, iv->loc.config,
					 (const char *const *)iv->env, iv->nenv, fpm_key_names,
					 K_NKEYS, &dump, &iv->fpm_test_msgs);
	n = dump_adoptions(iv, &dump, &ad);
	adopt(iv, ad, n);
	if (cacheable && iv->fpm_test >= 0)
		fpm_cache_put(o->cache, iv->loc.config, key, iv->fpm_test,
			      iv->fpm_test_msgs, ad, n);
	adoptions_free(ad, n);
	fpm_dump_free(&dump);
}

/* binary -v, from the cache while the binary is the same file. */
static char *ask_version(const struct host_opts *o, const char *binary)
{
	unsigned long long key;
	const char *v;
	char *ver;

	if (o->cache == NULL || binary_key(binary, &key) < 0)
		return discover_binary_version(binary);
	if ((v = fpm_cache_get_version(o->cache, binary, key)) != NULL)
		return xstrdup(v);
	ver = discover_binary_version(binary);
	if (ver)
		fpm_cache_put_version(o->cache, binary, key, ver);
	return ver;
}

/*
 * Does pid hold one of the instance's listening sockets (bound under a
 * pool's path at the inode probed there)?  1, 0, or -1 when that cannot
 * be told: the kernel cannot be asked, or no pool has a live socket.
 */
static int holds_instance_socket(const struct host_view *h,
				 const struct instance_view *iv, pid_t pid)
{
	struct kernel_listeners l;
	size_t i;
	int rc = -1;

	if (kernel_listeners_read(&l) < 0)
		return -1;
	for (i = 0; i < iv->npools && rc != 1; i++) {
		const struct pool_view *pv = &iv->pools[i];
		const struct kernel_listener *k;
		char *bound;
		if (pv->probe.state != PROBE_SOCKET)
			continue;
		k = kernel_listener_at(&l, pv->probe.dev, pv->probe.ino);
		bound = rootfs_host_path(&h->root, pv->probe.path);
		if (k && k->name && strcmp(k->name, bound) == 0)
			rc = kernel_pid_holds(pid, k->sock_ino) == 1;
		free(bound);
	}
	kernel_listeners_free(&l);
	return rc;
}

/*
 * Is the instance's master alive?  Its pid file lives in /run/php, which
 * www-data may write: the pid it names counts only when the kernel says
 * it is a php-fpm master (exe the instance's binary, root, no php-fpm
 * parent) and it holds the instance's own listening sockets.  A name in
 * /proc/PID/comm proves nothing.  Only the host's own processes can be
 * asked.
 */
static int master_running(const struct host_view *h, const struct instance_view *iv)
{
	char *binary;
	long pid;
	int alive;

	if (iv->conf.pid_file == NULL || !h->root.is_host)
		return -1;
	pid = kernel_pid_file(&h->root, iv->conf.pid_file);
	if (pid <= 0)
		return (int)pid;
	if (kill((pid_t)pid, 0) < 0 && errno != EPERM)
		return 0;
	binary = iv->loc.binary ? rootfs_host_path(&h->root, iv->loc.binary) : NULL;
	alive = kernel_is_fpm_master((pid_t)pid, binary) &&
		holds_instance_socket(h, iv, (pid_t)pid) != 0;
	free(binary);
	return alive;
}

/* The config's ${NAME}s, as fpm_conf_read looks them up: recorded so
 * that php-fpm -tt reads them as we did (its environment is otherwise
 * fixed, see run.h). */
static const char *recording_getenv(void *ctx, const char *name)
{
	struct instance_view *iv = ctx;
	const char *v = getenv(name);
	size_t i, n = strlen(name);

	if (v == NULL)
		return NULL;
	for (i = 0; i < iv->nenv; i++)
		if (strncmp(iv->env[i], name, n) == 0 && iv->env[i][n] == '=')
			return v;
	iv->env = xreallocarray(iv->env, iv->nenv + 1, sizeof *iv->env);
	iv->env[iv->nenv++] = xasprintf("%s=%s", name, v);
	return v;
}

static void inspect_instance(struct host_view *h, const struct host_opts *o,
			     struct instance_view *iv)
{
	struct fpm_dialect d;
	size_t i;

	if (pkg_db_version(&h->pkgs, iv->loc.package))
		iv->package_version = xstrdup(pkg_db_version(&h->pkgs, iv->loc.package));
	if (iv->loc.binary && h->root.is_host)
		iv->version = ask_version(o, iv->loc.binary);
	/* The package version carries the distribution revision that the
	 * CVE backport table needs, and is there when the binary cannot be
	 * asked (--root). */
	fpm_build_from_version(&iv->build, iv->package_version ? iv->package_version
							       : iv->version);
	memset(&d, 0, sizeof d);
	d.hash_comments = iv->build.hash_comments;
	d.prefix = "/usr";
	d.getenv_fn = recording_getenv;
	d.env_ctx = iv;
	iv->conf_ok = fpm_conf_read(&iv->conf, &h->root, iv->loc.config, &d) == 0;
	iv->fpm_test = -1;
	if (o->run_fpm_test && h->root.is_host && iv->loc.binary && iv->conf_ok)
		ask_fpm_test(o, iv);
	iv->npools = iv->conf.npools;
	iv->pools = xcalloc(iv->npools, sizeof *iv->pools);
	for (i = 0; i < iv->npools; i++)
		inspect_pool(h, o, iv, &iv->conf.pools[i], &iv->pools[i]);
	/* After the pools: their sockets say whose master it is. */
	iv->running = master_running(h, iv);
}

/* Distinct client users of every pool with a live socket. */
static size_t prove_users(const struct host_view *h, const struct account_user ***out)
{
	const struct account_user **v = NULL;
	size_t i, j, c, k, n = 0, cap = 0;

	for (i = 0; i < h->ninst; i++)
		for (j = 0; j < h->inst[i].npools; j++) {
			const struct pool_view *pv = &h->inst[i].pools[j];
			if (pv->probe.state != PROBE_SOCKET)
				continue;
			for (c = 0; c < pv->nclients; c++) {
				const struct account_user *u = pv->clients[c].user;
				/* accounts caches: one pointer per user */
				for (k = 0; k < n && v[k] != u; k++)
					;
				if (u && k == n) {
					XGROW(v, cap, n + 1);
					v[n++] = u;
				}
			}
		}
	*out = v;
	return n;
}

/* One child per client user proves every live socket it uses at once. */
static void prove_all(struct host_view *h)
{
	const struct account_user **users;
	size_t nu, u, i, j, c, n = 0, k;
	struct prove_target *paths;
	char **owned;
	struct pool_client **slots;
	enum prove_result *res;
	int *errs;

	for (i = 0; i < h->ninst; i++)
		for (j = 0; j < h->inst[i].npools; j++)
			n += h->inst[i].pools[j].probe.state == PROBE_SOCKET;
	if (n == 0)
		return;
	nu = prove_users(h, &users);
	paths = xcalloc(n, sizeof *paths);
	owned = xcalloc(n, sizeof *owned);
	slots = xcalloc(n, sizeof *slots);
	res = xcalloc(n, sizeof *res);
	errs = xcalloc(n, sizeof *errs);
	for (u = 0; u < nu; u++) {
		size_t p = 0;
		k = 0;
		for (i = 0; i < h->ninst; i++)
			for (j = 0; j < h->inst[i].npools; j++) {
				struct pool_view *pv = &h->inst[i].pools[j];
				if (pv->probe.state != PROBE_SOCKET)
					continue;
				for (c = 0; c < pv->nclients; c++)
					if (pv->clients[c].user == users[u])
						break;
				if (c < pv->nclients) {
					if (owned[p] == NULL)
						owned[p] = rootfs_host_path(&h->root, pv->probe.path);
					paths[k].path = owned[p];
					paths[k].dev = pv->probe.dev;
					paths[k].ino = pv->probe.ino;
					slots[k++] = &pv->clients[c];
				}
				p++;
			}
		prove_connect(users[u], paths, k, res, errs);
		for (i = 0; i < k; i++) {
			slots[i]->proof = res[i];
			slots[i]->proof_errno = errs[i];
		}
	}
	for (i = 0; i < n; i++)
		free(owned[i]);
	free(owned);
	free(paths);
	free(slots);
	free(res);
	free(errs);
	free(users);
}

static char *absolute_config(const struct rootfs *r, const char *p)
{
	char cwd[PATH_MAX];

	if (p[0] == '/' || !r->is_host || getcwd(cwd, sizeof cwd) == NULL)
		return xstrdup(p);
	return xasprintf("%s/%s", cwd, p);
}

/*
 * Installed php*-fpm versions from dpkg's status file -- through the
 * libapt-pkg shim, or from the cache while the status file is the same
 * file (loading libapt-pkg costs a hook about 3 ms).
 */
/*
 * An instance whose package dpkg removed is gone, even though dpkg keeps
 * its conffiles (state rc, "deinstall ok config-files") until a purge:
 * nothing can start it.  Neither is a leftover /etc/php/X.Y on the host
 * whose binary is gone and which dpkg does not know at all.  Under --root
 * a missing binary alone proves nothing (images and fixtures have none).
 */
static int departed(const struct host_view *h, const struct instance_view *iv)
{
	const char *status = NULL;
	size_t i;

	if (iv->loc.binary || iv->loc.package == NULL)
		return 0;
	/* pkg_db_find knows installed packages only: dpkg's word on the rest. */
	for (i = 0; h->pkgs.loaded && i < h->pkgs.st.npkgs; i++)
		if (strcmp(h->pkgs.st.pkgs[i].name, iv->loc.package) == 0)
			status = h->pkgs.st.pkgs[i].status;
	if (status)
		return strstr(status, " config-files") != NULL ||
		       strstr(status, " not-installed") != NULL;
	return h->root.is_host;
}

static void drop_departed(struct host_view *h)
{
	size_t i, kept = 0;

	for (i = 0; i < h->ninst; i++) {
		if (departed(h, &h->inst[i]))
			instance_loc_free(&h->inst[i].loc);
		else
			h->inst[kept++] = h->inst[i];
	}
	h->ninst = kept;
}

static void read_packages(struct host_view *h, const struct host_opts *o)
{
	static const char *const pats[] = { "php*-fpm", "php-fpm-guard" };
	char *status = rootfs_host_path(&h->root, "/var/lib/dpkg/status");
	const struct fpm_cache_pkgs *cp;
	unsigned long long key = 0;
	struct stat st;
	size_t i;

	if (o->cache && stat(status, &st) == 0)
		key = fpm_identity_stat(fpm_identity_mix(0, status, strlen(status) + 1), &st);
	if (key && (cp = fpm_cache_get_pkgs(o->cache, key)) != NULL) {
		pkg_db_set(&h->pkgs, cp->names, cp->versions, cp->statuses, cp->n);
	} else if (pkg_db_read(&h->pkgs, status, pats, 2) == 0 && key) {
		size_t n = h->pkgs.st.npkgs;
		char **nm = xcalloc(n ? n : 1, sizeof *nm), **vr = xcalloc(n ? n : 1, sizeof *vr);
		char **stt = xcalloc(n ? n : 1, sizeof *stt);
		for (i = 0; i < n; i++) {
			nm[i] = h->pkgs.st.pkgs[i].name;
			vr[i] = h->pkgs.st.pkgs[i].version;
			stt[i] = h->pkgs.st.pkgs[i].status;
		}
		fpm_cache_put_pkgs(o->cache, key, nm, vr, stt, n);
		free(nm);
		free(vr);
		free(stt);
	}
	free(status);
}

int host_inspect(const struct host_opts *o, struct host_view *h)
{
	size_t i;

	memset(h, 0, sizeof *h);
	if (rootfs_init(&h->root, o->root) < 0)
		return -1;
	h->acc = accounts_open(&h->root);
	webservers_read(&h->root, o->ask_servers, &h->ws);
	consumers_init(h);
	if (o->nclients > 0)
		for (i = 0; i < o->nclients; i++)
			clients_add(&h->clients, o->clients[i], "--client");
	else
		clients_detect(&h->ws, &h->clients);
	if (o->nfpm_configs > 0) {
		h->ninst = o->nfpm_configs;
		h->inst = xcalloc(h->ninst, sizeof *h->inst);
		for (i = 0; i < h->ninst; i++) {
			char *abs = absolute_config(&h->root, o->fpm_configs[i]);
			discover_from_config(&h->root, abs, &h->inst[i].loc);
			free(abs);
			if (o->fpm_binary) {
				free(h->inst[i].loc.binary);
				h->inst[i].loc.binary = xstrdup(o->fpm_binary);
			}
			if (h->inst[i].loc.package == NULL && h->inst[i].loc.binary)
				h->inst[i].loc.package =
					discover_package_of_binary(h->inst[i].loc.binary);
		}
	} else {
		struct instance_loc *locs;
		h->ninst = discover_instances(&h->root, &locs);
		h->inst = xcalloc(h->ninst, sizeof *h->inst);
		for (i = 0; i < h->ninst; i++)
			h->inst[i].loc = locs[i];
		free(locs);
	}
	if (h->ninst > 0)
		read_packages(h, o);
	if (o->nfpm_configs == 0)
		drop_departed(h);
	h->dirs = probe_cache_new();
	for (i = 0; i < h->ninst; i++)
		inspect_instance(h, o, &h->inst[i]);
	consumers_settle(h);

	if (o->prove)
		prove_all(h);
	return 0;
}

void host_free(struct host_view *h)
{
	size_t i, j;

	for (i = 0; i < h->ninst; i++) {
		struct instance_view *iv = &h->inst[i];
		for (j = 0; j < iv->npools; j++) {
			effective_free(&iv->pools[j].eff);
			socket_probe_free(&iv->pools[j].probe);
			free(iv->pools[j].clients);
			clients_free(&iv->pools[j].own_clients);
		}
		free(iv->pools);
		fpm_conf_free(&iv->conf);
		instance_loc_free(&iv->loc);
		free(iv->version);
		free(iv->package_version);
		free(iv->fpm_test_msgs);
		for (j = 0; j < iv->nnotes; j++)
			free(iv->notes[j]);
		free(iv->notes);
		for (j = 0; j < iv->nenv; j++)
			free(iv->env[j]);
		free(iv->env);
	}
	free(h->inst);
	for (i = 0; i < h->ncons; i++)
		free(h->cons[i].canonical);
	free(h->cons);
	webservers_free(&h->ws);
	/* After the probes: they point into it. */
	probe_cache_free(h->dirs);
	pkg_db_free(&h->pkgs);
	clients_free(&h->clients);
	accounts_close(h->acc);
	rootfs_close(&h->root);
	memset(h, 0, sizeof *h);
}

/* ---- judgement ---- */

static void add_problem(struct problem_list *l, enum problem_kind k,
			const struct instance_view *iv, const struct pool_view *pv,
			const struct pool_client *pc, int is_error)
{
	XGROW(l->v, l->cap, l->n + 1);
	l->v[l->n++] = (struct problem){ k, iv, pv, pc, is_error, NULL };
}

static int denied_now(const struct pool_client *pc)
{
	return pc->now == V_DENIED || pc->proof == PROVE_DENIED;
}

void host_judge(const struct host_view *h, struct problem_list *out)
{
	size_t i, j, c;

	for (i = 0; i < h->ninst; i++) {
		const struct instance_view *iv = &h->inst[i];
		for (j = 0; j < iv->npools; j++) {
			const struct pool_view *pv = &iv->pools[j];
			if (!pv->eff.is_unix)
				continue;
			if (pv->probe.state == PROBE_NOT_SOCKET)
				add_problem(out, PR_NOT_SOCKET, iv, pv, NULL, 1);
			if ((pv->eff.nerrors == 0 && (pv->eff.mode & 0002)) ||
			    (pv->probe.state == PROBE_SOCKET &&
			     (pv->probe.sock.mode & 0002)))
				add_problem(out, PR_WORLD_ACCESS, iv, pv, NULL, 0);
			for (c = 0; c < pv->nclients; c++) {
				const struct pool_client *pc = &pv->clients[c];
				if (pc->user == NULL) {
					add_problem(out, PR_NO_CLIENT_USER, iv, pv, pc, 0);
					continue;
				}
				if (denied_now(pc))
					add_problem(out, PR_DENIED_NOW, iv, pv, pc, 1);
				else if (pc->next == V_DENIED)
					add_problem(out, PR_DENIED_NEXT, iv, pv, pc, 1);
			}
		}
	}
}

void host_judge_servers(const struct host_view *h, struct problem_list *out)
{
	size_t i;

	if (h->ninst == 0)
		return;
	for (i = 0; i < h->ncons; i++)
		if (h->cons[i].pv == NULL && !h->cons[i].other_socket) {
			add_problem(out, PR_SERVER_SOCKET_MISSING, NULL, NULL, NULL, 1);
			out->v[out->n - 1].cons = &h->cons[i];
		}
}

size_t host_error_count(const struct host_view *h)
{
	size_t i, j, n = 0;

	for (i = 0; i < h->ninst; i++) {
		const struct instance_view *iv = &h->inst[i];
		n += iv->conf.nerrors;
		n += iv->fpm_test == 0;
		for (j = 0; j < iv->npools; j++)
			n += iv->pools[j].eff.nerrors;
	}
	return n;
}

char *host_denied_reason(const struct pool_view *pv, const struct pool_client *pc,
			 int next, struct accounts *acc)
{
	const struct fsobj *o = next ? &pv->eff.obj : &pv->probe.sock;
	size_t blocker = next ? pc->next_blocker : pc->now_blocker;
	char m[8];

	if (blocker < pv->probe.ndirs) {
		const struct fsobj *d = &pv->probe.dirs[blocker];
		return xasprintf("%s may not search directory %s (%s:%s %s)",
				 pc->user->name, pv->probe.dirpaths[blocker],
				 accounts_user_name(acc, d->uid),
				 accounts_group_name(acc, d->gid),
				 access_mode_str(d->mode, m));
	}
	return xasprintf("socket %s:%s %s%s: %s is not the owner, not in group %s, "
			 "and others may not write",
			 accounts_user_name(acc, o->uid),
			 accounts_group_name(acc, o->gid),
			 access_mode_str(o->mode, m), o->nacl ? " +ACL" : "",
			 pc->user->name, accounts_group_name(acc, o->gid));
}

/* A group every client is in, preferring the first client's primary. */
static int common_group(const struct pool_view *pv, gid_t *out)
{
	const struct account_user *first = NULL;
	size_t c, g, k;

	for (c = 0; c < pv->nclients; c++)
		if (pv->clients[c].user) {
			first = pv->clients[c].user;
			break;
		}
	if (first == NULL)
		return 0;
	for (g = 0; g < first->ngroups; g++) {
		gid_t cand = g == 0 ? first->gid : first->groups[g];
		int all = 1;
		for (c = 0; c < pv->nclients && all; c++) {
			const struct account_user *u = pv->clients[c].user;
			int in = 0;
			if (u == NULL)
				continue;
			for (k = 0; k < u->ngroups; k++)
				in |= u->groups[k] == cand;
			in |= u->gid == cand;
			all = in;
		}
		if (all) {
			*out = cand;
			return 1;
		}
	}
	return 0;
}

/* list plus every client user not already in acl (comma-joined, new string). */
static char *join_clients(const struct pool_view *pv, const char *list)
{
	char *out = xstrdup(list ? list : ""), *tmp;
	size_t c, k;

	for (c = 0; c < pv->nclients; c++) {
		const struct account_user *u = pv->clients[c].user;
		int found = 0;
		if (u == NULL)
			continue;
		for (k = 0; k < pv->eff.nacl_users; k++)
			found |= strcmp(pv->eff.acl_users[k].name, u->name) == 0;
		if (found)
			continue;
		tmp = xasprintf("%s%s%s", out, *out ? "," : "", u->name);
		free(out);
		out = tmp;
	}
	return out;
}

size_t host_fix_lines(const struct pool_view *pv, struct accounts *acc,
		      char *lines[4])
{
	const struct account_user *first = NULL;
	size_t c, n = 0;
	gid_t g;
	int shared;

	for (c = 0; c < pv->nclients; c++)
		if (pv->clients[c].user) {
			first = pv->clients[c].user;
			break;
		}
	if (first == NULL)
		return 0;
	shared = common_group(pv, &g);
	if (pv->eff.acl_active || (!shared && pv->build->has_acl)) {
		/* Keep the pool's ACL style, or name each client when they
		 * share no group: nobody else gets in. */
		char *list = join_clients(pv, pv->eff.acl_active
					 ? pv->pool->set[K_LISTEN_ACL_USERS].value : NULL);
		lines[n++] = xasprintf("listen.acl_users = %s", list);
		lines[n++] = xstrdup("listen.mode = 0660");
		free(list);
		return n;
	}
	if (!shared)
		g = first->gid;
	lines[n++] = xasprintf("listen.owner = %s", first->name);
	lines[n++] = xasprintf("listen.group = %s", accounts_group_name(acc, g));
	lines[n++] = xstrdup("listen.mode = 0660");
	return n;
}
