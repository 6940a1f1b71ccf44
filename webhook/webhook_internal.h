/* webhook_internal.h - what the files of webhook/ share: one request as the
 * adapters see it (no libmicrohttpd types), the adapter interface and its
 * table, channels, and the helpers (auth, JSON, rate, dedup, metrics,
 * forward). Never included outside webhook/ (and its tests and fuzzers).
 */
#ifndef VIGIE_WEBHOOK_INTERNAL_H
#define VIGIE_WEBHOOK_INTERNAL_H

#include "vigie.h"

#include <json-glib/json-glib.h>

/* ---- one HTTP request, as received ---- */
typedef struct {
	const char *method;     /* "GET", "POST" */
	const char *path;       /* without the query */
	GHashTable *headers;    /* lower-case name -> value (first one kept) */
	GHashTable *query;      /* name -> value, decoded */
	const char *body;       /* raw bytes, NUL-terminated copy */
	size_t body_len;
	gint64 now;             /* Unix seconds when the request arrived */
	const char *request_id; /* ours, for logs and answers */
	long long replay_window; /* s, [webhook] replay_window */
} wh_request;

const char *wh_header(const wh_request *r, const char *lower_name);

/* ---- one configured channel: [webhook.NAME] ---- */
typedef struct wh_adapter wh_adapter;
typedef struct {
	char *name;
	const wh_adapter *adapter;
	char *secret;            /* never logged */
	GBytes *secret_bytes;    /* the key actually used (Teams: base64-decoded) */
	char *public_url;        /* Twilio: the URL Twilio signs */
	char *verify_token;      /* Meta: the GET handshake token */
	char *downstream_url;    /* gateway mode: where released messages go */
	char *downstream_secret; /* signs what we forward */
	guint index;             /* in the channel list, for metrics */
} wh_channel;

/* ---- what one request carries: one message or several (Meta batches) ---- */
typedef struct {
	vigie_message *m;        /* owned; its raw is the chat JSON we built */
	char *id;                /* platform message id (dedup key), or NULL */
	char *original_text;     /* as sent (Twilio tag: the modified body) */
	/* filled by the pipeline */
	VigieAction action;
	int score;
	char *quarantine_id;
	char *findings_json;     /* JSON array text */
	bool duplicate;          /* answered from the dedup cache */
} wh_item;

wh_item *wh_item_new(vigie_message *m, const char *id, const char *text);
void wh_item_free(gpointer p);

/* ---- an answer ---- */
typedef struct {
	unsigned status;
	const char *content_type; /* static */
	char *body;               /* owned, may be NULL */
	char *retry_after;        /* owned, or NULL */
	bool close;               /* Connection: close */
} wh_reply;

void wh_reply_set(wh_reply *rep, unsigned status, const char *ctype, char *body /* owned */);
/* wh_reply_error - {"error": why, "request_id": id} with status */
void wh_reply_error(wh_reply *rep, unsigned status, const char *request_id, const char *why);

typedef enum {
	WH_PARSE_ITEMS,   /* items to scan */
	WH_PARSE_REPLY,   /* a handshake or an event to acknowledge: rep is set */
	WH_PARSE_ERROR,   /* 400: err says why */
} wh_parse_result;

/* ---- the adapter interface: one file per platform ---- */
struct wh_adapter {
	const char *platform;    /* as in [webhook.NAME] platform */
	bool gateway;            /* notify-after-the-fact: forward released ones */
	/* verify - the platform's signature over the raw body (and timestamps);
	 * false with *why (static text) to refuse with 401 */
	bool (*verify)(const wh_channel *ch, const wh_request *r, const char **why);
	/* parse - payload -> items (or a handshake reply); called only after
	 * verify succeeded */
	wh_parse_result (*parse)(const wh_channel *ch, const wh_request *r, GPtrArray *items,
				 wh_reply *rep, GError **err);
	/* answer - the verdicts of items in the platform's terms */
	void (*answer)(const wh_channel *ch, const wh_request *r, GPtrArray *items,
		       const vigie_config *c, wh_reply *rep);
	/* handshake - GET on the channel's path (Meta); NULL: 405 */
	void (*handshake)(const wh_channel *ch, const wh_request *r, wh_reply *rep);
};

extern const wh_adapter wh_generic, wh_twilio, wh_meta, wh_genesys, wh_slack, wh_teams,
	wh_zendesk;
/* webhook_adapter_find - the adapter for a platform name, or NULL */
const wh_adapter *webhook_adapter_find(const char *platform);

/* ---- webhook_auth.c: signatures (GLib GHmac) ---- */
/* webhook_auth_hmac - raw HMAC of the concatenated parts (NULL-terminated
 * list of (data, len) pairs given as GBytes); caller g_bytes_unref */
GBytes *webhook_auth_hmac(GChecksumType type, GBytes *key, const void *a, size_t alen,
			  const void *b, size_t blen, const void *c, size_t clen);
/* webhook_auth_equal - constant-time comparison of two byte strings (the
 * time depends on the lengths only) */
bool webhook_auth_equal(const void *a, size_t alen, const void *b, size_t blen);
/* webhook_auth_check_hex - sig (hex, any case) equals mac */
bool webhook_auth_check_hex(const char *sig, GBytes *mac);
/* webhook_auth_check_base64 - sig (base64) equals mac */
bool webhook_auth_check_base64(const char *sig, GBytes *mac);
/* webhook_auth_fresh - ts (decimal Unix seconds) within window of now */
bool webhook_auth_fresh(const char *ts, gint64 now, long long window);

