/* alerts.c - the traffic watch inside vigied: counting, the ticker, and
 * where alerts go. Interface in alerts.h; the counting and judging are
 * alerts_series.c, alerts_baseline.c and alerts_detect.c, the POSTs
 * alerts_notify.c.
 *
 * Series per channel ([webhook.NAME] names and "milter"):
 *   messages               every scanned message (silence)
 *   action.NAME            by verdict action (action.quarantine: surge)
 *   class.NAME             by verdict class
 *   category.NAME          messages with a finding of that category (surge)
 *   new_authors            messages from an author (chat) or envelope
 *                          sender (mail) not seen within [alerts] retention
 *                          (flood, chat channels only)
 *   refused                chat messages a rate limit refused (not scanned;
 *                          flood)
 * Spread: a campaign finding (memory.campaign.*) naming a quarantine item
 * first stored from another channel opens an alert on the second channel,
 * which closes after clear_after buckets without another.
 *
 * The ticker wakes just after each bucket boundary (wall clock, so buckets
 * line up across restarts and the seasonal baseline sees the time of the
 * week), judges every closed bucket, logs and records what opened or
 * closed (state_dir/alerts.jsonl, one JSON object a line, read by `vigie
 * incident`), queues the POSTs, and writes state_dir/series.snapshot every
 * snapshot_interval seconds and at stop. Buckets while vigied was down are
 * zeros in the history but are never judged (no silence for our own
 * downtime).
 *
 * SECURITY: series names come from configuration, our own words and rule
 * categories (reduced to [A-Za-z0-9._-]); the only thing taken from a
 * finding's evidence is a quarantine id, checked to be [A-Za-z0-9-] before
 * it names a file. Authors are hashed (alerts_series.c).
 */
#include "alerts.h"
#include "alerts_core.h"
#include "alerts_notify.h"
#include "vhttp.h"
#include "vlog.h"

#include <errno.h>
#include <fcntl.h>
#include <json-glib/json-glib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define ALERTS_MAX_QIDS 100000
#define ALERTS_MAX_PENDING 1000
#define ALERTS_MAX_SPREAD 1000

typedef struct {
	char *channel, *what; /* what: "campaign.QID" */
	alerts_state st;
	gint64 seen; /* last bucket with a match */
} spread_entry;

static struct {
	bool on;
	GMutex lock;
	GCond cond;
	GThread *ticker;
	bool stop;
	guint bucket_s;
	alerts_set *set;
	alerts_baseline_params bp;
	alerts_detect_params dp;
	GPtrArray *channels; /* of char*, for /metrics */
	GHashTable *chat;    /* chat channel names */
	gint64 judged;	     /* the last bucket judged */
	char *state_dir, *snap_path, *log_path, *qdir;
	gint64 snap_every;  /* s, 0: at stop only */
	gint64 snap_last;   /* monotonic s */
	GHashTable *opened; /* "kind\x1fchannel" -> count (gsize) */
	GHashTable *qids;   /* quarantine id -> channel */
	GPtrArray *pending; /* of char* "channel\x1fqid": campaign matches to resolve */
	GHashTable *spread; /* "channel\x1fqid" -> spread_entry* */
	bool use_spread;
} A;

/* ---- set-up --------------------------------------------------------------- */

/* alerts_split - a list key as a NULL-terminated vector (empty items dropped) */
static char **alerts_split(const vigie_config *c, const char *key)
{
	char **parts = g_strsplit_set(vigie_config_get(c, "alerts", key), ", \t", -1);
	GPtrArray *out = g_ptr_array_new();
	for (char **p = parts; *p; p++)
		if (**p)
			g_ptr_array_add(out, g_strdup(*p));
	g_ptr_array_add(out, NULL);
	g_strfreev(parts);
	return (char **)g_ptr_array_free(out, FALSE);
}

static long long alerts_int(const vigie_config *c, const char *key)
{
	return vigie_config_get_int(c, "alerts", key);
}

