/* mime.c - raw RFC 5322 bytes -> vigie_message, with GMime
 *
 * Walks every MIME part (multipart, nested message/rfc822) with an explicit
 * stack and hard limits on parts and depth; decodes transfer encodings;
 * converts text parts to UTF-8 from their declared charset (unknown or lying
 * charsets fall back to GMime's 8-bit guess); reduces HTML to text + links
 * (html.c); keeps every other part as an attachment with declared and
 * sniffed types. HTML attachments are also reduced, since phishing kits ship
 * their login page as an attachment.
 *
 * Besides the content, the form of the mail's own parts is recorded in
 * m->mime_parts (transfer encoding, declared charset, whether the decoded
 * bytes are ASCII or valid UTF-8, multipart/alternative membership) and the
 * HTML facts of every reduced HTML (hidden text, images, forms, password
 * fields) are counted in the same gumbo parse, so the structure analyser
 * reads the model and nothing is parsed twice. Only an HTML attachment that
 * is not reduced (an .html name on other content, or larger than
 * MIME_MAX_HTML_ATTACHMENT) is parsed for its facts alone: the first
 * MIME_MAX_HTML_FACTS of them, on their first MIME_MAX_HTML_ATTACHMENT bytes.
 *
 * SECURITY: every byte is sender-controlled. Nothing here allocates in
 * proportion to anything but the input size; limits stop hostile structure
 * (10,000 parts, deep nesting); file names are kept as data, never used as
 * paths. Malformed input yields a message plus "problems", never a failure.
 */
#include "internal.h"

#include <gmime/gmime.h>
#include <string.h>

#define MIME_MAX_PARTS 5000
#define MIME_MAX_DEPTH 32
#define MIME_MAX_TEXT (8 * 1024 * 1024)
#define MIME_MAX_HTML_ATTACHMENT (2 * 1024 * 1024)
#define MIME_MAX_HTML_FACTS 4

typedef struct {
	GMimeObject *obj;
	int depth;
	char *where;
	bool forwarded; /* inside a message/rfc822 part */
	guint alt;	/* innermost multipart/alternative, numbered from 1; 0 none */
} mime_item;

/* per walk: what the part records need */
typedef struct {
	guint index;	  /* items met outside forwarded messages */
	guint alts;	  /* multipart/alternative met outside forwarded messages */
	guint facts_only; /* HTML attachments parsed for their facts alone */
} mime_walk_state;

/* mime_part_bytes - the decoded content of a leaf part */
static GBytes *mime_part_bytes(GMimePart *part)
{
	GMimeDataWrapper *content = g_mime_part_get_content(part);
	if (!content)
		return g_bytes_new(NULL, 0);
	GMimeStream *mem = g_mime_stream_mem_new();
	g_mime_data_wrapper_write_to_stream(content, mem);
	GByteArray *arr = g_mime_stream_mem_get_byte_array(GMIME_STREAM_MEM(mem));
	GBytes *b = g_bytes_new(arr->data, arr->len);
	g_object_unref(mem);
	return b;
}

static char *mime_to_utf8_clean(const char *data, gsize len, const char *charset);

/* mime_to_utf8 - text in charset (may be NULL or bogus) -> valid UTF-8 */
static char *mime_to_utf8(const char *data, gsize len, const char *charset)
{
	if (len > MIME_MAX_TEXT)
		len = MIME_MAX_TEXT;
	/* NUL bytes would cut the text short in every C string below */
	char *copy = NULL;
	if (memchr(data, '\0', len)) {
		copy = g_malloc(len + 1);
		gsize n = 0;
		for (gsize i = 0; i < len; i++)
			if (data[i] != '\0')
				copy[n++] = data[i];
		data = copy;
		len = n;
	}
	char *out = mime_to_utf8_clean(data, len, charset);
	g_free(copy);
	return out;
}

/* mime_to_utf8_clean - mime_to_utf8 for text without NUL bytes */
static char *mime_to_utf8_clean(const char *data, gsize len, const char *charset)
{
	if (charset && *charset) {
		const char *iconv_name = g_mime_charset_iconv_name(charset);
		GError *e = NULL;
		gsize out_len = 0;
		char *out = g_convert(data, (gssize)len, "UTF-8", iconv_name, NULL, &out_len, &e);
		if (out) {
			char *clean = utf8_sanitize(out, (gssize)out_len);
			g_free(out);
			return clean;
		}
		g_clear_error(&e);
	}
	if (g_utf8_validate(data, (gssize)len, NULL))
		return g_strndup(data, len);
	/* unknown charset or invalid bytes: let GMime guess */
	char *guess = g_mime_utils_decode_8bit(NULL, data, len);
	char *clean = utf8_sanitize(guess, -1);
	g_free(guess);
	return clean;
}

