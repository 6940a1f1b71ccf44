/* lexicon_literal.c - the literal factors of a lexicon pattern: a set of
 * strings at least one of which occurs in every match of the pattern
 * ("\b(?:suspend|block)ed\b" -> {suspended, blocked}). The lexicon's
 * prefilter (lexicon_prefilter.c) looks for these with Vectorscan and
 * runs PCRE2 only for rules whose factors occur.
 *
 * Interface: lexicon_literals(pattern) -> NULL-terminated string vector,
 * or NULL when no factor of at least LEX_LITERAL_MIN bytes can be proved
 * (the rule then runs on every text). Caller g_strfreev.
 * lexicon_clauses(pattern) -> up to LEX_CLAUSES_MAX such sets, all of
 * which every match holds: when the pattern is one sequence at the top,
 * the best sets of items that do not overlap ("\bour\b\W+(?:\w+\W+){0,2}?
 * (?:iban|rib)" -> {our}, {iban, rib}), so a rule whose words are common
 * alone is searched only where all its words occur.
 *
 * How: a small recursive parser over PCRE2 syntax computes, for every
 * node, the finite set of strings it can match when that set is small
 * ("exact"), and otherwise a set of factors one of which each match holds.
 * A sequence takes its best factor set (longest shortest string) among the
 * cross products of runs of exact items and its items' own factor sets;
 * an alternation takes the union of its branches' best sets; a repeat of
 * at least one keeps its item's; an optional item, a class of many
 * characters, "." and \w-like escapes prove nothing; assertions and
 * lookarounds match the empty string. Letters are lower-cased (the text
 * is) and a non-ASCII character proves nothing (the literals are bytes
 * that Vectorscan compares caseless in ASCII only). Syntax the parser
 * does not follow (option settings, named groups, \Q, back-references)
 * makes the whole pattern unprovable: the rule simply always runs.
 *
 * SECURITY: patterns come from the administrator's rule files; the sets
 * are bounded (LEX_SET_MAX strings of LEX_STR_MAX bytes), so a pattern
 * cannot make this explode.
 */
#include "lexicon.h"

#include <string.h>
#include <stdlib.h>

#define LEX_SET_MAX 32	  /* strings in a set */
#define LEX_STR_MAX 48	  /* bytes in a string */
#define LEX_LEN_ENOUGH 4  /* a factor this long is rare enough */
#define LEX_PER_STRING 40 /* what one more string costs, in 1/1000 of a byte of length */

/* a set of strings; NULL stands for "unknown" (infinite, or too large) */
typedef GPtrArray lset;

typedef struct {
	lset *exact;  /* every string the node can match, or NULL */
	lset *factor; /* one of these occurs in every match, or NULL */
} lnode;

typedef struct {
	const char *p;
	bool fail; /* syntax not followed: the whole pattern proves nothing */
} lparse;

static lset *lset_new(void)
{
	return g_ptr_array_new_with_free_func(g_free);
}

static void lset_free(lset *s)
{
	if (s)
		g_ptr_array_unref(s);
}

static void lset_add(lset *s, const char *str)
{
	for (guint i = 0; i < s->len; i++)
		if (!strcmp(g_ptr_array_index(s, i), str))
			return;
	g_ptr_array_add(s, g_strdup(str));
}

static lset *lset_one(const char *str)
{
	lset *s = lset_new();
	lset_add(s, str);
	return s;
}

static lset *lset_copy(const lset *s)
{
	if (!s)
		return NULL;
	lset *c = g_ptr_array_new_full(s->len, g_free);
	for (guint i = 0; i < s->len; i++)
		g_ptr_array_add(c, g_strdup(g_ptr_array_index(s, i))); /* distinct already */
	return c;
}

/* lset_cross - every a.b; NULL when too large or too long */
static lset *lset_cross(const lset *a, const lset *b)
{
	if (a && b && b->len == 1) { /* the usual case, one more character */
		const char *y = g_ptr_array_index(b, 0);
		gsize yl = strlen(y);
		lset *c = g_ptr_array_new_full(a->len, g_free);
		for (guint i = 0; i < a->len; i++) {
			const char *x = g_ptr_array_index(a, i);
			gsize xl = strlen(x);
			if (xl + yl > LEX_STR_MAX) {
				lset_free(c);
				return NULL;
			}
			char *xy = g_malloc(xl + yl + 1);
			memcpy(xy, x, xl);
			memcpy(xy + xl, y, yl + 1);
			g_ptr_array_add(c, xy); /* distinct as the x are */
		}
		return c;
	}
	if (!a || !b || a->len * b->len > LEX_SET_MAX)
		return NULL;
	lset *c = lset_new();
	for (guint i = 0; i < a->len; i++)
		for (guint j = 0; j < b->len; j++) {
			const char *x = g_ptr_array_index(a, i), *y = g_ptr_array_index(b, j);
			if (strlen(x) + strlen(y) > LEX_STR_MAX) {
				lset_free(c);
				return NULL;
			}
			char *xy = g_strconcat(x, y, NULL);
			lset_add(c, xy);
			g_free(xy);
		}
	return c;
}

