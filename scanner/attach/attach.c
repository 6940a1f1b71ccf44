/* attach.c - the attachment content analyser: engine, and the walk of a message
 *
 * Interface (internal.h): attach_engine_load/_free/_describe, attach_scan.
 * For each attachment with bytes (mail parts that are files, inline images
 * among them; chat attachments the adapter fetched), in order, until the
 * message's budget ([attach] max_attachments, max_message_time) is spent:
 * the kind is sniffed from the bytes (PNG/JPEG/GIF/WebP, PDF, docx/xlsx/pptx;
 * the name and declared type are not trusted), the decoder runs under the
 * attachment's limits, and what it found is added to the message as texts
 * the other analysers read like any other (scan.c removes them after the
 * scan):
 *   "QR code in attachment N (WHERE)"   every decoded payload, one per line;
 *                                      the URLs among them as links (tag "qr")
 *   "PDF text of attachment N (WHERE)"  the text, and the link annotations
 *                                      as links (tag "pdf-link")
 *   "Office text of attachment N (WHERE)" the same for docx/xlsx/pptx
 * and findings (weights and categories: signatures/attach/weights.conf):
 *   attach.qr-url, attach.qr-text, attach.pdf-link, attach.pdf-lure,
 *   attach.pdf-javascript, attach.pdf-launch, attach.pdf-embedded-file,
 *   attach.pdf-form, attach.pdf-remote-goto, attach.office-link,
 *   attach.undecodable
 * A limit hit is a scan.incomplete.KEY finding (KEY the [attach] key, or
 * "encrypted"), whose where names the attachment.
 *
 * SECURITY: file names and declared types are the sender's and only quoted
 * in "where"; the decoders (attach_*.c) run on the bytes in memory.
 */
#include "attach.h"

#include <stdarg.h>
#include <string.h>

enum {
	A_QR_URL,
	A_QR_TEXT,
	A_PDF_LINK,
	A_PDF_LURE,
	A_PDF_JS,
	A_PDF_LAUNCH,
	A_PDF_EMBEDDED,
	A_PDF_FORM,
	A_PDF_REMOTE,
	A_OFFICE_LINK,
	A_UNDECODABLE,
	A_COUNT
};
static const char *const attach_rule_ids[A_COUNT] = {
    "attach.qr-url",	      "attach.qr-text",	    "attach.pdf-link",		"attach.pdf-lure",
    "attach.pdf-javascript",  "attach.pdf-launch",  "attach.pdf-embedded-file", "attach.pdf-form",
    "attach.pdf-remote-goto", "attach.office-link", "attach.undecodable",
};
/* the PDF facts (attach_pdf.c) and their rules */
static const struct {
	const char *fact;
	int rule;
} attach_facts[] = {
    {"javascript", A_PDF_JS}, {"launch", A_PDF_LAUNCH},	     {"embedded-file", A_PDF_EMBEDDED},
    {"form", A_PDF_FORM},     {"remote-goto", A_PDF_REMOTE},
};

struct attach_engine {
	attach_limits lim;
	unsigned lure_words;
	int weight[A_COUNT];
	char *category[A_COUNT];
	char *describe;
};

/* attach_limits_default - see attach.h (the configuration table's defaults) */
void attach_limits_default(attach_limits *l)
{
	*l = (attach_limits){
	    .max_bytes = 20 << 20,
	    .max_pixels = 25000000,
	    .max_pages = 50,
	    .render_pages = 5,
	    .render_dpi = 144,
	    .render_below = 200,
	    .max_extract = 256 << 10,
	    .max_entries = 2000,
	    .max_inflate = 32 << 20,
	    .max_time_ms = 3000,
	    .max_message_ms = 8000,
	    .max_attachments = 32,
	};
}

/* ---- attach_out: what one decoder found ---- */

attach_out *attach_out_new(gint64 deadline)
{
	attach_out *o = g_new0(attach_out, 1);
	o->text = g_string_new(NULL);
	o->links = g_ptr_array_new_with_free_func(link_free);
	o->qr = g_ptr_array_new_with_free_func(g_free);
	o->facts = g_ptr_array_new_with_free_func(g_free);
	o->deadline = deadline;
	return o;
}

void attach_out_free(attach_out *o)
{
	if (!o)
		return;
	g_string_free(o->text, TRUE);
	g_ptr_array_unref(o->links);
	g_ptr_array_unref(o->qr);
	g_ptr_array_unref(o->facts);
	g_free(o->limit);
	g_free(o->limit_detail);
	g_free(o->error);
	g_free(o);
}

