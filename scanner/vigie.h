/* vigie.h - the scanning core as front ends and tools see it
 *
 * This is the only header a front end (milter, webhook, CLI) includes. It
 * speaks GLib (GError, GPtrArray) and nothing else: libclamav, GMime, gumbo,
 * json-glib and pcre2 stay inside scanner/.
 *
 * Life cycle:
 *   vigie_global_init()            once per process, before anything else
 *   vigie_engine_load(config)      rules + ClamAV, immutable once built
 *   vigie_message_from_mime/chat   one message in
 *   vigie_scan(engine, message)    one verdict out
 *   vigie_engine_unref / vigie_message_free / vigie_verdict_free
 *
 * Reload: a vigie_slot holds the current engine. vigie_slot_reload() builds a
 * new engine beside the old one and swaps it in only if it loaded completely;
 * scans holding a reference to the old engine finish on it.
 *
 * Thread safety: an engine is immutable and may be shared by any number of
 * threads scanning at once. Messages and verdicts belong to one thread.
 */
#ifndef VIGIE_H
#define VIGIE_H

#include <glib.h>
#include <stdbool.h>
#include <stddef.h>

G_BEGIN_DECLS

#define VIGIE_VERSION "0.1.0"

/* Error domain of every GError the core sets. */
#define VIGIE_ERROR (vigie_error_quark())
GQuark vigie_error_quark(void);

typedef enum {
	VIGIE_ERROR_CONFIG,  /* configuration file: syntax, key, value */
	VIGIE_ERROR_RULES,   /* a rule or signature file failed to load */
	VIGIE_ERROR_INPUT,   /* the message itself cannot be read */
	VIGIE_ERROR_SCAN,    /* an analyser failed on a readable message */
	VIGIE_ERROR_IO,      /* a file could not be read or written */
} VigieErrorCode;

/* ---- process ---------------------------------------------------------- */

/* vigie_global_init - initialise libraries (GMime, libclamav); idempotent */
bool vigie_global_init(GError **err);

/* ---- configuration ---------------------------------------------------- */

typedef enum { VIGIE_CHANNEL_MAIL = 0, VIGIE_CHANNEL_CHAT = 1, VIGIE_CHANNEL_COUNT } VigieChannel;

typedef enum {
	VIGIE_ACTION_RELEASE = 0,
	VIGIE_ACTION_TAG,
	VIGIE_ACTION_QUARANTINE,
	VIGIE_ACTION_REJECT,
} VigieAction;

const char *vigie_channel_name(VigieChannel c);
bool vigie_channel_parse(const char *s, VigieChannel *out);
const char *vigie_action_name(VigieAction a);

typedef struct vigie_config vigie_config;

/* vigie_config_load - read and validate one configuration file.
 * Relative paths in the file are resolved against the file's folder.
 * Returns a new config (free with vigie_config_free) or NULL with err set to
 * a message naming file, line and key. */
vigie_config *vigie_config_load(const char *path, GError **err);
void vigie_config_free(vigie_config *c);
/* vigie_config_check_paths - every rule file and folder the configuration
 * names (the paths under [core] signatures and those set in their place)
 * exists. False with err naming the file, the key, the value as written and
 * its line, and where a relative value was looked for. */
bool vigie_config_check_paths(const vigie_config *c, GError **err);

/* vigie_config_get - the value of SECTION.KEY as text (after defaults),
 * or NULL for an unknown key. For front ends' own settings and for tests. */
const char *vigie_config_get(const vigie_config *c, const char *section, const char *key);
long long vigie_config_get_int(const vigie_config *c, const char *section, const char *key);
bool vigie_config_get_bool(const vigie_config *c, const char *section, const char *key);
/* vigie_config_sections - the NAMEs of the [FAMILY.NAME] sections of a
 * section family (e.g. family "webhook": [webhook.sales], [webhook.support]),
 * in file order; their keys are read with vigie_config_get(c, "webhook.sales",
 * key). Caller g_strfreev. */
