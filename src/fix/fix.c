#include "fix.h"
#include "edit.h"
#include "../util/atomicfile.h"
#include "../util/fault.h"
#include "../util/run.h"
#include "../util/xalloc.h"

#include <errno.h>
#include <fcntl.h>
#include <json-c/json.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#define JOURNAL "fix-journal.json"
#define JOURNAL_KIND "php-fpm-guard-fix-journal"
#define BACKUP_DIR "backups"

/* ---- queueing ---- */

/* The first of the socket's access keys set in a file by hand, or NULL. */
static const struct fpm_setting *hand_set(const struct fpm_pool *p, enum fpm_key *key)
{
	static const enum fpm_key keys[] = { K_LISTEN_OWNER, K_LISTEN_GROUP, K_LISTEN_MODE,
					     K_LISTEN_ACL_USERS, K_LISTEN_ACL_GROUPS };
	size_t i;

	for (i = 0; i < sizeof keys / sizeof keys[0]; i++)
		if (p->set[keys[i]].value && p->set[keys[i]].file) {
			*key = keys[i];
			return &p->set[keys[i]];
		}
	return NULL;
}

static int may_grant(const struct fix_pool *fp, const struct pool_client *pc)
{
	size_t i;

	if (pc->client->origin != CLIENT_DETECTED)
		return 1;
	if (pc->now == V_ALLOWED && pc->proof != PROVE_DENIED)
		return 1;	/* the live socket lets it in: it had access */
	for (i = 0; i < fp->nhad; i++)
		if (strcmp(fp->had[i], pc->client->user) == 0)
			return 1;
	return 0;
}

static int denied(const struct pool_client *pc)
{
	return pc->user && (pc->now == V_DENIED || pc->proof == PROVE_DENIED ||
			    pc->next == V_DENIED);
}

/* ->error for a pool closed by hand that no qualifying client needs. */
static void say_closed(struct fix_pool *fp, const struct fpm_setting *s, enum fpm_key k)
{
	const struct pool_view *pv = fp->pv;
	char *who = xstrdup(""), *tmp;
	size_t c;

	for (c = 0; c < pv->nclients; c++)
		if (denied(&pv->clients[c])) {
			tmp = xasprintf("%s%s%s (%s)", who, *who ? ", " : "",
					pv->clients[c].client->user, pv->clients[c].client->source);
			free(who);
			who = tmp;
		}
	fp->error = xasprintf("left closed: %s = %s is set by hand (%s:%d) and the "
			      "client denied, %s, is only detected: it had no access before, "
			      "and neither guard.conf, --client nor a web server using this "
			      "socket names it; to open the pool to it, name it in guard.conf "
			      "[pool %s] clients = ...",
			      fpm_key_names[k], s->value, s->file, s->line, who,
			      pv->pool->name);
	fp->closed = 1;
	free(who);
}

/* The lines for fp, and whom they let in. */
static void decide_lines(struct fix_pool *fp, struct host_view *h)
{
	struct pool_view v = *fp->pv;
	const struct fpm_setting *s;
	enum fpm_key k = K_NKEYS;
	size_t c, need = 0;

	for (c = 0; c < fp->nlines; c++)
		free(fp->lines[c]);
	for (c = 0; c < fp->ngrant; c++)
		free(fp->grant[c]);
	free(fp->error);
	fp->error = NULL;
	fp->nlines = fp->ngrant = 0;
	fp->closed = 0;
	s = hand_set(fp->pv->pool, &k);
	/* v: the pool as seen by the clients it may be opened to. */
	v.clients = xcalloc(v.nclients ? v.nclients : 1, sizeof *v.clients);
	v.nclients = 0;
	for (c = 0; c < fp->pv->nclients; c++) {
		const struct pool_client *pc = &fp->pv->clients[c];
		if (s && !may_grant(fp, pc))
			continue;
		v.clients[v.nclients++] = *pc;
		need += denied(pc);
	}
	fp->grant = xreallocarray(fp->grant, v.nclients ? v.nclients : 1, sizeof *fp->grant);
	for (c = 0; c < v.nclients; c++)
		fp->grant[fp->ngrant++] = xstrdup(v.clients[c].client->user);
	if (s && need == 0)
		say_closed(fp, s, k);
	else if ((fp->nlines = host_fix_lines(&v, h->acc, fp->lines)) == 0)
		fp->error = xstrdup("none of its client users exists: nothing to grant");
	free(v.clients);
}

