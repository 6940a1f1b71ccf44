/* chat_test.c - table-driven tests of vigie_message_from_chat_json (chat.c)
 * against the form described in docs/chat-json.md.
 */
#include "internal.h"

#include <string.h>

/* ---- valid input -------------------------------------------------------- */

typedef struct {
	const char *json;
	const char *platform;
	const char *conversation;
	const char *message_id;
	const char *author_id;
	const char *author_name;
	const char *text;
	guint n_attachments;
	guint n_links; /* on the chat text: "links" entries plus attachment urls */
} chat_valid_case;

static const chat_valid_case valid_cases[] = {
	{ "{\"text\":\"hello\"}", NULL, NULL, NULL, NULL, NULL, "hello", 0, 0 },
	{ "{\"channel\":\"chat\",\"platform\":\"whatsapp\",\"conversation\":\"conv-42\","
	  "\"message_id\":\"wamid.123\",\"author\":{\"id\":\"+33612345678\","
	  "\"name\":\"Banque Horizon\"},\"text\":\"Votre compte est bloqu\\u00e9\","
	  "\"attachments\":[{\"name\":\"x.pdf\",\"url\":\"https://cdn.example/x.pdf\","
	  "\"type\":\"application/pdf\"}],\"links\":[{\"url\":\"https://bank.example\","
	  "\"text\":\"Open\"}]}",
	  "whatsapp", "conv-42", "wamid.123", "+33612345678", "Banque Horizon",
	  "Votre compte est bloqu\xC3\xA9", 1, 2 },
	/* unicode as raw UTF-8 */
	{ "{\"text\":\"Caf\xC3\xA9 \xE2\x80\x94 \xE6\x9D\xB1\xE4\xBA\xAC\"}", NULL, NULL, NULL,
	  NULL, NULL, "Caf\xC3\xA9 \xE2\x80\x94 \xE6\x9D\xB1\xE4\xBA\xAC", 0, 0 },
	/* \u escapes, including a surrogate pair */
	{ "{\"text\":\"\\u00e9\\u6771 \\ud83d\\ude00 \\\"q\\\" \\\\ \\/ \\n\\t\"}", NULL, NULL,
	  NULL, NULL, NULL, "\xC3\xA9\xE6\x9D\xB1 \xF0\x9F\x98\x80 \"q\" \\ / \n\t", 0, 0 },
	/* emoji as raw UTF-8, in text and author name */
	{ "{\"author\":{\"name\":\"\xF0\x9F\x8F\xA6 Bank\"},\"text\":\"\xF0\x9F\x94\x92 "
	  "\xF0\x9F\x91\x89 link\"}", NULL, NULL, NULL, NULL, "\xF0\x9F\x8F\xA6 Bank",
	  "\xF0\x9F\x94\x92 \xF0\x9F\x91\x89 link", 0, 0 },
	/* empty text is allowed */
	{ "{\"text\":\"\"}", NULL, NULL, NULL, NULL, NULL, "", 0, 0 },
	/* unknown keys of every kind are ignored, overflowing numbers too */
	{ "{\"text\":\"t\",\"x-extra\":{\"a\":[1,2,{\"b\":null}]},\"n\":1e999,"
	  "\"big\":99999999999999999999999,\"neg\":-1e999,\"flag\":true,\"nil\":null,"
	  "\"platform\":\"sig\"}", "sig", NULL, NULL, NULL, NULL, "t", 0, 0 },
	/* "sms" is a chat channel */
	{ "{\"channel\":\"sms\",\"platform\":\"sms\",\"author\":{\"id\":\"+1555\"},"
	  "\"text\":\"Your parcel: https://p.example\"}", "sms", NULL, NULL, "+1555", NULL,
	  "Your parcel: https://p.example", 0, 0 },
	/* null means absent for optional fields */
	{ "{\"channel\":null,\"platform\":null,\"conversation\":null,\"message_id\":null,"
	  "\"author\":null,\"attachments\":null,\"links\":null,\"text\":\"n\"}", NULL, NULL,
	  NULL, NULL, NULL, "n", 0, 0 },
	{ "{\"author\":{\"id\":null,\"name\":\"Only Name\",\"avatar\":\"a.png\"},"
	  "\"text\":\"x\"}", NULL, NULL, NULL, NULL, "Only Name", "x", 0, 0 },
	/* attachments: all fields optional, only those with a url become links */
	{ "{\"text\":\"files\",\"attachments\":[{},{\"name\":\"a.exe\"},"
	  "{\"url\":\"https://f.example/b\"},{\"name\":\"c.zip\",\"url\":\"https://f.example/c\","
	  "\"type\":\"application/zip\",\"size\":123}]}", NULL, NULL, NULL, NULL, NULL,
	  "files", 4, 2 },
	/* links: a button without url is kept with an empty href */
	{ "{\"text\":\"card\",\"links\":[{\"url\":\"https://a.example\"},{\"text\":\"Reply\"},"
	  "{\"url\":\"https://b.example\",\"text\":\"B\",\"style\":1}],\"attachments\":[]}",
	  NULL, NULL, NULL, NULL, NULL, "card", 0, 3 },
	/* \u0000 is dropped from strings, keys included */
	{ "{\"text\":\"a\\u0000b\\u0000\",\"plat\\u0000form\":\"p\\u0000q\"}", "pq", NULL, NULL,
	  NULL, NULL, "ab", 0, 0 },
	/* an escaped backslash before "u0000" is text, not a NUL */
	{ "{\"text\":\"a\\\\u0000b\"}", NULL, NULL, NULL, NULL, NULL, "a\\u0000b", 0, 0 },
	/* duplicate keys: json-glib keeps the last one */
	{ "{\"text\":5,\"text\":\"second\",\"platform\":\"one\",\"platform\":\"two\"}", "two",
	  NULL, NULL, NULL, NULL, "second", 0, 0 },
	/* byte order mark and surrounding whitespace */
	{ "\xEF\xBB\xBF \r\n\t{ \"text\" : \"bom\" }\n\n", NULL, NULL, NULL, NULL, NULL, "bom",
	  0, 0 },
	/* brackets and escaped quotes inside strings do not count as nesting */
	{ "{\"text\":\"[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[["
	  "{{{{{{{{{{ \\\"[[[[\\\" ]]]\",\"conversation\":\"}{\"}", NULL, "}{", NULL, NULL,
	  NULL, "[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[["
	  "{{{{{{{{{{ \"[[[[\" ]]]", 0, 0 },
	/* raw tab and newline inside a string are accepted as json-glib does */
	{ "{\"text\":\"line1\nline2\there\"}", NULL, NULL, NULL, NULL, NULL,
	  "line1\nline2\there", 0, 0 },
};