/* attach_out_limit - see attach.h */
void attach_out_limit(attach_out *o, const char *key, const char *fmt, ...)
{
	if (o->limit)
		return;
	va_list ap;
	va_start(ap, fmt);
	char *raw = g_strdup_vprintf(fmt, ap);
	va_end(ap);
	o->limit = g_strdup(key);
	o->limit_detail = utf8_sanitize(raw, -1);
	g_free(raw);
}

/* attach_out_late - see attach.h */
bool attach_out_late(attach_out *o)
{
	if (g_get_monotonic_time() <= o->deadline)
		return false;
	attach_out_limit(o, "max_time", "decoding stopped at its deadline");
	return true;
}

/* attach_out_text - see attach.h */
void attach_out_text(attach_out *o, const char *s, gssize len, gsize max)
{
	if (len < 0)
		len = (gssize)strlen(s);
	if (o->text->len >= max)
		return;
	gsize room = max - o->text->len;
	char *clean = utf8_sanitize(s, MIN((gsize)len, room));
	g_string_append(o->text, clean);
	g_free(clean);
}

/* attach_file - see attach.h */
attach_out *attach_file(const guint8 *d, gsize n, const attach_limits *l, gint64 deadline,
			const char **kind)
{
	attach_out *o = NULL;
	*kind = attach_image_kind(d, n);
	if (*kind) {
		o = attach_out_new(deadline);
		attach_grey g;
		if (attach_image_decode(d, n, l->max_pixels, &g, o)) {
			attach_qr_scan(&g, o);
			g_free(g.pixels);
		}
		return o;
	}
	if (attach_pdf_is(d, n)) {
		*kind = "pdf";
		o = attach_out_new(deadline);
		attach_pdf_read(d, n, l, o);
		return o;
	}
	*kind = attach_ooxml_kind(d, n);
	if (*kind) {
		o = attach_out_new(deadline);
		attach_ooxml_read(d, n, l, o);
		return o;
	}
	return NULL;
}

/* ---- the engine ---- */

/* attach_engine_load - see internal.h */
attach_engine *attach_engine_load(const vigie_config *c, GError **err)
{
	attach_engine *a = g_new0(attach_engine, 1);
	attach_limits *l = &a->lim;
	l->max_bytes = (gsize)vigie_config_get_int(c, "attach", "max_bytes");
	l->max_pixels = (gsize)vigie_config_get_int(c, "attach", "max_pixels");
	l->max_pages = (unsigned)vigie_config_get_int(c, "attach", "max_pages");
	l->render_pages = (unsigned)vigie_config_get_int(c, "attach", "render_pages");
	l->render_dpi = (unsigned)vigie_config_get_int(c, "attach", "render_dpi");
	l->render_below = (unsigned)vigie_config_get_int(c, "attach", "render_below");
	l->max_extract = (gsize)vigie_config_get_int(c, "attach", "max_extract");
	l->max_entries = (unsigned)vigie_config_get_int(c, "attach", "max_entries");
	l->max_inflate = (gsize)vigie_config_get_int(c, "attach", "max_inflate");
	l->max_time_ms = (unsigned)vigie_config_get_int(c, "attach", "max_time");
	l->max_message_ms = (unsigned)vigie_config_get_int(c, "attach", "max_message_time");
	l->max_attachments = (unsigned)vigie_config_get_int(c, "attach", "max_attachments");
	a->lure_words = (unsigned)vigie_config_get_int(c, "attach", "lure_words");
	const char *path = vigie_config_get(c, "attach", "weights");
	if (!rule_weights_load(path, attach_rule_ids, A_COUNT, a->weight, a->category, err)) {
		attach_engine_free(a);
		return NULL;
	}
	a->describe = g_strdup_printf("attach: %d rules", A_COUNT);
	return a;
}

void attach_engine_free(attach_engine *a)
{
	if (!a)
		return;
	for (int i = 0; i < A_COUNT; i++)
		g_free(a->category[i]);
	g_free(a->describe);
	g_free(a);
}

const char *attach_engine_describe(const attach_engine *a)
{
	return a->describe;
}

/* ---- the walk of a message ---- */

