/* lexicon_prefilter_test.c - the lexicon's literal prefilter: the factors
 * proved for each kind of pattern (lexicon_literal.c), and that a scan
 * with the prefilter finds exactly what every program run on every text
 * finds (same categories, weights and evidence): on texts made to catch
 * the search order (overlapping matches of rules of one program, a
 * heavier rule inside a lighter one's match, more candidates than are
 * searched rule by rule, a long text), and on every bundled rule's own
 * words. Built with -Dlexicon_prefilter=false both sides are PCRE2 alone
 * and the comparisons still hold. */
#include "lexicon.h"

#include <glib/gstdio.h>
#include <string.h>

static char *tmpdir;

/* ---- literal factors -------------------------------------------------- */

typedef struct {
	const char *pattern;
	const char *literals; /* joined by "|", in the order found; NULL: none */
} literal_case;

static const literal_case literal_cases[] = {
    {"\\burgent\\b", "urgent"},
    {"\\bsuspend\\w*", "suspend"},
    /* the longest (up to LEX_LEN_ENOUGH), then the fewest strings */
    {"\\b(?:click|tap) here\\b", " here"},
    {"\\b(?:account|compte) (?:suspended|suspendu)\\b", "account|compte"},
    /* the longest literal word of a sequence */
    {"\\bne\\b\\W+(?:\\w+\\W+){0,2}?jamais\\b", "jamais"},
    /* a short class expands, an optional part proves nothing */
    {"\\bauthori[sz]e\\b", "authori"},
    {"\\bgift cards?\\b", "gift card"},
    {"colou?r", "colo"},
    /* escapes: punctuation is itself, \d and . are not literals */
    {"\\bt\\&cs\\b", "t&cs"},
    {"\\bcall\\W+0[89]\\d{8}\\b", "call"},
    {"etes.vous", "etes"},
    /* a fixed repeat of a literal */
    {"(?:ab){2}c", "abab"}, /* as long as LEX_LEN_ENOUGH: long enough */
    /* lookarounds consume nothing */
    {"(?<![\\w.])code(?=\\s)", "code"},
    /* a branch with no literal: nothing for the whole */
    {"\\burgent\\b|\\d{6}", NULL},
    {"[$\xc2\xa3\xe2\x82\xac] ?\\d", NULL},
    {"\\b\\d+ ?p\\b", NULL},
    /* too short to be worth it */
    {"\\bok\\b", NULL},
    /* syntax not followed: the rule always runs */
    {"(?i)urgent", NULL},
    {"\\Qurgent\\E", NULL},
    /* upper case in a pattern: the text is lower case */
    {"URGENT", "urgent"},
};

static void test_literals(void)
{
	for (size_t i = 0; i < G_N_ELEMENTS(literal_cases); i++) {
		const literal_case *lc = &literal_cases[i];
		char **v = lexicon_literals(lc->pattern);
		char *got = v ? g_strjoinv("|", v) : NULL;
		if (g_strcmp0(got, lc->literals))
			g_test_message("case %zu: %s: got %s, want %s", i, lc->pattern,
				       got ? got : "(none)",
				       lc->literals ? lc->literals : "(none)");
		g_assert_cmpstr(got, ==, lc->literals);
		g_free(got);
		g_strfreev(v);
	}
}

/* every set of lexicon_clauses, joined by "|", sets joined by " & " */
typedef struct {
	const char *pattern;
	const char *clauses; /* NULL: none */
} clause_case;

