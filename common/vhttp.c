/* vhttp.c - the signed JSON POST of vhttp.h (libcurl).
 *
 * SECURITY: the URL and secret are configuration; the body is JSON that
 * Vigie generated. Only http and https are allowed and redirects are not
 * followed, so a downstream cannot send the message elsewhere. The answer's
 * body is read and discarded.
 */
#include "vhttp.h"

#include <curl/curl.h>
#include <string.h>

#define VHTTP_ERROR (g_quark_from_static_string("vhttp"))

bool vhttp_global_init(GError **err)
{
	if (curl_global_init(CURL_GLOBAL_DEFAULT) != CURLE_OK) {
		g_set_error(err, VHTTP_ERROR, 1, "libcurl: initialisation failed");
		return false;
	}
	return true;
}

void vhttp_global_cleanup(void)
{
	curl_global_cleanup();
}

/* vhttp_discard - the answer's body is not needed */
static size_t vhttp_discard(char *p, size_t size, size_t n, void *u)
{
	(void)p;
	(void)u;
	return size * n;
}

/* vhttp_signature - see vhttp.h */
char *vhttp_signature(const char *secret, const char *timestamp, const char *body)
{
	GHmac *h = g_hmac_new(G_CHECKSUM_SHA256, (const guchar *)secret, strlen(secret));
	g_hmac_update(h, (const guchar *)timestamp, (gssize)strlen(timestamp));
	g_hmac_update(h, (const guchar *)".", 1);
	g_hmac_update(h, (const guchar *)body, (gssize)strlen(body));
	char *sig = g_strconcat("v1=", g_hmac_get_string(h), NULL);
	g_hmac_unref(h);
	return sig;
}

/* vhttp_post_signed - see vhttp.h */
bool vhttp_post_signed(const char *url, const char *secret, gint64 now, const char *body,
		       long timeout_s, long *status, GError **err)
{
	*status = 0;
	char *ts = g_strdup_printf("%" G_GINT64_FORMAT, now);
	char *h = g_strdup_printf("X-Vigie-Timestamp: %s", ts);
	struct curl_slist *hdr = curl_slist_append(NULL, "Content-Type: application/json");
	hdr = curl_slist_append(hdr, h);
	g_free(h);
	if (secret && *secret) {
		char *sig = vhttp_signature(secret, ts, body);
		h = g_strdup_printf("X-Vigie-Signature: %s", sig);
		hdr = curl_slist_append(hdr, h);
		g_free(h);
		g_free(sig);
	}
	bool ok = false;
	CURL *c = curl_easy_init();
	if (!c) {
		g_set_error(err, VHTTP_ERROR, 1, "libcurl unavailable");
		goto out;
	}
	curl_easy_setopt(c, CURLOPT_URL, url);
	curl_easy_setopt(c, CURLOPT_PROTOCOLS_STR, "http,https");
	curl_easy_setopt(c, CURLOPT_FOLLOWLOCATION, 0L);
	curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L);
	curl_easy_setopt(c, CURLOPT_TIMEOUT, timeout_s);
	curl_easy_setopt(c, CURLOPT_HTTPHEADER, hdr);
	curl_easy_setopt(c, CURLOPT_POSTFIELDS, body);
	curl_easy_setopt(c, CURLOPT_POSTFIELDSIZE, (long)strlen(body));
	curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, vhttp_discard);
	CURLcode rc = curl_easy_perform(c);
	curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, status);
	if (rc != CURLE_OK)
		g_set_error(err, VHTTP_ERROR, 2, "%s", curl_easy_strerror(rc));
	else if (*status < 200 || *status > 299)
		g_set_error(err, VHTTP_ERROR, 3, "HTTP %ld", *status);
	else
		ok = true;
	curl_easy_cleanup(c);
out:
	curl_slist_free_all(hdr);
	g_free(ts);
	return ok;
}
