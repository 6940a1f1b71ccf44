/* url_extract.c - every URL a person could follow in a message
 *
 * Sources: each link the HTML and chat parsers kept (href with its visible
 * text and tag: a, area, form, img, iframe, base, meta refresh, chat links
 * and attachments), URLs written in the text bodies (plain, HTML visible
 * text, chat), attachment names that are URLs, and URLs embedded
 * percent-encoded or in the query of another ("?u=https%3A%2F%2F...").
 *
 * In text, evasions are undone before looking: zero-width characters and
 * soft hyphens dropped, HTML character references decoded, defanged forms
 * ("hxxp://", "example[.]com", "example(dot)com", "[:]", "[/]") refanged,
 * fullwidth dots read as dots. A URL is a web scheme (http, https, ftp and
 * the defanged spellings), "www.", data:TYPE/..., or a bare domain
 * whose last label is a known public suffix (libpsl), so "file.txt",
 * "e.g." and "1.2.3" are not domains; suffixes that are also common file
 * extensions or words ("zip", "py", "md", "is", "it") count only when a
 * path follows.
 *
 * SECURITY: texts are hostile; work is linear in the text (offsets kept in
 * one array), and at most `max` URLs come out of a message.
 */
#include "url.h"

#include <string.h>

/* url_found_free - free one url_found */
void url_found_free(gpointer p)
{
	url_found *f = p;
	if (!f)
		return;
	g_free(f->written);
	g_free(f->url);
	g_free(f->text);
	g_free(f->tag);
	g_free(f->where);
	g_free(f->via);
	g_free(f);
}

static url_found *found_new(const char *written, const char *url, const char *text, const char *tag,
			    const char *where)
{
	url_found *f = g_new0(url_found, 1);
	f->written = utf8_sanitize(written, -1);
	f->url = utf8_sanitize(url, -1);
	f->text = text ? utf8_sanitize(text, -1) : NULL;
	f->tag = g_strdup(tag);
	f->where = g_strdup(where ? where : "");
	return f;
}

/* ---- the cleaned text, with the original offset of each byte ---- */
typedef struct {
	GString *s;
	GArray *off; /* guint32 per byte of s: where it came from in the original */
} clean;

static void clean_put(clean *c, const char *b, size_t n, size_t orig)
{
	guint32 o = (guint32)orig;
	g_string_append_len(c->s, b, (gssize)n);
	for (size_t i = 0; i < n; i++)
		g_array_append_val(c->off, o);
}

/* extract_entity - decode a character reference at p ("&#104;", "&amp;");
 * writes UTF-8 to out, returns bytes consumed or 0 */
static size_t extract_entity(const char *p, char out[8], size_t *outlen)
{
	static const struct {
		const char *name;
		const char *val;
	} named[] = {
	    {"&amp;", "&"},    {"&lt;", "<"},	{"&gt;", ">"},	   {"&quot;", "\""},
	    {"&apos;", "'"},   {"&sol;", "/"},	{"&period;", "."}, {"&colon;", ":"},
	    {"&commat;", "@"}, {"&nbsp;", " "}, {"&quest;", "?"},  {"&equals;", "="},
	    {"&percnt;", "%"}, {"&num;", "#"},
	};
	if (p[1] == '#') {
		const char *q = p + 2;
		int base = 10;
		if (*q == 'x' || *q == 'X') {
			base = 16;
			q++;
		}
		gunichar v = 0;
		const char *start = q;
		while (g_ascii_isxdigit(*q) && q - start < 8) {
			int d = g_ascii_xdigit_value(*q);
			if (base == 10 && d > 9)
				break;
			v = v * (gunichar)base + (gunichar)d;
			q++;
		}
		if (q == start || v == 0 || !g_unichar_validate(v))
			return 0;
		if (*q == ';')
			q++;
		*outlen = (size_t)g_unichar_to_utf8(v, out);
		return (size_t)(q - p);
	}
	for (size_t i = 0; i < G_N_ELEMENTS(named); i++) {
		size_t l = strlen(named[i].name);
		if (g_ascii_strncasecmp(p, named[i].name, l) == 0) {
			*outlen = strlen(named[i].val);
			memcpy(out, named[i].val, *outlen);
			return l;
		}
	}
	return 0;
}

