/* memory_history.c - sender history: first contact and a clean record
 *
 * Who a message is from, as history knows it:
 *   mail  the From address (else the envelope sender), lower case, and its
 *         registrable domain (a free-mail domain is not an identity: only
 *         the address counts there)
 *   chat  the platform and the author id (the webhook verified who sent it)
 * Messages in which the organisation speaks (internal, outbound) have no
 * history: they are neither counted nor judged.
 *
 * Four counters per identity, keyed hashes (vigie_store_hash "sender",
 * "sender-domain"), each expiring [history] ttl seconds after its creation:
 *   hs:H  messages seen (every scan; the domain has one too)
 *   hq:H  of those, quarantined or rejected (minus those released)
 *   hb:H  confirmed malicious by an analyst (or learned so)
 * One batch per scan adds 1 to the seen counters and reads the others (one
 * transaction, one Redis round trip); a quarantining verdict adds 1 to hq
 * after the policy. The clean history of a sender is its earlier messages
 * seen and not quarantined, when none was ever confirmed malicious.
 *
 * Findings (category sender-history):
 *   sender.first-contact  the address and its domain were never seen:
 *                         [history] first_contact_weight, or
 *                         first_contact_ask_weight when the message also
 *                         asks for a payment or a secret ([history]
 *                         ask_rules: rule prefixes of the intent and
 *                         lexicon findings that are such asks)
 *   sender.new-address    the address is new, its domain is not:
 *                         new_address_weight / new_address_ask_weight
 *   sender.clean-history  [history] clean_history or more earlier clean
 *                         messages: a negative weight that leaves the topic
 *                         findings ([history] topic_rules, not the asks)
 *                         clean_percent of their weight, at most
 *                         clean_max_discount off; for mail only when our
 *                         MTA authenticated the From domain
 *                         ([history] clean_needs_auth): a spoofed From
 *                         must not borrow a real sender's record
 *
 * SECURITY: addresses and ids are the sender's; they are only lower-cased
 * and hashed with the store's key. Evidence names the address as this
 * message wrote it.
 */
#include "memory.h"
#include "engine.h"
#include "sender.h"
#include "vlog.h"

#include <string.h>

/* memory_history_settings - see memory.h */
void memory_history_settings(const vigie_config *c, history_settings *h)
{
	h->enabled = vigie_config_get_bool(c, "history", "enabled");
	h->ttl = vigie_config_get_int(c, "history", "ttl");
	h->first_weight = (int)vigie_config_get_int(c, "history", "first_contact_weight");
	h->first_ask_weight = (int)vigie_config_get_int(c, "history", "first_contact_ask_weight");
	h->new_weight = (int)vigie_config_get_int(c, "history", "new_address_weight");
	h->new_ask_weight = (int)vigie_config_get_int(c, "history", "new_address_ask_weight");
	h->clean_after = (gint64)vigie_config_get_int(c, "history", "clean_history");
	h->clean_percent = (int)vigie_config_get_int(c, "history", "clean_percent");
	h->clean_max = (int)vigie_config_get_int(c, "history", "clean_max_discount");
	h->clean_needs_auth = vigie_config_get_bool(c, "history", "clean_needs_auth");
	h->ask_rules = config_get_list(c, "history", "ask_rules");
	h->topic_rules = config_get_list(c, "history", "topic_rules");
}

void memory_history_settings_clear(history_settings *h)
{
	g_strfreev(h->ask_rules);
	g_strfreev(h->topic_rules);
}

static bool has_prefix_in(char **prefixes, const char *rule)
{
	for (int i = 0; prefixes && prefixes[i]; i++)
		if (g_str_has_prefix(rule, prefixes[i]))
			return true;
	return false;
}

/* history_who - the identity of m: *addr (lower case) and *domain (NULL
 * for chat and free mail), or false (no sender to speak of) */
