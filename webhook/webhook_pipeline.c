/* webhook_pipeline.c - one POST to a channel, from raw body to answer:
 * signature (401) -> parse (400) -> per message: duplicate? (first
 * verdict) -> rate limits (429) -> scan (503 on failure) -> quarantine
 * store before answering (503 on failure) -> forward downstream in gateway
 * mode (503 on failure) -> the platform's answer.
 *
 * Every 503 leaves nothing half-done that matters: the platform delivers
 * again, and messages of the same delivery already finished are then
 * answered from the duplicate cache rather than scanned twice.
 *
 * SECURITY: nothing in the body is read before the channel's signature
 * matched. Log lines start with our request id and quote only ids and
 * verdicts, never secrets or message text.
 */
#include "webhook.h"
#include "webhook_pipeline.h"
#include "vlog.h"

#include <string.h>

static webhook_observer pipeline_observer;

/* webhook_set_observer - see webhook.h */
void webhook_set_observer(webhook_observer fn)
{
	pipeline_observer = fn;
}

/* pipeline_findings - the verdict's findings as a JSON array */
static char *pipeline_findings(const vigie_verdict *v)
{
	if (!v->findings->len) /* most messages: no builder needed */
		return g_strdup("[]");
	JsonBuilder *b = json_builder_new();
	json_builder_begin_array(b);
	for (guint i = 0; i < v->findings->len; i++) {
		const vigie_finding *f = g_ptr_array_index(v->findings, i);
		json_builder_begin_object(b);
		json_builder_set_member_name(b, "rule");
		json_builder_add_string_value(b, f->rule);
		json_builder_set_member_name(b, "category");
		json_builder_add_string_value(b, f->category);
		json_builder_set_member_name(b, "weight");
		json_builder_add_int_value(b, f->weight);
		json_builder_set_member_name(b, "where");
		json_builder_add_string_value(b, f->where);
		json_builder_end_object(b);
	}
	json_builder_end_array(b);
	return webhook_json_to_string(b);
}

