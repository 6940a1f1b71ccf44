/* lexicon.c - loader of the social-engineering lexicons (signatures/lexicons/)
 *
 * Every "*.txt" file of the folder is read in name order. One rule per line,
 * fields separated by blanks:
 *
 *     CATEGORY  WEIGHT  LANG  PHRASE
 *     CATEGORY  WEIGHT  LANG  re:PATTERN
 *     combo     NAME    WEIGHT  REQUIREMENT...
 *
 * "#" starts a comment line; blank lines are ignored. CATEGORY and NAME are
 * [a-z][a-z0-9_-]*; WEIGHT an integer in [-100, 100]; LANG a language code
 * (en, fr, de, es, pt, nl, it) or "any". A PHRASE is normalised like the
 * text it is matched against (lower case, accents folded) and matches whole
 * words, any run of blanks or punctuation between its words, and "*" at the
 * end of a word for any ending ("suspend*"). A PATTERN is PCRE2 syntax
 * written against normalised text (lower-case ASCII, no accents), without
 * capture numbers, back-references or control verbs. A combination's
 * REQUIREMENTs are category names or built-in signals (@link, @short,
 * @mail, @chat, @attachment); "a|b" means either, "!a" means absent.
 * A bad line is an error naming file and line, and the whole load fails.
 *
 * All rules of one category are compiled into one PCRE2 program (more only
 * when PCRE2's size limit forces a split), each alternative marked so the
 * matcher knows which rule matched, and JIT-compiled. Each rule is also
 * compiled alone, and its literal factors go into the prefilter
 * (lexicon_prefilter.c), which lets a text skip the rules it cannot match.
 *
 * SECURITY: rule files are written by the administrator and trusted, but
 * still parsed strictly; patterns are compiled with match limits (see
 * lexicon_scan.c) so a careless one cannot stall a scan.
 */
#include "lexicon.h"

#include <string.h>
#include <stdlib.h>
#include <errno.h>

const char *const lexicon_signals[] = {"@link", "@short", "@mail", "@chat", "@attachment", NULL};

static const char *const lex_languages[] = {"any", "en", "fr", "de", "es", "pt", "nl", "it", NULL};

/* lex_program_source: rules are guarded in programs of this many rules */
#define LEX_GUARD_MIN_RULES 10

#define LEX_FLAGS (PCRE2_UTF | PCRE2_CASELESS | PCRE2_NO_AUTO_CAPTURE | PCRE2_NEVER_BACKSLASH_C)

static void lex_rule_free(gpointer p)
{
	lex_rule *r = p;
	g_free(r->file);
	g_free(r->lang);
	g_free(r->source);
	g_free(r->regex);
	g_free(r->guard);
	if (r->code)
		pcre2_code_free((pcre2_code *)r->code);
	g_free(r);
}

static void lex_category_free(gpointer p)
{
	lex_category *c = p;
	for (guint i = 0; c->programs && i < c->programs->len; i++)
		pcre2_code_free(g_array_index(c->programs, lex_program, i).code);
	if (c->programs)
		g_array_unref(c->programs);
	g_ptr_array_unref(c->rules);
	g_free(c->name);
	g_free(c);
}

static void lex_req_free(gpointer p)
{
	lex_req *r = p;
	g_strfreev(r->names);
	g_free(r);
}

static void lex_combo_free(gpointer p)
{
	lex_combo *c = p;
	g_free(c->name);
	g_free(c->file);
	g_ptr_array_unref(c->reqs);
	g_free(c);
}

/* lex_phrase_regex - a phrase as a pattern over normalised text; NULL if it
 * has no word */
