/* memory.c - the memory analyser: what Vigie remembers, at scan and decision
 *
 * At scan (memory_scan, after the other analysers, before the policy): the
 * message's print is compared with campaign memory (memory_campaign.c).
 * The print is kept with the verdict (memory_keep) only when the verdict
 * quarantines, so that vigie_quarantine_store remembers it under the new
 * item's id once the item is on disk. At decision (vigie_memory_learn: the
 * quarantine review's release and confirm, and `vigie learn`): a malicious
 * message's print is remembered like a quarantined one; a benign one marks
 * its id as a false positive and its links and numbers as harmless. Each
 * decision is also counted (n:malicious, n:benign) for the classifier, and
 * for or against its sender (memory_history.c), and trains the
 * per-deployment classifier once (memory_classifier.c), on the lexicon's
 * and intent's findings worked out again for it. Sender history and the
 * classifier are read at scan too, after the other analysers.
 *
 * Nothing here blocks a scan past [store] timeout, and a store that is down
 * costs a finding (store.unavailable), never the verdict.
 */
#include "memory.h"
#include "engine.h"

#include <string.h>

#define DECISION_COUNT_TTL (3650LL * 86400) /* counters of decisions: ten years */

/* memory_unavailable - see memory.h */
void memory_unavailable(const campaign_settings *cs, vigie_verdict *v, const char *why)
{
	verdict_add_finding(v, "store.unavailable", "memory", cs->unavailable_weight, why, "memory");
}

/* memory_scan - see internal.h */
memory_print *memory_scan(const vigie_engine *e, scan_ctx *sc, vigie_verdict *v)
{
	const campaign_settings *cs = &e->memory->campaign;
	if (!e->store || !cs->enabled)
		return NULL;
	GError *err = NULL;
	memory_print *p = memory_print_new(e->urls, e->store, sc, &err);
	if (!p) {
		memory_unavailable(cs, v, err->message);
		g_error_free(err);
		return NULL;
	}
	memory_campaign_scan(cs, e->store, p, v);
	memory_history_scan(e, scan_ctx_message(sc), p, v);
	memory_classifier_scan(e, sc, v);
	return p;
}

/* memory_settings_new - see internal.h */
memory_settings *memory_settings_new(const vigie_config *c)
{
	memory_settings *s = g_new0(memory_settings, 1);
	memory_history_settings(c, &s->history);
	memory_campaign_settings(c, &s->campaign);
	memory_classifier_settings(c, &s->classifier);
	return s;
}

void memory_settings_free(memory_settings *s)
{
	if (!s)
		return;
	memory_history_settings_clear(&s->history);
	memory_classifier_settings_clear(&s->classifier);
	g_free(s);
}

/* memory_keep - see internal.h */
void memory_keep(const vigie_engine *e, vigie_verdict *v, memory_print *p)
{
	if (p)
		memory_history_keep(e, v, p);
	if (p && v->action >= VIGIE_ACTION_QUARANTINE)
		v->memory = memory_note_new(&e->memory->campaign, e->store, p);
	else
		memory_print_free(p);
}

/* memory_learn_findings - the lexicon's and intent's findings on the
 * message of sc, as a scan would have them when the classifier reads them
 * (a decision's message is not scanned again whole: those are the findings
 * that are features) */
static vigie_verdict *memory_learn_findings(const vigie_engine *e, scan_ctx *sc)
{
	const vigie_message *m = scan_ctx_message(sc);
	vigie_verdict *v = verdict_new(m->channel);
	const char *d = m->channel == VIGIE_CHANNEL_CHAT ? m->env.direction : NULL;
	const char *speaker = d && !strcmp(d, "outbound") ? "outbound" : d && !strcmp(d, "internal") ? "internal" : "inbound";
	v->speaker = speaker;
	GError *err = NULL;
	if (e->lexicon && !lexicon_scan(e->lexicon, sc, e->scan.short_text, v, &err))
		g_clear_error(&err);
	if (e->intent && !intent_scan(e->intent, sc, speaker, e->scan.short_text, v, &err))
		g_clear_error(&err);
	if (e->intent)
		intent_model_apply(e->intent, sc, v);
	return v;
}

/* vigie_memory_learn - see vigie.h */
bool vigie_memory_learn(vigie_engine *e, const vigie_message *m, VigieLearn label, const char *id,
			GError **err)
{
	if (!e->store) {
		g_set_error(err, VIGIE_ERROR, VIGIE_ERROR_CONFIG, "the store is disabled ([store] enabled = no)");
		return false;
	}
	scan_ctx *sc = scan_ctx_new(m, e->urls);
	memory_print *p = memory_print_new(e->urls, e->store, sc, err);
	if (!p) {
		scan_ctx_free(sc);
		return false;
	}
	const campaign_settings *cs = &e->memory->campaign;
	bool ok = label == VIGIE_LEARN_MALICIOUS ? memory_campaign_record(cs, e->store, p, id, err)
						 : memory_campaign_benign(cs, e->store, p, id, err);
	if (ok)
		ok = memory_history_learn(e, m, label, id, err);
	if (ok)
		ok = vigie_store_incr(e->store, label == VIGIE_LEARN_MALICIOUS ? "n:malicious" : "n:benign", 1,
				      DECISION_COUNT_TTL, NULL, err) != VIGIE_STORE_DOWN;
	if (ok && e->memory->classifier.enabled) {
		vigie_verdict *v = memory_learn_findings(e, sc);
		ok = memory_classifier_learn(e, sc, v, label, id, err);
		vigie_verdict_free(v);
	}
	memory_print_free(p);
	scan_ctx_free(sc);
	return ok;
}
