/* cli_store.c - "vigie store stats": what the state store holds
 *
 * Reads [store] of the configuration (the engine is not built: no rules,
 * no ClamAV) and asks the backend for its sizes: the LMDB folder is read
 * beside a running vigied (LMDB readers never block its writer), a Redis
 * server is asked over the network with the configured timeout.
 */
#include "cli.h"

#include <stdio.h>
#include <string.h>

/* cli_store - see cli.h */
int cli_store(const char *config, int argc, char **argv)
{
	if (argc != 1 || strcmp(argv[0], "stats")) {
		fprintf(stderr, "usage: vigie [-c CONFIG] store stats\n");
		return CLI_EXIT_ERROR;
	}
	GError *err = NULL;
	vigie_config *c = vigie_config_load(config, &err);
	if (!c) {
		fprintf(stderr, "vigie: %s\n", err->message);
		g_error_free(err);
		return CLI_EXIT_ERROR;
	}
	vigie_store *s = vigie_store_open(c);
	vigie_config_free(c);
	if (!s) {
		fprintf(stderr, "vigie: the store is disabled ([store] enabled = no)\n");
		return CLI_EXIT_ERROR;
	}
	char *out = vigie_store_stats(s, &err);
	vigie_store_close(s);
	if (!out) {
		fprintf(stderr, "vigie: %s\n", err->message);
		g_error_free(err);
		return CLI_EXIT_ERROR;
	}
	fputs(out, stdout);
	g_free(out);
	return CLI_EXIT_CLEAN;
}
