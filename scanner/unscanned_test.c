/* unscanned_test.c - unscanned is never clean: carriers of the EICAR test
 * string past each limit, built at run time, scanned with real libclamav.
 *
 * Each carrier used to be released with no finding (issue 11). Each must
 * now give a scan.incomplete.LIMIT finding whose evidence names the limit
 * and whose "where" names the part, and a verdict that is not release. The
 * limits are lowered in the test configuration where the carrier would
 * otherwise take long to build or scan (a zip bomb of 1.5 MB rather than
 * 1 GB, an attachment of 100 KB rather than 30 MB).
 */
#include "internal.h"

#include <glib/gstdio.h>
#include <string.h>
#include <zlib.h>

static char *tmpdir;

#define EICAR "X5O!P%@AP[4\\PZX54(P^)7CC)7}$EICAR-STANDARD-ANTIVIRUS-TEST-FILE!$H+H*"

/* ---- a zip writer: stored or deflated members, enough for libclamav ---- */
typedef struct {
	GByteArray *out, *cd;
	guint n;
} zipw;

static void put16(GByteArray *b, guint v)
{
	guint8 x[2] = { v & 0xff, (v >> 8) & 0xff };
	g_byte_array_append(b, x, 2);
}

static void put32(GByteArray *b, guint32 v)
{
	put16(b, v & 0xffff);
	put16(b, v >> 16);
}

static zipw *zip_new(void)
{
	zipw *z = g_new0(zipw, 1);
	z->out = g_byte_array_new();
	z->cd = g_byte_array_new();
	return z;
}

/* zip_add - one member; packed: compressed (zlib, raw deflate) */
static void zip_add(zipw *z, const char *name, const void *data, gsize len, bool packed)
{
	guint32 crc = (guint32)crc32(0, data, (uInt)len);
	GByteArray *body = g_byte_array_new();
	if (packed) {
		z_stream s = { 0 };
		g_assert_cmpint(deflateInit2(&s, 9, Z_DEFLATED, -15, 8, Z_DEFAULT_STRATEGY), ==, Z_OK);
		uLong bound = deflateBound(&s, (uLong)len);
		g_byte_array_set_size(body, (guint)bound);
		s.next_in = (Bytef *)data;
		s.avail_in = (uInt)len;
		s.next_out = body->data;
		s.avail_out = (uInt)bound;
		g_assert_cmpint(deflate(&s, Z_FINISH), ==, Z_STREAM_END);
		g_byte_array_set_size(body, (guint)s.total_out);
		deflateEnd(&s);
	} else {
		g_byte_array_append(body, data, (guint)len);
	}
	guint32 offset = z->out->len;
	guint nl = (guint)strlen(name);
	put32(z->out, 0x04034b50);
	put16(z->out, 20);
	put16(z->out, 0);
	put16(z->out, packed ? 8 : 0);
	put16(z->out, 0);
	put16(z->out, 0x21); /* 1980-01-01 */
	put32(z->out, crc);
	put32(z->out, body->len);
	put32(z->out, (guint32)len);
	put16(z->out, nl);
	put16(z->out, 0);
	g_byte_array_append(z->out, (const guint8 *)name, nl);
	g_byte_array_append(z->out, body->data, body->len);
	put32(z->cd, 0x02014b50);
	put16(z->cd, 20);
	put16(z->cd, 20);
	put16(z->cd, 0);
	put16(z->cd, packed ? 8 : 0);
	put16(z->cd, 0);
	put16(z->cd, 0x21);
	put32(z->cd, crc);
	put32(z->cd, body->len);
	put32(z->cd, (guint32)len);
	put16(z->cd, nl);
	put16(z->cd, 0);
	put16(z->cd, 0);
	put16(z->cd, 0);
	put16(z->cd, 0);
	put32(z->cd, 0);
	put32(z->cd, offset);
	g_byte_array_append(z->cd, (const guint8 *)name, nl);
	g_byte_array_unref(body);
	z->n++;
}

