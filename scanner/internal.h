/* internal.h - declarations shared by the files of scanner/, never installed
 *
 * Front ends must not include this: they use vigie.h only.
 */
#ifndef VIGIE_INTERNAL_H
#define VIGIE_INTERNAL_H

#include "vigie.h"

/* the context of one scan (scan_ctx.c, declared below) */
typedef struct scan_ctx scan_ctx;

/* ---- store/store.c: what the memory analyser needs beyond vigie.h ---- */
/* store_ref - one more reference (vigie_store_close drops one) */
vigie_store *store_ref(vigie_store *s);
/* store_smembers_many - the sets of n keys in one read (one round trip):
 * out[i] of char* or NULL when missing (caller unrefs each) */
VigieStoreStatus store_smembers_many(vigie_store *s, const char *const *keys, guint n, GPtrArray **out,
				     GError **err);

/* store_sadd_many - member added to the sets of n keys in one transaction
 * (one round trip), as vigie_store_sadd */
VigieStoreStatus store_sadd_many(vigie_store *s, const char *const *keys, guint n, const char *member,
				 gint64 ttl, guint cap, GError **err);

/* store_count_many - n counters in one transaction (one round trip):
 * each gets deltas[i] added (a new one starts at 0 and expires ttl seconds
 * after its creation; a delta of 0 only reads and creates nothing);
 * values[i] the count after (0 when missing) */
VigieStoreStatus store_count_many(vigie_store *s, const char *const *keys, guint n, const gint64 *deltas,
				  gint64 ttl, gint64 *values, GError **err);
/* store_pair_get_many - the pairs of numbers of n keys in one read:
 * pairs[2i], pairs[2i+1] (0, 0 when missing) */
VigieStoreStatus store_pair_get_many(vigie_store *s, const char *const *keys, guint n, double *pairs,
				     GError **err);
/* store_pair_add_many - adds[2i], adds[2i+1] added to the pair of each of
 * n keys in one transaction (atomic per number: nodes adding at once lose
 * nothing); each key's expiry is renewed to ttl */
VigieStoreStatus store_pair_add_many(vigie_store *s, const char *const *keys, guint n, const double *adds,
				     gint64 ttl, GError **err);
/* ---- memory/: the memory analyser, as scan.c, verdict.c and the
 * quarantine call it ---- */
typedef struct memory_print memory_print;
typedef struct memory_note memory_note;
/* memory_settings - [history] (and the classifier's settings), read once
 * at engine build */
typedef struct memory_settings memory_settings;
memory_settings *memory_settings_new(const vigie_config *c);
void memory_settings_free(memory_settings *s); /* NULL is a no-op */
/* memory_scan - campaign memory for the message of sc (findings into v); its print for
 * memory_keep, or NULL (memory off, no store, or its key unreadable) */
memory_print *memory_scan(const vigie_engine *e, scan_ctx *sc, vigie_verdict *v);
/* memory_keep - after the policy: a quarantining verdict keeps p as its
 * note (v->memory), else p is freed */
void memory_keep(const vigie_engine *e, vigie_verdict *v, memory_print *p);
/* memory_note_commit - the quarantine stored the message as id: remember
 * its print (n NULL: nothing) */
void memory_note_commit(memory_note *n, const char *id);
void memory_note_free(gpointer n);

/* ---- config.c ---- */
typedef enum { CFG_STR, CFG_INT, CFG_SIZE, CFG_BOOL, CFG_PATH, CFG_LIST } cfg_type;

/* config_path - the file this configuration was read from */
const char *config_path(const vigie_config *c);
/* config_get_list - comma-separated value split and trimmed; caller g_strfreev */
char **config_get_list(const vigie_config *c, const char *section, const char *key);

/* ---- message.c: constructors shared by the parsers ---- */
vigie_message *message_new(VigieChannel ch);
void message_add_text(vigie_message *m, VigieTextKind kind, char *text /* owned */,
		      GPtrArray *links /* owned or NULL */, const char *where);