/* mime_add_headers - the top-level headers, decoded */
static void mime_add_headers(vigie_message *m, GMimeObject *obj)
{
	GMimeHeaderList *list = g_mime_object_get_header_list(obj);
	int n = g_mime_header_list_get_count(list);
	for (int i = 0; i < n; i++) {
		GMimeHeader *h = g_mime_header_list_get_header_at(list, i);
		const char *value = g_mime_header_get_value(h);
		message_add_header(m, g_mime_header_get_name(h), value ? value : "");
	}
	GMimeHeader *subject = g_mime_header_list_get_header(list, "Subject");
	const char *raw = subject ? g_mime_header_get_raw_value(subject) : NULL;
	if (raw)
		m->subject_raw = utf8_sanitize(raw, -1);
}

/* mime_is_attachment - a leaf part the reader would see as a file */
static bool mime_is_attachment(GMimeObject *obj, GMimeContentType *ct)
{
	const char *disp = g_mime_object_get_disposition(obj);
	if (disp && g_ascii_strcasecmp(disp, "attachment") == 0)
		return true;
	if (GMIME_IS_PART(obj) && g_mime_part_get_filename(GMIME_PART(obj)))
		return true;
	return !(g_mime_content_type_is_type(ct, "text", "plain") ||
		 g_mime_content_type_is_type(ct, "text", "html") ||
		 g_mime_content_type_is_type(ct, "text", "enriched"));
}

/* mime_add_html - reduce HTML to text + links and add as a text part;
 * its facts are kept with the text and copied to rec (if not NULL) */
static void mime_add_html(vigie_message *m, const char *html, size_t len, const char *where,
			  vigie_part *rec)
{
	GString *text = g_string_new(NULL);
	GPtrArray *links = g_ptr_array_new_with_free_func(link_free);
	html_facts facts;
	html_reduce_facts(html, len, text, links, &facts);
	message_add_text(m, VIGIE_TEXT_HTML, g_string_free(text, FALSE), links, where);
	vigie_text *t = g_ptr_array_index(m->texts, m->texts->len - 1);
	t->html = facts;
	if (rec) {
		rec->html_facts = facts;
		rec->has_html = true;
	}
}

/* mime_ascii - every byte 7-bit */
static bool mime_ascii(const char *d, gsize n)
{
	for (gsize i = 0; i < n; i++)
		if ((unsigned char)d[i] & 0x80)
			return false;
	return true;
}

/* mime_html_name - a file name ending .htm, .html, .shtml or .xhtml */
static bool mime_html_name(const char *name)
{
	if (!name)
		return false;
	char *low = g_utf8_strdown(name, -1);
	const char *dot = strrchr(low, '.');
	bool html = dot && (strcmp(dot, ".htm") == 0 || strcmp(dot, ".html") == 0 ||
			    strcmp(dot, ".shtml") == 0 || strcmp(dot, ".xhtml") == 0);
	g_free(low);
	return html;
}

/* mime_part_record - the form of a leaf part of the mail's own body */
static vigie_part *mime_part_record(vigie_message *m, GMimePart *part, GMimeContentType *ct,
				    const mime_item *it, guint index, const char *charset,
				    gsize len)
{
	vigie_part *rec = message_add_part(m, it->where);
	rec->index = index;
	rec->alt = it->alt;
	rec->html = g_mime_content_type_is_type(ct, "text", "html");
	rec->image = g_mime_content_type_is_type(ct, "image", "*");
	rec->base64 = g_mime_part_get_content_encoding(part) == GMIME_CONTENT_ENCODING_BASE64;
	rec->size = len;
	rec->charset = charset ? utf8_sanitize(charset, -1) : NULL;
	const char *name = g_mime_part_get_filename(part);
	rec->name = name ? utf8_sanitize(name, -1) : NULL;
	return rec;
}

/* mime_leaf - one non-multipart part; index: its place in the walk
 * (forwarded parts get no record) */
