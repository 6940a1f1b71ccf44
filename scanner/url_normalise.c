/* url_normalise.c - one URL as written -> its normalised parts
 *
 * What a browser would do with it, so that checks see where a link really
 * goes: schemes and hosts lower-cased; "hxxp", "[.]" and "(dot)" undone;
 * any number of slashes or backslashes after a web scheme accepted (the
 * WHATWG URL standard does); user info split off; the host percent-decoded,
 * IDNA-mapped to its A-label form (libidn2, UTS #46) and back to U-labels
 * for display; IPv4 literals in decimal, octal, hex and dotted-partial
 * notation turned into a dotted quad; default ports dropped; the path
 * percent-decoded for reading; the registrable domain (eTLD+1) from the
 * public suffix list (libpsl, with Debian's publicsuffix data when newer
 * than the built-in copy).
 *
 * SECURITY: every input is hostile text from a message. Lengths are
 * bounded (URL_MAX bytes considered), nothing is resolved or fetched, and
 * the output is valid UTF-8.
 */
#include "url.h"

#include <arpa/inet.h>
#include <idn2.h>
#include <libpsl.h>
#include <stdlib.h>
#include <string.h>

#define URL_MAX 8192

/* url_psl - the process-wide public suffix list (read-only once loaded) */
static const psl_ctx_t *url_psl(void)
{
	static gsize once = 0;
	static const psl_ctx_t *psl;
	if (g_once_init_enter(&once)) {
		/* the newest of the built-in list and the distribution's file */
		psl = psl_latest(NULL);
		if (!psl)
			psl = psl_builtin();
		g_once_init_leave(&once, 1);
	}
	return psl;
}

/* url_normalise_is_suffix - s is a listed public suffix (not via "*") */
bool url_normalise_is_suffix(const char *s)
{
	const psl_ctx_t *psl = url_psl();
	return psl && psl_is_public_suffix2(psl, s, PSL_TYPE_ANY | PSL_TYPE_NO_STAR_RULE);
}

/* url_normalise_suffix_of - public suffix part of host (pointer into it) */
const char *url_normalise_suffix_of(const char *host)
{
	const psl_ctx_t *psl = url_psl();
	const char *s = psl ? psl_unregistrable_domain(psl, host) : NULL;
	if (s)
		return s;
	const char *dot = strrchr(host, '.');
	return dot ? dot + 1 : host;
}

/* url_hexval - value of a hex digit or -1 */
static int url_hexval(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	c = (char)g_ascii_tolower(c);
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	return -1;
}

/* url_pct_decode - %XX decoded (invalid escapes kept); result made valid UTF-8 */
static char *url_pct_decode(const char *s, size_t len)
{
	GString *o = g_string_sized_new(len);
	for (size_t i = 0; i < len; i++) {
		int h, l;
		if (s[i] == '%' && i + 2 < len && (h = url_hexval(s[i + 1])) >= 0 &&
		    (l = url_hexval(s[i + 2])) >= 0) {
			g_string_append_c(o, (char)(h * 16 + l));
			i += 2;
		} else
			g_string_append_c(o, s[i]);
	}
	char *r = utf8_sanitize(o->str, (gssize)o->len);
	g_string_free(o, TRUE);
	return r;
}

/* url_ipv4_part - one part of an IPv4 literal (decimal, 0octal, 0xhex) */
static bool url_ipv4_part(const char *s, size_t len, guint64 *out, bool *odd)
{
	int base = 10;
	if (len >= 2 && s[0] == '0' && (s[1] == 'x' || s[1] == 'X')) {
		base = 16;
		s += 2;
		len -= 2;
		*odd = true;
	} else if (len >= 2 && s[0] == '0') {
		base = 8;
		s++;
		len--;
		*odd = true;
	}
	if (len == 0) {
		*out = 0; /* "0x" alone is 0 */
		return base == 16;
	}
	if (len > 12)
		return false;
	guint64 v = 0;
	for (size_t i = 0; i < len; i++) {
		int d = url_hexval(s[i]);
		if (d < 0 || d >= base)
			return false;
		v = v * (guint64)base + (guint64)d;
	}
	*out = v;
	return true;
}

