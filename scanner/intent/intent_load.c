/* intent_load.c - loader of the intent rules (the .txt files of signatures/intent)
 *
 * Every "*.txt" file of the folder is read in name order, in two passes:
 * first the slot lines of every file (so a rule may use a slot defined in
 * any file), then the rest. One declaration per line, fields separated by
 * blanks; "#" starts a comment line:
 *
 *     slot    NAME  LANG  ALTERNATIVE | ALTERNATIVE | ...
 *     stance  CUE   LANG  ALTERNATIVE | ALTERNATIVE | ...
 *     ask     NAME  WEIGHT  LANG  [+negated|+own]  ELEMENT...
 *     claim   NAME  WEIGHT  LANG  ELEMENT...
 *     combo   NAME  WEIGHT  REQUIREMENT...
 *
 * Alternatives are separated by " | " (blanks around the bar, so that a
 * pattern may use "a|b" itself). An ALTERNATIVE is a phrase (words normalised like the text; "*" ending
 * a word matches any ending) or "re:PATTERN" (PCRE2 over normalised text:
 * lower-case ASCII, no accents). An ELEMENT is "{slot}", a literal word,
 * "..N" (up to N words of anything, 0-12, never across a sentence end) or
 * "re:PATTERN". Adjacent elements are separated by blanks or punctuation
 * in the text. CUE is negation, unneg, own, third, report, forward,
 * continue, advice or offer (intent.h). A REQUIREMENT is an intent name, a pseudo-intent
 * (negated, own, quoted: an ask that was advice, about the writer's own
 * account, or quoted; "own.NAME" and the like: intent NAME in that
 * stance), or a signal (@link, @short, @mail, @chat, @inbound,
 * @internal, @outbound, @attachment); "a|b" means either, "!a" absent.
 * LANG is en, fr, de, es, pt, nl, it or any; [intent] languages chooses
 * which load. A bad line is an error naming file and line, and nothing
 * loads.
 *
 * Every rule is one PCRE2 program (JIT-compiled), and all of them together
 * one Vectorscan database in prefilter mode, so a text is read once to
 * find the few rules worth running (intent_scan.c).
 *
 * SECURITY: rule files are the administrator's and trusted, but parsed
 * strictly; patterns get no control verbs and no captures, gaps are
 * bounded, and the scan sets match limits (intent_scan.c).
 */
#include "intent.h"

#include <errno.h>
#include <stdio.h>
#include <sys/stat.h>
#include <unistd.h>
#include <stdlib.h>
#include <string.h>

const char *const intent_pseudo[] = {"negated", "own", "quoted", NULL};
const char *const intent_signals[] = {"@link",	   "@short",   "@mail",	      "@chat", "@inbound",
				      "@internal", "@outbound", "@attachment", NULL};
static const char *const intent_langs[] = {"any", "en", "fr", "de", "es", "pt", "nl", "it", NULL};
static const char *const intent_cues[] = {"negation", "unneg",	 "own",	   "third",
					  "report",   "forward", "continue", "advice", "offer", NULL};

#define INTENT_FLAGS (PCRE2_UTF | PCRE2_CASELESS | PCRE2_NO_AUTO_CAPTURE | PCRE2_NEVER_BACKSLASH_C)

/* a slot's alternatives of one language */
typedef struct {
	char *lang;
	char *regex;
} intent_alt;

typedef struct {
	intent_engine *ie;
	const char *const *languages; /* NULL: all */
	GHashTable *slots;	      /* name -> GPtrArray of intent_alt* */
	GHashTable *declared;	      /* every intent named, even of a language not loaded */
	GHashTable *by_name;	      /* name -> intent_def* */
} intent_loader;

static void intent_alt_free(gpointer p)
{
	intent_alt *a = p;
	g_free(a->lang);
	g_free(a->regex);
	g_free(a);
}

static void intent_rule_free(gpointer p)
{
	intent_rule *r = p;
	g_free(r->file);
	g_free(r->regex);
	pcre2_code_free(r->code);
	if (r->pieces)
		g_ptr_array_unref(r->pieces);
	if (r->elems)
		g_array_unref(r->elems);
	g_free(r);
}

static void intent_def_free(gpointer p)
{
	intent_def *d = p;
	g_ptr_array_unref(d->rules);
	g_free(d->name);
	g_free(d);
}

