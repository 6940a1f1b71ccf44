/* chat.c - read one chat message in the documented JSON form
 * (docs/chat-json.md) into a vigie_message of channel VIGIE_CHANNEL_CHAT.
 *
 * SECURITY: the JSON comes from a messaging platform and its content from
 * the sender, so none of it is trusted. Before json-glib sees a byte we check
 * the size (4 MiB), NUL bytes, UTF-8 validity and nesting depth (64, counted
 * here because json-glib recurses), and refuse what json-glib would accept
 * but JSON does not and other parsers read differently: bad escapes, lone
 * surrogates, single quotes, comments, trailing commas, data after the
 * top-level value. \u0000 escapes are removed before parsing, since
 * json-glib would otherwise cut the string at the NUL and hide the rest from
 * the analysers. After parsing, every known field is type-checked, arrays
 * are capped at 100 entries and every stored string goes through
 * utf8_sanitize. Unknown keys are ignored.
 */
#include "internal.h"

#include <json-glib/json-glib.h>
#include <stdio.h>
#include <string.h>

#define CHAT_MAX_BYTES (4u * 1024u * 1024u)
#define CHAT_MAX_DEPTH 64
#define CHAT_MAX_ITEMS 100

/* chat_fail - set err to "chat JSON: ..." in VIGIE_ERROR / VIGIE_ERROR_INPUT */
static void chat_fail(GError **err, const char *fmt, ...) G_GNUC_PRINTF(2, 3);
static void chat_fail(GError **err, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	char *msg = g_strdup_vprintf(fmt, ap);
	va_end(ap);
	g_set_error(err, VIGIE_ERROR, VIGIE_ERROR_INPUT, "chat JSON: %s", msg);
	g_free(msg);
}

/* chat_position - 1-based line and byte column of offset off in s */
static void chat_position(const char *s, size_t off, unsigned *line, unsigned *col)
{
	unsigned l = 1, c = 1;
	for (size_t i = 0; i < off; i++) {
		if (s[i] == '\n') {
			l++;
			c = 1;
		} else {
			c++;
		}
	}
	*line = l;
	*col = c;
}

/* chat_fail_at - "invalid JSON at line L, column C: what" for offset off */
static void chat_fail_at(GError **err, const char *s, size_t off, const char *what)
{
	unsigned line, col;
	chat_position(s, off, &line, &col);
	chat_fail(err, "invalid JSON at line %u, column %u: %s", line, col, what);
}

/* chat_is_space - JSON whitespace */
static bool chat_is_space(char c)
{
	return c == ' ' || c == '\t' || c == '\n' || c == '\r';
}

/* chat_is_scalar_char - a byte that may appear in a number, true, false or
 * null outside strings (letters too, so json-glib can name a bad word) */
static bool chat_is_scalar_char(char c)
{
	return g_ascii_isalnum(c) || c == '-' || c == '+' || c == '.';
}

/* chat_hex4 - value of the 4 hex digits at p (avail bytes left), or -1 */
static int chat_hex4(const char *p, size_t avail)
{
	int v = 0;

	if (avail < 4)
		return -1;
	for (int k = 0; k < 4; k++) {
		int d = g_ascii_xdigit_value(p[k]);
		if (d < 0)
			return -1;
		v = v * 16 + d;
	}
	return v;
}

/* chat_escape - check the escape at s[i] == '\\' inside a string; return
 * its length in bytes (0 for a \ at the very end: the string is then
 * unterminated), or -1 with err set. json-glib accepts bad escapes
 * ("\q" as "q", lone surrogates as U+FFFD) that other parsers reject, so
 * they are refused here. */
