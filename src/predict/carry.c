#include "carry.h"
#include "../host/hostsnap.h"
#include "../util/xalloc.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <unistd.h>

#define CARRY_MAX_FILE ((size_t)1 << 20)

int carry_is_carried_file(const char *file)
{
	const char *base = strrchr(file, '/');

	return base && strncmp(base + 1, RELEASE_CARRY_PREFIX,
			       sizeof RELEASE_CARRY_PREFIX - 1) == 0;
}

/* The section name of a header line ("[www]", tabs before it as php-fpm
 * allows), into name; 0 when line is no header. */
static int section_of(const char *line, size_t len, char *name, size_t cap)
{
	const char *close;
	size_t i = 0, n;

	while (i < len && line[i] == '\t')
		i++;
	if (i >= len || line[i] != '[' || (close = memchr(line + i, ']', len - i)) == NULL)
		return 0;
	n = (size_t)(close - line) - i - 1;
	if (n + 1 > cap)
		n = cap - 1;
	memcpy(name, line + i + 1, n);
	name[n] = '\0';
	return 1;
}

/* One line of the pool's section, with $pool kept meaning the old name
 * when the pool is renamed (its log and socket paths stay the same). */
static void put_line(FILE *out, const char *line, size_t len, const char *orig, int renamed)
{
	const char *p = line, *end = line + len, *hit;

	while (renamed && (hit = memmem(p, (size_t)(end - p), "$pool", 5)) != NULL) {
		fwrite(p, 1, (size_t)(hit - p), out);
		fputs(orig, out);
		p = hit + 5;
	}
	fwrite(p, 1, (size_t)(end - p), out);
}

/* The lines of file's sections of pool orig, headers renamed to name. */
static void carry_file(FILE *out, const char *file, const char *buf, size_t len,
		       const char *orig, const char *name)
{
	const char *line = buf, *nl, *end = buf + len;
	char sect[256];
	int in = 0, lineno = 0, renamed = strcasecmp(orig, name) != 0;

	for (; line < end; line = nl + 1) {
		size_t n;
		nl = memchr(line, '\n', (size_t)(end - line));
		if (nl == NULL)
			nl = end;
		n = (size_t)(nl - line);
		lineno++;
		if (section_of(line, n, sect, sizeof sect)) {
			in = strcasecmp(sect, orig) == 0;
			if (in)
				fprintf(out, "\n; from %s:%d\n[%s]\n", file, lineno, name);
			continue;
		}
		if (in) {
			put_line(out, line, n, orig, renamed);
			fputc('\n', out);
		}
	}
}

/* The carried file's bytes (caller frees), or NULL (errno). */
static char *carry_text(const struct host_view *h, const struct release_carry *c)
{
	const struct instance_view *iv = c->from;
	char *buf = NULL, *text = NULL, *fb;
	size_t len = 0, i, fl;
	struct stat st;
	FILE *out = open_memstream(&buf, &len);

	if (out == NULL)
		return NULL;
	fprintf(out, RELEASE_CARRY_MAGIC ": written by php-fpm-guard, do not edit.\n"
		"; Pool [%s] of %s (%s, removed by the upgrade that installed %s),\n"
		"; carried here as [%s] with all its settings, so that the web servers\n"
		"; using its socket keep their PHP.  No package owns this file: purging\n"
		"; the old package leaves it.  Remove it when nothing uses the pool.\n",
		c->pv->pool->name, iv->loc.config, iv->loc.package ? iv->loc.package : "?",
		c->to->act->package, c->name);
	for (i = 0; i < iv->conf.nfiles; i++) {
		if (rootfs_read_file(&h->root, iv->conf.files[i], CARRY_MAX_FILE, &fb, &fl,
				     &st) < 0) {
			fclose(out);
			free(buf);
			return NULL;
		}
		carry_file(out, iv->conf.files[i], fb, fl, c->pv->pool->name, c->name);
		free(fb);
	}
	if (fclose(out) == 0)
		text = buf;
	else
		free(buf);
	return text;
}

