/* sender_test.c - the sender analyser: address and Authentication-Results
 * parsing, each rule on a crafted mail and the near-misses that must stay
 * quiet, weights and evidence, list loading errors, the shipped lists.
 *
 * Protected names, executives, free-mail domains, weights, URL lists and
 * configuration are this test's own fixtures, written to a temporary folder.
 */
#include "sender.h"
#include "test_files.h"
#include "url.h"

#include <glib/gstdio.h>
#include <string.h>

static char *root;

static void put(const char *rel, const char *text)
{
	test_put(root, rel, text);
}

static const char weights[] = "sender.display-brand 4 impersonation\n"
			      "sender.display-executive 5 impersonation\n"
			      "sender.display-address 3 impersonation\n"
			      "sender.display-mixed-script 4 impersonation\n"
			      "sender.lookalike-domain 6 impersonation\n"
			      "sender.reply-to-freemail-brand 6 impersonation\n"
			      "sender.reply-to-freemail 2 impersonation\n"
			      "sender.reply-to-mismatch 1 impersonation\n"
			      "sender.return-path-mismatch 0 impersonation\n"
			      "sender.auth-fail-dmarc 4 auth-fail\n"
			      "sender.auth-fail-dkim 2 auth-fail\n"
			      "sender.auth-fail-spf 2 auth-fail\n"
			      "sender.auth-softfail-spf 1 auth-fail\n"
			      "sender.display-role 3 impersonation\n";

static void fixtures(void)
{
	put("lists/weights.conf",
	    "url.blocklist 10 l\nurl.text-href-mismatch 5 l\nurl.lookalike 6 l\n"
	    "url.mixed-script 4 l\nurl.ip-host 3 l\nurl.credentials 4 l\nurl.shortener 1 l\n"
	    "url.risky-tld 2 l\nurl.deep-subdomains 1 l\nurl.login-path 1 l\nurl.port 1 l\n"
	    "url.data-uri 4 l\nurl.javascript 1 l\nurl.user-hosting 2 l\n");
	put("lists/shorteners.txt", "");
	put("lists/risky-tlds.txt", "");
	put("lists/allowlist.txt", "");
	put("lists/redirectors.txt", "");
	put("lists/login-words.txt", "");
	put("lists/tracking-paths.txt", "");
	put("lists/hosting.txt", "");
	put("feeds/empty.domains", "");
	put("protected/domains.txt", "horizon-assurances.fr\nlabanquepostale.fr\nsfr.fr\n");
	put("protected/brands.txt",
	    "paypal paypal.com\ngoogle google.com gmail.com\n=orange orange.fr\n"
	    "docusign docusign.com docusign.net\nmicrosoft microsoft.com onmicrosoft.com\n");
	put("protected/executives.txt", "# the board\nClaire Dubois\n\nMarc-Antoine Lefèvre\n");
	put("protected/freemail.txt", "gmail.com\nyahoo.*\nhotmail.*\nsfr.fr\n");
	put("protected/roles.txt", "# departments\nhr\nhuman resources\nservice informatique\n");
	put("protected/sender-weights.conf", weights);
	put("vigie.conf", "[av]\nenabled = no\n[lexicon]\nenabled = no\n"
			  "[urls]\nlists = lists\nfeeds = feeds\nprotected = protected\n");
	put("vigie-id.conf", "[av]\nenabled = no\n[lexicon]\nenabled = no\n"
			     "[urls]\nlists = lists\nfeeds = feeds\nprotected = protected\n"
			     "[sender]\nauthserv_id = mx.horizon-assurances.fr, mx2.example\n");
}

typedef struct {
	vigie_config *c;
	url_engine *u;
	sender_engine *s;
} engines;