static void spread_free(gpointer p)
{
	spread_entry *s = p;
	g_free(s->channel);
	g_free(s->what);
	g_free(s);
}

/* alerts_add_channel - a channel and the series silence and surge need from the start */
static void alerts_add_channel(const char *name, bool chat, gint64 now)
{
	g_ptr_array_add(A.channels, g_strdup(name));
	if (chat)
		g_hash_table_add(A.chat, g_strdup(name));
	alerts_set_channel(A.set, name, now);
	static const char *const base[] = {"messages", "action.quarantine", "new_authors",
						    "refused"};
	for (guint i = 0; i < G_N_ELEMENTS(base); i++)
		alerts_set_series(A.set, name, base[i]);
}

/* alerts_load_snapshot - the last snapshot, when there is one that fits */
static void alerts_load_snapshot(void)
{
	char *text = NULL;
	GError *err = NULL;
	if (!g_file_get_contents(A.snap_path, &text, NULL, &err)) {
		if (!g_error_matches(err, G_FILE_ERROR, G_FILE_ERROR_NOENT))
			vlog(LOG_WARNING, NULL, "alerts: %s", err->message);
		g_clear_error(&err);
		return;
	}
	alerts_set *tmp = alerts_set_new(A.set->cap, A.set->max_authors);
	if (alerts_set_load(tmp, A.bucket_s, text, &err)) {
		alerts_set_free(A.set);
		A.set = tmp;
		vlog(LOG_INFO, NULL, "alerts: %u series and %u authors from %s", A.set->all->len,
		     g_hash_table_size(A.set->authors), A.snap_path);
	} else {
		vlog(LOG_WARNING, NULL, "alerts: snapshot %s not used, starting from nothing: %s",
		     A.snap_path, err->message);
		g_clear_error(&err);
		alerts_set_free(tmp);
	}
	g_free(text);
}

/* alerts_setup - see alerts.h */
bool alerts_setup(const vigie_config *c, bool webhook_on, bool milter_on, GError **err)
{
	A.on = vigie_config_get_bool(c, "alerts", "enabled");
	if (!A.on)
		return true;
	A.bucket_s = (guint)alerts_int(c, "bucket");
	long long cap = alerts_int(c, "retention") / A.bucket_s;
	if (cap < 10 || cap > 2000000) {
		g_set_error(
		    err, VIGIE_ERROR, VIGIE_ERROR_CONFIG,
		    "[alerts] retention / bucket = %lld buckets per series: expected 10 to 2000000",
		    cap);
		A.on = false;
		return false;
	}
	A.bp.window = (guint)alerts_int(c, "window");
	A.bp.min_history = (guint)alerts_int(c, "min_history");
	A.bp.k = (double)alerts_int(c, "threshold");
	A.bp.min_sigma = (double)alerts_int(c, "min_spread");
	guint weeks = (guint)alerts_int(c, "seasonal_weeks");
	A.bp.period = weeks ? (guint)(7 * 86400 / A.bucket_s) : 0;
	A.bp.periods = weeks;
	A.bp.half_width = (guint)(1800 / A.bucket_s);
	A.dp.raise_after = (guint)alerts_int(c, "raise_after");
	A.dp.clear_after = (guint)alerts_int(c, "clear_after");
	A.dp.min_rise[ALERTS_SURGE] = (double)alerts_int(c, "surge_min");
	A.dp.min_rise[ALERTS_FLOOD] = (double)alerts_int(c, "flood_min");
	A.dp.silence_min = (double)alerts_int(c, "silence_min");
	A.use_spread = vigie_config_get_bool(c, "alerts", "spread");
	A.snap_every = alerts_int(c, "snapshot_interval");
	A.state_dir = g_strdup(vigie_config_get(c, "alerts", "state_dir"));
	A.snap_path = g_build_filename(A.state_dir, "series.snapshot", NULL);
	A.log_path = g_build_filename(A.state_dir, "alerts.jsonl", NULL);
	A.qdir = g_strdup(vigie_config_get(c, "quarantine", "dir"));
	if (g_mkdir_with_parents(A.state_dir, 0750) != 0) {
		g_set_error(err, VIGIE_ERROR, VIGIE_ERROR_IO, "[alerts] state_dir %s: %s",
			    A.state_dir, g_strerror(errno));
		A.on = false;
		return false;
	}
	A.set = alerts_set_new((guint)cap, (guint)alerts_int(c, "max_authors"));
	alerts_load_snapshot();
	A.channels = g_ptr_array_new_with_free_func(g_free);
	A.chat = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, NULL);
	A.opened = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, NULL);
	A.qids = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, g_free);
	A.pending = g_ptr_array_new_with_free_func(g_free);
	A.spread = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, spread_free);
	gint64 now = g_get_real_time() / G_USEC_PER_SEC / A.bucket_s;
	A.judged = now - 1;
	if (webhook_on) {
		char **names = vigie_config_sections(c, "webhook");
		for (char **n = names; n && *n; n++)
			alerts_add_channel(*n, true, now);
		g_strfreev(names);
	}
	if (milter_on)
		alerts_add_channel(ALERTS_MILTER_CHANNEL, false, now);
	for (guint i = 0; i < A.set->all->len; i++) {
		alerts_series *x = g_ptr_array_index(A.set->all, i);
		x->kind = alerts_series_kind(x->what, g_hash_table_contains(A.chat, x->channel));
	}
	char **urls = alerts_split(c, "urls");
	if (urls[0] && !vhttp_global_init(err)) {
		g_strfreev(urls);
		A.on = false;
		return false;
	}
	alerts_notify_start(urls, vigie_config_get(c, "alerts", "secret"),
			    !strcmp(vigie_config_get(c, "alerts", "format"), "slack"),
			    (long)alerts_int(c, "timeout"), (guint)alerts_int(c, "retries"),
			    (guint)alerts_int(c, "retry_interval"));
	g_strfreev(urls);
	return true;
}