/* message_add_part - append a zeroed leaf-part record (mail); strings are
 * the caller's to fill with owned copies */
vigie_part *message_add_part(vigie_message *m, const char *where);
vigie_attachment *message_add_attachment(vigie_message *m, const char *name,
					 const char *declared_type, GBytes *data,
					 const char *url, const char *where);
void message_add_header(vigie_message *m, const char *name, const char *value);
void message_add_problem(vigie_message *m, const char *fmt, ...) G_GNUC_PRINTF(2, 3);
vigie_link *link_new(const char *href, const char *text, const char *tag);
void link_free(gpointer p);
/* What a parse could not fully analyse: a limit stopped it. Each gap
 * becomes a scan.incomplete finding (scan.c). */
typedef struct {
	char *limit;  /* the limit, as its config key: "max_parts", "max_depth", "max_text" */
	char *where;  /* the first part not (fully) analysed, e.g. "part 1.2001" */
	char *detail; /* e.g. "2 parts not analysed" */
	bool risky;   /* an executable or archive (by declared name or type) among them */
} message_gap;
/* MIME walk limits ([core] max_parts, max_depth, max_text) */
typedef struct {
	unsigned max_parts;
	unsigned max_depth;
	size_t max_text;
} mime_limits;
/* What the MIME parser recorded beside the public model (mail only). */
typedef struct {
	bool mime;           /* parsed by mime.c under limits */
	mime_limits limits;  /* the limits it walked under */
	unsigned depth;      /* deepest nesting met */
	size_t longest_text; /* largest text part, decoded bytes */
	GPtrArray *gaps;     /* of message_gap*, in walk order */
} message_parse;
/* message_parse_of - the parse record of m (every message has one) */
message_parse *message_parse_of(const vigie_message *m);
/* message_add_gap - note that a limit kept part of m from being analysed */
void message_add_gap(vigie_message *m, const char *limit, bool risky, const char *where,
		     const char *fmt, ...) G_GNUC_PRINTF(5, 6);
/* utf8_sanitize - valid UTF-8 copy of s (invalid bytes become U+FFFD,
 * NUL bytes dropped); caller g_free */
char *utf8_sanitize(const char *s, gssize len);

/* ---- mime.c: the limits of the walk ---- */
/* mime_limits_default - the limits vigie_message_from_mime walks under
 * (the [core] defaults of the configuration table) */
void mime_limits_default(mime_limits *l);
/* mime_limits_from_config - [core] max_parts, max_depth, max_text */
void mime_limits_from_config(const vigie_config *c, mime_limits *l);
/* mime_parse - vigie_message_from_mime under explicit limits */
vigie_message *mime_parse(const void *raw, size_t len, const vigie_mail_envelope *env,
			  const mime_limits *lim, GError **err);
/* mime_reparse - when m (mail) was parsed under other limits than lim and
 * those made a difference, a new message from m's bytes and envelope
 * walked under lim (caller vigie_message_free); else NULL: m stands */
vigie_message *mime_reparse(const vigie_message *m, const mime_limits *lim);

/* ---- scan.c: what was not fully scanned, as findings ---- */
/* scan_risky_type - an executable or an archive, by sniffed type,
 * declared type or file name (any may be NULL) */
bool scan_risky_type(const char *name, const char *declared_type, const char *sniffed_type);
/* scan_incomplete_add - a scan.incomplete.LIMIT finding: category
 * unscanned-executable when risky, else unscanned; weight [policy]
 * unscanned_weight for the first of the verdict, 0 after */
void scan_incomplete_add(const vigie_config *c, vigie_verdict *v, const char *limit, bool risky,
		    const char *evidence, const char *where);

/* ---- blob_cache.c: compiled rule data kept between builds ---- */
/* blob_cache_dir - the cache folder ([intent] cache_dir; "auto":
 * $XDG_CACHE_HOME/vigie), or NULL; caller g_free */
char *blob_cache_dir(const vigie_config *c);
/* blob_cache_get - the blob kept under name (this process's memory, else
 * the file in dir; dir may be NULL), or NULL; caller g_bytes_unref */
