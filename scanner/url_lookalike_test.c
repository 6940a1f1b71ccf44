/* url_lookalike_test.c - hosts that imitate protected names, and near-misses
 *
 * The protected lists are this test's own fixtures, written to a temporary
 * folder.
 */
#include "url.h"

#include <glib/gstdio.h>
#include <string.h>

static const char domains_txt[] = "# test fixture\n"
				  "horizon-assurances.fr\n"
				  "horizon-assurances.com\n"
				  "credit-agricole.fr\n"
				  "impots.gouv.fr\n"
				  "laposte.fr\n"
				  "societegenerale.fr\n"
				  "lcl.fr\n";
static const char brands_txt[] = "paypal paypal.com paypal.fr\n"
				 "microsoft microsoft.com live.com\n"
				 "=orange orange.fr\n"
				 "=apple apple.com icloud.com\n"
				 "ups ups.com\n";

static char *fixture_dir(const char *domains, const char *brands)
{
	char *dir = g_dir_make_tmp("vigie-look-XXXXXX", NULL);
	char *d = g_build_filename(dir, "domains.txt", NULL);
	char *b = g_build_filename(dir, "brands.txt", NULL);
	g_assert_true(g_file_set_contents(d, domains, -1, NULL));
	g_assert_true(g_file_set_contents(b, brands, -1, NULL));
	g_free(d);
	g_free(b);
	return dir;
}

static void fixture_rm(char *dir)
{
	char *d = g_build_filename(dir, "domains.txt", NULL);
	char *b = g_build_filename(dir, "brands.txt", NULL);
	g_unlink(d);
	g_unlink(b);
	g_rmdir(dir);
	g_free(d);
	g_free(b);
	g_free(dir);
}

typedef struct {
	const char *host;
	const char *want; /* the protected name imitated, or NULL */
	const char *why;  /* a word the reason must contain */
} look_case;

static const look_case cases[] = {
    /* homoglyphs and confusable scripts (TS #39 skeletons) */
    {"www.раураl.com", "paypal", "confusable"},	    /* Cyrillic а, р, у */
    {"xn--l-7sba6dbr.com", "paypal", "confusable"}, /* the same, as punycode */
    {"rnicrosoft.com", "microsoft", "confusable"},  /* rn for m */
    {"paypa1.com", "paypal", "confusable"},	    /* 1 for l */
    {"horizon-assurances.fr.xn--80ak6aa92e.com", "horizon-assurances.fr", "subdomain"},
    {"hοrizon-assurances.fr", "horizon-assurances.fr", "confusable"}, /* Greek omicron */
    /* the protected label under another suffix */
    {"horizon-assurances.net", "horizon-assurances.fr", "suffix"},
    {"espace.credit-agricole.info", "credit-agricole.fr", "suffix"},
    /* small edit distance */
    {"horizon-assurance.fr", "horizon-assurances.fr", "edit"},
    {"horizonassurances.fr", "horizon-assurances.fr", "edit"},
    {"horizon-asurances.com", "horizon-assurances.fr", "edit"},
    {"hoirzon-assurances.fr", "horizon-assurances.fr", "edit"}, /* transposition */
    {"laposte-fr.com", "laposte.fr", "inside"},
    {"lapostte.fr", "laposte.fr", "edit"},
    {"societegeneral.com", "societegenerale.fr", "edit"},
    {"sociietegeneralle.fr", "societegenerale.fr", "edit"}, /* 2 edits, long name */
    /* protected names in subdomains of foreign domains */
    {"paypal.com.secure-login.example", "paypal", "subdomain"},
    {"impots.gouv.fr.remboursement.example", "impots.gouv.fr", "subdomain"},
    /* brands embedded in other names */
    {"paypal-secure-login.example", "paypal", "inside"},
    {"secure.paypal-account.example", "paypal", "inside"},
    {"microsoftonline-auth.example", "microsoft", "inside"},
    {"orange-compte.example", "orange", "inside"},
    {"lcl-securite.example", "lcl.fr", "inside"},
    {"ups-delivery.example", "ups", "inside"},
    {"mon.impots-gouv.example", "impots.gouv.fr", "inside"},
    {"paypa1-account.example", "paypal", "lookalike of the name"},   /* 1 for l, embedded */
    {"secure-rnicrosoft-login.example", "microsoft", "lookalike of the name"}, /* rn for m */
    /* a word of the name one edit away from a long brand name */
    {"micosoft-login.example", "microsoft", "1 edit away"},
    {"review.microsfot-docs.example", "microsoft", "1 edit away"}, /* transposition */
    {"paypai-login.example", NULL, NULL}, /* paypal: 6 letters, too short for a word */
    {"microsofty.example", "microsoft", "edit"}, /* the label rule comes first */
    /* near-misses: never lookalikes */
    {"horizon-assurances.fr", NULL, NULL},     /* protected itself */
    {"www.horizon-assurances.fr", NULL, NULL}, /* its subdomain */
    {"mail.horizon-assurances.com", NULL, NULL},
    {"paypal.com", NULL, NULL},
    {"www.paypal.fr", NULL, NULL},
    {"login.live.com", NULL, NULL},
    {"example.com", NULL, NULL},
    {"horizon.fr", NULL, NULL}, /* a different, shorter name */
    {"assurances.fr", NULL, NULL},
    {"orangecounty.example", NULL, NULL}, /* "=orange": whole words only */
    {"pineapple.example", NULL, NULL},	  /* "=apple" */
    {"groups.example", NULL, NULL},	  /* short brand inside a word */
    {"startups.example", NULL, NULL},
    {"postal.example", NULL, NULL},
    {"lcd.fr", NULL, NULL}, /* short labels: no edit distance */
    {"apply.com", NULL, NULL},
    {"oranges.fr", NULL, NULL},
    {"192.168.1.1", NULL, NULL},
    {"com", NULL, NULL},
    {"", NULL, NULL},
};