/* zip_finish - the archive's bytes; frees z */
static GBytes *zip_finish(zipw *z)
{
	guint32 cd_at = z->out->len;
	g_byte_array_append(z->out, z->cd->data, z->cd->len);
	put32(z->out, 0x06054b50);
	put16(z->out, 0);
	put16(z->out, 0);
	put16(z->out, z->n);
	put16(z->out, z->n);
	put32(z->out, z->cd->len);
	put32(z->out, cd_at);
	put16(z->out, 0);
	g_byte_array_unref(z->cd);
	GBytes *b = g_byte_array_free_to_bytes(z->out);
	g_free(z);
	return b;
}

/* ---- the carriers ---------------------------------------------------- */

/* EICAR then len bytes of filler (the signature is anchored at offset 0) */
static GBytes *eicar_padded(gsize len, char fill)
{
	GByteArray *b = g_byte_array_new();
	g_byte_array_append(b, (const guint8 *)EICAR, strlen(EICAR));
	gsize at = b->len;
	g_byte_array_set_size(b, (guint)(at + len));
	memset(b->data + at, fill, len);
	return g_byte_array_free_to_bytes(b);
}

static GBytes *eicar_file(void)
{
	return g_bytes_new_static(EICAR, strlen(EICAR));
}

static GBytes *zip_one(const char *name, GBytes *member, bool deflate)
{
	zipw *z = zip_new();
	gsize len;
	const void *d = g_bytes_get_data(member, &len);
	zip_add(z, name, d, len, deflate);
	g_bytes_unref(member);
	return zip_finish(z);
}

static GBytes *make_big_attachment(void)
{
	return eicar_padded(100 * 1024, ' ');
}

static GBytes *make_big_zip(void)
{
	GBytes *inner = eicar_padded(100 * 1024, ' ');
	return zip_one("eicar.com", inner, false);
}

static GBytes *make_nested_zips(void)
{
	GBytes *b = zip_one("eicar.com", eicar_file(), false);
	for (int i = 1; i < 20; i++) {
		char *name = g_strdup_printf("level%d.zip", i);
		b = zip_one(name, b, false);
		g_free(name);
	}
	return b;
}

static GBytes *make_many_files(void)
{
	zipw *z = zip_new();
	for (int i = 0; i < 10000; i++) {
		char name[32];
		g_snprintf(name, sizeof name, "f%05d.txt", i);
		zip_add(z, name, "hello\n", 6, false);
	}
	zip_add(z, "zz-eicar.com", EICAR, strlen(EICAR), false);
	return zip_finish(z);
}

static GBytes *make_zip_bomb(void)
{
	/* 1.5 MB that deflates to a few KB: past max_scan_size 1M */
	return zip_one("bomb.txt", eicar_padded(1536 * 1024, '\0'), true);
}

/* an attachment part named name holding data */
static char *attachment_part(const char *boundary, const char *name, GBytes *data)
{
	gsize len;
	const guchar *d = g_bytes_get_data(data, &len);
	char *b64 = g_base64_encode(d, len);
	GString *s = g_string_new(NULL);
	g_string_append_printf(s,
			       "--%s\nContent-Type: application/octet-stream\n"
			       "Content-Disposition: attachment; filename=\"%s\"\n"
			       "Content-Transfer-Encoding: base64\n\n",
			       boundary, name);
	for (const char *p = b64; *p; p += MIN(strlen(p), 76)) {
		g_string_append_len(s, p, (gssize)MIN(strlen(p), 76));
		g_string_append_c(s, '\n');
	}
	g_free(b64);
	return g_string_free(s, FALSE);
}

/* a mail with a text part and one attachment */
static GString *mail_with(const char *name, GBytes *data)
{
	GString *s = g_string_new("From: x@example.org\nSubject: test\nMIME-Version: 1.0\n"
				  "Content-Type: multipart/mixed; boundary=B\n\n"
				  "--B\nContent-Type: text/plain\n\nhello\n");
	char *part = attachment_part("B", name, data);
	g_string_append(s, part);
	g_string_append(s, "--B--\n");
	g_free(part);
	return s;
}

