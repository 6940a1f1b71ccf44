/* attach_pdf.c - what a PDF says: text, links, QR codes, active content
 *
 * Interface (attach.h): attach_pdf_is, attach_pdf_read. With poppler-glib,
 * from memory: the text of the first [attach] max_pages pages; their link
 * annotations (URI actions become links whose visible text is the text
 * under the link; launch, JavaScript and remote go-to actions become
 * facts); form fields; the document's JavaScript and embedded files. Pages
 * with fewer than render_below characters of text (a page that is one
 * picture) are rendered, at most render_pages of them, at render_dpi
 * (lowered to stay within max_pixels) on white, and read for QR codes. The
 * raw bytes are also searched for the names of active content
 * (/JavaScript, /JS, /Launch, /EmbeddedFile, /AcroForm, /XFA, #xx escapes
 * undone), which poppler does not expose for every place they can hide.
 *
 * Facts: "javascript", "launch", "embedded-file", "form", "remote-goto".
 *
 * SECURITY: the bytes are the sender's. poppler parses them in memory (a
 * GBytes over the caller's buffer, never a file); a document past
 * max_pages is read up to it and the rest is a limit hit; the clock is
 * checked before each page and each rendering. A single page's parse or
 * rendering is not interruptible: the page count and the pixel budget
 * are what bound it. An encrypted document poppler cannot open without a
 * password is reported as a limit ("encrypted"), not as clean.
 */
#include "attach.h"

#include <cairo.h>
#include <math.h>
#include <poppler.h>
#include <string.h>

/* attach_pdf_is - see attach.h */
bool attach_pdf_is(const guint8 *d, gsize n)
{
	gsize lim = MIN(n, 1024);
	for (gsize i = 0; i + 5 <= lim; i++)
		if (!memcmp(d + i, "%PDF-", 5))
			return true;
	return false;
}

/* pdf_fact - note a fact once */
static void pdf_fact(attach_out *o, const char *fact)
{
	for (guint i = 0; i < o->facts->len; i++)
		if (!strcmp(g_ptr_array_index(o->facts, i), fact))
			return;
	g_ptr_array_add(o->facts, g_strdup(fact));
}

/* pdf_name_is - the PDF name at d (after '/') spells want, #xx escapes undone;
 * the name must end there (a delimiter or the end of the bytes) */
static bool pdf_name_is(const guint8 *d, gsize n, const char *want)
{
	gsize i = 0;
	for (const char *w = want; *w; w++) {
		if (i >= n)
			return false;
		int c = d[i];
		if (c == '#' && i + 2 < n && g_ascii_isxdigit(d[i + 1]) &&
		    g_ascii_isxdigit(d[i + 2])) {
			c = g_ascii_xdigit_value(d[i + 1]) * 16 + g_ascii_xdigit_value(d[i + 2]);
			i += 3;
		} else {
			i++;
		}
		if (c != *w)
			return false;
	}
	return i >= n || !(g_ascii_isalnum(d[i]) || d[i] == '#' || d[i] == '_');
}

/* pdf_raw_names - the names of active content anywhere in the bytes */
static void pdf_raw_names(const guint8 *d, gsize n, attach_out *o)
{
	static const struct {
		const char *name, *fact;
	} names[] = {
	    {"JavaScript", "javascript"},      {"JS", "javascript"}, {"Launch", "launch"},
	    {"EmbeddedFile", "embedded-file"}, {"AcroForm", "form"}, {"XFA", "form"},
	};
	for (const guint8 *p = d, *end = d + n; (p = memchr(p, '/', (gsize)(end - p))) != NULL; p++)
		for (gsize k = 0; k < G_N_ELEMENTS(names); k++)
			if (pdf_name_is(p + 1, (gsize)(end - p - 1), names[k].name))
				pdf_fact(o, names[k].fact);
}

/* pdf_link - one link annotation's action */
static void pdf_link(PopplerPage *page, const PopplerLinkMapping *lm, attach_out *o)
{
	const PopplerAction *a = lm->action;
	switch (a->type) {
	case POPPLER_ACTION_URI:
		if (a->uri.uri && *a->uri.uri) {
			PopplerRectangle r = lm->area;
			char *under = poppler_page_get_text_for_area(page, &r);
			char *text =
			    utf8_sanitize(under ? under : "", MIN(strlen(under ? under : ""), 200));
			g_strstrip(text);
			g_ptr_array_add(o->links, link_new(a->uri.uri, text, "pdf-link"));
			g_free(text);
			g_free(under);
		}
		break;
	case POPPLER_ACTION_LAUNCH:
		pdf_fact(o, "launch");
		break;
	case POPPLER_ACTION_JAVASCRIPT:
		pdf_fact(o, "javascript");
		break;
	case POPPLER_ACTION_GOTO_REMOTE:
		pdf_fact(o, "remote-goto");
		break;
	default:
		break;
	}
}

/* pdf_crop_scan - libzbar on the part of the rendered page (RGB24, w x h,
 * stride bytes a row) that is not paper-white, with a white margin for the
 * code's quiet zone; a blank page is not read. Most of a rendered page is
 * paper, and libzbar's time grows with its pixels. */
