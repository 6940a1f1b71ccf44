/* webhook_auth.c - request signature helpers: HMAC (GLib's GHmac, SHA-1 and
 * SHA-256), constant-time comparison, hex and base64 signature checks,
 * timestamp windows.
 *
 * SECURITY: signatures come from the network. A signature is decoded into
 * bytes and compared with the expected MAC in time that depends only on the
 * lengths, so a forger learns nothing from timing. Malformed hex or base64
 * is simply a mismatch. Timestamps must be plain decimal seconds.
 */
#include "webhook_internal.h"

#include <stdlib.h>
#include <string.h>

/* webhook_auth_hmac - HMAC(key, a || b || c) */
GBytes *webhook_auth_hmac(GChecksumType type, GBytes *key, const void *a, size_t alen,
			  const void *b, size_t blen, const void *c, size_t clen)
{
	gsize klen;
	const guchar *k = g_bytes_get_data(key, &klen);
	GHmac *h = g_hmac_new(type, k ? k : (const guchar *)"", klen);
	if (alen)
		g_hmac_update(h, a, (gssize)alen);
	if (blen)
		g_hmac_update(h, b, (gssize)blen);
	if (clen)
		g_hmac_update(h, c, (gssize)clen);
	guint8 out[64];
	gsize olen = sizeof out;
	g_hmac_get_digest(h, out, &olen);
	g_hmac_unref(h);
	return g_bytes_new(out, olen);
}

/* webhook_auth_equal - constant time in the contents */
bool webhook_auth_equal(const void *a, size_t alen, const void *b, size_t blen)
{
	const volatile unsigned char *x = a, *y = b;
	unsigned char diff = alen != blen;
	size_t n = alen < blen ? alen : blen;
	for (size_t i = 0; i < n; i++)
		diff |= x[i] ^ y[i];
	return diff == 0;
}

/* webhook_auth_check_hex - hex text against the MAC */
bool webhook_auth_check_hex(const char *sig, GBytes *mac)
{
	gsize mlen;
	const guint8 *m = g_bytes_get_data(mac, &mlen);
	size_t sl = sig ? strlen(sig) : 0;
	if (sl != mlen * 2)
		return false;
	guint8 got[64];
	unsigned char bad = 0;
	for (size_t i = 0; i < mlen; i++) {
		int hi = g_ascii_xdigit_value(sig[2 * i]), lo = g_ascii_xdigit_value(sig[2 * i + 1]);
		bad |= (unsigned char)(hi < 0 || lo < 0);
		got[i] = (guint8)((hi & 15) << 4 | (lo & 15));
	}
	return webhook_auth_equal(got, mlen, m, mlen) && !bad;
}

/* webhook_auth_check_base64 - base64 text against the MAC, compared as
 * canonical base64 text (a non-canonical spelling of the right bytes is
 * refused too) */
bool webhook_auth_check_base64(const char *sig, GBytes *mac)
{
	gsize mlen;
	const guint8 *m = g_bytes_get_data(mac, &mlen);
	char *want = g_base64_encode(m, mlen);
	bool ok = sig && webhook_auth_equal(sig, strlen(sig), want, strlen(want));
	g_free(want);
	return ok;
}

/* webhook_auth_fresh - |now - ts| <= window, ts decimal seconds */
bool webhook_auth_fresh(const char *ts, gint64 now, long long window)
{
	if (!ts || !*ts || strlen(ts) > 12)
		return false;
	for (const char *p = ts; *p; p++)
		if (!g_ascii_isdigit(*p))
			return false;
	long long t = strtoll(ts, NULL, 10);
	long long d = (long long)now - t;
	return d <= window && d >= -window;
}
