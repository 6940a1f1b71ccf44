/* fuzz_html.c - fuzz target: bytes -> html_reduce (gumbo tree walk) */
#include "internal.h"
#include "fuzz.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	GString *text = g_string_new(NULL);
	GPtrArray *links = g_ptr_array_new_with_free_func(link_free);
	html_reduce((const char *)data, size, text, links);
	fuzz_check_str(text->str);
	for (guint i = 0; i < links->len; i++) {
		const vigie_link *l = g_ptr_array_index(links, i);
		fuzz_check_str(l->href);
		fuzz_check_str(l->text);
	}
	g_ptr_array_unref(links);
	g_string_free(text, TRUE);
	return 0;
}
