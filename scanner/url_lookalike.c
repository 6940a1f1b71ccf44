/* url_lookalike.c - protected domains and brands, and hosts that imitate them
 *
 * Loads PROTECT_DIR/domains.txt (one protected domain per line: the
 * organisation's own, its banks, suppliers, public portals) and
 * PROTECT_DIR/brands.txt ("name domain..." per line: a brand name and the
 * domains that legitimately use it; "=name" matches only as a whole word).
 * A host imitates a protected name when, and it is not itself protected:
 *   - its registrable label has the same Unicode TS #39 skeleton (ICU
 *     uspoof) as a protected label but is not that label: homoglyphs,
 *     confusable scripts, punycode that renders alike, "rn" for "m";
 *   - it is a protected domain's label under another suffix;
 *   - a protected domain appears as labels of a subdomain of a foreign
 *     domain (paypal.com.evil.example);
 *   - its label is within a small edit distance of a protected label (1 for
 *     labels of min_len characters or more, 2 from dist2_len on; not for
 *     everyday words marked "=" in brands.txt);
 *   - a brand name is embedded in it (paypal-secure-login.example), also
 *     with lookalike characters (paypa1-account.example: the skeleton of
 *     the name holds the brand's skeleton; brands of min_len or more only);
 *   - one of its words (between dashes and dots) is one edit away from a
 *     brand name of LOOK_WORD_MIN characters or more (docsign-review.example):
 *     shorter names have too many everyday neighbours (google, goggle).
 *
 * SECURITY: the files are the administrator's and trusted; hosts come from
 * messages and are hostile: they are bounded (labels of 63 bytes, hosts of
 * 253) before any quadratic work. The spoof checker is configured once at
 * load and then only read, which ICU allows from any number of threads.
 */
#include "url.h"

#include <string.h>
#include <unicode/uspoof.h>
#include <unicode/uscript.h>

#define LOOK_MAX_LABEL 64
#define LOOK_WORD_MIN 7

typedef struct {
	char *name;	    /* what is imitated, for reports: "horizon-assurances.fr", "paypal" */
	char *label;	    /* lower-case label or brand word */
	char *flat;	    /* label without '-' */
	char *skeleton;	    /* TS #39 skeleton of label */
	GHashTable *owners; /* registrable domains that legitimately carry it */
	bool word_only;	    /* brand matched only as a whole word */
	bool domain;	    /* from domains.txt: another suffix is an imitation too */
} look_name;

struct url_protect {
	GHashTable *domains;  /* protected hosts/domains (A-label, lower case) */
	GPtrArray *names;     /* of look_name* */
	GHashTable *by_label; /* label -> look_name* */
	USpoofChecker *sc;
	int min_len, dist2_len;
};

static void look_name_free(gpointer p)
{
	look_name *n = p;
	g_free(n->name);
	g_free(n->label);
	g_free(n->flat);
	g_free(n->skeleton);
	g_hash_table_unref(n->owners);
	g_free(n);
}

/* look_skeleton - lower-cased TS #39 skeleton of lower-cased s; caller g_free */
static char *look_skeleton(USpoofChecker *sc, const char *s)
{
	char *low = g_utf8_strdown(s, -1);
	char buf[1024];
	UErrorCode st = U_ZERO_ERROR;
	int32_t n = uspoof_getSkeletonUTF8(sc, 0, low, -1, buf, sizeof buf, &st);
	char *out;
	if (U_FAILURE(st) || n < 0 || n >= (int32_t)sizeof buf)
		out = g_strdup(low);
	else
		out = g_utf8_strdown(buf, n);
	g_free(low);
	return out;
}

/* look_strip_dashes - s without '-' */
static char *look_strip_dashes(const char *s)
{
	GString *o = g_string_new(NULL);
	for (; *s; s++)
		if (*s != '-')
			g_string_append_c(o, *s);
	return g_string_free(o, FALSE);
}

/* look_label_of - registrable label of a registrable domain ("a.co.uk" -> "a") */
static char *look_label_of(const char *domain)
{
	const char *suffix = url_normalise_suffix_of(domain);
	if (suffix <= domain + 1)
		return g_strdup(domain);
	return g_strndup(domain, (gsize)(suffix - domain - 1));
}

