/* memory_test.c - the memory analyser: what a print keeps of a message
 * (table: shingles, URLs, domains, phone numbers), then campaign memory on
 * both backends (an LMDB folder here, a redis-server started here):
 * recorded, recognised, unlearned by a false positive, and a store that is
 * down (a finding, no verdict lost). */
#include "memory.h"
#include "../store/store_test_redis.h"
#include "test_files.h"

#include <json-glib/json-glib.h>

#include <string.h>

static char *tmpdir;
static test_redis redis;

static vigie_config *conf_for(const char *store_section)
{
	static int n;
	char *conf = g_strdup_printf("%s/m%d.conf", tmpdir, n++);
	char *text = g_strdup_printf("[store]\nenabled = yes\nkey_file = %s/test.key\n%s", tmpdir, store_section);
	g_assert_true(g_file_set_contents(conf, text, -1, NULL));
	GError *err = NULL;
	vigie_config *c = vigie_config_load(conf, &err);
	g_assert_no_error(err);
	g_free(text);
	g_free(conf);
	return c;
}

static vigie_message *chat(const char *text)
{
	JsonBuilder *b = json_builder_new();
	json_builder_begin_object(b);
	json_builder_set_member_name(b, "channel");
	json_builder_add_string_value(b, "chat");
	json_builder_set_member_name(b, "text");
	json_builder_add_string_value(b, text);
	json_builder_end_object(b);
	JsonGenerator *g = json_generator_new();
	JsonNode *root = json_builder_get_root(b);
	json_generator_set_root(g, root);
	gsize len;
	char *js = json_generator_to_data(g, &len);
	GError *err = NULL;
	vigie_message *m = vigie_message_from_chat_json(js, len, &err);
	g_assert_no_error(err);
	g_free(js);
	json_node_unref(root);
	g_object_unref(g);
	g_object_unref(b);
	return m;
}

/* print_of - the print of m, as a scan makes it */
static memory_print *print_of(vigie_store *s, const vigie_message *m, GError **err)
{
	scan_ctx *sc = scan_ctx_new(m, NULL);
	memory_print *p = memory_print_new(NULL, s, sc, err);
	scan_ctx_free(sc);
	return p;
}

/* settings_of - [memory] of c, as the engine reads it */
static const campaign_settings *settings_of(const vigie_config *c)
{
	static campaign_settings cs;
	memory_campaign_settings(c, &cs);
	return &cs;
}

typedef struct {
	const char *text;
	guint shingles, urls, domains, phones;
	const char *shown; /* the shown items joined by " | " */
} print_case;

static const print_case print_cases[] = {
	{ "hi there", 0, 0, 0, 0, "" },
	{ "one two three four five", 0, 0, 0, 0, "" }, /* fewer than 6 words: no sample */
	{ "one two three four five six", 3, 0, 0, 0, "" },
	{ "un deux trois quatre cinq six sept huit neuf dix onze douze treize", 8, 0, 0, 0, "" }, /* 10 shingles, 8 kept */
	/* links, addresses and numbers are not words: a copied text with another link is still a copy */
	{ "voir www.a.example ou 12h30 et x@y.example puis plus rien ici", 4, 0, 1, 0, "a.example" },
	{ "Appelez le +33 6 12 34 56 78 ou le 06.12.34.56.78", 0, 0, 0, 1, "+33 6 12 34 56 78" },
	/* glued to a word: no number, and no endless loop on "+" */
	{ "GMT+7 ou UTC+01 ou A+123456789", 0, 0, 0, 0, "" },
	{ "(01) 84-88-12-34 svp", 0, 0, 0, 1, "(01) 84-88-12-34" },
	{ "votre code 123456 ou la ref AB123456789", 0, 0, 0, 0, "" }, /* no number: too short; glued to letters */
	{ "voir https://evil.example/a/b?x=1 puis https://evil.example/a/b?x=2", 0, 1, 1, 0,
	  "https://evil.example/a/b?x=1 | evil.example" },
	{ "https://www.evil.example/ et http://sub.evil.example", 0, 0, 1, 0, "evil.example" },
};

static void test_print(void)
{
	vigie_config *c = conf_for("path = /nonexistent/store\n");
	vigie_store *s = vigie_store_open(c);
	for (guint i = 0; i < G_N_ELEMENTS(print_cases); i++) {
		const print_case *t = &print_cases[i];
		vigie_message *m = chat(t->text);
		GError *err = NULL;
		memory_print *p = print_of(s, m, &err);
		g_assert_no_error(err);
		if (g_test_verbose())
			g_printerr("%u: %u %u %u %u\n", i, p->shingles->len, p->urls->len, p->domains->len, p->phones->len);
		g_assert_cmpuint(p->shingles->len, ==, t->shingles);
		g_assert_cmpuint(p->urls->len, ==, t->urls);
		g_assert_cmpuint(p->domains->len, ==, t->domains);
		g_assert_cmpuint(p->phones->len, ==, t->phones);
		g_ptr_array_add(p->shown, NULL);
		char *shown = g_strjoinv(" | ", (char **)p->shown->pdata);
		g_ptr_array_remove_index(p->shown, p->shown->len - 1);
		g_assert_cmpstr(shown, ==, t->shown);
		/* hashes, never the values */
		for (guint j = 0; j < p->domains->len; j++)
			g_assert_cmpuint(strlen(g_ptr_array_index(p->domains, j)), ==, 32);
		g_free(shown);
		memory_print_free(p);
		vigie_message_free(m);
	}
	vigie_store_close(s);
	vigie_config_free(c);
}

