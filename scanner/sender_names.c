/* sender_names.c - what a display name claims to be: a brand, a protected
 * organisation, one of the organisation's executives, one of its internal
 * departments (roles.txt: its words in a row, "Service RH - Horizon")
 *
 * Display names are compared word by word after the text normalisation of
 * the lexicons (textnorm.c): case, accents, lookalike letters and
 * leetspeak undone, so "CRÉDIT AGRICOLE", "Crédit Agricole" and
 * "Crеdit Agricole" (Cyrillic е) are the same words.
 *   - A brand or protected name matches when one to four consecutive words,
 *     joined, spell it: "PayPal", "Pay Pal", "Amazon.com", "La Banque
 *     Postale" (labanquepostale), "Horizon Assurances". A name marked "=" in
 *     brands.txt (an everyday word: orange, apple) counts only in a display
 *     name of at most two words ("Apple", "Orange Service"), not in "Orange
 *     County Register".
 *   - An executive matches when every word of the name is a word of the
 *     display name, in any order: "DUBOIS Claire", "Claire Dubois (CEO)".
 *
 * SECURITY: display names are the sender's; they are bounded (32 words,
 * names of 64 bytes) and only compared.
 */
#include "sender.h"

#include <string.h>

#define SENDER_MAX_WORDS 32
#define SENDER_MAX_WINDOW 4
#define SENDER_MAX_NAME 64

/* sender_names_words - see sender.h */
char **sender_names_words(const char *display)
{
	char *norm = textnorm_string(display ? display : "");
	GPtrArray *out = g_ptr_array_new();
	GString *w = g_string_new(NULL);
	for (const char *c = norm;; c = g_utf8_next_char(c)) {
		gunichar u = *c ? g_utf8_get_char(c) : 0;
		if (u && (g_unichar_isalnum(u) || g_unichar_ismark(u))) {
			if (w->len < SENDER_MAX_NAME)
				g_string_append_unichar(w, u);
			continue;
		}
		if (w->len && out->len < SENDER_MAX_WORDS)
			g_ptr_array_add(out, g_strdup(w->str));
		g_string_truncate(w, 0);
		if (!u)
			break;
	}
	g_ptr_array_add(out, NULL);
	g_string_free(w, TRUE);
	g_free(norm);
	return (char **)g_ptr_array_free(out, FALSE);
}

/* sender_names_brand - see sender.h */
const char *sender_names_brand(const sender_engine *s, char **words)
{
	guint n = g_strv_length(words);
	GString *joined = g_string_new(NULL);
	const char *hit = NULL;
	for (guint i = 0; !hit && i < n; i++) {
		g_string_truncate(joined, 0);
		for (guint k = i; !hit && k < n && k < i + SENDER_MAX_WINDOW; k++) {
			g_string_append(joined, words[k]);
			if (joined->len > SENDER_MAX_NAME)
				break;
			const char *name = g_hash_table_lookup(s->brands, joined->str);
			if (name && (n <= 2 || !g_hash_table_contains(s->everyday, joined->str)))
				hit = name;
		}
	}
	g_string_free(joined, TRUE);
	return hit;
}

/* sender_names_spells - see sender.h */
bool sender_names_spells(char **words, const char *flat)
{
	guint n = g_strv_length(words);
	GString *joined = g_string_new(NULL);
	bool hit = false;
	for (guint i = 0; !hit && i < n; i++) {
		g_string_truncate(joined, 0);
		for (guint k = i; !hit && k < n && k < i + SENDER_MAX_WINDOW; k++) {
			g_string_append(joined, words[k]);
			if (joined->len > SENDER_MAX_NAME)
				break;
			hit = strcmp(joined->str, flat) == 0;
		}
	}
	g_string_free(joined, TRUE);
	return hit;
}

/* sender_names_role - see sender.h: the role's words in a row */
char *sender_names_role(const sender_engine *s, char **words)
{
	guint n = g_strv_length(words);
	for (guint r = 0; s->roles && r < s->roles->len; r++) {
		char **role = g_ptr_array_index(s->roles, r);
		guint k = g_strv_length(role);
		for (guint i = 0; k && i + k <= n; i++) {
			guint j = 0;
			while (j < k && strcmp(words[i + j], role[j]) == 0)
				j++;
			if (j == k)
				return g_strjoinv(" ", role);
		}
	}
	return NULL;
}

/* sender_names_executive - see sender.h */
const sender_executive *sender_names_executive(const sender_engine *s, char **words)
{
	for (guint i = 0; i < s->executives->len; i++) {
		const sender_executive *x = g_ptr_array_index(s->executives, i);
		bool all = true;
		for (guint k = 0; all && x->words[k]; k++)
			all = g_strv_contains((const char *const *)words, x->words[k]);
		if (all)
			return x;
	}
	return NULL;
}
