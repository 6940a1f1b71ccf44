/* phone_extract.c - phone numbers in a text, normalised to E.164
 *
 * Interface: phone.h (phone_extract). One pass over the UTF-8 text: a
 * candidate starts at "+", or a digit not preceded by a letter or digit
 * (so the digits of an IBAN, a reference "AB1234" or a word are not
 * read), and runs over digits and the separators people write numbers
 * with; it ends at anything else, at two separators in a row that are not
 * " - " or ") ", or past 20 digits. It is then read as an international
 * or a national number (phone.h says which forms), or dropped.
 *
 * SECURITY: the text is the sender's; work is linear in it, and each
 * candidate keeps at most 20 digits.
 */
#include "phone.h"

#include <string.h>

#define CAND_DIGITS 20

void phone_found_free(gpointer p)
{
	phone_found *f = p;
	if (!f)
		return;
	g_free(f->e164);
	g_free(f->written);
	g_free(f);
}

/* pe_digit - the digit c stands for (ASCII, fullwidth), or -1 */
static int pe_digit(gunichar c)
{
	if (c >= '0' && c <= '9')
		return (int)(c - '0');
	if (c >= 0xFF10 && c <= 0xFF19)
		return (int)(c - 0xFF10);
	return -1;
}

/* pe_lookalike - O/o read as 0, l/I as 1 (only between digits), or -1 */
static int pe_lookalike(gunichar c)
{
	return c == 'O' || c == 'o' ? 0 : c == 'l' || c == 'I' ? 1 : -1;
}

static bool pe_zero_width(gunichar c)
{
	return c == 0x200B || c == 0x200C || c == 0x200D || c == 0x2060 || c == 0xFEFF ||
	       c == 0x00AD;
}

static bool pe_separator(gunichar c)
{
	return c == ' ' || c == 0x00A0 || c == 0x202F || c == 0x2009 || c == '.' || c == '-' ||
	       c == '/' || c == '(' || c == ')' || c == 0x2010 || c == 0x2011 || c == 0x2013;
}

/* a candidate being read */
typedef struct {
	char d[CAND_DIGITS + 1];
	int n;
	bool plus;
	bool trunk_zero;     /* "(0)" seen: its 0 not kept */
	int first_sep_after; /* digits before the first separator, -1 none yet */
	const char *start, *end;
	/* where each group of digits ended: a number followed by other digits
	 * ("08 91 23 45 67 (2,99 EUR)", "01 .. 89 / 06 .. 78") is read up to
	 * one of these */
	int group_n[CAND_DIGITS];
	const char *group_end[CAND_DIGITS];
	int groups;
} pe_cand;

/* pe_national - E.164 digits (without '+') of national digits d for cc, or NULL */
static char *pe_national(const pe_cand *c, const char *cc)
{
	const char *d = c->d;
	int n = c->n;
	/* NANP written 1-NXX-NXX-XXXX or 1 (NXX) ... whatever the country */
	if (n == 11 && d[0] == '1' && d[1] >= '2' && d[1] <= '9' && c->first_sep_after == 1)
		return g_strdup(d);
	if (!strcmp(cc, "1")) {
		if (n == 10 && d[0] >= '2' && d[0] <= '9')
			return g_strconcat("1", d, NULL);
		if (n == 11 && d[0] == '1' && d[1] >= '2' && d[1] <= '9')
			return g_strdup(d);
		return NULL;
	}
	if (d[0] != '0' || d[1] == '0')
		return NULL;
	bool ok = !strcmp(cc, "33")   ? n == 10
		  : !strcmp(cc, "44") ? n == 10 || n == 11
				      : n >= 9 && n <= 11;
	return ok ? g_strconcat(cc, d + 1, NULL) : NULL;
}

