/* mime_test.c - raw mail -> message model: decoding, structure, bad input */
#include "internal.h"

#include <string.h>

/* parse text as mail; asserts success */
static vigie_message *parse(const char *raw, size_t len)
{
	GError *err = NULL;
	vigie_message *m = vigie_message_from_mime(raw, len ? len : strlen(raw), NULL, &err);
	g_assert_no_error(err);
	g_assert_nonnull(m);
	return m;
}

/* all texts joined with "|" */
static char *all_text(const vigie_message *m)
{
	GString *s = g_string_new(NULL);
	for (guint i = 0; i < m->texts->len; i++) {
		const vigie_text *t = g_ptr_array_index(m->texts, i);
		if (i)
			g_string_append_c(s, '|');
		g_string_append(s, t->text);
	}
	return g_string_free(s, FALSE);
}

typedef struct {
	const char *name;
	const char *raw;
	const char *subject;     /* decoded Subject, or NULL to skip */
	const char *text;        /* all texts joined with "|", trimmed per part, or NULL */
	unsigned attachments;
	const char *att_name;    /* first attachment's name, or NULL */
	const char *att_declared;
	const char *att_sniffed;
	const char *link_href;   /* first link of any text, or NULL */
	const char *link_text;
	bool problems;           /* at least one problem noted */
} mime_case;

#define B64_EICARISH "TVqQAAMAAAAEAAAA//8AALgAAAAAAAAAQAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAgAAAAA=="

