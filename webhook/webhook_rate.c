/* webhook_rate.c - flood protection: token buckets per author, per
 * conversation and per channel ([webhook] *_rate per minute, *_burst).
 *
 * The buckets live in 32 shards, each with its own lock, so a flooding
 * author costs others one hash lookup and never waits behind a scan. An
 * author's bucket is tried first: a flooding author is refused before it
 * spends its conversation's or its channel's tokens. A shard keeps at most
 * WH_RATE_SHARD_MAX keys; when full, buckets that have refilled (the same
 * as new ones) are dropped (at most one sweep a second per shard), and if
 * none has, the new key is not tracked (the channel bucket still bounds
 * the total).
 *
 * Several vigied nodes behind one load balancer share the limits through
 * the state store ([webhook] shared_limits, with [store] enabled; Redis
 * for several machines): once a node's own buckets let a message through,
 * each of its keys is counted in the store for the current minute, and a
 * key whose count passes rate + burst in that minute is refused (its own
 * tokens given back). On one node the bucket never lets more than rate +
 * burst through in a minute, so the shared count refuses only what other
 * nodes let through. A fixed minute can let twice that pass across its
 * boundary: the local buckets still bound each node. A store that is down
 * leaves each node its own limits (the store counts the failure).
 *
 * SECURITY: keys are platform ids the sender may choose; they are only hash
 * keys here, bounded in number.
 */
#include "webhook_internal.h"

#include <math.h>
#include <string.h>

#define WH_RATE_SHARDS 32
#define WH_RATE_SHARD_MAX 4096

typedef struct {
	GMutex lock;
	GHashTable *buckets; /* key -> bucket* */
	double last_sweep;
} shard;

typedef struct {
	double per_s, burst; /* per_s 0: no limit */
} limit;

typedef struct {
	double tokens;
	double last;
	const limit *l; /* the limit it counts for */
} bucket;

struct wh_rate {
	shard shards[WH_RATE_SHARDS];
	limit author, conversation, channel;
	bool shared; /* [webhook] shared_limits */
};

/* webhook_rate_new - limits from [webhook] */
wh_rate *webhook_rate_new(const vigie_config *c)
{
	wh_rate *r = g_new0(wh_rate, 1);
	for (int i = 0; i < WH_RATE_SHARDS; i++) {
		g_mutex_init(&r->shards[i].lock);
		r->shards[i].buckets = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, g_free);
	}
	r->author = (limit){ vigie_config_get_int(c, "webhook", "author_rate") / 60.0,
			     (double)vigie_config_get_int(c, "webhook", "author_burst") };
	r->conversation = (limit){ vigie_config_get_int(c, "webhook", "conversation_rate") / 60.0,
				   (double)vigie_config_get_int(c, "webhook", "conversation_burst") };
	r->channel = (limit){ vigie_config_get_int(c, "webhook", "channel_rate") / 60.0,
			      (double)vigie_config_get_int(c, "webhook", "channel_burst") };
	r->shared = vigie_config_get_bool(c, "webhook", "shared_limits");
	return r;
}

/* webhook_rate_free - NULL is a no-op */
void webhook_rate_free(wh_rate *r)
{
	if (!r)
		return;
	for (int i = 0; i < WH_RATE_SHARDS; i++) {
		g_hash_table_unref(r->shards[i].buckets);
		g_mutex_clear(&r->shards[i].lock);
	}
	g_free(r);
}

/* rate_sweep - drop buckets that are full again (they equal new ones) */
static void rate_sweep(GHashTable *t, double now)
{
	GHashTableIter it;
	gpointer k, v;
	g_hash_table_iter_init(&it, t);
	while (g_hash_table_iter_next(&it, &k, &v)) {
		bucket *b = v;
		if (b->tokens + (now - b->last) * b->l->per_s >= b->l->burst)
			g_hash_table_iter_remove(&it);
	}
}

