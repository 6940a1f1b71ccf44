/* config_test.c - the configuration parser: accepted forms and every error */
#include "internal.h"

#include <glib/gstdio.h>
#include <string.h>

static char *tmpdir;

/* write text to a fresh file in tmpdir; caller g_free the path */
static char *write_conf(const char *text)
{
	static int n;
	char *path = g_strdup_printf("%s/c%d.conf", tmpdir, n++);
	g_assert_true(g_file_set_contents(path, text, -1, NULL));
	return path;
}

typedef struct {
	const char *text;
	const char *section, *key, *expect; /* stored value after load */
} good_case;

static const good_case good_cases[] = {
	{ "", "channel.mail", "tag", "5" },
	{ "[channel.mail]\ntag = 7\nquarantine = 12\n", "channel.mail", "tag", "7" },
	{ "# comment\n; other\n\n[core]\nmax_message_size = 10M\n", "core", "max_message_size", "10485760" },
	{ "[core]\nmax_message_size = 512k\n", "core", "max_message_size", "524288" },
	{ "[core]\nmax_message_size = 2GB\n", "core", "max_message_size", "2147483648" },
	{ "[av]\nenabled = off\n", "av", "enabled", "0" },
	{ "[av]\nenabled = TRUE\n", "av", "enabled", "1" },
	{ "[av]\nsystem_database = \"off\"\n", "av", "system_database", "off" },
	{ "  [ av ]  \n  heuristic_macros=no  \n", "av", "heuristic_macros", "0" },
	{ "[policy]\ndecisive_categories = malware, phishing\n", "policy", "decisive_categories", "malware, phishing" },
	{ "[core]\nlog_level = debug\n", "core", "log_level", "debug" },
	{ "[av]\nbundled = /abs/path\n", "av", "bundled", "/abs/path" },
	{ "[channel.mail]\nreject = 0\n", "channel.mail", "reject", "0" },
	{ "[channel.mail]\nreject = 20\n", "channel.mail", "reject", "20" },
	{ "[milter]\nlisten = unix:/run/vigie/milter.sock\n", "milter", "listen", "unix:/run/vigie/milter.sock" },
	{ "[milter]\nlisten = inet6:10025@::1\n", "milter", "listen", "inet6:10025@::1" },
	{ "[milter]\nsubject_prefix =\n", "milter", "subject_prefix", "" },
	{ "[milter]\non_scan_error = accept\n", "milter", "on_scan_error", "accept" },
	/* [webhook] and the [webhook.NAME] section family */
	{ "[webhook]\nport = 443\naddress = ::1\n", "webhook", "address", "::1" },
	{ "[webhook.sales]\nplatform = slack\nsecret = s\n", "webhook.sales", "platform", "slack" },
	{ "[webhook.a-b_9]\nsecret = s\n", "webhook.a-b_9", "platform", "generic" },
	{ "[webhook.x]\nsecret = \"with = sign\"\n", "webhook.x", "secret", "with = sign" },
	{ "[webhook.x]\nsecret = s\n[webhook.y]\nsecret = t\n", "webhook.y", "secret", "t" },
};

typedef struct {
	const char *text;
	const char *expect; /* substring of the error, after "FILE:" */
} bad_case;

