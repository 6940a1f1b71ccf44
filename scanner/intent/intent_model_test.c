/* intent_model_test.c - the intent word model: its file's errors (each
 * names file and line, nothing half-loads), the features it reads (and
 * what it must not read: names, references, addresses, links), and the
 * finding's weight, bounded, on a small model written here; then the
 * bundled model loads. Texts and models are written for this test. */
#include "intent.h"
#include "test_files.h"

#include <json-glib/json-glib.h>
#include <string.h>

static char *tmpdir;

/* ---- model file errors ------------------------------------------------ */

typedef struct {
	const char *text;
	const char *error; /* after "PATH:" */
} model_case;

static const model_case model_cases[] = {
    {"", "1: empty: the first line must be \"vigie-intent-model 1\""},
    {"bias 1\n", "1: the first line must be \"vigie-intent-model 1\""},
    {"vigie-intent-model 2\n", "1: the first line must be \"vigie-intent-model 1\""},
    {"vigie-intent-model 1\nbias x\n", "2: expected: bias|scale NUMBER"},
    {"vigie-intent-model 1\nbias 1 2\n", "2: expected: bias|scale NUMBER"},
    {"vigie-intent-model 1\nscale -1\n", "2: scale must be in [0, 100]"},
    {"vigie-intent-model 1\nbias nan\n", "2: expected: bias|scale NUMBER"},
    {"vigie-intent-model 1\nterm 1.0\n", "2: expected: term WEIGHT WORD [WORD]"},
    {"vigie-intent-model 1\nterm 1.0 a b c\n", "2: expected: term WEIGHT WORD [WORD]"},
    {"vigie-intent-model 1\nterm x code\n", "2: expected: term WEIGHT WORD [WORD]"},
    {"vigie-intent-model 1\nterm 1 Code\n", "2: a term is one or two words of a-z, two letters or more"},
    {"vigie-intent-model 1\nterm 1 c\n", "2: a term is one or two words of a-z, two letters or more"},
    {"vigie-intent-model 1\nterm 1 co2\n", "2: a term is one or two words of a-z, two letters or more"},
    {"vigie-intent-model 1\nterm 1 code\n\nterm 2 code\n", "4: term given twice"},
    {"vigie-intent-model 1\nweight 1 code\n", "2: unknown line \"weight\" (expected bias, scale or term)"},
    {"vigie-intent-model 1\nterm 1 code\0\n", "1: a NUL byte: not a text file"},
};

static void test_model_errors(void)
{
	for (size_t i = 0; i < G_N_ELEMENTS(model_cases); i++) {
		char *path = g_strdup_printf("%s/bad%zu.model", tmpdir, i);
		const char *t = model_cases[i].text;
		/* the NUL case: its bytes up to the final newline */
		gsize len = strlen(t);
		if (strstr(model_cases[i].error, "NUL"))
			len += 2;
		g_assert_true(g_file_set_contents(path, t, (gssize)len, NULL));
		GError *err = NULL;
		intent_model *im = intent_model_load(path, &err);
		g_assert_null(im);
		g_assert_nonnull(err);
		char *want = g_strdup_printf("%s:%s", path, model_cases[i].error);
		if (strcmp(err->message, want) != 0)
			g_test_message("case %zu: got '%s', want '%s'", i, err->message, want);
		g_assert_cmpstr(err->message, ==, want);
		g_free(want);
		g_error_free(err);
		g_free(path);
	}
	GError *err = NULL;
	g_assert_null(intent_model_load("/nonexistent/chat.model", &err));
	g_assert_nonnull(strstr(err->message, "[intent] model"));
	g_error_free(err);
}

/* ---- features ----------------------------------------------------------- */

static vigie_message *chat(const char *text)
{
	JsonBuilder *b = json_builder_new();
	json_builder_begin_object(b);
	json_builder_set_member_name(b, "text");
	json_builder_add_string_value(b, text);
	json_builder_end_object(b);
	JsonNode *root = json_builder_get_root(b);
	char *json = json_to_string(root, FALSE);
	GError *err = NULL;
	vigie_message *m = vigie_message_from_chat_json(json, strlen(json), &err);
	g_assert_no_error(err);
	g_free(json);
	json_node_unref(root);
	g_object_unref(b);
	return m;
}

typedef struct {
	const char *text;
	const char *present; /* "|"-separated features that must be read */
	const char *absent;  /* and those that must not */
} feature_case;

