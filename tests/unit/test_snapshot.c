/*
 * snapshot_parse trusts nothing: a round trip keeps every field, and every
 * malformed file is rejected with a message naming the field -- never a
 * crash, never a leak (run it under ASan).
 */
#include "fixture.h"
#include "diff/diff.h"
#include "snapshot/snapshot.h"

#include <json-c/json.h>
#include <limits.h>
#include <stdint.h>

/* Every field of the format, each nullable one both null and not. */
static const char VALID[] =
	"{\"kind\": \"php-fpm-guard-snapshot\", \"schema\": 1, \"phase\": \"pre-invoke\","
	" \"guard_version\": \"0.3.0\", \"boot_id\": null, \"created\": 1700000000,"
	" \"root\": \"/\", \"instances\": ["
	"{\"config\": \"/etc/php/8.2/fpm/php-fpm.conf\", \"binary\": \"/usr/sbin/php-fpm8.2\","
	" \"package\": \"php8.2-fpm\", \"version\": \"8.2.36\","
	" \"package_version\": \"8.2.36-1~deb12u1\", \"default_mode\": \"0660\","
	" \"fpm_test\": true, \"fpm_test_messages\": \"test is successful\", \"running\": true,"
	" \"config_errors\": [], \"pools\": ["
	"{\"name\": \"www\", \"file\": \"/etc/php/8.2/fpm/pool.d/www.conf\", \"line\": 4,"
	" \"declared\": {"
	"\"user\": {\"value\": \"www-data\", \"file\": \"/etc/php/8.2/fpm/pool.d/www.conf\", \"line\": 23},"
	" \"group\": {\"value\": \"www-data\", \"file\": \"/etc/php/8.2/fpm/pool.d/www.conf\", \"line\": 24},"
	" \"listen\": {\"value\": \"/run/php/php8.2-fpm.sock\", \"file\": \"/etc/php/8.2/fpm/pool.d/www.conf\", \"line\": 41},"
	" \"listen.owner\": {\"value\": \"www-data\", \"file\": null, \"line\": 0},"
	" \"listen.group\": {\"value\": \"www-data\", \"file\": \"/etc/php/8.2/fpm/pool.d/www.conf\", \"line\": 54},"
	" \"listen.mode\": null, \"listen.acl_users\": null, \"listen.acl_groups\": null,"
	" \"prefix\": null},"
	" \"unix\": true,"
	" \"effective\": {\"owner\": \"www-data\", \"group\": \"www-data\", \"uid\": 33, \"gid\": 33,"
	" \"mode\": \"0660\", \"acl\": []},"
	" \"effective_errors\": [], \"socket_state\": \"socket\","
	" \"socket\": {\"owner\": \"www-data\", \"group\": \"www-data\", \"uid\": 33, \"gid\": 4294967295,"
	" \"mode\": \"0660\", \"acl\": [\"user::rw-\", \"user:nginx:rw-\", \"group::rw-\", \"mask::rw-\","
	" \"other::---\"]},"
	" \"clients\": [{\"user\": \"www-data\", \"now\": \"yes\", \"next\": \"yes\"},"
	" {\"user\": \"nginx\", \"now\": \"no\", \"next\": \"unknown\"}]},"
	"{\"name\": \"api\", \"file\": \"/etc/php/8.2/fpm/pool.d/api.conf\", \"line\": 1,"
	" \"declared\": {\"user\": null, \"group\": null,"
	" \"listen\": {\"value\": \"127.0.0.1:9000\", \"file\": \"/etc/php/8.2/fpm/pool.d/api.conf\", \"line\": 2},"
	" \"listen.owner\": null, \"listen.group\": null, \"listen.mode\": null,"
	" \"listen.acl_users\": null, \"listen.acl_groups\": null, \"prefix\": null},"
	" \"unix\": false, \"effective\": null, \"effective_errors\": [], \"socket_state\": \"none\","
	" \"socket\": null, \"clients\": []},"
	"{\"name\": \"broken\", \"file\": \"/etc/php/8.2/fpm/pool.d/broken.conf\", \"line\": 1,"
	" \"declared\": {\"user\": null, \"group\": null,"
	" \"listen\": {\"value\": \"/run/php/broken.sock\", \"file\": \"/etc/php/8.2/fpm/pool.d/broken.conf\", \"line\": 2},"
	" \"listen.owner\": {\"value\": \"nobody-here\", \"file\": \"/etc/php/8.2/fpm/pool.d/broken.conf\", \"line\": 3},"
	" \"listen.group\": null, \"listen.mode\": {\"value\": \"0600\", \"file\": \"/etc/php/8.2/fpm/pool.d/broken.conf\", \"line\": 4},"
	" \"listen.acl_users\": null, \"listen.acl_groups\": null,"
	" \"prefix\": {\"value\": \"/srv\", \"file\": \"/etc/php/8.2/fpm/pool.d/broken.conf\", \"line\": 5}},"
	" \"unix\": true, \"effective\": null,"
	" \"effective_errors\": [\"listen.owner: no user nobody-here\"], \"socket_state\": \"absent\","
	" \"socket\": null, \"clients\": [{\"user\": \"www-data\", \"now\": \"unknown\", \"next\": \"unknown\"}]}"
	"]},"
	"{\"config\": \"/etc/php5/fpm/php-fpm.conf\", \"binary\": null, \"package\": null,"
	" \"version\": null, \"package_version\": null, \"default_mode\": \"0666\","
	" \"fpm_test\": false, \"fpm_test_messages\": null, \"running\": null,"
	" \"config_errors\": [\"/etc/php5/fpm/pool.d/x.conf:3: unknown key 'foo'\"],"
	" \"pools\": []}"
	"]}";

