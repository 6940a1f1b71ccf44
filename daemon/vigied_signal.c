/* vigied_signal.c - SIGHUP (reload) and SIGTERM (graceful stop) for a
 * libmilter daemon (with its webhook front end, or the webhook alone).
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
#include "webhook.h"

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
static bool vigied_milter_on;
static pthread_mutex_t vigied_stop_lock = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t vigied_stop_cond = PTHREAD_COND_INITIALIZER;
static bool vigied_stopping;

/* vigied_wait_for_stop - until SIGTERM */
void vigied_wait_for_stop(void)
{
	pthread_mutex_lock(&vigied_stop_lock);
	while (!vigied_stopping)
		pthread_cond_wait(&vigied_stop_cond, &vigied_stop_lock);
	pthread_mutex_unlock(&vigied_stop_lock);
}

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
	vigied_housekeeping();
	for (;;) {
		/* wake hourly for housekeeping (quarantine retention) */
		struct timespec hour = { 3600, 0 };
		int s = sigtimedwait(&vigied_sigs, NULL, &hour);
		if (s < 0) {
			vigied_housekeeping();
		} else if (s == SIGHUP) {
			vigied_reload();
		} else if (s == SIGTERM) {
			vlog(LOG_NOTICE, NULL, "SIGTERM: no new connections; finishing %u message(s) in flight",
			     milter_in_flight() + webhook_in_flight());
			if (vigied_milter_on)
				milter_stop();
			pthread_mutex_lock(&vigied_stop_lock);
			vigied_stopping = true;
			pthread_cond_broadcast(&vigied_stop_cond);
			pthread_mutex_unlock(&vigied_stop_lock);
			return NULL;
		}
	}
}

void vigied_signals_start(bool milter_on)
{
	vigied_milter_on = milter_on;
	pthread_t t;
	if (pthread_create(&t, NULL, vigied_signal_thread, NULL) != 0)
		vlog_fatal(71, "cannot start the signal thread");
	pthread_detach(t);
}
