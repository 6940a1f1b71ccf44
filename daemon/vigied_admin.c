/* vigied_admin.c - the admin listener: health, readiness and metrics over
 * HTTP, for a milter-only deployment as much as for one with the webhook.
 *
 *   GET /healthz   200 "ok" when rules are loaded, else 503
 *   GET /readyz    200 "ready" once the front ends listen and rules are
 *                  loaded, else 503 (also while stopping)
 *   GET /metrics   Prometheus text: engine, signatures, milter counters,
 *                  the traffic watch (alerts/)
 *
 * Interface: vigied_admin_setup() binds [admin] address and port (before
 * privileges are dropped), vigied_admin_start() serves from libmicrohttpd's
 * own thread (after), vigied_admin_set_ready() flips /readyz,
 * vigied_admin_stop() closes it.
 *
 * SECURITY: no authentication and no request body is read; it answers
 * three fixed GETs from counters, never from anything a message carried.
 * Keep it on loopback or a management network ([admin] address).
 */
#include "alerts.h"
#include "milter.h"
#include "vigied.h"
#include "vlog.h"

#include <arpa/inet.h>
#include <errno.h>
#include <microhttpd.h>
#include <netinet/in.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

static int admin_fd = -1;
static struct MHD_Daemon *admin_daemon;
static vigie_slot *admin_slot;
static bool admin_milter_on;
static gint admin_ready;

/* vigied_admin_bind - a listening TCP socket on addr port, or -1 with err */
static int vigied_admin_bind(const char *addr, int port, GError **err)
{
	struct sockaddr_storage ss = {0};
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
		g_set_error(err, VIGIE_ERROR, VIGIE_ERROR_CONFIG,
			    "[admin] address = %s: not an IP address", addr);
		return -1;
	}
	int fd = socket(ss.ss_family, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
	int one = 1;
	if (fd >= 0) {
		setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
		if (ss.ss_family == AF_INET6)
			setsockopt(fd, IPPROTO_IPV6, IPV6_V6ONLY, &one, sizeof one);
	}
	if (fd < 0 || bind(fd, (struct sockaddr *)&ss, len) != 0 || listen(fd, 64) != 0) {
		g_set_error(err, VIGIE_ERROR, VIGIE_ERROR_CONFIG,
			    "[admin] %s port %d: cannot listen: %s", addr, port, g_strerror(errno));
		if (fd >= 0)
			close(fd);
		return -1;
	}
	return fd;
}

/* vigied_admin_setup - bind the admin socket; slot must outlive the
 * listener. False with err when it cannot listen. */
bool vigied_admin_setup(const vigie_config *c, vigie_slot *slot, bool milter_on, GError **err)
{
	admin_slot = slot;
	admin_milter_on = milter_on;
	admin_fd = vigied_admin_bind(vigie_config_get(c, "admin", "address"),
				     (int)vigie_config_get_int(c, "admin", "port"), err);
	return admin_fd >= 0;
}

/* vigied_admin_milter_metrics - the milter's counters in Prometheus text;
 * caller g_free */
char *vigied_admin_milter_metrics(void)
{
	guint64 n[MILTER_COUNT_N];
	milter_counters(n);
	GString *o = g_string_new(
	    "# HELP vigie_milter_messages_total Mail scanned by the milter, by action "
	    "(failed: the fail mode answered).\n# TYPE vigie_milter_messages_total counter\n");
	for (int i = 0; i < MILTER_COUNT_N; i++)
		g_string_append_printf(
		    o, "vigie_milter_messages_total{action=\"%s\"} %" G_GUINT64_FORMAT "\n",
		    i == MILTER_COUNT_FAILED ? "failed" : vigie_action_name(i), n[i]);
	g_string_append_printf(o,
			       "# HELP vigie_milter_in_flight Mail between MAIL FROM and its end.\n"
			       "# TYPE vigie_milter_in_flight gauge\nvigie_milter_in_flight %u\n",
			       milter_in_flight());
	return g_string_free(o, FALSE);
}

/* vigied_admin_metrics - the whole /metrics text; caller g_free */
static char *vigied_admin_metrics(void)
{
	vigie_engine *e = vigie_slot_get(admin_slot);
	GString *o = g_string_new(NULL);
	g_string_append_printf(o,
			       "# HELP vigie_engine_loaded 1 when rules are loaded.\n"
			       "# TYPE vigie_engine_loaded gauge\nvigie_engine_loaded %d\n",
			       e ? 1 : 0);
	g_string_append_printf(o,
			       "# HELP vigie_engine_signatures Signatures in the loaded engine.\n"
			       "# TYPE vigie_engine_signatures gauge\nvigie_engine_signatures %u\n",
			       e ? vigie_engine_signature_count(e) : 0);
	g_string_append_printf(
	    o,
	    "# HELP vigie_ready 1 when the front ends listen and rules are loaded.\n"
	    "# TYPE vigie_ready gauge\nvigie_ready %d\n",
	    e && g_atomic_int_get(&admin_ready) ? 1 : 0);
	vigie_engine_unref(e);
	if (admin_milter_on) {
		char *m = vigied_admin_milter_metrics();
		g_string_append(o, m);
		g_free(m);
	}
	char *a = alerts_metrics();
	g_string_append(o, a);
	g_free(a);
	return g_string_free(o, FALSE);
}

