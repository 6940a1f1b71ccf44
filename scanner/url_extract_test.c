/* url_extract_test.c - URLs found in text, links and attachment names
 *
 * Each case: a text and the URLs expected from it (the refanged form that
 * is normalised, joined by " | "; "" for none), and for some the form as
 * written. Near-misses (file names, abbreviations, version numbers, mail
 * addresses) must give nothing.
 */
#include "url.h"

#include <string.h>

typedef struct {
	const char *text;
	const char *want;    /* url fields joined by " | " */
	const char *written; /* first written form, or NULL not to check */
} extract_case;

static const extract_case cases[] = {
    /* schemes */
    {"see http://example.com for more", "http://example.com", NULL},
    {"https://example.com/path?q=1&r=2#frag", "https://example.com/path?q=1&r=2#frag", NULL},
    {"HTTPS://EXAMPLE.COM/X", "HTTPS://EXAMPLE.COM/X", NULL},
    {"ftp://files.example.org/pub/", "ftp://files.example.org/pub/", NULL},
    {"two: http://a.example/1 and https://b.example/2.", "http://a.example/1 | https://b.example/2",
     NULL},
    {"(http://example.com/x)", "http://example.com/x", NULL},
    {"http://en.wikipedia.org/wiki/Foo_(bar)", "http://en.wikipedia.org/wiki/Foo_(bar)", NULL},
    {"<http://example.com/a>", "http://example.com/a", NULL},
    {"\"http://example.com/q\"", "http://example.com/q", NULL},
    {"end of sentence http://example.com/page.", "http://example.com/page", NULL},
    {"list: http://example.com/a, http://example.com/b;",
     "http://example.com/a | http://example.com/b", NULL},
    {"url=http://evil.example/x", "http://evil.example/x", NULL},
    {"http:\\\\evil.example\\login", "http:\\\\evil.example\\login", NULL},
    {"http:/evil.example/one-slash", "http:/evil.example/one-slash", NULL},
    {"https://bank.fr@evil.example/", "https://bank.fr@evil.example/", NULL},
    {"http://192.168.10.1:8080/admin", "http://192.168.10.1:8080/admin", NULL},
    {"http://[2001:db8::1]/x", "", NULL}, /* '[' ends a URL in text */
    {"« https://example.fr/accueil »", "https://example.fr/accueil", NULL},
    {"“https://example.com/q”", "https://example.com/q", NULL},
    {"https://пример.рф/путь", "https://пример.рф/путь", NULL},
    {"https://xn--80ak6aa92e.com/", "https://xn--80ak6aa92e.com/", NULL},
    {"https://example.com/…", "https://example.com/", NULL},
    /* www. */
    {"go to www.example.com now", "www.example.com", NULL},
    {"WWW.EXAMPLE.COM/LOGIN", "WWW.EXAMPLE.COM/LOGIN", NULL},
    {"www.horizon-assurances.fr/espace-client.", "www.horizon-assurances.fr/espace-client", NULL},
    /* bare domains with a known suffix */
    {"horizon-assurances.fr/login", "horizon-assurances.fr/login", NULL},
    {"write to paypal.com today", "paypal.com", NULL},
    {"Visit Example.COM", "Example.COM", NULL},
    {"secure.bank-update.xyz/verify?id=3", "secure.bank-update.xyz/verify?id=3", NULL},
    {"evil.co.uk:8443/x", "evil.co.uk:8443/x", NULL},
    {"parcel at colis-suivi.top", "colis-suivi.top", NULL},
    {"mon-compte.gouv.fr.", "mon-compte.gouv.fr", NULL},
    {"files.example.zip/setup", "files.example.zip/setup", NULL},
    /* defanged */
    {"hxxp://evil.example/x", "http://evil.example/x", "hxxp://evil.example/x"},
    {"hxxps://evil.example/", "https://evil.example/", NULL},
    {"hXXps://evil.example/", "https://evil.example/", NULL},
    {"example[.]com", "example.com", "example[.]com"},
    {"evil(.)example(.)com/x", "evil.example.com/x", NULL},
    {"example(dot)com", "example.com", NULL},
    {"example[dot]org/path", "example.org/path", NULL},
    {"hxxp[:]//evil[.]example/a", "http://evil.example/a", "hxxp[:]//evil[.]example/a"},
    {"http[://]evil.example/", "http://evil.example/", NULL},
    {"fxp://files.example.com/", "ftp://files.example.com/", NULL},
    {"example{.}net", "example.net", NULL},
    /* zero-width splitting and soft hyphens */
    {"pay\xe2\x80\x8bpal.com/login", "paypal.com/login", "pay\xe2\x80\x8bpal.com/login"},
    {"http\xe2\x80\x8c://evil.example/", "http://evil.example/", NULL},
    {"www.ex\xc2\xad"
     "ample.com",
     "www.example.com", NULL},
    {"evil\xef\xbb\xbf.example.com/x", "evil.example.com/x", NULL},
    /* entities and fullwidth dots */
    {"&#104;ttp://evil.example/", "http://evil.example/", "&#104;ttp://evil.example/"},
    {"http&#58;//evil.example/", "http://evil.example/", NULL},
    {"https&colon;&sol;&sol;evil&period;example/x", "https://evil.example/x", NULL},
    {"&#x68;&#x74;&#x74;&#x70;://evil.example/", "http://evil.example/", NULL},
    {"http://a.example/?x=1&amp;y=2", "http://a.example/?x=1&y=2", NULL},
    {"example\xe3\x80\x82"
     "com/x",
     "example.com/x", NULL},
    /* data: */
    {"data:text/html;base64,PHNjcmlwdD4=", "data:text/html;base64,PHNjcmlwdD4=", NULL},
    /* near-misses: nothing */
    {"file.txt", "", NULL},
    {"e.g. this, i.e. that", "", NULL},
    {"version 1.2.3 and v2.0", "", NULL},
    {"contact john.doe@example.com", "", NULL},
    {"README.md and script.py and archive.zip", "", NULL},
    {"node.js config.json index.html", "", NULL},
    {"edit local.cf, sendmail.cf, Makefile.am, configure.ac, main.tf", "", NULL},
    {"see evil.cf/login", "evil.cf/login", NULL},
    {"Hello.World", "", NULL},
    {"it.is", "", NULL},
    {"3.14159", "", NULL},
    {"mailto:someone@example.com", "", NULL},
    {"javascript:alert(1)", "", NULL},
    {"Data: Monday", "", NULL},
    {"a..b.com", "", NULL},
    {"-bad.example.com", "", NULL},
    {"nothing here at all", "", NULL},
    {"http://", "", NULL},
    {"Mr.Smith said so", "", NULL},
};