static long chat_escape(const char *s, size_t len, size_t i, GError **err)
{
	if (i + 1 >= len)
		return 0;
	char e = s[i + 1];
	if (e != '\0' && strchr("\"\\/bfnrt", e))
		return 2;
	if (e != 'u') {
		char what[64];
		if (g_ascii_isprint(e))
			g_snprintf(what, sizeof what, "invalid escape '\\%c' in string", e);
		else
			g_snprintf(what, sizeof what, "invalid escape in string");
		chat_fail_at(err, s, i, what);
		return -1;
	}
	int v = chat_hex4(s + i + 2, len - (i + 2));
	if (v < 0) {
		chat_fail_at(err, s, i, "invalid \\u escape in string");
		return -1;
	}
	if (v >= 0xD800 && v <= 0xDBFF) {
		int lo = -1;
		if (i + 7 < len && s[i + 6] == '\\' && s[i + 7] == 'u')
			lo = chat_hex4(s + i + 8, len - (i + 8));
		if (lo >= 0xDC00 && lo <= 0xDFFF)
			return 12;
	}
	if (v >= 0xD800 && v <= 0xDFFF) {
		char what[64];
		g_snprintf(what, sizeof what, "unpaired surrogate \\u%04X in string",
			   (unsigned)v);
		chat_fail_at(err, s, i, what);
		return -1;
	}
	return 6;
}

/* chat_prescan - check depth, escapes, stray characters, trailing commas
 * and trailing data of s (known valid UTF-8 without NUL bytes) before
 * json-glib parses it. Sets *stripped to a copy of s without its \u0000
 * escapes when it has any, else leaves it NULL. False with err set when s
 * is rejected. Line and column of later json-glib errors count the
 * stripped copy (6 bytes less per \u0000 earlier on the line). */
static bool chat_prescan(const char *s, size_t len, GString **stripped, GError **err)
{
	size_t i = 0, copied = 0, string_start = 0, last_at = 0;
	unsigned depth = 0;
	char opened[CHAT_MAX_DEPTH]; /* '{' or '[' of each open level */
	bool in_string = false, started = false, done = false;
	char last = 0; /* last byte outside strings that was not whitespace */
	GString *out = NULL;

	*stripped = NULL;
	if (len >= 3 && memcmp(s, "\xEF\xBB\xBF", 3) == 0)
		i = 3; /* byte order mark: json-glib skips it too */
	for (; i < len; i++) {
		char c = s[i];
		if (in_string) {
			if (c == '"') {
				in_string = false;
				if (depth == 0)
					done = true;
			} else if (c == '\\') {
				long n = chat_escape(s, len, i, err);
				if (n < 0)
					goto fail;
				if (n == 0)
					break;
				if (n == 6 && memcmp(s + i + 2, "0000", 4) == 0) {
					if (!out)
						out = g_string_sized_new(len);
					g_string_append_len(out, s + copied, (gssize)(i - copied));
					copied = i + 6;
				}
				i += (size_t)n - 1;
			}
			continue;
		}
		if (chat_is_space(c))
			continue;
		if (done) {
			chat_fail_at(err, s, i, "data after the top-level value");
			goto fail;
		}
		started = true;
		if (c == '"') {
			in_string = true;
			string_start = i;
		} else if (c == '{' || c == '[') {
			if (depth >= CHAT_MAX_DEPTH) {
				unsigned line, col;
				chat_position(s, i, &line, &col);
				chat_fail(err, "nesting deeper than %d levels at line %u, column %u",
					  CHAT_MAX_DEPTH, line, col);
				goto fail;
			}
			opened[depth++] = c;
		} else if (c == '}' || c == ']') {
			if (last == ',') {
				char what[48];
				g_snprintf(what, sizeof what, "trailing comma before '%c'", c);
				chat_fail_at(err, s, last_at, what);
				goto fail;
			}
			char want = depth > 0 ? (opened[depth - 1] == '{' ? '}' : ']') : 0;
			if (c != want) {
				char what[64];
				if (want)
					g_snprintf(what, sizeof what, "unexpected '%c', expected '%c'",
						   c, want);
				else
					g_snprintf(what, sizeof what, "unexpected '%c'", c);
				chat_fail_at(err, s, i, what);
				goto fail;
			}
			if (--depth == 0)
				done = true;
		} else if (c == ':' || c == ',' || chat_is_scalar_char(c)) {
			/* structure and scalars: json-glib judges them */
		} else {
			char what[64];
			if (g_ascii_isprint(c))
				g_snprintf(what, sizeof what, "unexpected character '%c'", c);
			else
				g_snprintf(what, sizeof what, "unexpected byte 0x%02X",
					   (unsigned)(guchar)c);
			chat_fail_at(err, s, i, what);
			goto fail;
		}
		last = in_string ? '"' : c;
		last_at = i;
	}
	if (in_string) {
		chat_fail_at(err, s, string_start, "unterminated string");
		goto fail;
	}
	if (!started) {
		chat_fail(err, "empty input");
		goto fail;
	}
	if (depth > 0) {
		chat_fail_at(err, s, len, "unexpected end of input");
		goto fail;
	}
	if (out) {
		g_string_append_len(out, s + copied, (gssize)(len - copied));
		*stripped = out;
	}
	return true;
fail:
	if (out)
		g_string_free(out, TRUE);
	return false;
}