static const clause_case clause_cases[] = {
    /* one sequence: the best set first (the earliest of equal ones),
     * then the best of the items it does not span */
    {"\\b(?:our|new)\\b\\W+(?:\\w+\\W+){0,2}?(?:iban|rib)\\b", "our|new & iban|rib"},
    {"\\bsomeone\\b\\W+(?:\\w+\\W+){0,6}?(?:likes|loves)\\b", "someone & likes|loves"},
    /* alternatives at the top: their union, one set */
    {"\\bwire transfer\\b|\\bbank (?:iban|rib)\\b", "wire transfer|bank "},
    /* the whole pattern's strings: one set */
    {"\\bgift cards?\\b", "gift card"},
    /* an optional item proves nothing, the words around it do */
    {"\\burgent\\b(?: reply)? to\\b", "urgent &  to"},
    /* at most LEX_CLAUSES_MAX sets */
    {"alpha\\W+bravo\\W+charlie\\W+delta\\W+echo", "alpha & bravo & charlie & delta"},
    {"\\Qurgent\\E", NULL},
};

static void test_clauses(void)
{
	for (size_t i = 0; i < G_N_ELEMENTS(clause_cases); i++) {
		const clause_case *cc = &clause_cases[i];
		GPtrArray *cl = lexicon_clauses(cc->pattern);
		GString *got = g_string_new(NULL);
		for (guint k = 0; cl && k < cl->len; k++) {
			char *j = g_strjoinv("|", g_ptr_array_index(cl, k));
			g_string_append_printf(got, "%s%s", k ? " & " : "", j);
			g_free(j);
		}
		if (g_strcmp0(cl ? got->str : NULL, cc->clauses))
			g_test_message("case %zu: %s: got %s", i, cc->pattern, got->str);
		g_assert_cmpstr(cl ? got->str : NULL, ==, cc->clauses);
		/* the first set is lexicon_literals' */
		char **v = lexicon_literals(cc->pattern);
		if (cl) {
			char *a = g_strjoinv("|", v), *b = g_strjoinv("|", g_ptr_array_index(cl, 0));
			g_assert_cmpstr(a, ==, b);
			g_free(a);
			g_free(b);
		} else {
			g_assert_null(v);
		}
		g_strfreev(v);
		g_string_free(got, TRUE);
		if (cl)
			g_ptr_array_unref(cl);
	}
}

/* ---- the same findings with and without the prefilter ----------------- */

static vigie_config *config_for(void)
{
	char *conf = g_build_filename(tmpdir, "v.conf", NULL);
	g_assert_true(g_file_set_contents(conf, "[lexicon]\nshort_text = 60\n", -1, NULL));
	vigie_config *c = vigie_config_load(conf, NULL);
	g_assert_nonnull(c);
	g_free(conf);
	return c;
}

/* findings of l on text as "rule=weight[evidence]" joined by spaces */
static char *summary(const lexicon_engine *l, const vigie_config *c, const char *text)
{
	vigie_message *m = message_new(VIGIE_CHANNEL_CHAT);
	message_add_text(m, VIGIE_TEXT_CHAT, g_strdup(text), NULL, "text");
	vigie_verdict *v = verdict_new(m->channel);
	scan_ctx *sc = scan_ctx_new(m, NULL);
	g_assert_true(lexicon_scan(l, sc, (gsize)vigie_config_get_int(c, "lexicon", "short_text"), v, NULL));
	scan_ctx_free(sc);
	GString *s = g_string_new(NULL);
	for (guint i = 0; i < v->findings->len; i++) {
		vigie_finding *f = g_ptr_array_index(v->findings, i);
		g_string_append_printf(s, "%s%s=%d[%s]", s->len ? " " : "", f->rule, f->weight,
				       f->evidence);
	}
	vigie_verdict_free(v);
	vigie_message_free(m);
	return g_string_free(s, FALSE);
}

typedef struct {
	const char *text;
	const char *want; /* the findings, with the prefilter and without */
} same_case;

/* rules of one category whose matches overlap: the program's search
 * takes the leftmost match, the first rule among those starting there,
 * and goes on from its end, so a heavier rule that begins inside a
 * lighter one's match is not seen */
