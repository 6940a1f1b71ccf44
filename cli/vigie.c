/* vigie.c - the command-line entry point: global options and dispatch
 *
 *   vigie [-c CONFIG] scan [--channel mail|chat] [--json] FILE|DIR|-...
 *   vigie [-c CONFIG] eval [--json] [--label LABEL DIR...] [FILE.jsonl...]
 *   vigie [-c CONFIG] --check-config
 *   vigie --version
 *
 * Exit codes (like clamscan): 0 every input released, 1 at least one input
 * tagged/quarantined/rejected, 2 an error (unreadable input, bad
 * configuration or rules, an analyser failure).
 */
#include "cli.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static void cli_usage(FILE *to)
{
	fprintf(to,
		"usage: vigie [-c CONFIG] COMMAND [ARGS]\n"
		"\n"
		"commands:\n"
		"  scan [--channel mail|chat] [--json] FILE|DIR|-...   scan messages, print verdicts\n"
		"  quarantine list [--json] [--limit N] [--channel C] [--action A] [--category C] [--rule R]\n"
		"                  [--from S] [--to R] [--min-score N] [--since T] [--until T] [--state S]\n"
		"  quarantine show ID [--raw] | release ID... [--to ADDR] | delete ID... | purge --older-than AGE\n"
		"  eval [--json] [--top N] [--show missed|all] [--half 1|2] [--label LABEL DIR...] [FILE.jsonl...]\n"
		"                                                    detection figures on labelled sets\n"
		"  check-config                                      validate config and rules, then exit\n"
		"  version                                           print versions\n"
		"\n"
		"options:\n"
		"  -c, --config FILE   configuration (default: $VIGIE_CONFIG or %s)\n"
		"  --check-config      same as the check-config command\n"
		"\n"
		"exit status: 0 all released, 1 some flagged, 2 error\n",
		VIGIE_DEFAULT_CONFIG);
}

/* cli_config_path - -c, then $VIGIE_CONFIG, then the built-in default */
static const char *cli_config_path(const char *opt)
{
	if (opt)
		return opt;
	const char *env = getenv("VIGIE_CONFIG");
	return env && *env ? env : VIGIE_DEFAULT_CONFIG;
}

/* cli_check_config - load config and every rule file; report */
static int cli_check_config(const char *config)
{
	GError *err = NULL;
	vigie_engine *e = vigie_engine_load(config, &err);
	if (!e) {
		fprintf(stderr, "vigie: %s\n", err->message);
		g_error_free(err);
		return CLI_EXIT_ERROR;
	}
	printf("%s: OK (%s; built in %.0f ms)\n", config, vigie_engine_version(e),
	       vigie_engine_load_ms(e));
	vigie_engine_unref(e);
	return CLI_EXIT_CLEAN;
}

int main(int argc, char **argv)
{
	const char *config = NULL;
	int i = 1;
	for (; i < argc && argv[i][0] == '-'; i++) {
		if ((!strcmp(argv[i], "-c") || !strcmp(argv[i], "--config")) && i + 1 < argc) {
			config = argv[++i];
		} else if (!strcmp(argv[i], "--check-config") || !strcmp(argv[i], "-n")) {
			return cli_check_config(cli_config_path(config));
		} else if (!strcmp(argv[i], "--version")) {
			printf("vigie %s\n", VIGIE_VERSION);
			return 0;
		} else if (!strcmp(argv[i], "-h") || !strcmp(argv[i], "--help")) {
			cli_usage(stdout);
			return 0;
		} else {
			fprintf(stderr, "vigie: unknown option '%s'\n", argv[i]);
			cli_usage(stderr);
			return CLI_EXIT_ERROR;
		}
	}
	if (i >= argc) {
		cli_usage(stderr);
		return CLI_EXIT_ERROR;
	}
	const char *cmd = argv[i];
	if (!strcmp(cmd, "scan"))
		return cli_scan(cli_config_path(config), argc - i - 1, argv + i + 1);
	if (!strcmp(cmd, "quarantine"))
		return cli_quarantine(cli_config_path(config), argc - i - 1, argv + i + 1);
	if (!strcmp(cmd, "eval"))
		return cli_eval(cli_config_path(config), argc - i - 1, argv + i + 1);
	if (!strcmp(cmd, "check-config"))
		return cli_check_config(cli_config_path(config));
	if (!strcmp(cmd, "version")) {
		printf("vigie %s\n", VIGIE_VERSION);
		return 0;
	}
	fprintf(stderr, "vigie: unknown command '%s'\n", cmd);
	cli_usage(stderr);
	return CLI_EXIT_ERROR;
}
