/* webhook.h - the HTTP webhook front end (libmicrohttpd): chat platforms
 * POST messages, Vigie scans them with the shared engine and answers in
 * each platform's terms. One per process.
 *
 *   webhook_check   validate [webhook] and every [webhook.NAME] (--check-config)
 *   webhook_setup   read channels and TLS files, bind the port (as root,
 *                   before privileges are dropped)
 *   webhook_start   serve (after the drop)
 *   webhook_stop    stop accepting, let requests in flight finish, close
 */
#ifndef VIGIE_WEBHOOK_H
#define VIGIE_WEBHOOK_H

#include "vigie.h"

bool webhook_check(const vigie_config *c, GError **err);
/* webhook_setup - slot and q must outlive webhook_stop */
bool webhook_setup(const vigie_config *c, vigie_slot *slot, vigie_quarantine *q, GError **err);
bool webhook_start(GError **err);
/* webhook_stop - grace_s seconds for requests in flight; safe if not started */
void webhook_stop(long long grace_s);
unsigned webhook_in_flight(void);
/* webhook_set_extra_metrics - more Prometheus text for GET /metrics (the
 * milter's counters); fn's result is g_free'd */
void webhook_set_extra_metrics(char *(*fn)(void));

/* webhook_set_observer - fn sees every scanned message (v), and every
 * one a rate limit refused (v NULL), with its channel name and the
 * quarantine id when stored (the daemon's traffic watch, alerts/) */
typedef void (*webhook_observer)(const char *channel, const vigie_message *m, const vigie_verdict *v,
				 const char *quarantine_id);
void webhook_set_observer(webhook_observer fn);

#endif
