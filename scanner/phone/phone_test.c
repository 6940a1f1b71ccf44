/* phone_test.c - the phone number analyser: a table of written forms and
 * countries with the E.164 number and the type expected (or none), then
 * the findings of whole messages through phone_scan with the shipped
 * ranges and weights: premium, IRSF, lookalike of an own number, the
 * callback lure with and without a link, and the loader's errors.
 */
#include "phone.h"
#include "test_files.h"

#include <string.h>

static phone_engine *eng_fr, *eng_us;
static char *root;

typedef struct {
	const char *text;
	const char *country; /* calling code national forms are read in */
	const char *e164;    /* the first number expected, NULL: none */
	const char *type;    /* its type, NULL: unlisted */
} extract_case;

static const extract_case cases[] = {
    /* France, national forms */
    {"Appelez le 01 23 45 67 89 maintenant", "33", "+33123456789", NULL},
    {"tel. 01.23.45.67.89.", "33", "+33123456789", NULL},
    {"au 0891-23-45-67 (2,99 EUR/min)", "33", "+33891234567", "premium-rate"},
    {"au 0891-23-45-6", "33", NULL, NULL}, /* 9 digits: not a French number */
    {"au 08 91 23 45 67 (2,99 EUR/min)", "33", "+33891234567", "premium-rate"},
    {"service client 0 825 123 456", "33", "+33825123456", "shared-cost"},
    {"numero vert 0800 123 456", "33", "+33800123456", "toll-free"},
    {"06\u200b12\u200b34\u200b56\u200b78", "33", "+33612345678", NULL}, /* zero-width split */
    {"0 8 9 1 2 3 4 5 6 7", "33", "+33891234567", "premium-rate"},
    {"O6 12 34 56 78", "33", NULL, NULL},	    /* a letter first: not read */
    {"06 l2 34 56 78", "33", "+33612345678", NULL}, /* l between digits read as 1 */
    {"\uff10\uff16\uff11\uff12\uff13\uff14\uff15\uff16\uff17\uff18", "33", "+33612345678", NULL},
    /* international forms */
    {"+33 (0)1 23 45 67 89", "33", "+33123456789", NULL},
    {"+33 8 99 12 34 56", "44", "+33899123456", "premium-rate"},
    {"0033 891 234 567", "1", "+33891234567", "premium-rate"},
    {"+44 909 879 0123", "33", "+449098790123", "premium-rate"},
    {"+44 (0)871 234 5678", "33", "+448712345678", "shared-cost"},
    {"+44 70 1234 5678", "33", "+447012345678", "personal"},
    {"+882 16 1234 5678", "33",
     "+882161234"
     "5678",
     "irsf"},
    {"+53 5 123 4567", "33", "+5351234567", "irsf"},
    {"+8816 1234 5678", "33", "+881612345678", "satellite"},
    /* the UK and North America, national forms */
    {"ring 0909 879 0123 now", "44", "+449098790123", "premium-rate"},
    {"call 0871 234 5678", "44", "+448712345678", "shared-cost"},
    {"call (900) 555-0199", "1", "+19005550199", "premium-rate"},
    {"call 1-900-555-0199 today", "33", "+19005550199", "premium-rate"},
    {"Call 1-888-555-0123 to cancel", "33", "+18885550123", "toll-free"},
    {"call 1 (876) 555 0199", "33", "+18765550199", "irsf"},
    /* not phone numbers */
    {"IBAN FR76 3000 4000 0312 3456 7890 143", "33", NULL, NULL},
    {"order 123456789012345678901234", "33", NULL, NULL},
    {"on 2026-12-02 at 10:30", "33", NULL, NULL},
    {"ref AB0123456789", "33", NULL, NULL},
    {"3+4=7 and 12345678", "33", NULL, NULL},
    {"total 1 234 567,89 EUR", "33", NULL, NULL},
};

static void test_extract(void)
{
	for (gsize i = 0; i < G_N_ELEMENTS(cases); i++) {
		const extract_case *tc = &cases[i];
		GPtrArray *out = g_ptr_array_new_with_free_func(phone_found_free);
		phone_extract(tc->text, tc->country, out, 10);
		const char *got =
		    out->len ? ((phone_found *)g_ptr_array_index(out, 0))->e164 : NULL;
		g_test_message("'%s' (%s): %s", tc->text, tc->country, got ? got : "none");
		g_assert_cmpstr(got, ==, tc->e164);
		if (got) {
			const char *type = NULL;
			phone_type(eng_fr, got, &type);
			g_assert_cmpstr(type, ==, tc->type);
		}
		g_ptr_array_unref(out);
	}
}

/* ---- whole messages ---- */

typedef struct {
	const char *name;
	const char *body;
	const char *prior; /* a finding already in the verdict (lexicon, intent), or NULL */
	const char *rules; /* the phone rules expected, space-separated, in order */
} scan_case;

static const scan_case scans[] = {
    {"premium", "Pour debloquer votre colis appelez le 08 99 12 34 56.", NULL,
     "phone.premium-rate phone.number"},
    {"irsf", "Missed call from +882 16 1234 5678, call back now", NULL, "phone.irsf phone.number"},
    {"lookalike", "Notre service client: 01 44 55 66 78", NULL, "phone.lookalike phone.number"},
    {"own", "Notre service client: 01 44 55 66 77", NULL, "phone.number"},
    {"own-lure", "Your renewal: call us at 01 44 55 66 77", "lexicon.renewal", "phone.number"},
    {"callback-lure", "Your subscription renewed for $499.99. To cancel call +1 (555) 014-3229.",
     "lexicon.charge", "phone.number phone.callback-lure"},
    {"callback-with-link",
     "Your subscription renewed. Call 01 23 45 67 89 or https://example.com/c", "lexicon.charge",
     "phone.number"},
    {"no-claim", "Call me back on 06 12 34 56 78 about Tuesday's meeting.", NULL, "phone.number"},
    {"irish", "Call +353 818 304 304 (from Ireland 0818 304 304)", NULL, "phone.number"},
    {"nothing", "No number in here, only 2026-12-02.", NULL, ""},
};

