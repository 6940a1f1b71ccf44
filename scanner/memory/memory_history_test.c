/* memory_history_test.c - sender history through whole scans, on both
 * backends (an LMDB folder here, a redis-server started here): first
 * contact alone and with a secret request, a new address at a known
 * domain, a clean record lowering topic findings only when the From domain
 * is authenticated, a confirmed sender losing its record, a quarantined
 * message not counting as clean until released, chat authors, free-mail
 * domains, speakers that are the organisation, read-only scans; and the
 * store holding no address in clear. The rules are the bundled ones, with
 * ClamAV and the word model off (their weights are not what is tested). */
#include "memory.h"
#include "engine.h"
#include "../store/store_test_redis.h"
#include "test_files.h"

#include <string.h>

static char *tmpdir;
static test_redis redis;

static vigie_engine *engine_for(const char *store_section, bool read_only)
{
	static int n;
	const char *src = g_getenv("VIGIE_SRCDIR") ? g_getenv("VIGIE_SRCDIR") : VIGIE_SRCDIR;
	char *conf = g_strdup_printf("%s/h%d.conf", tmpdir, n++);
	char *text = g_strdup_printf("[core]\nsignatures = %s/signatures\n[av]\nenabled = no\n"
				     "[intent]\nmodel_enabled = no\n[history]\nclean_history = 2\n"
				     "[store]\nenabled = yes\nkey_file = %s/test.key\n%s",
				     src, tmpdir, store_section);
	g_assert_true(g_file_set_contents(conf, text, -1, NULL));
	GError *err = NULL;
	vigie_engine *e = vigie_engine_load(conf, &err);
	g_assert_no_error(err);
	if (read_only)
		vigie_engine_read_only_scans(e);
	g_free(text);
	g_free(conf);
	return e;
}

typedef enum { SCAN, CONFIRM, RELEASE } step_kind;
typedef struct {
	step_kind what;
	const char *from;   /* mail: the From address; chat: "chat:AUTHOR" or "out:AUTHOR" (outbound) */
	bool auth;          /* mail: our MTA's Authentication-Results say dmarc=pass */
	const char *text;
	const char *expect; /* SCAN: the sender.* findings, "rule=weight" joined by blanks */
} step;

static const char neutral[] = "Bonjour, voici le planning de la semaine prochaine pour la livraison des palettes.";
static const char topic[] = "URGENT : merci de traiter cette demande aujourd'hui, c'est tres urgent.";
static const char code[] = "Pouvez-vous me communiquer le code que vous venez de recevoir par SMS ?";
static const char lure[] = "Votre compte sera suspendu sous 24h. Confirmez vos identifiants et votre mot de passe "
			   "ici : https://secure-verify.example/login?id=1";

static const step steps[] = {
	{ SCAN, "alice@supplier.example", true, neutral, "sender.first-contact=0" },
	{ SCAN, "Alice@Supplier.example", true, neutral, "" }, /* the same address */
	/* two clean messages before: the urgency finding (+1) keeps half, rounded up */
	{ SCAN, "alice@supplier.example", true, neutral, "sender.clean-history=0" },
	{ SCAN, "alice@supplier.example", true, topic, "sender.clean-history=-1" },
	/* a From our MTA did not authenticate borrows no record */
	{ SCAN, "alice@supplier.example", false, topic, "" },
	/* a new address at a known domain; a first contact that asks for a code */
	{ SCAN, "bob@supplier.example", true, neutral, "sender.new-address=0" },
	{ SCAN, "carl@supplier.example", true, code, "sender.new-address=2" },
	{ SCAN, "mallory@fraud.example", false, code, "sender.first-contact=5" },
	{ SCAN, "mallory@fraud.example", false, code, "" },
	/* confirmed malicious: no clean record any more */
	{ CONFIRM, "alice@supplier.example", true, topic, NULL },
	{ SCAN, "alice@supplier.example", true, topic, "" },
	/* quarantined messages are not clean ones until released */
	{ SCAN, "carol@shop.example", true, lure, "sender.first-contact=5" },
	{ SCAN, "carol@shop.example", true, lure, "" },
	{ SCAN, "carol@shop.example", true, neutral, "" },
	/* released: seen 3, quarantined 1, two clean (without the release, one) */
	{ RELEASE, "carol@shop.example", true, lure, NULL },
	{ SCAN, "carol@shop.example", true, neutral, "sender.clean-history=0" },
	/* free mail: the domain is nobody's identity */
	{ SCAN, "dave@gmail.com", false, neutral, "sender.first-contact=0" },
	{ SCAN, "erin@gmail.com", false, neutral, "sender.first-contact=0" },
	/* chat: the author on its platform; the organisation's agents have no history */
	{ SCAN, "chat:u-77", false, neutral, "sender.first-contact=0" },
	{ SCAN, "chat:u-77", false, code, "" },
	{ SCAN, "out:agent-1", false, code, "" },
	{ SCAN, "out:agent-1", false, neutral, "" },
	{ SCAN, "chat:agent-1", false, neutral, "sender.first-contact=0" },
};

