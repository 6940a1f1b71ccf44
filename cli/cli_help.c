/* cli_help.c - the one text of vigie's help: "vigie --help", "vigie COMMAND
 * --help" and the SYNOPSIS, COMMANDS and OPTIONS sections of vigie(1)
 *
 * The tables below are the only place a command's synopsis, description,
 * options and exit status are written. The program prints them;
 * docs/man/vigie_man.py reads this file at build time and writes vigie(1)
 * from the same rows, so the two cannot drift (tests/man_test.py checks
 * that every help line is in the rendered page). Keep the tables plain:
 * string literals only, "\n" between lines of one paragraph, "\n\n"
 * between paragraphs, and "@CONFIG@" for the built-in default
 * configuration.
 */
#include "cli.h"

#include <stdio.h>
#include <string.h>

typedef struct {
	const char *term; /* "--json", "show ID [--raw]" */
	const char *text; /* what it does, lines joined by "\n" */
} cli_option;

typedef struct {
	const char *name;
	const char *synopsis;	   /* after "vigie [-c CONFIG] NAME " */
	const char *summary;	   /* one line for the global usage */
	const char *description;   /* paragraphs, "" for none */
	const cli_option *options; /* up to { NULL, NULL } */
	const char *exit_status;
} cli_command;

static const cli_option cli_scan_options[] = {
	{ "--channel mail|chat", "what the inputs are: RFC 5322 mail (default) or\n"
				 "chat JSON (docs/chat-json.md)" },
	{ "--json", "one JSON object per input instead of text: input,\n"
		    "channel, action, score, findings, error, engine,\n"
		    "elapsed_ms" },
	{ "FILE|DIR|-", "a message, a folder (recursive, name order, symbolic\n"
			"links not followed; a summary line at the end) or\n"
			"standard input" },
	{ NULL, NULL },
};

static const cli_option cli_eval_options[] = {
	{ "--label LABEL DIR...", "the messages under DIR are LABEL (phishing, ham, ...)" },
	{ "FILE.jsonl", "labelled chat messages, one JSON object a line" },
	{ "--half 1|2", "only that half of each set (a hash split: tune on\n"
			"one, check on the other)" },
	{ "--top N", "the N rules that fire most, per set" },
	{ "--show missed|all", "list the wrongly judged (or all) inputs" },
	{ "--json", "one JSON object with every figure" },
	{ "--features OUT", "write each item's intent-model features to OUT\n"
			    "(JSON lines, for scripts/intent-train)" },
	{ NULL, NULL },
};

static const cli_option cli_quarantine_options[] = {
	{ "list [--json] [--limit N] [FILTER...]",
	  "items, newest first; FILTER: --channel C, --action A,\n"
	  "--category C, --rule R, --from S, --to R, --min-score N,\n"
	  "--since T, --until T (T a date, an ISO time or an age:\n"
	  "12h, 7d), --state quarantined|released|deleted" },
	{ "show ID [--raw]", "an item's metadata and findings, or its original bytes" },
	{ "release ID... [--to ADDR]",
	  "re-inject mail into the MTA over SMTP ([quarantine]\n"
	  "release_host and release_port) with a release token\n"
	  "vigied honours once, for that content and those\n"
	  "recipients; chat items go to the channel's downstream;\n"
	  "the state store then remembers it as a false positive" },
	{ "confirm ID...", "the item is malicious: it stays quarantined and the\n"
			   "state store remembers its campaign (its text, links\n"
			   "and phone numbers) for every channel" },
	{ "delete ID...", "move items to the folder's deleted/ part" },
	{ "purge --older-than AGE", "remove items older than AGE (30d, 12h)" },
	{ NULL, NULL },
};

static const cli_option cli_incident_options[] = {
	{ "--since T", "start of the period: a date, an ISO time or an age\n"
		       "(12h, 7d); default 7 days ago" },
	{ "--until T", "end of the period (default now)" },
	{ "--channel NAME", "one channel: a [webhook.NAME] name, or milter" },
	{ "--format md|text|json", "report: Markdown (default) or JSON; list: text\n"
				   "(default) or JSON" },
	{ NULL, NULL },
};

