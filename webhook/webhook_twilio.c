/* webhook_twilio.c - Twilio Conversations pre-event webhooks (onMessageAdd):
 * Twilio asks before it adds a message, so Vigie blocks, allows or modifies.
 *
 * Request: application/x-www-form-urlencoded (EventType, Body, Author,
 * ConversationSid, ...). Signature: X-Twilio-Signature = base64
 * HMAC-SHA1(auth token, public URL + every parameter's name and value,
 * sorted by name), where the public URL is [webhook.NAME] public_url (what
 * Twilio called: a proxy may sit in front). Duplicate key: the
 * I-Twilio-Idempotency-Token header.
 * Answer: release 200 (empty: add as sent); tag 200 {"body": label + text}
 * (Twilio adds the modified body); quarantine 403 (a non-2xx refuses it).
 * Other event types are acknowledged with 200 and not scanned.
 *
 * SECURITY: the form is decoded here (percent escapes, '+'); a malformed
 * escape, a NUL byte or invalid UTF-8 in a value is a refusal. Parameters
 * are only read after the signature matched.
 */
#include "webhook_internal.h"

#include <string.h>

typedef struct {
	char *name, *value;
} param;

static void param_free(gpointer p)
{
	param *x = p;
	g_free(x->name);
	g_free(x->value);
	g_free(x);
}

/* twilio_decode - percent-decoding with '+' as space; NULL on a bad escape,
 * NUL byte or invalid UTF-8 */
static char *twilio_decode(const char *s, size_t len)
{
	GString *out = g_string_sized_new(len);
	for (size_t i = 0; i < len; i++) {
		if (s[i] == '+') {
			g_string_append_c(out, ' ');
		} else if (s[i] == '%') {
			if (i + 2 >= len)
				goto bad;
			int hi = g_ascii_xdigit_value(s[i + 1]), lo = g_ascii_xdigit_value(s[i + 2]);
			if (hi < 0 || lo < 0)
				goto bad;
			g_string_append_c(out, (char)(hi << 4 | lo));
			i += 2;
		} else {
			g_string_append_c(out, s[i]);
		}
	}
	if (memchr(out->str, '\0', out->len) || !g_utf8_validate_len(out->str, out->len, NULL))
		goto bad;
	return g_string_free(out, FALSE);
bad:
	g_string_free(out, TRUE);
	return NULL;
}

/* param_cmp - by name, then value (byte order, as Twilio sorts) */
static gint param_cmp(gconstpointer a, gconstpointer b)
{
	const param *x = *(param *const *)a, *y = *(param *const *)b;
	int c = strcmp(x->name, y->name);
	return c ? c : strcmp(x->value, y->value);
}

/* twilio_form - the body's parameters, sorted; NULL if malformed */
static GPtrArray *twilio_form(const char *body, size_t len)
{
	GPtrArray *ps = g_ptr_array_new_with_free_func(param_free);
	if (memchr(body, '\0', len))
		goto bad;
	size_t i = 0;
	while (i < len) {
		const char *amp = memchr(body + i, '&', len - i);
		size_t end = amp ? (size_t)(amp - body) : len;
		if (end > i) {
			const char *eq = memchr(body + i, '=', end - i);
			size_t ne = eq ? (size_t)(eq - body) : end;
			param *p = g_new0(param, 1);
			p->name = twilio_decode(body + i, ne - i);
			p->value = eq ? twilio_decode(eq + 1, end - ne - 1) : g_strdup("");
			g_ptr_array_add(ps, p);
			if (!p->name || !p->value)
				goto bad;
		}
		i = end + 1;
	}
	g_ptr_array_sort(ps, param_cmp);
	return ps;
bad:
	g_ptr_array_unref(ps);
	return NULL;
}

/* twilio_get - first value of name */
static const char *twilio_get(GPtrArray *ps, const char *name)
{
	for (guint i = 0; i < ps->len; i++) {
		param *p = g_ptr_array_index(ps, i);
		if (!strcmp(p->name, name))
			return p->value;
	}
	return NULL;
}

