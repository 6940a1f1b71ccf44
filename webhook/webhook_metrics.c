/* webhook_metrics.c - counters for GET /metrics, in the Prometheus text
 * exposition format: messages by channel, platform and action; findings by
 * category; scan latency histogram; signature failures, bad requests,
 * rate-limit refusals by scope, duplicates, forward failures by channel;
 * quarantine size; and whatever the daemon adds (the milter's counters)
 * through webhook_set_extra_metrics.
 *
 * SECURITY: label values are channel names (configuration), platform and
 * action names (ours) and finding categories (rule files); all are escaped
 * anyway. Nothing from a message is a label.
 */
#include "webhook.h"
#include "webhook_internal.h"
#include "webhook_guard.h"

#include <dirent.h>
#include <string.h>

enum { C_SIGNATURE, C_BAD_REQUEST, C_DUPLICATE, C_FORWARD_FAIL, C_STORE_FAIL, C_SCAN_FAIL,
       C_RATE_AUTHOR, C_RATE_CONVERSATION, C_RATE_CHANNEL, C_N };
#define N_ACTIONS 4

static const double bucket_s[] = { 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5,
				   1, 2.5, 5 };
#define N_BUCKETS G_N_ELEMENTS(bucket_s)

typedef struct {
	const wh_channel *ch;
	guint64 actions[N_ACTIONS];
	guint64 counts[C_N];
} chan_stats;

static GMutex metrics_lock;
static GPtrArray *metrics_chans;  /* of chan_stats* */
static GHashTable *metrics_categories; /* category -> guint64* */
static guint64 metrics_hist[N_BUCKETS + 1];
static double metrics_hist_sum;
static guint64 metrics_hist_count;
static char *(*metrics_extra)(void);

/* webhook_metrics_init - one set of counters per channel */
void webhook_metrics_init(GPtrArray *channels)
{
	metrics_chans = g_ptr_array_new_with_free_func(g_free);
	for (guint i = 0; i < channels->len; i++) {
		chan_stats *s = g_new0(chan_stats, 1);
		s->ch = g_ptr_array_index(channels, i);
		g_ptr_array_add(metrics_chans, s);
	}
	metrics_categories = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, g_free);
}

/* webhook_set_extra_metrics - fn returns more exposition text (g_free'd) */
void webhook_set_extra_metrics(char *(*fn)(void))
{
	metrics_extra = fn;
}

static chan_stats *stats_of(const wh_channel *ch)
{
	return metrics_chans && ch && ch->index < metrics_chans->len
		? g_ptr_array_index(metrics_chans, ch->index) : NULL;
}

/* webhook_metrics_message - one scanned message and its verdict */
void webhook_metrics_message(const wh_channel *ch, VigieAction a, const vigie_verdict *v)
{
	g_mutex_lock(&metrics_lock);
	chan_stats *s = stats_of(ch);
	if (s && (unsigned)a < N_ACTIONS)
		s->actions[a]++;
	if (v) {
		double secs = v->elapsed_ms / 1000.0;
		guint b = 0;
		while (b < N_BUCKETS && secs > bucket_s[b])
			b++;
		metrics_hist[b]++;
		metrics_hist_sum += secs;
		metrics_hist_count++;
		for (guint i = 0; i < v->findings->len; i++) {
			const vigie_finding *f = g_ptr_array_index(v->findings, i);
			guint64 *n = g_hash_table_lookup(metrics_categories, f->category);
			if (!n) {
				n = g_new0(guint64, 1);
				g_hash_table_insert(metrics_categories, g_strdup(f->category), n);
			}
			(*n)++;
		}
	}
	g_mutex_unlock(&metrics_lock);
}

/* webhook_metrics_count - "signature", "bad_request", "duplicate",
 * "forward_failure", "store_failure", "scan_failure" */
void webhook_metrics_count(const wh_channel *ch, const char *what)
{
	static const char *const names[] = { "signature", "bad_request", "duplicate",
					     "forward_failure", "store_failure", "scan_failure" };
	g_mutex_lock(&metrics_lock);
	chan_stats *s = stats_of(ch);
	for (guint i = 0; s && i < G_N_ELEMENTS(names); i++)
		if (!strcmp(names[i], what))
			s->counts[i]++;
	g_mutex_unlock(&metrics_lock);
}

/* webhook_metrics_rate - one refusal by a rate limit */
void webhook_metrics_rate(const wh_channel *ch, wh_rate_result why)
{
	g_mutex_lock(&metrics_lock);
	chan_stats *s = stats_of(ch);
	if (s && why != WH_RATE_OK)
		s->counts[C_RATE_AUTHOR + (why - WH_RATE_AUTHOR)]++;
	g_mutex_unlock(&metrics_lock);
}

/* metrics_label - a label value, escaped */
static void metrics_label(GString *out, const char *v)
{
	for (const char *p = v; *p; p++) {
		if (*p == '\\' || *p == '"')
			g_string_append_c(out, '\\');
		if (*p == '\n')
			g_string_append(out, "\\n");
		else
			g_string_append_c(out, *p);
	}
}

/* metrics_quarantine_items - items in the quarantine's new/ folder */
static long metrics_quarantine_items(vigie_quarantine *q)
{
	if (!q)
		return 0;
	char *p = g_build_filename(vigie_quarantine_dir(q), "new", NULL);
	DIR *d = opendir(p);
	g_free(p);
	if (!d)
		return -1;
	long n = 0;
	struct dirent *e;
	while ((e = readdir(d)))
		if (g_str_has_suffix(e->d_name, ".json"))
			n++;
	closedir(d);
	return n;
}

