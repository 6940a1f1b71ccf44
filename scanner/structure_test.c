/* structure_test.c - the structure analyser: each rule firing on a crafted
 * mail and its near-miss staying quiet, one finding per rule, weights from
 * the rule file, loader errors, chat messages left alone, the shipped
 * weights file.
 *
 * Mails are literal strings parsed with vigie_message_from_mime; weights
 * are this test's own fixture, written to a temporary folder.
 */
#include "structure.h"
#include "test_files.h"

#include <glib/gstdio.h>
#include <string.h>

static char *root;
static structure_engine *eng;

/* the header fields of an ordinary mail; each case replaces what it tests */
#define RCVD "Received: from mx.example.org by mx.example.net; Mon, 3 Mar 2025 10:00:00 +0000\n"
#define DATE "Date: Mon, 3 Mar 2025 09:59:00 +0000\n"
#define MSGID "Message-ID: <abc.123@mail.example.org>\n"
#define FROM "From: Alice Martin <alice@example.org>\n"
#define TO "To: bob@example.net\n"
#define SUBJ "Subject: Minutes of the meeting\n"
#define PLAIN "Content-Type: text/plain; charset=us-ascii\n\nHello Bob, here are the minutes.\n"
#define STD RCVD DATE MSGID FROM TO SUBJ
#define MIME "MIME-Version: 1.0\n"

#define ALT_HEAD MIME "Content-Type: multipart/alternative; boundary=\"b\"\n\n"
#define WORDS_A                                                                                    \
	"the quarterly budget review covers travel expenses hardware purchases staff "             \
	"training software licences office rent printing costs consultant fees and the "           \
	"summer party budget for every department of the company"
#define WORDS_B                                                                                    \
	"your parcel could not be delivered because customs duties remain unpaid please "          \
	"confirm your card number expiry date security code postal address within hours "          \
	"or the shipment returns immediately to sender warehouse"
#define HIDDEN_250                                                                                 \
	"lorem ipsum dolor sit amet consectetur adipiscing elit sed do eiusmod tempor "            \
	"incididunt ut labore et dolore magna aliqua ut enim ad minim veniam quis nostrud "        \
	"exercitation ullamco laboris nisi ut aliquip ex ea commodo consequat duis aute "          \
	"irure dolor in reprehenderit in voluptate velit esse cillum dolore eu fugiat"
#define TEXT_200                                                                                   \
	"Dear customer, thank you for your order of last week. The items you chose are on "        \
	"their way and should reach you before the end of the month. Please keep this "            \
	"message for your records and contact us with any question."

typedef struct {
	const char *name;
	const char *rule; /* the rule under test */
	bool fires;
	const char *mail;
} structure_case;

