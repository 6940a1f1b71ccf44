/* textnorm.c - the normalised form of a text that every text check matches
 *
 * textnorm_new(text) gives a lower-case, mostly ASCII copy of the text in
 * which the usual evasions are undone:
 *   - Unicode compatibility decomposition (NFKD: full-width letters,
 *     ligatures, mathematical alphabets, circled letters), then combining
 *     marks dropped, so "sécurité" = "securite" (accent folding);
 *   - case folding (ß -> ss);
 *   - zero-width, bidi and other format characters removed (U+200B, U+200E,
 *     U+202E, U+2066, U+FEFF, soft hyphen, ...);
 *   - confusable letters (Cyrillic, Greek, Armenian lookalikes) mapped to
 *     their Latin skeleton: Cyrillic "а" in "pаssword" becomes "a";
 *   - typographic quotes and dashes to ASCII; every run of white space to
 *     one space;
 *   - leetspeak inside words ("c0de", "p@ssw0rd", "cod3") while numbers,
 *     units ("24h") and e-mail addresses keep their digits and "@";
 *   - letters spaced out to dodge filters ("c o d e", "v.e.r.i.f.y",
 *     "c-o-d-e") joined back.
 * Alongside it keeps, for every byte of the normalised text, the offset of
 * the original character it came from, so that evidence quotes the original
 * text (textnorm_original).
 *
 * SECURITY: the input is sender text. Invalid UTF-8 is tolerated (each bad
 * byte becomes U+FFFD); work and memory are linear in its length.
 */
#include "internal.h"

#include <string.h>

/* a normalised text under construction: bytes + origin of each byte, in
 * two plain arrays (the map is written for every byte, so no per-byte
 * function calls or container bookkeeping) */
typedef struct {
	char *s;
	guint32 *map; /* map[i]: origin of s[i] */
	gsize len, cap;
} tn_buf;

static void tn_buf_init(tn_buf *b, gsize hint)
{
	b->cap = hint + 16;
	b->len = 0;
	b->s = g_malloc(b->cap + 1);
	b->map = g_new(guint32, b->cap + 1);
}

static void tn_buf_clear(tn_buf *b)
{
	g_free(b->s);
	g_free(b->map);
}

/* tn_reserve - room for n more bytes (decompositions may expand a text) */
static inline void tn_reserve(tn_buf *b, gsize n)
{
	if (G_LIKELY(b->len + n <= b->cap))
		return;
	b->cap = MAX(b->cap * 2, b->len + n);
	b->s = g_realloc(b->s, b->cap + 1);
	b->map = g_renew(guint32, b->map, b->cap + 1);
}

static inline void tn_put_byte(tn_buf *b, char ch, guint32 origin)
{
	tn_reserve(b, 1);
	b->s[b->len] = ch;
	b->map[b->len++] = origin;
}

static void tn_put_char(tn_buf *b, gunichar c, guint32 origin)
{
	if (c < 0x80) {
		tn_put_byte(b, (char)c, origin);
		return;
	}
	tn_reserve(b, 6);
	int n = g_unichar_to_utf8(c, b->s + b->len);
	for (int i = 0; i < n; i++)
		b->map[b->len + (gsize)i] = origin;
	b->len += (gsize)n;
}

/* Lookalikes of Latin letters in other scripts, as lower-case letters.
 * Written from the Unicode charts; deliberately short: letters that are
 * commonly used to disguise Latin words. */
