/* fuzz_milter_buf.c - fuzz target: the milter's message assembly
 * (milter/milter_buf.c). The input drives it: byte 0 picks the spill size
 * (0-255 bytes, so most inputs spill to the private file), then each
 * chunk is one length byte and that many bytes. Whatever the chunking,
 * milter_buf_bytes gives back exactly the bytes appended. */
#include "fuzz.h"
#include "milter_buf.h"

#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (size < 1)
		return 0;
	gsize spill = data[0];
	milter_buf *b = milter_buf_new(spill, g_get_tmp_dir());
	GByteArray *want = g_byte_array_new();
	size_t i = 1;
	while (i < size) {
		size_t n = MIN((size_t)data[i], size - i - 1);
		i++;
		GError *err = NULL;
		g_assert(milter_buf_append(b, data + i, n, &err));
		g_assert_null(err);
		g_byte_array_append(want, data + i, (guint)n);
		i += n;
		g_assert_cmpuint(milter_buf_len(b), ==, want->len);
		g_assert(milter_buf_spilled(b) == (want->len > spill));
	}
	GError *err = NULL;
	GBytes *got = milter_buf_bytes(b, &err);
	g_assert(got);
	gsize len;
	const void *p = g_bytes_get_data(got, &len);
	g_assert_cmpuint(len, ==, want->len);
	g_assert(len == 0 || memcmp(p, want->data, len) == 0);
	milter_buf_free(b);
	g_byte_array_unref(want);
	return 0;
}