static const structure_case cases[] = {
    /* Date */
    {"date-missing", "structure.date-missing", true, RCVD MSGID FROM TO SUBJ PLAIN},
    {"date-present", "structure.date-missing", false, STD PLAIN},
    {"date-invalid", "structure.date-invalid", true,
     RCVD "Date: sometime next week\n" MSGID FROM TO SUBJ PLAIN},
    {"date-valid", "structure.date-invalid", false, STD PLAIN},
    {"date-future", "structure.date-future", true,
     RCVD "Date: Fri, 7 Mar 2025 10:00:00 +0000\n" MSGID FROM TO SUBJ PLAIN},
    {"date-future-near", "structure.date-future", false,
     RCVD "Date: Mon, 3 Mar 2025 15:00:00 +0000\n" MSGID FROM TO SUBJ PLAIN},
    {"date-future-tz", "structure.date-future", false,
     RCVD "Date: Mon, 3 Mar 2025 18:59:00 +0900\n" MSGID FROM TO SUBJ PLAIN},
    {"date-past", "structure.date-past", true,
     RCVD "Date: Sat, 1 Feb 2025 10:00:00 +0000\n" MSGID FROM TO SUBJ PLAIN},
    {"date-past-near", "structure.date-past", false,
     RCVD "Date: Sat, 1 Mar 2025 10:00:00 +0000\n" MSGID FROM TO SUBJ PLAIN},
    /* Message-ID */
    {"msgid-missing", "structure.msgid-missing", true, RCVD DATE FROM TO SUBJ PLAIN},
    {"msgid-present", "structure.msgid-missing", false, STD PLAIN},
    {"msgid-malformed", "structure.msgid-malformed", true,
     RCVD DATE "Message-ID: 12345\n" FROM TO SUBJ PLAIN},
    {"msgid-two-at", "structure.msgid-malformed", true,
     RCVD DATE "Message-ID: <a@b@c>\n" FROM TO SUBJ PLAIN},
    {"msgid-localhost", "structure.msgid-malformed", false,
     RCVD DATE "Message-ID: <Pine.LNX.4.44.0207@localhost.localdomain>\n" FROM TO SUBJ PLAIN},
    {"msgid-folded", "structure.msgid-malformed", false,
     RCVD DATE "Message-ID:\n <abc.def@example.org>\n" FROM TO SUBJ PLAIN},
    /* From */
    {"from-numeric", "structure.from-numeric", true,
     RCVD DATE MSGID "From: 48291735@mailer.example\n" TO SUBJ PLAIN},
    {"from-numeric-angle", "structure.from-numeric", true,
     RCVD DATE MSGID "From: <x8271930@mailer.example>\n" TO SUBJ PLAIN},
    {"from-numeric-named", "structure.from-numeric", false,
     RCVD DATE MSGID "From: Support Desk <48291735@mailer.example>\n" TO SUBJ PLAIN},
    {"from-few-digits", "structure.from-numeric", false,
     RCVD DATE MSGID "From: john.smith1984@mailer.example\n" TO SUBJ PLAIN},
    /* Subject */
    {"subject-caps", "structure.subject-caps", true,
     RCVD DATE MSGID FROM TO "Subject: URGENT ACTION REQUIRED ON YOUR ACCOUNT\n" PLAIN},
    {"subject-acronyms", "structure.subject-caps", false,
     RCVD DATE MSGID FROM TO "Subject: Call with IBM and NASA at 10 AM\n" PLAIN},
    {"subject-bangs", "structure.subject-punct", true,
     RCVD DATE MSGID FROM TO "Subject: You won!!! Claim now\n" PLAIN},
    {"subject-dollars", "structure.subject-punct", true,
     RCVD DATE MSGID FROM TO "Subject: Make $$$ from home\n" PLAIN},
    {"subject-one-bang", "structure.subject-punct", false,
     RCVD DATE MSGID FROM TO "Subject: Great news! The release is out\n" PLAIN},
    {"subject-encoded", "structure.subject-encoded", true,
     RCVD DATE MSGID FROM TO "Subject: =?utf-8?B?WW91ciBhY2NvdW50IGlzIHN1c3BlbmRlZA==?=\n" PLAIN},
    {"subject-encoded-accents", "structure.subject-encoded", false,
     RCVD DATE MSGID FROM TO "Subject: =?utf-8?Q?R=C3=A9union_de_lundi?=\n" PLAIN},
    /* recipients */
    {"to-missing", "structure.to-undisclosed", true, RCVD DATE MSGID FROM SUBJ PLAIN},
    {"to-undisclosed", "structure.to-undisclosed", true,
     RCVD DATE MSGID FROM "To: Undisclosed-Recipients:;\n" SUBJ PLAIN},
    {"to-present", "structure.to-undisclosed", false, STD PLAIN},
    {"many-recipients", "structure.many-recipients", true,
     RCVD DATE MSGID FROM
     "To: a1@x.example, a2@x.example, a3@x.example, a4@x.example, a5@x.example,\n"
     " a6@x.example, a7@x.example, a8@x.example, a9@x.example, a10@x.example\n"
     "Cc: b1@y.example, b2@y.example, b3@y.example, b4@y.example, b5@y.example\n" SUBJ PLAIN},
    {"few-recipients", "structure.many-recipients", false,
     RCVD DATE MSGID FROM "To: a1@x.example, a2@x.example\nCc: b1@y.example\n" SUBJ PLAIN},
    /* body form */
    {"html-only", "structure.html-only", true,
     STD MIME "Content-Type: text/html; charset=utf-8\n\n<p>" TEXT_200 "</p>\n"},
    {"html-with-plain", "structure.html-only", false,
     STD ALT_HEAD "--b\nContent-Type: text/plain\n\n" TEXT_200 "\n--b\n"
		  "Content-Type: text/html\n\n<p>" TEXT_200 "</p>\n--b--\n"},
    {"alternative-mismatch", "structure.alternative-mismatch", true,
     STD ALT_HEAD "--b\nContent-Type: text/plain\n\n" WORDS_A "\n--b\n"
		  "Content-Type: text/html\n\n<p>" WORDS_B "</p>\n--b--\n"},
    {"alternative-same", "structure.alternative-mismatch", false,
     STD ALT_HEAD "--b\nContent-Type: text/plain\n\n" WORDS_B "\n--b\n"
		  "Content-Type: text/html\n\n<p><b>" WORDS_B "</b></p>\n--b--\n"},
    {"image-only", "structure.image-only", true,
     STD MIME "Content-Type: text/html\n\n<a href=\"http://x.example/\">"
	      "<img src=\"http://x.example/offer.png\"></a><p>Click</p>\n"},
    {"image-with-text", "structure.image-only", false,
     STD MIME "Content-Type: text/html\n\n<img src=\"http://x.example/logo.png\"><p>" TEXT_200
	      "</p>\n"},
    {"text-no-image", "structure.image-only", false,
     STD MIME "Content-Type: text/html\n\n<p>See you tomorrow.</p>\n"},
    {"hidden-display-none", "structure.hidden-text", true,
     STD MIME "Content-Type: text/html\n\n<p>Your invoice.</p>"
	      "<div style=\"DISPLAY: none !important\">" HIDDEN_250 "</div>\n"},
    {"hidden-font-size", "structure.hidden-text", true,
     STD MIME "Content-Type: text/html\n\n<p>Your invoice.</p>"
	      "<span style=\"font-size:0px\">" HIDDEN_250 "</span>\n"},
    {"hidden-white-on-white", "structure.hidden-text", true,
     STD MIME "Content-Type: text/html\n\n<table><tr><td bgcolor=\"#FFFFFF\">"
	      "<font color=\"white\">" HIDDEN_250 "</font></td></tr></table>\n"},
    {"hidden-preheader", "structure.hidden-text", false,
     STD MIME "Content-Type: text/html\n\n<div style=\"display:none\">Your weekly digest is "
	      "here</div><p>" TEXT_200 "</p>\n"},
    {"visible-white-on-blue", "structure.hidden-text", false,
     STD MIME "Content-Type: text/html\n\n<div style=\"background-color:#0000ff\">"
	      "<span style=\"color:#fff\">" HIDDEN_250 "</span></div>\n"},
    {"form", "structure.form", true,
     STD MIME "Content-Type: text/html\n\n<form action=\"http://x.example/p\"><input name=q>"
	      "</form>\n"},
    {"no-form", "structure.form", false, STD MIME "Content-Type: text/html\n\n<p>Hi</p>\n"},
    {"password-field", "structure.password-field", true,
     STD MIME "Content-Type: text/html\n\n<form action=\"http://x.example/p\">"
	      "<input type=\"PASSWORD\" name=p></form>\n"},
    {"text-field", "structure.password-field", false,
     STD MIME "Content-Type: text/html\n\n<form action=\"http://x.example/p\">"
	      "<input type=\"text\" name=p></form>\n"},
    {"text-base64", "structure.text-base64", true,
     STD MIME "Content-Type: text/html; charset=utf-8\nContent-Transfer-Encoding: base64\n\n"
	      "PHA+SGVsbG8gdGhlcmU8L3A+Cg==\n"},
    {"base64-accents", "structure.text-base64", false,
     STD MIME "Content-Type: text/plain; charset=utf-8\nContent-Transfer-Encoding: base64\n\n"
	      "Q2Fmw6kgZGUgbGEgZ2FyZQo=\n"},
    {"charset-8bit-ascii", "structure.charset-mismatch", true,
     STD MIME "Content-Type: text/plain; charset=us-ascii\nContent-Transfer-Encoding: 8bit\n\n"
	      "Caf\xc3\xa9\n"},
    {"charset-bad-utf8", "structure.charset-mismatch", true,
     STD MIME "Content-Type: text/plain; charset=utf-8\nContent-Transfer-Encoding: 8bit\n\n"
	      "Caf\xe9\n"},
    {"charset-good-utf8", "structure.charset-mismatch", false,
     STD MIME "Content-Type: text/plain; charset=utf-8\nContent-Transfer-Encoding: 8bit\n\n"
	      "Caf\xc3\xa9\n"},
    /* attachments */
    {"double-extension", "structure.double-extension", true,
     STD MIME "Content-Type: multipart/mixed; boundary=\"b\"\n\n--b\n" PLAIN "--b\n"
	      "Content-Type: application/octet-stream\n"
	      "Content-Disposition: attachment; filename=\"Invoice.PDF.exe\"\n\nMZ\n--b--\n"},
    {"double-extension-spaces", "structure.double-extension", true,
     STD MIME "Content-Type: multipart/mixed; boundary=\"b\"\n\n--b\n" PLAIN "--b\n"
	      "Content-Type: application/octet-stream\n"
	      "Content-Disposition: attachment; filename=\"scan.jpg        .js\"\n\nx\n--b--\n"},
    {"dotted-name", "structure.double-extension", false,
     STD MIME
     "Content-Type: multipart/mixed; boundary=\"b\"\n\n--b\n" PLAIN "--b\n"
     "Content-Type: application/pdf\n"
     "Content-Disposition: attachment; filename=\"report.2024.v2.pdf\"\n\n%PDF-1.4\n--b--\n"},
    {"plain-exe", "structure.double-extension", false,
     STD MIME "Content-Type: multipart/mixed; boundary=\"b\"\n\n--b\n" PLAIN "--b\n"
	      "Content-Type: application/octet-stream\n"
	      "Content-Disposition: attachment; filename=\"setup.exe\"\n\nMZ\n--b--\n"},
    {"html-attachment", "structure.html-attachment", true,
     STD MIME
     "Content-Type: multipart/mixed; boundary=\"b\"\n\n--b\n" PLAIN "--b\n"
     "Content-Type: application/octet-stream\n"
     "Content-Disposition: attachment; filename=\"Remittance.shtml\"\n\n<p>x</p>\n--b--\n"},
    {"html-attachment-password", "structure.password-field", true,
     STD MIME "Content-Type: multipart/mixed; boundary=\"b\"\n\n--b\n" PLAIN "--b\n"
	      "Content-Type: text/html; name=\"login.htm\"\n"
	      "Content-Disposition: attachment; filename=\"login.htm\"\n\n"
	      "<form><input type=password></form>\n--b--\n"},
    {"text-attachment", "structure.html-attachment", false,
     STD MIME "Content-Type: multipart/mixed; boundary=\"b\"\n\n--b\n" PLAIN "--b\n"
	      "Content-Type: text/plain\n"
	      "Content-Disposition: attachment; filename=\"notes.txt\"\n\nnotes\n--b--\n"},
};

