/* bench_chat.c - what one chat message costs the scanning core, and what
 * the intent analyser adds to it, side by side in one run.
 *
 *   bench_chat CONFIG FILE.jsonl...
 *
 * Loads every line's "text" (and "direction") into memory, then times on
 * the same messages, each pass repeated until it has run 1 s at least:
 *   parse     - vigie_message_from_chat_json only
 *   no-intent - parse + vigie_scan with [intent] enabled = no (the
 *               baseline: every other analyser)
 *   full      - parse + vigie_scan with every analyser
 *   intent    - intent_scan alone on parsed messages
 * and prints microseconds per message for each.
 */
#include "internal.h"

#include <json-glib/json-glib.h>
#include <glib/gstdio.h>
#include <stdio.h>
#include <string.h>

static GPtrArray *bench_lines(int argc, char **argv)
{
	GPtrArray *out = g_ptr_array_new_with_free_func(g_free);
	for (int i = 0; i < argc; i++) {
		char *data;
		if (!g_file_get_contents(argv[i], &data, NULL, NULL)) {
			fprintf(stderr, "bench_chat: cannot read %s\n", argv[i]);
			continue;
		}
		char **lines = g_strsplit(data, "\n", -1);
		for (int k = 0; lines[k]; k++)
			if (*g_strstrip(lines[k]))
				g_ptr_array_add(out, g_strdup(lines[k]));
		g_strfreev(lines);
		g_free(data);
	}
	return out;
}

/* bench_pass - microseconds per message of one kind of pass */
static double bench_pass(vigie_engine *e, intent_engine *ie, GPtrArray *lines, int kind)
{
	gint64 t0 = g_get_monotonic_time(), n = 0;
	do {
		for (guint i = 0; i < lines->len; i++) {
			const char *l = g_ptr_array_index(lines, i);
			vigie_message *m = vigie_message_from_chat_json(l, strlen(l), NULL);
			if (!m)
				continue;
			if (kind == 1) {
				vigie_verdict *v = vigie_scan(e, m);
				vigie_verdict_free(v);
			} else if (kind == 2) {
				vigie_verdict *v = verdict_new(VIGIE_CHANNEL_CHAT);
				scan_ctx *sc = scan_ctx_new(m, NULL);
				intent_scan(ie, sc, m->env.direction, 400, v, NULL);
				scan_ctx_free(sc);
				vigie_verdict_free(v);
			}
			vigie_message_free(m);
			n++;
		}
	} while (g_get_monotonic_time() - t0 < G_USEC_PER_SEC);
	return (double)(g_get_monotonic_time() - t0) / (double)n;
}

int main(int argc, char **argv)
{
	if (argc < 3) {
		fprintf(stderr, "usage: bench_chat CONFIG FILE.jsonl...\n");
		return 2;
	}
	GError *err = NULL;
	if (!vigie_global_init(&err)) {
		fprintf(stderr, "bench_chat: %s\n", err->message);
		return 2;
	}
	/* the same configuration without the intent analyser: the baseline */
	char *conf;
	if (!g_file_get_contents(argv[1], &conf, NULL, NULL)) {
		fprintf(stderr, "bench_chat: cannot read %s\n", argv[1]);
		return 2;
	}
	char *dir = g_path_get_dirname(argv[1]);
	char *abs = g_canonicalize_filename(dir, NULL);
	char *off_path = g_build_filename(abs, ".bench-chat-no-intent.conf", NULL);
	GString *off = g_string_new(conf);
	char *sec = strstr(off->str, "\n[intent]\n");
	if (!sec) {
		fprintf(stderr, "bench_chat: %s has no [intent] section\n", argv[1]);
		return 2;
	}
	/* "enabled = no" first in the section; its own "enabled" line dropped */
	g_string_insert(off, sec - off->str + (gssize)strlen("\n[intent]\n"), "enabled = no\n");
	g_free(conf);
	GString *clean = g_string_new(NULL);
	char **ls = g_strsplit(off->str, "\n", -1);
	bool in_intent = false, seen = false;
	for (int i = 0; ls[i]; i++) {
		if (ls[i][0] == '[')
			in_intent = !strcmp(ls[i], "[intent]");
		if (in_intent && g_str_has_prefix(ls[i], "enabled")) {
			if (seen)
				continue;
			seen = true;
		}
		g_string_append_printf(clean, "%s\n", ls[i]);
	}
	g_strfreev(ls);
	g_string_free(off, TRUE);
	g_file_set_contents(off_path, clean->str, -1, NULL);
	g_string_free(clean, TRUE);

	vigie_engine *full = vigie_engine_load(argv[1], &err);
	vigie_engine *base = full ? vigie_engine_load(off_path, &err) : NULL;
	g_unlink(off_path);
	if (!full || !base) {
		fprintf(stderr, "bench_chat: %s\n", err->message);
		return 2;
	}
	vigie_config *cfg = vigie_config_load(argv[1], &err);
	intent_engine *ie = intent_engine_load(cfg, &err);
	if (!ie) {
		fprintf(stderr, "bench_chat: %s\n", err->message);
		return 2;
	}
	GPtrArray *lines = bench_lines(argc - 2, argv + 2);
	printf("%u messages\n", lines->len);
	/* BENCH_ONLY=intent: the intent pass alone (for a profiler) */
	if (g_strcmp0(g_getenv("BENCH_ONLY"), "intent") == 0) {
		printf("intent+parse %8.1f us/message\n", bench_pass(NULL, ie, lines, 2));
		return 0;
	}
	double parse = bench_pass(NULL, NULL, lines, 0);
	double nointent = bench_pass(base, NULL, lines, 1);
	double all = bench_pass(full, NULL, lines, 1);
	double intent = bench_pass(NULL, ie, lines, 2) - parse;
	printf("parse      %8.1f us/message\n", parse);
	printf("no-intent  %8.1f us/message (parse + every analyser but intent: the baseline)\n", nointent);
	printf("full       %8.1f us/message (%.2fx the baseline)\n", all, all / nointent);
	printf("intent     %8.1f us/message (intent_scan alone)\n", intent);
	g_ptr_array_unref(lines);
	intent_engine_free(ie);
	vigie_config_free(cfg);
	vigie_engine_unref(full);
	vigie_engine_unref(base);
	g_free(off_path);
	g_free(abs);
	g_free(dir);
	return 0;
}
