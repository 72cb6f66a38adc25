#include "report.h"
#include "../util/guard_version.h"
#include "../util/xalloc.h"

#include <json-c/json.h>
#include <stdlib.h>
#include <string.h>
#include <syslog.h>

void run_report_note(struct run_report *r, char *note)
{
	r->notes = xreallocarray(r->notes, r->nnotes + 1, sizeof *r->notes);
	r->notes[r->nnotes++] = note;
}

/* The sentence that heads a finding. */
static char *headline(const struct finding *f)
{
	const char *sock = f->new_p && f->new_p->set[K_LISTEN].value ? f->new_p->set[K_LISTEN].value
			   : f->old_p && f->old_p->set[K_LISTEN].value ? f->old_p->set[K_LISTEN].value : "?";

	switch (f->kind) {
	case FK_CLIENT_LOST:
		return xasprintf("%s can no longer connect to %s", f->user, sock);
	case FK_CLIENT_LOST_NEXT:
		return xasprintf("%s will not be able to connect to %s after the next php-fpm restart",
				 f->user, sock);
	case FK_NOT_SOCKET:
		return xasprintf("%s is no longer a socket", sock);
	case FK_FPM_TEST_REFUSED:
		return xstrdup("php-fpm -t now refuses the configuration");
	case FK_CONFIG_ERROR:
		return xstrdup("the configuration no longer reads");
	case FK_BROADENED:
		return xasprintf("socket %s now grants more than before", sock);
	case FK_BROADENED_NEXT:
		return xasprintf("socket %s will grant more than before after the next restart", sock);
	case FK_LISTEN_CHANGED:
		return xstrdup("listen address changed");
	case FK_SOCKET_VANISHED:
		return xasprintf("socket %s is gone", sock);
	case FK_DAEMON_STOPPED:
		return xstrdup("php-fpm is no longer running");
	case FK_POOL_REMOVED:
		return xstrdup("pool removed");
	case FK_INSTANCE_REMOVED:
		return xstrdup("PHP-FPM instance removed");
	case FK_POOL_ADDED:
		return xasprintf("new pool listening on %s", sock);
	case FK_INSTANCE_ADDED:
		return xstrdup("new PHP-FPM instance");
	case FK_SERVER_SOCKET_LOST:
		return xasprintf("%s (%s) still sends requests to %s, where no pool listens now",
				 f->use ? f->use->server : "a web server",
				 f->use ? f->use->site : "?", f->use ? f->use->socket : sock);
	case FK_SITE_LOSES_PHP:
		return xasprintf("%s (%s) will get no PHP after the transaction: nobody serves %s",
				 f->use ? f->use->server : "a web server", f->use ? f->use->site : "?",
				 f->use ? f->use->socket : sock);
	case FK_POOL_DEPARTS:
		return xasprintf("pool leaves with its package: nobody serves %s after the "
				 "transaction", sock);
	case FK_SITE_CHANGES_PHP:
		return xasprintf("%s (%s) will be served by another PHP-FPM instance through %s",
				 f->use ? f->use->server : "a web server", f->use ? f->use->site : "?",
				 f->use ? f->use->socket : sock);
	case FK_CARRY_REFUSED:
		return xstrdup("the arriving PHP version refuses this pool: it cannot be carried");
	case FK_SERVER_SOCKET_UNSERVED:
		return xasprintf("%s (%s) sends requests to %s, where nobody serves now",
				 f->use ? f->use->server : "a web server",
				 f->use ? f->use->site : "?", f->use ? f->use->socket : sock);
	default:
		return xstrdup("change");
	}
}

static void text_finding(FILE *f, const struct run_report *r, size_t i)
{
	const struct finding *fd = &r->fl->v[i];
	const struct finding_outcome *o = r->out ? &r->out[i] : NULL;
	char *head = headline(fd);
	const char *sev = fd->security ? "security warning" : severity_name(fd->sev);
	size_t k;

	if (fd->line > 0)
		fprintf(f, "%s:%d: %s: ", fd->file, fd->line, sev);
	else
		fprintf(f, "%s: %s: ", fd->file, sev);
	if (fd->pool)
		fprintf(f, "pool %s: ", fd->pool);
	fprintf(f, "%s [%s]\n", head, finding_kind_name(fd->kind));
	free(head);
	if (fd->before)
		fprintf(f, "    before: %s\n", fd->before);
	if (fd->after)
		fprintf(f, "    %s %s\n", fd->kind == FK_CLIENT_LOST_NEXT ||
			fd->kind == FK_BROADENED_NEXT ? "restart:" : "now:   ", fd->after);
	if (fd->detail)
		fprintf(f, "    %s\n", fd->detail);
	fprintf(f, "    instance: %s\n", fd->instance);
	if (fd->old_i && fd->new_i && fd->new_i->package &&
	    fd->old_i->package_version && fd->new_i->package_version &&
	    strcmp(fd->old_i->package_version, fd->new_i->package_version) != 0)
		fprintf(f, "    package:  %s %s -> %s\n", fd->new_i->package,
			fd->old_i->package_version, fd->new_i->package_version);
	if (o == NULL)
		return;
	if (o->nlines > 0 && o->result != RES_FIXED && o->result != RES_PINNED) {
		fprintf(f, "    to fix, set in [%s] of %s:\n", fd->pool, o->fix_file);
		for (k = 0; k < o->nlines; k++)
			fprintf(f, "        %s\n", o->lines[k]);
		fprintf(f, "    then run: php-fpm-guard check   (or let it do this: php-fpm-guard fix)\n");
	} else if (o->nlines > 0) {
		fprintf(f, "    %s: set in [%s] of %s:\n", result_name(o->result), fd->pool,
			o->fix_file);
		for (k = 0; k < o->nlines; k++)
			fprintf(f, "        %s\n", o->lines[k]);
	}
	if (o->note)
		fprintf(f, "    note: %s\n", o->note);
	fprintf(f, "    action: %s (policy %s)\n", result_name(o->result), policy_name(o->policy));
}