/* extract_clean - text with evasions undone, offsets kept */
static void extract_clean(const char *t, size_t len, clean *c)
{
	static const struct {
		const char *from, *to;
	} fangs[] = {
	    {"[.]", "."},	   {"(.)", "."},	  {"{.}", "."},
	    {"[dot]", "."},	   {"(dot)", "."},	  {"{dot}", "."},
	    {"[:]", ":"},	   {"[://]", "://"},	  {"[/]", "/"},
	    {"hxxps:", "https:"},  {"hxxp:", "http:"},	  {"hxxps[", "https["},
	    {"hxxp[", "http["},	   {"h**ps:", "https:"},  {"h**p:", "http:"},
	    {"fxp:", "ftp:"},	   {"\xe3\x80\x82", "."}, {"\xef\xbc\x8e", "."},
	    {"\xef\xbd\xa1", "."},
	};
	size_t i = 0;
	while (i < len) {
		guchar ch = (guchar)t[i];
		if (ch == '&') {
			char out[8];
			size_t ol = 0, used = extract_entity(t + i, out, &ol);
			if (used) {
				clean_put(c, out, ol, i);
				i += used;
				continue;
			}
		}
		if (ch == '[' || ch == '(' || ch == '{' || ch == 'h' || ch == 'H' || ch == 'f' ||
		    ch == 0xe3 || ch == 0xef) {
			bool hit = false;
			for (size_t k = 0; k < G_N_ELEMENTS(fangs); k++) {
				size_t l = strlen(fangs[k].from);
				if (i + l <= len &&
				    g_ascii_strncasecmp(t + i, fangs[k].from, l) == 0) {
					/* "hxxp[" leaves its '[' for the "[:]" that follows */
					size_t keep = fangs[k].from[l - 1] == '[' ? 1 : 0;
					clean_put(c, fangs[k].to, strlen(fangs[k].to) - keep, i);
					i += l - keep;
					hit = true;
					break;
				}
			}
			if (hit)
				continue;
		}
		if (ch >= 0x80) {
			gunichar u = g_utf8_get_char_validated(t + i, (gssize)(len - i));
			if (u == (gunichar)-1 || u == (gunichar)-2) {
				i++;
				continue;
			}
			size_t n = (size_t)(g_utf8_next_char(t + i) - (t + i));
			bool zw = u == 0x200b || u == 0x200c || u == 0x200d || u == 0x2060 ||
				  u == 0xfeff || u == 0x00ad || u == 0x180e;
			if (!zw)
				clean_put(c, t + i, n, i);
			i += n;
			continue;
		}
		clean_put(c, t + i, 1, i);
		i++;
	}
	guint32 end = (guint32)len;
	g_array_append_val(c->off, end);
}

/* ---- candidates ---- */

/* extract_is_term - a character that ends a URL in text */
static bool extract_is_term(const char *p)
{
	guchar c = (guchar)*p;
	if (c < 0x80)
		return c <= 0x20 || c == 0x7f || strchr("<>\"`{}|^'[]", (char)c) != NULL;
	gunichar u = g_utf8_get_char_validated(p, -1);
	return u == (gunichar)-1 || u == (gunichar)-2 || g_unichar_isspace(u) || u == 0xa0 ||
	       u == 0x3000 || u == 0x2018 || u == 0x2019 || u == 0x201c || u == 0x201d ||
	       u == 0xab || u == 0xbb || u == 0x2026 || u == 0x3001;
}

/* extract_end - end of the URL starting at s (exclusive), trailing
 * punctuation and unbalanced closing brackets trimmed */
static const char *extract_end(const char *s)
{
	const char *e = s;
	while (*e && !extract_is_term(e))
		e = g_utf8_next_char(e);
	while (e > s) {
		char c = e[-1];
		if (strchr(".,;:!?*", c)) {
			e--;
			continue;
		}
		if (c == ')') {
			int open = 0, close = 0;
			for (const char *q = s; q < e; q++) {
				open += *q == '(';
				close += *q == ')';
			}
			if (close > open) {
				e--;
				continue;
			}
		}
		break;
	}
	return e;
}

