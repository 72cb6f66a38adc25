/*
 * plugin: `check` and `status` as a Monitoring Plugin (Nagios, Icinga,
 * Naemon, Checkmk, Zabbix, Sensu), after the Monitoring Plugins
 * development guidelines.  Exit 0 OK, 1 WARNING, 2 CRITICAL, 3 UNKNOWN;
 * standard output is one status line
 *
 *   PHP-FPM-GUARD CRITICAL - 1 of 3 sites cannot reach PHP: shop.example (pool shop) | sites=3;;; ...
 *
 * (the worst problem first, then the others, "; " between them), then
 * the details, one per line, worst first, for the long output.  Text
 * from configs cannot break that shape: bytes below 0x20 (and newline on
 * the status line), DEL and '|' (the perfdata separator) are written as
 * \xNN.  Perfdata stays on the status line.
 *
 * The mode is entered before anything can fail: from then on whatever
 * the guard would write to stderr is kept (an agent that merges stderr
 * would otherwise take it for the status line) and shown as notes after
 * the details, and every way out that is not plugin_emit() -- die(),
 * diex(), bad usage, out of memory -- prints "PHP-FPM-GUARD UNKNOWN -
 * <the reason, one line>" and exits 3.  No other exit code can leave.
 */
#ifndef PFG_PLUGIN_H
#define PFG_PLUGIN_H

#include "../host/host.h"

enum plugin_state {
	PLUGIN_OK = 0,
	PLUGIN_WARNING = 1,
	PLUGIN_CRITICAL = 2,
	PLUGIN_UNKNOWN = 3
};

/* "OK", "WARNING", "CRITICAL", "UNKNOWN". */
const char *plugin_state_name(enum plugin_state s);

/* Enter the mode (idempotent); plugin_active() says whether it is on. */
void plugin_begin(void);
int plugin_active(void);

/* UNKNOWN and exit 3.  The reason: why, then (with_stderr) ": " and the
 * last line written to stderr; the lines of stderr follow as notes. */
void plugin_fail(const char *why, int with_stderr) __attribute__((noreturn));

/* Print the result and return its exit code.  summary: one line;
 * perf: the perfdata ("" none); details: lines each ending in '\n'
 * ("" none).  Marks the run as answered: a later exit keeps its code. */
int plugin_emit(enum plugin_state s, const char *summary, const char *perf,
		const char *details);

/* What the plugin says about a judged host. */
struct plugin_result {
	enum plugin_state state;
	char *summary, *perf, *details;	/* owned */
	size_t sites, reachable, pools, world_writable;
	int counted_pools;	/* no web server site uses PHP-FPM: sites are pools */
};

/*
 * The verdict from h (inspected with prove off: every verdict from
 * metadata) and pl (host_judge, then host_judge_servers).  A site is a
 * web server's virtual host (nginx server{}, Apache <VirtualHost>; the
 * uses outside any virtual host are one site per server) with a use of a
 * unix socket that is not another program's; it reaches PHP when every
 * socket it uses has a pool whose clients can connect: the server's user
 * when it is one of the pool's clients, else all of them, by the live
 * socket, else by the socket php-fpm will create.  Where no site uses
 * PHP-FPM, each unix pool counts as a site.  CRITICAL: a site cannot
 * reach PHP, any error problem, a config error or a refusal of php-fpm
 * -t; WARNING: a warning problem (world-writable socket, missing client
 * user); else OK -- also without PHP-FPM, with a note.
 */
void plugin_judge_host(const struct host_view *h, const struct problem_list *pl,
		       struct plugin_result *out);
void plugin_result_free(struct plugin_result *r);

#endif