static GString *mail_attachment(const char *name, GBytes *(*make)(void))
{
	GBytes *b = make();
	GString *s = mail_with(name, b);
	g_bytes_unref(b);
	return s;
}

static GString *mail_big_attachment(void) { return mail_attachment("big.bin", make_big_attachment); }
static GString *mail_big_zip(void) { return mail_attachment("big.zip", make_big_zip); }
static GString *mail_nested_zips(void) { return mail_attachment("nested.zip", make_nested_zips); }
static GString *mail_many_files(void) { return mail_attachment("many.zip", make_many_files); }
static GString *mail_zip_bomb(void) { return mail_attachment("bomb.zip", make_zip_bomb); }

/* message/rfc822 nested 50 deep, EICAR attached to the innermost */
static GString *mail_nested_rfc822(void)
{
	GBytes *e = eicar_file();
	GString *inner = mail_with("eicar.com", e);
	g_bytes_unref(e);
	for (int i = 0; i < 50; i++) {
		GString *outer = g_string_new(NULL);
		g_string_append_printf(outer,
				       "From: x@example.org\nSubject: level %d\nMIME-Version: 1.0\n"
				       "Content-Type: multipart/mixed; boundary=L%d\n\n"
				       "--L%d\nContent-Type: message/rfc822\n\n%s\n--L%d--\n",
				       i, i, i, inner->str, i);
		g_string_free(inner, TRUE);
		inner = outer;
	}
	return inner;
}

/* 9,000 small parts, then EICAR as part 9,001 */
static GString *mail_part_9001(void)
{
	GString *s = g_string_new("From: x@example.org\nSubject: test\nMIME-Version: 1.0\n"
				  "Content-Type: multipart/mixed; boundary=B\n\n");
	for (int i = 0; i < 9000; i++)
		g_string_append_printf(s, "--B\nContent-Type: text/plain\n\nfiller %d\n", i);
	GBytes *e = eicar_file();
	char *part = attachment_part("B", "eicar.com", e);
	g_bytes_unref(e);
	g_string_append(s, part);
	g_string_append(s, "--B--\n");
	g_free(part);
	return s;
}

/* ---- the cases ------------------------------------------------------- */

typedef struct {
	const char *name;
	GString *(*mail)(void);
	const char *core, *av, *policy; /* keys added to the test configuration */
	const char *rule;     /* expected scan.incomplete finding */
	const char *category;
	const char *evidence; /* substring: names the limit */
	const char *where;    /* substring: names the part */
	VigieAction action;
	bool eicar;           /* Vigie.Test.EICAR found as well */
} carrier_case;

#define SMALL_FILES NULL, "max_file_size = 64K\n"
#define BOMB_LIMITS NULL, "max_scan_size = 1M\nmax_file_size = 2M\n"

