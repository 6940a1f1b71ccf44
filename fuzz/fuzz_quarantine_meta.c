/* fuzz_quarantine_meta.c - fuzz target: bytes as a quarantine item's
 * metadata, QDIR/new/ID.json -> vigie_quarantine_get (the reader behind
 * `vigie quarantine list` and `show`). An item comes back with every
 * field set and valid UTF-8, or an error. */
#include "fuzz.h"

#include <unistd.h>

#define FUZZ_ID "20261127T204800Z-0123456789abcdef"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static vigie_quarantine *q;
	static char *meta;
	if (!q) {
		char *dir = g_dir_make_tmp("vigie-fuzz-q.XXXXXX", NULL);
		g_assert(dir);
		q = vigie_quarantine_open(dir, NULL);
		g_assert(q);
		char *nd = g_build_filename(dir, "new", NULL);
		g_mkdir_with_parents(nd, 0700);
		meta = g_strdup_printf("%s/" FUZZ_ID ".json", nd);
		g_free(nd);
		g_free(dir);
	}
	g_assert(g_file_set_contents(meta, (const char *)data, (gssize)size, NULL));
	GError *err = NULL;
	vigie_qitem *it = vigie_quarantine_get(q, FUZZ_ID, &err);
	if (it) {
		g_assert_null(err);
		const char *fields[] = {it->id,		it->time,   it->state,	    it->channel,
					it->action,	it->sender, it->recipients, it->subject,
					it->categories, it->rules,  it->folder};
		for (size_t i = 0; i < G_N_ELEMENTS(fields); i++)
			fuzz_check_str(fields[i]);
		vigie_qitem_free(it);
	} else {
		g_assert_nonnull(err);
		g_error_free(err);
	}
	return 0;
}
