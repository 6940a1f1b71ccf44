/* webhook_forward.c - gateway mode for platforms that only notify after
 * the fact (Slack, Zendesk, Meta, Genesys): a released or tagged message is
 * POSTed to the channel's downstream_url (libcurl) before the platform gets
 * its answer; a quarantined one is held. The body is
 *   {"vigie": {"channel", "platform", "request_id", "action", "score",
 *              "label"}, "message": <the chat JSON, docs/chat-json.md>}
 * signed like the generic endpoint: X-Vigie-Timestamp and X-Vigie-Signature
 * "v1=" + hex HMAC-SHA256(downstream_secret, timestamp "." body), by
 * common/vhttp.c, which the quarantine's chat release shares.
 *
 * SECURITY: the URL is configuration (http and https only, no redirects);
 * the body is JSON we generate. A failure is reported to the caller, which
 * answers 503 so that the platform delivers again: nothing is lost.
 */
#include "webhook_internal.h"
#include "vhttp.h"

#include <string.h>

/* forward_body - the document described above; caller g_free */
static char *forward_body(const wh_channel *ch, const wh_item *it, const wh_request *r)
{
	JsonBuilder *b = json_builder_new();
	json_builder_begin_object(b);
	json_builder_set_member_name(b, "channel");
	json_builder_add_string_value(b, ch->name);
	json_builder_set_member_name(b, "platform");
	json_builder_add_string_value(b, ch->adapter->platform);
	json_builder_set_member_name(b, "request_id");
	json_builder_add_string_value(b, r->request_id);
	json_builder_set_member_name(b, "action");
	json_builder_add_string_value(b, vigie_action_name(it->action));
	json_builder_set_member_name(b, "score");
	json_builder_add_int_value(b, it->score);
	json_builder_end_object(b);
	char *vigie = webhook_json_to_string(b);
	gsize len = 0;
	const char *raw = it->m->raw ? g_bytes_get_data(it->m->raw, &len) : "{}";
	char *body = g_strdup_printf("{\"vigie\":%s,\"message\":%.*s}", vigie, (int)len, raw);
	g_free(vigie);
	return body;
}

/* webhook_forward - POST one message downstream */
bool webhook_forward(const wh_channel *ch, const wh_item *it, const wh_request *r,
		     long timeout_s, GError **err)
{
	char *body = forward_body(ch, it, r);
	long status = 0;
	GError *e = NULL;
	bool ok = vhttp_post_signed(ch->downstream_url, ch->downstream_secret, r->now, body,
				    timeout_s, &status, &e);
	if (!ok) {
		g_set_error(err, VIGIE_ERROR, VIGIE_ERROR_IO, "forward to channel %s: %s", ch->name,
			    e->message);
		g_error_free(e);
	}
	g_free(body);
	return ok;
}