static void put(const char *rel, const char *text)
{
	test_put(root, rel, text);
}

/* weights_text - every rule with weight 1 and category "structure", except
 * skip (NULL: none); extra appended; caller g_free */
static char *weights_text(const char *skip, const char *extra)
{
	GString *s = g_string_new("# test weights\n\n");
	for (int k = 0; k < S_COUNT; k++)
		if (!skip || strcmp(skip, structure_rule_ids[k]) != 0)
			g_string_append_printf(s, "%s\t%d  structure\n", structure_rule_ids[k],
					       k + 1);
	g_string_append(s, extra ? extra : "");
	return g_string_free(s, FALSE);
}

/* run - the findings of eng on a mail */
static vigie_verdict *run(const structure_engine *s, const char *mail)
{
	GError *err = NULL;
	vigie_message *m = vigie_message_from_mime(mail, strlen(mail), NULL, &err);
	g_assert_no_error(err);
	vigie_verdict *v = verdict_new(VIGIE_CHANNEL_MAIL);
	g_assert_true(structure_scan(s, m, v, &err));
	g_assert_no_error(err);
	vigie_message_free(m);
	return v;
}

/* count - findings of rule in v */
static guint count(const vigie_verdict *v, const char *rule, int *weight)
{
	guint n = 0;
	for (guint i = 0; i < v->findings->len; i++) {
		const vigie_finding *f = g_ptr_array_index(v->findings, i);
		g_assert_true(g_utf8_validate(f->evidence, -1, NULL));
		if (strcmp(f->rule, rule) == 0) {
			n++;
			if (weight)
				*weight = f->weight;
		}
	}
	return n;
}

