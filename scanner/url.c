/* url.c - the URL analyser: lists at engine build, checks per message
 *
 * url_engine_load reads, from the [urls] configuration:
 *   lists/      shorteners.txt, risky-tlds.txt, allowlist.txt,
 *               redirectors.txt, tracking-paths.txt, login-words.txt,
 *               hosting.txt, unwrap.txt (optional), weights.conf
 *   feeds/      blocklists in their feeds' formats (url_lists.c)
 *   protected/  domains.txt, brands.txt (url_lookalike.c)
 * url_scan extracts every URL of a message (url_extract.c), normalises it
 * (url_normalise.c) and runs the checks; each check is a finding with its
 * own rule id whose weight and category come from weights.conf. The first
 * finding of a rule carries its weight, repeats carry 0 (ten shortened
 * links are one signal), and findings per rule and per message are capped,
 * as is the number of URLs examined, so a message with 10,000 links costs
 * no more than one with max_urls.
 *
 * Link text vs href: fires only when the visible text is itself a URL or
 * domain of another registrable domain, unless the two share their
 * registrable label (example.com / example.fr), the href goes through a
 * listed redirector, or it carries the shown domain in its query. When the
 * text shows a domain that is not protected, two more shapes are how
 * newsletters look and are spared: an href through a click-tracking path
 * (a path segment of tracking-paths.txt: /click?q=..., /ls/click, /l/...)
 * and an href whose path names the shown site (a partner's landing page:
 * text walmart.com, href lindows.com/walmart). A protected domain shown in
 * the text and another one behind the link always fires.
 *
 * User-content hosting (hosting.txt): a link or form to a platform where
 * anyone publishes a page under the platform's name (cloud storage, web-app
 * and static-site hosting, site builders). Checked before the protected
 * domains are spared, since such platforms often belong to a protected
 * brand (storage.googleapis.com); pictures (<img>) are not counted.
 *
 * Redirectors (unwrap.txt): a link through a redirector whose target is
 * in its URL (google.com/url?q=, l.facebook.com/l.php?u=, Bing's base64
 * u=, google.com/amp/s/, Safe Links, URL Defense, ad-click adurl=) is
 * followed by its target, unwrapped offline up to URL_UNWRAP_DEPTH levels
 * (url_extract.c); the target is checked like any other link, its findings
 * say "via redirector ...", and the link text is compared with the target,
 * not with the redirector. A listed redirector whose target is not in the
 * URL (linkedin.com/slink) counts as a shortener, even on a protected host.
 *
 * Allowlisted domains are not checked at all; protected domains only
 * against the blocklists.
 *
 * SECURITY: list files are the administrator's (strictly parsed, errors
 * name file and line); URLs are the sender's and only ever compared, never
 * fetched or resolved.
 */
#include "url.h"

#include <stdlib.h>
#include <string.h>

/* every check, in report order; weights and categories are data */
typedef enum {
	R_BLOCKLIST,
	R_MISMATCH,
	R_LOOKALIKE,
	R_MIXED_SCRIPT,
	R_IP,
	R_CREDENTIALS,
	R_SHORTENER,
	R_RISKY_TLD,
	R_DEEP,
	R_LOGIN_PATH,
	R_PORT,
	R_DATA,
	R_JAVASCRIPT,
	R_HOSTING,
	R_COUNT
} url_rule;

static const char *const rule_ids[R_COUNT] = {
    "url.blocklist",	   "url.text-href-mismatch", "url.lookalike", "url.mixed-script",
    "url.ip-host",	   "url.credentials",	     "url.shortener", "url.risky-tld",
    "url.deep-subdomains", "url.login-path",	     "url.port",      "url.data-uri",
    "url.javascript",	   "url.user-hosting",
};

struct url_engine {
	url_lists *lists;
	url_protect *protect;
	GHashTable *shorteners, *risky_tlds, *allow, *redirectors, *hosting; /* sets */
	GHashTable *tracking_paths; /* path segments of click trackers */
	GPtrArray *login_words;
	GPtrArray *hosting_paths; /* of url_host_path: hosting.txt lines with a path */
	url_unwrap *unwrap; /* redirectors whose target is in their URL */
	int weight[R_COUNT];
	char *category[R_COUNT];
	guint max_urls, max_findings, max_per_rule, max_subdomains;
	char *describe;
};

typedef enum { LIST_DOMAINS, LIST_SUFFIXES, LIST_WORDS, LIST_HOSTING } list_kind;

