/* bench_core.c - single-threaded throughput of the scanning core.
 *
 *   bench_core CONFIG DIR...
 *
 * Loads every file of the folders into memory first (so disk is not
 * measured), then times, in one run and on the same messages:
 *   parse   - vigie_message_from_mime only (the baseline of the pipeline)
 *   full    - parse + vigie_scan with every analyser that exists
 * and prints messages/s and MB/s for each, the engine build time, and the
 * process's peak RSS. Each pass is repeated until it has used 2 s of CPU
 * (CPU time of the thread: the machine is shared).
 */
#include "vigie.h"

#include <stdio.h>
#include <string.h>
#include <time.h>
#include <sys/resource.h>

typedef struct {
	GPtrArray *data; /* of GBytes* */
	gsize bytes;
} corpus;

static void bench_load_dir(corpus *c, const char *dir)
{
	GDir *d = g_dir_open(dir, 0, NULL);
	if (!d) {
		fprintf(stderr, "bench: cannot open %s\n", dir);
		return;
	}
	const char *n;
	while ((n = g_dir_read_name(d))) {
		char *p = g_build_filename(dir, n, NULL);
		char *buf;
		gsize len;
		if (g_file_test(p, G_FILE_TEST_IS_REGULAR) && g_file_get_contents(p, &buf, &len, NULL)) {
			g_ptr_array_add(c->data, g_bytes_new_take(buf, len));
			c->bytes += len;
		}
		g_free(p);
	}
	g_dir_close(d);
}

/* bench_cpu_us - this thread's CPU time: the machine is shared, and wall
 * time would measure the neighbours */
static gint64 bench_cpu_us(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
	return (gint64)ts.tv_sec * G_USEC_PER_SEC + ts.tv_nsec / 1000;
}

/* bench_pass - run the pass over the corpus until it has used 2 s of CPU */
static void bench_pass(const char *name, corpus *c, vigie_engine *e, bool scan)
{
	gint64 t0 = bench_cpu_us(), elapsed;
	guint64 msgs = 0, bytes = 0;
	unsigned flagged = 0, rounds = 0;
	do {
		flagged = 0;
		for (guint i = 0; i < c->data->len; i++) {
			gsize len;
			const void *d = g_bytes_get_data(g_ptr_array_index(c->data, i), &len);
			vigie_message *m = vigie_message_from_mime(d, len, NULL, NULL);
			if (m && scan) {
				vigie_verdict *v = vigie_scan(e, m);
				flagged += v->action != VIGIE_ACTION_RELEASE;
				vigie_verdict_free(v);
			}
			vigie_message_free(m);
			msgs++;
			bytes += len;
		}
		rounds++;
		elapsed = bench_cpu_us() - t0;
	} while (elapsed < 2 * G_USEC_PER_SEC);
	double s = (double)elapsed / G_USEC_PER_SEC;
	printf("%-6s %8.0f msg/s  %7.1f MB/s  %7.3f ms/msg  (%u rounds of %u messages", name,
	       (double)msgs / s, (double)bytes / s / 1e6, s * 1e3 / (double)msgs, rounds,
	       c->data->len);
	if (scan)
		printf(", %u flagged per round", flagged);
	printf(")\n");
}

int main(int argc, char **argv)
{
	if (argc < 3) {
		fprintf(stderr, "usage: bench_core CONFIG DIR...\n");
		return 2;
	}
	GError *err = NULL;
	if (!vigie_global_init(&err)) {
		fprintf(stderr, "bench: %s\n", err->message);
		return 2;
	}
	/* build the engine 5 times: report the median */
	double ms[5];
	vigie_engine *e = NULL;
	for (int i = 0; i < 5; i++) {
		vigie_engine_unref(e);
		e = vigie_engine_load(argv[1], &err);
		if (!e) {
			fprintf(stderr, "bench: %s\n", err->message);
			return 2;
		}
		ms[i] = vigie_engine_load_ms(e);
	}
	for (int i = 0; i < 5; i++)
		for (int j = i + 1; j < 5; j++)
			if (ms[j] < ms[i]) {
				double t = ms[i];
				ms[i] = ms[j];
				ms[j] = t;
			}
	printf("engine build: %.1f ms median of 5 (%s)\n", ms[2], vigie_engine_version(e));

	corpus c = { g_ptr_array_new_with_free_func((GDestroyNotify)g_bytes_unref), 0 };
	for (int i = 2; i < argc; i++)
		bench_load_dir(&c, argv[i]);
	if (c.data->len == 0) {
		fprintf(stderr, "bench: no messages\n");
		return 2;
	}
	printf("corpus: %u messages, %.1f MB, mean %.1f KB\n", c.data->len, (double)c.bytes / 1e6,
	       (double)c.bytes / c.data->len / 1024);
	bench_pass("parse", &c, e, false);
	bench_pass("full", &c, e, true);
	struct rusage ru;
	getrusage(RUSAGE_SELF, &ru);
	printf("peak RSS: %.1f MB (corpus held in memory: %.1f MB)\n", ru.ru_maxrss / 1024.0,
	       (double)c.bytes / 1048576.0);
	vigie_engine_unref(e);
	g_ptr_array_unref(c.data);
	return 0;
}
