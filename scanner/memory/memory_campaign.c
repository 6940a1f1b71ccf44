/* memory_campaign.c - campaign memory across channels
 *
 * When a message is quarantined (vigie_quarantine_store commits the note
 * its verdict carries) or an analyst confirms one (vigie_memory_learn), each
 * hash of its print is remembered with the item's id, for [memory]
 * campaign_ttl seconds:
 *   cs:HASH  shingle of its text       cu:HASH  URL (host + path)
 *   cd:HASH  registrable domain        cp:HASH  phone number
 * each a set of ids (at most 16). A later message on any channel whose
 * print meets them gets one finding per kind, naming the id it resembles:
 *   memory.campaign.text    [memory] campaign_text_match or more shingles
 *                           in common (of MEMORY_SHINGLES): a near-duplicate
 *   memory.campaign.url     the same URL (any query)
 *   memory.campaign.domain  a domain of that item (when no URL matched)
 *   memory.campaign.phone   a phone number of that item
 * An item released as a false positive is marked (fp:ID) and matches no
 * more; the URLs, domains and numbers of a benign example or a released
 * item are marked too (ok:HASH) and match no more on their own.
 *
 * Store down: one finding store.unavailable (category memory, weight
 * [memory] unavailable_weight, 0 by default) with the cause; the scan goes on.
 *
 * SECURITY: only keyed hashes and our own ids reach the store. Evidence
 * shows the URL, domain or number as this message wrote it, not the other's.
 */
#include "memory.h"

#include "vlog.h"

#include <string.h>

#define CAMPAIGN_SET_CAP 16
#define CAMPAIGN_MAX_CANDIDATES 8

typedef enum { K_TEXT, K_URL, K_DOMAIN, K_PHONE, K_COUNT } campaign_kind;
static const char *const kind_prefix[K_COUNT] = { "cs:", "cu:", "cd:", "cp:" };
static const char *const kind_rule[K_COUNT] = { "memory.campaign.text", "memory.campaign.url",
						"memory.campaign.domain", "memory.campaign.phone" };
static const char *const kind_weight[K_COUNT] = { "campaign_text_weight", "campaign_url_weight",
						  "campaign_domain_weight", "campaign_phone_weight" };

static GPtrArray *print_part(const memory_print *p, campaign_kind k)
{
	return k == K_TEXT ? p->shingles : k == K_URL ? p->urls : k == K_DOMAIN ? p->domains : p->phones;
}

/* campaign_flag - true when the store holds key (a mark: fp:ID, ok:HASH) */
static bool campaign_flag(vigie_store *s, const char *prefix, const char *what)
{
	char *k = g_strconcat(prefix, what, NULL);
	char *val = NULL;
	bool set = vigie_store_get(s, k, &val, NULL) == VIGIE_STORE_OK;
	g_free(val);
	g_free(k);
	return set;
}

/* campaign_what - what an id names: a quarantine item, or an example
 * taught by `vigie learn` */
static const char *campaign_what(const char *id)
{
	return g_str_has_prefix(id, "learn:") ? "learned example" : "quarantine item";
}

typedef struct {
	char *id;
	guint hits[K_COUNT];
	int first[K_COUNT]; /* index in the print's part of the first hit */
} candidate;

static gint candidate_cmp(gconstpointer a, gconstpointer b)
{
	return strcmp((*(candidate *const *)a)->id, (*(candidate *const *)b)->id);
}

/* memory_campaign_settings - see memory.h */
void memory_campaign_settings(const vigie_config *c, campaign_settings *cs)
{
	cs->enabled = vigie_config_get_bool(c, "memory", "enabled");
	cs->unavailable_weight = (int)vigie_config_get_int(c, "memory", "unavailable_weight");
	cs->text_match = (guint)vigie_config_get_int(c, "memory", "campaign_text_match");
	for (int k = 0; k < K_COUNT; k++)
		cs->weight[k] = (int)vigie_config_get_int(c, "memory", kind_weight[k]);
	cs->ttl = vigie_config_get_int(c, "memory", "campaign_ttl");
}

