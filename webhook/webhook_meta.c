/* webhook_meta.c - Meta webhooks: WhatsApp Cloud API, Messenger, Instagram.
 * Meta notifies after the fact, so this is a gateway: Vigie receives,
 * scans, forwards released and tagged messages to downstream_url and holds
 * quarantined ones.
 *
 * Signature: X-Hub-Signature-256 = "sha256=" + hex HMAC-SHA256(app secret,
 * body). Handshake: GET with hub.mode=subscribe, hub.verify_token (=
 * [webhook.NAME] verify_token) and hub.challenge, answered with the
 * challenge. One POST may carry several messages (entry[].changes[].value.
 * messages[] for WhatsApp, entry[].messaging[] for Messenger and
 * Instagram); each is scanned. Statuses, echoes and reactions are
 * acknowledged and not scanned. Duplicate key: the message id (wamid, mid).
 * Answer: 200 with a summary (Meta only needs the 200).
 *
 * SECURITY: the challenge is echoed only when the token matched (compared
 * in constant time) and only if it is short and alphanumeric.
 */
#include "webhook_internal.h"

#include <string.h>

#define META_MAX_ITEMS 100

/* meta_verify - sha256= hex HMAC of the body */
static bool meta_verify(const wh_channel *ch, const wh_request *r, const char **why)
{
	const char *sig = wh_header(r, "x-hub-signature-256");
	if (!sig || !g_str_has_prefix(sig, "sha256=")) {
		*why = "missing X-Hub-Signature-256";
		return false;
	}
	GBytes *mac = webhook_auth_hmac(G_CHECKSUM_SHA256, ch->secret_bytes, r->body, r->body_len,
					NULL, 0, NULL, 0);
	bool ok = webhook_auth_check_hex(sig + 7, mac);
	g_bytes_unref(mac);
	if (!ok)
		*why = "signature mismatch";
	return ok;
}

/* meta_handshake - GET hub.challenge */
static void meta_handshake(const wh_channel *ch, const wh_request *r, wh_reply *rep)
{
	const char *mode = r->query ? g_hash_table_lookup(r->query, "hub.mode") : NULL;
	const char *token = r->query ? g_hash_table_lookup(r->query, "hub.verify_token") : NULL;
	const char *challenge = r->query ? g_hash_table_lookup(r->query, "hub.challenge") : NULL;
	bool ok = mode && !strcmp(mode, "subscribe") && token && challenge && *ch->verify_token &&
		  webhook_auth_equal(token, strlen(token), ch->verify_token, strlen(ch->verify_token));
	size_t cl = challenge ? strlen(challenge) : 0;
	for (size_t i = 0; ok && i < cl; i++)
		ok = g_ascii_isalnum(challenge[i]) || challenge[i] == '-' || challenge[i] == '_' ||
		     challenge[i] == '.';
	if (!ok || cl == 0 || cl > 256) {
		wh_reply_error(rep, 403, r->request_id, "verification refused");
		return;
	}
	wh_reply_set(rep, 200, "text/plain", g_strdup(challenge));
}

