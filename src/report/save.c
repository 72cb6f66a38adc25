#include "report.h"
#include "../state/state.h"
#include "../util/xalloc.h"

#include <stdlib.h>
#include <string.h>
#include <unistd.h>

void report_save(struct run_report *r, struct state_dir *ld, int use_syslog)
{
	char *err = NULL, *json, name[96];

	if (use_syslog)
		report_findings_syslog(r);
	if (ld == NULL)
		return;
	json = report_findings_json(r);
	snprintf(name, sizeof name, "%lld-%s-%d.json", r->time, r->command, (int)getpid());
	if (state_write(ld, name, json, strlen(json), 0640, &err) == 0 &&
	    state_write(ld, "latest.json", json, strlen(json), 0640, &err) == 0)
		/* `status` names it (cli/status.c records every run). */
		snprintf(r->saved_as, sizeof r->saved_as, "%s", name);
	else
		fprintf(stderr, "php-fpm-guard: report not saved: %s\n", err);
	free(err);
	free(json);
}

void run_report_free(struct run_report *r, struct finding_outcome *out, size_t n)
{
	size_t i, k;

	for (i = 0; i < r->nnotes; i++)
		free(r->notes[i]);
	free(r->notes);
	r->notes = NULL;
	r->nnotes = 0;
	for (i = 0; out && i < n; i++) {
		for (k = 0; k < out[i].nlines; k++)
			free(out[i].lines[k]);
		free(out[i].fix_file);
		free(out[i].note);
	}
	free(out);
}