/* test_valid_table - every valid case parses to the expected fields */
static void test_valid_table(void)
{
	for (gsize i = 0; i < G_N_ELEMENTS(valid_cases); i++) {
		const chat_valid_case *c = &valid_cases[i];
		GError *err = NULL;
		size_t len = strlen(c->json);
		g_test_message("valid case %" G_GSIZE_FORMAT ": %s", i, c->json);
		vigie_message *m = vigie_message_from_chat_json(c->json, len, &err);
		g_assert_no_error(err);
		g_assert_nonnull(m);
		g_assert_cmpint(m->channel, ==, VIGIE_CHANNEL_CHAT);
		g_assert_cmpstr(m->env.platform, ==, c->platform);
		g_assert_cmpstr(m->env.conversation, ==, c->conversation);
		g_assert_cmpstr(m->env.message_id, ==, c->message_id);
		g_assert_cmpstr(m->env.author_id, ==, c->author_id);
		g_assert_cmpstr(m->env.author_name, ==, c->author_name);
		g_assert_cmpuint(m->texts->len, ==, 1);
		vigie_text *t = g_ptr_array_index(m->texts, 0);
		g_assert_cmpint(t->kind, ==, VIGIE_TEXT_CHAT);
		g_assert_cmpstr(t->text, ==, c->text);
		g_assert_cmpstr(t->where, ==, "text");
		g_assert_true(g_utf8_validate(t->text, -1, NULL));
		g_assert_cmpuint(m->attachments->len, ==, c->n_attachments);
		g_assert_cmpuint(t->links->len, ==, c->n_links);
		g_assert_cmpuint(m->headers->len, ==, 0);
		g_assert_nonnull(m->raw);
		gsize rlen;
		const void *raw = g_bytes_get_data(m->raw, &rlen);
		g_assert_cmpmem(raw, rlen, c->json, len);
		vigie_message_free(m);
	}
}

