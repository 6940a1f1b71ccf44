/* webhook.c - the HTTP server (libmicrohttpd): listening socket, limits,
 * routing, and the glue from a libmicrohttpd request to a wh_request.
 *
 *   GET  /healthz          engine loaded? version (200, or 503 without rules)
 *   GET  /metrics          Prometheus text (webhook_metrics.c)
 *   POST /v1/messages      the generic endpoint: the generic channel named by
 *                          X-Vigie-Channel, or the only generic channel
 *   POST /hooks/NAME       channel NAME, whatever its platform
 *   GET  /hooks/NAME       the platform's handshake (Meta), else 405
 *
 * Limits: [webhook] max_body (413, checked on Content-Length before reading
 * and while reading), header_limit (libmicrohttpd's per-connection memory:
 * larger headers get 431/400 from it), connection_timeout (idle seconds),
 * and against slow or greedy clients (webhook_guard.c) max_connections and
 * max_connections_per_ip (503 over them), request_timeout (a whole
 * request, headers and body) and min_receive_rate; a thread pool of [webhook]
 * threads event loops (epoll), so a slow client holds no thread. Optional
 * TLS (GnuTLS inside libmicrohttpd) from tls_cert and tls_key.
 *
 * Threads: the event loops only read requests and write answers. A
 * complete request to a channel is suspended (MHD_suspend_connection) and
 * queued, first in first out, to [webhook] threads pipeline workers, which
 * verify, parse, scan, store (fsync) and forward, then resume the
 * connection; the event loop sends the answer. So a scan, an fsync or a
 * slow downstream never stalls the other connections of an event loop,
 * and requests are served in arrival order whichever loop accepted them.
 * GET /healthz and /metrics are answered inline.
 *
 * Start-up: webhook_setup binds the socket and reads the TLS files (as
 * root if need be); webhook_start serves, after privileges were dropped.
 *
 * SECURITY: the whole request is untrusted; paths are matched exactly,
 * bodies are bounded, and a channel's body is read only by its adapter
 * after the signature matched (webhook_pipeline.c).
 */
#include "webhook.h"
#include "webhook_channel.h"
#include "webhook_guard.h"
#include "webhook_pipeline.h"
#include "vhttp.h"
#include "vlog.h"

#include <arpa/inet.h>
#include <errno.h>
#include <microhttpd.h>
#include <netinet/in.h>
#include <stdio.h>
#include <string.h>
#include <sys/random.h>
#include <sys/socket.h>
#include <unistd.h>

/* a request's life: read by an event loop, queued, handled by a worker,
 * answered by the event loop again */
enum { WC_READING, WC_QUEUED, WC_DONE };

/* per-request state, from the first access callback to webhook_done */
typedef struct {
	struct MHD_Connection *conn;
	GByteArray *body;
	bool too_big;
	int state;                 /* WC_*: the worker hands over through resume */
	char *url, *method;        /* copies, for the worker */
	GHashTable *headers, *query; /* lower-case header names; query arguments */
	wh_reply rep;              /* the worker's answer */
	char id[17];
} wh_conn;

static struct MHD_Daemon *wh_daemon;
static int wh_fd = -1;
static GPtrArray *wh_channels;
static wh_pipeline wh_pipe;
static gsize wh_max_body;
static long long wh_replay_window;
static char *wh_tls_cert, *wh_tls_key;       /* PEM contents */
static char *wh_tls_cert_path, *wh_tls_key_path; /* for errors */
static unsigned wh_threads, wh_timeout;
static gsize wh_header_limit;
static gint wh_busy;
static GThreadPool *wh_pool;
static guint64 wh_id_key, wh_id_next;

/* webhook_check - configuration only (channels, TLS files readable) */
bool webhook_check(const vigie_config *c, GError **err)
{
	GPtrArray *chs = webhook_channels_load(c, err);
	if (!chs)
		return false;
	webhook_channels_free(chs);
	const char *cert = vigie_config_get(c, "webhook", "tls_cert");
	const char *key = vigie_config_get(c, "webhook", "tls_key");
	if (!*cert != !*key) {
		g_set_error(err, VIGIE_ERROR, VIGIE_ERROR_CONFIG,
			    "[webhook] tls_cert and tls_key go together");
		return false;
	}
	return true;
}

