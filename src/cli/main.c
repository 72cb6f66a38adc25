/*
 * php-fpm-guard: keep the web server's access to PHP-FPM's sockets.
 *
 * main parses the command line into options and hands them to the
 * command: show/check here (host_inspect for the facts, host_judge for
 * the verdict), the acting commands in guard.c.  It decides nothing
 * itself.  Exit codes: 0 fine, 1 problems found, 2 error; with
 * --monitoring-plugin those of report/plugin.h, 0 to 3, and no other.
 */
#include "guard.h"
#include "monitor.h"
#include "status.h"
#include "../host/host.h"
#include "../report/plugin.h"
#include "../report/report.h"
#include "../util/guard_version.h"
#include "../util/xalloc.h"

#include <errno.h>
#include <getopt.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct cli {
	const char *command;
	int json;
	int plugin;		/* --monitoring-plugin */
	struct host_opts host;
	struct guard_opts guard;
	const char **fpm_configs;
	const char **clients;
	char **args;		/* operands after the command */
	int nargs;
	long long max_age;	/* status --monitoring-plugin; -1: the default */
};

static _Noreturn void usage(int code)
{
	FILE *f = code ? stderr : stdout;

	if (plugin_active())	/* help is no state: UNKNOWN, as the Monitoring Plugins do */
		plugin_fail(code ? "bad usage" : "usage: see php-fpm-guard --help without "
			    "--monitoring-plugin, and php-fpm-guard(8)", code != 0);
	fputs("usage: php-fpm-guard [options] show|check [--json]\n"
	      "       php-fpm-guard [options] pre-invoke|post-invoke|post-dpkg\n"
	      "       php-fpm-guard [options] pre-install-pkgs [--hook-info FILE]\n"
	      "       php-fpm-guard [options] fix [--dry-run]\n"
	      "       php-fpm-guard [options] diff OLD NEW [--json]\n"
	      "       php-fpm-guard [options] status [--json]\n"
	      "       php-fpm-guard [options] check|status --monitoring-plugin [--max-age S]\n"
	      "options:\n"
	      "  --root DIR         read the system image rooted at DIR\n"
	      "  --fpm-config FILE  this php-fpm.conf instead of discovery (repeatable)\n"
	      "  --fpm-binary FILE  the php-fpm binary for --fpm-config instances\n"
	      "  --client USER      client user instead of detection (repeatable)\n"
	      "  --json             machine-readable output (schema in docs/json.md)\n"
	      "  --no-proof         do not prove verdicts with a real connect()\n"
	      "  --state-dir DIR    snapshots, backups, lock (default " DEFAULT_STATE_DIR ")\n"
	      "  --log-dir DIR      JSON reports (default " DEFAULT_LOG_DIR ")\n"
	      "  --config FILE      guard.conf (default " DEFAULT_CONFIG ")\n"
	      "  --policy POLICY    fix, abort or report: overrides guard.conf\n"
	      "  --dry-run          fix: print the edit as a unified diff, change nothing\n"
	      "  --no-syslog        do not log findings to syslog\n"
	      "  --prom-file FILE   post-invoke, fix: the Prometheus textfile (default\n"
	      "                     " PFG_PROM_FILE ";\n"
	      "                     none: do not write it)\n"
	      "  --hook-info FILE   pre-install-pkgs: APT's protocol-3 list from FILE\n"
	      "                     (default: the fd in APT_HOOK_INFO_FD, else stdin)\n"
	      "  --monitoring-plugin  check, status: a Monitoring Plugin's output and exit\n"
	      "                     codes, 0 OK, 1 WARNING, 2 CRITICAL, 3 UNKNOWN\n"
	      "                     (docs/monitoring.md)\n"
	      "  --max-age SECONDS  status --monitoring-plugin: WARNING when the last run is\n"
	      "                     older (default 8 days; 0: never)\n"
	      "  --version          print the version\n"
	      "exit: 0 fine, 1 a client cannot connect / the guard aborted / a fix failed,\n"
	      "      2 error (hooks: 0 on their own errors unless strict = yes);\n"
	      "      --monitoring-plugin: 0 OK, 1 WARNING, 2 CRITICAL, 3 UNKNOWN\n", f);
	exit(code);
}

static void push(const char ***arr, size_t *n, const char *v)
{
	*arr = xreallocarray(*arr, *n + 1, sizeof **arr);
	(*arr)[(*n)++] = v;
}