const char *alerts_state_dir(void)
{
	return A.on ? A.state_dir : NULL;
}

/* ---- counting ------------------------------------------------------------- */

/* alerts_count - one more in channel's series what (under the lock) */
static void alerts_count(const char *channel, const char *what, gint64 b)
{
	guint before = A.set->all->len;
	alerts_series *x = alerts_set_series(A.set, channel, what);
	if (A.set->all->len != before) /* new: which detector it feeds */
		x->kind = alerts_series_kind(what, g_hash_table_contains(A.chat, channel));
	alerts_series_add(x, A.set->cap, b, 1);
}

/* alerts_safe_name - a category as a series name: [A-Za-z0-9._-] */
static void alerts_safe_name(char *out, size_t size, const char *prefix, const char *name)
{
	g_snprintf(out, size, "%s%s", prefix, name);
	for (char *p = out + strlen(prefix); *p; p++)
		if (!g_ascii_isalnum(*p) && *p != '.' && *p != '_' && *p != '-')
			*p = '_';
}

/* alerts_campaign_id - the quarantine id a campaign finding names, or NULL (owned) */
static char *alerts_campaign_id(const char *evidence)
{
	const char *p = evidence ? strstr(evidence, "quarantine item ") : NULL;
	if (!p)
		return NULL;
	p += strlen("quarantine item ");
	size_t n = 0;
	while (g_ascii_isalnum(p[n]) || p[n] == '-')
		n++;
	return n && n <= 64 ? g_strndup(p, n) : NULL;
}