/* look_add_name - the look_name for label, created on first use */
static look_name *look_add_name(url_protect *p, const char *label, const char *display)
{
	look_name *n = g_hash_table_lookup(p->by_label, label);
	if (n)
		return n;
	n = g_new0(look_name, 1);
	n->name = g_strdup(display);
	n->label = g_strdup(label);
	n->flat = look_strip_dashes(label);
	char *u = url_normalise_to_unicode(label);
	n->skeleton = look_skeleton(p->sc, u);
	g_free(u);
	n->owners = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, NULL);
	n->word_only = g_utf8_strlen(label, -1) < 5;
	g_ptr_array_add(p->names, n);
	g_hash_table_insert(p->by_label, n->label, n);
	return n;
}

/* look_read_lines - lines of path with comments and blanks dropped, each
 * with its line number; false with err */
static bool look_read(const char *path, char ***lines, GError **err)
{
	char *text = NULL;
	gsize len;
	GError *e = NULL;
	if (!g_file_get_contents(path, &text, &len, &e)) {
		g_set_error(err, VIGIE_ERROR, VIGIE_ERROR_RULES, "%s: %s", path, e->message);
		g_error_free(e);
		return false;
	}
	if (!g_utf8_validate(text, (gssize)len, NULL)) {
		g_set_error(err, VIGIE_ERROR, VIGIE_ERROR_RULES, "%s: not valid UTF-8", path);
		g_free(text);
		return false;
	}
	*lines = g_strsplit(text, "\n", -1);
	g_free(text);
	return true;
}

/* look_domain - validated A-label form of a listed domain, or NULL with err */
static char *look_domain(const char *path, int line, const char *w, GError **err)
{
	bool ip;
	char *h = url_normalise_host(w, &ip, NULL);
	if (!h || ip || !strchr(h, '.')) {
		g_set_error(err, VIGIE_ERROR, VIGIE_ERROR_RULES, "%s:%d: '%s' is not a domain name",
			    path, line, w);
		g_free(h);
		return NULL;
	}
	return h;
}

/* look_registrable - registrable domain of a listed domain, or the domain
 * itself when it is a public suffix (googleapis.com is one) */
static char *look_registrable(const char *h)
{
	char *r = url_registrable_domain(h);
	return r ? r : g_strdup(h);
}

/* look_load_domains - domains.txt */
static bool look_load_domains(url_protect *p, const char *path, GError **err)
{
	char **lines;
	if (!look_read(path, &lines, err))
		return false;
	bool ok = true;
	for (int i = 0; ok && lines[i]; i++) {
		char *l = g_strstrip(lines[i]);
		if (!*l || *l == '#')
			continue;
		if (strpbrk(l, " \t")) {
			g_set_error(err, VIGIE_ERROR, VIGIE_ERROR_RULES,
				    "%s:%d: one domain per line, got '%s'", path, i + 1, l);
			ok = false;
			break;
		}
		char *h = look_domain(path, i + 1, l, err);
		if (!h) {
			ok = false;
			break;
		}
		char *reg = look_registrable(h);
		char *label = look_label_of(reg);
		look_name *n = look_add_name(p, label, reg);
		n->domain = true;
		g_hash_table_add(n->owners, g_strdup(reg));
		g_hash_table_add(p->domains, h);
		g_free(label);
		g_free(reg);
	}
	g_strfreev(lines);
	return ok;
}

