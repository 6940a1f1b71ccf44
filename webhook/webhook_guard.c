/* webhook_guard.c - slow and greedy clients (slowloris): connection
 * limits answered with 503, a whole-request deadline, a minimum receive
 * rate. libmicrohttpd's connection_timeout counts idle time only, so a
 * client dripping one byte a second held a connection for ever.
 *
 *   max_connections_per_ip  connections one address may hold (IPv6: one
 *                           /64); 0 = no per-address limit
 *   max_connections         connections overall
 *   request_timeout         seconds from a request's first byte (for the
 *                           first request: from the accept, so a stalled
 *                           TLS handshake counts) to its last byte
 *   min_receive_rate        bytes a second (TCP bytes, so headers, body and
 *                           TLS handshake alike), measured from the same
 *                           start once GRACE_S passed; 0 = off
 *
 * Over a limit: libmicrohttpd's own limits (MHD_OPTION_PER_IP_CONNECTION_
 * LIMIT, MHD_OPTION_CONNECTION_LIMIT) can only close a connection at
 * accept, without a word, and so can an accept policy callback. So they
 * are set a margin above ours: a connection between the two is accepted,
 * marked refused by webhook_guard_notify, and answered 503 with
 * Retry-After and Connection: close as soon as its headers are in
 * (webhook.c), over HTTP and HTTPS alike; a refused connection that does
 * not send its headers within GRACE_S is closed. Beyond the margin, the
 * accept is refused silently (the client sees the connection closed).
 *
 * Past the deadline or below the rate, a reaper thread shuts the socket
 * down (libmicrohttpd then sees the end of the stream and frees the
 * connection); over plain HTTP it first writes a 408 (nothing else is
 * being written on a connection that is still receiving its request).
 * The clock stops while a request is handled and answered, and starts
 * again at the first byte of the next request on a kept-alive connection
 * (idle time between requests is connection_timeout's business).
 *
 * SECURITY: the peer address comes from the socket, never from headers.
 * The state of a connection is freed only by the CLOSED notification,
 * which libmicrohttpd sends before it closes the descriptor; the reaper
 * touches a descriptor only under the lock that notification takes, so
 * it never shuts down a descriptor number already reused.
 */
#include "webhook_guard.h"
#include "vlog.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <linux/tcp.h> /* struct tcp_info with tcpi_bytes_received */
#include <stddef.h>
#include <string.h>
#include <sys/socket.h>

#define GRACE_S 2   /* before the rate is judged; a refused client's time */
#define TICK_MS 250 /* the reaper's period */

/* one connection, from the STARTED to the CLOSED notification */
typedef struct {
	int fd;
	char *addr;	/* key in guard_per_addr (borrowed from it) */
	bool refused;	/* over a limit: answered 503 */
	bool receiving; /* a request (or the TLS handshake) is coming in */
	bool killed;	/* shut down by the reaper */
	gint64 start;	/* µs, monotonic; 0: idle between requests */
	guint64 mark;	/* TCP bytes received when the clock started */
} guard_sock;

static GMutex guard_lock;
static GCond guard_cond;
static GHashTable *guard_socks;	   /* guard_sock* set */
static GHashTable *guard_per_addr; /* address key -> count */
static unsigned guard_total;
static unsigned guard_per_ip, guard_max_total, guard_timeout, guard_rate;
static bool guard_tls, guard_stopping;
static GThread *guard_thread;
static guint64 guard_n_deadline, guard_n_slow, guard_n_refused_ip, guard_n_refused_total;

void webhook_guard_setup(const vigie_config *c, bool tls)
{
	guard_per_ip = (unsigned)vigie_config_get_int(c, "webhook", "max_connections_per_ip");
	guard_max_total = (unsigned)vigie_config_get_int(c, "webhook", "max_connections");
	guard_timeout = (unsigned)vigie_config_get_int(c, "webhook", "request_timeout");
	guard_rate = (unsigned)vigie_config_get_int(c, "webhook", "min_receive_rate");
	guard_tls = tls;
}

/* guard_margin - how many connections above a limit get a 503 */
static unsigned guard_margin(unsigned limit)
{
	return MAX(4u, limit / 4);
}

unsigned webhook_guard_mhd_per_ip(void)
{
	return guard_per_ip ? guard_per_ip + guard_margin(guard_per_ip) : 0;
}

unsigned webhook_guard_mhd_total(void)
{
	return guard_max_total + guard_margin(guard_max_total);
}

/* guard_addr_key - the address a connection counts against: IPv4, or the
 * /64 of an IPv6 address (IPv4-mapped ones count as IPv4); caller g_free */
