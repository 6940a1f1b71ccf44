/* quarantine_test.c - the quarantine store: layout, durability order,
 * ids, permissions, concurrent writers, failures; release tokens: bound to
 * body and recipients, single use, the key's owner */
#include "internal.h"

#include <glib/gstdio.h>
#include <json-glib/json-glib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <utime.h>

static char *tmpdir;

static vigie_message *sample(void)
{
	const char *raw = "From: a@example.org\r\nSubject: =?UTF-8?B?w6l0w6k=?=\r\n\r\nbody\r\n";
	const char *rcpt[] = { "x@cc.example", NULL };
	vigie_mail_envelope env = { "192.0.2.1", "h.example", "a@example.org", rcpt, "QID42" };
	return vigie_message_from_mime(raw, strlen(raw), &env, NULL);
}

static vigie_verdict *quarantine_verdict(void)
{
	vigie_verdict *v = verdict_new(VIGIE_CHANNEL_MAIL);
	verdict_add_finding(v, "av.Vigie.Test.EICAR", "malware", 100, "Vigie.Test.EICAR", "attachment x");
	v->action = VIGIE_ACTION_QUARANTINE;
	v->score = 100;
	return v;
}

typedef struct {
	const char *id;
	bool valid;
} id_case;

static const id_case id_cases[] = {
	{ "20261127T204800Z-0123456789abcdef", true },
	{ "20261127T204800Z-0123456789ABCDEF", false },
	{ "20261127T204800Z-0123456789abcde", false },
	{ "../../etc/passwd", false },
	{ "20261127T204800Z-0123456789abcd/f", false },
	{ "20261127T204800Z-..3456789abcdef0", false },
	{ "2026112XT204800Z-0123456789abcdef", false },
	{ "", false },
	{ "20261127T204800Z-0123456789abcdef.json", false },
};

static void test_ids(void)
{
	for (size_t i = 0; i < G_N_ELEMENTS(id_cases); i++)
		if (vigie_quarantine_valid_id(id_cases[i].id) != id_cases[i].valid)
			g_error("id '%s': want %d", id_cases[i].id, id_cases[i].valid);
	g_assert_false(vigie_quarantine_valid_id(NULL));
}

static void test_store(void)
{
	/* missing parents are created (a fresh install has no var/ yet) */
	char *dir = g_build_filename(tmpdir, "var", "q1", NULL);
	GError *err = NULL;
	vigie_quarantine *q = vigie_quarantine_open(dir, &err);
	g_assert_no_error(err);
	vigie_message *m = sample();
	vigie_verdict *v = quarantine_verdict();
	char *id = vigie_quarantine_store(q, m, v, &err);
	g_assert_no_error(err);
	g_assert_true(vigie_quarantine_valid_id(id));

	char *eml = g_strdup_printf("%s/new/%s.eml", dir, id);
	char *json = g_strdup_printf("%s/new/%s.json", dir, id);
	char *data;
	gsize len;
	g_assert_true(g_file_get_contents(eml, &data, &len, NULL));
	gsize rawlen;
	const char *raw = g_bytes_get_data(m->raw, &rawlen);
	g_assert_cmpmem(data, len, raw, rawlen); /* byte for byte */
	g_free(data);

	JsonParser *p = json_parser_new();
	g_assert_true(json_parser_load_from_file(p, json, NULL));
	JsonObject *o = json_node_get_object(json_parser_get_root(p));
	g_assert_cmpstr(json_object_get_string_member(o, "id"), ==, id);
	g_assert_cmpstr(json_object_get_string_member(o, "state"), ==, "quarantined");
	JsonObject *env = json_object_get_object_member(o, "envelope");
	g_assert_cmpstr(json_object_get_string_member(env, "queue_id"), ==, "QID42");
	g_assert_cmpstr(json_array_get_string_element(json_object_get_array_member(env, "rcpt_to"), 0), ==,
			"x@cc.example");
	JsonObject *hdr = json_object_get_object_member(o, "headers");
	g_assert_cmpstr(json_object_get_string_member(hdr, "Subject"), ==, "été");
	JsonObject *vo = json_object_get_object_member(o, "verdict");
	g_assert_cmpstr(json_object_get_string_member(vo, "action"), ==, "quarantine");
	g_object_unref(p);

	struct stat st;
	g_assert_cmpint(stat(dir, &st), ==, 0);
	g_assert_cmpint(st.st_mode & 0777, ==, 0700);
	g_assert_cmpint(stat(eml, &st), ==, 0);
	g_assert_cmpint(st.st_mode & 0777, ==, 0600);
	/* nothing left behind in tmp/ */
	char *tmp = g_build_filename(dir, "tmp", NULL);
	GDir *d = g_dir_open(tmp, 0, NULL);
	g_assert_null(g_dir_read_name(d));
	g_dir_close(d);
	g_free(tmp);
	/* the store is audited */
	char *audit = g_build_filename(dir, "audit.log", NULL);
	g_assert_true(g_file_get_contents(audit, &data, NULL, NULL));
	g_assert_nonnull(strstr(data, "\tstore\t"));
	g_assert_nonnull(strstr(data, id));
	g_free(data);
	g_free(audit);

	g_free(eml);
	g_free(json);
	g_free(id);
	vigie_verdict_free(v);
	vigie_message_free(m);
	vigie_quarantine_close(q);
	g_free(dir);
}

