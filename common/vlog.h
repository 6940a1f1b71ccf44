/* vlog.h - the one logging module: every line about a message starts with
 * its id (MTA queue id or platform message id) so one grep follows it.
 *
 * vlog_open() chooses stderr and/or syslog; before it, lines go to stderr.
 * Safe to call from any thread. Format strings are ours, never a sender's.
 */
#ifndef VLOG_H
#define VLOG_H

#include <stdbool.h>
#include <syslog.h>

void vlog_open(const char *ident, bool to_stderr, bool to_syslog, int min_level);
/* vlog - one line at LEVEL (LOG_ERR..LOG_DEBUG); id may be NULL (no message) */
void vlog(int level, const char *id, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
/* vlog_fatal - log and exit(EX_CONFIG-like code); start-up only */
void vlog_fatal(int code, const char *fmt, ...) __attribute__((format(printf, 2, 3), noreturn));

#endif