/* look_load_brands - brands.txt: "name domain..." */
static bool look_load_brands(url_protect *p, const char *path, GError **err)
{
	char **lines;
	if (!look_read(path, &lines, err))
		return false;
	bool ok = true;
	for (int i = 0; ok && lines[i]; i++) {
		char *l = g_strstrip(lines[i]);
		if (!*l || *l == '#')
			continue;
		char **w = g_strsplit_set(l, " \t", -1);
		GPtrArray *words = g_ptr_array_new();
		for (int j = 0; w[j]; j++)
			if (*w[j])
				g_ptr_array_add(words, w[j]);
		const char *name = g_ptr_array_index(words, 0);
		bool word_only = name[0] == '=';
		if (word_only)
			name++;
		bool valid = strlen(name) >= 3 && strlen(name) < LOOK_MAX_LABEL;
		for (const char *c = name; valid && *c; c++)
			valid = g_ascii_islower(*c) || g_ascii_isdigit(*c) || *c == '-';
		if (!valid) {
			g_set_error(err, VIGIE_ERROR, VIGIE_ERROR_RULES,
				    "%s:%d: brand '%s' must be 3 or more of a-z, 0-9, '-'", path,
				    i + 1, name);
			ok = false;
		}
		look_name *n = ok ? look_add_name(p, name, name) : NULL;
		if (n && word_only)
			n->word_only = true;
		for (guint j = 1; ok && j < words->len; j++) {
			char *h = look_domain(path, i + 1, g_ptr_array_index(words, j), err);
			if (!h) {
				ok = false;
				break;
			}
			g_hash_table_add(n->owners, look_registrable(h));
			g_hash_table_add(p->domains, h);
		}
		g_ptr_array_unref(words);
		g_strfreev(w);
	}
	g_strfreev(lines);
	return ok;
}

/* url_protect_load - see url.h */
url_protect *url_protect_load(const char *dir, int min_len, int dist2_len, GError **err)
{
	url_protect *p = g_new0(url_protect, 1);
	p->domains = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, NULL);
	p->names = g_ptr_array_new_with_free_func(look_name_free);
	p->by_label = g_hash_table_new(g_str_hash, g_str_equal);
	p->min_len = min_len;
	p->dist2_len = dist2_len;
	UErrorCode st = U_ZERO_ERROR;
	p->sc = uspoof_open(&st);
	if (U_SUCCESS(st)) {
		uspoof_setChecks(p->sc, USPOOF_RESTRICTION_LEVEL | USPOOF_INVISIBLE, &st);
		uspoof_setRestrictionLevel(p->sc, USPOOF_MODERATELY_RESTRICTIVE);
	}
	if (U_FAILURE(st)) {
		g_set_error(err, VIGIE_ERROR, VIGIE_ERROR_RULES, "ICU spoof checker: %s",
			    u_errorName(st));
		url_protect_free(p);
		return NULL;
	}
	char *d = g_build_filename(dir, "domains.txt", NULL);
	char *b = g_build_filename(dir, "brands.txt", NULL);
	bool ok = look_load_domains(p, d, err) && look_load_brands(p, b, err);
	g_free(d);
	g_free(b);
	if (!ok) {
		url_protect_free(p);
		return NULL;
	}
	return p;
}

/* url_protect_free - NULL is a no-op */
void url_protect_free(url_protect *p)
{
	if (!p)
		return;
	if (p->sc)
		uspoof_close(p->sc);
	g_hash_table_unref(p->domains);
	g_hash_table_unref(p->by_label);
	g_ptr_array_unref(p->names);
	g_free(p);
}

guint url_protect_count(const url_protect *p)
{
	return g_hash_table_size(p->domains);
}

/* url_protect_has - host or a parent domain of it is protected */
bool url_protect_has(const url_protect *p, const char *host)
{
	for (const char *h = host; h && *h;) {
		if (g_hash_table_contains(p->domains, h))
			return true;
		h = strchr(h, '.');
		if (h)
			h++;
	}
	return false;
}