size_t fix_set_add(struct fix_set *fs, struct host_view *h,
		   const struct instance_view *iv, const struct pool_view *pv,
		   const char *why, const char *had_access)
{
	struct fix_pool *fp = NULL;
	char day[16];
	time_t now = time(NULL);
	struct tm tm;
	size_t i;

	for (i = 0; i < fs->npools; i++)
		if (fs->pools[i].pv == pv)
			fp = &fs->pools[i];
	if (fp == NULL) {
		fs->pools = xreallocarray(fs->pools, fs->npools + 1, sizeof *fs->pools);
		fp = &fs->pools[fs->npools++];
		memset(fp, 0, sizeof *fp);
		fp->iv = iv;
		fp->pv = pv;
		strftime(day, sizeof day, "%Y-%m-%d", gmtime_r(&now, &tm));
		fp->marker = xasprintf("php-fpm-guard: %s %s", day, why);
	} else if (had_access == NULL) {
		return (size_t)(fp - fs->pools);
	}
	if (had_access) {
		fp->had = xreallocarray(fp->had, fp->nhad + 1, sizeof *fp->had);
		fp->had[fp->nhad++] = xstrdup(had_access);
	}
	decide_lines(fp, h);
	return (size_t)(fp - fs->pools);
}

int fix_pool_grants(const struct fix_pool *fp, const char *user)
{
	size_t i;

	for (i = 0; i < fp->ngrant; i++)
		if (strcmp(fp->grant[i], user) == 0)
			return 1;
	return 0;
}

/* ---- planning ---- */

struct pending {
	size_t pool, file;
	int anchor, order;
	struct edit_key keys[4];
	size_t nkeys;
};

/* Could someone other than root swap what we rename into this directory? */
static const char *dir_untrusted_why(const struct stat *st)
{
	if (st->st_uid != 0 && st->st_uid != geteuid())
		return "owned by another user";
	if (st->st_mode & S_ISVTX)
		return NULL;	/* sticky: others cannot rename or unlink ours */
	if (st->st_mode & S_IWOTH)
		return "writable by others";
	if ((st->st_mode & S_IWGRP) && st->st_gid != 0)
		return "writable by a group other than root";
	return NULL;
}

/* The host path the kernel has for fd: no symlink left in it. */
static char *fd_host_path(int fd)
{
	char proc[64], real[PATH_MAX];
	ssize_t n;

	snprintf(proc, sizeof proc, "/proc/self/fd/%d", fd);
	n = readlink(proc, real, sizeof real - 1);
	if (n <= 0)
		return NULL;
	real[n] = '\0';
	return xstrdup(real);
}

/*
 * The directory of path, opened inside the root once (symlinks and ".."
 * stay inside it) and judged by fstat: every later read and write of the
 * file goes through this descriptor, so the directory judged is the one
 * written, whatever is renamed or swapped above it meanwhile.  *host_path
 * names it for the journal and messages only.  -1 with *err when the
 * directory cannot be opened or is not safe to write in.
 */
static int open_write_dir(const struct rootfs *r, const char *path, char **host_path,
			  char **err)
{
	const char *slash = strrchr(path, '/');
	char *dir, *real;
	const char *why;
	struct stat st;
	int fd;

	dir = slash == path ? xstrdup("/") : xstrndup(path, (size_t)(slash - path));
	fd = rootfs_open(r, dir, O_RDONLY | O_DIRECTORY);
	if (fd < 0 || fstat(fd, &st) < 0) {
		*err = xasprintf("%s: %s", dir, strerror(errno));
		goto fail;
	}
	if ((why = dir_untrusted_why(&st)) != NULL) {
		*err = xasprintf("%s: its directory %s is %s (uid %u, mode %04o): "
				 "not edited, a write there could be swapped",
				 path, dir, why, (unsigned)st.st_uid,
				 (unsigned)(st.st_mode & 07777));
		goto fail;
	}
	if ((real = fd_host_path(fd)) == NULL) {
		*err = xasprintf("%s: %s", dir, strerror(errno));
		goto fail;
	}
	*host_path = xasprintf("%s%s", strcmp(real, "/") ? real : "", slash);
	free(real);
	free(dir);
	return fd;
fail:
	if (fd >= 0)
		close(fd);
	free(dir);
	return -1;
}

