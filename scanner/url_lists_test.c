/* url_lists_test.c - blocklist feeds: each format, matching, loader errors
 *
 * Every feed file here is this test's own fixture, written to a temporary
 * folder in the feed's real layout.
 */
#include "url.h"

#include <glib/gstdio.h>
#include <string.h>

static char *tmpdir;

static char *put(const char *name, const char *text)
{
	char *p = g_build_filename(tmpdir, name, NULL);
	g_assert_true(g_file_set_contents(p, text, -1, NULL));
	return p;
}

static const char urlhaus_csv[] =
    "################################################################\n"
    "# abuse.ch URLhaus Database Dump (CSV - recent URLs only)      #\n"
    "################################################################\n"
    "#\n"
    "# id,dateadded,url,url_status,last_online,threat,tags,urlhaus_link,reporter\n"
    "\"3001\",\"2026-01-02 "
    "10:00:00\",\"http://198.51.100.7:8080/bins/x86\",\"online\",\"2026-01-02 "
    "10:00:00\",\"malware_download\",\"elf,mirai\",\"https://urlhaus.abuse.ch/url/3001/"
    "\",\"tester\"\r\n"
    "\"3002\",\"2026-01-02 "
    "10:05:00\",\"https://dl.evil-files.example/"
    "invoice.zip\",\"online\",\"\",\"malware_download\",\"zip\",\"https://urlhaus.abuse.ch/url/"
    "3002/\",\"tester\"\r\n";
static const char urlhaus_txt[] =
    "################################################################\n"
    "# abuse.ch URLhaus Database Dump (TEXT)                        #\n"
    "################################################################\n"
    "http://203.0.113.9/a.sh\n";
static const char openphish_txt[] = "https://secure-login.phish.example/paypal/signin?x=1\n"
				    "http://whole-site.phish.example/\n"
				    "https://bücher-login.example/konto\n";
static const char phishtank_csv[] =
    "phish_id,url,phish_detail_url,submission_time,verified,verification_time,online,target\n"
    "800001,https://bank-verify.example/log.php,http://www.phishtank.com/"
    "phish_detail.php?phish_id=800001,2026-01-01T00:00:00+00:00,yes,2026-01-01T01:00:00+00:00,yes,"
    "Other\n"
    "800002,\"https://q.example/a,b\",http://www.phishtank.com/"
    "phish_detail.php?phish_id=800002,2026-01-01T00:00:00+00:00,yes,2026-01-01T01:00:00+00:00,yes,"
    "PayPal\n";
static const char phishtank_json[] =
    "[{\"phish_id\":900001,\"url\":\"http://json-phish.example/login\",\"verified\":\"yes\"},\n"
    " {\"phish_id\":900002,\"url\":\"https://other.example/x?y=1\",\"target\":\"Other\"}]\n";
static const char domains_list[] = "# plain domain list\n"
				   "bad-domain.example\n"
				   "*.wild.example\n"
				   "198.51.100.200\n";

/* test_formats - each format loads and matches as its feed intends */
static void test_formats(void)
{
	url_lists *l = url_lists_new();
	GError *err = NULL;
	char *files[] = {
	    put("a.urlhaus.csv", urlhaus_csv),
	    put("b.txt", urlhaus_txt),
	    put("c.urls", openphish_txt),
	    put("d.phishtank.csv", phishtank_csv),
	    put("e.phishtank.json", phishtank_json),
	    put("f.domains", domains_list),
	};
	for (size_t i = 0; i < G_N_ELEMENTS(files); i++) {
		g_assert_true(url_lists_load_file(l, files[i], &err));
		g_assert_no_error(err);
	}
	g_assert_cmpuint(url_lists_size(l), ==, 13);
	static const struct {
		const char *url, *feed, *how;
	} m[] = {
	    {"http://198.51.100.7:8080/bins/x86", "a.urlhaus.csv", "url"},
	    {"hxxps://dl.evil-files[.]example/invoice.zip", "a.urlhaus.csv", "url"},
	    {"https://dl.evil-files.example/other.zip", NULL, NULL}, /* exact URL only */
	    {"http://203.0.113.9/a.sh", "b.txt", "url"},
	    {"http://secure-login.phish.example/paypal/signin?x=1", "c.urls",
	     "url"}, /* scheme ignored */
	    {"https://secure-login.phish.example/paypal/signin?x=2", NULL,
	     NULL}, /* listed with a query */
	    {"http://json-phish.example/login?session=9", "e.phishtank.json",
	     "url"}, /* listed without */
	    {"https://secure-login.phish.example/other", NULL, NULL},
	    {"https://WHOLE-site.phish.example/any/path", "c.urls", "host"}, /* site root: host */
	    {"https://sub.whole-site.phish.example/", NULL, NULL},
	    {"https://xn--bcher-login-thb.example/konto", "c.urls", "url"}, /* IDNA */
	    {"https://bank-verify.example/log.php", "d.phishtank.csv", "url"},
	    {"https://q.example/a,b", "d.phishtank.csv", "url"},
	    {"http://json-phish.example/login", "e.phishtank.json", "url"},
	    {"https://other.example/x?y=1", "e.phishtank.json", "url"},
	    {"http://bad-domain.example/", "f.domains", "domain"},
	    {"http://deep.sub.bad-domain.example/x", "f.domains", "domain"}, /* subdomains too */
	    {"http://a.wild.example/", "f.domains", "domain"},
	    {"http://198.51.100.200/x", "f.domains", "host"},
	    {"http://3325256904/x", "f.domains", "host"}, /* decimal IP */
	    {"http://not-bad-domain.example/", NULL, NULL},
	    {"http://bad-domain.example.org/", NULL, NULL},
	    {"http://example.com/", NULL, NULL},
	};
	for (size_t i = 0; i < G_N_ELEMENTS(m); i++) {
		url_parts *p = url_normalise(m[i].url);
		g_assert_nonnull(p);
		const char *how = NULL;
		const char *feed = url_lists_match(l, p, &how);
		g_test_message("%s -> %s by %s", m[i].url, feed, how);
		g_assert_cmpstr(feed, ==, m[i].feed);
		g_assert_cmpstr(how, ==, m[i].how);
		url_parts_free(p);
	}
	for (size_t i = 0; i < G_N_ELEMENTS(files); i++) {
		g_unlink(files[i]);
		g_free(files[i]);
	}
	url_lists_free(l);
}

