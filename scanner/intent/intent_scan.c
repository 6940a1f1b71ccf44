/* intent_scan.c - the intent analyser: what each text asks, and in what
 * stance
 *
 * For every text of the message (and a mail's Subject), normalised
 * (textnorm.c): its sentences and quoted spans (intent_text.c), then every
 * intent's program. Each match is judged where it stands:
 *   - inside quoted or reported material ("I received this: ..."): the
 *     pseudo-intent "quoted", and a weight-0 finding intent.quoted.NAME;
 *   - an ask negated in its own clause ("never share this code", up to four
 *     words before it, or inside it; "don't hesitate" is not a negation):
 *     "negated", finding intent.advice.NAME (weight 0);
 *   - an ask about the writer's own account ("my IBAN", a possessive inside
 *     the match or just before it), unless the text says it acts for
 *     someone else ("my father's contract", "on behalf of"): "own", finding
 *     intent.own.NAME (weight 0);
 *   - otherwise the writer's own ask or claim: intent.NAME with the weight
 *     of its heaviest rule that matched, evidence the sentence it is in.
 * Then every combination whose requirements hold adds its weight.
 *
 * SECURITY: texts are sender data. Each program runs with a match and a
 * depth limit over at most [intent] max_scan_bytes of each text; a limit
 * ends that program's search on that text (no finding), never the scan.
 */
#include "intent.h"

#include <string.h>

#define INTENT_EVIDENCE_MAX 240

typedef struct {
	int weight;
	int rule; /* -1: none */
	char *evidence, *where;
} intent_hit;

/* one rule: its intent's index, its index in the intent */
typedef struct {
	guint intent, rule;
} intent_ref2;

typedef struct {
	const intent_engine *ie;
	pcre2_match_data *md;
	pcre2_match_context *mc;
	intent_hit *hits;   /* per intent */
	guint8 *quoted_any; /* per intent: seen only as quoted */
	guint8 *neg_any;    /* per intent: seen negated */
	guint8 *own_any;    /* per intent: seen about the writer's own account */
	bool pseudo[3];	    /* negated, own, quoted */
	guint8 *cand;	    /* per element: the prefilter saw it in the sentence at hand */
	GArray *elm;	    /* of intent_elm: every element match in the text */
	GArray *text_rules; /* of intent_ref2: the rules that may match the text at hand */
	GArray *text_always; /* of intent_ref2: the rules the prefilter cannot take */
	bool overflow;	    /* too many to keep: every rule runs everywhere */
	hs_scratch_t *scratch;
	gsize total;
	bool link;
} intent_state;

/* intent_find - does code match text[from, to)? the match start in *at */
static bool intent_find(const intent_state *st, const pcre2_code *code, const char *text, gsize from,
			gsize to, uint32_t opts, gsize *at)
{
	if (!code || from >= to)
		return false;
	int rc = pcre2_match(code, (PCRE2_SPTR)text, to, from, opts | PCRE2_NO_UTF_CHECK, st->md, st->mc);
	if (rc < 0)
		return false;
	if (at)
		*at = pcre2_get_ovector_pointer(st->md)[0];
	return true;
}

/* intent_clause_start - back from s over up to words words, never past a
 * clause boundary (",;:" or a sentence end) */
static gsize intent_clause_start(const char *text, gsize s, int words)
{
	gsize p = s;
	int w = 0;
	while (p > 0 && w < words) {
		char c = text[p - 1];
		if (c == ',' || c == ';' || c == ':' || c == '.' || c == '!' || c == '?' || c == '\n')
			break;
		p--;
		if (g_ascii_isalnum(text[p]) && (p == 0 || !g_ascii_isalnum(text[p - 1])))
			w++;
	}
	return p;
}

/* intent_clause_end - forward from e over up to words words, never past a
 * clause boundary */