static const feature_case feature_cases[] = {
    /* words and neighbouring pairs, accents folded, lower case */
    {"Envoyez-moi le code reçu.", "envoyez|moi|envoyez moi|le code|code recu", "recu."},
    /* a pair never spans a sentence end */
    {"Send the code. Today please", "send the|the code|today please", "code today"},
    /* a name inside a sentence, and the same word elsewhere in the message */
    {"Hello, this is Martin from support. Martin needs your code", "hello|this is|from support|your code",
     "martin|is martin|martin from|martin needs"},
    /* two capitalised words at the start of a line: a name too */
    {"Claire Dubois\nPlease wire the funds", "please|wire the|the funds", "claire|dubois|claire dubois"},
    /* a capital after a sentence end is not a name; all capitals are words */
    {"Merci. Veuillez payer. URGENT IBAN", "veuillez|veuillez payer|urgent|iban|urgent iban", ""},
    /* references, amounts, addresses, links and domain names are not read */
    {"Ref HZ-2024-118 of 480EUR to pay@example.org via https://pay.example.net/x or bank-secure.com now",
     "ref|of|to|via|or|now", "hz|eur|pay|example|org|https|net|bank|secure|com"},
    /* a hyphen inside a name is not a bullet */
    {"ask Jean-Pierre today", "ask|today", "pierre|jean"},
    /* one-letter words are breaks */
    {"j'ai un code", "ai|ai un|un code", "j|j ai"},
};

static void test_features(void)
{
	for (size_t i = 0; i < G_N_ELEMENTS(feature_cases); i++) {
		const feature_case *c = &feature_cases[i];
		vigie_message *m = chat(c->text);
		GPtrArray *f = intent_model_features(m, 65536);
		GHashTable *set = g_hash_table_new(g_str_hash, g_str_equal);
		for (guint k = 0; k < f->len; k++)
			g_hash_table_add(set, g_ptr_array_index(f, k));
		char **want = g_strsplit(c->present, "|", -1);
		for (char **w = want; *w; w++) {
			if (**w && !g_hash_table_contains(set, *w))
				g_test_message("case %zu: '%s' missing", i, *w);
			g_assert_true(!**w || g_hash_table_contains(set, *w));
		}
		g_strfreev(want);
		char **not = g_strsplit(c->absent, "|", -1);
		for (char **w = not; *w; w++) {
			if (**w && g_hash_table_contains(set, *w))
				g_test_message("case %zu: '%s' read", i, *w);
			g_assert_false(**w && g_hash_table_contains(set, *w));
		}
		g_strfreev(not);
		/* sorted, distinct */
		for (guint k = 1; k < f->len; k++)
			g_assert_cmpint(strcmp(g_ptr_array_index(f, k - 1), g_ptr_array_index(f, k)), <, 0);
		g_hash_table_unref(set);
		g_ptr_array_unref(f);
		vigie_message_free(m);
	}
}

/* ---- scoring ------------------------------------------------------------ */

typedef struct {
	const char *text;
	int max, min;
	int want; /* weight of intent.model, 0: no finding */
	const char *evidence; /* a part of the evidence, or NULL */
} score_case;

/* logit = bias + sum / sqrt(features): "send code" has 3 features
 * (send, code, send code): (3 + 3 + 3) / sqrt(3) - 1 = 4.196; x2 = 8.4 */
static const char model_text_src[] = "vigie-intent-model 1\n"
				     "# a model written for this test\n"
				     "bias -1\n"
				     "scale 2\n"
				     "term 3 send\n"
				     "term 3 code\n"
				     "term 3 send code\n"
				     "term -3 my\n"
				     "term -3 own\n"
				     "term -3 my own\n";

static const score_case score_cases[] = {
    {"send code", 10, -10, 8, "\"send code\" +3.00"},
    {"send code", 3, -3, 3, "worded like the malicious messages"},
    {"my own", 10, -3, -3, "worded like the benign messages"},
    {"my own", 10, 0, 0, NULL},
    /* nothing the model knows: the bias alone, -1 x 2 */
    {"hello there", 10, -10, -2, NULL},
    {"hello there", 10, -1, -1, NULL},
    {"", 10, -10, 0, NULL},
};