/* rate_take - one token from key's bucket; false with *wait (s) if empty */
static bool rate_take(wh_rate *r, const limit *l, const char *key, double now, double *wait)
{
	if (l->per_s <= 0)
		return true;
	shard *s = &r->shards[g_str_hash(key) % WH_RATE_SHARDS];
	bool ok = true;
	g_mutex_lock(&s->lock);
	bucket *b = g_hash_table_lookup(s->buckets, key);
	if (!b) {
		/* at most one sweep a second: a flood of new keys stays cheap */
		if (g_hash_table_size(s->buckets) >= WH_RATE_SHARD_MAX && now - s->last_sweep >= 1.0) {
			rate_sweep(s->buckets, now);
			s->last_sweep = now;
		}
		if (g_hash_table_size(s->buckets) >= WH_RATE_SHARD_MAX)
			goto out; /* not tracked: the channel bucket still applies */
		b = g_new(bucket, 1);
		b->tokens = l->burst;
		b->last = now;
		b->l = l;
		g_hash_table_insert(s->buckets, g_strdup(key), b);
	}
	if (now > b->last) {
		b->tokens = MIN(l->burst, b->tokens + (now - b->last) * l->per_s);
		b->last = now;
	}
	if (b->tokens < 1.0) {
		*wait = (1.0 - b->tokens) / l->per_s;
		ok = false;
	} else {
		b->tokens -= 1.0;
	}
out:
	g_mutex_unlock(&s->lock);
	return ok;
}

/* rate_refund - give back a token taken from key */
static void rate_refund(wh_rate *r, const limit *l, const char *key)
{
	if (l->per_s <= 0)
		return;
	shard *s = &r->shards[g_str_hash(key) % WH_RATE_SHARDS];
	g_mutex_lock(&s->lock);
	bucket *b = g_hash_table_lookup(s->buckets, key);
	if (b)
		b->tokens = MIN(l->burst, b->tokens + 1.0);
	g_mutex_unlock(&s->lock);
}

/* rate_shared_over - count key in the store for this minute (wall clock:
 * the nodes share it); true when the count passes rate + burst, with
 * *wait the seconds to the next minute. A store that is down: false. */
static bool rate_shared_over(vigie_store *st, const limit *l, const char *key, unsigned *wait)
{
	if (l->per_s <= 0)
		return false;
	gint64 t = g_get_real_time() / G_USEC_PER_SEC, minute = t / 60;
	GError *err = NULL;
	char *h = vigie_store_hash(st, "rate", key, &err);
	if (!h) {
		g_clear_error(&err);
		return false;
	}
	char *k = g_strdup_printf("rate:%s:%" G_GINT64_FORMAT, h, minute);
	gint64 n = 0;
	bool over = vigie_store_incr(st, k, 1, 120, &n, &err) == VIGIE_STORE_OK &&
		    (double)n > l->per_s * 60.0 + l->burst;
	g_clear_error(&err);
	g_free(k);
	g_free(h);
	if (over)
		*wait = (unsigned)MAX(1, 60 - t % 60);
	return over;
}

/* webhook_rate_take - author, then conversation, then channel */
wh_rate_result webhook_rate_take(wh_rate *r, vigie_store *st, const char *channel,
				 const char *conversation, const char *author, double now,
				 unsigned *retry_after)
{
	char *keys[3] = {
		author ? g_strconcat("a\x1f", channel, "\x1f", author, NULL) : NULL,
		conversation ? g_strconcat("c\x1f", channel, "\x1f", conversation, NULL) : NULL,
		g_strconcat("h\x1f", channel, NULL),
	};
	const limit *lims[3] = { &r->author, &r->conversation, &r->channel };
	static const wh_rate_result why[3] = { WH_RATE_AUTHOR, WH_RATE_CONVERSATION, WH_RATE_CHANNEL };
	wh_rate_result res = WH_RATE_OK;
	int taken = 0;
	for (; taken < 3; taken++) {
		double wait = 0;
		if (keys[taken] && !rate_take(r, lims[taken], keys[taken], now, &wait)) {
			res = why[taken];
			*retry_after = (unsigned)MAX(1.0, ceil(wait));
			break;
		}
	}
	if (res == WH_RATE_OK && st && r->shared)
		for (int i = 0; i < 3; i++)
			if (keys[i] && rate_shared_over(st, lims[i], keys[i], retry_after)) {
				res = why[i];
				break;
			}
	if (res != WH_RATE_OK)
		for (int i = 0; i < taken; i++)
			if (keys[i])
				rate_refund(r, lims[i], keys[i]);
	for (int i = 0; i < 3; i++)
		g_free(keys[i]);
	return res;
}

/* webhook_rate_scope - "author", "conversation", "channel" */
const char *webhook_rate_scope(wh_rate_result r)
{
	switch (r) {
	case WH_RATE_AUTHOR: return "author";
	case WH_RATE_CONVERSATION: return "conversation";
	case WH_RATE_CHANNEL: return "channel";
	default: return "none";
	}
}
