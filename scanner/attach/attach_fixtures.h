/* attach_fixtures.h - files the attachment tests make at run time: QR codes
 * (libqrencode) drawn into PNG, JPEG and GIF images, PDFs drawn with cairo
 * (text, a link annotation, a page that is one QR picture) or written by
 * hand (a JavaScript open action and a form, 10,000 pages), a docx with a
 * hyperlink, and hostile files (a truncated PNG, a 50,000 x 50,000 PNG
 * header, a zip bomb of XML). Tests, fuzz seeds and the bench only.
 */
#ifndef VIGIE_ATTACH_FIXTURES_H
#define VIGIE_ATTACH_FIXTURES_H

#include <cairo-pdf.h>
#include <cairo.h>
#include <gif_lib.h>
#include <glib.h>
#include <png.h>
#include <qrencode.h>
#include <stdio.h>
#include <string.h>
#include <zip.h>
#include <zlib.h>

#include <jpeglib.h>
#include <webp/encode.h>

/* a grey picture: 0 black, 255 white */
typedef struct {
	guint8 *px;
	unsigned w, h;
} fx_grey;

/* fx_qr - text as a QR code, scale pixels a module, a 4-module white
 * margin; rotated a quarter turn when rotate */
static inline fx_grey fx_qr(const char *text, unsigned scale, bool rotate)
{
	QRcode *q = QRcode_encodeString(text, 0, QR_ECLEVEL_M, QR_MODE_8, 1);
	g_assert_nonnull(q);
	unsigned n = (unsigned)q->width, side = (n + 8) * scale;
	fx_grey g = {g_malloc(side * side), side, side};
	memset(g.px, 255, side * side);
	for (unsigned y = 0; y < n; y++)
		for (unsigned x = 0; x < n; x++)
			if (q->data[y * n + x] & 1)
				for (unsigned dy = 0; dy < scale; dy++)
					for (unsigned dx = 0; dx < scale; dx++) {
						unsigned py = (y + 4) * scale + dy,
							 pxl = (x + 4) * scale + dx;
						if (rotate)
							g.px[pxl * side + (side - 1 - py)] = 0;
						else
							g.px[py * side + pxl] = 0;
					}
	QRcode_free(q);
	return g;
}

/* fx_png - g as a grey PNG */
static inline GBytes *fx_png(const fx_grey *g)
{
	png_image img;
	memset(&img, 0, sizeof img);
	img.version = PNG_IMAGE_VERSION;
	img.width = g->w;
	img.height = g->h;
	img.format = PNG_FORMAT_GRAY;
	png_alloc_size_t size = 0;
	g_assert_true(png_image_write_to_memory(&img, NULL, &size, 0, g->px, 0, NULL));
	void *buf = g_malloc(size);
	g_assert_true(png_image_write_to_memory(&img, buf, &size, 0, g->px, 0, NULL));
	return g_bytes_new_take(buf, size);
}

/* fx_jpeg - g as a grey JPEG of quality 85 */
static inline GBytes *fx_jpeg(const fx_grey *g)
{
	struct jpeg_compress_struct ci;
	struct jpeg_error_mgr jerr;
	ci.err = jpeg_std_error(&jerr);
	jpeg_create_compress(&ci);
	unsigned char *buf = NULL;
	unsigned long size = 0;
	jpeg_mem_dest(&ci, &buf, &size);
	ci.image_width = g->w;
	ci.image_height = g->h;
	ci.input_components = 1;
	ci.in_color_space = JCS_GRAYSCALE;
	jpeg_set_defaults(&ci);
	jpeg_set_quality(&ci, 85, TRUE);
	jpeg_start_compress(&ci, TRUE);
	while (ci.next_scanline < ci.image_height) {
		JSAMPROW row = g->px + (gsize)ci.next_scanline * g->w;
		jpeg_write_scanlines(&ci, &row, 1);
	}
	jpeg_finish_compress(&ci);
	jpeg_destroy_compress(&ci);
	GBytes *b = g_bytes_new(buf, size);
	free(buf);
	return b;
}

/* fx_webp - g as a lossless WebP */
static inline GBytes *fx_webp(const fx_grey *g)
{
	guint8 *rgb = g_malloc((gsize)g->w * g->h * 3);
	for (gsize i = 0; i < (gsize)g->w * g->h; i++)
		rgb[3 * i] = rgb[3 * i + 1] = rgb[3 * i + 2] = g->px[i];
	uint8_t *out = NULL;
	size_t n = WebPEncodeLosslessRGB(rgb, (int)g->w, (int)g->h, (int)g->w * 3, &out);
	g_assert_cmpuint(n, >, 0);
	GBytes *b = g_bytes_new(out, n);
	WebPFree(out);
	g_free(rgb);
	return b;
}