GBytes *blob_cache_get(const char *dir, const char *name);
/* blob_cache_put - keep b under name, in memory and in dir if usable */
void blob_cache_put(const char *dir, const char *name, GBytes *b);

/* ---- rule_weights.c: "RULE WEIGHT CATEGORY" files ---- */
/* rule_weights_load - weight[i] and category[i] (g_strdup, replacing what
 * was there) for each of the n rule ids, from path; every id must be listed
 * once; false with err naming path and line */
bool rule_weights_load(const char *path, const char *const *ids, int n, int *weight,
		       char **category, GError **err);

/* ---- html.c ---- */
/* html_reduce - parse HTML with a real parser (gumbo); append the visible
 * text (script/style dropped, block elements separated by newlines) to
 * text_out and every link (vigie_link*) to links_out. */
void html_reduce(const char *html, size_t len, GString *text_out, GPtrArray *links_out);
/* What the structure analyser asks of an HTML body besides its text
 * (vigie_html_facts in vigie.h). */
typedef vigie_html_facts html_facts;
/* html_reduce_facts - html_reduce that also fills facts (zeroed first) */
void html_reduce_facts(const char *html, size_t len, GString *text_out, GPtrArray *links_out,
		       html_facts *facts);

/* ---- sniff.c ---- */
/* sniff_type - MIME type guessed from the first bytes of data; never NULL
 * ("application/octet-stream" when unknown). Static string. */
const char *sniff_type(const guint8 *data, size_t len);

/* ---- findings (verdict.c) ---- */
vigie_verdict *verdict_new(VigieChannel ch);
void verdict_add_finding(vigie_verdict *v, const char *rule, const char *category, int weight,
			 const char *evidence, const char *where);

/* ---- av.c: the ClamAV analyser ---- */
typedef struct av_engine av_engine;
bool av_global_init(GError **err);
av_engine *av_engine_load(const vigie_config *c, GError **err);
void av_engine_free(av_engine *a);
/* av_clean_dead_tmpdirs - remove the /dev/shm/vigie-clamav-PID-* folders
 * of processes that are gone, when they are this user's; how many */
guint av_clean_dead_tmpdirs(void);
unsigned av_engine_signatures(const av_engine *a);
const char *av_engine_describe(const av_engine *a);
/* av_engine_tmpdir - the private temporary folder the engine created
 * ([av] tmpdir = auto), or NULL */
const char *av_engine_tmpdir(const av_engine *a);
/* av_scan - scan attachments and raw message; findings into v; false with
 * err on an engine failure (not on a detection) */
bool av_scan(const av_engine *a, const vigie_config *c, const vigie_message *m,
	     vigie_verdict *v, GError **err);

/* ---- url analyser (url.c, url_*.c; private details in url.h) ---- */
typedef struct url_engine url_engine;
/* url_engine_load - the [urls] lists (blocklist feeds, shorteners, risky
 * TLDs, allowlist, redirectors, weights) and the protected domains and
 * brands; NULL with err naming file and line */
url_engine *url_engine_load(const vigie_config *c, GError **err);
void url_engine_free(url_engine *u); /* NULL is a no-op */
/* url_engine_describe - e.g. "urls: 12 blocklist entries, 40 protected" */
const char *url_engine_describe(const url_engine *u);
/* url_scan - normalise and check every URL of the message of sc (as
 * scan_ctx_urls extracts them); findings into v; false with err only on an
 * internal failure */
bool url_scan(const url_engine *u, scan_ctx *sc, vigie_verdict *v, GError **err);
/* url_registrable_domain - registrable domain (eTLD+1, lower case,
 * Unicode->ASCII via IDNA) of a host name or e-mail domain; caller g_free;
 * NULL if none (IP literal, bare public suffix, invalid name) */
char *url_registrable_domain(const char *host);
/* url_is_protected - host is (a subdomain of) one of the protected domains;
 * false when u is NULL */
