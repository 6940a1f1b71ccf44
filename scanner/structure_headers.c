/* structure_headers.c - the structure rules on the top-level header fields
 *
 *   date-missing, date-invalid  no Date, or one no mail reader can read
 *   date-future, date-past      Date far ahead of / behind the time the
 *                               mail was received: the date of the topmost
 *                               Received field (written by the MTA that
 *                               handed it to us), or now when there is none
 *   msgid-missing, -malformed   no Message-ID, or not "<left@right>"
 *   from-numeric                From is a bare address (no display name)
 *                               whose local part is mostly digits
 *   subject-caps                a Subject in capitals (10 letters or more)
 *   subject-punct               "!!!", "$$$" or three '!' in the Subject
 *   to-undisclosed              no To, an empty To, "undisclosed-recipients"
 *   many-recipients             To and Cc name max_recipients addresses or more
 *
 * The values were unfolded and RFC 2047-decoded by the MIME parser.
 *
 * SECURITY: every field is the sender's. Each is read only up to
 * STRUCTURE_MAX_FIELD bytes; dates are parsed by GMime; values are quoted
 * in evidence (cut, control characters blanked), never used otherwise.
 */
#include "structure.h"

#include <gmime/gmime.h>
#include <string.h>

#define STRUCTURE_MAX_FIELD 4096
#define STRUCTURE_QUOTE 80

/* structure_quote - at most STRUCTURE_QUOTE characters of s; caller g_free */
static char *structure_quote(const char *s)
{
	glong n = g_utf8_strlen(s, STRUCTURE_MAX_FIELD);
	return g_utf8_substring(s, 0, MIN(n, STRUCTURE_QUOTE));
}

/* structure_date - a Date-style value as a GDateTime, or NULL */
static GDateTime *structure_date(const char *value)
{
	char *v = g_strndup(value, STRUCTURE_MAX_FIELD);
	GDateTime *d = g_mime_utils_header_decode_date(g_strstrip(v));
	g_free(v);
	/* GMime reads an unparseable date as the epoch */
	if (d && g_date_time_to_unix(d) <= 0) {
		g_date_time_unref(d);
		d = NULL;
	}
	return d;
}

/* structure_received_date - when the topmost Received says it got the mail,
 * or NULL */
static GDateTime *structure_received_date(const vigie_message *m)
{
	const char *rcvd = vigie_message_header(m, "Received");
	const char *semi = rcvd ? strrchr(rcvd, ';') : NULL;
	return semi ? structure_date(semi + 1) : NULL;
}

/* structure_check_date - date-missing, date-invalid, date-future, date-past */
static void structure_check_date(structure_ctx *x, const vigie_message *m)
{
	const char *value = vigie_message_header(m, "Date");
	if (!value) {
		structure_fire(x, S_DATE_MISSING, "no Date field", "headers");
		return;
	}
	GDateTime *d = structure_date(value);
	char *q = structure_quote(value);
	if (!d) {
		char *ev = g_strdup_printf("Date: %s", q);
		structure_fire(x, S_DATE_INVALID, ev, "headers");
		g_free(ev);
		g_free(q);
		return;
	}
	GDateTime *ref = structure_received_date(m);
	const char *what = ref ? "the topmost Received" : "now";
	if (!ref)
		ref = g_date_time_new_now_utc();
	gint64 ahead = g_date_time_to_unix(d) - g_date_time_to_unix(ref);
	if (ahead > x->lim->future_s) {
		char *ev = g_strdup_printf("Date: %s is %" G_GINT64_FORMAT " hours after %s", q,
					   ahead / 3600, what);
		structure_fire(x, S_DATE_FUTURE, ev, "headers");
		g_free(ev);
	} else if (-ahead > x->lim->past_s) {
		char *ev = g_strdup_printf("Date: %s is %" G_GINT64_FORMAT " days before %s", q,
					   -ahead / 86400, what);
		structure_fire(x, S_DATE_PAST, ev, "headers");
		g_free(ev);
	}
	g_date_time_unref(ref);
	g_date_time_unref(d);
	g_free(q);
}

/* structure_msgid_ok - "<left@right>" with no blank, one '@', both sides
 * non-empty */
static bool structure_msgid_ok(const char *v)
{
	size_t n = strlen(v);
	if (n < 5 || v[0] != '<' || v[n - 1] != '>')
		return false;
	const char *at = NULL;
	for (size_t i = 1; i + 1 < n; i++) {
		if (g_ascii_isspace(v[i]) || v[i] == '<' || v[i] == '>')
			return false;
		if (v[i] == '@') {
			if (at)
				return false;
			at = v + i;
		}
	}
	return at && at > v + 1 && at < v + n - 2;
}