static gsize intent_clause_end(const char *text, gsize len, gsize e, int words)
{
	gsize p = e;
	int w = 0;
	while (p < len) {
		char c = text[p];
		if (c == ',' || c == ';' || c == ':' || c == '.' || c == '!' || c == '?' || c == '\n')
			break;
		if (g_ascii_isalnum(c) && (p == 0 || !g_ascii_isalnum(text[p - 1])) && ++w > words)
			break;
		p++;
	}
	return p;
}

/* intent_negated - is the ask at [s, e) negated in its clause */
static bool intent_negated(const intent_state *st, const char *text, gsize len, gsize s, gsize e)
{
	const pcre2_code *neg = st->ie->stance[STANCE_NEGATION];
	gsize from = intent_clause_start(text, s, 4), at;
	while (from < e && intent_find(st, neg, text, from, e, 0, &at)) {
		gsize end = pcre2_get_ovector_pointer(st->md)[1];
		gsize dummy;
		/* "don't hesitate to send": an encouragement, not a negation */
		if (!intent_find(st, st->ie->stance[STANCE_UNNEG], text, at, MIN(e + 40, len),
				 PCRE2_ANCHORED, &dummy))
			return true;
		from = end > at ? end : at + 1;
	}
	return false;
}

/* intent_sentence_start - where the sentence holding offset s starts */
static gsize intent_sentence_start(const GArray *sent, gsize s)
{
	for (guint i = 0; i < sent->len; i++) {
		const intent_sentence *x = &g_array_index(sent, intent_sentence, i);
		if (x->start <= s && s < x->end)
			return x->start;
	}
	return s;
}

/* intent_evidence - the original sentence around [s, e), bounded */
static char *intent_evidence(const textnorm *t, const GArray *sent, gsize s, gsize e)
{
	gsize a = s, b = e;
	for (guint i = 0; i < sent->len; i++) {
		const intent_sentence *x = &g_array_index(sent, intent_sentence, i);
		if (x->start <= s && s < x->end) {
			a = x->start;
			b = MAX(e, x->end);
			break;
		}
	}
	if (b - a > INTENT_EVIDENCE_MAX) {
		a = s > 60 && s - 60 > a ? s - 60 : a;
		b = MIN(b, a + INTENT_EVIDENCE_MAX);
		b = MAX(b, MIN(e, a + INTENT_EVIDENCE_MAX));
	}
	char *o = textnorm_original(t, a, b);
	char *v = g_utf8_make_valid(g_strstrip(o), -1);
	g_free(o);
	return v;
}

/* intent_mark_reported - add reported speech to the quoted mask: from a
 * report cue to the end of its sentence (to the end of its paragraph when a
 * ':' follows the cue), and sentences that continue it ("they ask ...") */
static void intent_mark_reported(const intent_state *st, const char *text, gsize len, GArray *sent,
				 guint8 *q)
{
	const pcre2_code *rep = st->ie->stance[STANCE_REPORT];
	if (!rep)
		return;
	bool prev = false;
	for (guint i = 0; i < sent->len; i++) {
		intent_sentence *x = &g_array_index(sent, intent_sentence, i);
		gsize at;
		if (intent_find(st, rep, text, x->start, x->end, 0, &at)) {
			gsize stop = x->end;
			const char *colon = memchr(text + at, ':', x->end - at);
			if (colon || (x->end > 0 && text[x->end - 1] == ':')) {
				const char *para = g_strstr_len(text + at, (gssize)(len - at), "\n\n");
				stop = para ? (gsize)(para - text) : len;
			}
			memset(q + at, 1, stop - at);
			x->reported = true;
			prev = true;
			continue;
		}
		gsize s = x->start;
		while (s < x->end && !g_ascii_isalnum(text[s]))
			s++;
		if (prev && intent_find(st, st->ie->stance[STANCE_CONTINUE], text, s, x->end, PCRE2_ANCHORED, &at)) {
			memset(q + x->start, 1, x->end - x->start);
			x->reported = true;
		} else {
			prev = q[s] != 0; /* a sentence inside a quotation continues it too */
		}
	}
}