static char *lex_phrase_regex(const char *phrase)
{
	char *norm = textnorm_string(phrase);
	char **words = g_strsplit(norm, " ", -1);
	GString *re = g_string_new(NULL);
	unsigned n = 0;
	for (int i = 0; words[i]; i++) {
		const char *w = words[i];
		if (!*w)
			continue;
		if (n++)
			g_string_append(re, "\\W+");
		size_t wl = strlen(w);
		bool star = wl > 1 && w[wl - 1] == '*';
		if (star)
			wl--;
		if (n == 1 && g_ascii_isalnum(w[0]))
			g_string_append(re, "\\b");
		for (size_t k = 0; k < wl; k++) {
			char ch = w[k];
			if (!g_ascii_isalnum(ch) && (unsigned char)ch < 0x80)
				g_string_append_c(re, '\\');
			g_string_append_c(re, ch);
		}
		if (star)
			g_string_append(re, "\\w*");
	}
	g_strfreev(words);
	g_free(norm);
	if (!n) {
		g_string_free(re, TRUE);
		return NULL;
	}
	if (!g_str_has_suffix(re->str, "\\b") && re->len && g_ascii_isalnum(re->str[re->len - 1]))
		g_string_append(re, "\\b");
	return g_string_free(re, FALSE);
}

/* lex_guard - "(?=(?-i:[...]))" that holds wherever a match of code can begin:
 * the characters PCRE2 found every match starts with (its start bitmap or
 * first code unit; a UTF-8 lead byte stands for every non-ASCII
 * character). NULL when PCRE2 found none or the class would let nearly
 * everything through. Caller g_free. */
static char *lex_guard(const pcre2_code *code)
{
	uint32_t type = 0;
	bool set[256] = {false};
	if (pcre2_pattern_info(code, PCRE2_INFO_FIRSTCODETYPE, &type) != 0)
		return NULL;
	if (type == 1) {
		/* one code unit, which a caseless pattern matches in either
		 * case, and for k and s also as U+212A and U+017F */
		uint32_t cu = 0;
		pcre2_pattern_info(code, PCRE2_INFO_FIRSTCODEUNIT, &cu);
		if (cu > 255)
			return NULL;
		set[cu] = true;
		if (g_ascii_isalpha((char)cu)) {
			set[(guchar)g_ascii_tolower((char)cu)] = true;
			set[(guchar)g_ascii_toupper((char)cu)] = true;
			set[0xc5] = set[0xe2] = true;
		}
	} else if (type == 0) { /* code units of the subject: every case is in */
		const uint8_t *bm = NULL;
		pcre2_pattern_info(code, PCRE2_INFO_FIRSTBITMAP, &bm);
		if (!bm)
			return NULL;
		for (unsigned b = 0; b < 256; b++)
			set[b] = (bm[b / 8] >> (b % 8)) & 1;
	} else {
		return NULL;
	}
	/* the class is written case-sensitive: a caseless one over the
	 * non-ASCII range costs PCRE2 a walk over a million characters */
	GString *g = g_string_new("(?=(?-i:[");
	unsigned n = 0;
	for (unsigned b = 0; b < 128; b++) {
		if (!set[b])
			continue;
		unsigned e = b;
		while (e + 1 < 128 && set[e + 1])
			e++;
		n += e - b + 1;
		if (e > b)
			g_string_append_printf(g, "\\x{%x}-\\x{%x}", b, e);
		else
			g_string_append_printf(g, "\\x{%x}", b);
		b = e;
	}
	bool high = false;
	for (unsigned b = 128; b < 256; b++)
		high = high || set[b];
	if (high)
		g_string_append(g, "\\x{80}-\\x{10ffff}");
	g_string_append(g, "]))");
	if (n == 0 && !high)
		n = 128; /* no character at all: leave the rule alone */
	/* barely selective (letters of both cases take 52) */
	if (n > 40) {
		g_string_free(g, TRUE);
		return NULL;
	}
	return g_string_free(g, FALSE);
}

/* lex_check_regex - compile alone; reject empty matches; reason or NULL;
 * *guard (if not NULL) gets the rule's lex_guard */