static const struct {
	gunichar from;
	char to;
} tn_confusables[] = {
    /* Cyrillic */
    {0x0430, 'a'},
    {0x0432, 'b'},
    {0x0435, 'e'},
    {0x043a, 'k'},
    {0x043c, 'm'},
    {0x043d, 'h'},
    {0x043e, 'o'},
    {0x0440, 'p'},
    {0x0441, 'c'},
    {0x0442, 't'},
    {0x0443, 'y'},
    {0x0445, 'x'},
    {0x0455, 's'},
    {0x0456, 'i'},
    {0x0458, 'j'},
    {0x044c, 'b'},
    {0x04bb, 'h'},
    {0x04cf, 'l'},
    {0x0501, 'd'},
    {0x051b, 'q'},
    {0x051d, 'w'},
    {0x0475, 'v'},
    {0x0491, 'r'},
    /* Greek */
    {0x03b1, 'a'},
    {0x03b2, 'b'},
    {0x03b5, 'e'},
    {0x03b9, 'i'},
    {0x03ba, 'k'},
    {0x03bd, 'v'},
    {0x03bf, 'o'},
    {0x03c1, 'p'},
    {0x03c4, 't'},
    {0x03c5, 'u'},
    {0x03c7, 'x'},
    {0x03b3, 'y'},
    {0x03b7, 'n'},
    {0x03bc, 'u'},
    {0x03f2, 'c'},
    {0x03c9, 'w'},
    {0x03b6, 'z'},
    {0x03f3, 'j'},
    /* Armenian */
    {0x0578, 'n'},
    {0x057d, 'u'},
    {0x0585, 'o'},
    {0x0570, 'h'},
    {0x0566, 'q'},
    /* Latin letters without a decomposition */
    {0x0131, 'i'},
    {0x0142, 'l'},
    {0x0111, 'd'},
    {0x00f8, 'o'},
    {0x0127, 'h'},
    {0x0261, 'g'},
    {0x0251, 'a'},
    {0x0269, 'i'},
    {0x028f, 'y'},
    {0x1d0f, 'o'},
    {0x0280, 'r'},
    {0x0262, 'g'},
    {0x029c, 'h'},
    {0x1d1c, 'u'},
    {0x1d00, 'a'},
    {0x1d04, 'c'},
    {0x1d05, 'd'},
    {0x1d07, 'e'},
    {0x1d0b, 'k'},
    {0x1d0d, 'm'},
    {0x0274, 'n'},
    {0x026a, 'i'},
    {0x1d18, 'p'},
    {0x1d1b, 't'},
    {0x1d21, 'w'},
    {0xa731, 's'},
    /* punctuation that stands for ASCII */
    {0x2018, '\''},
    {0x2019, '\''},
    {0x201a, '\''},
    {0x201b, '\''},
    {0x02bc, '\''},
    {0x00b4, '\''},
    {0x2032, '\''},
    {0x201c, '"'},
    {0x201d, '"'},
    {0x201e, '"'},
    {0x00ab, '"'},
    {0x00bb, '"'},
    {0x2010, '-'},
    {0x2011, '-'},
    {0x2012, '-'},
    {0x2013, '-'},
    {0x2014, '-'},
    {0x2015, '-'},
    {0x2212, '-'},
    {0x00b7, '.'},
    {0x2022, '.'},
    {0x2024, '.'},
    {0x3002, '.'},
};

/* tn_confusable - Latin skeleton of c, or 0 */
static char tn_confusable(gunichar c)
{
	for (size_t i = 0; i < G_N_ELEMENTS(tn_confusables); i++)
		if (tn_confusables[i].from == c)
			return tn_confusables[i].to;
	return 0;
}

/* tn_invisible - characters that render as nothing and are dropped */
static bool tn_invisible(gunichar c)
{
	if (c == 0x034f || c == 0x115f || c == 0x1160 || c == 0x3164 || c == 0xffa0 ||
	    c == 0x17b4 || c == 0x17b5 || c == 0x180e)
		return true;
	GUnicodeType t = g_unichar_type(c);
	return t == G_UNICODE_FORMAT || t == G_UNICODE_NON_SPACING_MARK ||
	       t == G_UNICODE_ENCLOSING_MARK;
}

/* tn_emit - one decomposed, lower-cased character */
static void tn_emit(tn_buf *b, gunichar c, guint32 origin)
{
	if (c == 0x00df) { /* ß */
		tn_put_char(b, 's', origin);
		tn_put_char(b, 's', origin);
		return;
	}
	if (c == 0x00e6 || c == 0x0153) { /* æ, œ */
		tn_put_char(b, c == 0x00e6 ? 'a' : 'o', origin);
		tn_put_char(b, 'e', origin);
		return;
	}
	char k = tn_confusable(c);
	if (k)
		tn_put_char(b, (gunichar)k, origin);
	else
		tn_put_char(b, c, origin);
}

