/* webhook_json.c - platform payloads as JSON, read strictly; the core chat
 * message built from what an adapter extracted; the verdict members every
 * JSON answer shares.
 *
 * SECURITY: payloads come from the network (after their signature was
 * checked, but their content is the sender's). Before json-glib sees a byte
 * we refuse NUL bytes, invalid UTF-8 and nesting deeper than 64 (json-glib
 * recurses); every member an adapter reads is type-checked. The message
 * itself is built by the core's own reader (vigie_message_from_chat_json)
 * from JSON we generate, so every platform gets the same checks and limits.
 */
#include "webhook_internal.h"

#include <string.h>

#define WH_JSON_MAX_DEPTH 64

/* json_fail - err in VIGIE_ERROR_INPUT */
static void json_fail(GError **err, const char *fmt, ...) G_GNUC_PRINTF(2, 3);
static void json_fail(GError **err, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	char *msg = g_strdup_vprintf(fmt, ap);
	va_end(ap);
	g_set_error_literal(err, VIGIE_ERROR, VIGIE_ERROR_INPUT, msg);
	g_free(msg);
}

/* json_depth_ok - nesting of { and [ outside strings at most the limit */
static bool json_depth_ok(const char *s, size_t len)
{
	unsigned depth = 0;
	bool in_string = false;
	for (size_t i = 0; i < len; i++) {
		char c = s[i];
		if (in_string) {
			if (c == '\\')
				i++;
			else if (c == '"')
				in_string = false;
		} else if (c == '"') {
			in_string = true;
		} else if (c == '{' || c == '[') {
			if (++depth > WH_JSON_MAX_DEPTH)
				return false;
		} else if ((c == '}' || c == ']') && depth > 0) {
			depth--;
		}
	}
	return true;
}

/* webhook_json_parse - the root object of body, strictly */
JsonNode *webhook_json_parse(const char *body, size_t len, GError **err)
{
	if (!body || len == 0) {
		json_fail(err, "empty body");
		return NULL;
	}
	const char *nul = memchr(body, '\0', len);
	if (nul) {
		json_fail(err, "body contains a NUL byte at offset %zu", (size_t)(nul - body));
		return NULL;
	}
	if (!g_utf8_validate_len(body, len, NULL)) {
		json_fail(err, "body is not valid UTF-8");
		return NULL;
	}
	if (!json_depth_ok(body, len)) {
		json_fail(err, "JSON nesting deeper than %d levels", WH_JSON_MAX_DEPTH);
		return NULL;
	}
	JsonParser *p = json_parser_new_immutable();
	GError *perr = NULL;
	JsonNode *root = NULL;
	if (!json_parser_load_from_data(p, body, (gssize)len, &perr)) {
		/* json-glib's message can quote a broken escape as bytes that
		 * are not UTF-8 (fuzz_webhook_*: {"\7777...): it goes into
		 * the JSON answer and the log, so it is made valid */
		char *why = g_utf8_make_valid(perr->message, -1);
		json_fail(err, "invalid JSON: %s", why);
		g_free(why);
		g_error_free(perr);
	} else if (!json_parser_get_root(p) || !JSON_NODE_HOLDS_OBJECT(json_parser_get_root(p))) {
		json_fail(err, "the body must be a JSON object");
	} else {
		root = json_node_ref(json_parser_get_root(p));
	}
	g_object_unref(p);
	return root;
}

/* webhook_json_str - optional string member */
bool webhook_json_str(JsonObject *o, const char *key, const char *path, const char **out,
		      GError **err)
{
	JsonNode *n = o ? json_object_get_member(o, key) : NULL;
	*out = NULL;
	if (!n || JSON_NODE_HOLDS_NULL(n))
		return true;
	if (!JSON_NODE_HOLDS_VALUE(n) || json_node_get_value_type(n) != G_TYPE_STRING) {
		json_fail(err, "field '%s' must be a string", path);
		return false;
	}
	*out = json_node_get_string(n);
	return true;
}

/* webhook_json_obj - optional object member */
bool webhook_json_obj(JsonObject *o, const char *key, const char *path, JsonObject **out,
		      GError **err)
{
	JsonNode *n = o ? json_object_get_member(o, key) : NULL;
	*out = NULL;
	if (!n || JSON_NODE_HOLDS_NULL(n))
		return true;
	if (!JSON_NODE_HOLDS_OBJECT(n)) {
		json_fail(err, "field '%s' must be an object", path);
		return false;
	}
	*out = json_node_get_object(n);
	return true;
}

