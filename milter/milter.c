/* milter.c - the libmilter callbacks: a thin adapter from a milter session
 * to the core's message and verdict.
 *
 * Per connection: a conn (client, HELO, negotiated protocol flags, trust).
 * Per message: a msg hanging off the conn (envelope, the bytes rebuilt from
 * headers and body, forged X-Vigie-* headers seen), released in one place,
 * msg_free, reached from end of message, abort and close alike.
 *
 * The MTA is asked not to wait for replies to connect/HELO/RCPT/header/
 * body callbacks where it supports that (fewer round trips), and to send
 * header values with their leading space so the rebuilt bytes match what
 * was received.
 *
 * Bounds: [core] max_message_size covers the whole message as rebuilt
 * (headers too); past it nothing more is kept and the message gets
 * on_oversize. At most [milter] max_concurrent_scans scans run at once
 * (memory per scan is several times the message size); a message that
 * waits longer than scan_wait for a slot gets on_overload.
 *
 * SECURITY: everything the MTA passes is sender data except the macros the
 * MTA computes itself (queue id, authenticated user, client address). The
 * trust decisions ([milter] trusted_clients, skip_authenticated) use only
 * those. A message is never dropped: any failure goes through the fail
 * modes of the configuration (tempfail by default).
 */
#include "milter.h"
#include "milter_apply.h"
#include "milter_buf.h"
#include "vlog.h"

#include <arpa/inet.h>
#include <libmilter/mfapi.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

typedef struct {
	char *queue_id;
	char *mail_from;
	GPtrArray *rcpt;
	milter_buf *buf;
	GHashTable *forged;  /* lower-case name -> count */
	char *subject;       /* first Subject, as received */
	char *release;       /* first X-Vigie-Release, as received */
	gsize max_size;      /* [core] max_message_size when the message began */
	bool oversize;
	bool counted;        /* in milter_in_flight */
	char *error;         /* buffering failed */
} msg;

typedef struct {
	char *client_addr;
	char *client_name;
	char *helo;
	unsigned long pflags;
	unsigned long actions; /* SMFIF_* the MTA granted */
	bool trusted;
	msg *m;
} conn;

#define MILTER_MAX_FORGED_NAMES 256

static vigie_slot *milter_slot;
static const vigie_config *milter_boot_config; /* when no engine could be loaded */
static vigie_quarantine *milter_q;
static gint milter_busy;
static guint64 milter_counts[MILTER_COUNT_N]; /* for GET /metrics */
static void (*milter_observer)(const vigie_message *m, const vigie_verdict *v);

/* milter_set_observer - see milter.h */
void milter_set_observer(void (*fn)(const vigie_message *m, const vigie_verdict *v))
{
	milter_observer = fn;
}
static char *milter_unix_path;
/* scans running at once, bounded by [milter] max_concurrent_scans */
static GMutex milter_scan_lock;
static GCond milter_scan_cond;
static unsigned milter_scans;

static void msg_free(conn *cn)
{
	msg *m = cn ? cn->m : NULL;
	if (!m)
		return;
	if (m->counted)
		g_atomic_int_dec_and_test(&milter_busy);
	g_free(m->queue_id);
	g_free(m->mail_from);
	g_ptr_array_unref(m->rcpt);
	milter_buf_free(m->buf);
	if (m->forged)
		g_hash_table_unref(m->forged);
	g_free(m->subject);
	g_free(m->release);
	g_free(m->error);
	g_free(m);
	cn->m = NULL;
}

/* milter_config - the configuration in force: the engine's, or the one
 * read at start when no engine is loaded (rules broken) */
static const vigie_config *milter_config(const vigie_engine *e)
{
	return e ? vigie_engine_config(e) : milter_boot_config;
}

/* milter_reply_none - SMFIS_NOREPLY where negotiated, else CONTINUE */
static sfsistat milter_reply_none(const conn *cn, unsigned long flag)
{
	return cn && (cn->pflags & flag) ? SMFIS_NOREPLY : SMFIS_CONTINUE;
}

