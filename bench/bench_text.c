/* bench_text.c - what text costs the scanning core, by size and kind.
 *
 *   bench_text CONFIG [DIR]
 *
 * Builds, in memory, mails of one text part of 1 KB, 100 KB and 10 MB,
 * plain and HTML, from the text of the mails of DIR (their texts joined,
 * repeated as needed; a fixed paragraph when DIR is absent), and chat
 * messages of 100 bytes and 1 KB (ASCII, no link, no number: the fast
 * path's case, and the same with a link). Each is parsed once, then
 * vigie_scan runs on it until it has used 1 s of CPU (3 runs at least);
 * the figures are the scan alone, in CPU time of the thread (the machine
 * is shared): microseconds per message and MB/s of text.
 * The [core] max_text and [lexicon] max_scan_bytes limits apply as
 * configured (a 10 MB text is cut, and says so in a finding).
 */
#include "vigie.h"

#include <stdio.h>
#include <string.h>
#include <time.h>

static const char *const bench_para =
    "Dear customer, thank you for your message about the delivery of your order. "
    "Our team has checked the file and the parcel left our warehouse on Monday. "
    "Please let us know if anything is missing when it arrives, and we will "
    "arrange a replacement. Bonjour, nous avons bien recu votre demande et "
    "nous revenons vers vous dans les meilleurs delais.\n";

/* bench_source - the joined texts of the mails of dir (or bench_para) */
static GString *bench_source(const char *dir)
{
	GString *s = g_string_new(NULL);
	GDir *d = dir ? g_dir_open(dir, 0, NULL) : NULL;
	const char *n;
	while (d && (n = g_dir_read_name(d)) && s->len < 4 * 1024 * 1024) {
		char *p = g_build_filename(dir, n, NULL);
		char *buf;
		gsize len;
		if (g_file_get_contents(p, &buf, &len, NULL)) {
			vigie_message *m = vigie_message_from_mime(buf, len, NULL, NULL);
			for (guint i = 0; m && i < m->texts->len; i++) {
				const vigie_text *t = g_ptr_array_index(m->texts, i);
				g_string_append(s, t->text);
				g_string_append_c(s, '\n');
			}
			vigie_message_free(m);
			g_free(buf);
		}
		g_free(p);
	}
	if (d)
		g_dir_close(d);
	if (!s->len)
		g_string_append(s, bench_para);
	return s;
}

/* bench_body - size bytes of text from src (repeated), cut at a line end;
 * as HTML paragraphs with a link every 20 lines when html */
static GString *bench_body(const GString *src, gsize size, bool html)
{
	GString *b = g_string_new(html ? "<html><body>\n" : NULL);
	gsize pos = 0;
	unsigned line = 0;
	while (b->len < size) {
		const char *start = src->str + pos;
		const char *nl = strchr(start, '\n');
		gsize l = nl ? (gsize)(nl - start) : strlen(start);
		if (html) {
			g_string_append(b, "<p>");
			g_string_append_len(b, start, (gssize)l);
			if (++line % 20 == 0)
				g_string_append(
				    b, " <a href=\"https://www.example.com/account\">here</a>");
			g_string_append(b, "</p>\n");
		} else {
			g_string_append_len(b, start, (gssize)l);
			g_string_append_c(b, '\n');
		}
		pos += l + 1;
		if (pos >= src->len)
			pos = 0;
	}
	g_string_truncate(b, size);
	return b;
}

/* bench_cpu_us - this thread's CPU time: the machine is shared, and wall
 * time would measure the neighbours */
static gint64 bench_cpu_us(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
	return (gint64)ts.tv_sec * G_USEC_PER_SEC + ts.tv_nsec / 1000;
}

/* bench_scan - CPU microseconds per vigie_scan of m */
static double bench_scan(vigie_engine *e, const vigie_message *m, const char **action)
{
	gint64 t0 = bench_cpu_us(), n = 0;
	do {
		vigie_verdict *v = vigie_scan(e, m);
		*action = vigie_action_name(v->action);
		vigie_verdict_free(v);
		n++;
	} while (n < 3 || bench_cpu_us() - t0 < G_USEC_PER_SEC);
	return (double)(bench_cpu_us() - t0) / (double)n;
}