/* A pool name usable in a file name and as a section, php-fpm-safe. */
static int name_ok(const char *name)
{
	return *name && strspn(name, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ"
			       "0123456789._-") == strlen(name) && name[0] != '.';
}

static int name_taken(const struct release_plan *rp, const struct release_arrival *a,
		      const char *name)
{
	size_t k;

	if (a->have && a->hp.ninst == 1 && fpm_conf_find_pool(&a->hp.inst[0].conf, name))
		return 1;
	for (k = 0; k < rp->ncarry; k++)
		if (rp->carry[k].to == a && rp->carry[k].name &&
		    strcasecmp(rp->carry[k].name, name) == 0)
			return 1;
	return 0;
}

/* Where the departing instances' pools go: the highest arriving version. */
static struct release_arrival *carry_target(struct release_plan *rp)
{
	struct release_arrival *best = NULL;
	size_t k;

	for (k = 0; k < rp->narr; k++)
		if (rp->arr[k].have && (best == NULL || rp->arr[k].priority > best->priority))
			best = &rp->arr[k];
	return best;
}

/*
 * Does APT's list start the arriving package (its **CONFIGURE**) before it
 * removes the departing one?  Then the carried pools would meet the old
 * master still listening on their paths: php-fpm refuses to bind a unix
 * socket another master listens on ("Another FPM instance seems to
 * already listen"), so the new instance would not start and its postinst
 * would fail.  The list is in the order dpkg is run.
 */
static int starts_first(const struct hook_info *hi, const char *arriving, const char *departing)
{
	size_t i, cfg = (size_t)-1, rm = (size_t)-1;

	for (i = 0; hi && departing && i < hi->n; i++) {
		if (hi->v[i].configure && cfg == (size_t)-1 && strcmp(hi->v[i].package, arriving) == 0)
			cfg = i;
		if (hi->v[i].remove && rm == (size_t)-1 && strcmp(hi->v[i].package, departing) == 0)
			rm = i;
	}
	return cfg != (size_t)-1 && rm != (size_t)-1 && cfg < rm;
}

static void carry_one(struct release_plan *rp, const struct host_view *h,
		      const struct instance_view *iv, const struct pool_view *pv,
		      struct release_arrival *to)
{
	struct release_carry *c = &rp->carry[rp->ncarry];
	const char *pkg = iv->loc.package ? iv->loc.package : "php";
	size_t plen = strlen(pkg) > 4 && strcmp(pkg + strlen(pkg) - 4, "-fpm") == 0
		      ? strlen(pkg) - 4 : strlen(pkg);

	memset(c, 0, sizeof *c);
	c->from = iv;
	c->pv = pv;
	c->to = to;
	if (to == NULL) {
		c->refused = xstrdup("no PHP-FPM instance arrives in this transaction to carry "
				     "it into");
		rp->ncarry++;
		return;
	}
	c->name = name_taken(rp, to, pv->pool->name)
		  ? xasprintf("%s-%.*s", pv->pool->name, (int)plen, pkg) : xstrdup(pv->pool->name);
	rp->ncarry++;
	if (!name_ok(c->name)) {
		c->refused = xasprintf("its name [%s] cannot name a file", c->name);
		return;
	}
	c->path = xasprintf("%s/%s%s.conf", to->pooldir, RELEASE_CARRY_PREFIX, c->name);
	if ((c->text = carry_text(h, c)) == NULL)
		c->refused = xasprintf("cannot read its files: %s", strerror(errno));
	else if (starts_first(rp->hi, to->act->package, iv->loc.package))
		c->refused = xasprintf("apt starts %s before it removes %s: php-fpm would refuse "
				       "to bind the carried sockets while the old master listens "
				       "on them, and %s would not start (remove %s first, then "
				       "upgrade)", to->act->package, pkg, to->act->package, pkg);
}

/* Why the arriving version would refuse carry c in its predicted
 * instance iv (caller frees), or NULL when it takes it. */