/* tn_unicode_pass - decompose, fold, drop invisibles, collapse spaces */
static void tn_unicode_pass(const char *s, gsize len, tn_buf *b)
{
	const char *p = s, *end = s + len;
	bool space = true; /* no leading space */
	while (p < end) {
		guint32 origin = (guint32)(p - s);
		unsigned char a = (unsigned char)*p;
		if (a == '\0') {
			p++;
			continue;
		}
		if (a < 0x80) {
			/* ASCII: its own decomposition, never invisible, no
			 * confusable; controls and blanks are white space */
			p++;
			if (a <= 0x20 || a == 0x7f) {
				if (!space)
					tn_put_byte(b, ' ', origin);
				space = true;
			} else {
				tn_put_byte(b, (char)g_ascii_tolower(a), origin);
				space = false;
			}
			continue;
		}
		gunichar c = g_utf8_get_char_validated(p, end - p);
		if (c == (gunichar)-1 || c == (gunichar)-2) {
			c = 0xfffd;
			p++;
		} else {
			p = g_utf8_next_char(p);
		}
		if (c == 0 || tn_invisible(c))
			continue;
		if (g_unichar_isspace(c) || g_unichar_type(c) == G_UNICODE_CONTROL ||
		    g_unichar_type(c) == G_UNICODE_SPACE_SEPARATOR) {
			if (!space)
				tn_put_char(b, ' ', origin);
			space = true;
			continue;
		}
		gunichar dec[G_UNICHAR_MAX_DECOMPOSITION_LENGTH];
		gsize n = g_unichar_fully_decompose(c, TRUE, dec, G_N_ELEMENTS(dec));
		for (gsize i = 0; i < n; i++) {
			gunichar d = dec[i];
			if (tn_invisible(d))
				continue;
			if (g_unichar_isspace(d)) {
				if (!space)
					tn_put_char(b, ' ', origin);
				space = true;
				continue;
			}
			/* case first, then the confusable table (written in lower case) */
			d = g_unichar_tolower(d);
			gunichar again[G_UNICHAR_MAX_DECOMPOSITION_LENGTH];
			gsize m = g_unichar_fully_decompose(d, TRUE, again, G_N_ELEMENTS(again));
			for (gsize j = 0; j < m; j++)
				if (!tn_invisible(again[j]))
					tn_emit(b, again[j], origin);
			space = false;
		}
	}
	/* no trailing space */
	if (b->len && b->s[b->len - 1] == ' ')
		b->len--;
	b->s[b->len] = '\0';
}

static bool tn_letter(const char *s, gsize i, gsize len)
{
	if (i >= len)
		return false;
	unsigned char c = (unsigned char)s[i];
	if (c < 0x80)
		return c >= 'a' && c <= 'z';
	while (i > 0 && ((unsigned char)s[i] & 0xc0) == 0x80)
		i--;
	gunichar u = g_utf8_get_char_validated(s + i, (gssize)(len - i));
	return u != (gunichar)-1 && u != (gunichar)-2 && g_unichar_isalpha(u);
}

static char tn_leet_value(char c)
{
	switch (c) {
	case '0':
		return 'o';
	case '1':
		return 'i';
	case '3':
		return 'e';
	case '4':
		return 'a';
	case '5':
		return 's';
	case '7':
		return 't';
	case '@':
		return 'a';
	case '$':
		return 's';
	case '|':
		return 'l';
	case '!':
		return 'i';
	default:
		return 0;
	}
}

static bool tn_word_char(char c)
{
	return g_ascii_isalnum(c) || tn_leet_value(c) || (unsigned char)c >= 0x80;
}

