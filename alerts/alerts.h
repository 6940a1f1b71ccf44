/* alerts.h - the traffic watch as vigied sees it (alerts.c): every
 * verdict is counted into time series per channel, a ticker judges each
 * closed bucket against its baseline, and alerts go to the log, /metrics,
 * the alert history (for `vigie incident`) and signed POSTs.
 *
 *   alerts_setup     read [alerts], make the state folder, load the
 *                    snapshot (before privileges are dropped)
 *   alerts_start     the ticker and the posting threads (after the drop)
 *   alerts_observe   one verdict (any thread; a lock held for microseconds)
 *   alerts_metrics   Prometheus text for /metrics
 *   alerts_stop      final snapshot, threads ended
 * With [alerts] enabled = no, every call is a no-op.
 */
#ifndef VIGIE_ALERTS_H
#define VIGIE_ALERTS_H

#include "vigie.h"

/* the milter's channel name in series and alerts */
#define ALERTS_MILTER_CHANNEL "milter"

/* alerts_setup - channels: the webhook's [webhook.NAME] names (chat)
 * and, with milter_on, "milter". False with err (a bad snapshot is only
 * logged: the watch starts from nothing). */
bool alerts_setup(const vigie_config *c, bool webhook_on, bool milter_on, GError **err);
/* alerts_state_dir - the state folder (for the privilege drop), or NULL */
const char *alerts_state_dir(void);
bool alerts_start(GError **err);
void alerts_stop(void);
/* alerts_observe - one verdict on channel; quarantine_id when stored */
void alerts_observe(const char *channel, const vigie_message *m, const vigie_verdict *v,
		    const char *quarantine_id);
/* alerts_metrics - caller g_free; "" when disabled */
char *alerts_metrics(void);

#endif
