/* url_extract_test.c - URLs found in text, links and attachment names
 *
 * Each case: a text and the URLs expected from it (the refanged form that
 * is normalised, joined by " | "; "" for none), and for some the form as
 * written. Near-misses (file names, abbreviations, version numbers, mail
 * addresses) must give nothing.
 */
#include "url.h"
#include "test_files.h"

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
    /* the shortcut for texts that cannot hold a URL (no ':', '&', UTF-8,
     * "dot", nor a '.' before anything but a blank) must not hide one */
    {"thanks. see you... bye.", "", NULL},
    {"hello, when will my parcel arrive?\nthank you.\t", "", NULL},
    {"visit paypal.com.\n", "paypal.com", NULL},
    {"ok... paypal.com... ok", "paypal.com", NULL},
    {"example(DOT)com", "example.com", NULL},
    {"example[DoT]net/x", "example.net/x", NULL},
    {"go www.example.com", "www.example.com", NULL},
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

/* one redirect level: a redirector form -> its target and the redirector
 * named; NULL target: not unwrapped */
static const struct {
	const char *url, *target, *via;
} unwraps[] = {
    /* query parameters, percent-encoded or not, any Google suffix */
    {"https://www.google.com/url?sa=t&url=https%3A%2F%2Fevil.example%2Flogin&usg=x",
     "https://evil.example/login", "google.com"},
    {"https://www.google.fr/url?q=http://evil.example/a&sa=D", "http://evil.example/a",
     "google.fr"},
    {"https://google.co.uk/url?q=https%253A%252F%252Fevil.example%252F", "https://evil.example/",
     "google.co.uk"},
    {"https://l.facebook.com/l.php?u=https%3A%2F%2Fevil.example%2Fx&h=AT0", "https://evil.example/x",
     "l.facebook.com"},
    {"https://lm.facebook.com/l.php?u=http%3A%2F%2F192.0.2.7%2F", "http://192.0.2.7/",
     "lm.facebook.com"},
    {"https://eur01.safelinks.protection.outlook.com/?url=https%3A%2F%2Fevil.example%2F&data=05",
     "https://evil.example/", "eur01.safelinks.protection.outlook.com"},
    {"https://ad.doubleclick.net/ddm/trackclk/N1.2;dc_trk_aid=3;adurl=https://evil.example/p",
     "https://evil.example/p", "ad.doubleclick.net"},
    {"https://www.googleadservices.com/pagead/aclk?sa=L&ai=x&adurl=https://evil.example/",
     "https://evil.example/", "googleadservices.com"},
    {"https://www.youtube.com/redirect?event=x&q=https%3A%2F%2Fevil.example%2F",
     "https://evil.example/", "youtube.com"},
    /* base64 (Bing's "a1" marker), the path (Google AMP), URL Defense */
    {"https://www.bing.com/ck/a?!&&p=1f2e&ptn=3&u=a1aHR0cHM6Ly9ldmlsLmV4YW1wbGUvbG9naW4&ntb=1",
     "https://evil.example/login", "bing.com"},
    {"https://www.google.com/amp/s/evil.example/parcel/track", "https://evil.example/parcel/track",
     "google.com"},
    {"https://urldefense.com/v3/__https://evil.example/x__;!!AbC!dEf$",
     "https://evil.example/x", "urldefense.com"},
    {"https://urldefense.proofpoint.com/v2/url?u=https-3A__evil.example_a_b&d=DwMF&c=x",
     "https://evil.example/a/b", "urldefense.proofpoint.com"},
    /* a parameter that is not a URL, another parameter, another path, a
     * host that only looks like the redirector: nothing */
    {"https://www.google.com/url?q=hello+world", NULL, NULL},
    {"https://www.google.com/url?q=javascript:alert(1)", NULL, NULL},
    {"https://www.google.com/url?q=https%3A%2F%2Fnodot%2F", NULL, NULL},
    {"https://www.google.com/search?q=https%3A%2F%2Fevil.example%2F", NULL, NULL},
    {"https://www.bing.com/ck/a?u=a1aGVsbG8gd29ybGQ", NULL, NULL},
    {"https://www.bing.com/ck/a?u=a1%%%%", NULL, NULL},
    {"https://google.com.evil.example/url?q=https://other.example/", NULL, NULL},
    {"https://notfacebook.com/l.php?u=https://evil.example/", NULL, NULL},
    {"https://www.google.com/amp/s/", NULL, NULL},
    {"https://urldefense.com/v3/__https://evil.example/x", NULL, NULL},
    {"https://www.linkedin.com/slink?code=abc", NULL, NULL}, /* opaque */
    {"mailto:a@google.com", NULL, NULL},
    {"", NULL, NULL},
};

