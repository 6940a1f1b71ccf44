/* structure_body.c - the structure rules on the body and the attachments
 *
 *   html-only              an HTML body and no text/plain body at all
 *   alternative-mismatch   text/plain and text/html alternatives of one
 *                          multipart/alternative that share few words
 *   image-only             images (in the HTML or attached) and next to
 *                          no text: at most little_text visible characters
 *   hidden-text            hidden_text characters or more of an HTML body
 *                          styled out of sight (html_reduce_facts)
 *   form, password-field   an HTML form in the body; a password field in
 *                          any HTML of the mail (body or attachment)
 *   text-base64            a text body in base64 whose bytes are all ASCII
 *   charset-mismatch       8-bit bytes in a part declared us-ascii (or with
 *                          no charset), or invalid UTF-8 declared utf-8
 *   subject-encoded        a Subject written RFC 2047-encoded although
 *                          it decodes to plain printable ASCII
 *   double-extension       a decoy document extension in front of an
 *                          executable one ("invoice.pdf.exe"); ClamAV looks
 *                          at the bytes, this at what the name pretends
 *   html-attachment        an attached .htm/.html/.shtml/.xhtml file
 *
 * The form is read from the message model (m->mime_parts, filled by
 * mime.c in its single parse): only the first STRUCTURE_MAX_PARTS parts
 * walked count, and the HTML facts of only the first STRUCTURE_MAX_HTML
 * HTML bodies and attachments. A part and its text in m->texts are found
 * by name ("part 1.2"). A forwarded message (message/rfc822) is not
 * entered: its form is its first sender's, not this one's (mime.c keeps
 * no record of its parts).
 *
 * SECURITY: every byte is the sender's; the limits above bound the work.
 */
#include "structure.h"

#include <string.h>

#define STRUCTURE_MAX_PARTS 500
#define STRUCTURE_MAX_DEPTH 32
#define STRUCTURE_MAX_HTML 4
#define STRUCTURE_MAX_WORDS 2000

typedef struct {
	char *where;
	bool html;	  /* text/html, else text/plain */
	guint alt;	  /* its multipart/alternative (1, 2...), or 0 */
	html_facts facts; /* html only, when parsed */
	bool parsed;
} structure_body;

typedef struct {
	GPtrArray *bodies; /* of structure_body* */
	guint alts;
	guint image_attachments;
	guint html_parsed;
} structure_walk;

static void structure_body_free(gpointer p)
{
	structure_body *b = p;
	g_free(b->where);
	g_free(b);
}

/* structure_text_part - one text body: encoding, charset, HTML facts */
static void structure_text_part(structure_ctx *x, structure_walk *w, const vigie_part *p)
{
	structure_body *b = g_new0(structure_body, 1);
	b->where = g_strdup(p->where);
	b->html = p->html;
	b->alt = p->alt;
	g_ptr_array_add(w->bodies, b);
	w->alts = MAX(w->alts, p->alt);

	if (p->base64 && p->ascii && p->size > 0) {
		char *ev = g_strdup_printf("%s in base64 is %" G_GSIZE_FORMAT " bytes of plain ASCII",
					   b->html ? "text/html" : "text/plain", p->size);
		structure_fire(x, S_TEXT_BASE64, ev, p->where);
		g_free(ev);
	}
	const char *cs = p->charset;
	if (!p->ascii && (!cs || g_ascii_strcasecmp(cs, "us-ascii") == 0)) {
		char *ev = g_strdup_printf("8-bit text declared %s", cs ? cs : "with no charset");
		structure_fire(x, S_CHARSET_MISMATCH, ev, p->where);
		g_free(ev);
	} else if (cs &&
		   (g_ascii_strcasecmp(cs, "utf-8") == 0 || g_ascii_strcasecmp(cs, "utf8") == 0) &&
		   !p->utf8) {
		structure_fire(x, S_CHARSET_MISMATCH, "text declared utf-8 is not valid UTF-8",
			       p->where);
	}
	if (b->html && w->html_parsed < STRUCTURE_MAX_HTML) {
		w->html_parsed++;
		b->facts = p->html_facts;
		b->parsed = p->has_html;
	}
}

/* structure_html_name - a name ending .htm, .html, .shtml or .xhtml */
static bool structure_html_name(const char *name)
{
	char *low = g_utf8_strdown(name, -1);
	const char *dot = strrchr(low, '.');
	bool html = dot && (strcmp(dot, ".htm") == 0 || strcmp(dot, ".html") == 0 ||
			    strcmp(dot, ".shtml") == 0 || strcmp(dot, ".xhtml") == 0);
	g_free(low);
	return html;
}