static const mime_case cases[] = {
	{ "plain", "From: a@b.example\r\nSubject: Hello\r\n\r\nBody text\r\n",
	  "Hello", "Body text\r\n", 0, NULL, NULL, NULL, NULL, NULL, false },
	{ "rfc2047-b", "Subject: =?UTF-8?B?U8OpY3VyaXTDqSBkdSBjb21wdGU=?=\n\nx\n",
	  "Sécurité du compte", NULL, 0, NULL, NULL, NULL, NULL, NULL, false },
	{ "rfc2047-q-latin1", "Subject: =?ISO-8859-1?Q?R=E9glement_imm=E9diat?=\n\nx\n",
	  "Réglement immédiat", NULL, 0, NULL, NULL, NULL, NULL, NULL, false },
	{ "raw-8bit-subject", "Subject: Votre colis est bloqu\xc3\xa9\n\nx\n",
	  "Votre colis est bloqué", NULL, 0, NULL, NULL, NULL, NULL, NULL, false },
	{ "mbox-from-line", "From someone@example Sat Jan  1 00:00:00 2000\nSubject: S\n\nbody\n",
	  "S", "body\n", 0, NULL, NULL, NULL, NULL, NULL, false },
	{ "latin1-body", "Content-Type: text/plain; charset=iso-8859-1\n\nd\xe9j\xe0 pay\xe9\n",
	  NULL, "déjà payé\n", 0, NULL, NULL, NULL, NULL, NULL, false },
	{ "unknown-charset", "Content-Type: text/plain; charset=x-no-such-charset\n\ncaf\xe9\n",
	  NULL, "café\n", 0, NULL, NULL, NULL, NULL, NULL, false },
	{ "qp-body", "Content-Type: text/plain; charset=utf-8\nContent-Transfer-Encoding: quoted-printable\n\n"
		     "Cliquez =C3=A0 l'adresse=\n suivante\n",
	  NULL, "Cliquez à l'adresse suivante\n", 0, NULL, NULL, NULL, NULL, NULL, false },
	{ "alternative",
	  "Content-Type: multipart/alternative; boundary=XX\n\n--XX\nContent-Type: text/plain\n\nplain part\n"
	  "--XX\nContent-Type: text/html\n\n<p>Go <a href=\"https://evil.example/login\">to your bank</a></p>\n--XX--\n",
	  NULL, "plain part|Go to your bank", 0, NULL, NULL, NULL, "https://evil.example/login", "to your bank", false },
	{ "attachment-b64",
	  "Content-Type: multipart/mixed; boundary=\"b1\"\n\n--b1\nContent-Type: text/plain\n\nsee attached\n"
	  "--b1\nContent-Type: application/pdf; name=\"facture.pdf\"\nContent-Disposition: attachment; filename=\"facture.pdf\"\n"
	  "Content-Transfer-Encoding: base64\n\n" B64_EICARISH "\n--b1--\n",
	  NULL, "see attached", 1, "facture.pdf", "application/pdf", "application/x-msdownload", NULL, NULL, false },
	{ "rfc2231-filename",
	  "Content-Type: multipart/mixed; boundary=b\n\n--b\nContent-Type: application/octet-stream\n"
	  "Content-Disposition: attachment; filename*=UTF-8''re%C3%A7u.txt\n\nhello\n--b--\n",
	  NULL, "", 1, "reçu.txt", "application/octet-stream", "text/plain", NULL, NULL, false },
	{ "nested-rfc822",
	  "Content-Type: multipart/mixed; boundary=o\n\n--o\nContent-Type: message/rfc822\n\n"
	  "Subject: inner subject\nContent-Type: multipart/mixed; boundary=i\n\n--i\nContent-Type: text/plain\n\ninner body\n"
	  "--i\nContent-Type: application/zip\nContent-Disposition: attachment; filename=a.zip\n\nPK\x03\x04zz\n--i--\n--o--\n",
	  NULL, "inner subject|inner body", 1, "a.zip", "application/zip", "application/zip", NULL, NULL, false },
	{ "html-attachment-reduced",
	  "Content-Type: multipart/mixed; boundary=b\n\n--b\nContent-Type: text/html\nContent-Disposition: attachment; filename=login.html\n\n"
	  "<form action=\"https://collect.example/p\"><input type=password></form>\n--b--\n",
	  NULL, "", 1, "login.html", "text/html", "text/html", "https://collect.example/p", "", false },
	{ "truncated-multipart",
	  "Content-Type: multipart/mixed; boundary=b\n\n--b\nContent-Type: text/plain\n\ncut here",
	  NULL, "cut here", 0, NULL, NULL, NULL, NULL, NULL, false },
	{ "no-boundary", "Content-Type: multipart/mixed\n\n--b\nContent-Type: text/plain\n\nx\n--b--\n",
	  NULL, NULL, 0, NULL, NULL, NULL, NULL, NULL, true },
	{ "duplicated-boundaries",
	  "Content-Type: multipart/mixed; boundary=b\n\n--b\n--b\n--b\nContent-Type: text/plain\n\nlast\n--b--\n--b--\n",
	  NULL, NULL, 0, NULL, NULL, NULL, NULL, NULL, false },
	{ "no-headers", "\njust a body\n", NULL, "just a body\n", 0, NULL, NULL, NULL, NULL, NULL, false },
	{ "not-mail", "\x01\x02\x03 binary junk \xff\xfe", NULL, NULL, 0, NULL, NULL, NULL, NULL, NULL, false },
};

static void test_cases(void)
{
	for (size_t i = 0; i < G_N_ELEMENTS(cases); i++) {
		const mime_case *tc = &cases[i];
		g_test_message("case %s", tc->name);
		vigie_message *m = parse(tc->raw, 0);
		if (tc->subject)
			g_assert_cmpstr(vigie_message_header(m, "Subject"), ==, tc->subject);
		if (tc->text) {
			char *t = all_text(m);
			g_assert_cmpstr(t, ==, tc->text);
			g_free(t);
		}
		g_assert_cmpuint(m->attachments->len, ==, tc->attachments);
		if (tc->att_name) {
			vigie_attachment *a = g_ptr_array_index(m->attachments, 0);
			g_assert_cmpstr(a->name, ==, tc->att_name);
			g_assert_cmpstr(a->declared_type, ==, tc->att_declared);
			g_assert_cmpstr(a->sniffed_type, ==, tc->att_sniffed);
		}
		if (tc->link_href) {
			const vigie_link *l = NULL;
			for (guint j = 0; !l && j < m->texts->len; j++) {
				const vigie_text *t = g_ptr_array_index(m->texts, j);
				if (t->links->len)
					l = g_ptr_array_index(t->links, 0);
			}
			g_assert_nonnull(l);
			g_assert_cmpstr(l->href, ==, tc->link_href);
			g_assert_cmpstr(l->text, ==, tc->link_text);
		}
		if (tc->problems)
			g_assert_cmpuint(m->problems->len, >, 0);
		for (guint j = 0; j < m->texts->len; j++) {
			const vigie_text *t = g_ptr_array_index(m->texts, j);
			g_assert_true(g_utf8_validate(t->text, -1, NULL));
		}
		vigie_message_free(m);
	}
}

