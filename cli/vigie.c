/* vigie.c - the command-line entry point: global options, help and dispatch
 *
 *   vigie [-c CONFIG] scan [--channel mail|chat] [--json] FILE|DIR|-...
 *   vigie [-c CONFIG] eval [--json] [--label LABEL DIR...] [FILE.jsonl...]
 *   vigie [-c CONFIG] quarantine list|show|release|delete|purge ...
 *   vigie [-c CONFIG] update
 *   vigie [-c CONFIG] --check-config
 *   vigie --version | --help | COMMAND --help
 *
 * The help of every command comes from one table (cli_commands) that the
 * global usage lists too; docs/man/vigie.1 says the same in long form.
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

typedef struct {
	const char *name;
	const char *synopsis; /* after "vigie [-c CONFIG] NAME " */
	const char *summary;  /* one line for the global usage */
	const char *options;  /* the command's --help body */
} cli_command;

static const cli_command cli_commands[] = {
	{ "scan", "[--channel mail|chat] [--json] FILE|DIR|-...",
	  "scan messages, print verdicts",
	  "  --channel mail|chat  what the inputs are: RFC 5322 mail (default) or chat JSON\n"
	  "                       (docs/chat-json.md)\n"
	  "  --json               one JSON object per input instead of text\n"
	  "  FILE|DIR|-           a message, a folder (recursive, name order) or standard input\n"
	  "\n"
	  "exit status: 0 all released, 1 some tagged/quarantined/rejected, 2 error\n" },
	{ "eval", "[--json] [--top N] [--show missed|all] [--half 1|2] [--label LABEL DIR...] [FILE.jsonl...]",
	  "detection figures on labelled sets",
	  "  --label LABEL DIR... the messages under DIR are LABEL (phishing, ham, ...)\n"
	  "  FILE.jsonl           labelled chat messages, one JSON object a line\n"
	  "  --half 1|2           only that half of each set (a hash split: tune on one, check on the other)\n"
	  "  --top N              the N rules that fire most, per set\n"
	  "  --show missed|all    list the wrongly judged (or all) inputs\n"
	  "  --json               one JSON object with every figure\n"
	  "\n"
	  "exit status: 0 figures printed, 2 error\n" },
	{ "quarantine", "list|show|release|delete|purge ...",
	  "review the quarantine folder ([quarantine] dir)",
	  "  list [--json] [--limit N] [--channel C] [--action A] [--category C] [--rule R]\n"
	  "       [--from S] [--to R] [--min-score N] [--since T] [--until T]\n"
	  "       [--state quarantined|released|deleted]\n"
	  "                       items, newest first; T is a date, an ISO time or an age (12h, 7d)\n"
	  "  show ID [--raw]      an item's metadata and findings, or its original bytes\n"
	  "  release ID... [--to ADDR]\n"
	  "                       re-inject mail over SMTP ([quarantine] release_host/port) or\n"
	  "                       deliver chat downstream; vigied lets the released copy pass\n"
	  "  delete ID...         move items to deleted/\n"
	  "  purge --older-than AGE\n"
	  "                       remove items older than AGE (30d, 12h)\n"
	  "\n"
	  "Every action is written to the folder's audit.log.\n"
	  "exit status: 0 done, 2 error\n" },
	{ "update", "", "download the URL feeds of [update] feeds (like freshclam)",
	  "Fetches each FILE=URL of [update] feeds over HTTPS into [urls] feeds, sending\n"
	  "If-None-Match/If-Modified-Since from the last answer (FILE.meta). A download\n"
	  "larger than [update] max_size, slower than [update] timeout, or that would not\n"
	  "load as a feed changes nothing; a good one replaces FILE atomically, keeps the\n"
	  "old copy as FILE.prev, and vigied ([daemon] pidfile) gets SIGHUP.\n"
	  "The ClamAV databases stay freshclam's job.\n"
	  "exit status: 0 every feed updated or not modified, 2 any feed failed\n" },
	{ "check-config", "", "validate configuration and every rule file, then exit",
	  "Loads the configuration and every rule file it names, as vigied would, and\n"
	  "prints OK with the engine version; an error names the file, the line and the key.\n"
	  "exit status: 0 valid, 2 error\n" },
	{ "version", "", "print the version", "exit status: 0\n" },
};

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
	fprintf(to, "usage: vigie [-c CONFIG] COMMAND [ARGS]\n\ncommands:\n");
	for (size_t i = 0; i < G_N_ELEMENTS(cli_commands); i++)
		fprintf(to, "  %-14s %s\n", cli_commands[i].name, cli_commands[i].summary);
	fprintf(to,
		"\n"
		"options:\n"
		"  -c, --config FILE   configuration (default: $VIGIE_CONFIG or %s)\n"
		"  -n, --check-config  same as the check-config command\n"
		"  -h, --help          this help; \"vigie COMMAND --help\" for a command's\n"
		"  --version           print the version\n"
		"\n"
		"exit status: 0 all released, 1 some flagged, 2 error (see vigie(1))\n",
		cli_default_config());
}

/* cli_command_help - "vigie COMMAND --help" on stdout */
static void cli_command_help(const cli_command *c)
{
	printf("usage: vigie [-c CONFIG] %s%s%s\n%s.\n\n%s", c->name, *c->synopsis ? " " : "",
	       c->synopsis, c->summary, c->options);
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
		for (size_t k = 0; sub_argc > 0 && k < G_N_ELEMENTS(cli_commands); k++)
			if (!strcmp(sub_argv[0], cli_commands[k].name)) {
				cli_command_help(&cli_commands[k]);
				return 0;
			}
		cli_usage(stdout);
		return 0;
	}
	for (size_t k = 0; k < G_N_ELEMENTS(cli_commands); k++)
		if (!strcmp(cmd, cli_commands[k].name) && cli_wants_help(sub_argc, sub_argv)) {
			cli_command_help(&cli_commands[k]);
			return 0;
		}
	if (!strcmp(cmd, "scan") || !strcmp(cmd, "eval")) {
		if (cli_check_paths(cli_config_path(config)) != CLI_EXIT_CLEAN)
			return CLI_EXIT_ERROR;
		return (!strcmp(cmd, "scan") ? cli_scan : cli_eval)(cli_config_path(config), sub_argc,
								     sub_argv);
	}
	if (!strcmp(cmd, "quarantine"))
		return cli_quarantine(cli_config_path(config), sub_argc, sub_argv);
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