static char *refusal(const struct instance_view *iv, const struct release_carry *c)
{
	const struct pool_view *pv = NULL;
	const char *listen;
	size_t k;

	for (k = 0; k < iv->conf.nerrors; k++)
		if (iv->conf.errors[k].file && strcmp(iv->conf.errors[k].file, c->path) == 0)
			return xasprintf("%s:%d: %s", c->path, iv->conf.errors[k].line,
					 iv->conf.errors[k].msg);
	for (k = 0; k < iv->npools && pv == NULL; k++)
		if (strcasecmp(iv->pools[k].pool->name, c->name) == 0)
			pv = &iv->pools[k];
	if (pv == NULL)
		return xasprintf("%s does not define pool [%s] there", c->path, c->name);
	if (pv->eff.nerrors > 0)
		return xasprintf("pool [%s]: %s", c->name, pv->eff.errors[0]);
	listen = pv->pool->set[K_LISTEN].value;
	for (k = 0; listen && k < iv->npools; k++)
		if (&iv->pools[k] != pv && iv->pools[k].pool->set[K_LISTEN].value &&
		    strcmp(iv->pools[k].pool->set[K_LISTEN].value, listen) == 0)
			return xasprintf("pool [%s] of %s listens on %s too", iv->pools[k].pool->name,
					 iv->pools[k].pool->file, listen);
	for (k = 0; k < pv->nclients; k++)
		if (pv->clients[k].user && pv->clients[k].next != V_ALLOWED)
			return xasprintf("%s could not connect to %s there",
					 pv->clients[k].client->user, listen ? listen : "?");
	return NULL;
}

/* Read every carry into a in a's predicted root, as php-fpm 's reader for
 * the arriving version would; a refused carry says why. */
static void carry_check(struct release_plan *rp, struct release_arrival *a)
{
	size_t k;
	int any = 0;

	for (k = 0; a->have && k < rp->ncarry; k++) {
		struct release_carry *c = &rp->carry[k];
		if (c->to != a || c->refused)
			continue;
		if (rootfs_replace(&a->hp.root, c->path, 0, c->text, strlen(c->text), 0, 0, 0644,
				   1) < 0)
			c->refused = xasprintf("%s: cannot be written in the predicted root: %s",
					       c->path, strerror(errno));
		else
			any = 1;
	}
	if (!any)
		return;
	snapshot_free(&a->ps);
	host_free(&a->hp);
	a->have = 0;
	if (host_inspect(&a->po, &a->hp) < 0)
		return;
	snapshot_from_host(&a->ps, &a->hp, "predicted");
	a->have = 1;
	for (k = 0; k < rp->ncarry; k++)
		if (rp->carry[k].to == a && rp->carry[k].refused == NULL)
			rp->carry[k].refused = a->hp.ninst == 1 ? refusal(&a->hp.inst[0], &rp->carry[k])
					       : xstrdup("the predicted instance does not read");
}

void carry_plan(struct release_plan *rp, const struct host_view *h)
{
	struct release_arrival *to = carry_target(rp);
	size_t i, k, n = 0;

	for (i = 0; i < rp->ndep; i++)
		n += rp->dep[i]->npools;
	rp->carry = xcalloc(n ? n : 1, sizeof *rp->carry);
	for (i = 0; i < rp->ndep; i++)
		for (k = 0; k < rp->dep[i]->npools; k++)
			carry_one(rp, h, rp->dep[i], &rp->dep[i]->pools[k], to);
	for (k = 0; k < rp->narr; k++)
		carry_check(rp, &rp->arr[k]);
}

/* 0 when path is free or a carried file of ours (written before); -1. */
static int ours_or_free(const struct rootfs *r, const char *path, char **err)
{
	char *buf;
	size_t len;
	struct stat st;
	int rc = 0;

	if (rootfs_read_file(r, path, CARRY_MAX_FILE, &buf, &len, &st) < 0) {
		if (errno == ENOENT)
			return 0;
		*err = xasprintf("%s: %s", path, strerror(errno));
		return -1;
	}
	if (len < sizeof RELEASE_CARRY_MAGIC - 1 ||
	    memcmp(buf, RELEASE_CARRY_MAGIC, sizeof RELEASE_CARRY_MAGIC - 1) != 0) {
		*err = xasprintf("%s exists and is not the guard's: not touched", path);
		rc = -1;
	}
	free(buf);
	return rc;
}

