/* lexicon.h - private to the lexicon analyser (lexicon.c, lexicon_scan.c) */
#ifndef VIGIE_LEXICON_H
#define VIGIE_LEXICON_H

#define PCRE2_CODE_UNIT_WIDTH 8
#include "internal.h"

#include <pcre2.h>
#if VIGIE_LEXICON_PREFILTER
#include <hs/hs.h>
#endif

/* lexicon_literals: a factor shorter than this proves too little */
#define LEX_LITERAL_MIN 3

/* one rule line: a phrase or a pattern of a category */
typedef struct {
	char *file;
	int line;
	int weight;
	char *lang;
	char *source; /* as written (after "re:" for a pattern) */
	char *regex;  /* what is compiled */
	char *guard;  /* "(?=(?-i:[...]))": what a match begins with, or NULL (lexicon.c) */
	gsize code;   /* the rule alone (JIT): lexicon_rule_code compiles it on first use */
} lex_rule;

/* one compiled program: rules [first, first + count) of its category */
typedef struct {
	pcre2_code *code;
	guint first, count;
} lex_program;

typedef struct {
	char *name;
	GPtrArray *rules; /* of lex_rule*, heaviest first */
	GArray *programs; /* of lex_program */
	int max_weight;
	int min_weight;
	guint base; /* the global index of its first rule (the prefilter's) */
} lex_category;

/* one requirement of a combination: any of names (categories or @signals),
 * or none of them when negated */
typedef struct {
	char **names;
	bool negated;
} lex_req;

typedef struct {
	char *name;
	int weight;
	char *file;
	int line;
	GPtrArray *reqs; /* of lex_req* */
} lex_combo;

struct lexicon_engine {
	GPtrArray *categories; /* of lex_category*, in name order */
	GHashTable *by_name;   /* name -> lex_category* (not owned) */
	GHashTable *declared;  /* every category named by a rule, even of a language not enabled */
	GPtrArray *combos;     /* of lex_combo* */
	unsigned rules;
	unsigned programs;
	gsize max_bytes; /* [lexicon] max_scan_bytes of each text (the default when loaded from a folder) */
	char *describe;
	/* the prefilter (lexicon_prefilter.c): NULL db when built without
	 * Vectorscan, or when it could not be built: every program runs */
#if VIGIE_LEXICON_PREFILTER
	hs_database_t *db;
	hs_scratch_t *proto;
	/* scratches of finished scans, handed to the next (a clone per
	 * scan costs a malloc of its size); NULL until built */
	GMutex pool_lock;
	GPtrArray *pool; /* of hs_scratch_t* */
#endif
	guint32 *lit_first; /* literal id k -> its rules lit_rule[lit_first[k] .. lit_first[k+1]) */
	guint32 *lit_rule;  /* LEX_REF(global rule index, which of its sets) */
	guint8 *need;	    /* by global rule index: a bit for each of its sets */
	guint n_literals;
	bool *always;	     /* by global rule index: no literal, runs on every text */
	GPtrArray *fallback; /* "file:line: why" of every rule that always runs */
	double prefilter_ms; /* to build it */
};

/* lexicon_engine_load_dir_prefilter - lexicon_engine_load_dir with the
 * prefilter or without it (then every program runs on every text) */
lexicon_engine *lexicon_engine_load_dir_prefilter(const char *dir, const char *const *languages,
						  bool prefilter, const char *cache_dir,
						  GError **err);

/* lexicon_literals - factors one of which occurs in every match of
 * pattern; NULL when none of LEX_LITERAL_MIN bytes is proved; caller
 * g_strfreev (lexicon_literal.c) */
char **lexicon_literals(const char *pattern);
/* lexicon_clauses - sets of factors, every one of which has a string in
 * every match (at most LEX_CLAUSES_MAX; the first is lexicon_literals'):
 * a text that lacks a string of any set cannot match; NULL as
 * lexicon_literals; caller g_ptr_array_unref (of char** vectors) */
#define LEX_CLAUSES_MAX 4
/* a literal's reference: rule g, its set c (lit_rule) */
#define LEX_REF(g, c) ((guint32)(g) << 2 | (guint32)(c))
#define LEX_REF_RULE(r) ((r) >> 2)
#define LEX_REF_SET(r) ((r)&3u)
GPtrArray *lexicon_clauses(const char *pattern);

/* lexicon_prefilter_build - the literals of every rule into one Vectorscan
 * database, and each rule's own PCRE2 program; leaves l->db NULL (every
 * program runs) when built without Vectorscan or when it fails;
 * cache_dir (or NULL): where compiled prefilters are kept (blob_cache.c) */
void lexicon_prefilter_build(lexicon_engine *l, const char *cache_dir);
void lexicon_prefilter_free(lexicon_engine *l);
/* lexicon_rule_code - the rule's own program, compiled (JIT) the first
 * time a text may match it: most rules are never candidates of a
 * deployment's texts, and an engine build skips their compile; safe from
 * any number of threads */
pcre2_code *lexicon_rule_code(lex_rule *r);

/* per-scan state of the prefilter */
typedef struct {
	bool *cand;   /* by global rule index: may match this text */
	guint8 *seen; /* by global rule index: which of its sets occur */
#if VIGIE_LEXICON_PREFILTER
	hs_scratch_t *scratch;
#endif
} lex_pass;

/* lexicon_prefilter_begin / _end - the state of one scan (a scratch
 * taken from the engine's pool, or cloned, and handed back) */
void lexicon_prefilter_begin(const lexicon_engine *l, lex_pass *p);
void lexicon_prefilter_end(const lexicon_engine *l, lex_pass *p);
/* lexicon_prefilter_text - p->cand for text: false when the prefilter
 * is off (every rule is then a candidate: run every program) */
bool lexicon_prefilter_text(const lexicon_engine *l, lex_pass *p, const char *text, gsize len);

/* lexicon_signals - the built-in signals a combination may name */
extern const char *const lexicon_signals[];

#endif