char **vigie_config_sections(const vigie_config *c, const char *family);

/* ---- engine ----------------------------------------------------------- */

typedef struct vigie_engine vigie_engine;

/* vigie_engine_load - build an engine from a configuration file and every
 * rule file it names. Returns a new engine with one reference, or NULL with
 * err naming the file (and line, where the format has lines) that failed. */
vigie_engine *vigie_engine_load(const char *config_path, GError **err);
vigie_engine *vigie_engine_ref(vigie_engine *e);
void vigie_engine_unref(vigie_engine *e);

const vigie_config *vigie_engine_config(const vigie_engine *e);
/* vigie_engine_version - e.g. "vigie 0.1.0; signatures 14 (bundled 14, system 0)" */
const char *vigie_engine_version(const vigie_engine *e);
unsigned vigie_engine_signature_count(const vigie_engine *e);
/* vigie_engine_rules_report - how the rules were compiled, for
 * --check-config: which ones the one-pass prefilter cannot take (they run
 * on every text); caller g_free */
char *vigie_engine_rules_report(const vigie_engine *e);
/* vigie_engine_load_ms - how long building this engine took */
double vigie_engine_load_ms(const vigie_engine *e);
/* vigie_engine_private_tmpdir - the temporary folder this engine created
 * for libclamav ([av] tmpdir = auto; removed when the engine is freed), or
 * NULL. A daemon that changes user after loading gives it to that user. */
const char *vigie_engine_private_tmpdir(const vigie_engine *e);
/* vigie_engine_clean_dead_tmpdirs - remove such folders left by processes
 * that are gone (killed): /dev/shm/vigie-clamav-PID-*, this user's; how many */
guint vigie_engine_clean_dead_tmpdirs(void);

/* A slot holds the current engine for a long-running process. */
typedef struct vigie_slot vigie_slot;

vigie_slot *vigie_slot_new(vigie_engine *e);      /* takes the reference; e may be NULL */
void vigie_slot_free(vigie_slot *s);
vigie_engine *vigie_slot_get(vigie_slot *s);       /* a new reference, or NULL if none loaded */
/* vigie_slot_reload - load config_path into a new engine; on success swap it
 * in and return true; on failure keep the current engine and return false
 * with err set. */
bool vigie_slot_reload(vigie_slot *s, const char *config_path, GError **err);

/* ---- message ---------------------------------------------------------- */

typedef struct {
	char *name;   /* as sent (decoded), or NULL */
	char *value;  /* unfolded, RFC 2047 words decoded to UTF-8 */
} vigie_header;

typedef struct {
	char *href;   /* as written in the document */
	char *text;   /* visible text of the link ("" for none) */
	char *tag;    /* "a", "form", "img", "area", "base", "meta", "iframe", ... */
} vigie_link;

typedef enum { VIGIE_TEXT_PLAIN, VIGIE_TEXT_HTML, VIGIE_TEXT_CHAT } VigieTextKind;

/* What the HTML parser saw of a document besides its text, counted in the
 * same parse (html.c): characters are counted without white space. */
typedef struct {
	size_t shown;       /* characters of visible text */
	size_t hidden;      /* characters styled out of sight: display:none,
			     * visibility:hidden, font-size:0, opacity:0, or a
			     * colour equal to the background */
	unsigned images;    /* <img> elements */
	unsigned forms;     /* <form> elements */
	unsigned passwords; /* <input type=password> */
} vigie_html_facts;

typedef struct {
	VigieTextKind kind;
	char *text;         /* UTF-8; for HTML, the visible text */
	GPtrArray *links;   /* of vigie_link*; HTML and chat only, else empty */
	char *where;        /* e.g. "part 1.2" */
	vigie_html_facts html; /* HTML only (else zero) */
} vigie_text;

/* One leaf MIME part of a mail's own body, as the parser found it: its
 * form rather than its content (the structure analyser reads these). Parts
 * of a forwarded message (inside a message/rfc822 part) are not listed:
 * their form is their first sender's. */