static const carrier_case cases[] = {
	{ "oversized attachment", mail_big_attachment, SMALL_FILES, NULL, "scan.incomplete.max_file_size",
	  "unscanned", "limit [av] max_file_size (65536)", "attachment big.bin (part 1.2)",
	  VIGIE_ACTION_TAG, false },
	{ "oversized stored zip", mail_big_zip, SMALL_FILES, NULL, "scan.incomplete.max_file_size",
	  "unscanned-executable", "limit [av] max_file_size", "attachment big.zip (part 1.2)",
	  VIGIE_ACTION_QUARANTINE, false },
	{ "zips nested 20 deep", mail_nested_zips, NULL, NULL, NULL, "scan.incomplete.max_recursion",
	  "unscanned-executable", "limit [av] max_recursion (16)", "attachment nested.zip",
	  VIGIE_ACTION_QUARANTINE, false },
	{ "zip with 10,001 files", mail_many_files, NULL, NULL, NULL, "scan.incomplete.max_files",
	  "unscanned-executable", "limit [av] max_files (10000)", "attachment many.zip",
	  VIGIE_ACTION_QUARANTINE, false },
	{ "zip bomb", mail_zip_bomb, BOMB_LIMITS, NULL, "scan.incomplete.max_scan_size",
	  "unscanned-executable", "limit [av] max_scan_size (1048576)", "attachment bomb.zip",
	  VIGIE_ACTION_QUARANTINE, false },
	{ "rfc822 nested 50 deep", mail_nested_rfc822, NULL, NULL, NULL, "scan.incomplete.max_depth",
	  "unscanned-executable", "limit [core] max_depth: MIME nesting deeper than 24", "part 1",
	  VIGIE_ACTION_QUARANTINE, false },
	{ "MIME part 9,001", mail_part_9001, NULL, NULL, NULL, "scan.incomplete.max_parts",
	  "unscanned-executable", "limit [core] max_parts: more than 2000 MIME parts", "part 1.2000",
	  VIGIE_ACTION_QUARANTINE, false },
	/* the limits come from the configuration: raised, the walk reaches it */
	{ "MIME part 9,001, max_parts 10000", mail_part_9001, "max_parts = 10000\n", NULL, NULL, NULL,
	  NULL, NULL, NULL, VIGIE_ACTION_QUARANTINE, true },
	{ "rfc822 nested 50 deep, max_depth 200", mail_nested_rfc822, "max_depth = 200\n", NULL, NULL,
	  NULL, NULL, NULL, NULL, VIGIE_ACTION_QUARANTINE, true },
	/* the action comes from the configuration too */
	{ "oversized attachment, on_unscanned quarantine", mail_big_attachment,
	  SMALL_FILES, "on_unscanned = quarantine\n", "scan.incomplete.max_file_size",
	  "unscanned", "max_file_size", "attachment big.bin", VIGIE_ACTION_QUARANTINE, false },
	{ "nested zips, release-with-finding, weight 0", mail_nested_zips,
	  NULL, NULL, "on_unscanned_executable = release-with-finding\nunscanned_weight = 0\n",
	  "scan.incomplete.max_recursion", "unscanned-executable", "max_recursion",
	  "attachment nested.zip", VIGIE_ACTION_RELEASE, false },
};

static const vigie_finding *find_rule(const vigie_verdict *v, const char *rule)
{
	for (guint i = 0; i < v->findings->len; i++) {
		const vigie_finding *f = g_ptr_array_index(v->findings, i);
		if (!strcmp(f->rule, rule))
			return f;
	}
	return NULL;
}

/* a configuration of ClamAV alone with the EICAR signature; extra keys
 * for [core], [av] and [policy] */
static char *write_config(guint n, const char *core, const char *av, const char *policy)
{
	char *path = g_strdup_printf("%s/c%u.conf", tmpdir, n);
	char *text = g_strdup_printf("[core]\nsignatures = %s\n%s[av]\nbundled = %s/clamav\n"
				     "system_database = off\n%s[policy]\n%s[lexicon]\nenabled = no\n"
				     "[urls]\nenabled = no\n[sender]\nenabled = no\n"
				     "[structure]\nenabled = no\n[attach]\nenabled = no\n[phone]\nenabled = no\n[intent]\nmodel_enabled = no\n",
				     tmpdir, core ? core : "", tmpdir, av ? av : "",
				     policy ? policy : "");
	g_assert_true(g_file_set_contents(path, text, -1, NULL));
	g_free(text);
	return path;
}

