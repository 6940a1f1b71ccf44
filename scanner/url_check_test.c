/* url_check_test.c - the URL analyser end to end: each check, near-misses,
 * caps, weights from the rule file, load errors, the interface the sender
 * analyser uses.
 *
 * Lists, feeds, protected names and configuration are this test's own
 * fixtures, written to a temporary folder.
 */
#include "url.h"
#include "test_files.h"

#include <glib/gstdio.h>
#include <string.h>

static char *root;

static void put(const char *rel, const char *text)
{
	test_put(root, rel, text);
}

static const char weights[] =
    "url.blocklist 10 phishing-link\nurl.text-href-mismatch 5 phishing-link\n"
    "url.lookalike 6 phishing-link\nurl.mixed-script 4 phishing-link\n"
    "url.ip-host 3 suspicious-link\nurl.credentials 4 suspicious-link\n"
    "url.shortener 1 suspicious-link\nurl.risky-tld 2 suspicious-link\n"
    "url.deep-subdomains 1 suspicious-link\nurl.login-path 1 suspicious-link\n"
    "url.port 1 suspicious-link\nurl.data-uri 4 suspicious-link\nurl.javascript 1 "
    "suspicious-link\nurl.user-hosting 2 suspicious-link\n";

static void fixtures(void)
{
	put("lists/weights.conf", weights);
	put("lists/shorteners.txt", "bit.ly\ntinyurl.com\n");
	put("lists/risky-tlds.txt", "zip\n.top\n");
	put("lists/allowlist.txt", "trusted.example\n");
	put("lists/redirectors.txt", "list-manage.com\n");
	put("lists/login-words.txt", "login\nverify\n/secure/\n");
	put("lists/tracking-paths.txt", "click\nls\nl\n");
	put("lists/hosting.txt", "storage.googleapis.com\nweb.app\ndocs.google.com/forms/*\n"
				 "sharepoint.com/:?:/?/personal/*\n");
	put("lists/unwrap.txt", "google.*  /url  param:q,url\ngoogle.*  /amp/s/  path\n"
				"facebook.com  /l.php  param:u\nbing.com  /ck/a  base64:u\n"
				"linkedin.com  /slink  opaque\n");
	put("feeds/t.domains", "blocked.example\n");
	put("feeds/t.urls", "http://listed.example/exact/page\n");
	put("protected/domains.txt", "horizon-assurances.fr\n");
	put("protected/brands.txt", "paypal paypal.com\ngoogle google.com googleapis.com\n");
	put("vigie.conf",
	    "[av]\nenabled = no\n[lexicon]\nenabled = no\n"
	    "[urls]\nlists = lists\nfeeds = feeds\nprotected = protected\n"
	    "max_urls = 50\nmax_findings = 10\nmax_per_rule = 2\nmax_subdomains = 3\n");
}

static url_engine *engine(vigie_config **cfg)
{
	char *p = g_build_filename(root, "vigie.conf", NULL);
	GError *err = NULL;
	*cfg = vigie_config_load(p, &err);
	g_assert_no_error(err);
	url_engine *u = url_engine_load(*cfg, &err);
	g_assert_no_error(err);
	g_free(p);
	return u;
}

/* run - findings for one link (href, visible text, tag) and a text body */
static vigie_verdict *run(const url_engine *u, const vigie_config *c, const char *href,
			  const char *text, const char *tag, const char *body)
{
	vigie_message *m = message_new(VIGIE_CHANNEL_MAIL);
	GPtrArray *links = g_ptr_array_new_with_free_func(link_free);
	if (href)
		g_ptr_array_add(links, link_new(href, text ? text : "", tag ? tag : "a"));
	message_add_text(m, VIGIE_TEXT_HTML, g_strdup(body ? body : ""), links, "part 1");
	vigie_verdict *v = verdict_new(VIGIE_CHANNEL_MAIL);
	GError *err = NULL;
	scan_ctx *sc = scan_ctx_new(m, u);
	g_assert_true(url_scan(u, sc, v, &err));
	scan_ctx_free(sc);
	vigie_message_free(m);
	return v;
}