static bool history_who(const vigie_engine *e, const vigie_message *m, char **addr, char **domain,
			char **shown)
{
	*addr = *domain = *shown = NULL;
	if (m->channel == VIGIE_CHANNEL_CHAT) {
		if (!m->env.author_id || !*m->env.author_id)
			return false;
		*addr = g_strdup_printf("%s:%s", m->env.platform ? m->env.platform : "", m->env.author_id);
		*shown = g_strdup_printf("author %s", m->env.author_id);
		return true;
	}
	const char *from = vigie_message_header(m, "From");
	sender_address *a = from ? sender_address_parse(from) : NULL;
	const char *written = a && a->domain && *a->address ? a->address : m->env.mail_from;
	if (!written || !strchr(written, '@')) {
		sender_address_free(a);
		return false;
	}
	*addr = g_utf8_strdown(written, -1);
	*shown = g_strdup(written);
	const char *at = strrchr(*addr, '@');
	char *reg = url_registrable_domain(at + 1);
	if (reg && !(e->sender && sender_is_freemail(e->sender, reg)))
		*domain = reg;
	else
		g_free(reg);
	sender_address_free(a);
	return true;
}

/* a sender as history counts it: its identity and the store's keyed
 * hashes of the address (ha) and of the domain (hd, NULL when there is no
 * domain identity) */
typedef struct {
	char *addr, *domain, *shown;
	char *ha, *hd;
} history_id;

static void history_id_clear(history_id *id)
{
	g_free(id->addr);
	g_free(id->domain);
	g_free(id->shown);
	g_free(id->ha);
	g_free(id->hd);
}

/* history_id_get - the sender of m with its hashes: 1 got, 0 m has no
 * sender history, -1 the store could not hash (*err set); id is to be
 * cleared in every case */
static int history_id_get(const vigie_engine *e, const vigie_message *m, history_id *id, GError **err)
{
	memset(id, 0, sizeof *id);
	if (!history_who(e, m, &id->addr, &id->domain, &id->shown))
		return 0;
	id->ha = vigie_store_hash(e->store, "sender", id->addr, err);
	id->hd = id->ha && id->domain ? vigie_store_hash(e->store, "sender-domain", id->domain, err) : NULL;
	return id->ha && (!id->domain || id->hd) ? 1 : -1;
}