static const char *absolute_or_die(const char *opt, const char *v);

/* --monitoring-plugin and --max-age: where they mean something. */
static void check_plugin_args(const struct cli *c)
{
	int status = strcmp(c->command, "status") == 0;

	if (c->plugin && !status && strcmp(c->command, "check") != 0)
		diex("--monitoring-plugin: only with check and status, not %s", c->command);
	if (c->plugin && c->json)
		diex("--monitoring-plugin and --json: one output at a time");
	if (c->max_age >= 0 && !(c->plugin && status))
		diex("--max-age: only with status --monitoring-plugin");
}

/* A count of seconds, 0 or more. */
static long long seconds_or_die(const char *opt, const char *v)
{
	char *end;
	long long n;

	errno = 0;
	n = strtoll(v, &end, 10);
	if (end == v || *end || n < 0 || errno == ERANGE || n > INT_MAX * 1000LL)
		diex("%s '%s': expected a number of seconds", opt, v);
	return n;
}

/* The lock wait's bounds: 1 s to a day. */
static int lock_wait_or_die(const char *v)
{
	long long n = seconds_or_die("--lock-wait", v);

	if (n < 1 || n > 86400)
		diex("--lock-wait '%s': expected seconds, 1 to 86400", v);
	return (int)n;
}

static void parse_args(int argc, char **argv, struct cli *c)
{
	static const struct option opts[] = {
		{ "root", required_argument, NULL, 'r' },
		{ "fpm-config", required_argument, NULL, 'f' },
		{ "client", required_argument, NULL, 'c' },
		{ "fpm-binary", required_argument, NULL, 'b' },
		{ "json", no_argument, NULL, 'j' },
		{ "no-proof", no_argument, NULL, 'P' },
		{ "state-dir", required_argument, NULL, 'S' },
		{ "log-dir", required_argument, NULL, 'L' },
		{ "config", required_argument, NULL, 'C' },
		{ "policy", required_argument, NULL, 'p' },
		{ "dry-run", no_argument, NULL, 'n' },
		{ "no-syslog", no_argument, NULL, 'N' },
		{ "prom-file", required_argument, NULL, 'M' },
		{ "hook-info", required_argument, NULL, 'I' },
		{ "lock-wait", required_argument, NULL, 'W' },	/* tests: not in usage */
		{ "help", no_argument, NULL, 'h' },
		{ "version", no_argument, NULL, 'V' },
		{ "monitoring-plugin", no_argument, NULL, 'G' },
		{ "max-age", required_argument, NULL, 'A' },
		{ NULL, 0, NULL, 0 }
	};
	int ch;

	memset(c, 0, sizeof *c);
	c->host.root = "/";
	c->host.prove = 1;
	c->guard.cli_policy = POL_UNSET;
	c->guard.syslog = 1;
	c->max_age = -1;
	while ((ch = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
		switch (ch) {
		case 'r': c->host.root = optarg; break;
		case 'f': push(&c->fpm_configs, &c->host.nfpm_configs, optarg); break;
		case 'c': push(&c->clients, &c->host.nclients, optarg); break;
		case 'b': c->host.fpm_binary = optarg; break;
		case 'j': c->json = 1; break;
		case 'P': c->host.prove = 0; break;
		case 'S': c->guard.state_dir = absolute_or_die("--state-dir", optarg); break;
		case 'L': c->guard.log_dir = absolute_or_die("--log-dir", optarg); break;
		case 'C': c->guard.config = absolute_or_die("--config", optarg); break;
		case 'p':
			if ((c->guard.cli_policy = policy_parse(optarg)) == POL_UNSET)
				diex("--policy '%s': expected fix, abort or report", optarg);
			break;
		case 'n': c->guard.dry_run = 1; break;
		case 'N': c->guard.syslog = 0; break;
		case 'M':
			c->guard.prom_file = strcmp(optarg, "none") == 0 ? ""
					     : absolute_or_die("--prom-file", optarg);
			break;
		case 'I': c->guard.hook_info = optarg; break;
		case 'G': c->plugin = 1; plugin_begin(); break;
		case 'A': c->max_age = seconds_or_die("--max-age", optarg); break;
		case 'W': c->guard.lock_wait = lock_wait_or_die(optarg); break;
		case 'h': usage(0);
		case 'V':
			if (plugin_active())
				plugin_fail("php-fpm-guard " PFG_VERSION, 0);
			printf("php-fpm-guard %s\n", PFG_VERSION);
			exit(0);
		default: usage(PFG_EXIT_ERROR);
		}
	}
	if (optind >= argc)
		usage(PFG_EXIT_ERROR);
	c->command = argv[optind];
	c->args = argv + optind + 1;
	c->nargs = argc - optind - 1;
	if (c->host.root[0] != '/')
		diex("--root needs an absolute path, not '%s'", c->host.root);
	c->host.fpm_configs = c->fpm_configs;
	c->host.clients = c->clients;
	c->guard.json = c->json;
	check_plugin_args(c);
}

static const char *absolute_or_die(const char *opt, const char *v)
{
	if (v[0] != '/')
		diex("%s needs an absolute path, not '%s'", opt, v);
	return v;
}

static int cmd_show_check(struct cli *c, int check)
{
	struct guard_conf g;
	struct host_view h;
	struct problem_list pl = { NULL, 0, 0 };
	size_t i, errors;
	int rc = 0;

	/* The clients guard.conf names are the ones the hooks will judge. */
	guard_load_conf(&c->guard, &g);
	c->host = c->guard.host;
	/* php-fpm -tt: its verdict, and its reading where ours differs. */
	c->host.run_fpm_test = 1;
	/* nginx -T and apache2ctl: what the servers themselves read. */
	c->host.ask_servers = 1;
	if (host_inspect(&c->host, &h) < 0)
		die("cannot open root %s", c->host.root);
	host_judge(&h, &pl);
	host_judge_servers(&h, &pl);
	host_judge_conflicts(&h, &pl);
	errors = host_error_count(&h);
	if (c->json)
		report_json(stdout, &h, &pl, check);
	else if (check)
		report_check_text(stdout, &h, &pl);
	else
		report_show_text(stdout, &h);
	if (check) {
		for (i = 0; i < pl.n; i++)
			if (pl.v[i].is_error)
				rc = EXIT_PROBLEMS;
		if (errors)
			rc = PFG_EXIT_ERROR;
	} else if (errors) {
		rc = PFG_EXIT_ERROR;
	}
	free(pl.v);
	host_free(&h);
	guard_conf_free(&g);
	return rc;
}

int main(int argc, char **argv)
{
	struct cli c;
	int i, rc;

	/* Before anything can fail: its failures are UNKNOWN too. */
	for (i = 1; i < argc && strcmp(argv[i], "--") != 0; i++)
		if (strcmp(argv[i], "--monitoring-plugin") == 0)
			plugin_begin();
	parse_args(argc, argv, &c);
	c.guard.host = c.host;
	if (strcmp(c.command, "diff") == 0) {
		if (c.nargs != 2)
			usage(PFG_EXIT_ERROR);
		c.guard.old_file = c.args[0];
		c.guard.new_file = c.args[1];
		rc = guard_diff(&c.guard);
	} else if (c.nargs != 0) {
		usage(PFG_EXIT_ERROR);
	} else if (c.plugin && strcmp(c.command, "check") == 0)
		rc = monitor_check(&c.guard);
	else if (c.plugin)
		rc = status_plugin(&c.guard, c.max_age >= 0 ? c.max_age : STATUS_MAX_AGE);
	else if (strcmp(c.command, "show") == 0)
		rc = cmd_show_check(&c, 0);
	else if (strcmp(c.command, "check") == 0)
		rc = cmd_show_check(&c, 1);
	else if (strcmp(c.command, "pre-invoke") == 0)
		rc = guard_pre_invoke(&c.guard);
	else if (strcmp(c.command, "post-invoke") == 0)
		rc = guard_post_invoke(&c.guard);
	else if (strcmp(c.command, "post-dpkg") == 0)
		rc = guard_post_dpkg(&c.guard);
	else if (strcmp(c.command, "pre-install-pkgs") == 0)
		rc = guard_pre_install_pkgs(&c.guard);
	else if (strcmp(c.command, "fix") == 0)
		rc = guard_fix(&c.guard);
	else if (strcmp(c.command, "status") == 0)
		rc = status_command(&c.guard);
	else {
		fprintf(stderr, "php-fpm-guard: unknown command '%s'\n", c.command);
		usage(PFG_EXIT_ERROR);
	}
	if (fflush(stdout) != 0 || ferror(stdout))
		die("write error on standard output");
	free(c.fpm_configs);
	free(c.clients);
	return rc;
}
