/* memory_classifier_test.c - the per-deployment classifier on both
 * backends (an LMDB folder here, a redis-server started here): decisions
 * through vigie_memory_learn as `vigie learn` and the quarantine review
 * make them, then whole scans. Each row of the table trains a number of
 * examples of each label (a customs-fee lure with a link, and an ordinary
 * delivery planning, their words varied from example to example) and then
 * checks the finding on an unseen lure and an unseen benign message: none
 * below [classifier] min_examples, above a probability on the lure and
 * below one on the benign message once past it, a weight never above
 * max_weight, and a decision given twice trained once; on Redis, a
 * decision through one engine read by another (two nodes). The rules are the
 * bundled ones, ClamAV and the word model off. */
#include "memory.h"
#include "engine.h"
#include "../store/store_test_redis.h"
#include "test_files.h"

#include <string.h>

static char *tmpdir;
static test_redis redis;

static const char *const fillers[] = { "rapidement", "aujourd'hui", "svp", "merci", "cordialement", "bien",
				       "semaine", "client", "dossier", "numero", "demain", "matin" };

/* example - the i-th generated text of a kind (0 lure, 1 benign) */
static char *example(int kind, int i)
{
	const char *a = fillers[i % G_N_ELEMENTS(fillers)], *b = fillers[(i * 7 + 3) % G_N_ELEMENTS(fillers)];
	if (kind == 0)
		return g_strdup_printf("Votre colis %d est retenu en douane %s. Reglez les frais de livraison "
				       "de 2,99 EUR %s sur https://colis-frais%d.example/payer avant sa destruction.",
				       1000 + i, a, b, i % 5);
	return g_strdup_printf("Bonjour, le planning des palettes %s pour l'entrepot %d est en piece jointe %s. "
			       "Le chauffeur passera comme prevu, merci de confirmer le quai.",
			       a, i, b);
}

static vigie_message *mail_of(const char *from, const char *text)
{
	char *raw = g_strdup_printf("From: <%s>\nTo: desk@bank.example\nSubject: info\n\n%s\n", from, text);
	GError *err = NULL;
	vigie_message *m = vigie_message_from_mime(raw, strlen(raw), NULL, &err);
	g_assert_no_error(err);
	g_free(raw);
	return m;
}

static vigie_engine *engine_for(const char *store_section, int min_examples, int max_weight)
{
	static int n;
	const char *src = g_getenv("VIGIE_SRCDIR") ? g_getenv("VIGIE_SRCDIR") : VIGIE_SRCDIR;
	char *conf = g_strdup_printf("%s/c%d.conf", tmpdir, n++);
	char *text = g_strdup_printf("[core]\nsignatures = %s/signatures\n[av]\nenabled = no\n"
				     "[intent]\nmodel_enabled = no\n[history]\nenabled = no\n"
				     "[classifier]\nmin_examples = %d\nmax_weight = %d\nbuckets = 65536\n"
				     "[store]\nenabled = yes\nkey_file = %s/test.key\n%s",
				     src, min_examples, max_weight, tmpdir, store_section);
	g_assert_true(g_file_set_contents(conf, text, -1, NULL));
	GError *err = NULL;
	vigie_engine *e = vigie_engine_load(conf, &err);
	g_assert_no_error(err);
	g_free(text);
	g_free(conf);
	return e;
}

typedef struct {
	int train;          /* examples of each label trained so far (cumulative over the rows) */
	int min_examples, max_weight;
	bool finding;       /* memory.classifier expected on the unseen lure */
	double lure_above;  /* its probability above this */
	double benign_below; /* the unseen benign message's below this */
} row;

static const row rows[] = {
	/* below the minimum: no finding, though the model already leans */
	{ 10, 50, 6, false, 0.5, 0.5 },
	{ 49, 50, 6, false, 0.5, 0.5 },
	/* past it: the lure is found, the benign message is not */
	{ 60, 50, 6, true, 0.8, 0.2 },
	/* the weight is bounded by max_weight whatever the probability */
	{ 60, 50, 2, true, 0.8, 0.2 },
	{ 60, 10, 0, false, 0.8, 0.2 },
};

/* classifier_finding - the memory.classifier finding of a scan of m, or NULL */
static const vigie_finding *classifier_finding(const vigie_verdict *v)
{
	for (guint i = 0; i < v->findings->len; i++) {
		const vigie_finding *f = g_ptr_array_index(v->findings, i);
		g_assert_cmpstr(f->rule, !=, "store.unavailable");
		if (!strcmp(f->rule, "memory.classifier"))
			return f;
	}
	return NULL;
}

static double probability(vigie_engine *e, vigie_message *m, gint64 counts[2])
{
	vigie_verdict *v = vigie_scan(e, m); /* the findings that are features */
	scan_ctx *sc = scan_ctx_new(m, e->urls);
	GError *err = NULL;
	double p = memory_classifier_probability(e, sc, v, counts, NULL, &err);
	g_assert_no_error(err);
	scan_ctx_free(sc);
	vigie_verdict_free(v);
	return p;
}

static void learn(vigie_engine *e, int kind, int i)
{
	char *t = example(kind, i);
	vigie_message *m = mail_of(kind ? "planning@logistique.example" : "service@douane-colis.example", t);
	char *id = g_strdup_printf("learn:%c%d", kind ? 'b' : 'm', i);
	GError *err = NULL;
	g_assert_true(vigie_memory_learn(e, m, kind ? VIGIE_LEARN_BENIGN : VIGIE_LEARN_MALICIOUS, id, &err));
	g_assert_no_error(err);
	g_free(id);
	vigie_message_free(m);
	g_free(t);
}

