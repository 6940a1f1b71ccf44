/* vlog.c - logging to stderr and/or syslog, one line per event.
 *
 * Lines: "LEVEL [ID] text". Control characters in the text (which may quote
 * sender data) are replaced so that a line stays one line.
 */
#include "vlog.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <pthread.h>
#include <string.h>

static const char *log_ident = "vigie";
static bool use_stderr = true;
static bool use_syslog = false;
static int max_level = LOG_INFO;
static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;

/* vlog_open - choose where lines go and the most verbose level kept */
void vlog_open(const char *ident, bool to_stderr, bool to_syslog, int min_level)
{
	log_ident = ident;
	use_stderr = to_stderr;
	use_syslog = to_syslog;
	max_level = min_level;
	if (to_syslog)
		openlog(ident, LOG_PID | LOG_NDELAY, LOG_MAIL);
}

static const char *level_name(int level)
{
	switch (level) {
	case LOG_EMERG: case LOG_ALERT: case LOG_CRIT: return "fatal";
	case LOG_ERR: return "error";
	case LOG_WARNING: return "warning";
	case LOG_NOTICE: return "notice";
	case LOG_INFO: return "info";
	default: return "debug";
	}
}

static void emit(int level, const char *id, const char *fmt, va_list ap)
	__attribute__((format(printf, 3, 0)));
static void emit(int level, const char *id, const char *fmt, va_list ap)
{
	char text[2048];
	vsnprintf(text, sizeof text, fmt, ap);
	for (char *p = text; *p; p++)
		if ((unsigned char)*p < 0x20 && *p != '\t')
			*p = '?';
	pthread_mutex_lock(&lock);
	if (use_stderr) {
		if (id)
			fprintf(stderr, "%s: %s: %s: %s\n", log_ident, level_name(level), id, text);
		else
			fprintf(stderr, "%s: %s: %s\n", log_ident, level_name(level), text);
	}
	if (use_syslog) {
		if (id)
			syslog(level, "%s: %s", id, text);
		else
			syslog(level, "%s", text);
	}
	pthread_mutex_unlock(&lock);
}

/* vlog - log one line about message ID (or the process when NULL) */
void vlog(int level, const char *id, const char *fmt, ...)
{
	if (level > max_level)
		return;
	va_list ap;
	va_start(ap, fmt);
	emit(level, id, fmt, ap);
	va_end(ap);
}

/* vlog_fatal - log at LOG_CRIT and exit with code; for start-up errors */
void vlog_fatal(int code, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	emit(LOG_CRIT, NULL, fmt, ap);
	va_end(ap);
	exit(code);
}
