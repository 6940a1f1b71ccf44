/* webhook_adapters.c - the table of platform adapters, and the items and
 * replies they share. Adding a platform: one webhook_NAME.c defining
 * wh_NAME, one line below, one word in [webhook.*] platform's choices
 * (scanner/config.c).
 */
#include "webhook_internal.h"

#include <string.h>

static const wh_adapter *const adapters[] = {
	&wh_generic, &wh_twilio, &wh_meta, &wh_genesys, &wh_slack, &wh_teams, &wh_zendesk,
};

/* webhook_adapter_find - by platform name */
const wh_adapter *webhook_adapter_find(const char *platform)
{
	for (size_t i = 0; i < G_N_ELEMENTS(adapters); i++)
		if (platform && !strcmp(adapters[i]->platform, platform))
			return adapters[i];
	return NULL;
}

/* wh_header - a request header by lower-case name, or NULL */
const char *wh_header(const wh_request *r, const char *lower_name)
{
	return r->headers ? g_hash_table_lookup(r->headers, lower_name) : NULL;
}

/* wh_item_new - takes m; id and text copied */
wh_item *wh_item_new(vigie_message *m, const char *id, const char *text)
{
	wh_item *it = g_new0(wh_item, 1);
	it->m = m;
	it->id = g_strdup(id);
	it->original_text = g_strdup(text);
	return it;
}

/* wh_item_free - for GPtrArray */
void wh_item_free(gpointer p)
{
	wh_item *it = p;
	if (!it)
		return;
	vigie_message_free(it->m);
	g_free(it->id);
	g_free(it->original_text);
	g_free(it->quarantine_id);
	g_free(it->findings_json);
	g_free(it);
}

/* wh_reply_set - replace the reply */
void wh_reply_set(wh_reply *rep, unsigned status, const char *ctype, char *body)
{
	g_free(rep->body);
	rep->status = status;
	rep->content_type = ctype;
	rep->body = body;
}

/* wh_reply_error - a JSON error answer */
void wh_reply_error(wh_reply *rep, unsigned status, const char *request_id, const char *why)
{
	JsonBuilder *b = json_builder_new();
	json_builder_begin_object(b);
	json_builder_set_member_name(b, "error");
	json_builder_add_string_value(b, why);
	json_builder_set_member_name(b, "request_id");
	json_builder_add_string_value(b, request_id ? request_id : "");
	json_builder_end_object(b);
	wh_reply_set(rep, status, "application/json", webhook_json_to_string(b));
}

/* webhook_summary_answer - 200 {"request_id", "messages": [{"id", verdict}]}
 * for platforms that only need a 2xx */
void webhook_summary_answer(const wh_channel *ch, const wh_request *r, GPtrArray *items,
			    const vigie_config *c, wh_reply *rep)
{
	JsonBuilder *b = json_builder_new();
	json_builder_begin_object(b);
	json_builder_set_member_name(b, "request_id");
	json_builder_add_string_value(b, r->request_id);
	json_builder_set_member_name(b, "messages");
	json_builder_begin_array(b);
	for (guint i = 0; i < items->len; i++) {
		const wh_item *it = g_ptr_array_index(items, i);
		json_builder_begin_object(b);
		json_builder_set_member_name(b, "id");
		if (it->id)
			json_builder_add_string_value(b, it->id);
		else
			json_builder_add_null_value(b);
		webhook_verdict_members(b, it, c);
		json_builder_end_object(b);
	}
	json_builder_end_array(b);
	json_builder_end_object(b);
	wh_reply_set(rep, 200, "application/json", webhook_json_to_string(b));
}
