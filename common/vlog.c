/* vlog.c - logging to stderr and/or syslog, one line per event.
 *
 * Lines: "[TIME ]IDENT: LEVEL: [ID: ]text", or in JSON
 * {"time":..,"level":..,"id":..,"message":..} ("time" only with timestamps,
 * "id" only when there is one). Control characters in the text (which may
 * quote sender data) are replaced so that a line stays one line; in JSON,
 * bytes that are not UTF-8 become '?' so that every line parses.
 */
#include "vlog.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <pthread.h>
#include <string.h>
#include <time.h>

static const char *log_ident = "vigie";
static bool use_stderr = true;
static bool use_syslog = false;
static int max_level = LOG_INFO;
static bool use_json = false;
static bool use_stamps = false;
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

/* vlog_set_format - JSON or text on stderr; timestamps or not */
void vlog_set_format(bool json, bool timestamps)
{
	pthread_mutex_lock(&lock);
	use_json = json;
	use_stamps = timestamps;
	pthread_mutex_unlock(&lock);
}

/* vlog_stamp - now as 2026-01-31T12:34:56.789Z into buf (>= 32 bytes) */
static void vlog_stamp(char *buf, size_t size)
{
	struct timespec ts;
	struct tm tm;
	clock_gettime(CLOCK_REALTIME, &ts);
	gmtime_r(&ts.tv_sec, &tm);
	size_t n = strftime(buf, size, "%Y-%m-%dT%H:%M:%S", &tm);
	snprintf(buf + n, size - n, ".%03ldZ", ts.tv_nsec / 1000000);
}

/* vlog_utf8_len - length of the valid UTF-8 sequence at p, 0 if invalid */
static size_t vlog_utf8_len(const unsigned char *p)
{
	size_t n;
	unsigned min;
	unsigned cp;
	if (p[0] < 0x80)
		return 1;
	if ((p[0] & 0xe0) == 0xc0)
		n = 2, min = 0x80, cp = p[0] & 0x1f;
	else if ((p[0] & 0xf0) == 0xe0)
		n = 3, min = 0x800, cp = p[0] & 0x0f;
	else if ((p[0] & 0xf8) == 0xf0)
		n = 4, min = 0x10000, cp = p[0] & 0x07;
	else
		return 0;
	for (size_t i = 1; i < n; i++) {
		if ((p[i] & 0xc0) != 0x80)
			return 0;
		cp = (cp << 6) | (p[i] & 0x3f);
	}
	if (cp < min || cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff))
		return 0;
	return n;
}

/* vlog_json_string - s as a JSON string (quotes included) on f */
static void vlog_json_string(FILE *f, const char *s)
{
	const unsigned char *p = (const unsigned char *)s;
	fputc('"', f);
	while (*p) {
		size_t n = vlog_utf8_len(p);
		if (n == 0) {
			fputc('?', f);
			p++;
		} else if (*p == '"' || *p == '\\') {
			fputc('\\', f);
			fputc(*p++, f);
		} else if (*p < 0x20) {
			fprintf(f, "\\u%04x", *p++);
		} else {
			fwrite(p, 1, n, f);
			p += n;
		}
	}
	fputc('"', f);
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
		char stamp[40] = "";
		if (use_stamps)
			vlog_stamp(stamp, sizeof stamp);
		if (use_json) {
			fputc('{', stderr);
			if (use_stamps)
				fprintf(stderr, "\"time\":\"%s\",", stamp);
			fprintf(stderr, "\"level\":\"%s\",", level_name(level));
			if (id) {
				fputs("\"id\":", stderr);
				vlog_json_string(stderr, id);
				fputc(',', stderr);
			}
			fputs("\"message\":", stderr);
			vlog_json_string(stderr, text);
			fputs("}\n", stderr);
		} else {
			if (use_stamps)
				fprintf(stderr, "%s ", stamp);
			if (id)
				fprintf(stderr, "%s: %s: %s: %s\n", log_ident, level_name(level), id, text);
			else
				fprintf(stderr, "%s: %s: %s\n", log_ident, level_name(level), text);
		}
		fflush(stderr);
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