/* ---- deep equality of two parsed snapshots ---- */

static int eq_str(const char *a, const char *b)
{
	return (a == NULL && b == NULL) || (a && b && strcmp(a, b) == 0);
}

static void ck_strs(char **a, size_t na, char **b, size_t nb, const char *what)
{
	size_t i;

	ck_assert_msg(na == nb, "%s: %zu vs %zu", what, na, nb);
	for (i = 0; i < na; i++)
		ck_assert_msg(eq_str(a[i], b[i]), "%s[%zu]", what, i);
}

static void ck_perm(const struct snap_perm *a, const struct snap_perm *b, const char *what)
{
	ck_assert_msg(eq_str(a->owner, b->owner) && eq_str(a->group, b->group), "%s owner", what);
	ck_assert_msg(a->uid == b->uid && a->gid == b->gid, "%s ids", what);
	ck_assert_msg(a->mode == b->mode, "%s mode", what);
	ck_strs(a->acl, a->nacl, b->acl, b->nacl, what);
}

static void ck_snap_eq(const struct snapshot *a, const struct snapshot *b)
{
	size_t i, j, c;
	int k;

	ck_assert(eq_str(a->phase, b->phase) && eq_str(a->guard_version, b->guard_version));
	ck_assert(eq_str(a->boot_id, b->boot_id) && eq_str(a->root, b->root));
	ck_assert(a->created == b->created);
	ck_assert_uint_eq(a->ninst, b->ninst);
	for (i = 0; i < a->ninst; i++) {
		const struct snap_instance *x = &a->inst[i], *y = &b->inst[i];
		ck_assert(eq_str(x->config, y->config) && eq_str(x->binary, y->binary));
		ck_assert(eq_str(x->package, y->package) && eq_str(x->version, y->version));
		ck_assert(eq_str(x->package_version, y->package_version));
		ck_assert(eq_str(x->fpm_test_msgs, y->fpm_test_msgs));
		ck_assert(x->default_mode == y->default_mode && x->fpm_test == y->fpm_test &&
			  x->running == y->running);
		ck_strs(x->config_errors, x->nconfig_errors, y->config_errors, y->nconfig_errors,
			"config_errors");
		ck_assert_uint_eq(x->npools, y->npools);
		for (j = 0; j < x->npools; j++) {
			const struct snap_pool *p = &x->pools[j], *q = &y->pools[j];
			ck_assert(eq_str(p->name, q->name) && eq_str(p->file, q->file) &&
				  p->line == q->line);
			for (k = 0; k < K_NKEYS; k++)
				ck_assert_msg(eq_str(p->set[k].value, q->set[k].value) &&
					      eq_str(p->set[k].file, q->set[k].file) &&
					      p->set[k].line == q->set[k].line, "declared %d", k);
			ck_assert(p->is_unix == q->is_unix && p->eff_valid == q->eff_valid);
			ck_perm(&p->eff, &q->eff, "effective");
			ck_strs(p->eff_errors, p->neff_errors, q->eff_errors, q->neff_errors,
				"effective_errors");
			ck_assert_int_eq(p->sock_state, q->sock_state);
			ck_perm(&p->sock, &q->sock, "socket");
			ck_assert_uint_eq(p->nclients, q->nclients);
			for (c = 0; c < p->nclients; c++)
				ck_assert(eq_str(p->clients[c].user, q->clients[c].user) &&
					  p->clients[c].now == q->clients[c].now &&
					  p->clients[c].next == q->clients[c].next);
		}
	}
}