/* webhook_json_arr - optional array member */
bool webhook_json_arr(JsonObject *o, const char *key, const char *path, JsonArray **out,
		      GError **err)
{
	JsonNode *n = o ? json_object_get_member(o, key) : NULL;
	*out = NULL;
	if (!n || JSON_NODE_HOLDS_NULL(n))
		return true;
	if (!JSON_NODE_HOLDS_ARRAY(n)) {
		json_fail(err, "field '%s' must be an array", path);
		return false;
	}
	*out = json_node_get_array(n);
	return true;
}

/* json_member - add "name": value when value is not NULL */
static void json_member(JsonBuilder *b, const char *name, const char *value)
{
	if (!value)
		return;
	json_builder_set_member_name(b, name);
	json_builder_add_string_value(b, value);
}

/* webhook_json_to_string - the builder's root as compact JSON; frees b */
char *webhook_json_to_string(JsonBuilder *b)
{
	JsonGenerator *g = json_generator_new();
	JsonNode *root = json_builder_get_root(b);
	json_generator_set_root(g, root);
	char *s = json_generator_to_data(g, NULL);
	json_node_unref(root);
	g_object_unref(g);
	g_object_unref(b);
	return s;
}

/* webhook_json_item - the chat JSON for chat, read back by the core */
wh_item *webhook_json_item(const wh_chat *chat, GError **err)
{
	JsonBuilder *b = json_builder_new();
	json_builder_begin_object(b);
	json_member(b, "channel", "chat");
	json_member(b, "platform", chat->platform);
	json_member(b, "conversation", chat->conversation);
	json_member(b, "message_id", chat->message_id);
	if (chat->author_id || chat->author_name) {
		json_builder_set_member_name(b, "author");
		json_builder_begin_object(b);
		json_member(b, "id", chat->author_id);
		json_member(b, "name", chat->author_name);
		json_builder_end_object(b);
	}
	json_member(b, "text", chat->text ? chat->text : "");
	if (chat->attachments && chat->attachments->len) {
		json_builder_set_member_name(b, "attachments");
		json_builder_begin_array(b);
		for (guint i = 0; i < chat->attachments->len && i < 100; i++) {
			const wh_attach *a = g_ptr_array_index(chat->attachments, i);
			json_builder_begin_object(b);
			json_member(b, "name", a->name);
			json_member(b, "url", a->url);
			json_member(b, "type", a->type);
			json_builder_end_object(b);
		}
		json_builder_end_array(b);
	}
	json_builder_end_object(b);
	char *json = webhook_json_to_string(b);
	vigie_message *m = vigie_message_from_chat_json(json, strlen(json), err);
	g_free(json);
	return m ? wh_item_new(m, chat->message_id, chat->text) : NULL;
}

/* webhook_label - the configured label for tag and quarantine */
const char *webhook_label(const vigie_config *c, VigieAction a)
{
	if (a == VIGIE_ACTION_TAG)
		return vigie_config_get(c, "webhook", "tag_label");
	if (a == VIGIE_ACTION_QUARANTINE || a == VIGIE_ACTION_REJECT)
		return vigie_config_get(c, "webhook", "quarantine_label");
	return NULL;
}

/* webhook_verdict_members - action, score, findings, quarantine_id, label */
void webhook_verdict_members(JsonBuilder *b, const wh_item *it, const vigie_config *c)
{
	json_builder_set_member_name(b, "action");
	json_builder_add_string_value(b, vigie_action_name(it->action));
	json_builder_set_member_name(b, "score");
	json_builder_add_int_value(b, it->score);
	json_builder_set_member_name(b, "findings");
	JsonNode *f = it->findings_json && strcmp(it->findings_json, "[]") != 0
			      ? json_from_string(it->findings_json, NULL) : NULL; /* [] below */
	if (f)
		json_builder_add_value(b, f); /* takes f */
	else {
		json_builder_begin_array(b);
		json_builder_end_array(b);
	}
	json_builder_set_member_name(b, "quarantine_id");
	if (it->quarantine_id)
		json_builder_add_string_value(b, it->quarantine_id);
	else
		json_builder_add_null_value(b);
	json_builder_set_member_name(b, "label");
	const char *label = webhook_label(c, it->action);
	if (label)
		json_builder_add_string_value(b, label);
	else
		json_builder_add_null_value(b);
	if (it->duplicate) {
		json_builder_set_member_name(b, "duplicate");
		json_builder_add_boolean_value(b, TRUE);
	}
}

/* webhook_json_push - build the item for chat and append it to items */
bool webhook_json_push(GPtrArray *items, const wh_chat *chat, GError **err)
{
	wh_item *it = webhook_json_item(chat, err);
	if (it)
		g_ptr_array_add(items, it);
	return it != NULL;
}