static const bad_case bad_cases[] = {
	{ "[nosuch]\n", ":1: unknown section [nosuch]" },
	{ "[core]\nnosuch = 1\n", ":2: unknown key 'nosuch' in [core]" },
	{ "tag = 5\n", ":1: key 'tag' outside any [section]" },
	{ "[core\n", ":1: malformed section header" },
	{ "[core] x\n", ":1: malformed section header" },
	{ "[core]\njust words\n", ":2: expected 'key = value'" },
	{ "[channel.mail]\ntag = five\n", ":2: [channel.mail] tag: 'five' is not an integer" },
	{ "[channel.mail]\ntag = 0\n", ":2: [channel.mail] tag: 0 is out of range [1, 100000]" },
	{ "[channel.mail]\ntag = 99999999999999999999\n", "is not an integer" },
	{ "[channel.mail]\ntag = 5x\n", "'5x' is not an integer" },
	{ "[core]\nmax_message_size = 10Q\n", "'10Q' is not a size" },
	{ "[core]\nmax_message_size = -5\n", "'-5' is not a size" },
	{ "[core]\nmax_message_size = 1\n", "1 is out of range" },
	{ "[av]\nenabled = maybe\n", ":2: [av] enabled: 'maybe' is not a boolean" },
	{ "[core]\nlog_level = loud\n", "'loud' is not one of: error, warning" },
	{ "[av]\nbundled =\n", "[av] bundled: empty path" },
	{ "[channel.mail]\ntag = 5\ntag = 6\n", ":3: key 'tag' in [channel.mail] already set on line 2" },
	{ "[channel.mail]\ntag = 20\nquarantine = 10\n", ":3: [channel.mail] quarantine (10) must not be below tag (20)" },
	{ "[channel.mail]\nreject = 3\n", "reject (3) must be 0 (off) or at least quarantine (10)" },
	{ "[channel.chat]\nreject = 5\n", "[channel.chat] reject: 5 is out of range [0, 0]" },
	{ "[core]\nmax_message_size = 1M\n\xff\xfe\n", "not valid UTF-8" },
	{ "[milter]\nlisten = tcp:25\n", ":2: [milter] listen: expected unix:/PATH, inet:PORT@ADDRESS" },
	{ "[milter]\nlisten = inet:99999@127.0.0.1\n", "with PORT 1-65535" },
	{ "[milter]\nlisten = unix:relative.sock\n", "needs an absolute path" },
	{ "[milter]\nsocket_mode = 0999\n", "expected an octal mode" },
	{ "[milter]\non_scan_error = ignore\n", "'ignore' is not one of: accept, tempfail, reject" },
	{ "[milter]\nquarantine_action = bounce\n", "'bounce' is not one of: discard, reject" },
	{ "[webhook]\naddress = localhost\n", "[webhook] address: expected a numeric IPv4 or IPv6 address" },
	{ "[webhook]\nport = 0\n", "[webhook] port: 0 is out of range [1, 65535]" },
	{ "[webhook]\ntls_cert = cert.pem\n", "expected an absolute path or nothing" },
	{ "[webhook.x]\nplatform = slack\n", ":1: [webhook.x] secret is required" },
	{ "[webhook.x]\nsecret = s\nplatform = icq\n", ":3: [webhook.x] platform: 'icq' is not one of: generic, twilio" },
	{ "[webhook.x]\nsecret = s\nport = 1\n", ":3: unknown key 'port' in [webhook.x]" },
	{ "[webhook.x]\nsecret = s\n[webhook.x]\n", ":3: section [webhook.x] already defined on line 1" },
	{ "[webhook.x]\nsecret = s\nsecret = t\n", ":3: key 'secret' in [webhook.x] already set on line 2" },
	{ "[webhook.bad name]\n", ":1: unknown section [webhook.bad name]" },
	{ "[webhook.]\n", ":1: unknown section [webhook.]" },
	{ "[webhook.*]\n", ":1: unknown section [webhook.*]" },
	{ "[milter.x]\n", ":1: unknown section [milter.x]" },
};

/* test_sections - the NAMEs of a section family, in file order */
static void test_sections(void)
{
	char *path = write_conf("[webhook.b]\nsecret = s\n[core]\n[webhook.a]\nsecret = t\n");
	GError *err = NULL;
	vigie_config *c = vigie_config_load(path, &err);
	g_assert_no_error(err);
	char **names = vigie_config_sections(c, "webhook");
	g_assert_cmpuint(g_strv_length(names), ==, 2);
	g_assert_cmpstr(names[0], ==, "b");
	g_assert_cmpstr(names[1], ==, "a");
	g_strfreev(names);
	names = vigie_config_sections(c, "webhoo");
	g_assert_cmpuint(g_strv_length(names), ==, 0);
	g_strfreev(names);
	g_assert_null(vigie_config_get(c, "webhook.c", "secret"));
	g_assert_null(vigie_config_get(c, "webhook.a", "nosuch"));
	vigie_config_free(c);
	g_free(path);
}