/* structure_attachment - an attached file: its name, HTML facts */
static void structure_attachment(structure_ctx *x, structure_walk *w, const vigie_part *p)
{
	if (p->image)
		w->image_attachments++;
	const char *name = p->name;
	if (!p->html && !(name && structure_html_name(name)))
		return;
	char *ev = g_strdup_printf("an HTML file attached%s%s", name ? ": " : "", name ? name : "");
	structure_fire(x, S_HTML_ATTACHMENT, ev, p->where);
	g_free(ev);
	if (w->html_parsed >= STRUCTURE_MAX_HTML)
		return;
	w->html_parsed++;
	if (p->has_html && p->html_facts.passwords)
		structure_fire(x, S_PASSWORD_FIELD, "a password field in an attached HTML file",
			       p->where);
}

/* structure_text_of - the text m keeps for a body part, or NULL */
static const vigie_text *structure_text_of(const vigie_message *m, const char *where)
{
	for (guint i = 0; i < m->texts->len; i++) {
		const vigie_text *t = g_ptr_array_index(m->texts, i);
		if (t->kind != VIGIE_TEXT_CHAT && strcmp(t->where, where) == 0)
			return t;
	}
	return NULL;
}

/* structure_visible - characters of s that are not white space */
static gsize structure_visible(const char *s)
{
	gsize n = 0;
	for (const char *c = s; *c; c = g_utf8_next_char(c))
		n += !g_unichar_isspace(g_utf8_get_char(c));
	return n;
}

/* structure_check_alternative - alternative-mismatch: in one
 * multipart/alternative, the plain and HTML texts share few words */
static void structure_check_alternative(structure_ctx *x, const vigie_message *m,
					const structure_walk *w)
{
	for (guint a = 1; a <= w->alts; a++) {
		const structure_body *plain = NULL, *html = NULL;
		for (guint i = 0; i < w->bodies->len; i++) {
			const structure_body *b = g_ptr_array_index(w->bodies, i);
			if (b->alt != a)
				continue;
			if (b->html && !html)
				html = b;
			else if (!b->html && !plain)
				plain = b;
		}
		const vigie_text *tp = plain ? structure_text_of(m, plain->where) : NULL;
		const vigie_text *th = html ? structure_text_of(m, html->where) : NULL;
		if (!tp || !th)
			continue;
		GHashTable *wp = structure_words(tp->text, STRUCTURE_MAX_WORDS);
		GHashTable *wh = structure_words(th->text, STRUCTURE_MAX_WORDS);
		guint np = g_hash_table_size(wp), nh = g_hash_table_size(wh), common = 0;
		GHashTableIter iter;
		gpointer k;
		g_hash_table_iter_init(&iter, np < nh ? wp : wh);
		while (g_hash_table_iter_next(&iter, &k, NULL))
			common += g_hash_table_contains(np < nh ? wh : wp, k);
		/* the shorter one should mostly be words of the longer one */
		guint small = MIN(np, nh), big = MAX(np, nh);
		bool differ = big >= 20 && (small < 3 || common * 10 < small * 3);
		if (differ) {
			char *ev = g_strdup_printf("text/plain (%u words) and text/html (%u words) "
						   "alternatives share %u words",
						   np, nh, common);
			structure_fire(x, S_ALT_MISMATCH, ev, html->where);
			g_free(ev);
		}
		g_hash_table_unref(wp);
		g_hash_table_unref(wh);
	}
}

/* structure_check_bodies - html-only, image-only, hidden-text, form */
static void structure_check_bodies(structure_ctx *x, const vigie_message *m,
				   const structure_walk *w)
{
	guint plain = 0, html = 0, images = w->image_attachments;
	gsize text = 0, hidden = 0;
	const char *html_where = NULL;
	for (guint i = 0; i < w->bodies->len; i++) {
		const structure_body *b = g_ptr_array_index(w->bodies, i);
		const vigie_text *t = structure_text_of(m, b->where);
		if (!b->html) {
			plain++;
			text = MAX(text, t ? structure_visible(t->text) : 0);
			continue;
		}
		html++;
		if (!html_where)
			html_where = b->where;
		if (!b->parsed)
			continue;
		text = MAX(text, b->facts.shown);
		hidden += b->facts.hidden;
		images += b->facts.images;
		if (b->facts.forms) {
			structure_fire(x, S_FORM, "an HTML form in the body", b->where);
		}
		if (b->facts.passwords)
			structure_fire(x, S_PASSWORD_FIELD, "a password field in the body",
				       b->where);
	}
	if (html && !plain)
		structure_fire(x, S_HTML_ONLY, "text/html with no text/plain alternative",
			       html_where);
	if (images && text <= x->lim->little_text) {
		char *ev = g_strdup_printf(
		    "%u images and %" G_GSIZE_FORMAT " characters of visible text", images, text);
		structure_fire(x, S_IMAGE_ONLY, ev, html_where ? html_where : "body");
		g_free(ev);
	}
	if (hidden >= x->lim->hidden_text) {
		char *ev =
		    g_strdup_printf("%" G_GSIZE_FORMAT
				    " characters styled out of sight, %" G_GSIZE_FORMAT " visible",
				    hidden, text);
		structure_fire(x, S_HIDDEN_TEXT, ev, html_where);
		g_free(ev);
	}
}