static char *guard_addr_key(const struct sockaddr *sa)
{
	char buf[INET6_ADDRSTRLEN];
	if (sa && sa->sa_family == AF_INET) {
		inet_ntop(AF_INET, &((const struct sockaddr_in *)sa)->sin_addr, buf, sizeof buf);
		return g_strdup(buf);
	}
	if (sa && sa->sa_family == AF_INET6) {
		const struct in6_addr *a = &((const struct sockaddr_in6 *)sa)->sin6_addr;
		if (IN6_IS_ADDR_V4MAPPED(a)) {
			inet_ntop(AF_INET, a->s6_addr + 12, buf, sizeof buf);
			return g_strdup(buf);
		}
		struct in6_addr p = *a;
		memset(p.s6_addr + 8, 0, 8);
		inet_ntop(AF_INET6, &p, buf, sizeof buf);
		return g_strdup_printf("%s/64", buf);
	}
	return g_strdup("?");
}

/* guard_tcp_bytes - bytes the kernel received on fd so far; *known false
 * when the kernel does not say (before Linux 4.1: the rate is not judged) */
static guint64 guard_tcp_bytes(int fd, bool *known)
{
	struct tcp_info ti;
	socklen_t len = sizeof ti;
	memset(&ti, 0, sizeof ti);
	*known =
	    getsockopt(fd, IPPROTO_TCP, TCP_INFO, &ti, &len) == 0 &&
	    len >= offsetof(struct tcp_info, tcpi_bytes_received) + sizeof ti.tcpi_bytes_received;
	return *known ? ti.tcpi_bytes_received : 0;
}

void webhook_guard_notify(void *cls, struct MHD_Connection *conn, void **socket_context,
			  enum MHD_ConnectionNotificationCode code)
{
	(void)cls;
	if (code == MHD_CONNECTION_NOTIFY_STARTED) {
		const union MHD_ConnectionInfo *fi =
		    MHD_get_connection_info(conn, MHD_CONNECTION_INFO_CONNECTION_FD);
		const union MHD_ConnectionInfo *ai =
		    MHD_get_connection_info(conn, MHD_CONNECTION_INFO_CLIENT_ADDRESS);
		guard_sock *s = g_new0(guard_sock, 1);
		s->fd = fi ? fi->connect_fd : -1;
		char *key = guard_addr_key(ai ? ai->client_addr : NULL);
		s->receiving = true;
		s->start = g_get_monotonic_time();
		g_mutex_lock(&guard_lock);
		gpointer old_key = NULL, old_n = NULL;
		unsigned n = 1;
		if (g_hash_table_lookup_extended(guard_per_addr, key, &old_key, &old_n)) {
			n = GPOINTER_TO_UINT(old_n) + 1;
			g_hash_table_insert(guard_per_addr, g_strdup(key),
					    GUINT_TO_POINTER(n)); /* frees the new key copy */
			s->addr = old_key;
		} else {
			s->addr = g_strdup(key);
			g_hash_table_insert(guard_per_addr, s->addr, GUINT_TO_POINTER(n));
		}
		guard_total++;
		if (guard_per_ip && n > guard_per_ip) {
			s->refused = true;
			guard_n_refused_ip++;
		} else if (guard_total > guard_max_total) {
			s->refused = true;
			guard_n_refused_total++;
		}
		g_hash_table_add(guard_socks, s);
		g_mutex_unlock(&guard_lock);
		g_free(key);
		*socket_context = s;
	} else if (code == MHD_CONNECTION_NOTIFY_CLOSED) {
		guard_sock *s = *socket_context;
		if (!s)
			return;
		g_mutex_lock(&guard_lock);
		g_hash_table_remove(guard_socks, s);
		unsigned n = GPOINTER_TO_UINT(g_hash_table_lookup(guard_per_addr, s->addr));
		if (n <= 1)
			g_hash_table_remove(guard_per_addr, s->addr);
		else
			g_hash_table_insert(
			    guard_per_addr, g_strdup(s->addr),
			    GUINT_TO_POINTER(n - 1)); /* keeps the key others borrow */
		guard_total--;
		g_mutex_unlock(&guard_lock);
		g_free(s);
		*socket_context = NULL;
	}
}

/* guard_of - conn's state (set by the STARTED notification) */
static guard_sock *guard_of(struct MHD_Connection *conn)
{
	const union MHD_ConnectionInfo *i =
	    MHD_get_connection_info(conn, MHD_CONNECTION_INFO_SOCKET_CONTEXT);
	return i ? i->socket_context : NULL;
}

bool webhook_guard_refused(struct MHD_Connection *conn)
{
	guard_sock *s = guard_of(conn);
	return s && s->refused; /* set once, before the connection is served */
}

void webhook_guard_received(struct MHD_Connection *conn)
{
	guard_sock *s = guard_of(conn);
	if (!s)
		return;
	g_mutex_lock(&guard_lock);
	s->receiving = false;
	g_mutex_unlock(&guard_lock);
}

