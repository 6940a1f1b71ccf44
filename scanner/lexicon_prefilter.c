/* lexicon_prefilter.c - the lexicon's one pass per text: the literal
 * factors of every rule (lexicon_literal.c) in one Vectorscan literal
 * database, built once with the engine. Per text, one scan says which
 * factors occur; a rule none of whose factors occurs cannot match there,
 * so PCRE2 runs only for the others (lexicon_scan.c). A rule with no
 * provable factor always runs, and is listed for --check-config.
 *
 * Only literals are compiled (hs_compile_lit_multi, caseless, one report
 * per literal and text): tens of milliseconds, where the rules' own
 * regular expressions took Vectorscan seconds. The literal tables and the
 * database are still kept (blob_cache.c: in memory and in [intent]
 * cache_dir, named by the SHA-256 of the rules and Vectorscan's version),
 * so a reload or a restart with the same rules skips the extraction and
 * the compile.
 *
 * Built with -Dlexicon_prefilter=false there is no Vectorscan here: every
 * program runs on every text, as before, with the same results.
 *
 * SECURITY: the literals come from the administrator's rule files; the
 * texts scanned are sender data, which Vectorscan reads in linear time.
 */
#include "lexicon.h"

#include <stdlib.h>
#include <string.h>

#define LEX_FLAGS (PCRE2_UTF | PCRE2_CASELESS | PCRE2_NO_AUTO_CAPTURE | PCRE2_NEVER_BACKSLASH_C)

#if VIGIE_LEXICON_PREFILTER
/* lex_rule_at - rule of global index g */
static lex_rule *lex_rule_at(const lexicon_engine *l, guint g, lex_category **cat)
{
	for (guint i = l->categories->len; i-- > 0;) {
		lex_category *c = g_ptr_array_index(l->categories, i);
		if (g >= c->base) {
			if (cat)
				*cat = c;
			return g_ptr_array_index(c->rules, g - c->base);
		}
	}
	g_assert_not_reached();
}

/* lex_fallback - note that rule g always runs, and why */
static void lex_fallback(lexicon_engine *l, guint g, const char *why)
{
	lex_category *c = NULL;
	lex_rule *r = lex_rule_at(l, g, &c);
	l->always[g] = true;
	g_ptr_array_add(l->fallback, g_strdup_printf("%s:%d: %s (category %s): %s", r->file,
						     r->line, r->source, c->name, why));
}
#endif

#if VIGIE_LEXICON_PREFILTER
/* why a rule always runs */
enum { LEX_HAS_LITERAL, LEX_NO_LITERAL };
static const char *const lex_why[] = {NULL, "no literal of 3 characters that every match holds"};

/* lex_compile - the literals of every rule (reason[g] LEX_NO_LITERAL for
 * a rule with none) into l->lit_first, l->lit_rule and a Vectorscan
 * database in *db (NULL when Vectorscan refuses) */
static void lex_compile(lexicon_engine *l, guint8 *reason, hs_database_t **db)
{
	GHashTable *ids = g_hash_table_new(g_str_hash, g_str_equal); /* literal -> id */
	GPtrArray *lits = g_ptr_array_new_with_free_func(g_free);    /* id -> literal */
	GPtrArray *refs = g_ptr_array_new_with_free_func((GDestroyNotify)g_array_unref);
	for (guint g = 0; g < l->rules; g++) {
		if (reason[g] != LEX_HAS_LITERAL)
			continue;
		GPtrArray *cl = lexicon_clauses(lex_rule_at(l, g, NULL)->regex);
		if (!cl) {
			reason[g] = LEX_NO_LITERAL;
			continue;
		}
		l->need[g] = (guint8)((1u << cl->len) - 1);
		for (guint c = 0; c < cl->len; c++) {
			char **lit = g_ptr_array_index(cl, c);
			for (int k = 0; lit[k]; k++) {
				gpointer v;
				guint id;
				if (g_hash_table_lookup_extended(ids, lit[k], NULL, &v)) {
					id = GPOINTER_TO_UINT(v);
				} else {
					id = lits->len;
					g_ptr_array_add(lits, g_strdup(lit[k]));
					g_ptr_array_add(refs,
							g_array_new(FALSE, FALSE, sizeof(guint32)));
					g_hash_table_insert(ids, g_ptr_array_index(lits, id),
							    GUINT_TO_POINTER(id));
				}
				GArray *a = g_ptr_array_index(refs, id);
				guint32 gc = LEX_REF(g, c);
				/* a literal in two sets of one rule: once each */
				if (!a->len || g_array_index(a, guint32, a->len - 1) != gc)
					g_array_append_val(a, gc);
			}
		}
		g_ptr_array_unref(cl);
	}
	guint k = lits->len;
	l->n_literals = k;
	l->lit_first = g_new0(guint32, k + 1);
	guint total = 0;
	for (guint i = 0; i < k; i++)
		total += ((GArray *)g_ptr_array_index(refs, i))->len;
	l->lit_rule = g_new0(guint32, total ? total : 1);
	total = 0;
	for (guint i = 0; i < k; i++) {
		GArray *a = g_ptr_array_index(refs, i);
		l->lit_first[i] = total;
		memcpy(l->lit_rule + total, a->data, a->len * sizeof(guint32));
		total += a->len;
	}
	l->lit_first[k] = total;
	*db = NULL;
	if (k) {
		unsigned *flags = g_new(unsigned, k);
		unsigned *hid = g_new(unsigned, k);
		size_t *lens = g_new(size_t, k);
		for (guint i = 0; i < k; i++) {
			flags[i] = HS_FLAG_CASELESS | HS_FLAG_SINGLEMATCH;
			hid[i] = i;
			lens[i] = strlen(g_ptr_array_index(lits, i));
		}
		hs_compile_error_t *ce = NULL;
		if (hs_compile_lit_multi((const char *const *)lits->pdata, flags, hid, lens, k,
					 HS_MODE_BLOCK, NULL, db, &ce) != HS_SUCCESS) {
			g_warning(
			    "lexicon prefilter: Vectorscan: %s; every rule runs on every text",
			    ce ? ce->message : "failed");
			hs_free_compile_error(ce);
			*db = NULL;
		}
		g_free(flags);
		g_free(hid);
		g_free(lens);
	}
	g_ptr_array_unref(lits);
	g_ptr_array_unref(refs);
	g_hash_table_unref(ids);
}