static void bench_mail(vigie_engine *e, const GString *src, gsize size, bool html)
{
	GString *body = bench_body(src, size, html);
	GString *raw = g_string_new(NULL);
	g_string_append_printf(raw,
			       "From: Support <support@example.org>\r\nTo: client@example.net\r\n"
			       "Subject: Your order\r\nMessage-ID: <bench@example.org>\r\n"
			       "Date: Mon, 1 Jun 2026 10:00:00 +0000\r\nMIME-Version: 1.0\r\n"
			       "Content-Type: text/%s; charset=utf-8\r\n"
			       "Content-Transfer-Encoding: 8bit\r\n\r\n",
			       html ? "html" : "plain");
	g_string_append_len(raw, body->str, (gssize)body->len);
	vigie_message *m = vigie_message_from_mime(raw->str, raw->len, NULL, NULL);
	const char *action = "?";
	double us = bench_scan(e, m, &action);
	char label[32];
	g_snprintf(label, sizeof label, "%s %s", html ? "html " : "plain",
		   size >= 1024 * 1024	? "10 MB"
		   : size >= 100 * 1024 ? "100 KB"
					: "1 KB");
	printf("%-14s %10.1f us/scan %8.1f MB/s  (%s)\n", label, us, (double)size / us, action);
	vigie_message_free(m);
	g_string_free(raw, TRUE);
	g_string_free(body, TRUE);
}

static void bench_chat(vigie_engine *e, const char *label, gsize size, bool link)
{
	GString *t = g_string_new(NULL);
	while (t->len < size)
		g_string_append(t,
				"hello, I would like to know when my parcel will arrive please. ");
	g_string_truncate(t, link ? size - 28 : size);
	if (link)
		g_string_append(t, " https://www.example.com/a");
	char *json = g_strdup_printf("{\"text\": \"%s\"}", t->str);
	vigie_message *m = vigie_message_from_chat_json(json, strlen(json), NULL);
	if (!m) {
		fprintf(stderr, "bench_text: chat message not parsed\n");
		return;
	}
	const char *action = "?";
	double us = bench_scan(e, m, &action);
	printf("%-14s %10.1f us/scan  (%s)\n", label, us, action);
	vigie_message_free(m);
	g_free(json);
	g_string_free(t, TRUE);
}

int main(int argc, char **argv)
{
	if (argc < 2) {
		fprintf(stderr, "usage: bench_text CONFIG [DIR]\n");
		return 2;
	}
	GError *err = NULL;
	if (!vigie_global_init(&err)) {
		fprintf(stderr, "bench_text: %s\n", err->message);
		return 2;
	}
	vigie_engine *e = vigie_engine_load(argv[1], &err);
	if (!e) {
		fprintf(stderr, "bench_text: %s\n", err->message);
		return 2;
	}
	GString *src = bench_source(argc > 2 ? argv[2] : NULL);
	/* BENCH_ONLY=chat: the chat messages alone (for a profiler); chat100:
	 * the 100-byte one alone; small: and the 1 KB mails (bench/compare.sh) */
	const char *only = g_getenv("BENCH_ONLY");
	bench_chat(e, "chat 100 B", 100, false);
	if (!g_strcmp0(only, "chat100")) {
		vigie_engine_unref(e);
		g_string_free(src, TRUE);
		return 0;
	}
	bench_chat(e, "chat 1 KB", 1024, false);
	bench_chat(e, "chat 100 B+url", 100, true);
	for (int h = 0; h < 2 && g_strcmp0(only, "chat"); h++) {
		bench_mail(e, src, 1024, h);
		if (g_strcmp0(only, "small")) {
			bench_mail(e, src, 100 * 1024, h);
			bench_mail(e, src, 10 * 1024 * 1024, h);
		}
	}
	g_string_free(src, TRUE);
	vigie_engine_unref(e);
	return 0;
}
