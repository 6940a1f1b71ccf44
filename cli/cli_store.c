/* cli_store.c - "vigie store stats": what the state store holds
 *
 * Reads [store] of the configuration (the engine is not built: no rules,
 * no ClamAV) and asks the backend for its sizes: the LMDB folder is read
 * beside a running vigied (LMDB readers never block its writer), a Redis
 * server is asked over the network with the configured timeout. Then the
 * per-deployment classifier's examples of each label, against [classifier]
 * min_examples: below it of either label, the classifier does not score.
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
	gint64 min_examples = vigie_config_get_int(c, "classifier", "min_examples");
	vigie_config_free(c);
	if (!s) {
		fprintf(stderr, "vigie: the store is disabled ([store] enabled = no)\n");
		return CLI_EXIT_ERROR;
	}
	char *out = vigie_store_stats(s, &err);
	gint64 n[2] = { 0, 0 };
	if (out && vigie_classifier_examples(s, n, &err) == VIGIE_STORE_DOWN) {
		g_free(out);
		out = NULL;
	}
	vigie_store_close(s);
	if (!out) {
		fprintf(stderr, "vigie: %s\n", err ? err->message : "the store did not answer");
		g_clear_error(&err);
		return CLI_EXIT_ERROR;
	}
	fputs(out, stdout);
	printf("classifier_malicious %" G_GINT64_FORMAT "\nclassifier_benign %" G_GINT64_FORMAT
	       "\nclassifier_min_examples %" G_GINT64_FORMAT "\nclassifier_scoring %s\n",
	       n[0], n[1], min_examples, n[0] >= min_examples && n[1] >= min_examples ? "yes" : "no");
	g_free(out);
	return CLI_EXIT_CLEAN;
}