/* the cached form: a header, reason[rules], need[rules],
 * lit_first[literals + 1], lit_rule[refs], then the serialised database */
#define LEX_BLOB_MAGIC "VLXPF02"
typedef struct {
	char magic[8];
	guint32 rules, literals, refs, db_len;
} lex_blob_head;

/* lex_cache_name - what the prefilter of l depends on: the format,
 * Vectorscan's version, the extractor's bounds and every rule's pattern in
 * order; caller g_free */
static char *lex_cache_name(const lexicon_engine *l)
{
	GChecksum *c = g_checksum_new(G_CHECKSUM_SHA256);
	char head[64];
	g_snprintf(head, sizeof head, "%s %d %zu\n", LEX_BLOB_MAGIC, LEX_LITERAL_MIN,
		   sizeof(void *));
	g_checksum_update(c, (const guchar *)head, -1);
	g_checksum_update(c, (const guchar *)hs_version(), -1);
	for (guint g = 0; g < l->rules; g++) {
		g_checksum_update(c, (const guchar *)"\n", 1);
		g_checksum_update(c, (const guchar *)lex_rule_at(l, g, NULL)->regex, -1);
	}
	char *name = g_strdup_printf("lexicon-%s.bin", g_checksum_get_string(c));
	g_checksum_free(c);
	return name;
}

/* lex_blob_load - l's literal tables, reason[] and *db from a cached
 * blob; false (nothing kept) when it does not fit l */
static bool lex_blob_load(lexicon_engine *l, GBytes *b, guint8 *reason, hs_database_t **db)
{
	gsize len;
	const guint8 *p = g_bytes_get_data(b, &len);
	lex_blob_head h;
	if (len < sizeof h)
		return false;
	memcpy(&h, p, sizeof h);
	gsize need =
	    sizeof h + 2 * (gsize)h.rules + ((gsize)h.literals + 1 + h.refs) * sizeof(guint32) +
	    h.db_len;
	if (memcmp(h.magic, LEX_BLOB_MAGIC, 8) || h.rules != l->rules || need != len ||
	    h.literals > len || h.refs > len)
		return false;
	const guint8 *q = p + sizeof h;
	const guint8 *needs = q + h.rules;
	guint32 *first = g_new(guint32, h.literals + 1);
	guint32 *rule = g_new(guint32, h.refs ? h.refs : 1);
	memcpy(first, needs + h.rules, (h.literals + 1) * sizeof(guint32));
	memcpy(rule, needs + h.rules + (h.literals + 1) * sizeof(guint32),
	       h.refs * sizeof(guint32));
	bool ok = first[h.literals] == h.refs;
	for (guint i = 0; ok && i < h.literals; i++)
		ok = first[i] <= first[i + 1];
	for (guint i = 0; ok && i < h.refs; i++)
		ok = LEX_REF_RULE(rule[i]) < l->rules &&
		     (needs[LEX_REF_RULE(rule[i])] >> LEX_REF_SET(rule[i]) & 1);
	for (guint i = 0; ok && i < h.rules; i++)
		ok = needs[i] < (1u << LEX_CLAUSES_MAX);
	for (guint i = 0; ok && i < h.rules; i++)
		ok = q[i] <= LEX_NO_LITERAL;
	*db = NULL;
	if (ok && h.db_len)
		ok = hs_deserialize_database((const char *)(p + len - h.db_len), h.db_len, db) ==
		     HS_SUCCESS;
	if (!ok) {
		g_free(first);
		g_free(rule);
		return false;
	}
	for (guint i = 0; i < h.rules; i++)
		reason[i] = MAX(reason[i], q[i]);
	memcpy(l->need, needs, h.rules);
	l->lit_first = first;
	l->lit_rule = rule;
	l->n_literals = h.literals;
	return true;
}