static void parse_ok(const char *buf, size_t len, struct snapshot *s)
{
	char *err = NULL;

	ck_assert_msg(snapshot_parse(buf, len, s, &err) == 0, "rejected: %s", err);
	ck_assert_ptr_null(err);
}

START_TEST(test_round_trip)
{
	struct snapshot a, b;
	char *j1, *j2;
	json_object *orig, *back;

	parse_ok(VALID, strlen(VALID), &a);
	/* Spot checks that the parser read what the text says. */
	ck_assert_uint_eq(a.ninst, 2);
	ck_assert_uint_eq(a.inst[0].npools, 3);
	ck_assert_ptr_null(a.boot_id);
	ck_assert_int_eq(a.created, 1700000000);
	ck_assert_int_eq(a.inst[0].fpm_test, 1);
	ck_assert_int_eq(a.inst[1].fpm_test, 0);
	ck_assert_int_eq(a.inst[1].running, -1);
	ck_assert_uint_eq(a.inst[1].default_mode, 0666);
	ck_assert_ptr_null(a.inst[1].binary);
	ck_assert_str_eq(a.inst[0].pools[0].set[K_LISTEN].value, "/run/php/php8.2-fpm.sock");
	ck_assert_int_eq(a.inst[0].pools[0].set[K_LISTEN].line, 41);
	ck_assert_ptr_null(a.inst[0].pools[0].set[K_LISTEN_OWNER].file);
	ck_assert_ptr_null(a.inst[0].pools[0].set[K_LISTEN_MODE].value);
	ck_assert_int_eq(a.inst[0].pools[0].sock_state, PROBE_SOCKET);
	ck_assert_int_eq(a.inst[0].pools[0].sock.gid, 4294967295L);
	ck_assert_uint_eq(a.inst[0].pools[0].sock.nacl, 5);
	ck_assert_int_eq(a.inst[0].pools[0].clients[1].now, V_DENIED);
	ck_assert_int_eq(a.inst[0].pools[0].clients[1].next, V_UNKNOWN);
	ck_assert_int_eq(a.inst[0].pools[1].is_unix, 0);
	ck_assert_int_eq(a.inst[0].pools[1].sock_state, PROBE_NONE);
	ck_assert_int_eq(a.inst[0].pools[2].eff_valid, 0);
	ck_assert_int_eq(a.inst[0].pools[2].sock_state, PROBE_ABSENT);
	ck_assert_uint_eq(a.inst[0].pools[2].neff_errors, 1);

	j1 = snapshot_to_json(&a);
	parse_ok(j1, strlen(j1), &b);
	ck_snap_eq(&a, &b);
	j2 = snapshot_to_json(&b);
	ck_assert_str_eq(j1, j2);
	/* The written text says what the input said, field for field. */
	orig = json_tokener_parse(VALID);
	back = json_tokener_parse(j1);
	ck_assert_ptr_nonnull(orig);
	ck_assert_ptr_nonnull(back);
	ck_assert_msg(json_object_equal(orig, back), "round trip differs:\n%s", j1);
	json_object_put(orig);
	json_object_put(back);
	free(j1);
	free(j2);
	snapshot_free(&a);
	snapshot_free(&b);
}
END_TEST