static void mime_leaf(vigie_message *m, GMimePart *part, const mime_item *it, guint index,
		      mime_walk_state *ws)
{
	const char *where = it->where;
	GMimeObject *obj = GMIME_OBJECT(part);
	GMimeContentType *ct = g_mime_object_get_content_type(obj);
	char *mime_type = g_mime_content_type_get_mime_type(ct);
	GBytes *bytes = mime_part_bytes(part);
	gsize len;
	const char *data = g_bytes_get_data(bytes, &len);
	const char *charset = g_mime_content_type_get_parameter(ct, "charset");

	vigie_part *rec = it->forwarded ? NULL
					: mime_part_record(m, part, ct, it, index, charset, len);

	if (!mime_is_attachment(obj, ct)) {
		if (rec) {
			rec->ascii = mime_ascii(data ? data : "", len);
			rec->utf8 = rec->ascii || g_utf8_validate(data, (gssize)len, NULL);
		}
		char *text = mime_to_utf8(data ? data : "", len, charset);
		if (g_mime_content_type_is_type(ct, "text", "html")) {
			mime_add_html(m, text, strlen(text), where, rec);
			g_free(text);
		} else
			message_add_text(m, VIGIE_TEXT_PLAIN, text, NULL, where);
	} else {
		const char *name = g_mime_part_get_filename(part);
		vigie_attachment *a = message_add_attachment(m, name, mime_type, bytes, NULL, where);
		bool html = g_mime_content_type_is_type(ct, "text", "html") ||
			    g_strcmp0(a->sniffed_type, "text/html") == 0;
		if (rec)
			rec->attachment = true;
		if (html && len <= MIME_MAX_HTML_ATTACHMENT) {
			char *text = mime_to_utf8(data ? data : "", len, charset);
			char *w = g_strdup_printf("%s (attachment %s)", where, name ? name : "unnamed");
			mime_add_html(m, text, strlen(text), w, rec);
			g_free(w);
			g_free(text);
		} else if (rec && (rec->html || mime_html_name(name)) &&
			   ws->facts_only < MIME_MAX_HTML_FACTS) {
			/* HTML to the reader but not reduced: its facts alone */
			ws->facts_only++;
			GString *scratch = g_string_new(NULL);
			html_reduce_facts(data, MIN(len, MIME_MAX_HTML_ATTACHMENT), scratch, NULL,
					  &rec->html_facts);
			g_string_free(scratch, TRUE);
			rec->has_html = true;
		}
	}
	g_bytes_unref(bytes);
	g_free(mime_type);
}

/* mime_walk - every part under root, iteratively, within the limits */
static void mime_walk(vigie_message *m, GMimeObject *root)
{
	GArray *stack = g_array_new(FALSE, FALSE, sizeof(mime_item));
	mime_item first = { root, 0, g_strdup("part 1"), false, 0 };
	g_array_append_val(stack, first);
	bool warned_parts = false, warned_depth = false;
	mime_walk_state ws = { 0, 0, 0 };

	while (stack->len) {
		mime_item it = g_array_index(stack, mime_item, stack->len - 1);
		g_array_set_size(stack, stack->len - 1);
		if (m->parts >= MIME_MAX_PARTS) {
			if (!warned_parts)
				message_add_problem(m, "more than %d MIME parts; the rest not analysed",
						    MIME_MAX_PARTS);
			warned_parts = true;
			g_free(it.where);
			continue;
		}
		m->parts++;
		guint index = it.forwarded ? 0 : ws.index++;
		if (GMIME_IS_MULTIPART(it.obj)) {
			GMimeMultipart *mp = GMIME_MULTIPART(it.obj);
			int n = g_mime_multipart_get_count(mp);
			if (it.depth + 1 > MIME_MAX_DEPTH) {
				if (!warned_depth)
					message_add_problem(m, "MIME nesting deeper than %d", MIME_MAX_DEPTH);
				warned_depth = true;
			} else {
				guint alt = it.alt;
				GMimeContentType *ct = g_mime_object_get_content_type(it.obj);
				if (!it.forwarded && ct &&
				    g_mime_content_type_is_type(ct, "multipart", "alternative"))
					alt = ++ws.alts;
				/* push in reverse so parts come out in order */
				for (int i = n - 1; i >= 0; i--) {
					mime_item child = { g_mime_multipart_get_part(mp, i), it.depth + 1,
							    g_strdup_printf("%s.%d", it.where, i + 1),
							    it.forwarded, alt };
					g_array_append_val(stack, child);
				}
			}
		} else if (GMIME_IS_MESSAGE_PART(it.obj)) {
			GMimeMessage *inner = g_mime_message_part_get_message(GMIME_MESSAGE_PART(it.obj));
			if (inner && it.depth + 1 <= MIME_MAX_DEPTH) {
				GMimeObject *body = g_mime_message_get_mime_part(inner);
				const char *subject = g_mime_message_get_subject(inner);
				if (subject && *subject)
					message_add_text(m, VIGIE_TEXT_PLAIN, utf8_sanitize(subject, -1), NULL,
							 it.where);
				if (body) {
					mime_item child = { body, it.depth + 1,
							    g_strdup_printf("%s.1", it.where), true, 0 };
					g_array_append_val(stack, child);
				}
			} else if (inner && !warned_depth) {
				message_add_problem(m, "MIME nesting deeper than %d", MIME_MAX_DEPTH);
				warned_depth = true;
			}
		} else if (GMIME_IS_PART(it.obj)) {
			mime_leaf(m, GMIME_PART(it.obj), &it, index, &ws);
		}
		g_free(it.where);
	}
	g_array_free(stack, TRUE);
}