/* ---- invalid input ------------------------------------------------------ */

typedef GString *(*chat_gen)(void);

typedef struct {
	const char *json;   /* NULL when gen builds the input */
	size_t len;
	chat_gen gen;
	const char *expect; /* substring of the error message */
} chat_error_case;

#define E(s, msg) { s, sizeof(s) - 1, NULL, msg }
#define G(fn, msg) { NULL, 0, fn, msg }

/* gen_deep_arrays - {"text":"x","deep":[[[...]]]} with 1000 levels of [ */
static GString *gen_deep_arrays(void)
{
	GString *g = g_string_new("{\"text\":\"x\",\"deep\":");
	for (int i = 0; i < 1000; i++)
		g_string_append_c(g, '[');
	for (int i = 0; i < 1000; i++)
		g_string_append_c(g, ']');
	g_string_append_c(g, '}');
	return g;
}

/* gen_bare_deep - 1000 levels of [ and nothing else, unterminated */
static GString *gen_bare_deep(void)
{
	GString *g = g_string_new(NULL);
	for (int i = 0; i < 1000; i++)
		g_string_append_c(g, '[');
	return g;
}

/* gen_depth_65 - the object plus 64 nested objects: one level too deep */
static GString *gen_depth_65(void)
{
	GString *g = g_string_new("{\"text\":\"x\",\"d\":");
	for (int i = 0; i < 64; i++)
		g_string_append(g, "{\"d\":");
	g_string_append(g, "1");
	for (int i = 0; i < 64; i++)
		g_string_append_c(g, '}');
	g_string_append_c(g, '}');
	return g;
}

/* gen_oversized - valid JSON of 4 MiB + 1 byte */
static GString *gen_oversized(void)
{
	size_t want = 4u * 1024u * 1024u + 1u;
	GString *g = g_string_new("{\"text\":\"");
	while (g->len < want - 2)
		g_string_append_c(g, 'a');
	g_string_append(g, "\"}");
	return g;
}

/* gen_items - {"text":"x","KEY":[ITEM x n]} */
static GString *gen_items(const char *key, const char *item, int n)
{
	GString *g = g_string_new("{\"text\":\"x\",\"");
	g_string_append_printf(g, "%s\":[", key);
	for (int i = 0; i < n; i++)
		g_string_append_printf(g, "%s%s", i ? "," : "", item);
	g_string_append(g, "]}");
	return g;
}

/* gen_101_attachments - one attachment too many */
static GString *gen_101_attachments(void)
{
	return gen_items("attachments", "{\"name\":\"a\",\"url\":\"https://x\"}", 101);
}

/* gen_101_links - one link too many */
static GString *gen_101_links(void)
{
	return gen_items("links", "{\"url\":\"https://x\"}", 101);
}