/* structure_check_subject_encoding - subject-encoded */
static void structure_check_subject_encoding(structure_ctx *x, const vigie_message *m)
{
	const char *raw = m->subject_raw;
	const char *decoded = vigie_message_header(m, "Subject");
	if (!raw || !decoded || !strstr(raw, "=?") || !*decoded)
		return;
	for (const char *c = decoded; *c; c++)
		if ((unsigned char)*c < 0x20 || (unsigned char)*c > 0x7e)
			return;
	char *q = g_strndup(decoded, 80);
	char *ev = g_strdup_printf("Subject encoded although plain ASCII: %s", q);
	structure_fire(x, S_SUBJECT_ENCODED, ev, "headers");
	g_free(ev);
	g_free(q);
}

/* structure_double_extension - the name's decoy and real extensions, or
 * false; *decoy and *real point into low */
static bool structure_double_extension(const char *low, const char **decoy, const char **real)
{
	static const char *const decoys[] = {"pdf", "doc", "docx", "xls", "xlsx", "ppt", "pptx",
					     "odt", "ods", "rtf",  "txt", "csv",  "jpg", "jpeg",
					     "png", "gif", "bmp",  "tif", "tiff", "mp3", "mp4",
					     "wav", "avi", "zip",  "rar", "eml",  "msg", NULL};
	static const char *const execs[] = {"exe",  "scr", "com",   "pif", "bat", "cmd", "js",
					    "jse",  "vbs", "vbe",   "wsf", "wsh", "hta", "lnk",
					    "msi",  "jar", "ps1",   "cpl", "iso", "img", "vhd",
					    "html", "htm", "shtml", "svg", NULL};
	const char *last = strrchr(low, '.');
	if (!last || last == low)
		return false;
	const char *p = last;
	while (p > low && (p[-1] == ' ' || p[-1] == '_' || p[-1] == '\t'))
		p--; /* "invoice.pdf      .exe" */
	const char *prev = p;
	while (prev > low && prev[-1] != '.')
		prev--;
	if (prev == low)
		return false;
	bool ok_real = false, ok_decoy = false;
	for (const char *const *e = execs; *e; e++)
		ok_real |= strcmp(last + 1, *e) == 0;
	for (const char *const *d = decoys; *d; d++)
		ok_decoy |=
		    strlen(*d) == (size_t)(p - prev) && strncmp(prev, *d, (size_t)(p - prev)) == 0;
	*decoy = prev;
	*real = last + 1;
	return ok_real && ok_decoy;
}

/* structure_check_names - double-extension on every attachment name */
static void structure_check_names(structure_ctx *x, const vigie_message *m)
{
	for (guint i = 0; i < m->attachments->len; i++) {
		const vigie_attachment *a = g_ptr_array_index(m->attachments, i);
		if (!a->name)
			continue;
		char *low = g_utf8_strdown(a->name, 512);
		const char *decoy, *real;
		if (structure_double_extension(g_strstrip(low), &decoy, &real)) {
			char *ev =
			    g_strdup_printf("'%s' is a .%s dressed as a document", a->name, real);
			structure_fire(x, S_DOUBLE_EXTENSION, ev, a->where);
			g_free(ev);
		}
		g_free(low);
	}
}

/* structure_body_check - see structure.h */
void structure_body_check(structure_ctx *x, const vigie_message *m)
{
	structure_check_names(x, m);
	if (!m->raw)
		return;
	structure_check_subject_encoding(x, m);
	structure_walk w = {g_ptr_array_new_with_free_func(structure_body_free), 0, 0, 0};
	for (guint i = 0; i < m->mime_parts->len; i++) {
		const vigie_part *p = g_ptr_array_index(m->mime_parts, i);
		if (p->index >= STRUCTURE_MAX_PARTS)
			break; /* in walk order */
		if (!p->attachment)
			structure_text_part(x, &w, p);
		else
			structure_attachment(x, &w, p);
	}
	structure_check_alternative(x, m, &w);
	structure_check_bodies(x, m, &w);
	g_ptr_array_unref(w.bodies);
}
