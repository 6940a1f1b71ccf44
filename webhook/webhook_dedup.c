/* webhook_dedup.c - duplicate deliveries: the first verdict for a platform
 * message id, kept [webhook] dedup_ttl seconds, at most dedup_size ids
 * (oldest dropped first).
 *
 * A request claims an id before scanning; a second delivery of the same id
 * gets the first verdict (DONE) without a second scan, or PENDING while the
 * first is still being scanned. A claim whose request failed (503, 429) is
 * released, so the platform's retry is scanned.
 *
 * SECURITY: ids come from verified requests of one channel (the key
 * includes the channel name), so one channel cannot answer for another.
 */
#include "webhook_internal.h"

typedef struct {
	bool done;
	gint64 expires;
	VigieAction action;
	int score;
	char *quarantine_id;
	char *findings_json;
	GList *link; /* in order */
} entry;

struct wh_dedup {
	GMutex lock;
	GHashTable *map; /* key -> entry* */
	GQueue order;    /* of keys (owned by map), oldest first */
	guint size;
	gint64 ttl;
};

static void entry_free(gpointer p)
{
	entry *e = p;
	g_free(e->quarantine_id);
	g_free(e->findings_json);
	g_free(e);
}

/* webhook_dedup_new - size 0 disables it */
wh_dedup *webhook_dedup_new(guint size, gint64 ttl)
{
	wh_dedup *d = g_new0(wh_dedup, 1);
	g_mutex_init(&d->lock);
	d->map = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, entry_free);
	g_queue_init(&d->order);
	d->size = size;
	d->ttl = ttl;
	return d;
}

/* webhook_dedup_free - NULL is a no-op */
void webhook_dedup_free(wh_dedup *d)
{
	if (!d)
		return;
	g_queue_clear(&d->order);
	g_hash_table_unref(d->map);
	g_mutex_clear(&d->lock);
	g_free(d);
}

/* dedup_remove - drop key (lock held) */
static void dedup_remove(wh_dedup *d, const char *key)
{
	entry *e = g_hash_table_lookup(d->map, key);
	if (!e)
		return;
	g_queue_delete_link(&d->order, e->link);
	g_hash_table_remove(d->map, key);
}

/* webhook_dedup_claim - see webhook_internal.h */
wh_dedup_state webhook_dedup_claim(wh_dedup *d, const char *key, gint64 now, wh_item *item)
{
	if (d->size == 0)
		return WH_DEDUP_NEW;
	wh_dedup_state st = WH_DEDUP_NEW;
	g_mutex_lock(&d->lock);
	entry *e = g_hash_table_lookup(d->map, key);
	if (e && e->done && e->expires < now) {
		dedup_remove(d, key);
		e = NULL;
	}
	if (e && e->done) {
		item->action = e->action;
		item->score = e->score;
		item->quarantine_id = g_strdup(e->quarantine_id);
		g_free(item->findings_json);
		item->findings_json = g_strdup(e->findings_json);
		item->duplicate = true;
		st = WH_DEDUP_DONE;
	} else if (e) {
		st = WH_DEDUP_PENDING;
	} else {
		/* make room: the oldest finished ids go first */
		for (GList *l = d->order.head; l && g_hash_table_size(d->map) >= d->size;) {
			GList *next = l->next;
			entry *old = g_hash_table_lookup(d->map, l->data);
			if (old && old->done)
				dedup_remove(d, l->data);
			l = next;
		}
		e = g_new0(entry, 1);
		char *k = g_strdup(key);
		g_hash_table_insert(d->map, k, e);
		g_queue_push_tail(&d->order, k);
		e->link = d->order.tail;
	}
	g_mutex_unlock(&d->lock);
	return st;
}

/* webhook_dedup_finish - remember the verdict of a claimed id */
void webhook_dedup_finish(wh_dedup *d, const char *key, const wh_item *item, gint64 now)
{
	if (d->size == 0)
		return;
	g_mutex_lock(&d->lock);
	entry *e = g_hash_table_lookup(d->map, key);
	if (e) {
		e->done = true;
		e->expires = now + d->ttl;
		e->action = item->action;
		e->score = item->score;
		e->quarantine_id = g_strdup(item->quarantine_id);
		e->findings_json = g_strdup(item->findings_json);
	}
	g_mutex_unlock(&d->lock);
}

/* webhook_dedup_release - forget a claim whose request failed */
void webhook_dedup_release(wh_dedup *d, const char *key)
{
	if (d->size == 0)
		return;
	g_mutex_lock(&d->lock);
	entry *e = g_hash_table_lookup(d->map, key);
	if (e && !e->done)
		dedup_remove(d, key);
	g_mutex_unlock(&d->lock);
}
