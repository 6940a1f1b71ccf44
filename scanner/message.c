/* message.c - the message model shared by mail and chat: constructors used
 * by the parsers (mime.c, chat.c) and the one destructor.
 *
 * Everything stored here is valid UTF-8 (utf8_sanitize) so analysers and
 * JSON output never see broken text; attachment bytes are kept as they are.
 */
#include "internal.h"

#include <string.h>

/* utf8_sanitize - valid UTF-8 copy of s; invalid bytes -> U+FFFD, NUL dropped */
char *utf8_sanitize(const char *s, gssize len)
{
	if (!s)
		return g_strdup("");
	if (len < 0)
		len = (gssize)strlen(s);
	GString *out = g_string_sized_new((gsize)len + 1);
	const char *p = s, *end = s + len;
	while (p < end) {
		const char *bad = NULL;
		if (g_utf8_validate(p, end - p, &bad)) {
			g_string_append_len(out, p, end - p);
			break;
		}
		g_string_append_len(out, p, bad - p);
		if (*bad != '\0')
			g_string_append(out, "\xEF\xBF\xBD");
		p = bad + 1;
	}
	return g_string_free(out, FALSE);
}

static void header_free(gpointer p)
{
	vigie_header *h = p;
	g_free(h->name);
	g_free(h->value);
	g_free(h);
}

/* link_new - a link; every string copied and sanitised */
vigie_link *link_new(const char *href, const char *text, const char *tag)
{
	vigie_link *l = g_new0(vigie_link, 1);
	l->href = utf8_sanitize(href, -1);
	l->text = utf8_sanitize(text ? text : "", -1);
	l->tag = g_strdup(tag ? tag : "a");
	return l;
}

/* link_free - destructor for GPtrArray */
void link_free(gpointer p)
{
	vigie_link *l = p;
	if (!l)
		return;
	g_free(l->href);
	g_free(l->text);
	g_free(l->tag);
	g_free(l);
}

static void text_free(gpointer p)
{
	vigie_text *t = p;
	g_free(t->text);
	g_ptr_array_unref(t->links);
	g_free(t->where);
	g_free(t);
}

static void attachment_free(gpointer p)
{
	vigie_attachment *a = p;
	g_free(a->name);
	g_free(a->declared_type);
	g_free(a->url);
	if (a->data)
		g_bytes_unref(a->data);
	g_free(a->where);
	g_free(a);
}

static void part_free(gpointer p)
{
	vigie_part *x = p;
	g_free(x->where);
	g_free(x->charset);
	g_free(x->name);
	g_free(x);
}

static void gap_free(gpointer p)
{
	message_gap *g = p;
	g_free(g->limit);
	g_free(g->where);
	g_free(g->detail);
	g_free(g);
}

/* A message as allocated here: the public model, then what the parser
 * recorded for the core alone (the public struct stays as vigie.h has it). */
typedef struct {
	vigie_message pub; /* first: a vigie_message* from message_new is one of these */
	message_parse parse;
} message_full;

/* message_parse_of - see internal.h; every message comes from message_new */
message_parse *message_parse_of(const vigie_message *m)
{
	return &((message_full *)m)->parse;
}

/* message_add_gap - see internal.h */
void message_add_gap(vigie_message *m, const char *limit, bool risky, const char *where,
		     const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	char *raw = g_strdup_vprintf(fmt, ap);
	va_end(ap);
	message_gap *g = g_new0(message_gap, 1);
	g->limit = g_strdup(limit);
	g->risky = risky;
	g->where = utf8_sanitize(where ? where : "", -1);
	g->detail = utf8_sanitize(raw, -1);
	g_free(raw);
	g_ptr_array_add(message_parse_of(m)->gaps, g);
}

/* message_new - an empty message of channel ch */
vigie_message *message_new(VigieChannel ch)
{
	message_full *full = g_new0(message_full, 1);
	full->parse.gaps = g_ptr_array_new_with_free_func(gap_free);
	vigie_message *m = &full->pub;
	m->channel = ch;
	m->env.rcpt_to = g_ptr_array_new_with_free_func(g_free);
	m->headers = g_ptr_array_new_with_free_func(header_free);
	m->texts = g_ptr_array_new_with_free_func(text_free);
	m->attachments = g_ptr_array_new_with_free_func(attachment_free);
	m->problems = g_ptr_array_new_with_free_func(g_free);
	m->mime_parts = g_ptr_array_new_with_free_func(part_free);
	return m;
}