static url_unwrap *shipped_unwrap(void)
{
	char *p = g_build_filename(VIGIE_SRCDIR, "signatures", "urls", "unwrap.txt", NULL);
	GError *err = NULL;
	url_unwrap *w = url_unwrap_load(p, &err);
	g_assert_no_error(err);
	g_assert_cmpuint(url_unwrap_count(w), >, 10);
	g_free(p);
	return w;
}

/* test_unwrap - each redirector form of the shipped unwrap.txt */
static void test_unwrap(void)
{
	url_unwrap *w = shipped_unwrap();
	for (size_t i = 0; i < G_N_ELEMENTS(unwraps); i++) {
		char *via = NULL;
		char *t = url_unwrap_target(w, unwraps[i].url, &via);
		g_test_message("%s -> %s via %s", unwraps[i].url, t, via);
		g_assert_cmpstr(t, ==, unwraps[i].target);
		g_assert_cmpstr(via, ==, unwraps[i].via);
		g_free(t);
		g_free(via);
	}
	g_assert_true(url_unwrap_opaque(w, "https://www.linkedin.com/slink?code=abc"));
	g_assert_false(url_unwrap_opaque(w, "https://www.linkedin.com/in/someone"));
	g_assert_null(url_unwrap_target(NULL, unwraps[0].url, NULL));
	url_unwrap_free(w);
	url_unwrap_free(NULL);
}

/* test_unwrap_message - targets follow their link with its text, nested
 * redirectors are bounded, text URLs are unwrapped too */
static void test_unwrap_message(void)
{
	url_unwrap *w = shipped_unwrap();
	/* five levels of Google around facebook around the target */
	char *inner = g_strdup("https://evil.example/deep");
	for (int k = 0; k < 5; k++) {
		char *e = g_uri_escape_string(inner, NULL, FALSE);
		g_free(inner);
		inner = g_strconcat(k == 0 ? "https://l.facebook.com/l.php?u=" : "https://www.google.com/url?q=",
				    e, NULL);
		g_free(e);
	}
	vigie_message *m = message_new(VIGIE_CHANNEL_MAIL);
	GPtrArray *links = g_ptr_array_new_with_free_func(link_free);
	g_ptr_array_add(links, link_new("https://www.google.com/url?q=https://evil.example/a",
					"www.bank.fr", "a"));
	g_ptr_array_add(links, link_new(inner, "Open", "a"));
	message_add_text(m, VIGIE_TEXT_HTML,
			 g_strdup("or https://www.google.com/amp/s/evil.example/t"), links, "part 1");
	GPtrArray *f = url_extract_message_unwrap(m, 100, w);
	/* link 1 and its target; link 2 and three levels of it (the embedded
	 * forms of each link follow); the text URL and its target */
	url_found *u0 = g_ptr_array_index(f, 0), *u1 = g_ptr_array_index(f, 1);
	g_assert_true(u0->wrapper);
	g_assert_null(u0->via);
	g_assert_cmpstr(u1->url, ==, "https://evil.example/a");
	g_assert_cmpstr(u1->via, ==, "google.com");
	g_assert_cmpstr(u1->text, ==, "www.bank.fr");
	g_assert_cmpstr(u1->tag, ==, "a");
	g_assert_cmpstr(u1->written, ==, "https://www.google.com/url?q=https://evil.example/a");
	g_assert_false(u1->wrapper);
	guint at = 2;
	while (at < f->len && strcmp(((url_found *)g_ptr_array_index(f, at))->url, inner) != 0)
		at++;
	g_assert_cmpuint(at, <, f->len);
	g_assert_true(((url_found *)g_ptr_array_index(f, at))->wrapper);
	guint levels = 0;
	for (guint i = at + 1; i < f->len; i++) {
		url_found *u = g_ptr_array_index(f, i);
		if (!u->via || strcmp(u->written, inner) != 0)
			break;
		levels++;
		g_assert_cmpstr(u->text, ==, "Open");
		if (levels == URL_UNWRAP_DEPTH)
			g_assert_cmpstr(u->via, ==, "google.com, google.com, google.com");
	}
	g_assert_cmpuint(levels, ==, URL_UNWRAP_DEPTH);
	bool text_target = false;
	for (guint i = 0; i < f->len; i++) {
		url_found *u = g_ptr_array_index(f, i);
		text_target |= strcmp(u->tag, "text") == 0 && u->via &&
			       strcmp(u->url, "https://evil.example/t") == 0;
	}
	g_assert_true(text_target);
	g_ptr_array_unref(f);
	/* the cap holds */
	f = url_extract_message_unwrap(m, 2, w);
	g_assert_cmpuint(f->len, ==, 2);
	g_ptr_array_unref(f);
	vigie_message_free(m);
	g_free(inner);
	url_unwrap_free(w);
}