static void test_score(void)
{
	char *path = g_build_filename(tmpdir, "t.model", NULL);
	g_assert_true(g_file_set_contents(path, model_text_src, -1, NULL));
	GError *err = NULL;
	intent_model *im = intent_model_load(path, &err);
	g_assert_no_error(err);
	g_assert_cmpuint(intent_model_size(im), ==, 6);
	for (size_t i = 0; i < G_N_ELEMENTS(score_cases); i++) {
		const score_case *c = &score_cases[i];
		vigie_message *m = chat(c->text);
		vigie_verdict *v = verdict_new(VIGIE_CHANNEL_CHAT);
		scan_ctx *sc = scan_ctx_new(m, NULL);
		intent_model_scan(im, sc, 65536, c->max, c->min, v);
		scan_ctx_free(sc);
		const vigie_finding *f = NULL;
		for (guint k = 0; k < v->findings->len; k++)
			if (!strcmp(((vigie_finding *)g_ptr_array_index(v->findings, k))->rule, "intent.model"))
				f = g_ptr_array_index(v->findings, k);
		if (!c->want) {
			g_assert_null(f);
		} else {
			g_assert_nonnull(f);
			g_test_message("case %zu: %d %s", i, f->weight, f->evidence);
			g_assert_cmpint(f->weight, ==, c->want);
			if (c->evidence)
				g_assert_nonnull(strstr(f->evidence, c->evidence));
		}
		vigie_verdict_free(v);
		vigie_message_free(m);
	}
	/* as the scan applies it: only where another finding weighs */
	intent_engine ie = {0};
	ie.model_chat = im;
	ie.max_bytes = 65536;
	ie.model_max = 3;
	ie.model_min = -3;
	for (int found = 0; found < 2; found++) {
		vigie_message *m = chat("send code");
		vigie_verdict *v = verdict_new(VIGIE_CHANNEL_CHAT);
		if (found)
			verdict_add_finding(v, "lexicon.test", "test", 1, "x", "message");
		scan_ctx *sc = scan_ctx_new(m, NULL);
		intent_model_apply(&ie, sc, v);
		scan_ctx_free(sc);
		guint want = found ? 2 : 0;
		g_assert_cmpuint(v->findings->len, ==, want);
		g_assert_true(v->model_gate == (found != 0));
		if (found)
			g_assert_cmpstr(((vigie_finding *)g_ptr_array_index(v->findings, 1))->rule, ==, "intent.model");
		vigie_verdict_free(v);
		vigie_message_free(m);
	}
	/* the model off: the gate is still judged, for vigie eval --features */
	ie.model_chat = NULL;
	{
		vigie_message *m = chat("send code");
		vigie_verdict *v = verdict_new(VIGIE_CHANNEL_CHAT);
		verdict_add_finding(v, "lexicon.test", "test", 1, "x", "message");
		scan_ctx *sc = scan_ctx_new(m, NULL);
		intent_model_apply(&ie, sc, v);
		scan_ctx_free(sc);
		g_assert_true(v->model_gate);
		g_assert_cmpuint(v->findings->len, ==, 1);
		vigie_verdict_free(v);
		vigie_message_free(m);
	}
	intent_model_free(im);
	g_free(path);
}

/* the bundled model loads, reads a plain ask for a code as malicious and
 * a customer's question about their own contract as benign */
static int bundled_weight(const intent_model *im, const char *text)
{
	vigie_message *m = chat(text);
	vigie_verdict *v = verdict_new(VIGIE_CHANNEL_CHAT);
	scan_ctx *sc = scan_ctx_new(m, NULL);
	intent_model_scan(im, sc, 65536, 100, -100, v);
	scan_ctx_free(sc);
	int w = 0;
	for (guint k = 0; k < v->findings->len; k++)
		if (!strcmp(((vigie_finding *)g_ptr_array_index(v->findings, k))->rule, "intent.model"))
			w = ((vigie_finding *)g_ptr_array_index(v->findings, k))->weight;
	vigie_verdict_free(v);
	vigie_message_free(m);
	return w;
}

static void test_bundled(void)
{
	char *path = g_build_filename(g_getenv("VIGIE_SRCDIR"), "signatures", "intent", "chat.model", NULL);
	GError *err = NULL;
	intent_model *im = intent_model_load(path, &err);
	g_assert_no_error(err);
	g_assert_cmpuint(intent_model_size(im), >, 100);
	g_assert_cmpint(bundled_weight(im, "Send me the code you just received before noon today, your access is "
					   "blocked until then"), >, 0);
	g_assert_cmpint(bundled_weight(im, "Bonjour, je voudrais savoir comment modifier mon adresse sur mon "
					   "contrat habitation, merci et bonne journée"), <, 0);
	intent_model_free(im);
	g_free(path);
}

int main(int argc, char **argv)
{
	g_test_init(&argc, &argv, NULL);
	g_assert_nonnull(g_getenv("VIGIE_SRCDIR"));
	tmpdir = g_dir_make_tmp("vigie-intent-model-XXXXXX", NULL);
	g_test_add_func("/intent-model/errors", test_model_errors);
	g_test_add_func("/intent-model/features", test_features);
	g_test_add_func("/intent-model/score", test_score);
	g_test_add_func("/intent-model/bundled", test_bundled);
	int rc = g_test_run();
	test_rm_tree(tmpdir);
	g_free(tmpdir);
	return rc;
}