static void intent_program(intent_state *st, const intent_def *d, const intent_rule *r, gint idx,
			   const textnorm *t, gsize from, gsize to, const GArray *sent, const guint8 *q,
			   bool third, intent_hit *h, guint i, const char *where);

/* one element found by the prefilter: where it ends */
typedef struct {
	guint id;
	guint32 to;
} intent_elm;

/* at most this many element matches are kept per text; past it, every
 * rule is run on every sentence (slower, never less) */
#define INTENT_MAX_ELM 4096

/* intent_candidate - can rule r match in the sentence at hand: every
 * element it needs was seen there */
static bool intent_candidate(const intent_state *st, const intent_rule *r)
{
	if (!st->ie->db)
		return true;
	for (guint k = 0; k < r->elems->len; k++)
		if (!st->cand[g_array_index(r->elems, guint, k)])
			return false;
	return true;
}

/* intent_on_match - Vectorscan found an element: keep where, go on */
static int intent_on_match(unsigned id, unsigned long long from, unsigned long long to, unsigned flags,
			   void *ctx)
{
	(void)flags;
	intent_state *st = ctx;
	if (st->elm->len >= INTENT_MAX_ELM) {
		st->overflow = true;
		return 1; /* stop: every rule will run */
	}
	(void)from;
	intent_elm e = {id, (guint32)to};
	g_array_append_val(st->elm, e);
	return 0;
}

/* intent_text - every intent over one text (its first [intent]
 * max_scan_bytes, normalised once per scan) */