static void mime_warning(gint64 offset, GMimeParserWarning errcode, const gchar *item,
			 gpointer user_data)
{
	vigie_message *m = user_data;
	if (m->problems->len >= 20)
		return;
	switch (errcode) {
	case GMIME_CRIT_INVALID_HEADER_NAME:
		message_add_problem(m, "invalid header name near byte %" G_GINT64_FORMAT, offset);
		break;
	case GMIME_CRIT_CONFLICTING_HEADER:
	case GMIME_WARN_DUPLICATED_HEADER:
		message_add_problem(m, "duplicated header %s", item ? item : "");
		break;
	case GMIME_CRIT_NESTING_OVERFLOW:
		message_add_problem(m, "MIME nesting too deep (parser limit)");
		break;
	case GMIME_CRIT_MULTIPART_WITHOUT_BOUNDARY:
		message_add_problem(m, "multipart without boundary");
		break;
	case GMIME_WARN_TRUNCATED_MESSAGE:
	case GMIME_WARN_PART_WITHOUT_CONTENT:
		message_add_problem(m, "truncated message or part near byte %" G_GINT64_FORMAT, offset);
		break;
	default:
		break;
	}
}

/* vigie_message_from_mime - parse raw mail bytes into a message */
vigie_message *vigie_message_from_mime(const void *raw, size_t len, const vigie_mail_envelope *env,
				       GError **err)
{
	if (!raw || len == 0) {
		g_set_error(err, VIGIE_ERROR, VIGIE_ERROR_INPUT, "empty message");
		return NULL;
	}
	vigie_message *m = message_new(VIGIE_CHANNEL_MAIL);
	m->raw = g_bytes_new(raw, len);
	if (env) {
		m->env.client_addr = g_strdup(env->client_addr);
		m->env.helo = g_strdup(env->helo);
		m->env.mail_from = g_strdup(env->mail_from);
		m->env.queue_id = g_strdup(env->queue_id);
		for (const char *const *r = env->rcpt_to; r && *r; r++)
			g_ptr_array_add(m->env.rcpt_to, g_strdup(*r));
	}

	/* an mbox "From " envelope line is not a header: skip it */
	const char *p = raw;
	size_t skip = 0;
	if (len > 5 && memcmp(p, "From ", 5) == 0) {
		const char *nl = memchr(p, '\n', len);
		skip = nl ? (size_t)(nl - p) + 1 : len;
	}

	GMimeStream *stream = g_mime_stream_mem_new_with_buffer(p + skip, len - skip);
	GMimeParser *parser = g_mime_parser_new_with_stream(stream);
	g_mime_parser_set_format(parser, GMIME_FORMAT_MESSAGE);
	GMimeParserOptions *opts = g_mime_parser_options_new();
	g_mime_parser_options_set_warning_callback(opts, mime_warning, m);
	GMimeMessage *msg = g_mime_parser_construct_message(parser, opts);
	if (msg) {
		mime_add_headers(m, GMIME_OBJECT(msg));
		GMimeObject *body = g_mime_message_get_mime_part(msg);
		if (body)
			mime_walk(m, body);
		else
			message_add_problem(m, "message has headers but no body");
		g_object_unref(msg);
	} else {
		message_add_problem(m, "not parseable as MIME; analysed as plain text");
		message_add_text(m, VIGIE_TEXT_PLAIN, mime_to_utf8(p + skip, len - skip, NULL), NULL,
				 "raw message");
	}
	g_mime_parser_options_free(opts);
	g_object_unref(parser);
	g_object_unref(stream);
	return m;
}
