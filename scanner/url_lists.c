/* url_lists.c - URL and domain blocklists read offline in their feeds' formats
 *
 * The format of a file comes from its name (signatures/urls/README.md):
 *   *.urlhaus.csv     URLhaus CSV dump ("id","dateadded","url",...; '#' comments)
 *   *.phishtank.csv   PhishTank CSV (header row naming a "url" column)
 *   *.phishtank.json  PhishTank JSON (an array of objects with "url")
 *   *.urls, *.txt     one URL per line: URLhaus text dump, OpenPhish feed
 *   *.domains         one domain per line: it and every subdomain are listed
 * A URL whose path is just "/" lists its whole host; any other URL is matched
 * exactly (host, port, path and query as normalised, scheme ignored, and
 * also without its query). Entries live in three hash tables (exact URL,
 * host, domain) whose keys share one string chunk: O(1) lookups, and a
 * million entries load in about a second.
 *
 * SECURITY: feed files come from third parties through the administrator;
 * they are parsed strictly (a malformed line is an error naming file and
 * line, and the whole engine load fails) but never executed or fetched.
 */
#include "url.h"

#include <json-glib/json-glib.h>
#include <string.h>

struct url_lists {
	GStringChunk *strings; /* every key and feed name */
	GHashTable *urls;      /* key -> feed name */
	GHashTable *hosts;
	GHashTable *domains;
};

/* url_lists_new - empty lists */
url_lists *url_lists_new(void)
{
	url_lists *l = g_new0(url_lists, 1);
	l->strings = g_string_chunk_new(1 << 20);
	l->urls = g_hash_table_new(g_str_hash, g_str_equal);
	l->hosts = g_hash_table_new(g_str_hash, g_str_equal);
	l->domains = g_hash_table_new(g_str_hash, g_str_equal);
	return l;
}

/* url_lists_free - NULL is a no-op */
void url_lists_free(url_lists *l)
{
	if (!l)
		return;
	g_hash_table_unref(l->urls);
	g_hash_table_unref(l->hosts);
	g_hash_table_unref(l->domains);
	g_string_chunk_free(l->strings);
	g_free(l);
}

guint url_lists_size(const url_lists *l)
{
	return g_hash_table_size(l->urls) + g_hash_table_size(l->hosts) +
	       g_hash_table_size(l->domains);
}

/* url_lists_key - "host[:port]/path?query" of a normalised URL */
char *url_lists_key(const url_parts *p)
{
	const char *s = strstr(p->url, "://");
	s = s ? s + 3 : p->url;
	const char *path = strchr(s, '/');
	if (p->port)
		return g_strdup_printf("%s:%d%s", p->host, p->port, path ? path : "/");
	return g_strconcat(p->host, path ? path : "/", NULL);
}

/* lists_put - insert key (copied into the chunk) unless present */
static void lists_put(url_lists *l, GHashTable *t, const char *key, const char *feed)
{
	if (!g_hash_table_contains(t, key))
		g_hash_table_insert(t, g_string_chunk_insert(l->strings, key), (gpointer)feed);
}

/* url_lists_fast_key - the key of a plain http(s) URL already in normal
 * form (lower-case ASCII host with a letter in its last label, no port, user
 * info, escapes or backslashes), without the general parser: most feed
 * lines are such, and this keeps a million-entry load fast. NULL when the
 * URL needs the full normaliser. Caller g_free. */
char *url_lists_fast_key(const char *url)
{
	const char *h;
	if (strncmp(url, "http://", 7) == 0)
		h = url + 7;
	else if (strncmp(url, "https://", 8) == 0)
		h = url + 8;
	else
		return NULL;
	const char *e = h;
	while (g_ascii_islower(*e) || g_ascii_isdigit(*e) || *e == '-' || *e == '.')
		e++;
	if (e == h || (*e && *e != '/' && *e != '?') || e[-1] == '.' || *h == '.')
		return NULL;
	const char *last = e;
	while (last > h && last[-1] != '.')
		last--;
	if (last == h || !g_ascii_islower(*last))
		return NULL; /* dotless, or a numeric last label (an IP literal) */
	for (const char *c = h; c < e; c++)
		if (c[0] == '.' && c[1] == '.')
			return NULL;
	for (const char *c = e; *c; c++)
		if ((guchar)*c <= 0x20 || (guchar)*c >= 0x7f || *c == '%' || *c == '\\' || *c == '#')
			return NULL;
	if (*e == '/')
		return g_strdup(h);
	return g_strdup_printf("%.*s/%s", (int)(e - h), h, e);
}