/* chat_parse_error - turn json-glib's "<data>:L:C: Parse error: msg" into ours */
static void chat_parse_error(GError **err, const GError *perr)
{
	const char *msg = perr && perr->message ? perr->message : "unknown error";
	unsigned line, col;
	int used = 0;

	if (sscanf(msg, "<data>:%u:%u: %n", &line, &col, &used) == 2 && used > 0) {
		const char *rest = msg + used;
		if (g_str_has_prefix(rest, "Parse error: "))
			rest += strlen("Parse error: ");
		chat_fail(err, "invalid JSON at line %u, column %u: %s", line, col, rest);
	} else {
		chat_fail(err, "invalid JSON: %s", msg);
	}
}

/* chat_kind - what a JSON node holds, for error messages */
static const char *chat_kind(JsonNode *n)
{
	if (JSON_NODE_HOLDS_ARRAY(n))
		return "an array";
	if (JSON_NODE_HOLDS_NULL(n))
		return "null";
	if (JSON_NODE_HOLDS_VALUE(n)) {
		GType t = json_node_get_value_type(n);
		if (t == G_TYPE_STRING)
			return "a string";
		if (t == G_TYPE_BOOLEAN)
			return "a boolean";
		return "a number";
	}
	return "an object";
}

/* chat_get_string - optional string member key of o; *out a sanitised copy,
 * or NULL when absent or null. False with err naming path on a wrong type. */
static bool chat_get_string(JsonObject *o, const char *key, const char *path, char **out,
			    GError **err)
{
	JsonNode *n = json_object_get_member(o, key);

	*out = NULL;
	if (!n || JSON_NODE_HOLDS_NULL(n))
		return true;
	if (!JSON_NODE_HOLDS_VALUE(n) || json_node_get_value_type(n) != G_TYPE_STRING) {
		chat_fail(err, "field '%s' must be a string", path);
		return false;
	}
	*out = utf8_sanitize(json_node_get_string(n), -1);
	return true;
}

/* chat_get_array - optional array member key of o, at most CHAT_MAX_ITEMS
 * long; *out NULL when absent or null. False with err on a wrong type. */
static bool chat_get_array(JsonObject *o, const char *key, JsonArray **out, GError **err)
{
	JsonNode *n = json_object_get_member(o, key);

	*out = NULL;
	if (!n || JSON_NODE_HOLDS_NULL(n))
		return true;
	if (!JSON_NODE_HOLDS_ARRAY(n)) {
		chat_fail(err, "field '%s' must be an array", key);
		return false;
	}
	if (json_array_get_length(json_node_get_array(n)) > CHAT_MAX_ITEMS) {
		chat_fail(err, "field '%s' has more than %d entries", key, CHAT_MAX_ITEMS);
		return false;
	}
	*out = json_node_get_array(n);
	return true;
}