/* pipeline_item - one message: the states above; false with rep set */
static bool pipeline_item(wh_pipeline *p, const wh_channel *ch, const wh_request *r,
			  vigie_engine *e, wh_item *it, wh_reply *rep)
{
	char *key = it->id ? g_strconcat(ch->name, "\x1f", it->id, NULL) : NULL;
	vigie_store *shared = p->shared_dedup ? vigie_engine_store(e) : NULL;
	bool ok = false;
	const char *mid = it->id ? it->id : "-";
	if (key) {
		wh_dedup_state st = webhook_dedup_claim(p->dedup, key, r->now, it);
		if (st == WH_DEDUP_NEW && shared) {
			/* another node may have it: its verdict, or its claim */
			st = webhook_dedup_shared_claim(shared, key, it);
			if (st != WH_DEDUP_NEW)
				webhook_dedup_release(p->dedup, key);
		}
		if (st == WH_DEDUP_DONE) {
			webhook_metrics_count(ch, "duplicate");
			vlog(LOG_INFO, r->request_id, "channel=%s msgid=%s duplicate: first verdict %s",
			     ch->name, mid, vigie_action_name(it->action));
			g_free(key);
			return true;
		}
		if (st == WH_DEDUP_PENDING) {
			wh_reply_error(rep, 503, r->request_id, "this message is being scanned; retry");
			rep->retry_after = g_strdup("1");
			g_free(key);
			return false;
		}
	}
	if (!it->m->env.source)
		it->m->env.source = g_strdup(ch->name);
	unsigned wait = 1;
	wh_rate_result rr = webhook_rate_take(p->rate, vigie_engine_store(e), ch->name,
					      it->m->env.conversation,
					      it->m->env.author_id, g_get_monotonic_time() / 1e6, &wait);
	if (rr != WH_RATE_OK) {
		webhook_metrics_rate(ch, rr);
		if (pipeline_observer)
			pipeline_observer(ch->name, it->m, NULL, NULL);
		vlog(LOG_NOTICE, r->request_id, "channel=%s msgid=%s refused: %s rate limit",
		     ch->name, mid, webhook_rate_scope(rr));
		char *why = g_strdup_printf("too many messages (%s limit); retry later",
					    webhook_rate_scope(rr));
		wh_reply_error(rep, 429, r->request_id, why);
		g_free(why);
		rep->retry_after = g_strdup_printf("%u", wait);
		goto out;
	}
	vigie_verdict *v = vigie_scan(e, it->m);
	if (v->error) {
		webhook_metrics_count(ch, "scan_failure");
		vlog(LOG_WARNING, r->request_id, "channel=%s msgid=%s scan failed: %s", ch->name, mid, v->error);
		wh_reply_error(rep, 503, r->request_id, "the message could not be scanned; retry later");
		vigie_verdict_free(v);
		goto out;
	}
	it->action = v->action;
	it->score = v->score;
	it->findings_json = pipeline_findings(v);
	if (v->action >= VIGIE_ACTION_QUARANTINE) {
		GError *err = NULL;
		it->quarantine_id = p->q ? vigie_quarantine_store(p->q, it->m, v, &err) : NULL;
		if (!it->quarantine_id) {
			webhook_metrics_count(ch, "store_failure");
			vlog(LOG_ERR, r->request_id, "channel=%s msgid=%s quarantine store failed: %s", ch->name,
			     mid, err ? err->message : "no quarantine");
			g_clear_error(&err);
			wh_reply_error(rep, 503, r->request_id, "the message could not be quarantined; retry later");
			vigie_verdict_free(v);
			goto out;
		}
	} else if (ch->adapter->gateway && *ch->downstream_url) {
		GError *err = NULL;
		if (!webhook_forward(ch, it, r, p->forward_timeout, &err)) {
			webhook_metrics_count(ch, "forward_failure");
			vlog(LOG_WARNING, r->request_id, "channel=%s msgid=%s %s", ch->name, mid, err->message);
			g_error_free(err);
			wh_reply_error(rep, 503, r->request_id, "the message could not be delivered downstream; retry later");
			vigie_verdict_free(v);
			goto out;
		}
	}
	webhook_metrics_message(ch, v->action, v);
	if (pipeline_observer)
		pipeline_observer(ch->name, it->m, v, it->quarantine_id);
	vlog(LOG_INFO, r->request_id, "channel=%s platform=%s msgid=%s action=%s score=%d findings=%u%s%s time=%.1fms",
	     ch->name, ch->adapter->platform, mid, vigie_action_name(v->action), v->score,
	     v->findings->len, it->quarantine_id ? " quarantine=" : "",
	     it->quarantine_id ? it->quarantine_id : "", v->elapsed_ms);
	vigie_verdict_free(v);
	if (key) {
		webhook_dedup_finish(p->dedup, key, it, r->now);
		if (shared)
			webhook_dedup_shared_finish(shared, key, it, p->dedup_ttl);
	}
	ok = true;
out:
	if (key && !ok) {
		webhook_dedup_release(p->dedup, key);
		if (shared)
			webhook_dedup_shared_release(shared, key);
	}
	g_free(key);
	return ok;
}

/* webhook_pipeline_run - see webhook_pipeline.h */
void webhook_pipeline_run(wh_pipeline *p, const wh_channel *ch, const wh_request *r, wh_reply *rep)
{
	const char *why = NULL;
	if (!ch->adapter->verify(ch, r, &why)) {
		webhook_metrics_count(ch, "signature");
		vlog(LOG_WARNING, r->request_id, "channel=%s refused (401): %s", ch->name, why);
		wh_reply_error(rep, 401, r->request_id, why);
		return;
	}
	GPtrArray *items = g_ptr_array_new_with_free_func(wh_item_free);
	GError *err = NULL;
	vigie_engine *e = NULL;
	wh_parse_result pr = ch->adapter->parse(ch, r, items, rep, &err);
	if (pr == WH_PARSE_ERROR) {
		webhook_metrics_count(ch, "bad_request");
		vlog(LOG_WARNING, r->request_id, "channel=%s bad request (400): %s", ch->name,
		     err ? err->message : "unreadable payload");
		wh_reply_error(rep, 400, r->request_id, err ? err->message : "unreadable payload");
		goto out;
	}
	if (pr == WH_PARSE_REPLY)
		goto out;
	e = vigie_slot_get(p->slot);
	if (!e) {
		vlog(LOG_WARNING, r->request_id, "channel=%s no engine loaded (503)", ch->name);
		wh_reply_error(rep, 503, r->request_id, "rules not loaded; retry later");
		goto out;
	}
	for (guint i = 0; i < items->len; i++)
		if (!pipeline_item(p, ch, r, e, g_ptr_array_index(items, i), rep))
			goto out;
	ch->adapter->answer(ch, r, items, vigie_engine_config(e), rep);
out:
	g_clear_error(&err);
	vigie_engine_unref(e);
	g_ptr_array_unref(items);
}