/* test_errors - a malformed line names file and line; nothing else loads */
static void test_errors(void)
{
	static const struct {
		const char *name, *text, *msg;
	} e[] = {
	    {"x.urls", "http://ok.example/\nnot a url\n", "x.urls:2: not a URL"},
	    {"x.urls", "# c\nhttp://ok.example/\nmailto:a@b.example\n", "x.urls:3: not a URL"},
	    {"x.domains", "ok.example\n\nbad domain.example\n", "x.domains:3: not a domain name"},
	    {"x.domains", "nodot\n", "x.domains:1: not a domain name"},
	    {"x.urlhaus.csv", "# h\n\"1\",\"2\",\"http://a.example/x\"\n",
	     "x.urlhaus.csv:2: too few fields"},
	    {"x.urlhaus.csv", "\"1\",\"2\",\"http://a.example/x\n",
	     "x.urlhaus.csv:1: unterminated quoted field"},
	    {"x.urlhaus.csv", "\"1\",\"2\",\"not a url\",\"a\",\"b\",\"c\",\"d\",\"e\",\"f\"\n",
	     "x.urlhaus.csv:1: the url field is not a URL"},
	    {"x.phishtank.csv", "phish_id,link\n1,http://a.example/\n",
	     "x.phishtank.csv:1: header row without a \"url\" column"},
	    {"x.phishtank.csv", "phish_id,url\n1,http://a.example/\n2\n",
	     "x.phishtank.csv:3: too few fields"},
	    {"x.phishtank.json", "[{\"url\": \"http://a.example/\"},\n {\"link\": 1}]",
	     "x.phishtank.json: entry 2: no valid \"url\" member"},
	    {"x.phishtank.json", "{\"url\": \"http://a.example/\"}",
	     "x.phishtank.json: expected a JSON array"},
	    {"x.phishtank.json", "[{\"url\":\n", "x.phishtank.json:"},
	    {"x.feed", "http://a.example/\n", "x.feed: unknown feed format"},
	};
	for (size_t i = 0; i < G_N_ELEMENTS(e); i++) {
		char *p = put(e[i].name, e[i].text);
		url_lists *l = url_lists_new();
		GError *err = NULL;
		g_assert_false(url_lists_load_file(l, p, &err));
		g_assert_nonnull(err);
		g_test_message("%s", err->message);
		g_assert_nonnull(strstr(err->message, e[i].msg));
		g_assert_true(g_str_has_prefix(err->message, tmpdir));
		g_error_free(err);
		url_lists_free(l);
		g_unlink(p);
		g_free(p);
	}
}