static inline int fx_gif_write(GifFileType *f, const GifByteType *d, int n)
{
	g_byte_array_append(f->UserData, d, (guint)n);
	return n;
}

/* fx_gif - g as a two-colour GIF */
static inline GBytes *fx_gif(const fx_grey *g)
{
	GByteArray *out = g_byte_array_new();
	int err = 0;
	GifFileType *f = EGifOpen(out, fx_gif_write, &err);
	g_assert_nonnull(f);
	GifColorType colours[2] = {{0, 0, 0}, {255, 255, 255}};
	ColorMapObject *cm = GifMakeMapObject(2, colours);
	EGifSetGifVersion(f, true);
	g_assert_cmpint(EGifPutScreenDesc(f, (int)g->w, (int)g->h, 1, 1, cm), ==, GIF_OK);
	g_assert_cmpint(EGifPutImageDesc(f, 0, 0, (int)g->w, (int)g->h, false, NULL), ==, GIF_OK);
	GifPixelType *row = g_malloc(g->w);
	for (unsigned y = 0; y < g->h; y++) {
		for (unsigned x = 0; x < g->w; x++)
			row[x] = g->px[y * g->w + x] > 127;
		g_assert_cmpint(EGifPutLine(f, row, (int)g->w), ==, GIF_OK);
	}
	g_free(row);
	EGifCloseFile(f, &err);
	GifFreeMapObject(cm);
	return g_byte_array_free_to_bytes(out);
}

static inline cairo_status_t fx_pdf_write(void *closure, const unsigned char *d, unsigned int n)
{
	g_byte_array_append(closure, d, n);
	return CAIRO_STATUS_SUCCESS;
}

/* fx_pdf - an A4 PDF drawn with cairo: text lines, then a link of visible
 * text link_text to uri (NULL: none), then the QR picture qr (NULL: none) */
static inline GBytes *fx_pdf(const char *const *lines, const char *uri, const char *link_text,
			     const fx_grey *qr)
{
	GByteArray *out = g_byte_array_new();
	cairo_surface_t *s = cairo_pdf_surface_create_for_stream(fx_pdf_write, out, 595, 842);
	cairo_t *cr = cairo_create(s);
	cairo_set_source_rgb(cr, 0, 0, 0);
	cairo_select_font_face(cr, "sans-serif", CAIRO_FONT_SLANT_NORMAL, CAIRO_FONT_WEIGHT_NORMAL);
	cairo_set_font_size(cr, 12);
	double y = 60;
	for (const char *const *l = lines; l && *l; l++, y += 16) {
		cairo_move_to(cr, 50, y);
		cairo_show_text(cr, *l);
	}
	if (uri) {
		char *attr = g_strdup_printf("uri='%s'", uri);
		cairo_tag_begin(cr, CAIRO_TAG_LINK, attr);
		cairo_move_to(cr, 50, y + 20);
		cairo_show_text(cr, link_text);
		cairo_tag_end(cr, CAIRO_TAG_LINK);
		g_free(attr);
		y += 40;
	}
	if (qr) {
		cairo_surface_t *img =
		    cairo_image_surface_create(CAIRO_FORMAT_RGB24, (int)qr->w, (int)qr->h);
		guint8 *d = cairo_image_surface_get_data(img);
		int stride = cairo_image_surface_get_stride(img);
		for (unsigned r = 0; r < qr->h; r++)
			for (unsigned c = 0; c < qr->w; c++) {
				guint8 v = qr->px[r * qr->w + c];
				((guint32 *)(d + (gsize)r * stride))[c] =
				    0xff000000u | v << 16 | v << 8 | v;
			}
		cairo_surface_mark_dirty(img);
		cairo_save(cr);
		cairo_translate(cr, 100, y + 20);
		cairo_scale(cr, 200.0 / qr->w, 200.0 / qr->h); /* 200 pt wide, about 7 cm */
		cairo_set_source_surface(cr, img, 0, 0);
		cairo_pattern_set_filter(cairo_get_source(cr), CAIRO_FILTER_NEAREST);
		cairo_paint(cr);
		cairo_restore(cr);
		cairo_surface_destroy(img);
	}
	cairo_show_page(cr);
	cairo_destroy(cr);
	cairo_surface_finish(s);
	cairo_surface_destroy(s);
	return g_byte_array_free_to_bytes(out);
}

/* fx_pdf_objects - a PDF from its numbered objects (1..n, the body of each
 * "N 0 obj ... endobj"), with a correct cross-reference table; object 1 is
 * the catalogue */
