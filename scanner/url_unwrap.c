/* url_unwrap.c - redirectors whose target is in their own URL (unwrap.txt)
 *
 * A line of the rule file names a redirector (a domain, or "label.*" under
 * any public suffix), a path prefix and how its target is written there: a
 * query parameter, base64, the rest of the path, URL Defense's encodings, or
 * "opaque" (the target is on the redirector's server: a shortener). The URL
 * analyser checks the unwrapped target like any link (url_extract.c walks
 * the chain, bounded).
 *
 * SECURITY: URLs are sender data; they are only split, percent-decoded and
 * base64-decoded here, never fetched; a decoded target must be a web URL.
 */
#include "url.h"
#include <string.h>

/* ---- redirectors whose target is in their URL (unwrap.txt) ---- */
typedef enum { UW_PARAM, UW_BASE64, UW_PATH, UW_PROOFPOINT2, UW_PROOFPOINT3, UW_OPAQUE } uw_how;

typedef struct {
	char *domain;	 /* A-label domain, or the label of "label.*" */
	bool any_suffix; /* "label.*": that label under any public suffix */
	char *prefix;	 /* path prefix, lower case, starting with '/' */
	uw_how how;
	char **names; /* parameter names (param, base64, proofpoint2) */
} uw_rule;

struct url_unwrap {
	GPtrArray *rules; /* of uw_rule*, in file order: the first match wins */
};

static void uw_rule_free(gpointer p)
{
	uw_rule *r = p;
	g_free(r->domain);
	g_free(r->prefix);
	g_strfreev(r->names);
	g_free(r);
}

/* uw_parse_how - "param:q,url", "base64:u", "path", "proofpoint2:u",
 * "proofpoint3", "opaque" into r; false when malformed */
static bool uw_parse_how(const char *s, uw_rule *r)
{
	static const struct {
		const char *name;
		uw_how how;
		bool names;
	} hows[] = {
	    {"param", UW_PARAM, true},	 {"base64", UW_BASE64, true},
	    {"path", UW_PATH, false},	 {"proofpoint2", UW_PROOFPOINT2, true},
	    {"proofpoint3", UW_PROOFPOINT3, false}, {"opaque", UW_OPAQUE, false},
	};
	const char *colon = strchr(s, ':');
	size_t n = colon ? (size_t)(colon - s) : strlen(s);
	for (size_t i = 0; i < G_N_ELEMENTS(hows); i++) {
		if (strlen(hows[i].name) != n || strncmp(s, hows[i].name, n) != 0)
			continue;
		if (hows[i].names != (colon != NULL))
			return false;
		r->how = hows[i].how;
		if (!colon)
			return true;
		if (!colon[1])
			return false;
		r->names = g_strsplit(colon + 1, ",", 16);
		for (int k = 0; r->names[k]; k++) {
			if (!*r->names[k])
				return false;
			for (const char *c = r->names[k]; *c; c++)
				if (!g_ascii_isalnum(*c) && *c != '_' && *c != '-')
					return false;
		}
		return true;
	}
	return false;
}

