/* attach_test.c - the attachment content analyser on files made here:
 * QR codes in PNG, JPEG and GIF (plain, rotated, small), PDFs with a link
 * annotation, text only, a page that is one QR picture, active content,
 * 10,000 pages, a docx with a hyperlink, and hostile files (truncated PNG,
 * 50,000 x 50,000 PNG, XML zip bomb, garbage). Each case asserts the exact
 * QR payload, link, text, fact, limit or error the decoder reports. Then
 * three mails through the engine of the shipped configuration (what
 * `vigie scan` runs): a QR-only lure and a PDF-button lure are flagged, a
 * plain PDF invoice is not. "attach_test --write-mails DIR" writes those
 * mails for tests/attach_cli_test.sh, which checks the same through the
 * vigie command.
 */
#include "attach.h"
#include "attach_fixtures.h"

#include <glib/gstdio.h>
#include <string.h>

#define QR_URL "https://account-verify.example-secure.top/login?id=8841"

typedef GBytes *(*fx_make)(void);

static GBytes *mk_png(void)
{
	fx_grey g = fx_qr(QR_URL, 4, false);
	GBytes *b = fx_png(&g);
	g_free(g.px);
	return b;
}
static GBytes *mk_png_rotated_small(void)
{
	fx_grey g = fx_qr(QR_URL, 2, true);
	GBytes *b = fx_png(&g);
	g_free(g.px);
	return b;
}
static GBytes *mk_jpeg(void)
{
	fx_grey g = fx_qr(QR_URL, 4, false);
	GBytes *b = fx_jpeg(&g);
	g_free(g.px);
	return b;
}
static GBytes *mk_webp(void)
{
	fx_grey g = fx_qr(QR_URL, 3, true);
	GBytes *b = fx_webp(&g);
	g_free(g.px);
	return b;
}
static GBytes *mk_gif(void)
{
	fx_grey g = fx_qr("WIFI:S:guest;T:WPA;P:hunter22;;", 3, false);
	GBytes *b = fx_gif(&g);
	g_free(g.px);
	return b;
}
static GBytes *mk_png_truncated(void)
{
	GBytes *full = mk_png();
	GBytes *half = g_bytes_new_from_bytes(full, 0, g_bytes_get_size(full) / 2);
	g_bytes_unref(full);
	return half;
}
static GBytes *mk_png_huge(void)
{
	return fx_png_huge(50000, 50000);
}
static GBytes *mk_png_blank(void)
{
	fx_grey g = {g_malloc(100 * 100), 100, 100};
	memset(g.px, 255, 100 * 100);
	GBytes *b = fx_png(&g);
	g_free(g.px);
	return b;
}
static GBytes *mk_pdf_link(void)
{
	static const char *const lines[] = {"Your mailbox is almost full.", NULL};
	return fx_pdf(lines, "https://mail-quota.example.top/upgrade", "Upgrade now", NULL);
}
static GBytes *mk_pdf_text(void)
{
	static const char *const lines[] = {"Invoice 2026-114 for consulting services",
					    "Total due: 1,200.00 EUR",
					    "Payment by bank transfer within 30 days.", NULL};
	return fx_pdf(lines, NULL, NULL, NULL);
}
static GBytes *mk_pdf_qr(void)
{
	fx_grey g = fx_qr(QR_URL, 4, false);
	GBytes *b = fx_pdf(NULL, NULL, NULL, &g);
	g_free(g.px);
	return b;
}
static GBytes *mk_pdf_active(void)
{
	return fx_pdf_active();
}
static GBytes *mk_pdf_10000(void)
{
	return fx_pdf_pages(10000);
}
static GBytes *mk_pdf_garbage(void)
{
	return g_bytes_new_static("%PDF-1.4\nthis is not a PDF at all\n", 34);
}
static GBytes *mk_docx(void)
{
	return fx_docx("Please review the attached payment schedule.",
		       "https://docs-share.example.top/d/77");
}
static GBytes *mk_docx_qr(void)
{
	GBytes *png = mk_png();
	GBytes *b = fx_docx_picture("Scan to sign the amendment", png);
	g_bytes_unref(png);
	return b;
}
static GBytes *mk_docx_bomb(void)
{
	return fx_docx_bomb(6);
}

