/* bench_reload.c - what reloads cost a long-running process: time per
 * reload and resident memory after each, with a 1,000,000-entry URL
 * blocklist (as vigied's SIGHUP does: vigie_slot_reload).
 *
 *   bench_reload CONFIG [RELOADS] [thread]
 *
 * Writes 500,000 URLs and 500,000 domains in the feed formats to a
 * temporary folder, and a copy of CONFIG beside it (same folder, so its
 * relative paths hold) whose [urls] feeds is that folder; builds the
 * engine, then reloads RELOADS times (20 by default) and prints the
 * reload time and VmRSS after the first, the fifth, the tenth and the
 * last, and the peak (VmHWM). With "thread", the reloads run on a thread
 * of their own, as vigied's SIGHUP thread runs them, while another thread
 * scans a message on the current engine in a loop: the engines are then
 * built in another malloc arena than the main thread's, and an old engine
 * is sometimes freed by the scanning thread's last reference.
 */
#include "vigie.h"

#include <glib/gstdio.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* bench_status_kb - a "Vm...:" line of /proc/self/status, in KB */
static long bench_status_kb(const char *key)
{
	char *s = NULL;
	long kb = -1;
	if (g_file_get_contents("/proc/self/status", &s, NULL, NULL)) {
		const char *p = strstr(s, key);
		if (p)
			kb = strtol(p + strlen(key), NULL, 10);
	}
	g_free(s);
	return kb;
}

/* bench_feeds - the synthetic feeds folder; caller removes and g_free */
static char *bench_feeds(void)
{
	char *dir = g_dir_make_tmp("vigie-bench-reload-XXXXXX", NULL);
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
	g_free(fu);
	g_free(fd);
	return dir;
}

/* bench_config - CONFIG with [urls] feeds = feeds, written beside it */
static char *bench_config(const char *config, const char *feeds)
{
	char *text;
	if (!g_file_get_contents(config, &text, NULL, NULL))
		return NULL;
	GString *o = g_string_new(NULL);
	char **ls = g_strsplit(text, "\n", -1);
	bool in_urls = false;
	for (int i = 0; ls[i]; i++) {
		if (ls[i][0] == '[')
			in_urls = !strcmp(ls[i], "[urls]");
		if (in_urls && g_str_has_prefix(ls[i], "feeds"))
			continue;
		g_string_append_printf(o, "%s\n", ls[i]);
		if (!strcmp(ls[i], "[urls]"))
			g_string_append_printf(o, "feeds = %s\n", feeds);
	}
	g_strfreev(ls);
	g_free(text);
	char *dir = g_path_get_dirname(config);
	char *path = g_build_filename(dir, ".bench-reload.conf", NULL);
	g_file_set_contents(path, o->str, (gssize)o->len, NULL);
	g_string_free(o, TRUE);
	g_free(dir);
	return path;
}

typedef struct {
	vigie_slot *slot;
	const char *conf;
	int reloads;
	int failed;	   /* set by the reloading thread */
	gint stop;	   /* the scanning thread stops when set */
	guint64 scans;
} bench_run;

/* bench_reloads - RELOADS reloads, printing as they go */
static gpointer bench_reloads(gpointer p)
{
	bench_run *r = p;
	GError *err = NULL;
	double total = 0;
	for (int i = 1; i <= r->reloads; i++) {
		gint64 t0 = g_get_monotonic_time();
		if (!vigie_slot_reload(r->slot, r->conf, &err)) {
			fprintf(stderr, "bench_reload: %s\n", err->message);
			r->failed = 1;
			return NULL;
		}
		double ms = (double)(g_get_monotonic_time() - t0) / 1000.0;
		total += ms;
		if (i == 1 || i == 5 || i == 10 || i == r->reloads) {
			long now = bench_status_kb("VmRSS:");
			/* a scan in flight may hold the old engine: its last
			 * reference frees it a moment later */
			g_usleep(200 * 1000);
			printf("reload %2d: %4.0f ms, RSS %.1f MB, %.1f MB 0.2 s later\n", i, ms,
			       now / 1024.0, bench_status_kb("VmRSS:") / 1024.0);
		}
	}
	printf("%d reloads: %.0f ms mean; RSS %.1f MB, peak %.1f MB\n", r->reloads,
	       total / r->reloads, bench_status_kb("VmRSS:") / 1024.0,
	       bench_status_kb("VmHWM:") / 1024.0);
	return NULL;
}

/* bench_scans - a chat message scanned on the current engine until told to stop */
static gpointer bench_scans(gpointer p)
{
	bench_run *r = p;
	static const char json[] = "{\"text\": \"hello, see http://host7.phish-7.example/path/ now\"}";
	while (!g_atomic_int_get(&r->stop)) {
		vigie_message *m = vigie_message_from_chat_json(json, strlen(json), NULL);
		vigie_engine *e = vigie_slot_get(r->slot);
		if (e && m)
			vigie_verdict_free(vigie_scan(e, m));
		vigie_engine_unref(e);
		vigie_message_free(m);
		r->scans++;
	}
	return NULL;
}

int main(int argc, char **argv)
{
	if (argc < 2) {
		fprintf(stderr, "usage: bench_reload CONFIG [RELOADS] [thread]\n");
		return 2;
	}
	int reloads = argc > 2 ? atoi(argv[2]) : 20;
	bool threaded = argc > 3 && !strcmp(argv[3], "thread");
	GError *err = NULL;
	if (!vigie_global_init(&err)) {
		fprintf(stderr, "bench_reload: %s\n", err->message);
		return 2;
	}
	char *feeds = bench_feeds();
	char *conf = bench_config(argv[1], feeds);
	vigie_engine *e = conf ? vigie_engine_load(conf, &err) : NULL;
	if (!e) {
		fprintf(stderr, "bench_reload: %s\n", err ? err->message : "no configuration");
		return 2;
	}
	printf("engine: %.0f ms, RSS %.1f MB\n", vigie_engine_load_ms(e),
	       bench_status_kb("VmRSS:") / 1024.0);
	vigie_slot *s = vigie_slot_new(e);
	bench_run run = {s, conf, reloads, 0, 0, 0};
	if (threaded) {
		GThread *scan = g_thread_new("scan", bench_scans, &run);
		GThread *reload = g_thread_new("reload", bench_reloads, &run);
		g_thread_join(reload);
		g_atomic_int_set(&run.stop, 1);
		g_thread_join(scan);
		printf("(reloads on their own thread, %" G_GUINT64_FORMAT
		       " scans meanwhile on another; RSS after both ended %.1f MB)\n",
		       run.scans, bench_status_kb("VmRSS:") / 1024.0);
	} else {
		bench_reloads(&run);
	}
	if (run.failed)
		return 2;
	vigie_slot_free(s);
	g_unlink(conf);
	char *cmd = g_strdup_printf("rm -rf '%s'", feeds);
	(void)!system(cmd);
	g_free(cmd);
	g_free(conf);
	g_free(feeds);
	return 0;
}