/* meta_whatsapp - one value of a WhatsApp "messages" change */
static bool meta_whatsapp(JsonObject *value, GPtrArray *items, GError **err)
{
	JsonArray *msgs = NULL, *contacts = NULL;
	if (!webhook_json_arr(value, "messages", "value.messages", &msgs, err) ||
	    !webhook_json_arr(value, "contacts", "value.contacts", &contacts, err))
		return false;
	for (guint i = 0; msgs && i < json_array_get_length(msgs); i++) {
		JsonNode *n = json_array_get_element(msgs, i);
		if (!JSON_NODE_HOLDS_OBJECT(n)) {
			g_set_error(err, VIGIE_ERROR, VIGIE_ERROR_INPUT, "field 'messages[%u]' must be an object", i);
			return false;
		}
		JsonObject *m = json_node_get_object(n), *text = NULL, *doc = NULL;
		wh_chat chat = { .platform = "whatsapp" };
		const char *caption = NULL;
		if (!webhook_json_str(m, "id", "messages[].id", &chat.message_id, err) ||
		    !webhook_json_str(m, "from", "messages[].from", &chat.author_id, err) ||
		    !webhook_json_obj(m, "text", "messages[].text", &text, err) ||
		    !webhook_json_str(text, "body", "messages[].text.body", &chat.text, err))
			return false;
		static const char *const media[] = { "document", "image", "video", "audio" };
		wh_attach att = { 0 };
		for (size_t k = 0; k < G_N_ELEMENTS(media) && !doc; k++)
			if (!webhook_json_obj(m, media[k], "messages[].media", &doc, err))
				return false;
		if (doc && (!webhook_json_str(doc, "caption", "media.caption", &caption, err) ||
			    !webhook_json_str(doc, "filename", "media.filename", &att.name, err) ||
			    !webhook_json_str(doc, "mime_type", "media.mime_type", &att.type, err)))
			return false;
		if (!chat.text && !doc)
			continue; /* reactions, locations, ...: nothing to scan */
		if (!chat.text)
			chat.text = caption ? caption : "";
		for (guint c = 0; contacts && c < json_array_get_length(contacts); c++) {
			JsonNode *cn = json_array_get_element(contacts, c);
			JsonObject *co = JSON_NODE_HOLDS_OBJECT(cn) ? json_node_get_object(cn) : NULL, *prof = NULL;
			const char *wa = NULL;
			if (co && webhook_json_str(co, "wa_id", "contacts[].wa_id", &wa, NULL) && wa &&
			    chat.author_id && !strcmp(wa, chat.author_id) &&
			    webhook_json_obj(co, "profile", "contacts[].profile", &prof, NULL))
				webhook_json_str(prof, "name", "contacts[].profile.name", &chat.author_name, NULL);
		}
		chat.conversation = chat.author_id;
		GPtrArray *atts = g_ptr_array_new();
		if (doc)
			g_ptr_array_add(atts, &att);
		chat.attachments = atts;
		wh_item *it = items->len < META_MAX_ITEMS ? webhook_json_item(&chat, err) : NULL;
		g_ptr_array_unref(atts);
		if (!it) {
			if (items->len >= META_MAX_ITEMS)
				g_set_error(err, VIGIE_ERROR, VIGIE_ERROR_INPUT, "more than %d messages", META_MAX_ITEMS);
			return false;
		}
		g_ptr_array_add(items, it);
	}
	return true;
}

/* meta_messaging - one Messenger / Instagram messaging event */
static bool meta_messaging(JsonObject *ev, const char *platform, GPtrArray *items, GError **err)
{
	JsonObject *sender = NULL, *msg = NULL;
	JsonArray *atts = NULL;
	wh_chat chat = { .platform = platform };
	if (!webhook_json_obj(ev, "sender", "messaging[].sender", &sender, err) ||
	    !webhook_json_obj(ev, "message", "messaging[].message", &msg, err) ||
	    !webhook_json_str(sender, "id", "messaging[].sender.id", &chat.author_id, err) ||
	    !webhook_json_str(msg, "mid", "message.mid", &chat.message_id, err) ||
	    !webhook_json_str(msg, "text", "message.text", &chat.text, err) ||
	    !webhook_json_arr(msg, "attachments", "message.attachments", &atts, err))
		return false;
	JsonNode *echo = msg ? json_object_get_member(msg, "is_echo") : NULL;
	if (!msg || (echo && JSON_NODE_HOLDS_VALUE(echo) && json_node_get_boolean(echo)))
		return true; /* deliveries, reads, our own echoes */
	chat.conversation = chat.author_id;
	GPtrArray *list = g_ptr_array_new_with_free_func(g_free);
	for (guint i = 0; atts && i < json_array_get_length(atts) && i < 100; i++) {
		JsonNode *n = json_array_get_element(atts, i);
		JsonObject *a = JSON_NODE_HOLDS_OBJECT(n) ? json_node_get_object(n) : NULL, *payload = NULL;
		wh_attach *w = g_new0(wh_attach, 1);
		g_ptr_array_add(list, w);
		if (!a || !webhook_json_str(a, "type", "attachments[].type", &w->name, err) ||
		    !webhook_json_obj(a, "payload", "attachments[].payload", &payload, err) ||
		    !webhook_json_str(payload, "url", "attachments[].payload.url", &w->url, err)) {
			if (!a)
				g_set_error(err, VIGIE_ERROR, VIGIE_ERROR_INPUT, "field 'attachments[%u]' must be an object", i);
			g_ptr_array_unref(list);
			return false;
		}
	}
	chat.attachments = list;
	wh_item *it = webhook_json_item(&chat, err);
	g_ptr_array_unref(list);
	if (!it)
		return false;
	if (items->len >= META_MAX_ITEMS) {
		wh_item_free(it);
		g_set_error(err, VIGIE_ERROR, VIGIE_ERROR_INPUT, "more than %d messages", META_MAX_ITEMS);
		return false;
	}
	g_ptr_array_add(items, it);
	return true;
}