static void attach_fire(const attach_engine *a, vigie_verdict *v, int rule, const char *ev,
			const char *where)
{
	verdict_add_finding(v, attach_rule_ids[rule], a->category[rule], a->weight[rule], ev,
			    where);
}

/* attach_is_url - a QR payload that a phone would open as a web link */
static bool attach_is_url(const char *p)
{
	return !g_ascii_strncasecmp(p, "http://", 7) || !g_ascii_strncasecmp(p, "https://", 8) ||
	       !g_ascii_strncasecmp(p, "www.", 4);
}

/* attach_words - words of s (runs of letters or digits) */
static unsigned attach_words(const char *s)
{
	unsigned n = 0;
	bool in = false;
	for (const char *c = s; *c; c = g_utf8_next_char(c)) {
		bool w = g_unichar_isalnum(g_utf8_get_char(c));
		n += w && !in;
		in = w;
	}
	return n;
}

/* attach_qr_text - the QR payloads of o as one text of m, URLs as links */
static void attach_qr_text(const attach_engine *a, vigie_message *m, vigie_verdict *v,
			   const attach_out *o, const char *where)
{
	GString *t = g_string_new(NULL);
	GPtrArray *links = g_ptr_array_new_with_free_func(link_free);
	bool url = false, text = false;
	for (guint i = 0; i < o->qr->len; i++) {
		const char *p = g_ptr_array_index(o->qr, i);
		g_string_append_printf(t, "%s\n", p);
		if (attach_is_url(p)) {
			g_ptr_array_add(links, link_new(p, "QR code", "qr"));
			if (!url)
				attach_fire(a, v, A_QR_URL, p, where);
			url = true;
		} else if (!text) {
			attach_fire(a, v, A_QR_TEXT, p, where);
			text = true;
		}
	}
	message_add_text(m, VIGIE_TEXT_PLAIN, g_string_free(t, FALSE), links, where);
}

/* attach_report - what one decoder found, into m and v */
static void attach_report(const attach_engine *a, const vigie_config *c, vigie_message *m,
			  vigie_verdict *v, attach_out *o, const char *kind, unsigned n,
			  const vigie_attachment *at)
{
	bool pdf = !strcmp(kind, "pdf");
	if (o->qr->len) {
		char *where = g_strdup_printf("QR code in attachment %u (%s)", n, at->where);
		attach_qr_text(a, m, v, o, where);
		g_free(where);
	}
	if (o->text->len || o->links->len) {
		char *where = g_strdup_printf("%s text of attachment %u (%s)",
					      pdf ? "PDF" : "Office", n, at->where);
		if (o->links->len) {
			const vigie_link *l0 = g_ptr_array_index(o->links, 0);
			char *ev =
			    g_strdup_printf("%u links, the first %s", o->links->len, l0->href);
			attach_fire(a, v, pdf ? A_PDF_LINK : A_OFFICE_LINK, ev, where);
			g_free(ev);
			unsigned words = attach_words(o->text->str);
			if (pdf && words <= a->lure_words) {
				ev = g_strdup_printf("a PDF of %u words and %u links, the first %s",
						     words, o->links->len, l0->href);
				attach_fire(a, v, A_PDF_LURE, ev, at->where);
				g_free(ev);
			}
		}
		GPtrArray *links = g_ptr_array_new_with_free_func(link_free);
		for (guint i = 0; i < o->links->len; i++) {
			const vigie_link *l = g_ptr_array_index(o->links, i);
			g_ptr_array_add(links, link_new(l->href, l->text, l->tag));
		}
		message_add_text(m, VIGIE_TEXT_PLAIN, g_strdup(o->text->str), links, where);
		g_free(where);
	}
	for (guint i = 0; i < o->facts->len; i++) {
		const char *f = g_ptr_array_index(o->facts, i);
		for (gsize k = 0; k < G_N_ELEMENTS(attach_facts); k++)
			if (!strcmp(attach_facts[k].fact, f)) {
				char *ev = g_strdup_printf("%s PDF: %s",
							   at->name ? at->name : "unnamed", f);
				attach_fire(a, v, attach_facts[k].rule, ev, at->where);
				g_free(ev);
			}
	}
	if (o->limit) {
		char *ev = strcmp(o->limit, "encrypted")
			       ? g_strdup_printf("limit [attach] %s: %s", o->limit, o->limit_detail)
			       : g_strdup(o->limit_detail);
		scan_incomplete_add(c, v, o->limit, false, ev, at->where);
		g_free(ev);
	}
	if (o->error) {
		char *ev = g_strdup_printf("%s: %s", at->name ? at->name : kind, o->error);
		attach_fire(a, v, A_UNDECODABLE, ev, at->where);
		g_free(ev);
	}
}

