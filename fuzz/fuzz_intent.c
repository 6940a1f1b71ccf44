/* fuzz_intent.c - fuzz target for the intent analyser's parsers: the
 * rule-file loader (first byte 'R': the rest is a rule file), the word
 * model's file (first byte 'M') and the scan (anything else: the bytes are
 * a chat text, split into sentences, quotations and stances and matched
 * against the bundled rules, and read into the word model's features).
 * Checks: a load either succeeds or names the file; every finding's
 * evidence and location are valid UTF-8; every feature is one or two
 * words of a-z.
 */
#include "fuzz.h"
#include "internal.h"
#include "intent/intent.h"

#include <glib/gstdio.h>
#include <stdlib.h>
#include <string.h>

static char *fz_dir;
static intent_engine *fz_bundled;

static void fz_cleanup(void)
{
	g_rmdir(fz_dir);
	g_free(fz_dir);
	fz_dir = NULL;
	intent_engine_free(fz_bundled);
}

static void fz_init(void)
{
	fz_dir = g_dir_make_tmp("vigie-fuzz-intent-XXXXXX", NULL);
	g_assert_nonnull(fz_dir);
	atexit(fz_cleanup);
	char *dir = g_build_filename(VIGIE_SRCDIR, "signatures", "intent", NULL);
	fz_bundled = intent_engine_load_dir(dir, NULL, NULL, NULL);
	g_assert_nonnull(fz_bundled);
	g_free(dir);
}

static void fz_rules(const uint8_t *data, size_t size)
{
	char *path = g_build_filename(fz_dir, "r.txt", NULL);
	g_assert_true(g_file_set_contents(path, (const char *)data, (gssize)size, NULL));
	GError *err = NULL;
	intent_engine *ie = intent_engine_load_dir(fz_dir, NULL, NULL, &err);
	fuzz_check_load(ie != NULL, err, path);
	intent_engine_free(ie);
	g_unlink(path);
	g_free(path);
}

static void fz_model(const uint8_t *data, size_t size)
{
	char *path = g_build_filename(fz_dir, "m.model", NULL);
	g_assert_true(g_file_set_contents(path, (const char *)data, (gssize)size, NULL));
	GError *err = NULL;
	intent_model *im = intent_model_load(path, &err);
	fuzz_check_load(im != NULL, err, path);
	intent_model_free(im);
	g_unlink(path);
	g_free(path);
}

static void fz_features(const vigie_message *m)
{
	GPtrArray *f = intent_model_features(m, 65536);
	for (guint i = 0; i < f->len; i++) {
		const char *w = g_ptr_array_index(f, i);
		int words = 1;
		for (const char *p = w; *p; p++) {
			if (*p == ' ')
				words++;
			else if (*p < 'a' || *p > 'z')
				abort();
		}
		if (words > 2 || strlen(w) < 2)
			abort();
	}
	g_ptr_array_unref(f);
}

static void fz_text(const uint8_t *data, size_t size)
{
	vigie_message *m = message_new(VIGIE_CHANNEL_CHAT);
	message_add_text(m, VIGIE_TEXT_CHAT, utf8_sanitize((const char *)data, (gssize)size), NULL, "text");
	vigie_verdict *v = verdict_new(VIGIE_CHANNEL_CHAT);
	scan_ctx *sc = scan_ctx_new(m, NULL);
	g_assert_true(intent_scan(fz_bundled, sc, size % 2 ? "inbound" : "internal", 400, v, NULL));
	scan_ctx_free(sc);
	for (guint i = 0; i < v->findings->len; i++) {
		const vigie_finding *f = g_ptr_array_index(v->findings, i);
		fuzz_check_str(f->evidence);
		fuzz_check_str(f->where);
	}
	fz_features(m);
	vigie_verdict_free(v);
	vigie_message_free(m);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (!fz_dir)
		fz_init();
	if (size > 0 && data[0] == 'R')
		fz_rules(data + 1, size - 1);
	else if (size > 0 && data[0] == 'M')
		fz_model(data + 1, size - 1);
	else
		fz_text(data, size);
	return 0;
}
