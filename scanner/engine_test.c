/* engine_test.c - engine build, ClamAV findings, policy, reload and swap,
 * with signature files written by the test into a scratch folder.
 */
#include "internal.h"

#include <glib/gstdio.h>
#include <string.h>
#include <sys/stat.h>

static char *tmpdir;

/* "VIGIETESTMARKER" / "RISKYMARKER" in hex, as ClamAV body signatures */
#define SIG_MALWARE "Vigie.Malware.TestMarker:0:*:5649474945544553544d41524b4552\n"
#define SIG_RISKY "Vigie.Risky.TestMarker:0:*:5249534b594d41524b4552\n"

static void write_file(const char *name, const char *text)
{
	char *path = g_build_filename(tmpdir, name, NULL);
	g_assert_true(g_file_set_contents(path, text, -1, NULL));
	g_free(path);
}

/* a config in tmpdir using tmpdir/sigs; extra appended to [av] */
static char *write_config(const char *name, const char *extra)
{
	bool sysdb = extra && strstr(extra, "system_database");
	/* every other analyser loads the project's own rule files */
	const char *src = g_getenv("VIGIE_SRCDIR") ? g_getenv("VIGIE_SRCDIR") : VIGIE_SRCDIR;
	char *text = g_strdup_printf("[core]\nsignatures = %s/signatures\n[av]\nbundled = sigs\n%s%s\n", src,
				     sysdb ? "" : "system_database = off\n", extra ? extra : "");
	write_file(name, text);
	g_free(text);
	return g_build_filename(tmpdir, name, NULL);
}

static vigie_message *mail_with_attachment(const char *name, const char *content)
{
	char *b64 = g_base64_encode((const guchar *)content, strlen(content));
	char *raw = g_strdup_printf(
		"From: x@example.org\nSubject: test\nContent-Type: multipart/mixed; boundary=B\n\n"
		"--B\nContent-Type: text/plain\n\nhello\n--B\nContent-Type: application/octet-stream\n"
		"Content-Disposition: attachment; filename=\"%s\"\nContent-Transfer-Encoding: base64\n\n%s\n--B--\n",
		name, b64);
	vigie_message *m = vigie_message_from_mime(raw, strlen(raw), NULL, NULL);
	g_free(raw);
	g_free(b64);
	return m;
}

static const vigie_finding *find_rule(const vigie_verdict *v, const char *rule)
{
	for (guint i = 0; i < v->findings->len; i++) {
		const vigie_finding *f = g_ptr_array_index(v->findings, i);
		if (!strcmp(f->rule, rule))
			return f;
	}
	return NULL;
}

typedef struct {
	const char *attachment;
	VigieAction action;
	int score;
	const char *rule; /* expected finding or NULL */
	const char *category;
	bool decisive;
} scan_case;

static const scan_case scan_cases[] = {
	{ "nothing to see", VIGIE_ACTION_RELEASE, 0, NULL, NULL, false },
	{ "xx VIGIETESTMARKER xx", VIGIE_ACTION_QUARANTINE, 100, "av.Vigie.Malware.TestMarker", "malware", true },
	{ "RISKYMARKER here", VIGIE_ACTION_TAG, 8, "av.Vigie.Risky.TestMarker", "risky-attachment", false },
	{ "RISKYMARKER and VIGIETESTMARKER", VIGIE_ACTION_QUARANTINE, 108, "av.Vigie.Risky.TestMarker", "risky-attachment", false },
	{ "VIGIETESTMARKE", VIGIE_ACTION_RELEASE, 0, NULL, NULL, false }, /* near miss */
};