/* alerts_observe - see alerts.h */
void alerts_observe(const char *channel, const vigie_message *m, const vigie_verdict *v,
		    const char *quarantine_id)
{
	if (!A.on || !channel)
		return;
	gint64 b = g_get_real_time() / G_USEC_PER_SEC / A.bucket_s;
	const char *author =
	    m ? (m->channel == VIGIE_CHANNEL_CHAT ? m->env.author_id : m->env.mail_from) : NULL;
	char name[160];
	g_mutex_lock(&A.lock);
	if (!A.on) { /* stopped meanwhile */
		g_mutex_unlock(&A.lock);
		return;
	}
	if (v) {
		alerts_count(channel, "messages", b);
		alerts_safe_name(name, sizeof name, "action.", vigie_action_name(v->action));
		alerts_count(channel, name, b);
		alerts_safe_name(name, sizeof name, "class.", vigie_class_name(v->klass));
		alerts_count(channel, name, b);
		for (guint i = 0; i < v->findings->len; i++) {
			const vigie_finding *f = g_ptr_array_index(v->findings, i);
			bool dup = false;
			for (guint j = 0; j < i && !dup; j++)
				dup = !strcmp(
				    ((const vigie_finding *)g_ptr_array_index(v->findings, j))
					->category,
				    f->category);
			if (!dup && f->weight > 0) {
				alerts_safe_name(name, sizeof name, "category.", f->category);
				alerts_count(channel, name, b);
			}
			char *qid = A.use_spread && g_str_has_prefix(f->rule, "memory.campaign.")
					? alerts_campaign_id(f->evidence)
					: NULL;
			if (qid && A.pending->len < ALERTS_MAX_PENDING)
				g_ptr_array_add(A.pending, g_strconcat(channel, "\x1f", qid, NULL));
			g_free(qid);
		}
		if (quarantine_id && A.use_spread) {
			if (g_hash_table_size(A.qids) >= ALERTS_MAX_QIDS)
				g_hash_table_remove_all(A.qids);
			g_hash_table_replace(A.qids, g_strdup(quarantine_id), g_strdup(channel));
		}
	} else {
		alerts_count(channel, "refused", b);
	}
	if (author && *author && alerts_set_author(A.set, channel, author, b))
		alerts_count(channel, "new_authors", b);
	g_mutex_unlock(&A.lock);
}

/* ---- alerts out ----------------------------------------------------------- */

/* alerts_iso - a bucket's start as ISO 8601 UTC; caller g_free */
static char *alerts_iso(gint64 bucket)
{
	GDateTime *t = g_date_time_new_from_unix_utc(bucket * A.bucket_s);
	char *s = g_date_time_format(t, "%Y-%m-%dT%H:%M:%SZ");
	g_date_time_unref(t);
	return s;
}

/* alerts_json - the alert document (history line and POST body); caller g_free */
static char *alerts_json(alerts_kind kind, const char *channel, const char *what,
			 const alerts_state *st)
{
	JsonBuilder *b = json_builder_new();
	char *start = alerts_iso(st->start), *end = st->active ? NULL : alerts_iso(st->end);
	char *id = g_strdup_printf("%s/%s/%s/%" G_GINT64_FORMAT, alerts_kind_name(kind), channel,
				   what, st->start * A.bucket_s);
	json_builder_begin_object(b);
	json_builder_set_member_name(b, "type");
	json_builder_add_string_value(b, "vigie.alert");
	json_builder_set_member_name(b, "id");
	json_builder_add_string_value(b, id);
	json_builder_set_member_name(b, "state");
	json_builder_add_string_value(b, st->active ? "firing" : "resolved");
	json_builder_set_member_name(b, "kind");
	json_builder_add_string_value(b, alerts_kind_name(kind));
	json_builder_set_member_name(b, "channel");
	json_builder_add_string_value(b, channel);
	json_builder_set_member_name(b, "series");
	json_builder_add_string_value(b, what);
	json_builder_set_member_name(b, "start");
	json_builder_add_string_value(b, start);
	json_builder_set_member_name(b, "end");
	if (end)
		json_builder_add_string_value(b, end);
	else
		json_builder_add_null_value(b);
	json_builder_set_member_name(b, "bucket_seconds");
	json_builder_add_int_value(b, A.bucket_s);
	json_builder_set_member_name(b, "expected");
	json_builder_begin_object(b);
	json_builder_set_member_name(b, "median");
	json_builder_add_double_value(b, st->band.median);
	json_builder_set_member_name(b, "low");
	json_builder_add_double_value(b, st->band.low);
	json_builder_set_member_name(b, "high");
	json_builder_add_double_value(b, st->band.high);
	json_builder_set_member_name(b, "seasonal");
	json_builder_add_boolean_value(b, st->band.seasonal);
	json_builder_end_object(b);
	json_builder_set_member_name(b, "observed");
	json_builder_add_double_value(b, st->observed);
	json_builder_set_member_name(b, "peak");
	json_builder_add_double_value(b, st->peak);
	json_builder_end_object(b);
	JsonGenerator *g = json_generator_new();
	JsonNode *root = json_builder_get_root(b);
	json_generator_set_root(g, root);
	char *s = json_generator_to_data(g, NULL);
	json_node_unref(root);
	g_object_unref(g);
	g_object_unref(b);
	g_free(start);
	g_free(end);
	g_free(id);
	return s;
}