/* extract_scheme_len - length of a URL scheme prefix at p we follow, or 0 */
static size_t extract_scheme_len(const char *p)
{
	static const char *const web[] = {"https:", "http:", "ftp:"};
	for (size_t i = 0; i < G_N_ELEMENTS(web); i++) {
		size_t l = strlen(web[i]);
		if (g_ascii_strncasecmp(p, web[i], l) == 0 && (p[l] == '/' || p[l] == '\\'))
			return l;
	}
	if (g_ascii_strncasecmp(p, "data:", 5) == 0) { /* data:TYPE/SUBTYPE... */
		const char *q = p + 5;
		while (g_ascii_isalpha(*q) || *q == '-')
			q++;
		return q > p + 5 && *q == '/' && g_ascii_isalpha(q[1]) ? 5 : 0;
	}
	return 0;
}

/* suffixes that are also file extensions or everyday words: a bare domain
 * ending in one needs a path to count */
static bool extract_ambiguous_tld(const char *tld)
{
	static const char *const amb[] = {
	    "zip", "mov", "py", "md", "sh", "rs", "pl", "pm", "so", "ps", "cs", "ai", "do",
	    "in",  "it",  "is", "me", "at", "be", "to", "us", "no", "my", "go", "on", "am",
	    "as",  "an",  "or", "id", "im", "cc", "cf", "tf", "mk", "ac", "bz", "ms", "mm"};
	for (size_t i = 0; i < G_N_ELEMENTS(amb); i++)
		if (g_ascii_strcasecmp(tld, amb[i]) == 0)
			return true;
	return false;
}

/* extract_bare - length of a bare domain URL at s (up to e), or 0 */
static size_t extract_bare(const char *s, const char *e)
{
	size_t hl = strcspn(s, "/?#:");
	if (s + hl > e)
		hl = (size_t)(e - s);
	if (hl < 4 || hl > 253 || memchr(s, '@', (size_t)(e - s)))
		return 0;
	/* labels: letters (any script), digits, '-'; at least two; none empty */
	const char *last = NULL;
	int labels = 1;
	for (const char *p = s; p < s + hl; p = g_utf8_next_char(p)) {
		if (*p == '.') {
			if (p == s || p[-1] == '.' || p[-1] == '-' || p + 1 == s + hl ||
			    p[1] == '-')
				return 0;
			labels++;
			last = p + 1;
			continue;
		}
		gunichar u = g_utf8_get_char(p);
		if (!(u == '-' || (u < 0x80 ? g_ascii_isalnum((char)u) : g_unichar_isalnum(u))))
			return 0;
	}
	if (labels < 2 || !last || *s == '-')
		return 0;
	char *tld = g_strndup(last, (gsize)(s + hl - last));
	bool upper = true, lower = true, alpha = true;
	for (const char *p = tld; *p; p++) {
		if ((guchar)*p < 0x80) {
			upper &= !g_ascii_islower(*p);
			lower &= !g_ascii_isupper(*p);
			alpha &= g_ascii_isalpha(*p) != 0;
		}
	}
	char *low = g_utf8_strdown(tld, -1);
	bool has_path = s + hl < e && (s[hl] == '/' || s[hl] == ':');
	bool ok = alpha && (upper || lower) && url_normalise_is_suffix(low) &&
		  (has_path || !extract_ambiguous_tld(low));
	g_free(low);
	g_free(tld);
	if (!ok)
		return 0;
	return (size_t)(e - s);
}

/* extract_add - a candidate [cs, ce) of the clean text */
static void extract_add(const clean *c, const char *orig, const char *cs, const char *ce,
			const char *where, GPtrArray *out)
{
	size_t a = (size_t)(cs - c->s->str), b = (size_t)(ce - c->s->str);
	guint32 oa = g_array_index(c->off, guint32, a), ob = g_array_index(c->off, guint32, b);
	if (ob < oa)
		ob = oa;
	char *written = g_strndup(orig + oa, ob - oa);
	char *url = g_strndup(cs, (gsize)(ce - cs));
	g_ptr_array_add(out, found_new(written, url, NULL, "text", where));
	g_free(written);
	g_free(url);
}

/* extract_is_word - byte is part of a word or host (no URL starts after it) */
static bool extract_is_word(char c)
{
	return g_ascii_isalnum(c) || c == '.' || c == '-' || c == '_' || c == '@' || c == '%' ||
	       c == '/' || (guchar)c >= 0x80;
}

