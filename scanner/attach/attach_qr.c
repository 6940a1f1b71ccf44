/* attach_qr.c - QR codes and barcodes in a grey image, with libzbar
 *
 * Interface (attach.h): attach_qr_scan. Symbologies read: QR code (the
 * carrier of "quishing" links) and Code 128 (the linear code that can hold
 * a URL); the EAN/UPC family is left off, since product codes say nothing
 * here and short linear codes are where noise decodes falsely.
 *
 * SECURITY: the payload is the sender's; it is kept as valid UTF-8 and
 * bounded (4 KB per symbol, 16 symbols per image); the image size was
 * bounded by the decoder (attach_image.c, attach_pdf.c).
 */
#include "attach.h"

#include <string.h>
#include <zbar.h>

#define QR_MAX_SYMBOLS 16
#define QR_MAX_PAYLOAD 4096
#define QR_DENSE_PIXELS 500000

/* attach_qr_scan - see attach.h */
unsigned attach_qr_scan(const attach_grey *g, attach_out *o)
{
	if (!g->pixels || !g->width || !g->height)
		return 0;
	zbar_image_scanner_t *s = zbar_image_scanner_create();
	zbar_image_scanner_set_config(s, ZBAR_NONE, ZBAR_CFG_ENABLE, 0);
	zbar_image_scanner_set_config(s, ZBAR_QRCODE, ZBAR_CFG_ENABLE, 1);
	zbar_image_scanner_set_config(s, ZBAR_CODE128, ZBAR_CFG_ENABLE, 1);
	/* past QR_DENSE_PIXELS, every other scan line: a code large enough to
	 * matter still crosses many, and the cost halves */
	if ((gsize)g->width * g->height > QR_DENSE_PIXELS) {
		zbar_image_scanner_set_config(s, ZBAR_NONE, ZBAR_CFG_X_DENSITY, 2);
		zbar_image_scanner_set_config(s, ZBAR_NONE, ZBAR_CFG_Y_DENSITY, 2);
	}
	zbar_image_t *img = zbar_image_create();
	zbar_image_set_format(img, zbar_fourcc('Y', '8', '0', '0'));
	zbar_image_set_size(img, g->width, g->height);
	zbar_image_set_data(img, g->pixels, (unsigned long)g->width * g->height, NULL);
	unsigned found = 0;
	if (zbar_scan_image(s, img) > 0) {
		for (const zbar_symbol_t *sym = zbar_image_first_symbol(img);
		     sym && found < QR_MAX_SYMBOLS; sym = zbar_symbol_next(sym)) {
			unsigned len = zbar_symbol_get_data_length(sym);
			const char *data = zbar_symbol_get_data(sym);
			if (!data || !len)
				continue;
			char *p = utf8_sanitize(data, MIN(len, QR_MAX_PAYLOAD));
			/* the same code seen twice (a page rendered, an image twice) counts once */
			bool seen = false;
			for (guint i = 0; i < o->qr->len && !seen; i++)
				seen = !strcmp(g_ptr_array_index(o->qr, i), p);
			if (seen) {
				g_free(p);
				continue;
			}
			g_ptr_array_add(o->qr, p);
			found++;
		}
	}
	zbar_image_destroy(img);
	zbar_image_scanner_destroy(s);
	return found;
}