static void intent_req_free(gpointer p)
{
	intent_req *r = p;
	g_strfreev(r->names);
	g_free(r->refs);
	g_free(r);
}

static void intent_combo_free(gpointer p)
{
	intent_combo *c = p;
	g_free(c->name);
	g_ptr_array_unref(c->reqs);
	g_free(c);
}

/* intent_check_regex - reason a user pattern is refused, or NULL */
static char *intent_check_regex(const char *re)
{
	if (strstr(re, "(*"))
		return g_strdup("control verbs (*...) are not allowed");
	/* "re:a|re:b" reads as "a" or the literal text "re:b": a mistake */
	if (strstr(re, "|re:"))
		return g_strdup("'|re:' inside a pattern: a pattern's alternatives are written a|b");
	if (strchr(re, '\\') && (strstr(re, "\\1") || strstr(re, "\\g") || strstr(re, "\\k")))
		return g_strdup("back-references are not allowed");
	for (const char *p = re; *p; p = g_utf8_next_char(p))
		if ((unsigned char)*p >= 0x80 && g_unichar_isalpha(g_utf8_get_char(p)))
			return g_strdup("patterns match normalised text: write letters in ASCII "
					"without accents");
	int ec;
	PCRE2_SIZE eo;
	pcre2_code *code = pcre2_compile((PCRE2_SPTR)re, PCRE2_ZERO_TERMINATED, INTENT_FLAGS, &ec, &eo, NULL);
	if (!code) {
		PCRE2_UCHAR msg[256];
		pcre2_get_error_message(ec, msg, sizeof msg);
		return g_strdup_printf("bad pattern: %s at offset %zu", (char *)msg, (size_t)eo);
	}
	pcre2_match_data *md = pcre2_match_data_create(1, NULL);
	int rc = pcre2_match(code, (PCRE2_SPTR) "", 0, 0, 0, md, NULL);
	pcre2_match_data_free(md);
	pcre2_code_free(code);
	return rc >= 0 ? g_strdup("pattern matches empty text") : NULL;
}

/* intent_word_regex - one literal word (normalised; "*" at the end: any
 * ending) as a pattern, appended to re; false if it has no letter or digit */
static bool intent_word_regex(GString *re, const char *word)
{
	size_t wl = strlen(word);
	bool star = wl > 1 && word[wl - 1] == '*';
	if (star)
		wl--;
	bool any = false;
	for (size_t k = 0; k < wl; k++) {
		char ch = word[k];
		any |= g_ascii_isalnum(ch);
		if (!g_ascii_isalnum(ch) && (unsigned char)ch < 0x80)
			g_string_append_c(re, '\\');
		g_string_append_c(re, ch);
	}
	if (star)
		g_string_append(re, "[a-z0-9]*");
	return any;
}

/* intent_alternative - one ALTERNATIVE as a pattern; NULL with *why */
static char *intent_alternative(const char *alt, char **why)
{
	if (g_str_has_prefix(alt, "re:")) {
		*why = intent_check_regex(alt + 3);
		return *why ? NULL : g_strdup_printf("(?:%s)", alt + 3);
	}
	char *norm = textnorm_string(alt);
	char **words = g_strsplit(norm, " ", -1);
	GString *re = g_string_new(NULL);
	unsigned n = 0;
	bool ok = true;
	for (int i = 0; ok && words[i]; i++) {
		if (!*words[i])
			continue;
		if (n++)
			g_string_append(re, INTENT_SEP);
		ok = intent_word_regex(re, words[i]);
	}
	g_strfreev(words);
	g_free(norm);
	if (!ok || !n) {
		*why = g_strdup_printf("'%s' has no word to match", alt);
		g_string_free(re, TRUE);
		return NULL;
	}
	*why = NULL;
	return g_string_free(re, FALSE);
}