/* A file as written by state_write, with or without a final newline. */
START_TEST(test_whitespace_around)
{
	struct snapshot s;
	size_t n = strlen(VALID);
	char *buf = malloc(n + 4);

	memcpy(buf, " \n", 2);
	memcpy(buf + 2, VALID, n);
	memcpy(buf + 2 + n, "\n", 2);
	parse_ok(buf, n + 3, &s);
	snapshot_free(&s);
	free(buf);
}
END_TEST

/* ---- rejections: one edit of VALID each ---- */

struct rej {
	const char *name;
	const char *find;	/* first occurrence in VALID ... */
	const char *repl;	/* ... replaced by this */
	const char *msg;	/* the error must contain this */
};

static const struct rej rejs[] = {
	{ "wrong kind", "\"php-fpm-guard-snapshot\"", "\"php-fpm-guard-report\"", "kind" },
	{ "kind not a string", "\"php-fpm-guard-snapshot\"", "7", "kind: wrong type" },
	{ "schema 2", "\"schema\": 1", "\"schema\": 2", "schema 2" },
	{ "schema 0", "\"schema\": 1", "\"schema\": 0", "schema 0" },
	{ "schema as a string", "\"schema\": 1", "\"schema\": \"1\"", "schema: wrong type" },
	{ "schema missing", "\"schema\": 1,", "", "schema: missing" },
	{ "root missing", " \"root\": \"/\",", "", "root: missing" },
	{ "phase null", "\"phase\": \"pre-invoke\"", "\"phase\": null", "phase: must not be null" },
	{ "created as a string", "\"created\": 1700000000", "\"created\": \"yesterday\"",
	  "created: wrong type" },
	{ "created negative", "\"created\": 1700000000", "\"created\": -1", "created: out of range" },
	{ "created as a float", "\"created\": 1700000000", "\"created\": 1.5", "created: wrong type" },
	{ "instances not an array", "\"instances\": [", "\"instances\": \"none\", \"x\": [",
	  "instances: wrong type" },
	{ "instance not an object", "\"instances\": [", "\"instances\": [1, ", "instances[0]" },
	{ "instance null", "\"instances\": [", "\"instances\": [null, ", "instances[0]" },
	{ "config missing", "{\"config\": \"/etc/php/8.2/fpm/php-fpm.conf\",", "{",
	  "instances[0].config: missing" },
	{ "fpm_test as a string", "\"fpm_test\": true", "\"fpm_test\": \"yes\"",
	  "instances[0].fpm_test: wrong type" },
	{ "running as a number", "\"running\": true", "\"running\": 1",
	  "instances[0].running: wrong type" },
	{ "default_mode 0999", "\"default_mode\": \"0660\"", "\"default_mode\": \"0999\"",
	  "instances[0].default_mode: not an octal mode" },
	{ "default_mode empty", "\"default_mode\": \"0660\"", "\"default_mode\": \"\"",
	  "instances[0].default_mode: not an octal mode" },
	{ "config_errors not strings", "\"config_errors\": []", "\"config_errors\": [3]",
	  "instances[0].config_errors: element is not a string" },
	{ "pools not an array", "\"pools\": [", "\"pools\": \"none\", \"x\": [",
	  "instances[0].pools: wrong type" },
	{ "pool not an object", "\"pools\": [", "\"pools\": [\"www\", ", "instances[0].pools[0]" },
	{ "pool name missing", "{\"name\": \"www\",", "{", "instances[0].pools[0].name: missing" },
	{ "ACL entry NUL byte (would hide its w)", "\"user:nginx:rw-\"", "\"user:nginx\\u0000:rw-\"",
	  "instances[0].pools[0].socket.acl: contains a NUL byte" },
	{ "pool name NUL byte", "\"name\": \"www\"", "\"name\": \"w\\u0000w\"",
	  "instances[0].pools[0].name: contains a NUL byte" },
	{ "pool name NUL byte at the end", "\"name\": \"www\"", "\"name\": \"www\\u0000\"",
	  "instances[0].pools[0].name: contains a NUL byte" },
	{ "config NUL byte", "\"/etc/php/8.2/fpm/php-fpm.conf\"", "\"/etc/php/8.2\\u0000/x\"",
	  "instances[0].config: contains a NUL byte" },
	{ "pool line negative", "\"line\": 4", "\"line\": -4", "instances[0].pools[0].line: out of range" },
	{ "pool line above INT_MAX", "\"line\": 4", "\"line\": 2147483648",
	  "instances[0].pools[0].line: out of range" },
	{ "declared not an object", "\"declared\": {", "\"declared\": [], \"x\": {",
	  "instances[0].pools[0].declared: wrong type" },
	{ "declared key missing", "\"prefix\": null},", "\"x\": null},",
	  "instances[0].pools[0].declared.prefix: missing" },
	{ "declared value not an object", "\"listen.mode\": null", "\"listen.mode\": \"0660\"",
	  "instances[0].pools[0].declared.listen.mode: wrong type" },
	{ "declared value null", "{\"value\": \"www-data\", \"file\": \"", "{\"value\": null, \"file\": \"",
	  "instances[0].pools[0].declared.user.value: must not be null" },
	{ "declared line missing", ", \"line\": 23}", "}", "instances[0].pools[0].declared.user.line: missing" },
	{ "unix as a string", "\"unix\": true", "\"unix\": \"true\"", "instances[0].pools[0].unix: wrong type" },
	{ "effective not an object", "\"effective\": {", "\"effective\": \"www-data\", \"x\": {",
	  "instances[0].pools[0].effective: wrong type" },
	{ "uid -1", "\"uid\": 33", "\"uid\": -1", "instances[0].pools[0].effective.uid: out of range" },
	{ "uid 2^40", "\"uid\": 33", "\"uid\": 1099511627776",
	  "instances[0].pools[0].effective.uid: out of range" },
	{ "uid 2^64", "\"uid\": 33", "\"uid\": 18446744073709551616",
	  "instances[0].pools[0].effective.uid: out of range" },
	{ "gid 2^32", "\"gid\": 4294967295", "\"gid\": 4294967296",
	  "instances[0].pools[0].socket.gid: out of range" },
	{ "uid as a string", "\"uid\": 33", "\"uid\": \"33\"",
	  "instances[0].pools[0].effective.uid: wrong type" },
	{ "mode 0999", "\"mode\": \"0660\"", "\"mode\": \"0999\"",
	  "instances[0].pools[0].effective.mode: not an octal mode" },
	{ "mode 12345", "\"mode\": \"0660\"", "\"mode\": \"12345\"",
	  "instances[0].pools[0].effective.mode: not an octal mode" },
	{ "mode with a sign", "\"mode\": \"0660\"", "\"mode\": \"-660\"",
	  "instances[0].pools[0].effective.mode: not an octal mode" },
	{ "mode as a number", "\"mode\": \"0660\"", "\"mode\": 432",
	  "instances[0].pools[0].effective.mode: wrong type" },
	{ "mode with trailing text", "\"mode\": \"0660\"", "\"mode\": \"0660 \"",
	  "instances[0].pools[0].effective.mode: not an octal mode" },
	{ "acl not an array", "\"acl\": []", "\"acl\": \"user::rw-\"",
	  "instances[0].pools[0].effective.acl: wrong type" },
	{ "acl element not a string", "\"acl\": []", "\"acl\": [{}]",
	  "instances[0].pools[0].effective.acl: element is not a string" },
	{ "socket_state unknown", "\"socket_state\": \"socket\"", "\"socket_state\": \"pipe\"",
	  "instances[0].pools[0].socket_state: unknown state" },
	{ "socket_state empty", "\"socket_state\": \"socket\"", "\"socket_state\": \"\"",
	  "instances[0].pools[0].socket_state: unknown state" },
	{ "socket_state as a number", "\"socket_state\": \"socket\"", "\"socket_state\": 1",
	  "instances[0].pools[0].socket_state: wrong type" },
	{ "socket object while absent", "\"socket_state\": \"socket\"", "\"socket_state\": \"absent\"",
	  "instances[0].pools[0].socket: disagrees with socket_state" },
	{ "socket null while socket", "\"socket_state\": \"none\"", "\"socket_state\": \"socket\"",
	  "instances[0].pools[1].socket: disagrees with socket_state" },
	{ "socket owner missing", "\"socket\": {\"owner\": \"www-data\", ", "\"socket\": {",
	  "instances[0].pools[0].socket.owner: missing" },
	{ "clients not an array", "\"clients\": [{", "\"clients\": 5, \"x\": [{",
	  "instances[0].pools[0].clients: wrong type" },
	{ "client not an object", "\"clients\": [{", "\"clients\": [\"www-data\", {",
	  "instances[0].pools[0].clients[0]" },
	{ "client null", "\"clients\": [{", "\"clients\": [null, {", "instances[0].pools[0].clients[0]" },
	{ "client verdict maybe", "\"now\": \"yes\"", "\"now\": \"maybe\"",
	  "instances[0].pools[0].clients[0].now: not yes/no/unknown" },
	{ "client verdict boolean", "\"now\": \"yes\"", "\"now\": true",
	  "instances[0].pools[0].clients[0].now: wrong type" },
	{ "client next missing", ", \"next\": \"yes\"}", "}",
	  "instances[0].pools[0].clients[0].next: missing" },
	{ "second instance binary as a number", "\"binary\": null", "\"binary\": 0",
	  "instances[1].binary: wrong type" },
	{ "top level an array", "{\"kind\"", "[{\"kind\"", "not valid JSON" },
	{ "trailing garbage", "\"pools\": []}]}", "\"pools\": []}]} x", "not valid JSON at byte 3069" },
	{ "a second object", "\"pools\": []}]}", "\"pools\": []}]}{}", "not valid JSON at byte 3068" },
	{ "unterminated string", "\"phase\": \"pre-invoke\"", "\"phase\": \"pre-invoke", "not valid JSON" },
};