bool url_is_protected(const url_engine *u, const char *host);
/* url_lookalike - if host imitates a protected domain or brand
 * (homoglyph/confusable skeleton, mixed script, punycode, small edit
 * distance, brand embedded in another domain, protected name in a subdomain
 * of a foreign domain), return the protected name it imitates (owned by u)
 * and set *why (caller g_free) to a short reason; NULL when it does not (a
 * protected domain itself is never a lookalike; u NULL: never) */
const char *url_lookalike(const url_engine *u, const char *host, char **why);

/* ---- text normalisation (textnorm.c) ---- */
typedef struct {
	char *text;      /* normalised: lower case, accents and evasions undone */
	gsize len;
	guint32 *map;    /* map[i]: byte offset in orig of what produced text[i]; map[len] = orig_len */
	char *orig;      /* copy of the original */
	gsize orig_len;
} textnorm;
/* textnorm_new - normalise len bytes of s (len < 0: NUL-terminated);
 * invalid UTF-8 tolerated; free with textnorm_free */
textnorm *textnorm_new(const char *s, gssize len);
void textnorm_free(textnorm *t); /* NULL is a no-op */
/* textnorm_original - original text behind normalised bytes [start, end);
 * caller g_free */
char *textnorm_original(const textnorm *t, gsize start, gsize end);
/* textnorm_string - the normalised form of s only; caller g_free */
char *textnorm_string(const char *s);

/* ---- scan_ctx.c: what one scan works out once, shared by the analysers ---- */
/* scan_ctx_new - the context of one scan of m; u (may be NULL: the URL
 * analyser is off) says how URLs are extracted. m must outlive it and keep
 * its texts while it lives. Free with scan_ctx_free. */
scan_ctx *scan_ctx_new(const vigie_message *m, const url_engine *u);
void scan_ctx_free(scan_ctx *sc); /* NULL is a no-op */
/* scan_ctx_message - the message scanned */
const vigie_message *scan_ctx_message(const scan_ctx *sc);
/* scan_ctx_subject - the Subject of a mail, NULL for chat or none */
const char *scan_ctx_subject(const scan_ctx *sc);
/* scan_ctx_cut - how many bytes of text an analyser reading at most
 * max_bytes reads: all of it, or max_bytes back to a character boundary */
gsize scan_ctx_cut(const char *text, gsize max_bytes);
/* scan_ctx_norm - the normalised form of the first scan_ctx_cut(text,
 * max_bytes) bytes of text (a text or the Subject of the message: one
 * that lives as long as sc), computed once per text and cut; owned by sc */
const textnorm *scan_ctx_norm(scan_ctx *sc, const char *text, gsize max_bytes);
/* scan_ctx_urls - every URL of the message as the URL analyser extracts
 * them (url_extract_scan): a GPtrArray of url_found, owned by sc.
 * *complete (may be NULL) is false when the list reached the limit on URLs
 * and may have stopped short of the end of the message. */
const GPtrArray *scan_ctx_urls(scan_ctx *sc, bool *complete);

/* ---- lexicon analyser (lexicon.c loader, lexicon_scan.c scoring) ---- */
typedef struct lexicon_engine lexicon_engine;
/* lexicon_engine_load - every rule file of [lexicon] dir; NULL with err
 * naming file and line */
lexicon_engine *lexicon_engine_load(const vigie_config *c, GError **err);
/* lexicon_engine_load_dir - the same from a folder (tests, fuzzing);
 * languages NULL: all */
lexicon_engine *lexicon_engine_load_dir(const char *dir, const char *const *languages,
					GError **err);
void lexicon_engine_free(lexicon_engine *l); /* NULL is a no-op */
const char *lexicon_engine_describe(const lexicon_engine *l);
/* lexicon_engine_report - what the prefilter takes and which rules it
 * cannot (they run on every text), one per line; caller g_free */
char *lexicon_engine_report(const lexicon_engine *l);
/* lexicon_scan - match every text (and the Subject) of the message of sc,
 * the first [lexicon] max_scan_bytes of each; short_text: total normalised
 * bytes up to which @short holds; findings into v */