static void test_case(gconstpointer data)
{
	const structure_case *tc = data;
	vigie_verdict *v = run(eng, tc->mail);
	int weight = -1;
	guint n = count(v, tc->rule, &weight);
	if (tc->fires) {
		g_assert_cmpuint(n, ==, 1);
		/* the fixture gives rule k the weight k + 1 */
		for (int k = 0; k < S_COUNT; k++)
			if (strcmp(structure_rule_ids[k], tc->rule) == 0)
				g_assert_cmpint(weight, ==, k + 1);
	} else {
		g_assert_cmpuint(n, ==, 0);
	}
	vigie_verdict_free(v);
}

/* an ordinary mail fires nothing */
static void test_clean(void)
{
	vigie_verdict *v = run(eng, STD PLAIN);
	g_assert_cmpuint(v->findings->len, ==, 0);
	vigie_verdict_free(v);
	v = run(eng, STD ALT_HEAD "--b\nContent-Type: text/plain\n\n" TEXT_200 "\n--b\n"
				  "Content-Type: text/html\n\n<p>" TEXT_200 "</p>\n--b--\n");
	g_assert_cmpuint(v->findings->len, ==, 0);
	vigie_verdict_free(v);
}

/* a chat message is not looked at */
static void test_chat(void)
{
	vigie_message *m = message_new(VIGIE_CHANNEL_CHAT);
	message_add_text(m, VIGIE_TEXT_CHAT, g_strdup("WIN NOW!!! $$$"), NULL, "text");
	vigie_verdict *v = verdict_new(VIGIE_CHANNEL_CHAT);
	g_assert_true(structure_scan(eng, m, v, NULL));
	g_assert_cmpuint(v->findings->len, ==, 0);
	vigie_verdict_free(v);
	vigie_message_free(m);
}