/* webhook_bind - the listening socket for address:port */
static int webhook_bind(const char *addr, int port, GError **err)
{
	struct sockaddr_storage ss = { 0 };
	socklen_t len;
	struct sockaddr_in *v4 = (struct sockaddr_in *)&ss;
	struct sockaddr_in6 *v6 = (struct sockaddr_in6 *)&ss;
	if (inet_pton(AF_INET, addr, &v4->sin_addr) == 1) {
		v4->sin_family = AF_INET;
		v4->sin_port = htons((uint16_t)port);
		len = sizeof *v4;
	} else if (inet_pton(AF_INET6, addr, &v6->sin6_addr) == 1) {
		v6->sin6_family = AF_INET6;
		v6->sin6_port = htons((uint16_t)port);
		len = sizeof *v6;
	} else {
		g_set_error(err, VIGIE_ERROR, VIGIE_ERROR_CONFIG, "[webhook] address = %s: not an IP address", addr);
		return -1;
	}
	int fd = socket(ss.ss_family, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
	int one = 1;
	if (fd >= 0) {
		setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
		if (ss.ss_family == AF_INET6)
			setsockopt(fd, IPPROTO_IPV6, IPV6_V6ONLY, &one, sizeof one);
	}
	if (fd < 0 || bind(fd, (struct sockaddr *)&ss, len) != 0 || listen(fd, 512) != 0) {
		g_set_error(err, VIGIE_ERROR, VIGIE_ERROR_CONFIG,
			    "[webhook] %s port %d: cannot listen: %s", addr, port, g_strerror(errno));
		if (fd >= 0)
			close(fd);
		return -1;
	}
	return fd;
}

/* webhook_tls_read - the PEM file path of [webhook] key into *out, which
 * must hold a "-----BEGIN ...marker" block; false with an error naming
 * the key and the file */
static bool webhook_tls_read(const char *key, const char *path, const char *marker, char **out,
			     GError **err)
{
	GError *e = NULL;
	if (!g_file_get_contents(path, out, NULL, &e)) {
		g_set_error(err, VIGIE_ERROR, VIGIE_ERROR_CONFIG, "[webhook] %s = %s: %s", key, path,
			    e->message);
		g_error_free(e);
		return false;
	}
	const char *begin = strstr(*out, "-----BEGIN ");
	if (!begin || !strstr(begin, marker)) {
		g_set_error(err, VIGIE_ERROR, VIGIE_ERROR_CONFIG, "[webhook] %s = %s: no PEM %s block",
			    key, path, !strcmp(key, "tls_cert") ? "CERTIFICATE" : "PRIVATE KEY");
		g_free(*out);
		*out = NULL;
		return false;
	}
	return true;
}

/* webhook_setup - channels, state, TLS files, socket */
bool webhook_setup(const vigie_config *c, vigie_slot *slot, vigie_quarantine *q, GError **err)
{
	if (!webhook_check(c, err))
		return false;
	wh_channels = webhook_channels_load(c, err);
	if (!wh_channels)
		return false;
	const char *cert = vigie_config_get(c, "webhook", "tls_cert");
	if (*cert) {
		if (MHD_is_feature_supported(MHD_FEATURE_TLS) != MHD_YES) {
			g_set_error(err, VIGIE_ERROR, VIGIE_ERROR_CONFIG,
				    "[webhook] TLS is configured but libmicrohttpd was built without it");
			return false;
		}
		if (!webhook_tls_read("tls_cert", cert, "CERTIFICATE-----", &wh_tls_cert, err) ||
		    !webhook_tls_read("tls_key", vigie_config_get(c, "webhook", "tls_key"),
				      "PRIVATE KEY-----", &wh_tls_key, err))
			return false;
		wh_tls_cert_path = g_strdup(cert);
		wh_tls_key_path = g_strdup(vigie_config_get(c, "webhook", "tls_key"));
	}
	if (!vhttp_global_init(err)) /* libcurl, before threads */
		return false;
	wh_pipe.slot = slot;
	wh_pipe.q = q;
	wh_pipe.rate = webhook_rate_new(c);
	wh_pipe.dedup = webhook_dedup_new((guint)vigie_config_get_int(c, "webhook", "dedup_size"),
					  vigie_config_get_int(c, "webhook", "dedup_ttl"));
	wh_pipe.shared_dedup = vigie_config_get_bool(c, "webhook", "shared_dedup") &&
			       vigie_config_get_int(c, "webhook", "dedup_size") > 0;
	wh_pipe.dedup_ttl = vigie_config_get_int(c, "webhook", "dedup_ttl");
	wh_pipe.forward_timeout = (long)vigie_config_get_int(c, "webhook", "forward_timeout");
	wh_max_body = (gsize)vigie_config_get_int(c, "webhook", "max_body");
	wh_replay_window = vigie_config_get_int(c, "webhook", "replay_window");
	wh_threads = (unsigned)vigie_config_get_int(c, "webhook", "threads");
	wh_timeout = (unsigned)vigie_config_get_int(c, "webhook", "connection_timeout");
	wh_header_limit = (gsize)vigie_config_get_int(c, "webhook", "header_limit");
	webhook_guard_setup(c, *cert != '\0');
	webhook_metrics_init(wh_channels);
	wh_fd = webhook_bind(vigie_config_get(c, "webhook", "address"),
			     (int)vigie_config_get_int(c, "webhook", "port"), err);
	return wh_fd >= 0;
}

/* webhook_send - queue rep on the connection */
static enum MHD_Result webhook_send(struct MHD_Connection *conn, const char *id, wh_reply *rep)
{
	const char *body = rep->body ? rep->body : "";
	struct MHD_Response *res = MHD_create_response_from_buffer(strlen(body), (void *)body,
								   MHD_RESPMEM_MUST_COPY);
	MHD_add_response_header(res, MHD_HTTP_HEADER_CONTENT_TYPE,
				rep->content_type ? rep->content_type : "text/plain");
	MHD_add_response_header(res, "X-Request-Id", id);
	if (rep->retry_after)
		MHD_add_response_header(res, MHD_HTTP_HEADER_RETRY_AFTER, rep->retry_after);
	if (rep->close)
		MHD_add_response_header(res, MHD_HTTP_HEADER_CONNECTION, "close");
	enum MHD_Result r = MHD_queue_response(conn, rep->status ? rep->status : 500, res);
	MHD_destroy_response(res);
	g_free(rep->body);
	g_free(rep->retry_after);
	rep->body = rep->retry_after = NULL;
	return r;
}

/* webhook_collect - MHD key/value iterator into a hash table */
static enum MHD_Result webhook_collect(void *cls, enum MHD_ValueKind kind, const char *key,
				       const char *value)
{
	GHashTable *t = cls;
	if (!key)
		return MHD_YES;
	char *k = kind == MHD_HEADER_KIND ? g_ascii_strdown(key, -1) : g_strdup(key);
	if (g_hash_table_contains(t, k))
		g_free(k);
	else
		g_hash_table_insert(t, k, g_strdup(value ? value : ""));
	return MHD_YES;
}

/* webhook_channel - the channel a POST or GET path names, or NULL */
static const wh_channel *webhook_channel(const char *url, GHashTable *headers)
{
	if (!strcmp(url, "/v1/messages")) {
		const char *want = g_hash_table_lookup(headers, "x-vigie-channel");
		const wh_channel *only = NULL;
		unsigned n = 0;
		for (guint i = 0; i < wh_channels->len; i++) {
			const wh_channel *ch = g_ptr_array_index(wh_channels, i);
			if (ch->adapter != &wh_generic)
				continue;
			if (want && !strcmp(want, ch->name))
				return ch;
			only = ch;
			n++;
		}
		return !want && n == 1 ? only : NULL;
	}
	if (!g_str_has_prefix(url, "/hooks/"))
		return NULL;
	for (guint i = 0; i < wh_channels->len; i++) {
		const wh_channel *ch = g_ptr_array_index(wh_channels, i);
		if (!strcmp(url + 7, ch->name))
			return ch;
	}
	return NULL;
}

/* webhook_health - GET /healthz */
static void webhook_health(wh_reply *rep)
{
	vigie_engine *e = vigie_slot_get(wh_pipe.slot);
	JsonBuilder *b = json_builder_new();
	json_builder_begin_object(b);
	json_builder_set_member_name(b, "status");
	json_builder_add_string_value(b, e ? "ok" : "no engine");
	json_builder_set_member_name(b, "version");
	json_builder_add_string_value(b, VIGIE_VERSION);
	json_builder_set_member_name(b, "engine");
	if (e)
		json_builder_add_string_value(b, vigie_engine_version(e));
	else
		json_builder_add_null_value(b);
	json_builder_end_object(b);
	wh_reply_set(rep, e ? 200 : 503, "application/json", webhook_json_to_string(b));
	vigie_engine_unref(e);
}

/* webhook_inline - GET /healthz and /metrics, answered by the event
 * loop; false for anything else */
static bool webhook_inline(const char *url, const char *method, wh_reply *rep)
{
	if (strcmp(method, "GET") != 0)
		return false;
	if (!strcmp(url, "/healthz")) {
		webhook_health(rep);
		return true;
	}
	if (!strcmp(url, "/metrics")) {
		vigie_engine *e = vigie_slot_get(wh_pipe.slot);
		wh_reply_set(rep, 200, "text/plain; version=0.0.4", webhook_metrics_text(wh_pipe.q, e));
		vigie_engine_unref(e);
		return true;
	}
	return false;
}

/* webhook_handle - a complete request to a channel (a pipeline worker) */
static void webhook_handle(wh_conn *wc, wh_reply *rep)
{
	const char *url = wc->url, *method = wc->method;
	bool get = !strcmp(method, "GET"), post = !strcmp(method, "POST");
	const wh_channel *ch = webhook_channel(url, wc->headers);
	if (!ch) {
		wh_reply_error(rep, 404, wc->id, "no such endpoint or channel");
	} else if (wc->too_big) {
		webhook_metrics_count(ch, "bad_request");
		vlog(LOG_WARNING, wc->id, "channel=%s body larger than [webhook] max_body (413)", ch->name);
		wh_reply_error(rep, 413, wc->id, "body too large");
	} else {
		g_byte_array_append(wc->body, (const guint8 *)"", 1); /* NUL-terminated copy */
		wh_request r = {
			.method = method, .path = url, .headers = wc->headers, .query = wc->query,
			.body = (const char *)wc->body->data, .body_len = wc->body->len - 1,
			.now = g_get_real_time() / G_USEC_PER_SEC, .request_id = wc->id,
			.replay_window = wh_replay_window,
		};
		if (get && ch->adapter->handshake)
			ch->adapter->handshake(ch, &r, rep);
		else if (get || !post)
			wh_reply_error(rep, 405, wc->id, "method not allowed");
		else
			webhook_pipeline_run(&wh_pipe, ch, &r, rep);
	}
}

/* webhook_work - a pipeline worker's job: handle wc, then give the
 * connection back to its event loop, which sends the answer; wc belongs
 * to the event loop again once resumed, so it is not touched after */
static void webhook_work(gpointer data, gpointer unused)
{
	wh_conn *wc = data;
	struct MHD_Connection *conn = wc->conn;
	webhook_handle(wc, &wc->rep);
	wc->state = WC_DONE;
	g_atomic_int_dec_and_test(&wh_busy);
	MHD_resume_connection(conn); /* takes a lock: publishes the writes above */
}

/* webhook_request_id - a new request id: 16 hex digits, unique in this
 * process (a bijective mix of a counter, keyed at start), unguessable
 * enough for a log id, without a system call per request */
static void webhook_request_id(char id[17])
{
	guint64 z = __atomic_fetch_add(&wh_id_next, 1, __ATOMIC_RELAXED) + wh_id_key;
	z = (z ^ (z >> 30)) * G_GUINT64_CONSTANT(0xbf58476d1ce4e5b9);
	z = (z ^ (z >> 27)) * G_GUINT64_CONSTANT(0x94d049bb133111eb);
	z ^= z >> 31;
	g_snprintf(id, 17, "%016" G_GINT64_MODIFIER "x", z);
}

/* webhook_access - libmicrohttpd's request callback, called for the
 * headers, for each piece of body, once at the end (where a channel's
 * request is suspended and queued to the workers), and once more after
 * the worker resumed it (to send the answer) */
static enum MHD_Result webhook_access(void *cls, struct MHD_Connection *conn, const char *url,
				      const char *method, const char *version,
				      const char *upload, size_t *upload_size, void **con_cls)
{
	wh_conn *wc = *con_cls;
	wh_reply rep = { 0 };
	if (!wc) {
		wc = g_new0(wh_conn, 1);
		wc->conn = conn;
		wc->body = g_byte_array_new();
		webhook_request_id(wc->id);
		*con_cls = wc;
		if (webhook_guard_refused(conn)) {
			webhook_guard_received(conn);
			wh_reply_error(&rep, 503, wc->id, "too many connections");
			rep.retry_after = g_strdup("5");
			rep.close = true;
			return webhook_send(conn, wc->id, &rep);
		}
		const char *cl = MHD_lookup_connection_value(conn, MHD_HEADER_KIND,
							     MHD_HTTP_HEADER_CONTENT_LENGTH);
		if (cl && g_ascii_strtoull(cl, NULL, 10) > wh_max_body) {
			vlog(LOG_WARNING, wc->id, "%s %s: Content-Length over [webhook] max_body (413)",
			     method, url);
			wh_reply_error(&rep, 413, wc->id, "body too large");
			webhook_guard_received(conn);
			return webhook_send(conn, wc->id, &rep);
		}
		if (strcmp(method, "GET") != 0 && strcmp(method, "POST") != 0) {
			wh_reply_error(&rep, 405, wc->id, "method not allowed");
			webhook_guard_received(conn);
			return webhook_send(conn, wc->id, &rep);
		}
		return MHD_YES;
	}
	if (wc->state == WC_DONE)
		return webhook_send(conn, wc->id, &wc->rep);
	if (wc->state == WC_QUEUED) /* not expected while suspended */
		return MHD_YES;
	if (*upload_size) {
		if (wc->body->len + *upload_size > wh_max_body)
			wc->too_big = true;
		else
			g_byte_array_append(wc->body, (const guint8 *)upload, (guint)*upload_size);
		*upload_size = 0;
		return MHD_YES;
	}
	webhook_guard_received(conn);
	if (webhook_inline(url, method, &rep))
		return webhook_send(conn, wc->id, &rep);
	wc->url = g_strdup(url);
	wc->method = g_strdup(method);
	wc->headers = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, g_free);
	wc->query = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, g_free);
	MHD_get_connection_values(conn, MHD_HEADER_KIND, webhook_collect, wc->headers);
	MHD_get_connection_values(conn, MHD_GET_ARGUMENT_KIND, webhook_collect, wc->query);
	wc->state = WC_QUEUED;
	g_atomic_int_inc(&wh_busy);
	MHD_suspend_connection(conn);
	g_thread_pool_push(wh_pool, wc, NULL);
	return MHD_YES;
}