/* vigied_admin_reply - queue status and body (copied) on conn */
static enum MHD_Result vigied_admin_reply(struct MHD_Connection *conn, unsigned status,
					  const char *type, const char *body)
{
	struct MHD_Response *res =
	    MHD_create_response_from_buffer(strlen(body), (void *)body, MHD_RESPMEM_MUST_COPY);
	MHD_add_response_header(res, MHD_HTTP_HEADER_CONTENT_TYPE, type);
	MHD_add_response_header(res, MHD_HTTP_HEADER_CACHE_CONTROL, "no-store");
	enum MHD_Result r = MHD_queue_response(conn, status, res);
	MHD_destroy_response(res);
	return r;
}

/* vigied_admin_access - one request: the three GETs, else 404 / 405 */
static enum MHD_Result vigied_admin_access(void *cls, struct MHD_Connection *conn, const char *url,
					   const char *method, const char *version,
					   const char *upload, size_t *upload_size, void **con_cls)
{
	(void)cls;
	(void)version;
	(void)upload;
	/* first call: headers only; answer on the second (no body is read) */
	if (!*con_cls) {
		*con_cls = conn;
		return MHD_YES;
	}
	if (*upload_size) {
		*upload_size = 0; /* discarded */
		return MHD_YES;
	}
	const char *text = "text/plain; charset=utf-8";
	if (strcmp(method, "GET") && strcmp(method, "HEAD"))
		return vigied_admin_reply(conn, MHD_HTTP_METHOD_NOT_ALLOWED, text,
					  "method not allowed\n");
	if (!strcmp(url, "/healthz") || !strcmp(url, "/readyz")) {
		vigie_engine *e = vigie_slot_get(admin_slot);
		bool loaded = e != NULL;
		vigie_engine_unref(e);
		if (!strcmp(url, "/healthz"))
			return loaded ? vigied_admin_reply(conn, MHD_HTTP_OK, text, "ok\n")
				      : vigied_admin_reply(conn, MHD_HTTP_SERVICE_UNAVAILABLE, text,
							   "rules not loaded\n");
		if (!loaded)
			return vigied_admin_reply(conn, MHD_HTTP_SERVICE_UNAVAILABLE, text,
						  "rules not loaded\n");
		return g_atomic_int_get(&admin_ready)
			   ? vigied_admin_reply(conn, MHD_HTTP_OK, text, "ready\n")
			   : vigied_admin_reply(conn, MHD_HTTP_SERVICE_UNAVAILABLE, text,
						"not listening\n");
	}
	if (!strcmp(url, "/metrics")) {
		char *m = vigied_admin_metrics();
		enum MHD_Result r =
		    vigied_admin_reply(conn, MHD_HTTP_OK, "text/plain; version=0.0.4", m);
		g_free(m);
		return r;
	}
	return vigied_admin_reply(conn, MHD_HTTP_NOT_FOUND, text, "not found\n");
}

/* vigied_admin_mhd_log - libmicrohttpd's own errors through vlog */
static void vigied_admin_mhd_log(void *cls, const char *fmt, va_list ap) G_GNUC_PRINTF(2, 0);
static void vigied_admin_mhd_log(void *cls, const char *fmt, va_list ap)
{
	(void)cls;
	char buf[512];
	vsnprintf(buf, sizeof buf, fmt, ap);
	buf[strcspn(buf, "\n")] = '\0';
	vlog(LOG_WARNING, NULL, "admin listener: %s", buf);
}

/* vigied_admin_start - serve the bound socket from libmicrohttpd's thread */
bool vigied_admin_start(GError **err)
{
	g_return_val_if_fail(admin_fd >= 0, false);
	admin_daemon = MHD_start_daemon(
	    MHD_USE_INTERNAL_POLLING_THREAD | MHD_USE_ERROR_LOG, 0, NULL, NULL, vigied_admin_access,
	    NULL, MHD_OPTION_EXTERNAL_LOGGER, vigied_admin_mhd_log, NULL, MHD_OPTION_LISTEN_SOCKET,
	    admin_fd, MHD_OPTION_CONNECTION_LIMIT, 64U, MHD_OPTION_CONNECTION_TIMEOUT, 10U,
	    MHD_OPTION_CONNECTION_MEMORY_LIMIT, (size_t)16384, MHD_OPTION_END);
	if (!admin_daemon) {
		g_set_error(err, VIGIE_ERROR, VIGIE_ERROR_CONFIG,
			    "[admin] cannot start the listener");
		return false;
	}
	return true;
}

/* vigied_admin_set_ready - what /readyz says (with rules loaded) */
void vigied_admin_set_ready(bool ready)
{
	g_atomic_int_set(&admin_ready, ready ? 1 : 0);
}

/* vigied_admin_stop - close the listener (no-op when never started) */
void vigied_admin_stop(void)
{
	if (admin_daemon) {
		MHD_stop_daemon(admin_daemon); /* it closes the socket it was given */
		admin_daemon = NULL;
		admin_fd = -1;
	}
	if (admin_fd >= 0)
		close(admin_fd);
	admin_fd = -1;
}