/* metrics_counter - HELP and TYPE lines */
static void metrics_head(GString *o, const char *name, const char *type, const char *help)
{
	g_string_append_printf(o, "# HELP %s %s\n# TYPE %s %s\n", name, help, name, type);
}

/* webhook_metrics_text - the whole exposition */
char *webhook_metrics_text(vigie_quarantine *q, vigie_engine *e)
{
	static const char *const cnames[] = {
		"vigie_webhook_signature_failures_total", "vigie_webhook_bad_requests_total",
		"vigie_webhook_duplicates_total", "vigie_webhook_forward_failures_total",
		"vigie_webhook_quarantine_failures_total", "vigie_webhook_scan_failures_total",
	};
	static const char *const chelp[] = {
		"Requests refused for a missing, wrong or stale signature.",
		"Requests refused as malformed (400).",
		"Deliveries answered from the first verdict without a scan.",
		"Messages the downstream URL did not accept (answered 503).",
		"Quarantine stores that failed (answered 503).",
		"Scans that failed (answered 503).",
	};
	GString *o = g_string_new(NULL);
	g_mutex_lock(&metrics_lock);
	metrics_head(o, "vigie_engine_loaded", "gauge", "1 when rules are loaded.");
	g_string_append_printf(o, "vigie_engine_loaded %d\n", e ? 1 : 0);
	vigie_store *st = e ? vigie_engine_store(e) : NULL;
	if (st) {
		metrics_head(o, "vigie_store_failures_total", "counter",
			     "State store operations answered unavailable (scans went on without memory), since the engine was built.");
		g_string_append_printf(o, "vigie_store_failures_total{backend=\"%s\"} %" G_GUINT64_FORMAT "\n",
				       vigie_store_backend(st), vigie_store_failures(st));
	}
	metrics_head(o, "vigie_webhook_messages_total", "counter",
		     "Chat messages scanned, by channel, platform and action.");
	for (guint i = 0; i < metrics_chans->len; i++) {
		chan_stats *s = g_ptr_array_index(metrics_chans, i);
		for (int a = 0; a < N_ACTIONS; a++) {
			g_string_append(o, "vigie_webhook_messages_total{channel=\"");
			metrics_label(o, s->ch->name);
			g_string_append_printf(o, "\",platform=\"%s\",action=\"%s\"} %" G_GUINT64_FORMAT "\n",
					       s->ch->adapter->platform, vigie_action_name(a), s->actions[a]);
		}
	}
	for (guint c = 0; c < G_N_ELEMENTS(cnames); c++) {
		metrics_head(o, cnames[c], "counter", chelp[c]);
		for (guint i = 0; i < metrics_chans->len; i++) {
			chan_stats *s = g_ptr_array_index(metrics_chans, i);
			g_string_append_printf(o, "%s{channel=\"", cnames[c]);
			metrics_label(o, s->ch->name);
			g_string_append_printf(o, "\"} %" G_GUINT64_FORMAT "\n", s->counts[c]);
		}
	}
	metrics_head(o, "vigie_webhook_rate_limited_total", "counter",
		     "Requests refused with 429, by channel and the limit that refused them.");
	for (guint i = 0; i < metrics_chans->len; i++) {
		chan_stats *s = g_ptr_array_index(metrics_chans, i);
		for (int r = 0; r < 3; r++) {
			g_string_append(o, "vigie_webhook_rate_limited_total{channel=\"");
			metrics_label(o, s->ch->name);
			g_string_append_printf(o, "\",scope=\"%s\"} %" G_GUINT64_FORMAT "\n",
					       webhook_rate_scope(WH_RATE_AUTHOR + r),
					       s->counts[C_RATE_AUTHOR + r]);
		}
	}
	metrics_head(o, "vigie_webhook_findings_total", "counter", "Findings in scanned chat messages, by category.");
	GHashTableIter it;
	gpointer k, v;
	g_hash_table_iter_init(&it, metrics_categories);
	while (g_hash_table_iter_next(&it, &k, &v)) {
		g_string_append(o, "vigie_webhook_findings_total{category=\"");
		metrics_label(o, k);
		g_string_append_printf(o, "\"} %" G_GUINT64_FORMAT "\n", *(guint64 *)v);
	}
	metrics_head(o, "vigie_webhook_scan_seconds", "histogram", "Scan time of chat messages.");
	guint64 cum = 0;
	for (guint b = 0; b <= N_BUCKETS; b++) {
		cum += metrics_hist[b];
		if (b < N_BUCKETS)
			g_string_append_printf(o, "vigie_webhook_scan_seconds_bucket{le=\"%g\"} %" G_GUINT64_FORMAT "\n",
					       bucket_s[b], cum);
		else
			g_string_append_printf(o, "vigie_webhook_scan_seconds_bucket{le=\"+Inf\"} %" G_GUINT64_FORMAT "\n", cum);
	}
	g_string_append_printf(o, "vigie_webhook_scan_seconds_sum %.6f\n", metrics_hist_sum);
	g_string_append_printf(o, "vigie_webhook_scan_seconds_count %" G_GUINT64_FORMAT "\n", metrics_hist_count);
	g_mutex_unlock(&metrics_lock);
	metrics_head(o, "vigie_quarantine_items", "gauge", "Items waiting in the quarantine (new/).");
	g_string_append_printf(o, "vigie_quarantine_items %ld\n", metrics_quarantine_items(q));
	char *guard = webhook_guard_metrics();
	g_string_append(o, guard);
	g_free(guard);
	if (metrics_extra) {
		char *extra = metrics_extra();
		if (extra)
			g_string_append(o, extra);
		g_free(extra);
	}
	return g_string_free(o, FALSE);
}
