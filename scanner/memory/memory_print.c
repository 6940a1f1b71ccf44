/* memory_print.c - the print of a message: what campaign memory keeps of it
 *
 * Text: every text of the message normalised (textnorm: case, accents,
 * evasions undone), cut into words of letters (links, addresses and
 * anything with a digit left out: they are remembered on their own); each run of 4
 * words is a shingle, hashed (FNV-1a, 64 bits); the MEMORY_SHINGLES
 * smallest distinct hashes are the sample (bottom-k MinHash): two texts
 * share about k x their resemblance of them. Fewer than 6 words: no sample.
 * Links: every web URL the URL analyser extracts (the scan's list, the
 * first 50; redirectors unwrapped by it are not: their targets are), as
 * host + path without the query (a
 * lure's per-victim token must not hide it), and its registrable domain;
 * a URL with no path counts as its domain only. Protected domains (the
 * organisation's and its brands') are left out: every genuine mail carries
 * them. Phones: runs of 9 to 15 digits (with + . - space and parentheses
 * between), kept as their last 9 digits, so +33 6 12 34 56 78 and
 * 06 12 34 56 78 are one number.
 *
 * Everything is then a keyed hash (vigie_store_hash): the store never sees
 * a word, a URL or a number.
 *
 * SECURITY: the message is the sender's; it is only read here, under the
 * URL analyser's limit of 50 URLs and a cap on text (4 MB walked).
 */
#include "memory.h"
#include "url.h" /* the URL analyser's extraction and normalisation, reused as is */

#include <stdio.h>
#include <string.h>

#define PRINT_MAX_URLS 50
#define PRINT_MAX_TEXT (4u << 20)
#define PRINT_MAX_PHONES 10

static guint64 fnv1a(const char *s, gsize n)
{
	guint64 h = 1469598103934665603ull;
	for (gsize i = 0; i < n; i++) {
		h ^= (guchar)s[i];
		h *= 1099511628211ull;
	}
	return h;
}

static gint cmp_u64(gconstpointer a, gconstpointer b)
{
	guint64 x = *(const guint64 *)a, y = *(const guint64 *)b;
	return x < y ? -1 : x > y;
}

/* print_add - keyed hash of kind:value into a (no duplicates) */
static bool print_add(vigie_store *s, GPtrArray *a, const char *kind, const char *value, GError **err)
{
	char *h = vigie_store_hash(s, kind, value, err);
	if (!h)
		return false;
	for (guint i = 0; i < a->len; i++)
		if (!strcmp(g_ptr_array_index(a, i), h)) {
			g_free(h);
			return true;
		}
	g_ptr_array_add(a, h);
	return true;
}

/* print_shingles - the bottom-k sample of the words of all texts (as the
 * scan normalised them, whole) */
static bool print_shingles(vigie_store *s, scan_ctx *sc, GPtrArray *out, GError **err)
{
	const vigie_message *m = scan_ctx_message(sc);
	GString *all = g_string_new(NULL);
	for (guint i = 0; i < m->texts->len && all->len < PRINT_MAX_TEXT; i++) {
		const vigie_text *t = g_ptr_array_index(m->texts, i);
		const textnorm *n = scan_ctx_norm(sc, t->text, G_MAXSIZE);
		g_string_append_len(all, n->text, (gssize)n->len);
		g_string_append_c(all, ' ');
	}
	/* words: runs of letters (anything above ASCII counts as one), in the
	 * chunks between white space that are not links, addresses or numbers:
	 * those are remembered apart, and would otherwise hide a reworded link
	 * or number inside a copied text */
	GArray *starts = g_array_new(FALSE, FALSE, sizeof(gsize));
	GArray *ends = g_array_new(FALSE, FALSE, sizeof(gsize));
	for (gsize i = 0; i < all->len && i < PRINT_MAX_TEXT;) {
		while (i < all->len && g_ascii_isspace(all->str[i]))
			i++;
		gsize cb = i;
		bool skip = false;
		while (i < all->len && !g_ascii_isspace(all->str[i])) {
			skip |= g_ascii_isdigit(all->str[i]) || all->str[i] == '@' || all->str[i] == '/';
			i++;
		}
		if (skip)
			continue;
		skip = g_strstr_len(all->str + cb, (gssize)(i - cb), "www.") != NULL;
		for (gsize j = cb; !skip && j < i;) {
			while (j < i && !g_ascii_isalpha(all->str[j]) && !(all->str[j] & 0x80))
				j++;
			gsize b = j;
			while (j < i && (g_ascii_isalpha(all->str[j]) || (all->str[j] & 0x80)))
				j++;
			if (j > b) {
				g_array_append_val(starts, b);
				g_array_append_val(ends, j);
			}
		}
	}
	GArray *hs = g_array_new(FALSE, FALSE, sizeof(guint64));
	for (guint w = 0; starts->len >= 6 && w + 4 <= starts->len; w++) {
		GString *sh = g_string_new(NULL);
		for (guint j = w; j < w + 4; j++) {
			gsize b = g_array_index(starts, gsize, j), e = g_array_index(ends, gsize, j);
			g_string_append_len(sh, all->str + b, (gssize)(e - b));
			g_string_append_c(sh, ' ');
		}
		guint64 h = fnv1a(sh->str, sh->len);
		g_array_append_val(hs, h);
		g_string_free(sh, TRUE);
	}
	g_array_sort(hs, cmp_u64);
	bool ok = true;
	guint64 last = 0;
	for (guint i = 0; ok && i < hs->len && out->len < MEMORY_SHINGLES; i++) {
		guint64 h = g_array_index(hs, guint64, i);
		if (i && h == last)
			continue;
		last = h;
		char hex[17];
		snprintf(hex, sizeof hex, "%016" G_GINT64_MODIFIER "x", h);
		ok = print_add(s, out, "shingle", hex, err);
	}
	g_array_free(hs, TRUE);
	g_array_free(starts, TRUE);
	g_array_free(ends, TRUE);
	g_string_free(all, TRUE);
	return ok;
}