/* a hosting.txt line with a path: DOMAIN/PATH-GLOB */
typedef struct {
	char *domain;
	GPatternSpec *glob; /* matched against "/" + the rest of the line */
} url_host_path;

static void url_host_path_free(gpointer p)
{
	url_host_path *h = p;
	g_free(h->domain);
	g_pattern_spec_free(h->glob);
	g_free(h);
}

/* url_read_list - one-entry-per-line file into set (or words); false with
 * err naming file:line */
static bool url_read_list(const char *dir, const char *name, list_kind kind, GHashTable *set,
			  GPtrArray *words, GError **err)
{
	char *path = g_build_filename(dir, name, NULL);
	char *text = NULL;
	GError *e = NULL;
	bool ok = false;
	if (!g_file_get_contents(path, &text, NULL, &e)) {
		g_set_error(err, VIGIE_ERROR, VIGIE_ERROR_RULES, "%s: %s", path, e->message);
		g_error_free(e);
		goto out;
	}
	if (!g_utf8_validate(text, -1, NULL)) {
		g_set_error(err, VIGIE_ERROR, VIGIE_ERROR_RULES, "%s: not valid UTF-8", path);
		goto out;
	}
	char **lines = g_strsplit(text, "\n", -1);
	ok = true;
	for (int i = 0; ok && lines[i]; i++) {
		char *l = g_strstrip(lines[i]);
		if (!*l || *l == '#')
			continue;
		bool ip = false;
		char *v = NULL;
		const char *slash = kind == LIST_HOSTING ? strchr(l, '/') : NULL;
		if (kind == LIST_WORDS)
			v = strpbrk(l, " \t") ? NULL : g_utf8_strdown(l, -1);
		else if (slash) {
			/* DOMAIN/PATH-GLOB: the path (decoded, lower case) must match */
			char *d = g_strndup(l, (gsize)(slash - l));
			v = strpbrk(slash, " \t") ? NULL : url_normalise_host(d, &ip, NULL);
			g_free(d);
		}
		else if (kind == LIST_SUFFIXES)
			v = url_normalise_host(l[0] == '.' ? l + 1 : l, &ip, NULL);
		else
			v = url_normalise_host(l, &ip, NULL);
		if (!v || ip || (kind != LIST_WORDS && kind != LIST_SUFFIXES && !strchr(v, '.'))) {
			g_set_error(err, VIGIE_ERROR, VIGIE_ERROR_RULES, "%s:%d: '%s' is not a %s",
				    path, i + 1, l,
				    kind == LIST_WORDS	    ? "single word"
				    : kind == LIST_SUFFIXES ? "domain suffix"
							    : "domain name");
			g_free(v);
			ok = false;
		} else if (slash) {
			url_host_path *h = g_new0(url_host_path, 1);
			char *low = g_utf8_strdown(slash, -1);
			h->domain = v;
			h->glob = g_pattern_spec_new(low);
			g_free(low);
			g_ptr_array_add(words, h);
		} else if (words && kind != LIST_HOSTING)
			g_ptr_array_add(words, v);
		else
			g_hash_table_add(set, v);
	}
	g_strfreev(lines);
out:
	g_free(text);
	g_free(path);
	return ok;
}

/* url_read_weights - weights.conf: "rule weight category" for every rule
 * (rule_weights.c) */
static bool url_read_weights(url_engine *u, const char *dir, GError **err)
{
	char *path = g_build_filename(dir, "weights.conf", NULL);
	bool ok = rule_weights_load(path, rule_ids, R_COUNT, u->weight, u->category, err);
	g_free(path);
	return ok;
}

static GHashTable *url_set_new(void)
{
	return g_hash_table_new_full(g_str_hash, g_str_equal, g_free, NULL);
}

/* url_read_feeds - the blocklist feeds; an error names the key */
static bool url_read_feeds(url_engine *u, const char *dir, GError **err)
{
	if (url_lists_load_dir(u->lists, dir, err))
		return true;
	g_prefix_error(err, "[urls] feeds: ");
	return false;
}