/* The file base in dirfd, read through it: a regular file, never a link. */
static int read_in_dir(int dirfd, const char *base, char **buf, size_t *len,
		       struct stat *st)
{
	int fd = openat(dirfd, base, O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC);
	size_t got = 0;
	ssize_t n;

	if (fd < 0)
		return -1;
	if (fstat(fd, st) < 0 || !S_ISREG(st->st_mode) ||
	    (size_t)st->st_size > FPM_MAX_FILE_SIZE) {
		close(fd);
		errno = EINVAL;
		return -1;
	}
	*buf = xmalloc((size_t)st->st_size + 1);
	while (got < (size_t)st->st_size &&
	       ((n = read(fd, *buf + got, (size_t)st->st_size - got)) > 0 ||
		(n < 0 && errno == EINTR)))
		if (n > 0)
			got += (size_t)n;
	close(fd);
	(*buf)[got] = '\0';
	*len = got;
	return 0;
}

static size_t file_index(struct fix_set *fs, struct host_view *h, const char *path,
			 char **err)
{
	struct fix_file *ff;
	struct stat st;
	char *host_path;
	const char *base = strrchr(path, '/') + 1;
	size_t i;
	int dfd;

	for (i = 0; i < fs->nfiles; i++)
		if (strcmp(fs->files[i].path, path) == 0)
			return i;
	if ((dfd = open_write_dir(&h->root, path, &host_path, err)) < 0)
		return (size_t)-1;
	if (fstatat(dfd, base, &st, AT_SYMLINK_NOFOLLOW) == 0 && !S_ISREG(st.st_mode)) {
		*err = xasprintf("%s: %s: not edited (edit the file it points to by hand)",
				 path, S_ISLNK(st.st_mode) ? "a symlink" : "not a regular file");
		goto fail;
	}
	fs->files = xreallocarray(fs->files, fs->nfiles + 1, sizeof *fs->files);
	ff = &fs->files[fs->nfiles];
	memset(ff, 0, sizeof *ff);
	if (read_in_dir(dfd, base, &ff->old, &ff->oldlen, &st) < 0) {
		*err = xasprintf("%s: %s", path, strerror(errno));
		goto fail;
	}
	ff->cur = xmalloc(ff->oldlen + 1);
	memcpy(ff->cur, ff->old, ff->oldlen + 1);
	ff->curlen = ff->oldlen;
	ff->path = xstrdup(path);
	ff->host_path = host_path;
	ff->base = xstrdup(base);
	ff->dirfd = dfd;
	ff->uid = st.st_uid;
	ff->gid = st.st_gid;
	ff->mode = st.st_mode & 07777;
	return fs->nfiles++;
fail:
	close(dfd);
	free(host_path);
	return (size_t)-1;
}

static enum fpm_key key_of(const char *line, size_t *keylen)
{
	int k;

	*keylen = strcspn(line, " =");
	for (k = 0; k < K_NKEYS; k++)
		if (strlen(fpm_key_names[k]) == *keylen &&
		    strncmp(fpm_key_names[k], line, *keylen) == 0)
			return (enum fpm_key)k;
	return K_NKEYS;
}

/* Where each of a pool's keys goes: one pending edit per file touched. */
static int pool_pendings(struct fix_set *fs, struct host_view *h, size_t pi,
			 struct pending **pend, size_t *npend, size_t *cap)
{
	struct fix_pool *fp = &fs->pools[pi];
	const struct fpm_pool *p = fp->pv->pool;
	const struct fpm_setting *listen = &p->set[K_LISTEN];
	const char *home = listen->file ? listen->file : p->file;
	size_t i, j, klen, first = *npend;