typedef struct {
	const char *name;
	fx_make make;
	const char *kind;      /* expected kind, NULL: not read at all */
	const char *qr;	       /* a QR payload expected, or NULL for none */
	const char *link;      /* a link href expected, or NULL for none */
	const char *link_text; /* its visible text (NULL: not checked) */
	const char *text;      /* a substring of the text, or NULL */
	const char *fact;      /* a fact expected, or NULL for none */
	const char *limit;     /* the limit hit, or NULL for none */
	bool error;	       /* undecodable */
} attach_case;

static const attach_case cases[] = {
    {"png", mk_png, "png", QR_URL, NULL, NULL, NULL, NULL, NULL, false},
    {"png-rotated-small", mk_png_rotated_small, "png", QR_URL, NULL, NULL, NULL, NULL, NULL, false},
    {"jpeg", mk_jpeg, "jpeg", QR_URL, NULL, NULL, NULL, NULL, NULL, false},
    {"webp-rotated", mk_webp, "webp", QR_URL, NULL, NULL, NULL, NULL, NULL, false},
    {"gif-text", mk_gif, "gif", "WIFI:S:guest;T:WPA;P:hunter22;;", NULL, NULL, NULL, NULL, NULL,
     false},
    {"png-blank", mk_png_blank, "png", NULL, NULL, NULL, NULL, NULL, NULL, false},
    {"png-truncated", mk_png_truncated, "png", NULL, NULL, NULL, NULL, NULL, NULL, true},
    {"png-50000x50000", mk_png_huge, "png", NULL, NULL, NULL, NULL, NULL, "max_pixels", false},
    {"pdf-link", mk_pdf_link, "pdf", NULL, "https://mail-quota.example.top/upgrade", "Upgrade now",
     "mailbox is almost full", NULL, NULL, false},
    {"pdf-text", mk_pdf_text, "pdf", NULL, NULL, NULL, "Total due: 1,200.00 EUR", NULL, NULL,
     false},
    {"pdf-qr-page", mk_pdf_qr, "pdf", QR_URL, NULL, NULL, NULL, NULL, NULL, false},
    {"pdf-active", mk_pdf_active, "pdf", NULL, NULL, NULL, "enable content", "javascript", NULL,
     false},
    {"pdf-active-launch", mk_pdf_active, "pdf", NULL, NULL, NULL, NULL, "launch", NULL, false},
    {"pdf-active-form", mk_pdf_active, "pdf", NULL, NULL, NULL, NULL, "form", NULL, false},
    {"pdf-10000-pages", mk_pdf_10000, "pdf", NULL, NULL, NULL, NULL, NULL, "max_pages", false},
    {"pdf-garbage", mk_pdf_garbage, "pdf", NULL, NULL, NULL, NULL, NULL, NULL, true},
    {"docx", mk_docx, "docx", NULL, "https://docs-share.example.top/d/77", NULL, "payment schedule",
     NULL, NULL, false},
    {"docx-qr-picture", mk_docx_qr, "docx", QR_URL, NULL, NULL, "sign the amendment", NULL, NULL,
     false},
    {"docx-xml-bomb", mk_docx_bomb, "docx", NULL, NULL, NULL, NULL, NULL, "max_inflate", false},
};

static bool has_str(GPtrArray *a, const char *s)
{
	for (guint i = 0; i < a->len; i++)
		if (!strcmp(g_ptr_array_index(a, i), s))
			return true;
	return false;
}