/* url_normalise_ipv4 - the WHATWG IPv4 parser: 1 to 4 parts, the last
 * filling the remaining bytes */
bool url_normalise_ipv4(const char *s, char out[16], bool *odd)
{
	guint64 parts[4];
	int n = 0;
	bool o = false;
	size_t len = strlen(s);
	if (len && s[len - 1] == '.')
		len--;
	if (len == 0 || len > 64)
		return false;
	size_t start = 0;
	for (size_t i = 0; i <= len; i++) {
		if (i == len || s[i] == '.') {
			if (n == 4 || !url_ipv4_part(s + start, i - start, &parts[n], &o))
				return false;
			n++;
			start = i + 1;
		}
	}
	for (int i = 0; i < n - 1; i++)
		if (parts[i] > 255)
			return false;
	if (parts[n - 1] >= (1ull << (8 * (5 - n))))
		return false;
	guint32 v = (guint32)parts[n - 1];
	for (int i = 0; i < n - 1; i++)
		v += (guint32)(parts[i] << (8 * (3 - i)));
	if (n != 4)
		o = true;
	g_snprintf(out, 16, "%u.%u.%u.%u", v >> 24, (v >> 16) & 255, (v >> 8) & 255, v & 255);
	if (odd)
		*odd = o;
	return true;
}

/* url_undefang_host - "[.]", "(.)", "{.}", "[dot]", "(dot)", fullwidth dots -> "." */
static char *url_undefang_host(const char *h, bool *defanged)
{
	static const char *const dots[] = {"[.]",	   "(.)",	   "{.}",
					   "[dot]",	   "(dot)",	   "{dot}",
					   "\xe3\x80\x82", "\xef\xbc\x8e", "\xef\xbd\xa1"};
	GString *o = g_string_new(NULL);
	for (const char *p = h; *p;) {
		bool hit = false;
		guchar c = (guchar)*p;
		bool maybe = c == '[' || c == '(' || c == '{' || c == 0xe3 || c == 0xef;
		for (size_t i = 0; maybe && i < G_N_ELEMENTS(dots); i++) {
			size_t l = strlen(dots[i]);
			if (g_ascii_strncasecmp(p, dots[i], l) == 0) {
				g_string_append_c(o, '.');
				p += l;
				hit = true;
				if (i < 6 && defanged)
					*defanged = true;
				break;
			}
		}
		if (!hit)
			g_string_append_c(o, *p++);
	}
	return g_string_free(o, FALSE);
}

/* url_normalise_host - see url.h */
char *url_normalise_host(const char *host, bool *ip, bool *ip_odd)
{
	bool dummy = false;
	*ip = false;
	if (ip_odd)
		*ip_odd = false;
	size_t hl = strlen(host);
	if (hl == 0 || hl > 1024)
		return NULL;
	if (host[0] == '[') { /* IPv6 literal */
		const char *close = strchr(host, ']');
		if (!close || close[1])
			return NULL;
		char buf[64], out[INET6_ADDRSTRLEN];
		struct in6_addr a6;
		size_t l = (size_t)(close - host - 1);
		if (l >= sizeof buf)
			return NULL;
		memcpy(buf, host + 1, l);
		buf[l] = '\0';
		if (inet_pton(AF_INET6, buf, &a6) != 1 ||
		    !inet_ntop(AF_INET6, &a6, out, sizeof out))
			return NULL;
		*ip = true;
		return g_strdup_printf("[%s]", out);
	}
	char *dec = strchr(host, '%') ? url_pct_decode(host, hl) : g_strdup(host);
	char *h = strpbrk(dec, "[({\xe3\xef") ? url_undefang_host(dec, &dummy) : g_strdup(dec);
	g_free(dec);
	bool ascii = true;
	for (const char *p = h; *p; p++)
		if ((guchar)*p >= 0x80)
			ascii = false;
	char *out = NULL;
	if (ascii) {
		out = g_ascii_strdown(h, -1);
	} else {
		char *a = NULL;
		if (idn2_to_ascii_8z(h, &a, IDN2_NONTRANSITIONAL | IDN2_NFC_INPUT) == IDN2_OK ||
		    idn2_to_ascii_8z(h, &a, IDN2_TRANSITIONAL | IDN2_NFC_INPUT) == IDN2_OK) {
			out = g_ascii_strdown(a, -1);
		}
		idn2_free(a);
	}
	g_free(h);
	if (!out)
		return NULL;
	size_t ol = strlen(out);
	while (ol && out[ol - 1] == '.')
		out[--ol] = '\0';
	/* a host name is letters, digits, '-', '_' and dots, no empty label */
	bool ok = ol > 0 && out[0] != '.' && !strstr(out, "..");
	for (const char *p = out; ok && *p; p++)
		ok = g_ascii_isalnum(*p) || *p == '-' || *p == '.' || *p == '_';
	if (!ok) {
		g_free(out);
		return NULL;
	}
	char quad[16];
	bool odd = false;
	if (url_normalise_ipv4(out, quad, &odd)) {
		g_free(out);
		*ip = true;
		if (ip_odd)
			*ip_odd = odd;
		return g_strdup(quad);
	}
	/* a name whose last label is a number must be an IPv4 address (WHATWG) */
	const char *last = strrchr(out, '.');
	last = last ? last + 1 : out;
	bool numeric = *last != '\0';
	for (const char *q = last; *q; q++)
		numeric &= g_ascii_isdigit(*q) != 0;
	if (numeric || (last[0] == '0' && (last[1] == 'x' || last[1] == 'X'))) {
		g_free(out);
		return NULL;
	}
	return out;
}