static inline GBytes *fx_pdf_objects(const char *const *objs, unsigned n)
{
	GString *s = g_string_new("%PDF-1.7\n%\xe2\xe3\xcf\xd3\n");
	gsize *off = g_new(gsize, n + 1);
	for (unsigned i = 0; i < n; i++) {
		off[i] = s->len;
		g_string_append_printf(s, "%u 0 obj\n%s\nendobj\n", i + 1, objs[i]);
	}
	gsize xref = s->len;
	g_string_append_printf(s, "xref\n0 %u\n0000000000 65535 f \n", n + 1);
	for (unsigned i = 0; i < n; i++)
		g_string_append_printf(s, "%010" G_GSIZE_FORMAT " 00000 n \n", off[i]);
	g_string_append_printf(
	    s, "trailer\n<< /Size %u /Root 1 0 R >>\nstartxref\n%" G_GSIZE_FORMAT "\n%%%%EOF\n",
	    n + 1, xref);
	g_free(off);
	return g_string_free_to_bytes(s);
}

/* fx_pdf_active - one page with text, a JavaScript open action, a form
 * field and a launch action on a link */
static inline GBytes *fx_pdf_active(void)
{
	static const char *const o[] = {
	    "<< /Type /Catalog /Pages 2 0 R /OpenAction 5 0 R /AcroForm << /Fields [6 0 R] >> >>",
	    "<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
	    "<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Contents 4 0 R "
	    "/Resources << /Font << /F1 << /Type /Font /Subtype /Type1 /BaseFont /Helvetica >> >> "
	    ">> "
	    "/Annots [6 0 R 7 0 R] >>",
	    "<< /Length 60 >>\nstream\nBT /F1 12 Tf 50 780 Td (Please enable content to view) Tj "
	    "ET\nendstream",
	    "<< /S /JavaScript /JS (app.alert\\('hello'\\);) >>",
	    "<< /Type /Annot /Subtype /Widget /FT /Tx /T (name) /Rect [50 700 250 720] /P 3 0 R >>",
	    "<< /Type /Annot /Subtype /Link /Rect [50 600 250 620] /A << /S /Launch /F (cmd.exe) "
	    ">> >>",
	};
	return fx_pdf_objects(o, G_N_ELEMENTS(o));
}

/* fx_pdf_pages - a PDF of n empty pages */
static inline GBytes *fx_pdf_pages(unsigned n)
{
	GPtrArray *o = g_ptr_array_new_with_free_func(g_free);
	g_ptr_array_add(o, g_strdup("<< /Type /Catalog /Pages 2 0 R >>"));
	GString *kids = g_string_new("<< /Type /Pages /Kids [");
	for (unsigned i = 0; i < n; i++)
		g_string_append_printf(kids, "%u 0 R ", i + 3);
	g_string_append_printf(kids, "] /Count %u >>", n);
	g_ptr_array_add(o, g_string_free(kids, FALSE));
	for (unsigned i = 0; i < n; i++)
		g_ptr_array_add(
		    o, g_strdup("<< /Type /Page /Parent 2 0 R /MediaBox [0 0 200 200] >>"));
	GBytes *b = fx_pdf_objects((const char *const *)o->pdata, o->len);
	g_ptr_array_unref(o);
	return b;
}

/* fx_zip - a zip of (name, content) pairs, deflated, built in memory */
static inline GBytes *fx_zip(const char *const *entries, const gsize *sizes, unsigned n)
{
	zip_error_t ze;
	zip_error_init(&ze);
	zip_source_t *src = zip_source_buffer_create(NULL, 0, 0, &ze);
	zip_source_keep(src);
	zip_t *z = zip_open_from_source(src, ZIP_TRUNCATE, &ze);
	g_assert_nonnull(z);
	for (unsigned i = 0; i < n; i++) {
		gsize len = sizes && sizes[i] ? sizes[i] : strlen(entries[2 * i + 1]);
		zip_source_t *e = zip_source_buffer(z, entries[2 * i + 1], len, 0);
		g_assert_cmpint(zip_file_add(z, entries[2 * i], e, ZIP_FL_ENC_UTF_8), >=, 0);
	}
	g_assert_cmpint(zip_close(z), ==, 0);
	g_assert_cmpint(zip_source_open(src), ==, 0);
	zip_source_seek(src, 0, SEEK_END);
	zip_int64_t size = zip_source_tell(src);
	zip_source_seek(src, 0, SEEK_SET);
	guint8 *buf = g_malloc((gsize)size);
	g_assert_cmpint(zip_source_read(src, buf, (zip_uint64_t)size), ==, size);
	zip_source_close(src);
	zip_source_free(src);
	zip_error_fini(&ze);
	return g_bytes_new_take(buf, (gsize)size);
}

#define FX_CT                                                                                      \
	"<?xml version=\"1.0\"?><Types "                                                           \
	"xmlns=\"http://schemas.openxmlformats.org/package/2006/content-types\"/>"

