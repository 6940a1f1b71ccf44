/* fuzz_attach_image.c - fuzz target for the attachment content analyser:
 * PNG, JPEG, GIF and WebP bytes through attach_image_decode and, when they decode, libzbar
 * (attach_qr_scan), under small limits (4 Mpixels, 5 pages, 1 rendered at 72 dpi, 1 MB inflated, 2
 * s). Checks: every text, link and QR payload the decoder reports is valid UTF-8, and a file is
 * either read, refused by a limit or reported undecodable.
 */
#include "attach.h"
#include "fuzz.h"

static void fz_check(const attach_out *o)
{
	fuzz_check_str(o->text->str);
	for (guint i = 0; i < o->links->len; i++) {
		const vigie_link *l = g_ptr_array_index(o->links, i);
		fuzz_check_str(l->href);
		fuzz_check_str(l->text);
	}
	for (guint i = 0; i < o->qr->len; i++)
		fuzz_check_str(g_ptr_array_index(o->qr, i));
	if (o->limit)
		fuzz_check_str(o->limit_detail);
	if (o->error)
		g_assert_true(o->error[0] != '\0');
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	attach_limits l;
	attach_limits_default(&l);
	l.max_pixels = 4000000;
	l.max_pages = 5;
	l.render_pages = 1;
	l.render_dpi = 72;
	l.max_inflate = 1 << 20;
	attach_out *o = attach_out_new(g_get_monotonic_time() + 2 * G_USEC_PER_SEC);
	attach_grey g;
	if (attach_image_decode(data, size, l.max_pixels, &g, o)) {
		g_assert_true(g.width > 0 && g.height > 0);
		g_assert_true((gsize)g.width * g.height <= l.max_pixels);
		attach_qr_scan(&g, o);
		g_free(g.pixels);
	} else {
		g_assert_true(o->error || o->limit);
	}
	fz_check(o);
	attach_out_free(o);
	return 0;
}