/* test_unwrap_errors - a bad line of unwrap.txt names file and line; a
 * missing file is an empty table */
static void test_unwrap_errors(void)
{
	static const struct {
		const char *text, *msg;
	} e[] = {
	    {"google.*  /url  param:q\nbad line\n", "unwrap.txt:2: 'bad line': expected"},
	    {"google.com  url  param:q\n", "unwrap.txt:1: 'google.com  url  param:q': the path"},
	    {"google.com  /url  param\n", "unwrap.txt:1:"},
	    {"google.com  /url  param:\n", "unwrap.txt:1:"},
	    {"google.com  /url  param:a b\n", "unwrap.txt:1:"},
	    {"google.com  /url  path:q\n", "unwrap.txt:1:"},
	    {"google.com  /url  follow\n", "unwrap.txt:1:"},
	    {"not a domain!  /  path\n", "unwrap.txt:1:"},
	    {"# c\n\nlocalhost  /  path\n", "unwrap.txt:3:"},
	    {"goo$gle.*  /  path\n", "unwrap.txt:1:"},
	};
	char *root = g_dir_make_tmp("vigie-unwrap-XXXXXX", NULL);
	char *p = g_build_filename(root, "unwrap.txt", NULL);
	for (size_t i = 0; i < G_N_ELEMENTS(e); i++) {
		test_put(root, "unwrap.txt", e[i].text);
		GError *err = NULL;
		g_assert_null(url_unwrap_load(p, &err));
		g_assert_nonnull(err);
		g_test_message("%s", err->message);
		g_assert_nonnull(strstr(err->message, e[i].msg));
		g_error_free(err);
	}
	g_unlink(p);
	GError *err = NULL;
	url_unwrap *w = url_unwrap_load(p, &err);
	g_assert_no_error(err);
	g_assert_cmpuint(url_unwrap_count(w), ==, 0);
	g_assert_null(url_unwrap_target(w, "https://www.google.com/url?q=https://a.example/", NULL));
	url_unwrap_free(w);
	g_free(p);
	test_rm_tree(root);
	g_free(root);
}

int main(int argc, char **argv)
{
	g_test_init(&argc, &argv, NULL);
	g_test_add_func("/url_extract/text", test_text);
	g_test_add_func("/url_extract/cap", test_cap);
	g_test_add_func("/url_extract/single", test_single);
	g_test_add_func("/url_extract/message", test_message);
	g_test_add_func("/url_extract/unwrap", test_unwrap);
	g_test_add_func("/url_extract/unwrap_message", test_unwrap_message);
	g_test_add_func("/url_extract/unwrap_errors", test_unwrap_errors);
	return g_test_run();
}
