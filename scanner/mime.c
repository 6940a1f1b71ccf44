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
 * The walk's limits are [core] max_parts, max_depth and max_text
 * (mime_limits; vigie_message_from_mime uses the table's defaults, and
 * vigie_scan re-walks a message under its engine's limits when they would
 * differ: mime_reparse). What a limit keeps from analysis is recorded as a
 * gap (message_add_gap: the limit, the first part concerned, whether an
 * executable or archive is declared there), which the scan turns into a
 * scan.incomplete finding: unscanned is never clean.
 *
 * SECURITY: every byte is sender-controlled. Nothing here allocates in
 * proportion to anything but the input size; limits stop hostile structure
 * (many parts, deep nesting); file names are kept as data, never used as
 * paths. Malformed input yields a message plus "problems", never a failure.
 */
#include "internal.h"

#include <gmime/gmime.h>
#include <string.h>

/* the [core] defaults of config.c's table (config_test.c checks they agree) */
#define MIME_DEFAULT_PARTS 2000
#define MIME_DEFAULT_DEPTH 24
#define MIME_DEFAULT_TEXT (4 * 1024 * 1024)
/* objects looked at, beyond a limit, for a declared executable or archive */
#define MIME_PEEK_BUDGET 100000
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
	const mime_limits *lim;
	message_parse *rec; /* depth and text sizes met */
	/* what the limits cut: counts, first place, an executable/archive among it */
	guint cut_parts, cut_depth;
	char *cut_parts_where, *cut_depth_where;
	bool cut_parts_risky, cut_depth_risky;
	int peek_budget;
} mime_walk_state;

/* mime_limits_default - see internal.h */
void mime_limits_default(mime_limits *l)
{
	l->max_parts = MIME_DEFAULT_PARTS;
	l->max_depth = MIME_DEFAULT_DEPTH;
	l->max_text = MIME_DEFAULT_TEXT;
}

/* mime_limits_from_config - see internal.h */
void mime_limits_from_config(const vigie_config *c, mime_limits *l)
{
	l->max_parts = (unsigned)vigie_config_get_int(c, "core", "max_parts");
	l->max_depth = (unsigned)vigie_config_get_int(c, "core", "max_depth");
	l->max_text = (size_t)vigie_config_get_int(c, "core", "max_text");
}

/* mime_peek_risky - an executable or archive declared (name or type) in
 * the subtree of obj, spending at most *budget objects of the walk */
static bool mime_peek_risky(GMimeObject *obj, int *budget)
{
	GPtrArray *todo = g_ptr_array_new();
	g_ptr_array_add(todo, obj);
	bool risky = false;
	while (!risky && todo->len && *budget > 0) {
		GMimeObject *o = g_ptr_array_steal_index(todo, todo->len - 1);
		(*budget)--;
		if (GMIME_IS_MULTIPART(o)) {
			GMimeMultipart *mp = GMIME_MULTIPART(o);
			for (int i = g_mime_multipart_get_count(mp) - 1; i >= 0; i--)
				g_ptr_array_add(todo, g_mime_multipart_get_part(mp, i));
		} else if (GMIME_IS_MESSAGE_PART(o)) {
			GMimeMessage *inner = g_mime_message_part_get_message(GMIME_MESSAGE_PART(o));
			GMimeObject *body = inner ? g_mime_message_get_mime_part(inner) : NULL;
			if (body)
				g_ptr_array_add(todo, body);
		} else if (GMIME_IS_PART(o)) {
			GMimeContentType *ct = g_mime_object_get_content_type(o);
			char *type = ct ? g_mime_content_type_get_mime_type(ct) : NULL;
			char *low = type ? g_ascii_strdown(type, -1) : NULL;
			risky = scan_risky_type(g_mime_part_get_filename(GMIME_PART(o)), low, NULL);
			g_free(low);
			g_free(type);
		}
	}
	g_ptr_array_unref(todo);
	return risky;
}

/* mime_cut - obj at where was not walked because of a limit: count it */
static void mime_cut(mime_walk_state *ws, GMimeObject *obj, const char *where, bool depth)
{
	guint *n = depth ? &ws->cut_depth : &ws->cut_parts;
	char **first = depth ? &ws->cut_depth_where : &ws->cut_parts_where;
	bool *risky = depth ? &ws->cut_depth_risky : &ws->cut_parts_risky;
	if ((*n)++ == 0)
		*first = g_strdup(where);
	if (!*risky)
		*risky = mime_peek_risky(obj, &ws->peek_budget);
}

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