/* webhook_done - libmicrohttpd's end-of-request callback */
static void webhook_done(void *cls, struct MHD_Connection *conn, void **con_cls,
			 enum MHD_RequestTerminationCode toe)
{
	wh_conn *wc = *con_cls;
	if (toe == MHD_REQUEST_TERMINATED_COMPLETED_OK)
		webhook_guard_answered(conn);
	if (!wc)
		return;
	g_byte_array_unref(wc->body);
	g_free(wc->url);
	g_free(wc->method);
	if (wc->headers)
		g_hash_table_unref(wc->headers);
	if (wc->query)
		g_hash_table_unref(wc->query);
	g_free(wc->rep.body);
	g_free(wc->rep.retry_after);
	g_free(wc);
	*con_cls = NULL;
}

/* webhook_mhd_log - libmicrohttpd's own errors, to our log */
static void webhook_mhd_log(void *cls, const char *fmt, va_list ap) G_GNUC_PRINTF(2, 0);
static void webhook_mhd_log(void *cls, const char *fmt, va_list ap)
{
	char line[512];
	vsnprintf(line, sizeof line, fmt, ap);
	g_strchomp(line);
	vlog(LOG_INFO, NULL, "webhook: %s", line);
}

/* webhook_start - serve on the socket bound by webhook_setup */
bool webhook_start(GError **err)
{
	unsigned flags = MHD_USE_INTERNAL_POLLING_THREAD | MHD_USE_EPOLL | MHD_USE_ITC |
			 MHD_ALLOW_SUSPEND_RESUME | MHD_USE_ERROR_LOG;
	if (wh_tls_cert)
		flags |= MHD_USE_TLS;
	struct MHD_OptionItem tls[] = {
		{ wh_tls_cert ? MHD_OPTION_HTTPS_MEM_CERT : MHD_OPTION_END, 0, wh_tls_cert },
		{ wh_tls_cert ? MHD_OPTION_HTTPS_MEM_KEY : MHD_OPTION_END, 0, wh_tls_key },
		{ MHD_OPTION_END, 0, NULL },
	};
	guint64 key;
	if (getrandom(&key, sizeof key, 0) != sizeof key)
		key = ((guint64)g_random_int() << 32) | g_random_int();
	wh_id_key = key;
	wh_pool = g_thread_pool_new(webhook_work, NULL, (gint)wh_threads, TRUE, err);
	if (!wh_pool)
		return false;
	if (!webhook_guard_start(err)) {
		g_thread_pool_free(wh_pool, TRUE, FALSE);
		wh_pool = NULL;
		return false;
	}
	wh_daemon = MHD_start_daemon(flags, 0, NULL, NULL, webhook_access, NULL,
				     MHD_OPTION_EXTERNAL_LOGGER, webhook_mhd_log, NULL,
				     MHD_OPTION_LISTEN_SOCKET, wh_fd,
				     MHD_OPTION_THREAD_POOL_SIZE, wh_threads,
				     MHD_OPTION_CONNECTION_LIMIT, webhook_guard_mhd_total(),
				     MHD_OPTION_PER_IP_CONNECTION_LIMIT, webhook_guard_mhd_per_ip(),
				     MHD_OPTION_NOTIFY_CONNECTION, webhook_guard_notify, NULL,
				     MHD_OPTION_CONNECTION_TIMEOUT, wh_timeout,
				     MHD_OPTION_CONNECTION_MEMORY_LIMIT, wh_header_limit,
				     MHD_OPTION_NOTIFY_COMPLETED, webhook_done, NULL,
				     MHD_OPTION_ARRAY, tls,
				     MHD_OPTION_END);
	if (!wh_daemon) {
		if (wh_tls_cert)
			g_set_error(err, VIGIE_ERROR, VIGIE_ERROR_CONFIG,
				    "[webhook] the HTTPS server did not start: are tls_cert = %s and tls_key = %s "
				    "a matching PEM certificate and key?", wh_tls_cert_path, wh_tls_key_path);
		else
			g_set_error(err, VIGIE_ERROR, VIGIE_ERROR_CONFIG, "[webhook] the HTTP server did not start");
		webhook_guard_stop();
		g_thread_pool_free(wh_pool, TRUE, FALSE);
		wh_pool = NULL;
		return false;
	}
	return true;
}