/* milter_cidr_match - addr (text) inside "a.b.c.d/n", "v6::/n" or equal to one address */
static bool milter_cidr_match(const char *addr, const char *spec)
{
	char buf[INET6_ADDRSTRLEN + 8];
	g_strlcpy(buf, spec, sizeof buf);
	char *slash = strchr(buf, '/');
	int bits = -1;
	if (slash) {
		*slash = '\0';
		bits = atoi(slash + 1);
	}
	unsigned char a[16], b[16];
	int len;
	if (inet_pton(AF_INET, addr, a) == 1 && inet_pton(AF_INET, buf, b) == 1)
		len = 4;
	else if (inet_pton(AF_INET6, addr, a) == 1 && inet_pton(AF_INET6, buf, b) == 1)
		len = 16;
	else
		return false;
	if (bits < 0 || bits > len * 8)
		bits = len * 8;
	for (int i = 0; i < len && bits > 0; i++, bits -= 8) {
		unsigned char mask = bits >= 8 ? 0xff : (unsigned char)(0xff << (8 - bits));
		if ((a[i] & mask) != (b[i] & mask))
			return false;
	}
	return true;
}

static sfsistat mlfi_negotiate(SMFICTX *ctx, unsigned long f0, unsigned long f1, unsigned long f2,
			       unsigned long f3, unsigned long *pf0, unsigned long *pf1,
			       unsigned long *pf2, unsigned long *pf3)
{
	conn *cn = g_new0(conn, 1);
	smfi_setpriv(ctx, cn);
	*pf0 = (SMFIF_ADDHDRS | SMFIF_CHGHDRS) & f0;
	cn->actions = *pf0;
	unsigned long want = SMFIP_HDR_LEADSPC | SMFIP_NR_CONN | SMFIP_NR_HELO | SMFIP_NR_RCPT |
			     SMFIP_NR_HDR | SMFIP_NR_EOH | SMFIP_NR_BODY | SMFIP_NOUNKNOWN |
			     SMFIP_NODATA;
	cn->pflags = want & f1;
	*pf1 = cn->pflags;
	*pf2 = 0;
	*pf3 = 0;
	return SMFIS_CONTINUE;
}

static sfsistat mlfi_connect(SMFICTX *ctx, char *hostname, _SOCK_ADDR *sa)
{
	conn *cn = smfi_getpriv(ctx);
	if (!cn) { /* an MTA that skipped negotiation: libmilter assumes xxfi_flags */
		cn = g_new0(conn, 1);
		cn->actions = SMFIF_ADDHDRS | SMFIF_CHGHDRS;
		smfi_setpriv(ctx, cn);
	}
	char addr[INET6_ADDRSTRLEN] = "unknown";
	if (sa && sa->sa_family == AF_INET)
		inet_ntop(AF_INET, &((struct sockaddr_in *)sa)->sin_addr, addr, sizeof addr);
	else if (sa && sa->sa_family == AF_INET6)
		inet_ntop(AF_INET6, &((struct sockaddr_in6 *)sa)->sin6_addr, addr, sizeof addr);
	else if (!sa)
		g_strlcpy(addr, "local", sizeof addr);
	cn->client_addr = g_strdup(addr);
	cn->client_name = g_strdup(hostname ? hostname : "");

	vigie_engine *e = vigie_slot_get(milter_slot);
	char **trusted = NULL;
	const char *list = vigie_config_get(milter_config(e), "milter", "trusted_clients");
	if (list && *list)
		trusted = g_strsplit(list, ",", -1);
	for (char **t = trusted; t && *t; t++)
		if (milter_cidr_match(cn->client_addr, g_strstrip(*t)))
			cn->trusted = true;
	g_strfreev(trusted);
	vigie_engine_unref(e);
	return milter_reply_none(cn, SMFIP_NR_CONN);
}