/* url_normalise_to_unicode - U-labels of an A-label host */
char *url_normalise_to_unicode(const char *ascii)
{
	if (!strstr(ascii, "xn--"))
		return g_strdup(ascii);
	char *u = NULL;
	if (idn2_to_unicode_8z8z(ascii, &u, 0) != IDN2_OK || !u || !g_utf8_validate(u, -1, NULL)) {
		idn2_free(u);
		return g_strdup(ascii);
	}
	char *r = g_strdup(u);
	idn2_free(u);
	return r;
}

/* url_registrable_domain - eTLD+1 of a host or mail domain; see internal.h */
char *url_registrable_domain(const char *host)
{
	if (!host)
		return NULL;
	bool ip;
	char *h = url_normalise_host(host, &ip, NULL);
	if (!h || ip) {
		g_free(h);
		return NULL;
	}
	const psl_ctx_t *psl = url_psl();
	const char *r = psl ? psl_registrable_domain(psl, h) : NULL;
	char *out = r ? g_strdup(r) : NULL;
	g_free(h);
	return out;
}

/* url_parts_free - NULL is a no-op */
void url_parts_free(url_parts *p)
{
	if (!p)
		return;
	g_free(p->url);
	g_free(p->scheme);
	g_free(p->userinfo);
	g_free(p->host);
	g_free(p->host_unicode);
	g_free(p->path);
	g_free(p->domain);
	g_free(p);
}

/* url_clean - drop ASCII controls (tabs, newlines) and zero-width
 * characters, as browsers drop tabs and newlines from URLs; trim the ends;
 * bounded to URL_MAX */
static char *url_clean(const char *s)
{
	GString *o = g_string_new(NULL);
	for (const char *p = s; *p && o->len < URL_MAX;) {
		guchar c = (guchar)*p;
		if (c == '[' && (g_str_has_prefix(p, "[:]") || g_str_has_prefix(p, "[/]"))) {
			g_string_append_c(o, p[1]);
			p += 3;
			continue;
		}
		if (c == '[' && g_str_has_prefix(p, "[://]")) {
			g_string_append(o, "://");
			p += 5;
			continue;
		}
		if (c < 0x80) {
			/* spaces inside stay (and make a host invalid); ends trimmed below */
			if (c >= 0x20 && c != 0x7f)
				g_string_append_c(o, (char)c);
			p++;
			continue;
		}
		gunichar u = g_utf8_get_char_validated(p, -1);
		if (u == (gunichar)-1 || u == (gunichar)-2) {
			p++;
			continue;
		}
		const char *next = g_utf8_next_char(p);
		bool zw = u == 0x200b || u == 0x200c || u == 0x200d || u == 0x2060 || u == 0xfeff ||
			  u == 0x00ad || u == 0x180e;
		if (!zw)
			g_string_append_len(o, p, next - p);
		p = next;
	}
	return g_strstrip(g_string_free(o, FALSE));
}

