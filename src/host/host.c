#include "host.h"
#include "../util/xalloc.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <grp.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
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
		socket_probe(&h->root, p->set[K_LISTEN].value, &pv->probe);
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
	if (o->pool_clients)
		own = o->pool_clients(o->pool_clients_ctx, p->name, &nown);
	if (own && nown > 0) {
		for (i = 0; i < nown; i++)
			clients_add(&pv->own_clients, own[i], "guard.conf [pool]");
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
 * INI expression), take its value and say so.
 */
static void adopt_fpm_dump(struct instance_view *iv, const struct fpm_dump *d)
{
	size_t i, k;

	for (i = 0; i < d->npools; i++) {
		struct fpm_pool *p = fpm_conf_find_pool(&iv->conf, d->pools[i].name);
		if (p == NULL)
			continue;
		for (k = 0; k < K_NKEYS; k++) {
			struct fpm_setting *s = &p->set[k];
			const char *theirs = d->pools[i].values[k];
			if (k == K_PREFIX || (s->value == NULL && theirs == NULL) ||
			    (s->value && theirs && strcmp(s->value, theirs) == 0))
				continue;
			iv->notes = xreallocarray(iv->notes, iv->nnotes + 1, sizeof *iv->notes);
			iv->notes[iv->nnotes++] = xasprintf(
				"%s:%d: pool %s: php-fpm reads %s as '%s' where the file says '%s'; using php-fpm's value",
				s->file ? s->file : p->file, s->file ? s->line : p->line, p->name,
				fpm_key_names[k], theirs ? theirs : "(undefined)",
				s->value ? s->value : "(undefined)");
			free(s->value);
			s->value = theirs ? xstrdup(theirs) : NULL;
		}
	}
}

/*
 * Is the instance's master alive?  Its pid file (relative paths live
 * under /var, php-fpm's localstatedir on Debian) names a process whose
 * comm starts with "php-fpm": a stale pid reused by another program does
 * not count.  Only the host's own processes can be asked.
 */
static int master_running(const struct host_view *h, const char *pid_file)
{
	char *buf = NULL, *path, *end, comm[64];
	size_t len;
	struct stat st;
	long pid;
	int fd, alive = 0;
	ssize_t n;

	if (pid_file == NULL || !h->root.is_host)
		return -1;
	path = pid_file[0] == '/' ? xstrdup(pid_file) : xasprintf("/var/%s", pid_file);
	if (rootfs_read_file(&h->root, path, 64, &buf, &len, &st) < 0) {
		free(path);
		return errno == ENOENT ? 0 : -1;
	}
	free(path);
	pid = strtol(buf, &end, 10);
	if (end != buf && pid > 0 && pid <= INT_MAX &&
	    (kill((pid_t)pid, 0) == 0 || errno == EPERM)) {
		char *cp = xasprintf("/proc/%ld/comm", pid);
		if ((fd = open(cp, O_RDONLY | O_CLOEXEC)) >= 0) {
			n = read(fd, comm, sizeof comm - 1);
			comm[n > 0 ? n : 0] = '\0';
			alive = strncmp(comm, "php-fpm", 7) == 0;
			close(fd);
		}
		free(cp);
	}
	free(buf);
	return alive;
}

static void inspect_instance(struct host_view *h, const struct host_opts *o,
			     struct instance_view *iv)
{
	struct fpm_dialect d;
	size_t i;

	if (iv->loc.binary && h->root.is_host)
		iv->version = discover_binary_version(iv->loc.binary);
	if (pkg_db_version(&h->pkgs, iv->loc.package))
		iv->package_version = xstrdup(pkg_db_version(&h->pkgs, iv->loc.package));
	/* The package version carries the distribution revision that the
	 * CVE backport table needs, and is there when the binary cannot be
	 * asked (--root). */
	fpm_build_from_version(&iv->build, iv->package_version ? iv->package_version
							       : iv->version);
	memset(&d, 0, sizeof d);
	d.hash_comments = iv->build.hash_comments;
	d.prefix = "/usr";
	iv->conf_ok = fpm_conf_read(&iv->conf, &h->root, iv->loc.config, &d) == 0;
	iv->running = master_running(h, iv->conf.pid_file);
	iv->fpm_test = -1;
	if (o->run_fpm_test && h->root.is_host && iv->loc.binary && iv->conf_ok) {
		struct fpm_dump dump;
		iv->fpm_test = discover_fpm_test(iv->loc.binary, iv->loc.config,
						 fpm_key_names, K_NKEYS, &dump,
						 &iv->fpm_test_msgs);
		adopt_fpm_dump(iv, &dump);
		fpm_dump_free(&dump);
	}
	iv->npools = iv->conf.npools;
	iv->pools = xcalloc(iv->npools, sizeof *iv->pools);
	for (i = 0; i < iv->npools; i++)
		inspect_pool(h, o, iv, &iv->conf.pools[i], &iv->pools[i]);
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
	const char **paths;
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
					paths[k] = owned[p];
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

int host_inspect(const struct host_opts *o, struct host_view *h)
{
	size_t i;

	memset(h, 0, sizeof *h);
	if (rootfs_init(&h->root, o->root) < 0)
		return -1;
	h->acc = accounts_open(&h->root);
	if (o->nclients > 0)
		for (i = 0; i < o->nclients; i++)
			clients_add(&h->clients, o->clients[i], "--client");
	else
		clients_detect(&h->root, &h->clients);
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
		}
	} else {
		struct instance_loc *locs;
		h->ninst = discover_instances(&h->root, &locs);
		h->inst = xcalloc(h->ninst, sizeof *h->inst);
		for (i = 0; i < h->ninst; i++)
			h->inst[i].loc = locs[i];
		free(locs);
	}
	if (h->ninst > 0) {
		static const char *const pkgs[] = { "php*-fpm", "php-fpm-guard" };
		char *status = rootfs_host_path(&h->root, "/var/lib/dpkg/status");
		pkg_db_read(&h->pkgs, status, pkgs, 2);
		free(status);
	}
	for (i = 0; i < h->ninst; i++)
		inspect_instance(h, o, &h->inst[i]);
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
	}
	free(h->inst);
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
	l->v[l->n++] = (struct problem){ k, iv, pv, pc, is_error };
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