/* test_dir - a folder loads every feed file in name order, skips others */
static void test_dir(void)
{
	char *sub = g_build_filename(tmpdir, "feeds", NULL);
	g_mkdir(sub, 0700);
	char *a = g_build_filename(sub, "one.domains", NULL);
	char *b = g_build_filename(sub, "README.md", NULL);
	char *c = g_build_filename(sub, "two.urls", NULL);
	g_file_set_contents(a, "a.example\n", -1, NULL);
	g_file_set_contents(b, "# not a feed\n", -1, NULL);
	g_file_set_contents(c, "http://b.example/x\n", -1, NULL);
	url_lists *l = url_lists_new();
	GError *err = NULL;
	g_assert_true(url_lists_load_dir(l, sub, &err));
	g_assert_cmpuint(url_lists_size(l), ==, 2);
	url_lists_free(l);
	g_file_set_contents(c, "http://b.example/x\nbroken line\n", -1, NULL);
	l = url_lists_new();
	g_assert_false(url_lists_load_dir(l, sub, &err));
	g_assert_nonnull(strstr(err->message, "two.urls:2:"));
	g_clear_error(&err);
	url_lists_free(l);
	/* what vigie update leaves beside a feed is not a feed */
	char *prev = g_build_filename(sub, "two.urls.prev", NULL);
	char *meta = g_build_filename(sub, "two.urls.meta", NULL);
	char *part = g_build_filename(sub, ".part.two.urls", NULL);
	g_file_set_contents(prev, "not a feed\n", -1, NULL);
	g_file_set_contents(meta, "[feed]\n", -1, NULL);
	g_file_set_contents(part, "half a li", -1, NULL);
	g_assert_cmpint(url_lists_feed_files(sub), ==, 2);
	g_unlink(prev);
	g_unlink(meta);
	g_unlink(part);
	g_free(prev);
	g_free(meta);
	g_free(part);
	/* a missing folder, or a file in its place: an error naming it */
	static const struct {
		const char *dir, *want;
	} bad[] = {
	    {"/nonexistent-vigie-feeds", "/nonexistent-vigie-feeds: no such folder"},
	    {NULL, "one.domains: not a folder"}, /* NULL: the file a */
	};
	for (size_t i = 0; i < G_N_ELEMENTS(bad); i++) {
		const char *dir = bad[i].dir ? bad[i].dir : a;
		l = url_lists_new();
		g_assert_false(url_lists_load_dir(l, dir, &err));
		g_assert_nonnull(err);
		g_assert_true(g_str_has_suffix(err->message, bad[i].want));
		g_clear_error(&err);
		g_assert_cmpint(url_lists_feed_files(dir), ==, -1);
		url_lists_free(l);
	}
	/* an empty folder (the state folder before the first vigie update) */
	char *empty = g_build_filename(tmpdir, "empty-feeds", NULL);
	g_mkdir(empty, 0700);
	l = url_lists_new();
	g_assert_true(url_lists_load_dir(l, empty, &err));
	g_assert_no_error(err);
	g_assert_cmpuint(url_lists_size(l), ==, 0);
	g_assert_cmpint(url_lists_feed_files(empty), ==, 0);
	url_lists_free(l);
	g_rmdir(empty);
	g_free(empty);
	g_unlink(a);
	g_unlink(b);
	g_unlink(c);
	g_rmdir(sub);
	g_free(a);
	g_free(b);
	g_free(c);
	g_free(sub);
}

/* test_fast_key - the fast path gives the general parser's key, or none */
static void test_fast_key(void)
{
	static const char *const urls[] = {
		"http://a.example/x/y.php?id=1&b=2", "https://www.example.co.uk/", "http://a.example",
		"http://a.example?q=1", "https://a-b.c.example/p/a;b=c", "http://1.2.3.4/x",
		"http://A.example/", "http://a.example:8080/", "http://u@a.example/", "http://a.example/%41",
		"http://a.example/x#frag", "http://a.example./x", "http://a..example/", "http://example/",
		"http://a.example/\\x", "hxxp://a.example/", "http://xn--bcher-kva.example/p",
		"http://a.example/caf\xc3\xa9", "http://1.2.3.0x10/", "http://a.123/",
	};
	for (size_t i = 0; i < G_N_ELEMENTS(urls); i++) {
		char *fast = url_lists_fast_key(urls[i]);
		url_parts *p = url_normalise_light(urls[i]);
		char *slow = p ? url_lists_key(p) : NULL;
		g_test_message("%s: fast %s slow %s", urls[i], fast, slow);
		if (fast)
			g_assert_cmpstr(fast, ==, slow);
		g_free(fast);
		g_free(slow);
		url_parts_free(p);
	}
	char *k = url_lists_fast_key("http://a.example/x/y.php?id=1");
	g_assert_cmpstr(k, ==, "a.example/x/y.php?id=1");
	g_free(k);
	k = url_lists_fast_key("http://a.example?q=1");
	g_assert_cmpstr(k, ==, "a.example/?q=1");
	g_free(k);
	g_assert_null(url_lists_fast_key("http://1.2.3.4/x"));
}

int main(int argc, char **argv)
{
	g_test_init(&argc, &argv, NULL);
	tmpdir = g_dir_make_tmp("vigie-lists-XXXXXX", NULL);
	g_test_add_func("/url_lists/formats", test_formats);
	g_test_add_func("/url_lists/errors", test_errors);
	g_test_add_func("/url_lists/dir", test_dir);
	g_test_add_func("/url_lists/fast_key", test_fast_key);
	int rc = g_test_run();
	g_rmdir(tmpdir);
	g_free(tmpdir);
	return rc;
}
