/*
 * fix and diff, the verbs an admin runs by hand: fix what check finds now
 * (or print the edit), and diff two snapshot files.
 */
#include "guard.h"
#include "judged.h"
#include "session.h"
#include "status.h"
#include "../diff/diff.h"
#include "../fix/apply.h"
#include "../fix/dropin.h"
#include "../host/hostfind.h"
#include "../host/hostsnap.h"
#include "../predict/hookinfo.h"
#include "../predict/pin.h"
#include "../predict/release.h"
#include "../report/report.h"
#include "../util/xalloc.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

/* ---- fix, diff ---- */

/*
 * fix's text: the diff (--dry-run) or what was fixed, and why a pool was
 * not -- pool names and file bytes, so through the terminal-safe sink
 * (report.h).  Returns 1 when some pool was not fixed.
 */
static int fix_print(const struct guard_opts *o, const struct fix_set *fs)
{
	char *ob = NULL, *eb = NULL;
	size_t ol = 0, el = 0, i, k;
	FILE *out = text_open(&ob, &ol), *err = text_open(&eb, &el);
	int failed = 0;

	if (o->dry_run)
		fix_set_print_diff(fs, out);
	for (i = 0; i < fs->npools; i++) {
		const struct fix_pool *fp = &fs->pools[i];
		if (fp->error) {
			fprintf(o->dry_run ? err : out, "%s: pool %s: %s: %s\n",
				fp->iv->loc.config, fp->pv->pool->name,
				fp->closed ? "not fixed" : "cannot fix", fp->error);
			failed = 1;
			continue;
		}
		if (o->dry_run)
			continue;
		fprintf(out, "fixed pool %s (%s):", fp->pv->pool->name, fp->iv->loc.config);
		for (k = 0; k < fp->nlines; k++)
			fprintf(out, "%s %s", k ? "," : "", fp->lines[k]);
		fprintf(out, "\n");
	}
	text_close(out, &ob, &ol, stdout);
	text_close(err, &eb, &el, stderr);
	return failed;
}

/* Every pool a client cannot reach, now or after the next start. */
static void fix_collect(struct host_view *h, struct fix_set *fs)
{
	struct problem_list pl = { NULL, 0, 0 };
	size_t i;

	host_judge(h, &pl);
	for (i = 0; i < pl.n; i++)
		if (pl.v[i].kind == PR_DENIED_NOW || pl.v[i].kind == PR_DENIED_NEXT) {
			char *why = xasprintf("explicit so that %s can connect",
					      pl.v[i].pc->client->user);
			fix_set_add(fs, h, pl.v[i].inst, pl.v[i].pv, why, NULL);
			free(why);
		}
	free(pl.v);
}

int guard_fix(struct guard_opts *o)
{
	struct session s;
	struct fix_ctx fc = { &o->host, &s.st, FIX_POOL_FILE };
	struct host_view h, after;
	struct fix_set fs;
	char *err = NULL;
	int rc = 0, have_after = 0;
	size_t ok;
	enum run_verdict v;

	memset(&fs, 0, sizeof fs);
	session_setup(&s, o, "fix");
	pfg_die_code = PFG_EXIT_ERROR;	/* fix is run by hand: its failure is one */
	fc.target = s.conf.fix_target;
	if (!o->dry_run && session_open_state(&s, &err) < 0)
		diex("%s", err);
	if (!o->dry_run)
		session_recover(&s);
	o->host.prove = 1;
	if (host_inspect(&o->host, &h) < 0)
		die("cannot open root %s", o->host.root);
	fix_collect(&h, &fs);
	if (fs.npools == 0) {
		printf("nothing to fix: every client can connect to every pool%s\n",
		       host_error_count(&h) ? " (but see php-fpm-guard check for errors)" : "");
		goto out;
	}
	ok = fix_plan(&fc, &fs, &h);
	if (o->dry_run)
		rc = ok > 0 ? EXIT_PROBLEMS : 0;
	else if (ok > 0)
		have_after = fix_apply(&fc, &h, &fs, &after);
	rc = fix_print(o, &fs) ? EXIT_PROBLEMS : rc;
out:
	v = status_record_fix(o, &s.conf, s.have_state ? &s.st : NULL, &fs, rc,
			      have_after ? &after : fs.npools ? NULL : &h);
	if (session_is_good(v))
		session_record_good(&s, have_after ? &after : fs.npools ? NULL : &h, "fix");
	if (have_after)
		host_free(&after);
	fix_set_free(&fs);
	host_free(&h);
	session_free(&s);
	return rc;
}

static void read_snapshot_file(const char *path, struct snapshot *s)
{
	char *buf, *err = NULL;
	struct stat st;
	size_t got = 0;
	ssize_t n;
	int fd = open(path, O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC);

	if (fd < 0)
		die("%s", path);
	if (fstat(fd, &st) < 0 || !S_ISREG(st.st_mode) ||
	    (size_t)st.st_size > SNAPSHOT_MAX_SIZE)
		diex("%s: not a regular file of at most %zu bytes", path, SNAPSHOT_MAX_SIZE);
	buf = xmalloc((size_t)st.st_size + 1);
	while (got < (size_t)st.st_size && (n = read(fd, buf + got, (size_t)st.st_size - got)) > 0)
		got += (size_t)n;
	close(fd);
	if (snapshot_parse(buf, got, s, &err) < 0)
		diex("%s: not a usable snapshot: %s", path, err);
	free(buf);
}

int guard_diff(struct guard_opts *o)
{
	struct judged j;
	int rc;

	judged_init(&j, "diff");
	read_snapshot_file(o->old_file, &j.old);
	j.have_old = 1;
	read_snapshot_file(o->new_file, &j.cur);
	j.have_cur = 1;
	diff_snapshots(&j.old, &j.cur, &j.fl);
	judged_outcomes(&j);
	j.rep.out = NULL;	/* diff decides nothing */
	j.rep.outcome = j.fl.n ? RES_REPORTED : RES_OK;
	rc = j.fl.n ? EXIT_PROBLEMS : 0;
	j.rep.exit_code = rc;
	if (o->json) {
		char *text = report_findings_json(&j.rep);
		puts(text);
		free(text);
	} else {
		report_findings_text(stdout, &j.rep);
	}
	judged_free(&j);
	return rc;
}