/* mime_to_utf8 - at most max bytes of text in charset (may be NULL or
 * bogus) -> valid UTF-8 */
static char *mime_to_utf8(const char *data, gsize len, const char *charset, gsize max)
{
	if (len > max)
		len = max;
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
	gsize max_text = ws->lim->max_text;

	vigie_part *rec = it->forwarded ? NULL
					: mime_part_record(m, part, ct, it, index, charset, len);

	if (!mime_is_attachment(obj, ct)) {
		if (rec) {
			rec->ascii = mime_ascii(data ? data : "", len);
			rec->utf8 = rec->ascii || g_utf8_validate(data, (gssize)len, NULL);
		}
		if (len > ws->rec->longest_text)
			ws->rec->longest_text = len;
		if (len > max_text)
			message_add_gap(m, "max_text", false, where,
					"text part of %" G_GSIZE_FORMAT " bytes: the %" G_GSIZE_FORMAT
					" after the first %" G_GSIZE_FORMAT " not analysed",
					len, len - max_text, max_text);
		char *text = mime_to_utf8(data ? data : "", len, charset, max_text);
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
			if (len > max_text)
				message_add_gap(m, "max_text", false, where,
						"HTML attachment of %" G_GSIZE_FORMAT
						" bytes: the text after the first %" G_GSIZE_FORMAT
						" not analysed", len, max_text);
			char *text = mime_to_utf8(data ? data : "", len, charset, max_text);
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
static void mime_walk(vigie_message *m, GMimeObject *root, const mime_limits *lim)
{
	GArray *stack = g_array_new(FALSE, FALSE, sizeof(mime_item));
	mime_item first = { root, 0, g_strdup("part 1"), false, 0 };
	g_array_append_val(stack, first);
	mime_walk_state ws = { 0 };
	ws.lim = lim;
	ws.rec = message_parse_of(m);
	ws.peek_budget = MIME_PEEK_BUDGET;

	while (stack->len) {
		mime_item it = g_array_index(stack, mime_item, stack->len - 1);
		g_array_set_size(stack, stack->len - 1);
		if (m->parts >= lim->max_parts) {
			mime_cut(&ws, it.obj, it.where, false);
			g_free(it.where);
			continue;
		}
		m->parts++;
		if ((unsigned)it.depth > ws.rec->depth)
			ws.rec->depth = (unsigned)it.depth;
		guint index = it.forwarded ? 0 : ws.index++;
		if (GMIME_IS_MULTIPART(it.obj)) {
			GMimeMultipart *mp = GMIME_MULTIPART(it.obj);
			int n = g_mime_multipart_get_count(mp);
			if ((unsigned)it.depth + 1 > lim->max_depth) {
				if (n > 0) {
					ws.rec->depth = (unsigned)it.depth + 1;
					char *w = g_strdup_printf("%s.1", it.where);
					mime_cut(&ws, it.obj, w, true);
					g_free(w);
				}
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
			if (inner && (unsigned)it.depth + 1 <= lim->max_depth) {
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
			} else if (inner && g_mime_message_get_mime_part(inner)) {
				ws.rec->depth = (unsigned)it.depth + 1;
				char *w = g_strdup_printf("%s.1", it.where);
				mime_cut(&ws, GMIME_OBJECT(g_mime_message_get_mime_part(inner)), w, true);
				g_free(w);
			}
		} else if (GMIME_IS_PART(it.obj)) {
			mime_leaf(m, GMIME_PART(it.obj), &it, index, &ws);
		}
		g_free(it.where);
	}
	g_array_free(stack, TRUE);
	if (ws.cut_parts)
		message_add_gap(m, "max_parts", ws.cut_parts_risky, ws.cut_parts_where,
				"more than %u MIME parts: %u not analysed", lim->max_parts,
				ws.cut_parts);
	if (ws.cut_depth)
		message_add_gap(m, "max_depth", ws.cut_depth_risky, ws.cut_depth_where,
				"MIME nesting deeper than %u: %u nested part%s not analysed",
				lim->max_depth, ws.cut_depth, ws.cut_depth == 1 ? "" : "s");
	g_free(ws.cut_parts_where);
	g_free(ws.cut_depth_where);
}

/* mime_has_gap - a gap of limit at where was already noted */
static bool mime_has_gap(vigie_message *m, const char *limit, const char *where)
{
	GPtrArray *gaps = message_parse_of(m)->gaps;
	for (guint i = 0; i < gaps->len; i++) {
		const message_gap *g = g_ptr_array_index(gaps, i);
		if (!strcmp(g->limit, limit) && !strcmp(g->where, where))
			return true;
	}
	return false;
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
		/* GMime stops nesting: what is below is not walked as parts */
		message_add_problem(m, "MIME nesting too deep (parser limit)");
		if (!mime_has_gap(m, "max_depth", "structure"))
			message_add_gap(m, "max_depth", false, "structure",
					"MIME nesting deeper than the parser's own limit near byte %"
					G_GINT64_FORMAT, offset);
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

/* vigie_message_from_mime - parse raw mail bytes into a message, under
 * the default limits */
vigie_message *vigie_message_from_mime(const void *raw, size_t len, const vigie_mail_envelope *env,
				       GError **err)
{
	mime_limits lim;
	mime_limits_default(&lim);
	return mime_parse(raw, len, env, &lim, err);
}

/* mime_reparse - see internal.h */
vigie_message *mime_reparse(const vigie_message *m, const mime_limits *lim)
{
	const message_parse *p = message_parse_of(m);
	if (m->channel != VIGIE_CHANNEL_MAIL || !m->raw || !p->mime)
		return NULL;
	const mime_limits *had = &p->limits;
	if (had->max_parts == lim->max_parts && had->max_depth == lim->max_depth &&
	    had->max_text == lim->max_text)
		return NULL;
	/* a difference only where the walk met a limit, or went past the new one */
	bool hit = false;
	for (guint i = 0; i < p->gaps->len; i++) {
		const message_gap *g = g_ptr_array_index(p->gaps, i);
		hit |= (!strcmp(g->limit, "max_parts") && had->max_parts != lim->max_parts) ||
		       (!strcmp(g->limit, "max_depth") && had->max_depth != lim->max_depth) ||
		       (!strcmp(g->limit, "max_text") && had->max_text != lim->max_text);
	}
	if (!hit && m->parts <= lim->max_parts && p->depth <= lim->max_depth &&
	    p->longest_text <= lim->max_text)
		return NULL;
	GPtrArray *rcpt = g_ptr_array_new();
	for (guint i = 0; i < m->env.rcpt_to->len; i++)
		g_ptr_array_add(rcpt, g_ptr_array_index(m->env.rcpt_to, i));
	g_ptr_array_add(rcpt, NULL);
	vigie_mail_envelope env = { m->env.client_addr, m->env.helo, m->env.mail_from,
				    (const char *const *)rcpt->pdata, m->env.queue_id };
	gsize len;
	const void *raw = g_bytes_get_data(m->raw, &len);
	vigie_message *again = mime_parse(raw, len, &env, lim, NULL);
	g_ptr_array_unref(rcpt);
	return again;
}

/* mime_parse - parse raw mail bytes into a message, walked under lim */
vigie_message *mime_parse(const void *raw, size_t len, const vigie_mail_envelope *env,
			  const mime_limits *lim, GError **err)
{
	if (!raw || len == 0) {
		g_set_error(err, VIGIE_ERROR, VIGIE_ERROR_INPUT, "empty message");
		return NULL;
	}
	vigie_message *m = message_new(VIGIE_CHANNEL_MAIL);
	m->raw = g_bytes_new(raw, len);
	message_parse *rec = message_parse_of(m);
	rec->mime = true;
	rec->limits = *lim;
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
			mime_walk(m, body, lim);
		else
			message_add_problem(m, "message has headers but no body");
		g_object_unref(msg);
	} else {
		message_add_problem(m, "not parseable as MIME; analysed as plain text");
		if (len - skip > lim->max_text)
			message_add_gap(m, "max_text", false, "raw message",
					"%zu bytes of text: the rest after the first %zu not analysed",
					len - skip, lim->max_text);
		rec->longest_text = len - skip;
		message_add_text(m, VIGIE_TEXT_PLAIN, mime_to_utf8(p + skip, len - skip, NULL, lim->max_text),
				 NULL, "raw message");
	}
	g_mime_parser_options_free(opts);
	g_object_unref(parser);
	g_object_unref(stream);
	return m;
}
