/* verdict.c - findings, the verdict that carries them, and its JSON form
 *
 * Evidence and locations may quote sender data; they are stored as valid
 * UTF-8 and escaped by the JSON generator, never interpreted.
 */
#include "internal.h"

#include <json-glib/json-glib.h>

static void finding_free(gpointer p)
{
	vigie_finding *f = p;
	g_free(f->rule);
	g_free(f->category);
	g_free(f->evidence);
	g_free(f->where);
	g_free(f);
}

/* verdict_new - an empty verdict for channel ch */
vigie_verdict *verdict_new(VigieChannel ch)
{
	vigie_verdict *v = g_new0(vigie_verdict, 1);
	v->channel = ch;
	v->findings = g_ptr_array_new_with_free_func(finding_free);
	return v;
}

/* verdict_add_finding - append a finding; strings copied (evidence capped) */
void verdict_add_finding(vigie_verdict *v, const char *rule, const char *category, int weight,
			 const char *evidence, const char *where)
{
	vigie_finding *f = g_new0(vigie_finding, 1);
	f->rule = g_strdup(rule);
	f->category = g_strdup(category);
	f->weight = weight;
	char *ev = utf8_sanitize(evidence ? evidence : "", -1);
	if (g_utf8_strlen(ev, -1) > 200) {
		char *cut = g_utf8_substring(ev, 0, 200);
		g_free(ev);
		ev = g_strconcat(cut, "…", NULL);
		g_free(cut);
	}
	f->evidence = ev;
	f->where = utf8_sanitize(where ? where : "", -1);
	g_ptr_array_add(v->findings, f);
}

/* vigie_verdict_free - NULL is a no-op */
void vigie_verdict_free(vigie_verdict *v)
{
	if (!v)
		return;
	g_ptr_array_unref(v->findings);
	g_free(v->error);
	g_free(v->engine_version);
	memory_note_free(v->memory);
	g_free(v);
}

/* vigie_verdict_to_json - one JSON object on one line; caller g_free */
char *vigie_verdict_to_json(const vigie_verdict *v, const char *input_name)
{
	JsonBuilder *b = json_builder_new();
	json_builder_begin_object(b);
	if (input_name) {
		json_builder_set_member_name(b, "input");
		char *safe = utf8_sanitize(input_name, -1);
		json_builder_add_string_value(b, safe);
		g_free(safe);
	}
	json_builder_set_member_name(b, "channel");
	json_builder_add_string_value(b, vigie_channel_name(v->channel));
	json_builder_set_member_name(b, "action");
	json_builder_add_string_value(b, vigie_action_name(v->action));
	json_builder_set_member_name(b, "class");
	json_builder_add_string_value(b, vigie_class_name(v->klass));
	json_builder_set_member_name(b, "speaker");
	json_builder_add_string_value(b, v->speaker ? v->speaker : "inbound");
	json_builder_set_member_name(b, "score");
	json_builder_add_int_value(b, v->score);
	json_builder_set_member_name(b, "findings");
	json_builder_begin_array(b);
	for (guint i = 0; i < v->findings->len; i++) {
		vigie_finding *f = g_ptr_array_index(v->findings, i);
		json_builder_begin_object(b);
		json_builder_set_member_name(b, "rule");
		json_builder_add_string_value(b, f->rule);
		json_builder_set_member_name(b, "category");
		json_builder_add_string_value(b, f->category);
		json_builder_set_member_name(b, "weight");
		json_builder_add_int_value(b, f->weight);
		json_builder_set_member_name(b, "decisive");
		json_builder_add_boolean_value(b, f->decisive);
		json_builder_set_member_name(b, "evidence");
		json_builder_add_string_value(b, f->evidence);
		json_builder_set_member_name(b, "where");
		json_builder_add_string_value(b, f->where);
		json_builder_end_object(b);
	}
	json_builder_end_array(b);
	json_builder_set_member_name(b, "error");
	if (v->error)
		json_builder_add_string_value(b, v->error);
	else
		json_builder_add_null_value(b);
	json_builder_set_member_name(b, "engine");
	json_builder_add_string_value(b, v->engine_version ? v->engine_version : "");
	json_builder_set_member_name(b, "elapsed_ms");
	json_builder_add_double_value(b, (double)(gint64)(v->elapsed_ms * 1000) / 1000.0);
	json_builder_end_object(b);

	JsonGenerator *gen = json_generator_new();
	JsonNode *root = json_builder_get_root(b);
	json_generator_set_root(gen, root);
	char *out = json_generator_to_data(gen, NULL);
	json_node_unref(root);
	g_object_unref(gen);
	g_object_unref(b);
	return out;
}

static const char *const channel_names[] = { "mail", "chat" };
static const char *const action_names[] = { "release", "tag", "quarantine", "reject" };
static const char *const class_names[] = { "clean", "bulk", "spam", "malicious" };

const char *vigie_class_name(VigieClass c)
{
	return (unsigned)c < G_N_ELEMENTS(class_names) ? class_names[c] : "unknown";
}

const char *vigie_channel_name(VigieChannel c)
{
	return (unsigned)c < G_N_ELEMENTS(channel_names) ? channel_names[c] : "unknown";
}

/* vigie_channel_parse - "mail" or "chat" ("sms" is chat) */
bool vigie_channel_parse(const char *s, VigieChannel *out)
{
	if (g_strcmp0(s, "mail") == 0)
		*out = VIGIE_CHANNEL_MAIL;
	else if (g_strcmp0(s, "chat") == 0 || g_strcmp0(s, "sms") == 0)
		*out = VIGIE_CHANNEL_CHAT;
	else
		return false;
	return true;
}

const char *vigie_action_name(VigieAction a)
{
	return (unsigned)a < G_N_ELEMENTS(action_names) ? action_names[a] : "unknown";
}