/* alerts_history - append one line to state_dir/alerts.jsonl */
static void alerts_history(const char *line)
{
	int fd = open(A.log_path, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0640);
	char *l = g_strconcat(line, "\n", NULL);
	size_t n = strlen(l);
	if (fd < 0 || write(fd, l, n) != (ssize_t)n)
		vlog(LOG_ERR, NULL, "alerts: %s: %s", A.log_path, g_strerror(errno));
	if (fd >= 0)
		close(fd);
	g_free(l);
}

/* alerts_emit - an alert opened or closed: log, history, POSTs, counts */
static void alerts_emit(alerts_kind kind, const char *channel, const char *what,
			const alerts_state *st)
{
	char *body = alerts_json(kind, channel, what, st);
	char *start = alerts_iso(st->start);
	char *summary =
	    g_strdup_printf("Vigie alert %s: %s on channel %s (%s): %g per %u s, expected %g (band "
			    "%g-%g), since %s",
			    st->active ? "FIRING" : "resolved", alerts_kind_name(kind), channel,
			    what, st->active ? st->observed : st->peak, A.bucket_s, st->band.median,
			    st->band.low, st->band.high, start);
	vlog(st->active ? LOG_WARNING : LOG_NOTICE, NULL,
	     "alert %s: kind=%s channel=%s series=%s observed=%g "
	     "peak=%g expected=%g band=%g-%g start=%s",
	     st->active ? "firing" : "resolved", alerts_kind_name(kind), channel, what,
	     st->observed, st->peak, st->band.median, st->band.low, st->band.high, start);
	alerts_history(body);
	alerts_notify_send(body, summary);
	if (st->active) {
		char *k = g_strdup_printf("%s\x1f%s", alerts_kind_name(kind), channel);
		gsize n = GPOINTER_TO_SIZE(g_hash_table_lookup(A.opened, k));
		g_hash_table_replace(A.opened, k, GSIZE_TO_POINTER(n + 1));
	}
	g_free(body);
	g_free(start);
	g_free(summary);
}

/* ---- spread --------------------------------------------------------------- */

/* alerts_item_channel - the channel a quarantine item was stored from:
 * ours when we saw it, else its metadata (envelope "source", or the milter for
 * mail); NULL when unknown (owned) */
static char *alerts_item_channel(const char *qid)
{
	const char *known = g_hash_table_lookup(A.qids, qid);
	if (known)
		return g_strdup(known);
	static const char *const folders[] = {"new", "released", "deleted"};
	for (guint i = 0; i < G_N_ELEMENTS(folders); i++) {
		char *path = g_strdup_printf("%s/%s/%s.json", A.qdir, folders[i], qid);
		JsonParser *p = json_parser_new();
		char *ch = NULL;
		if (json_parser_load_from_file(p, path, NULL) &&
		    JSON_NODE_HOLDS_OBJECT(json_parser_get_root(p))) {
			JsonObject *o = json_node_get_object(json_parser_get_root(p));
			JsonNode *en = json_object_get_member(o, "envelope");
			JsonObject *env =
			    en && JSON_NODE_HOLDS_OBJECT(en) ? json_node_get_object(en) : NULL;
			const char *src =
			    env ? json_object_get_string_member_with_default(env, "source", NULL)
				: NULL;
			const char *kind =
			    json_object_get_string_member_with_default(o, "channel", "");
			ch = src		     ? g_strdup(src)
			     : !strcmp(kind, "mail") ? g_strdup(ALERTS_MILTER_CHANNEL)
						     : NULL;
		}
		g_object_unref(p);
		g_free(path);
		if (ch)
			return ch;
	}
	return NULL;
}

