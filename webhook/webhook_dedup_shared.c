/* webhook_dedup_shared.c - duplicate deliveries across the nodes of one
 * state store ([webhook] shared_dedup, with [store] enabled; Redis for
 * several machines).
 *
 * A platform retries a delivery it got no answer for, and behind a load
 * balancer the retry may reach another node, whose own cache
 * (webhook_dedup.c) has never seen the id: the message would be scanned,
 * quarantined or forwarded twice. After a node's own cache says NEW, the
 * id is also claimed in the store: a counter "dd:c:H" (H the keyed hash of
 * channel and id) that only its first claimer sees at 1, kept
 * DEDUP_CLAIM_TTL seconds so a node that died mid-scan does not hold the
 * id for ever; the verdict, once given, is kept under "dd:v:H" for
 * [webhook] dedup_ttl and answers every later delivery on any node.
 *
 * What the store holds: the keyed hash of the id, the action, the score,
 * the quarantine id and the findings as the webhook answers them (rule,
 * category, weight, where: no message text, no author).
 *
 * A store that is down: the node's own cache alone decides (NEW), as
 * before the option. SECURITY: a record is ours, written by a node that
 * shares the store's key; a malformed one reads as no verdict.
 */
#include "webhook_internal.h"

#include <stdlib.h>
#include <string.h>

#define DEDUP_CLAIM_TTL 120 /* s: longer than any scan, forward or store */

/* dedup_keys - "dd:c:H" and (verdict not NULL) "dd:v:H"; false when the
 * key file cannot be read */
static bool dedup_keys(vigie_store *st, const char *key, char **claim, char **verdict)
{
	GError *err = NULL;
	char *h = vigie_store_hash(st, "dedup", key, &err);
	if (!h) {
		g_clear_error(&err);
		return false;
	}
	*claim = g_strconcat("dd:c:", h, NULL);
	if (verdict)
		*verdict = g_strconcat("dd:v:", h, NULL);
	g_free(h);
	return true;
}

/* dedup_parse - "ACTION\tSCORE\tQID\tFINDINGS" into item */
static bool dedup_parse(const char *value, wh_item *item)
{
	char **f = g_strsplit(value, "\t", 4);
	bool ok = g_strv_length(f) == 4;
	char *end = NULL;
	long action = ok ? strtol(f[0], &end, 10) : -1;
	ok = ok && end && !*end && action >= VIGIE_ACTION_RELEASE && action <= VIGIE_ACTION_REJECT;
	long score = ok ? strtol(f[1], &end, 10) : 0;
	ok = ok && end && !*end && f[3][0] == '[';
	if (ok) {
		item->action = (VigieAction)action;
		item->score = (int)score;
		g_free(item->quarantine_id);
		item->quarantine_id = *f[2] ? g_strdup(f[2]) : NULL;
		g_free(item->findings_json);
		item->findings_json = g_strdup(f[3]);
		item->duplicate = true;
	}
	g_strfreev(f);
	return ok;
}

/* webhook_dedup_shared_claim - see webhook_internal.h */
wh_dedup_state webhook_dedup_shared_claim(vigie_store *st, const char *key, wh_item *item)
{
	char *claim, *verdict;
	if (!st || !dedup_keys(st, key, &claim, &verdict))
		return WH_DEDUP_NEW;
	wh_dedup_state res = WH_DEDUP_NEW;
	GError *err = NULL;
	char *value = NULL;
	if (vigie_store_get(st, verdict, &value, &err) == VIGIE_STORE_OK && value &&
	    dedup_parse(value, item)) {
		res = WH_DEDUP_DONE;
	} else {
		g_clear_error(&err);
		gint64 n = 0;
		if (vigie_store_incr(st, claim, 1, DEDUP_CLAIM_TTL, &n, &err) == VIGIE_STORE_OK && n > 1)
			res = WH_DEDUP_PENDING;
	}
	g_clear_error(&err);
	g_free(value);
	g_free(claim);
	g_free(verdict);
	return res;
}

/* webhook_dedup_shared_finish - see webhook_internal.h */
void webhook_dedup_shared_finish(vigie_store *st, const char *key, const wh_item *item, gint64 ttl)
{
	char *claim, *verdict;
	if (!st || !dedup_keys(st, key, &claim, &verdict))
		return;
	g_free(claim);
	char *value = g_strdup_printf("%d\t%d\t%s\t%s", (int)item->action, item->score,
				      item->quarantine_id ? item->quarantine_id : "",
				      item->findings_json ? item->findings_json : "[]");
	GError *err = NULL;
	vigie_store_put(st, verdict, value, ttl, &err);
	g_clear_error(&err);
	g_free(value);
	g_free(verdict);
}

/* webhook_dedup_shared_release - see webhook_internal.h */
void webhook_dedup_shared_release(vigie_store *st, const char *key)
{
	char *claim;
	if (!st || !dedup_keys(st, key, &claim, NULL))
		return;
	GError *err = NULL;
	vigie_store_del(st, claim, &err);
	g_clear_error(&err);
	g_free(claim);
}