void webhook_guard_answered(struct MHD_Connection *conn)
{
	guard_sock *s = guard_of(conn);
	if (!s)
		return;
	bool known;
	guint64 b = guard_tcp_bytes(s->fd, &known);
	g_mutex_lock(&guard_lock);
	s->receiving = true;
	s->start = 0;
	s->mark = b;
	g_mutex_unlock(&guard_lock);
}

/* guard_kill - end s: a 408 over plain HTTP, then shut the socket down */
static void guard_kill(guard_sock *s)
{
	static const char r408[] =
	    "HTTP/1.1 408 Request Timeout\r\nContent-Type: text/plain\r\n"
	    "Connection: close\r\nContent-Length: 16\r\n\r\nrequest too slow";
	if (!guard_tls && !s->refused)
		(void)!send(s->fd, r408, sizeof r408 - 1, MSG_DONTWAIT | MSG_NOSIGNAL);
	shutdown(s->fd, SHUT_RDWR);
	s->killed = true;
}

/* guard_sweep - one pass of the reaper, under the lock */
static void guard_sweep(void)
{
	gint64 now = g_get_monotonic_time();
	unsigned late = 0, slow = 0;
	const char *example = NULL;
	GHashTableIter it;
	gpointer k;
	g_hash_table_iter_init(&it, guard_socks);
	while (g_hash_table_iter_next(&it, &k, NULL)) {
		guard_sock *s = k;
		if (s->killed || !s->receiving || s->fd < 0)
			continue;
		bool known;
		guint64 b = guard_tcp_bytes(s->fd, &known);
		if (!s->start) { /* idle between requests: the clock starts with a byte */
			if (b > s->mark || !known)
				s->start = now;
			continue;
		}
		double elapsed = (double)(now - s->start) / G_USEC_PER_SEC;
		bool is_late = elapsed > (s->refused ? GRACE_S : guard_timeout);
		bool is_slow = !is_late && guard_rate && known && elapsed >= GRACE_S &&
			       b >= s->mark && (double)(b - s->mark) < guard_rate * elapsed;
		if (!is_late && !is_slow)
			continue;
		guard_kill(s);
		late += is_late;
		slow += is_slow;
		example = s->addr;
	}
	guard_n_deadline += late;
	guard_n_slow += slow;
	if (late || slow)
		vlog(LOG_WARNING, NULL,
		     "webhook: closed %u connection(s) past [webhook] request_timeout and %u below "
		     "min_receive_rate (one from %s)",
		     late, slow, example);
}

/* guard_run - the reaper thread */
static gpointer guard_run(gpointer unused)
{
	(void)unused;
	g_mutex_lock(&guard_lock);
	while (!guard_stopping) {
		gint64 until = g_get_monotonic_time() + TICK_MS * 1000;
		while (!guard_stopping && g_cond_wait_until(&guard_cond, &guard_lock, until))
			;
		if (!guard_stopping)
			guard_sweep();
	}
	g_mutex_unlock(&guard_lock);
	return NULL;
}

bool webhook_guard_start(GError **err)
{
	if (!guard_socks) {
		guard_socks = g_hash_table_new(g_direct_hash, g_direct_equal);
		guard_per_addr = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, NULL);
	}
	guard_stopping = false;
	guard_thread = g_thread_try_new("webhook-guard", guard_run, NULL, err);
	return guard_thread != NULL;
}

void webhook_guard_stop(void)
{
	if (!guard_thread)
		return;
	g_mutex_lock(&guard_lock);
	guard_stopping = true;
	g_cond_signal(&guard_cond);
	g_mutex_unlock(&guard_lock);
	g_thread_join(guard_thread);
	guard_thread = NULL;
}

char *webhook_guard_metrics(void)
{
	g_mutex_lock(&guard_lock);
	char *t = g_strdup_printf(
	    "# HELP vigie_webhook_connections Open webhook connections.\n"
	    "# TYPE vigie_webhook_connections gauge\n"
	    "vigie_webhook_connections %u\n"
	    "# HELP vigie_webhook_connections_closed_total Connections the webhook closed or "
	    "refused, by reason.\n"
	    "# TYPE vigie_webhook_connections_closed_total counter\n"
	    "vigie_webhook_connections_closed_total{reason=\"request_timeout\"} %" G_GUINT64_FORMAT
	    "\n"
	    "vigie_webhook_connections_closed_total{reason=\"min_receive_rate\"} %" G_GUINT64_FORMAT
	    "\n"
	    "vigie_webhook_connections_closed_total{reason=\"per_ip_limit\"} %" G_GUINT64_FORMAT
	    "\n"
	    "vigie_webhook_connections_closed_total{reason=\"connection_limit\"} %" G_GUINT64_FORMAT
	    "\n",
	    guard_total, guard_n_deadline, guard_n_slow, guard_n_refused_ip, guard_n_refused_total);
	g_mutex_unlock(&guard_lock);
	return t;
}
