/* url.h - private to the URL analyser's files (url.c, url_*.c)
 *
 * The pipeline: url_extract finds every URL a person could follow in a
 * message (as written, with the visible text of its link); url_normalise
 * turns each into url_parts (IDNA, percent-decoding, IP literals, the
 * registrable domain); url_lists, url_lookalike and url.c check them.
 */
#ifndef VIGIE_URL_H
#define VIGIE_URL_H

#include "internal.h"

/* ---- url_normalise.c ---- */
typedef enum { URL_KIND_NET, URL_KIND_DATA, URL_KIND_JAVASCRIPT } url_kind;

typedef struct {
	url_kind kind;
	char *url;	    /* normalised: scheme://[user@]host[:port]/path?query (no fragment);
			     * data:/javascript: the first 200 bytes as written */
	char *scheme;	    /* lower case: http, https, ftp, data, javascript */
	char *userinfo;	    /* percent-decoded, or NULL */
	char *host;	    /* lower-case ASCII (A-labels), dotted-quad IPv4, "[v6]"; "" if none */
	char *host_unicode; /* U-labels, for display and confusable checks */
	int port;	    /* an explicit port other than the scheme's default, else 0 */
	char *path;	    /* path and query, percent-decoded, lower case (for word checks) */
	char *domain;	    /* registrable domain, or NULL (IP literal, public suffix only) */
	bool ip;	    /* host is an IP literal */
	bool ip_odd;	    /* ... written in a notation other than dotted decimal */
	bool defanged;	    /* written defanged (hxxp://, [.], (dot)) */
} url_parts;

/* url_normalise - parse and normalise one URL as written (absolute, or a
 * bare host such as "www.example.com/x"); NULL when it is not a URL a person
 * could follow (mailto:, relative, no valid host). Free with url_parts_free. */
url_parts *url_normalise(const char *written);
void url_parts_free(url_parts *p);
/* url_normalise_light - the same but domain NULL, host_unicode = host and
 * path "": the fast form for loading blocklists */
url_parts *url_normalise_light(const char *written);
/* url_normalise_host - lower-case A-label form of a host (IDNA, percent-
 * and defang-decoded), IPv4 in any notation as a dotted quad (*ip set);
 * NULL when invalid. Caller g_free. */
char *url_normalise_host(const char *host, bool *ip, bool *ip_odd);
/* url_normalise_ipv4 - IPv4 in decimal, octal, hex or dotted-partial form
 * -> dotted quad in out; *odd when not plain dotted decimal */
bool url_normalise_ipv4(const char *s, char out[16], bool *odd);
/* url_normalise_to_unicode - U-label form of an A-label host; caller g_free */
char *url_normalise_to_unicode(const char *ascii);
/* url_normalise_is_suffix - s (lower case) is a public suffix (no '*' rule) */
bool url_normalise_is_suffix(const char *s);
/* url_normalise_suffix_of - the public suffix part of an A-label host
 * (pointer into host) */
const char *url_normalise_suffix_of(const char *host);

/* ---- url_extract.c ---- */
typedef struct {
	char *written; /* the URL as written (valid UTF-8) */
	char *url;     /* what to normalise: written with entities, defanging and
			* zero-width characters undone */
	char *text;    /* visible text of its link, or NULL (found in text) */
	char *
	    tag; /* "a", "img", "form", ... "text" (found in text), "embedded", "attachment-name" */
	char *where; /* e.g. "part 1.2" */
	char *via;   /* the redirector(s) this URL was unwrapped from ("google.com",
		      * "l.facebook.com, google.com"), or NULL */
	bool wrapper; /* a redirector whose target follows as its own url_found */
} url_found;

/* the redirectors whose target can be read from their URL (unwrap.txt) */
typedef struct url_unwrap url_unwrap;
/* url_unwrap_load - path (DOMAIN PATH-PREFIX HOW per line, see
 * signatures/urls/README.md); a missing file is an empty table; NULL with
 * err naming file:line on a bad line */
url_unwrap *url_unwrap_load(const char *path, GError **err);
void url_unwrap_free(url_unwrap *w);
guint url_unwrap_count(const url_unwrap *w);
/* url_extract_unwrap - the target of one redirect level of url (as written)
 * when url goes through a listed redirector and its target is a web URL;
 * *via (if non-NULL) the redirector's host. NULL otherwise (not listed, no
 * target, a target that is not a URL). Caller g_free both. */