static char *lex_check_regex(const char *regex, char **guard)
{
	if (guard)
		*guard = NULL;
	if (strstr(regex, "(*"))
		return g_strdup("control verbs (*...) are not allowed");
	for (const char *p = regex; *p; p = g_utf8_next_char(p))
		if ((unsigned char)*p >= 0x80 && g_unichar_isalpha(g_utf8_get_char(p)))
			return g_strdup_printf(
			    "'%.*s': patterns match normalised text: write letters "
			    "in ASCII without accents",
			    (int)(g_utf8_next_char(p) - p), p);
	int ec;
	PCRE2_SIZE eo;
	pcre2_code *code =
	    pcre2_compile((PCRE2_SPTR)regex, PCRE2_ZERO_TERMINATED, LEX_FLAGS, &ec, &eo, NULL);
	if (!code) {
		PCRE2_UCHAR msg[256];
		pcre2_get_error_message(ec, msg, sizeof msg);
		return g_strdup_printf("bad pattern: %s at offset %zu", (char *)msg, (size_t)eo);
	}
	pcre2_match_data *md = pcre2_match_data_create(1, NULL);
	int rc = pcre2_match(code, (PCRE2_SPTR) "", 0, 0, 0, md, NULL);
	pcre2_match_data_free(md);
	if (rc < 0 && guard)
		*guard = lex_guard(code);
	pcre2_code_free(code);
	if (rc >= 0)
		return g_strdup("pattern matches empty text");
	return NULL;
}

/* lex_parse_combo - "combo NAME WEIGHT REQ..." (rest after "combo") */
static bool lex_parse_combo(lexicon_engine *l, char *rest, const char *file, int line, GError **err)
{
	char *name = rule_line_field(&rest);
	char *w = rule_line_field(&rest);
	int weight;
	if (!name || !rule_line_name_ok(name)) {
		rule_line_error(err, file, line, "combo: expected a name ([a-z][a-z0-9_-]*)");
		return false;
	}
	if (!w || !rule_line_weight(w, &weight)) {
		rule_line_error(err, file, line, "combo %s: weight must be an integer in [-100, 100]",
			  name);
		return false;
	}
	lex_combo *c = g_new0(lex_combo, 1);
	c->name = g_strdup(name);
	c->weight = weight;
	c->file = g_strdup(file);
	c->line = line;
	c->reqs = g_ptr_array_new_with_free_func(lex_req_free);
	char *f;
	while ((f = rule_line_field(&rest))) {
		lex_req *r = g_new0(lex_req, 1);
		if (*f == '!') {
			r->negated = true;
			f++;
		}
		r->names = g_strsplit(f, "|", -1);
		g_ptr_array_add(c->reqs, r);
		for (int i = 0; r->names[i]; i++) {
			const char *n = r->names[i];
			bool ok =
			    n[0] == '@' ? g_strv_contains(lexicon_signals, n) : rule_line_name_ok(n);
			if (!ok) {
				rule_line_error(
				    err, file, line,
				    "combo %s: '%s' is neither a category name nor a signal (%s)",
				    name, n, "@link, @short, @mail, @chat, @attachment");
				lex_combo_free(c);
				return false;
			}
		}
	}
	if (c->reqs->len == 0) {
		rule_line_error(err, file, line, "combo %s: no requirement", name);
		lex_combo_free(c);
		return false;
	}
	g_ptr_array_add(l->combos, c);
	return true;
}

/* lex_category_get - the category named name, created if new */
static lex_category *lex_category_get(lexicon_engine *l, const char *name)
{
	lex_category *c = g_hash_table_lookup(l->by_name, name);
	if (c)
		return c;
	c = g_new0(lex_category, 1);
	c->name = g_strdup(name);
	c->rules = g_ptr_array_new_with_free_func(lex_rule_free);
	g_ptr_array_add(l->categories, c);
	g_hash_table_insert(l->by_name, c->name, c);
	return c;
}