/* webhook_in_flight - requests being handled */
unsigned webhook_in_flight(void)
{
	return (unsigned)g_atomic_int_get(&wh_busy);
}

/* webhook_stop - quiesce, wait up to grace_s, stop, free */
void webhook_stop(long long grace_s)
{
	if (wh_daemon) {
		int fd = MHD_quiesce_daemon(wh_daemon);
		if (fd >= 0)
			close(fd);
		for (long long w = 0; webhook_in_flight() > 0 && w < grace_s * 10; w++)
			g_usleep(100 * 1000);
		/* the workers finish what is queued and resume every suspended
		 * connection: libmicrohttpd then closes them */
		g_thread_pool_free(wh_pool, FALSE, TRUE);
		wh_pool = NULL;
		webhook_guard_stop();
		MHD_stop_daemon(wh_daemon);
		wh_daemon = NULL;
		wh_fd = -1;
	}
	if (wh_fd >= 0)
		close(wh_fd);
	wh_fd = -1;
	webhook_rate_free(wh_pipe.rate);
	webhook_dedup_free(wh_pipe.dedup);
	wh_pipe.rate = NULL;
	wh_pipe.dedup = NULL;
	webhook_channels_free(wh_channels);
	wh_channels = NULL;
	g_free(wh_tls_cert);
	if (wh_tls_key)
		explicit_bzero(wh_tls_key, strlen(wh_tls_key));
	g_free(wh_tls_key);
	wh_tls_cert = wh_tls_key = NULL;
	g_free(wh_tls_cert_path);
	g_free(wh_tls_key_path);
	wh_tls_cert_path = wh_tls_key_path = NULL;
	vhttp_global_cleanup();
}