/* alerts_spread_tick - resolve campaign matches of bucket b and before;
 * close spreads quiet for clear_after buckets */
static void alerts_spread_tick(gint64 b)
{
	for (guint i = 0; i < A.pending->len; i++) {
		const char *key = g_ptr_array_index(A.pending, i);
		const char *sep = strchr(key, '\x1f');
		char *channel = g_strndup(key, (gsize)(sep - key));
		char *first = alerts_item_channel(sep + 1);
		spread_entry *e = g_hash_table_lookup(A.spread, key);
		if (first && strcmp(first, channel) &&
		    (e || g_hash_table_size(A.spread) < ALERTS_MAX_SPREAD)) {
			if (!e) {
				e = g_new0(spread_entry, 1);
				e->channel = g_strdup(channel);
				e->what = g_strconcat("campaign.", sep + 1, NULL);
				g_hash_table_insert(A.spread, g_strdup(key), e);
			}
			e->seen = b;
			e->st.observed += 1;
			e->st.peak = MAX(e->st.peak, e->st.observed);
			if (!e->st.active) {
				e->st.active = true;
				e->st.start = b;
				alerts_emit(ALERTS_SPREAD, e->channel, e->what, &e->st);
			}
		}
		g_free(first);
		g_free(channel);
	}
	g_ptr_array_set_size(A.pending, 0);
	GHashTableIter it;
	gpointer k, v;
	g_hash_table_iter_init(&it, A.spread);
	while (g_hash_table_iter_next(&it, &k, &v)) {
		spread_entry *e = v;
		if (e->seen + (gint64)MAX(A.dp.clear_after, 1) <= b) {
			e->st.active = false;
			e->st.end = b;
			alerts_emit(ALERTS_SPREAD, e->channel, e->what, &e->st);
			g_hash_table_iter_remove(&it);
		}
	}
}

/* ---- the ticker ----------------------------------------------------------- */

/* alerts_judge - every series on closed bucket b (under the lock) */
static void alerts_judge(gint64 b)
{
	for (guint i = 0; i < A.set->all->len; i++) {
		alerts_series *x = g_ptr_array_index(A.set->all, i);
		alerts_series_add(x, A.set->cap, b, 0); /* the ring reaches b */
		x->has_band = alerts_baseline_band(x, A.set->cap, b, &A.bp, &x->band);
		if (x->kind == ALERTS_KIND_NONE)
			continue;
		alerts_event ev =
		    alerts_detect_step(&x->st, x->kind, b, alerts_series_at(x, A.set->cap, b),
				       x->has_band ? &x->band : NULL, &A.dp);
		if (ev != ALERTS_NOTHING)
			alerts_emit(x->kind, x->channel, x->what, &x->st);
	}
	alerts_spread_tick(b);
}

/* alerts_snapshot - write the snapshot (called without the lock) */
static void alerts_snapshot(void)
{
	g_mutex_lock(&A.lock);
	char *text = alerts_set_save(A.set, A.bucket_s);
	g_mutex_unlock(&A.lock);
	GError *err = NULL;
	if (!g_file_set_contents_full(A.snap_path, text, -1, G_FILE_SET_CONTENTS_CONSISTENT, 0640,
				      &err)) {
		vlog(LOG_ERR, NULL, "alerts: snapshot: %s", err->message);
		g_error_free(err);
	}
	g_free(text);
}