static const char *const overlap_rules =
    "urgency 3 en action required\n"
    "urgency 1 en urgent action\n"
    "urgency 2 en re:\\bimmediately\\b\n"
    "urgency 1 en re:\\bnow\\b|\\d{4}\n" /* no literal: always runs */
    "money 2 en re:\\bpay(?:ment)?\\b\n"
    "money 1 en re:\\bpayment due\\b\n"
    /* more candidates than are searched rule by rule */
    "many 1 en alpha\nmany 1 en bravo\nmany 1 en charlie\nmany 1 en delta\n"
    "many 1 en echo\nmany 1 en foxtrot\nmany 1 en golf\nmany 1 en hotel\n"
    "many 1 en india\nmany 1 en juliet\nmany 1 en kilo\nmany 1 en lima\n"
    "many 1 en mike\nmany 2 en re:\\bnovember\\b\n";

static const same_case same_cases[] = {
    /* "urgent action" (1) is found first and hides "action required" (3) */
    {"urgent action required", "lexicon.urgency=1[urgent action]"},
    {"action required, urgent action", "lexicon.urgency=3[action required]"},
    {"nothing to see", ""},
    {"now", "lexicon.urgency=1[now]"},
    {"call 1234 now, immediately", "lexicon.urgency=2[immediately]"},
    /* the first rule of those matching at one place: pay (2) before
     * payment due (1), in weight order */
    {"payment due today", "lexicon.money=2[payment]"},
    {"alpha bravo charlie delta echo foxtrot golf hotel india juliet kilo lima mike november",
     "lexicon.many=2[november]"},
    {"mike lima kilo", "lexicon.many=1[mike]"},
};

static void test_same_findings(void)
{
	char *dir = g_build_filename(tmpdir, "overlap", NULL);
	g_mkdir_with_parents(dir, 0700);
	char *path = g_build_filename(dir, "r.txt", NULL);
	g_assert_true(g_file_set_contents(path, overlap_rules, -1, NULL));
	GError *err = NULL;
	lexicon_engine *with = lexicon_engine_load_dir_prefilter(dir, NULL, true, NULL, &err);
	g_assert_no_error(err);
	lexicon_engine *without = lexicon_engine_load_dir_prefilter(dir, NULL, false, NULL, &err);
	g_assert_no_error(err);
	vigie_config *c = config_for();
	for (size_t i = 0; i < G_N_ELEMENTS(same_cases); i++) {
		char *a = summary(with, c, same_cases[i].text);
		char *b = summary(without, c, same_cases[i].text);
		g_assert_cmpstr(b, ==, same_cases[i].want);
		g_assert_cmpstr(a, ==, b);
		g_free(a);
		g_free(b);
	}
	/* a long text: past the length where rules are searched one by one */
	GString *big = g_string_new(NULL);
	while (big->len < 40000)
		g_string_append(big, "please read this, the payment is late and action is "
				     "required. ");
	g_string_append(big, "urgent action required now");
	char *a = summary(with, c, big->str);
	char *b = summary(without, c, big->str);
	g_assert_cmpstr(a, ==, b);
	g_assert_nonnull(strstr(a, "lexicon.urgency=1[urgent action]"));
	g_free(a);
	g_free(b);
	g_string_free(big, TRUE);
#if VIGIE_LEXICON_PREFILTER
	/* the rule without a literal is listed as always running */
	char *report = lexicon_engine_report(with);
	g_assert_nonnull(strstr(report, "r.txt:4: re:\\bnow\\b|\\d{4} (category urgency)"));
	g_free(report);
#endif
	vigie_config_free(c);
	lexicon_engine_free(with);
	lexicon_engine_free(without);
	g_unlink(path);
	g_free(path);
	g_rmdir(dir);
	g_free(dir);
}

/* words - the words of a pattern as a text: "\\b(?:call|ring) us\\b" ->
 * "call ring us" */
static char *words(const char *re)
{
	GString *o = g_string_new(NULL);
	for (const char *p = re; *p; p++) {
		if (*p == '\\' && p[1]) {
			p++;
			if (g_ascii_isalpha(*p))
				g_string_append_c(o, ' ');
			else
				g_string_append_c(o, *p);
		} else if (g_ascii_isalnum(*p) || *p == '\'' || *p == ' ' || (guchar)*p >= 0x80) {
			g_string_append_c(o, *p);
		} else if (*p == '|') {
			g_string_append_c(o, ' ');
		}
	}
	return g_string_free(o, FALSE);
}