static void intent_text(intent_state *st, scan_ctx *sc, const char *raw, const char *where)
{
	const intent_engine *ie = st->ie;
	gsize len = scan_ctx_cut(raw, ie->max_bytes);
	const textnorm *t = scan_ctx_norm(sc, raw, ie->max_bytes);
	st->total += t->len;
	if (!st->link && (strstr(t->text, "http://") || strstr(t->text, "https://") || strstr(t->text, "www.")))
		st->link = true;
	/* one pass: where each element of every rule occurs */
	g_array_set_size(st->elm, 0);
	st->overflow = !ie->db || !st->scratch;
	if (!st->overflow) {
		hs_error_t rc = hs_scan(ie->db, t->text, (unsigned)t->len, 0, st->scratch, intent_on_match, st);
		/* a failed pass (no memory) lets every rule run: nothing is missed */
		if (rc != HS_SUCCESS && rc != HS_SCAN_TERMINATED)
			st->overflow = true;
	}
	GArray *sent = intent_sentences(t->text, t->len);
	guint8 *q = intent_quoted(t->text, t->len, ie->quote_min_words, ie->stance[STANCE_FORWARD], st->md);
	/* ">" lines: normalisation joins lines, so find them in the original */
	for (gsize i = 0, line = 1; i < len; i++) {
		if (line && raw[i] == '>') {
			gsize e = i;
			while (e < len && raw[e] != '\n')
				e++;
			for (gsize k = 0; k < t->len; k++)
				if (t->map[k] >= i && t->map[k] < e)
					q[k] = 1;
			i = e;
			continue;
		}
		if (raw[i] == '\n')
			line = 1;
		else if (raw[i] != ' ' && raw[i] != '\t' && raw[i] != '\r')
			line = 0;
	}
	intent_mark_reported(st, t->text, t->len, sent, q);
	bool third = intent_find(st, ie->stance[STANCE_THIRD], t->text, 0, t->len, 0, NULL);
	/* the rules that may match anywhere in the text (every element seen
	 * somewhere in it), in intent and rule order, once per text: the
	 * sentences below look at these alone, not at every rule of the
	 * engine (a rule that may match in a sentence may in the text) */
	if (st->overflow) {
		memset(st->cand, 1, ie->n_elems);
	} else {
		memset(st->cand, 0, ie->n_elems);
		for (guint k = 0; k < st->elm->len; k++)
			st->cand[g_array_index(st->elm, intent_elm, k).id] = 1;
	}
	g_array_set_size(st->text_rules, 0);
	g_array_set_size(st->text_always, 0);
	for (guint i = 0; i < ie->intents->len; i++) {
		const intent_def *d = g_ptr_array_index(ie->intents, i);
		for (guint j = 0; j < d->rules->len; j++) {
			const intent_rule *r = g_ptr_array_index(d->rules, j);
			intent_ref2 ref = {i, j};
			if (r->always)
				g_array_append_val(st->text_always, ref);
			else if (intent_candidate(st, r))
				g_array_append_val(st->text_rules, ref);
		}
	}
	/* a rule never spans two sentences (its gaps stop at their ends): it
	 * runs on the sentences that hold every element it needs */
	for (guint si = 0; si < sent->len && st->text_rules->len; si++) {
		const intent_sentence *x = &g_array_index(sent, intent_sentence, si);
		if (st->overflow) {
			memset(st->cand, 1, ie->n_elems);
		} else {
			memset(st->cand, 0, ie->n_elems);
			for (guint k = 0; k < st->elm->len; k++) {
				const intent_elm *e = &g_array_index(st->elm, intent_elm, k);
				/* an element never spans a sentence end: it is in the
				 * sentence its last byte is in */
				if (e->to > x->start && e->to <= x->end)
					st->cand[e->id] = 1;
			}
		}
		for (guint k = 0; k < st->text_rules->len; k++) {
			const intent_ref2 *ref = &g_array_index(st->text_rules, intent_ref2, k);
			const intent_def *d = g_ptr_array_index(ie->intents, ref->intent);
			intent_hit *h = &st->hits[ref->intent];
			if (h->rule >= 0 && h->weight >= d->max_weight)
				continue; /* the intent's heaviest is found: none can do better */
			const intent_rule *r = g_ptr_array_index(d->rules, ref->rule);
			if (intent_candidate(st, r))
				intent_program(st, d, r, (gint)ref->rule, t, x->start, x->end, sent, q, third,
					       h, ref->intent, where);
		}
	}
	/* rules the prefilter could not take: on the whole text */
	for (guint k = 0; k < st->text_always->len; k++) {
		const intent_ref2 *ref = &g_array_index(st->text_always, intent_ref2, k);
		const intent_def *d = g_ptr_array_index(ie->intents, ref->intent);
		intent_hit *h = &st->hits[ref->intent];
		if (h->rule >= 0 && h->weight >= d->max_weight)
			continue;
		const intent_rule *r = g_ptr_array_index(d->rules, ref->rule);
		intent_program(st, d, r, (gint)ref->rule, t, 0, t->len, sent, q, third, h, ref->intent,
			       where);
	}
	g_free(q);
	g_array_unref(sent);
}

/* intent_program - every match of rule r (index idx) of intent d (index
 * i) in text[from, to) */