static void pdf_crop_scan(const guint8 *data, int stride, unsigned w, unsigned h, attach_out *o)
{
	unsigned x0 = w, y0 = h, x1 = 0, y1 = 0;
	for (unsigned y = 0; y < h; y++) {
		const guint32 *row = (const guint32 *)(data + (gsize)y * stride);
		unsigned first = 0;
		while (first < w && (row[first] & 0xffffff) == 0xffffff)
			first++;
		if (first == w)
			continue;
		unsigned last = w - 1;
		while ((row[last] & 0xffffff) == 0xffffff)
			last--;
		x0 = MIN(x0, first), x1 = MAX(x1, last);
		y0 = MIN(y0, y), y1 = y;
	}
	if (x1 < x0 || x1 - x0 < 20 || y1 - y0 < 20)
		return; /* nothing drawn, or nothing the size of a code */
	const unsigned m = 16;
	x0 = x0 > m ? x0 - m : 0, y0 = y0 > m ? y0 - m : 0;
	x1 = MIN(x1 + m, w - 1), y1 = MIN(y1 + m, h - 1);
	attach_grey g = {g_malloc((gsize)(x1 - x0 + 1) * (y1 - y0 + 1)), x1 - x0 + 1, y1 - y0 + 1};
	for (unsigned y = 0; y < g.height; y++) {
		const guint32 *row = (const guint32 *)(data + (gsize)(y + y0) * stride) + x0;
		guint8 *out = g.pixels + (gsize)y * g.width;
		for (unsigned x = 0; x < g.width; x++) {
			guint32 p = row[x];
			out[x] = (guint8)((((p >> 16) & 0xff) * 77 + ((p >> 8) & 0xff) * 150 +
					   (p & 0xff) * 29) >>
					  8);
		}
	}
	attach_qr_scan(&g, o);
	g_free(g.pixels);
}

/* pdf_render_qr - page rendered on white at up to dpi within max_pixels, read for QR codes */
static void pdf_render_qr(PopplerPage *page, const attach_limits *l, attach_out *o)
{
	double pw, ph;
	poppler_page_get_size(page, &pw, &ph);
	if (!(pw > 0 && ph > 0 && pw < 1e5 && ph < 1e5))
		return;
	double scale = l->render_dpi / 72.0;
	double px = pw * scale * ph * scale;
	if (px > (double)l->max_pixels)
		scale *= sqrt((double)l->max_pixels / px);
	int w = (int)(pw * scale), h = (int)(ph * scale);
	if (w < 16 || h < 16)
		return;
	cairo_surface_t *s = cairo_image_surface_create(CAIRO_FORMAT_RGB24, w, h);
	if (cairo_surface_status(s) != CAIRO_STATUS_SUCCESS) {
		cairo_surface_destroy(s);
		return;
	}
	cairo_t *cr = cairo_create(s);
	cairo_set_source_rgb(cr, 1, 1, 1);
	cairo_paint(cr);
	cairo_scale(cr, scale, scale);
	poppler_page_render(page, cr);
	cairo_destroy(cr);
	cairo_surface_flush(s);
	pdf_crop_scan(cairo_image_surface_get_data(s), cairo_image_surface_get_stride(s),
		      (unsigned)w, (unsigned)h, o);
	cairo_surface_destroy(s);
}

/* pdf_chars - characters of s that are not white space */
static gsize pdf_chars(const char *s)
{
	gsize k = 0;
	for (const char *c = s; c && *c; c++)
		k += !g_ascii_isspace(*c);
	return k;
}

/* attach_pdf_read - see attach.h */
bool attach_pdf_read(const guint8 *d, gsize n, const attach_limits *l, attach_out *o)
{
	pdf_raw_names(d, n, o);
	GBytes *b = g_bytes_new_static(d, n);
	GError *err = NULL;
	PopplerDocument *doc = poppler_document_new_from_bytes(b, NULL, &err);
	g_bytes_unref(b);
	if (!doc) {
		if (g_error_matches(err, POPPLER_ERROR, POPPLER_ERROR_ENCRYPTED))
			attach_out_limit(o, "encrypted", "a PDF that needs a password to open");
		else
			o->error =
			    g_strdup_printf("PDF: %s", err ? err->message : "cannot be opened");
		g_clear_error(&err);
		return false;
	}
	if (poppler_document_has_javascript(doc))
		pdf_fact(o, "javascript");
	if (poppler_document_has_attachments(doc))
		pdf_fact(o, "embedded-file");
	int pages = poppler_document_get_n_pages(doc);
	o->pages = (unsigned)MAX(pages, 0);
	unsigned rendered = 0;
	int unrendered = 0; /* the first page left unrendered by render_pages */
	for (int i = 0; i < pages; i++) {
		if ((unsigned)i >= l->max_pages) {
			attach_out_limit(o, "max_pages", "%d pages, the first %u read", pages,
					 l->max_pages);
			break;
		}
		if (attach_out_late(o))
			break;
		PopplerPage *page = poppler_document_get_page(doc, i);
		if (!page)
			continue;
		char *text = poppler_page_get_text(page);
		if (text && *text) {
			attach_out_text(o, text, -1, l->max_extract);
			attach_out_text(o, "\n", 1, l->max_extract);
		}
		GList *links = poppler_page_get_link_mapping(page);
		for (GList *k = links; k; k = k->next)
			pdf_link(page, k->data, o);
		poppler_page_free_link_mapping(links);
		GList *fields = poppler_page_get_form_field_mapping(page);
		if (fields)
			pdf_fact(o, "form");
		poppler_page_free_form_field_mapping(fields);
		if (pdf_chars(text) < l->render_below) {
			if (rendered < l->render_pages) {
				rendered++;
				if (!attach_out_late(o))
					pdf_render_qr(page, l, o);
			} else if (!unrendered) {
				unrendered = i + 1;
			}
		}
		g_free(text);
		g_object_unref(page);
	}
	/* the page limit is the one to name when both were hit */
	if (unrendered)
		attach_out_limit(o, "render_pages",
				 "page %d has little text; %u pages rendered already", unrendered,
				 l->render_pages);
	g_object_unref(doc);
	return true;
}
