#include "effective.h"
#include "../util/xalloc.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

static void add_msg(char ***arr, size_t *n, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

static void add_msg(char ***arr, size_t *n, const char *fmt, ...)
{
	va_list ap;
	char *m;

	va_start(ap, fmt);
	m = xvasprintf(fmt, ap);
	va_end(ap);
	*arr = xreallocarray(*arr, *n + 1, sizeof **arr);
	(*arr)[(*n)++] = m;
}

static int is_number(const char *s)
{
	return *s && strspn(s, "0123456789") == strlen(s);
}

static char *where(const struct fpm_setting *s)
{
	/* "file:line" without printf: this runs three times for every pool. */
	size_t n = strlen(s->file);
	char num[16], *p = num + sizeof num, *out;
	unsigned v = s->line > 0 ? (unsigned)s->line : 0;

	do {
		*--p = (char)('0' + v % 10);
		v /= 10;
	} while (v);
	out = xmalloc(n + 1 + (size_t)(num + sizeof num - p) + 1);
	memcpy(out, s->file, n);
	out[n] = ':';
	memcpy(out + n + 1, p, (size_t)(num + sizeof num - p));
	out[n + 1 + (num + sizeof num - p)] = '\0';
	return out;
}

static int set(const struct fpm_setting *s)
{
	return s->value != NULL && *s->value != '\0';
}

/* Split a comma list as php-fpm does: no trimming, empty items skipped. */
static size_t split_list(const char *v, struct eff_name **out)
{
	const char *p = v;
	size_t n = 0;

	*out = NULL;
	while (*p) {
		const char *c = strchr(p, ',');
		size_t len = c ? (size_t)(c - p) : strlen(p);
		if (len > 0) {
			*out = xreallocarray(*out, n + 1, sizeof **out);
			memset(&(*out)[n], 0, sizeof **out);
			(*out)[n++].name = xstrndup(p, len);
		}
		p += len + (c ? 1 : 0);
	}
	return n;
}

static void compute_acl(const struct fpm_pool *p, struct accounts *a,
			struct effective *e)
{
	const struct fpm_setting *su = &p->set[K_LISTEN_ACL_USERS];
	const struct fpm_setting *sg = &p->set[K_LISTEN_ACL_GROUPS];
	size_t i;

	if (set(su))
		e->nacl_users = split_list(su->value, &e->acl_users);
	if (set(sg))
		e->nacl_groups = split_list(sg->value, &e->acl_groups);
	for (i = 0; i < e->nacl_users; i++) {
		const struct account_user *u = accounts_user(a, e->acl_users[i].name);
		if (u) {
			e->acl_users[i].id = u->uid;
			e->acl_users[i].resolved = 1;
		} else {
			add_msg(&e->errors, &e->nerrors,
				"%s:%d: error: listen.acl_users: no such user '%s' "
				"(php-fpm will not start)", su->file, su->line,
				e->acl_users[i].name);
		}
	}
	for (i = 0; i < e->nacl_groups; i++) {
		gid_t g;
		if (accounts_group(a, e->acl_groups[i].name, &g) == 0) {
			e->acl_groups[i].id = g;
			e->acl_groups[i].resolved = 1;
		} else {
			add_msg(&e->errors, &e->nerrors,
				"%s:%d: error: listen.acl_groups: no such group '%s' "
				"(php-fpm will not start)", sg->file, sg->line,
				e->acl_groups[i].name);
		}
	}
	e->acl_active = e->nacl_users + e->nacl_groups > 0;
}

static void compute_owner_group(const struct fpm_pool *p,
				const struct fpm_build *b, struct accounts *a,
				struct effective *e)
{
	const struct fpm_setting *so = &p->set[K_LISTEN_OWNER];
	const struct fpm_setting *sg = &p->set[K_LISTEN_GROUP];

	if (set(so)) {
		e->owner_from = e->owner_src = where(so);
		if (is_number(so->value) && b->numeric_ids) {
			e->uid = (uid_t)strtoul(so->value, NULL, 10);
		} else {
			const struct account_user *u = accounts_user(a, so->value);
			if (u) {
				e->uid = u->uid;
				e->gid = u->gid;
				e->group_from = e->group_src =
					xasprintf("%s (primary group of %s)",
						  e->owner_src, so->value);
			} else {
				add_msg(&e->errors, &e->nerrors,
					"%s:%d: error: listen.owner: no such user '%s' "
					"(php-fpm will not start)", so->file,
					so->line, so->value);
			}
		}
	}
	if (set(sg)) {
		free(e->group_src);
		e->group_from = e->group_src = where(sg);
		if (is_number(sg->value) && b->numeric_ids) {
			e->gid = (gid_t)strtoul(sg->value, NULL, 10);
		} else {
			gid_t g;
			if (accounts_group(a, sg->value, &g) == 0)
				e->gid = g;
			else
				add_msg(&e->errors, &e->nerrors,
					"%s:%d: error: listen.group: no such group '%s' "
					"(php-fpm will not start)", sg->file,
					sg->line, sg->value);
		}
	}
}

void effective_compute(const struct fpm_pool *p, const struct fpm_build *b,
		       struct accounts *a, const struct master *m,
		       struct effective *e)
{
	const struct fpm_setting *sm = &p->set[K_LISTEN_MODE];
	size_t i, k;

	memset(e, 0, sizeof *e);
	e->path = p->set[K_LISTEN].value;
	e->is_unix = fpm_listen_is_unix(e->path);
	e->uid = m->uid;
	e->gid = m->dir_setgid ? m->dir_gid : m->gid;
	e->owner_from = "default (php-fpm master's user)";
	e->group_from = m->dir_setgid ? "default (set-group-ID directory)"
				      : "default (php-fpm master's group)";
	e->mode = b->default_mode;
	e->mode_from = b->default_mode == 0666
			       ? "default (0666: build predates the CVE-2014-0185 fix)"
			       : "default";
	if (!e->is_unix)
		return;
	if (set(sm)) {
		e->mode = (mode_t)strtoul(sm->value, NULL, 8) & 0777;
		e->mode_from = e->mode_src = where(sm);
	}
	if (b->has_acl)
		compute_acl(p, a, e);
	if (e->acl_active) {
		if (set(&p->set[K_LISTEN_OWNER]))
			add_msg(&e->notes, &e->nnotes,
				"ACL set, listen.owner = '%s' is ignored",
				p->set[K_LISTEN_OWNER].value);
		if (set(&p->set[K_LISTEN_GROUP]))
			add_msg(&e->notes, &e->nnotes,
				"ACL set, listen.group = '%s' is ignored",
				p->set[K_LISTEN_GROUP].value);
	} else {
		compute_owner_group(p, b, a, e);
	}
	for (i = 0; i < K_NKEYS; i++)
		if (p->set[i].uses_env && i != K_PREFIX)
			add_msg(&e->notes, &e->nnotes,
				"%s depends on php-fpm's environment (${...} at %s:%d)",
				fpm_key_names[i], p->set[i].file, p->set[i].line);

	e->obj.mode = S_IFSOCK | e->mode;
	e->obj.uid = e->uid;
	e->obj.gid = e->gid;
	if (e->acl_active) {
		unsigned gperm = (e->mode >> 3) & 7, mask = gperm;
		e->obj.nacl = 4 + e->nacl_users + e->nacl_groups;
		e->obj.acl = xcalloc(e->obj.nacl, sizeof *e->obj.acl);
		k = 0;
		e->obj.acl[k++] = (struct acl_ent){ T_USER_OBJ, 0, (e->mode >> 6) & 7 };
		e->obj.acl[k++] = (struct acl_ent){ T_GROUP_OBJ, 0, gperm };
		e->obj.acl[k++] = (struct acl_ent){ T_OTHER, 0, e->mode & 7 };
		for (i = 0; i < e->nacl_users; i++)
			e->obj.acl[k++] = (struct acl_ent){
				T_USER, e->acl_users[i].resolved ? e->acl_users[i].id
								 : (unsigned long)-1, 6 };
		for (i = 0; i < e->nacl_groups; i++)
			e->obj.acl[k++] = (struct acl_ent){
				T_GROUP, e->acl_groups[i].resolved ? e->acl_groups[i].id
								   : (unsigned long)-1, 6 };
		mask |= 6;	/* acl_calc_mask: union of the group class */
		e->obj.acl[k++] = (struct acl_ent){ T_MASK, 0, mask };
		e->obj.nacl = k;
		e->mode = (e->mode & ~070u) | (mask << 3);
		e->obj.mode = S_IFSOCK | e->mode;
	}
}

void effective_free(struct effective *e)
{
	size_t i;

	for (i = 0; i < e->nacl_users; i++)
		free(e->acl_users[i].name);
	for (i = 0; i < e->nacl_groups; i++)
		free(e->acl_groups[i].name);
	for (i = 0; i < e->nerrors; i++)
		free(e->errors[i]);
	for (i = 0; i < e->nnotes; i++)
		free(e->notes[i]);
	free(e->acl_users);
	free(e->acl_groups);
	free(e->errors);
	free(e->notes);
	free(e->owner_src);
	free(e->group_src);
	free(e->mode_src);
	free(e->obj.acl);
	memset(e, 0, sizeof *e);
}
