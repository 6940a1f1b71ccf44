/* url_normalise_test.c - URLs as written -> normalised parts */
#include "url.h"

typedef struct {
	const char *in;
	const char *url; /* NULL: not a URL we follow */
	const char *host;
	const char *uhost;  /* U-label form */
	const char *domain; /* registrable domain or NULL */
	bool ip, ip_odd;
	int port;
	const char *user;
	const char *path; /* decoded, lower case */
} norm_case;

static const norm_case cases[] = {
    {"http://Example.COM", "http://example.com/", "example.com", "example.com", "example.com",
     false, false, 0, NULL, "/"},
    {"HTTPS://WWW.Example.co.uk/A/B?Q=1#frag", "https://www.example.co.uk/A/B?Q=1",
     "www.example.co.uk", "www.example.co.uk", "example.co.uk", false, false, 0, NULL, "/a/b?q=1"},
    {"www.horizon-assurances.fr/login", "http://www.horizon-assurances.fr/login",
     "www.horizon-assurances.fr", "www.horizon-assurances.fr", "horizon-assurances.fr", false,
     false, 0, NULL, "/login"},
    {"hxxp://evil[.]example/x", "http://evil.example/x", "evil.example", "evil.example",
     "evil.example", false, false, 0, NULL, "/x"},
    {"hxxps://evil(dot)example.com", "https://evil.example.com/", "evil.example.com",
     "evil.example.com", "example.com", false, false, 0, NULL, "/"},
    {"http://%65vil.example/%6c%6F%67in%2Fx", "http://evil.example/login%2Fx", "evil.example",
     "evil.example", "evil.example", false, false, 0, NULL, "/login/x"},
    {"https://bank.fr@evil.example/", "https://bank.fr@evil.example/", "evil.example",
     "evil.example", "evil.example", false, false, 0, "bank.fr", "/"},
    {"https://user%40x:pw@evil.example:8443/", "https://user%40x:pw@evil.example:8443/",
     "evil.example", "evil.example", "evil.example", false, false, 8443, "user@x:pw", "/"},
    {"http://example.com:80/", "http://example.com/", "example.com", "example.com", "example.com",
     false, false, 0, NULL, "/"},
    {"https://example.com:443", "https://example.com/", "example.com", "example.com", "example.com",
     false, false, 0, NULL, "/"},
    {"http://example.com:8080/", "http://example.com:8080/", "example.com", "example.com",
     "example.com", false, false, 8080, NULL, "/"},
    {"http:\\\\evil.example\\path", "http://evil.example/path", "evil.example", "evil.example",
     "evil.example", false, false, 0, NULL, "/path"},
    {"https:////evil.example/", "https://evil.example/", "evil.example", "evil.example",
     "evil.example", false, false, 0, NULL, "/"},
    {"//cdn.example.net/x.png", "http://cdn.example.net/x.png", "cdn.example.net",
     "cdn.example.net", "example.net", false, false, 0, NULL, "/x.png"},
    {"http://ex\xe2\x80\x8b"
     "ample.com/",
     "http://example.com/", "example.com", "example.com", "example.com", false, false, 0, NULL,
     "/"},
    {" http://example.com/a b ", "http://example.com/a%20b", "example.com", "example.com",
     "example.com", false, false, 0, NULL, "/a b"},
    {"http://example.com/\ta\nb", "http://example.com/ab", "example.com", "example.com",
     "example.com", false, false, 0, NULL, "/ab"},
    {"<https://example.com/x>", "https://example.com/x", "example.com", "example.com",
     "example.com", false, false, 0, NULL, "/x"},
    {"http://example.com./", "http://example.com/", "example.com", "example.com", "example.com",
     false, false, 0, NULL, "/"},
    /* IDNA both ways */
    {"https://bücher.de/", "https://xn--bcher-kva.de/", "xn--bcher-kva.de", "bücher.de",
     "xn--bcher-kva.de", false, false, 0, NULL, "/"},
    {"https://xn--bcher-kva.de/", "https://xn--bcher-kva.de/", "xn--bcher-kva.de", "bücher.de",
     "xn--bcher-kva.de", false, false, 0, NULL, "/"},
    {"https://BÜCHER.de/", "https://xn--bcher-kva.de/", "xn--bcher-kva.de", "bücher.de",
     "xn--bcher-kva.de", false, false, 0, NULL, "/"},
    {"https://раураl.com/", "https://xn--l-7sba6dbr.com/", "xn--l-7sba6dbr.com", "раураl.com",
     "xn--l-7sba6dbr.com", false, false, 0, NULL, "/"},
    {"http://example\xe3\x80\x82"
     "com/",
     "http://example.com/", "example.com", "example.com", "example.com", false, false, 0, NULL,
     "/"},
    {"https://impots.gouv.fr/", "https://impots.gouv.fr/", "impots.gouv.fr", "impots.gouv.fr",
     "impots.gouv.fr", false, false, 0, NULL, "/"},
    /* IP literals in every notation */
    {"http://192.168.1.10/", "http://192.168.1.10/", "192.168.1.10", "192.168.1.10", NULL, true,
     false, 0, NULL, "/"},
    {"http://3232235786/", "http://192.168.1.10/", "192.168.1.10", "192.168.1.10", NULL, true, true,
     0, NULL, "/"},
    {"http://0xC0A8010A/", "http://192.168.1.10/", "192.168.1.10", "192.168.1.10", NULL, true, true,
     0, NULL, "/"},
    {"http://0300.0250.01.012/", "http://192.168.1.10/", "192.168.1.10", "192.168.1.10", NULL, true,
     true, 0, NULL, "/"},
    {"http://0xc0.0xa8.0x1.0xa/", "http://192.168.1.10/", "192.168.1.10", "192.168.1.10", NULL,
     true, true, 0, NULL, "/"},
    {"http://192.168.266/", "http://192.168.1.10/", "192.168.1.10", "192.168.1.10", NULL, true,
     true, 0, NULL, "/"},
    {"http://127.1/", "http://127.0.0.1/", "127.0.0.1", "127.0.0.1", NULL, true, true, 0, NULL,
     "/"},
    {"http://[2001:DB8:0::1]:8080/x", "http://[2001:db8::1]:8080/x", "[2001:db8::1]",
     "[2001:db8::1]", NULL, true, false, 8080, NULL, "/x"},
    /* near-misses that stay names */
    {"http://1.2.3.4.5/", NULL, NULL, NULL, NULL, false, false, 0, NULL, NULL},
    {"http://256.1.1.1/", NULL, NULL, NULL, NULL, false, false, 0, NULL, NULL},
    {"http://1.2.3.example/", "http://1.2.3.example/", "1.2.3.example", "1.2.3.example",
     "3.example", false, false, 0, NULL, "/"},
    /* not URLs we follow */
    {"mailto:someone@example.com", NULL, NULL, NULL, NULL, false, false, 0, NULL, NULL},
    {"tel:+33123456789", NULL, NULL, NULL, NULL, false, false, 0, NULL, NULL},
    {"cid:part1@example", NULL, NULL, NULL, NULL, false, false, 0, NULL, NULL},
    {"localhost/x", NULL, NULL, NULL, NULL, false, false, 0, NULL, NULL},
    {"http://exa mple/", NULL, NULL, NULL, NULL, false, false, 0, NULL, NULL},
    {"http://example.com:99999/", NULL, NULL, NULL, NULL, false, false, 0, NULL, NULL},
    {"http://example.com:80a/", NULL, NULL, NULL, NULL, false, false, 0, NULL, NULL},
    {"http://ex<ample.com/", NULL, NULL, NULL, NULL, false, false, 0, NULL, NULL},
    {"http://a..b.com/", NULL, NULL, NULL, NULL, false, false, 0, NULL, NULL},
    {"", NULL, NULL, NULL, NULL, false, false, 0, NULL, NULL},
    {"http://", NULL, NULL, NULL, NULL, false, false, 0, NULL, NULL},
};

