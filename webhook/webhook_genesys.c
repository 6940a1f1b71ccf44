/* webhook_genesys.c - Genesys Cloud Open Messaging: Genesys delivers the
 * agent's messages to the integration's webhook. Vigie sits in front of the
 * integration as a gateway: it scans, forwards released and tagged
 * messages to downstream_url (the integration) and holds quarantined ones.
 *
 * Signature: X-Hub-Signature-256 = "sha256=" + base64 HMAC-SHA256(secret,
 * body) (the prefix is optional). Only "Text" messages are scanned;
 * receipts and events are acknowledged. Duplicate key: the message "id".
 * Answer: 200 with a summary.
 *
 * SECURITY: as every adapter: read only after the signature matched, every
 * field type-checked.
 */
#include "webhook_internal.h"

#include <string.h>

/* genesys_verify - base64 HMAC of the body */
static bool genesys_verify(const wh_channel *ch, const wh_request *r, const char **why)
{
	const char *sig = wh_header(r, "x-hub-signature-256");
	if (!sig) {
		*why = "missing X-Hub-Signature-256";
		return false;
	}
	if (g_str_has_prefix(sig, "sha256="))
		sig += 7;
	GBytes *mac = webhook_auth_hmac(G_CHECKSUM_SHA256, ch->secret_bytes, r->body, r->body_len,
					NULL, 0, NULL, 0);
	bool ok = webhook_auth_check_base64(sig, mac);
	g_bytes_unref(mac);
	if (!ok)
		*why = "signature mismatch";
	return ok;
}

/* genesys_parse - one Open Messaging message */
static wh_parse_result genesys_parse(const wh_channel *ch, const wh_request *r, GPtrArray *items,
				     wh_reply *rep, GError **err)
{
	JsonNode *root = webhook_json_parse(r->body, r->body_len, err);
	if (!root)
		return WH_PARSE_ERROR;
	JsonObject *o = json_node_get_object(root), *channel = NULL, *from = NULL, *to = NULL;
	JsonArray *content = NULL;
	const char *type = NULL, *direction = NULL, *nick = NULL, *to_id = NULL;
	wh_chat chat = { .platform = "genesys" };
	wh_parse_result res = WH_PARSE_ERROR;
	GPtrArray *atts = g_ptr_array_new_with_free_func(g_free);
	if (!webhook_json_str(o, "type", "type", &type, err) ||
	    !webhook_json_str(o, "id", "id", &chat.message_id, err) ||
	    !webhook_json_str(o, "text", "text", &chat.text, err) ||
	    !webhook_json_str(o, "direction", "direction", &direction, err) ||
	    !webhook_json_obj(o, "channel", "channel", &channel, err) ||
	    !webhook_json_obj(channel, "from", "channel.from", &from, err) ||
	    !webhook_json_obj(channel, "to", "channel.to", &to, err) ||
	    !webhook_json_str(from, "id", "channel.from.id", &chat.author_id, err) ||
	    !webhook_json_str(from, "nickname", "channel.from.nickname", &nick, err) ||
	    !webhook_json_str(from, "firstName", "channel.from.firstName", &chat.author_name, err) ||
	    !webhook_json_str(to, "id", "channel.to.id", &to_id, err) ||
	    !webhook_json_arr(o, "content", "content", &content, err))
		goto out;
	if (!type) {
		g_set_error(err, VIGIE_ERROR, VIGIE_ERROR_INPUT, "missing field 'type'");
		goto out;
	}
	if (strcmp(type, "Text") != 0) {
		wh_reply_set(rep, 200, "application/json", g_strdup("{}"));
		res = WH_PARSE_REPLY;
		goto out;
	}
	if (!chat.author_name)
		chat.author_name = nick;
	/* the customer's id names the conversation whichever way it goes */
	chat.conversation = direction && !strcmp(direction, "Outbound") ? to_id : chat.author_id;
	for (guint i = 0; content && i < json_array_get_length(content) && i < 100; i++) {
		JsonNode *n = json_array_get_element(content, i);
		JsonObject *c = JSON_NODE_HOLDS_OBJECT(n) ? json_node_get_object(n) : NULL, *a = NULL;
		if (!c) {
			g_set_error(err, VIGIE_ERROR, VIGIE_ERROR_INPUT, "field 'content[%u]' must be an object", i);
			goto out;
		}
		if (!webhook_json_obj(c, "attachment", "content[].attachment", &a, err))
			goto out;
		if (!a)
			continue;
		wh_attach *w = g_new0(wh_attach, 1);
		g_ptr_array_add(atts, w);
		if (!webhook_json_str(a, "filename", "attachment.filename", &w->name, err) ||
		    !webhook_json_str(a, "url", "attachment.url", &w->url, err) ||
		    !webhook_json_str(a, "mime", "attachment.mime", &w->type, err))
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

const wh_adapter wh_genesys = {
	.platform = "genesys",
	.gateway = true,
	.verify = genesys_verify,
	.parse = genesys_parse,
	.answer = webhook_summary_answer,
};