bool lexicon_scan(const lexicon_engine *l, scan_ctx *sc, gsize short_text, vigie_verdict *v, GError **err);

/* ---- sender analyser (sender*.c; private details in sender.h) ---- */
typedef struct sender_engine sender_engine;
/* sender_engine_load - executives, free-mail domains, weights and the
 * brand names of the [urls] protected folder, [sender] settings; NULL with
 * err naming file and line */
sender_engine *sender_engine_load(const vigie_config *c, GError **err);
void sender_engine_free(sender_engine *s); /* NULL is a no-op */
const char *sender_engine_describe(const sender_engine *s);
/* sender_scan - From, Reply-To, Return-Path, envelope sender and trusted
 * Authentication-Results of a mail; findings into v. u (the URL
 * analyser's protected domains and lookalike check) may be NULL: the
 * checks that need it are then skipped. Chat messages: nothing. */
bool sender_scan(const sender_engine *s, const url_engine *u, const vigie_message *m,
		 vigie_verdict *v, GError **err);

/* ---- structure analyser (structure*.c; private details in structure.h) ---- */
typedef struct structure_engine structure_engine;
/* structure_engine_load - [structure] weights file and thresholds; NULL
 * with err naming file and line */
structure_engine *structure_engine_load(const vigie_config *c, GError **err);
/* structure_engine_load_file - the weights file alone, default thresholds
 * (tests, fuzzing) */
structure_engine *structure_engine_load_file(const char *path, GError **err);
void structure_engine_free(structure_engine *s); /* NULL is a no-op */
const char *structure_engine_describe(const structure_engine *s);
/* structure_scan - the form of a mail (header fields, MIME structure,
 * HTML, attachment names); findings into v. Chat messages: nothing. */
bool structure_scan(const structure_engine *s, const vigie_message *m, vigie_verdict *v,
		    GError **err);

/* sender_from_authenticated - the trusted Authentication-Results show the
 * From domain authenticated: DMARC pass, or a DKIM pass whose header.d
 * is the From address's registrable domain. *own (may be NULL) is set
 * when that domain is one of [sender] own_domains. */
bool sender_from_authenticated(const sender_engine *s, const vigie_message *m, bool *own);
/* sender_chat_executive - an inbound chat whose author's display name, or
 * the opening words of its text, name one of the executives
 * (executives.txt): a finding of weight (0: none) */
void sender_chat_executive(const sender_engine *s, const vigie_message *m, int weight, vigie_verdict *v);
/* sender_from_domain - the lower-case domain of the From address, or NULL
 * (caller g_free) */
char *sender_from_domain(const vigie_message *m);

/* ---- rule_line.c: what the line-based rule files share ---- */
void rule_line_error(GError **err, const char *file, int line, const char *fmt, ...) G_GNUC_PRINTF(4, 5);
bool rule_line_name_ok(const char *s);
bool rule_line_weight(const char *s, int *out);
char *rule_line_field(char **p);
char **rule_line_split(const char *text, gsize len);

/* ---- intent analyser (intent/; private details in intent/intent.h) ---- */
typedef struct intent_engine intent_engine;
/* intent_engine_load - every rule file of [intent] dir; NULL with err
 * naming file and line */
intent_engine *intent_engine_load(const vigie_config *c, GError **err);
/* intent_engine_load_dir - the same from a folder (tests, fuzzing);
 * cache_dir: where the compiled prefilter is kept between runs (NULL: not
 * kept) */
intent_engine *intent_engine_load_dir(const char *dir, const char *const *languages, const char *cache_dir,
				      GError **err);
void intent_engine_free(intent_engine *ie); /* NULL is a no-op */
const char *intent_engine_describe(const intent_engine *ie);
/* intent_scan - asks, claims and their stance in every text of the message
 * of sc (and the Subject); direction is who speaks ("inbound", "internal",
 * "outbound"); short_text: total normalised bytes up to which @short holds */
