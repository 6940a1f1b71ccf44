/* webhook_slack.c - Slack Events API. Slack notifies after the fact, so
 * this is a gateway: Vigie scans each message event and forwards released
 * and tagged ones to downstream_url, holding quarantined ones.
 *
 * Signature: X-Slack-Signature = "v0=" + hex HMAC-SHA256(signing secret,
 * "v0:" timestamp ":" body), X-Slack-Request-Timestamp within [webhook]
 * replay_window (5 minutes by default). url_verification is answered with
 * its challenge (after the signature matched). Duplicate key: event_id, so
 * retries (X-Slack-Retry-Num) get the first verdict. Events other than
 * messages are acknowledged and not scanned. Answer: 200 with a summary.
 *
 * SECURITY: as every adapter: read only after the signature matched, every
 * field type-checked.
 */
#include "webhook_internal.h"

#include <string.h>

/* slack_verify - window, then HMAC over "v0:ts:body" */
static bool slack_verify(const wh_channel *ch, const wh_request *r, const char **why)
{
	const char *ts = wh_header(r, "x-slack-request-timestamp");
	const char *sig = wh_header(r, "x-slack-signature");
	if (!ts || !sig || !g_str_has_prefix(sig, "v0=")) {
		*why = "missing X-Slack-Request-Timestamp or X-Slack-Signature";
		return false;
	}
	if (!webhook_auth_fresh(ts, r->now, r->replay_window)) {
		*why = "timestamp outside the replay window";
		return false;
	}
	char *prefix = g_strdup_printf("v0:%s:", ts);
	GBytes *mac = webhook_auth_hmac(G_CHECKSUM_SHA256, ch->secret_bytes, prefix, strlen(prefix),
					r->body, r->body_len, NULL, 0);
	bool ok = webhook_auth_check_hex(sig + 3, mac);
	g_bytes_unref(mac);
	g_free(prefix);
	if (!ok)
		*why = "signature mismatch";
	return ok;
}

/* slack_parse - url_verification or an event_callback */
static wh_parse_result slack_parse(const wh_channel *ch, const wh_request *r, GPtrArray *items,
				   wh_reply *rep, GError **err)
{
	JsonNode *root = webhook_json_parse(r->body, r->body_len, err);
	if (!root)
		return WH_PARSE_ERROR;
	JsonObject *o = json_node_get_object(root), *ev = NULL;
	JsonArray *files = NULL;
	const char *type = NULL, *challenge = NULL, *etype = NULL, *subtype = NULL;
	wh_chat chat = { .platform = "slack" };
	wh_parse_result res = WH_PARSE_ERROR;
	GPtrArray *atts = g_ptr_array_new_with_free_func(g_free);
	if (!webhook_json_str(o, "type", "type", &type, err))
		goto out;
	if (type && !strcmp(type, "url_verification")) {
		if (!webhook_json_str(o, "challenge", "challenge", &challenge, err))
			goto out;
		if (!challenge) {
			g_set_error(err, VIGIE_ERROR, VIGIE_ERROR_INPUT, "missing field 'challenge'");
			goto out;
		}
		JsonBuilder *b = json_builder_new();
		json_builder_begin_object(b);
		json_builder_set_member_name(b, "challenge");
		json_builder_add_string_value(b, challenge);
		json_builder_end_object(b);
		wh_reply_set(rep, 200, "application/json", webhook_json_to_string(b));
		res = WH_PARSE_REPLY;
		goto out;
	}
	if (!webhook_json_str(o, "event_id", "event_id", &chat.message_id, err) ||
	    !webhook_json_obj(o, "event", "event", &ev, err) ||
	    !webhook_json_str(ev, "type", "event.type", &etype, err) ||
	    !webhook_json_str(ev, "subtype", "event.subtype", &subtype, err) ||
	    !webhook_json_str(ev, "user", "event.user", &chat.author_id, err) ||
	    !webhook_json_str(ev, "channel", "event.channel", &chat.conversation, err) ||
	    !webhook_json_str(ev, "text", "event.text", &chat.text, err) ||
	    !webhook_json_arr(ev, "files", "event.files", &files, err))
		goto out;
	if (!type || strcmp(type, "event_callback") != 0 || !etype || strcmp(etype, "message") != 0 ||
	    (subtype && strcmp(subtype, "file_share") != 0 && strcmp(subtype, "thread_broadcast") != 0)) {
		/* other events, edits, deletions, joins: acknowledged */
		wh_reply_set(rep, 200, "application/json", g_strdup("{}"));
		res = WH_PARSE_REPLY;
		goto out;
	}
	for (guint i = 0; files && i < json_array_get_length(files) && i < 100; i++) {
		JsonNode *n = json_array_get_element(files, i);
		if (!JSON_NODE_HOLDS_OBJECT(n)) {
			g_set_error(err, VIGIE_ERROR, VIGIE_ERROR_INPUT, "field 'event.files[%u]' must be an object", i);
			goto out;
		}
		wh_attach *w = g_new0(wh_attach, 1);
		g_ptr_array_add(atts, w);
		JsonObject *f = json_node_get_object(n);
		if (!webhook_json_str(f, "name", "files[].name", &w->name, err) ||
		    !webhook_json_str(f, "url_private", "files[].url_private", &w->url, err) ||
		    !webhook_json_str(f, "mimetype", "files[].mimetype", &w->type, err))
			goto out;
	}
	chat.attachments = atts;
	if (webhook_json_push(items, &chat, err))
		res = WH_PARSE_ITEMS;
out:
	g_ptr_array_unref(atts);
	json_node_unref(root);
	return res;
}

const wh_adapter wh_slack = {
	.platform = "slack",
	.gateway = true,
	.verify = slack_verify,
	.parse = slack_parse,
	.answer = webhook_summary_answer,
};
