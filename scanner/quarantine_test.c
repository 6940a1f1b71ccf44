/* quarantine_test.c - the quarantine store: layout, durability order,
 * ids, permissions, concurrent writers, failures */
#include "internal.h"

#include <glib/gstdio.h>
#include <json-glib/json-glib.h>
#include <string.h>
#include <sys/stat.h>

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

int main(int argc, char **argv)
{
	g_test_init(&argc, &argv, NULL);
	vigie_global_init(NULL);
	tmpdir = g_dir_make_tmp("vigie-q-XXXXXX", NULL);
	g_test_add_func("/quarantine/ids", test_ids);
	g_test_add_func("/quarantine/store", test_store);
	g_test_add_func("/quarantine/concurrent", test_concurrent);
	g_test_add_func("/quarantine/failure", test_failure);
	int rc = g_test_run();
	char *cmd = g_strdup_printf("rm -rf '%s'", tmpdir);
	(void)!system(cmd);
	g_free(cmd);
	g_free(tmpdir);
	return rc;
}
