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

/* cli_learn - "vigie learn --malicious|--benign FILE|DIR|FILE.jsonl..." (cli_learn.c) */
int cli_learn(const char *config, int argc, char **argv);
/* cli_quarantine_confirm - "vigie quarantine confirm ID...": recorded as
 * malicious, kept quarantined, one audit line each (cli_learn.c) */
int cli_quarantine_confirm(vigie_quarantine *q, const char *config, const char *who, int argc, char **argv);
/* cli_learn_item - an item's bytes (channel "mail" or "chat") recorded as
 * malicious or benign under id; false with *why (caller g_free) */
bool cli_learn_item(const char *config, const char *channel, GBytes *bytes, bool malicious, const char *id,
		    char **why);
/* cli_learn_done - free what cli_learn_item built for the run */
void cli_learn_done(void);

/* cli_parse_time - "2026-11-27", an ISO 8601 time, or an age ("2h" = 2
 * hours ago) as unix seconds; -1 if malformed (cli_quarantine.c) */
gint64 cli_parse_time(const char *s);
/* cli_incident - "vigie incident report ..." (cli_incident.c) */
int cli_incident(const char *config, int argc, char **argv);

#endif