static vigie_message *message_for(const step *t)
{
	GError *err = NULL;
	vigie_message *m;
	if (g_str_has_prefix(t->from, "chat:") || g_str_has_prefix(t->from, "out:")) {
		bool out = t->from[0] == 'o';
		char *js = g_strdup_printf("{\"channel\":\"chat\",\"platform\":\"p1\",\"direction\":\"%s\","
					   "\"author\":{\"id\":\"%s\",\"name\":\"N\"},\"text\":\"%s\"}",
					   out ? "outbound" : "inbound", strchr(t->from, ':') + 1, t->text);
		m = vigie_message_from_chat_json(js, strlen(js), &err);
		g_free(js);
	} else {
		const char *at = strchr(t->from, '@');
		char *ar = t->auth ? g_strdup_printf("Authentication-Results: mx.bank.example; dmarc=pass "
						     "header.from=%s\n", at + 1)
				   : g_strdup("");
		char *raw = g_strdup_printf("%sFrom: Someone <%s>\nTo: desk@bank.example\nSubject: info\n\n%s\n", ar,
					    t->from, t->text);
		m = vigie_message_from_mime(raw, strlen(raw), NULL, &err);
		g_free(raw);
		g_free(ar);
	}
	g_assert_no_error(err);
	return m;
}

/* history_rules - the sender.* findings of v */
static char *history_rules(const vigie_verdict *v)
{
	GString *out = g_string_new(NULL);
	for (guint i = 0; i < v->findings->len; i++) {
		const vigie_finding *f = g_ptr_array_index(v->findings, i);
		if (!strcmp(f->category, "sender-history"))
			g_string_append_printf(out, "%s%s=%d", out->len ? " " : "", f->rule, f->weight);
		g_assert_cmpstr(f->rule, !=, "store.unavailable");
	}
	return g_string_free(out, FALSE);
}

static void history_on(const char *store_section)
{
	vigie_engine *e = engine_for(store_section, false);
	for (guint i = 0; i < G_N_ELEMENTS(steps); i++) {
		const step *t = &steps[i];
		vigie_message *m = message_for(t);
		if (t->what != SCAN) {
			GError *err = NULL;
			g_assert_true(vigie_memory_learn(e, m, t->what == CONFIRM ? VIGIE_LEARN_MALICIOUS : VIGIE_LEARN_BENIGN,
							 "20261202T000000-q1", &err));
			g_assert_no_error(err);
			vigie_message_free(m);
			continue;
		}
		vigie_verdict *v = vigie_scan(e, m);
		char *got = history_rules(v);
		if (g_test_verbose())
			g_printerr("step %u: %s (%s)\n", i, got, vigie_action_name(v->action));
		g_assert_cmpstr(got, ==, t->expect);
		g_free(got);
		vigie_verdict_free(v);
		vigie_message_free(m);
	}
	/* a read-only engine on the same store: its scans count nobody */
	vigie_engine *ro = engine_for(store_section, true);
	for (int i = 0; i < 2; i++) {
		step t = { SCAN, "frank@elsewhere.example", false, neutral, NULL };
		vigie_message *m = message_for(&t);
		vigie_verdict *v = vigie_scan(ro, m);
		char *got = history_rules(v);
		g_assert_cmpstr(got, ==, "sender.first-contact=0");
		g_free(got);
		vigie_verdict_free(v);
		vigie_message_free(m);
	}
	vigie_engine_unref(ro);
	vigie_engine_unref(e);
}

static void test_history_lmdb(void)
{
	char *sec = g_strdup_printf("path = %s/lmdb\n", tmpdir);
	history_on(sec);
	g_free(sec);
}

static void test_history_redis(void)
{
	char *sec = g_strdup_printf("backend = redis\nredis_port = %d\nredis_password = pw-hist\nredis_prefix = h:\n",
				    redis.port);
	history_on(sec);
	g_free(sec);
	/* what the server holds: hashes and counts, each with an expiry */
	char *keys = test_redis_cli(&redis, "--scan --pattern 'h:*'");
	g_assert_nonnull(strstr(keys, "h:hs:"));
	g_assert_null(strstr(keys, "alice"));
	g_assert_null(strstr(keys, "supplier"));
	char **lines = g_strsplit(keys, "\n", -1);
	for (int i = 0; lines[i]; i++) {
		if (!*lines[i])
			continue;
		char *cmd = g_strdup_printf("TTL %s", lines[i]);
		char *ttl = test_redis_cli(&redis, cmd);
		g_assert_cmpint(atoi(ttl), >, 0);
		g_free(ttl);
		g_free(cmd);
	}
	g_strfreev(lines);
	g_free(keys);
}

int main(int argc, char **argv)
{
	g_test_init(&argc, &argv, NULL);
	tmpdir = g_dir_make_tmp("vigie-history-test.XXXXXX", NULL);
	test_redis_start(&redis, tmpdir, "pw-hist");
	g_test_add_func("/history/lmdb", test_history_lmdb);
	g_test_add_func("/history/redis", test_history_redis);
	int rc = g_test_run();
	test_redis_stop(&redis);
	test_rm_tree(tmpdir);
	g_free(tmpdir);
	return rc;
}
