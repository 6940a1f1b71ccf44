/* vigie.c - the command-line entry point: global options, help and dispatch
 *
 *   vigie [-c CONFIG] scan [--channel mail|chat] [--json] FILE|DIR|-...
 *   vigie [-c CONFIG] eval [--json] [--label LABEL DIR...] [FILE.jsonl...]
 *   vigie [-c CONFIG] quarantine list|show|release|delete|purge ...
 *   vigie [-c CONFIG] update
 *   vigie [-c CONFIG] store stats
 *   vigie [-c CONFIG] incident report [--since T] [--until T] [--channel NAME] [--format md|json]
 *   vigie [-c CONFIG] learn --malicious|--benign FILE|DIR|FILE.jsonl...
 *   vigie [-c CONFIG] --check-config
 *   vigie --version | --help | COMMAND --help
 *
 * The help of every command, and vigie(1)'s synopsis, commands and options,
 * come from one table (cli_help.c).
 *
 * Exit codes (like clamscan): 0 every input released, 1 at least one input
 * tagged/quarantined/rejected, 2 an error (unreadable input, bad
 * configuration or rules, an analyser failure).
 */
#include "cli.h"
#include "url.h" /* url_lists_feed_files: the note about an empty feeds folder */

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* cli_default_config - the built-in default: the source tree's
 * etc/vigie.conf for a program run from its build folder (the tests, the
 * quick start), else the installed one */
static const char *cli_default_config(void)
{
#ifdef VIGIE_DEV_CONFIG
	static const char *chosen;
	if (!chosen) {
		char *exe = g_file_read_link("/proc/self/exe", NULL);
		char *root = realpath(VIGIE_BUILD_ROOT, NULL);
		size_t n = root ? strlen(root) : 0;
		chosen = exe && root && !strncmp(exe, root, n) && exe[n] == '/' ? VIGIE_DEV_CONFIG
									      : VIGIE_DEFAULT_CONFIG;
		g_free(exe);
		free(root);
	}
	return chosen;
#else
	return VIGIE_DEFAULT_CONFIG;
#endif
}

static void cli_usage(FILE *to)
{
	cli_help_usage(to, cli_default_config());
}

/* cli_wants_help - true when the command's arguments ask for its help */
static bool cli_wants_help(int argc, char **argv)
{
	for (int i = 0; i < argc; i++)
		if (!strcmp(argv[i], "--help") || (i == 0 && !strcmp(argv[i], "-h")))
			return true;
	return false;
}

/* cli_config_path - -c, then $VIGIE_CONFIG, then the built-in default */
static const char *cli_config_path(const char *opt)
{
	if (opt)
		return opt;
	const char *env = getenv("VIGIE_CONFIG");
	return env && *env ? env : cli_default_config();
}

/* cli_check_paths - every rule file and folder the configuration names
 * exists; else print which key, on which line, and exit status 2. Run
 * before loading the engine so that a configuration copied elsewhere fails
 * naming its own key, not only the expanded path. */
static int cli_check_paths(const char *config)
{
	GError *err = NULL;
	vigie_config *c = vigie_config_load(config, &err);
	if (c && vigie_config_check_paths(c, &err)) {
		vigie_config_free(c);
		return CLI_EXIT_CLEAN;
	}
	fprintf(stderr, "vigie: %s\n", err->message);
	g_error_free(err);
	vigie_config_free(c);
	return CLI_EXIT_ERROR;
}

/* cli_check_config - load config and every rule file; report */
static int cli_check_config(const char *config)
{
	if (cli_check_paths(config) != CLI_EXIT_CLEAN)
		return CLI_EXIT_ERROR;
	GError *err = NULL;
	vigie_engine *e = vigie_engine_load(config, &err);
	if (!e) {
		fprintf(stderr, "vigie: %s\n", err->message);
		g_error_free(err);
		return CLI_EXIT_ERROR;
	}
	printf("%s: OK (%s; built in %.0f ms)\n", config, vigie_engine_version(e),
	       vigie_engine_load_ms(e));
	const vigie_config *c = vigie_engine_config(e);
	const char *feeds = vigie_config_get(c, "urls", "feeds");
	if (vigie_config_get_bool(c, "urls", "enabled") && url_lists_feed_files(feeds) == 0)
		printf("note: [urls] feeds = %s holds no feed yet: no URL blocklist until "
		       "\"vigie update\" downloads the feeds of [update] feeds\n",
		       feeds);
	char *report = vigie_engine_rules_report(e);
	printf("%s\n", report);
	g_free(report);
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
	int sub_argc = argc - i - 1;
	char **sub_argv = argv + i + 1;
	if (!strcmp(cmd, "help")) {
		if (sub_argc == 0 || !cli_help_command(stdout, sub_argv[0], cli_default_config()))
			cli_usage(stdout);
		return 0;
	}
	if (cli_wants_help(sub_argc, sub_argv) &&
	    cli_help_command(stdout, cmd, cli_default_config()))
		return 0;
	if (!strcmp(cmd, "scan") || !strcmp(cmd, "eval")) {
		if (cli_check_paths(cli_config_path(config)) != CLI_EXIT_CLEAN)
			return CLI_EXIT_ERROR;
		return (!strcmp(cmd, "scan") ? cli_scan : cli_eval)(cli_config_path(config), sub_argc,
								     sub_argv);
	}
	if (!strcmp(cmd, "quarantine"))
		return cli_quarantine(cli_config_path(config), sub_argc, sub_argv);
	if (!strcmp(cmd, "learn"))
		return cli_learn(cli_config_path(config), sub_argc, sub_argv);
	if (!strcmp(cmd, "store"))
		return cli_store(cli_config_path(config), sub_argc, sub_argv);
	if (!strcmp(cmd, "incident"))
		return cli_incident(cli_config_path(config), sub_argc, sub_argv);
	if (!strcmp(cmd, "update"))
		return cli_update(cli_config_path(config), sub_argc, sub_argv);
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