	for (i = 0; i < fp->nlines; i++) {
		enum fpm_key k = key_of(fp->lines[i], &klen);
		const struct fpm_setting *s = &p->set[k];
		const char *file = s->value && s->file ? s->file : home;
		struct pending *pd = NULL;
		size_t fi = file_index(fs, h, file, &fp->error);

		if (fi == (size_t)-1)
			return -1;
		for (j = first; j < *npend; j++)
			if ((*pend)[j].file == fi)
				pd = &(*pend)[j];
		if (pd == NULL) {
			XGROW(*pend, *cap, *npend + 1);
			pd = &(*pend)[(*npend)++];
			memset(pd, 0, sizeof *pd);
			pd->pool = pi;
			pd->file = fi;
			pd->anchor = listen->file && strcmp(listen->file, file) == 0 ? listen->line : 0;
			pd->order = pd->anchor ? pd->anchor
				    : strcmp(p->file, file) == 0 ? p->line : 0;
		}
		pd->keys[pd->nkeys].key = fpm_key_names[k];
		pd->keys[pd->nkeys].value = fp->lines[i] + klen + 3;	/* " = " */
		pd->keys[pd->nkeys].line = s->value && s->file ? s->line : 0;
		if (pd->keys[pd->nkeys].line > pd->order)
			pd->order = pd->keys[pd->nkeys].line;
		pd->nkeys++;
	}
	return 0;
}

static int pending_cmp(const void *a, const void *b)
{
	const struct pending *x = a, *y = b;

	if (x->file != y->file)
		return x->file < y->file ? -1 : 1;
	return y->order - x->order;	/* bottom-up keeps line numbers valid */
}

/* One pass over every usable pool; 1 when a pool newly failed. */
static int plan_once(struct fix_set *fs, struct host_view *h)
{
	struct pending *pend = NULL;
	size_t npend = 0, cap = 0, i;
	int failed = 0;

	for (i = 0; i < fs->nfiles; i++) {
		free(fs->files[i].cur);
		fs->files[i].cur = xmalloc(fs->files[i].oldlen + 1);
		memcpy(fs->files[i].cur, fs->files[i].old, fs->files[i].oldlen + 1);
		fs->files[i].curlen = fs->files[i].oldlen;
	}
	for (i = 0; i < fs->npools; i++)
		if (fs->pools[i].error == NULL &&
		    pool_pendings(fs, h, i, &pend, &npend, &cap) < 0)
			failed = 1;
	if (failed) {
		free(pend);
		return 1;
	}
	if (npend > 1)	/* qsort's array must not be NULL, even empty */
		qsort(pend, npend, sizeof *pend, pending_cmp);
	for (i = 0; i < npend; i++) {
		struct fix_pool *fp = &fs->pools[pend[i].pool];
		struct fix_file *ff = &fs->files[pend[i].file];
		struct edit_request rq = {
			fp->pv->pool->name, pend[i].anchor, fp->marker,
			pend[i].keys, pend[i].nkeys, fp->iv->build.hash_comments
		};
		char *out, *err;
		size_t outlen;

		if (edit_pool_file(ff->cur, ff->curlen, &rq, &out, &outlen, &err) < 0) {
			fp->error = xasprintf("%s: %s", ff->path, err);
			free(err);
			free(pend);
			return 1;
		}
		free(ff->cur);
		ff->cur = out;
		ff->curlen = outlen;
	}
	free(pend);
	return 0;
}

size_t fix_set_plan(struct fix_set *fs, struct host_view *h)
{
	size_t i, ok = 0;

	/* A pool that fails drops out and the rest is planned again from
	 * the original bytes, so no file carries half of a pool's edit. */
	while (plan_once(fs, h))
		;
	for (i = 0; i < fs->npools; i++)
		ok += fs->pools[i].error == NULL;
	return ok;
}

/* ---- showing ---- */

static int memfd_with(const char *name, const char *buf, size_t len)
{
	int fd = memfd_create(name, MFD_CLOEXEC);	/* diff(1) gets it as 3 or 4 */
	size_t off = 0;
	ssize_t n;

	if (fd < 0)
		return -1;
	while (off < len) {
		n = write(fd, buf + off, len - off);
		if (n < 0) {
			close(fd);
			return -1;
		}
		off += (size_t)n;
	}
	return fd;
}

/* diff -u of old and new through two memfds passed as 3 and 4; its
 * output, or NULL. */