/* print_phones - numbers in text t */
static bool print_phones(vigie_store *s, const char *t, memory_print *p, GPtrArray *shown_phones,
			 GError **err)
{
	for (const char *c = t; *c && p->phones->len < PRINT_MAX_PHONES;) {
		if (!(g_ascii_isdigit(*c) || (*c == '+' && g_ascii_isdigit(c[1])))) {
			c++;
			continue;
		}
		/* a number is not glued to letters or digits before it */
		if (c > t && (g_ascii_isalnum(c[-1]))) {
			c++; /* past a '+' too: "GMT+7" */
			while (*c && g_ascii_isalnum(*c))
				c++;
			continue;
		}
		char digits[32];
		int n = 0;
		const char *b = c, *last = c;
		for (; *c && n < 31; c++) {
			if (g_ascii_isdigit(*c)) {
				digits[n++] = *c;
				last = c;
			} else if (!strchr("+.- ()", *c) || (c[0] == ' ' && c[1] == ' ')) {
				break;
			}
		}
		digits[n] = '\0';
		if (n >= 9 && n <= 15 && !g_ascii_isalpha(last[1])) {
			if (!print_add(s, p->phones, "phone", digits + n - 9, err))
				return false;
			if (b > t && b[-1] == '(')
				b--; /* "(01) 84 ..." shown whole */
			if (p->phones->len > shown_phones->len)
				g_ptr_array_add(shown_phones, g_strndup(b, (gsize)(last - b + 1)));
		}
		while (*c && g_ascii_isdigit(*c))
			c++;
	}
	return true;
}

/* memory_print_new - see memory.h */
memory_print *memory_print_new(const url_engine *u, vigie_store *s, scan_ctx *sc, GError **err)
{
	const vigie_message *m = scan_ctx_message(sc);
	memory_print *p = g_new0(memory_print, 1);
	p->shingles = g_ptr_array_new_with_free_func(g_free);
	p->urls = g_ptr_array_new_with_free_func(g_free);
	p->domains = g_ptr_array_new_with_free_func(g_free);
	p->phones = g_ptr_array_new_with_free_func(g_free);
	p->shown = g_ptr_array_new_with_free_func(g_free);
	GPtrArray *shown_domains = g_ptr_array_new_with_free_func(g_free);
	GPtrArray *shown_phones = g_ptr_array_new_with_free_func(g_free);
	bool ok = print_shingles(s, sc, p->shingles, err);
	const GPtrArray *found = ok ? scan_ctx_urls(sc, NULL) : NULL;
	for (guint i = 0; ok && found && i < found->len && i < PRINT_MAX_URLS; i++) {
		const url_found *f = g_ptr_array_index(found, i);
		if (f->wrapper)
			continue;
		url_parts *up = url_normalise(f->url);
		if (!up || up->kind != URL_KIND_NET || !*up->host || (u && url_is_protected(u, up->host))) {
			url_parts_free(up);
			continue;
		}
		const char *dom = up->domain ? up->domain : up->host;
		guint nd = p->domains->len;
		ok = print_add(s, p->domains, "domain", dom, err);
		if (ok && p->domains->len > nd)
			g_ptr_array_add(shown_domains, g_strdup(dom));
		gsize plen = strcspn(up->path, "?#");
		if (ok && plen > 1) {
			char *hp = g_strdup_printf("%s%.*s", up->host, (int)plen, up->path);
			guint nu = p->urls->len;
			ok = print_add(s, p->urls, "url", hp, err);
			if (ok && p->urls->len > nu)
				g_ptr_array_add(p->shown, g_strdup(f->written));
			g_free(hp);
		}
		url_parts_free(up);
	}
	for (guint i = 0; ok && i < m->texts->len; i++) {
		const vigie_text *t = g_ptr_array_index(m->texts, i);
		ok = print_phones(s, t->text, p, shown_phones, err);
	}
	for (guint i = 0; i < shown_domains->len; i++)
		g_ptr_array_add(p->shown, g_strdup(g_ptr_array_index(shown_domains, i)));
	for (guint i = 0; i < shown_phones->len; i++)
		g_ptr_array_add(p->shown, g_strdup(g_ptr_array_index(shown_phones, i)));
	g_ptr_array_unref(shown_domains);
	g_ptr_array_unref(shown_phones);
	if (!ok) {
		memory_print_free(p);
		return NULL;
	}
	return p;
}

void memory_print_free(memory_print *p)
{
	if (!p)
		return;
	g_ptr_array_unref(p->shingles);
	g_ptr_array_unref(p->urls);
	g_ptr_array_unref(p->domains);
	g_ptr_array_unref(p->phones);
	g_ptr_array_unref(p->shown);
	g_free(p->history_key);
	g_free(p);
}