/* extract_none - true when text cannot hold a URL as url_extract_text
 * finds them, proved without cleaning it: every candidate needs a ':'
 * (a scheme, "hxxp:", "[:]"), a '&' (an entity), a byte of UTF-8 (a wide
 * dot, a zero-width character), a "dot" ("[dot]"), or a '.' with something
 * after it that is not a blank (a dot before a blank or the end is trimmed
 * from the token it ends, so no token keeps it). Most chat messages and
 * short texts have none: they skip the copy and the walk. */
static bool extract_none(const char *text)
{
	for (const char *p = text; *p; p++) {
		guchar ch = (guchar)*p;
		if (ch == ':' || ch == '&' || ch >= 0x80)
			return false;
		if (ch == '.') {
			const char *q = p;
			while (q[1] == '.')
				q++;
			if ((guchar)q[1] > 0x20)
				return false;
			p = q;
		} else if ((ch | 0x20) == 'd' && (p[1] | 0x20) == 'o' && (p[2] | 0x20) == 't') {
			return false;
		}
	}
	return true;
}

/* url_extract_text - see url.h */
void url_extract_text(const char *text, const char *where, GPtrArray *out, guint max)
{
	if (!text || out->len >= max)
		return;
	if (extract_none(text))
		return;
	size_t len = strlen(text);
	clean c = {g_string_sized_new(len),
		   g_array_sized_new(FALSE, FALSE, sizeof(guint32), len + 1)};
	extract_clean(text, len, &c);
	const char *s = c.s->str;
	const char *p = s;
	while (*p && out->len < max) {
		char prev = p > s ? p[-1] : ' ';
		size_t sl = 0;
		if (!g_ascii_isalpha(prev) && (sl = extract_scheme_len(p))) {
			const char *e = extract_end(p);
			const char *body = p + sl;
			while (*body == '/' || *body == '\\')
				body++;
			if (body < e) {
				extract_add(&c, text, p, e, where, out);
				p = e;
				continue;
			}
		} else if (!extract_is_word(prev) && g_ascii_strncasecmp(p, "www.", 4) == 0 &&
			   g_ascii_isalnum(p[4])) {
			const char *e = extract_end(p);
			extract_add(&c, text, p, e, where, out);
			p = e;
			continue;
		} else if (!extract_is_word(prev) && (g_ascii_isalnum(*p) || (guchar)*p >= 0x80)) {
			const char *e = extract_end(p);
			size_t n =
			    e > p && memchr(p, '.', (size_t)(e - p)) ? extract_bare(p, e) : 0;
			if (n) {
				extract_add(&c, text, p, p + n, where, out);
				p += n;
				continue;
			}
		}
		p++;
	}
	g_string_free(c.s, TRUE);
	g_array_unref(c.off);
}

/* url_extract_single - see url.h */
char *url_extract_single(const char *s)
{
	if (!s)
		return NULL;
	GPtrArray *f = g_ptr_array_new_with_free_func(url_found_free);
	char *t = g_strstrip(g_strdup(s));
	url_extract_text(t, "", f, 2);
	char *r = NULL;
	if (f->len == 1) {
		url_found *u = g_ptr_array_index(f, 0);
		/* the URL is the whole text but for closing punctuation */
		const char *at = strstr(t, u->written);
		bool whole = at == t;
		for (const char *q = at ? at + strlen(u->written) : t; whole && *q; q++)
			whole = strchr("/.,;:!?)]>\"' ", *q) != NULL;
		if (whole)
			r = g_strdup(u->url);
	}
	g_free(t);
	g_ptr_array_unref(f);
	return r;
}

/* extract_embedded - URLs inside another (redirect parameters), appended */
static void extract_embedded(const char *url, const char *where, GPtrArray *out, guint max)
{
	static const char *const marks[] = {
	    "http%3a%2f%2f",	    "https%3a%2f%2f", "http%253a%252f%252f",
	    "https%253a%252f%252f", "=http://",	      "=https://"};
	char *low = g_ascii_strdown(url, -1);
	for (size_t i = 0; i < G_N_ELEMENTS(marks) && out->len < max; i++) {
		const char *m = strstr(low, marks[i]);
		if (!m || m == low)
			continue;
		size_t at = (size_t)(m - low) + (marks[i][0] == '=' ? 1 : 0);
		size_t n = strcspn(url + at, "&");
		char *enc = g_strndup(url + at, n);
		char *dec = g_uri_unescape_string(enc, NULL);
		if (dec && strstr(dec, "%3A")) {
			char *twice = g_uri_unescape_string(dec, NULL);
			g_free(dec);
			dec = twice;
		}
		if (dec && g_utf8_validate(dec, -1, NULL))
			g_ptr_array_add(out, found_new(enc, dec, NULL, "embedded", where));
		g_free(dec);
		g_free(enc);
	}
	g_free(low);
}