static void test_decoders(void)
{
	attach_limits l;
	attach_limits_default(&l);
	l.max_inflate = 4 << 20; /* the bomb inflates to 6 MB */
	for (gsize i = 0; i < G_N_ELEMENTS(cases); i++) {
		const attach_case *tc = &cases[i];
		g_test_message("case %s", tc->name);
		GBytes *b = tc->make();
		gsize n;
		const guint8 *d = g_bytes_get_data(b, &n);
		const char *kind = NULL;
		gint64 t0 = g_get_monotonic_time();
		attach_out *o = attach_file(d, n, &l, t0 + 10 * G_USEC_PER_SEC, &kind);
		gint64 ms = (g_get_monotonic_time() - t0) / 1000;
		g_test_message(
		    "  %s: %" G_GINT64_FORMAT " ms, %u qr, %u links, %u facts, limit %s, error %s",
		    tc->name, ms, o ? o->qr->len : 0, o ? o->links->len : 0, o ? o->facts->len : 0,
		    o && o->limit ? o->limit : "-", o && o->error ? o->error : "-");
		g_assert_cmpstr(kind, ==, tc->kind);
		g_assert_nonnull(o);
		if (tc->qr) {
			g_assert_cmpuint(o->qr->len, ==, 1);
			g_assert_cmpstr(g_ptr_array_index(o->qr, 0), ==, tc->qr);
		} else {
			g_assert_cmpuint(o->qr->len, ==, 0);
		}
		if (tc->link) {
			g_assert_cmpuint(o->links->len, ==, 1);
			const vigie_link *lk = g_ptr_array_index(o->links, 0);
			g_assert_cmpstr(lk->href, ==, tc->link);
			if (tc->link_text)
				g_assert_cmpstr(lk->text, ==, tc->link_text);
		} else {
			g_assert_cmpuint(o->links->len, ==, 0);
		}
		if (tc->text)
			g_assert_nonnull(strstr(o->text->str, tc->text));
		if (tc->fact)
			g_assert_true(has_str(o->facts, tc->fact));
		else if (strncmp(tc->name, "pdf-active", 10))
			g_assert_cmpuint(o->facts->len, ==, 0);
		g_assert_cmpstr(o->limit, ==, tc->limit);
		g_assert_true((o->error != NULL) == tc->error);
		/* hostile files are refused fast, not after working through them */
		g_assert_cmpint(ms, <, 5000);
		attach_out_free(o);
		g_bytes_unref(b);
	}
}

/* a file none of the decoders reads is left alone */
static void test_not_ours(void)
{
	attach_limits l;
	attach_limits_default(&l);
	const char *kind = "x";
	static const char *const zip_entries[] = {"a.txt", "hello"};
	GBytes *z = fx_zip(zip_entries, NULL, 1);
	gsize n;
	const guint8 *d = g_bytes_get_data(z, &n);
	g_assert_null(attach_file(d, n, &l, g_get_monotonic_time() + G_USEC_PER_SEC, &kind));
	g_assert_null(kind);
	g_assert_null(
	    attach_file((const guint8 *)"plain text", 10, &l, g_get_monotonic_time(), &kind));
	g_bytes_unref(z);
}

/* ---- mails through the engine of etc/vigie.conf ---- */

static vigie_engine *eng;

/* a mail with body text and one base64 attachment */
static char *mail_with(const char *subject, const char *body, const char *type, const char *name,
		       GBytes *att)
{
	gsize n;
	const guint8 *d = g_bytes_get_data(att, &n);
	char *b64 = g_base64_encode(d, n);
	GString *wrapped = g_string_new(NULL);
	for (gsize i = 0, len = strlen(b64); i < len; i += 76)
		g_string_append_printf(wrapped, "%.76s\n", b64 + i);
	char *m = g_strdup_printf(
	    "Received: from mx.example.org by mx.example.net; Wed, 2 Dec 2026 06:00:00 +0000\n"
	    "From: Accounts <accounts@supplier-example.com>\nTo: bob@example.net\n"
	    "Subject: %s\nDate: Wed, 2 Dec 2026 05:59:00 +0000\nMessage-ID: "
	    "<x1.2@supplier-example.com>\n"
	    "MIME-Version: 1.0\nContent-Type: multipart/mixed; boundary=\"b\"\n\n"
	    "--b\nContent-Type: text/plain; charset=utf-8\n\n%s\n\n"
	    "--b\nContent-Type: %s; name=\"%s\"\nContent-Disposition: attachment; filename=\"%s\"\n"
	    "Content-Transfer-Encoding: base64\n\n%s--b--\n",
	    subject, body, type, name, name, wrapped->str);
	g_free(b64);
	g_string_free(wrapped, TRUE);
	return m;
}

typedef struct {
	const char *name;
	const char *subject, *body, *type, *file;
	fx_make make;
	bool flagged;
	const char *rule; /* a finding expected, or NULL */
} mail_case;

