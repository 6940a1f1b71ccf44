/* webhook_auth_test.c - HMAC vectors (RFC 2202, RFC 4231), constant-time
 * comparison, hex and base64 checks with near misses, timestamp windows. */
#include "webhook_internal.h"

#include <string.h>

/* auth_hex - MAC as lower-case hex; caller g_free */
static char *auth_hex(GBytes *mac)
{
	gsize n;
	const guint8 *m = g_bytes_get_data(mac, &n);
	GString *s = g_string_new(NULL);
	for (gsize i = 0; i < n; i++)
		g_string_append_printf(s, "%02x", m[i]);
	return g_string_free(s, FALSE);
}

static void test_hmac_vectors(void)
{
	static const struct {
		GChecksumType type;
		const char *key, *data, *hex;
	} cases[] = {
		/* RFC 4231 test case 2 */
		{ G_CHECKSUM_SHA256, "Jefe", "what do ya want for nothing?",
		  "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843" },
		/* RFC 2202 test case 2 */
		{ G_CHECKSUM_SHA1, "Jefe", "what do ya want for nothing?",
		  "effcdf6ae5eb2fa2d27416d5f184df9c259a7c79" },
	};
	for (size_t i = 0; i < G_N_ELEMENTS(cases); i++) {
		GBytes *key = g_bytes_new_static(cases[i].key, strlen(cases[i].key));
		/* split the data in three parts: same MAC as in one */
		const char *d = cases[i].data;
		GBytes *mac = webhook_auth_hmac(cases[i].type, key, d, 4, d + 4, 10, d + 14, strlen(d) - 14);
		char *hex = auth_hex(mac);
		g_assert_cmpstr(hex, ==, cases[i].hex);
		g_assert_true(webhook_auth_check_hex(cases[i].hex, mac));
		char *upper = g_ascii_strup(cases[i].hex, -1);
		g_assert_true(webhook_auth_check_hex(upper, mac));
		g_free(upper);
		g_free(hex);
		g_bytes_unref(mac);
		g_bytes_unref(key);
	}
}

static void test_equal(void)
{
	g_assert_true(webhook_auth_equal("abc", 3, "abc", 3));
	g_assert_false(webhook_auth_equal("abc", 3, "abd", 3));
	g_assert_false(webhook_auth_equal("abc", 3, "abcd", 4));
	g_assert_false(webhook_auth_equal("", 0, "a", 1));
	g_assert_true(webhook_auth_equal("", 0, "", 0));
}

static void test_hex_base64_near_misses(void)
{
	GBytes *key = g_bytes_new_static("Jefe", 4);
	const char *d = "what do ya want for nothing?";
	GBytes *mac = webhook_auth_hmac(G_CHECKSUM_SHA256, key, d, strlen(d), NULL, 0, NULL, 0);
	static const char *const bad_hex[] = {
		"5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3842",  /* last digit */
		"5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec384",   /* short */
		"5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec38433", /* long */
		"5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec38zz",  /* not hex */
		"", NULL,
	};
	for (size_t i = 0; i < G_N_ELEMENTS(bad_hex); i++)
		g_assert_false(webhook_auth_check_hex(bad_hex[i], mac));
	gsize n;
	const guint8 *m = g_bytes_get_data(mac, &n);
	char *b64 = g_base64_encode(m, n);
	g_assert_cmpstr(b64, ==, "W9zBRr9gdU5qBCQmCJV1x1oAPwidJzmDnexYuWTsOEM=");
	g_assert_true(webhook_auth_check_base64(b64, mac));
	static const char *const bad_b64[] = {
		"W9zBRr9gdU5qBCQmCJV1x1oAPwidJzmDnexYuWTsOEN=", /* one bit */
		"W9zBRr9gdU5qBCQmCJV1x1oAPwidJzmDnexYuWTsOEM",  /* no padding */
		"W9zBRr9gdU5qBCQmCJV1x1oAPwidJzmDnexYuWTsOE M=", /* space */
		"", NULL,
	};
	for (size_t i = 0; i < G_N_ELEMENTS(bad_b64); i++)
		g_assert_false(webhook_auth_check_base64(bad_b64[i], mac));
	g_free(b64);
	g_bytes_unref(mac);
	g_bytes_unref(key);
}

static void test_fresh(void)
{
	static const struct {
		const char *ts;
		bool ok;
	} cases[] = {
		{ "1000000", true }, { "999700", true }, { "999699", false }, { "1000300", true },
		{ "1000301", false }, { "", false }, { "-5", false }, { "1e6", false },
		{ " 1000000", false }, { "1000000000000000", false }, { NULL, false },
	};
	for (size_t i = 0; i < G_N_ELEMENTS(cases); i++)
		g_assert_cmpint(webhook_auth_fresh(cases[i].ts, 1000000, 300), ==, cases[i].ok);
}

int main(int argc, char **argv)
{
	g_test_init(&argc, &argv, NULL);
	g_test_add_func("/webhook_auth/hmac_vectors", test_hmac_vectors);
	g_test_add_func("/webhook_auth/equal", test_equal);
	g_test_add_func("/webhook_auth/hex_base64_near_misses", test_hex_base64_near_misses);
	g_test_add_func("/webhook_auth/fresh", test_fresh);
	return g_test_run();
}