static void test_good(void)
{
	for (size_t i = 0; i < G_N_ELEMENTS(good_cases); i++) {
		const good_case *tc = &good_cases[i];
		char *path = write_conf(tc->text);
		GError *err = NULL;
		vigie_config *c = vigie_config_load(path, &err);
		g_assert_no_error(err);
		g_assert_nonnull(c);
		g_assert_cmpstr(vigie_config_get(c, tc->section, tc->key), ==, tc->expect);
		vigie_config_free(c);
		g_free(path);
	}
}

static void test_bad(void)
{
	for (size_t i = 0; i < G_N_ELEMENTS(bad_cases); i++) {
		const bad_case *tc = &bad_cases[i];
		char *path = write_conf(tc->text);
		GError *err = NULL;
		vigie_config *c = vigie_config_load(path, &err);
		g_assert_null(c);
		g_assert_error(err, VIGIE_ERROR, VIGIE_ERROR_CONFIG);
		if (!g_str_has_prefix(err->message, path) || !strstr(err->message, tc->expect))
			g_error("case %zu: error '%s' lacks '%s' or the file name", i, err->message, tc->expect);
		g_error_free(err);
		g_free(path);
	}
}

static void test_missing_file(void)
{
	GError *err = NULL;
	g_assert_null(vigie_config_load("/nonexistent/vigie.conf", &err));
	g_assert_error(err, VIGIE_ERROR, VIGIE_ERROR_CONFIG);
	g_assert_true(strstr(err->message, "/nonexistent/vigie.conf: cannot read") != NULL);
	g_error_free(err);
}

static void test_relative_paths(void)
{
	char *path = write_conf("[av]\nbundled = sigs/clamav\n");
	vigie_config *c = vigie_config_load(path, NULL);
	g_assert_nonnull(c);
	char *expect = g_build_filename(tmpdir, "sigs/clamav", NULL);
	g_assert_cmpstr(vigie_config_get(c, "av", "bundled"), ==, expect);
	g_free(expect);
	char **list = config_get_list(c, "policy", "decisive_categories");
	g_assert_cmpuint(g_strv_length(list), ==, 1);
	g_assert_cmpstr(list[0], ==, "malware");
	g_strfreev(list);
	vigie_config_free(c);
	g_free(path);
}

/* the bundled default configuration must load as it is shipped */
static void test_bundled(void)
{
	const char *src = g_getenv("VIGIE_SRCDIR");
	char *path = g_build_filename(src ? src : VIGIE_SRCDIR, "etc", "vigie.conf", NULL);
	GError *err = NULL;
	vigie_config *c = vigie_config_load(path, &err);
	g_assert_no_error(err);
	g_assert_cmpint(vigie_config_get_int(c, "channel.mail", "quarantine"), ==, 10);
	vigie_config_free(c);
	g_free(path);
}

int main(int argc, char **argv)
{
	g_test_init(&argc, &argv, NULL);
	tmpdir = g_dir_make_tmp("vigie-config-XXXXXX", NULL);
	g_test_add_func("/config/good", test_good);
	g_test_add_func("/config/bad", test_bad);
	g_test_add_func("/config/missing-file", test_missing_file);
	g_test_add_func("/config/relative-paths", test_relative_paths);
	g_test_add_func("/config/bundled", test_bundled);
	g_test_add_func("/config/sections", test_sections);
	int rc = g_test_run();
	char *cmd = g_strdup_printf("rm -rf '%s'", tmpdir);
	(void)!system(cmd);
	g_free(cmd);
	g_free(tmpdir);
	return rc;
}
