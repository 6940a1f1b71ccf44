/* memory.h - the memory analyser's insides (scanner/memory/): what a
 * message leaves in the state store, and how a later one is compared
 *
 * A print (memory_print.c) is what can be remembered of a message without
 * keeping it: keyed hashes of a bottom-k sample of its word shingles, of the
 * web URLs it carries (host and path), of their registrable domains and of
 * the phone numbers it gives. The campaign memory (memory_campaign.c) keeps,
 * under each hash, the set of quarantine ids whose message had it.
 */
#ifndef VIGIE_MEMORY_H
#define VIGIE_MEMORY_H

#include "internal.h"

#define MEMORY_SHINGLES 8 /* bottom-k sample size */

typedef struct memory_print {
	GPtrArray *shingles; /* of char*: keyed hashes, at most MEMORY_SHINGLES */
	GPtrArray *urls;     /* of char*: keyed hashes of host + path */
	GPtrArray *domains;  /* of char*: keyed hashes of registrable domains */
	GPtrArray *phones;   /* of char*: keyed hashes of the last 9 digits */
	GPtrArray *shown;    /* of char*: for evidence, parallel to urls, domains, phones (in
			      * that order): the URL, domain or number as the message wrote it */
	char *history_key;   /* the sender's keyed hash when history counted it (memory_history.c) */
} memory_print;

/* [history] as read at engine build (memory_history.c) */
typedef struct {
	bool enabled;
	gint64 ttl;
	int first_weight, first_ask_weight, new_weight, new_ask_weight;
	gint64 clean_after;
	int clean_percent, clean_max;
	bool clean_needs_auth;
	char **ask_rules, **topic_rules;
} history_settings;

/* [memory] as read at engine build (memory_campaign.c) */
typedef struct {
	bool enabled;
	int unavailable_weight;
	guint text_match;  /* campaign_text_match */
	int weight[4];	   /* campaign_text_weight, _url_, _domain_, _phone_ */
	gint64 ttl;	   /* campaign_ttl */
} campaign_settings;

/* [classifier] as read at engine build (memory_classifier.c) */
typedef struct {
	bool enabled;
	gint64 min_examples;	/* of each label before it takes part */
	int max_weight;		/* the finding's weight at p = 1 */
	int benign_weight;	/* its (negative) weight at p = 0; 0: none */
	guint32 buckets;	/* hashed features: the model's size in records */
	gint64 ttl;		/* s: a weight not trained for this long expires */
	char **feature_rules;	/* rule prefixes of findings that are features */
} classifier_settings;

/* what the memory analyser reads of the configuration, once per engine */
struct memory_settings {
	history_settings history;
	campaign_settings campaign;
	classifier_settings classifier;
};

void memory_classifier_settings(const vigie_config *c, classifier_settings *cl);
void memory_classifier_settings_clear(classifier_settings *cl);
/* memory_classifier_scan - the classifier's finding (memory.classifier)
 * for the message of sc, once it has [classifier] min_examples of each
 * label; run after the other analysers (their findings are features);
 * false (store.unavailable added) when the store cannot answer */
bool memory_classifier_scan(const vigie_engine *e, scan_ctx *sc, vigie_verdict *v);
/* memory_classifier_probability - the model's probability that the message
 * of sc (with the findings of v) is malicious, counts[0], counts[1] the
 * malicious and benign examples trained, *strongest (caller g_free, may be
 * NULL) the three features that weigh most the way p goes; -1 with err when
 * the store cannot answer */
double memory_classifier_probability(const vigie_engine *e, scan_ctx *sc, const vigie_verdict *v, gint64 counts[2],
				     char **strongest, GError **err);
/* memory_classifier_learn - one FTRL step on the decision (label) on the
 * message of sc with the findings of v; a decision with an id trained
 * before under the same label is not trained again; false with err */
bool memory_classifier_learn(const vigie_engine *e, scan_ctx *sc, const vigie_verdict *v, VigieLearn label,
			     const char *id, GError **err);

void memory_campaign_settings(const vigie_config *c, campaign_settings *cs);

void memory_history_settings(const vigie_config *c, history_settings *h);
void memory_history_settings_clear(history_settings *h);
/* memory_history_scan - count m as seen from its sender and add the
 * history findings (run after the other analysers: it reads their asks and
 * topics); false (store.unavailable added) when the store cannot answer.
 * p->history_key is set for memory_history_keep */
bool memory_history_scan(const vigie_engine *e, const vigie_message *m, memory_print *p, vigie_verdict *v);
/* memory_history_keep - after the policy: a quarantining verdict counts
 * against its sender */
void memory_history_keep(const vigie_engine *e, const vigie_verdict *v, const memory_print *p);
/* memory_history_learn - an analyst's decision on m (id: a quarantine
 * item, counted when scanned, or a learned example: counted now) */
bool memory_history_learn(const vigie_engine *e, const vigie_message *m, VigieLearn label, const char *id,
			  GError **err);

/* memory_print_new - the print of the message of sc (its normalised texts
 * and URLs as the scan shares them); NULL with err when the store's key
 * cannot be read. u (may be NULL) keeps protected domains out of it. */
memory_print *memory_print_new(const url_engine *u, vigie_store *s, scan_ctx *sc, GError **err);
void memory_print_free(memory_print *p);

/* memory_campaign_scan - findings for what print p shares with remembered
 * quarantined or confirmed messages; false (store.unavailable added) when
 * the store cannot answer: the scan goes on */
bool memory_campaign_scan(const campaign_settings *cs, vigie_store *s, const memory_print *p, vigie_verdict *v);
/* memory_unavailable - the finding that says the scan had no memory, and why */
void memory_unavailable(const campaign_settings *cs, vigie_verdict *v, const char *why);
/* memory_campaign_record - remember p under id (malicious: quarantined or
 * confirmed); false with err */
bool memory_campaign_record(const campaign_settings *cs, vigie_store *s, const memory_print *p, const char *id,
			    GError **err);
/* memory_campaign_benign - id was a false positive (its matches are
 * ignored from now on), and p's URLs, domains and numbers are not a sign of a campaign */
bool memory_campaign_benign(const campaign_settings *cs, vigie_store *s, const memory_print *p, const char *id,
			    GError **err);

/* The verdict's note (vigie_verdict.memory): what to remember if the
 * message is quarantined; vigie_quarantine_store commits it under the new
 * id. */
memory_note *memory_note_new(const campaign_settings *cs, vigie_store *s, memory_print *p /* owned */);

#endif
