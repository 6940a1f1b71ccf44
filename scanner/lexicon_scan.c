/* lexicon_scan.c - the lexicon analyser: match, score, combine
 *
 * Every text of the message (and its Subject) is normalised (textnorm.c)
 * and each category's programs run over it. The prefilter
 * (lexicon_prefilter.c) first says which rules may match the text; a
 * program none of whose rules may is skipped, and one with a few
 * candidates is replaced by those rules' own programs, searched so that
 * the result is the program's (lex_search_rules). A category counts once per
 * message, with the weight of the heaviest of its rules that matched, and
 * its evidence quotes the original text of that match. Then every
 * combination whose requirements hold (categories present or absent,
 * built-in signals) adds its weight. Categories of weight 0 are signals for
 * combinations only and produce no finding. Nothing here holds policy: the
 * weights and combinations come from the rule files.
 *
 * SECURITY: texts are sender data. Each program is a PCRE2 search with a
 * match limit and a depth limit, over at most [lexicon] max_scan_bytes of
 * each text, so work is linear in the text size; a search that hits a
 * limit ends that program's search on that text (no finding), never the
 * scan.
 */
#include "lexicon.h"
#include "url.h"

#include <string.h>

/* per-message state: best match per category */
typedef struct {
	int weight;	/* heaviest rule matched */
	gint rule;	/* its index, -1 when none */
	char *evidence; /* original text */
	char *where;
} lex_hit;

/* lex_hit_update - the match [s, e) of rule idx in t: kept when it is the
 * first or heavier than the best so far; true once the category's
 * maximum is reached (nothing can do better) */
static bool lex_hit_update(const lex_category *c, gint idx, PCRE2_SIZE s, PCRE2_SIZE e,
			   const textnorm *t, lex_hit *hit, const char *where)
{
	const lex_rule *r = g_ptr_array_index(c->rules, idx);
	if (hit->rule < 0 || r->weight > hit->weight) {
		hit->rule = idx;
		hit->weight = r->weight;
		g_free(hit->evidence);
		g_free(hit->where);
		hit->evidence = textnorm_original(t, s, e);
		hit->where = g_strdup(where);
		if (hit->weight >= c->max_weight)
			return true;
	}
	return false;
}

/* lex_search_program - all matches of one program over t, keeping the
 * heaviest rule in *hit; stops early once the category's maximum is hit */
static void lex_search_program(const lex_category *c, const lex_program *p, const textnorm *t,
			       gsize limit, pcre2_match_data *md, pcre2_match_context *mc,
			       lex_hit *hit, const char *where)
{
	PCRE2_SIZE start = 0;
	while (start <= limit) {
		int rc = pcre2_match(p->code, (PCRE2_SPTR)t->text, limit, start, PCRE2_NO_UTF_CHECK,
				     md, mc);
		if (rc < 0)
			return; /* no match, or a limit: no more from this program */
		PCRE2_SIZE *ov = pcre2_get_ovector_pointer(md);
		PCRE2_SPTR mark = pcre2_get_mark(md);
		gint idx = mark ? (gint)g_ascii_strtoll((const char *)mark, NULL, 10) : -1;
		if (idx >= 0 && (guint)idx < c->rules->len &&
		    lex_hit_update(c, idx, ov[0], ov[1], t, hit, where))
			return;
		PCRE2_SIZE next = ov[1] > ov[0] ? ov[1] : ov[0] + 1;
		/* stay on a character boundary */
		while (next < limit && ((unsigned char)t->text[next] & 0xc0) == 0x80)
			next++;
		if (next <= start)
			next = start + 1;
		start = next;
		if (start >= limit)
			return;
	}
}

/* the most candidates of one program searched rule by rule: past that,
 * the program itself is cheaper */
#define LEX_RULES_MAX 12
/* past this many bytes of text, the programs of the categories with a
 * candidate run: a search per rule over a long text costs more than one
 * per program */
#define LEX_RULES_TEXT (16 * 1024)

/* lex_search_rules - what lex_search_program finds with p over t, when
 * only the n rules cand[] (indices in c, ascending) of p can match t: each
 * rule's own program finds its next match; the leftmost wins, the first
 * rule among those at one place (the program's alternation order), and
 * the search goes on from its end, as the program's does */