static char *diff_of(const struct fix_file *ff)
{
	char *argv[] = { "/usr/bin/diff", "-u", "--label", ff->path, "--label", ff->path,
			 "/dev/fd/3", "/dev/fd/4", NULL };
	int fds[2] = { memfd_with("old", ff->old, ff->oldlen),
		       memfd_with("new", ff->cur, ff->curlen) };
	struct run_spec rs;
	char *out = NULL;
	int status;

	memset(&rs, 0, sizeof rs);
	rs.argv = argv;
	rs.timeout_ms = 10000;
	rs.pass = fds;
	rs.npass = 2;
	if (fds[0] >= 0 && fds[1] >= 0 && run_spec_capture(&rs, &out, &status) == 0 &&
	    status > 1) {	/* 1: they differ */
		free(out);
		out = NULL;
	}
	if (fds[0] >= 0)
		close(fds[0]);
	if (fds[1] >= 0)
		close(fds[1]);
	return out;
}

void fix_set_print_diff(const struct fix_set *fs, FILE *f)
{
	size_t i;

	for (i = 0; i < fs->nfiles; i++) {
		const struct fix_file *ff = &fs->files[i];
		char *out;

		if (ff->curlen == ff->oldlen && memcmp(ff->cur, ff->old, ff->oldlen) == 0)
			continue;
		if ((out = diff_of(ff)) == NULL)
			fprintf(f, "php-fpm-guard: cannot show the edit of %s with diff(1)\n",
				ff->path);
		else
			fputs(out, f);
		free(out);
	}
}

/* ---- writing ---- */

static unsigned long long digest(const char *p, size_t n)
{
	unsigned long long h = 1469598103934665603ULL;	/* FNV-1a 64 */
	size_t i;

	for (i = 0; i < n; i++) {
		h ^= (unsigned char)p[i];
		h *= 1099511628211ULL;
	}
	return h;
}

static int changed(const struct fix_file *ff)
{
	return ff->cur && (ff->curlen != ff->oldlen || memcmp(ff->cur, ff->old, ff->oldlen) != 0);
}

static int write_journal(struct fix_set *fs, struct state_dir *st, char **err)
{
	json_object *root = json_object_new_object(), *arr = json_object_new_array();
	const char *text;
	char hex[32];
	size_t i;
	int rc;

	json_object_object_add(root, "kind", json_object_new_string(JOURNAL_KIND));
	for (i = 0; i < fs->nfiles; i++) {
		const struct fix_file *ff = &fs->files[i];
		json_object *o;
		if (!changed(ff))
			continue;
		o = json_object_new_object();
		snprintf(hex, sizeof hex, "%016llx", digest(ff->cur, ff->curlen));
		json_object_object_add(o, "path", json_object_new_string(ff->host_path));
		json_object_object_add(o, "backup", json_object_new_string(ff->backup));
		json_object_object_add(o, "new_digest", json_object_new_string(hex));
		json_object_array_add(arr, o);
	}
	json_object_object_add(root, "files", arr);
	text = json_object_to_json_string_ext(root, JSON_C_TO_STRING_PRETTY |
					      JSON_C_TO_STRING_NOSLASHESCAPE);
	rc = state_write(st, JOURNAL, text, strlen(text), 0600, err);
	json_object_put(root);
	return rc;
}

static int backup_all(struct fix_set *fs, struct state_dir *st, char **err)
{
	time_t now = time(NULL);
	size_t i;

	/* A backup is what recovery writes back into /etc: only into a
	 * directory nobody else can plant files in. */
	if (state_subdir(st, BACKUP_DIR, 0700, err) < 0)
		return -1;
	for (i = 0; i < fs->nfiles; i++) {
		struct fix_file *ff = &fs->files[i];
		const char *base = strrchr(ff->path, '/') + 1;
		char *name;
		if (!changed(ff))
			continue;
		ff->backup = xasprintf("%lld-%d-%zu-%s", (long long)now, (int)getpid(), i, base);
		name = xasprintf(BACKUP_DIR "/%s", ff->backup);
		if (state_write(st, name, ff->old, ff->oldlen, 0600, err) < 0) {
			free(name);
			return -1;
		}
		free(name);
	}
	return 0;
}