static void intent_program(intent_state *st, const intent_def *d, const intent_rule *r, gint idx,
			   const textnorm *t, gsize from, gsize to, const GArray *sent, const guint8 *q,
			   bool third, intent_hit *h, guint i, const char *where)
{
	const intent_engine *ie = st->ie;
	{
		gsize start = from;
		while (start < to) {
			int rc = pcre2_match(r->code, (PCRE2_SPTR)t->text, to, start, PCRE2_NO_UTF_CHECK,
					     st->md, st->mc);
			if (rc < 0)
				break;
			PCRE2_SIZE *ov = pcre2_get_ovector_pointer(st->md);
			gsize s = ov[0], e = ov[1];
			start = e > s ? e : s + 1;
			while (start < to && ((unsigned char)t->text[start] & 0xc0) == 0x80)
				start++;
			/* the pseudo-intents count asks that weigh, not signals */
			bool weighs = d->max_weight > 0;
			if (q[s]) {
				st->quoted_any[i] = 1;
				st->pseudo[2] |= weighs;
				continue;
			}
			if (d->kind == INTENT_ASK &&
			    ((!r->keepneg && intent_negated(st, t->text, t->len, s, e)) ||
			     intent_find(st, ie->stance[STANCE_ADVICE], t->text, intent_sentence_start(sent, s), s, 0,
					 NULL))) {
				st->neg_any[i] = 1;
				st->pseudo[0] |= weighs;
				continue;
			}
			if (d->kind == INTENT_ASK && !r->keepown && !third &&
			    (intent_find(st, ie->stance[STANCE_OWN], t->text, intent_clause_start(t->text, s, 1),
					 intent_clause_end(t->text, t->len, e, 4), 0, NULL) ||
			     intent_find(st, ie->stance[STANCE_OFFER], t->text, intent_clause_start(t->text, s, 4),
					 s + 1, 0, NULL))) {
				st->own_any[i] = 1;
				st->pseudo[1] |= weighs;
				continue;
			}
			if (h->rule < 0 || r->weight > h->weight) {
				h->rule = idx;
				h->weight = r->weight;
				g_free(h->evidence);
				g_free(h->where);
				h->evidence = intent_evidence(t, sent, s, e);
				char *base = g_path_get_basename(r->file);
				h->where = g_strdup_printf("%s (rule %s:%d)", where, base, r->line);
				g_free(base);
			}
			if (h->weight >= d->max_weight)
				break;
		}
	}
}

/* intent_present - is what ref names present */
static bool intent_present(const intent_state *st, const intent_ref *ref, const bool *signals)
{
	switch (ref->kind) {
	case INTENT_REF_INTENT:
		return st->hits[ref->index].rule >= 0;
	case INTENT_REF_PSEUDO:
		return st->pseudo[ref->index];
	case INTENT_REF_SIGNAL:
		return signals[ref->index];
	case INTENT_REF_OWN:
		return st->own_any[ref->index] != 0;
	case INTENT_REF_QUOTED:
		return st->quoted_any[ref->index] != 0;
	case INTENT_REF_NEGATED:
		return st->neg_any[ref->index] != 0;
	default:
		return false; /* an intent of a language not loaded */
	}
}

/* intent_scan - findings for the message's asks, claims and combinations;
 * direction is "inbound", "internal" or "outbound" (who is speaking) */