/* url_lookalike_distance - optimal string alignment distance, code points */
int url_lookalike_distance(const char *a, const char *b, int limit)
{
	glong la, lb;
	gunichar *ua = g_utf8_to_ucs4_fast(a, -1, &la);
	gunichar *ub = g_utf8_to_ucs4_fast(b, -1, &lb);
	int result = limit + 1;
	if (la > LOOK_MAX_LABEL || lb > LOOK_MAX_LABEL || ABS(la - lb) > limit)
		goto out;
	int d[LOOK_MAX_LABEL + 1][LOOK_MAX_LABEL + 1];
	for (int i = 0; i <= la; i++)
		d[i][0] = i;
	for (int j = 0; j <= lb; j++)
		d[0][j] = j;
	for (int i = 1; i <= la; i++) {
		int rowmin = G_MAXINT;
		for (int j = 1; j <= lb; j++) {
			int cost = ua[i - 1] != ub[j - 1];
			int v = MIN(MIN(d[i - 1][j] + 1, d[i][j - 1] + 1), d[i - 1][j - 1] + cost);
			if (i > 1 && j > 1 && ua[i - 1] == ub[j - 2] && ua[i - 2] == ub[j - 1])
				v = MIN(v, d[i - 2][j - 2] + 1);
			d[i][j] = v;
			rowmin = MIN(rowmin, v);
		}
		if (rowmin > limit)
			goto out;
	}
	result = MIN(d[la][lb], limit + 1);
out:
	g_free(ua);
	g_free(ub);
	return result;
}

/* url_protect_mixed_script - a label mixes scripts beyond what one
 * language uses (ICU restriction level "moderately restrictive") */
bool url_protect_mixed_script(const url_protect *p, const char *host_unicode)
{
	bool ascii = true;
	for (const char *c = host_unicode; *c; c++)
		if ((guchar)*c >= 0x80)
			ascii = false;
	if (ascii)
		return false;
	char **labels = g_strsplit(host_unicode, ".", 64);
	bool mixed = false;
	for (int i = 0; !mixed && labels[i]; i++) {
		UErrorCode st = U_ZERO_ERROR;
		int32_t r = uspoof_checkUTF8(p->sc, labels[i], -1, NULL, &st);
		mixed = U_SUCCESS(st) && (r & USPOOF_RESTRICTION_LEVEL);
	}
	g_strfreev(labels);
	return mixed;
}

/* look_word_in - name occurs in s as a whole word (bounded by '-', '.' or the ends) */
static bool look_word_in(const char *s, const char *name)
{
	size_t nl = strlen(name);
	for (const char *h = strstr(s, name); h; h = strstr(h + 1, name)) {
		bool before = h == s || h[-1] == '-' || h[-1] == '.';
		bool after = h[nl] == '\0' || h[nl] == '-' || h[nl] == '.';
		if (before && after)
			return true;
	}
	return false;
}

