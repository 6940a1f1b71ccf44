/* webhook_channel.c - the channels of [webhook.NAME] sections: platform,
 * secret and the platform's extra keys, checked once at start.
 *
 * SECURITY: secrets are configuration and never logged or echoed; errors
 * name the section and key, never the value.
 */
#include "webhook_internal.h"
#include "webhook_channel.h"

#include <string.h>

static void channel_free(gpointer p)
{
	wh_channel *ch = p;
	if (!ch)
		return;
	g_free(ch->name);
	if (ch->secret)
		memset(ch->secret, 0, strlen(ch->secret));
	g_free(ch->secret);
	if (ch->secret_bytes)
		g_bytes_unref(ch->secret_bytes);
	g_free(ch->public_url);
	g_free(ch->verify_token);
	g_free(ch->downstream_url);
	g_free(ch->downstream_secret);
	g_free(ch);
}

/* webhook_channels_load - every [webhook.NAME]; NULL with err */
GPtrArray *webhook_channels_load(const vigie_config *c, GError **err)
{
	GPtrArray *out = g_ptr_array_new_with_free_func(channel_free);
	char **names = vigie_config_sections(c, "webhook");
	for (char **n = names; *n; n++) {
		char *sec = g_strconcat("webhook.", *n, NULL);
		wh_channel *ch = g_new0(wh_channel, 1);
		g_ptr_array_add(out, ch);
		ch->name = g_strdup(*n);
		ch->index = out->len - 1;
		ch->adapter = webhook_adapter_find(vigie_config_get(c, sec, "platform"));
		ch->secret = g_strdup(vigie_config_get(c, sec, "secret"));
		ch->public_url = g_strdup(vigie_config_get(c, sec, "public_url"));
		ch->verify_token = g_strdup(vigie_config_get(c, sec, "verify_token"));
		ch->downstream_url = g_strdup(vigie_config_get(c, sec, "downstream_url"));
		ch->downstream_secret = g_strdup(vigie_config_get(c, sec, "downstream_secret"));
		const char *why = NULL;
		if (!ch->adapter)
			why = "platform is unknown";
		else if (ch->adapter == &wh_twilio && !*ch->public_url)
			why = "public_url is required for twilio (the URL Twilio calls)";
		else if (ch->adapter == &wh_meta && !*ch->verify_token)
			why = "verify_token is required for meta";
		else if (*ch->downstream_url && !g_str_has_prefix(ch->downstream_url, "http://") &&
			 !g_str_has_prefix(ch->downstream_url, "https://"))
			why = "downstream_url must be an http:// or https:// URL";
		if (!why && ch->adapter == &wh_teams) {
			gsize len = 0;
			guchar *key = g_base64_decode(ch->secret, &len);
			if (len < 16) {
				why = "secret must be the base64 security token Teams showed";
				g_free(key);
			} else {
				ch->secret_bytes = g_bytes_new_take(key, len);
			}
		} else if (!why) {
			ch->secret_bytes = g_bytes_new(ch->secret, strlen(ch->secret));
		}
		if (why) {
			g_set_error(err, VIGIE_ERROR, VIGIE_ERROR_CONFIG, "[%s] %s", sec, why);
			g_free(sec);
			g_strfreev(names);
			g_ptr_array_unref(out);
			return NULL;
		}
		g_free(sec);
	}
	g_strfreev(names);
	return out;
}

void webhook_channels_free(GPtrArray *chs)
{
	if (chs)
		g_ptr_array_unref(chs);
}