/* test_text - every case of the table */
static void test_text(void)
{
	for (size_t i = 0; i < G_N_ELEMENTS(cases); i++) {
		GPtrArray *out = g_ptr_array_new_with_free_func(url_found_free);
		url_extract_text(cases[i].text, "part 1", out, 100);
		GString *got = g_string_new(NULL);
		for (guint j = 0; j < out->len; j++) {
			url_found *f = g_ptr_array_index(out, j);
			g_assert_cmpstr(f->tag, ==, "text");
			g_assert_cmpstr(f->where, ==, "part 1");
			g_assert_null(f->text);
			if (j)
				g_string_append(got, " | ");
			g_string_append(got, f->url);
		}
		if (strcmp(got->str, cases[i].want) != 0)
			g_test_message("case %zu: '%s'", i, cases[i].text);
		g_assert_cmpstr(got->str, ==, cases[i].want);
		if (cases[i].written) {
			url_found *f = g_ptr_array_index(out, 0);
			g_assert_cmpstr(f->written, ==, cases[i].written);
		}
		g_string_free(got, TRUE);
		g_ptr_array_unref(out);
	}
	g_assert_cmpuint(G_N_ELEMENTS(cases), >=, 60);
}

/* test_cap - at most max URLs from a text with thousands */
static void test_cap(void)
{
	GString *t = g_string_new(NULL);
	for (int i = 0; i < 10000; i++)
		g_string_append_printf(t, "http://h%d.example/ ", i);
	GPtrArray *out = g_ptr_array_new_with_free_func(url_found_free);
	url_extract_text(t->str, "", out, 50);
	g_assert_cmpuint(out->len, ==, 50);
	g_ptr_array_unref(out);
	g_string_free(t, TRUE);
}