/* lex_blob_make - the cached form of what lex_compile made */
static GBytes *lex_blob_make(const lexicon_engine *l, const guint8 *reason, hs_database_t *db)
{
	char *ser = NULL;
	size_t ser_len = 0;
	if (db && hs_serialize_database(db, &ser, &ser_len) != HS_SUCCESS)
		return NULL;
	lex_blob_head h = {LEX_BLOB_MAGIC, l->rules, l->n_literals, l->lit_first[l->n_literals],
			   (guint32)ser_len};
	GByteArray *o = g_byte_array_new();
	g_byte_array_append(o, (const guint8 *)&h, sizeof h);
	g_byte_array_append(o, reason, l->rules);
	g_byte_array_append(o, l->need, l->rules);
	g_byte_array_append(o, (const guint8 *)l->lit_first, (l->n_literals + 1) * sizeof(guint32));
	g_byte_array_append(o, (const guint8 *)l->lit_rule, h.refs * sizeof(guint32));
	if (ser)
		g_byte_array_append(o, (const guint8 *)ser, (guint)ser_len);
	free(ser);
	return g_byte_array_free_to_bytes(o);
}
#endif

#if VIGIE_LEXICON_PREFILTER
/* lex_scratch_free - one scratch of the pool */
static void lex_scratch_free(gpointer p)
{
	hs_free_scratch(p);
}
#endif

/* lexicon_prefilter_build - see lexicon.h */
void lexicon_prefilter_build(lexicon_engine *l, const char *cache_dir)
{
	gint64 t0 = g_get_monotonic_time();
	guint n = 0;
	for (guint i = 0; i < l->categories->len; i++) {
		lex_category *c = g_ptr_array_index(l->categories, i);
		c->base = n;
		n += c->rules->len;
	}
	l->always = g_new0(bool, n ? n : 1);
	l->need = g_new0(guint8, n ? n : 1);
	l->fallback = g_ptr_array_new_with_free_func(g_free);
#if VIGIE_LEXICON_PREFILTER
	guint8 *reason = g_new0(guint8, n ? n : 1);
	/* the literals and their database: kept from an earlier build of the
	 * same rules, else compiled (and kept) */
	char *name = lex_cache_name(l);
	GBytes *b = blob_cache_get(cache_dir, name);
	hs_database_t *db = NULL;
	if (!b || !lex_blob_load(l, b, reason, &db)) {
		g_free(l->lit_first);
		g_free(l->lit_rule);
		memset(l->need, 0, n ? n : 1);
		lex_compile(l, reason, &db);
		GBytes *made = lex_blob_make(l, reason, db);
		if (made)
			blob_cache_put(cache_dir, name, made);
		if (made)
			g_bytes_unref(made);
	}
	if (b)
		g_bytes_unref(b);
	g_free(name);
	l->db = db;
	if (l->db && hs_alloc_scratch(l->db, &l->proto) != HS_SUCCESS) {
		hs_free_database(l->db);
		l->db = NULL;
	}
	g_mutex_init(&l->pool_lock);
	l->pool = g_ptr_array_new_with_free_func(lex_scratch_free);
	for (guint g = 0; g < n; g++)
		if (reason[g] != LEX_HAS_LITERAL)
			lex_fallback(l, g, lex_why[reason[g]]);
	g_free(reason);
#else
	for (guint g = 0; g < n; g++)
		l->always[g] = true;
#endif
	l->prefilter_ms = (double)(g_get_monotonic_time() - t0) / 1000.0;
}

/* lexicon_rule_code - see lexicon.h */
pcre2_code *lexicon_rule_code(lex_rule *r)
{
	if (g_once_init_enter(&r->code)) {
		int ec;
		PCRE2_SIZE eo;
		pcre2_code *code = pcre2_compile((PCRE2_SPTR)r->regex, PCRE2_ZERO_TERMINATED,
						 LEX_FLAGS, &ec, &eo, NULL);
		/* it compiled at load (lex_check_regex) */
		g_assert(code);
		pcre2_jit_compile(code, PCRE2_JIT_COMPLETE);
		g_once_init_leave(&r->code, (gsize)code);
	}
	return (pcre2_code *)r->code;
}

