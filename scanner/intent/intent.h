/* intent.h - private to the intent analyser (scanner/intent/)
 *
 * The intent analyser reads what a text asks its reader to do (give a
 * secret, move money, change where money goes, open remote access, change
 * an account's contact details, hand over identity data, call, log in,
 * keep it secret, hurry) and who the writer claims to be, clause by
 * clause, with the writer's stance: an ask that is negated ("never share
 * this code") is advice, an ask inside quoted or reported text ("I got this
 * SMS: ...") is the writer quoting someone else, and an ask about the
 * writer's own account ("how do I change my IBAN?") is a request for help.
 *
 * intent_load.c reads the rule files (signatures/intent/), intent_text.c
 * splits a normalised text into sentences and marks quoted spans,
 * intent_scan.c matches and scores.
 */
#ifndef VIGIE_INTENT_H
#define VIGIE_INTENT_H

#define PCRE2_CODE_UNIT_WIDTH 8
#include "internal.h"

#include <hs/hs.h>
#include <pcre2.h>

/* between two words of a rule: blanks and punctuation, never a sentence end */
#define INTENT_SEP "[^a-z0-9.!?\\n]+"

/* what a line of an intent file declares */
typedef enum {
	INTENT_ASK,   /* "ask": stance applies (negation, quote, own account) */
	INTENT_CLAIM, /* "claim": who the writer says they are; quotes apply */
} intent_kind;

typedef struct intent_model intent_model;

/* one rule line */
typedef struct {
	char *file;
	int line;
	int weight;
	bool keepneg; /* "+negated": the ask is itself negative ("tell no one") or
		       * in the first person ("or I will publish"): neither the
		       * negation nor the own-account stance applies */
	bool keepown; /* "+own" or "+negated": the ask is a sign of fraud even
		       * about the writer's own account ("disable the 2FA on my
		       * account"): the own-account stance does not apply */
	char *regex;
	pcre2_code *code; /* this rule alone, JIT-compiled: matches and their places */
	bool always;	  /* Vectorscan cannot prefilter it: always run code */
	guint id;	  /* index in the engine's flat list */
	GPtrArray *pieces; /* the pattern of each of its elements (while loading) */
	GArray *elems;	  /* of guint: the distinct elements it needs (Vectorscan ids) */
} intent_rule;

/* one intent: every rule of one name, compiled into one program */
typedef struct {
	char *name;
	intent_kind kind;
	GPtrArray *rules; /* of intent_rule* */
	int max_weight;
} intent_def;

/* the stance cue lists: one program each, or NULL when none was given */
typedef enum {
	STANCE_NEGATION, /* "never", "ne ... pas", "do not" before an ask */
	STANCE_UNNEG,    /* negations that encourage: "n'hesitez pas", "don't forget" */
	STANCE_OWN,      /* the writer's own: "my", "mon", "mein" */
	STANCE_THIRD,    /* someone else's account: "my father's", "on behalf of" */
	STANCE_REPORT,   /* the rest of the sentence is reported: "I received this SMS" */
	STANCE_FORWARD,  /* the rest of the text is quoted: "-----Original Message-----" */
	STANCE_CONTINUE, /* a sentence continuing a report: "they", "ils" */
	STANCE_ADVICE,   /* earlier in the sentence, makes every ask advice: "we will never ask you to" */
	STANCE_OFFER,    /* just before an ask, the writer gives: "I can send you" (counted as own) */
	STANCE_COUNT
} intent_stance;

/* what a requirement's name refers to, resolved once the rules are read */
typedef enum {
	INTENT_REF_NONE,    /* an intent of a language not loaded: never present */
	INTENT_REF_INTENT,  /* index into intents */
	INTENT_REF_PSEUDO,  /* index into intent_pseudo */
	INTENT_REF_SIGNAL,  /* index into intent_signals */
	INTENT_REF_OWN,     /* "own.NAME": index into intents */
	INTENT_REF_QUOTED,  /* "quoted.NAME" */
	INTENT_REF_NEGATED, /* "negated.NAME" */
} intent_ref_kind;

typedef struct {
	intent_ref_kind kind;
	guint index;
} intent_ref;

typedef struct {
	char **names; /* intents, pseudo-intents (negated, own, quoted) or @signals */
	intent_ref *refs; /* one per name */
	bool negated;
} intent_req;

typedef struct {
	char *name;
	int weight;
	GPtrArray *reqs; /* of intent_req* */
} intent_combo;

struct intent_engine {
	GPtrArray *intents; /* of intent_def*, in name order */
	GPtrArray *combos;  /* of intent_combo* */
	GHashTable *slots;  /* "name" -> GString alternatives (while loading) */
	pcre2_code *stance[STANCE_COUNT];
	GPtrArray *stance_src[STANCE_COUNT]; /* alternatives, while loading */
	unsigned rules;
	/* One pass over each text finds the rules that may match: every
	 * distinct element of every rule (a slot, a word, a pattern) in one
	 * Vectorscan database; a rule can match only where each of its
	 * elements occurs, so PCRE2 then runs only those rules. */
	guint n_elems;
	GPtrArray *flat;     /* of intent_rule* (not owned), by id */
	GArray *flat_def;    /* of guint: the intent each id belongs to */
	hs_database_t *db;   /* NULL when no rule could be compiled there */
	hs_scratch_t *proto; /* scratch prototype, cloned per scan */
	GMutex pool_lock;
	GPtrArray *pool;     /* of hs_scratch_t*: free scratches */
	int quote_min_words;
	bool show_signals; /* [intent] show_signals: weight-0 asks become findings */
	gsize max_bytes;
	char *describe;
	intent_model *model_mail, *model_chat; /* [intent] model_mail/_chat, or NULL when off */
	int model_max, model_min; /* bounds of the intent.model weight */
};

/* the pseudo-intents a combination may name besides the real ones */
extern const char *const intent_pseudo[];
extern const char *const intent_signals[];

/* ---- intent_model.c ---- */

/* intent_model_load - the model file at path; NULL with err naming the
 * file and line */
intent_model *intent_model_load(const char *path, GError **err);
void intent_model_free(intent_model *im); /* NULL is a no-op */
guint intent_model_size(const intent_model *im); /* number of terms */
/* intent_model_scan - the finding intent.model for the message of sc, its
 * weight bounded by [min_weight, max_weight] (none when it rounds to 0) */
void intent_model_scan(const intent_model *im, scan_ctx *sc, gsize max_bytes, int max_weight,
		       int min_weight, vigie_verdict *v);

/* ---- intent_prefilter.c ---- */

/* intent_prefilter_build - the Vectorscan database of every rule's
 * elements (ie->db, ie->proto, each rule's elems and always), from the
 * caches when they hold it; cache_dir may be NULL */
void intent_prefilter_build(intent_engine *ie, const char *cache_dir);

/* ---- intent_text.c ---- */

/* one sentence of a normalised text, with its stance */
typedef struct {
	gsize start, end;
	bool reported; /* inside reported speech (a report cue before it) */
} intent_sentence;

/* intent_sentences - the sentences of t (normalised), in order */
GArray *intent_sentences(const char *text, gsize len);
/* intent_quoted - per byte of text, true when inside quoted material:
 * a quotation of at least min_words words, a ">" line, or what follows a
 * forward/reply separator (the STANCE_FORWARD program, may be NULL) */
guint8 *intent_quoted(const char *text, gsize len, int min_words, const pcre2_code *forward,
		      pcre2_match_data *md);

#endif