/* extract_unwrap_all - after the url_found at index i of out, its targets
 * through listed redirectors, up to URL_UNWRAP_DEPTH levels */
static void extract_unwrap_all(const url_unwrap *uw, GPtrArray *out, guint i, guint max)
{
	url_found *top = g_ptr_array_index(out, i), *parent = top;
	const char *cur = top->url;
	char *chain = NULL, *prev = NULL;
	for (int depth = 0; depth < URL_UNWRAP_DEPTH && out->len < max; depth++) {
		char *via = NULL;
		char *t = url_unwrap_target(uw, cur, &via);
		if (!t)
			break;
		parent->wrapper = true;
		char *c = chain ? g_strconcat(via, ", ", chain, NULL) : g_strdup(via);
		g_free(chain);
		chain = c;
		url_found *f = found_new(top->written, t, top->text, top->tag, top->where);
		f->via = g_strdup(chain);
		g_ptr_array_add(out, f);
		parent = f;
		g_free(via);
		g_free(prev);
		prev = t;
		cur = prev;
	}
	g_free(prev);
	g_free(chain);
}

/* extract_href_ok - an href a click would follow: a web, data: or script
 * scheme, or "//" */
static bool extract_href_ok(const char *h)
{
	while (*h == ' ' || *h == '\t' || *h == '\n' || *h == '\r')
		h++;
	if (h[0] == '/' && h[1] == '/')
		return true;
	const char *p = h;
	if (!g_ascii_isalpha(*p))
		return false;
	while (g_ascii_isalnum(*p) || *p == '+' || *p == '.' || *p == '-')
		p++;
	if (*p != ':')
		return false;
	static const char *const follow[] = {"http",  "https", "ftp",	     "hxxp",
					     "hxxps", "data",  "javascript", "vbscript"};
	for (size_t i = 0; i < G_N_ELEMENTS(follow); i++)
		if ((size_t)(p - h) == strlen(follow[i]) &&
		    g_ascii_strncasecmp(h, follow[i], (gsize)(p - h)) == 0)
			return true;
	return false; /* mailto:, tel:, cid:, ... */
}

/* url_extract_message - see url.h */
GPtrArray *url_extract_message(const vigie_message *m, guint max)
{
	return url_extract_message_unwrap(m, max, NULL);
}

/* url_extract_message_unwrap - see url.h */
GPtrArray *url_extract_message_unwrap(const vigie_message *m, guint max, const url_unwrap *uw)
{
	GPtrArray *out = g_ptr_array_new_with_free_func(url_found_free);
	for (guint i = 0; i < m->texts->len && out->len < max; i++) {
		const vigie_text *t = g_ptr_array_index(m->texts, i);
		for (guint j = 0; j < t->links->len && out->len < max; j++) {
			const vigie_link *l = g_ptr_array_index(t->links, j);
			if (!l->href || !extract_href_ok(l->href))
				continue;
			g_ptr_array_add(out,
					found_new(l->href, l->href, l->text, l->tag, t->where));
			extract_unwrap_all(uw, out, out->len - 1, max);
			extract_embedded(l->href, t->where, out, max);
		}
	}
	for (guint i = 0; i < m->texts->len && out->len < max; i++) {
		const vigie_text *t = g_ptr_array_index(m->texts, i);
		guint from = out->len;
		url_extract_text(t->text, t->where, out, max);
		for (guint j = from, n = out->len; j < n && out->len < max; j++) {
			extract_unwrap_all(uw, out, j, max);
			extract_embedded(((url_found *)g_ptr_array_index(out, j))->url, t->where,
					 out, max);
		}
	}
	for (guint i = 0; i < m->attachments->len && out->len < max; i++) {
		const vigie_attachment *a = g_ptr_array_index(m->attachments, i);
		char *u = a->name ? url_extract_single(a->name) : NULL;
		if (u && (extract_scheme_len(u) || g_ascii_strncasecmp(u, "www.", 4) == 0))
			g_ptr_array_add(out,
					found_new(a->name, u, NULL, "attachment-name", a->where));
		g_free(u);
	}
	return out;
}