static const chat_error_case error_cases[] = {
	/* empty */
	E("", "chat JSON: empty input"),
	E(" \n\t\r ", "chat JSON: empty input"),
	E("\xEF\xBB\xBF", "chat JSON: empty input"),
	/* not an object */
	E("[]", "chat JSON: input must be a JSON object, not an array"),
	E("[{\"text\":\"hi\"}]", "chat JSON: input must be a JSON object, not an array"),
	E("\"text\"", "chat JSON: input must be a JSON object, not a string"),
	E("42", "chat JSON: input must be a JSON object, not a number"),
	E("true", "chat JSON: input must be a JSON object, not a boolean"),
	E("null", "chat JSON: input must be a JSON object, not null"),
	/* invalid JSON */
	E("{\"text\":\"hi\"", "chat JSON: invalid JSON at line 1, column 13: unexpected end of input"),
	E("{\"text\":\"hi", "chat JSON: invalid JSON at line 1, column 9: unterminated string"),
	E("{\"text\":\"hi\\", "chat JSON: invalid JSON at line 1, column 9: unterminated string"),
	E("{\"text\":\"hi\",}", "chat JSON: invalid JSON at line 1, column 13: trailing comma before '}'"),
	E("{\"text\":\"hi\",\n \"links\":[{\"url\":\"u\"},]}",
	  "chat JSON: invalid JSON at line 2, column 22: trailing comma before ']'"),
	E("{\"text\":\"hi\",\"links\":[}", "chat JSON: invalid JSON at line 1, column 23: unexpected '}', expected ']'"),
	E("{\"text\":\"hi\",,\"a\":1}", "chat JSON: invalid JSON at line 1, column "),
	E("{\"text\" \"hi\"}", "chat JSON: invalid JSON at line 1, column "),
	E("{\"text\":\"a\\qb\"}", "chat JSON: invalid JSON at line 1, column 11: invalid escape '\\q' in string"),
	E("{\"text\":\"a\\u12G4\"}", "chat JSON: invalid JSON at line 1, column 11: invalid \\u escape in string"),
	E("{\"text\":\"\\u00\"}", "invalid \\u escape in string"),
	E("{\"text\":\"\\udc00\"}", "chat JSON: invalid JSON at line 1, column 10: unpaired surrogate \\uDC00 in string"),
	E("{\"text\":\"\\ud83dx\"}", "unpaired surrogate \\uD83D in string"),
	E("{\"text\":\"\\ud83d\\u0041\"}", "unpaired surrogate \\uD83D in string"),
	E("{\"text\":\"hi\"}}", "chat JSON: invalid JSON at line 1, column 14: data after the "
	  "top-level value"),
	E("{\"text\":\"hi\"} {\"text\":\"other\"}",
	  "chat JSON: invalid JSON at line 1, column 15: data after the top-level value"),
	E("{'text':'hi'}", "chat JSON: invalid JSON at line 1, column 2: unexpected character '''"),
	E("/* c */{\"text\":\"hi\"}",
	  "chat JSON: invalid JSON at line 1, column 1: unexpected character '/'"),
	E("{\"text\":\"hi\"} // c", "data after the top-level value"),
	E("{text:\"hi\"}", "chat JSON: invalid JSON at line 1, column "),
	E("{\"text\":NaN}", "chat JSON: invalid JSON at line 1, column "),
	E("{\"text\":\"\\ud800\"}", "chat JSON: invalid JSON at line 1, column 10: unpaired surrogate \\uD800 in string"),
	E("{\"text\"\x01:\"hi\"}", "chat JSON: invalid JSON at line 1, column 8: unexpected byte 0x01"),
	E("{\"text\":\"hi\"]", "chat JSON: invalid JSON at line 1, column 13: unexpected ']', expected '}'"),
	E("}", "chat JSON: invalid JSON at line 1, column 1: unexpected '}'"),
	E("{\"text\":\"hi\"}\n\n  ]", "chat JSON: invalid JSON at line 3, column 3: data after the top-level value"),
	/* wrong types, every field */
	E("{\"text\":5}", "chat JSON: field 'text' must be a string"),
	E("{\"text\":null}", "chat JSON: field 'text' must be a string"),
	E("{\"text\":[\"a\"]}", "chat JSON: field 'text' must be a string"),
	E("{\"text\":{\"body\":\"a\"}}", "chat JSON: field 'text' must be a string"),
	E("{\"text\":true}", "chat JSON: field 'text' must be a string"),
	E("{\"channel\":5,\"text\":\"x\"}", "chat JSON: field 'channel' must be a string"),
	E("{\"channel\":\"email\",\"text\":\"x\"}",
	  "chat JSON: field 'channel' must be \"chat\" or \"sms\""),
	E("{\"channel\":\"CHAT\",\"text\":\"x\"}",
	  "chat JSON: field 'channel' must be \"chat\" or \"sms\""),
	E("{\"platform\":true,\"text\":\"x\"}", "chat JSON: field 'platform' must be a string"),
	E("{\"conversation\":{},\"text\":\"x\"}",
	  "chat JSON: field 'conversation' must be a string"),
	E("{\"message_id\":1.5,\"text\":\"x\"}", "chat JSON: field 'message_id' must be a string"),
	E("{\"author\":\"x\",\"text\":\"x\"}", "chat JSON: field 'author' must be an object"),
	E("{\"author\":[],\"text\":\"x\"}", "chat JSON: field 'author' must be an object"),
	E("{\"author\":{\"id\":5},\"text\":\"x\"}", "chat JSON: field 'author.id' must be a string"),
	E("{\"author\":{\"name\":[]},\"text\":\"x\"}",
	  "chat JSON: field 'author.name' must be a string"),
	E("{\"attachments\":{},\"text\":\"x\"}", "chat JSON: field 'attachments' must be an array"),
	E("{\"attachments\":\"a.pdf\",\"text\":\"x\"}",
	  "chat JSON: field 'attachments' must be an array"),
	E("{\"attachments\":[\"x\"],\"text\":\"x\"}",
	  "chat JSON: field 'attachments[0]' must be an object"),
	E("{\"attachments\":[{},null],\"text\":\"x\"}",
	  "chat JSON: field 'attachments[1]' must be an object"),
	E("{\"attachments\":[{},{\"name\":5}],\"text\":\"x\"}",
	  "chat JSON: field 'attachments[1].name' must be a string"),
	E("{\"attachments\":[{\"url\":[]}],\"text\":\"x\"}",
	  "chat JSON: field 'attachments[0].url' must be a string"),
	E("{\"attachments\":[{\"type\":false}],\"text\":\"x\"}",
	  "chat JSON: field 'attachments[0].type' must be a string"),
	E("{\"links\":\"x\",\"text\":\"x\"}", "chat JSON: field 'links' must be an array"),
	E("{\"links\":[1],\"text\":\"x\"}", "chat JSON: field 'links[0]' must be an object"),
	E("{\"links\":[{\"url\":5}],\"text\":\"x\"}",
	  "chat JSON: field 'links[0].url' must be a string"),
	E("{\"links\":[{\"url\":\"u\",\"text\":{}}],\"text\":\"x\"}",
	  "chat JSON: field 'links[0].text' must be a string"),
	/* missing text */
	E("{}", "chat JSON: missing required field 'text'"),
	E("{\"platform\":\"whatsapp\",\"Text\":\"x\",\"body\":\"x\"}",
	  "chat JSON: missing required field 'text'"),
	/* invalid UTF-8 */
	E("{\"text\":\"\xFF\"}", "chat JSON: input is not valid UTF-8"),
	E("{\"text\":\"\xC0\xAF\"}", "chat JSON: input is not valid UTF-8"),
	E("{\"text\":\"\xED\xA0\x80\"}", "chat JSON: input is not valid UTF-8"),
	E("{\"text\":\"x\"}\xE2\x82", "chat JSON: input is not valid UTF-8"),
	E("{\"\xFE\":\"x\",\"text\":\"x\"}", "chat JSON: input is not valid UTF-8"),
	/* NUL bytes in the raw input */
	E("{\"text\":\"hi\"\0}", "chat JSON: input contains a NUL byte at offset 12"),
	E("{\"text\":\"h\0i\"}", "chat JSON: input contains a NUL byte at offset 10"),
	E("\0", "chat JSON: input contains a NUL byte at offset 0"),
	/* numbers where strings are expected, overflowing or not */
	E("{\"text\":1e999}", "chat JSON: field 'text' must be a string"),
	E("{\"text\":99999999999999999999999}", "chat JSON: field 'text' must be a string"),
	E("{\"text\":\"x\",\"platform\":-1e999}", "chat JSON: field 'platform' must be a string"),
	/* duplicate keys: the last one wins, so its type counts */
	E("{\"text\":\"first\",\"text\":5}", "chat JSON: field 'text' must be a string"),
	E("{\"text\":\"x\",\"author\":{\"id\":\"a\"},\"author\":\"b\"}",
	  "chat JSON: field 'author' must be an object"),
	/* limits */
	G(gen_deep_arrays, "chat JSON: nesting deeper than 64 levels at line 1, column 83"),
	G(gen_bare_deep, "chat JSON: nesting deeper than 64 levels at line 1, column 65"),
	G(gen_depth_65, "chat JSON: nesting deeper than 64 levels"),
	G(gen_oversized, "chat JSON: message larger than 4194304 bytes"),
	G(gen_101_attachments, "chat JSON: field 'attachments' has more than 100 entries"),
	G(gen_101_links, "chat JSON: field 'links' has more than 100 entries"),
};