/* url_engine_load - see internal.h */
url_engine *url_engine_load(const vigie_config *c, GError **err)
{
	url_engine *u = g_new0(url_engine, 1);
	u->shorteners = url_set_new();
	u->risky_tlds = url_set_new();
	u->allow = url_set_new();
	u->redirectors = url_set_new();
	u->hosting = url_set_new();
	u->tracking_paths = url_set_new();
	u->login_words = g_ptr_array_new_with_free_func(g_free);
	u->hosting_paths = g_ptr_array_new_with_free_func(url_host_path_free);
	u->lists = url_lists_new();
	u->max_urls = (guint)vigie_config_get_int(c, "urls", "max_urls");
	u->max_findings = (guint)vigie_config_get_int(c, "urls", "max_findings");
	u->max_per_rule = (guint)vigie_config_get_int(c, "urls", "max_per_rule");
	u->max_subdomains = (guint)vigie_config_get_int(c, "urls", "max_subdomains");
	const char *dir = vigie_config_get(c, "urls", "lists");
	if (!url_read_weights(u, dir, err) ||
	    !url_read_list(dir, "shorteners.txt", LIST_DOMAINS, u->shorteners, NULL, err) ||
	    !url_read_list(dir, "risky-tlds.txt", LIST_SUFFIXES, u->risky_tlds, NULL, err) ||
	    !url_read_list(dir, "allowlist.txt", LIST_DOMAINS, u->allow, NULL, err) ||
	    !url_read_list(dir, "redirectors.txt", LIST_DOMAINS, u->redirectors, NULL, err) ||
	    !url_read_list(dir, "tracking-paths.txt", LIST_WORDS, u->tracking_paths, NULL, err) ||
	    !url_read_list(dir, "hosting.txt", LIST_HOSTING, u->hosting, u->hosting_paths, err) ||
	    !url_read_list(dir, "login-words.txt", LIST_WORDS, NULL, u->login_words, err) ||
	    !url_read_feeds(u, vigie_config_get(c, "urls", "feeds"), err))
		goto fail;
	char *uwpath = g_build_filename(dir, "unwrap.txt", NULL);
	u->unwrap = url_unwrap_load(uwpath, err);
	g_free(uwpath);
	if (!u->unwrap)
		goto fail;
	u->protect = url_protect_load(
	    vigie_config_get(c, "urls", "protected"),
	    (int)vigie_config_get_int(c, "urls", "lookalike_min_length"),
	    (int)vigie_config_get_int(c, "urls", "lookalike_distance2_length"), err);
	if (!u->protect)
		goto fail;
	u->describe = g_strdup_printf(
	    "urls: %u blocklist entries, %u protected domains, %u redirector rules",
	    url_lists_size(u->lists), url_protect_count(u->protect),
	    url_unwrap_count(u->unwrap));
	return u;
fail:
	url_engine_free(u);
	return NULL;
}

/* url_engine_free - NULL is a no-op */
void url_engine_free(url_engine *u)
{
	if (!u)
		return;
	url_lists_free(u->lists);
	url_protect_free(u->protect);
	g_hash_table_unref(u->shorteners);
	g_hash_table_unref(u->risky_tlds);
	g_hash_table_unref(u->allow);
	g_hash_table_unref(u->redirectors);
	g_hash_table_unref(u->hosting);
	g_hash_table_unref(u->tracking_paths);
	g_ptr_array_unref(u->login_words);
	g_ptr_array_unref(u->hosting_paths);
	url_unwrap_free(u->unwrap);
	for (int k = 0; k < R_COUNT; k++)
		g_free(u->category[k]);
	g_free(u->describe);
	g_free(u);
}

const char *url_engine_describe(const url_engine *u)
{
	return u->describe;
}

/* url_in_set - host or one of its parent domains is in set */
static bool url_in_set(GHashTable *set, const char *host)
{
	for (const char *h = host; h && *h;) {
		if (g_hash_table_contains(set, h))
			return true;
		h = strchr(h, '.');
		if (h)
			h++;
	}
	return false;
}

/* url_is_hosting - p is on a user-content hosting platform of hosting.txt:
 * its host (or a parent domain) listed, or listed with a path it matches */
static bool url_is_hosting(const url_engine *u, const url_parts *p)
{
	if (p->ip)
		return false;
	if (url_in_set(u->hosting, p->host))
		return true;
	size_t hl = strlen(p->host);
	for (guint i = 0; i < u->hosting_paths->len; i++) {
		const url_host_path *h = g_ptr_array_index(u->hosting_paths, i);
		size_t dl = strlen(h->domain);
		if (hl >= dl && strcmp(p->host + hl - dl, h->domain) == 0 &&
		    (hl == dl || p->host[hl - dl - 1] == '.') &&
		    g_pattern_spec_match_string(h->glob, p->path))
			return true;
	}
	return false;
}