#define NREJS ((int)(sizeof rejs / sizeof *rejs))

static char *edit(const char *find, const char *repl)
{
	const char *at = strstr(VALID, find);
	size_t pre, fl = strlen(find), rl = strlen(repl), n = strlen(VALID);
	char *out;

	ck_assert_msg(at != NULL, "'%s' not in VALID", find);
	pre = (size_t)(at - VALID);
	out = malloc(n - fl + rl + 1);
	memcpy(out, VALID, pre);
	memcpy(out + pre, repl, rl);
	memcpy(out + pre + rl, at + fl, n - pre - fl + 1);
	return out;
}

static void reject(const char *name, const char *buf, size_t len, const char *msg)
{
	struct snapshot s;
	char *err = NULL;

	memset(&s, 0x5a, sizeof s);
	ck_assert_msg(snapshot_parse(buf, len, &s, &err) == -1, "%s: accepted", name);
	ck_assert_msg(err != NULL && *err, "%s: no message", name);
	if (msg)
		ck_assert_msg(strstr(err, msg) != NULL, "%s: message '%s' lacks '%s'", name, err, msg);
	/* A rejected parse leaves nothing to free. */
	ck_assert_uint_eq(s.ninst, 0);
	ck_assert_ptr_null(s.inst);
	ck_assert_ptr_null(s.phase);
	free(err);
}

