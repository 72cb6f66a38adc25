#include "accounts.h"
#include "../util/xalloc.h"

#include <fcntl.h>
#include <grp.h>
#include <pwd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

struct group_rec {
	char *name;
	gid_t gid;
	char **members;
	size_t nmembers;
};

struct accounts {
	const struct rootfs *r;
	int loaded;		/* files backend: passwd/group read */
	struct account_user **users;	/* pointers: handed out, must not move */
	size_t nusers, cap_users;
	struct group_rec *groups;
	size_t ngroups, cap_groups;
	char **names;		/* numeric fallbacks handed out */
	size_t nnames, cap_names;
};

struct accounts *accounts_open(const struct rootfs *r)
{
	struct accounts *a = xcalloc(1, sizeof *a);

	a->r = r;
	return a;
}

static void free_user(struct account_user *u)
{
	free(u->name);
	free(u->groups);
}

void accounts_close(struct accounts *a)
{
	size_t i, j;

	if (a == NULL)
		return;
	for (i = 0; i < a->nusers; i++) {
		free_user(a->users[i]);
		free(a->users[i]);
	}
	for (i = 0; i < a->ngroups; i++) {
		free(a->groups[i].name);
		for (j = 0; j < a->groups[i].nmembers; j++)
			free(a->groups[i].members[j]);
		free(a->groups[i].members);
	}
	for (i = 0; i < a->nnames; i++)
		free(a->names[i]);
	free(a->users);
	free(a->groups);
	free(a->names);
	free(a);
}

static FILE *open_in_root(struct accounts *a, const char *path)
{
	int fd = rootfs_open(a->r, path, O_RDONLY | O_NONBLOCK);
	FILE *f;

	if (fd < 0)
		return NULL;
	f = fdopen(fd, "r");
	if (f == NULL)
		close(fd);
	return f;
}

static void add_group_rec(struct accounts *a, const struct group *g)
{
	struct group_rec *gr;
	size_t n = 0;

	XGROW(a->groups, a->cap_groups, a->ngroups + 1);
	gr = &a->groups[a->ngroups++];
	gr->name = xstrdup(g->gr_name);
	gr->gid = g->gr_gid;
	while (g->gr_mem && g->gr_mem[n])
		n++;
	gr->members = xcalloc(n + 1, sizeof *gr->members);
	gr->nmembers = n;
	for (n = 0; n < gr->nmembers; n++)
		gr->members[n] = xstrdup(g->gr_mem[n]);
}

static void user_add_group(struct account_user *u, gid_t gid)
{
	size_t i;

	for (i = 0; i < u->ngroups; i++)
		if (u->groups[i] == gid)
			return;
	u->groups = xreallocarray(u->groups, u->ngroups + 1, sizeof *u->groups);
	u->groups[u->ngroups++] = gid;
}

/* The files backend: read the root's passwd and group once. */
static void load_files(struct accounts *a)
{
	struct passwd *pw;
	struct group *g;
	FILE *f;
	size_t i, j, k;

	if (a->loaded)
		return;
	a->loaded = 1;
	if ((f = open_in_root(a, "/etc/group")) != NULL) {
		while ((g = fgetgrent(f)) != NULL)
			add_group_rec(a, g);
		fclose(f);
	}
	if ((f = open_in_root(a, "/etc/passwd")) != NULL) {
		while ((pw = fgetpwent(f)) != NULL) {
			struct account_user *u = xcalloc(1, sizeof *u);
			XGROW(a->users, a->cap_users, a->nusers + 1);
			a->users[a->nusers++] = u;
			u->name = xstrdup(pw->pw_name);
			u->uid = pw->pw_uid;
			u->gid = pw->pw_gid;
			user_add_group(u, u->gid);
		}
		fclose(f);
	}
	for (i = 0; i < a->ngroups; i++)
		for (j = 0; j < a->groups[i].nmembers; j++)
			for (k = 0; k < a->nusers; k++)
				if (strcmp(a->users[k]->name,
					   a->groups[i].members[j]) == 0)
					user_add_group(a->users[k],
						       a->groups[i].gid);
}

static struct account_user *cache_nss_user(struct accounts *a,
					   const struct passwd *pw)
{
	struct account_user *u = xcalloc(1, sizeof *u);
	int n = 16;
	gid_t *gl = NULL;

	XGROW(a->users, a->cap_users, a->nusers + 1);
	a->users[a->nusers++] = u;
	u->name = xstrdup(pw->pw_name);
	u->uid = pw->pw_uid;
	u->gid = pw->pw_gid;
	for (;;) {
		int got = n;
		gl = xreallocarray(gl, (size_t)n, sizeof *gl);
		if (getgrouplist(u->name, u->gid, gl, &got) >= 0) {
			n = got;
			break;
		}
		n = got > n ? got : n * 2;
	}
	u->groups = gl;
	u->ngroups = (size_t)n;
	user_add_group(u, u->gid);
	return u;
}

const struct account_user *accounts_user(struct accounts *a, const char *name)
{
	struct passwd *pw;
	size_t i;

	if (!a->r->is_host)
		load_files(a);
	for (i = 0; i < a->nusers; i++)
		if (strcmp(a->users[i]->name, name) == 0)
			return a->users[i];
	if (!a->r->is_host)
		return NULL;
	pw = getpwnam(name);
	return pw ? cache_nss_user(a, pw) : NULL;
}

const struct account_user *accounts_user_by_uid(struct accounts *a, uid_t uid)
{
	struct passwd *pw;
	size_t i;

	if (!a->r->is_host)
		load_files(a);
	for (i = 0; i < a->nusers; i++)
		if (a->users[i]->uid == uid)
			return a->users[i];
	if (!a->r->is_host)
		return NULL;
	pw = getpwuid(uid);
	return pw ? cache_nss_user(a, pw) : NULL;
}

static const struct group_rec *find_group(struct accounts *a, const char *name,
					  gid_t gid, int by_name)
{
	struct group *g;
	size_t i;

	if (!a->r->is_host)
		load_files(a);
	for (i = 0; i < a->ngroups; i++)
		if (by_name ? strcmp(a->groups[i].name, name) == 0
			    : a->groups[i].gid == gid)
			return &a->groups[i];
	if (!a->r->is_host)
		return NULL;
	g = by_name ? getgrnam(name) : getgrgid(gid);
	if (g == NULL)
		return NULL;
	add_group_rec(a, g);
	return &a->groups[a->ngroups - 1];
}

int accounts_group(struct accounts *a, const char *name, gid_t *gid)
{
	const struct group_rec *g = find_group(a, name, 0, 1);

	if (g == NULL)
		return -1;
	*gid = g->gid;
	return 0;
}

static const char *numeric(struct accounts *a, unsigned long id)
{
	XGROW(a->names, a->cap_names, a->nnames + 1);
	a->names[a->nnames] = xasprintf("%lu", id);
	return a->names[a->nnames++];
}

const char *accounts_user_name(struct accounts *a, uid_t uid)
{
	const struct account_user *u = accounts_user_by_uid(a, uid);

	return u ? u->name : numeric(a, uid);
}

const char *accounts_group_name(struct accounts *a, gid_t gid)
{
	const struct group_rec *g = find_group(a, NULL, gid, 0);

	return g ? g->name : numeric(a, gid);
}