static void lex_search_rules(const lex_category *c, const guint *cand, guint n, const textnorm *t,
			     gsize limit, pcre2_match_data *md, pcre2_match_context *mc,
			     lex_hit *hit, const char *where)
{
	PCRE2_SIZE ms[LEX_RULES_MAX], me[LEX_RULES_MAX];
	enum { LEX_UNKNOWN, LEX_FOUND, LEX_NONE } st[LEX_RULES_MAX];
	for (guint k = 0; k < n; k++)
		st[k] = LEX_UNKNOWN;
	PCRE2_SIZE start = 0;
	while (start <= limit) {
		gint best = -1;
		for (guint k = 0; k < n; k++) {
			if (st[k] == LEX_FOUND && ms[k] < start)
				st[k] = LEX_UNKNOWN; /* overtaken: search again from here */
			if (st[k] == LEX_UNKNOWN) {
				lex_rule *r = g_ptr_array_index(c->rules, cand[k]);
				int rc = pcre2_match(lexicon_rule_code(r), (PCRE2_SPTR)t->text,
						     limit, start, PCRE2_NO_UTF_CHECK, md, mc);
				if (rc == PCRE2_ERROR_NOMATCH) {
					st[k] = LEX_NONE;
				} else if (rc < 0) {
					return; /* a limit: as the program, no more */
				} else {
					PCRE2_SIZE *ov = pcre2_get_ovector_pointer(md);
					ms[k] = ov[0];
					me[k] = ov[1];
					st[k] = LEX_FOUND;
				}
			}
			if (st[k] == LEX_FOUND && (best < 0 || ms[k] < ms[best]))
				best = (gint)k;
		}
		if (best < 0)
			return;
		if (lex_hit_update(c, (gint)cand[best], ms[best], me[best], t, hit, where))
			return;
		PCRE2_SIZE next = me[best] > ms[best] ? me[best] : ms[best] + 1;
		while (next < limit && ((unsigned char)t->text[next] & 0xc0) == 0x80)
			next++;
		if (next <= start)
			next = start + 1;
		start = next;
		if (start >= limit)
			return;
	}
}

/* lex_scan_text - every category over one text (its first max_bytes, normalised once per scan) */
static void lex_scan_text(const lexicon_engine *l, scan_ctx *sc, const char *text, const char *where,
			  pcre2_match_data *md, pcre2_match_context *mc, lex_pass *pass, lex_hit *hits,
			  gsize *total_len, bool *url_seen)
{
	const textnorm *t = scan_ctx_norm(sc, text, l->max_bytes);
	*total_len += t->len;
	if (!*url_seen &&
	    (strstr(t->text, "http://") || strstr(t->text, "https://") || strstr(t->text, "www.")))
		*url_seen = true;
	bool filtered = lexicon_prefilter_text(l, pass, t->text, t->len);
	for (guint i = 0; i < l->categories->len; i++) {
		const lex_category *c = g_ptr_array_index(l->categories, i);
		for (guint j = 0; j < c->programs->len; j++) {
			if (hits[i].rule >= 0 && hits[i].weight >= c->max_weight)
				break;
			const lex_program *p = &g_array_index(c->programs, lex_program, j);
			guint cand[LEX_RULES_MAX], n = 0;
			bool many = !filtered || t->len > LEX_RULES_TEXT;
			for (guint k = p->first; !many && k < p->first + p->count; k++) {
				if (!pass->cand[c->base + k])
					continue;
				if (n == LEX_RULES_MAX)
					many = true;
				else
					cand[n++] = k;
			}
			if (many)
				lex_search_program(c, p, t, t->len, md, mc, &hits[i], where);
			else if (n)
				lex_search_rules(c, cand, n, t, t->len, md, mc, &hits[i], where);
		}
	}
}

/* lex_has_link - a followable link anywhere in the message's texts: a
 * link element, or a URL written in the text the way SMS write them too
 * ("notxt.co.uk", "bit.ly/x": the URL analyser's extraction, which knows
 * the public suffixes); at most max_bytes of each text are searched. The
 * scan's URL list answers when it holds every URL of texts that are all
 * within max_bytes; otherwise the texts are searched here. */
static bool lex_has_link(scan_ctx *sc, gsize max_bytes)
{
	const vigie_message *m = scan_ctx_message(sc);
	bool whole = true;
	for (guint i = 0; i < m->texts->len; i++) {
		const vigie_text *t = g_ptr_array_index(m->texts, i);
		for (guint j = 0; j < t->links->len; j++) {
			const vigie_link *k = g_ptr_array_index(t->links, j);
			if (g_ascii_strncasecmp(k->href, "http", 4) == 0 ||
			    g_ascii_strncasecmp(k->href, "www.", 4) == 0)
				return true;
		}
		whole = whole && scan_ctx_cut(t->text, max_bytes) == strlen(t->text);
	}
	bool complete = false;
	const GPtrArray *urls = scan_ctx_urls(sc, &complete);
	if (whole && complete) {
		for (guint i = 0; i < urls->len; i++)
			if (!strcmp(((const url_found *)g_ptr_array_index(urls, i))->tag, "text"))
				return true;
		return false;
	}
	GPtrArray *found = g_ptr_array_new_with_free_func(url_found_free);
	for (guint i = 0; i < m->texts->len && !found->len; i++) {
		const vigie_text *t = g_ptr_array_index(m->texts, i);
		if (strlen(t->text) <= max_bytes) {
			url_extract_text(t->text, t->where, found, 1);
		} else {
			char *cut = g_utf8_make_valid(t->text, (gssize)max_bytes);
			url_extract_text(cut, t->where, found, 1);
			g_free(cut);
		}
	}
	bool any = found->len > 0;
	g_ptr_array_unref(found);
	return any;
}

