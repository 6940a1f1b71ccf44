/* vigied.h - the daemon's own pieces shared between its files */
#ifndef VIGIED_H
#define VIGIED_H

/* vigied_reload - rebuild the engine from the configuration file (SIGHUP) */
void vigied_reload(void);
/* vigied_signals_block - block SIGHUP/SIGTERM in the calling thread (and
 * so in every thread it creates later) */
void vigied_signals_block(void);
/* vigied_signals_start - the thread that waits for SIGHUP and SIGTERM */
void vigied_signals_start(void);

#endif