/* url_unwrap_load - see url.h */
url_unwrap *url_unwrap_load(const char *path, GError **err)
{
	url_unwrap *w = g_new0(url_unwrap, 1);
	w->rules = g_ptr_array_new_with_free_func(uw_rule_free);
	if (!g_file_test(path, G_FILE_TEST_EXISTS))
		return w;
	char *text = NULL;
	GError *e = NULL;
	if (!g_file_get_contents(path, &text, NULL, &e)) {
		g_set_error(err, VIGIE_ERROR, VIGIE_ERROR_RULES, "%s: %s", path, e->message);
		g_error_free(e);
		url_unwrap_free(w);
		return NULL;
	}
	if (!g_utf8_validate(text, -1, NULL)) {
		g_set_error(err, VIGIE_ERROR, VIGIE_ERROR_RULES, "%s: not valid UTF-8", path);
		g_free(text);
		url_unwrap_free(w);
		return NULL;
	}
	char **lines = g_strsplit(text, "\n", -1);
	g_free(text);
	bool ok = true;
	for (int i = 0; ok && lines[i]; i++) {
		char *l = g_strstrip(lines[i]);
		if (!*l || *l == '#')
			continue;
		char **f = g_strsplit_set(l, " \t", -1);
		GPtrArray *w3 = g_ptr_array_new();
		for (int k = 0; f[k]; k++)
			if (*f[k])
				g_ptr_array_add(w3, f[k]);
		uw_rule *r = g_new0(uw_rule, 1);
		const char *why = NULL;
		if (w3->len != 3)
			why = "expected DOMAIN PATH-PREFIX HOW";
		else {
			const char *d = g_ptr_array_index(w3, 0);
			const char *pre = g_ptr_array_index(w3, 1);
			size_t dl = strlen(d);
			bool ip = false;
			if (dl > 2 && g_str_has_suffix(d, ".*")) {
				r->any_suffix = true;
				r->domain = g_ascii_strdown(d, (gssize)dl - 2);
				for (const char *c = r->domain; !why && *c; c++)
					if (!g_ascii_isalnum(*c) && *c != '-')
						why = "is not a domain name or LABEL.*";
			} else {
				r->domain = url_normalise_host(d, &ip, NULL);
				if (!r->domain || ip || !strchr(r->domain, '.'))
					why = "is not a domain name or LABEL.*";
			}
			if (!why && pre[0] != '/')
				why = "the path prefix must start with '/'";
			r->prefix = g_ascii_strdown(pre, -1);
			if (!why && !uw_parse_how(g_ptr_array_index(w3, 2), r))
				why = "HOW must be param:NAMES, base64:NAMES, path, proofpoint2:NAMES, "
				      "proofpoint3 or opaque";
		}
		if (why) {
			g_set_error(err, VIGIE_ERROR, VIGIE_ERROR_RULES, "%s:%d: '%s': %s", path,
				    i + 1, l, why);
			uw_rule_free(r);
			ok = false;
		} else
			g_ptr_array_add(w->rules, r);
		g_ptr_array_unref(w3);
		g_strfreev(f);
	}
	g_strfreev(lines);
	if (!ok) {
		url_unwrap_free(w);
		return NULL;
	}
	return w;
}

/* url_unwrap_free - NULL is a no-op */
void url_unwrap_free(url_unwrap *w)
{
	if (!w)
		return;
	g_ptr_array_unref(w->rules);
	g_free(w);
}

guint url_unwrap_count(const url_unwrap *w)
{
	return w ? w->rules->len : 0;
}

/* uw_split - the host (lower case, no user info or port) and the rest
 * (path, query; no fragment) of an absolute or "//" URL as written; false
 * when it has no host */
static bool uw_split(const char *url, char **host, const char **rest, size_t *restlen)
{
	const char *p = url;
	while (*p == ' ' || *p == '\t' || *p == '\r' || *p == '\n')
		p++;
	if (g_ascii_strncasecmp(p, "https:", 6) == 0)
		p += 6;
	else if (g_ascii_strncasecmp(p, "http:", 5) == 0)
		p += 5;
	else if (p[0] != '/')
		return false;
	if ((p[0] != '/' && p[0] != '\\') || (p[1] != '/' && p[1] != '\\'))
		return false;
	p += 2;
	size_t n = strcspn(p, "/\\?#;");
	const char *at = NULL;
	for (const char *c = p; c < p + n; c++)
		if (*c == '@')
			at = c;
	const char *h = at ? at + 1 : p;
	size_t hl = (size_t)(p + n - h);
	const char *colon = memchr(h, ':', hl);
	if (colon)
		hl = (size_t)(colon - h);
	if (hl == 0 || hl > 253)
		return false;
	*host = g_ascii_strdown(h, (gssize)hl);
	*rest = p + n;
	*restlen = strcspn(*rest, "#");
	return true;
}