/* test_table - every case */
static void test_table(void)
{
	for (size_t i = 0; i < G_N_ELEMENTS(cases); i++) {
		const norm_case *c = &cases[i];
		url_parts *p = url_normalise(c->in);
		g_test_message("case %zu: %s", i, c->in);
		if (!c->url) {
			g_assert_null(p);
			continue;
		}
		g_assert_nonnull(p);
		g_assert_cmpint(p->kind, ==, URL_KIND_NET);
		g_assert_cmpstr(p->url, ==, c->url);
		g_assert_cmpstr(p->host, ==, c->host);
		g_assert_cmpstr(p->host_unicode, ==, c->uhost);
		g_assert_cmpstr(p->domain, ==, c->domain);
		g_assert_cmpint(p->ip, ==, c->ip);
		g_assert_cmpint(p->ip_odd, ==, c->ip_odd);
		g_assert_cmpint(p->port, ==, c->port);
		g_assert_cmpstr(p->userinfo, ==, c->user);
		g_assert_cmpstr(p->path, ==, c->path);
		url_parts_free(p);
	}
}

/* test_special - data: and javascript: */
static void test_special(void)
{
	url_parts *p = url_normalise("DATA:text/html;base64,PHNjcmlwdD4=");
	g_assert_nonnull(p);
	g_assert_cmpint(p->kind, ==, URL_KIND_DATA);
	g_assert_cmpstr(p->scheme, ==, "data");
	g_assert_cmpstr(p->url, ==, "data:text/html;base64,phnjcmlwdd4=");
	g_assert_cmpstr(p->host, ==, "");
	url_parts_free(p);
	p = url_normalise("  JavaScript:alert(1)");
	g_assert_nonnull(p);
	g_assert_cmpint(p->kind, ==, URL_KIND_JAVASCRIPT);
	url_parts_free(p);
	p = url_normalise("vbscript:msgbox(1)");
	g_assert_cmpint(p->kind, ==, URL_KIND_JAVASCRIPT);
	url_parts_free(p);
	p = url_normalise("hxxp://defanged.example/");
	g_assert_true(p->defanged);
	url_parts_free(p);
	p = url_normalise("http://plain.example/");
	g_assert_false(p->defanged);
	url_parts_free(p);
}