static sfsistat mlfi_helo(SMFICTX *ctx, char *helo)
{
	conn *cn = smfi_getpriv(ctx);
	if (cn) {
		g_free(cn->helo);
		cn->helo = g_strdup(helo ? helo : "");
	}
	return milter_reply_none(cn, SMFIP_NR_HELO);
}

static sfsistat mlfi_envfrom(SMFICTX *ctx, char **argv)
{
	conn *cn = smfi_getpriv(ctx);
	if (!cn)
		return SMFIS_TEMPFAIL;
	msg_free(cn);
	vigie_engine *e = vigie_slot_get(milter_slot);
	const vigie_config *c = milter_config(e);
	const char *auth = smfi_getsymval(ctx, "{auth_authen}");
	const char *qid = smfi_getsymval(ctx, "i");
	if (cn->trusted || (auth && *auth && vigie_config_get_bool(c, "milter", "skip_authenticated"))) {
		vlog(LOG_INFO, qid ? qid : "NOQUEUE", "not scanned: %s",
		     cn->trusted ? "trusted client" : "authenticated sender");
		vigie_engine_unref(e);
		return SMFIS_ACCEPT;
	}
	msg *m = g_new0(msg, 1);
	cn->m = m;
	m->queue_id = qid ? g_strdup(qid) : NULL;
	m->mail_from = g_strdup(argv && argv[0] ? argv[0] : "");
	m->rcpt = g_ptr_array_new_with_free_func(g_free);
	m->buf = milter_buf_new((gsize)vigie_config_get_int(c, "milter", "spill_size"),
				vigie_config_get(c, "milter", "temp_dir"));
	m->max_size = (gsize)vigie_config_get_int(c, "core", "max_message_size");
	m->counted = true;
	g_atomic_int_inc(&milter_busy);
	vigie_engine_unref(e);
	return SMFIS_CONTINUE;
}

static sfsistat mlfi_envrcpt(SMFICTX *ctx, char **argv)
{
	conn *cn = smfi_getpriv(ctx);
	if (cn && cn->m && argv && argv[0])
		g_ptr_array_add(cn->m->rcpt, g_strdup(argv[0]));
	return milter_reply_none(cn, SMFIP_NR_RCPT);
}

/* milter_append - add bytes to the message unless that would take it past
 * [core] max_message_size: then it is marked oversize, nothing more is
 * kept, and end of message answers on_oversize. Headers, the end of
 * headers and body all pass here, so the whole message is bounded. */
static void milter_append(conn *cn, const void *data, gsize len)
{
	msg *m = cn->m;
	if (m->oversize || m->error)
		return;
	if (len > m->max_size || milter_buf_len(m->buf) > m->max_size - len) {
		m->oversize = true;
		return;
	}
	GError *err = NULL;
	if (!milter_buf_append(m->buf, data, len, &err)) {
		m->error = g_strdup(err->message);
		g_error_free(err);
	}
}

static sfsistat mlfi_header(SMFICTX *ctx, char *name, char *value)
{
	conn *cn = smfi_getpriv(ctx);
	if (!cn || !cn->m)
		return milter_reply_none(cn, SMFIP_NR_HDR);
	msg *m = cn->m;
	if (g_ascii_strncasecmp(name, "X-Vigie-", 8) == 0) {
		if (!m->forged)
			m->forged = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, NULL);
		char *key = g_ascii_strdown(name, -1);
		int n = GPOINTER_TO_INT(g_hash_table_lookup(m->forged, key));
		if (n == 0 && g_hash_table_size(m->forged) >= MILTER_MAX_FORGED_NAMES) {
			/* each name must be deleted at the end: keep the list bounded */
			if (!m->error)
				m->error = g_strdup("too many distinct X-Vigie-* headers");
			g_free(key);
		} else {
			g_hash_table_replace(m->forged, key, GINT_TO_POINTER(n + 1));
		}
	}
	if (!m->subject && g_ascii_strcasecmp(name, "Subject") == 0)
		m->subject = g_strdup(value);
	if (!m->release && g_ascii_strcasecmp(name, "X-Vigie-Release") == 0)
		m->release = g_strdup(value);
	milter_append(cn, name, strlen(name));
	milter_append(cn, (cn->pflags & SMFIP_HDR_LEADSPC) ? ":" : ": ", (cn->pflags & SMFIP_HDR_LEADSPC) ? 1 : 2);
	milter_append(cn, value, strlen(value));
	milter_append(cn, "\r\n", 2);
	return milter_reply_none(cn, SMFIP_NR_HDR);
}

