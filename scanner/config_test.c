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
	{ "[core]\nmax_parts = 9000\nmax_depth = 60\nmax_text = 16M\n", "core", "max_text", "16777216" },
	{ "[policy]\non_unscanned = release-with-finding\n", "policy", "on_unscanned", "release-with-finding" },
	{ "", "policy", "on_unscanned_executable", "quarantine" },
	{ "", "av", "heuristic_exceeds_max", "1" },
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
	{ "[core]\nlog_level = info\n", ":2: unknown key 'log_level' in [core]" },
	{ "[policy]\non_unscanned = ignore\n", "'ignore' is not one of: tag, quarantine, release-with-finding" },
	{ "[core]\nmax_parts = 0\n", "[core] max_parts: 0 is out of range" },
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

/* the MIME walk of vigie_message_from_mime (no configuration) uses the
 * [core] defaults, so that a default engine never walks a message twice */
static void test_mime_defaults(void)
{
	char *path = write_conf("");
	vigie_config *c = vigie_config_load(path, NULL);
	g_assert_nonnull(c);
	mime_limits a, b;
	mime_limits_default(&a);
	mime_limits_from_config(c, &b);
	g_assert_cmpuint(a.max_parts, ==, b.max_parts);
	g_assert_cmpuint(a.max_depth, ==, b.max_depth);
	g_assert_cmpuint(a.max_text, ==, b.max_text);
	vigie_config_free(c);
	g_free(path);
}

/* keys_read_in - add to out every "string literal" of the C files under
 * dir (recursively) that are neither config.c nor tests, table rows of
 * config.c excepted; one set per file: (file, literals) */
static void keys_read_in(const char *dir, GPtrArray *files)
{
	GDir *d = g_dir_open(dir, 0, NULL);
	const char *n;
	while (d && (n = g_dir_read_name(d))) {
		char *p = g_build_filename(dir, n, NULL);
		if (g_file_test(p, G_FILE_TEST_IS_DIR)) {
			keys_read_in(p, files);
		} else if (g_str_has_suffix(n, ".c") && !g_str_has_suffix(n, "_test.c")) {
			char *text = NULL;
			g_assert_true(g_file_get_contents(p, &text, NULL, NULL));
			if (!strcmp(n, "config.c")) {
				/* only what config.c reads itself, not its table */
				GString *reads = g_string_new(NULL);
				char **lines = g_strsplit(text, "\n", -1);
				for (int i = 0; lines[i]; i++)
					if (strstr(lines[i], "vigie_config_get") && !strstr(lines[i], ", CFG_"))
						g_string_append_printf(reads, "%s\n", lines[i]);
				g_strfreev(lines);
				g_free(text);
				text = g_string_free(reads, FALSE);
			}
			g_ptr_array_add(files, text);
		}
		g_free(p);
	}
	if (d)
		g_dir_close(d);
}

/* test_every_key_read - every key of the table is read somewhere: its
 * name as a string literal in a source file (outside the table and the
 * tests) that also names its section (a family's: "FAMILY") */
static void test_every_key_read(void)
{
	const char *src = g_getenv("VIGIE_SRCDIR") ? g_getenv("VIGIE_SRCDIR") : VIGIE_SRCDIR;
	char *config_c = g_build_filename(src, "scanner", "config.c", NULL);
	char *table = NULL;
	g_assert_true(g_file_get_contents(config_c, &table, NULL, NULL));
	GPtrArray *files = g_ptr_array_new_with_free_func(g_free);
	static const char *const dirs[] = { "scanner", "milter", "webhook", "daemon", "cli", "common", "alerts" };
	for (size_t i = 0; i < G_N_ELEMENTS(dirs); i++) {
		char *d = g_build_filename(src, dirs[i], NULL);
		keys_read_in(d, files);
		g_free(d);
	}
	GRegex *row = g_regex_new("\\{ \"([a-z.*]+)\", \"([a-z0-9_]+)\", CFG_", 0, 0, NULL);
	GMatchInfo *mi;
	guint rows = 0;
	GString *unread = g_string_new(NULL);
	g_regex_match(row, table, 0, &mi);
	while (g_match_info_matches(mi)) {
		char *section = g_match_info_fetch(mi, 1);
		char *key = g_match_info_fetch(mi, 2);
		if (g_str_has_suffix(section, ".*"))
			section[strlen(section) - 2] = '\0';
		char *qkey = g_strdup_printf("\"%s\"", key);
		char *qsec = g_strdup_printf("\"%s", section); /* "webhook" or "webhook.sales" */
		bool read = false;
		for (guint i = 0; !read && i < files->len; i++) {
			const char *t = g_ptr_array_index(files, i);
			read = strstr(t, qkey) && strstr(t, qsec);
		}
		if (!read)
			g_string_append_printf(unread, " [%s] %s", section, key);
		rows++;
		g_free(qkey);
		g_free(qsec);
		g_free(section);
		g_free(key);
		g_match_info_next(mi, NULL);
	}
	g_match_info_free(mi);
	g_regex_unref(row);
	g_assert_cmpuint(rows, >, 50);
	if (unread->len)
		g_error("keys in the table that nothing reads:%s", unread->str);
	g_string_free(unread, TRUE);
	g_ptr_array_unref(files);
	g_free(table);
	g_free(config_c);
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
	g_test_add_func("/config/mime-defaults", test_mime_defaults);
	g_test_add_func("/config/every-key-read", test_every_key_read);
	int rc = g_test_run();
	char *cmd = g_strdup_printf("rm -rf '%s'", tmpdir);
	(void)!system(cmd);
	g_free(cmd);
	g_free(tmpdir);
	return rc;
}