/* Replace ff with buf, through the directory judged when it was read. */
static int replace_file(const struct fix_file *ff, const char *buf, size_t len)
{
	if (ff->base == NULL)
		return atomic_file_replace(ff->host_path, 1, buf, len, ff->uid, ff->gid,
					   ff->mode);
	return atomic_file_replace_at(ff->dirfd, ff->base, 1, buf, len, ff->uid, ff->gid,
				      ff->mode, 0);
}

/* Put file i back to its original bytes, owner and mode. */
static int restore_one(const struct fix_file *ff)
{
	return replace_file(ff, ff->old, ff->oldlen);
}

/* Add to *err that ff stayed edited, and where its original is. */
static int append_unrestored(char **err, const struct fix_file *ff, const struct state_dir *st)
{
	char *tmp = xasprintf("%s; %s: already written and not restored (%s); its original "
			      "is %s/%s/%s", *err, ff->path, strerror(errno), st->path,
			      BACKUP_DIR, ff->backup);

	free(*err);
	*err = tmp;
	return 1;
}

int fix_set_write(struct fix_set *fs, struct state_dir *st, char **err)
{
	size_t i, j;
	int unrestored = 0;

	if (backup_all(fs, st, err) < 0)
		return -1;
	fault_point("after-backup");
	if (write_journal(fs, st, err) < 0)
		return -1;
	fault_point("after-journal");
	for (i = 0; i < fs->nfiles; i++) {
		struct fix_file *ff = &fs->files[i];
		if (!changed(ff))
			continue;
		if (ff->base)
			atomic_file_sweep_at(ff->dirfd, ff->base);
		if (replace_file(ff, ff->cur, ff->curlen) < 0) {
			*err = xasprintf("%s: cannot write: %s", ff->path, strerror(errno));
			for (j = 0; j < i; j++)
				if (changed(&fs->files[j]) && restore_one(&fs->files[j]) < 0)
					unrestored = append_unrestored(err, &fs->files[j], st);
			if (!unrestored)
				state_remove(st, JOURNAL);
			return -1;
		}
	}
	fault_point("after-write");
	return 0;
}

int fix_set_restore(struct fix_set *fs, struct state_dir *st, char **err)
{
	char *msg = NULL, *tmp;
	size_t i;

	/* Every file is tried, and every one that stays edited is named
	 * with the backup that holds its original. */
	for (i = 0; i < fs->nfiles; i++)
		if (changed(&fs->files[i]) && restore_one(&fs->files[i]) < 0) {
			tmp = xasprintf("%s%s%s: not restored (%s); its original is %s/%s/%s",
					msg ? msg : "", msg ? "; " : "", fs->files[i].path,
					strerror(errno), st->path, BACKUP_DIR, fs->files[i].backup);
			free(msg);
			msg = tmp;
		}
	if (msg == NULL) {
		state_remove(st, JOURNAL);
		return 0;
	}
	/* The journal stays: the next run's recovery tries again. */
	*err = xasprintf("%s (the next run retries from %s/" JOURNAL ")", msg, st->path);
	free(msg);
	return -1;
}

void fix_set_done(struct fix_set *fs, struct state_dir *st)
{
	(void)fs;
	state_remove(st, JOURNAL);
}

void fix_set_free(struct fix_set *fs)
{
	size_t i, j;

	for (i = 0; i < fs->npools; i++) {
		for (j = 0; j < fs->pools[i].nlines; j++)
			free(fs->pools[i].lines[j]);
		free(fs->pools[i].marker);
		free(fs->pools[i].error);
		for (j = 0; j < fs->pools[i].nhad; j++)
			free(fs->pools[i].had[j]);
		free(fs->pools[i].had);
		for (j = 0; j < fs->pools[i].ngrant; j++)
			free(fs->pools[i].grant[j]);
		free(fs->pools[i].grant);
	}
	free(fs->pools);
	for (i = 0; i < fs->nfiles; i++) {
		free(fs->files[i].path);
		free(fs->files[i].host_path);
		if (fs->files[i].base)
			close(fs->files[i].dirfd);
		free(fs->files[i].base);
		free(fs->files[i].old);
		free(fs->files[i].cur);
		free(fs->files[i].backup);
	}
	free(fs->files);
	memset(fs, 0, sizeof *fs);
}

/* ---- recovery ---- */

/*
 * The directory of a journal entry's file (a host path with no symlink
 * left when it was written), opened once and judged as when the fix was
 * written; -1 when gone (nothing of ours there), -2 with *err when no
 * longer safe to write in.
 */