/* test_error_table - every error case fails with the expected message */
static void test_error_table(void)
{
	for (gsize i = 0; i < G_N_ELEMENTS(error_cases); i++) {
		const chat_error_case *c = &error_cases[i];
		GString *g = c->gen ? c->gen() : NULL;
		const char *json = g ? g->str : c->json;
		size_t len = g ? g->len : c->len;
		GError *err = NULL;
		g_test_message("error case %" G_GSIZE_FORMAT ": expecting %s", i, c->expect);
		vigie_message *m = vigie_message_from_chat_json(json, len, &err);
		g_assert_null(m);
		g_assert_nonnull(err);
		g_assert_true(err->domain == VIGIE_ERROR);
		g_assert_cmpint(err->code, ==, VIGIE_ERROR_INPUT);
		g_assert_true(g_str_has_prefix(err->message, "chat JSON: "));
		if (!strstr(err->message, c->expect))
			g_error("case %" G_GSIZE_FORMAT ": got \"%s\", expected \"%s\"", i,
				err->message, c->expect);
		g_assert_true(g_utf8_validate(err->message, -1, NULL));
		g_error_free(err);
		/* a NULL GError** is allowed */
		g_assert_null(vigie_message_from_chat_json(json, len, NULL));
		if (g)
			g_string_free(g, TRUE);
	}
}

