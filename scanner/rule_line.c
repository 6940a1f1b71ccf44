/* rule_line.c - what every line-based rule file of the core shares
 * (lexicons, intents): blank-separated fields, rule names, weights, and
 * errors that name the file and the line.
 *
 * SECURITY: rule files are the administrator's; these helpers only split
 * and check text, bounded by the line they are given.
 */
#include "internal.h"

#include <errno.h>
#include <stdarg.h>
#include <stdlib.h>

/* rule_line_error - err = "FILE:LINE: message" (kind VIGIE_ERROR_RULES) */
void rule_line_error(GError **err, const char *file, int line, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	char *msg = g_strdup_vprintf(fmt, ap);
	va_end(ap);
	g_set_error(err, VIGIE_ERROR, VIGIE_ERROR_RULES, "%s:%d: %s", file, line, msg);
	g_free(msg);
}

/* rule_line_name_ok - [a-z][a-z0-9_-]*, at most 40 */
bool rule_line_name_ok(const char *s)
{
	if (!s || !g_ascii_islower(*s) || strlen(s) > 40)
		return false;
	for (const char *p = s; *p; p++)
		if (!g_ascii_islower(*p) && !g_ascii_isdigit(*p) && *p != '_' && *p != '-')
			return false;
	return true;
}

/* rule_line_weight - an integer in [-100, 100] into *out; false for NULL */
bool rule_line_weight(const char *s, int *out)
{
	char *end;
	errno = 0;
	long v = s ? strtol(s, &end, 10) : 0;
	if (!s || errno || end == s || *end || v < -100 || v > 100)
		return false;
	*out = (int)v;
	return true;
}

/* rule_line_field - split off the next blank-separated field of *p (NUL
 * written after it), or NULL at the end of the line */
char *rule_line_field(char **p)
{
	char *s = *p;
	while (*s == ' ' || *s == '\t')
		s++;
	if (!*s) {
		*p = s;
		return NULL;
	}
	char *e = s;
	while (*e && *e != ' ' && *e != '\t')
		e++;
	if (*e)
		*e++ = '\0';
	*p = e;
	return s;
}