static const mail_case mails[] = {
    {"qr-only lure", "Document shared with you",
     "Scan the code with your phone to read the document.", "image/png", "scan.png", mk_png, true,
     "attach.qr-url"},
    {"pdf-button lure", "Mailbox notice", "See the attached notice.", "application/pdf",
     "notice.pdf", mk_pdf_link, true, "attach.pdf-lure"},
    {"benign pdf invoice", "Invoice 2026-114",
     "Hello Bob, please find our invoice attached. Regards, Anne", "application/pdf",
     "invoice-2026-114.pdf", mk_pdf_text, false, NULL},
};

static void test_mails(void)
{
	for (gsize i = 0; i < G_N_ELEMENTS(mails); i++) {
		const mail_case *tc = &mails[i];
		GBytes *att = tc->make();
		char *raw = mail_with(tc->subject, tc->body, tc->type, tc->file, att);
		vigie_message *m = vigie_message_from_mime(raw, strlen(raw), NULL, NULL);
		g_assert_nonnull(m);
		guint texts = m->texts->len;
		vigie_verdict *v = vigie_scan(eng, m);
		char *json = vigie_verdict_to_json(v, tc->name);
		g_test_message("%s: %s", tc->name, json);
		g_assert_null(v->error);
		g_assert_true((v->action != VIGIE_ACTION_RELEASE) == tc->flagged);
		bool seen = false;
		for (guint k = 0; k < v->findings->len; k++) {
			const vigie_finding *f = g_ptr_array_index(v->findings, k);
			seen |= tc->rule && !strcmp(f->rule, tc->rule);
			g_assert_false(g_str_has_prefix(f->rule, "scan.incomplete"));
		}
		g_assert_true(seen == (tc->rule != NULL));
		/* the texts the analyser added are gone again */
		g_assert_cmpuint(m->texts->len, ==, texts);
		g_free(json);
		vigie_verdict_free(v);
		vigie_message_free(m);
		g_free(raw);
		g_bytes_unref(att);
	}
}

/* an image written into the HTML as a data: URL is read like an attachment */
static void test_data_url(void)
{
	GBytes *png = mk_png();
	gsize n;
	const guint8 *d = g_bytes_get_data(png, &n);
	char *b64 = g_base64_encode(d, n);
	char *raw =
	    g_strdup_printf("From: it@example.org\nTo: bob@example.net\nSubject: MFA\n"
			    "MIME-Version: 1.0\nContent-Type: text/html\n\n<html><body><p>Scan "
			    "this code</p><img src=\"data:image/png;base64,%s\"></body></html>\n",
			    b64);
	vigie_message *m = vigie_message_from_mime(raw, strlen(raw), NULL, NULL);
	vigie_verdict *v = vigie_scan(eng, m);
	const vigie_finding *qr = NULL;
	for (guint k = 0; k < v->findings->len; k++) {
		const vigie_finding *f = g_ptr_array_index(v->findings, k);
		if (!strcmp(f->rule, "attach.qr-url"))
			qr = f;
	}
	g_assert_nonnull(qr);
	g_assert_cmpstr(qr->evidence, ==, QR_URL);
	g_assert_cmpstr(qr->where, ==, "QR code in attachment 1 (image written in part 1)");
	vigie_verdict_free(v);
	vigie_message_free(m);
	g_free(raw);
	g_free(b64);
	g_bytes_unref(png);
}

/* the message's limits: past [attach] max_attachments the rest is a
 * scan.incomplete finding naming the limit and the first file not read */