/* twilio_verify - HMAC-SHA1 over URL + sorted name/value pairs */
static bool twilio_verify(const wh_channel *ch, const wh_request *r, const char **why)
{
	const char *sig = wh_header(r, "x-twilio-signature");
	if (!sig) {
		*why = "missing X-Twilio-Signature";
		return false;
	}
	GPtrArray *ps = twilio_form(r->body, r->body_len);
	if (!ps) {
		*why = "malformed form body";
		return false;
	}
	GString *data = g_string_new(ch->public_url);
	for (guint i = 0; i < ps->len; i++) {
		param *p = g_ptr_array_index(ps, i);
		g_string_append(data, p->name);
		g_string_append(data, p->value);
	}
	GBytes *mac = webhook_auth_hmac(G_CHECKSUM_SHA1, ch->secret_bytes, data->str, data->len,
					NULL, 0, NULL, 0);
	bool ok = webhook_auth_check_base64(sig, mac);
	g_bytes_unref(mac);
	g_string_free(data, TRUE);
	g_ptr_array_unref(ps);
	if (!ok)
		*why = "signature mismatch";
	return ok;
}

/* twilio_parse - onMessageAdd: Body, Author, ConversationSid */
static wh_parse_result twilio_parse(const wh_channel *ch, const wh_request *r, GPtrArray *items,
				    wh_reply *rep, GError **err)
{
	GPtrArray *ps = twilio_form(r->body, r->body_len);
	if (!ps) {
		g_set_error(err, VIGIE_ERROR, VIGIE_ERROR_INPUT,
			    "form body: bad percent escape, NUL byte or invalid UTF-8");
		return WH_PARSE_ERROR;
	}
	wh_parse_result res = WH_PARSE_ITEMS;
	const char *event = twilio_get(ps, "EventType");
	if (!event || strcmp(event, "onMessageAdd") != 0) {
		wh_reply_set(rep, 200, "text/plain", g_strdup(""));
		res = WH_PARSE_REPLY;
		goto out;
	}
	const char *body = twilio_get(ps, "Body");
	if (!body) {
		g_set_error(err, VIGIE_ERROR, VIGIE_ERROR_INPUT, "form body: missing field 'Body'");
		res = WH_PARSE_ERROR;
		goto out;
	}
	wh_chat chat = {
		.platform = "twilio",
		.conversation = twilio_get(ps, "ConversationSid"),
		.message_id = wh_header(r, "i-twilio-idempotency-token"),
		.author_id = twilio_get(ps, "Author"),
		.text = body,
	};
	wh_item *it = webhook_json_item(&chat, err);
	if (!it)
		res = WH_PARSE_ERROR;
	else
		g_ptr_array_add(items, it);
out:
	g_ptr_array_unref(ps);
	return res;
}

/* twilio_answer - allow, modify or refuse */
static void twilio_answer(const wh_channel *ch, const wh_request *r, GPtrArray *items,
			  const vigie_config *c, wh_reply *rep)
{
	const wh_item *it = items->len ? g_ptr_array_index(items, 0) : NULL;
	if (!it || it->action == VIGIE_ACTION_RELEASE) {
		wh_reply_set(rep, 200, "text/plain", g_strdup(""));
		return;
	}
	if (it->action == VIGIE_ACTION_TAG) {
		JsonBuilder *b = json_builder_new();
		json_builder_begin_object(b);
		json_builder_set_member_name(b, "body");
		char *text = g_strdup_printf("%s\n\n%s", webhook_label(c, it->action),
					     it->original_text ? it->original_text : "");
		json_builder_add_string_value(b, text);
		g_free(text);
		json_builder_end_object(b);
		wh_reply_set(rep, 200, "application/json", webhook_json_to_string(b));
		return;
	}
	wh_reply_error(rep, 403, r->request_id, webhook_label(c, it->action));
}

const wh_adapter wh_twilio = {
	.platform = "twilio",
	.verify = twilio_verify,
	.parse = twilio_parse,
	.answer = twilio_answer,
};