/* lists_add_url - one URL entry; false if it is not a URL */
static bool lists_add_url(url_lists *l, const char *url, const char *feed)
{
	char *fast = url_lists_fast_key(url);
	if (fast) {
		const char *path = fast + strcspn(fast, "/");
		if (strcmp(path, "/") == 0) {
			fast[path - fast] = '\0';
			lists_put(l, l->hosts, fast, feed);
		} else
			lists_put(l, l->urls, fast, feed);
		g_free(fast);
		return true;
	}
	url_parts *p = url_normalise_light(url);
	if (!p || p->kind != URL_KIND_NET) {
		url_parts_free(p);
		return false;
	}
	char *key = url_lists_key(p);
	const char *path = key + strcspn(key, "/");
	if (strcmp(path, "/") == 0 && !p->port)
		lists_put(l, l->hosts, p->host, feed);
	else
		lists_put(l, l->urls, key, feed);
	g_free(key);
	url_parts_free(p);
	return true;
}

/* lists_add_domain - one domain entry; false if it is not a domain */
static bool lists_add_domain(url_lists *l, const char *d, const char *feed)
{
	if (g_str_has_prefix(d, "*."))
		d += 2;
	/* the common case, a lower-case ASCII name with a letter in its last
	 * label, is already normal */
	const char *c = d;
	while (g_ascii_islower(*c) || g_ascii_isdigit(*c) || *c == '-' || *c == '.')
		c++;
	const char *last = strrchr(d, '.');
	if (!*c && last && last > d && last[1] && g_ascii_islower(last[1]) && !strstr(d, "..")) {
		lists_put(l, l->domains, d, feed);
		return true;
	}
	bool ip;
	char *h = url_normalise_host(d, &ip, NULL);
	if (!h || (!ip && !strchr(h, '.'))) {
		g_free(h);
		return false;
	}
	lists_put(l, ip ? l->hosts : l->domains, h, feed);
	g_free(h);
	return true;
}

/* lists_csv_fields - split one CSV line (RFC 4180 quoting); NULL if a
 * quoted field is not closed */
static GPtrArray *lists_csv_fields(const char *line)
{
	GPtrArray *f = g_ptr_array_new_with_free_func(g_free);
	const char *p = line;
	for (;;) {
		GString *v = g_string_new(NULL);
		if (*p == '"') {
			p++;
			for (;;) {
				if (!*p) {
					g_string_free(v, TRUE);
					g_ptr_array_unref(f);
					return NULL;
				}
				if (*p == '"' && p[1] == '"') {
					g_string_append_c(v, '"');
					p += 2;
				} else if (*p == '"') {
					p++;
					break;
				} else
					g_string_append_c(v, *p++);
			}
			while (*p == ' ')
				p++;
		} else {
			while (*p && *p != ',')
				g_string_append_c(v, *p++);
		}
		g_ptr_array_add(f, g_string_free(v, FALSE));
		if (*p != ',')
			break;
		p++;
	}
	if (*p) { /* text after a closing quote */
		g_ptr_array_unref(f);
		return NULL;
	}
	return f;
}

typedef enum {
	FEED_URLHAUS_CSV,
	FEED_PHISHTANK_CSV,
	FEED_PHISHTANK_JSON,
	FEED_URLS,
	FEED_DOMAINS,
	FEED_UNKNOWN
} feed_format;

/* lists_format - the format a file name says */
static feed_format lists_format(const char *name)
{
	if (g_str_has_suffix(name, ".urlhaus.csv"))
		return FEED_URLHAUS_CSV;
	if (g_str_has_suffix(name, ".phishtank.csv"))
		return FEED_PHISHTANK_CSV;
	if (g_str_has_suffix(name, ".phishtank.json"))
		return FEED_PHISHTANK_JSON;
	if (g_str_has_suffix(name, ".urls") || g_str_has_suffix(name, ".txt"))
		return FEED_URLS;
	if (g_str_has_suffix(name, ".domains"))
		return FEED_DOMAINS;
	return FEED_UNKNOWN;
}