/* chat_item - element i of array a (named key) as an object, or err */
static JsonObject *chat_item(JsonArray *a, const char *key, guint i, GError **err)
{
	JsonNode *n = json_array_get_element(a, i);

	if (!n || !JSON_NODE_HOLDS_OBJECT(n)) {
		chat_fail(err, "field '%s[%u]' must be an object", key, i);
		return NULL;
	}
	return json_node_get_object(n);
}

/* chat_envelope - channel, platform, conversation, message_id and author */
static bool chat_envelope(JsonObject *root, vigie_message *m, GError **err)
{
	char *channel = NULL;

	if (!chat_get_string(root, "channel", "channel", &channel, err))
		return false;
	if (channel && strcmp(channel, "chat") != 0 && strcmp(channel, "sms") != 0) {
		g_free(channel);
		chat_fail(err, "field 'channel' must be \"chat\" or \"sms\"");
		return false;
	}
	g_free(channel);

	if (!chat_get_string(root, "platform", "platform", &m->env.platform, err) ||
	    !chat_get_string(root, "conversation", "conversation", &m->env.conversation, err) ||
	    !chat_get_string(root, "message_id", "message_id", &m->env.message_id, err))
		return false;
	char *dir = NULL;
	if (!chat_get_string(root, "direction", "direction", &dir, err))
		return false;
	if (dir) {
		/* "inbound-customer" and "inbound-unknown" are inbound too */
		const char *d = g_str_has_prefix(dir, "inbound") ? "inbound"
				: !strcmp(dir, "outbound")	 ? "outbound"
				: !strcmp(dir, "internal")	 ? "internal"
								 : NULL;
		g_free(dir);
		if (!d) {
			chat_fail(err, "field 'direction' must be \"inbound\", \"outbound\" or \"internal\"");
			return false;
		}
		m->env.direction = g_strdup(d);
	}

	JsonNode *an = json_object_get_member(root, "author");
	if (!an || JSON_NODE_HOLDS_NULL(an))
		return true;
	if (!JSON_NODE_HOLDS_OBJECT(an)) {
		chat_fail(err, "field 'author' must be an object");
		return false;
	}
	JsonObject *author = json_node_get_object(an);
	return chat_get_string(author, "id", "author.id", &m->env.author_id, err) &&
	       chat_get_string(author, "name", "author.name", &m->env.author_name, err);
}

/* chat_links - the "links" array into links (tag "a") */
static bool chat_links(JsonObject *root, GPtrArray *links, GError **err)
{
	JsonArray *a;

	if (!chat_get_array(root, "links", &a, err))
		return false;
	for (guint i = 0; a && i < json_array_get_length(a); i++) {
		JsonObject *o = chat_item(a, "links", i, err);
		if (!o)
			return false;
		char path_url[48], path_text[48];
		char *url = NULL, *text = NULL;
		g_snprintf(path_url, sizeof path_url, "links[%u].url", i);
		g_snprintf(path_text, sizeof path_text, "links[%u].text", i);
		if (!chat_get_string(o, "url", path_url, &url, err) ||
		    !chat_get_string(o, "text", path_text, &text, err)) {
			g_free(url);
			return false;
		}
		g_ptr_array_add(links, link_new(url ? url : "", text, "a"));
		g_free(url);
		g_free(text);
	}
	return true;
}