START_TEST(test_reject)
{
	const struct rej *r = &rejs[_i];
	char *buf = edit(r->find, r->repl);

	reject(r->name, buf, strlen(buf), r->msg);
	free(buf);
}
END_TEST

START_TEST(test_reject_empty)
{
	reject("empty", "", 0, "not valid JSON");
	reject("blank", " \n", 2, "not valid JSON");
	reject("null", "null", 4, "not");
	reject("number", "1", 1, "not");
	reject("string", "\"php-fpm-guard-snapshot\"", 24, "not a JSON object");
	reject("empty object", "{}", 2, "kind: missing");
}
END_TEST

/* The length given is the length used: bytes after it are never read,
 * and a NUL byte inside the given length is not the end. */
START_TEST(test_reject_embedded_nul)
{
	size_t n = strlen(VALID);
	char *buf = malloc(n + 2);

	memcpy(buf, VALID, n);
	buf[n] = '\0';
	buf[n + 1] = 'x';
	reject("NUL after the object", buf, n + 1, NULL);
	reject("NUL and garbage after the object", buf, n + 2, NULL);
	free(buf);
}
END_TEST

/* Cut VALID at every offset: each prefix is rejected. */
START_TEST(test_truncated)
{
	size_t n = strlen(VALID), cut;

	for (cut = 0; cut < n; cut++) {
		/* A heap copy of exactly cut bytes: ASan sees any read past it. */
		char *buf = malloc(cut ? cut : 1), name[32];
		memcpy(buf, VALID, cut);
		snprintf(name, sizeof name, "cut at %zu", cut);
		reject(name, buf, cut, NULL);
		free(buf);
	}
}
END_TEST