/* ---- details ------------------------------------------------------------ */

/* test_full_example - the example of docs/chat-json.md, field by field */
static void test_full_example(void)
{
	static const char json[] =
		"{\n"
		"  \"channel\": \"chat\",\n"
		"  \"platform\": \"whatsapp\",\n"
		"  \"conversation\": \"conv-42\",\n"
		"  \"message_id\": \"wamid.123\",\n"
		"  \"author\": {\"id\": \"+33612345678\", \"name\": \"Banque Horizon\"},\n"
		"  \"text\": \"Votre compte est suspendu. Confirmez vos informations.\",\n"
		"  \"attachments\": [\n"
		"    {\"name\": \"releve.pdf\", \"url\": \"https://cdn.example.net/f/releve.pdf\","
		" \"type\": \"Application/PDF\"},\n"
		"    {\"name\": \"photo.jpg\"}\n"
		"  ],\n"
		"  \"links\": [\n"
		"    {\"url\": \"https://horizon-secure.example.com/login\", \"text\": \"Confirmer\"}\n"
		"  ],\n"
		"  \"x-platform-flags\": {\"forwarded\": true}\n"
		"}\n";
	GError *err = NULL;
	vigie_message *m = vigie_message_from_chat_json(json, sizeof json - 1, &err);
	g_assert_no_error(err);
	g_assert_nonnull(m);
	g_assert_cmpint(m->channel, ==, VIGIE_CHANNEL_CHAT);
	g_assert_cmpstr(m->env.platform, ==, "whatsapp");
	g_assert_cmpstr(m->env.author_name, ==, "Banque Horizon");
	g_assert_null(m->env.client_addr);
	g_assert_cmpuint(m->env.rcpt_to->len, ==, 0);
	g_assert_cmpuint(m->problems->len, ==, 0);

	g_assert_cmpuint(m->attachments->len, ==, 2);
	vigie_attachment *a = g_ptr_array_index(m->attachments, 0);
	g_assert_cmpstr(a->name, ==, "releve.pdf");
	g_assert_cmpstr(a->declared_type, ==, "application/pdf");
	g_assert_cmpstr(a->url, ==, "https://cdn.example.net/f/releve.pdf");
	g_assert_cmpstr(a->where, ==, "attachment 1");
	g_assert_null(a->data);
	g_assert_null(a->sniffed_type);
	a = g_ptr_array_index(m->attachments, 1);
	g_assert_cmpstr(a->name, ==, "photo.jpg");
	g_assert_null(a->declared_type);
	g_assert_null(a->url);
	g_assert_cmpstr(a->where, ==, "attachment 2");

	vigie_text *t = g_ptr_array_index(m->texts, 0);
	g_assert_cmpuint(t->links->len, ==, 2);
	vigie_link *l = g_ptr_array_index(t->links, 0);
	g_assert_cmpstr(l->href, ==, "https://horizon-secure.example.com/login");
	g_assert_cmpstr(l->text, ==, "Confirmer");
	g_assert_cmpstr(l->tag, ==, "a");
	l = g_ptr_array_index(t->links, 1);
	g_assert_cmpstr(l->href, ==, "https://cdn.example.net/f/releve.pdf");
	g_assert_cmpstr(l->text, ==, "releve.pdf");
	g_assert_cmpstr(l->tag, ==, "attachment");
	vigie_message_free(m);
}