/* chat_attachments - the "attachments" array into m, each url also a link */
static bool chat_attachments(JsonObject *root, vigie_message *m, GPtrArray *links,
			     GError **err)
{
	JsonArray *a;

	if (!chat_get_array(root, "attachments", &a, err))
		return false;
	for (guint i = 0; a && i < json_array_get_length(a); i++) {
		JsonObject *o = chat_item(a, "attachments", i, err);
		if (!o)
			return false;
		char p_name[48], p_url[48], p_type[48], where[32];
		char *name = NULL, *url = NULL, *type = NULL;
		g_snprintf(p_name, sizeof p_name, "attachments[%u].name", i);
		g_snprintf(p_url, sizeof p_url, "attachments[%u].url", i);
		g_snprintf(p_type, sizeof p_type, "attachments[%u].type", i);
		if (!chat_get_string(o, "name", p_name, &name, err) ||
		    !chat_get_string(o, "url", p_url, &url, err) ||
		    !chat_get_string(o, "type", p_type, &type, err)) {
			g_free(name);
			g_free(url);
			return false;
		}
		g_snprintf(where, sizeof where, "attachment %u", i + 1);
		message_add_attachment(m, name, type, NULL, url, where);
		if (url)
			g_ptr_array_add(links, link_new(url, name, "attachment"));
		g_free(name);
		g_free(url);
		g_free(type);
	}
	return true;
}

/* vigie_message_from_chat_json - see vigie.h and docs/chat-json.md */
vigie_message *vigie_message_from_chat_json(const void *json, size_t len, GError **err)
{
	const char *s = json;
	GString *stripped = NULL;
	JsonParser *parser = NULL;
	vigie_message *m = NULL;
	GPtrArray *links = NULL;
	GError *perr = NULL;

	if (!s || len == 0) {
		chat_fail(err, "empty input");
		return NULL;
	}
	if (len > CHAT_MAX_BYTES) {
		chat_fail(err, "message larger than %u bytes", CHAT_MAX_BYTES);
		return NULL;
	}
	const char *nul = memchr(s, '\0', len);
	if (nul) {
		chat_fail(err, "input contains a NUL byte at offset %zu", (size_t)(nul - s));
		return NULL;
	}
	if (!g_utf8_validate_len(s, len, NULL)) {
		chat_fail(err, "input is not valid UTF-8");
		return NULL;
	}
	if (!chat_prescan(s, len, &stripped, err))
		return NULL;

	parser = json_parser_new_immutable();
	gboolean ok = stripped
		? json_parser_load_from_data(parser, stripped->str, (gssize)stripped->len, &perr)
		: json_parser_load_from_data(parser, s, (gssize)len, &perr);
	if (!ok) {
		chat_parse_error(err, perr);
		goto fail;
	}
	JsonNode *rn = json_parser_get_root(parser);
	if (!rn) {
		chat_fail(err, "empty input");
		goto fail;
	}
	if (!JSON_NODE_HOLDS_OBJECT(rn)) {
		chat_fail(err, "input must be a JSON object, not %s", chat_kind(rn));
		goto fail;
	}
	JsonObject *root = json_node_get_object(rn);

	JsonNode *tn = json_object_get_member(root, "text");
	if (!tn) {
		chat_fail(err, "missing required field 'text'");
		goto fail;
	}
	if (!JSON_NODE_HOLDS_VALUE(tn) || json_node_get_value_type(tn) != G_TYPE_STRING) {
		chat_fail(err, "field 'text' must be a string");
		goto fail;
	}

	m = message_new(VIGIE_CHANNEL_CHAT);
	links = g_ptr_array_new_with_free_func(link_free);
	if (!chat_envelope(root, m, err) || !chat_links(root, links, err) ||
	    !chat_attachments(root, m, links, err))
		goto fail;
	message_add_text(m, VIGIE_TEXT_CHAT, utf8_sanitize(json_node_get_string(tn), -1),
			 links, "text");
	links = NULL;
	m->raw = g_bytes_new(json, len);

	g_object_unref(parser);
	if (stripped)
		g_string_free(stripped, TRUE);
	return m;
fail:
	if (links)
		g_ptr_array_unref(links);
	vigie_message_free(m);
	g_clear_error(&perr);
	if (parser)
		g_object_unref(parser);
	if (stripped)
		g_string_free(stripped, TRUE);
	return NULL;
}