typedef struct {
	vigie_quarantine *q;
	GPtrArray *ids;
	GMutex lock;
} writers;

static gpointer writer(gpointer data)
{
	writers *w = data;
	vigie_message *m = sample();
	vigie_verdict *v = quarantine_verdict();
	for (int i = 0; i < 50; i++) {
		char *id = vigie_quarantine_store(w->q, m, v, NULL);
		g_assert_nonnull(id);
		g_mutex_lock(&w->lock);
		g_ptr_array_add(w->ids, id);
		g_mutex_unlock(&w->lock);
	}
	vigie_verdict_free(v);
	vigie_message_free(m);
	return NULL;
}

/* several writers at once (threads here; processes and hosts alike): unique ids */
static void test_concurrent(void)
{
	char *dir = g_build_filename(tmpdir, "q2", NULL);
	writers w = { vigie_quarantine_open(dir, NULL), g_ptr_array_new_with_free_func(g_free) };
	g_mutex_init(&w.lock);
	GThread *t[4];
	for (int i = 0; i < 4; i++)
		t[i] = g_thread_new("w", writer, &w);
	for (int i = 0; i < 4; i++)
		g_thread_join(t[i]);
	GHashTable *seen = g_hash_table_new(g_str_hash, g_str_equal);
	for (guint i = 0; i < w.ids->len; i++)
		g_assert_true(g_hash_table_add(seen, g_ptr_array_index(w.ids, i)));
	g_assert_cmpuint(g_hash_table_size(seen), ==, 200);
	g_hash_table_unref(seen);
	g_ptr_array_unref(w.ids);
	vigie_quarantine_close(w.q);
	g_free(dir);
}

/* a store that cannot complete leaves nothing and says why */
static void test_failure(void)
{
	char *dir = g_build_filename(tmpdir, "q3", NULL);
	vigie_quarantine *q = vigie_quarantine_open(dir, NULL);
	char *newdir = g_build_filename(dir, "new", NULL);
	g_assert_cmpint(g_rmdir(newdir), ==, 0);
	g_assert_true(g_file_set_contents(newdir, "not a folder", -1, NULL));
	vigie_message *m = sample();
	vigie_verdict *v = quarantine_verdict();
	GError *err = NULL;
	g_assert_null(vigie_quarantine_store(q, m, v, &err));
	g_assert_error(err, VIGIE_ERROR, VIGIE_ERROR_IO);
	g_assert_nonnull(strstr(err->message, "quarantine: cannot"));
	g_clear_error(&err);
	char *tmp = g_build_filename(dir, "tmp", NULL);
	GDir *d = g_dir_open(tmp, 0, NULL);
	g_assert_null(g_dir_read_name(d)); /* cleaned up */
	g_dir_close(d);
	g_free(tmp);
	/* opening a folder whose path is a file fails clearly */
	g_assert_null(vigie_quarantine_open(newdir, &err));
	g_assert_nonnull(strstr(err->message, "is not a folder"));
	g_error_free(err);
	vigie_verdict_free(v);
	vigie_message_free(m);
	vigie_quarantine_close(q);
	g_free(newdir);
	g_free(dir);
}