static void test_scan_cases(void)
{
	/* the bare test mail has no Date, Message-ID or To: the structure
	 * analyser would report it (structure_test.c covers that); the word
	 * model would weigh its few words (intent_model_test.c) */
	char *conf = write_config("scan.conf", "[structure]\nenabled = no\n[intent]\nmodel_enabled = no\n");
	GError *err = NULL;
	vigie_engine *e = vigie_engine_load(conf, &err);
	g_assert_no_error(err);
	g_assert_cmpuint(vigie_engine_signature_count(e), ==, 2);
	g_assert_nonnull(strstr(vigie_engine_version(e), "2 bundled signatures"));
	for (size_t i = 0; i < G_N_ELEMENTS(scan_cases); i++) {
		const scan_case *tc = &scan_cases[i];
		vigie_message *m = mail_with_attachment("file.bin", tc->attachment);
		vigie_verdict *v = vigie_scan(e, m);
		g_assert_null(v->error);
		g_assert_cmpint(v->action, ==, tc->action);
		g_assert_cmpint(v->score, ==, tc->score);
		if (tc->rule) {
			const vigie_finding *f = find_rule(v, tc->rule);
			g_assert_nonnull(f);
			g_assert_cmpstr(f->category, ==, tc->category);
			g_assert_cmpint(f->decisive, ==, tc->decisive);
			g_assert_cmpstr(f->where, ==, "attachment file.bin (part 1.2)");
		} else {
			g_assert_cmpuint(v->findings->len, ==, 0);
		}
		char *json = vigie_verdict_to_json(v, "in.eml");
		g_assert_true(g_str_has_prefix(json, "{\"input\":\"in.eml\",\"channel\":\"mail\",\"action\":\""));
		g_free(json);
		vigie_verdict_free(v);
		vigie_message_free(m);
	}
	vigie_engine_unref(e);
	g_free(conf);
}

static void test_chat_channel_thresholds(void)
{
	char *conf = write_config("chat.conf", "[channel.chat]\ntag = 9\nquarantine = 200\n");
	vigie_engine *e = vigie_engine_load(conf, NULL);
	g_assert_nonnull(e);
	vigie_message *m = mail_with_attachment("r.bin", "RISKYMARKER");
	m->channel = VIGIE_CHANNEL_CHAT;
	vigie_verdict *v = vigie_scan(e, m);
	g_assert_cmpint(v->action, ==, VIGIE_ACTION_RELEASE); /* 8 < chat tag 9 */
	vigie_verdict_free(v);
	vigie_message_free(m);
	vigie_engine_unref(e);
	g_free(conf);
}

typedef struct {
	const char *file, *content;
	const char *expect; /* substrings of the error, '|' separated */
} broken_case;

static const broken_case broken_cases[] = {
	{ "bad.ndb", SIG_MALWARE "Broken.Sig:0:*:zz-not-hex\n", "bad.ndb|line 2" },
	{ "bad.ndb", "only-one-field\n", "bad.ndb|line 1" },
	{ "bad.ldb", "Vigie.X;Engine:81-255,Target:0;0&1;41414141\n", "bad.ldb" },
	{ "bad.hdb", "nothex:12:Vigie.Hash\n", "bad.hdb" },
};

static void test_broken_rules(void)
{
	char *conf = write_config("broken.conf", NULL);
	for (size_t i = 0; i < G_N_ELEMENTS(broken_cases); i++) {
		const broken_case *tc = &broken_cases[i];
		char *name = g_build_filename("sigs", tc->file, NULL);
		write_file(name, tc->content);
		GError *err = NULL;
		vigie_engine *e = vigie_engine_load(conf, &err);
		g_assert_null(e);
		g_assert_error(err, VIGIE_ERROR, VIGIE_ERROR_RULES);
		char **want = g_strsplit(tc->expect, "|", -1);
		for (char **w = want; *w; w++)
			if (!strstr(err->message, *w))
				g_error("case %zu: '%s' does not mention '%s'", i, err->message, *w);
		g_strfreev(want);
		g_error_free(err);
		char *path = g_build_filename(tmpdir, name, NULL);
		g_unlink(path);
		g_free(path);
		g_free(name);
	}
	g_free(conf);
}

static void test_bad_system_db(void)
{
	char *conf = write_config("sys.conf", "system_database = /nonexistent/clamav\n");
	GError *err = NULL;
	g_assert_null(vigie_engine_load(conf, &err));
	g_assert_error(err, VIGIE_ERROR, VIGIE_ERROR_CONFIG);
	if (!strstr(err->message, "/nonexistent/clamav"))
		g_error("unexpected: %s", err->message);
	g_error_free(err);
	g_free(conf);
}