char *url_unwrap_target(const url_unwrap *w, const char *url, char **via);
/* url_unwrap_opaque - url goes through a listed redirector whose target is
 * not in its URL ("opaque": linkedin.com/slink) */
bool url_unwrap_opaque(const url_unwrap *w, const char *url);

void url_found_free(gpointer p);
/* url_extract_text - every URL in free text (schemes, www., defanged forms,
 * bare domains with a known TLD, zero-width splits, entities undone),
 * appended to out as url_found with tag "text" and where; at most max in out */
void url_extract_text(const char *text, const char *where, GPtrArray *out, guint max);
/* url_extract_message - every URL of m (links with their text, URLs in text
 * bodies, attachment names that are URLs, URLs embedded percent-encoded in
 * others), at most max; a GPtrArray of url_found */
GPtrArray *url_extract_message(const vigie_message *m, guint max);
/* url_extract_message_unwrap - the same, and after each link or text URL
 * through a redirector of uw, its target (with the link's text and tag, via
 * set), unwrapped up to URL_UNWRAP_DEPTH levels; uw NULL: none */
#define URL_UNWRAP_DEPTH 3
GPtrArray *url_extract_message_unwrap(const vigie_message *m, guint max, const url_unwrap *uw);
/* url_extract_single - if the whole of s (trimmed) is one URL or domain,
 * that URL as written (caller g_free), else NULL: for link texts */
char *url_extract_single(const char *s);
/* url_extract_scan - url_extract_message_unwrap with u's [urls] max_urls
 * and redirectors (u NULL: the max_urls default, none unwrapped): the list
 * every analyser of a scan shares (scan_ctx_urls); caller unrefs */
GPtrArray *url_extract_scan(const url_engine *u, const vigie_message *m);
/* url_engine_max_urls - u's [urls] max_urls (u NULL: its default) */
guint url_engine_max_urls(const url_engine *u);

/* ---- url_lists.c: blocklist feeds ---- */
typedef struct url_lists url_lists;
url_lists *url_lists_new(void);
void url_lists_free(url_lists *l);
/* url_lists_load_file - one feed file, format from its name (see
 * signatures/urls/README.md); false with err naming file:line */
bool url_lists_load_file(url_lists *l, const char *path, GError **err);
/* url_lists_load_dir - every feed file of dir, in name order; an empty
 * folder loads nothing and succeeds; a missing one is an error ("DIR: no
 * such folder") */
bool url_lists_load_dir(url_lists *l, const char *dir, GError **err);
/* url_lists_feed_files - how many feed files dir holds (what
 * url_lists_load_dir would read), -1 when it is missing or unreadable */
int url_lists_feed_files(const char *dir);
guint url_lists_size(const url_lists *l);
/* url_lists_match - the feed listing p (by exact URL, host or a parent
 * domain, as each feed intends) and how (*how: "url", "host", "domain"), or
 * NULL; static/owned strings */
const char *url_lists_match(const url_lists *l, const url_parts *p, const char **how);
/* url_lists_key - the exact-URL key of a URL ("host[:port]/path?query"); caller g_free */
char *url_lists_key(const url_parts *p);
/* url_lists_fast_key - the same key straight from a URL already in normal
 * form, or NULL when it needs url_normalise; caller g_free */
char *url_lists_fast_key(const char *url);

/* ---- url_lookalike.c: protected domains and brands ---- */
typedef struct url_protect url_protect;
/* url_protect_load - dir/domains.txt and dir/brands.txt; NULL with err */
url_protect *url_protect_load(const char *dir, int min_len, int dist2_len, GError **err);
void url_protect_free(url_protect *p);
guint url_protect_count(const url_protect *p);
bool url_protect_has(const url_protect *p, const char *host);
const char *url_protect_lookalike(const url_protect *p, const char *host, char **why);
/* url_protect_mixed_script - a label of host (U-labels) mixes scripts */
bool url_protect_mixed_script(const url_protect *p, const char *host_unicode);
/* url_mixed_script_words - a word of text (UTF-8; words are runs of
 * letters, marks and digits) mixes scripts beyond what one language uses
 * (the check of url.mixed-script, for display names); false for NULL u */
bool url_mixed_script_words(const url_engine *u, const char *text);
/* url_lookalike_distance - Damerau-Levenshtein (optimal string alignment)
 * distance between two UTF-8 strings, stopping above limit (limit+1) */
int url_lookalike_distance(const char *a, const char *b, int limit);

#endif