/* ---- release tokens --------------------------------------------------- */

#define REL_ID "20261127T204800Z-0123456789abcdef"
/* the item as stored (LF) and as sent: the milter sees CRLF and the token
 * header first */
static const char rel_stored[] = "From: a@example.org\nSubject: invoice\n\nline 1\nline 2\n";
static const char *const rel_rcpts[] = { "Agent@cc.example", "<boss@cc.example>", NULL };

typedef struct {
	const char *name;
	const char *body;               /* what the milter assembled, after the token header */
	const char *const *rcpts;       /* the milter's recipients */
	const char *edit;               /* replace the token's mac (or t) with this, or NULL */
	bool used_before;               /* the token was honoured once already */
	bool want;
	const char *why;                /* part of the reason when refused */
} token_case;

static const char *const r_same[] = { "<boss@cc.example>", "<agent@CC.example>", NULL };
static const char *const r_dup[] = { "<boss@cc.example>", "<agent@cc.example>", "<Agent@cc.example>", NULL };
static const char *const r_more[] = { "<boss@cc.example>", "<agent@cc.example>", "<x@evil.example>", NULL };
static const char *const r_less[] = { "<agent@cc.example>", NULL };
static const char *const r_other[] = { "<boss@cc.example>", "<agent2@cc.example>", NULL };
static const char *const r_none[] = { NULL };

#define CRLF_BODY "From: a@example.org\r\nSubject: invoice\r\n\r\nline 1\r\nline 2\r\n"
static const token_case token_cases[] = {
	{ "as sent: CRLF, recipients reordered, bracketed, other case", CRLF_BODY, r_same, NULL, false, true, NULL },
	{ "LF as stored", "From: a@example.org\nSubject: invoice\n\nline 1\nline 2\n", r_same, NULL, false, true, NULL },
	{ "trailing line ends differ", CRLF_BODY "\r\n\r\n", r_same, NULL, false, true, NULL },
	{ "a recipient given twice", CRLF_BODY, r_dup, NULL, false, true, NULL },
	{ "headers changed, body the same", "Subject: other\r\n\r\nline 1\r\nline 2\r\n", r_same, NULL, false, true, NULL },
	{ "second use", CRLF_BODY, r_same, NULL, true, false, "already used" },
	{ "other body", "From: a@example.org\r\n\r\nline 1\r\nline 2 EICAR\r\n", r_same, NULL, false, false, "not made for" },
	{ "body line moved into the headers", "From: a@example.org\r\nline 1\r\n\r\nline 2\r\n", r_same, NULL, false, false, "not made for" },
	{ "a lone CR is a line end (smtp_send sends CRLF for it)", "From: a@example.org\r\n\r\nline 1\rline 2\r\n", r_same, NULL, false, true, NULL },
	{ "a line end removed", "From: a@example.org\r\n\r\nline 1line 2\r\n", r_same, NULL, false, false, "not made for" },
	{ "an extra recipient", CRLF_BODY, r_more, NULL, false, false, "not made for" },
	{ "a recipient less", CRLF_BODY, r_less, NULL, false, false, "not made for" },
	{ "another recipient", CRLF_BODY, r_other, NULL, false, false, "not made for" },
	{ "no recipient", CRLF_BODY, r_none, NULL, false, false, "not made for" },
	{ "forged mac", CRLF_BODY, r_same, "mac=0000000000000000000000000000000000000000000000000000000000000000", false, false, "not made for" },
	{ "time moved", CRLF_BODY, r_same, "t=+1", false, false, "not made for" },
	{ "expired", CRLF_BODY, r_same, "t=-700", false, false, "expired" },
	{ "malformed", CRLF_BODY, r_same, "garbage", false, false, "malformed" },
};