/* lset_fits - every a.b stays within the bounds */
static bool lset_fits(const lset *a, const lset *b)
{
	if (!a || !b || a->len * b->len > LEX_SET_MAX)
		return false;
	gsize la = 0, lb = 0;
	for (guint i = 0; i < a->len; i++)
		la = MAX(la, strlen(g_ptr_array_index(a, i)));
	for (guint i = 0; i < b->len; i++)
		lb = MAX(lb, strlen(g_ptr_array_index(b, i)));
	return la + lb <= LEX_STR_MAX;
}

/* lset_extend - a (taken) made every a.b: in place for one string of b,
 * the common case of one more character; NULL when too large or long */
static lset *lset_extend(lset *a, const lset *b)
{
	if (!a || !b || b->len != 1) {
		lset *c = lset_cross(a, b);
		lset_free(a);
		return c;
	}
	const char *y = g_ptr_array_index(b, 0);
	gsize yl = strlen(y);
	for (guint i = 0; yl && i < a->len; i++) {
		char *x = g_ptr_array_index(a, i);
		gsize xl = strlen(x);
		if (xl + yl > LEX_STR_MAX) {
			lset_free(a);
			return NULL;
		}
		x = g_realloc(x, xl + yl + 1);
		memcpy(x + xl, y, yl + 1);
		a->pdata[i] = x;
	}
	return a;
}

/* lset_union - a (taken) with the strings of b added; NULL when either
 * is NULL or the whole too large */
static lset *lset_union(lset *a, const lset *b)
{
	if (!a || !b || a->len + b->len > LEX_SET_MAX) {
		lset_free(a);
		return NULL;
	}
	for (guint i = 0; i < b->len; i++)
		lset_add(a, g_ptr_array_index(b, i));
	return a;
}

/* lset_minlen - the length of the shortest string of s (0 for none) */
static gsize lset_minlen(const lset *s)
{
	if (!s || !s->len)
		return 0;
	gsize min = G_MAXSIZE;
	for (guint i = 0; i < s->len; i++)
		min = MIN(min, strlen(g_ptr_array_index(s, i)));
	return min;
}

/* lset_score - how good a factor set is: its shortest string's length (up
 * to LEX_LEN_ENOUGH: longer is not much rarer), less LEX_PER_STRING for
 * each string (each is one more literal to compile and to report); -1
 * for none */
static int lset_score(const lset *s)
{
	gsize min = lset_minlen(s);
	if (min == 0)
		return -1;
	return (int)MIN(min, LEX_LEN_ENOUGH) * 1000 - (int)s->len * LEX_PER_STRING;
}

/* lnode_best - the node's most selective proved set (a copy), or NULL */
static lset *lnode_best(const lnode *n)
{
	return lset_copy(lset_score(n->exact) > lset_score(n->factor) ? n->exact : n->factor);
}

static void lnode_clear(lnode *n)
{
	lset_free(n->exact);
	lset_free(n->factor);
	n->exact = n->factor = NULL;
}

/* lconsider - *best becomes a copy of cand when that is better */
static void lconsider(lset **best, const lset *cand)
{
	if (lset_score(cand) > lset_score(*best)) {
		lset_free(*best);
		*best = lset_copy(cand);
	}
}

/* lkeep - the better of *best and cand (cand is taken) */
static void lkeep(lset **best, lset *cand)
{
	if (lset_score(cand) > lset_score(*best)) {
		lset_free(*best);
		*best = cand;
	} else {
		lset_free(cand);
	}
}

/* the factor sets of the top-level sequence, each with the items it
 * spans: every one occurs in every match, so a text that lacks any of
 * them cannot match (lexicon_clauses) */
typedef struct {
	GPtrArray *sets; /* of lset*, in the order considered */
	GArray *from, *to; /* of guint: the items each spans */
	guint branches;	   /* top-level alternatives beyond the first */
} lclauses;

/* lclause_add - a copy of set s, spanning items [from, to], when it
 * proves something (cl NULL: not collecting) */