/* tn_leet_pass - digits and symbols standing for letters inside words.
 * A run of such characters is replaced when it sits between two letters
 * ("p@ssw0rd", "c0de"); one at the edge of a word only when the word has
 * at least three letters otherwise ("cod3", "1nfo"), so that "24h", "4u",
 * "win10" keep their digits. "@" followed by a dotted name is an address. */
static void tn_leet_pass(tn_buf *buf)
{
	char *t = buf->s;
	gsize len = buf->len;
	gsize i = 0;
	while (i < len) {
		if (!tn_word_char(t[i])) {
			i++;
			continue;
		}
		gsize start = i;
		while (i < len && tn_word_char(t[i]))
			i++;
		gsize end = i; /* token [start, end) */
		/* an e-mail address or a URL keeps its characters */
		bool address = false;
		for (gsize k = start; k < end; k++)
			if (t[k] == '@' && k + 1 < len) {
				for (gsize q = k + 1; q < len && (g_ascii_isalnum(t[q]) ||
								  t[q] == '-' || t[q] == '.');
				     q++)
					if (t[q] == '.')
						address = true;
			}
		if (address)
			continue;
		unsigned letters = 0;
		for (gsize k = start; k < end; k++)
			letters += tn_letter(t, k, len);
		if (letters == 0)
			continue;
		unsigned inner = 0;
		/* runs between letters */
		for (gsize k = start; k < end;) {
			if (!tn_leet_value(t[k]) || t[k] == '!') {
				k++;
				continue;
			}
			gsize r = k;
			while (r < end && tn_leet_value(t[r]))
				r++;
			/* three digits or more are a number ("1x150p"), not a word */
			gsize digits = 0;
			for (gsize q = k; q < r; q++)
				digits += g_ascii_isdigit(t[q]) != 0;
			if (k > start && r < end && tn_letter(t, k - 1, len) &&
			    tn_letter(t, r, len) && digits < 3) {
				for (gsize q = k; q < r; q++)
					t[q] = tn_leet_value(t[q]);
				inner += (unsigned)(r - k);
			}
			k = r;
		}
		/* "!" only between letters ("l!nk", "cl!ck"), and not between two
		 * words of four letters or more ("tones!reply": a sentence end) */
		for (gsize k = start + 1; k + 1 < end; k++)
			if (t[k] == '!' && tn_letter(t, k - 1, len) && tn_letter(t, k + 1, len)) {
				gsize a = 0, b = 0;
				while (k > a && tn_letter(t, k - 1 - a, len))
					a++;
				while (k + 1 + b < end && tn_letter(t, k + 1 + b, len))
					b++;
				if (a < 4 || b < 4)
					t[k] = 'i', inner++;
			}
		if (letters + inner < 3 || end - start < 3)
			continue;
		/* a single leet character at either edge; a leading "4" is the
		 * text-speak "for" ("4txt", "4free"), and a trailing digit that a
		 * decimal part follows is an amount ("GBP4.50") */
		if (tn_leet_value(t[start]) && t[start] != '!' && t[start] != '$' &&
		    t[start] != '@' && t[start] != '|' && t[start] != '4' &&
		    tn_letter(t, start + 1, len))
			t[start] = tn_leet_value(t[start]);
		bool decimal = end + 1 < len && (t[end] == '.' || t[end] == ',') &&
			       g_ascii_isdigit(t[end + 1]);
		if (tn_leet_value(t[end - 1]) && t[end - 1] != '!' && t[end - 1] != '@' &&
		    t[end - 1] != '|' && !(decimal && g_ascii_isdigit(t[end - 1])) &&
		    tn_letter(t, end - 2, len))
			t[end - 1] = tn_leet_value(t[end - 1]);
	}
}

static bool tn_sep(char c)
{
	return c == ' ' || c == '.' || c == '-' || c == '_' || c == '*' || c == '/' || c == '+';
}

/* a single letter at i: a letter with no word character on either side */
static bool tn_single(const char *t, gsize i, gsize len)
{
	if (!tn_letter(t, i, len) || (unsigned char)t[i] >= 0x80)
		return false;
	if (i > 0 && g_ascii_isalnum(t[i - 1]))
		return false;
	return !(i + 1 < len && g_ascii_isalnum(t[i + 1]));
}