/* alerts_run - the ticker thread */
static gpointer alerts_run(gpointer unused)
{
	(void)unused;
	A.snap_last = g_get_monotonic_time() / G_USEC_PER_SEC;
	g_mutex_lock(&A.lock);
	while (!A.stop) {
		gint64 now_us = g_get_real_time();
		gint64 cur = now_us / G_USEC_PER_SEC / A.bucket_s;
		if (cur - A.judged > (gint64)A.set->cap)
			A.judged = cur - (gint64)A.set->cap;
		while (A.judged < cur - 1)
			alerts_judge(++A.judged);
		gint64 mono = g_get_monotonic_time();
		if (A.snap_every && mono / G_USEC_PER_SEC - A.snap_last >= A.snap_every) {
			g_mutex_unlock(&A.lock);
			alerts_snapshot();
			g_mutex_lock(&A.lock);
			A.snap_last = mono / G_USEC_PER_SEC;
			continue;
		}
		gint64 next_us = (cur + 1) * A.bucket_s * G_USEC_PER_SEC;
		g_cond_wait_until(&A.cond, &A.lock, mono + (next_us - now_us) + 20000);
	}
	g_mutex_unlock(&A.lock);
	return NULL;
}

/* alerts_start - see alerts.h */
bool alerts_start(GError **err)
{
	(void)err;
	if (A.on && !A.ticker)
		A.ticker = g_thread_new("vigie-alerts", alerts_run, NULL);
	return true;
}

/* alerts_stop - see alerts.h */
void alerts_stop(void)
{
	if (!A.on)
		return;
	if (A.ticker) {
		g_mutex_lock(&A.lock);
		A.stop = true;
		g_cond_signal(&A.cond);
		g_mutex_unlock(&A.lock);
		g_thread_join(A.ticker);
		A.ticker = NULL;
		alerts_snapshot();
	}
	alerts_notify_stop();
	g_mutex_lock(&A.lock);
	A.on = false;
	g_mutex_unlock(&A.lock);
	alerts_set_free(A.set);
	g_ptr_array_unref(A.channels);
	g_ptr_array_unref(A.pending);
	g_hash_table_destroy(A.chat);
	g_hash_table_destroy(A.opened);
	g_hash_table_destroy(A.qids);
	g_hash_table_destroy(A.spread);
	g_free(A.state_dir);
	g_free(A.snap_path);
	g_free(A.log_path);
	g_free(A.qdir);
	A.set = NULL;
}

/* ---- /metrics ------------------------------------------------------------- */

/* alerts_label - a label value, escaped */
static void alerts_label(GString *o, const char *v)
{
	for (const char *p = v; *p; p++) {
		if (*p == '\\' || *p == '"')
			g_string_append_c(o, '\\');
		if (*p == '\n')
			g_string_append(o, "\\n");
		else
			g_string_append_c(o, *p);
	}
}

/* alerts_is_active - is an alert of kind open on channel? (under the lock) */
static bool alerts_is_active(alerts_kind kind, const char *channel)
{
	if (kind == ALERTS_SPREAD) {
		GHashTableIter it;
		gpointer k, v;
		g_hash_table_iter_init(&it, A.spread);
		while (g_hash_table_iter_next(&it, &k, &v))
			if (((spread_entry *)v)->st.active &&
			    !strcmp(((spread_entry *)v)->channel, channel))
				return true;
		return false;
	}
	for (guint i = 0; i < A.set->all->len; i++) {
		const alerts_series *x = g_ptr_array_index(A.set->all, i);
		if (x->kind == kind && x->st.active && !strcmp(x->channel, channel))
			return true;
	}
	return false;
}