/* uw_find - the first rule for host whose prefix starts rest */
static const uw_rule *uw_find(const url_unwrap *w, const char *host, const char *rest)
{
	char *reg = NULL;
	bool reg_done = false;
	const uw_rule *hit = NULL;
	for (guint i = 0; !hit && i < w->rules->len; i++) {
		const uw_rule *r = g_ptr_array_index(w->rules, i);
		bool host_ok;
		if (r->any_suffix) {
			if (!reg_done) {
				reg = url_registrable_domain(host);
				reg_done = true;
			}
			size_t dl = strlen(r->domain);
			host_ok = reg && strncmp(reg, r->domain, dl) == 0 && reg[dl] == '.' &&
				  url_normalise_suffix_of(reg) == reg + dl + 1;
		} else {
			size_t hl = strlen(host), dl = strlen(r->domain);
			host_ok = hl >= dl && strcmp(host + hl - dl, r->domain) == 0 &&
				  (hl == dl || host[hl - dl - 1] == '.');
		}
		const char *path = *rest == '/' || *rest == '\\' ? rest : "/";
		if (host_ok && g_ascii_strncasecmp(path, r->prefix, strlen(r->prefix)) == 0)
			hit = r;
	}
	g_free(reg);
	return hit;
}

/* uw_unescape - percent-decoding that keeps invalid escapes as written */
static char *uw_unescape(const char *s, size_t n)
{
	GString *o = g_string_sized_new(n);
	for (size_t i = 0; i < n; i++) {
		if (s[i] == '%' && i + 2 < n && g_ascii_isxdigit(s[i + 1]) &&
		    g_ascii_isxdigit(s[i + 2])) {
			char c = (char)(g_ascii_xdigit_value(s[i + 1]) * 16 +
					g_ascii_xdigit_value(s[i + 2]));
			if (c)
				g_string_append_c(o, c);
			i += 2;
		} else
			g_string_append_c(o, s[i]);
	}
	return g_string_free(o, FALSE);
}

/* uw_param - the raw value of the first parameter named in names, in the
 * query or ';' parameters of rest; NULL if none */
static char *uw_param(const char *rest, size_t n, char *const *names)
{
	for (int k = 0; names[k]; k++) {
		size_t nl = strlen(names[k]);
		for (size_t i = 0; i < n; i++) {
			if (rest[i] != '?' && rest[i] != '&' && rest[i] != ';' && rest[i] != '!')
				continue;
			if (i + 1 + nl < n && g_ascii_strncasecmp(rest + i + 1, names[k], nl) == 0 &&
			    rest[i + 1 + nl] == '=') {
				const char *v = rest + i + 2 + nl;
				size_t vl = 0;
				while (v + vl < rest + n && v[vl] != '&')
					vl++;
				return g_strndup(v, vl);
			}
		}
	}
	return NULL;
}

/* uw_is_target - s is a web URL a redirect could lead to (scheme or "//"
 * and a host with a dot, or an IP literal) */
static bool uw_is_target(const char *s)
{
	if (!s || !g_utf8_validate(s, -1, NULL))
		return false;
	if (g_ascii_strncasecmp(s, "http://", 7) != 0 && g_ascii_strncasecmp(s, "https://", 8) != 0 &&
	    strncmp(s, "//", 2) != 0)
		return false;
	url_parts *p = url_normalise(s);
	bool ok = p && p->kind == URL_KIND_NET && (p->ip || strchr(p->host, '.'));
	url_parts_free(p);
	return ok;
}

/* uw_decoded - a parameter value percent-decoded once, or twice when the
 * target was encoded twice ("https%253A%252F%252F") */
static char *uw_decoded(const char *v)
{
	char *d = uw_unescape(v, strlen(v));
	if (g_ascii_strncasecmp(d, "http%3a", 7) == 0 || g_ascii_strncasecmp(d, "https%3a", 8) == 0) {
		char *t = uw_unescape(d, strlen(d));
		g_free(d);
		d = t;
	}
	return d;
}

/* uw_base64 - a base64 or base64url value decoded, skipping skip
 * characters (Bing's "a1" marker); NULL unless valid UTF-8 */