/* attach_inline_free - an image taken from a data: URL (attach_scan) */
static void attach_inline_free(gpointer p)
{
	vigie_attachment *x = p;
	g_bytes_unref(x->data);
	g_free(x->where);
	g_free(x);
}

/* attach_data_image - the bytes of a data:image/...;base64, URL (an image
 * written into the HTML itself), or NULL; at most max bytes decoded */
static GBytes *attach_data_image(const char *href, gsize max)
{
	if (g_ascii_strncasecmp(href, "data:image/", 11))
		return NULL;
	const char *comma = strchr(href, ',');
	if (!comma || comma - href > 100 || !g_strstr_len(href, comma - href, ";base64"))
		return NULL;
	gsize len = strlen(comma + 1);
	if (len / 4 * 3 > max)
		return NULL;
	gsize n = 0;
	guchar *d = g_base64_decode(comma + 1, &n);
	if (!d || !n) {
		g_free(d);
		return NULL;
	}
	return g_bytes_new_take(d, n);
}

/* attach_scan - see internal.h */
bool attach_scan(const attach_engine *a, const vigie_config *c, vigie_message *m, vigie_verdict *v,
		 GError **err)
{
	(void)err;
	const attach_limits *l = &a->lim;
	gint64 t0 = g_get_monotonic_time();
	gint64 budget = t0 + (gint64)l->max_message_ms * 1000;
	unsigned decoded = 0;
	/* images written into HTML as data: URLs are read like attachments,
	 * after the real ones (numbered on from them) */
	GPtrArray *inline_imgs = g_ptr_array_new_with_free_func(attach_inline_free);
	for (guint i = 0; i < m->texts->len && inline_imgs->len < l->max_attachments; i++) {
		const vigie_text *t = g_ptr_array_index(m->texts, i);
		for (guint j = 0; j < t->links->len && inline_imgs->len < l->max_attachments; j++) {
			const vigie_link *lk = g_ptr_array_index(t->links, j);
			GBytes *b = attach_data_image(lk->href, l->max_bytes);
			if (!b)
				continue;
			vigie_attachment *x = g_new0(vigie_attachment, 1);
			x->data = b;
			x->where = g_strdup_printf("image written in %s", t->where);
			g_ptr_array_add(inline_imgs, x);
		}
	}
	guint count = m->attachments->len + inline_imgs->len;
	for (guint i = 0; i < count; i++) {
		const vigie_attachment *at =
		    i < m->attachments->len
			? g_ptr_array_index(m->attachments, i)
			: g_ptr_array_index(inline_imgs, i - m->attachments->len);
		if (!at->data)
			continue;
		gsize n;
		const guint8 *d = g_bytes_get_data(at->data, &n);
		bool ours = attach_image_kind(d, n) || attach_pdf_is(d, n) ||
			    (n >= 4 && !memcmp(d, "PK\x03\x04", 4));
		if (!ours)
			continue;
		gint64 now = g_get_monotonic_time();
		const char *over = decoded >= l->max_attachments ? "max_attachments"
				   : now > budget		 ? "max_message_time"
								 : NULL;
		if (over) {
			char *ev =
			    g_strdup_printf("limit [attach] %s: %u attachments decoded in %.0f ms, "
					    "the rest not",
					    over, decoded, (double)(now - t0) / 1000.0);
			scan_incomplete_add(c, v, over, false, ev, at->where);
			g_free(ev);
			break;
		}
		if (n > l->max_bytes) {
			char *ev = g_strdup_printf("limit [attach] max_bytes: %" G_GSIZE_FORMAT
						   " bytes, more than %" G_GSIZE_FORMAT,
						   n, l->max_bytes);
			scan_incomplete_add(c, v, "max_bytes", false, ev, at->where);
			g_free(ev);
			continue;
		}
		const char *kind;
		attach_out *o =
		    attach_file(d, n, l, MIN(now + (gint64)l->max_time_ms * 1000, budget), &kind);
		if (!o)
			continue;
		decoded++;
		attach_report(a, c, m, v, o, kind, i + 1, at);
		attach_out_free(o);
	}
	g_ptr_array_unref(inline_imgs);
	return true;
}