/* lists_load_json - PhishTank JSON */
static bool lists_load_json(url_lists *l, const char *path, const char *text, gsize len,
			    const char *feed, GError **err)
{
	JsonParser *jp = json_parser_new();
	GError *e = NULL;
	bool ok = false;
	if (!json_parser_load_from_data(jp, text, (gssize)len, &e)) {
		g_set_error(err, VIGIE_ERROR, VIGIE_ERROR_RULES, "%s: %s", path, e->message);
		g_error_free(e);
		goto out;
	}
	JsonNode *root = json_parser_get_root(jp);
	if (!root || !JSON_NODE_HOLDS_ARRAY(root)) {
		g_set_error(err, VIGIE_ERROR, VIGIE_ERROR_RULES, "%s: expected a JSON array", path);
		goto out;
	}
	JsonArray *a = json_node_get_array(root);
	for (guint i = 0; i < json_array_get_length(a); i++) {
		JsonNode *n = json_array_get_element(a, i);
		JsonObject *o = JSON_NODE_HOLDS_OBJECT(n) ? json_node_get_object(n) : NULL;
		JsonNode *u = o ? json_object_get_member(o, "url") : NULL;
		const char *url =
		    u && JSON_NODE_HOLDS_VALUE(u) && json_node_get_value_type(u) == G_TYPE_STRING
			? json_node_get_string(u)
			: NULL;
		if (!url || !lists_add_url(l, url, feed)) {
			g_set_error(err, VIGIE_ERROR, VIGIE_ERROR_RULES,
				    "%s: entry %u: no valid \"url\" member", path, i + 1);
			goto out;
		}
	}
	ok = true;
out:
	g_object_unref(jp);
	return ok;
}

/* lists_load_lines - the line-oriented formats */
static bool lists_load_lines(url_lists *l, const char *path, char *text, feed_format fmt,
			     const char *feed, GError **err)
{
	int url_col = fmt == FEED_URLHAUS_CSV ? 2 : -1;
	int lineno = 0;
	char *next;
	for (char *line = text; line; line = next) {
		next = strchr(line, '\n');
		if (next)
			*next++ = '\0';
		lineno++;
		size_t n = strlen(line);
		if (n && line[n - 1] == '\r')
			line[--n] = '\0';
		while (*line == ' ' || *line == '\t')
			line++;
		if (!*line || *line == '#')
			continue;
		const char *why = NULL;
		if (fmt == FEED_URLS) {
			if (strpbrk(line, " \t") || !lists_add_url(l, line, feed))
				why = "not a URL";
		} else if (fmt == FEED_DOMAINS) {
			if (strpbrk(line, " \t") || !lists_add_domain(l, line, feed))
				why = "not a domain name";
		} else {
			GPtrArray *f = lists_csv_fields(line);
			if (!f)
				why = "unterminated quoted field";
			else if (fmt == FEED_PHISHTANK_CSV && url_col < 0) {
				for (guint i = 0; i < f->len; i++)
					if (strcmp(g_ptr_array_index(f, i), "url") == 0)
						url_col = (int)i;
				if (url_col < 0)
					why = "header row without a \"url\" column";
			} else if ((int)f->len <= url_col ||
				   (fmt == FEED_URLHAUS_CSV && f->len < 8))
				why = "too few fields";
			else if (!lists_add_url(l, g_ptr_array_index(f, url_col), feed))
				why = "the url field is not a URL";
			if (f)
				g_ptr_array_unref(f);
		}
		if (why) {
			g_set_error(err, VIGIE_ERROR, VIGIE_ERROR_RULES, "%s:%d: %s", path, lineno,
				    why);
			return false;
		}
	}
	return true;
}