/* memory_history_scan - see memory.h */
bool memory_history_scan(const vigie_engine *e, const vigie_message *m, memory_print *p, vigie_verdict *v)
{
	const history_settings *h = &e->memory->history;
	if (!h->enabled || (v->speaker && (!strcmp(v->speaker, "internal") || !strcmp(v->speaker, "outbound"))))
		return true;
	GError *err = NULL;
	bool ok = false;
	history_id id;
	int got = history_id_get(e, m, &id, &err);
	if (got == 0) {
		history_id_clear(&id);
		return true;
	}
	if (got < 0)
		goto out;
	const char *ha = id.ha, *hd = id.hd, *domain = id.domain, *shown = id.shown;
	char *keys[5] = { g_strconcat("hs:", ha, NULL), g_strconcat("hq:", ha, NULL), g_strconcat("hb:", ha, NULL),
			  hd ? g_strconcat("hs:", hd, NULL) : NULL, NULL };
	gint64 record = e->read_only_scans ? 0 : 1;
	gint64 deltas[4] = { record, 0, 0, record }, n[4];
	VigieStoreStatus st = store_count_many(e->store, (const char *const *)keys, hd ? 4 : 3, deltas, h->ttl, n, &err);
	for (int i = 0; i < 4; i++)
		g_free(keys[i]);
	if (st == VIGIE_STORE_DOWN)
		goto out;
	ok = true;
	p->history_key = g_strdup(ha);
	gint64 seen = n[0] - record, quarantined = n[1], bad = n[2], domain_seen = hd ? n[3] - record : 0;
	/* what the message asks, and what it is only about */
	const char *ask = NULL;
	int topic = 0;
	for (guint i = 0; i < v->findings->len; i++) {
		const vigie_finding *f = g_ptr_array_index(v->findings, i);
		if (f->weight <= 0)
			continue;
		if (has_prefix_in(h->ask_rules, f->rule)) {
			if (!ask)
				ask = f->rule;
		} else if (has_prefix_in(h->topic_rules, f->rule)) {
			topic += f->weight;
		}
	}
	if (seen <= 0) {
		bool dom_new = !hd || domain_seen <= 0;
		char *ev = g_strdup_printf("first message from %s%s%s%s", shown,
					   !domain ? "" : dom_new ? ", and from its domain" : ", though its domain is known",
					   ask ? ", asking: " : "", ask ? ask : "");
		if (dom_new)
			verdict_add_finding(v, "sender.first-contact", "sender-history",
					    ask ? h->first_ask_weight : h->first_weight, ev, "sender");
		else
			verdict_add_finding(v, "sender.new-address", "sender-history",
					    ask ? h->new_ask_weight : h->new_weight, ev, "sender");
		g_free(ev);
	} else if (!bad && seen - quarantined >= h->clean_after && strcmp(v->speaker ? v->speaker : "", "brand")) {
		bool trusted = m->channel == VIGIE_CHANNEL_CHAT || !h->clean_needs_auth ||
			       (e->sender && sender_from_authenticated(e->sender, m, NULL));
		if (trusted) {
			int off = topic - (int)((long long)topic * h->clean_percent / 100);
			off = MIN(off, h->clean_max);
			char *ev = g_strdup_printf("%" G_GINT64_FORMAT " earlier messages from %s delivered, none "
						   "confirmed malicious: topic findings at %d%%",
						   seen - quarantined, shown, h->clean_percent);
			verdict_add_finding(v, "sender.clean-history", "sender-history", -off, ev, "sender");
			g_free(ev);
		}
	}
out:
	if (!ok) {
		memory_unavailable(&e->memory->campaign, v, err ? err->message : "store unavailable");
		g_clear_error(&err);
	}
	history_id_clear(&id);
	return ok;
}

/* memory_history_keep - see memory.h */
void memory_history_keep(const vigie_engine *e, const vigie_verdict *v, const memory_print *p)
{
	if (!p->history_key || e->read_only_scans || v->action < VIGIE_ACTION_QUARANTINE)
		return;
	char *key = g_strconcat("hq:", p->history_key, NULL);
	GError *err = NULL;
	if (vigie_store_incr(e->store, key, 1, e->memory->history.ttl, NULL, &err) == VIGIE_STORE_DOWN) {
		vlog(LOG_WARNING, NULL, "sender history not recorded: %s", err->message);
		g_error_free(err);
	}
	g_free(key);
}

/* memory_history_learn - see memory.h */
bool memory_history_learn(const vigie_engine *e, const vigie_message *m, VigieLearn label, const char *id,
			  GError **err)
{
	const history_settings *h = &e->memory->history;
	if (!h->enabled)
		return true;
	history_id who;
	int got = history_id_get(e, m, &who, err);
	bool ok = got == 0;
	const char *ha = who.ha, *hd = who.hd;
	if (got > 0) {
		/* a quarantine item was counted when it was scanned; a learned
		 * example (learn:HASH, or none) is counted now */
		bool item = id && !g_str_has_prefix(id, "learn:");
		bool bad = label == VIGIE_LEARN_MALICIOUS;
		char *keys[4] = { g_strconcat("hs:", ha, NULL), g_strconcat("hq:", ha, NULL),
				  g_strconcat("hb:", ha, NULL), hd ? g_strconcat("hs:", hd, NULL) : NULL };
		gint64 deltas[4] = { item ? 0 : 1, item ? (bad ? 0 : -1) : (bad ? 1 : 0), bad ? 1 : 0, item ? 0 : 1 };
		gint64 n[4];
		ok = store_count_many(e->store, (const char *const *)keys, hd ? 4 : 3, deltas, h->ttl, n, err) !=
		     VIGIE_STORE_DOWN;
		for (int i = 0; i < 4; i++)
			g_free(keys[i]);
	}
	history_id_clear(&who);
	return ok;
}
