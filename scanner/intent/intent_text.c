/* intent_text.c - the shape of a normalised text that the intent analyser
 * needs: where its sentences are, and which bytes are quoted material.
 *
 * Sentences end at "!", "?", a line break, or a "." followed by a blank
 * or the end (so "1.249" and "example.com" do not split). Quoted material
 * is:
 *   - a quotation between double quotes (normalisation turns "«»“”„" into
 *     '"') of at least min_words words and at most INTENT_QUOTE_MAX: one
 *     quoted word ("tap 'Approve'") is a name, not a quoted message; an
 *     unclosed one quotes nothing;
 *   - (">" lines are marked by the caller, on the original text: the
 *     normalised one has no line breaks);
 *   - everything after a forward or reply separator ("-----Original
 *     Message-----", "On ... wrote:"), found by the rule files' "forward"
 *     cues.
 *
 * SECURITY: the text is sender data; the work is linear in its length and
 * the only allocations are one array and one byte mask of its size.
 */
#include "intent.h"

#include <string.h>

/* the longest quotation, in words: past it, a quote mark was something else */
#define INTENT_QUOTE_MAX 120

/* intent_sentences - see intent.h */
GArray *intent_sentences(const char *text, gsize len)
{
	GArray *a = g_array_new(FALSE, FALSE, sizeof(intent_sentence));
	gsize start = 0;
	for (gsize i = 0; i <= len; i++) {
		bool end = i == len;
		if (!end) {
			char c = text[i];
			end = c == '!' || c == '?' || c == '\n' ||
			      (c == '.' && (i + 1 == len || text[i + 1] == ' ' || text[i + 1] == '\n'));
		}
		if (!end)
			continue;
		gsize stop = i < len ? i + 1 : len;
		/* skip sentences of nothing but blanks and punctuation */
		bool word = false;
		for (gsize k = start; k < stop && !word; k++)
			word = g_ascii_isalnum(text[k]);
		if (word) {
			intent_sentence s = {start, stop, false};
			g_array_append_val(a, s);
		}
		start = stop;
	}
	return a;
}

/* intent_words - words (runs of letters or digits) in [a, b) */
static int intent_words(const char *text, gsize a, gsize b)
{
	int n = 0;
	bool in = false;
	for (gsize i = a; i < b; i++) {
		bool w = g_ascii_isalnum(text[i]);
		if (w && !in)
			n++;
		in = w;
	}
	return n;
}

/* intent_quoted - see intent.h */
guint8 *intent_quoted(const char *text, gsize len, int min_words, const pcre2_code *forward,
		      pcre2_match_data *md)
{
	guint8 *q = g_malloc0(len + 1);
	/* quotations between double quotes: one opens after a blank, a
	 * bracket or punctuation (not after a digit: 16" is inches), closes
	 * before anything but a letter or digit, within INTENT_QUOTE_MAX
	 * words; one that never closes quotes nothing */
	gsize open = 0;
	bool in = false;
	for (gsize i = 0; i < len; i++) {
		if (in && text[i] == '"' && (i + 1 == len || !g_ascii_isalnum(text[i + 1]))) {
			int w = intent_words(text, open, i);
			if (w >= min_words && w <= INTENT_QUOTE_MAX)
				memset(q + open, 1, i - open);
			in = false;
			continue;
		}
		if (!in && text[i] == '"' && (i == 0 || !g_ascii_isalnum(text[i - 1]))) {
			in = true;
			open = i + 1;
		}
	}
	/* after a forward or reply separator, everything is quoted */
	if (forward) {
		int rc = pcre2_match(forward, (PCRE2_SPTR)text, len, 0, PCRE2_NO_UTF_CHECK, md, NULL);
		if (rc >= 0) {
			PCRE2_SIZE *ov = pcre2_get_ovector_pointer(md);
			memset(q + ov[0], 1, len - ov[0]);
		}
	}
	return q;
}