/* intent_alternatives - "A | B | ..." into patterns; NULL with *why */
static GPtrArray *intent_alternatives(const char *rest, char **why)
{
	GPtrArray *out = g_ptr_array_new_with_free_func(g_free);
	/* " | " separates alternatives, so a pattern may use "a|b" itself */
	char **parts = g_strsplit(rest, " | ", -1);
	*why = NULL;
	for (int i = 0; parts[i] && !*why; i++) {
		char *a = g_strstrip(parts[i]);
		if (!*a) {
			*why = g_strdup("an empty alternative (two ' | ' in a row, or one at an end)");
			break;
		}
		char *re = intent_alternative(a, why);
		if (re)
			g_ptr_array_add(out, re);
	}
	g_strfreev(parts);
	if (*why || !out->len) {
		if (!*why)
			*why = g_strdup("no alternative");
		g_ptr_array_unref(out);
		return NULL;
	}
	return out;
}

static bool intent_lang_loaded(const intent_loader *L, const char *lang)
{
	return !strcmp(lang, "any") || !L->languages || !L->languages[0] ||
	       g_strv_contains(L->languages, lang);
}

/* intent_slot_regex - the alternatives of slot name that serve a rule of
 * language lang ("any" rules: every loaded language); NULL with *why */
static char *intent_slot_regex(const intent_loader *L, const char *name, const char *lang, char **why)
{
	GPtrArray *alts = g_hash_table_lookup(L->slots, name);
	if (!alts) {
		*why = g_strdup_printf("unknown slot {%s}", name);
		return NULL;
	}
	GString *re = g_string_new("(?:");
	unsigned n = 0;
	for (guint i = 0; i < alts->len; i++) {
		intent_alt *a = g_ptr_array_index(alts, i);
		if (strcmp(lang, "any") && strcmp(a->lang, "any") && strcmp(a->lang, lang))
			continue;
		g_string_append_printf(re, "%s%s", n++ ? "|" : "", a->regex);
	}
	g_string_append_c(re, ')');
	if (!n) {
		*why = g_strdup_printf("slot {%s} has no alternative for language %s", name, lang);
		g_string_free(re, TRUE);
		return NULL;
	}
	return g_string_free(re, FALSE);
}

/* intent_elements - a rule's ELEMENTs as one pattern; NULL with *why */
static char *intent_elements(const intent_loader *L, char *rest, const char *lang, GPtrArray *pieces,
			     char **why)
{
	GString *re = g_string_new("\\b(?:");
	unsigned n = 0;
	int gap = -1; /* pending "..N" */
	char *el;
	*why = NULL;
	while (!*why && (el = rule_line_field(&rest))) {
		if (g_str_has_prefix(el, "..")) {
			char *end;
			long v = strtol(el + 2, &end, 10);
			if (!n || gap >= 0 || end == el + 2 || *end || v < 0 || v > 12)
				*why = g_strdup_printf("'%s': a gap is ..N with N in 0-12, between two elements", el);
			gap = (int)v;
			continue;
		}
		char *piece = NULL;
		if (el[0] == '{') {
			size_t l = strlen(el);
			if (l < 3 || el[l - 1] != '}') {
				*why = g_strdup_printf("'%s': a slot is written {name}", el);
				break;
			}
			char *name = g_strndup(el + 1, l - 2);
			piece = intent_slot_regex(L, name, lang, why);
			g_free(name);
		} else if (g_str_has_prefix(el, "re:")) {
			/* a pattern element is one field: it may not contain blanks */
			*why = intent_check_regex(el + 3);
			if (!*why)
				piece = g_strdup_printf("(?:%s)", el + 3);
		} else {
			char *norm = textnorm_string(el);
			GString *w = g_string_new(NULL);
			if (!*norm || strchr(norm, ' ') || !intent_word_regex(w, norm))
				*why = g_strdup_printf("'%s' is not one word", el);
			else
				piece = g_strdup(w->str);
			g_string_free(w, TRUE);
			g_free(norm);
		}
		if (!piece)
			break;
		if (n++) {
			if (gap > 0)
				g_string_append_printf(re, "(?:" INTENT_SEP "[a-z0-9']+){0,%d}?", gap);
			g_string_append(re, INTENT_SEP);
		}
		g_string_append(re, piece);
		g_ptr_array_add(pieces, piece);
		gap = -1;
	}
	if (!*why && (!n || gap >= 0))
		*why = g_strdup(n ? "a gap must be followed by an element" : "no element to match");
	if (*why) {
		g_string_free(re, TRUE);
		return NULL;
	}
	g_string_append(re, ")(?![a-z0-9])");
	return g_string_free(re, FALSE);
}