/* alerts_metrics - see alerts.h */
char *alerts_metrics(void)
{
	if (!A.on)
		return g_strdup("");
	GString *o = g_string_new(NULL);
	g_mutex_lock(&A.lock);
	g_string_append(
	    o, "# HELP vigie_alert_active 1 while an alert of this kind is open on the channel.\n"
	       "# TYPE vigie_alert_active gauge\n");
	for (guint c = 0; c < A.channels->len; c++)
		for (int k = 0; k < ALERTS_KIND_N; k++) {
			g_string_append_printf(o, "vigie_alert_active{kind=\"%s\",channel=\"",
					       alerts_kind_name(k));
			alerts_label(o, g_ptr_array_index(A.channels, c));
			g_string_append_printf(
			    o, "\"} %d\n", alerts_is_active(k, g_ptr_array_index(A.channels, c)));
		}
	g_string_append(o, "# HELP vigie_alerts_opened_total Alerts opened since vigied started.\n"
			   "# TYPE vigie_alerts_opened_total counter\n");
	for (guint c = 0; c < A.channels->len; c++)
		for (int k = 0; k < ALERTS_KIND_N; k++) {
			char *key = g_strdup_printf("%s\x1f%s", alerts_kind_name(k),
						    (char *)g_ptr_array_index(A.channels, c));
			g_string_append_printf(o,
					       "vigie_alerts_opened_total{kind=\"%s\",channel=\"",
					       alerts_kind_name(k));
			alerts_label(o, g_ptr_array_index(A.channels, c));
			g_string_append_printf(
			    o, "\"} %" G_GSIZE_FORMAT "\n",
			    GPOINTER_TO_SIZE(g_hash_table_lookup(A.opened, key)));
			g_free(key);
		}
	g_string_append(
	    o,
	    "# HELP vigie_traffic_bucket Count in the last closed bucket, by channel and series.\n"
	    "# TYPE vigie_traffic_bucket gauge\n");
	for (guint i = 0; i < A.set->all->len; i++) {
		const alerts_series *x = g_ptr_array_index(A.set->all, i);
		g_string_append(o, "vigie_traffic_bucket{channel=\"");
		alerts_label(o, x->channel);
		g_string_append(o, "\",series=\"");
		alerts_label(o, x->what);
		g_string_append_printf(o, "\"} %u\n", alerts_series_at(x, A.set->cap, A.judged));
	}
	g_string_append(o, "# HELP vigie_traffic_expected The baseline's median for that bucket.\n"
			   "# TYPE vigie_traffic_expected gauge\n");
	for (guint i = 0; i < A.set->all->len; i++) {
		const alerts_series *x = g_ptr_array_index(A.set->all, i);
		if (!x->has_band)
			continue;
		g_string_append(o, "vigie_traffic_expected{channel=\"");
		alerts_label(o, x->channel);
		g_string_append(o, "\",series=\"");
		alerts_label(o, x->what);
		g_string_append_printf(o, "\"} %g\n", x->band.median);
	}
	g_string_append_printf(
	    o,
	    "# HELP vigie_traffic_bucket_seconds Length of a series bucket.\n"
	    "# TYPE vigie_traffic_bucket_seconds gauge\nvigie_traffic_bucket_seconds %u\n",
	    A.bucket_s);
	g_mutex_unlock(&A.lock);
	guint64 sent, failed, dropped;
	guint waiting;
	alerts_notify_counts(&sent, &failed, &dropped, &waiting);
	g_string_append_printf(
	    o,
	    "# HELP vigie_alert_posts_total Alert POSTs by result (failed: attempts; dropped: "
	    "given up).\n"
	    "# TYPE vigie_alert_posts_total counter\n"
	    "vigie_alert_posts_total{result=\"sent\"} %" G_GUINT64_FORMAT "\n"
	    "vigie_alert_posts_total{result=\"failed\"} %" G_GUINT64_FORMAT "\n"
	    "vigie_alert_posts_total{result=\"dropped\"} %" G_GUINT64_FORMAT "\n"
	    "# HELP vigie_alert_posts_waiting Alert POSTs queued or waiting to be tried again.\n"
	    "# TYPE vigie_alert_posts_waiting gauge\nvigie_alert_posts_waiting %u\n",
	    sent, failed, dropped, waiting);
	return g_string_free(o, FALSE);
}