/* url_scheme - recognise the scheme at s; returns its canonical name and
 * sets *rest past the ':' (NULL for none) */
static const char *url_scheme(const char *s, const char **rest, bool *defanged)
{
	static const struct {
		const char *w, *canon;
		bool fang;
	} schemes[] = {
	    {"https:", "https", false},
	    {"http:", "http", false},
	    {"ftp:", "ftp", false},
	    {"hxxps:", "https", true},
	    {"hxxp:", "http", true},
	    {"hxxxs:", "https", true},
	    {"hxxx:", "http", true},
	    {"fxp:", "ftp", true},
	    {"h**ps:", "https", true},
	    {"h**p:", "http", true},
	    {"data:", "data", false},
	    {"javascript:", "javascript", false},
	    {"vbscript:", "javascript", false},
	};
	for (size_t i = 0; i < G_N_ELEMENTS(schemes); i++) {
		size_t l = strlen(schemes[i].w);
		if (g_ascii_strncasecmp(s, schemes[i].w, l) == 0) {
			*rest = s + l;
			*defanged = schemes[i].fang;
			return schemes[i].canon;
		}
	}
	*rest = NULL;
	return NULL;
}

/* url_path_normal - percent-encodings of unreserved characters decoded,
 * the rest kept: the form used for exact-URL comparison */
static void url_path_normal(GString *o, const char *s, size_t len)
{
	for (size_t i = 0; i < len; i++) {
		int h, l;
		if (s[i] == '%' && i + 2 < len && (h = url_hexval(s[i + 1])) >= 0 &&
		    (l = url_hexval(s[i + 2])) >= 0) {
			char c = (char)(h * 16 + l);
			if (g_ascii_isalnum(c) || c == '-' || c == '.' || c == '_' || c == '~')
				g_string_append_c(o, c);
			else
				g_string_append_printf(o, "%%%02X", (guchar)c);
			i += 2;
		} else if (s[i] == '\\')
			g_string_append_c(o, '/');
		else if (s[i] == ' ')
			g_string_append(o, "%20");
		else
			g_string_append_c(o, s[i]);
	}
}

/* url_normalise_do - url_normalise; light: no registrable domain, no
 * U-label host, no decoded path (what a blocklist key needs) */