/* intent_parse_slot - "slot NAME LANG ALTS" or "stance CUE LANG ALTS" */
static bool intent_parse_list(intent_loader *L, bool stance, char *rest, const char *file, int line,
			      GError **err)
{
	char *name = rule_line_field(&rest), *lang = rule_line_field(&rest);
	if (!name || !lang || !*g_strstrip(rest)) {
		rule_line_error(err, file, line, "expected '%s NAME LANG ALTERNATIVE | ...'",
			    stance ? "stance" : "slot");
		return false;
	}
	int cue = -1;
	if (stance) {
		for (int i = 0; intent_cues[i]; i++)
			if (!strcmp(intent_cues[i], name))
				cue = i;
		if (cue < 0) {
			rule_line_error(err, file, line,
				    "unknown stance cue '%s' (negation, unneg, own, third, report, "
				    "forward, continue, advice, offer)", name);
			return false;
		}
	} else if (!rule_line_name_ok(name)) {
		rule_line_error(err, file, line, "slot name '%s' must be [a-z][a-z0-9_-]*, at most 40", name);
		return false;
	}
	if (!g_strv_contains(intent_langs, lang)) {
		rule_line_error(err, file, line, "language must be en, fr, de, es, pt, nl, it or any, not '%s'", lang);
		return false;
	}
	char *why;
	GPtrArray *alts = intent_alternatives(rest, &why);
	if (!alts) {
		rule_line_error(err, file, line, "%s", why);
		g_free(why);
		return false;
	}
	if (intent_lang_loaded(L, lang)) {
		for (guint i = 0; i < alts->len; i++) {
			if (stance) {
				if (!L->ie->stance_src[cue])
					L->ie->stance_src[cue] = g_ptr_array_new_with_free_func(g_free);
				g_ptr_array_add(L->ie->stance_src[cue], g_strdup(g_ptr_array_index(alts, i)));
				continue;
			}
			GPtrArray *list = g_hash_table_lookup(L->slots, name);
			if (!list) {
				list = g_ptr_array_new_with_free_func(intent_alt_free);
				g_hash_table_insert(L->slots, g_strdup(name), list);
			}
			intent_alt *a = g_new0(intent_alt, 1);
			a->lang = g_strdup(lang);
			a->regex = g_strdup(g_ptr_array_index(alts, i));
			g_ptr_array_add(list, a);
		}
	} else if (!stance && !g_hash_table_contains(L->slots, name)) {
		/* known, so rules of other languages that use it still load */
		g_hash_table_insert(L->slots, g_strdup(name), g_ptr_array_new_with_free_func(intent_alt_free));
	}
	g_ptr_array_unref(alts);
	return true;
}

