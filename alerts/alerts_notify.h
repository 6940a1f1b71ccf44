/* alerts_notify.h - signed alert POSTs with retry on their own thread
 * (alerts_notify.c) */
#ifndef VIGIE_ALERTS_NOTIFY_H
#define VIGIE_ALERTS_NOTIFY_H

#include <glib.h>
#include <stdbool.h>

/* alerts_notify_start - the posting thread (none when urls is empty);
 * slack: bodies are {"text": summary}; libcurl is initialised already */
void alerts_notify_start(char **urls, const char *secret, bool slack, long timeout_s, guint retries,
			 guint retry_interval);
/* alerts_notify_send - queue body (JSON, copied) for every URL; never blocks on the network */
void alerts_notify_send(const char *body, const char *summary);
/* alerts_notify_counts - POSTs accepted, failed attempts, jobs dropped, jobs waiting */
void alerts_notify_counts(guint64 *sent, guint64 *failed, guint64 *dropped, guint *waiting);
/* alerts_notify_stop - end the thread (a POST in flight finishes first) */
void alerts_notify_stop(void);

#endif