FILE *text_open(char **buf, size_t *len)
{
	FILE *mem = open_memstream(buf, len);

	if (mem == NULL)
		die("cannot buffer a report");
	return mem;
}

/* Length of the valid UTF-8 sequence at p (at most n bytes) that a
 * terminal shows as a character: 0 for a stray or malformed byte, and for
 * U+0080..U+009F, the C1 controls (CSI is U+009B) in their UTF-8 form. */
static size_t utf8_printable(const unsigned char *p, size_t n)
{
	size_t len, i;
	unsigned cp;

	if (p[0] < 0xc2 || p[0] > 0xf4)
		return 0;	/* continuation, overlong lead, or past U+10FFFF */
	len = p[0] < 0xe0 ? 2 : p[0] < 0xf0 ? 3 : 4;
	if (len > n)
		return 0;
	cp = p[0] & (0x7f >> len);
	for (i = 1; i < len; i++) {
		if ((p[i] & 0xc0) != 0x80)
			return 0;
		cp = cp << 6 | (p[i] & 0x3f);
	}
	if ((len == 3 && cp < 0x800) || (len == 4 && (cp < 0x10000 || cp > 0x10ffff)) ||
	    (cp >= 0xd800 && cp <= 0xdfff) || (cp >= 0x80 && cp <= 0x9f))
		return 0;
	return len;
}

void text_close(FILE *mem, char **buf, size_t *len, FILE *f)
{
	const unsigned char *b;
	size_t i, n;

	fclose(mem);	/* *buf and *len are final only now */
	b = (const unsigned char *)*buf;
	for (i = 0; i < *len; i++) {
		unsigned char c = b[i];
		if (c >= 0x80 && (n = utf8_printable(b + i, *len - i)) > 0) {
			fwrite(b + i, 1, n, f);
			i += n - 1;
		} else if ((c < 0x20 && c != '\n' && c != '\t') || c >= 0x7f) {
			fprintf(f, "\\x%02x", c);
		} else {
			fputc(c, f);
		}
	}
	free(*buf);
	*buf = NULL;
}

static void findings_text(FILE *f, const struct run_report *r);

void report_findings_text(FILE *f, const struct run_report *r)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *mem = text_open(&buf, &len);

	findings_text(mem, r);
	text_close(mem, &buf, &len, f);
}

static void findings_text(FILE *f, const struct run_report *r)
{
	size_t i;

	for (i = 0; i < r->nnotes; i++)
		fprintf(f, "php-fpm-guard: note: %s\n", r->notes[i]);
	for (i = 0; i < r->fl->n; i++)
		text_finding(f, r, i);
	if (r->fl->n > 0 || r->nnotes > 0)
		fprintf(f, "php-fpm-guard: %s: %zu finding%s, outcome %s\n", r->command,
			r->fl->n, r->fl->n == 1 ? "" : "s", result_name(r->outcome));
}

static json_object *jstr(const char *s)
{
	return s ? json_object_new_string(s) : NULL;
}

static json_object *finding_json(const struct run_report *r, size_t i)
{
	const struct finding *fd = &r->fl->v[i];
	const struct finding_outcome *o = r->out ? &r->out[i] : NULL;
	json_object *j = json_object_new_object(), *lines = json_object_new_array();
	char *head = headline(fd);
	size_t k;

	json_object_object_add(j, "kind", json_object_new_string(finding_kind_name(fd->kind)));
	json_object_object_add(j, "severity", json_object_new_string(severity_name(fd->sev)));
	json_object_object_add(j, "security", json_object_new_boolean(fd->security));
	json_object_object_add(j, "message", json_object_new_string(head));
	json_object_object_add(j, "instance", jstr(fd->instance));
	json_object_object_add(j, "pool", jstr(fd->pool));
	json_object_object_add(j, "user", jstr(fd->user));
	json_object_object_add(j, "file", jstr(fd->file));
	json_object_object_add(j, "line", fd->line > 0 ? json_object_new_int(fd->line) : NULL);
	json_object_object_add(j, "before", jstr(fd->before));
	json_object_object_add(j, "after", jstr(fd->after));
	json_object_object_add(j, "detail", jstr(fd->detail));
	json_object_object_add(j, "action", o ? json_object_new_string(result_name(o->result)) : NULL);
	json_object_object_add(j, "policy", o ? json_object_new_string(policy_name(o->policy)) : NULL);
	json_object_object_add(j, "fix_file", o ? jstr(o->fix_file) : NULL);
	for (k = 0; o && k < o->nlines; k++)
		json_object_array_add(lines, json_object_new_string(o->lines[k]));
	json_object_object_add(j, "fix_lines", lines);
	json_object_object_add(j, "note", o ? jstr(o->note) : NULL);
	free(head);
	return j;
}