/* test_link_defaults - missing link text, missing link url, nameless attachment */
static void test_link_defaults(void)
{
	static const char json[] = "{\"text\":\"x\",\"links\":[{\"url\":\"https://a\"},"
				   "{\"text\":\"Reply\"}],\"attachments\":[{\"url\":\"https://f\"}]}";
	GError *err = NULL;
	vigie_message *m = vigie_message_from_chat_json(json, sizeof json - 1, &err);
	g_assert_no_error(err);
	vigie_text *t = g_ptr_array_index(m->texts, 0);
	g_assert_cmpuint(t->links->len, ==, 3);
	vigie_link *l = g_ptr_array_index(t->links, 0);
	g_assert_cmpstr(l->href, ==, "https://a");
	g_assert_cmpstr(l->text, ==, "");
	l = g_ptr_array_index(t->links, 1);
	g_assert_cmpstr(l->href, ==, "");
	g_assert_cmpstr(l->text, ==, "Reply");
	l = g_ptr_array_index(t->links, 2);
	g_assert_cmpstr(l->href, ==, "https://f");
	g_assert_cmpstr(l->text, ==, "");
	g_assert_cmpstr(l->tag, ==, "attachment");
	vigie_attachment *a = g_ptr_array_index(m->attachments, 0);
	g_assert_null(a->name);
	vigie_message_free(m);
}

/* test_limits_ok - inputs exactly at each limit are accepted */
static void test_limits_ok(void)
{
	GError *err = NULL;
	vigie_message *m;

	/* 100 attachments and 100 links: 200 links on the text */
	GString *g = g_string_new("{\"text\":\"x\",\"attachments\":[");
	for (int i = 0; i < 100; i++)
		g_string_append_printf(g, "%s{\"name\":\"f%d\",\"url\":\"https://f/%d\"}",
				       i ? "," : "", i, i);
	g_string_append(g, "],\"links\":[");
	for (int i = 0; i < 100; i++)
		g_string_append_printf(g, "%s{\"url\":\"https://l/%d\"}", i ? "," : "", i);
	g_string_append(g, "]}");
	m = vigie_message_from_chat_json(g->str, g->len, &err);
	g_assert_no_error(err);
	g_assert_cmpuint(m->attachments->len, ==, 100);
	vigie_attachment *a = g_ptr_array_index(m->attachments, 99);
	g_assert_cmpstr(a->where, ==, "attachment 100");
	g_assert_cmpuint(((vigie_text *)g_ptr_array_index(m->texts, 0))->links->len, ==, 200);
	vigie_message_free(m);
	g_string_free(g, TRUE);

	/* nesting of exactly 64: the object and 63 arrays */
	g = g_string_new("{\"text\":\"deep\",\"d\":");
	for (int i = 0; i < 63; i++)
		g_string_append_c(g, '[');
	for (int i = 0; i < 63; i++)
		g_string_append_c(g, ']');
	g_string_append_c(g, '}');
	m = vigie_message_from_chat_json(g->str, g->len, &err);
	g_assert_no_error(err);
	g_assert_cmpstr(((vigie_text *)g_ptr_array_index(m->texts, 0))->text, ==, "deep");
	vigie_message_free(m);
	g_string_free(g, TRUE);

	/* exactly 4 MiB */
	size_t want = 4u * 1024u * 1024u;
	g = g_string_new("{\"text\":\"");
	while (g->len < want - 2)
		g_string_append_c(g, 'a');
	g_string_append(g, "\"}");
	g_assert_cmpuint(g->len, ==, want);
	m = vigie_message_from_chat_json(g->str, g->len, &err);
	g_assert_no_error(err);
	g_assert_cmpuint(strlen(((vigie_text *)g_ptr_array_index(m->texts, 0))->text), ==,
			 want - 11);
	gsize rlen;
	g_bytes_get_data(m->raw, &rlen);
	g_assert_cmpuint(rlen, ==, want);
	vigie_message_free(m);
	g_string_free(g, TRUE);
}

