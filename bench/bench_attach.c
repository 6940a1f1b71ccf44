/* bench_attach.c - what the attachment content analyser costs per file, by
 * kind: time per file (the mean of repeated decodes after one warm-up) and
 * the peak memory of decoding it (each kind in a child process of its own:
 * its peak RSS less the child's RSS before the first decode).
 *
 *   bench_attach [SECONDS]      each kind repeated for SECONDS (default 1)
 *   bench_attach --corpus ON.conf OFF.conf DIR...
 *                               every mail of the folders scanned with both
 *                               engines in turn, message by message (so the
 *                               machine's noise falls on both alike), three
 *                               rounds; prints each engine's CPU time per
 *                               message and the ratio
 *
 * Files, made here (attach_fixtures.h): a QR code in PNG, JPEG and GIF at
 * 4 pixels a module (a typical inline image, 196 x 196), the same in a
 * 1200 x 800 photo-sized PNG, a one-page PDF of text (rendered: little
 * text), a PDF of one link, a PDF page that is one QR picture, a 20-page
 * PDF of text, a docx with a hyperlink, and the hostile ones (50,000 x
 * 50,000 PNG header, a 6 MB XML zip bomb, 10,000 empty pages).
 */
#include "attach.h"
#include "attach_fixtures.h"

#include <stdlib.h>
#include <sys/resource.h>
#include <time.h>
#include <sys/wait.h>
#include <unistd.h>

#define URL "https://account-verify.example-secure.top/login?id=8841"

static GBytes *png_qr(unsigned scale, unsigned pad_w, unsigned pad_h)
{
	fx_grey q = fx_qr(URL, scale, false);
	if (pad_w) {
		fx_grey big = {g_malloc((gsize)pad_w * pad_h), pad_w, pad_h};
		/* a photo-like gradient around the code */
		for (unsigned y = 0; y < pad_h; y++)
			for (unsigned x = 0; x < pad_w; x++)
				big.px[y * pad_w + x] = (guint8)(128 + ((x * 7 + y * 3) % 97));
		for (unsigned y = 0; y < q.h; y++)
			memcpy(big.px + (gsize)(y + 100) * pad_w + 100, q.px + (gsize)y * q.w, q.w);
		g_free(q.px);
		q = big;
	}
	GBytes *b = fx_png(&q);
	g_free(q.px);
	return b;
}

static GBytes *mk(const char *kind)
{
	fx_grey q = fx_qr(URL, 4, false);
	GBytes *b = NULL;
	static const char *const text[] = {"Invoice 2026-114 for consulting services",
					   "Total due: 1,200.00 EUR", NULL};
	if (!strcmp(kind, "png-qr"))
		b = fx_png(&q);
	else if (!strcmp(kind, "jpeg-qr"))
		b = fx_jpeg(&q);
	else if (!strcmp(kind, "gif-qr"))
		b = fx_gif(&q);
	else if (!strcmp(kind, "png-1200x800"))
		b = png_qr(4, 1200, 800);
	else if (!strcmp(kind, "pdf-text"))
		b = fx_pdf(text, NULL, NULL, NULL);
	else if (!strcmp(kind, "pdf-link"))
		b = fx_pdf(text, "https://mail-quota.example.top/upgrade", "Upgrade", NULL);
	else if (!strcmp(kind, "pdf-qr-page"))
		b = fx_pdf(NULL, NULL, NULL, &q);
	else if (!strcmp(kind, "pdf-long-text")) {
		GPtrArray *lines = g_ptr_array_new_with_free_func(g_free);
		for (int i = 0; i < 40; i++)
			g_ptr_array_add(
			    lines,
			    g_strdup_printf(
				"Line %d of the quarterly report, with enough words to count.", i));
		g_ptr_array_add(lines, NULL);
		b = fx_pdf((const char *const *)lines->pdata, NULL, NULL, NULL);
		g_ptr_array_unref(lines);
	} else if (!strcmp(kind, "docx-link"))
		b = fx_docx("Please review the attached payment schedule.",
			    "https://docs.example.top/d/7");
	else if (!strcmp(kind, "png-50000x50000"))
		b = fx_png_huge(50000, 50000);
	else if (!strcmp(kind, "docx-bomb-6MB"))
		b = fx_docx_bomb(6);
	else if (!strcmp(kind, "pdf-10000-pages"))
		b = fx_pdf_pages(10000);
	g_free(q.px);
	return b;
}

static long rss_kb(void)
{
	long kb = 0;
	FILE *f = fopen("/proc/self/statm", "r");
	long pages = 0, res = 0;
	if (f && fscanf(f, "%ld %ld", &pages, &res) == 2)
		kb = res * (sysconf(_SC_PAGESIZE) / 1024);
	if (f)
		fclose(f);
	return kb;
}