static json_object *versions_json(const struct snapshot *s)
{
	json_object *a = json_object_new_array();
	size_t i;

	for (i = 0; s && i < s->ninst; i++) {
		json_object *o = json_object_new_object();
		json_object_object_add(o, "config", json_object_new_string(s->inst[i].config));
		json_object_object_add(o, "package", jstr(s->inst[i].package));
		json_object_object_add(o, "package_version", jstr(s->inst[i].package_version));
		json_object_object_add(o, "version", jstr(s->inst[i].version));
		json_object_array_add(a, o);
	}
	return a;
}

char *report_findings_json(const struct run_report *r)
{
	json_object *root = json_object_new_object(), *arr = json_object_new_array();
	json_object *notes = json_object_new_array();
	char *out;
	size_t i;

	json_object_object_add(root, "kind", json_object_new_string("php-fpm-guard-report"));
	json_object_object_add(root, "schema", json_object_new_int(1));
	json_object_object_add(root, "guard_version", json_object_new_string(PFG_VERSION));
	json_object_object_add(root, "command", json_object_new_string(r->command));
	json_object_object_add(root, "time", json_object_new_int64(r->time));
	json_object_object_add(root, "outcome", json_object_new_string(result_name(r->outcome)));
	json_object_object_add(root, "exit_code", json_object_new_int(r->exit_code));
	json_object_object_add(root, "snapshot_time", r->old ? json_object_new_int64(r->old->created) : NULL);
	json_object_object_add(root, "before", versions_json(r->old));
	json_object_object_add(root, "after", versions_json(r->cur));
	for (i = 0; i < r->nnotes; i++)
		json_object_array_add(notes, json_object_new_string(r->notes[i]));
	json_object_object_add(root, "notes", notes);
	for (i = 0; i < r->fl->n; i++)
		json_object_array_add(arr, finding_json(r, i));
	json_object_object_add(root, "findings", arr);
	out = xstrdup(json_object_to_json_string_ext(root, JSON_C_TO_STRING_PRETTY |
						     JSON_C_TO_STRING_NOSLASHESCAPE));
	json_object_put(root);
	return out;
}

/* Values go in double quotes with quotes and control bytes escaped, so
 * one finding stays one parseable line in any log search. */
static char *q(const char *s)
{
	size_t n = 0, i;
	char *out, *p;

	if (s == NULL)
		return xstrdup("-");
	for (i = 0; s[i]; i++)
		n += (s[i] == '"' || s[i] == '\\' || (unsigned char)s[i] < 0x20) ? 4 : 1;
	out = p = xmalloc(n + 3);
	*p++ = '"';
	for (i = 0; s[i]; i++) {
		if (s[i] == '"' || s[i] == '\\')
			p += sprintf(p, "\\%c", s[i]);
		else if ((unsigned char)s[i] < 0x20)
			p += sprintf(p, "\\x%02x", (unsigned char)s[i]);
		else
			*p++ = s[i];
	}
	*p++ = '"';
	*p = '\0';
	return out;
}

void report_findings_syslog(const struct run_report *r)
{
	size_t i;

	if (r->fl->n == 0 && r->nnotes == 0)
		return;
	openlog("php-fpm-guard", LOG_PID, LOG_DAEMON);
	for (i = 0; i < r->fl->n; i++) {
		const struct finding *fd = &r->fl->v[i];
		char *inst = q(fd->instance), *pool = q(fd->pool), *user = q(fd->user);
		char *file = q(fd->file), *before = q(fd->before), *after = q(fd->after);
		syslog(fd->sev == SEV_ERROR ? LOG_ERR : LOG_WARNING,
		       "PFG_FINDING kind=%s severity=%s security=%d instance=%s pool=%s "
		       "user=%s file=%s line=%d before=%s after=%s action=%s",
		       finding_kind_name(fd->kind), severity_name(fd->sev), fd->security,
		       inst, pool, user, file, fd->line, before, after,
		       r->out ? result_name(r->out[i].result) : "-");
		free(inst);
		free(pool);
		free(user);
		free(file);
		free(before);
		free(after);
	}
	syslog(r->exit_code ? LOG_ERR : LOG_NOTICE,
	       "PFG_RUN command=%s outcome=%s findings=%zu exit=%d", r->command,
	       result_name(r->outcome), r->fl->n, r->exit_code);
	closelog();
}