/* meta_parse - every message of every entry */
static wh_parse_result meta_parse(const wh_channel *ch, const wh_request *r, GPtrArray *items,
				  wh_reply *rep, GError **err)
{
	JsonNode *root = webhook_json_parse(r->body, r->body_len, err);
	if (!root)
		return WH_PARSE_ERROR;
	JsonObject *o = json_node_get_object(root);
	const char *object = NULL;
	JsonArray *entries = NULL;
	bool ok = webhook_json_str(o, "object", "object", &object, err) &&
		  webhook_json_arr(o, "entry", "entry", &entries, err);
	if (ok && !object) {
		g_set_error(err, VIGIE_ERROR, VIGIE_ERROR_INPUT, "missing field 'object'");
		ok = false;
	}
	const char *platform = object && !strcmp(object, "instagram") ? "instagram" : "messenger";
	for (guint e = 0; ok && entries && e < json_array_get_length(entries); e++) {
		JsonNode *en = json_array_get_element(entries, e);
		if (!JSON_NODE_HOLDS_OBJECT(en)) {
			g_set_error(err, VIGIE_ERROR, VIGIE_ERROR_INPUT, "field 'entry[%u]' must be an object", e);
			ok = false;
			break;
		}
		JsonObject *entry = json_node_get_object(en);
		JsonArray *changes = NULL, *messaging = NULL;
		ok = webhook_json_arr(entry, "changes", "entry[].changes", &changes, err) &&
		     webhook_json_arr(entry, "messaging", "entry[].messaging", &messaging, err);
		for (guint c = 0; ok && changes && c < json_array_get_length(changes); c++) {
			JsonNode *cn = json_array_get_element(changes, c);
			JsonObject *value = NULL;
			ok = JSON_NODE_HOLDS_OBJECT(cn) &&
			     webhook_json_obj(json_node_get_object(cn), "value", "changes[].value", &value, err);
			if (!ok && !(err && *err))
				g_set_error(err, VIGIE_ERROR, VIGIE_ERROR_INPUT, "field 'changes[%u]' must be an object", c);
			if (ok && value)
				ok = meta_whatsapp(value, items, err);
		}
		for (guint m = 0; ok && messaging && m < json_array_get_length(messaging); m++) {
			JsonNode *mn = json_array_get_element(messaging, m);
			ok = JSON_NODE_HOLDS_OBJECT(mn);
			if (!ok)
				g_set_error(err, VIGIE_ERROR, VIGIE_ERROR_INPUT, "field 'messaging[%u]' must be an object", m);
			else
				ok = meta_messaging(json_node_get_object(mn), platform, items, err);
		}
	}
	json_node_unref(root);
	return ok ? WH_PARSE_ITEMS : WH_PARSE_ERROR;
}

const wh_adapter wh_meta = {
	.platform = "meta",
	.gateway = true,
	.verify = meta_verify,
	.parse = meta_parse,
	.answer = webhook_summary_answer,
	.handshake = meta_handshake,
};