/* test_table - every case against the fixture lists */
static void test_table(void)
{
	char *dir = fixture_dir(domains_txt, brands_txt);
	GError *err = NULL;
	url_protect *p = url_protect_load(dir, 6, 10, &err);
	g_assert_no_error(err);
	for (size_t i = 0; i < G_N_ELEMENTS(cases); i++) {
		bool ip;
		char *h =
		    *cases[i].host ? url_normalise_host(cases[i].host, &ip, NULL) : g_strdup("");
		g_assert_nonnull(h);
		char *why = NULL;
		const char *got = url_protect_lookalike(p, h, &why);
		g_test_message("case %zu: %s -> %s (%s)", i, cases[i].host, got, why);
		g_assert_cmpstr(got, ==, cases[i].want);
		if (cases[i].why) {
			g_assert_nonnull(why);
			g_assert_nonnull(strstr(why, cases[i].why));
		} else
			g_assert_null(why);
		g_free(why);
		g_free(h);
	}
	url_protect_free(p);
	fixture_rm(dir);
}

/* test_protected - url_protect_has on hosts and their parents */
static void test_protected(void)
{
	char *dir = fixture_dir(domains_txt, brands_txt);
	url_protect *p = url_protect_load(dir, 6, 10, NULL);
	g_assert_true(url_protect_has(p, "horizon-assurances.fr"));
	g_assert_true(url_protect_has(p, "a.b.horizon-assurances.fr"));
	g_assert_true(url_protect_has(p, "paypal.com")); /* a brand's domain */
	g_assert_false(url_protect_has(p, "horizon-assurances.fr.evil.example"));
	g_assert_false(url_protect_has(p, "xhorizon-assurances.fr"));
	g_assert_false(url_protect_has(p, "fr"));
	g_assert_cmpuint(url_protect_count(p), ==, 15); /* 7 domains + 8 brand domains */
	url_protect_free(p);
	fixture_rm(dir);
}

/* test_mixed - mixed-script labels */
static void test_mixed(void)
{
	char *dir = fixture_dir(domains_txt, brands_txt);
	url_protect *p = url_protect_load(dir, 6, 10, NULL);
	g_assert_true(url_protect_mixed_script(p, "раураl.com")); /* Cyrillic + Latin l */
	g_assert_true(url_protect_mixed_script(p, "gοogle.com")); /* Greek omicron */
	g_assert_false(url_protect_mixed_script(p, "пример.рф")); /* all Cyrillic */
	g_assert_false(url_protect_mixed_script(p, "bücher.de")); /* Latin with diacritics */
	g_assert_false(url_protect_mixed_script(p, "example.com"));
	g_assert_false(
	    url_protect_mixed_script(p, "日本語テスト.jp")); /* Han + Katakana: Japanese */
	url_protect_free(p);
	fixture_rm(dir);
}

/* test_distance - optimal string alignment distance */
static void test_distance(void)
{
	static const struct {
		const char *a, *b;
		int limit, want;
	} d[] = {
	    {"paypal", "paypal", 2, 0}, {"paypal", "paypa", 2, 1},
	    {"paypal", "payp4l", 2, 1}, {"paypal", "papyal", 2, 1},
	    {"paypal", "pyapal", 2, 1}, {"kitten", "sitting", 3, 3},
	    {"abc", "xyz", 1, 2},	{"short", "muchlongername", 2, 3},
	    {"ça", "ca", 2, 1},
	};
	for (size_t i = 0; i < G_N_ELEMENTS(d); i++)
		g_assert_cmpint(url_lookalike_distance(d[i].a, d[i].b, d[i].limit), ==, d[i].want);
}