static const cli_option cli_store_options[] = {
	{ "stats", "backend, keys, bytes used and capacity of the state store\n"
		   "(read beside a running vigied)" },
	{ NULL, NULL },
};

static const cli_option cli_learn_options[] = {
	{ "--malicious|--benign", "what the inputs are (a .jsonl line's \"label\"\n"
				  "field overrides it)" },
	{ "FILE|DIR|FILE.jsonl", "mail files, folders of them (recursive), or chat\n"
				 "messages one JSON object a line, as vigie eval reads" },
	{ NULL, NULL },
};

static const cli_option cli_no_options[] = {
	{ NULL, NULL },
};

static const cli_command cli_commands[] = {
	{ "scan", "[--channel mail|chat] [--json] FILE|DIR|-...", "scan messages, print verdicts",
	  "Scans each input with the configuration and rules vigied uses and prints\n"
	  "its verdict (release, tag, quarantine or, for mail, reject) with the\n"
	  "findings that led to it: rule, category, weight, evidence, where. A mail\n"
	  "file may start with an mbox \"From \" line.",
	  cli_scan_options, "0 all released, 1 some tagged, quarantined or rejected, 2 error" },
	{ "eval", "[--json] [--top N] [--show missed|all] [--half 1|2] [--features OUT] [--label LABEL DIR...] [FILE.jsonl...]",
	  "detection figures on labelled sets",
	  "Scans labelled sets of messages and prints, per set, how many were\n"
	  "flagged and by which rules.",
	  cli_eval_options, "0 figures printed, 2 error" },
	{ "quarantine", "list|show|release|confirm|delete|purge ...",
	  "review the quarantine folder ([quarantine] dir)",
	  "Lists, shows, releases and deletes the items vigied held. Every action is\n"
	  "written to the folder's audit.log.",
	  cli_quarantine_options, "0 done, 2 error" },
	{ "update", "", "download the URL feeds of [update] feeds (like freshclam)",
	  "Fetches each FILE=URL of [update] feeds over HTTPS into [urls] feeds,\n"
	  "sending If-None-Match and If-Modified-Since from the last answer (kept in\n"
	  "FILE.meta; 304 changes nothing). A download larger than [update]\n"
	  "max_size, slower than [update] timeout, or that would not load as a feed\n"
	  "of its format changes nothing; a good one is written aside, fsynced and\n"
	  "renamed over FILE, the old copy kept as FILE.prev, and the vigied of\n"
	  "[daemon] pidfile gets SIGHUP. A failed feed is reported by name and the\n"
	  "others are still tried.\n"
	  "\n"
	  "vigie-update.timer runs it hourly as the user vigie. The ClamAV databases\n"
	  "stay freshclam's job.",
	  cli_no_options, "0 every feed updated or not modified, 2 any feed failed" },
	{ "learn", "--malicious|--benign FILE|DIR|FILE.jsonl...", "teach the state store from exported messages",
	  "Records each message as an analyst's decision, like sa-learn: a malicious\n"
	  "one's campaign (text, links, phone numbers) is remembered as a confirmed\n"
	  "quarantine item would be; a benign one's links and numbers stop counting\n"
	  "as a campaign's. Each decision also trains the classifier ([classifier])\n"
	  "once, and counts for or against its sender. Only keyed hashes reach the\n"
	  "store.",
	  cli_learn_options, "0 every input learned, 2 any failed" },
	{ "incident", "report|list [--since T] [--until T] [--channel NAME] [--format md|text|json]",
	  "an incident report's skeleton (NIS2 Art. 23) from the quarantine and alerts",
	  "Builds, for the period, what Vigie kept of an incident: the quarantine's\n"
	  "items in every state (counts by channel, verdict, state and category, a\n"
	  "timeline per hour, distinct recipients or conversations), the traffic\n"
	  "alerts of [alerts] state_dir that overlap it, the operators' actions from\n"
	  "the audit log, indicators (URLs, hosts, senders and their domains, phone\n"
	  "numbers, with counts) and the fields of an NIS2 early warning,\n"
	  "notification and final report: their deadlines from the first sign, a\n"
	  "suggested assessment, and what only the operator can fill, marked so.\n"
	  "Markdown escapes every sender string and defangs links. list prints the\n"
	  "traffic alerts of the period, one line each (start, end, kind, channel,\n"
	  "series, peak and band), or JSON.",
	  cli_incident_options, "0 written, 2 error" },
	{ "store", "stats", "what the state store holds ([store])",
	  "Reads [store] of the configuration (no rules are loaded) and prints what\n"
	  "the store holds. It keeps keyed hashes and counts, never message text or\n"
	  "addresses in clear.",
	  cli_store_options, "0 printed, 2 error (store disabled or unreachable)" },
	{ "check-config", "", "validate configuration and every rule file, then exit",
	  "Loads the configuration and every rule file it names, as vigied would,\n"
	  "and prints OK with the engine version. A bad key or value is reported\n"
	  "with the file, the line and the key; a missing rule folder with its key,\n"
	  "its value as written and its line. Also: vigie -n, vigie --check-config.",
	  cli_no_options, "0 valid, 2 error" },
	{ "version", "", "print the version", "", cli_no_options, "0" },
};

