/* milter.h - the milter front end: libmilter session -> core message ->
 * verdict -> MTA actions. One per process (libmilter is process-global). */
#ifndef VIGIE_MILTER_H
#define VIGIE_MILTER_H

#include "vigie.h"

/* milter_setup - register callbacks, open the listening socket described by
 * [milter] listen (before privileges are dropped), set TCP_NODELAY on it.
 * slot and q must outlive milter_run. */
bool milter_setup(const vigie_config *c, vigie_slot *slot, vigie_quarantine *q, GError **err);
/* milter_run - serve until milter_stop (libmilter's smfi_main) */
int milter_run(void);
/* milter_stop - stop accepting; sessions in flight go on */
void milter_stop(void);
/* milter_in_flight - messages between MAIL FROM and their end */
unsigned milter_in_flight(void);
/* milter_counters - messages scanned since start: out[VigieAction] by
 * verdict, out[MILTER_COUNT_FAILED] scans that failed (fail modes) */
enum { MILTER_COUNT_FAILED = 4, MILTER_COUNT_N = 5 };
void milter_counters(guint64 out[MILTER_COUNT_N]);
/* milter_socket_path - the unix socket path, or NULL for inet */
const char *milter_socket_path(void);

/* milter_set_observer - fn sees every message scanned without error, with
 * its verdict (the daemon's traffic watch, alerts/) */
void milter_set_observer(void (*fn)(const vigie_message *m, const vigie_verdict *v));

#endif