/* tn_textspeak - letters that are words on their own in text-speak
 * ("u r a winner", "i c u"): three of them in a row are not spaced out */
static bool tn_textspeak(char c)
{
	return strchr("aiurycbn", c) != NULL;
}

/* tn_collapse_pass - "c o d e", "v.e.r.i.f.y" -> "code", "verify": four or
 * more single letters separated by one and the same separator, or three
 * when one of them is not a text-speak word ("o t p", not "u r a"). Writes
 * into out/omap (room for in->len bytes) and returns the length written. */
static gsize tn_collapse_pass(const tn_buf *in, char *out, guint32 *omap)
{
	const char *t = in->s;
	gsize len = in->len;
	const guint32 *map = in->map;
	gsize i = 0, o = 0;
	while (i < len) {
		if (tn_single(t, i, len) && i + 2 < len && tn_sep(t[i + 1])) {
			char sep = t[i + 1];
			gsize k = i;
			unsigned count = 1;
			bool speak = tn_textspeak(t[i]);
			while (k + 2 < len && t[k + 1] == sep && tn_single(t, k + 2, len)) {
				k += 2;
				count++;
				speak = speak && tn_textspeak(t[k]);
			}
			if (count >= 4 || (count == 3 && !speak)) {
				for (gsize q = i; q <= k; q += 2) {
					out[o] = t[q];
					omap[o++] = map[q];
				}
				i = k + 1;
				continue;
			}
		}
		out[o] = t[i];
		omap[o++] = map[i];
		i++;
	}
	return o;
}

/* textnorm_new - normalise len bytes of s (len < 0: NUL-terminated). The
 * result is one allocation: the struct, then the map, the text and the copy
 * of the original (the collapse pass only shortens, so the first pass's
 * length bounds the text). */
textnorm *textnorm_new(const char *s, gssize len)
{
	gsize n = len < 0 ? strlen(s) : (gsize)len;
	if (n > G_MAXUINT32 / 2)
		n = G_MAXUINT32 / 2;
	tn_buf a;
	tn_buf_init(&a, n);
	tn_unicode_pass(s, n, &a);
	tn_leet_pass(&a);

	gsize bound = a.len + 1; /* text bytes and the map's final entry */
	textnorm *t = g_malloc(sizeof(textnorm) + bound * sizeof(guint32) + bound + n + 1);
	t->map = (guint32 *)(void *)(t + 1);
	t->text = (char *)(t->map + bound);
	t->orig = t->text + bound;
	t->len = tn_collapse_pass(&a, t->text, t->map);
	t->text[t->len] = '\0';
	t->map[t->len] = (guint32)n;
	memcpy(t->orig, s, n);
	t->orig[n] = '\0';
	t->orig_len = n;
	tn_buf_clear(&a);
	return t;
}

/* textnorm_free - NULL is a no-op */
void textnorm_free(textnorm *t)
{
	g_free(t); /* one block: see textnorm_new */
}

/* textnorm_original - the original text behind normalised bytes [start, end),
 * as valid UTF-8; caller g_free */
char *textnorm_original(const textnorm *t, gsize start, gsize end)
{
	if (end > t->len)
		end = t->len;
	if (start >= end)
		return g_strdup("");
	gsize os = t->map[start];
	gsize last = t->map[end - 1];
	/* the end of the original character that produced the last byte */
	gsize oe = t->orig_len;
	if (last < t->orig_len) {
		const char *nx = g_utf8_find_next_char(t->orig + last, t->orig + t->orig_len);
		if (nx)
			oe = (gsize)(nx - t->orig);
	}
	if (oe < os)
		oe = os;
	return utf8_sanitize(t->orig + os, (gssize)(oe - os));
}

/* textnorm_string - normalised form only; caller g_free */
char *textnorm_string(const char *s)
{
	textnorm *t = textnorm_new(s, -1);
	char *out = g_strdup(t->text);
	textnorm_free(t);
	return out;
}
