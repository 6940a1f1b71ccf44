/* fuzz_html.c - fuzz target: bytes -> html_reduce_facts (gumbo tree walk) */
#include "internal.h"
#include "fuzz.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	GString *text = g_string_new(NULL);
	GPtrArray *links = g_ptr_array_new_with_free_func(link_free);
	html_facts facts;
	html_reduce_facts((const char *)data, size, text, links, &facts);
	fuzz_check_str(text->str);
	g_assert_cmpuint(facts.shown + facts.hidden, <=, size);
	for (guint i = 0; i < links->len; i++) {
		const vigie_link *l = g_ptr_array_index(links, i);
		fuzz_check_str(l->href);
		fuzz_check_str(l->text);
	}
	g_ptr_array_unref(links);
	g_string_free(text, TRUE);
	return 0;
}