/* intent_parse_rule - "ask ..." or "claim ..." (rest after the keyword) */
static bool intent_parse_rule(intent_loader *L, intent_kind kind, char *rest, const char *file,
			      int line, GError **err)
{
	const char *kw = kind == INTENT_ASK ? "ask" : "claim";
	char *name = rule_line_field(&rest), *ws = rule_line_field(&rest), *lang = rule_line_field(&rest);
	int weight;
	if (!name || !rule_line_name_ok(name)) {
		rule_line_error(err, file, line, "expected '%s NAME WEIGHT LANG ELEMENT...' with NAME "
			    "[a-z][a-z0-9_-]*", kw);
		return false;
	}
	if (g_strv_contains(intent_pseudo, name) || !strcmp(name, "combo")) {
		rule_line_error(err, file, line, "'%s' is reserved", name);
		return false;
	}
	if (!rule_line_weight(ws, &weight)) {
		rule_line_error(err, file, line, "weight must be an integer in [-100, 100], not '%s'", ws ? ws : "");
		return false;
	}
	if (!lang || !g_strv_contains(intent_langs, lang)) {
		rule_line_error(err, file, line, "language must be en, fr, de, es, pt, nl, it or any, not '%s'",
			    lang ? lang : "");
		return false;
	}
	bool keepneg = false, keepown = false;
	while (*rest == ' ' || *rest == '\t')
		rest++;
	if (g_str_has_prefix(rest, "+")) {
		char *flag = rule_line_field(&rest);
		if ((strcmp(flag, "+negated") && strcmp(flag, "+own")) || kind != INTENT_ASK) {
			rule_line_error(err, file, line, "unknown flag '%s' (asks take +negated or +own)", flag);
			return false;
		}
		keepneg = !strcmp(flag, "+negated");
		keepown = true;
	}
	intent_def *d = g_hash_table_lookup(L->by_name, name);
	if (d && d->kind != kind) {
		rule_line_error(err, file, line, "'%s' is declared both as ask and as claim", name);
		return false;
	}
	gpointer prev = g_hash_table_lookup(L->declared, name);
	if (prev && GPOINTER_TO_INT(prev) - 1 != (int)kind) {
		rule_line_error(err, file, line, "'%s' is declared both as ask and as claim", name);
		return false;
	}
	g_hash_table_replace(L->declared, g_strdup(name), GINT_TO_POINTER((int)kind + 1));
	/* rules of languages not loaded are still checked */
	char *why;
	GPtrArray *pieces = g_ptr_array_new_with_free_func(g_free);
	char *regex = intent_elements(L, rest, lang, pieces, &why);
	if (!regex) {
		if (!intent_lang_loaded(L, lang) && g_str_has_prefix(why, "slot {") &&
		    strstr(why, "no alternative")) {
			g_free(why);
			g_ptr_array_unref(pieces);
			return true;
		}
		rule_line_error(err, file, line, "%s", why);
		g_free(why);
		g_ptr_array_unref(pieces);
		return false;
	}
	if (!intent_lang_loaded(L, lang)) {
		g_free(regex);
		g_ptr_array_unref(pieces);
		return true;
	}
	if (!d) {
		d = g_new0(intent_def, 1);
		d->name = g_strdup(name);
		d->kind = kind;
		d->rules = g_ptr_array_new_with_free_func(intent_rule_free);
		d->max_weight = G_MININT;
		g_ptr_array_add(L->ie->intents, d);
		g_hash_table_insert(L->by_name, d->name, d);
	}
	intent_rule *r = g_new0(intent_rule, 1);
	r->file = g_strdup(file);
	r->line = line;
	r->weight = weight;
	r->keepneg = keepneg;
	r->keepown = keepown;
	r->regex = regex;
	r->pieces = pieces;
	g_ptr_array_add(d->rules, r);
	d->max_weight = MAX(d->max_weight, weight);
	L->ie->rules++;
	return true;
}

/* intent_parse_combo - "combo NAME WEIGHT REQ..." (checked once all is read) */
static bool intent_parse_combo(intent_loader *L, char *rest, const char *file, int line, GError **err)
{
	char *name = rule_line_field(&rest), *ws = rule_line_field(&rest);
	int weight;
	if (!name || !rule_line_name_ok(name) || !rule_line_weight(ws, &weight)) {
		rule_line_error(err, file, line, "expected 'combo NAME WEIGHT REQUIREMENT...' with NAME "
			    "[a-z][a-z0-9_-]* and WEIGHT in [-100, 100]");
		return false;
	}
	intent_combo *c = g_new0(intent_combo, 1);
	c->name = g_strdup(name);
	c->weight = weight;
	c->reqs = g_ptr_array_new_with_free_func(intent_req_free);
	char *f;
	while ((f = rule_line_field(&rest))) {
		intent_req *r = g_new0(intent_req, 1);
		r->negated = f[0] == '!';
		r->names = g_strsplit(f + r->negated, "|", -1);
		g_ptr_array_add(c->reqs, r);
		for (int i = 0; r->names[i]; i++) {
			const char *n = r->names[i];
			const char *dot = strchr(n, '.');
			bool stanced = dot && (!strncmp(n, "own.", 4) || !strncmp(n, "quoted.", 7) ||
					       !strncmp(n, "negated.", 8));
			bool ok = n[0] == '@' ? g_strv_contains(intent_signals, n)
				  : stanced   ? g_hash_table_contains(L->declared, dot + 1)
					      : g_strv_contains(intent_pseudo, n) ||
							g_hash_table_contains(L->declared, n);
			if (!ok) {
				rule_line_error(err, file, line,
					    "combo %s: '%s' is not an intent declared above, a "
					    "pseudo-intent (negated, own, quoted) or a signal (@link, "
					    "@short, @mail, @chat, @inbound, @internal, @outbound, "
					    "@attachment)",
					    name, n);
				intent_combo_free(c);
				return false;
			}
		}
	}
	if (!c->reqs->len) {
		rule_line_error(err, file, line, "combo %s has no requirement", name);
		intent_combo_free(c);
		return false;
	}
	g_ptr_array_add(L->ie->combos, c);
	return true;
}

