/* vlog.h - the one logging module: every line about a message starts with
 * its id (MTA queue id or platform message id) so one grep follows it.
 *
 * vlog_open() chooses stderr and/or syslog; before it, lines go to stderr.
 * vlog_set_format() chooses how stderr lines look: text ("TIME vigied:
 * LEVEL: ID: text") or JSON (one object a line: time, level, id, message),
 * with or without the timestamp (journald adds its own). Syslog lines are
 * always "ID: text". Safe to call from any thread. Format strings are ours,
 * never a sender's.
 */
#ifndef VLOG_H
#define VLOG_H

#include <stdbool.h>
#include <syslog.h>

void vlog_open(const char *ident, bool to_stderr, bool to_syslog, int min_level);
/* vlog_set_format - stderr lines as JSON objects (else text), and whether
 * they carry an ISO 8601 UTC timestamp with milliseconds (text: a prefix;
 * JSON: the "time" member). Default: text, no timestamp. */
void vlog_set_format(bool json, bool timestamps);
/* vlog - one line at LEVEL (LOG_ERR..LOG_DEBUG); id may be NULL (no message) */
void vlog(int level, const char *id, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
/* vlog_fatal - log and exit(EX_CONFIG-like code); start-up only */
void vlog_fatal(int code, const char *fmt, ...) __attribute__((format(printf, 2, 3), noreturn));

#endif
