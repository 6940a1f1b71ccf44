/* sender_auth.c - one Authentication-Results header (RFC 8601)
 *
 *   Authentication-Results: mx.example.org; spf=fail smtp.mailfrom=a.example;
 *       dkim=pass (good signature) header.d=a.example; dmarc=fail header.from=a.example
 *
 * gives the authserv-id ("mx.example.org") and each "method=result" with
 * its text. Exchange Online writes no authserv-id ("spf=pass (sender IP is
 * ...) smtp.mailfrom=..."): authserv_id is then NULL. A header saying
 * "none" has no results. Which headers to believe is sender_scan.c's
 * business, not this parser's.
 *
 * SECURITY: the value comes from outside (a header anybody can write, or
 * an MTA that may be misconfigured). Only its first SENDER_MAX_HEADER bytes
 * are read, comments nest at most 8 deep, at most SENDER_MAX_RESULTS
 * results are kept, method and result names are at most 32 characters of
 * [A-Za-z0-9_-]; anything else is skipped, never an error.
 */
#include "sender.h"

#include <string.h>

#define SENDER_AUTH_MAX_DEPTH 8
#define SENDER_AUTH_MAX_WORD 32

static void sender_authres_free(gpointer p)
{
	sender_authres *r = p;
	g_free(r->method);
	g_free(r->result);
	g_free(r->text);
	g_free(r);
}

/* sender_auth_split - the ';'-separated parts of value, comments dropped,
 * quoted strings kept whole; caller g_ptr_array_unref */
static GPtrArray *sender_auth_split(const char *value)
{
	GPtrArray *parts = g_ptr_array_new_with_free_func(g_free);
	gsize len = strnlen(value, SENDER_MAX_HEADER);
	GString *cur = g_string_new(NULL);
	int depth = 0;
	bool quoted = false;
	for (gsize i = 0; i < len && parts->len <= SENDER_MAX_RESULTS; i++) {
		char c = value[i];
		if (depth > 0) {
			if (c == '\\')
				i++;
			else if (c == '(' && depth < SENDER_AUTH_MAX_DEPTH)
				depth++;
			else if (c == ')')
				depth--;
			if (depth == 0)
				g_string_append_c(cur, ' ');
			continue;
		}
		if (quoted) {
			if (c == '\\' && i + 1 < len)
				g_string_append_c(cur, value[++i]);
			else if (c == '"')
				quoted = false;
			else
				g_string_append_c(cur, c);
			continue;
		}
		if (c == '(')
			depth = 1;
		else if (c == '"')
			quoted = true;
		else if (c == ';') {
			g_ptr_array_add(parts, g_strdup(g_strstrip(cur->str)));
			g_string_truncate(cur, 0);
		} else
			g_string_append_c(cur, g_ascii_isspace(c) ? ' ' : c);
	}
	if (parts->len <= SENDER_MAX_RESULTS)
		g_ptr_array_add(parts, g_strdup(g_strstrip(cur->str)));
	g_string_free(cur, TRUE);
	return parts;
}

/* sender_auth_word - a keyword of [A-Za-z0-9_-] at *p (white space
 * skipped before it), lower case, or NULL; *p moves past it */
static char *sender_auth_word(const char **p)
{
	const char *s = *p;
	while (*s == ' ')
		s++;
	const char *start = s;
	while ((g_ascii_isalnum(*s) || *s == '-' || *s == '_') && s - start <= SENDER_AUTH_MAX_WORD)
		s++;
	if (s == start || s - start > SENDER_AUTH_MAX_WORD)
		return NULL;
	*p = s;
	return g_ascii_strdown(start, s - start);
}

/* sender_auth_skip - *p past white space and then c; false if c is not there */
static bool sender_auth_skip(const char **p, char c)
{
	const char *s = *p;
	while (*s == ' ')
		s++;
	if (*s != c)
		return false;
	*p = s + 1;
	return true;
}

/* sender_auth_result - "method[/version] = result ..." or NULL */
static sender_authres *sender_auth_result(const char *part)
{
	const char *p = part;
	char *method = sender_auth_word(&p);
	if (!method)
		return NULL;
	if (sender_auth_skip(&p, '/')) {
		char *version = sender_auth_word(&p);
		bool ok = version != NULL;
		g_free(version);
		if (!ok) {
			g_free(method);
			return NULL;
		}
	}
	char *result = sender_auth_skip(&p, '=') ? sender_auth_word(&p) : NULL;
	if (!result) {
		g_free(method);
		return NULL;
	}
	sender_authres *r = g_new0(sender_authres, 1);
	r->method = method;
	r->result = result;
	r->text = utf8_sanitize(part, -1);
	return r;
}

/* sender_auth_parse - see sender.h */
sender_auth *sender_auth_parse(const char *value)
{
	sender_auth *a = g_new0(sender_auth, 1);
	a->results = g_ptr_array_new_with_free_func(sender_authres_free);
	if (!value)
		return a;
	GPtrArray *parts = sender_auth_split(value);
	guint first = 0;
	/* "authserv-id [version]", unless the first part is already a
	 * "method=result" (no authserv-id) */
	const char *head = g_ptr_array_index(parts, 0);
	const char *p = head;
	while (*p && *p != ' ' && *p != '=' && *p != '/')
		p++;
	const char *after = p;
	while (*after == ' ')
		after++;
	if (*after != '=' && *after != '/') {
		if (p > head) {
			char *id = utf8_sanitize(head, p - head);
			a->authserv_id = g_utf8_strdown(id, -1);
			g_free(id);
		}
		first = 1;
	}
	for (guint i = first; i < parts->len && a->results->len < SENDER_MAX_RESULTS; i++) {
		sender_authres *r = sender_auth_result(g_ptr_array_index(parts, i));
		if (r)
			g_ptr_array_add(a->results, r);
	}
	g_ptr_array_unref(parts);
	return a;
}

/* sender_auth_free - NULL is a no-op */
void sender_auth_free(sender_auth *a)
{
	if (!a)
		return;
	g_free(a->authserv_id);
	g_ptr_array_unref(a->results);
	g_free(a);
}