static void test_av_disabled(void)
{
	char *conf = write_config("off.conf", "enabled = no\n");
	vigie_engine *e = vigie_engine_load(conf, NULL);
	g_assert_nonnull(e);
	g_assert_cmpuint(vigie_engine_signature_count(e), ==, 0);
	vigie_message *m = mail_with_attachment("f", "VIGIETESTMARKER");
	vigie_verdict *v = vigie_scan(e, m);
	g_assert_cmpint(v->action, ==, VIGIE_ACTION_RELEASE);
	vigie_verdict_free(v);
	vigie_message_free(m);
	vigie_engine_unref(e);
	g_free(conf);
}

/* [av] tmpdir: auto makes a private folder that scans use and the engine
 * removes; empty means none of ours; a path that is not a folder fails the
 * load naming the key */
static void test_tmpdir(void)
{
	static const struct {
		const char *value;
		bool own;	/* a folder of the engine's own (when /dev/shm exists) */
		bool loads;
	} cases[] = {
	    {"tmpdir = auto\n", true, true},
	    {"", true, true}, /* the default is auto */
	    {"tmpdir =\n", false, true},
	    {"tmpdir = /nonexistent/vigie-tmp\n", false, false},
	    {"tmpdir = relative/dir\n", false, false},
	};
	bool shm = g_file_test("/dev/shm", G_FILE_TEST_IS_DIR);
	for (size_t i = 0; i < G_N_ELEMENTS(cases); i++) {
		char *conf = write_config("tmp.conf", cases[i].value);
		GError *err = NULL;
		vigie_engine *e = vigie_engine_load(conf, &err);
		g_free(conf);
		if (!cases[i].loads) {
			g_assert_null(e);
			g_assert_nonnull(strstr(err->message, "[av] tmpdir"));
			g_error_free(err);
			continue;
		}
		g_assert_no_error(err);
		const char *t = vigie_engine_private_tmpdir(e);
		if (!cases[i].own || !shm) {
			g_assert_null(t);
			vigie_engine_unref(e);
			continue;
		}
		g_assert_nonnull(t);
		g_assert_true(g_str_has_prefix(t, "/dev/shm/vigie-clamav-"));
		GStatBuf st;
		g_assert_cmpint(g_lstat(t, &st), ==, 0);
		g_assert_true(S_ISDIR(st.st_mode));
		g_assert_cmpint(st.st_mode & 0777, ==, 0700);
		/* scans work with it (an HTML part makes libclamav write there) */
		const char *raw = "From: a@example.org\nContent-Type: text/html\n\n"
				  "<html><body><script>x=1</script><p>RISKYMARKER</p></body></html>\n";
		vigie_message *m = vigie_message_from_mime(raw, strlen(raw), NULL, NULL);
		vigie_verdict *v = vigie_scan(e, m);
		g_assert_null(v->error);
		g_assert_nonnull(find_rule(v, "av.Vigie.Risky.TestMarker"));
		vigie_verdict_free(v);
		vigie_message_free(m);
		char *keep = g_strdup(t);
		g_assert_true(g_file_test(keep, G_FILE_TEST_IS_DIR));
		vigie_engine_unref(e);
		g_assert_false(g_file_test(keep, G_FILE_TEST_EXISTS));
		g_free(keep);
	}
}