/* url_is_protected - see internal.h */
bool url_is_protected(const url_engine *u, const char *host)
{
	if (!u || !host)
		return false;
	bool ip;
	char *h = url_normalise_host(host, &ip, NULL);
	bool r = h && !ip && url_protect_has(u->protect, h);
	g_free(h);
	return r;
}

/* url_lookalike - see internal.h */
const char *url_lookalike(const url_engine *u, const char *host, char **why)
{
	*why = NULL;
	if (!u || !host)
		return NULL;
	bool ip;
	char *h = url_normalise_host(host, &ip, NULL);
	const char *r = h && !ip ? url_protect_lookalike(u->protect, h, why) : NULL;
	g_free(h);
	return r;
}

/* url_mixed_script_words - see url.h */
bool url_mixed_script_words(const url_engine *u, const char *text)
{
	if (!u || !text || !g_utf8_validate(text, -1, NULL))
		return false;
	GString *w = g_string_new(NULL);
	for (const char *c = text; *c && w->len < 1024; c = g_utf8_next_char(c)) {
		gunichar ch = g_utf8_get_char(c);
		if (g_unichar_isalnum(ch) || g_unichar_ismark(ch))
			g_string_append_unichar(w, ch);
		else if (w->len && w->str[w->len - 1] != '.')
			g_string_append_c(w, '.');
	}
	bool r = url_protect_mixed_script(u->protect, w->str);
	g_string_free(w, TRUE);
	return r;
}

/* ---- per message ---- */
typedef struct {
	const url_engine *u;
	vigie_verdict *v;
	GHashTable *seen; /* "rule url" already reported */
	guint per_rule[R_COUNT];
	guint total;
	GHashTable *look; /* host -> url_look: its lookalike answer, once per message */
} url_ctx;

/* what url_protect_lookalike answered for a host (a newsletter's hundred
 * links to one host ask it once) */
typedef struct {
	bool hit;
	char *why;
} url_look;

static void url_look_free(gpointer p)
{
	url_look *l = p;
	g_free(l->why);
	g_free(l);
}

/* url_lookalike_once - url_protect_lookalike(host), asked once per host
 * and message; *why belongs to x */
static bool url_lookalike_once(url_ctx *x, const char *host, const char **why)
{
	url_look *l = g_hash_table_lookup(x->look, host);
	if (!l) {
		l = g_new0(url_look, 1);
		l->hit = url_protect_lookalike(x->u->protect, host, &l->why) != NULL;
		g_hash_table_insert(x->look, g_strdup(host), l);
	}
	*why = l->why;
	return l->hit;
}

/* url_report - one finding unless capped or already reported */
static void url_report(url_ctx *x, url_rule r, const url_found *f, const url_parts *p,
		       const char *why)
{
	if (x->per_rule[r] >= x->u->max_per_rule || x->total >= x->u->max_findings)
		return;
	char *key = g_strconcat(rule_ids[r], " ", p->url, NULL);
	if (!g_hash_table_add(x->seen, key))
		return;
	char *w = g_utf8_substring(f->written, 0, MIN(g_utf8_strlen(f->written, -1), 200));
	char *via = f->via ? g_strdup_printf(" (via redirector %s)", f->via) : g_strdup("");
	char *evidence = strcmp(w, p->url) == 0
			     ? g_strdup_printf("%s: %s%s", p->url, why, via)
			     : g_strdup_printf("\"%s\" -> %s: %s%s", w, p->url, why, via);
	g_free(via);
	char *where = g_strdup_printf("%s%s%s (%s)", f->where, *f->where ? ", " : "",
				      f->text ? "link" : "text", f->tag);
	verdict_add_finding(x->v, rule_ids[r], x->u->category[r],
			    x->per_rule[r] == 0 ? x->u->weight[r] : 0, evidence, where);
	x->per_rule[r]++;
	x->total++;
	g_free(where);
	g_free(evidence);
	g_free(w);
}

/* url_label - registrable label of a domain ("example" of example.co.uk) */
static char *url_label(const char *domain)
{
	const char *s = url_normalise_suffix_of(domain);
	return s > domain + 1 ? g_strndup(domain, (gsize)(s - domain - 1)) : g_strdup(domain);
}

/* url_carries - the decoded query of url names domain (a tracking redirect
 * to the address shown) */
static bool url_carries(const char *url, const char *domain)
{
	const char *q = strchr(url, '?');
	if (!q)
		return false;
	char *once = g_uri_unescape_string(q, NULL);
	char *twice = once ? g_uri_unescape_string(once, NULL) : NULL;
	const char *d = twice ? twice : once;
	char *low = d ? g_ascii_strdown(d, -1) : NULL;
	bool r = low && strstr(low, domain);
	g_free(low);
	g_free(twice);
	g_free(once);
	return r;
}