/* url_lists_load_file - see url.h */
bool url_lists_load_file(url_lists *l, const char *path, GError **err)
{
	char *base = g_path_get_basename(path);
	feed_format fmt = lists_format(base);
	const char *feed = g_string_chunk_insert_const(l->strings, base);
	g_free(base);
	if (fmt == FEED_UNKNOWN) {
		g_set_error(err, VIGIE_ERROR, VIGIE_ERROR_RULES,
			    "%s: unknown feed format (name it *.urlhaus.csv, *.phishtank.csv, "
			    "*.phishtank.json, *.urls, *.txt or *.domains)",
			    path);
		return false;
	}
	char *text = NULL;
	gsize len = 0;
	GError *e = NULL;
	if (!g_file_get_contents(path, &text, &len, &e)) {
		g_set_error(err, VIGIE_ERROR, VIGIE_ERROR_RULES, "%s: %s", path, e->message);
		g_error_free(e);
		return false;
	}
	bool ok;
	if (memchr(text, '\0', len)) {
		g_set_error(err, VIGIE_ERROR, VIGIE_ERROR_RULES, "%s: binary data (NUL byte)",
			    path);
		ok = false;
	} else if (fmt == FEED_PHISHTANK_JSON)
		ok = lists_load_json(l, path, text, len, feed, err);
	else
		ok = lists_load_lines(l, path, text, fmt, feed, err);
	g_free(text);
	return ok;
}

static gint lists_cmp(gconstpointer a, gconstpointer b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* lists_feed_names - the feed files of dir in name order (README, dot
 * files such as vigie update's ".part.", and FILE.prev/.meta skipped), or
 * NULL with err when dir is missing, not a folder or unreadable */
static GPtrArray *lists_feed_names(const char *dir, GError **err)
{
	if (!g_file_test(dir, G_FILE_TEST_EXISTS) || !g_file_test(dir, G_FILE_TEST_IS_DIR)) {
		g_set_error(err, VIGIE_ERROR, VIGIE_ERROR_RULES, "%s: %s", dir,
			    g_file_test(dir, G_FILE_TEST_EXISTS) ? "not a folder"
								 : "no such folder");
		return NULL;
	}
	GError *e = NULL;
	GDir *d = g_dir_open(dir, 0, &e);
	if (!d) {
		g_set_error(err, VIGIE_ERROR, VIGIE_ERROR_RULES, "%s: %s", dir, e->message);
		g_error_free(e);
		return NULL;
	}
	GPtrArray *names = g_ptr_array_new_with_free_func(g_free);
	const char *n;
	while ((n = g_dir_read_name(d)))
		if (n[0] != '.' && !g_str_has_suffix(n, ".md") && lists_format(n) != FEED_UNKNOWN)
			g_ptr_array_add(names, g_strdup(n));
	g_dir_close(d);
	g_ptr_array_sort(names, lists_cmp);
	return names;
}

/* url_lists_feed_files - see url.h */
int url_lists_feed_files(const char *dir)
{
	GPtrArray *names = lists_feed_names(dir, NULL);
	if (!names)
		return -1;
	int n = (int)names->len;
	g_ptr_array_unref(names);
	return n;
}

/* url_lists_load_dir - every feed file of dir; an empty folder is no
 * entry, not an error (the state folder before the first vigie update) */
bool url_lists_load_dir(url_lists *l, const char *dir, GError **err)
{
	GPtrArray *names = lists_feed_names(dir, err);
	if (!names)
		return false;
	bool ok = true;
	for (guint i = 0; ok && i < names->len; i++) {
		char *p = g_build_filename(dir, (char *)g_ptr_array_index(names, i), NULL);
		ok = url_lists_load_file(l, p, err);
		g_free(p);
	}
	g_ptr_array_unref(names);
	return ok;
}

/* url_lists_match - see url.h */
const char *url_lists_match(const url_lists *l, const url_parts *p, const char **how)
{
	const char *feed;
	if (p->kind != URL_KIND_NET)
		return NULL;
	if ((feed = g_hash_table_lookup(l->hosts, p->host))) {
		*how = "host";
		return feed;
	}
	for (const char *h = p->host; h && *h && !p->ip;) {
		if ((feed = g_hash_table_lookup(l->domains, h))) {
			*how = "domain";
			return feed;
		}
		h = strchr(h, '.');
		if (h)
			h++;
	}
	if (p->ip && (feed = g_hash_table_lookup(l->domains, p->host))) {
		*how = "host";
		return feed;
	}
	char *key = url_lists_key(p);
	feed = g_hash_table_lookup(l->urls, key);
	if (!feed) {
		char *q = strchr(key, '?');
		if (q) {
			*q = '\0';
			feed = g_hash_table_lookup(l->urls, key);
		}
	}
	g_free(key);
	if (feed)
		*how = "url";
	return feed;
}