static void lclause_add(lclauses *cl, const lset *s, guint from, guint to)
{
	if (!cl || lset_minlen(s) < LEX_LITERAL_MIN || to < from || to == G_MAXUINT)
		return;
	g_ptr_array_add(cl->sets, lset_copy(s));
	g_array_append_val(cl->from, from);
	g_array_append_val(cl->to, to);
}

static lnode lparse_alt(lparse *ps);

/* lparse_class - "[...]" at ps->p: the characters when it is a short list
 * of ASCII ones (no range, not negated), else unknown */
static lnode lparse_class(lparse *ps)
{
	lnode n = {NULL, NULL};
	const char *q = ps->p + 1;
	bool simple = *q != '^';
	if (*q == '^')
		q++;
	GString *chars = g_string_new(NULL);
	if (*q == ']') {
		g_string_append_c(chars, ']');
		q++;
	}
	while (*q && *q != ']') {
		if (q[0] == '\\' && q[1]) {
			if (g_ascii_isalnum(q[1]))
				simple = false; /* \d, \w, \x..: not a plain character */
			else
				g_string_append_c(chars, q[1]);
			q += 2;
		} else if (q[0] == '[' && q[1] == ':') {
			const char *e = strstr(q + 2, ":]");
			simple = false;
			q = e ? e + 2 : q + 1;
		} else if (q[1] == '-' && q[2] && q[2] != ']') {
			simple = false; /* a range */
			q += 3;
		} else {
			if ((unsigned char)*q >= 0x80)
				simple = false;
			g_string_append_c(chars, g_ascii_tolower(*q));
			q++;
		}
	}
	if (!*q) {
		ps->fail = true;
		ps->p = q;
		g_string_free(chars, TRUE);
		return n;
	}
	ps->p = q + 1;
	if (simple && chars->len && chars->len <= 8) {
		n.exact = lset_new();
		for (gsize i = 0; i < chars->len; i++) {
			char s[2] = {chars->str[i], 0};
			lset_add(n.exact, s);
		}
	}
	g_string_free(chars, TRUE);
	return n;
}

/* lparse_escape - "\X" at ps->p */
static lnode lparse_escape(lparse *ps)
{
	lnode n = {NULL, NULL};
	char c = ps->p[1];
	if (!c) {
		ps->fail = true;
		ps->p++;
		return n;
	}
	ps->p += 2;
	if (strchr("bBAzZG", c)) {
		n.exact = lset_one(""); /* an assertion: matches no character */
	} else if (c == 'Q' || c == 'E' || c == 'g' || c == 'k' || g_ascii_isdigit(c)) {
		ps->fail = true; /* quoting, back-references: not followed */
	} else if (c == 'x' || c == 'p' || c == 'P' || c == 'o' || c == 'N') {
		if (*ps->p == '{') { /* \x{..}, \p{..}: one character, unknown */
			const char *e = strchr(ps->p, '}');
			if (!e)
				ps->fail = true;
			ps->p = e ? e + 1 : ps->p + strlen(ps->p);
		} else if (c == 'x') {
			for (int i = 0; i < 2 && g_ascii_isxdigit(*ps->p); i++)
				ps->p++;
		} else if (c == 'p' || c == 'P') {
			if (*ps->p)
				ps->p++;
		}
	} else if (!g_ascii_isalnum(c) && (unsigned char)c < 0x80) {
		char s[2] = {c, 0}; /* an escaped punctuation character: itself */
		n.exact = lset_one(s);
	}
	/* \d \w \s \W \n \t ...: a character, unknown */
	return n;
}

/* lparse_atom - one item before its quantifier */
static lnode lparse_atom(lparse *ps)
{
	lnode n = {NULL, NULL};
	const char *p = ps->p;
	if (*p == '(') {
		bool look = false;
		if (p[1] == '?') {
			if (p[2] == ':') {
				ps->p = p + 3;
			} else if (p[2] == '=' || p[2] == '!') {
				ps->p = p + 3;
				look = true;
			} else if (p[2] == '<' && (p[3] == '=' || p[3] == '!')) {
				ps->p = p + 4;
				look = true;
			} else {
				ps->fail = true; /* (?i), (?<name>, (?#...): not followed */
				ps->p = p + strlen(p);
				return n;
			}
		} else {
			ps->p = p + 1;
		}
		n = lparse_alt(ps);
		if (*ps->p != ')')
			ps->fail = true;
		else
			ps->p++;
		if (look) { /* consumes nothing */
			lnode_clear(&n);
			n.exact = lset_one("");
		}
		return n;
	}
	if (*p == '[')
		return lparse_class(ps);
	if (*p == '\\')
		return lparse_escape(ps);
	if (*p == '^' || *p == '$') {
		ps->p++;
		n.exact = lset_one("");
		return n;
	}
	if (*p == '.') {
		ps->p++;
		return n;
	}
	if ((unsigned char)*p >= 0x80) { /* one UTF-8 character: unknown */
		ps->p = g_utf8_next_char(p);
		return n;
	}
	char s[2] = {g_ascii_tolower(*p), 0};
	ps->p++;
	n.exact = lset_one(s);
	return n;
}