/* ---- webhook_json.c: payload JSON, strictly ---- */
/* webhook_json_parse - NUL, UTF-8 and nesting (64) checks, then json-glib;
 * the root object or NULL with err (VIGIE_ERROR_INPUT). Caller
 * json_node_unref on the result. */
JsonNode *webhook_json_parse(const char *body, size_t len, GError **err);
/* webhook_json_str - string member of o (NULL when absent or null); false
 * with err naming path when it has another type */
bool webhook_json_str(JsonObject *o, const char *key, const char *path, const char **out,
		      GError **err);
/* webhook_json_obj / _arr - member of that type, NULL when absent; false
 * with err on another type */
bool webhook_json_obj(JsonObject *o, const char *key, const char *path, JsonObject **out,
		      GError **err);
bool webhook_json_arr(JsonObject *o, const char *key, const char *path, JsonArray **out,
		      GError **err);

/* A chat message being built for vigie_message_from_chat_json. */
typedef struct {
	const char *platform, *conversation, *message_id, *author_id, *author_name, *text;
	GPtrArray *attachments; /* of wh_attach*, or NULL */
} wh_chat;
typedef struct {
	const char *name, *url, *type;
} wh_attach;
/* webhook_json_item - build the chat JSON, read it back as a message; NULL
 * with err */
wh_item *webhook_json_item(const wh_chat *chat, GError **err);
/* webhook_json_push - webhook_json_item, appended to items; false with err */
bool webhook_json_push(GPtrArray *items, const wh_chat *chat, GError **err);

/* ---- webhook_rate.c ---- */
typedef struct wh_rate wh_rate;
typedef enum { WH_RATE_OK, WH_RATE_AUTHOR, WH_RATE_CONVERSATION, WH_RATE_CHANNEL } wh_rate_result;
wh_rate *webhook_rate_new(const vigie_config *c);
void webhook_rate_free(wh_rate *r);
/* webhook_rate_take - one token from the channel's, the conversation's and
 * the author's buckets (NULL keys are skipped); the first empty one is
 * named and nothing is taken; *retry_after in seconds. With a store (may be
 * NULL) and [webhook] shared_limits, the counts of every node sharing it
 * are limited as one (webhook_rate.c). */
wh_rate_result webhook_rate_take(wh_rate *r, vigie_store *st, const char *channel,
				 const char *conversation, const char *author, double now,
				 unsigned *retry_after);
const char *webhook_rate_scope(wh_rate_result r);

/* ---- webhook_dedup.c ---- */
typedef struct wh_dedup wh_dedup;
typedef enum { WH_DEDUP_NEW, WH_DEDUP_DONE, WH_DEDUP_PENDING } wh_dedup_state;
wh_dedup *webhook_dedup_new(guint size, gint64 ttl);
void webhook_dedup_free(wh_dedup *d);
/* webhook_dedup_claim - NEW (now pending: finish or release it), DONE (item
 * filled from the first verdict) or PENDING (another request has it) */
wh_dedup_state webhook_dedup_claim(wh_dedup *d, const char *key, gint64 now, wh_item *item);
void webhook_dedup_finish(wh_dedup *d, const char *key, const wh_item *item, gint64 now);
void webhook_dedup_release(wh_dedup *d, const char *key);

/* ---- webhook_dedup_shared.c ---- */
/* webhook_dedup_shared_claim - the id claimed in the store (st may be NULL:
 * NEW): DONE with item filled from another node's verdict, PENDING while
 * another node scans it, NEW when first (or the store is down) */
wh_dedup_state webhook_dedup_shared_claim(vigie_store *st, const char *key, wh_item *item);
/* webhook_dedup_shared_finish - the verdict, for ttl seconds */
void webhook_dedup_shared_finish(vigie_store *st, const char *key, const wh_item *item, gint64 ttl);
/* webhook_dedup_shared_release - forget a claim whose request failed */
void webhook_dedup_shared_release(vigie_store *st, const char *key);

/* ---- webhook_metrics.c ---- */
void webhook_metrics_init(GPtrArray *channels /* of wh_channel*, borrowed */);
void webhook_metrics_message(const wh_channel *ch, VigieAction a, const vigie_verdict *v);
void webhook_metrics_count(const wh_channel *ch, const char *what); /* "signature", "bad_request", ... */
void webhook_metrics_rate(const wh_channel *ch, wh_rate_result why);
/* webhook_metrics_text - the Prometheus exposition; caller g_free */
char *webhook_metrics_text(vigie_quarantine *q, vigie_engine *e /* NULL: not loaded */);

/* ---- webhook_forward.c ---- */
/* webhook_forward - POST {"vigie": verdict, "message": chat JSON} to the
 * channel's downstream_url; false with err on a transport error or non-2xx */
bool webhook_forward(const wh_channel *ch, const wh_item *it, const wh_request *r,
		     long timeout_s, GError **err);

/* ---- answers (webhook_json.c, webhook_adapters.c) ---- */
/* webhook_summary_answer - 200 {"request_id", "messages": [{"id", verdict}]} */
void webhook_summary_answer(const wh_channel *ch, const wh_request *r, GPtrArray *items,
			    const vigie_config *c, wh_reply *rep);
/* webhook_label - the [webhook] label for an action, or NULL for release */
const char *webhook_label(const vigie_config *c, VigieAction a);
/* webhook_verdict_json - {"action","score","findings","quarantine_id","label"} */
void webhook_verdict_members(JsonBuilder *b, const wh_item *it, const vigie_config *c);
char *webhook_json_to_string(JsonBuilder *b);

#endif
