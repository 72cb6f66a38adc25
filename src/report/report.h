/*
 * report: how `show` and `check` print a host_view.
 *
 * JSON (schema documented in README.md, "schema": 1) is built with json-c;
 * the text form is for a person at a terminal.  Neither decides anything:
 * verdicts come from host_judge().
 */
#ifndef PFG_REPORT_H
#define PFG_REPORT_H

#include <stdio.h>
#include "../host/host.h"

#define PFG_JSON_SCHEMA 1

void report_json(FILE *f, struct host_view *h, const struct problem_list *pl,
		 int with_problems);
void report_show_text(FILE *f, struct host_view *h);
void report_check_text(FILE *f, struct host_view *h,
		       const struct problem_list *pl);

#endif