/* url_tracking_path - a segment of path (before the query) is a click-
 * tracking word of tracking-paths.txt ("/ls/click", "/Click?q=", "/l/x") */
static bool url_tracking_path(const url_engine *u, const char *path)
{
	const char *q = strchr(path, '?');
	char *p = q ? g_strndup(path, (gsize)(q - path)) : g_strdup(path);
	char **seg = g_strsplit(p, "/", 16);
	bool r = false;
	for (int i = 0; !r && seg[i]; i++)
		r = *seg[i] && g_hash_table_contains(u->tracking_paths, seg[i]);
	g_strfreev(seg);
	g_free(p);
	return r;
}

/* url_path_names - the path (before the query) names label, a registrable
 * label of 4 characters or more, as a whole word: a partner's landing page
 * for the site the text shows */
static bool url_path_names(const char *path, const char *label)
{
	size_t n = strlen(label);
	const char *q = strchr(path, '?');
	const char *end = q ? q : path + strlen(path);
	if (n < 4)
		return false;
	for (const char *h = strstr(path, label); h && h + n <= end; h = strstr(h + 1, label)) {
		bool before = h == path || !g_ascii_isalnum(h[-1]);
		bool after = h + n == end || !g_ascii_isalnum(h[n]);
		if (before && after)
			return true;
	}
	return false;
}

/* url_check_mismatch - visible text shows another registrable domain */
static void url_check_mismatch(url_ctx *x, const url_found *f, const url_parts *p)
{
	/* a redirector's text is compared with its target, which follows */
	if (f->wrapper || !f->text || !*f->text || p->kind != URL_KIND_NET ||
	    (strcmp(f->tag, "a") != 0 && strcmp(f->tag, "area") != 0))
		return;
	char *tu = url_extract_single(f->text);
	url_parts *tp = tu ? url_normalise(tu) : NULL;
	if (tp && tp->kind == URL_KIND_NET) {
		const char *td = tp->domain ? tp->domain : tp->host;
		const char *hd = p->domain ? p->domain : p->host;
		char *tl = url_label(td), *hl = url_label(hd);
		bool same = strcmp(td, hd) == 0 || strcmp(tl, hl) == 0 ||
			    url_in_set(x->u->redirectors, p->host) || url_carries(p->url, td);
		/* an unprotected domain shown: newsletter shapes are spared */
		if (!same && !(!tp->ip && url_protect_has(x->u->protect, tp->host)))
			same = url_tracking_path(x->u, p->path) || url_path_names(p->path, tl);
		if (!same) {
			char *why = g_strdup_printf("the link text shows %s but it goes to %s",
						    tp->host, hd);
			url_report(x, R_MISMATCH, f, p, why);
			g_free(why);
		}
		g_free(tl);
		g_free(hl);
	}
	url_parts_free(tp);
	g_free(tu);
}

