/* fuzz_sender.c - fuzz target: bytes -> the sender analyser's parsers of
 * outside input: one Authentication-Results value (RFC 8601) and one
 * address header value, as raw bytes and as the sanitised UTF-8 the MIME
 * parser hands over; then the display name's words. Invariants: every
 * string out is valid UTF-8, results are bounded, method and result names
 * are lower-case keywords, an address's domain is lower case. */
#include "sender.h"
#include "fuzz.h"

#include <string.h>

static void fuzz_auth(const char *value)
{
	sender_auth *a = sender_auth_parse(value);
	g_assert_cmpuint(a->results->len, <=, SENDER_MAX_RESULTS);
	if (a->authserv_id)
		fuzz_check_str(a->authserv_id);
	for (guint i = 0; i < a->results->len; i++) {
		const sender_authres *r = g_ptr_array_index(a->results, i);
		fuzz_check_str(r->text);
		g_assert(*r->method && *r->result);
		for (const char *c = r->method; *c; c++)
			g_assert(g_ascii_isdigit(*c) || g_ascii_islower(*c) || *c == '-' ||
				 *c == '_');
		for (const char *c = r->result; *c; c++)
			g_assert(g_ascii_isdigit(*c) || g_ascii_islower(*c) || *c == '-' ||
				 *c == '_');
	}
	sender_auth_free(a);
}

static void fuzz_address(const char *value)
{
	sender_address *a = sender_address_parse(value);
	if (!a)
		return;
	fuzz_check_str(a->display);
	fuzz_check_str(a->address);
	if (a->domain) {
		fuzz_check_str(a->domain);
		g_assert(*a->domain);
	}
	char **words = sender_names_words(a->display);
	for (guint i = 0; words[i]; i++)
		fuzz_check_str(words[i]);
	g_assert_cmpuint(g_strv_length(words), <=, 32);
	g_strfreev(words);
	sender_address_free(a);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *raw = g_strndup((const char *)data, size);
	char *text = utf8_sanitize((const char *)data, (gssize)size);
	fuzz_auth(raw);
	fuzz_auth(text);
	fuzz_address(text);
	/* the raw bytes too: header values are sanitised, envelope senders
	 * come from the front end */
	fuzz_address(raw);
	g_free(text);
	g_free(raw);
	return 0;
}
