/* fuzz_structure.c - fuzz target for the structure analyser's two parsers
 * of outside input: the weights loader (first byte 'R': the rest is a
 * weights file) and the walk of a mail's form (anything else: the bytes are
 * a mail, parsed with vigie_message_from_mime and checked by structure_scan
 * with the bundled weights; html_reduce_facts runs on its HTML bodies).
 * Checks: a load either succeeds or names the file; every finding is a
 * structure rule with valid UTF-8 evidence, reported at most once.
 */
#include "fuzz.h"
#include "internal.h"

#include <glib/gstdio.h>
#include <stdlib.h>
#include <string.h>

static char *fz_dir;
static structure_engine *fz_bundled;

static void fz_cleanup(void)
{
	g_rmdir(fz_dir);
	g_free(fz_dir);
	fz_dir = NULL;
	structure_engine_free(fz_bundled);
}

static void fz_init(void)
{
	g_assert_true(vigie_global_init(NULL));
	fz_dir = g_dir_make_tmp("vigie-fuzz-structure-XXXXXX", NULL);
	g_assert_nonnull(fz_dir);
	atexit(fz_cleanup);
	char *path =
	    g_build_filename(VIGIE_SRCDIR, "signatures", "structure", "weights.conf", NULL);
	fz_bundled = structure_engine_load_file(path, NULL);
	g_assert_nonnull(fz_bundled);
	g_free(path);
}

static void fz_weights(const uint8_t *data, size_t size)
{
	char *path = g_build_filename(fz_dir, "weights.conf", NULL);
	g_assert_true(g_file_set_contents(path, (const char *)data, (gssize)size, NULL));
	GError *err = NULL;
	structure_engine *s = structure_engine_load_file(path, &err);
	fuzz_check_load(s != NULL, err, path);
	structure_engine_free(s);
	g_unlink(path);
	g_free(path);
}

static void fz_mail(const uint8_t *data, size_t size)
{
	vigie_message *m = vigie_message_from_mime(data, size, NULL, NULL);
	if (!m)
		return;
	vigie_verdict *v = verdict_new(VIGIE_CHANNEL_MAIL);
	g_assert_true(structure_scan(fz_bundled, m, v, NULL));
	GHashTable *seen = g_hash_table_new(g_str_hash, g_str_equal);
	for (guint i = 0; i < v->findings->len; i++) {
		const vigie_finding *f = g_ptr_array_index(v->findings, i);
		g_assert_true(g_str_has_prefix(f->rule, "structure."));
		g_assert_true(g_hash_table_add(seen, f->rule));
		fuzz_check_str(f->evidence);
		fuzz_check_str(f->where);
	}
	g_hash_table_unref(seen);
	vigie_verdict_free(v);
	vigie_message_free(m);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (!fz_dir)
		fz_init();
	if (size > 0 && data[0] == 'R')
		fz_weights(data + 1, size - 1);
	else
		fz_mail(data, size);
	return 0;
}