/* token_edit - the token with its mac replaced, its time shifted, or garbage */
static char *token_edit(const char *token, const char *edit)
{
	if (!edit)
		return g_strdup(token);
	if (!strcmp(edit, "garbage"))
		return g_strdup_printf("%s; extra", token);
	if (g_str_has_prefix(edit, "mac=")) {
		char *mac = strstr(token, "mac=");
		return g_strdup_printf("%.*s%s", (int)(mac - token), token, edit);
	}
	gint64 t = g_ascii_strtoll(strstr(token, "t=") + 2, NULL, 10) + g_ascii_strtoll(edit + 2, NULL, 10);
	const char *after = strchr(strstr(token, "t="), ';');
	return g_strdup_printf("%s; t=%" G_GINT64_FORMAT "%s", REL_ID, t, after);
}

static vigie_quarantine *token_folder(const char *name)
{
	char *dir = g_build_filename(tmpdir, name, NULL);
	vigie_quarantine *q = vigie_quarantine_open(dir, NULL);
	g_assert_nonnull(q);
	char *rel = g_strdup_printf("%s/released/%s.eml", dir, REL_ID);
	g_assert_true(g_file_set_contents(rel, rel_stored, -1, NULL));
	g_free(rel);
	g_free(dir);
	return q;
}

static void test_tokens(void)
{
	vigie_quarantine *q = token_folder("qt");
	GError *err = NULL;
	g_assert_true(vigie_quarantine_release_key_init(q, &err));
	g_assert_no_error(err);
	GBytes *stored = g_bytes_new_static(rel_stored, strlen(rel_stored));
	for (size_t i = 0; i < G_N_ELEMENTS(token_cases); i++) {
		const token_case *tc = &token_cases[i];
		char *token = vigie_quarantine_release_token(q, REL_ID, stored, rel_rcpts, &err);
		g_assert_no_error(err);
		g_assert_false(vigie_quarantine_release_confirmed(q, token));
		GBytes *seen = g_bytes_new_static(tc->body, strlen(tc->body));
		char *id = NULL;
		const char *why = NULL;
		if (tc->used_before) {
			GBytes *first = g_bytes_new_static(CRLF_BODY, strlen(CRLF_BODY));
			g_assert_true(vigie_quarantine_release_use(q, token, first, r_same, &id, &why));
			g_bytes_unref(first);
			g_assert_cmpstr(id, ==, REL_ID);
			g_clear_pointer(&id, g_free);
		}
		char *value = token_edit(token, tc->edit);
		bool got = vigie_quarantine_release_use(q, value, seen, tc->rcpts, &id, &why);
		if (got != tc->want)
			g_error("token case '%s': got %d (%s), want %d", tc->name, got, why ? why : "-", tc->want);
		if (tc->want) {
			g_assert_cmpstr(id, ==, REL_ID);
			g_assert_null(why);
		} else if (!why || !strstr(why, tc->why)) {
			g_error("token case '%s': reason '%s', want '%s'", tc->name, why ? why : "-", tc->why);
		}
		/* the marker exists exactly when the token was honoured */
		g_assert_cmpint(vigie_quarantine_release_confirmed(q, token), ==, tc->want || tc->used_before);
		g_free(id);
		g_free(value);
		g_bytes_unref(seen);
		g_free(token);
	}

	/* the item must be being released */
	char *token = vigie_quarantine_release_token(q, REL_ID, stored, rel_rcpts, &err);
	char *rel = g_strdup_printf("%s/released/%s.eml", vigie_quarantine_dir(q), REL_ID);
	g_assert_cmpint(unlink(rel), ==, 0);
	GBytes *crlf = g_bytes_new_static(CRLF_BODY, strlen(CRLF_BODY));
	const char *why = NULL;
	g_assert_false(vigie_quarantine_release_use(q, token, crlf, r_same, NULL, &why));
	g_assert_nonnull(strstr(why, "not being released"));
	g_free(token);
	g_free(rel);

	/* purge drops markers no token can need any more, and only those */
	char *tokdir = g_build_filename(vigie_quarantine_dir(q), "tokens", NULL);
	GDir *d = g_dir_open(tokdir, 0, NULL);
	guint markers = 0;
	const char *name, *old = NULL;
	char *oldpath = NULL;
	while ((name = g_dir_read_name(d))) {
		markers++;
		if (!old) {
			old = name;
			oldpath = g_build_filename(tokdir, name, NULL);
		}
	}
	g_assert_cmpuint(markers, ==, 7); /* 6 honoured + 1 second use */
	struct utimbuf ub = { time(NULL) - 3 * 3600, time(NULL) - 3 * 3600 };
	g_assert_cmpint(utime(oldpath, &ub), ==, 0);
	vigie_quarantine_purge(q, 86400);
	g_assert_false(g_file_test(oldpath, G_FILE_TEST_EXISTS));
	g_dir_close(d);
	d = g_dir_open(tokdir, 0, NULL);
	for (markers = 0; g_dir_read_name(d); markers++)
		;
	g_dir_close(d);
	g_assert_cmpuint(markers, ==, 6);
	g_free(oldpath);
	g_free(tokdir);
	g_bytes_unref(crlf);
	g_bytes_unref(stored);
	vigie_quarantine_close(q);
}