/* ---- fuzz: single-byte mutations ---- */

static uint64_t rng_state;

static uint64_t rng(void)
{
	/* xorshift64*: fixed seed, so a failure is reproducible. */
	rng_state ^= rng_state >> 12;
	rng_state ^= rng_state << 25;
	rng_state ^= rng_state >> 27;
	return rng_state * 2685821657736338717ULL;
}

#define NMUT 2000

START_TEST(test_fuzz_byte_flip)
{
	static const char interesting[] = "\"\\{}[],:0123456789-+.eEtfnu \x00\x7f\xff";
	size_t n = strlen(VALID), i, accepted = 0;
	struct snapshot orig;

	parse_ok(VALID, n, &orig);
	rng_state = 0x9e3779b97f4a7c15ULL;
	for (i = 0; i < NMUT; i++) {
		char *buf = malloc(n), *err = NULL;
		size_t at = (size_t)(rng() % n);
		struct snapshot s;
		int rc;

		memcpy(buf, VALID, n);
		switch (rng() % 3) {
		case 0:	buf[at] = (char)(rng() & 0xff); break;		/* any byte */
		case 1:	buf[at] ^= (char)(1u << (rng() % 8)); break;	/* one bit */
		default: buf[at] = interesting[rng() % (sizeof interesting - 1)]; break;
		}
		rc = snapshot_parse(buf, n, &s, &err);
		if (rc == 0) {
			/* Accepted: it must be a whole snapshot that writes,
			 * reads back the same and diffs without trouble. */
			struct finding_list fl = { NULL, 0, 0 };
			char *j = snapshot_to_json(&s);
			struct snapshot again;
			ck_assert_msg(err == NULL, "mutation %zu: accepted with a message", i);
			parse_ok(j, strlen(j), &again);
			ck_snap_eq(&s, &again);
			free(j);
			snapshot_free(&again);
			diff_snapshots(&orig, &s, &fl);
			finding_list_free(&fl);
			diff_snapshots(&s, &orig, &fl);
			finding_list_free(&fl);
			snapshot_free(&s);
			accepted++;
		} else {
			ck_assert_msg(rc == -1 && err != NULL && *err,
				      "mutation %zu (byte %zu): rc %d without a message", i, at, rc);
			free(err);
		}
		free(buf);
	}
	/* Some flips land in string contents and are fine; most break it. */
	ck_assert_msg(accepted > 0 && accepted < NMUT, "%zu of %d accepted", accepted, NMUT);
	snapshot_free(&orig);
}
END_TEST

static Suite *suite(void)
{
	Suite *s = suite_create("snapshot");
	TCase *tc = tcase_create("parse");
	TCase *fz = tcase_create("fuzz");

	tcase_add_test(tc, test_round_trip);
	tcase_add_test(tc, test_whitespace_around);
	tcase_add_loop_test(tc, test_reject, 0, NREJS);
	tcase_add_test(tc, test_reject_empty);
	tcase_add_test(tc, test_reject_embedded_nul);
	suite_add_tcase(s, tc);
	tcase_set_timeout(fz, 120);
	tcase_add_test(fz, test_truncated);
	tcase_add_test(fz, test_fuzz_byte_flip);
	suite_add_tcase(s, fz);
	return s;
}

int main(void)
{
	return fixture_run_suite(suite());
}