/* url_protect_lookalike - see url_lookalike in internal.h */
const char *url_protect_lookalike(const url_protect *p, const char *host, char **why)
{
	*why = NULL;
	size_t hl = strlen(host);
	if (hl == 0 || hl > 253 || url_protect_has(p, host))
		return NULL;
	char *reg = url_registrable_domain(host);
	if (!reg)
		return NULL;
	char *label = look_label_of(reg);
	const char *suffix = url_normalise_suffix_of(reg);
	char *ulabel = url_normalise_to_unicode(label);
	char *skel = look_skeleton(p->sc, ulabel);
	char *flat = look_strip_dashes(label);
	/* the host without its public suffix: where brand words are looked for */
	char *body = g_strndup(host, hl - strlen(suffix) - (hl > strlen(suffix) ? 1 : 0));
	size_t sublen = hl > strlen(reg) ? hl - strlen(reg) - 1 : 0;
	const look_name *hit = NULL;
	int llen = (int)g_utf8_strlen(label, -1);

	for (guint i = 0; !hit && i < p->names->len; i++) {
		const look_name *n = g_ptr_array_index(p->names, i);
		if (g_hash_table_contains(n->owners, reg))
			continue;
		if (strcmp(n->label, label) == 0) {
			if (n->domain) {
				hit = n;
				*why = g_strdup_printf("'%s' under the suffix .%s instead of %s",
						       label, suffix, n->name);
			}
		} else if (strcmp(n->skeleton, skel) == 0) {
			hit = n;
			*why = g_strdup_printf("'%s' is visually confusable with '%s'", ulabel,
					       n->label);
		}
	}
	/* a protected domain as the labels of a foreign subdomain */
	for (size_t i = 0; !hit && sublen && i < sublen; i++) {
		if (i && host[i - 1] != '.')
			continue;
		char *cand = g_strndup(host + i, sublen - i);
		if (g_hash_table_contains(p->domains, cand)) {
			char *r = url_registrable_domain(cand);
			char *l = r ? look_label_of(r) : NULL;
			hit = l ? g_hash_table_lookup(p->by_label, l) : NULL;
			if (hit)
				*why = g_strdup_printf(
				    "protected domain %s used as a subdomain of %s", cand, reg);
			g_free(l);
			g_free(r);
		}
		g_free(cand);
	}
	/* small edit distance on the registrable label */
	for (guint i = 0; !hit && i < p->names->len; i++) {
		const look_name *n = g_ptr_array_index(p->names, i);
		int nlen = (int)g_utf8_strlen(n->label, -1);
		if (nlen < p->min_len || n->word_only || g_hash_table_contains(n->owners, reg))
			continue;
		int limit = nlen >= p->dist2_len ? 2 : 1;
		if (ABS(nlen - llen) > limit)
			continue;
		int d = url_lookalike_distance(skel, n->skeleton, limit);
		if (d > limit && strcmp(flat, n->flat) == 0)
			d = 1; /* same name with dashes added or removed */
		if (d >= 1 && d <= limit) {
			hit = n;
			*why = g_strdup_printf("'%s' is %d edit%s away from '%s'", ulabel, d,
					       d > 1 ? "s" : "", n->label);
		}
	}
	/* a brand embedded in another name */
	for (guint i = 0; !hit && i < p->names->len; i++) {
		const look_name *n = g_ptr_array_index(p->names, i);
		if (g_hash_table_contains(n->owners, reg))
			continue;
		bool in = n->word_only ? look_word_in(body, n->label)
				       : (strstr(body, n->label) || strstr(body, n->flat));
		if (in) {
			hit = n;
			*why = g_strdup_printf("the name '%s' inside the foreign domain %s",
					       n->label, reg);
		}
	}
	/* the same, with lookalike characters (paypa1-account, micr0soft-login) */
	if (!hit) {
		/* no subdomain: the body is the label, its skeleton is known */
		char *ubody = strcmp(body, label) ? url_normalise_to_unicode(body) : NULL;
		char *bskel = ubody ? look_skeleton(p->sc, ubody) : g_strdup(skel);
		for (guint i = 0; !hit && i < p->names->len; i++) {
			const look_name *n = g_ptr_array_index(p->names, i);
			if (n->word_only || (int)g_utf8_strlen(n->label, -1) < p->min_len ||
			    g_hash_table_contains(n->owners, reg))
				continue;
			if (strstr(bskel, n->skeleton)) {
				hit = n;
				*why = g_strdup_printf("a lookalike of the name '%s' inside the foreign domain %s",
						       n->label, reg);
			}
		}
		g_free(bskel);
		g_free(ubody);
	}
	/* a word of the name one edit away from a long brand name */
	if (!hit) {
		char **words = g_strsplit_set(body, "-.", 16);
		for (int w = 0; !hit && words[w]; w++) {
			int wl = (int)strlen(words[w]);
			if (wl < LOOK_WORD_MIN - 1 || wl > LOOK_MAX_LABEL)
				continue;
			for (guint i = 0; !hit && i < p->names->len; i++) {
				const look_name *n = g_ptr_array_index(p->names, i);
				int nlen = (int)strlen(n->label);
				if (n->word_only || n->domain || nlen < LOOK_WORD_MIN ||
				    ABS(nlen - wl) > 1 || g_hash_table_contains(n->owners, reg))
					continue;
				if (url_lookalike_distance(words[w], n->label, 1) == 1) {
					hit = n;
					*why = g_strdup_printf("the word '%s' of the foreign domain %s is "
							       "1 edit away from '%s'",
							       words[w], reg, n->label);
				}
			}
		}
		g_strfreev(words);
	}
	g_free(body);
	g_free(flat);
	g_free(skel);
	g_free(ulabel);
	g_free(label);
	g_free(reg);
	return hit ? hit->name : NULL;
}