bool intent_scan(const intent_engine *ie, scan_ctx *sc, const char *direction, gsize short_text,
		 vigie_verdict *v, GError **err);

/* ---- attachment content analyser (attach/; private details in attach/attach.h) ---- */
typedef struct attach_engine attach_engine;
/* attach_engine_load - [attach] limits and weights file; NULL with err
 * naming file and line */
attach_engine *attach_engine_load(const vigie_config *c, GError **err);
void attach_engine_free(attach_engine *a); /* NULL is a no-op */
const char *attach_engine_describe(const attach_engine *a);
/* attach_scan - decode m's attachments (images: QR codes; PDF; Office
 * files): what they say is appended to m->texts (scan.c drops those texts
 * after the scan), findings into v; false with err only on an internal
 * failure */
bool attach_scan(const attach_engine *a, const vigie_config *c, vigie_message *m,
		 vigie_verdict *v, GError **err);

/* ---- phone number analyser (phone/; private details in phone/phone.h) ---- */
typedef struct phone_engine phone_engine;
/* phone_engine_load - [phone] ranges, own numbers, weights, country;
 * NULL with err naming file and line */
phone_engine *phone_engine_load(const vigie_config *c, GError **err);
/* phone_engine_load_files - the same from files (own may be NULL), cc the
 * calling code national numbers are read in (tests, fuzzing) */
phone_engine *phone_engine_load_files(const char *ranges, const char *own, const char *weights,
				      const char *cc, GError **err);
void phone_engine_free(phone_engine *p); /* NULL is a no-op */
const char *phone_engine_describe(const phone_engine *p);
/* phone_scan - the phone numbers of every text and the Subject of m, typed
 * and compared with the organisation's; reads the findings already in v
 * for phone.callback-lure (run it after the lexicon and intent analysers) */
bool phone_scan(const phone_engine *p, const vigie_message *m, vigie_verdict *v, GError **err);
/* phone_type - the rule index of the longest listed prefix of an E.164
 * number, and its type name in *type (may be NULL); -1 when unlisted */
int phone_type(const phone_engine *p, const char *e164, const char **type);
/* phone_country_code - "33" for "FR" ([phone] country), NULL if unknown */
const char *phone_country_code(const char *iso);

/* intent_model_apply - the word model of the message's channel ([intent]
 * model_mail / model_chat) adds intent.model when a text analyser already
 * found something in it (run after every analyser, before the policy) */
void intent_model_apply(const intent_engine *ie, scan_ctx *sc, vigie_verdict *v);
/* intent_model_second_opinion - is f a finding the model weighs a second
 * opinion on (a lexicon, intent or URL finding of positive weight)? */
bool intent_model_second_opinion(const vigie_finding *f);
/* intent_model_features - the distinct features (words and word pairs) the
 * intent model reads in m's texts and Subject, sorted; at most max_bytes
 * of each text (intent/intent_model.c) */
GPtrArray *intent_model_features(const vigie_message *m, gsize max_bytes);
/* intent_model_features_ctx - the same for the message of sc, from its
 * shared normalised texts */
GPtrArray *intent_model_features_ctx(scan_ctx *sc, gsize max_bytes);

/* ---- policy.c ---- */
void policy_apply(const vigie_config *c, vigie_verdict *v);
/* policy_apply_class - policy_apply, with the speaker's weight for content
 * findings (v->speaker) and the verdict's class; bulk: the message is
 * authenticated mass mail (scan.c) */
void policy_apply_class(const vigie_config *c, vigie_verdict *v, bool bulk);
/* policy_settings - the [policy] and [channel.*] settings, read once */
typedef struct policy_settings policy_settings;
policy_settings *policy_settings_new(const vigie_config *c);
void policy_settings_free(policy_settings *p); /* NULL is a no-op */
/* policy_apply_settings - policy_apply_class with settings read before */
void policy_apply_settings(const policy_settings *p, vigie_verdict *v, bool bulk);

#endif
