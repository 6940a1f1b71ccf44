/* vigied_signal.c - SIGHUP (reload) and SIGTERM (graceful stop) for a
 * libmilter daemon.
 *
 * libmilter's smfi_main starts its own thread that sigwait()s for SIGHUP,
 * SIGTERM and SIGINT and shuts the filter down on any of them, so a SIGHUP
 * reload is impossible through its API. This file defines sigwait(), which
 * the dynamic linker binds libmilter's call to (the executable's definition
 * comes first), and removes SIGHUP and SIGTERM from the set libmilter waits
 * on; our own thread waits for those two with sigwaitinfo(), a different
 * function, and libmilter keeps SIGINT (abort, for debugging).
 */
#include "milter.h"
#include "vigied.h"
#include "vlog.h"

#include <errno.h>
#include <pthread.h>
#include <signal.h>

int sigwait(const sigset_t *set, int *sig);

/* sigwait - libmilter's signal wait, minus the signals we handle */
int sigwait(const sigset_t *set, int *sig)
{
	sigset_t mine = *set;
	sigdelset(&mine, SIGHUP);
	sigdelset(&mine, SIGTERM);
	for (;;) {
		int s = sigwaitinfo(&mine, NULL);
		if (s >= 0) {
			*sig = s;
			return 0;
		}
		if (errno != EINTR)
			return errno;
	}
}

static sigset_t vigied_sigs;

void vigied_signals_block(void)
{
	sigemptyset(&vigied_sigs);
	sigaddset(&vigied_sigs, SIGHUP);
	sigaddset(&vigied_sigs, SIGTERM);
	pthread_sigmask(SIG_BLOCK, &vigied_sigs, NULL);
	signal(SIGPIPE, SIG_IGN);
}

static void *vigied_signal_thread(void *arg)
{
	for (;;) {
		int s = sigwaitinfo(&vigied_sigs, NULL);
		if (s == SIGHUP) {
			vigied_reload();
		} else if (s == SIGTERM) {
			vlog(LOG_NOTICE, NULL, "SIGTERM: no new connections; finishing %u message(s) in flight",
			     milter_in_flight());
			milter_stop();
			return NULL;
		}
	}
}

void vigied_signals_start(void)
{
	pthread_t t;
	if (pthread_create(&t, NULL, vigied_signal_thread, NULL) != 0)
		vlog_fatal(71, "cannot start the signal thread");
	pthread_detach(t);
}