static void test_empty(void)
{
	GError *err = NULL;
	g_assert_null(vigie_message_from_mime("", 0, NULL, &err));
	g_assert_error(err, VIGIE_ERROR, VIGIE_ERROR_INPUT);
	g_error_free(err);
}

static void test_envelope(void)
{
	const char *rcpt[] = { "agent@cc.example", "boss@cc.example", NULL };
	vigie_mail_envelope env = { "192.0.2.1", "helo.example", "x@y.example", rcpt, "4ABC123" };
	vigie_message *m = vigie_message_from_mime("Subject: s\n\nb\n", 14, &env, NULL);
	g_assert_cmpstr(m->env.client_addr, ==, "192.0.2.1");
	g_assert_cmpstr(m->env.queue_id, ==, "4ABC123");
	g_assert_cmpuint(m->env.rcpt_to->len, ==, 2);
	g_assert_cmpstr(g_ptr_array_index(m->env.rcpt_to, 1), ==, "boss@cc.example");
	gsize n;
	g_bytes_get_data(m->raw, &n);
	g_assert_cmpuint(n, ==, 14);
	vigie_message_free(m);
}

/* hostile structure: each must parse within limits, without crashing */
static void test_many_parts(void)
{
	GString *s = g_string_new("Content-Type: multipart/mixed; boundary=z\n\n");
	for (int i = 0; i < 10000; i++)
		g_string_append_printf(s, "--z\nContent-Type: application/octet-stream\n\npart %d\n", i);
	g_string_append(s, "--z--\n");
	vigie_message *m = parse(s->str, s->len);
	/* the default [core] max_parts: the root and 1,999 parts */
	g_assert_cmpuint(m->parts, ==, 2000);
	g_assert_cmpuint(m->attachments->len, ==, 1999);
	const GPtrArray *gaps = message_parse_of(m)->gaps;
	g_assert_cmpuint(gaps->len, ==, 1);
	const message_gap *g = g_ptr_array_index(gaps, 0);
	g_assert_cmpstr(g->limit, ==, "max_parts");
	g_assert_cmpstr(g->where, ==, "part 1.2000");
	g_assert_cmpstr(g->detail, ==, "more than 2000 MIME parts: 8001 not analysed");
	g_assert_false(g->risky);
	vigie_message_free(m);
	g_string_free(s, TRUE);
}

typedef struct {
	const char *name;
	mime_limits lim;
	const char *raw;
	const char *limit; /* the one gap expected, or NULL for none */
	const char *where;
	bool risky;
} limit_case;

static const limit_case limit_cases[] = {
	{ "within", { 10, 5, 1024 }, "Content-Type: text/plain\n\nshort\n", NULL, NULL, false },
	{ "text", { 10, 5, 4 }, "Content-Type: text/plain\n\nlonger than four\n", "max_text", "part 1", false },
	{ "parts, exe beyond", { 3, 5, 1024 },
	  "Content-Type: multipart/mixed; boundary=b\n\n--b\n\none\n--b\n\ntwo\n"
	  "--b\nContent-Type: application/octet-stream; name=x.exe\n\nMZ\n--b--\n",
	  "max_parts", "part 1.3", true },
	{ "depth, zip below", { 10, 1, 1024 },
	  "Content-Type: multipart/mixed; boundary=a\n\n--a\n"
	  "Content-Type: multipart/mixed; boundary=b\n\n--b\n"
	  "Content-Type: application/zip\n\nPK\n--b--\n--a--\n",
	  "max_depth", "part 1.1.1", true },
	{ "depth, rfc822", { 10, 1, 1024 },
	  "Content-Type: multipart/mixed; boundary=a\n\n--a\nContent-Type: message/rfc822\n\n"
	  "Subject: inner\n\ntext\n--a--\n",
	  "max_depth", "part 1.1.1", false },
};

