/* bench_urls.c - the URL analyser's costs, single-threaded.
 *
 *   bench_urls CONFIG [DIR...]
 *
 * 1. Blocklist load: writes 1,000,000 synthetic entries (500,000 URLs in
 *    the one-URL-per-line feed format and 500,000 domains) to a temporary
 *    folder, loads them, and prints the load time and the growth of the
 *    process's resident memory; then times 1,000,000 lookups.
 * 2. With DIRs: parses every mail of the folders first (not timed), then
 *    times URL extraction + every URL check (url_scan) on them, repeated
 *    until 2 s have passed, and prints messages/s and URLs found per
 *    message.
 */
#include "url.h"

#include <glib/gstdio.h>
#include <stdio.h>
#include <string.h>
#include <sys/resource.h>

/* bench_cpu_ms - CPU time (user + system) used so far */
static double bench_cpu_ms(void)
{
	struct rusage ru;
	getrusage(RUSAGE_SELF, &ru);
	return (double)(ru.ru_utime.tv_sec + ru.ru_stime.tv_sec) * 1000.0 +
	       (double)(ru.ru_utime.tv_usec + ru.ru_stime.tv_usec) / 1000.0;
}

/* bench_rss_kb - current resident set size */
static long bench_rss_kb(void)
{
	char *s = NULL;
	long kb = -1;
	if (g_file_get_contents("/proc/self/status", &s, NULL, NULL)) {
		const char *p = strstr(s, "VmRSS:");
		if (p)
			kb = strtol(p + 6, NULL, 10);
	}
	g_free(s);
	return kb;
}

static void bench_lists(void)
{
	char *dir = g_dir_make_tmp("vigie-bench-XXXXXX", NULL);
	char *fu = g_build_filename(dir, "synthetic.urls", NULL);
	char *fd = g_build_filename(dir, "synthetic.domains", NULL);
	GString *u = g_string_new(NULL), *d = g_string_new(NULL);
	for (int i = 0; i < 500000; i++) {
		g_string_append_printf(u,
				       "http://host%d.phish-%d.example/path/%x/login.php?id=%d\n",
				       i, i % 9973, (unsigned)i * 2654435761u, i);
		g_string_append_printf(d, "bad-%d-%x.example\n", i, (unsigned)i * 40503u);
	}
	g_file_set_contents(fu, u->str, (gssize)u->len, NULL);
	g_file_set_contents(fd, d->str, (gssize)d->len, NULL);
	g_string_free(u, TRUE);
	g_string_free(d, TRUE);

	url_registrable_domain("warm.example"); /* the public suffix list, once */
	long rss0 = bench_rss_kb();
	double cpu0 = bench_cpu_ms();
	gint64 t0 = g_get_monotonic_time();
	url_lists *l = url_lists_new();
	GError *err = NULL;
	if (!url_lists_load_file(l, fu, &err) || !url_lists_load_file(l, fd, &err)) {
		fprintf(stderr, "bench_urls: %s\n", err->message);
		exit(1);
	}
	double ms = (double)(g_get_monotonic_time() - t0) / 1000.0;
	double cpu = bench_cpu_ms() - cpu0;
	long rss1 = bench_rss_kb();
	printf("blocklist load: %u entries in %.0f ms (%.0f ms CPU), RSS +%.1f MB\n",
	       url_lists_size(l), ms, cpu, (double)(rss1 - rss0) / 1024.0);

	url_parts *probe[4] = {
	    NULL,
	    NULL,
	    url_normalise("https://www.example.com/nothing/here"),
	    url_normalise("http://192.0.2.1/x"),
	};
	char *s = g_strdup_printf("http://host123.phish-123.example/path/%x/login.php?id=123",
				  123u * 2654435761u);
	probe[0] = url_normalise(s);
	g_free(s);
	s = g_strdup_printf("https://a.b.bad-77-%x.example/x", 77u * 40503u);
	probe[1] = url_normalise(s);
	g_free(s);
	t0 = g_get_monotonic_time();
	unsigned hits = 0;
	for (int i = 0; i < 1000000; i++) {
		const char *how;
		hits += url_lists_match(l, probe[i & 3], &how) != NULL;
	}
	ms = (double)(g_get_monotonic_time() - t0) / 1000.0;
	printf("blocklist lookups: 1000000 in %.0f ms (%.3f us each, %u hits)\n", ms, ms / 1000.0,
	       hits);
	for (int i = 0; i < 4; i++)
		url_parts_free(probe[i]);
	url_lists_free(l);
	g_unlink(fu);
	g_unlink(fd);
	g_rmdir(dir);
	g_free(fu);
	g_free(fd);
	g_free(dir);
}

static void bench_load_dir(GPtrArray *msgs, const char *dir)
{
	GDir *d = g_dir_open(dir, 0, NULL);
	const char *n;
	while (d && (n = g_dir_read_name(d))) {
		char *p = g_build_filename(dir, n, NULL);
		char *buf;
		gsize len;
		if (g_file_test(p, G_FILE_TEST_IS_REGULAR) &&
		    g_file_get_contents(p, &buf, &len, NULL)) {
			vigie_message *m = vigie_message_from_mime(buf, len, NULL, NULL);
			if (m)
				g_ptr_array_add(msgs, m);
			g_free(buf);
		}
		g_free(p);
	}
	if (d)
		g_dir_close(d);
}

static void bench_scan(const char *config, char **dirs, int ndirs)
{
	GError *err = NULL;
	if (!vigie_global_init(&err)) {
		fprintf(stderr, "bench_urls: %s\n", err->message);
		exit(1);
	}
	vigie_config *c = vigie_config_load(config, &err);
	url_engine *u = c ? url_engine_load(c, &err) : NULL;
	if (!u) {
		fprintf(stderr, "bench_urls: %s\n", err->message);
		exit(1);
	}
	GPtrArray *msgs = g_ptr_array_new_with_free_func((GDestroyNotify)vigie_message_free);
	for (int i = 0; i < ndirs; i++)
		bench_load_dir(msgs, dirs[i]);
	if (!msgs->len)
		return;
	guint64 urls = 0;
	for (guint i = 0; i < msgs->len; i++) {
		GPtrArray *f = url_extract_message(g_ptr_array_index(msgs, i), 100000);
		urls += f->len;
		g_ptr_array_unref(f);
	}
	gint64 t0 = g_get_monotonic_time(), el;
	guint64 n = 0;
	do {
		for (guint i = 0; i < msgs->len; i++) {
			vigie_verdict *v = verdict_new(VIGIE_CHANNEL_MAIL);
			scan_ctx *sc = scan_ctx_new(g_ptr_array_index(msgs, i), u);
			url_scan(u, sc, v, NULL);
			scan_ctx_free(sc);
			vigie_verdict_free(v);
			n++;
		}
		el = g_get_monotonic_time() - t0;
	} while (el < 2000000);
	printf("url extraction + checks: %u messages, %.1f URLs each, %.0f msg/s (%.3f ms each)\n",
	       msgs->len, (double)urls / msgs->len, (double)n * 1e6 / (double)el,
	       (double)el / 1000.0 / (double)n);
	g_ptr_array_unref(msgs);
	url_engine_free(u);
	vigie_config_free(c);
}

int main(int argc, char **argv)
{
	if (argc < 2) {
		fprintf(stderr, "usage: bench_urls CONFIG [DIR...]\n");
		return 2;
	}
	bench_lists();
	if (argc > 2)
		bench_scan(argv[1], argv + 2, argc - 2);
	return 0;
}