/* the options before the command */
static const cli_option cli_global_options[] = {
	{ "-c, --config FILE", "configuration (default: $VIGIE_CONFIG\n"
			       "or @CONFIG@)" },
	{ "-n, --check-config", "same as the check-config command" },
	{ "-h, --help", "this help; \"vigie COMMAND --help\" for a command's" },
	{ "--version", "print the version" },
	{ NULL, NULL },
};

/* help_text - s with @CONFIG@ replaced by the default configuration */
static void help_text(FILE *to, const char *s, const char *config)
{
	const char *at;
	while ((at = strstr(s, "@CONFIG@"))) {
		fwrite(s, 1, (size_t)(at - s), to);
		fputs(config, to);
		s = at + strlen("@CONFIG@");
	}
	fputs(s, to);
}

/* help_options - "  TERM  text", continuation lines under the text */
static void help_options(FILE *to, const cli_option *o, const char *config)
{
	for (; o->term; o++) {
		int w = fprintf(to, "  %s", o->term);
		if (w > 22)
			fprintf(to, "\n%23s", "");
		else
			fprintf(to, "%*s", 23 - w, "");
		for (const char *t = o->text; *t;) {
			const char *nl = strchr(t, '\n');
			size_t n = nl ? (size_t)(nl - t) : strlen(t);
			char *line = g_strndup(t, n);
			help_text(to, line, config);
			g_free(line);
			fputc('\n', to);
			t += n;
			if (*t == '\n' && *++t)
				fprintf(to, "%23s", "");
		}
	}
}

/* cli_help_usage - see cli.h */
void cli_help_usage(FILE *to, const char *config)
{
	fprintf(to, "usage: vigie [-c CONFIG] COMMAND [ARGS]\n\ncommands:\n");
	for (size_t i = 0; i < G_N_ELEMENTS(cli_commands); i++)
		fprintf(to, "  %-14s %s\n", cli_commands[i].name, cli_commands[i].summary);
	fprintf(to, "\noptions:\n");
	help_options(to, cli_global_options, config);
	fprintf(to, "\nexit status: 0 all released, 1 some flagged, 2 error (see vigie(1))\n");
}

/* cli_help_command - see cli.h */
bool cli_help_command(FILE *to, const char *name, const char *config)
{
	for (size_t i = 0; i < G_N_ELEMENTS(cli_commands); i++) {
		const cli_command *c = &cli_commands[i];
		if (strcmp(name, c->name))
			continue;
		fprintf(to, "usage: vigie [-c CONFIG] %s%s%s\n%s.\n", c->name, *c->synopsis ? " " : "",
			c->synopsis, c->summary);
		if (*c->description) {
			fputc('\n', to);
			help_text(to, c->description, config);
			fputc('\n', to);
		}
		if (c->options->term) {
			fputc('\n', to);
			help_options(to, c->options, config);
		}
		fprintf(to, "\nexit status: %s\n", c->exit_status);
		return true;
	}
	return false;
}
