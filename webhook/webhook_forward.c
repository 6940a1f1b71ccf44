/* webhook_forward.c - gateway mode for platforms that only notify after
 * the fact (Slack, Zendesk, Meta, Genesys): a released or tagged message is
 * POSTed to the channel's downstream_url (libcurl) before the platform gets
 * its answer; a quarantined one is held. The body is
 *   {"vigie": {"channel", "platform", "request_id", "action", "score",
 *              "label"}, "message": <the chat JSON, docs/chat-json.md>}
 * signed like the generic endpoint: X-Vigie-Timestamp and X-Vigie-Signature
 * "v1=" + hex HMAC-SHA256(downstream_secret, timestamp "." body).
 *
 * SECURITY: the URL is configuration (http and https only, no redirects);
 * the body is JSON we generate. A failure is reported to the caller, which
 * answers 503 so that the platform delivers again: nothing is lost.
 */
#include "webhook_internal.h"

#include <curl/curl.h>
#include <string.h>

/* webhook_forward_init - libcurl's global state, before threads */
bool webhook_forward_init(GError **err)
{
	if (curl_global_init(CURL_GLOBAL_DEFAULT) != CURLE_OK) {
		g_set_error(err, VIGIE_ERROR, VIGIE_ERROR_CONFIG, "libcurl: initialisation failed");
		return false;
	}
	return true;
}

void webhook_forward_cleanup(void)
{
	curl_global_cleanup();
}

/* forward_discard - ignore the downstream's answer body */
static size_t forward_discard(char *p, size_t size, size_t n, void *u)
{
	return size * n;
}

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
	struct curl_slist *hdr = curl_slist_append(NULL, "Content-Type: application/json");
	char *ts = g_strdup_printf("%" G_GINT64_FORMAT, r->now);
	char *h = g_strdup_printf("X-Vigie-Timestamp: %s", ts);
	hdr = curl_slist_append(hdr, h);
	g_free(h);
	if (ch->downstream_secret && *ch->downstream_secret) {
		GBytes *key = g_bytes_new_static(ch->downstream_secret, strlen(ch->downstream_secret));
		GBytes *mac = webhook_auth_hmac(G_CHECKSUM_SHA256, key, ts, strlen(ts), ".", 1, body,
						strlen(body));
		gsize ml;
		const guint8 *m = g_bytes_get_data(mac, &ml);
		GString *sig = g_string_new("X-Vigie-Signature: v1=");
		for (gsize i = 0; i < ml; i++)
			g_string_append_printf(sig, "%02x", m[i]);
		hdr = curl_slist_append(hdr, sig->str);
		g_string_free(sig, TRUE);
		g_bytes_unref(mac);
		g_bytes_unref(key);
	}
	CURL *c = curl_easy_init();
	bool ok = false;
	if (!c) {
		g_set_error(err, VIGIE_ERROR, VIGIE_ERROR_IO, "forward: libcurl unavailable");
		goto out;
	}
	curl_easy_setopt(c, CURLOPT_URL, ch->downstream_url);
	curl_easy_setopt(c, CURLOPT_PROTOCOLS_STR, "http,https");
	curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L);
	curl_easy_setopt(c, CURLOPT_TIMEOUT, timeout_s);
	curl_easy_setopt(c, CURLOPT_HTTPHEADER, hdr);
	curl_easy_setopt(c, CURLOPT_POSTFIELDS, body);
	curl_easy_setopt(c, CURLOPT_POSTFIELDSIZE, (long)strlen(body));
	curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, forward_discard);
	CURLcode rc = curl_easy_perform(c);
	long status = 0;
	curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &status);
	if (rc != CURLE_OK)
		g_set_error(err, VIGIE_ERROR, VIGIE_ERROR_IO, "forward to channel %s: %s", ch->name,
			    curl_easy_strerror(rc));
	else if (status < 200 || status > 299)
		g_set_error(err, VIGIE_ERROR, VIGIE_ERROR_IO, "forward to channel %s: HTTP %ld", ch->name,
			    status);
	else
		ok = true;
	curl_easy_cleanup(c);
out:
	curl_slist_free_all(hdr);
	g_free(ts);
	g_free(body);
	return ok;
}
