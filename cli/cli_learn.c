/* cli_learn.c - analyst decisions into the state store
 *
 *   vigie quarantine confirm ID...   the item is malicious: it stays
 *                                    quarantined, its campaign is remembered
 *   vigie quarantine release ID...   (cli_quarantine.c) once released, the
 *                                    item was a false positive: cli_learn_item
 *   vigie learn --malicious|--benign FILE|DIR|FILE.jsonl...
 *                                    bootstrap from an organisation's exports,
 *                                    like sa-learn: mail files, folders of
 *                                    them, chat .jsonl in the form `vigie eval`
 *                                    reads (a "label" field overrides the flag)
 *
 * Each decision goes through vigie_memory_learn (scanner/memory/): keyed
 * hashes and counts only; it also trains the per-deployment classifier
 * once (memory_classifier.c; the same decision given again is not trained
 * again). The engine is built once per run, as `vigie scan`
 * builds it (its URL analyser says which domains are protected).
 *
 * SECURITY: the files are the operator's choice, read under [core]
 * max_message_size; ids are validated by the quarantine before any path is
 * made from them; a learned example's name in the store is a hash of its
 * bytes, never its file name.
 */
#include "cli.h"
#include "cli_inputs.h"

#include <stdio.h>
#include <string.h>
#include <unistd.h>

static vigie_engine *learn_engine;
static long long learn_max = 64 << 20;

/* learn_engine_get - the run's engine (built on first use), or NULL after
 * printing why */
static vigie_engine *learn_engine_get(const char *config)
{
	if (!learn_engine)
		learn_engine = cli_engine_load(config, &learn_max);
	return learn_engine;
}

/* learn_message - m from bytes of channel ("mail" or "chat"), or NULL with err */
static vigie_message *learn_message(const char *channel, const void *data, gsize len, GError **err)
{
	return !strcmp(channel, "mail") ? vigie_message_from_mime(data, len, NULL, err)
					: vigie_message_from_chat_json(data, len, err);
}

/* cli_learn_item - see cli.h */
bool cli_learn_item(const char *config, const char *channel, GBytes *bytes, bool malicious, const char *id,
		    char **why)
{
	vigie_engine *e = learn_engine_get(config);
	if (!e) {
		*why = g_strdup("the engine did not load");
		return false;
	}
	if (!vigie_engine_store(e)) {
		*why = g_strdup("the store is disabled ([store] enabled = no)");
		return false;
	}
	GError *err = NULL;
	gsize len;
	const void *data = g_bytes_get_data(bytes, &len);
	vigie_message *m = learn_message(channel, data, len, &err);
	bool ok = m && vigie_memory_learn(e, m, malicious ? VIGIE_LEARN_MALICIOUS : VIGIE_LEARN_BENIGN, id, &err);
	if (!ok)
		*why = g_strdup(err ? err->message : "unreadable");
	g_clear_error(&err);
	vigie_message_free(m);
	return ok;
}

/* cli_learn_done - free the run's engine */
void cli_learn_done(void)
{
	g_clear_pointer(&learn_engine, vigie_engine_unref);
}

/* cli_quarantine_confirm - see cli.h */
int cli_quarantine_confirm(vigie_quarantine *q, const char *config, const char *who, int argc, char **argv)
{
	if (argc < 1) {
		fprintf(stderr, "vigie quarantine confirm: which ID?\n");
		return CLI_EXIT_ERROR;
	}
	int rc = CLI_EXIT_CLEAN;
	for (int i = 0; i < argc; i++) {
		const char *id = argv[i];
		GError *err = NULL;
		char *why = NULL;
		vigie_qitem *it = vigie_quarantine_get(q, id, &err);
		GBytes *bytes = NULL;
		if (it && strcmp(it->folder, "new"))
			why = g_strdup_printf("the item is %s, not quarantined", it->folder);
		else if (it && !(bytes = vigie_quarantine_raw(q, it, &err)))
			why = g_strdup(err->message);
		else if (!it)
			why = g_strdup(err->message);
		bool ok = !why && cli_learn_item(config, it->channel, bytes, true, id, &why);
		if (ok) {
			printf("%s: confirmed malicious (stays quarantined; its campaign is remembered)\n", id);
			vigie_quarantine_audit(q, who, "confirm", id, "malicious: remembered");
		} else {
			fprintf(stderr, "vigie: confirm %s: %s\n", id, why);
			char *res = g_strdup_printf("refused: %s", why);
			vigie_quarantine_audit(q, who, "confirm", vigie_quarantine_valid_id(id) ? id : "-", res);
			g_free(res);
			rc = CLI_EXIT_ERROR;
		}
		g_clear_error(&err);
		g_free(why);
		if (bytes)
			g_bytes_unref(bytes);
		vigie_qitem_free(it);
	}
	cli_learn_done();
	return rc;
}