static sfsistat mlfi_eoh(SMFICTX *ctx)
{
	conn *cn = smfi_getpriv(ctx);
	if (cn && cn->m)
		milter_append(cn, "\r\n", 2);
	return milter_reply_none(cn, SMFIP_NR_EOH);
}

static sfsistat mlfi_body(SMFICTX *ctx, unsigned char *chunk, size_t len)
{
	conn *cn = smfi_getpriv(ctx);
	if (!cn || !cn->m)
		return milter_reply_none(cn, SMFIP_NR_BODY);
	milter_append(cn, chunk, len); /* past the limit: dropped, the fail mode decides */
	return milter_reply_none(cn, SMFIP_NR_BODY);
}

/* milter_scan_enter - take one of [milter] max_concurrent_scans slots (0:
 * twice the CPUs), waiting at most [milter] scan_wait seconds; false when
 * none came free (the caller answers on_overload) */
static bool milter_scan_enter(const vigie_config *c)
{
	long long limit = vigie_config_get_int(c, "milter", "max_concurrent_scans");
	if (limit <= 0)
		limit = 2 * (long long)g_get_num_processors();
	gint64 deadline = g_get_monotonic_time() + vigie_config_get_int(c, "milter", "scan_wait") * G_USEC_PER_SEC;
	bool ok = true;
	g_mutex_lock(&milter_scan_lock);
	while (milter_scans >= (unsigned long long)limit && ok)
		ok = g_cond_wait_until(&milter_scan_cond, &milter_scan_lock, deadline) ||
		     milter_scans < (unsigned long long)limit;
	if (ok)
		milter_scans++;
	g_mutex_unlock(&milter_scan_lock);
	return ok;
}

/* milter_scan_leave - give the slot back */
static void milter_scan_leave(void)
{
	g_mutex_lock(&milter_scan_lock);
	milter_scans--;
	g_cond_signal(&milter_scan_cond);
	g_mutex_unlock(&milter_scan_lock);
}