/* test_single - link texts that are (or are not) a URL */
static void test_single(void)
{
	static const struct {
		const char *text, *want;
	} single[] = {
	    {"www.paypal.com", "www.paypal.com"},
	    {"  https://www.bank.fr/login  ", "https://www.bank.fr/login"},
	    {"paypal.com", "paypal.com"},
	    {"PayPal.com/", "PayPal.com/"},
	    {"http://example.com.", "http://example.com"},
	    {"Click here", NULL},
	    {"Visit paypal.com now", NULL},
	    {"invoice.pdf", NULL},
	    {"", NULL},
	    {"a.example and b.example", NULL},
	};
	for (size_t i = 0; i < G_N_ELEMENTS(single); i++) {
		char *u = url_extract_single(single[i].text);
		g_assert_cmpstr(u, ==, single[i].want);
		g_free(u);
	}
}

/* test_message - links with text, text bodies, attachment names, embedded URLs */
static void test_message(void)
{
	vigie_message *m = message_new(VIGIE_CHANNEL_MAIL);
	GPtrArray *links = g_ptr_array_new_with_free_func(link_free);
	g_ptr_array_add(links, link_new("https://evil.example/a", "www.bank.fr", "a"));
	g_ptr_array_add(links, link_new("mailto:x@example.com", "write", "a"));
	g_ptr_array_add(links, link_new("/relative/path", "rel", "a"));
	g_ptr_array_add(links, link_new("#top", "", "a"));
	g_ptr_array_add(links,
			link_new("https://track.example/r?u=https%3A%2F%2Fevil.example%2Flogin&x=1",
				 "Open", "a"));
	g_ptr_array_add(links, link_new("//cdn.example/i.png", "", "img"));
	g_ptr_array_add(links, link_new("javascript:void(0)", "x", "a"));
	message_add_text(m, VIGIE_TEXT_HTML, g_strdup("Go to www.bank.fr"), links, "part 1.2");
	message_add_text(m, VIGIE_TEXT_PLAIN, g_strdup("hxxp://evil[.]example/x"), NULL,
			 "part 1.1");
	message_add_attachment(m, "https://files.example/doc.pdf", NULL, NULL, NULL, "part 2");
	message_add_attachment(m, "invoice.pdf", NULL, NULL, NULL, "part 3");
	GPtrArray *f = url_extract_message(m, 100);
	static const struct {
		const char *url, *text, *tag, *where;
	} want[] = {
	    {"https://evil.example/a", "www.bank.fr", "a", "part 1.2"},
	    {"https://track.example/r?u=https%3A%2F%2Fevil.example%2Flogin&x=1", "Open", "a",
	     "part 1.2"},
	    {"https://evil.example/login", NULL, "embedded", "part 1.2"},
	    {"//cdn.example/i.png", "", "img", "part 1.2"},
	    {"javascript:void(0)", "x", "a", "part 1.2"},
	    {"www.bank.fr", NULL, "text", "part 1.2"},
	    {"http://evil.example/x", NULL, "text", "part 1.1"},
	    {"https://files.example/doc.pdf", NULL, "attachment-name", "part 2"},
	};
	g_assert_cmpuint(f->len, ==, G_N_ELEMENTS(want));
	for (guint i = 0; i < f->len; i++) {
		url_found *u = g_ptr_array_index(f, i);
		g_assert_cmpstr(u->url, ==, want[i].url);
		g_assert_cmpstr(u->text, ==, want[i].text);
		g_assert_cmpstr(u->tag, ==, want[i].tag);
		g_assert_cmpstr(u->where, ==, want[i].where);
	}
	g_ptr_array_unref(f);
	f = url_extract_message(m, 2);
	g_assert_cmpuint(f->len, ==, 2);
	g_ptr_array_unref(f);
	vigie_message_free(m);
}

int main(int argc, char **argv)
{
	g_test_init(&argc, &argv, NULL);
	g_test_add_func("/url_extract/text", test_text);
	g_test_add_func("/url_extract/cap", test_cap);
	g_test_add_func("/url_extract/single", test_single);
	g_test_add_func("/url_extract/message", test_message);
	return g_test_run();
}