/* fx_docx - a Word file whose text is body and which links to url */
static inline GBytes *fx_docx(const char *body, const char *url)
{
	char *doc = g_strdup_printf(
	    "<?xml version=\"1.0\" encoding=\"UTF-8\"?><w:document "
	    "xmlns:w=\"http://schemas.openxmlformats.org/wordprocessingml/2006/main\" "
	    "xmlns:r=\"http://schemas.openxmlformats.org/officeDocument/2006/"
	    "relationships\"><w:body>"
	    "<w:p><w:r><w:t>%s</w:t></w:r></w:p><w:p><w:hyperlink r:id=\"rId9\"><w:r><w:t>Open the "
	    "invoice</w:t></w:r></w:hyperlink></w:p></w:body></w:document>",
	    body);
	char *rels = g_strdup_printf(
	    "<?xml version=\"1.0\"?><Relationships "
	    "xmlns=\"http://schemas.openxmlformats.org/package/2006/relationships\"><Relationship "
	    "Id=\"rId9\" "
	    "Type=\"http://schemas.openxmlformats.org/officeDocument/2006/relationships/"
	    "hyperlink\" Target=\"%s\" TargetMode=\"External\"/></Relationships>",
	    url);
	const char *e[] = {"[Content_Types].xml",	   FX_CT, "word/document.xml", doc,
			   "word/_rels/document.xml.rels", rels};
	GBytes *b = fx_zip(e, NULL, 3);
	g_free(doc);
	g_free(rels);
	return b;
}

/* fx_docx_picture - a Word file of one line of text and one picture, png */
static inline GBytes *fx_docx_picture(const char *body, GBytes *png)
{
	char *doc = g_strdup_printf(
	    "<?xml version=\"1.0\"?><w:document xmlns:w=\"http://schemas.openxmlformats.org/"
	    "wordprocessingml/2006/main\"><w:body><w:p><w:r><w:t>%s</w:t></w:r></w:p></w:body></"
	    "w:document>",
	    body);
	gsize n;
	const char *d = g_bytes_get_data(png, &n);
	const char *e[] = {"[Content_Types].xml",   FX_CT, "word/document.xml", doc,
			   "word/media/image1.png", d};
	gsize sizes[] = {0, 0, n};
	GBytes *b = fx_zip(e, sizes, 3);
	g_free(doc);
	return b;
}

/* fx_docx_bomb - a docx whose document.xml inflates to mb megabytes */
static inline GBytes *fx_docx_bomb(unsigned mb)
{
	gsize n = (gsize)mb << 20;
	char *doc = g_malloc(n + 1);
	const char *head = "<w:document xmlns:w=\"x\"><w:body><w:p><w:t>";
	memcpy(doc, head, strlen(head));
	memset(doc + strlen(head), 'a', n - strlen(head));
	doc[n] = 0;
	const char *e[] = {"[Content_Types].xml", FX_CT, "word/document.xml", doc};
	gsize sizes[] = {0, n};
	GBytes *b = fx_zip(e, sizes, 2);
	g_free(doc);
	return b;
}

/* fx_png_huge - a PNG header claiming w x h pixels, with a few bytes of image data */
static inline GBytes *fx_png_huge(guint32 w, guint32 h)
{
	GByteArray *b = g_byte_array_new();
	g_byte_array_append(b, (const guint8 *)"\x89PNG\r\n\x1a\n", 8);
	guint8 ihdr[4 + 4 + 13];
	memcpy(ihdr, "\0\0\0\x0dIHDR", 8);
	guint8 *p = ihdr + 8;
	p[0] = w >> 24, p[1] = w >> 16, p[2] = w >> 8, p[3] = w;
	p[4] = h >> 24, p[5] = h >> 16, p[6] = h >> 8, p[7] = h;
	p[8] = 8, p[9] = 0, p[10] = 0, p[11] = 0, p[12] = 0; /* 8-bit grey */
	g_byte_array_append(b, ihdr, sizeof ihdr);
	guint32 crc = (guint32)crc32(0, ihdr + 4, 17);
	guint8 c[4] = {crc >> 24, crc >> 16, crc >> 8, crc};
	g_byte_array_append(b, c, 4);
	/* an empty IDAT: libpng reads the header up to the first one */
	guint32 icrc = (guint32)crc32(0, (const guint8 *)"IDAT", 4);
	guint8 idat[12] = {0, 0, 0, 0, 'I', 'D', 'A', 'T', icrc >> 24, icrc >> 16, icrc >> 8, icrc};
	g_byte_array_append(b, idat, 12);
	g_byte_array_append(b, (const guint8 *)"\0\0\0\0IEND\xae\x42\x60\x82", 12);
	return g_byte_array_free_to_bytes(b);
}

#endif