/* lex_parse_line - one non-comment line */
static bool lex_parse_line(lexicon_engine *l, char *text, const char *file, int line,
			   const char *const *languages, GError **err)
{
	char *rest = text;
	char *cat = rule_line_field(&rest);
	if (!strcmp(cat, "combo"))
		return lex_parse_combo(l, rest, file, line, err);
	char *w = rule_line_field(&rest);
	char *lang = rule_line_field(&rest);
	while (*rest == ' ' || *rest == '\t')
		rest++;
	int weight;
	if (!rule_line_name_ok(cat)) {
		rule_line_error(err, file, line, "category '%s': expected [a-z][a-z0-9_-]* (at most 40)",
			  cat);
		return false;
	}
	if (!w || !rule_line_weight(w, &weight)) {
		rule_line_error(err, file, line, "weight must be an integer in [-100, 100]%s%s%s",
			  w ? ", not '" : "", w ? w : "", w ? "'" : "");
		return false;
	}
	if (!lang || !g_strv_contains(lex_languages, lang)) {
		rule_line_error(err, file, line,
			  "language must be one of any, en, fr, de, es, pt, nl, it%s%s%s",
			  lang ? ", not '" : "", lang ? lang : "", lang ? "'" : "");
		return false;
	}
	if (!*rest) {
		rule_line_error(err, file, line, "no phrase or pattern after the language");
		return false;
	}
	char *regex;
	if (g_str_has_prefix(rest, "re:")) {
		regex = g_strdup(rest + 3);
		if (!*regex) {
			g_free(regex);
			rule_line_error(err, file, line, "empty pattern after 're:'");
			return false;
		}
	} else {
		regex = lex_phrase_regex(rest);
		if (!regex) {
			rule_line_error(err, file, line, "the phrase has no word");
			return false;
		}
	}
	char *guard;
	char *why = lex_check_regex(regex, &guard);
	if (why) {
		rule_line_error(err, file, line, "%s", why);
		g_free(why);
		g_free(regex);
		return false;
	}
	g_hash_table_add(l->declared, g_strdup(cat));
	if (languages && strcmp(lang, "any") && !g_strv_contains(languages, lang)) {
		g_free(guard);
		g_free(regex);
		return true; /* valid, but that language is not enabled */
	}
	lex_rule *r = g_new0(lex_rule, 1);
	r->file = g_strdup(file);
	r->line = line;
	r->weight = weight;
	r->lang = g_strdup(lang);
	r->source = g_strdup(rest);
	r->regex = regex;
	r->guard = guard;
	g_ptr_array_add(lex_category_get(l, cat)->rules, r);
	l->rules++;
	return true;
}

/* lexicon_load_file - every line of one file */
static bool lexicon_load_file(lexicon_engine *l, const char *path, const char *const *languages,
			      GError **err)
{
	char *text;
	gsize len;
	GError *ioerr = NULL;
	if (!g_file_get_contents(path, &text, &len, &ioerr)) {
		g_set_error(err, VIGIE_ERROR, VIGIE_ERROR_RULES, "%s: %s", path, ioerr->message);
		g_error_free(ioerr);
		return false;
	}
	if (!g_utf8_validate(text, (gssize)len, NULL) || memchr(text, '\0', len)) {
		g_set_error(err, VIGIE_ERROR, VIGIE_ERROR_RULES, "%s: not valid UTF-8 text", path);
		g_free(text);
		return false;
	}
	char **lines = g_strsplit(text, "\n", -1);
	g_free(text);
	bool ok = true;
	for (int i = 0; ok && lines[i]; i++) {
		char *s = g_strstrip(lines[i]);
		if (!*s || *s == '#')
			continue;
		ok = lex_parse_line(l, s, path, i + 1, languages, err);
	}
	g_strfreev(lines);
	return ok;
}