static int write_carry(struct release_carry *c, struct host_view *h, char **err)
{
	int fd;

	if (ours_or_free(&h->root, c->path, err) < 0)
		return -1;
	/* dpkg takes a directory that is already there as it is. */
	if ((fd = rootfs_open_dir(&h->root, c->to->pooldir, 0755)) < 0) {
		*err = xasprintf("%s: %s", c->to->pooldir, strerror(errno));
		return -1;
	}
	close(fd);
	if (rootfs_replace(&h->root, c->path, 0, c->text, strlen(c->text), 0, 0, 0644, 0) < 0) {
		*err = xasprintf("%s: cannot write: %s", c->path, strerror(errno));
		return -1;
	}
	c->written = 1;
	return 0;
}

int release_write_carries(struct release_plan *rp, struct host_view *h, char **err)
{
	size_t k;

	*err = NULL;
	for (k = 0; k < rp->ncarry; k++) {
		struct release_carry *c = &rp->carry[k];
		if (c->refused || c->to == NULL || c->written)
			continue;
		if (write_carry(c, h, err) < 0)
			break;
	}
	if (*err == NULL)
		return 0;
	for (k = 0; k < rp->ncarry; k++)
		if (rp->carry[k].written && rootfs_unlink(&h->root, rp->carry[k].path) == 0)
			rp->carry[k].written = 0;
	return -1;
}

/* "www-data: ok, nginx: refused" for pv's clients; *bad when one failed. */
static char *proof_words(const struct pool_view *pv, int *bad)
{
	char *s = xstrdup(""), *t;
	size_t k;

	for (k = 0; k < pv->nclients; k++) {
		const struct pool_client *pc = &pv->clients[k];
		if (pc->user == NULL)
			continue;
		*bad |= pc->proof != PROVE_OK;
		t = xasprintf("%s%s%s: %s", s, *s ? ", " : "", pc->client->user,
			      prove_result_name(pc->proof));
		free(s);
		s = t;
	}
	return s;
}

static void carried_of(const struct instance_view *iv, char ***notes, size_t *n, int *failed)
{
	size_t k;

	for (k = 0; k < iv->npools; k++) {
		const struct pool_view *pv = &iv->pools[k];
		int bad = 0;
		char *w;
		if (!carry_is_carried_file(pv->pool->file))
			continue;
		w = proof_words(pv, &bad);
		*notes = xreallocarray(*notes, *n + 1, sizeof **notes);
		(*notes)[(*n)++] = xasprintf("carried pool [%s] (%s) serves %s, proven: %s",
					     pv->pool->name, pv->pool->file,
					     pv->pool->set[K_LISTEN].value ? pv->pool->set[K_LISTEN].value
					     : "?", *w ? w : "no client to prove it for");
		*failed |= bad;
		free(w);
	}
}

size_t release_carried_notes(const struct host_opts *ho, const struct host_view *h,
			     const struct snapshot *old, char ***notes, int *failed)
{
	size_t i, n = 0;

	*notes = NULL;
	*failed = 0;
	for (i = 0; i < h->ninst; i++) {
		const struct instance_view *iv = &h->inst[i];
		struct host_opts o = *ho;
		struct host_view pv;
		const char *cfg = iv->loc.config;
		if (snapshot_find_instance(old, cfg) != NULL)
			continue;
		o.fpm_configs = &cfg;
		o.nfpm_configs = 1;
		o.prove = 1;	/* once, for the pools this run carried */
		o.run_fpm_test = 0;
		if (host_inspect(&o, &pv) < 0)
			continue;
		if (pv.ninst == 1)
			carried_of(&pv.inst[0], notes, &n, failed);
		host_free(&pv);
	}
	return n;
}