typedef struct {
	char *where;        /* as in texts and attachments: "part 1.2" */
	unsigned index;     /* order in which the walk met it among the parts
			     * outside forwarded messages, multiparts and
			     * message/rfc822 parts counted too; from 0 */
	unsigned alt;       /* the multipart/alternative it is in, numbered 1, 2,
			     * ... in walk order (the innermost); 0 for none */
	bool attachment;    /* a file to the reader (else a text body in texts) */
	bool html;          /* declared text/html */
	bool image;         /* declared image/... */
	bool base64;        /* Content-Transfer-Encoding: base64 */
	bool ascii;         /* text body: every decoded byte 7-bit */
	bool utf8;          /* text body: the decoded bytes are valid UTF-8 */
	size_t size;        /* decoded bytes */
	char *charset;      /* charset parameter as declared, or NULL */
	char *name;         /* file name as declared, or NULL */
	bool has_html;      /* html_facts below were counted: every text/html
			     * body; an HTML attachment (declared, sniffed or by
			     * its .htm/.html/.shtml/.xhtml name) reduced to text,
			     * or else among the first four of the mail, on its
			     * first 2 MB */
	vigie_html_facts html_facts;
} vigie_part;

typedef struct {
	char *name;          /* file name as declared (UTF-8), or NULL */
	char *declared_type; /* Content-Type as declared, lower case, or NULL */
	const char *sniffed_type; /* from the bytes, e.g. "application/x-msdownload" */
	char *url;           /* chat: where the platform keeps it, or NULL */
	GBytes *data;        /* decoded bytes (mail); NULL for chat references */
	char *where;         /* e.g. "part 2" or "attachment 1" */
} vigie_attachment;

typedef struct {
	/* mail */
	char *client_addr;
	char *helo;
	char *mail_from;
	GPtrArray *rcpt_to;  /* of char* */
	char *queue_id;      /* for logs */
	/* chat */
	char *platform;
	char *conversation;
	char *message_id;
	char *author_id;
	char *author_name;
	char *source;        /* the front end's name for where it came from (the
			      * webhook channel NAME), or NULL: chat release
			      * finds its downstream by it */
	char *direction;     /* chat: "inbound" (a customer or an unknown party),
			      * "outbound" (the organisation or its agents) or
			      * "internal" (between staff), as the platform says;
			      * NULL when unknown (treated as inbound) */
} vigie_envelope;

typedef struct {
	VigieChannel channel;
	vigie_envelope env;
	GPtrArray *headers;      /* of vigie_header*, in order (mail) */
	GPtrArray *texts;        /* of vigie_text* */
	GPtrArray *attachments;  /* of vigie_attachment* */
	GBytes *raw;             /* original bytes (mail: RFC 5322; chat: JSON) */
	GPtrArray *problems;     /* of char*: what the parser noticed (truncated, ...) */
	unsigned parts;          /* MIME parts walked */
	GPtrArray *mime_parts;   /* of vigie_part*, in walk order (mail; else empty) */
	char *subject_raw;       /* first Subject header as written (RFC 2047
				  * words not decoded), or NULL */
} vigie_message;

/* Envelope given by the front end; every field may be NULL. */
typedef struct {
	const char *client_addr;
	const char *helo;
	const char *mail_from;
	const char *const *rcpt_to; /* NULL-terminated, or NULL */
	const char *queue_id;
} vigie_mail_envelope;

/* vigie_message_from_mime - parse raw RFC 5322 bytes (an mbox "From " line
 * first is accepted). The bytes are copied. Malformed MIME still yields a
 * message (with problems noted) whenever any of it can be read; NULL with err
 * only for input that is not mail at all (empty). */
vigie_message *vigie_message_from_mime(const void *raw, size_t len,
				       const vigie_mail_envelope *env, GError **err);

/* vigie_message_from_chat_json - the documented chat JSON form (README,
 * "Chat message JSON"). NULL with err naming the field for invalid input. */
