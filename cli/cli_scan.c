/* cli_scan.c - "vigie scan": verdicts for files, folders (recursively, in
 * name order) or standard input, as text for people or JSON lines.
 *
 * Inputs are read whole, up to [core] max_message_size; a larger input is
 * an error for that input (named), not a crash. Symbolic links inside a
 * folder are not followed.
 */
#include "cli.h"
#include "cli_inputs.h"

#include <stdio.h>
#include <string.h>
#include <unistd.h>

typedef struct {
	vigie_engine *engine;
	VigieChannel channel;
	bool json;
	long long max_size;
	unsigned counts[4];
	unsigned errors;
	unsigned total;
	double ms;
} scan_run;

/* scan_print - one verdict */
static void scan_print(scan_run *r, const char *name, const vigie_verdict *v)
{
	if (r->json) {
		char *j = vigie_verdict_to_json(v, name);
		puts(j);
		g_free(j);
		return;
	}
	printf("%s: %s (score %d)%s%s\n", name, vigie_action_name(v->action), v->score,
	       v->error ? " ERROR: " : "", v->error ? v->error : "");
	for (guint i = 0; i < v->findings->len; i++) {
		const vigie_finding *f = g_ptr_array_index(v->findings, i);
		printf("  %-40s %-18s %+4d%s  \"%s\"  in %s\n", f->rule, f->category, f->weight,
		       f->decisive ? " decisive" : "", f->evidence, f->where);
	}
}

static void scan_error(scan_run *r, const char *name, const char *msg)
{
	r->errors++;
	r->total++;
	if (r->json) {
		char *esc = g_strescape(msg, NULL);
		char *n = g_strescape(name, NULL);
		printf("{\"input\":\"%s\",\"error\":\"%s\"}\n", n, esc);
		g_free(esc);
		g_free(n);
	}
	fprintf(stderr, "vigie: %s: %s\n", name, msg);
}

/* scan_bytes - parse and scan one input */
static void scan_bytes(scan_run *r, const char *name, const char *data, gsize len)
{
	GError *err = NULL;
	vigie_message *m = r->channel == VIGIE_CHANNEL_MAIL
				   ? vigie_message_from_mime(data, len, NULL, &err)
				   : vigie_message_from_chat_json(data, len, &err);
	if (!m) {
		scan_error(r, name, err->message);
		g_error_free(err);
		return;
	}
	vigie_verdict *v = vigie_scan(r->engine, m);
	r->total++;
	r->ms += v->elapsed_ms;
	if (v->error)
		r->errors++;
	else
		r->counts[v->action]++;
	scan_print(r, name, v);
	vigie_verdict_free(v);
	vigie_message_free(m);
}

/* scan_file - one regular file, size-checked */
static void scan_file(const char *path, void *ud)
{
	scan_run *r = ud;
	gsize len;
	GError *err = NULL;
	char *data = cli_read_input(path, r->max_size, &len, &err);
	if (!data) {
		scan_error(r, path, err->message);
		g_error_free(err);
		return;
	}
	scan_bytes(r, path, data, len);
	g_free(data);
}

static void scan_walk_error(const char *path, const char *msg, void *ud)
{
	scan_error(ud, path, msg);
}

/* scan_stdin - read standard input whole (bounded) */
static void scan_stdin(scan_run *r)
{
	GByteArray *buf = g_byte_array_new();
	guint8 chunk[65536];
	ssize_t n;
	while ((n = read(0, chunk, sizeof chunk)) > 0) {
		if ((long long)(buf->len + (gsize)n) > r->max_size) {
			scan_error(r, "-", "larger than [core] max_message_size");
			g_byte_array_unref(buf);
			return;
		}
		g_byte_array_append(buf, chunk, (guint)n);
	}
	scan_bytes(r, "-", (const char *)buf->data, buf->len);
	g_byte_array_unref(buf);
}

/* cli_scan - "vigie scan [--channel C] [--json] INPUT..." */
int cli_scan(const char *config, int argc, char **argv)
{
	scan_run r = { .channel = VIGIE_CHANNEL_MAIL };
	GPtrArray *inputs = g_ptr_array_new();
	for (int i = 0; i < argc; i++) {
		if (!strcmp(argv[i], "--json")) {
			r.json = true;
		} else if (!strcmp(argv[i], "--channel") && i + 1 < argc) {
			if (!vigie_channel_parse(argv[++i], &r.channel)) {
				fprintf(stderr, "vigie: --channel must be mail or chat, not '%s'\n", argv[i]);
				g_ptr_array_unref(inputs);
				return CLI_EXIT_ERROR;
			}
		} else if (argv[i][0] == '-' && argv[i][1] != '\0') {
			fprintf(stderr, "vigie scan: unknown option '%s'\n", argv[i]);
			g_ptr_array_unref(inputs);
			return CLI_EXIT_ERROR;
		} else {
			g_ptr_array_add(inputs, argv[i]);
		}
	}
	if (inputs->len == 0) {
		fprintf(stderr, "vigie scan: no input (give FILE, DIR or -)\n");
		g_ptr_array_unref(inputs);
		return CLI_EXIT_ERROR;
	}
	r.engine = cli_engine_load(config, &r.max_size);
	if (!r.engine) {
		g_ptr_array_unref(inputs);
		return CLI_EXIT_ERROR;
	}
	bool any_dir = false;
	for (guint i = 0; i < inputs->len; i++) {
		const char *in = g_ptr_array_index(inputs, i);
		if (!strcmp(in, "-"))
			scan_stdin(&r);
		else if (g_file_test(in, G_FILE_TEST_IS_DIR))
			any_dir = true, cli_walk_dir(in, scan_file, scan_walk_error, &r);
		else
			scan_file(in, &r);
	}
	if ((any_dir || r.total > 1) && !r.json)
		printf("%u scanned: %u released, %u tagged, %u quarantined, %u rejected, %u errors; "
		       "%.1f ms scanning\n",
		       r.total, r.counts[VIGIE_ACTION_RELEASE], r.counts[VIGIE_ACTION_TAG],
		       r.counts[VIGIE_ACTION_QUARANTINE], r.counts[VIGIE_ACTION_REJECT], r.errors, r.ms);
	vigie_engine_unref(r.engine);
	g_ptr_array_unref(inputs);
	if (r.errors)
		return CLI_EXIT_ERROR;
	return r.counts[VIGIE_ACTION_TAG] + r.counts[VIGIE_ACTION_QUARANTINE] +
			       r.counts[VIGIE_ACTION_REJECT]
		       ? CLI_EXIT_FLAGGED
		       : CLI_EXIT_CLEAN;
}
