/* alerts_notify.c - alert POSTs to [alerts] urls, from a thread of their
 * own so that a slow or dead receiver never delays a scan or the ticker.
 *
 * One job per alert event and URL (a dead URL does not make the others
 * receive twice). A failed POST is tried again after retry_interval
 * seconds, doubling each time (at most an hour), up to retries more times,
 * then dropped and logged; at most NOTIFY_MAX_QUEUE jobs wait (the oldest
 * is dropped first). Each POST is signed as the downstream forwarder signs
 * (common/vhttp.c: X-Vigie-Timestamp, X-Vigie-Signature "v1=" + hex
 * HMAC-SHA256(secret, timestamp "." body)); [alerts] format = slack sends
 * {"text": SUMMARY}, the form Slack's and Teams' incoming webhooks take.
 *
 * SECURITY: the URLs and the secret are configuration; bodies are JSON we
 * generate from our own counts and names (alerts.c). Log lines name the
 * URL's host through vhttp's errors, never the secret.
 */
#include "alerts_notify.h"
#include "vhttp.h"
#include "vlog.h"

#include <json-glib/json-glib.h>
#include <string.h>

#define NOTIFY_MAX_QUEUE 1000

typedef struct {
	char *url;
	char *body;
	guint attempts;
	gint64 due; /* monotonic microseconds */
} notify_job;

static struct {
	GMutex lock;
	GCond cond;
	GThread *thread;
	GQueue jobs;
	bool stop;
	char **urls;
	char *secret;
	bool slack;
	long timeout;
	guint retries, interval;
	guint64 sent, failed, dropped;
} N;

static void notify_job_free(gpointer p)
{
	notify_job *j = p;
	if (!j)
		return;
	g_free(j->url);
	g_free(j->body);
	g_free(j);
}

/* notify_take - the first due job, or NULL with *wait_until the earliest due */
static notify_job *notify_take(gint64 now, gint64 *wait_until)
{
	*wait_until = now + (gint64)G_USEC_PER_SEC * 3600;
	for (GList *l = N.jobs.head; l; l = l->next) {
		notify_job *j = l->data;
		if (j->due <= now) {
			g_queue_delete_link(&N.jobs, l);
			return j;
		}
		*wait_until = MIN(*wait_until, j->due);
	}
	return NULL;
}

/* notify_run - the thread: post due jobs until stopped */
static gpointer notify_run(gpointer unused)
{
	(void)unused;
	g_mutex_lock(&N.lock);
	while (!N.stop) {
		gint64 until;
		notify_job *j = notify_take(g_get_monotonic_time(), &until);
		if (!j) {
			g_cond_wait_until(&N.cond, &N.lock, until);
			continue;
		}
		g_mutex_unlock(&N.lock);
		long status = 0;
		GError *err = NULL;
		bool ok = vhttp_post_signed(j->url, N.secret, g_get_real_time() / G_USEC_PER_SEC,
					    j->body, N.timeout, &status, &err);
		g_mutex_lock(&N.lock);
		if (ok) {
			N.sent++;
			notify_job_free(j);
			continue;
		}
		N.failed++;
		j->attempts++;
		if (j->attempts > N.retries || N.stop) {
			N.dropped++;
			vlog(LOG_ERR, NULL, "alert notification dropped after %u attempt(s): %s",
			     j->attempts, err ? err->message : "failed");
			notify_job_free(j);
		} else {
			gint64 delay = (gint64)N.interval << MIN(j->attempts - 1, 12);
			j->due = g_get_monotonic_time() + MIN(delay, 3600) * G_USEC_PER_SEC;
			vlog(LOG_WARNING, NULL,
			     "alert notification failed (attempt %u, again in %" G_GINT64_FORMAT
			     " s): %s",
			     j->attempts, MIN(delay, 3600), err ? err->message : "failed");
			g_queue_push_tail(&N.jobs, j);
		}
		g_clear_error(&err);
	}
	g_mutex_unlock(&N.lock);
	return NULL;
}

/* alerts_notify_start - see alerts_notify.h */
void alerts_notify_start(char **urls, const char *secret, bool slack, long timeout_s, guint retries,
			 guint retry_interval)
{
	N.urls = g_strdupv(urls);
	N.secret = g_strdup(secret ? secret : "");
	N.slack = slack;
	N.timeout = timeout_s;
	N.retries = retries;
	N.interval = MAX(retry_interval, 1);
	N.stop = false;
	if (N.urls && N.urls[0])
		N.thread = g_thread_new("vigie-alert-post", notify_run, NULL);
}

/* notify_slack_body - {"text": summary} */
static char *notify_slack_body(const char *summary)
{
	JsonBuilder *b = json_builder_new();
	json_builder_begin_object(b);
	json_builder_set_member_name(b, "text");
	json_builder_add_string_value(b, summary);
	json_builder_end_object(b);
	JsonGenerator *g = json_generator_new();
	JsonNode *root = json_builder_get_root(b);
	json_generator_set_root(g, root);
	char *s = json_generator_to_data(g, NULL);
	json_node_unref(root);
	g_object_unref(g);
	g_object_unref(b);
	return s;
}

/* alerts_notify_send - see alerts_notify.h */
void alerts_notify_send(const char *body, const char *summary)
{
	if (!N.thread)
		return;
	g_mutex_lock(&N.lock);
	for (char **u = N.urls; *u; u++) {
		notify_job *j = g_new0(notify_job, 1);
		j->url = g_strdup(*u);
		j->body = N.slack ? notify_slack_body(summary) : g_strdup(body);
		j->due = g_get_monotonic_time();
		while (g_queue_get_length(&N.jobs) >= NOTIFY_MAX_QUEUE) {
			notify_job_free(g_queue_pop_head(&N.jobs));
			N.dropped++;
			vlog(LOG_ERR, NULL, "alert notification dropped: %d waiting already",
			     NOTIFY_MAX_QUEUE);
		}
		g_queue_push_tail(&N.jobs, j);
	}
	g_cond_signal(&N.cond);
	g_mutex_unlock(&N.lock);
}

/* alerts_notify_counts - see alerts_notify.h */
void alerts_notify_counts(guint64 *sent, guint64 *failed, guint64 *dropped, guint *waiting)
{
	g_mutex_lock(&N.lock);
	*sent = N.sent;
	*failed = N.failed;
	*dropped = N.dropped;
	*waiting = g_queue_get_length(&N.jobs);
	g_mutex_unlock(&N.lock);
}

/* alerts_notify_stop - see alerts_notify.h */
void alerts_notify_stop(void)
{
	if (N.thread) {
		g_mutex_lock(&N.lock);
		N.stop = true;
		g_cond_signal(&N.cond);
		g_mutex_unlock(&N.lock);
		g_thread_join(N.thread);
		N.thread = NULL;
	}
	guint left = g_queue_get_length(&N.jobs);
	if (left)
		vlog(LOG_WARNING, NULL, "stopping with %u alert notification(s) not sent", left);
	g_queue_clear_full(&N.jobs, notify_job_free);
	g_strfreev(N.urls);
	N.urls = NULL;
	g_free(N.secret);
	N.secret = NULL;
}