/* reload: failure keeps the old engine; success swaps; in-flight scans finish on the old one */
static void test_reload(void)
{
	char *conf = write_config("reload.conf", NULL);
	vigie_slot *slot = vigie_slot_new(vigie_engine_load(conf, NULL));
	vigie_engine *before = vigie_slot_get(slot);

	write_file("sigs/zz-broken.ndb", "not a signature\n");
	GError *err = NULL;
	g_assert_false(vigie_slot_reload(slot, conf, &err));
	g_assert_nonnull(strstr(err->message, "zz-broken.ndb"));
	g_clear_error(&err);
	vigie_engine *same = vigie_slot_get(slot);
	g_assert_true(same == before);
	vigie_engine_unref(same);

	/* a new rule: after the reload the new engine has it, the old does not */
	char *path = g_build_filename(tmpdir, "sigs/zz-broken.ndb", NULL);
	g_unlink(path);
	g_free(path);
	write_file("sigs/new.ndb", "Vigie.Malware.NewMarker:0:*:4e45574d41524b4552\n");
	g_assert_true(vigie_slot_reload(slot, conf, &err));
	g_assert_no_error(err);
	vigie_engine *after = vigie_slot_get(slot);
	g_assert_true(after != before);

	vigie_message *m = mail_with_attachment("n", "NEWMARKER");
	vigie_verdict *old_v = vigie_scan(before, m); /* the scan "in flight" on the old engine */
	vigie_verdict *new_v = vigie_scan(after, m);
	g_assert_cmpint(old_v->action, ==, VIGIE_ACTION_RELEASE);
	g_assert_cmpint(new_v->action, ==, VIGIE_ACTION_QUARANTINE);
	vigie_verdict_free(old_v);
	vigie_verdict_free(new_v);
	vigie_message_free(m);
	vigie_engine_unref(before);
	vigie_engine_unref(after);
	vigie_slot_free(slot);
	path = g_build_filename(tmpdir, "sigs/new.ndb", NULL);
	g_unlink(path);
	g_free(path);
	g_free(conf);
}

typedef struct {
	vigie_slot *slot;
	gint stop;
	gint scans;
} race;

static gpointer race_scanner(gpointer data)
{
	race *r = data;
	vigie_message *m = mail_with_attachment("m", "VIGIETESTMARKER");
	while (!g_atomic_int_get(&r->stop)) {
		vigie_engine *e = vigie_slot_get(r->slot);
		vigie_verdict *v = vigie_scan(e, m);
		g_assert_cmpint(v->action, ==, VIGIE_ACTION_QUARANTINE);
		vigie_verdict_free(v);
		vigie_engine_unref(e);
		g_atomic_int_inc(&r->scans);
	}
	vigie_message_free(m);
	return NULL;
}

/* scanning threads never see a half-built engine while reloads swap under them */
static void test_reload_under_load(void)
{
	char *conf = write_config("race.conf", NULL);
	race r = { vigie_slot_new(vigie_engine_load(conf, NULL)), 0, 0 };
	GThread *t[3];
	for (int i = 0; i < 3; i++)
		t[i] = g_thread_new("scan", race_scanner, &r);
	for (int i = 0; i < 5; i++)
		g_assert_true(vigie_slot_reload(r.slot, conf, NULL));
	g_atomic_int_set(&r.stop, 1);
	for (int i = 0; i < 3; i++)
		g_thread_join(t[i]);
	g_assert_cmpint(r.scans, >, 0);
	vigie_slot_free(r.slot);
	g_free(conf);
}

int main(int argc, char **argv)
{
	g_test_init(&argc, &argv, NULL);
	tmpdir = g_dir_make_tmp("vigie-engine-XXXXXX", NULL);
	char *sigs = g_build_filename(tmpdir, "sigs", NULL);
	g_mkdir(sigs, 0700);
	g_free(sigs);
	write_file("sigs/test.ndb", SIG_MALWARE SIG_RISKY);
	g_test_add_func("/engine/scan-cases", test_scan_cases);
	g_test_add_func("/engine/chat-thresholds", test_chat_channel_thresholds);
	g_test_add_func("/engine/broken-rules", test_broken_rules);
	g_test_add_func("/engine/bad-system-db", test_bad_system_db);
	g_test_add_func("/engine/av-disabled", test_av_disabled);
	g_test_add_func("/engine/tmpdir", test_tmpdir);
	g_test_add_func("/engine/reload", test_reload);
	g_test_add_func("/engine/reload-under-load", test_reload_under_load);
	int rc = g_test_run();
	char *cmd = g_strdup_printf("rm -rf '%s'", tmpdir);
	(void)!system(cmd);
	g_free(cmd);
	g_free(tmpdir);
	return rc;
}