static void classifier_on(const char *store_section)
{
	int trained = 0;
	for (guint r = 0; r < G_N_ELEMENTS(rows); r++) {
		const row *t = &rows[r];
		vigie_engine *e = engine_for(store_section, t->min_examples, t->max_weight);
		for (; trained < t->train; trained++) {
			learn(e, 0, trained);
			learn(e, 1, trained);
		}
		/* unseen examples: numbers and fillers the training did not have */
		char *lt = example(0, 500 + (int)r), *bt = example(1, 500 + (int)r);
		vigie_message *lure = mail_of("info@colis-douane.example", lt);
		vigie_message *benign = mail_of("quai@logistique.example", bt);
		gint64 counts[2];
		double pl = probability(e, lure, counts);
		g_assert_cmpint(counts[0], ==, trained);
		g_assert_cmpint(counts[1], ==, trained);
		double pb = probability(e, benign, counts);
		if (g_test_verbose())
			g_printerr("row %u: %d trained, lure %.3f, benign %.3f\n", r, trained, pl, pb);
		g_assert_cmpfloat(pl, >, t->lure_above);
		g_assert_cmpfloat(pb, <, t->benign_below);

		vigie_verdict *v = vigie_scan(e, lure);
		const vigie_finding *f = classifier_finding(v);
		g_assert_true(!!f == t->finding);
		if (f) {
			g_assert_cmpint(f->weight, >=, 1);
			g_assert_cmpint(f->weight, <=, t->max_weight);
			/* the evidence quotes this message's own words */
			g_assert_nonnull(strstr(f->evidence, "strongest: \""));
			g_assert_null(strstr(f->evidence, "strongest: none"));
		}
		vigie_verdict_free(v);
		v = vigie_scan(e, benign);
		g_assert_null(classifier_finding(v));
		vigie_verdict_free(v);
		vigie_message_free(lure);
		vigie_message_free(benign);
		g_free(lt);
		g_free(bt);
		vigie_engine_unref(e);
	}
	/* a decision given again is not trained again; the other label is */
	vigie_engine *e = engine_for(store_section, 50, 6);
	learn(e, 0, 0);
	char *t = example(0, 0);
	vigie_message *m = mail_of("x@y.example", t);
	gint64 counts[2];
	probability(e, m, counts);
	g_assert_cmpint(counts[0], ==, trained);
	GError *err = NULL;
	g_assert_true(vigie_memory_learn(e, m, VIGIE_LEARN_BENIGN, "learn:m0", &err));
	g_assert_no_error(err);
	probability(e, m, counts);
	g_assert_cmpint(counts[1], ==, trained + 1);
	vigie_message_free(m);
	g_free(t);
	vigie_engine_unref(e);
}

static void test_classifier_lmdb(void)
{
	char *sec = g_strdup_printf("path = %s/lmdb\n", tmpdir);
	classifier_on(sec);
	g_free(sec);
}

static void test_classifier_redis(void)
{
	char *sec = g_strdup_printf("backend = redis\nredis_port = %d\nredis_password = pw-cl\nredis_prefix = c:\n",
				    redis.port);
	classifier_on(sec);
	/* two nodes on one Redis share one model: a decision through A is
	 * read by B at its next scan, nothing restarted */
	vigie_engine *a = engine_for(sec, 50, 6), *b = engine_for(sec, 50, 6);
	char *t = example(0, 900);
	vigie_message *m = mail_of("x@y.example", t);
	gint64 before[2], after[2];
	double pb = probability(b, m, before);
	learn(a, 0, 900);
	double pa = probability(b, m, after);
	g_assert_cmpint(after[0], ==, before[0] + 1);
	g_assert_cmpfloat(pa, >, pb);
	vigie_message_free(m);
	g_free(t);
	vigie_engine_unref(a);
	vigie_engine_unref(b);
	g_free(sec);
	/* what the server holds: bucket numbers and sums, no word, each with an expiry */
	char *keys = test_redis_cli(&redis, "--scan --pattern 'c:mc:*'");
	g_assert_nonnull(strstr(keys, "c:mc:n"));
	char *all = test_redis_cli(&redis, "--scan --pattern 'c:*'");
	g_assert_null(strstr(all, "colis"));
	g_assert_null(strstr(all, "douane"));
	char **lines = g_strsplit(keys, "\n", -1);
	guint n = 0;
	for (int i = 0; lines[i]; i++) {
		if (!*lines[i])
			continue;
		n++;
		g_assert_true(strlen(lines[i]) <= strlen("c:mc:ffff"));
		if (i < 5) {
			char *cmd = g_strdup_printf("TTL %s", lines[i]);
			char *ttl = test_redis_cli(&redis, cmd);
			g_assert_cmpint(atoi(ttl), >, 0);
			g_free(ttl);
			g_free(cmd);
		}
	}
	g_assert_cmpuint(n, <=, 65536 + 1); /* buckets bound the model */
	g_assert_cmpuint(n, >, 20);
	g_strfreev(lines);
	g_free(keys);
	g_free(all);
}

int main(int argc, char **argv)
{
	g_test_init(&argc, &argv, NULL);
	tmpdir = g_dir_make_tmp("vigie-classifier-test.XXXXXX", NULL);
	test_redis_start(&redis, tmpdir, "pw-cl");
	g_test_add_func("/classifier/lmdb", test_classifier_lmdb);
	g_test_add_func("/classifier/redis", test_classifier_redis);
	int rc = g_test_run();
	test_redis_stop(&redis);
	test_rm_tree(tmpdir);
	g_free(tmpdir);
	return rc;
}