/* lparse_quant - a quantifier at ps->p: *min, *max (-1 unbounded); false
 * when there is none ("{" not followed by a count is a literal) */
static bool lparse_quant(lparse *ps, long *min, long *max)
{
	const char *p = ps->p;
	if (*p == '?' || *p == '*' || *p == '+') {
		*min = *p == '+' ? 1 : 0;
		*max = *p == '?' ? 1 : -1;
		p++;
	} else if (*p == '{' && g_ascii_isdigit(p[1])) {
		char *e;
		*min = strtol(p + 1, &e, 10);
		*max = *min;
		if (*e == ',') {
			e++;
			*max = g_ascii_isdigit(*e) ? strtol(e, &e, 10) : -1;
		}
		if (*e != '}')
			return false;
		p = e + 1;
	} else {
		return false;
	}
	if (*p == '?' || *p == '+') /* lazy, possessive: the same strings */
		p++;
	ps->p = p;
	return true;
}

/* lparse_repeat - node n repeated [min, max] times */
static lnode lparse_repeat(lnode n, long min, long max)
{
	lnode r = {NULL, NULL};
	if (min == 0) {
		if (max == 1 && n.exact) {
			r.exact = lset_copy(n.exact);
			lset_add(r.exact, "");
		}
		lnode_clear(&n);
		return r; /* may be absent: proves no factor */
	}
	if (max == min && min <= 3 && n.exact) {
		lset *acc = lset_one("");
		for (long i = 0; acc && i < min; i++) {
			lset *next = lset_cross(acc, n.exact);
			lset_free(acc);
			acc = next;
		}
		r.exact = acc;
	}
	r.factor = lnode_best(&n);
	lnode_clear(&n);
	return r;
}

/* lparse_seq - items up to "|", ")" or the end. Candidates for its best
 * factor set: each item's own, the run of single strings ("plain": a
 * literal word) and the cross product of the run of exact items, taken
 * before it multiplies */
static lnode lparse_seq(lparse *ps, lclauses *cl)
{
	lset *all = lset_one("");   /* the exact set of the whole, while known */
	lset *run = lset_one("");   /* the exact set of the current run */
	lset *plain = lset_one(""); /* the current run of one-string items */
	lset *best = NULL;
	guint item = 0, run_from = 0, plain_from = 0;
	while (*ps->p && *ps->p != '|' && *ps->p != ')' && !ps->fail) {
		lnode n = lparse_atom(ps);
		long min, max;
		while (lparse_quant(ps, &min, &max))
			n = lparse_repeat(n, min, max);
		all = lset_extend(all, n.exact);
		if (n.exact && n.exact->len == 1) {
			if (lset_fits(plain, n.exact)) {
				plain = lset_extend(plain, n.exact);
			} else {
				lclause_add(cl, plain, plain_from, item - 1);
				lkeep(&best, plain);
				plain = lset_copy(n.exact);
				plain_from = item;
			}
		} else {
			lclause_add(cl, plain, plain_from, item - 1);
			lkeep(&best, plain);
			plain = lset_one("");
			plain_from = item + 1;
		}
		if (n.exact) {
			lset *alone = lnode_best(&n);
			lclause_add(cl, alone, item, item);
			lkeep(&best, alone); /* the item alone */
			if (n.exact->len > 1) {
				lclause_add(cl, run, run_from, item - 1);
				lconsider(&best, run);
			}
			if (lset_fits(run, n.exact)) {
				run = lset_extend(run, n.exact);
			} else { /* too large: close the run, start again here */
				lclause_add(cl, run, run_from, item - 1);
				lkeep(&best, run);
				run = lset_copy(n.exact);
				run_from = item;
			}
		} else {
			lclause_add(cl, run, run_from, item - 1);
			lkeep(&best, run);
			run = lset_one("");
			run_from = item + 1;
			lset *alone = lnode_best(&n);
			lclause_add(cl, alone, item, item);
			lkeep(&best, alone);
		}
		lnode_clear(&n);
		item++;
	}
	lclause_add(cl, run, run_from, item - 1);
	lkeep(&best, run);
	lclause_add(cl, plain, plain_from, item - 1);
	lkeep(&best, plain);
	lnode out = {all, best};
	return out;
}