/* every bundled rule's own words as a text, alone and joined to the next
 * rule's, and the fuzz corpus of the lexicon: with and without the
 * prefilter, the same findings */
static void test_bundled_same(void)
{
	const char *src = g_getenv("VIGIE_SRCDIR");
	char *dir = g_build_filename(src ? src : VIGIE_SRCDIR, "signatures", "lexicons", NULL);
	GError *err = NULL;
	lexicon_engine *with = lexicon_engine_load_dir_prefilter(dir, NULL, true, NULL, &err);
	g_assert_no_error(err);
	lexicon_engine *without = lexicon_engine_load_dir_prefilter(dir, NULL, false, NULL, &err);
	g_assert_no_error(err);
	vigie_config *c = config_for();
	GPtrArray *texts = g_ptr_array_new_with_free_func(g_free);
	for (guint i = 0; i < with->categories->len; i++) {
		const lex_category *cat = g_ptr_array_index(with->categories, i);
		for (guint j = 0; j < cat->rules->len; j++) {
			const lex_rule *r = g_ptr_array_index(cat->rules, j);
			g_ptr_array_add(texts, words(r->regex));
		}
	}
	guint n = texts->len, found = 0;
	for (guint i = 0; i + 1 < n; i++)
		g_ptr_array_add(texts, g_strdup_printf("%s, %s!", (char *)texts->pdata[i],
						       (char *)texts->pdata[i + 1]));
	char *fdir = g_build_filename(src ? src : VIGIE_SRCDIR, "fuzz", "corpus", "lexicon", NULL);
	GDir *d = g_dir_open(fdir, 0, NULL);
	const char *name;
	while (d && (name = g_dir_read_name(d))) {
		char *path = g_build_filename(fdir, name, NULL);
		char *data = NULL;
		gsize len;
		if (g_file_get_contents(path, &data, &len, NULL) && len && data[0] != 'R')
			g_ptr_array_add(texts, utf8_sanitize(data, (gssize)len));
		g_free(data);
		g_free(path);
	}
	if (d)
		g_dir_close(d);
	g_free(fdir);
	for (guint i = 0; i < texts->len; i++) {
		char *a = summary(with, c, texts->pdata[i]);
		char *b = summary(without, c, texts->pdata[i]);
		if (strcmp(a, b))
			g_test_message("%s:\n  with    %s\n  without %s", (char *)texts->pdata[i],
				       a, b);
		g_assert_cmpstr(a, ==, b);
		found += *a != 0;
		g_free(a);
		g_free(b);
	}
	g_test_message("%u texts, %u with findings", texts->len, found);
	/* the texts are made of the rules' words: most find something */
	g_assert_cmpuint(found, >, n);
#if VIGIE_LEXICON_PREFILTER
	g_assert_nonnull(with->db);
	g_assert_cmpuint(with->fallback->len, <, with->rules / 10);
#endif
	g_ptr_array_unref(texts);
	vigie_config_free(c);
	lexicon_engine_free(with);
	lexicon_engine_free(without);
	g_free(dir);
}

int main(int argc, char **argv)
{
	g_test_init(&argc, &argv, NULL);
	tmpdir = g_dir_make_tmp("vigie-lexpf-XXXXXX", NULL);
	g_test_add_func("/lexicon-prefilter/literals", test_literals);
	g_test_add_func("/lexicon-prefilter/clauses", test_clauses);
	g_test_add_func("/lexicon-prefilter/same-findings", test_same_findings);
	g_test_add_func("/lexicon-prefilter/bundled-same", test_bundled_same);
	int rc = g_test_run();
	char *conf = g_build_filename(tmpdir, "v.conf", NULL);
	g_unlink(conf);
	g_free(conf);
	g_rmdir(tmpdir);
	g_free(tmpdir);
	return rc;
}
