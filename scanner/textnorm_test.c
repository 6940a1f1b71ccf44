/* textnorm_test.c - every evasion textnorm undoes, what it must leave
 * alone, and the way back to the original text for evidence. */
#include "internal.h"

#include <string.h>

typedef struct {
	const char *in;
	const char *out;
} tn_case;

static const tn_case tn_cases[] = {
    /* case and accents */
    {"Sécurité", "securite"},
    {"ÉLÈVE À L'ÉCOLE", "eleve a l'ecole"},
    {"Straße", "strasse"},
    {"cœur", "coeur"},
    /* compatibility forms: full width, ligatures, math alphabets, circled */
    {"ＰＡＳＳＷＯＲＤ", "password"},
    {"ﬁnance", "finance"},
    {"\xf0\x9d\x90\x98\xf0\x9d\x90\x8e\xf0\x9d\x90\x94\xf0\x9d\x90\x91", "your"}, /* 𝐘𝐎𝐔𝐑 */
    {"ⓒⓞⓓⓔ", "code"},
    /* zero-width and bidi controls */
    {"pass\xe2\x80\x8bword", "password"}, /* ZWSP */
    {"co\xe2\x80\x8d"
     "de",
     "code"},					  /* ZWJ */
    {"\xe2\x80\xaeverify\xe2\x80\xac", "verify"}, /* RLO ... PDF */
    {"ve\xc2\xadrify", "verify"},		  /* soft hyphen */
    {"\xef\xbb\xbfhello", "hello"},		  /* BOM */
    /* confusables: Cyrillic and Greek letters in Latin words */
    {"p\xd0\xb0ssword", "password"},		      /* Cyrillic а */
    {"\xd0\xa0\xd0\xb0y\xd0\xa0\xd0\xb0l", "paypal"}, /* Р а y Р а l */
    {"\xce\xbf\xcf\x84p", "otp"},		      /* Greek ο τ */
    {"s\xe1\xb4\x87\xe1\xb4\x84\xe1\xb4\x9c\xca\x80\xc9\xaa\xe1\xb4\x9b\xca\x8f",
     "security"}, /* small caps */
    /* leetspeak inside words */
    {"c0de", "code"},
    {"p@ssw0rd", "password"},
    {"cod3", "code"},
    {"c0d3", "code"},
    {"v3rify y0ur acc0unt", "verify your account"},
    {"1nfo", "info"},
    {"pa$$word", "password"},
    {"l!nk", "link"},
    /* ... but numbers, units and addresses keep their characters */
    {"24h", "24h"},
    {"within 48 hours", "within 48 hours"},
    {"call 0612345678", "call 0612345678"},
    {"win10 4u", "win10 4u"},
    {"mail bob@example.com now", "mail bob@example.com now"},
    {"500$ or 3€", "500$ or 3€"},
    {"Great!", "great!"},
    {"only GBP4.50 a week", "only gbp4.50 a week"},   /* an amount */
    {"1x150p/wk", "1x150p/wk"},			       /* a price */
    {"reply 4txt now", "reply 4txt now"},	       /* text-speak "for" */
    {"XMAS TONES!Reply NOW", "xmas tones!reply now"}, /* a sentence end */
    {"cl!ck here", "click here"},
    /* spaced-out letters */
    {"c o d e", "code"},
    {"v.e.r.i.f.y", "verify"},
    {"c-o-d-e", "code"},
    {"send the c o d e now", "send the code now"},
    {"il y a", "il y a"}, /* two single letters stay */
    {"u r a winner", "u r a winner"}, /* text-speak words stay */
    {"your o t p", "your otp"},
    {"p i n", "pin"},
    {"e.g. this", "e.g. this"},
    /* white space and typography */
    {"  a\t\n\u00a0b  ", "a b"},
    {"l\xe2\x80\x99IBAN", "l'iban"},
    {"\xc2\xab urgent \xc2\xbb", "\" urgent \""},
    {"", ""},
};

static void test_normalise(void)
{
	for (size_t i = 0; i < G_N_ELEMENTS(tn_cases); i++) {
		char *got = textnorm_string(tn_cases[i].in);
		if (strcmp(got, tn_cases[i].out))
			g_test_message("case %zu: '%s' -> '%s', want '%s'", i, tn_cases[i].in, got,
				       tn_cases[i].out);
		g_assert_cmpstr(got, ==, tn_cases[i].out);
		g_free(got);
	}
}

/* the normalised match maps back to the original characters */
static void test_original(void)
{
	static const struct {
		const char *in, *find, *orig;
	} cases[] = {
	    {"Envoyez le c0de reçu", "code", "c0de"},
	    {"Merci de V\xc3\xa9rifier", "verifier", "V\xc3\xa9rifier"},
	    {"your p\xd0\xb0ssword now", "password", "p\xd0\xb0ssword"},
	    {"send the c o d e", "code", "c o d e"},
	    {"pass\xe2\x80\x8bword!", "password", "pass\xe2\x80\x8bword"},
	    {"ＣＯＤＥ", "code", "ＣＯＤＥ"},
	};
	for (size_t i = 0; i < G_N_ELEMENTS(cases); i++) {
		textnorm *t = textnorm_new(cases[i].in, -1);
		const char *at = strstr(t->text, cases[i].find);
		g_assert_nonnull(at);
		gsize s = (gsize)(at - t->text);
		char *orig = textnorm_original(t, s, s + strlen(cases[i].find));
		g_assert_cmpstr(orig, ==, cases[i].orig);
		g_free(orig);
		textnorm_free(t);
	}
}

/* invalid UTF-8 and NUL bytes never break the map */
static void test_hostile(void)
{
	static const char bad[] = "ab\xff\xfe c\xc3\x28 d\xe2\x82";
	textnorm *t = textnorm_new(bad, sizeof bad - 1);
	g_assert_true(g_utf8_validate(t->text, (gssize)t->len, NULL));
	g_assert_cmpuint(t->map[t->len], ==, sizeof bad - 1);
	for (gsize i = 0; i < t->len; i++)
		g_assert_cmpuint(t->map[i], <, sizeof bad - 1);
	char *o = textnorm_original(t, 0, t->len);
	g_assert_true(g_utf8_validate(o, -1, NULL));
	g_free(o);
	textnorm_free(t);
	static const char nul[] = "co\0de";
	t = textnorm_new(nul, sizeof nul - 1);
	g_assert_cmpstr(t->text, ==, "code");
	textnorm_free(t);
	textnorm_free(NULL);
}

int main(int argc, char **argv)
{
	g_test_init(&argc, &argv, NULL);
	g_test_add_func("/textnorm/normalise", test_normalise);
	g_test_add_func("/textnorm/original", test_original);
	g_test_add_func("/textnorm/hostile", test_hostile);
	return g_test_run();
}