vigie_message *vigie_message_from_chat_json(const void *json, size_t len, GError **err);

void vigie_message_free(vigie_message *m);
/* vigie_message_header - first header named NAME (case-insensitive) or NULL */
const char *vigie_message_header(const vigie_message *m, const char *name);

/* ---- verdict ---------------------------------------------------------- */

typedef struct {
	char *rule;      /* e.g. "av.Vigie.Exe.PE" */
	char *category;  /* e.g. "malware" */
	int weight;
	char *evidence;  /* matched text, URL, or signature name */
	char *where;     /* "attachment invoice.exe (part 2)", "raw message", ... */
	bool decisive;   /* forces quarantine whatever the score */
} vigie_finding;

/* What kind of message the verdict found: next to the action, so that
 * policy can treat a newsletter (bulk) differently from fraud. */
typedef enum {
	VIGIE_CLASS_CLEAN = 0,
	VIGIE_CLASS_BULK,      /* authenticated mass mail with a way to unsubscribe */
	VIGIE_CLASS_SPAM,      /* unwanted, no sign of fraud or malware */
	VIGIE_CLASS_MALICIOUS, /* fraud, phishing, impersonation, malware */
} VigieClass;

const char *vigie_class_name(VigieClass c);

typedef struct {
	VigieChannel channel;
	VigieAction action;
	VigieClass klass;
	const char *speaker;  /* "inbound", "internal" or "outbound": who the scan
			       * took to be speaking (static string) */
	int score;
	GPtrArray *findings;  /* of vigie_finding* */
	char *error;          /* an analyser failed: the front end applies its fail mode */
	char *engine_version;
	double elapsed_ms;
	void *memory;         /* internal (scanner/memory/): what the store keeps
			       * of the message if the quarantine stores it */
	bool model_gate;      /* a text finding of positive weight before the
			       * policy: the intent model may weigh (set even
			       * when the model is off, for training) */
} vigie_verdict;

/* vigie_scan - run every analyser and the policy. Never returns NULL.
 * If an analyser fails, verdict->error says which and why; the findings of
 * the others are kept. */
vigie_verdict *vigie_scan(vigie_engine *e, const vigie_message *m);
/* vigie_engine_features - the distinct words and word pairs of m that the
 * intent model reads (sorted; caller unrefs), for training a model on
 * labelled messages (vigie eval --features, scripts/intent-train) */
GPtrArray *vigie_engine_features(const vigie_engine *e, const vigie_message *m);
void vigie_verdict_free(vigie_verdict *v);

/* vigie_verdict_to_json - one line of JSON; caller frees with g_free */
char *vigie_verdict_to_json(const vigie_verdict *v, const char *input_name);

/* ---- state store (scanner/store/) --------------------------------------
 * Keys, counters with expiry and small sets, kept in an embedded LMDB folder
 * or a Redis server ([store] backend). Every record has a TTL; sets have a
 * cap. Callers build keys from vigie_store_hash() (a keyed hash) so the store
 * never holds message text or addresses in clear. A store that is down or
 * slow answers VIGIE_STORE_DOWN within [store] timeout, with the cause in
 * err; the caller goes on without memory. Safe to share between threads. */
typedef struct vigie_store vigie_store;
typedef enum { VIGIE_STORE_OK = 0, VIGIE_STORE_MISSING, VIGIE_STORE_DOWN } VigieStoreStatus;

/* vigie_store_open - the store [store] describes, or NULL when [store]
 * enabled = no. Opens nothing yet: the backend is reached on first use. */
vigie_store *vigie_store_open(const vigie_config *c);
void vigie_store_close(vigie_store *s);
/* vigie_engine_read_only_scans - scans with e read the store but record
 * nothing in it (sender history is not counted): for tools that scan to
 * show a verdict (vigie scan, vigie eval), whose runs are not contacts.
 * Call before the first scan. Decisions (vigie_memory_learn) still record. */