static gint lex_cmp_rules(gconstpointer a, gconstpointer b)
{
	const lex_rule *x = *(lex_rule *const *)a, *y = *(lex_rule *const *)b;
	if (x->weight != y->weight)
		return y->weight - x->weight;
	int c = strcmp(x->file, y->file);
	return c ? c : x->line - y->line;
}

static gint lex_cmp_paths(gconstpointer a, gconstpointer b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

static gint lex_cmp_categories(gconstpointer a, gconstpointer b)
{
	return strcmp((*(lex_category *const *)a)->name, (*(lex_category *const *)b)->name);
}

/* lex_branches - the top-level alternatives of a pattern ("a|b(c|d)" ->
 * "a", "b(c|d)"); NULL when the pattern uses syntax this small scanner
 * does not follow (option settings, named groups, comments, unbalanced
 * parentheses), so the caller leaves it as it is. Caller g_strfreev. */
static char **lex_branches(const char *re)
{
	GPtrArray *out = g_ptr_array_new();
	const char *start = re, *p = re;
	int depth = 0;
	bool ok = true;
	while (ok && *p) {
		if (p[0] == '\\') {
			if (p[1] == 'Q' || p[1] == 'E' || !p[1])
				ok = false; /* quoting: not followed here */
			else
				p += 2;
			continue;
		}
		if (p[0] == '[') { /* a class: "]" first is a literal; escapes; [:alpha:] */
			const char *q = p + 1;
			if (*q == '^')
				q++;
			if (*q == ']')
				q++;
			while (*q && *q != ']') {
				if (q[0] == '\\' && q[1])
					q += 2;
				else if (q[0] == '[' && q[1] == ':') {
					const char *e = strstr(q + 2, ":]");
					q = e ? e + 2 : q + 1;
				} else
					q++;
			}
			if (!*q)
				ok = false;
			p = *q ? q + 1 : q;
			continue;
		}
		if (p[0] == '(') {
			if (p[1] == '?' && !(p[2] == ':' || p[2] == '=' || p[2] == '!' ||
					     (p[2] == '<' && (p[3] == '=' || p[3] == '!'))))
				ok = false; /* (?i), (?x), (?<name>, (?#...): leave alone */
			depth++;
		} else if (p[0] == ')') {
			ok = --depth >= 0;
		} else if (p[0] == '|' && depth == 0) {
			g_ptr_array_add(out, g_strndup(start, (gsize)(p - start)));
			start = p + 1;
		}
		p++;
	}
	if (ok && depth == 0) {
		g_ptr_array_add(out, g_strndup(start, (gsize)(p - start)));
		g_ptr_array_add(out, NULL);
		return (char **)g_ptr_array_free(out, FALSE);
	}
	g_ptr_array_set_free_func(out, g_free);
	g_ptr_array_unref(out);
	return NULL;
}

/* lex_unbounded - the pattern without the "\b" that begins every one of its
 * top-level alternatives ("\bx|\by" -> "x|y"), or NULL when some
 * alternative does not begin so. Caller g_free. */
static char *lex_unbounded(const char *re)
{
	char **br = lex_branches(re);
	if (!br)
		return NULL;
	GString *out = g_string_new(NULL);
	bool ok = true;
	for (int i = 0; ok && br[i]; i++) {
		/* "\b" then "?", "*", "+" or "{" would be a quantified assertion */
		ok = g_str_has_prefix(br[i], "\\b") && !strchr("?*+{", br[i][2]) && br[i][2];
		if (ok)
			g_string_append_printf(out, "%s%s", i ? "|" : "", br[i] + 2);
	}
	g_strfreev(br);
	if (!ok) {
		g_string_free(out, TRUE);
		return NULL;
	}
	return g_string_free(out, FALSE);
}

/* lex_program_source - the alternation of rules [first, first+count), each
 * marked with its index. Consecutive rules that all begin with a word
 * boundary share one "\b" in front of a group: "(?:\bA)(*MARK:0)|(?:\bB)
 * (*MARK:1)" becomes "\b(?:(?:A)(*MARK:0)|(?:B)(*MARK:1))". The two match
 * the same text with the same mark (the assertion consumes nothing and is
 * tried first either way), but the second tests the boundary once at each
 * position instead of once per rule: inside a word, where nearly every
 * attempt fails, that was most of the time the lexicon took.
 * In a program of many rules, each rule is also preceded by its guard
 * (lex_guard: a lookahead for the characters its matches can begin with).
 * The guard holds wherever the rule can match, so it changes no match and
 * no mark; but at a word start the matcher then makes one class test for
 * a rule instead of trying each of the words it begins with. In a program
 * of a few rules the guards cost more than they save, so none is used. */
static GString *lex_program_source(lex_category *c, guint first, guint count)
{
	GString *re = g_string_new(NULL);
	bool open = false; /* inside a shared "\b(?:" group */
	bool guard = count >= LEX_GUARD_MIN_RULES;
	for (guint i = first; i < first + count; i++) {
		lex_rule *r = g_ptr_array_index(c->rules, i);
		char *bare = lex_unbounded(r->regex);
		if (bare && !open)
			g_string_append_printf(re, "%s\\b(?:", re->len ? "|" : "");
		else if (!bare && open)
			g_string_append_printf(re, ")|");
		else if (re->len)
			g_string_append_c(re, '|');
		open = bare != NULL;
		g_string_append_printf(re, "%s(?:%s)(*MARK:%u)", guard && r->guard ? r->guard : "",
				       bare ? bare : r->regex, i);
		g_free(bare);
	}
	if (open)
		g_string_append_c(re, ')');
	return re;
}

/* lex_compile_range - rules [first, first+count) as one program, split in
 * halves while PCRE2 finds it too large */
static bool lex_compile_range(lex_category *c, guint first, guint count, GError **err)
{
	GString *re = lex_program_source(c, first, count);
	int ec;
	PCRE2_SIZE eo;
	pcre2_code *code = pcre2_compile((PCRE2_SPTR)re->str, re->len, LEX_FLAGS, &ec, &eo, NULL);
	g_string_free(re, TRUE);
	if (!code) {
		if (count > 1)
			return lex_compile_range(c, first, count / 2, err) &&
			       lex_compile_range(c, first + count / 2, count - count / 2, err);
		lex_rule *r = g_ptr_array_index(c->rules, first);
		PCRE2_UCHAR msg[256];
		pcre2_get_error_message(ec, msg, sizeof msg);
		rule_line_error(err, r->file, r->line, "cannot compile: %s", (char *)msg);
		return false;
	}
	pcre2_jit_compile(code, PCRE2_JIT_COMPLETE); /* without JIT the interpreter runs it */
	lex_program p = {code, first, count};
	g_array_append_val(c->programs, p);
	return true;
}

/* lexicon_engine_load_dir - every *.txt of dir; NULL with err (file:line) */
lexicon_engine *lexicon_engine_load_dir(const char *dir, const char *const *languages, GError **err)
{
	return lexicon_engine_load_dir_prefilter(dir, languages, true, NULL, err);
}

/* lexicon_engine_load_dir_prefilter - the same, with the prefilter or
 * without it (every program on every text: what the tests compare) */
lexicon_engine *lexicon_engine_load_dir_prefilter(const char *dir, const char *const *languages,
						  bool prefilter, const char *cache_dir,
						  GError **err)
{
	lexicon_engine *l = g_new0(lexicon_engine, 1);
	l->max_bytes = 512 * 1024; /* the [lexicon] max_scan_bytes default */
	l->categories = g_ptr_array_new_with_free_func(lex_category_free);
	l->by_name = g_hash_table_new(g_str_hash, g_str_equal);
	l->declared = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, NULL);
	l->combos = g_ptr_array_new_with_free_func(lex_combo_free);
	GError *e = NULL;
	GDir *d = g_dir_open(dir, 0, &e);
	if (!d) {
		g_set_error(err, VIGIE_ERROR, VIGIE_ERROR_RULES, "%s: %s", dir, e->message);
		g_error_free(e);
		goto fail;
	}
	GPtrArray *names = g_ptr_array_new_with_free_func(g_free);
	const char *name;
	while ((name = g_dir_read_name(d)))
		if (g_str_has_suffix(name, ".txt"))
			g_ptr_array_add(names, g_build_filename(dir, name, NULL));
	g_dir_close(d);
	g_ptr_array_sort(names, lex_cmp_paths);
	bool ok = true;
	for (guint i = 0; ok && i < names->len; i++)
		ok = lexicon_load_file(l, g_ptr_array_index(names, i), languages, err);
	g_ptr_array_unref(names);
	if (!ok)
		goto fail;
	/* every category a combination names must exist */
	for (guint i = 0; i < l->combos->len; i++) {
		lex_combo *c = g_ptr_array_index(l->combos, i);
		for (guint j = 0; j < c->reqs->len; j++) {
			lex_req *r = g_ptr_array_index(c->reqs, j);
			for (int k = 0; r->names[k]; k++)
				if (r->names[k][0] != '@' &&
				    !g_hash_table_contains(l->declared, r->names[k])) {
					rule_line_error(err, c->file, c->line,
						  "combo %s: no category named '%s'", c->name,
						  r->names[k]);
					goto fail;
				}
		}
	}
	g_ptr_array_sort(l->categories, lex_cmp_categories);
	for (guint i = 0; i < l->categories->len; i++) {
		lex_category *c = g_ptr_array_index(l->categories, i);
		g_ptr_array_sort(c->rules, lex_cmp_rules);
		c->max_weight = ((lex_rule *)g_ptr_array_index(c->rules, 0))->weight;
		c->min_weight =
		    ((lex_rule *)g_ptr_array_index(c->rules, c->rules->len - 1))->weight;
		c->programs = g_array_new(FALSE, FALSE, sizeof(lex_program));
		if (!lex_compile_range(c, 0, c->rules->len, err))
			goto fail;
		l->programs += c->programs->len;
	}
	if (prefilter)
		lexicon_prefilter_build(l, cache_dir);
	else
		l->always = g_new0(bool, 1); /* no db: every program runs */
	l->describe =
	    g_strdup_printf("lexicon: %u rules in %u categories (%u programs), %u combinations",
			    l->rules, l->categories->len, l->programs, l->combos->len);
	return l;
fail:
	lexicon_engine_free(l);
	return NULL;
}

/* lexicon_engine_load - [lexicon] dir and languages of c */
lexicon_engine *lexicon_engine_load(const vigie_config *c, GError **err)
{
	char **langs = config_get_list(c, "lexicon", "languages");
	char *cache = blob_cache_dir(c);
	lexicon_engine *l = lexicon_engine_load_dir_prefilter(
	    vigie_config_get(c, "lexicon", "dir"), langs[0] ? (const char *const *)langs : NULL,
	    true, cache, err);
	if (l)
		l->max_bytes = (gsize)vigie_config_get_int(c, "lexicon", "max_scan_bytes");
	g_free(cache);
	g_strfreev(langs);
	return l;
}

/* lexicon_engine_free - NULL is a no-op */
void lexicon_engine_free(lexicon_engine *l)
{
	if (!l)
		return;
	lexicon_prefilter_free(l);
	g_ptr_array_unref(l->categories);
	g_hash_table_unref(l->by_name);
	g_hash_table_unref(l->declared);
	g_ptr_array_unref(l->combos);
	g_free(l->describe);
	g_free(l);
}

const char *lexicon_engine_describe(const lexicon_engine *l)
{
	return l->describe;
}
