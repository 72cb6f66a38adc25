/* The serving map as `show` prints it: one line per site a person reads
 * in a second, and the same facts in JSON ("serving"). */
#include "report.h"
#include "../util/xalloc.h"

#include <json-c/json.h>
#include <stdlib.h>
#include <string.h>

/* "shop.example", else "every site" / "unnamed server" (caller frees). */
static char *site_name(const struct ws_use *u)
{
	return u->vhost && *u->vhost ? xstrdup(u->vhost) : ws_use_site(u);
}

static const char *connect_words(const struct consumer *c)
{
	if (c->server_now == V_ALLOWED)
		return "can connect";
	if (c->server_now == V_DENIED)
		return "CANNOT connect";
	if (c->server_next == V_ALLOWED)
		return "can connect once the pool starts";
	if (c->server_next == V_DENIED)
		return "CANNOT connect once the pool starts";
	return "access unknown";
}

static void print_hops(FILE *f, const struct consumer *c)
{
	size_t i;

	fprintf(f, " via %s", c->use->socket);
	for (i = 1; i < c->hops.n; i++)
		fprintf(f, " -> %s", c->hops.path[i]);
	if (c->hops.loop)
		fprintf(f, " -> ... (a symlink loop)");
}

static void print_site(FILE *f, const struct host_view *h, const struct consumer *c)
{
	const struct ws_server *s = c->server;
	char *site = site_name(c->use), *php;

	fprintf(f, "  site %s (%s:%d): ", site, c->use->file, c->use->line);
	free(site);
	if (c->pv == NULL) {
		fprintf(f, "%s", c->other_socket ? "another program's socket" : "NO pool listens");
		print_hops(f, c);
	} else {
		const char *user = c->pv->pool->set[K_USER].value;
		php = host_php_version(c->iv);
		fprintf(f, "PHP %s pool %s as %s", php ? php : "?", c->pv->pool->name,
			user ? user : "(no user)");
		free(php);
		print_hops(f, c);
		fprintf(f, ", %s %s %s", ws_kind_name(c->use->server),
			s->user ? s->user : "(user unknown)", connect_words(c));
	}
	if (c->use->server == WS_APACHE && s->php_module)
		fprintf(f, " (mod_php %s is loaded too, %s)", s->php_module,
			s->php_module_source);
	fputc('\n', f);
	(void)h;
}

void report_serving_text(FILE *f, const struct host_view *h)
{
	const struct ws_server *ap = &h->ws.srv[WS_APACHE];
	size_t i, napache = 0;

	if (!h->any_server)
		return;
	fprintf(f, "sites:\n");
	for (i = 0; i < h->ncons; i++) {
		napache += h->cons[i].use->server == WS_APACHE;
		print_site(f, h, &h->cons[i]);
	}
	if (ap->present && napache == 0)
		fprintf(f, "  apache2, every site: %s\n", ap->php_module
			? "PHP by mod_php in Apache itself" : "no PHP handler");
	if (ap->present && napache == 0 && ap->php_module)
		fprintf(f, "    (%s loaded at %s)\n", ap->php_module, ap->php_module_source);
	if (h->ncons == 0 && !ap->present)
		fprintf(f, "  no web server directive sends PHP anywhere\n");
}

static json_object *hops_json(const struct consumer *c)
{
	json_object *a = json_object_new_array();
	size_t i;

	for (i = 0; i < c->hops.n; i++)
		json_object_array_add(a, json_object_new_string(c->hops.path[i]));
	return a;
}

static json_object *verdict_json(enum verdict v)
{
	return v == V_UNKNOWN ? NULL : json_object_new_boolean(v == V_ALLOWED);
}

static json_object *site_json(const struct consumer *c)
{
	json_object *o = json_object_new_object();
	char *site = site_name(c->use), *php = c->iv ? host_php_version(c->iv) : NULL;
	const char *user = c->pv ? c->pv->pool->set[K_USER].value : NULL;

	json_object_object_add(o, "site", json_object_new_string(site));
	json_object_object_add(o, "server", json_object_new_string(ws_kind_name(c->use->server)));
	json_object_object_add(o, "server_user", c->server->user
			       ? json_object_new_string(c->server->user) : NULL);
	json_object_object_add(o, "file", json_object_new_string(c->use->file));
	json_object_object_add(o, "line", json_object_new_int(c->use->line));
	json_object_object_add(o, "socket", json_object_new_string(c->use->socket));
	json_object_object_add(o, "hops", hops_json(c));
	json_object_object_add(o, "hop_loop", json_object_new_boolean(c->hops.loop));
	json_object_object_add(o, "handler", json_object_new_string(
		c->pv ? "php-fpm" : c->other_socket ? "other-socket" : "missing"));
	json_object_object_add(o, "instance", c->iv ? json_object_new_string(c->iv->loc.config)
						    : NULL);
	json_object_object_add(o, "php", php ? json_object_new_string(php) : NULL);
	json_object_object_add(o, "pool", c->pv ? json_object_new_string(c->pv->pool->name) : NULL);
	json_object_object_add(o, "pool_user", user ? json_object_new_string(user) : NULL);
	json_object_object_add(o, "can_connect", verdict_json(c->server_now));
	json_object_object_add(o, "can_connect_next", verdict_json(c->server_next));
	free(site);
	free(php);
	return o;
}

json_object *report_serving_json(const struct host_view *h)
{
	const struct ws_server *ap = &h->ws.srv[WS_APACHE];
	json_object *o = json_object_new_object(), *a = json_object_new_array();
	size_t i;

	for (i = 0; i < h->ncons; i++)
		json_object_array_add(a, site_json(&h->cons[i]));
	json_object_object_add(o, "sites", a);
	json_object_object_add(o, "apache_mod_php", ap->php_module
			       ? json_object_new_string(ap->php_module) : NULL);
	json_object_object_add(o, "apache_mod_php_source", ap->php_module_source
			       ? json_object_new_string(ap->php_module_source) : NULL);
	return o;
}