/* message_add_text - append a text part; takes text (must be UTF-8) and links */
void message_add_text(vigie_message *m, VigieTextKind kind, char *text, GPtrArray *links,
		      const char *where)
{
	vigie_text *t = g_new0(vigie_text, 1);
	t->kind = kind;
	t->text = text ? text : g_strdup("");
	t->links = links ? links : g_ptr_array_new_with_free_func(link_free);
	t->where = utf8_sanitize(where ? where : "", -1); /* may quote a file name */
	g_ptr_array_add(m->texts, t);
}

/* message_add_attachment - append an attachment; strings copied, data ref'd */
vigie_attachment *message_add_attachment(vigie_message *m, const char *name,
					 const char *declared_type, GBytes *data,
					 const char *url, const char *where)
{
	vigie_attachment *a = g_new0(vigie_attachment, 1);
	a->name = name ? utf8_sanitize(name, -1) : NULL;
	a->declared_type = declared_type ? g_ascii_strdown(declared_type, -1) : NULL;
	a->url = url ? utf8_sanitize(url, -1) : NULL;
	a->data = data ? g_bytes_ref(data) : NULL;
	if (data) {
		gsize n;
		const guint8 *d = g_bytes_get_data(data, &n);
		a->sniffed_type = sniff_type(d, n);
	} else {
		a->sniffed_type = NULL;
	}
	a->where = utf8_sanitize(where ? where : "", -1);
	g_ptr_array_add(m->attachments, a);
	return a;
}

/* message_add_part - append a zeroed leaf-part record named where */
vigie_part *message_add_part(vigie_message *m, const char *where)
{
	vigie_part *x = g_new0(vigie_part, 1);
	x->where = utf8_sanitize(where ? where : "", -1);
	g_ptr_array_add(m->mime_parts, x);
	return x;
}

/* message_add_problem - note something malformed about the input */
void message_add_problem(vigie_message *m, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	char *raw = g_strdup_vprintf(fmt, ap); /* may quote a header name as sent */
	va_end(ap);
	g_ptr_array_add(m->problems, utf8_sanitize(raw, -1));
	g_free(raw);
}

/* message_add_header - internal to mime.c but kept with the model */
void message_add_header(vigie_message *m, const char *name, const char *value)
{
	vigie_header *h = g_new0(vigie_header, 1);
	h->name = utf8_sanitize(name ? name : "", -1);
	h->value = utf8_sanitize(value ? value : "", -1);
	g_ptr_array_add(m->headers, h);
}

/* vigie_message_header - first header named name, case-insensitive */
const char *vigie_message_header(const vigie_message *m, const char *name)
{
	for (guint i = 0; i < m->headers->len; i++) {
		vigie_header *h = g_ptr_array_index(m->headers, i);
		if (g_ascii_strcasecmp(h->name, name) == 0)
			return h->value;
	}
	return NULL;
}

/* vigie_message_free - free m and all it owns; NULL is a no-op */
void vigie_message_free(vigie_message *m)
{
	if (!m)
		return;
	g_free(m->env.client_addr);
	g_free(m->env.helo);
	g_free(m->env.mail_from);
	g_ptr_array_unref(m->env.rcpt_to);
	g_free(m->env.queue_id);
	g_free(m->env.platform);
	g_free(m->env.conversation);
	g_free(m->env.message_id);
	g_free(m->env.author_id);
	g_free(m->env.author_name);
	g_free(m->env.direction);
	g_free(m->env.source);
	g_ptr_array_unref(m->headers);
	g_ptr_array_unref(m->texts);
	g_ptr_array_unref(m->attachments);
	g_ptr_array_unref(m->problems);
	g_ptr_array_unref(m->mime_parts);
	g_free(m->subject_raw);
	g_ptr_array_unref(message_parse_of(m)->gaps);
	if (m->raw)
		g_bytes_unref(m->raw);
	g_free(m);
}