/* intent_read_file - one pass over one file: slots (pass 1) or the rest */
static bool intent_read_file(intent_loader *L, const char *path, int pass, GError **err)
{
	char *data;
	gsize len;
	GError *e = NULL;
	if (!g_file_get_contents(path, &data, &len, &e)) {
		g_set_error(err, VIGIE_ERROR, VIGIE_ERROR_RULES, "%s", e->message);
		g_error_free(e);
		return false;
	}
	if (!g_utf8_validate(data, (gssize)len, NULL) || memchr(data, '\0', len)) {
		rule_line_error(err, path, 1, "not UTF-8 text");
		g_free(data);
		return false;
	}
	char **lines = rule_line_split(data, len);
	g_free(data);
	bool ok = true;
	for (int i = 0; ok && lines[i]; i++) {
		char *s = g_strstrip(lines[i]);
		if (!*s || *s == '#')
			continue;
		char *rest = s;
		char *kw = rule_line_field(&rest);
		if (!strcmp(kw, "slot"))
			ok = pass == 1 ? intent_parse_list(L, false, rest, path, i + 1, err) : true;
		else if (pass == 1)
			continue;
		else if (!strcmp(kw, "stance"))
			ok = intent_parse_list(L, true, rest, path, i + 1, err);
		else if (!strcmp(kw, "ask"))
			ok = intent_parse_rule(L, INTENT_ASK, rest, path, i + 1, err);
		else if (!strcmp(kw, "claim"))
			ok = intent_parse_rule(L, INTENT_CLAIM, rest, path, i + 1, err);
		else if (!strcmp(kw, "combo"))
			ok = intent_parse_combo(L, rest, path, i + 1, err);
		else {
			rule_line_error(err, path, i + 1,
				    "unknown declaration '%s' (slot, stance, ask, claim or combo)", kw);
			ok = false;
		}
	}
	g_strfreev(lines);
	return ok;
}

/* intent_compile - one program from alternatives (marked when rules) */
static pcre2_code *intent_compile(const char *source, const char *what, GError **err)
{
	int ec;
	PCRE2_SIZE eo;
	pcre2_code *code = pcre2_compile((PCRE2_SPTR)source, PCRE2_ZERO_TERMINATED, INTENT_FLAGS, &ec, &eo, NULL);
	if (!code && ec == PCRE2_ERROR_PATTERN_TOO_LARGE) {
		g_set_error(err, VIGIE_ERROR, VIGIE_ERROR_RULES, "%s: too large", what);
		return NULL;
	}
	if (!code) {
		PCRE2_UCHAR msg[256];
		pcre2_get_error_message(ec, msg, sizeof msg);
		g_set_error(err, VIGIE_ERROR, VIGIE_ERROR_RULES, "%s: cannot compile: %s", what, (char *)msg);
		return NULL;
	}
	pcre2_jit_compile(code, PCRE2_JIT_COMPLETE); /* the interpreter if JIT is unavailable */
	return code;
}

/* intent_resolve - what each requirement name of each combination refers
 * to, once the intents are sorted */
static void intent_resolve(intent_engine *ie)
{
	GHashTable *idx = g_hash_table_new(g_str_hash, g_str_equal);
	for (guint i = 0; i < ie->intents->len; i++)
		g_hash_table_insert(idx, ((intent_def *)g_ptr_array_index(ie->intents, i))->name, GUINT_TO_POINTER(i + 1));
	for (guint c = 0; c < ie->combos->len; c++) {
		intent_combo *co = g_ptr_array_index(ie->combos, c);
		for (guint j = 0; j < co->reqs->len; j++) {
			intent_req *r = g_ptr_array_index(co->reqs, j);
			guint n = g_strv_length(r->names);
			r->refs = g_new0(intent_ref, n ? n : 1);
			for (guint k = 0; k < n; k++) {
				const char *name = r->names[k];
				intent_ref *ref = &r->refs[k];
				ref->kind = INTENT_REF_NONE;
				const char *const *list = name[0] == '@' ? intent_signals : intent_pseudo;
				for (guint q = 0; list[q]; q++)
					if (!strcmp(list[q], name)) {
						ref->kind = name[0] == '@' ? INTENT_REF_SIGNAL : INTENT_REF_PSEUDO;
						ref->index = q;
					}
				if (ref->kind != INTENT_REF_NONE)
					continue;
				const char *dot = strchr(name, '.');
				intent_ref_kind kind = INTENT_REF_INTENT;
				if (dot && !strncmp(name, "own.", 4))
					kind = INTENT_REF_OWN;
				else if (dot && !strncmp(name, "quoted.", 7))
					kind = INTENT_REF_QUOTED;
				else if (dot && !strncmp(name, "negated.", 8))
					kind = INTENT_REF_NEGATED;
				guint at = GPOINTER_TO_UINT(g_hash_table_lookup(idx, kind == INTENT_REF_INTENT ? name : dot + 1));
				if (at) {
					ref->kind = kind;
					ref->index = at - 1;
				}
			}
		}
	}
	g_hash_table_unref(idx);
}

