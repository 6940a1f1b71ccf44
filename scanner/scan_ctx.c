/* scan_ctx.c - what one scan works out once and every analyser shares
 *
 * A scan context lives for one message's scan (vigie_scan makes it after
 * the attachment analyser has added its texts, and frees it at the end) and
 * keeps what several analysers used to work out each on its own:
 *   - the normalised form (textnorm.c) of each text and of the Subject, cut
 *     to the number of bytes the analyser asking reads ([lexicon] and
 *     [intent] max_scan_bytes; the whole text for campaign memory). A text
 *     shorter than the cut is normalised once for all of them; a longer one
 *     once per distinct cut (the normalised form of a prefix is not a
 *     prefix of the normalised form: letters spaced out or white space at
 *     the cut differ);
 *   - the URLs of the message, extracted as the URL analyser extracts them
 *     (its [urls] max_urls and redirectors; url_extract_scan), for the URL
 *     analyser itself, the lexicon's @link and campaign memory.
 * Everything is computed on first use, so a message no analyser asks about
 * costs nothing, and owned by the context: callers never free what it
 * returns.
 *
 * SECURITY: the texts are the sender's; the work is what the analysers did
 * before (linear in the text), done fewer times. A context belongs to one
 * thread, as its message does.
 */
#include "internal.h"
#include "url.h"

#include <string.h>

/* one normalised form of one text: the first cut bytes of src */
typedef struct scan_norm {
	gsize cut;
	textnorm *t;
	struct scan_norm *next; /* the same text under another cut */
} scan_norm;

struct scan_ctx {
	const vigie_message *m;
	const url_engine *urls;
	const char *subject; /* the mail's Subject, or NULL */
	GHashTable *norm;    /* text pointer -> scan_norm* */
	GPtrArray *found;    /* url_found*, NULL until asked */
};

static void scan_norm_free(gpointer p)
{
	for (scan_norm *n = p, *next; n; n = next) {
		next = n->next;
		textnorm_free(n->t);
		g_free(n);
	}
}

/* scan_ctx_new - see internal.h */
scan_ctx *scan_ctx_new(const vigie_message *m, const url_engine *u)
{
	scan_ctx *sc = g_new0(scan_ctx, 1);
	sc->m = m;
	sc->urls = u;
	sc->subject = m->channel == VIGIE_CHANNEL_MAIL ? vigie_message_header(m, "Subject") : NULL;
	sc->norm = g_hash_table_new_full(g_direct_hash, g_direct_equal, NULL, scan_norm_free);
	return sc;
}

/* scan_ctx_free - see internal.h */
void scan_ctx_free(scan_ctx *sc)
{
	if (!sc)
		return;
	g_hash_table_unref(sc->norm);
	if (sc->found)
		g_ptr_array_unref(sc->found);
	g_free(sc);
}

/* scan_ctx_message - see internal.h */
const vigie_message *scan_ctx_message(const scan_ctx *sc)
{
	return sc->m;
}

/* scan_ctx_subject - see internal.h */
const char *scan_ctx_subject(const scan_ctx *sc)
{
	return sc->subject;
}

/* scan_ctx_cut - see internal.h */
gsize scan_ctx_cut(const char *text, gsize max_bytes)
{
	gsize len = strlen(text);
	if (len <= max_bytes)
		return len;
	len = max_bytes;
	while (len > 0 && ((unsigned char)text[len] & 0xc0) == 0x80)
		len--;
	return len;
}

/* scan_ctx_norm - see internal.h */
const textnorm *scan_ctx_norm(scan_ctx *sc, const char *text, gsize max_bytes)
{
	gsize cut = scan_ctx_cut(text, max_bytes);
	scan_norm *first = g_hash_table_lookup(sc->norm, text);
	for (scan_norm *n = first; n; n = n->next)
		if (n->cut == cut)
			return n->t;
	scan_norm *n = g_new0(scan_norm, 1);
	n->cut = cut;
	n->t = textnorm_new(text, (gssize)cut);
	if (first) {
		n->next = first->next;
		first->next = n;
	} else {
		g_hash_table_insert(sc->norm, (gpointer)text, n);
	}
	return n->t;
}

/* scan_ctx_urls - see internal.h */
const GPtrArray *scan_ctx_urls(scan_ctx *sc, bool *complete)
{
	if (!sc->found)
		sc->found = url_extract_scan(sc->urls, sc->m);
	if (complete)
		*complete = sc->found->len < url_engine_max_urls(sc->urls);
	return sc->found;
}