/* test_limits - each limit cut gives one gap naming it and the part */
static void test_limits(void)
{
	for (size_t i = 0; i < G_N_ELEMENTS(limit_cases); i++) {
		const limit_case *tc = &limit_cases[i];
		vigie_message *m = mime_parse(tc->raw, strlen(tc->raw), NULL, &tc->lim, NULL);
		g_assert_nonnull(m);
		const GPtrArray *gaps = message_parse_of(m)->gaps;
		if (!tc->limit) {
			g_assert_cmpuint(gaps->len, ==, 0);
		} else {
			if (gaps->len != 1)
				g_error("case %s: %u gaps", tc->name, gaps->len);
			const message_gap *g = g_ptr_array_index(gaps, 0);
			g_assert_cmpstr(g->limit, ==, tc->limit);
			g_assert_cmpstr(g->where, ==, tc->where);
			g_assert_cmpint(g->risky, ==, tc->risky);
		}
		/* walked again under the default limits, nothing is cut */
		mime_limits def;
		mime_limits_default(&def);
		vigie_message *again = mime_reparse(m, &def);
		if (tc->limit) {
			g_assert_nonnull(again);
			g_assert_cmpuint(message_parse_of(again)->gaps->len, ==, 0);
		}
		vigie_message_free(again);
		vigie_message_free(m);
	}
}

static void test_huge_header(void)
{
	GString *s = g_string_new("Subject: ");
	for (int i = 0; i < 1024 * 1024; i++)
		g_string_append_c(s, 'A' + i % 26);
	g_string_append(s, "\nFrom: x@y.example\n\nbody\n");
	vigie_message *m = parse(s->str, s->len);
	g_assert_cmpuint(strlen(vigie_message_header(m, "Subject")), ==, 1024 * 1024);
	g_assert_cmpstr(vigie_message_header(m, "From"), ==, "x@y.example");
	vigie_message_free(m);
	g_string_free(s, TRUE);
}

static void test_nul_and_invalid_utf8(void)
{
	static const char raw[] = "Subject: a\xff\xfe b\nFrom: \xc3\x28@x\n\nhello\0world \xf0\x28\x8c\x28 end\n";
	vigie_message *m = parse(raw, sizeof raw - 1);
	g_assert_true(g_utf8_validate(vigie_message_header(m, "Subject"), -1, NULL));
	char *t = all_text(m);
	g_assert_true(g_utf8_validate(t, -1, NULL));
	g_assert_nonnull(strstr(t, "hello"));
	g_assert_nonnull(strstr(t, "end"));
	g_free(t);
	vigie_message_free(m);
}

static void test_deep_nesting(void)
{
	GString *s = g_string_new(NULL);
	for (int i = 0; i < 2000; i++)
		g_string_append_printf(s, "Content-Type: message/rfc822\n\n");
	g_string_append(s, "Subject: bottom\n\nbottom body\n");
	vigie_message *m = parse(s->str, s->len);
	g_assert_cmpuint(m->parts, <=, 64);
	vigie_message_free(m);
	g_string_truncate(s, 0);
	for (int i = 0; i < 2000; i++)
		g_string_append_printf(s, "Content-Type: multipart/mixed; boundary=b%d\n\n--b%d\n", i, i);
	g_string_append(s, "Content-Type: text/plain\n\nleaf\n");
	m = parse(s->str, s->len);
	g_assert_cmpuint(m->problems->len, >, 0);
	vigie_message_free(m);
	g_string_free(s, TRUE);
}

int main(int argc, char **argv)
{
	g_test_init(&argc, &argv, NULL);
	GError *err = NULL;
	g_assert_true(vigie_global_init(&err));
	g_test_add_func("/mime/cases", test_cases);
	g_test_add_func("/mime/empty", test_empty);
	g_test_add_func("/mime/envelope", test_envelope);
	g_test_add_func("/mime/many-parts", test_many_parts);
	g_test_add_func("/mime/limits", test_limits);
	g_test_add_func("/mime/huge-header", test_huge_header);
	g_test_add_func("/mime/nul-invalid-utf8", test_nul_and_invalid_utf8);
	g_test_add_func("/mime/deep-nesting", test_deep_nesting);
	return g_test_run();
}
