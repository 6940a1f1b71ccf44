/* webhook_guard.h - slow and greedy clients: per-address and overall
 * connection limits answered with 503, a whole-request deadline and a
 * minimum receive rate (webhook_guard.c) */
#ifndef VIGIE_WEBHOOK_GUARD_H
#define VIGIE_WEBHOOK_GUARD_H

#include "vigie.h"

#include <microhttpd.h>
#include <stdbool.h>

/* webhook_guard_setup - read [webhook] max_connections_per_ip,
 * max_connections, request_timeout, min_receive_rate; tls: the listener
 * speaks TLS (answers are then only sent through libmicrohttpd) */
void webhook_guard_setup(const vigie_config *c, bool tls);

/* the limits to give libmicrohttpd: a margin above ours, so that the
 * connections between the two get a 503 instead of a silent close */
unsigned webhook_guard_mhd_per_ip(void);
unsigned webhook_guard_mhd_total(void);

/* webhook_guard_start / _stop - the reaper thread that enforces the
 * deadline and the rate; _stop before MHD_stop_daemon */
bool webhook_guard_start(GError **err);
void webhook_guard_stop(void);

/* webhook_guard_notify - MHD_OPTION_NOTIFY_CONNECTION callback */
void webhook_guard_notify(void *cls, struct MHD_Connection *conn, void **socket_context,
			  enum MHD_ConnectionNotificationCode code);

/* webhook_guard_refused - true when conn is over a connection limit:
 * the caller answers 503 with Connection: close */
bool webhook_guard_refused(struct MHD_Connection *conn);

/* webhook_guard_received - conn's request is complete (its clock stops
 * while it is handled and answered) */
void webhook_guard_received(struct MHD_Connection *conn);

/* webhook_guard_answered - conn's answer was sent: the next request on a
 * kept-alive connection gets a new clock from its first byte */
void webhook_guard_answered(struct MHD_Connection *conn);

/* webhook_guard_metrics - Prometheus lines for the counters; caller g_free */
char *webhook_guard_metrics(void);

#endif
