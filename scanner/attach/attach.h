/* attach.h - the attachment content analyser's insides (scanner/attach/)
 *
 * The analyser turns what a message carries as files (attachments and
 * inline images, in mail and in chat where the bytes were given) into more
 * text and links for the other analysers, and into findings about the
 * files' structure:
 *   attach_image.c  PNG, JPEG, GIF, WebP bytes -> 8-bit grey pixels (libpng,
 *                   libjpeg, giflib, libwebp), refused past [attach] max_pixels
 *   attach_qr.c     grey pixels -> the QR codes and barcodes in them (libzbar)
 *   attach_pdf.c    PDF bytes -> text, links, QR codes of pages with little
 *                   text, structure facts (poppler-glib, cairo)
 *   attach_ooxml.c  docx/xlsx/pptx bytes -> text and hyperlinks (libzip, GMarkup)
 *   attach.c        the engine (limits, weights) and the walk of a message
 *
 * SECURITY: every byte decoded here is the sender's. Decoders read from
 * memory only, never from a file or the network; each is bounded by the
 * limits below before it allocates (pixels, pages, entries, bytes), and by
 * a clock checked between steps (a page, an image, a zip entry). What a
 * limit kept from being read is a scan.incomplete finding, never a pass.
 */
#ifndef VIGIE_ATTACH_H
#define VIGIE_ATTACH_H

#include "internal.h"

/* [attach] limits, read once at engine load */
typedef struct {
	gsize max_bytes;	  /* an attachment larger is not decoded */
	gsize max_pixels;	  /* width x height of one decoded image or rendered page */
	unsigned max_pages;	  /* PDF pages whose text and links are read */
	unsigned render_pages;	  /* PDF pages with little text rendered for QR codes */
	unsigned render_dpi;	  /* their resolution */
	unsigned render_below;	  /* a page with fewer characters of text is rendered */
	gsize max_extract;	  /* text kept from one attachment */
	unsigned max_entries;	  /* zip entries of an Office file read */
	gsize max_inflate;	  /* bytes inflated from one Office file */
	unsigned max_time_ms;	  /* per attachment, checked between steps */
	unsigned max_message_ms;  /* all attachments of a message */
	unsigned max_attachments; /* attachments decoded per message */
} attach_limits;

/* attach_limits_default - the defaults of the configuration table (tests, fuzzing) */
void attach_limits_default(attach_limits *l);

/* What one decoder found in one file. Strings owned. */
typedef struct {
	GString *text;	  /* extracted text (UTF-8), may be empty */
	GPtrArray *links; /* of vigie_link*: annotations, hyperlinks, QR URLs */
	GPtrArray *qr;	  /* of char*: every decoded QR code / barcode payload (UTF-8) */
	GPtrArray *facts; /* of char*: structure facts, "javascript", "launch", ... */
	char *limit;	  /* the [attach] key of the first limit hit, or NULL */
	char *limit_detail;
	char *error;	 /* why the file could not be decoded, or NULL */
	unsigned pages;	 /* PDF: pages in the document */
	gint64 deadline; /* g_get_monotonic_time() past which decoding stops */
} attach_out;

attach_out *attach_out_new(gint64 deadline);
void attach_out_free(attach_out *o); /* NULL is a no-op */
/* attach_out_limit - note the first limit hit (later ones are dropped) */
void attach_out_limit(attach_out *o, const char *key, const char *fmt, ...) G_GNUC_PRINTF(3, 4);
/* attach_out_late - the deadline passed: notes the max_time limit, true */
bool attach_out_late(attach_out *o);
/* attach_out_text - append s (any bytes; sanitised) to the text, within max */
void attach_out_text(attach_out *o, const char *s, gssize len, gsize max);

/* ---- attach_image.c ---- */
typedef struct {
	guint8 *pixels; /* width * height bytes, 8-bit grey, row-major; g_free */
	unsigned width, height;
} attach_grey;
/* attach_image_kind - "png", "jpeg", "gif", "webp" when the bytes start like one, else NULL */
const char *attach_image_kind(const guint8 *d, gsize n);
/* attach_image_decode - decode d into *out (first frame of a GIF); false
 * with o->error set (undecodable) or o->limit set (past max_pixels) */
bool attach_image_decode(const guint8 *d, gsize n, gsize max_pixels, attach_grey *out,
			 attach_out *o);

/* ---- attach_qr.c ---- */
/* attach_qr_scan - every symbol libzbar finds in g, appended to o->qr
 * (sanitised); returns how many */
unsigned attach_qr_scan(const attach_grey *g, attach_out *o);

/* ---- attach_pdf.c ---- */
/* attach_pdf_is - the bytes start like a PDF (within the first 1024) */
bool attach_pdf_is(const guint8 *d, gsize n);
/* attach_pdf_read - text, links, QR codes and facts of a PDF into o;
 * false with o->error when poppler cannot open it */
bool attach_pdf_read(const guint8 *d, gsize n, const attach_limits *l, attach_out *o);

/* ---- attach_ooxml.c ---- */
/* attach_ooxml_is - a zip whose entries say docx, xlsx or pptx: "docx",
 * "xlsx", "pptx", or NULL */
const char *attach_ooxml_kind(const guint8 *d, gsize n);
/* attach_ooxml_read - text and external hyperlinks into o; false with
 * o->error when the zip cannot be read */
bool attach_ooxml_read(const guint8 *d, gsize n, const attach_limits *l, attach_out *o);

/* ---- attach.c ---- */
/* attach_file - decode one file of any kind this analyser reads into a new
 * attach_out (NULL when it is none of them) */
attach_out *attach_file(const guint8 *d, gsize n, const attach_limits *l, gint64 deadline,
			const char **kind);

#endif