static char *uw_base64(const char *v, size_t skip)
{
	if (strlen(v) <= skip)
		return NULL;
	GString *b = g_string_new(v + skip);
	for (gsize i = 0; i < b->len; i++) {
		if (b->str[i] == '-')
			b->str[i] = '+';
		else if (b->str[i] == '_')
			b->str[i] = '/';
		else if (!g_ascii_isalnum(b->str[i]) && b->str[i] != '+' && b->str[i] != '/' &&
			 b->str[i] != '=') {
			g_string_free(b, TRUE);
			return NULL;
		}
	}
	while (b->len % 4)
		g_string_append_c(b, '=');
	gsize n = 0;
	guchar *raw = g_base64_decode(b->str, &n);
	g_string_free(b, TRUE);
	char *s = g_strndup((const char *)raw, n);
	g_free(raw);
	if (strlen(s) != n || !g_utf8_validate(s, -1, NULL)) {
		g_free(s);
		return NULL;
	}
	return s;
}

/* uw_proofpoint2 - Proofpoint v2: "https-3A__www.example.com_a" */
static char *uw_proofpoint2(const char *v)
{
	GString *o = g_string_new(NULL);
	for (const char *c = v; *c; c++) {
		if (*c == '_')
			g_string_append_c(o, '/');
		else if (*c == '-' && g_ascii_isxdigit(c[1]) && g_ascii_isxdigit(c[2])) {
			char ch = (char)(g_ascii_xdigit_value(c[1]) * 16 + g_ascii_xdigit_value(c[2]));
			if (ch)
				g_string_append_c(o, ch);
			c += 2;
		} else
			g_string_append_c(o, *c);
	}
	return g_string_free(o, FALSE);
}

/* url_extract_unwrap - see url.h */
char *url_unwrap_target(const url_unwrap *w, const char *url, char **via)
{
	char *host = NULL, *target = NULL;
	const char *rest;
	size_t n;
	if (via)
		*via = NULL;
	if (!w || !w->rules->len || !url || !uw_split(url, &host, &rest, &n))
		return NULL;
	const uw_rule *r = uw_find(w, host, rest);
	char *v = r && r->names ? uw_param(rest, n, r->names) : NULL;
	if (!r || r->how == UW_OPAQUE)
		;
	else if (r->how == UW_PARAM && v)
		target = uw_decoded(v);
	else if (r->how == UW_BASE64 && v) {
		char *d = uw_unescape(v, strlen(v));
		target = uw_base64(d, 0);
		if (!uw_is_target(target)) {
			g_free(target);
			target = uw_base64(d, 2);
		}
		g_free(d);
	} else if (r->how == UW_PROOFPOINT2 && v) {
		char *d = uw_unescape(v, strlen(v));
		target = uw_proofpoint2(d);
		g_free(d);
	} else if (r->how == UW_PATH) {
		const char *t = rest + strlen(r->prefix);
		size_t tl = n - strlen(r->prefix);
		char *raw = g_strndup(t, tl);
		bool scheme = g_ascii_strncasecmp(raw, "http:", 5) == 0 ||
			      g_ascii_strncasecmp(raw, "https:", 6) == 0;
		target = scheme ? g_strdup(raw) : g_strconcat("https://", raw, NULL);
		g_free(raw);
	} else if (r->how == UW_PROOFPOINT3) {
		const char *t = rest + strlen(r->prefix);
		size_t tl = n - strlen(r->prefix);
		const char *end = g_strstr_len(t, (gssize)tl, "__;");
		if (!end && tl >= 2 && t[tl - 2] == '_' && t[tl - 1] == '_')
			end = t + tl - 2;
		target = end ? g_strndup(t, (gsize)(end - t)) : NULL;
	}
	g_free(v);
	if (!uw_is_target(target)) {
		g_free(target);
		target = NULL;
	} else if (via)
		*via = g_strdup(g_str_has_prefix(host, "www.") ? host + 4 : host);
	g_free(host);
	return target;
}

/* url_unwrap_opaque - see url.h */
bool url_unwrap_opaque(const url_unwrap *w, const char *url)
{
	char *host = NULL;
	const char *rest;
	size_t n;
	if (!w || !w->rules->len || !url || !uw_split(url, &host, &rest, &n))
		return false;
	const uw_rule *r = uw_find(w, host, rest);
	g_free(host);
	return r && r->how == UW_OPAQUE;
}

