/* fuzz_phone.c - fuzz target for the phone number extraction
 * (scanner/phone/phone_extract.c): the bytes, made valid UTF-8 as every
 * text of a message is, read with the national forms of France, the UK
 * and North America in turn (the first byte picks which).
 * Checks: every number is "+" and 8 to 15 digits, its written form valid
 * UTF-8, none is reported twice, at most max are.
 */
#include "fuzz.h"
#include "phone.h"

#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const char *const ccs[] = {"33", "44", "1"};
	const char *cc = ccs[size ? data[0] % 3 : 0];
	char *text = utf8_sanitize((const char *)data, (gssize)size);
	GPtrArray *out = g_ptr_array_new_with_free_func(phone_found_free);
	phone_extract(text, cc, out, 20);
	g_assert_cmpuint(out->len, <=, 20);
	for (guint i = 0; i < out->len; i++) {
		const phone_found *f = g_ptr_array_index(out, i);
		size_t n = strlen(f->e164);
		g_assert_true(f->e164[0] == '+' && n >= 9 && n <= 16);
		for (size_t k = 1; k < n; k++)
			g_assert_true(g_ascii_isdigit(f->e164[k]));
		fuzz_check_str(f->written);
		for (guint j = 0; j < i; j++)
			g_assert_cmpstr(((phone_found *)g_ptr_array_index(out, j))->e164, !=,
					f->e164);
	}
	g_ptr_array_unref(out);
	g_free(text);
	return 0;
}