/* lparse_alt - branches separated by "|" */
static lnode lparse_alt_top(lparse *ps, lclauses *cl)
{
	lnode n = lparse_seq(ps, cl);
	lset *exact = n.exact, *factor = lnode_best(&n);
	lset_free(n.factor);
	while (*ps->p == '|' && !ps->fail) {
		ps->p++;
		if (cl)
			cl->branches++;
		lnode b = lparse_seq(ps, NULL);
		lset *bb = lnode_best(&b);
		lset *e = lset_union(exact, b.exact);
		lset *f = NULL;
		if (lset_score(factor) >= 0 && lset_score(bb) >= 0)
			f = lset_union(factor, bb);
		else
			lset_free(factor);
		lset_free(bb);
		lnode_clear(&b);
		exact = e;
		factor = f;
	}
	lnode out = {exact, factor};
	return out;
}

static lnode lparse_alt(lparse *ps)
{
	return lparse_alt_top(ps, NULL);
}

/* lset_strv - s (taken) as a NULL-terminated vector */
static char **lset_strv(lset *s)
{
	g_ptr_array_add(s, NULL);
	return (char **)g_ptr_array_free(s, FALSE);
}

/* lexicon_clauses - see the head of the file */
GPtrArray *lexicon_clauses(const char *pattern)
{
	lparse ps = {pattern, false};
	lclauses cl = {g_ptr_array_new_with_free_func((GDestroyNotify)lset_free),
		       g_array_new(FALSE, FALSE, sizeof(guint)),
		       g_array_new(FALSE, FALSE, sizeof(guint)), 0};
	lnode n = lparse_alt_top(&ps, &cl);
	bool whole = lset_score(n.exact) >= 0 && lset_score(n.exact) >= lset_score(n.factor);
	lset *best = lnode_best(&n);
	lnode_clear(&n);
	GPtrArray *out = NULL;
	if (!ps.fail && !*ps.p && lset_minlen(best) >= LEX_LITERAL_MIN) {
		out = g_ptr_array_new_with_free_func((GDestroyNotify)g_strfreev);
		if (whole || cl.branches) {
			/* the whole pattern's own strings, or alternatives at the
			 * top: the one set */
			g_ptr_array_add(out, lset_strv(best));
			best = NULL;
		} else {
			/* the best sets of items that do not overlap, best first
			 * (the first is best itself: the earliest of the highest
			 * score, as lkeep keeps) */
			GArray *taken = g_array_new(FALSE, FALSE, sizeof(guint));
			while (out->len < LEX_CLAUSES_MAX) {
				gint pick = -1;
				for (guint i = 0; i < cl.sets->len; i++) {
					guint f = g_array_index(cl.from, guint, i);
					guint t = g_array_index(cl.to, guint, i);
					bool free_span = true;
					for (guint k = 0; free_span && k < taken->len; k += 2)
						free_span = t < g_array_index(taken, guint, k) ||
							    f > g_array_index(taken, guint, k + 1);
					if (free_span &&
					    (pick < 0 ||
					     lset_score(g_ptr_array_index(cl.sets, i)) >
						 lset_score(g_ptr_array_index(cl.sets, pick))))
						pick = (gint)i;
				}
				if (pick < 0)
					break;
				g_array_append_val(taken, g_array_index(cl.from, guint, pick));
				g_array_append_val(taken, g_array_index(cl.to, guint, pick));
				lset *c = lset_copy(g_ptr_array_index(cl.sets, pick));
				g_ptr_array_add(out, lset_strv(c));
			}
			g_array_unref(taken);
			if (!out->len) /* cannot be: best came from these */
				g_ptr_array_add(out, lset_strv(lset_copy(best)));
		}
	}
	lset_free(best);
	g_ptr_array_unref(cl.sets);
	g_array_unref(cl.from);
	g_array_unref(cl.to);
	return out;
}

/* lexicon_literals - see the head of the file */
char **lexicon_literals(const char *pattern)
{
	lparse ps = {pattern, false};
	lnode n = lparse_alt(&ps);
	lset *best = lnode_best(&n);
	lnode_clear(&n);
	if (ps.fail || *ps.p || lset_minlen(best) < LEX_LITERAL_MIN) {
		lset_free(best);
		return NULL;
	}
	g_ptr_array_add(best, NULL);
	return (char **)g_ptr_array_free(best, FALSE);
}