/* the release tool never makes the key, and refuses one vigied's user
 * (the folder's owner) cannot read */
static void test_token_key(void)
{
	vigie_quarantine *q = token_folder("qk");
	GBytes *stored = g_bytes_new_static(rel_stored, strlen(rel_stored));
	GError *err = NULL;
	g_assert_null(vigie_quarantine_release_token(q, REL_ID, stored, rel_rcpts, &err));
	g_assert_nonnull(strstr(err->message, "start vigied first"));
	g_clear_error(&err);
	char *key = g_build_filename(vigie_quarantine_dir(q), "release.key", NULL);
	g_assert_false(g_file_test(key, G_FILE_TEST_EXISTS));
	/* a token made with no key is never honoured either */
	GBytes *crlf = g_bytes_new_static(CRLF_BODY, strlen(CRLF_BODY));
	const char *why = NULL;
	g_assert_false(vigie_quarantine_release_use(
		q, REL_ID "; t=1; n=00000000000000000000000000000000; mac=0000000000000000000000000000000000000000000000000000000000000000",
		crlf, r_same, NULL, &why));
	g_assert_true(vigie_quarantine_release_key_init(q, &err));
	g_assert_no_error(err);
	struct stat st;
	g_assert_cmpint(stat(key, &st), ==, 0);
	g_assert_cmpint(st.st_mode & 0777, ==, 0600);
	g_assert_cmpint(st.st_size, ==, 32);
	char *k1, *k2;
	g_assert_true(g_file_get_contents(key, &k1, NULL, NULL));
	g_assert_true(vigie_quarantine_release_key_init(q, &err)); /* kept, not replaced */
	g_assert_true(g_file_get_contents(key, &k2, NULL, NULL));
	g_assert_cmpmem(k1, 32, k2, 32);
	g_free(k1);
	g_free(k2);
	if (getuid() == 0) {
		/* vigied runs as uid 65534 (owner of the folder); a root-only key */
		g_assert_cmpint(chown(vigie_quarantine_dir(q), 65534, 65534), ==, 0);
		g_assert_null(vigie_quarantine_release_token(q, REL_ID, stored, rel_rcpts, &err));
		g_assert_nonnull(strstr(err->message, "cannot read it"));
		g_clear_error(&err);
		g_assert_cmpint(chown(key, 65534, 65534), ==, 0);
		char *token = vigie_quarantine_release_token(q, REL_ID, stored, rel_rcpts, &err);
		g_assert_no_error(err);
		g_assert_nonnull(token);
		g_free(token);
	}
	g_bytes_unref(crlf);
	g_bytes_unref(stored);
	g_free(key);
	vigie_quarantine_close(q);
}

int main(int argc, char **argv)
{
	g_test_init(&argc, &argv, NULL);
	vigie_global_init(NULL);
	tmpdir = g_dir_make_tmp("vigie-q-XXXXXX", NULL);
	g_test_add_func("/quarantine/ids", test_ids);
	g_test_add_func("/quarantine/store", test_store);
	g_test_add_func("/quarantine/concurrent", test_concurrent);
	g_test_add_func("/quarantine/failure", test_failure);
	g_test_add_func("/quarantine/tokens", test_tokens);
	g_test_add_func("/quarantine/token-key", test_token_key);
	int rc = g_test_run();
	char *cmd = g_strdup_printf("rm -rf '%s'", tmpdir);
	(void)!system(cmd);
	g_free(cmd);
	g_free(tmpdir);
	return rc;
}