static sfsistat mlfi_eom(SMFICTX *ctx)
{
	conn *cn = smfi_getpriv(ctx);
	if (!cn || !cn->m)
		return SMFIS_TEMPFAIL;
	msg *m = cn->m;
	if (!m->queue_id) {
		const char *qid = smfi_getsymval(ctx, "i");
		m->queue_id = g_strdup(qid ? qid : "NOQUEUE");
	}
	milter_msg_facts facts = { m->queue_id, m->forged, m->subject,
				   (cn->pflags & SMFIP_HDR_LEADSPC) != 0 };
	vigie_engine *e = vigie_slot_get(milter_slot);
	const vigie_config *c = milter_config(e);
	sfsistat r;
	bool scanning = false; /* holds a scan slot */
	if (!e) {
		r = milter_apply_fail(ctx, c, vigie_config_get(c, "milter", "on_engine_unavailable"),
				      "no engine loaded (rules failed to load)", &facts);
		goto out;
	}
	if (m->release && milter_q && !(cn->actions & SMFIF_CHGHDRS)) {
		vlog(LOG_WARNING, m->queue_id, "X-Vigie-Release not honoured: the MTA does not let us remove "
					      "it (no SMFIF_CHGHDRS): scanned as any mail");
	} else if (m->release && milter_q && !m->error && !m->oversize) {
		/* released by staff (vigie quarantine release): a token made for
		 * this body and these recipients, used once; the token header
		 * goes with every other incoming X-Vigie-* header */
		GBytes *bytes = milter_buf_bytes(m->buf, NULL);
		g_ptr_array_add(m->rcpt, NULL);
		char *id = NULL;
		const char *why = NULL;
		bool honoured = bytes && vigie_quarantine_release_use(milter_q, m->release, bytes,
								      (const char *const *)m->rcpt->pdata, &id, &why);
		g_ptr_array_remove_index(m->rcpt, m->rcpt->len - 1);
		if (honoured) {
			r = milter_apply_released(ctx, c, &facts, id);
			g_free(id);
			goto out;
		}
		vlog(LOG_NOTICE, m->queue_id, "X-Vigie-Release not honoured (%s): scanned as any mail",
		     why ? why : "message unreadable");
	}
	if (m->error) {
		r = milter_apply_fail(ctx, c, vigie_config_get(c, "milter", "on_scan_error"), m->error, &facts);
		goto out;
	}
	if (m->oversize) {
		r = milter_apply_fail(ctx, c, vigie_config_get(c, "milter", "on_oversize"),
				      "larger than [core] max_message_size", &facts);
		goto out;
	}
	if (!milter_scan_enter(c)) {
		r = milter_apply_fail(ctx, c, vigie_config_get(c, "milter", "on_overload"),
				      "no free scan slot ([milter] max_concurrent_scans, scan_wait)", &facts);
		goto out;
	}
	scanning = true;
	GError *err = NULL;
	GBytes *bytes = milter_buf_bytes(m->buf, &err);
	vigie_message *vm = NULL;
	if (bytes) {
		g_ptr_array_add(m->rcpt, NULL);
		vigie_mail_envelope env = { cn->client_addr, cn->helo, m->mail_from,
					    (const char *const *)m->rcpt->pdata, m->queue_id };
		gsize len;
		const void *data = g_bytes_get_data(bytes, &len);
		vm = vigie_message_from_mime(data, len, &env, &err);
		g_ptr_array_remove_index(m->rcpt, m->rcpt->len - 1);
	}
	if (!vm) {
		r = milter_apply_fail(ctx, c, vigie_config_get(c, "milter", "on_scan_error"),
				      err ? err->message : "no message", &facts);
		g_clear_error(&err);
		goto out;
	}
	vigie_verdict *v = vigie_scan(e, vm);
	__atomic_fetch_add(&milter_counts[v->error ? MILTER_COUNT_FAILED : (int)v->action], 1,
			   __ATOMIC_RELAXED);
	if (v->error) {
		bool timeout = strstr(v->error, "ime limit") != NULL;
		r = milter_apply_fail(ctx, c, vigie_config_get(c, "milter", timeout ? "on_timeout" : "on_scan_error"),
				      v->error, &facts);
	} else {
		vlog(LOG_INFO, m->queue_id, "from=%s client=%s action=%s score=%d findings=%u time=%.1fms",
		     m->mail_from, cn->client_addr, vigie_action_name(v->action), v->score,
		     v->findings->len, v->elapsed_ms);
		r = milter_apply_verdict(ctx, c, milter_q, vm, v, &facts);
		if (milter_observer)
			milter_observer(vm, v);
	}
	vigie_verdict_free(v);
	vigie_message_free(vm);
out:
	if (scanning)
		milter_scan_leave();
	vigie_engine_unref(e);
	msg_free(cn);
	return r;
}

static sfsistat mlfi_abort(SMFICTX *ctx)
{
	msg_free(smfi_getpriv(ctx));
	return SMFIS_CONTINUE;
}

