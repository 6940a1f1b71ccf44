/* cli.h - the subcommands of the vigie program */
#ifndef VIGIE_CLI_H
#define VIGIE_CLI_H

#include "vigie.h"

#include <stdio.h>

enum { CLI_EXIT_CLEAN = 0, CLI_EXIT_FLAGGED = 1, CLI_EXIT_ERROR = 2 };

/* cli_scan - "vigie scan ARGS"; returns the exit code */
int cli_scan(const char *config, int argc, char **argv);
/* cli_quarantine - "vigie quarantine list|show|release|delete|purge" */
int cli_quarantine(const char *config, int argc, char **argv);
/* cli_eval - "vigie eval ARGS": detection figures on labelled sets */
int cli_eval(const char *config, int argc, char **argv);
/* cli_update - "vigie update": the [update] feeds fetched over HTTPS into
 * [urls] feeds (cli_update.c); 0 every feed current, 2 any feed failed */
int cli_update(const char *config, int argc, char **argv);
/* cli_help_usage - the global usage on to, config the default
 * configuration (cli_help.c, the table vigie(1) is made from too) */
void cli_help_usage(FILE *to, const char *config);
/* cli_help_command - "vigie NAME --help" on to; false if no such command */
bool cli_help_command(FILE *to, const char *name, const char *config);

/* cli_store - "vigie store stats" (cli_store.c) */
int cli_store(const char *config, int argc, char **argv);

#endif