/* structure_check_msgid - msgid-missing, msgid-malformed */
static void structure_check_msgid(structure_ctx *x, const vigie_message *m)
{
	const char *value = vigie_message_header(m, "Message-ID");
	if (!value) {
		structure_fire(x, S_MSGID_MISSING, "no Message-ID field", "headers");
		return;
	}
	char *v = g_strstrip(g_strndup(value, STRUCTURE_MAX_FIELD));
	if (!structure_msgid_ok(v)) {
		char *q = structure_quote(v);
		char *ev = g_strdup_printf("Message-ID: %s", q);
		structure_fire(x, S_MSGID_MALFORMED, ev, "headers");
		g_free(ev);
		g_free(q);
	}
	g_free(v);
}

/* structure_check_from - from-numeric: a bare address, no display name,
 * a local part of 4 digits or more that are at least a third of it */
static void structure_check_from(structure_ctx *x, const vigie_message *m)
{
	const char *value = vigie_message_header(m, "From");
	if (!value)
		return;
	char *v = g_strstrip(g_strndup(value, STRUCTURE_MAX_FIELD));
	char *addr = v;
	const char *lt = strchr(v, '<');
	if (lt) {
		/* "<a@b>" alone, or "\"\" <a@b>": no display name */
		for (const char *c = v; c < lt; c++)
			if (!g_ascii_isspace(*c) && *c != '"')
				goto out;
		addr = (char *)lt + 1;
	} else if (strchr(v, '(')) {
		goto out; /* "a@b (Name)" */
	}
	const char *at = strchr(addr, '@');
	if (!at)
		goto out;
	guint digits = 0, len = 0;
	for (const char *c = addr; c < at; c++, len++)
		digits += g_ascii_isdigit(*c) != 0;
	if (digits >= 4 && digits * 3 >= len) {
		char *q = structure_quote(v);
		char *ev = g_strdup_printf("From: %s", q);
		structure_fire(x, S_FROM_NUMERIC, ev, "headers");
		g_free(ev);
		g_free(q);
	}
out:
	g_free(v);
}

/* structure_check_subject - subject-caps, subject-punct */
static void structure_check_subject(structure_ctx *x, const vigie_message *m)
{
	const char *value = vigie_message_header(m, "Subject");
	if (!value)
		return;
	char *v = g_strndup(value, STRUCTURE_MAX_FIELD);
	char *q = structure_quote(v);
	guint letters = 0, upper = 0, bangs = 0;
	for (const char *c = v; *c; c = g_utf8_next_char(c)) {
		gunichar u = g_utf8_get_char(c);
		if (g_unichar_isalpha(u)) {
			letters++;
			upper += g_unichar_isupper(u) != 0;
		}
		bangs += u == '!';
	}
	if (letters >= 10 && upper * 10 >= letters * 8) {
		char *ev = g_strdup_printf("Subject: %s", q);
		structure_fire(x, S_SUBJECT_CAPS, ev, "headers");
		g_free(ev);
	}
	if (bangs >= 3 || strstr(v, "$$$")) {
		char *ev = g_strdup_printf("Subject: %s", q);
		structure_fire(x, S_SUBJECT_PUNCT, ev, "headers");
		g_free(ev);
	}
	g_free(q);
	g_free(v);
}

/* structure_undisclosed - "undisclosed-recipients", "Undisclosed Recipients" */
static bool structure_undisclosed(const char *v)
{
	char *low = g_ascii_strdown(v, -1);
	bool r = strstr(low, "undisclosed") != NULL;
	g_free(low);
	return r;
}

/* structure_check_recipients - to-undisclosed, many-recipients */
static void structure_check_recipients(structure_ctx *x, const vigie_message *m)
{
	const char *to = vigie_message_header(m, "To");
	char *v = to ? g_strstrip(g_strndup(to, STRUCTURE_MAX_FIELD)) : NULL;
	if (!v)
		structure_fire(x, S_TO_UNDISCLOSED, "no To field", "headers");
	else if (!*v || g_str_has_suffix(v, ":;") || structure_undisclosed(v)) {
		char *q = structure_quote(v);
		char *ev = g_strdup_printf("To: %s", q);
		structure_fire(x, S_TO_UNDISCLOSED, ev, "headers");
		g_free(ev);
		g_free(q);
	}
	g_free(v);
	guint n = 0;
	for (guint i = 0; i < m->headers->len; i++) {
		const vigie_header *h = g_ptr_array_index(m->headers, i);
		if (g_ascii_strcasecmp(h->name, "To") && g_ascii_strcasecmp(h->name, "Cc"))
			continue;
		for (const char *c = h->value; *c; c++)
			n += *c == '@';
	}
	if (n >= x->lim->recipients) {
		char *ev = g_strdup_printf("%u addresses in To and Cc", n);
		structure_fire(x, S_MANY_RECIPIENTS, ev, "headers");
		g_free(ev);
	}
}

/* structure_headers_check - see structure.h */
void structure_headers_check(structure_ctx *x, const vigie_message *m)
{
	structure_check_date(x, m);
	structure_check_msgid(x, m);
	structure_check_from(x, m);
	structure_check_subject(x, m);
	structure_check_recipients(x, m);
}
