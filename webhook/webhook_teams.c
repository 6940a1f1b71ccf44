/* webhook_teams.c - Microsoft Teams outgoing webhooks: Teams posts the
 * message that mentioned the webhook and shows the answer's text as a reply
 * in the thread (within 5 seconds).
 *
 * Signature: Authorization: "HMAC " + base64 HMAC-SHA256(key, body) where
 * the key is the base64-DECODED shared secret Teams showed when the webhook
 * was created ([webhook.NAME] secret holds it as shown, in base64).
 * Duplicate key: the activity "id". Answer: 200 {"type": "message",
 * "text": label} (empty text for a released message).
 *
 * SECURITY: as every adapter: read only after the signature matched, every
 * field type-checked.
 */
#include "webhook_internal.h"

#include <string.h>

/* teams_verify - HMAC with the decoded secret */
static bool teams_verify(const wh_channel *ch, const wh_request *r, const char **why)
{
	const char *auth = wh_header(r, "authorization");
	if (!auth || g_ascii_strncasecmp(auth, "HMAC ", 5) != 0) {
		*why = "missing Authorization: HMAC";
		return false;
	}
	GBytes *mac = webhook_auth_hmac(G_CHECKSUM_SHA256, ch->secret_bytes, r->body, r->body_len,
					NULL, 0, NULL, 0);
	bool ok = webhook_auth_check_base64(auth + 5, mac);
	g_bytes_unref(mac);
	if (!ok)
		*why = "signature mismatch";
	return ok;
}

/* teams_parse - one message activity */
static wh_parse_result teams_parse(const wh_channel *ch, const wh_request *r, GPtrArray *items,
				   wh_reply *rep, GError **err)
{
	JsonNode *root = webhook_json_parse(r->body, r->body_len, err);
	if (!root)
		return WH_PARSE_ERROR;
	JsonObject *o = json_node_get_object(root), *from = NULL, *conv = NULL;
	const char *type = NULL;
	wh_chat chat = { .platform = "teams" };
	wh_parse_result res = WH_PARSE_ERROR;
	if (!webhook_json_str(o, "type", "type", &type, err) ||
	    !webhook_json_str(o, "id", "id", &chat.message_id, err) ||
	    !webhook_json_str(o, "text", "text", &chat.text, err) ||
	    !webhook_json_obj(o, "from", "from", &from, err) ||
	    !webhook_json_obj(o, "conversation", "conversation", &conv, err) ||
	    !webhook_json_str(from, "id", "from.id", &chat.author_id, err) ||
	    !webhook_json_str(from, "name", "from.name", &chat.author_name, err) ||
	    !webhook_json_str(conv, "id", "conversation.id", &chat.conversation, err))
		goto out;
	if (!type || strcmp(type, "message") != 0) {
		wh_reply_set(rep, 200, "application/json", g_strdup("{\"type\":\"message\",\"text\":\"\"}"));
		res = WH_PARSE_REPLY;
		goto out;
	}
	if (webhook_json_push(items, &chat, err))
		res = WH_PARSE_ITEMS;
out:
	json_node_unref(root);
	return res;
}

/* teams_answer - the reply Teams posts in the thread */
static void teams_answer(const wh_channel *ch, const wh_request *r, GPtrArray *items,
			 const vigie_config *c, wh_reply *rep)
{
	const wh_item *it = items->len ? g_ptr_array_index(items, 0) : NULL;
	const char *label = it ? webhook_label(c, it->action) : NULL;
	JsonBuilder *b = json_builder_new();
	json_builder_begin_object(b);
	json_builder_set_member_name(b, "type");
	json_builder_add_string_value(b, "message");
	json_builder_set_member_name(b, "text");
	json_builder_add_string_value(b, label ? label : "");
	json_builder_end_object(b);
	wh_reply_set(rep, 200, "application/json", webhook_json_to_string(b));
}

const wh_adapter wh_teams = {
	.platform = "teams",
	.verify = teams_verify,
	.parse = teams_parse,
	.answer = teams_answer,
};