void vigie_engine_read_only_scans(vigie_engine *e);
/* vigie_engine_store - the engine's store (NULL when disabled) */
vigie_store *vigie_engine_store(const vigie_engine *e);
const char *vigie_store_backend(const vigie_store *s); /* "lmdb" or "redis" */
/* vigie_store_hash - hex keyed hash (HMAC-SHA256, 128 bits) of kind:value,
 * or NULL with err when the key file cannot be read; caller g_free */
char *vigie_store_hash(vigie_store *s, const char *kind, const char *value, GError **err);
VigieStoreStatus vigie_store_put(vigie_store *s, const char *key, const char *value, gint64 ttl,
				 GError **err);
/* vigie_store_get - *value (caller g_free) when OK */
VigieStoreStatus vigie_store_get(vigie_store *s, const char *key, char **value, GError **err);
/* vigie_store_incr - add delta; a new counter starts at 0 and expires ttl
 * seconds after its creation; *value the new count (may be NULL) */
VigieStoreStatus vigie_store_incr(vigie_store *s, const char *key, gint64 delta, gint64 ttl,
				  gint64 *value, GError **err);
/* vigie_store_sadd - add member to a set (ttl renewed); a set of cap
 * members takes no new one */
VigieStoreStatus vigie_store_sadd(vigie_store *s, const char *key, const char *member, gint64 ttl,
				  guint cap, GError **err);
/* vigie_store_smembers - *members of char* (caller g_ptr_array_unref) when OK */
VigieStoreStatus vigie_store_smembers(vigie_store *s, const char *key, GPtrArray **members,
				      GError **err);
VigieStoreStatus vigie_store_del(vigie_store *s, const char *key, GError **err);
/* vigie_memory_learn - an analyst's decision on m: malicious (its links,
 * numbers and text are remembered as a campaign under id: a quarantine id,
 * or a name for a learned example) or benign (id, when given, was a false
 * positive; its links and numbers are not a sign of a campaign) */
typedef enum { VIGIE_LEARN_MALICIOUS, VIGIE_LEARN_BENIGN } VigieLearn;
bool vigie_memory_learn(vigie_engine *e, const vigie_message *m, VigieLearn label, const char *id,
			GError **err);
/* vigie_store_failures - operations answered DOWN since open */
guint64 vigie_store_failures(const vigie_store *s);
/* vigie_classifier_examples - the examples the per-deployment classifier
 * learnt (counts[0] malicious, counts[1] benign; 0 when none) */
VigieStoreStatus vigie_classifier_examples(vigie_store *s, gint64 counts[2], GError **err);
/* vigie_store_stats - a few "name value" lines (backend, keys, bytes, ...);
 * caller g_free; NULL with err when the backend cannot be reached */
char *vigie_store_stats(vigie_store *s, GError **err);

/* ---- quarantine ------------------------------------------------------ */

typedef struct vigie_quarantine vigie_quarantine;

/* vigie_quarantine_open - the quarantine folder dir (created 0700 with
 * tmp/, new/, released/, deleted/, tokens/ if missing); NULL with err */
vigie_quarantine *vigie_quarantine_open(const char *dir, GError **err);
void vigie_quarantine_close(vigie_quarantine *q);
const char *vigie_quarantine_dir(const vigie_quarantine *q);
/* vigie_quarantine_store - keep the message's original bytes and metadata;
 * returns the new item's id (caller g_free) only once both are durable on
 * disk, or NULL with err (the caller then tempfails / answers 503) */
char *vigie_quarantine_store(vigie_quarantine *q, const vigie_message *m, const vigie_verdict *v,
			     GError **err);
/* vigie_quarantine_valid_id - true only for ids this module generates */
bool vigie_quarantine_valid_id(const char *id);
/* vigie_quarantine_audit - append "time who action id result" to audit.log */
bool vigie_quarantine_audit(vigie_quarantine *q, const char *who, const char *action,
			    const char *id, const char *result);