static void engines_load(engines *e, const char *conf)
{
	char *p = g_build_filename(root, conf, NULL);
	GError *err = NULL;
	e->c = vigie_config_load(p, &err);
	g_assert_no_error(err);
	e->u = url_engine_load(e->c, &err);
	g_assert_no_error(err);
	e->s = sender_engine_load(e->c, &err);
	g_assert_no_error(err);
	g_free(p);
}

static void engines_free(engines *e)
{
	sender_engine_free(e->s);
	url_engine_free(e->u);
	vigie_config_free(e->c);
}

/* run - the sender findings of a mail with these header lines */
static vigie_verdict *run(const engines *e, const char *headers, const char *mail_from)
{
	char *raw = g_strconcat(headers, "Subject: test\r\n\r\nHello.\r\n", NULL);
	vigie_mail_envelope env = {.mail_from = mail_from};
	GError *err = NULL;
	vigie_message *m = vigie_message_from_mime(raw, strlen(raw), &env, &err);
	g_assert_no_error(err);
	vigie_verdict *v = verdict_new(VIGIE_CHANNEL_MAIL);
	g_assert_true(sender_scan(e->s, e->u, m, v, &err));
	vigie_message_free(m);
	g_free(raw);
	return v;
}

static gint str_cmp(gconstpointer a, gconstpointer b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* rules_of - "rule rule ..." sorted */
static char *rules_of(const vigie_verdict *v)
{
	GPtrArray *r = g_ptr_array_new();
	for (guint i = 0; i < v->findings->len; i++) {
		const vigie_finding *f = g_ptr_array_index(v->findings, i);
		g_ptr_array_add(r, f->rule);
	}
	g_ptr_array_sort(r, str_cmp);
	GString *s = g_string_new(NULL);
	for (guint i = 0; i < r->len; i++)
		g_string_append_printf(s, "%s%s", i ? " " : "", (char *)g_ptr_array_index(r, i));
	g_ptr_array_unref(r);
	return g_string_free(s, FALSE);
}

/* ---- parsers ---- */

typedef struct {
	const char *value;
	const char *display, *address, *domain; /* address NULL: no mailbox */
} address_case;

static const address_case address_cases[] = {
    {"Claire Dubois <claire@horizon-assurances.fr>", "Claire Dubois",
     "claire@horizon-assurances.fr", "horizon-assurances.fr"},
    {"\"Dubois, Claire\" <Claire@Horizon-Assurances.FR>", "Dubois, Claire",
     "Claire@Horizon-Assurances.FR", "horizon-assurances.fr"},
    {"claire@horizon-assurances.fr (Claire Dubois)", "Claire Dubois",
     "claire@horizon-assurances.fr", "horizon-assurances.fr"},
    {"claire@example.org", "", "claire@example.org", "example.org"},
    {"<claire@example.org>", "", "claire@example.org", "example.org"},
    {"'Jean Martin' <jean@example.org>", "Jean Martin", "jean@example.org", "example.org"},
    {"\"a <b@c.example>\" <d@e.example>", "a <b@c.example>", "d@e.example", "e.example"},
    {"A <a@one.example>, B <b@two.example>", "A", "a@one.example", "one.example"},
    {"<@relay.example:user@final.example>", "", "user@final.example", "final.example"},
    {"team: a@one.example, b@two.example;", "", "a@one.example", "one.example"},
    {"undisclosed-recipients:;", NULL, NULL, NULL},
    {"<>", "", "", NULL},
    {"MAILER-DAEMON", NULL, NULL, NULL},
    {"", NULL, NULL, NULL},
    {"\"unterminated <x@y.example>", NULL, NULL, NULL},
    {"Name (comment (nested) more) <n@x.example.>", "Name", "n@x.example.", "x.example"},
    {"((((((((((((((((((", NULL, NULL, NULL},
};

/* test_address - display name, address, domain */
static void test_address(void)
{
	for (size_t i = 0; i < G_N_ELEMENTS(address_cases); i++) {
		const address_case *k = &address_cases[i];
		sender_address *a = sender_address_parse(k->value);
		g_test_message("address %zu: %s", i, k->value);
		if (!k->address) {
			g_assert_null(a);
			continue;
		}
		g_assert_nonnull(a);
		g_assert_cmpstr(a->display, ==, k->display);
		g_assert_cmpstr(a->address, ==, k->address);
		g_assert_cmpstr(a->domain, ==, k->domain);
		sender_address_free(a);
	}
	sender_address_free(NULL);
}

typedef struct {
	const char *value;
	const char *id;	     /* NULL: none */
	const char *results; /* "method=result ..." */
} auth_case;

static const auth_case auth_cases[] = {
    {"mx.example.org; spf=pass smtp.mailfrom=a.example; dkim=fail (bad sig) header.d=a.example; "
     "dmarc=fail header.from=a.example",
     "mx.example.org", "spf=pass dkim=fail dmarc=fail"},
    {"MX.Example.ORG 1; SPF = SoftFail smtp.mailfrom=a.example", "mx.example.org", "spf=softfail"},
    {"mx.example.org; none", "mx.example.org", ""},
    {"spf=none (sender IP is 192.0.2.1) smtp.mailfrom=x.example; dkim=none (message not signed) "
     "header.d=none;dmarc=none action=none header.from=x.example;compauth=fail reason=001",
     NULL, "spf=none dkim=none dmarc=none compauth=fail"},
    {"mx.example.org; dkim/1=pass header.d=\"a;b.example\"; dmarc=pass", "mx.example.org",
     "dkim=pass dmarc=pass"},
    {"mx.example.org (a comment; with ; semicolons) ; spf=fail", "mx.example.org", "spf=fail"},
    {"mx.example.org; =fail; spf=; dkim pass; x=y=z", "mx.example.org", "x=y"},
    {"(((((((((((((((((((((((((((((((", NULL, ""},
    {";;;;;", NULL, ""},
    {"", NULL, ""},
};

/* test_auth - authserv-id and results */
static void test_auth(void)
{
	for (size_t i = 0; i < G_N_ELEMENTS(auth_cases); i++) {
		const auth_case *k = &auth_cases[i];
		sender_auth *a = sender_auth_parse(k->value);
		GString *got = g_string_new(NULL);
		for (guint j = 0; j < a->results->len; j++) {
			const sender_authres *r = g_ptr_array_index(a->results, j);
			g_string_append_printf(got, "%s%s=%s", j ? " " : "", r->method, r->result);
		}
		g_test_message("auth %zu: %s -> %s / %s", i, k->value, a->authserv_id, got->str);
		g_assert_cmpstr(a->authserv_id, ==, k->id);
		g_assert_cmpstr(got->str, ==, k->results);
		g_string_free(got, TRUE);
		sender_auth_free(a);
	}
	/* bounded: thousands of results keep SENDER_MAX_RESULTS */
	GString *big = g_string_new("mx.example.org");
	for (int i = 0; i < 2000; i++)
		g_string_append(big, "; spf=fail");
	sender_auth *a = sender_auth_parse(big->str);
	g_assert_cmpuint(a->results->len, <=, SENDER_MAX_RESULTS);
	sender_auth_free(a);
	g_string_free(big, TRUE);
	sender_auth_free(sender_auth_parse(NULL));
}

/* ---- rules ---- */

typedef struct {
	bool ids;	       /* the configuration with [sender] authserv_id */
	const char *headers;   /* header lines, CRLF-terminated */
	const char *mail_from; /* envelope sender or NULL */
	const char *want;      /* rule ids, sorted, space-separated */
} rule_case;

#define AR "Authentication-Results: "

static const rule_case rule_cases[] = {
    /* display name: brand, protected organisation, executive */
    {false, "From: \"PayPal Service\" <service@pp-notice.example>\r\n", NULL,
     "sender.display-brand"},
    {false, "From: PayPal <service@paypal.com>\r\n", NULL, ""},
    {false, "From: \"Horizon Assurances\" <contact@horizon-assurances.fr>\r\n", NULL, ""},
    {false, "From: Horizon Assurances <contact@news.horizon-assurances.fr>\r\n", NULL, ""},
    {false, "From: HORIZON ASSURANCES <horizon.assurances@gmail.com>\r\n", NULL,
     "sender.display-brand"},
    {false, "From: La Banque Postale <service@secure-client.example>\r\n", NULL,
     "sender.display-brand"},
    {false, "From: Google <google.team@gmail.com>\r\n", NULL, "sender.display-brand"},
    {false, "From: SFR <service-client@sfr.fr>\r\n", NULL, ""},
    {false, "From: Orange <info@mail-service.example>\r\n", NULL, "sender.display-brand"},
    {false, "From: Orange County Register <news@ocregister.example>\r\n", NULL, ""},
    /* a brand claimed from another brand's domain: a tenant anyone opens */
    {false, "From: DocuSign Signature <info@tenant.onmicrosoft.com>\r\n", NULL,
     "sender.display-brand"},
    {false, "From: Microsoft 365 <info@tenant.onmicrosoft.com>\r\n", NULL, ""},
    {false, "From: \"Horizon Assurances via DocuSign\" <dse@docusign.net>\r\n", NULL, ""},
    {false, "From: PayPal <service@horizon-assurances.fr>\r\n", NULL, ""},
    {false, "From: PayPal Security <alerts@docusign.net>\r\n", NULL, "sender.display-brand"},
    {false, "From: \"DUBOIS Claire\" <claire.dubois.pdg@gmail.com>\r\n", NULL,
     "sender.display-executive"},
    {false, "From: =?UTF-8?Q?Marc-Antoine_LEF=C3=88VRE?= <ma.lefevre@hotmail.fr>\r\n", NULL,
     "sender.display-executive"},
    {false, "From: Marc Antoine Lefevre <mal@direction-horizon.example>\r\n", NULL,
     "sender.display-executive"},
    {false, "From: Claire Dubois <claire.dubois@horizon-assurances.fr>\r\n", NULL, ""},
    {false, "From: Claire Martin <claire.martin@gmail.com>\r\n", NULL, ""},
    /* an internal department claimed from outside (roles.txt), not by a platform's authenticated no-reply */
    {false, "From: HR Department <hr@horizon-payroll.example>\r\n", NULL, "sender.display-role"},
    {false, "From: Service Informatique - Horizon <support@it-desk.example>\r\n", NULL,
     "sender.display-role"},
    {false, "From: \"Nadia Benali - HR\" <nadia.benali@gmail.com>\r\n", NULL, "sender.display-role"},
    {false, "From: Service informatique <support@horizon-assurances.fr>\r\n", NULL, ""},
    {false, "From: Thrace Hrdina <thrace@example.com>\r\n", NULL, ""},
    {false, "From: Human Resources <noreply@hr-desk.example>\r\n" AR "mx.horizon-assurances.fr; dkim=pass "
     "header.d=hr-desk.example\r\n", NULL, ""},
    {false, "From: Jean Martin <jean.martin@gmail.com>\r\n", NULL, ""},
    {false, "From: \"support@paypal.com\" <x@mailer.example>\r\n", NULL,
     "sender.display-address sender.display-brand"},
    {false, "From: \"bob@example.org\" <bob@example.org>\r\n", NULL, ""},
    /* display name words mixing scripts (Cyrillic е and ԁ in Latin) */
    {false, "From: L\xd0\xb5\xd4\x81g\xd0\xb5r <jennifer@shop.example>\r\n", NULL,
     "sender.display-mixed-script"},
    {false, "From: =?UTF-8?B?TNC1ZGdlciBTdXBwb3J0?= <a@shop.example>\r\n", NULL,
     "sender.display-mixed-script"},
    {false, "From: \xd0\x98\xd0\xb2\xd0\xb0\xd0\xbd Smith <ivan@shop.example>\r\n", NULL,
     ""}, /* a Cyrillic word beside a Latin one: each word one script */
    {false, "From: Ledger Support <a@shop.example>\r\n", NULL, ""},
    {false, "From: \"Bob (bob@mail.example.org)\" <bob@example.org>\r\n", NULL, ""},
    /* lookalike sender domains */
    {false, "From: Service client <info@horizon-assurance.fr>\r\n", NULL,
     "sender.lookalike-domain"},
    {false, "From: a@shop.example\r\nReply-To: help@paypa1.com\r\n", NULL,
     "sender.lookalike-domain sender.reply-to-mismatch"},
    {false, "From: a@yahoo.fr\r\n", NULL, ""},
    /* Reply-To */
    {false, "From: PayPal <service@paypal.com>\r\nReply-To: paypal.help@gmail.com\r\n", NULL,
     "sender.reply-to-freemail-brand"},
    {false, "From: \"PayPal\" <notice@billing.example>\r\nReply-To: <pp@yahoo.com>\r\n", NULL,
     "sender.display-brand sender.reply-to-freemail-brand"},
    {false, "From: Claire Dubois <cdubois@horizon-assurances.fr>\r\nReply-To: cd@hotmail.com\r\n",
     NULL, "sender.reply-to-freemail-brand"},
    {false, "From: info@shop.example\r\nReply-To: shop.owner@yahoo.co.uk\r\n", NULL,
     "sender.reply-to-freemail"},
    {false, "From: Jean Martin <jean.martin@gmail.com>\r\nReply-To: jm@yahoo.fr\r\n", NULL,
     "sender.reply-to-mismatch"},
    {false, "From: bob@foo.example\r\nReply-To: list@lists.bar.example\r\n", NULL,
     "sender.reply-to-mismatch"},
    {false, "From: news@news.horizon-assurances.fr\r\nReply-To: support@horizon-assurances.fr\r\n",
     NULL, ""},
    {false, "From: a@mail.shop.co.uk\r\nReply-To: b@shop.co.uk\r\n", NULL, ""},
    {false, "From: a@shop.example\r\nReply-To: garbage\r\n", NULL, ""},
    /* Return-Path and envelope sender */
    {false, "Return-Path: <bounce-123@esp.example>\r\nFrom: news@shop.example\r\n", NULL,
     "sender.return-path-mismatch"},
    {false, "From: news@shop.example\r\n", "<bounce@esp.example>", "sender.return-path-mismatch"},
    {false, "Return-Path: <list-bounces@lists.foo.example>\r\nFrom: Bob <bob@foo.example>\r\n",
     "list-bounces@lists.foo.example", ""},
    {false, "Return-Path: <>\r\nFrom: MAILER-DAEMON@foo.example\r\n", "<>", ""},
    /* Authentication-Results, topmost only (no authserv_id configured) */
    {false,
     AR "mx.horizon-assurances.fr; spf=fail smtp.mailfrom=x.example; dkim=fail "
	"header.d=x.example; dmarc=fail header.from=x.example\r\nFrom: a@x.example\r\n",
     NULL, "sender.auth-fail-dkim sender.auth-fail-dmarc sender.auth-fail-spf"},
    {false, AR "mx.horizon-assurances.fr; spf=softfail smtp.mailfrom=x.example\r\n", NULL,
     "sender.auth-softfail-spf"},
    {false,
     AR "mx.horizon-assurances.fr; spf=pass smtp.mailfrom=x.example; dkim=pass "
	"header.d=x.example; dmarc=pass header.from=x.example\r\nFrom: a@x.example\r\n",
     NULL, ""},
    {false,
     AR "mx.horizon-assurances.fr; spf=pass smtp.mailfrom=x.example; dkim=pass\r\n" AR
	"mx.horizon-assurances.fr; spf=fail; dkim=fail; dmarc=fail\r\n",
     NULL, ""},
    {false,
     AR
     "mx.horizon-assurances.fr; dkim=fail header.d=a.example; dkim=pass header.d=list.example\r\n",
     NULL, ""},
    {false,
     AR "spf=fail (sender IP is 192.0.2.1) smtp.mailfrom=x.example; dkim=none (message not "
	"signed) header.d=none;dmarc=fail action=none header.from=x.example;compauth=fail\r\n",
     NULL, "sender.auth-fail-dmarc sender.auth-fail-spf"},
    {false, AR "(((;;;= = =\r\n", NULL, ""},
    /* Authentication-Results with authserv_id configured */
    {true, AR "mx.horizon-assurances.fr; dmarc=fail header.from=x.example\r\n", NULL,
     "sender.auth-fail-dmarc"},
    {true, AR "MX2.example; spf=pass\r\n" AR "mx.horizon-assurances.fr; dmarc=fail\r\n", NULL,
     "sender.auth-fail-dmarc"},
    {true, AR "evil.example; dmarc=fail\r\n", NULL, ""},
    {true,
     AR "mx.horizon-assurances.fr; dmarc=pass\r\n" AR "relay.example; spf=pass\r\n" AR
	"mx.horizon-assurances.fr; dmarc=fail; spf=fail\r\n",
     NULL, ""},
    {true, AR "spf=fail (sender IP is 192.0.2.1) smtp.mailfrom=x.example; dmarc=fail\r\n", NULL,
     ""},
    {true, AR "downstream.example; spf=pass\r\n" AR "mx.horizon-assurances.fr; spf=fail\r\n", NULL,
     "sender.auth-fail-spf"},
    /* no sender at all */
    {false, "To: someone@example.org\r\n", NULL, ""},
};

/* test_rules - each rule on a crafted mail, and the near-misses */
static void test_rules(void)
{
	engines plain, ids;
	engines_load(&plain, "vigie.conf");
	engines_load(&ids, "vigie-id.conf");
	for (size_t i = 0; i < G_N_ELEMENTS(rule_cases); i++) {
		const rule_case *k = &rule_cases[i];
		vigie_verdict *v = run(k->ids ? &ids : &plain, k->headers, k->mail_from);
		char *got = rules_of(v);
		g_test_message("case %zu: %s -> '%s'", i, k->headers, got);
		g_assert_cmpstr(got, ==, k->want);
		g_free(got);
		vigie_verdict_free(v);
	}
	engines_free(&ids);
	engines_free(&plain);
}

/* test_evidence - weight, category, where, evidence quoting the header */
static void test_evidence(void)
{
	engines e;
	engines_load(&e, "vigie.conf");
	vigie_verdict *v =
	    run(&e,
		"From: \"PayPal\" <notice@billing.example>\r\n"
		"Reply-To: <pp@yahoo.com>\r\n" AR
		"mx.horizon-assurances.fr; dmarc=fail header.from=billing.example\r\n",
		NULL);
	g_assert_cmpuint(v->findings->len, ==, 3);
	const vigie_finding *f = g_ptr_array_index(v->findings, 0);
	g_assert_cmpstr(f->rule, ==, "sender.display-brand");
	g_assert_cmpstr(f->category, ==, "impersonation");
	g_assert_cmpint(f->weight, ==, 4);
	g_assert_cmpstr(f->where, ==, "From");
	g_assert_cmpstr(f->evidence, ==,
			"\"\"PayPal\" <notice@billing.example>\": the display name claims paypal "
			"but the address is at billing.example, not a protected domain");
	f = g_ptr_array_index(v->findings, 1);
	g_assert_cmpstr(f->rule, ==, "sender.reply-to-freemail-brand");
	g_assert_cmpstr(f->where, ==, "Reply-To");
	g_assert_cmpint(f->weight, ==, 6);
	g_assert_true(g_str_has_prefix(f->evidence, "\"<pp@yahoo.com>\": replies go to"));
	f = g_ptr_array_index(v->findings, 2);
	g_assert_cmpstr(f->rule, ==, "sender.auth-fail-dmarc");
	g_assert_cmpstr(f->category, ==, "auth-fail");
	g_assert_cmpstr(f->where, ==, "Authentication-Results");
	g_assert_cmpstr(f->evidence, ==,
			"\"dmarc=fail header.from=billing.example\": the receiving MTA found "
			"DMARC failing");
	vigie_verdict_free(v);

	/* a long display name is cut, controls never reach the evidence */
	GString *h = g_string_new("From: \"PayPal");
	for (int i = 0; i < 300; i++)
		g_string_append(h, " x");
	g_string_append(h, "\" <a@b.example>\r\n");
	v = run(&e, h->str, NULL);
	g_assert_cmpuint(v->findings->len, ==, 1);
	f = g_ptr_array_index(v->findings, 0);
	g_assert_cmpuint(g_utf8_strlen(f->evidence, -1), <=, 201);
	for (const char *c = f->evidence; *c; c++)
		g_assert_cmpint((unsigned char)*c, >=, 0x20);
	vigie_verdict_free(v);
	g_string_free(h, TRUE);

	/* chat messages are not the sender analyser's */
	GError *err = NULL;
	const char chat[] = "{\"channel\":\"chat\",\"platform\":\"sms\",\"text\":\"hi\","
			    "\"author\":{\"id\":\"1\",\"name\":\"PayPal\"}}";
	vigie_message *m = vigie_message_from_chat_json(chat, strlen(chat), &err);
	g_assert_no_error(err);
	v = verdict_new(VIGIE_CHANNEL_CHAT);
	g_assert_true(sender_scan(e.s, e.u, m, v, &err));
	g_assert_cmpuint(v->findings->len, ==, 0);
	vigie_verdict_free(v);
	vigie_message_free(m);
	engines_free(&e);
}

/* test_no_urls - without the URL analyser, only the checks that do not
 * need the protected domains run */
static void test_no_urls(void)
{
	engines e;
	engines_load(&e, "vigie.conf");
	vigie_verdict *v = verdict_new(VIGIE_CHANNEL_MAIL);
	const char raw[] =
	    "From: PayPal <service@paypal.com>\r\nReply-To: a@b.example\r\n\r\nx\r\n";
	vigie_message *m = vigie_message_from_mime(raw, strlen(raw), NULL, NULL);
	g_assert_true(sender_scan(e.s, NULL, m, v, NULL));
	char *got = rules_of(v);
	g_assert_cmpstr(got, ==, "sender.reply-to-mismatch");
	g_free(got);
	vigie_verdict_free(v);
	vigie_message_free(m);
	engines_free(&e);
}

typedef struct {
	const char *file, *text;
	const char *want; /* in the error message */
} load_case;

static const load_case load_cases[] = {
    {"executives.txt", "Claire Dubois\nClaire\n",
     "executives.txt:2: 'Claire': a name needs 2 to 8 words"},
    {"executives.txt", "# x\n\nClaire Dubois 2\n",
     "executives.txt:3: 'Claire Dubois 2': a name is letters"},
    {"executives.txt", "a b c d e f g h i\n", "executives.txt:1:"},
    {"executives.txt", "Claire \xff Dubois\n", "executives.txt: not valid UTF-8"},
    {"freemail.txt", "gmail.com\nnot a domain\n",
     "freemail.txt:2: 'not a domain' is not a registrable domain"},
    {"freemail.txt", "gmail.com\nco.uk\n", "freemail.txt:2:"},
    {"freemail.txt", "x_y.*\n", "freemail.txt:1: 'x_y.*': expected a domain or LABEL.*"},
    {"sender-weights.conf", "sender.display-brand 4\n",
     "sender-weights.conf:1: expected 'rule weight category'"},
    {"sender-weights.conf", "sender.nope 4 x\n",
     "sender-weights.conf:1: unknown rule 'sender.nope'"},
    {"sender-weights.conf", "sender.display-brand four x\n",
     "sender-weights.conf:1: weight 'four'"},
    {"sender-weights.conf", "sender.display-brand 4 x\nsender.display-brand 4 x\n",
     "sender-weights.conf:2: rule sender.display-brand already set on line 1"},
    {"sender-weights.conf", "sender.display-brand 4 x\n",
     "no weight for rule sender.display-executive"},
    {"brands.txt", "paypal paypal.com\nPay_Pal paypal.com\n", "brands.txt:2: 'Pay_Pal'"},
    {"roles.txt", "hr\nalpha beta gamma delta epsilon zeta eta\n", "roles.txt:2: a department is one to six words"},
};

/* test_load_errors - every list error names its file and line */
static void test_load_errors(void)
{
	for (size_t i = 0; i < G_N_ELEMENTS(load_cases); i++) {
		const load_case *k = &load_cases[i];
		fixtures();
		char *rel = g_build_filename("protected", k->file, NULL);
		put(rel, k->text);
		char *dir = g_build_filename(root, "protected", NULL);
		GError *err = NULL;
		g_assert_null(sender_engine_load_dir(dir, NULL, &err));
		g_assert_error(err, VIGIE_ERROR, VIGIE_ERROR_RULES);
		g_test_message("load %zu: %s", i, err->message);
		g_assert_nonnull(strstr(err->message, k->want));
		g_error_free(err);
		g_free(dir);
		g_free(rel);
	}
	fixtures();
	char *dir = g_build_filename(root, "nowhere", NULL);
	GError *err = NULL;
	g_assert_null(sender_engine_load_dir(dir, NULL, &err));
	g_assert_nonnull(strstr(err->message, "sender-weights.conf"));
	g_error_free(err);
	g_free(dir);
	sender_engine_free(NULL);
}

/* test_shipped - the lists under signatures/protected load, and the sample
 * executives and free-mail domains are there */
static void test_shipped(void)
{
	const char *src = g_getenv("VIGIE_SRCDIR");
	if (!src) {
		g_test_skip("VIGIE_SRCDIR not set");
		return;
	}
	char *dir = g_build_filename(src, "signatures", "protected", NULL);
	GError *err = NULL;
	sender_engine *s = sender_engine_load_dir(dir, NULL, &err);
	g_assert_no_error(err);
	char **w = sender_names_words("DUBOIS Claire");
	g_assert_nonnull(sender_names_executive(s, w));
	g_strfreev(w);
	w = sender_names_words("Crédit Agricole");
	g_assert_cmpstr(sender_names_brand(s, w), ==, "credit-agricole");
	g_strfreev(w);
	g_assert_true(sender_is_freemail(s, "hotmail.co.uk"));
	g_assert_true(sender_is_freemail(s, "GMAIL.com"));
	g_assert_false(sender_is_freemail(s, "horizon-assurances.fr"));
	sender_engine_free(s);
	g_free(dir);
}

int main(int argc, char **argv)
{
	g_test_init(&argc, &argv, NULL);
	g_assert_true(vigie_global_init(NULL));
	root = g_dir_make_tmp("vigie-sender-XXXXXX", NULL);
	fixtures();
	g_test_add_func("/sender/address", test_address);
	g_test_add_func("/sender/auth", test_auth);
	g_test_add_func("/sender/rules", test_rules);
	g_test_add_func("/sender/evidence", test_evidence);
	g_test_add_func("/sender/no_urls", test_no_urls);
	g_test_add_func("/sender/load_errors", test_load_errors);
	g_test_add_func("/sender/shipped", test_shipped);
	int r = g_test_run();
	test_rm_tree(root);
	g_free(root);
	return r;
}