static void test_scan(void)
{
	for (gsize i = 0; i < G_N_ELEMENTS(scans); i++) {
		const scan_case *tc = &scans[i];
		char *raw =
		    g_strdup_printf("From: a@example.org\nTo: b@example.net\nSubject: hello\n"
				    "Content-Type: text/plain\n\n%s\n",
				    tc->body);
		vigie_message *m = vigie_message_from_mime(raw, strlen(raw), NULL, NULL);
		vigie_verdict *v = verdict_new(VIGIE_CHANNEL_MAIL);
		guint skip = 0;
		if (tc->prior) {
			verdict_add_finding(v, tc->prior, "test", 1, "prior", "part 1");
			skip = 1;
		}
		g_assert_true(phone_scan(eng_fr, m, v, NULL));
		GString *got = g_string_new(NULL);
		for (guint k = skip; k < v->findings->len; k++) {
			const vigie_finding *f = g_ptr_array_index(v->findings, k);
			g_string_append_printf(got, "%s%s", got->len ? " " : "", f->rule);
		}
		g_test_message("%s: %s", tc->name, got->str);
		g_assert_cmpstr(got->str, ==, tc->rules);
		g_string_free(got, TRUE);
		vigie_verdict_free(v);
		vigie_message_free(m);
		g_free(raw);
	}
}

/* national forms follow the engine's country */
static void test_country(void)
{
	GPtrArray *out = g_ptr_array_new_with_free_func(phone_found_free);
	phone_extract("call (900) 555-0199", "33", out, 10);
	g_assert_cmpuint(out->len, ==, 0); /* ten digits not starting 0: not French */
	phone_extract("call (900) 555-0199", "1", out, 10);
	g_assert_cmpuint(out->len, ==, 1);
	g_ptr_array_unref(out);
	g_assert_cmpstr(phone_country_code("fr"), ==, "33");
	g_assert_cmpstr(phone_country_code("US"), ==, "1");
	g_assert_null(phone_country_code("XX"));
	g_assert_nonnull(eng_us);
}

typedef struct {
	const char *ranges, *own;
	const char *error; /* substring of the error */
} load_case;

static const load_case loads[] = {
    {"+3389 premium-rate\n+3389 shared-cost\n", NULL, "ranges.conf:2: prefix +3389 listed twice"},
    {"3389 premium-rate\n", NULL, "ranges.conf:1: expected a prefix"},
    {"+3389 expensive\n", NULL, "ranges.conf:1: unknown type 'expensive'"},
    {"+3389 premium-rate\n", "# ours\n+33 1 44\n", "own.txt:2: expected a number in E.164"},
};

static void test_load_errors(void)
{
	char *w =
	    g_build_filename(g_getenv("VIGIE_SRCDIR"), "signatures", "phone", "weights.conf", NULL);
	for (gsize i = 0; i < G_N_ELEMENTS(loads); i++) {
		test_put(root, "ranges.conf", loads[i].ranges);
		char *rp = g_build_filename(root, "ranges.conf", NULL);
		char *op = NULL;
		if (loads[i].own) {
			test_put(root, "own.txt", loads[i].own);
			op = g_build_filename(root, "own.txt", NULL);
		}
		GError *err = NULL;
		phone_engine *p = phone_engine_load_files(rp, op, w, "33", &err);
		g_assert_null(p);
		g_assert_nonnull(err);
		g_test_message("%s", err->message);
		g_assert_nonnull(strstr(err->message, loads[i].error));
		g_error_free(err);
		g_free(rp);
		g_free(op);
	}
	g_free(w);
}

int main(int argc, char **argv)
{
	g_test_init(&argc, &argv, NULL);
	g_assert_true(vigie_global_init(NULL));
	const char *src = g_getenv("VIGIE_SRCDIR");
	g_assert_nonnull(src);
	root = g_dir_make_tmp("vigie-phone-XXXXXX", NULL);
	test_put(root, "own.txt", "+33144556677 customer service\n");
	char *r = g_build_filename(src, "signatures", "phone", "ranges.conf", NULL);
	char *w = g_build_filename(src, "signatures", "phone", "weights.conf", NULL);
	char *o = g_build_filename(root, "own.txt", NULL);
	GError *err = NULL;
	eng_fr = phone_engine_load_files(r, o, w, "33", &err);
	g_assert_no_error(err);
	eng_us = phone_engine_load_files(r, NULL, w, "1", &err);
	g_assert_no_error(err);
	/* the shipped own-numbers file loads (it is comments only) */
	char *shipped = g_build_filename(src, "signatures", "phone", "own-numbers.txt", NULL);
	phone_engine *p = phone_engine_load_files(r, shipped, w, "33", &err);
	g_assert_no_error(err);
	phone_engine_free(p);
	g_free(shipped);
	g_test_add_func("/phone/extract", test_extract);
	g_test_add_func("/phone/scan", test_scan);
	g_test_add_func("/phone/country", test_country);
	g_test_add_func("/phone/load-errors", test_load_errors);
	int rc = g_test_run();
	phone_engine_free(eng_fr);
	phone_engine_free(eng_us);
	test_rm_tree(root);
	g_free(root);
	g_free(r);
	g_free(w);
	g_free(o);
	return rc;
}