static void run(const char *kind, double secs)
{
	GBytes *b = mk(kind);
	gsize n;
	const guint8 *d = g_bytes_get_data(b, &n);
	attach_limits l;
	attach_limits_default(&l);
	long before = rss_kb();
	const char *k;
	attach_out *o = attach_file(d, n, &l, g_get_monotonic_time() + 60 * G_USEC_PER_SEC, &k);
	char *what = g_strdup(o->qr->len      ? "qr"
			      : o->links->len ? "link"
			      : o->limit      ? o->limit
			      : o->error      ? "error"
					      : "-");
	attach_out_free(o);
	unsigned reps = 0;
	gint64 t0 = g_get_monotonic_time(), t;
	do {
		o = attach_file(d, n, &l, g_get_monotonic_time() + 60 * G_USEC_PER_SEC, &k);
		attach_out_free(o);
		reps++;
		t = g_get_monotonic_time();
	} while (t - t0 < secs * G_USEC_PER_SEC);
	struct rusage ru;
	getrusage(RUSAGE_SELF, &ru);
	printf("%-18s %9" G_GSIZE_FORMAT " %9.3f %9ld  %s\n", kind, n,
	       (double)(t - t0) / 1000.0 / reps, ru.ru_maxrss - before, what);
	g_bytes_unref(b);
	g_free(what);
}

/* cpu_us - this thread's CPU time */
static gint64 cpu_us(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
	return (gint64)ts.tv_sec * 1000000 + ts.tv_nsec / 1000;
}

static int corpus(int argc, char **argv)
{
	g_assert_true(vigie_global_init(NULL));
	GError *err = NULL;
	vigie_engine *on = vigie_engine_load(argv[2], &err),
		     *off = on ? vigie_engine_load(argv[3], &err) : NULL;
	if (!on || !off) {
		fprintf(stderr, "bench_attach: %s\n", err->message);
		return 2;
	}
	GPtrArray *mails = g_ptr_array_new_with_free_func((GDestroyNotify)g_bytes_unref);
	for (int i = 4; i < argc; i++) {
		GDir *d = g_dir_open(argv[i], 0, NULL);
		const char *n;
		while (d && (n = g_dir_read_name(d))) {
			char *p = g_build_filename(argv[i], n, NULL), *text;
			gsize len;
			if (g_file_get_contents(p, &text, &len, NULL))
				g_ptr_array_add(mails, g_bytes_new_take(text, len));
			g_free(p);
		}
		if (d)
			g_dir_close(d);
	}
	gint64 t_on = 0, t_off = 0;
	for (int round = 0; round < 3; round++)
		for (guint i = 0; i < mails->len; i++) {
			gsize len;
			const char *raw = g_bytes_get_data(g_ptr_array_index(mails, i), &len);
			for (int k = 0; k < 2; k++) {
				vigie_engine *e = (k + i + round) % 2 ? on : off;
				gint64 t0 = cpu_us();
				vigie_message *m = vigie_message_from_mime(raw, len, NULL, NULL);
				if (m) {
					vigie_verdict *v = vigie_scan(e, m);
					vigie_verdict_free(v);
					vigie_message_free(m);
				}
				*(e == on ? &t_on : &t_off) += cpu_us() - t0;
			}
		}
	double n = 3.0 * mails->len;
	printf("%u mails, 3 rounds, CPU per mail: %.3f ms with %s, %.3f ms with %s: %+.1f%%\n",
	       mails->len, t_on / n / 1000.0, argv[2], t_off / n / 1000.0, argv[3],
	       100.0 * (t_on - t_off) / t_off);
	g_ptr_array_unref(mails);
	vigie_engine_unref(on);
	vigie_engine_unref(off);
	return 0;
}

int main(int argc, char **argv)
{
	if (argc >= 5 && !strcmp(argv[1], "--corpus"))
		return corpus(argc, argv);
	double secs = argc > 1 ? atof(argv[1]) : 1.0;
	static const char *const kinds[] = {"png-qr",	       "jpeg-qr",	"gif-qr",
					    "png-1200x800",    "pdf-text",	"pdf-link",
					    "pdf-qr-page",     "pdf-long-text", "docx-link",
					    "png-50000x50000", "docx-bomb-6MB", "pdf-10000-pages"};
	printf("%-18s %9s %9s %9s  %s\n", "file", "bytes", "ms/file", "peak KB", "found");
	fflush(stdout);
	for (gsize i = 0; i < G_N_ELEMENTS(kinds); i++) {
		pid_t p = fork();
		if (p == 0) {
			run(kinds[i], secs);
			fflush(stdout);
			_exit(0);
		}
		int st;
		waitpid(p, &st, 0);
	}
	return 0;
}