/* pe_finish - the candidate as a number, into out */
static bool pe_finish(pe_cand *c, const char *cc, GPtrArray *out)
{
	if (c->n < 8 || c->n > CAND_DIGITS - 1)
		return false;
	char *e = NULL;
	c->d[c->n] = '\0';
	if (c->plus)
		e = g_strdup(c->d);
	else if (c->d[0] == '0' && c->d[1] == '0')
		e = g_strdup(c->d + 2);
	else
		e = pe_national(c, cc);
	if (!e)
		return false;
	size_t len = strlen(e);
	if (len < 8 || len > PHONE_MAX_DIGITS || e[0] == '0') {
		g_free(e);
		return false;
	}
	/* the same number twice in a message counts once */
	char *plus = g_strconcat("+", e, NULL);
	g_free(e);
	for (guint i = 0; i < out->len; i++)
		if (!strcmp(((phone_found *)g_ptr_array_index(out, i))->e164, plus)) {
			g_free(plus);
			return false;
		}
	phone_found *f = g_new0(phone_found, 1);
	f->e164 = plus;
	f->written = utf8_sanitize(c->start, c->end - c->start);
	g_ptr_array_add(out, f);
	return true;
}

/* phone_extract - see phone.h */
guint phone_extract(const char *text, const char *cc, GPtrArray *out, guint max)
{
	guint added = 0;
	const char *p = text;
	gunichar prev = ' ';
	while (*p && out->len < max) {
		gunichar c = g_utf8_get_char_validated(p, -1);
		if (c == (gunichar)-1 || c == (gunichar)-2) {
			p++;
			prev = '?';
			continue;
		}
		bool starts =
		    (c == '+' || pe_digit(c) >= 0) && !g_unichar_isalnum(prev) && prev != '+';
		if (!starts) {
			prev = c;
			p = g_utf8_next_char(p);
			continue;
		}
		pe_cand cand;
		memset(&cand, 0, sizeof cand);
		cand.first_sep_after = -1;
		cand.start = p;
		cand.plus = c == '+';
		const char *q = cand.plus ? g_utf8_next_char(p) : p;
		const char *last_digit_end = NULL;
		int seps = 0;
		bool too_long = false;
		while (*q) {
			gunichar x = g_utf8_get_char_validated(q, -1);
			if (x == (gunichar)-1 || x == (gunichar)-2)
				break;
			const char *next = g_utf8_next_char(q);
			int dv = pe_digit(x);
			if (dv < 0 && cand.n >= 2 && (last_digit_end == q || seps > 0) &&
			    pe_lookalike(x) >= 0) {
				gunichar y = g_utf8_get_char_validated(next, -1);
				if (pe_digit(y) >= 0 || pe_lookalike(y) >= 0)
					dv = pe_lookalike(x);
			}
			if (dv >= 0) {
				if (cand.n >= CAND_DIGITS - 1) {
					too_long = true;
					break;
				}
				cand.d[cand.n++] = (char)('0' + dv);
				last_digit_end = next;
				seps = 0;
			} else if (pe_zero_width(x)) {
				/* skipped: a number split by invisible characters */
			} else if (x == '(' && (cand.plus || cand.n >= 2) && next[0] == '0' &&
				   next[1] == ')') {
				cand.trunk_zero = true; /* "+33 (0)1 ..." */
				next += 2;
				last_digit_end = next;
			} else if (pe_separator(x) && cand.n > 0) {
				if (seps == 0 && cand.groups < CAND_DIGITS) {
					cand.group_n[cand.groups] = cand.n;
					cand.group_end[cand.groups++] = last_digit_end;
				}
				if (cand.first_sep_after < 0)
					cand.first_sep_after = cand.n;
				if (++seps > 3)
					break;
			} else if (pe_separator(x) && cand.n == 0 && (x == '(' || x == ' ')) {
				/* "+ 33", "(0)..." written before the first digit */
				if (++seps > 1)
					break;
			} else {
				break;
			}
			q = next;
		}
		if (too_long) {
			/* a longer run of digits (an account, a reference): skip it all */
			while (*q && (g_ascii_isdigit(*q) || *q == ' '))
				q++;
		} else if (last_digit_end) {
			cand.end = last_digit_end;
			bool ok = pe_finish(&cand, cc, out);
			/* else the longest leading groups that make a number */
			for (int k = cand.groups - 1; !ok && k >= 0; k--) {
				if (cand.group_n[k] < 8)
					break;
				cand.n = cand.group_n[k];
				cand.end = cand.group_end[k];
				ok = pe_finish(&cand, cc, out);
				if (ok)
					last_digit_end = cand.end;
			}
			added += ok;
		}
		p = last_digit_end && last_digit_end > p ? last_digit_end : g_utf8_next_char(p);
		if (too_long)
			p = q > p ? q : p;
		prev = '0';
	}
	return added;
}