typedef struct {
	const char *name;
	const char *skip;   /* rule left out */
	const char *extra;  /* lines appended */
	const char *expect; /* in the message, after "PATH" */
} loader_case;

static const loader_case loader_cases[] = {
    {"fields", NULL, "structure.form 1\n", ":25: expected 'rule weight category'"},
    {"unknown", NULL, "structure.nosuch 1 x\n", ":25: unknown rule 'structure.nosuch'"},
    {"weight-text", "structure.form", "structure.form one x\n",
     ":24: weight 'one' is not an integer in [0, 1000]"},
    {"weight-negative", "structure.form", "structure.form -1 x\n",
     ":24: weight '-1' is not an integer in [0, 1000]"},
    {"weight-big", "structure.form", "structure.form 1001 x\n",
     ":24: weight '1001' is not an integer in [0, 1000]"},
    {"duplicate", NULL, "structure.form 2 x\n", ":25: rule structure.form already set on line 19"},
    {"missing", "structure.html-attachment", NULL,
     ": no weight for rule structure.html-attachment"},
};

static void test_loader(gconstpointer data)
{
	const loader_case *lc = data;
	char *text = weights_text(lc->skip, lc->extra);
	put("bad.conf", text);
	g_free(text);
	char *path = g_build_filename(root, "bad.conf", NULL);
	GError *err = NULL;
	g_assert_null(structure_engine_load_file(path, &err));
	g_assert_nonnull(err);
	char *want = g_strconcat(path, lc->expect, NULL);
	g_assert_cmpstr(err->message, ==, want);
	g_free(want);
	g_error_free(err);
	g_free(path);
}