/* lexicon_prefilter_free - what lexicon_prefilter_build made */
void lexicon_prefilter_free(lexicon_engine *l)
{
#if VIGIE_LEXICON_PREFILTER
	if (l->pool) {
		g_ptr_array_unref(l->pool);
		g_mutex_clear(&l->pool_lock);
	}
	if (l->proto)
		hs_free_scratch(l->proto);
	if (l->db)
		hs_free_database(l->db);
#endif
	g_free(l->lit_first);
	g_free(l->lit_rule);
	g_free(l->always);
	g_free(l->need);
	if (l->fallback)
		g_ptr_array_unref(l->fallback);
}

/* lexicon_prefilter_begin - see lexicon.h */
void lexicon_prefilter_begin(const lexicon_engine *l, lex_pass *p)
{
	memset(p, 0, sizeof *p);
#if VIGIE_LEXICON_PREFILTER
	if (!l->db)
		return;
	GMutex *lock = (GMutex *)&l->pool_lock;
	g_mutex_lock(lock);
	if (l->pool->len)
		p->scratch = g_ptr_array_steal_index_fast(l->pool, l->pool->len - 1);
	g_mutex_unlock(lock);
	if (p->scratch || hs_clone_scratch(l->proto, &p->scratch) == HS_SUCCESS) {
		p->cand = g_new(bool, l->rules ? l->rules : 1);
		p->seen = g_new(guint8, l->rules ? l->rules : 1);
	} else {
		p->scratch = NULL;
	}
#else
	(void)l;
#endif
}

/* lexicon_prefilter_end - see lexicon.h */
void lexicon_prefilter_end(const lexicon_engine *l, lex_pass *p)
{
#if VIGIE_LEXICON_PREFILTER
	if (p->scratch) {
		GMutex *lock = (GMutex *)&l->pool_lock;
		g_mutex_lock(lock);
		g_ptr_array_add(l->pool, p->scratch);
		g_mutex_unlock(lock);
	}
#else
	(void)l;
#endif
	g_free(p->cand);
	g_free(p->seen);
}

#if VIGIE_LEXICON_PREFILTER
typedef struct {
	const lexicon_engine *l;
	guint8 *seen;
} lex_match_ctx;

/* lex_on_literal - literal id occurs: the sets of its rules that hold it
 * are seen */
static int lex_on_literal(unsigned int id, unsigned long long from, unsigned long long to,
			  unsigned int flags, void *ctx)
{
	lex_match_ctx *m = ctx;
	for (guint32 i = m->l->lit_first[id]; i < m->l->lit_first[id + 1]; i++) {
		guint32 r = m->l->lit_rule[i];
		m->seen[LEX_REF_RULE(r)] |= (guint8)(1u << LEX_REF_SET(r));
	}
	return 0;
}
#endif

/* lexicon_prefilter_text - see lexicon.h */
bool lexicon_prefilter_text(const lexicon_engine *l, lex_pass *p, const char *text, gsize len)
{
#if VIGIE_LEXICON_PREFILTER
	if (!p->cand || len > G_MAXUINT)
		return false;
	memset(p->seen, 0, l->rules);
	lex_match_ctx m = {l, p->seen};
	if (hs_scan(l->db, text, (unsigned)len, 0, p->scratch, lex_on_literal, &m) != HS_SUCCESS)
		return false; /* then every program runs */
	/* a candidate: a rule that always runs, or one with a string of each
	 * of its sets in the text */
	for (guint g = 0; g < l->rules; g++)
		p->cand[g] = l->always[g] || (l->need[g] && p->seen[g] == l->need[g]);
	return true;
#else
	return false;
#endif
}

/* lexicon_engine_report - see internal.h */
char *lexicon_engine_report(const lexicon_engine *l)
{
	GString *o = g_string_new(NULL);
#if VIGIE_LEXICON_PREFILTER
	if (l->db) {
		g_string_append_printf(o,
				       "lexicon prefilter: %u literals of %u rules (Vectorscan), "
				       "built in %.1f ms; %u rules run on every text (PCRE2)",
				       l->n_literals, l->rules - l->fallback->len, l->prefilter_ms,
				       l->fallback->len);
		for (guint i = 0; i < l->fallback->len; i++)
			g_string_append_printf(o, "\n  %s",
					       (char *)g_ptr_array_index(l->fallback, i));
	} else
#endif
		g_string_append(o,
				"lexicon prefilter: none (every rule runs on every text, PCRE2)");
	return g_string_free(o, FALSE);
}