/* test_registrable - eTLD+1 of hosts and mail domains */
static void test_registrable(void)
{
	static const struct {
		const char *in, *want;
	} r[] = {
	    {"www.example.com", "example.com"},
	    {"a.b.example.co.uk", "example.co.uk"},
	    {"MAIL.Horizon-Assurances.FR", "horizon-assurances.fr"},
	    {"espace.impots.gouv.fr", "impots.gouv.fr"},
	    {"bücher.de", "xn--bcher-kva.de"},
	    {"xn--bcher-kva.de", "xn--bcher-kva.de"},
	    {"example.com.", "example.com"},
	    {"co.uk", NULL},
	    {"com", NULL},
	    {"192.168.1.1", NULL},
	    {"", NULL},
	    {"bad host", NULL},
	};
	for (size_t i = 0; i < G_N_ELEMENTS(r); i++) {
		char *d = url_registrable_domain(r[i].in);
		g_assert_cmpstr(d, ==, r[i].want);
		g_free(d);
	}
	g_assert_null(url_registrable_domain(NULL));
}

/* test_suffix - public suffix lookups used by bare-domain detection */
static void test_suffix(void)
{
	g_assert_true(url_normalise_is_suffix("com"));
	g_assert_true(url_normalise_is_suffix("fr"));
	g_assert_true(url_normalise_is_suffix("co.uk"));
	g_assert_false(url_normalise_is_suffix("txt"));
	g_assert_false(url_normalise_is_suffix("g"));
	g_assert_false(url_normalise_is_suffix("example"));
	g_assert_cmpstr(url_normalise_suffix_of("www.example.co.uk"), ==, "co.uk");
	g_assert_cmpstr(url_normalise_suffix_of("a.impots.gouv.fr"), ==, "gouv.fr");
}

int main(int argc, char **argv)
{
	g_test_init(&argc, &argv, NULL);
	g_test_add_func("/url_normalise/table", test_table);
	g_test_add_func("/url_normalise/special", test_special);
	g_test_add_func("/url_normalise/registrable", test_registrable);
	g_test_add_func("/url_normalise/suffix", test_suffix);
	return g_test_run();
}