bool intent_scan(const intent_engine *ie, scan_ctx *sc, const char *direction, gsize short_text,
		 vigie_verdict *v, GError **err)
{
	(void)err;
	const vigie_message *m = scan_ctx_message(sc);
	guint n = ie->intents->len;
	intent_state st = {ie};
	st.hits = g_new0(intent_hit, n ? n : 1);
	st.quoted_any = g_malloc0(n ? n : 1);
	st.neg_any = g_malloc0(n ? n : 1);
	st.own_any = g_malloc0(n ? n : 1);
	for (guint i = 0; i < n; i++)
		st.hits[i].rule = -1;
	st.cand = g_malloc0(ie->n_elems ? ie->n_elems : 1);
	st.elm = g_array_new(FALSE, FALSE, sizeof(intent_elm));
	st.text_rules = g_array_new(FALSE, FALSE, sizeof(intent_ref2));
	st.text_always = g_array_new(FALSE, FALSE, sizeof(intent_ref2));
	if (ie->db) {
		g_mutex_lock((GMutex *)&ie->pool_lock);
		st.scratch = ie->pool->len ? g_ptr_array_steal_index_fast(ie->pool, ie->pool->len - 1) : NULL;
		g_mutex_unlock((GMutex *)&ie->pool_lock);
		if (!st.scratch && hs_clone_scratch(ie->proto, &st.scratch) != HS_SUCCESS)
			st.scratch = NULL;
	}
	st.md = pcre2_match_data_create(1, NULL);
	st.mc = pcre2_match_context_create(NULL);
	pcre2_set_match_limit(st.mc, 100000);
	pcre2_set_depth_limit(st.mc, 1000);

	const char *subject = scan_ctx_subject(sc);
	if (subject)
		intent_text(&st, sc, subject, "header Subject");
	for (guint i = 0; i < m->texts->len; i++) {
		const vigie_text *t = g_ptr_array_index(m->texts, i);
		if (t->links->len)
			st.link = true;
		intent_text(&st, sc, t->text, t->where);
	}

	bool signals[8] = {false};
	signals[0] = st.link;
	signals[1] = st.total <= short_text;
	signals[2] = m->channel == VIGIE_CHANNEL_MAIL;
	signals[3] = m->channel == VIGIE_CHANNEL_CHAT;
	signals[4] = !direction || !strcmp(direction, "inbound");
	signals[5] = direction && !strcmp(direction, "internal");
	signals[6] = direction && !strcmp(direction, "outbound");
	signals[7] = m->attachments->len > 0;

	for (guint i = 0; i < n; i++) {
		const intent_def *d = g_ptr_array_index(ie->intents, i);
		const intent_hit *h = &st.hits[i];
		const char *cat = d->kind == INTENT_ASK ? "intent" : "claim";
		if (h->rule >= 0 && h->weight != 0) {
			char *rule = g_strconcat("intent.", d->name, NULL);
			verdict_add_finding(v, rule, cat, h->weight, h->evidence, h->where);
			g_free(rule);
		} else if (h->rule >= 0 && ie->show_signals) {
			/* a signal only combinations use, shown for rule writers */
			char *rule = g_strconcat("intent.signal.", d->name, NULL);
			verdict_add_finding(v, rule, "intent-signal", 0, h->evidence, h->where);
			g_free(rule);
		}
		if (h->rule < 0) {
			const char *stance = st.quoted_any[i] ? "quoted" : st.neg_any[i] ? "advice"
								: st.own_any[i]   ? "own"
										  : NULL;
			if (stance) {
				char *rule = g_strconcat("intent.", stance, ".", d->name, NULL);
				verdict_add_finding(v, rule, "intent-stance", 0,
						    stance[0] == 'q'   ? "asked inside quoted or reported text"
						    : stance[0] == 'a' ? "a negated ask: advice"
								       : "about the writer's own account",
						    "message");
				g_free(rule);
			}
		}
	}
	/* one evidence buffer for every combination */
	GString *ev = g_string_new(NULL);
	for (guint i = 0; i < ie->combos->len; i++) {
		const intent_combo *c = g_ptr_array_index(ie->combos, i);
		bool all = true;
		g_string_truncate(ev, 0);
		for (guint j = 0; all && j < c->reqs->len; j++) {
			const intent_req *r = g_ptr_array_index(c->reqs, j);
			const char *which = NULL;
			for (int k = 0; !which && r->names[k]; k++)
				if (intent_present(&st, &r->refs[k], signals))
					which = r->names[k];
			all = r->negated ? which == NULL : which != NULL;
			if (all && !r->negated) {
				if (ev->len)
					g_string_append(ev, " + ");
				g_string_append(ev, which);
			}
		}
		if (all && c->weight) {
			char *rule = g_strconcat("intent.combo.", c->name, NULL);
			verdict_add_finding(v, rule, "intent", c->weight, ev->str, "message");
			g_free(rule);
		}
	}
	g_string_free(ev, TRUE);
	for (guint i = 0; i < n; i++) {
		g_free(st.hits[i].evidence);
		g_free(st.hits[i].where);
	}
	g_free(st.hits);
	g_free(st.quoted_any);
	g_free(st.neg_any);
	g_free(st.own_any);
	pcre2_match_data_free(st.md);
	pcre2_match_context_free(st.mc);
	if (st.scratch) {
		g_mutex_lock((GMutex *)&ie->pool_lock);
		g_ptr_array_add(ie->pool, st.scratch);
		g_mutex_unlock((GMutex *)&ie->pool_lock);
	}
	g_free(st.cand);
	g_array_unref(st.elm);
	g_array_unref(st.text_rules);
	g_array_unref(st.text_always);
	return true;
}