static url_parts *url_normalise_do(const char *written, bool light)
{
	char *s = url_clean(written);
	url_parts *p = NULL;
	const char *rest = NULL;
	bool defanged = false;
	/* strip one pair of angle brackets or quotes, "URL:" prefixes */
	char *t = s;
	if (*t == '<' || *t == '"' || *t == '\'')
		t++;
	size_t tl = strlen(t);
	while (tl && (t[tl - 1] == '>' || t[tl - 1] == '"' || t[tl - 1] == '\''))
		t[--tl] = '\0';
	if (g_ascii_strncasecmp(t, "url:", 4) == 0)
		t += 4;
	const char *scheme = url_scheme(t, &rest, &defanged);
	p = g_new0(url_parts, 1);
	if (scheme && (strcmp(scheme, "data") == 0 || strcmp(scheme, "javascript") == 0)) {
		p->kind = strcmp(scheme, "data") == 0 ? URL_KIND_DATA : URL_KIND_JAVASCRIPT;
		p->scheme = g_strdup(scheme);
		char *low = g_ascii_strdown(t, -1);
		size_t cut = strlen(low) > 200 ? 200 : strlen(low);
		while (cut && (low[cut] & 0xc0) == 0x80)
			cut--;
		low[cut] = '\0';
		p->url = low;
		p->host = g_strdup("");
		p->host_unicode = g_strdup("");
		p->path = url_pct_decode(rest, strlen(rest));
		g_free(s);
		return p;
	}
	if (scheme) {
		/* any run of '/' and '\' after a web scheme, as browsers do */
		while (*rest == '/' || *rest == '\\')
			rest++;
	} else {
		/* only scheme-less forms a reader would type: //host, www.host, host.tld/... */
		if (t[0] == '/' && t[1] == '/')
			rest = t + 2;
		else if (strchr(t, ':') && !strchr(t, '.'))
			goto fail; /* mailto:, tel:, cid:, ... */
		else {
			const char *colon = strchr(t, ':');
			const char *slash = strpbrk(t, "/?#");
			/* "mailto:a@b.c", "tel:+33...": a scheme we do not follow */
			if (colon && (!slash || colon < slash) && !g_ascii_isdigit(colon[1]))
				goto fail;
			rest = t;
		}
		scheme = "http";
	}
	p->scheme = g_strdup(scheme);
	p->defanged = defanged;
	size_t alen = strcspn(rest, "/\\?#");
	char *auth = g_strndup(rest, alen);
	const char *tail = rest + alen;
	char *at = strrchr(auth, '@');
	char *hostport = auth;
	if (at) {
		*at = '\0';
		p->userinfo = url_pct_decode(auth, strlen(auth));
		hostport = at + 1;
	}
	/* port: after the last ':' outside an IPv6 literal */
	char *colon = strrchr(hostport, ':');
	if (colon &&
	    (hostport[0] != '[' || (strchr(hostport, ']') && colon > strchr(hostport, ']')))) {
		*colon = '\0';
		const char *ps = colon + 1;
		if (*ps) {
			char *end;
			long port = strtol(ps, &end, 10);
			if (*end || port < 0 || port > 65535) {
				g_free(auth);
				goto fail;
			}
			bool dflt = (port == 80 && strcmp(scheme, "http") == 0) ||
				    (port == 443 && strcmp(scheme, "https") == 0) ||
				    (port == 21 && strcmp(scheme, "ftp") == 0);
			p->port = dflt ? 0 : (int)port;
		}
	}
	bool und = false;
	char *hu = url_undefang_host(hostport, &und);
	p->defanged |= und;
	p->host = url_normalise_host(hu, &p->ip, &p->ip_odd);
	g_free(hu);
	g_free(auth);
	if (!p->host)
		goto fail;
	/* a dotless name is a URL only with a scheme (http://localhost) */
	if (!p->ip && !strchr(p->host, '.') && rest == t)
		goto fail;
	p->host_unicode = light ? g_strdup(p->host) : url_normalise_to_unicode(p->host);
	if (!p->ip && !light) {
		const psl_ctx_t *psl = url_psl();
		const char *r = psl ? psl_registrable_domain(psl, p->host) : NULL;
		p->domain = r ? g_strdup(r) : NULL;
	}
	size_t frag = strcspn(tail, "#");
	GString *u = g_string_new(p->scheme);
	g_string_append(u, "://");
	if (p->userinfo) {
		char *e = g_uri_escape_string(p->userinfo, "!$&'()*+,;=:", FALSE);
		g_string_append_printf(u, "%s@", e);
		g_free(e);
	}
	g_string_append(u, p->host);
	if (p->port)
		g_string_append_printf(u, ":%d", p->port);
	gsize path_at = u->len;
	if (!frag || (tail[0] != '/' && tail[0] != '\\'))
		g_string_append_c(u, '/');
	url_path_normal(u, tail, frag);
	if (light) {
		p->path = g_strdup("");
	} else {
		char *raw_path = url_pct_decode(u->str + path_at, u->len - path_at);
		p->path = g_utf8_strdown(raw_path, -1);
		g_free(raw_path);
	}
	char *fixed = utf8_sanitize(u->str, (gssize)u->len);
	g_string_free(u, TRUE);
	p->url = fixed;
	g_free(s);
	return p;
fail:
	url_parts_free(p);
	g_free(s);
	return NULL;
}

/* url_normalise - see url.h */
url_parts *url_normalise(const char *written)
{
	return url_normalise_do(written, false);
}

/* url_normalise_light - see url.h */
url_parts *url_normalise_light(const char *written)
{
	return url_normalise_do(written, true);
}
