/* fuzz_lexicon.c - fuzz target for the lexicon analyser's two parsers of
 * outside input: the rule-file loader (first byte 'R': the rest is a rule
 * file) and the text normaliser + matcher (anything else: the bytes are a
 * message text, normalised and matched against the bundled lexicons).
 * Checks: a load either succeeds or names file:line; the normalised text is
 * valid UTF-8 and its map stays inside the original; evidence is valid
 * UTF-8; the literal prefilter changes nothing: the same findings come out
 * with it and without it (every program on every text), for the bundled
 * lexicons on the text, and for a loaded rule file on its own bytes.
 */
#include "fuzz.h"
#include "lexicon.h"

#include <glib/gstdio.h>
#include <stdlib.h>
#include <string.h>

static char *fz_dir;
static lexicon_engine *fz_bundled;
static lexicon_engine *fz_bundled_all; /* without the prefilter */
static vigie_config *fz_config;

static void fz_cleanup(void)
{
	g_rmdir(fz_dir);
	g_free(fz_dir);
	fz_dir = NULL;
	lexicon_engine_free(fz_bundled);
	lexicon_engine_free(fz_bundled_all);
	vigie_config_free(fz_config);
}

static void fz_init(void)
{
	fz_dir = g_dir_make_tmp("vigie-fuzz-lexicon-XXXXXX", NULL);
	g_assert_nonnull(fz_dir);
	atexit(fz_cleanup);
	char *conf = g_build_filename(VIGIE_SRCDIR, "etc", "vigie.conf", NULL);
	fz_config = vigie_config_load(conf, NULL);
	g_assert_nonnull(fz_config);
	g_free(conf);
	char *dir = g_build_filename(VIGIE_SRCDIR, "signatures", "lexicons", NULL);
	fz_bundled = lexicon_engine_load_dir(dir, NULL, NULL);
	g_assert_nonnull(fz_bundled);
	fz_bundled_all = lexicon_engine_load_dir_prefilter(dir, NULL, false, NULL, NULL);
	g_assert_nonnull(fz_bundled_all);
	g_free(dir);
}

/* fz_findings - l's findings on text, as one string; caller g_free */
static char *fz_findings(const lexicon_engine *l, const char *text)
{
	vigie_message *m = message_new(VIGIE_CHANNEL_CHAT);
	message_add_text(m, VIGIE_TEXT_CHAT, g_strdup(text), NULL, "text");
	vigie_verdict *v = verdict_new(VIGIE_CHANNEL_CHAT);
	scan_ctx *sc = scan_ctx_new(m, NULL);
	g_assert_true(lexicon_scan(l, sc, (gsize)vigie_config_get_int(fz_config, "lexicon", "short_text"), v, NULL));
	scan_ctx_free(sc);
	GString *s = g_string_new(NULL);
	for (guint i = 0; i < v->findings->len; i++) {
		const vigie_finding *f = g_ptr_array_index(v->findings, i);
		fuzz_check_str(f->evidence);
		g_string_append_printf(s, "%s=%d[%s] ", f->rule, f->weight, f->evidence);
	}
	vigie_verdict_free(v);
	vigie_message_free(m);
	return g_string_free(s, FALSE);
}

/* fz_same - l and all (its rules without the prefilter) find the same */
static void fz_same(const lexicon_engine *l, const lexicon_engine *all, const char *text)
{
	char *a = fz_findings(l, text), *b = fz_findings(all, text);
	g_assert_cmpstr(a, ==, b);
	g_free(a);
	g_free(b);
}

static void fz_rules(const uint8_t *data, size_t size)
{
	char *path = g_build_filename(fz_dir, "r.txt", NULL);
	g_assert_true(g_file_set_contents(path, (const char *)data, (gssize)size, NULL));
	GError *err = NULL;
	lexicon_engine *l = lexicon_engine_load_dir(fz_dir, NULL, &err);
	fuzz_check_load(l != NULL, err, path);
	if (l) {
		lexicon_engine *all =
		    lexicon_engine_load_dir_prefilter(fz_dir, NULL, false, NULL, NULL);
		g_assert_nonnull(all);
		char *text = utf8_sanitize((const char *)data, (gssize)size);
		fz_same(l, all, text);
		g_free(text);
		lexicon_engine_free(all);
	}
	lexicon_engine_free(l);
	g_unlink(path);
	g_free(path);
}

static void fz_text(const uint8_t *data, size_t size)
{
	textnorm *t = textnorm_new((const char *)data, (gssize)size);
	g_assert_true(g_utf8_validate(t->text, (gssize)t->len, NULL));
	g_assert_cmpuint(strlen(t->text), ==, t->len);
	g_assert_cmpuint(t->map[t->len], ==, size);
	for (gsize i = 0; i < t->len; i++)
		g_assert_cmpuint(t->map[i], <, size);
	char *o = textnorm_original(t, t->len / 3, t->len);
	g_assert_true(g_utf8_validate(o, -1, NULL));
	g_free(o);
	textnorm_free(t);

	char *text = utf8_sanitize((const char *)data, (gssize)size);
	fz_same(fz_bundled, fz_bundled_all, text);
	g_free(text);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (!fz_dir)
		fz_init();
	if (size > 0 && data[0] == 'R')
		fz_rules(data + 1, size - 1);
	else
		fz_text(data, size);
	return 0;
}