/* One item as the review tools see it (quarantine/quarantine_review.c). */
typedef struct {
	char *id;
	char *folder;      /* "new" (quarantined), "released", "deleted" */
	char *time;        /* ISO 8601, UTC */
	gint64 unix_time;
	char *state;
	char *channel;
	char *action;
	int score;
	char *sender;      /* From header, else envelope sender, else chat author */
	char *recipients;  /* envelope recipients, or the chat conversation */
	char *subject;
	char *categories;  /* comma-separated, in finding order */
	char *rules;       /* comma-separated */
	char *meta_json;   /* the metadata file as stored */
} vigie_qitem;

/* Filter for vigie_quarantine_list; NULL/0 fields match everything. */
typedef struct {
	const char *channel, *action, *category, *rule, *sender, *recipient;
	gint64 since, until;   /* unix seconds */
	int min_score;
} vigie_qfilter;

void vigie_qitem_free(vigie_qitem *it);
/* vigie_quarantine_list - items of folder ("new", "released", "deleted")
 * matching f, newest first, at most limit (0 = all); GPtrArray of
 * vigie_qitem* (caller g_ptr_array_unref); NULL with err */
GPtrArray *vigie_quarantine_list(vigie_quarantine *q, const char *folder, const vigie_qfilter *f,
				 guint limit, guint *skipped, GError **err);
/* vigie_quarantine_get - one item by id (validated); NULL with err */
vigie_qitem *vigie_quarantine_get(vigie_quarantine *q, const char *id, GError **err);
/* vigie_quarantine_raw - original bytes of an item; caller g_bytes_unref */
GBytes *vigie_quarantine_raw(vigie_quarantine *q, const vigie_qitem *it, GError **err);
/* Release in three steps: claim (atomic: one of two concurrent claims
 * wins), deliver (the caller's job), then finish (accepted) or undo
 * (refused: the item stays quarantined). */
bool vigie_quarantine_claim(vigie_quarantine *q, const char *id, GError **err);
bool vigie_quarantine_finish_release(vigie_quarantine *q, const char *id, const char *reply, GError **err);
bool vigie_quarantine_undo_claim(vigie_quarantine *q, const char *id);
bool vigie_quarantine_delete(vigie_quarantine *q, const char *id, GError **err);
/* vigie_quarantine_purge - remove items older than max_age seconds (and
 * spent release-token markers) */
guint vigie_quarantine_purge(vigie_quarantine *q, gint64 max_age);
/* vigie_quarantine_clean_tmp - remove what a crash left in tmp/: entries
 * (never folders) older than max_age seconds; how many */
guint vigie_quarantine_clean_tmp(vigie_quarantine *q, gint64 max_age);
/* Release tokens (X-Vigie-Release). vigied makes the folder's key at start
 * (vigie_quarantine_release_key_init, before it drops privileges); the
 * release tool makes a token for the bytes and recipients it sends
 * (refused without a key, or when vigied's user cannot read it); the
 * milter honours it once, for that body and those recipients only
 * (vigie_quarantine_release_use), and leaves a marker the tool checks
 * before it counts the item released (vigie_quarantine_release_confirmed). */
bool vigie_quarantine_release_key_init(vigie_quarantine *q, GError **err);
/* vigie_quarantine_release_token - header value for releasing claimed item
 * id as bytes to rcpts (NULL-terminated); caller g_free; NULL with err */
char *vigie_quarantine_release_token(vigie_quarantine *q, const char *id, GBytes *bytes,
				     const char *const *rcpts, GError **err);
/* vigie_quarantine_release_use - true (and the token spent, *id set,
 * caller g_free) only for a genuine, current, unused token made for this
 * body and these recipients; else false with a static reason in *why */
bool vigie_quarantine_release_use(vigie_quarantine *q, const char *value, GBytes *bytes,
				  const char *const *rcpts, char **id, const char **why);
/* vigie_quarantine_release_confirmed - the milter honoured token */
bool vigie_quarantine_release_confirmed(vigie_quarantine *q, const char *token);

G_END_DECLS

#endif