static void test_message_limits(void)
{
	const char *src = g_getenv("VIGIE_SRCDIR") ? g_getenv("VIGIE_SRCDIR") : VIGIE_SRCDIR;
	char *conf_path = g_build_filename(src, "etc", "vigie.conf", NULL);
	char *text = NULL;
	g_assert_true(g_file_get_contents(conf_path, &text, NULL, NULL));
	char *sigs = g_strdup_printf("= %s/signatures", src);
	char **parts = g_strsplit(text, "= ../signatures", -1);
	char *abs = g_strjoinv(sigs, parts);
	char **p2 = g_strsplit(abs, "max_attachments = 32", -1);
	g_assert_cmpuint(g_strv_length(p2), ==, 2);
	char *limited = g_strjoinv("max_attachments = 1", p2);
	char *dir = g_dir_make_tmp("vigie-attach-XXXXXX", NULL);
	char *path = g_build_filename(dir, "vigie.conf", NULL);
	g_assert_true(g_file_set_contents(path, limited, -1, NULL));
	GError *err = NULL;
	vigie_engine *e = vigie_engine_load(path, &err);
	g_assert_no_error(err);
	GBytes *png = mk_png();
	char *one = mail_with("Two codes", "Scan either code.", "image/png", "a.png", png);
	/* the same mail with a second image part before the closing boundary */
	gsize n;
	const guint8 *d = g_bytes_get_data(png, &n);
	char *b64 = g_base64_encode(d, n);
	char *second = g_strdup_printf("--b\nContent-Type: image/png; name=\"b.png\"\n"
				       "Content-Disposition: attachment; filename=\"b.png\"\n"
				       "Content-Transfer-Encoding: base64\n\n%s\n--b--\n",
				       b64);
	char *end = strstr(one, "--b--\n");
	g_assert_nonnull(end);
	*end = '\0';
	char *raw = g_strconcat(one, second, NULL);
	vigie_message *m = vigie_message_from_mime(raw, strlen(raw), NULL, NULL);
	vigie_verdict *v = vigie_scan(e, m);
	const vigie_finding *lim = NULL;
	for (guint k = 0; k < v->findings->len; k++) {
		const vigie_finding *f = g_ptr_array_index(v->findings, k);
		if (!strcmp(f->rule, "scan.incomplete.max_attachments"))
			lim = f;
	}
	g_assert_nonnull(lim);
	g_assert_cmpstr(lim->category, ==, "unscanned");
	g_assert_cmpstr(lim->where, ==, "part 1.3");
	g_assert_true(
	    g_str_has_prefix(lim->evidence, "limit [attach] max_attachments: 1 attachments"));
	g_assert_cmpint(v->action, !=, VIGIE_ACTION_RELEASE);
	vigie_verdict_free(v);
	vigie_message_free(m);
	vigie_engine_unref(e);
	g_unlink(path);
	g_rmdir(dir);
	g_free(raw);
	g_free(second);
	g_free(b64);
	g_free(one);
	g_bytes_unref(png);
	g_free(path);
	g_free(dir);
	g_free(limited);
	g_strfreev(p2);
	g_free(abs);
	g_strfreev(parts);
	g_free(sigs);
	g_free(text);
	g_free(conf_path);
}

/* write_mails - the mails of test_mails as DIR/NAME.eml, for the test of
 * the same verdicts through the vigie command (tests/attach_cli_test.sh) */
static int write_mails(const char *dir)
{
	for (gsize i = 0; i < G_N_ELEMENTS(mails); i++) {
		const mail_case *tc = &mails[i];
		GBytes *att = tc->make();
		char *raw = mail_with(tc->subject, tc->body, tc->type, tc->file, att);
		char *name = g_strdelimit(g_strdup(tc->name), " ", '-');
		char *path = g_strdup_printf("%s/%s.eml", dir, name);
		if (!g_file_set_contents(path, raw, -1, NULL))
			return 1;
		printf("%s %s %s\n", path, tc->flagged ? "flagged" : "release",
		       tc->rule ? tc->rule : "-");
		g_free(path);
		g_free(name);
		g_free(raw);
		g_bytes_unref(att);
	}
	return 0;
}

int main(int argc, char **argv)
{
	if (argc == 3 && !strcmp(argv[1], "--write-mails"))
		return write_mails(argv[2]);
	g_test_init(&argc, &argv, NULL);
	g_assert_true(vigie_global_init(NULL));
	char *conf =
	    g_build_filename(g_getenv("VIGIE_SRCDIR") ? g_getenv("VIGIE_SRCDIR") : VIGIE_SRCDIR,
			     "etc", "vigie.conf", NULL);
	g_test_add_func("/attach/decoders", test_decoders);
	g_test_add_func("/attach/not-ours", test_not_ours);
	g_test_add_func("/attach/mails", test_mails);
	g_test_add_func("/attach/data-url", test_data_url);
	g_test_add_func("/attach/message-limits", test_message_limits);
	GError *err = NULL;
	eng = vigie_engine_load(conf, &err);
	g_assert_no_error(err);
	int rc = g_test_run();
	vigie_engine_unref(eng);
	g_free(conf);
	return rc;
}
