/* webhook_zendesk.c - Zendesk webhooks. Zendesk notifies after the fact,
 * so this is a gateway: scan, forward released and tagged messages to
 * downstream_url, hold quarantined ones.
 *
 * Signature: X-Zendesk-Webhook-Signature = base64 HMAC-SHA256(signing
 * secret, timestamp + body) with X-Zendesk-Webhook-Signature-Timestamp
 * (ISO 8601, as Zendesk sends it, or Unix seconds) within [webhook]
 * replay_window. Payloads: Zendesk event webhooks
 * ("type": "zen:event-type:ticket.comment_added", "id", "detail": {"id"},
 * "event": {"comment": {"id", "body", "author": {"id", "name"}}}), or, for
 * trigger webhooks whose body the administrator writes, the chat JSON of
 * docs/chat-json.md (recognised by its "text" member). Duplicate key: the
 * comment id (event form) or message_id. Answer: 200 with a summary.
 *
 * SECURITY: as every adapter: read only after the signature matched, every
 * field type-checked.
 */
#include "webhook_internal.h"

#include <string.h>

/* zendesk_fresh - ISO 8601 or decimal seconds within the window */
static bool zendesk_fresh(const char *ts, const wh_request *r)
{
	if (ts && *ts && g_ascii_isdigit(ts[0]) && strchr(ts, 'T')) {
		GDateTime *t = g_date_time_new_from_iso8601(ts, NULL);
		if (!t)
			return false;
		gint64 d = r->now - g_date_time_to_unix(t);
		g_date_time_unref(t);
		return d <= r->replay_window && d >= -r->replay_window;
	}
	return webhook_auth_fresh(ts, r->now, r->replay_window);
}

/* zendesk_verify - base64 HMAC over timestamp + body */
static bool zendesk_verify(const wh_channel *ch, const wh_request *r, const char **why)
{
	const char *ts = wh_header(r, "x-zendesk-webhook-signature-timestamp");
	const char *sig = wh_header(r, "x-zendesk-webhook-signature");
	if (!ts || !sig) {
		*why = "missing X-Zendesk-Webhook-Signature or its timestamp";
		return false;
	}
	if (!zendesk_fresh(ts, r)) {
		*why = "timestamp outside the replay window";
		return false;
	}
	GBytes *mac = webhook_auth_hmac(G_CHECKSUM_SHA256, ch->secret_bytes, ts, strlen(ts), r->body,
					r->body_len, NULL, 0);
	bool ok = webhook_auth_check_base64(sig, mac);
	g_bytes_unref(mac);
	if (!ok)
		*why = "signature mismatch";
	return ok;
}

/* zendesk_parse - an event webhook, or chat JSON */
static wh_parse_result zendesk_parse(const wh_channel *ch, const wh_request *r, GPtrArray *items,
				     wh_reply *rep, GError **err)
{
	JsonNode *root = webhook_json_parse(r->body, r->body_len, err);
	if (!root)
		return WH_PARSE_ERROR;
	JsonObject *o = json_node_get_object(root), *detail = NULL, *ev = NULL, *comment = NULL,
		   *author = NULL;
	const char *type = NULL;
	wh_chat chat = { .platform = "zendesk" };
	wh_parse_result res = WH_PARSE_ERROR;
	if (json_object_has_member(o, "text")) {
		vigie_message *m = vigie_message_from_chat_json(r->body, r->body_len, err);
		if (m) {
			const vigie_text *t = m->texts->len ? g_ptr_array_index(m->texts, 0) : NULL;
			g_free(m->env.platform);
			m->env.platform = g_strdup("zendesk");
			g_ptr_array_add(items, wh_item_new(m, m->env.message_id, t ? t->text : ""));
			res = WH_PARSE_ITEMS;
		}
		goto out;
	}
	if (!webhook_json_str(o, "type", "type", &type, err) ||
	    !webhook_json_obj(o, "detail", "detail", &detail, err) ||
	    !webhook_json_str(detail, "id", "detail.id", &chat.conversation, err) ||
	    !webhook_json_obj(o, "event", "event", &ev, err) ||
	    !webhook_json_obj(ev, "comment", "event.comment", &comment, err) ||
	    !webhook_json_str(comment, "id", "event.comment.id", &chat.message_id, err) ||
	    !webhook_json_str(comment, "body", "event.comment.body", &chat.text, err) ||
	    !webhook_json_obj(comment, "author", "event.comment.author", &author, err) ||
	    !webhook_json_str(author, "id", "event.comment.author.id", &chat.author_id, err) ||
	    !webhook_json_str(author, "name", "event.comment.author.name", &chat.author_name, err))
		goto out;
	if (!type) {
		g_set_error(err, VIGIE_ERROR, VIGIE_ERROR_INPUT, "missing field 'type' (or 'text')");
		goto out;
	}
	if (strcmp(type, "zen:event-type:ticket.comment_added") != 0 || !comment) {
		wh_reply_set(rep, 200, "application/json", g_strdup("{}"));
		res = WH_PARSE_REPLY;
		goto out;
	}
	if (webhook_json_push(items, &chat, err))
		res = WH_PARSE_ITEMS;
out:
	json_node_unref(root);
	return res;
}

const wh_adapter wh_zendesk = {
	.platform = "zendesk",
	.gateway = true,
	.verify = zendesk_verify,
	.parse = zendesk_parse,
	.answer = webhook_summary_answer,
};