static void test_carriers(void)
{
	for (guint i = 0; i < G_N_ELEMENTS(cases); i++) {
		const carrier_case *tc = &cases[i];
		gint64 t0 = g_get_monotonic_time();
		char *conf = write_config(i, tc->core, tc->av, tc->policy);
		GError *err = NULL;
		vigie_engine *e = vigie_engine_load(conf, &err);
		g_assert_no_error(err);
		GString *raw = tc->mail();
		vigie_message *m = vigie_message_from_mime(raw->str, raw->len, NULL, NULL);
		vigie_verdict *v = vigie_scan(e, m);
		char *json = vigie_verdict_to_json(v, tc->name);
		g_test_message("%s: %s", tc->name, json);
		g_assert_null(v->error);
		if (v->action != tc->action)
			g_error("%s: action %s, expected %s", tc->name, vigie_action_name(v->action),
				vigie_action_name(tc->action));
		if (tc->rule) {
			const vigie_finding *f = find_rule(v, tc->rule);
			if (!f)
				g_error("%s: no %s finding: %s", tc->name, tc->rule, json);
			g_assert_cmpstr(f->category, ==, tc->category);
			if (!strstr(f->evidence, tc->evidence) || !strstr(f->where, tc->where))
				g_error("%s: evidence '%s' / where '%s' lack '%s' / '%s'", tc->name,
					f->evidence, f->where, tc->evidence, tc->where);
		}
		if (tc->eicar && !find_rule(v, "av.Vigie.Test.EICAR"))
			g_error("%s: EICAR not found: %s", tc->name, json);
		g_test_message("%s: %.0f ms", tc->name, (g_get_monotonic_time() - t0) / 1000.0);
		g_free(json);
		vigie_verdict_free(v);
		vigie_message_free(m);
		g_string_free(raw, TRUE);
		vigie_engine_unref(e);
		g_free(conf);
	}
}

/* a mail within every limit gives no scan.incomplete finding */
static void test_within_limits(void)
{
	char *conf = write_config(100, NULL, NULL, NULL);
	vigie_engine *e = vigie_engine_load(conf, NULL);
	g_assert_nonnull(e);
	GBytes *z = zip_one("eicar.com", eicar_file(), true);
	GString *raw = mail_with("fine.zip", z);
	g_bytes_unref(z);
	vigie_message *m = vigie_message_from_mime(raw->str, raw->len, NULL, NULL);
	vigie_verdict *v = vigie_scan(e, m);
	g_assert_nonnull(find_rule(v, "av.Vigie.Test.EICAR"));
	for (guint i = 0; i < v->findings->len; i++) {
		const vigie_finding *f = g_ptr_array_index(v->findings, i);
		g_assert_false(g_str_has_prefix(f->rule, "scan.incomplete"));
	}
	vigie_verdict_free(v);
	vigie_message_free(m);
	g_string_free(raw, TRUE);
	vigie_engine_unref(e);
	g_free(conf);
}

int main(int argc, char **argv)
{
	g_test_init(&argc, &argv, NULL);
	GError *err = NULL;
	g_assert_true(vigie_global_init(&err));
	tmpdir = g_dir_make_tmp("vigie-unscanned-XXXXXX", NULL);
	/* the EICAR signature of the bundled set, alone; an empty rule folder
	 * for every analyser that loads one from [core] signatures */
	const char *src = g_getenv("VIGIE_SRCDIR") ? g_getenv("VIGIE_SRCDIR") : VIGIE_SRCDIR;
	char *sig_src = g_build_filename(src, "signatures", "clamav", "vigie-test.ndb", NULL);
	char *sig = NULL;
	g_assert_true(g_file_get_contents(sig_src, &sig, NULL, NULL));
	char *dir = g_build_filename(tmpdir, "clamav", NULL);
	g_mkdir(dir, 0700);
	char *sig_dst = g_build_filename(dir, "vigie-test.ndb", NULL);
	g_assert_true(g_file_set_contents(sig_dst, sig, -1, NULL));
	char *intent = g_build_filename(tmpdir, "intent", NULL);
	g_mkdir(intent, 0700);
	g_test_add_func("/unscanned/carriers", test_carriers);
	g_test_add_func("/unscanned/within-limits", test_within_limits);
	int rc = g_test_run();
	g_unlink(sig_dst);
	g_rmdir(dir);
	g_rmdir(intent);
	for (guint i = 0; i <= 100; i++) {
		char *p = g_strdup_printf("%s/c%u.conf", tmpdir, i);
		g_unlink(p);
		g_free(p);
	}
	g_rmdir(tmpdir);
	g_free(sig_src);
	g_free(sig);
	g_free(dir);
	g_free(sig_dst);
	g_free(intent);
	g_free(tmpdir);
	return rc;
}