static sfsistat mlfi_close(SMFICTX *ctx)
{
	conn *cn = smfi_getpriv(ctx);
	if (!cn)
		return SMFIS_CONTINUE;
	msg_free(cn);
	g_free(cn->client_addr);
	g_free(cn->client_name);
	g_free(cn->helo);
	g_free(cn);
	smfi_setpriv(ctx, NULL);
	return SMFIS_CONTINUE;
}

static struct smfiDesc milter_desc = {
	.xxfi_name = "vigie",
	.xxfi_version = SMFI_VERSION,
	.xxfi_flags = SMFIF_ADDHDRS | SMFIF_CHGHDRS,
	.xxfi_connect = mlfi_connect,
	.xxfi_helo = mlfi_helo,
	.xxfi_envfrom = mlfi_envfrom,
	.xxfi_envrcpt = mlfi_envrcpt,
	.xxfi_header = mlfi_header,
	.xxfi_eoh = mlfi_eoh,
	.xxfi_body = mlfi_body,
	.xxfi_eom = mlfi_eom,
	.xxfi_abort = mlfi_abort,
	.xxfi_close = mlfi_close,
	.xxfi_negotiate = mlfi_negotiate,
};

/* milter_nodelay - TCP_NODELAY on our listening TCP socket(s): libmilter
 * writes each end-of-message reply separately, and Nagle + the MTA's
 * delayed ACK would add ~40 ms to every message (Linux passes the option
 * on to accepted sockets). libmilter does not expose the descriptor, so
 * find listening TCP sockets among our own. */
static void milter_nodelay(void)
{
	for (int fd = 3; fd < 1024; fd++) {
		int listening = 0;
		socklen_t l = sizeof listening;
		struct sockaddr_storage ss;
		socklen_t sl = sizeof ss;
		if (getsockopt(fd, SOL_SOCKET, SO_ACCEPTCONN, &listening, &l) != 0 || !listening)
			continue;
		if (getsockname(fd, (struct sockaddr *)&ss, &sl) != 0 ||
		    (ss.ss_family != AF_INET && ss.ss_family != AF_INET6))
			continue;
		int one = 1;
		setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
	}
}

bool milter_setup(const vigie_config *c, vigie_slot *slot, vigie_quarantine *q, GError **err)
{
	milter_boot_config = c;
	milter_slot = slot;
	milter_q = q;
	const char *listen = vigie_config_get(c, "milter", "listen");
	if (g_str_has_prefix(listen, "unix:") || g_str_has_prefix(listen, "local:"))
		milter_unix_path = g_strdup(strchr(listen, ':') + 1);
	if (smfi_register(milter_desc) != MI_SUCCESS) {
		g_set_error(err, VIGIE_ERROR, VIGIE_ERROR_CONFIG, "libmilter: smfi_register failed");
		return false;
	}
	smfi_settimeout((int)vigie_config_get_int(c, "milter", "mta_timeout"));
	if (smfi_setconn((char *)listen) != MI_SUCCESS || smfi_opensocket(true) != MI_SUCCESS) {
		g_set_error(err, VIGIE_ERROR, VIGIE_ERROR_CONFIG,
			    "[milter] listen = %s: cannot open the socket (in use, or no permission?)", listen);
		return false;
	}
	if (milter_unix_path) {
		long mode = strtol(vigie_config_get(c, "milter", "socket_mode"), NULL, 8);
		chmod(milter_unix_path, (mode_t)mode);
	}
	milter_nodelay();
	return true;
}

int milter_run(void)
{
	return smfi_main();
}

void milter_stop(void)
{
	smfi_stop();
}

/* milter_counters - messages scanned by verdict, and failed scans */
void milter_counters(guint64 out[MILTER_COUNT_N])
{
	for (int i = 0; i < MILTER_COUNT_N; i++)
		out[i] = __atomic_load_n(&milter_counts[i], __ATOMIC_RELAXED);
}

unsigned milter_in_flight(void)
{
	return (unsigned)g_atomic_int_get(&milter_busy);
}

const char *milter_socket_path(void)
{
	return milter_unix_path;
}