/* test_not_nul_terminated - the input is read by length only */
static void test_not_nul_terminated(void)
{
	static const char json[] = "{\"text\":\"abc\"}";
	char *buf = g_malloc(sizeof json - 1);
	memcpy(buf, json, sizeof json - 1);
	GError *err = NULL;
	vigie_message *m = vigie_message_from_chat_json(buf, sizeof json - 1, &err);
	g_assert_no_error(err);
	g_assert_cmpstr(((vigie_text *)g_ptr_array_index(m->texts, 0))->text, ==, "abc");
	vigie_message_free(m);
	/* a truncated length is an error, not a read past it */
	g_assert_null(vigie_message_from_chat_json(buf, 5, &err));
	g_assert_error(err, VIGIE_ERROR, VIGIE_ERROR_INPUT);
	g_clear_error(&err);
	g_free(buf);
	/* NULL input */
	g_assert_null(vigie_message_from_chat_json(NULL, 0, &err));
	g_assert_error(err, VIGIE_ERROR, VIGIE_ERROR_INPUT);
	g_assert_cmpstr(err->message, ==, "chat JSON: empty input");
	g_clear_error(&err);
}

/* test_exact_messages - a few messages compared whole */
static void test_exact_messages(void)
{
	static const struct {
		const char *json;
		const char *message;
	} cases[] = {
		{ "{\"author\":{\"name\":1},\"text\":\"x\"}",
		  "chat JSON: field 'author.name' must be a string" },
		{ "{\"platform\":\"p\"}", "chat JSON: missing required field 'text'" },
		{ "{\"text\":\"x\",}",
		  "chat JSON: invalid JSON at line 1, column 12: trailing comma before '}'" },
		{ "{\"text\":\n  tru}",
		  "chat JSON: invalid JSON at line 2, column 5: unexpected identifier `tru', "
		  "expected value" },
		{ "{\"text\":\"x\",\"n\":-}",
		  "chat JSON: invalid JSON at line 1, column 17: unexpected character `-', "
		  "expected number (integer)" },
		{ "[1,2]", "chat JSON: input must be a JSON object, not an array" },
		{ "{\"text\":\"\\ud800\"}",
		  "chat JSON: invalid JSON at line 1, column 10: unpaired surrogate \\uD800 in string" },
		{ "{\"text\":\"x\"} x",
		  "chat JSON: invalid JSON at line 1, column 14: data after the top-level value" },
	};
	for (gsize i = 0; i < G_N_ELEMENTS(cases); i++) {
		GError *err = NULL;
		g_assert_null(vigie_message_from_chat_json(cases[i].json, strlen(cases[i].json),
							   &err));
		g_assert_error(err, VIGIE_ERROR, VIGIE_ERROR_INPUT);
		g_assert_cmpstr(err->message, ==, cases[i].message);
		g_error_free(err);
	}
}

int main(int argc, char **argv)
{
	g_test_init(&argc, &argv, NULL);
	g_test_add_func("/chat/valid-table", test_valid_table);
	g_test_add_func("/chat/error-table", test_error_table);
	g_test_add_func("/chat/full-example", test_full_example);
	g_test_add_func("/chat/link-defaults", test_link_defaults);
	g_test_add_func("/chat/limits-ok", test_limits_ok);
	g_test_add_func("/chat/not-nul-terminated", test_not_nul_terminated);
	g_test_add_func("/chat/exact-messages", test_exact_messages);
	return g_test_run();
}