/* memory_campaign_scan - see memory.h */
bool memory_campaign_scan(const campaign_settings *cs, vigie_store *s, const memory_print *p, vigie_verdict *v)
{
	GError *err = NULL;
	bool ok = true;
	GPtrArray *keys = g_ptr_array_new_with_free_func(g_free);
	for (int k = 0; k < K_COUNT; k++)
		for (guint i = 0; i < print_part(p, k)->len; i++)
			g_ptr_array_add(keys, g_strconcat(kind_prefix[k], g_ptr_array_index(print_part(p, k), i), NULL));
	GPtrArray **sets = g_new0(GPtrArray *, keys->len + 1);
	VigieStoreStatus st = store_smembers_many(s, (const char *const *)keys->pdata, keys->len, sets, &err);
	if (st == VIGIE_STORE_DOWN) {
		memory_unavailable(cs, v, err->message);
		g_error_free(err);
		ok = false;
		goto out;
	}
	/* tally the ids met, per kind */
	GPtrArray *cands = g_ptr_array_new();
	guint at = 0;
	for (int k = 0; k < K_COUNT; k++)
		for (guint i = 0; i < print_part(p, k)->len; i++, at++) {
			GPtrArray *ids = sets[at];
			for (guint j = 0; ids && j < ids->len; j++) {
				const char *id = g_ptr_array_index(ids, j);
				candidate *cd = NULL;
				for (guint q = 0; q < cands->len && !cd; q++)
					if (!strcmp(((candidate *)g_ptr_array_index(cands, q))->id, id))
						cd = g_ptr_array_index(cands, q);
				if (!cd && cands->len < CAMPAIGN_MAX_CANDIDATES) {
					cd = g_new0(candidate, 1);
					cd->id = g_strdup(id);
					g_ptr_array_add(cands, cd);
				}
				if (cd && cd->hits[k]++ == 0)
					cd->first[k] = (int)i;
			}
		}
	/* the oldest first (ids sort by time): a finding names where the campaign was first seen */
	g_ptr_array_sort(cands, candidate_cmp);
	guint text_match = cs->text_match;
	bool done[K_COUNT] = { false };
	for (guint q = 0; q < cands->len; q++) {
		candidate *cd = g_ptr_array_index(cands, q);
		if (campaign_flag(s, "fp:", cd->id))
			continue; /* released as a false positive */
		for (int k = 0; k < K_COUNT; k++) {
			if (done[k] || !cd->hits[k] || (k == K_TEXT && cd->hits[k] < text_match))
				continue;
			if (k == K_DOMAIN && cd->hits[K_URL])
				continue; /* the URL says more */
			char *ev = NULL;
			if (k == K_TEXT) {
				ev = g_strdup_printf("resembles %s %s (%u of %u text shingles shared)",
						     campaign_what(cd->id), cd->id, cd->hits[k], p->shingles->len);
			} else {
				/* shown: urls, then domains, then phones */
				guint off = (guint)cd->first[k] + (k > K_URL ? p->urls->len : 0) +
					    (k > K_DOMAIN ? p->domains->len : 0);
				const char *hash = g_ptr_array_index(print_part(p, k), cd->first[k]);
				if (campaign_flag(s, "ok:", hash))
					continue; /* seen in a benign message */
				const char *what = k == K_URL ? "URL" : k == K_DOMAIN ? "domain" : "phone number";
				ev = g_strdup_printf("%s of %s %s: %s", what, campaign_what(cd->id), cd->id,
						     off < p->shown->len ? (char *)g_ptr_array_index(p->shown, off) : "?");
			}
			verdict_add_finding(v, kind_rule[k], "campaign",
					    cs->weight[k], ev, "memory");
			g_free(ev);
			done[k] = true;
		}
	}
	for (guint q = 0; q < cands->len; q++) {
		candidate *cd = g_ptr_array_index(cands, q);
		g_free(cd->id);
		g_free(cd);
	}
	g_ptr_array_unref(cands);
out:
	for (guint i = 0; i < keys->len; i++)
		if (sets[i])
			g_ptr_array_unref(sets[i]);
	g_free(sets);
	g_ptr_array_unref(keys);
	return ok;
}

/* campaign_record - every hash of p remembered with id for ttl seconds, in
 * one transaction */
static bool campaign_record(vigie_store *s, gint64 ttl, const memory_print *p, const char *id, GError **err)
{
	GPtrArray *keys = g_ptr_array_new_with_free_func(g_free);
	for (int k = 0; k < K_COUNT; k++)
		for (guint i = 0; i < print_part(p, k)->len; i++)
			g_ptr_array_add(keys, g_strconcat(kind_prefix[k], g_ptr_array_index(print_part(p, k), i), NULL));
	VigieStoreStatus st = store_sadd_many(s, (const char *const *)keys->pdata, keys->len, id, ttl,
					      CAMPAIGN_SET_CAP, err);
	g_ptr_array_unref(keys);
	return st != VIGIE_STORE_DOWN;
}

/* memory_campaign_record - see memory.h */
bool memory_campaign_record(const campaign_settings *cs, vigie_store *s, const memory_print *p, const char *id,
			    GError **err)
{
	return campaign_record(s, cs->ttl, p, id, err);
}

/* memory_campaign_benign - see memory.h */
bool memory_campaign_benign(const campaign_settings *cs, vigie_store *s, const memory_print *p, const char *id,
			    GError **err)
{
	gint64 ttl = cs->ttl;
	if (id) {
		char *key = g_strconcat("fp:", id, NULL);
		VigieStoreStatus st = vigie_store_put(s, key, "1", ttl, err);
		g_free(key);
		if (st == VIGIE_STORE_DOWN)
			return false;
	}
	for (int k = K_URL; k < K_COUNT; k++)
		for (guint i = 0; i < print_part(p, k)->len; i++) {
			char *key = g_strconcat("ok:", g_ptr_array_index(print_part(p, k), i), NULL);
			VigieStoreStatus st = vigie_store_put(s, key, "1", ttl, err);
			g_free(key);
			if (st == VIGIE_STORE_DOWN)
				return false;
		}
	return true;
}

/* ---- the verdict's note -------------------------------------------------- */
struct memory_note {
	vigie_store *store; /* a reference */
	gint64 ttl;
	memory_print *print;
};

memory_note *memory_note_new(const campaign_settings *cs, vigie_store *s, memory_print *p)
{
	memory_note *n = g_new0(memory_note, 1);
	n->store = store_ref(s);
	n->ttl = cs->ttl;
	n->print = p;
	return n;
}

/* memory_note_commit - remember the print under id (the quarantine item) */
void memory_note_commit(memory_note *n, const char *id)
{
	GError *err = NULL;
	if (n && !campaign_record(n->store, n->ttl, n->print, id, &err)) {
		vlog(LOG_WARNING, id, "campaign memory not recorded: %s", err->message);
		g_error_free(err);
	}
}

void memory_note_free(gpointer p)
{
	memory_note *n = p;
	if (!n)
		return;
	vigie_store_close(n->store);
	memory_print_free(n->print);
	g_free(n);
}
