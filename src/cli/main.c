/*
 * php-fpm-guard: keep the web server's access to PHP-FPM's sockets.
 *
 * main parses the command line into options, asks host_inspect() for the
 * facts and host_judge() for the verdict, then prints; it decides nothing
 * itself.  Exit codes: 0 fine, 1 problems found, 2 error.
 */
#include "../host/host.h"
#include "../report/report.h"
#include "../util/xalloc.h"

#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define EXIT_PROBLEMS 1

struct cli {
	const char *command;
	int json;
	struct host_opts host;
	const char **fpm_configs;
	const char **clients;
};

static _Noreturn void usage(int code)
{
	FILE *f = code ? stderr : stdout;

	fputs("usage: php-fpm-guard [options] show|check [--json]\n"
	      "options:\n"
	      "  --root DIR         read the system image rooted at DIR\n"
	      "  --fpm-config FILE  this php-fpm.conf instead of discovery (repeatable)\n"
	      "  --fpm-binary FILE  the php-fpm binary for --fpm-config instances\n"
	      "  --client USER      client user instead of detection (repeatable)\n"
	      "  --json             machine-readable output (schema in README)\n"
	      "  --no-proof         do not prove verdicts with a real connect()\n"
	      "exit: 0 fine, 1 a client cannot connect, 2 error\n", f);
	exit(code);
}

static void push(const char ***arr, size_t *n, const char *v)
{
	*arr = xreallocarray(*arr, *n + 1, sizeof **arr);
	(*arr)[(*n)++] = v;
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
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 }
	};
	int ch;

	memset(c, 0, sizeof *c);
	c->host.root = "/";
	c->host.prove = 1;
	while ((ch = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
		switch (ch) {
		case 'r': c->host.root = optarg; break;
		case 'f': push(&c->fpm_configs, &c->host.nfpm_configs, optarg); break;
		case 'c': push(&c->clients, &c->host.nclients, optarg); break;
		case 'b': c->host.fpm_binary = optarg; break;
		case 'j': c->json = 1; break;
		case 'P': c->host.prove = 0; break;
		case 'h': usage(0);
		default: usage(PFG_EXIT_ERROR);
		}
	}
	if (optind != argc - 1)
		usage(PFG_EXIT_ERROR);
	c->command = argv[optind];
	if (c->host.root[0] != '/')
		diex("--root needs an absolute path, not '%s'", c->host.root);
	c->host.fpm_configs = c->fpm_configs;
	c->host.clients = c->clients;
}

static int cmd_show_check(struct cli *c, int check)
{
	struct host_view h;
	struct problem_list pl = { NULL, 0, 0 };
	size_t i, errors;
	int rc = 0;

	/* php-fpm -tt: its verdict, and its reading where ours differs. */
	c->host.run_fpm_test = 1;
	if (host_inspect(&c->host, &h) < 0)
		die("cannot open root %s", c->host.root);
	host_judge(&h, &pl);
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
	return rc;
}

int main(int argc, char **argv)
{
	struct cli c;
	int rc;

	parse_args(argc, argv, &c);
	if (strcmp(c.command, "show") == 0)
		rc = cmd_show_check(&c, 0);
	else if (strcmp(c.command, "check") == 0)
		rc = cmd_show_check(&c, 1);
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