/* test_errors - bad list lines are named by file and line */
static void test_errors(void)
{
	static const struct {
		const char *domains, *brands, *msg;
	} e[] = {
	    {"example.com\nnot a domain\n", "", "domains.txt:2: one domain per line"},
	    {"# c\n\nbad_$.com\n", "", "domains.txt:3: 'bad_$.com' is not a domain name"},
	    {"localhost\n", "", "domains.txt:1:"},
	    {"", "okay okay.example\nBad bad.example\n", "brands.txt:2: brand 'Bad'"},
	    {"", "x1 x.example\n", "brands.txt:1: brand 'x1'"},
	    {"", "good 1.2.3.4\n", "brands.txt:1: '1.2.3.4' is not a domain name"},
	};
	for (size_t i = 0; i < G_N_ELEMENTS(e); i++) {
		char *dir = fixture_dir(e[i].domains, e[i].brands);
		GError *err = NULL;
		g_assert_null(url_protect_load(dir, 6, 10, &err));
		g_assert_nonnull(err);
		g_test_message("%s", err->message);
		g_assert_nonnull(strstr(err->message, e[i].msg));
		g_error_free(err);
		fixture_rm(dir);
	}
	GError *err = NULL;
	g_assert_null(url_protect_load("/nonexistent-vigie-dir", 6, 10, &err));
	g_assert_nonnull(strstr(err->message, "domains.txt"));
	g_error_free(err);
}

/* test_shipped - the shipped signatures/protected lists: brands most
 * impersonated, and the everyday words among them kept to whole words */
static void test_shipped(void)
{
	static const struct {
		const char *host, *want;
	} c[] = {
	    {"chase-alerts.example", "chase"},
	    {"secure.visa-verify.example", "visa"},
	    {"steamcommunlty.example", "steamcommunity"},
	    {"zoom-meeting.example", "zoom"},
	    {"freebox-facture.example", "freebox"},
	    {"espace-free-mobile.example", "free-mobile"},
	    {"postnl-pakket.example", "postnl.nl"},
	    {"mijn-ing.example", "ing.nl"},
	    {"rabobank-beveiliging.example", "rabobank.nl"},
	    {"ctt-encomendas.example", "ctt"},
	    {"correios-rastreio.example", "correios.com.br"},
	    {"nubank-seguranca.example", "nubank.com.br"},
	    {"mercadolivre-ofertas.example", "mercadolivre.com.br"},
	    {"bancodobrasil-atualizacao.example", "bancodobrasil"},
	    {"office365-login.example", "office365"},
	    {"docusign-review.example", "docusign"},
	    {"wellsfargo.net", "wellsfargo.com"},
	    /* everyday words inside other names, and the brands' own domains */
	    {"purchase.example", NULL},
	    {"steamboat.example", NULL},
	    {"zoominfo.example", NULL},
	    {"free-games.example", NULL},
	    {"freedom.example", NULL},
	    {"meta.stackexchange.com", NULL},
	    {"meta.wikimedia.org", NULL},
	    {"postal.example", NULL},
	    {"cloud.example", NULL},
	    {"visakhapatnam.example", NULL},
	    {"nos-offres.example", NULL},
	    {"outlook.news.example", NULL},
	    {"booking.com", NULL},
	    {"www.free.fr", NULL},
	    {"mijn.ing.nl", NULL},
	    {"store.steampowered.com", NULL},
	    {"us02web.zoom.us", NULL},
	    {"www.google.co.uk", NULL},
	    {"x-my.sharepoint.com", NULL},
	};
	char *dir = g_build_filename(VIGIE_SRCDIR, "signatures", "protected", NULL);
	GError *err = NULL;
	url_protect *p = url_protect_load(dir, 6, 10, &err);
	g_assert_no_error(err);
	for (size_t i = 0; i < G_N_ELEMENTS(c); i++) {
		char *why = NULL;
		const char *got = url_protect_lookalike(p, c[i].host, &why);
		g_test_message("%s -> %s (%s)", c[i].host, got, why);
		g_assert_cmpstr(got, ==, c[i].want);
		g_free(why);
	}
	url_protect_free(p);
	g_free(dir);
}

int main(int argc, char **argv)
{
	g_test_init(&argc, &argv, NULL);
	g_test_add_func("/url_lookalike/table", test_table);
	g_test_add_func("/url_lookalike/protected", test_protected);
	g_test_add_func("/url_lookalike/mixed", test_mixed);
	g_test_add_func("/url_lookalike/distance", test_distance);
	g_test_add_func("/url_lookalike/errors", test_errors);
	g_test_add_func("/url_lookalike/shipped", test_shipped);
	return g_test_run();
}
