/* webhook_generic.c - the generic endpoint (POST /v1/messages, or
 * /hooks/NAME of a generic channel): the documented chat JSON
 * (docs/chat-json.md) in, the verdict as JSON out. Any platform integrates
 * through it.
 *
 * Signature: X-Vigie-Timestamp (Unix seconds, within [webhook]
 * replay_window) and X-Vigie-Signature "v1=" + hex HMAC-SHA256(secret,
 * timestamp "." body). Duplicate key: the message's "message_id".
 *
 * SECURITY: the body is read by the core's strict chat JSON reader, only
 * after the signature matched.
 */
#include "webhook_internal.h"

#include <string.h>

/* generic_verify - timestamp window, then HMAC over "ts.body" */
static bool generic_verify(const wh_channel *ch, const wh_request *r, const char **why)
{
	const char *ts = wh_header(r, "x-vigie-timestamp");
	const char *sig = wh_header(r, "x-vigie-signature");
	if (!ts || !sig || !g_str_has_prefix(sig, "v1=")) {
		*why = "missing X-Vigie-Timestamp or X-Vigie-Signature";
		return false;
	}
	if (!webhook_auth_fresh(ts, r->now, r->replay_window)) {
		*why = "timestamp outside the replay window";
		return false;
	}
	GBytes *mac = webhook_auth_hmac(G_CHECKSUM_SHA256, ch->secret_bytes, ts, strlen(ts), ".", 1,
					r->body, r->body_len);
	bool ok = webhook_auth_check_hex(sig + 3, mac);
	g_bytes_unref(mac);
	if (!ok)
		*why = "signature mismatch";
	return ok;
}

/* generic_parse - the chat JSON as it is */
static wh_parse_result generic_parse(const wh_channel *ch, const wh_request *r, GPtrArray *items,
				     wh_reply *rep, GError **err)
{
	vigie_message *m = vigie_message_from_chat_json(r->body, r->body_len, err);
	if (!m)
		return WH_PARSE_ERROR;
	const vigie_text *t = m->texts->len ? g_ptr_array_index(m->texts, 0) : NULL;
	g_ptr_array_add(items, wh_item_new(m, m->env.message_id, t ? t->text : ""));
	return WH_PARSE_ITEMS;
}

/* generic_answer - {"request_id", "action", "score", "findings", "quarantine_id", "label"} */
static void generic_answer(const wh_channel *ch, const wh_request *r, GPtrArray *items,
			   const vigie_config *c, wh_reply *rep)
{
	JsonBuilder *b = json_builder_new();
	json_builder_begin_object(b);
	json_builder_set_member_name(b, "request_id");
	json_builder_add_string_value(b, r->request_id);
	if (items->len)
		webhook_verdict_members(b, g_ptr_array_index(items, 0), c);
	json_builder_end_object(b);
	wh_reply_set(rep, 200, "application/json", webhook_json_to_string(b));
}

const wh_adapter wh_generic = {
	.platform = "generic",
	.verify = generic_verify,
	.parse = generic_parse,
	.answer = generic_answer,
};