static void test_loader_io(void)
{
	GError *err = NULL;
	g_assert_null(structure_engine_load_file("/nonexistent/weights.conf", &err));
	g_assert_true(g_str_has_prefix(err->message, "/nonexistent/weights.conf: "));
	g_clear_error(&err);
	put("binary.conf", "structure.form 1 x\n\xff\xfe\n");
	char *path = g_build_filename(root, "binary.conf", NULL);
	g_assert_null(structure_engine_load_file(path, &err));
	g_assert_true(strstr(err->message, "not valid UTF-8") != NULL);
	g_clear_error(&err);
	g_free(path);
}

/* the shipped weights load, through the shipped configuration, and no
 * rule alone reaches the tag threshold */
static void test_shipped(void)
{
	const char *src = g_getenv("VIGIE_SRCDIR");
	char *conf = g_build_filename(src ? src : VIGIE_SRCDIR, "etc", "vigie.conf", NULL);
	GError *err = NULL;
	vigie_config *c = vigie_config_load(conf, &err);
	g_assert_no_error(err);
	structure_engine *s = structure_engine_load(c, &err);
	g_assert_no_error(err);
	g_assert_nonnull(s);
	for (guint i = 0; i < G_N_ELEMENTS(cases); i++) {
		if (!cases[i].fires)
			continue;
		vigie_verdict *v = run(s, cases[i].mail);
		for (guint j = 0; j < v->findings->len; j++) {
			const vigie_finding *f = g_ptr_array_index(v->findings, j);
			g_assert_cmpint(f->weight, <,
					vigie_config_get_int(c, "channel.mail", "tag"));
		}
		vigie_verdict_free(v);
	}
	structure_engine_free(s);
	vigie_config_free(c);
	g_free(conf);
}

int main(int argc, char **argv)
{
	g_test_init(&argc, &argv, NULL);
	g_assert_true(vigie_global_init(NULL));
	root = g_dir_make_tmp("vigie-structure-XXXXXX", NULL);
	char *text = weights_text(NULL, NULL);
	put("weights.conf", text);
	g_free(text);
	char *path = g_build_filename(root, "weights.conf", NULL);
	GError *err = NULL;
	eng = structure_engine_load_file(path, &err);
	g_assert_no_error(err);
	g_free(path);

	for (guint i = 0; i < G_N_ELEMENTS(cases); i++) {
		char *p = g_strdup_printf("/structure/rule/%s", cases[i].name);
		g_test_add_data_func(p, &cases[i], test_case);
		g_free(p);
	}
	for (guint i = 0; i < G_N_ELEMENTS(loader_cases); i++) {
		char *p = g_strdup_printf("/structure/loader/%s", loader_cases[i].name);
		g_test_add_data_func(p, &loader_cases[i], test_loader);
		g_free(p);
	}
	g_test_add_func("/structure/clean", test_clean);
	g_test_add_func("/structure/chat", test_chat);
	g_test_add_func("/structure/loader/io", test_loader_io);
	g_test_add_func("/structure/shipped", test_shipped);
	int rc = g_test_run();

	structure_engine_free(eng);
	const char *names[] = {"weights.conf", "bad.conf", "binary.conf"};
	for (guint i = 0; i < G_N_ELEMENTS(names); i++) {
		char *p = g_build_filename(root, names[i], NULL);
		g_unlink(p);
		g_free(p);
	}
	g_rmdir(root);
	g_free(root);
	return rc;
}