static gint intent_cmp_defs(gconstpointer a, gconstpointer b)
{
	return strcmp((*(intent_def *const *)a)->name, (*(intent_def *const *)b)->name);
}

static gint intent_cmp_paths(gconstpointer a, gconstpointer b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* intent_engine_free - NULL is a no-op */
void intent_engine_free(intent_engine *ie)
{
	if (!ie)
		return;
	intent_model_free(ie->model_mail);
	intent_model_free(ie->model_chat);
	g_ptr_array_unref(ie->flat);
	g_array_unref(ie->flat_def);
	g_ptr_array_unref(ie->intents);
	g_ptr_array_unref(ie->combos);
	for (guint i = 0; ie->pool && i < ie->pool->len; i++)
		hs_free_scratch(g_ptr_array_index(ie->pool, i));
	if (ie->pool)
		g_ptr_array_unref(ie->pool);
	hs_free_scratch(ie->proto);
	hs_free_database(ie->db);
	g_mutex_clear(&ie->pool_lock);
	for (int i = 0; i < STANCE_COUNT; i++) {
		pcre2_code_free(ie->stance[i]);
		if (ie->stance_src[i])
			g_ptr_array_unref(ie->stance_src[i]);
	}
	g_free(ie->describe);
	g_free(ie);
}

/* intent_engine_load_dir - every rule file of dir for languages (NULL or
 * empty: all); NULL with err naming file and line */
intent_engine *intent_engine_load_dir(const char *dir, const char *const *languages, const char *cache_dir,
				      GError **err)
{
	intent_engine *ie = g_new0(intent_engine, 1);
	ie->intents = g_ptr_array_new_with_free_func(intent_def_free);
	ie->combos = g_ptr_array_new_with_free_func(intent_combo_free);
	ie->flat = g_ptr_array_new();
	ie->flat_def = g_array_new(FALSE, FALSE, sizeof(guint));
	ie->pool = g_ptr_array_new();
	g_mutex_init(&ie->pool_lock);
	ie->quote_min_words = 5;
	ie->max_bytes = 64 * 1024;
	intent_loader L = {ie, languages,
			   g_hash_table_new_full(g_str_hash, g_str_equal, g_free, (GDestroyNotify)g_ptr_array_unref),
			   g_hash_table_new_full(g_str_hash, g_str_equal, g_free, NULL),
			   g_hash_table_new(g_str_hash, g_str_equal)};
	GPtrArray *paths = g_ptr_array_new_with_free_func(g_free);
	GError *e = NULL;
	GDir *d = g_dir_open(dir, 0, &e);
	bool ok = d != NULL;
	if (!d) {
		g_set_error(err, VIGIE_ERROR, VIGIE_ERROR_RULES, "%s: %s", dir, e->message);
		g_error_free(e);
	}
	const char *name;
	while (d && (name = g_dir_read_name(d)))
		if (g_str_has_suffix(name, ".txt"))
			g_ptr_array_add(paths, g_build_filename(dir, name, NULL));
	if (d)
		g_dir_close(d);
	g_ptr_array_sort(paths, intent_cmp_paths);
	for (int pass = 1; ok && pass <= 2; pass++)
		for (guint i = 0; ok && i < paths->len; i++)
			ok = intent_read_file(&L, g_ptr_array_index(paths, i), pass, err);
	if (ok && !ie->intents->len && paths->len) {
		/* every rule of another language: loads, matches nothing */
	}
	g_ptr_array_sort(ie->intents, intent_cmp_defs);
	if (ok)
		intent_resolve(ie);
	for (guint i = 0; ok && i < ie->intents->len; i++) {
		intent_def *def = g_ptr_array_index(ie->intents, i);
		for (guint j = 0; ok && j < def->rules->len; j++) {
			intent_rule *r = g_ptr_array_index(def->rules, j);
			char *what = g_strdup_printf("%s:%d: intent %s", r->file, r->line, def->name);
			r->code = intent_compile(r->regex, what, err);
			ok = r->code != NULL;
			g_free(what);
			r->id = ie->flat->len;
			g_ptr_array_add(ie->flat, r);
			g_array_append_val(ie->flat_def, i);
		}
	}
	if (ok)
		intent_prefilter_build(ie, cache_dir);
	for (int i = 0; ok && i < STANCE_COUNT; i++) {
		if (!ie->stance_src[i])
			continue;
		GString *src = g_string_new("(?<![a-z0-9])(?:");
		for (guint j = 0; j < ie->stance_src[i]->len; j++)
			g_string_append_printf(src, "%s%s", j ? "|" : "", (char *)g_ptr_array_index(ie->stance_src[i], j));
		g_string_append(src, ")(?![a-z0-9])");
		char *what = g_strdup_printf("%s: stance %s", dir, intent_cues[i]);
		ie->stance[i] = intent_compile(src->str, what, err);
		ok = ie->stance[i] != NULL;
		g_free(what);
		g_string_free(src, TRUE);
	}
	g_hash_table_unref(L.slots);
	g_hash_table_unref(L.declared);
	g_hash_table_unref(L.by_name);
	g_ptr_array_unref(paths);
	if (!ok) {
		intent_engine_free(ie);
		return NULL;
	}
	guint always = 0;
	for (guint i = 0; i < ie->flat->len; i++)
		always += ((intent_rule *)g_ptr_array_index(ie->flat, i))->always;
	ie->describe = g_strdup_printf("intent: %u rules (%u outside the prefilter), %u intents, %u combinations",
				       ie->rules, always, ie->intents->len, ie->combos->len);
	return ie;
}

/* intent_engine_load - [intent] dir, languages, quote_min_words, show_signals,
 * max_scan_bytes and the word models */
intent_engine *intent_engine_load(const vigie_config *c, GError **err)
{
	char **langs = config_get_list(c, "intent", "languages");
	const char *cache = vigie_config_get(c, "intent", "cache_dir");
	char *dir = !strcmp(cache, "auto") ? g_build_filename(g_get_user_cache_dir(), "vigie", NULL) : g_strdup(cache);
	intent_engine *ie = intent_engine_load_dir(vigie_config_get(c, "intent", "dir"),
						   (const char *const *)langs, dir, err);
	g_free(dir);
	g_strfreev(langs);
	if (ie) {
		ie->quote_min_words = (int)vigie_config_get_int(c, "intent", "quote_min_words");
		ie->show_signals = vigie_config_get_bool(c, "intent", "show_signals");
		ie->max_bytes = (gsize)vigie_config_get_int(c, "intent", "max_scan_bytes");
		ie->model_max = (int)vigie_config_get_int(c, "intent", "model_max_weight");
		ie->model_min = (int)vigie_config_get_int(c, "intent", "model_min_weight");
	}
	if (ie && vigie_config_get_bool(c, "intent", "model_enabled")) {
		ie->model_mail = intent_model_load(vigie_config_get(c, "intent", "model_mail"), err);
		ie->model_chat = ie->model_mail ? intent_model_load(vigie_config_get(c, "intent", "model_chat"), err)
						: NULL;
		if (!ie->model_chat) {
			intent_engine_free(ie);
			return NULL;
		}
		char *d = g_strdup_printf("%s, word models of %u (mail) and %u (chat) terms", ie->describe,
					  intent_model_size(ie->model_mail), intent_model_size(ie->model_chat));
		g_free(ie->describe);
		ie->describe = d;
	}
	return ie;
}

const char *intent_engine_describe(const intent_engine *ie)
{
	return ie->describe;
}