/* url_check_net - the host and path checks of one web URL */
static void url_check_net(url_ctx *x, const url_found *f, const url_parts *p)
{
	const url_engine *u = x->u;
	const char *how = NULL;
	const char *feed = url_lists_match(u->lists, p, &how);
	if (feed) {
		char *why = g_strdup_printf("listed in %s (by %s)", feed, how);
		url_report(x, R_BLOCKLIST, f, p, why);
		g_free(why);
	}
	if (strcmp(f->tag, "img") != 0 && url_is_hosting(u, p)) {
		char *w = g_strdup_printf("%s hosts pages anyone can publish", p->host);
		url_report(x, R_HOSTING, f, p, w);
		g_free(w);
	}
	if (url_unwrap_opaque(u->unwrap, f->url)) {
		char *w = g_strdup_printf("a redirect through %s hides the destination", p->host);
		url_report(x, R_SHORTENER, f, p, w);
		g_free(w);
	}
	if (!p->ip && url_protect_has(u->protect, p->host))
		return;
	const char *why = NULL;
	if (!p->ip && url_lookalike_once(x, p->host, &why)) {
		url_report(x, R_LOOKALIKE, f, p, why);
	} else if (!p->ip && url_protect_mixed_script(u->protect, p->host_unicode)) {
		char *w = g_strdup_printf("the host %s mixes scripts", p->host_unicode);
		url_report(x, R_MIXED_SCRIPT, f, p, w);
		g_free(w);
	}
	if (p->ip)
		url_report(x, R_IP, f, p,
			   p->ip_odd ? "the host is an IP address written in an unusual notation"
				     : "the host is an IP address");
	if (p->userinfo) {
		char *w =
		    g_strdup_printf("'%s' before '@' hides the real host %s", p->userinfo, p->host);
		url_report(x, R_CREDENTIALS, f, p, w);
		g_free(w);
	}
	if (url_in_set(u->shorteners, p->host))
		url_report(x, R_SHORTENER, f, p, "a URL shortener hides the destination");
	if (!p->ip) {
		const char *tld = strrchr(p->host, '.');
		tld = tld ? tld + 1 : p->host;
		const char *suffix = url_normalise_suffix_of(p->host);
		if (g_hash_table_contains(u->risky_tlds, tld) ||
		    g_hash_table_contains(u->risky_tlds, suffix)) {
			char *w = g_strdup_printf("the suffix .%s is on the risky list", suffix);
			url_report(x, R_RISKY_TLD, f, p, w);
			g_free(w);
		}
		guint labels = 1, dlabels = 1;
		for (const char *c = p->host; *c; c++)
			labels += *c == '.';
		for (const char *c = p->domain ? p->domain : p->host; *c; c++)
			dlabels += *c == '.';
		if (labels - dlabels > u->max_subdomains) {
			char *w =
			    g_strdup_printf("%u levels of subdomain above %s", labels - dlabels,
					    p->domain ? p->domain : p->host);
			url_report(x, R_DEEP, f, p, w);
			g_free(w);
		}
	}
	for (guint i = 0; i < u->login_words->len; i++) {
		const char *w = g_ptr_array_index(u->login_words, i);
		const char *q = strchr(p->path, '?');
		const char *hit = strstr(p->path, w);
		if (hit && (!q || hit < q)) {
			char *m = g_strdup_printf(
			    "'%s' in the path of a domain that is not protected", w);
			url_report(x, R_LOGIN_PATH, f, p, m);
			g_free(m);
			break;
		}
	}
	if (p->port) {
		char *w = g_strdup_printf("port %d is not the %s default", p->port, p->scheme);
		url_report(x, R_PORT, f, p, w);
		g_free(w);
	}
}

/* the [urls] max_urls default, for the extraction a scan shares when the
 * URL analyser is off */
#define URL_MAX_URLS_DEFAULT 300

/* url_engine_max_urls - see url.h */
guint url_engine_max_urls(const url_engine *u)
{
	return u ? u->max_urls : URL_MAX_URLS_DEFAULT;
}

/* url_extract_scan - see url.h */
GPtrArray *url_extract_scan(const url_engine *u, const vigie_message *m)
{
	return url_extract_message_unwrap(m, url_engine_max_urls(u), u ? u->unwrap : NULL);
}

/* url_scan - see internal.h */
bool url_scan(const url_engine *u, scan_ctx *sc, vigie_verdict *v, GError **err)
{
	(void)err;
	url_ctx x = {u, v, g_hash_table_new_full(g_str_hash, g_str_equal, g_free, NULL), {0}, 0,
		     g_hash_table_new_full(g_str_hash, g_str_equal, g_free, url_look_free)};
	const GPtrArray *found = scan_ctx_urls(sc, NULL);
	GHashTable *checked = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, NULL);
	for (guint i = 0; i < found->len && x.total < u->max_findings; i++) {
		const url_found *f = g_ptr_array_index(found, i);
		url_parts *p = url_normalise(f->url);
		if (!p)
			continue;
		if (p->kind == URL_KIND_NET && url_in_set(u->allow, p->host)) {
			url_parts_free(p);
			continue;
		}
		url_check_mismatch(&x, f, p);
		if (g_hash_table_add(checked, g_strdup(p->url))) {
			if (p->kind == URL_KIND_DATA) {
				/* pictures inline in <img> are ordinary mail */
				if (!(strcmp(f->tag, "img") == 0 &&
				      g_str_has_prefix(p->path, "image/")))
					url_report(&x, R_DATA, f, p,
						   "a data: URL carries its own content");
			} else if (p->kind == URL_KIND_JAVASCRIPT) {
				url_report(&x, R_JAVASCRIPT, f, p,
					   "a script instead of a destination");
			} else
				url_check_net(&x, f, p);
		}
		url_parts_free(p);
	}
	g_hash_table_unref(checked);
	g_hash_table_unref(x.seen);
	g_hash_table_unref(x.look);
	return true;
}