/* lex_present - is name (category or signal) present; matched[] holds
 * the n categories that matched (names are unique: a category that did
 * not match is absent, so most texts, matching few, compare few names) */
static bool lex_present(const lexicon_engine *l, const char *name, const guint *matched, guint n,
			const bool *signals)
{
	if (name[0] == '@') {
		for (int i = 0; lexicon_signals[i]; i++)
			if (!strcmp(lexicon_signals[i], name))
				return signals[i];
		return false;
	}
	for (guint i = 0; i < n; i++) {
		const lex_category *c = g_ptr_array_index(l->categories, matched[i]);
		if (!strcmp(c->name, name))
			return true;
	}
	return false;
}

/* lexicon_scan - findings for every matched category and combination */
bool lexicon_scan(const lexicon_engine *l, scan_ctx *sc, gsize short_text, vigie_verdict *v, GError **err)
{
	(void)err;
	const vigie_message *m = scan_ctx_message(sc);
	guint nc = l->categories->len;
	lex_hit *hits = g_new0(lex_hit, nc ? nc : 1);
	for (guint i = 0; i < nc; i++)
		hits[i].rule = -1;
	pcre2_match_data *md = pcre2_match_data_create(1, NULL);
	pcre2_match_context *mc = pcre2_match_context_create(NULL);
	pcre2_set_match_limit(mc, 200000);
	pcre2_set_depth_limit(mc, 2000);
	gsize total = 0;
	bool url_seen = false;
	lex_pass pass;
	lexicon_prefilter_begin(l, &pass);

	const char *subject = scan_ctx_subject(sc);
	if (subject)
		lex_scan_text(l, sc, subject, "header Subject", md, mc, &pass, hits, &total, &url_seen);
	for (guint i = 0; i < m->texts->len; i++) {
		const vigie_text *t = g_ptr_array_index(m->texts, i);
		lex_scan_text(l, sc, t->text, t->where, md, mc, &pass, hits, &total, &url_seen);
	}
	lexicon_prefilter_end(l, &pass);
	pcre2_match_data_free(md);
	pcre2_match_context_free(mc);

	bool signals[8] = {false};
	signals[0] = url_seen || lex_has_link(sc, l->max_bytes); /* @link */
	signals[1] = total <= short_text;				  /* @short */
	signals[2] = m->channel == VIGIE_CHANNEL_MAIL;				/* @mail */
	signals[3] = m->channel == VIGIE_CHANNEL_CHAT;				/* @chat */
	signals[4] = m->attachments->len > 0;					/* @attachment */

	for (guint i = 0; i < nc; i++) {
		const lex_category *c = g_ptr_array_index(l->categories, i);
		if (hits[i].rule < 0 || hits[i].weight == 0)
			continue;
		char *rule = g_strconcat("lexicon.", c->name, NULL);
		verdict_add_finding(v, rule, c->name, hits[i].weight, hits[i].evidence,
				    hits[i].where);
		g_free(rule);
	}
	guint *matched = g_new(guint, nc ? nc : 1), nm = 0;
	for (guint i = 0; i < nc; i++)
		if (hits[i].rule >= 0)
			matched[nm++] = i;
	/* one evidence buffer for every combination (most fail on their
	 * first requirement) */
	GString *ev = g_string_new(NULL);
	for (guint i = 0; i < l->combos->len; i++) {
		const lex_combo *c = g_ptr_array_index(l->combos, i);
		bool all = true;
		g_string_truncate(ev, 0);
		for (guint j = 0; all && j < c->reqs->len; j++) {
			const lex_req *r = g_ptr_array_index(c->reqs, j);
			const char *which = NULL;
			for (int k = 0; !which && r->names[k]; k++)
				if (lex_present(l, r->names[k], matched, nm, signals))
					which = r->names[k];
			all = r->negated ? which == NULL : which != NULL;
			if (all && !r->negated) {
				if (ev->len)
					g_string_append(ev, " + ");
				g_string_append(ev, which);
			}
		}
		if (all) {
			char *rule = g_strconcat("lexicon.combo.", c->name, NULL);
			verdict_add_finding(v, rule, "social-engineering", c->weight, ev->str,
					    "message");
			g_free(rule);
		}
	}
	g_string_free(ev, TRUE);
	g_free(matched);
	for (guint i = 0; i < nc; i++) {
		g_free(hits[i].evidence);
		g_free(hits[i].where);
	}
	g_free(hits);
	return true;
}