typedef struct {
	const char *config;
	bool malicious;
	guint learned, failed;
} learn_run;

/* learn_label - a .jsonl "label" as malicious (1), benign (0) or unknown (-1) */
static int learn_label(const char *label)
{
	static const char *const bad[] = { "phishing", "spam", "smishing", "scam", "fraud", "malware",
					   "malicious", NULL };
	static const char *const good[] = { "ham", "benign", "legit", "clean", NULL };
	char *low = g_ascii_strdown(label, -1);
	int r = g_strv_contains(bad, low) ? 1 : g_strv_contains(good, low) ? 0 : -1;
	g_free(low);
	return r;
}

/* learn_one - one example; its name in the store is learn:HASH of its bytes */
static void learn_one(learn_run *r, const char *where, const char *channel, const void *data, gsize len,
		      bool malicious)
{
	char *sum = g_compute_checksum_for_data(G_CHECKSUM_SHA256, data, len);
	char *id = g_strdup_printf("learn:%.16s", sum);
	GBytes *b = g_bytes_new(data, len);
	char *why = NULL;
	if (cli_learn_item(r->config, channel, b, malicious, id, &why)) {
		r->learned++;
	} else {
		fprintf(stderr, "vigie learn: %s: %s\n", where, why);
		r->failed++;
	}
	g_free(why);
	g_bytes_unref(b);
	g_free(id);
	g_free(sum);
}

/* learn_jsonl - one chat message per line */
static void learn_jsonl(learn_run *r, const char *path, const char *data)
{
	char **lines = g_strsplit(data, "\n", -1);
	JsonParser *parser = json_parser_new();
	for (int i = 0; lines[i]; i++) {
		const char *line = g_strstrip(lines[i]);
		if (!*line)
			continue;
		bool malicious = r->malicious;
		if (json_parser_load_from_data(parser, line, -1, NULL) && json_parser_get_root(parser) &&
		    JSON_NODE_HOLDS_OBJECT(json_parser_get_root(parser))) {
			JsonObject *o = json_node_get_object(json_parser_get_root(parser));
			JsonNode *n = json_object_get_member(o, "label");
			if (n && JSON_NODE_HOLDS_VALUE(n) && json_node_get_value_type(n) == G_TYPE_STRING) {
				int l = learn_label(json_node_get_string(n));
				if (l >= 0)
					malicious = l == 1;
			}
		}
		char *where = g_strdup_printf("%s:%d", path, i + 1);
		learn_one(r, where, "chat", line, strlen(line), malicious);
		g_free(where);
	}
	g_object_unref(parser);
	g_strfreev(lines);
}

static void learn_file(const char *path, void *ud)
{
	learn_run *r = ud;
	gsize len;
	GError *err = NULL;
	char *data = cli_read_input(path, learn_max, &len, &err);
	if (!data) {
		fprintf(stderr, "vigie learn: %s\n", err->message);
		g_error_free(err);
		r->failed++;
		return;
	}
	if (g_str_has_suffix(path, ".jsonl"))
		learn_jsonl(r, path, data);
	else if (g_str_has_suffix(path, ".json"))
		learn_one(r, path, "chat", data, len, r->malicious); /* one chat message */
	else
		learn_one(r, path, "mail", data, len, r->malicious);
	g_free(data);
}

static void learn_error(const char *path, const char *msg, void *ud)
{
	fprintf(stderr, "vigie learn: %s: %s\n", path, msg);
	((learn_run *)ud)->failed++;
}

/* cli_learn - see cli.h */
int cli_learn(const char *config, int argc, char **argv)
{
	learn_run r = { .config = config };
	int flag = -1, i = 0;
	for (; i < argc && argv[i][0] == '-' && argv[i][1] == '-'; i++) {
		if (!strcmp(argv[i], "--malicious"))
			flag = 1;
		else if (!strcmp(argv[i], "--benign"))
			flag = 0;
		else
			break;
	}
	if (flag < 0 || i >= argc) {
		fprintf(stderr, "usage: vigie [-c CONFIG] learn --malicious|--benign FILE|DIR|FILE.jsonl...\n");
		return CLI_EXIT_ERROR;
	}
	r.malicious = flag == 1;
	if (!learn_engine_get(config))
		return CLI_EXIT_ERROR;
	for (; i < argc; i++) {
		if (g_file_test(argv[i], G_FILE_TEST_IS_DIR))
			cli_walk_dir(argv[i], learn_file, learn_error, &r);
		else
			learn_file(argv[i], &r);
	}
	cli_learn_done();
	printf("%u learned as %s by default, %u failed\n", r.learned, r.malicious ? "malicious" : "benign",
	       r.failed);
	return r.failed ? CLI_EXIT_ERROR : CLI_EXIT_CLEAN;
}