static gint url_cmp(gconstpointer a, gconstpointer b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* rules_of - "rule rule ..." sorted */
static char *rules_of(const vigie_verdict *v)
{
	GPtrArray *r = g_ptr_array_new();
	for (guint i = 0; i < v->findings->len; i++) {
		const vigie_finding *f = g_ptr_array_index(v->findings, i);
		bool dup = false;
		for (guint j = 0; j < r->len; j++)
			dup |= strcmp(g_ptr_array_index(r, j), f->rule) == 0;
		if (!dup)
			g_ptr_array_add(r, f->rule);
	}
	g_ptr_array_sort(r, url_cmp);
	GString *s = g_string_new(NULL);
	for (guint i = 0; i < r->len; i++)
		g_string_append_printf(s, "%s%s", i ? " " : "", (char *)g_ptr_array_index(r, i));
	g_ptr_array_unref(r);
	return g_string_free(s, FALSE);
}

typedef struct {
	const char *href, *text, *tag, *body;
	const char *want; /* rule ids, sorted, space-separated */
} check_case;

static const check_case cases[] = {
    /* blocklists: domain (and subdomains), exact URL */
    {"http://blocked.example/x", "", "a", NULL, "url.blocklist"},
    {"https://a.b.blocked.example/", "", "a", NULL, "url.blocklist"},
    {"http://listed.example/exact/page", "", "a", NULL, "url.blocklist"},
    {"http://listed.example/other", "", "a", NULL, ""},
    {"http://notblocked.example/", "", "a", NULL, ""},
    {NULL, NULL, NULL, "hxxp://blocked[.]example/x", "url.blocklist"},
    /* link text vs href */
    {"https://evil.example/a", "www.bank.fr", "a", NULL, "url.text-href-mismatch"},
    {"https://evil.example/a", "https://www.paypal.com/signin", "a", NULL,
     "url.text-href-mismatch"},
    {"https://www.bank.fr/a", "www.bank.fr", "a", NULL, ""},
    {"https://secure.bank.fr/a", "www.bank.fr", "a", NULL, ""}, /* same registrable */
    {"https://www.bank.com/a", "www.bank.fr", "a", NULL, ""},	/* same organisation label */
    {"https://x.list-manage.com/track?u=1", "www.shop.example", "a", NULL, ""}, /* redirector */
    {"https://t.example/r?to=https%3A%2F%2Fwww.shop.example%2F", "www.shop.example", "a", NULL, ""},
    {"https://evil.example/a", "Click here", "a", NULL, ""},
    {"https://evil.example/a", "Visit bank.fr today", "a", NULL, ""},
    {"https://evil.example/a", "www.bank.fr", "img", NULL, ""}, /* not a link text */
    /* ... an unprotected domain shown through a click tracker or a partner page */
    {"http://mail4.media.example/Click?q=ab-12", "www.comics.example", "a", NULL, ""},
    {"https://u1.ct.esp.example/ls/click?upn=x", "www.shop.example", "a", NULL, ""},
    {"https://evil.example/clicker/x", "www.shop.example", "a", NULL, "url.text-href-mismatch"},
    {"https://evil.example/x?r=click", "www.shop.example", "a", NULL, "url.text-href-mismatch"},
    {"https://t.esp.example/l/ab12", "www.paypal.com", "a", NULL, "url.text-href-mismatch"},
    {"http://www.partner.example/walmart", "walmart.com", "a", NULL, ""},
    {"http://www.partner.example/walmarts", "walmart.com", "a", NULL, "url.text-href-mismatch"},
    {"http://www.partner.example/x?s=walmart", "walmart.com", "a", NULL,
     "url.text-href-mismatch"}, /* named in the query only */
    {"https://evil.example/paypal/", "www.paypal.com", "a", NULL, "url.text-href-mismatch"},
    /* lookalikes, mixed scripts; protected and allowlisted spared */
    {"https://paypal-secure.example/", "", "a", NULL, "url.lookalike"},
    {"https://horizon-assurance.fr/", "", "a", NULL, "url.lookalike"},
    {"https://sh\xce\xbfp.example/", "", "a", NULL, "url.mixed-script"}, /* Greek omicron */
    {"https://xn--80ak6aa92e.com/", "", "a", NULL, ""}, /* all Cyrillic: one script */
    {"https://www.horizon-assurances.fr/login", "", "a", NULL, ""},
    {"https://www.paypal.com/signin/verify", "", "a", NULL, ""},
    {"http://1.2.3.4.trusted.example/login:8080", "", "a", NULL, ""},
    /* user-content hosting, even under a protected brand; not pictures */
    {"https://storage.googleapis.com/b/x.html", "", "a", NULL, "url.user-hosting"},
    {"https://storage.googleapis.com/b/x.png", "", "img", NULL, ""},
    {"https://www.googleapis.com/x", "", "a", NULL, ""},
    {"https://shop-x1.web.app/login", "", "form", NULL, "url.login-path url.user-hosting"},
    {"https://web.app.example/", "", "a", NULL, ""},
    {NULL, NULL, NULL, "see https://a.web.app/x", "url.user-hosting"},
    /* ... or only under a path */
    {"https://docs.google.com/forms/d/e/1FAIpQ/viewform", "", "a", NULL, "url.user-hosting"},
    {"https://docs.google.com/document/d/1abc/edit", "", "a", NULL, ""},
    {"https://x-my.sharepoint.com/:b:/g/personal/a_x_example/EaB1", "", "a", NULL,
     "url.user-hosting"},
    {"https://x.sharepoint.com/sites/team/Shared%20Documents", "", "a", NULL, ""},
    /* structural */
    {"http://192.0.2.1/x", "", "a", NULL, "url.ip-host"},
    {"http://3221225985/x", "", "a", NULL, "url.ip-host"},
    {"http://0xC0.0.2.1/x", "", "a", NULL, "url.ip-host"},
    {"https://bank.fr@evil.example/", "", "a", NULL, "url.credentials"},
    {"https://evil.example/a@b", "", "a", NULL, ""},
    {"https://bit.ly/3abc", "", "a", NULL, "url.shortener"},
    {"https://notbit.ly.example/3abc", "", "a", NULL, ""},
    {"https://colis.top/", "", "a", NULL, "url.risky-tld"},
    {"https://top.example/", "", "a", NULL, ""},
    {"https://a.b.c.d.example.com/", "", "a", NULL, "url.deep-subdomains"},
    {"https://a.b.c.example.com/", "", "a", NULL, ""},
    {"https://shop.example/account/login.php", "", "a", NULL, "url.login-path"},
    {"https://shop.example/page?next=login", "", "a", NULL, ""}, /* query only */
    {"https://shop.example/blog", "", "a", NULL, ""},
    {"https://shop.example:8443/", "", "a", NULL, "url.port"},
    {"https://shop.example:443/", "", "a", NULL, ""},
    {"data:text/html;base64,PHNjcmlwdD4=", "", "a", NULL, "url.data-uri"},
    {"data:image/png;base64,iVBORw0KGgo=", "", "img", NULL, ""},
    {"data:text/html,hi", "", "img", NULL, "url.data-uri"},
    {"javascript:alert(1)", "", "a", NULL, "url.javascript"},
    {"mailto:a@b.example", "", "a", NULL, ""},
    {"/relative/login", "", "a", NULL, ""},
    /* redirectors unwrapped: the target checked like any link, the text
     * compared with the target; not a URL: nothing; opaque: a shortener */
    {"https://www.google.com/url?q=https%3A%2F%2Fblocked.example%2Fx", "", "a", NULL,
     "url.blocklist"},
    {"https://l.facebook.com/l.php?u=https%3A%2F%2Fpaypal-secure.example%2F", "", "a", NULL,
     "url.lookalike"},
    {"https://www.bing.com/ck/a?!&&p=ab&u=a1aHR0cDovLzE5Mi4wLjIuOS94&ntb=1", "", "a", NULL, "url.ip-host"},
    {"https://www.google.com/amp/s/colis.top/suivi", "", "a", NULL, "url.risky-tld"},
    {"https://www.google.com/url?q=https://www.google.com/amp/s/a.web.app/x", "", "a", NULL,
     "url.user-hosting"},
    {NULL, NULL, NULL, "https://www.google.com/url?q=https://bit.ly/3x", "url.shortener"},
    {"https://www.google.com/url?q=https://evil.example/a", "www.paypal.com", "a", NULL,
     "url.text-href-mismatch"},
    {"https://www.google.com/url?q=https://www.bank.fr/a", "www.bank.fr", "a", NULL, ""},
    {"https://www.google.com/url?q=hello", "", "a", NULL, ""},
    {"https://www.google.com/search?q=https://blocked.example/", "", "a", NULL, "url.blocklist"},
    {"https://www.linkedin.com/slink?code=x1", "", "a", NULL, "url.shortener"},
    {"https://www.linkedin.com/in/someone", "", "a", NULL, ""},
    /* several at once */
    {"http://192.0.2.1:8080/verify", "www.bank.fr", "a", NULL,
     "url.ip-host url.login-path url.port url.text-href-mismatch"},
};

/* test_checks - each check and its near-misses */
static void test_checks(void)
{
	vigie_config *c;
	url_engine *u = engine(&c);
	for (size_t i = 0; i < G_N_ELEMENTS(cases); i++) {
		const check_case *k = &cases[i];
		vigie_verdict *v = run(u, c, k->href, k->text, k->tag, k->body);
		char *got = rules_of(v);
		g_test_message("case %zu: %s / %s -> '%s'", i, k->href, k->body, got);
		g_assert_cmpstr(got, ==, k->want);
		for (guint j = 0; j < v->findings->len; j++) {
			const vigie_finding *f = g_ptr_array_index(v->findings, j);
			g_assert_nonnull(strchr(f->evidence, ':'));
			g_assert_true(g_str_has_prefix(f->where, "part 1"));
		}
		g_free(got);
		vigie_verdict_free(v);
	}
	url_engine_free(u);
	vigie_config_free(c);
}

/* test_evidence - as written, as normalised, and why; weight and category */
static void test_evidence(void)
{
	vigie_config *c;
	url_engine *u = engine(&c);
	vigie_verdict *v = run(u, c, NULL, NULL, NULL, "go to hxxp://blocked[.]example/x now");
	g_assert_cmpuint(v->findings->len, ==, 1);
	const vigie_finding *f = g_ptr_array_index(v->findings, 0);
	g_assert_cmpstr(f->rule, ==, "url.blocklist");
	g_assert_cmpstr(f->category, ==, "phishing-link");
	g_assert_cmpint(f->weight, ==, 10);
	g_assert_cmpstr(f->evidence, ==,
			"\"hxxp://blocked[.]example/x\" -> http://blocked.example/x: listed in "
			"t.domains (by domain)");
	g_assert_cmpstr(f->where, ==, "part 1, text (text)");
	vigie_verdict_free(v);
	v = run(u, c, "https://l.facebook.com/l.php?u=https%3A%2F%2Fblocked.example%2Fy", "Open",
		"a", NULL);
	g_assert_cmpuint(v->findings->len, ==, 1);
	f = g_ptr_array_index(v->findings, 0);
	g_assert_cmpstr(f->evidence, ==,
			"\"https://l.facebook.com/l.php?u=https%3A%2F%2Fblocked.example%2Fy\" -> "
			"https://blocked.example/y: listed in t.domains (by domain) (via redirector "
			"l.facebook.com)");
	vigie_verdict_free(v);
	url_engine_free(u);
	vigie_config_free(c);
}

/* test_caps - repeats weigh 0, per-rule and per-message caps, 10,000 links */
static void test_caps(void)
{
	vigie_config *c;
	url_engine *u = engine(&c);
	GString *body = g_string_new(NULL);
	for (int i = 0; i < 10000; i++)
		g_string_append_printf(body, "https://bit.ly/x%d http://192.0.2.%d/ ", i,
				       i % 250 + 1);
	gint64 t0 = g_get_monotonic_time();
	vigie_verdict *v = run(u, c, NULL, NULL, NULL, body->str);
	gint64 us = g_get_monotonic_time() - t0;
	g_assert_cmpuint(v->findings->len, ==, 4); /* max_per_rule 2 x 2 rules */
	int total = 0;
	for (guint i = 0; i < v->findings->len; i++)
		total += ((vigie_finding *)g_ptr_array_index(v->findings, i))->weight;
	g_assert_cmpint(total, ==, 1 + 3); /* the first of each rule only */
	g_assert_cmpint(us, <, 2000000);
	vigie_verdict_free(v);
	g_string_free(body, TRUE);
	url_engine_free(u);
	vigie_config_free(c);
}

/* test_interface - what the sender analyser relies on */
static void test_interface(void)
{
	vigie_config *c;
	url_engine *u = engine(&c);
	g_assert_true(url_is_protected(u, "horizon-assurances.fr"));
	g_assert_true(url_is_protected(u, "Mail.Horizon-Assurances.FR"));
	g_assert_true(url_is_protected(u, "paypal.com"));
	g_assert_false(url_is_protected(u, "horizon-assurances.fr.evil.example"));
	g_assert_false(url_is_protected(NULL, "horizon-assurances.fr"));
	char *why = NULL;
	g_assert_cmpstr(url_lookalike(u, "horizon-assurances.com", &why), ==,
			"horizon-assurances.fr");
	g_assert_nonnull(why);
	g_free(why);
	g_assert_cmpstr(url_lookalike(u, "PAYPAL-billing.example", &why), ==, "paypal");
	g_free(why);
	g_assert_null(url_lookalike(u, "horizon-assurances.fr", &why));
	g_assert_null(why);
	g_assert_null(url_lookalike(u, "example.org", &why));
	g_assert_null(url_lookalike(NULL, "paypal-x.example", &why));
	g_assert_null(url_lookalike(u, "bad host", &why));
	/* display names: Latin with Cyrillic lookalikes in one word */
	g_assert_true(url_mixed_script_words(u, "L\xd0\xb5\xd4\x81g\xd0\xb5r"));
	g_assert_true(url_mixed_script_words(u, "\"Support\" \xce\x91viati\xce\xbfn"));
	g_assert_false(url_mixed_script_words(u, "Ledger Support"));
	g_assert_false(url_mixed_script_words(u, "\xd0\x98\xd0\xb2\xd0\xb0\xd0\xbd Smith"));
	g_assert_false(url_mixed_script_words(u, "Caf\xc3\xa9 M\xc3\xbcller"));
	g_assert_false(url_mixed_script_words(NULL, "L\xd0\xb5" "dger"));
	g_assert_false(url_mixed_script_words(u, ""));
	url_engine_free(u);
	vigie_config_free(c);
}

/* test_load_errors - broken list files fail the load, naming file and line */
static void test_load_errors(void)
{
	static const struct {
		const char *file, *text, *msg;
	} e[] = {
	    {"lists/weights.conf", "url.blocklist 10 x\nurl.nope 1 x\n",
	     "weights.conf:2: unknown rule 'url.nope'"},
	    {"lists/weights.conf", "url.blocklist ten x\n", "weights.conf:1: weight 'ten'"},
	    {"lists/weights.conf", "url.blocklist 10\n", "weights.conf:1: expected"},
	    {"lists/weights.conf", "url.blocklist 10 x\nurl.blocklist 1 x\n",
	     "weights.conf:2: rule url.blocklist already set on line 1"},
	    {"lists/weights.conf", "url.blocklist 10 x\n",
	     "weights.conf: no weight for rule url.text-href-mismatch"},
	    {"lists/shorteners.txt", "bit.ly\nnot a domain\n",
	     "shorteners.txt:2: 'not a domain' is not a domain name"},
	    {"lists/risky-tlds.txt", "zip\n$$\n", "risky-tlds.txt:2:"},
	    {"lists/login-words.txt", "login\ntwo words\n",
	     "login-words.txt:2: 'two words' is not a single word"},
	    {"feeds/t.urls", "http://ok.example/a\n\nnot-a-url here\n", "t.urls:3: not a URL"},
	    {"protected/domains.txt", "horizon-assurances.fr\n1.2.3.4\n", "domains.txt:2:"},
	    {"lists/hosting.txt", "web.app\nnot a host\n",
	     "hosting.txt:2: 'not a host' is not a domain name"},
	    {"lists/tracking-paths.txt", "click\nls click\n",
	     "tracking-paths.txt:2: 'ls click' is not a single word"},
	    {"lists/hosting.txt", "web.app\nnot a host/forms/*\n",
	     "hosting.txt:2: 'not a host/forms/*' is not a domain name"},
	    {"lists/unwrap.txt", "google.*  /url  param:q\ngoogle.com  /x  follow\n",
	     "unwrap.txt:2: 'google.com  /x  follow': HOW must be"},
	    {"lists/weights.conf", "url.blocklist 10 x\nurl.user-hosting 2 x\nurl.user-hosting 1 x\n",
	     "weights.conf:3: rule url.user-hosting already set on line 2"},
	};
	for (size_t i = 0; i < G_N_ELEMENTS(e); i++) {
		fixtures();
		put(e[i].file, e[i].text);
		char *p = g_build_filename(root, "vigie.conf", NULL);
		vigie_config *c = vigie_config_load(p, NULL);
		GError *err = NULL;
		g_assert_null(url_engine_load(c, &err));
		g_assert_nonnull(err);
		g_test_message("%s", err->message);
		g_assert_nonnull(strstr(err->message, e[i].msg));
		g_error_free(err);
		vigie_config_free(c);
		g_free(p);
	}
	fixtures();
}

int main(int argc, char **argv)
{
	g_test_init(&argc, &argv, NULL);
	root = g_dir_make_tmp("vigie-urlcheck-XXXXXX", NULL);
	fixtures();
	g_test_add_func("/url_check/checks", test_checks);
	g_test_add_func("/url_check/evidence", test_evidence);
	g_test_add_func("/url_check/caps", test_caps);
	g_test_add_func("/url_check/interface", test_interface);
	g_test_add_func("/url_check/load_errors", test_load_errors);
	int rc = g_test_run();
	test_rm_tree(root);
	g_free(root);
	return rc;
}
