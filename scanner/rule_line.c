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
#include <string.h>

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

/* rule_line_split - the lines of text[0..len) (split at '\n', the piece
 * after the last one included, none for an empty text, as
 * g_strsplit(text, "\n", -1) gives them),
 * NULL-terminated; caller g_strfreev. Linear in len: g_strsplit's strstr
 * is given the whole rest of the text at each line, which AddressSanitizer's
 * strict string checks measure each time (seconds for a large rule file). */
char **rule_line_split(const char *text, gsize len)
{
	GPtrArray *a = g_ptr_array_new();
	const char *p = text, *end = text + len;
	while (len) {
		const char *nl = memchr(p, '\n', (size_t)(end - p));
		g_ptr_array_add(a, g_strndup(p, (gsize)((nl ? nl : end) - p)));
		if (!nl)
			break;
		p = nl + 1;
	}
	g_ptr_array_add(a, NULL);
	return (char **)g_ptr_array_free(a, FALSE);
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