static int open_recovery_dir(const char *path, const char **base, char **err)
{
	const char *slash = strrchr(path, '/'), *why;
	char *dir;
	struct stat st;
	int fd;

	if (slash == NULL || slash[1] == '\0')
		return -1;
	dir = slash == path ? xstrdup("/") : xstrndup(path, (size_t)(slash - path));
	fd = open(dir, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	if (fd >= 0 && fstat(fd, &st) == 0 && (why = dir_untrusted_why(&st)) != NULL) {
		*err = xasprintf("%s: not rolled back: its directory %s is now %s", path, dir,
				 why);
		close(fd);
		fd = -2;
	}
	free(dir);
	*base = slash + 1;
	return fd;
}

static int recover_file(struct state_dir *st, json_object *o, char **err)
{
	json_object *jp, *jb, *jd;
	char *cur = NULL, *old = NULL, *bname, hex[32];
	const char *path, *base;
	size_t curlen, oldlen;
	struct stat sb;
	int rc = 0, dfd;

	if (!json_object_object_get_ex(o, "path", &jp) || !json_object_object_get_ex(o, "backup", &jb) ||
	    !json_object_object_get_ex(o, "new_digest", &jd) ||
	    !json_object_is_type(jp, json_type_string) || !json_object_is_type(jb, json_type_string) ||
	    !json_object_is_type(jd, json_type_string) ||
	    strchr(json_object_get_string(jb), '/') != NULL) {
		*err = xasprintf("%s/" JOURNAL ": malformed entry", st->path);
		return -1;
	}
	path = json_object_get_string(jp);
	if ((dfd = open_recovery_dir(path, &base, err)) < 0)
		return dfd == -1 ? 0 : -1;
	atomic_file_sweep_at(dfd, base);
	if (read_in_dir(dfd, base, &cur, &curlen, &sb) < 0) {
		close(dfd);
		return 0;	/* gone or replaced by a non-file: nothing of ours */
	}
	snprintf(hex, sizeof hex, "%016llx", digest(cur, curlen));
	free(cur);
	if (strcmp(hex, json_object_get_string(jd)) != 0) {
		close(dfd);
		return 0;	/* not our bytes: someone edited it since */
	}
	bname = xasprintf(BACKUP_DIR "/%s", json_object_get_string(jb));
	if (state_read(st, bname, FPM_MAX_FILE_SIZE, &old, &oldlen, err) != 0) {
		if (*err == NULL)
			*err = xasprintf("%s/%s: backup missing", st->path, bname);
		rc = -1;
	} else if (atomic_file_replace_at(dfd, base, 1, old, oldlen, sb.st_uid, sb.st_gid,
					  sb.st_mode & 07777, 0) < 0) {
		*err = xasprintf("%s: cannot restore: %s", path, strerror(errno));
		rc = -1;
	} else {
		rc = 1;
	}
	close(dfd);
	free(old);
	free(bname);
	return rc;
}

int fix_recover(struct state_dir *st, char **err)
{
	json_object *root, *files, *kind;
	char *buf;
	size_t len, i;
	int n = 0, r, rc;

	*err = NULL;
	rc = state_read(st, JOURNAL, 1 << 20, &buf, &len, err);
	if (rc != 0)
		return rc == 1 ? 0 : -1;
	root = json_tokener_parse(buf);
	free(buf);
	if (root == NULL || !json_object_object_get_ex(root, "kind", &kind) ||
	    !json_object_is_type(kind, json_type_string) ||
	    strcmp(json_object_get_string(kind), JOURNAL_KIND) != 0 ||
	    !json_object_object_get_ex(root, "files", &files) ||
	    !json_object_is_type(files, json_type_array)) {
		json_object_put(root);
		*err = xasprintf("%s/" JOURNAL ": not a fix journal; left in place", st->path);
		return -1;
	}
	for (i = 0; i < json_object_array_length(files); i++) {
		r = recover_file(st, json_object_array_get_idx(files, i), err);
		if (r < 0) {
			json_object_put(root);
			return -1;
		}
		n += r;
	}
	json_object_put(root);
	state_remove(st, JOURNAL);
	return n;
}
