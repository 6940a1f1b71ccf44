/* vigied.h - the daemon's own pieces shared between its files */
#ifndef VIGIED_H
#define VIGIED_H

#include "vigie.h"

#include <stdbool.h>
#include <sys/types.h>

/* who vigied serves as (vigied_priv.c) */
typedef struct {
	bool drop;       /* started as root and becoming user */
	bool own_groups; /* initgroups (no [daemon] group given) */
	uid_t uid;
	gid_t gid;
	char user[64];
} vigied_priv;

/* vigied_priv_resolve - started as root: [daemon] user and group looked up
 * (an unknown or root user is an error naming it, unless allow_root); not
 * root: nothing to drop. false with err */
bool vigied_priv_resolve(const vigie_config *c, vigied_priv *p, GError **err);
/* vigied_priv_give - hand PATH, made as root, to the user (no-op without a drop) */
void vigied_priv_give(const vigied_priv *p, const char *path);
/* vigied_priv_drop - groups, gid, uid, then check root cannot come back;
 * false with err (the caller stops) */
bool vigied_priv_drop(const vigied_priv *p, GError **err);

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

/* vigied_seccomp_install - the system-call filter on every thread, now and
 * later (vigied_seccomp.c): calls outside the allow-list get EPERM and a
 * log line on stderr (a JSON object when json_lines); exec, ptrace and the
 * like kill the process. false with err */
bool vigied_seccomp_install(bool json_lines, GError **err);

/* vigied_admin_setup - bind [admin] address port before privileges drop;
 * slot must outlive the listener; milter_on adds the milter's counters */
bool vigied_admin_setup(const vigie_config *c, vigie_slot *slot, bool milter_on, GError **err);
/* vigied_admin_start - serve /healthz /readyz /metrics from its own thread */
bool vigied_admin_start(GError **err);
/* vigied_admin_set_ready - /readyz answers 200 (with rules loaded) */
void vigied_admin_set_ready(bool ready);
/* vigied_admin_stop - close the listener; no-op when never set up */
void vigied_admin_stop(void);
/* vigied_admin_milter_metrics - the milter's counters as Prometheus text
 * (also appended to the webhook's /metrics); caller g_free */
char *vigied_admin_milter_metrics(void);

#endif
