/* vigied.h - the daemon's own pieces shared between its files */
#ifndef VIGIED_H
#define VIGIED_H

#include <stdbool.h>

/* vigied_reload - rebuild the engine from the configuration file (SIGHUP) */
void vigied_reload(void);
/* vigied_housekeeping - periodic duties: quarantine retention */
void vigied_housekeeping(void);
/* vigied_signals_block - block SIGHUP/SIGTERM in the calling thread (and
 * so in every thread it creates later) */
void vigied_signals_block(void);
/* vigied_signals_start - the thread that waits for SIGHUP and SIGTERM;
 * SIGTERM stops the milter when milter_on, and ends vigied_wait_for_stop */
void vigied_signals_start(bool milter_on);
/* vigied_wait_for_stop - block until SIGTERM (when no milter runs the
 * main thread) */
void vigied_wait_for_stop(void);

#endif