static const char lure[] = "Votre compte sera suspendu sous 24h. Confirmez vos identifiants et votre mot "
			   "de passe ici : https://secure-verify.example/login?id=1 ou au 01 84 88 12 34.";
/* the same lure, another greeting, link and number: a near-duplicate */
static const char near[] = "Bonjour. Votre compte sera suspendu sous 24h. Confirmez vos identifiants et votre "
			   "mot de passe ici : https://other.example/login?id=7 ou au 01 99 99 99 99.";
static const char other[] = "Bonjour, votre commande est partie ce matin, elle arrive demain chez vous.";

/* rules - the memory findings of a scan of text, joined */
static char *rules(const vigie_config *c, vigie_store *s, const char *text, bool *ok)
{
	vigie_message *m = chat(text);
	memory_print *p = print_of(s, m, NULL);
	g_assert_nonnull(p);
	vigie_verdict *v = verdict_new(VIGIE_CHANNEL_CHAT);
	*ok = memory_campaign_scan(settings_of(c), s, p, v);
	GString *out = g_string_new(NULL);
	for (guint i = 0; i < v->findings->len; i++) {
		const vigie_finding *f = g_ptr_array_index(v->findings, i);
		g_string_append_printf(out, "%s%s=%d", out->len ? " " : "", f->rule, f->weight);
		if (g_str_has_prefix(f->rule, "memory."))
			g_assert_nonnull(strstr(f->evidence, "Q1"));
	}
	vigie_verdict_free(v);
	memory_print_free(p);
	vigie_message_free(m);
	return g_string_free(out, FALSE);
}

static void campaign_on(const char *store_section)
{
	vigie_config *c = conf_for(store_section);
	vigie_store *s = vigie_store_open(c);
	bool ok;
	char *r = rules(c, s, lure, &ok);
	g_assert_true(ok);
	g_assert_cmpstr(r, ==, "");
	g_free(r);
	vigie_message *m = chat(lure);
	memory_print *p = print_of(s, m, NULL);
	GError *err = NULL;
	g_assert_true(memory_campaign_record(settings_of(c), s, p, "Q1", &err));
	g_assert_no_error(err);
	r = rules(c, s, lure, &ok);
	g_assert_cmpstr(r, ==, "memory.campaign.text=10 memory.campaign.url=10 memory.campaign.phone=4");
	g_free(r);
	r = rules(c, s, near, &ok);
	g_assert_cmpstr(r, ==, "memory.campaign.text=10");
	g_free(r);
	r = rules(c, s, "rappelez le +33184881234", &ok);
	g_assert_cmpstr(r, ==, "memory.campaign.phone=4");
	g_free(r);
	r = rules(c, s, "https://secure-verify.example/", &ok);
	g_assert_cmpstr(r, ==, "memory.campaign.domain=4");
	g_free(r);
	r = rules(c, s, other, &ok);
	g_assert_cmpstr(r, ==, "");
	g_free(r);
	/* released as a false positive: it matches no more */
	g_assert_true(memory_campaign_benign(settings_of(c), s, p, "Q1", &err));
	r = rules(c, s, lure, &ok);
	g_assert_cmpstr(r, ==, "");
	g_free(r);
	memory_print_free(p);
	vigie_message_free(m);
	vigie_store_close(s);
	vigie_config_free(c);
}

static void test_campaign_lmdb(void)
{
	char *sec = g_strdup_printf("path = %s/lmdb\n", tmpdir);
	campaign_on(sec);
	g_free(sec);
}

static void test_campaign_redis(void)
{
	char *sec = g_strdup_printf("backend = redis\nredis_port = %d\nredis_password = pw-mem\n", redis.port);
	campaign_on(sec);
	g_free(sec);
}

/* a store that cannot be reached: one finding says so, weight 0 */
static void test_unavailable(void)
{
	int port = test_redis_free_port();
	char *sec = g_strdup_printf("backend = redis\nredis_port = %d\n", port);
	vigie_config *c = conf_for(sec);
	vigie_store *s = vigie_store_open(c);
	bool ok = true;
	char *r = rules(c, s, lure, &ok);
	g_assert_false(ok);
	g_assert_cmpstr(r, ==, "store.unavailable=0");
	g_free(r);
	vigie_store_close(s);
	vigie_config_free(c);
	g_free(sec);
}

int main(int argc, char **argv)
{
	g_test_init(&argc, &argv, NULL);
	tmpdir = g_dir_make_tmp("vigie-memory-test.XXXXXX", NULL);
	test_redis_start(&redis, tmpdir, "pw-mem");
	g_test_add_func("/memory/print", test_print);
	g_test_add_func("/memory/campaign/lmdb", test_campaign_lmdb);
	g_test_add_func("/memory/campaign/redis", test_campaign_redis);
	g_test_add_func("/memory/unavailable", test_unavailable);
	int rc = g_test_run();
	test_redis_stop(&redis);
	test_rm_tree(tmpdir);
	g_free(tmpdir);
	return rc;
}
