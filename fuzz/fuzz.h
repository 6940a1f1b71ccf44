/* fuzz.h - shared by the fuzz targets: a check that walks a message and
 * asserts the model's invariants (every string valid UTF-8, no NULL where
 * the header promises a value). */
#ifndef VIGIE_FUZZ_H
#define VIGIE_FUZZ_H

#include "vigie.h"

#include <stdint.h>
#include <stddef.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* fuzz_check_load - a rule-file load either succeeded (no error) or
 * failed with an error that names the file; err is freed */
static inline void fuzz_check_load(bool loaded, GError *err, const char *path)
{
	if (loaded) {
		g_assert_null(err);
		return;
	}
	g_assert_nonnull(err);
	g_assert_true(g_str_has_prefix(err->message, path));
	g_error_free(err);
}

static inline void fuzz_check_str(const char *s)
{
	g_assert(s != NULL);
	g_assert(g_utf8_validate(s, -1, NULL));
}

static inline void fuzz_check_message(const vigie_message *m)
{
	for (guint i = 0; i < m->headers->len; i++) {
		const vigie_header *h = g_ptr_array_index(m->headers, i);
		fuzz_check_str(h->name);
		fuzz_check_str(h->value);
	}
	for (guint i = 0; i < m->texts->len; i++) {
		const vigie_text *t = g_ptr_array_index(m->texts, i);
		fuzz_check_str(t->text);
		fuzz_check_str(t->where);
		for (guint j = 0; j < t->links->len; j++) {
			const vigie_link *l = g_ptr_array_index(t->links, j);
			fuzz_check_str(l->href);
			fuzz_check_str(l->text);
			fuzz_check_str(l->tag);
		}
	}
	for (guint i = 0; i < m->attachments->len; i++) {
		const vigie_attachment *a = g_ptr_array_index(m->attachments, i);
		if (a->name)
			fuzz_check_str(a->name);
		if (a->data)
			g_assert(a->sniffed_type != NULL);
	}
	for (guint i = 0; i < m->problems->len; i++)
		fuzz_check_str(g_ptr_array_index(m->problems, i));
}

#endif
