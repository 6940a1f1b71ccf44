/* intent_model.c - a small linear model over the words of a message
 *
 * The rules of this folder say what a text asks; this model weighs how it
 * is worded, as a whole: a logistic regression over the words and word
 * pairs of the normalised texts (the Subject and every text of the
 * message), trained by scripts/intent-train on labelled messages (the
 * organisation's own exports, or the development sets) and shipped as a
 * plain file a security team can read, one per channel
 * (signatures/intent/mail.model, chat.model):
 *
 *     vigie-intent-model 1
 *     bias  -0.42
 *     scale 2.5
 *     term  1.31  envoyer code
 *     term -0.77  mon iban
 *
 * A message's features are its distinct words (letters only, two or more)
 * and pairs of neighbouring words in one sentence, minus what would let a
 * model learn a sample rather than a kind of message: words in a run with
 * digits (references, amounts), addresses, links and domain names, and
 * names (a word written Xxxx inside a sentence, or next to another such
 * word, is a name everywhere in the message: people, companies, places). Its logit is bias + sum(term weights) /
 * sqrt(feature count); the finding intent.model weighs round(scale *
 * logit), bounded by [intent] model_max_weight and model_min_weight (a
 * negative weight: worded like the benign messages it learnt from). The
 * model is a second opinion on what the text analysers found: it weighs
 * only a message with a lexicon, intent or URL finding of positive
 * weight, so that a message with nothing in its text (or only an
 * attachment finding) stays as the other analysers left it.
 *
 * SECURITY: texts are sender data. Work is linear in the bytes read (at
 * most [intent] max_scan_bytes of each text) and the features per message
 * are capped. The model file is trusted configuration, read once when the
 * engine is built; a bad line is an error naming the file and line.
 */
#include "intent.h"

#include <math.h>
#include <string.h>

#define MODEL_MAX_FEATURES 4096
#define MODEL_MAGIC "vigie-intent-model"

struct intent_model {
	GHashTable *terms; /* "word" or "word word" -> gdouble* */
	double bias, scale;
	char *path;
};

void intent_model_free(intent_model *im)
{
	if (!im)
		return;
	if (im->terms)
		g_hash_table_unref(im->terms);
	g_free(im->path);
	g_free(im);
}

static bool model_fail(GError **err, const char *path, int line, const char *what)
{
	g_set_error(err, VIGIE_ERROR, VIGIE_ERROR_CONFIG, "%s:%d: %s", path, line, what);
	return false;
}

/* model_number - a finite double filling the whole of s */
static bool model_number(const char *s, double *out)
{
	char *end = NULL;
	double d = g_ascii_strtod(s, &end);
	if (!s[0] || !end || *end || !isfinite(d) || fabs(d) > 1e6)
		return false;
	*out = d;
	return true;
}

/* model_term_ok - one word, or two separated by one blank, of a-z only */
static bool model_term_ok(const char *t)
{
	int words = 0;
	for (const char *p = t; *p;) {
		const char *s = p;
		while (*p >= 'a' && *p <= 'z')
			p++;
		if (p - s < 2)
			return false;
		words++;
		if (*p == ' ' && p[1])
			p++;
		else if (*p)
			return false;
	}
	return words >= 1 && words <= 2;
}

static bool model_line(intent_model *im, char *line, int n, bool *magic, GError **err)
{
	char *hash = strchr(line, '#');
	if (hash)
		*hash = '\0';
	g_strstrip(line);
	if (!*line)
		return true;
	char **f = g_strsplit_set(line, " \t", -1);
	GPtrArray *w = g_ptr_array_new();
	for (char **p = f; *p; p++)
		if (**p)
			g_ptr_array_add(w, *p);
	bool ok = true;
	const char *k = g_ptr_array_index(w, 0);
	double d = 0;
	if (!*magic) {
		ok = !strcmp(k, MODEL_MAGIC) && w->len == 2 && !strcmp(g_ptr_array_index(w, 1), "1")
			     ? (*magic = true)
			     : model_fail(err, im->path, n, "the first line must be \"" MODEL_MAGIC " 1\"");
	} else if (!strcmp(k, "bias") || !strcmp(k, "scale")) {
		if (w->len != 2 || !model_number(g_ptr_array_index(w, 1), &d))
			ok = model_fail(err, im->path, n, "expected: bias|scale NUMBER");
		else if (k[0] == 'b')
			im->bias = d;
		else if (d < 0 || d > 100)
			ok = model_fail(err, im->path, n, "scale must be in [0, 100]");
		else
			im->scale = d;
	} else if (!strcmp(k, "term")) {
		GString *term = g_string_new(NULL);
		for (guint i = 2; i < w->len; i++)
			g_string_append_printf(term, "%s%s", i > 2 ? " " : "", (char *)g_ptr_array_index(w, i));
		if (w->len < 3 || w->len > 4 || !model_number(g_ptr_array_index(w, 1), &d))
			ok = model_fail(err, im->path, n, "expected: term WEIGHT WORD [WORD]");
		else if (!model_term_ok(term->str))
			ok = model_fail(err, im->path, n, "a term is one or two words of a-z, two letters or more");
		else if (g_hash_table_contains(im->terms, term->str))
			ok = model_fail(err, im->path, n, "term given twice");
		else
			g_hash_table_insert(im->terms, g_strdup(term->str), g_memdup2(&d, sizeof d));
		g_string_free(term, TRUE);
	} else {
		char *msg = g_strdup_printf("unknown line \"%s\" (expected bias, scale or term)", k);
		ok = model_fail(err, im->path, n, msg);
		g_free(msg);
	}
	g_ptr_array_unref(w);
	g_strfreev(f);
	return ok;
}

intent_model *intent_model_load(const char *path, GError **err)
{
	char *data = NULL;
	gsize len = 0;
	GError *e = NULL;
	if (!g_file_get_contents(path, &data, &len, &e)) {
		g_set_error(err, VIGIE_ERROR, VIGIE_ERROR_CONFIG, "[intent] model: %s", e->message);
		g_error_free(e);
		return NULL;
	}
	intent_model *im = g_new0(intent_model, 1);
	im->terms = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, g_free);
	im->path = g_strdup(path);
	bool ok = true, magic = false;
	if (memchr(data, '\0', len))
		ok = model_fail(err, path, 1, "a NUL byte: not a text file");
	char **lines = rule_line_split(data, len);
	for (int i = 0; ok && lines[i]; i++)
		ok = model_line(im, lines[i], i + 1, &magic, err);
	if (ok && !magic)
		ok = model_fail(err, path, 1, "empty: the first line must be \"" MODEL_MAGIC " 1\"");
	g_strfreev(lines);
	g_free(data);
	if (!ok) {
		intent_model_free(im);
		return NULL;
	}
	return im;
}

guint intent_model_size(const intent_model *im)
{
	return g_hash_table_size(im->terms);
}

/* model_sentence_initial - does the word at orig[at] begin a sentence or a
 * line (so that its capital says nothing)? */
static bool model_sentence_initial(const char *orig, gsize at)
{
	while (at > 0) {
		unsigned char c = (unsigned char)orig[at - 1];
		if (c == '\n' || c == '\r' || c == '.' || c == '!' || c == '?' || c == ':' || c == ';' || c == '>' ||
		    c == '*')
			return true;
		/* a dash is a bullet after a blank, a hyphen after a letter */
		if (c == '-')
			return at < 2 || orig[at - 2] == ' ' || orig[at - 2] == '\t' || orig[at - 2] == '\n';
		if (c == ' ' || c == '\t' || c == '"' || c == '\'' || c == '(' || c == '[' || c >= 0x80) {
			/* blanks, quotes, and multi-byte marks («, bullets, emoji) */
			at--;
			continue;
		}
		return false;
	}
	return true;
}

/* model_titlecase - a word written Xxxx in the original (not all
 * capitals: IBAN and URGENT are words, Martin is a name) */
static bool model_titlecase(const textnorm *t, gsize start, gsize end)
{
	gsize o = t->map[start];
	if (o >= t->orig_len)
		return false;
	gunichar c = g_utf8_get_char_validated(t->orig + o, (gssize)(t->orig_len - o));
	if (c == (gunichar)-1 || c == (gunichar)-2 || !g_unichar_isupper(c))
		return false;
	if (end - start >= 2) {
		gsize o2 = t->map[start + 1];
		if (o2 < t->orig_len && o2 > o) {
			gunichar c2 = g_utf8_get_char_validated(t->orig + o2, (gssize)(t->orig_len - o2));
			if (c2 != (gunichar)-1 && c2 != (gunichar)-2 && g_unichar_isupper(c2))
				return false;
		}
	}
	return true;
}

/* model_chunk_skipped - is the blank-free run around text[i] an address,
 * a link, a domain name or a reference (holds '@', "://", "www.", a letter,
 * a dot and a letter, or a digit)? */
static bool model_chunk_skipped(const char *s, gsize len, gsize i)
{
	gsize a = i, b = i;
	while (a > 0 && s[a - 1] != ' ')
		a--;
	while (b < len && s[b] != ' ')
		b++;
	for (gsize k = a; k < b; k++) {
		if (s[k] == '@' || (s[k] == ':' && k + 2 < b && s[k + 1] == '/' && s[k + 2] == '/'))
			return true;
		if (k + 4 <= b && !memcmp(s + k, "www.", 4))
			return true;
		if (s[k] == '.' && k > a && k + 1 < b && g_ascii_isalpha(s[k - 1]) && g_ascii_isalpha(s[k + 1]))
			return true;
		/* a reference (HZ-2024-118, F-0387): its letters name a sample */
		if (g_ascii_isdigit(s[k]))
			return true;
	}
	return false;
}

/* one word of a text, as the first pass found it */
typedef struct {
	char *word;   /* NULL: a break (sentence end, number, skipped word) */
	bool title;   /* written Xxxx */
	bool initial; /* first of its sentence or line */
} model_word;

/* model_words - the words and breaks of one normalised text */
static void model_words(const textnorm *t, GArray *out)
{
	const char *s = t->text;
	gsize len = t->len, i = 0;
	model_word brk = {NULL, false, false};
	while (i < len && out->len < MODEL_MAX_FEATURES) {
		if (!(s[i] >= 'a' && s[i] <= 'z')) {
			char c = s[i];
			if (c == '.' || c == '!' || c == '?' || c == ';' || c == ':' || (c >= '0' && c <= '9') ||
			    (unsigned char)c >= 0x80 || c == '@' || c == '/' || c == '(' || c == ')')
				g_array_append_val(out, brk);
			i++;
			continue;
		}
		gsize st = i;
		while (i < len && s[i] >= 'a' && s[i] <= 'z')
			i++;
		bool digit = (st > 0 && g_ascii_isdigit(s[st - 1])) || (i < len && g_ascii_isdigit(s[i]));
		if (i - st < 2 || i - st > 40 || digit || model_chunk_skipped(s, len, st)) {
			g_array_append_val(out, brk);
			continue;
		}
		model_word w = {g_strndup(s + st, i - st), model_titlecase(t, st, i),
				t->map[st] < t->orig_len && model_sentence_initial(t->orig, t->map[st])};
		g_array_append_val(out, w);
	}
	g_array_append_val(out, brk);
}

/* model_names - the words of the message that are names: written Xxxx
 * inside a sentence, or next to another such word ("Claire Dubois" at the
 * start of a line); such a word is a name everywhere in the message */
static GHashTable *model_names(const GArray *w)
{
	GHashTable *names = g_hash_table_new(g_str_hash, g_str_equal);
	for (guint i = 0; i < w->len; i++) {
		const model_word *x = &g_array_index(w, model_word, i);
		if (!x->word || !x->title)
			continue;
		const model_word *next = i + 1 < w->len ? &g_array_index(w, model_word, i + 1) : NULL;
		if (!x->initial || (next && next->word && next->title && !next->initial))
			g_hash_table_add(names, x->word);
	}
	return names;
}

static int model_cmp_str(gconstpointer a, gconstpointer b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

GPtrArray *intent_model_features(const vigie_message *m, gsize max_bytes)
{
	scan_ctx *sc = scan_ctx_new(m, NULL);
	GPtrArray *f = intent_model_features_ctx(sc, max_bytes);
	scan_ctx_free(sc);
	return f;
}

GPtrArray *intent_model_features_ctx(scan_ctx *sc, gsize max_bytes)
{
	const vigie_message *m = scan_ctx_message(sc);
	GArray *words = g_array_new(FALSE, FALSE, sizeof(model_word));
	const char *subject = scan_ctx_subject(sc);
	guint n = m->texts->len + (subject ? 1 : 0);
	for (guint i = 0; i < n; i++) {
		const char *raw = subject && i == 0 ? subject
						    : ((vigie_text *)g_ptr_array_index(m->texts, i - (subject ? 1 : 0)))->text;
		model_words(scan_ctx_norm(sc, raw, max_bytes), words);
	}
	GHashTable *names = model_names(words);
	GHashTable *set = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, NULL);
	const char *prev = NULL;
	for (guint i = 0; i < words->len && g_hash_table_size(set) < MODEL_MAX_FEATURES; i++) {
		const char *w = g_array_index(words, model_word, i).word;
		if (!w || g_hash_table_contains(names, w)) {
			prev = NULL;
			continue;
		}
		if (!g_hash_table_contains(set, w))
			g_hash_table_add(set, g_strdup(w));
		if (prev) {
			/* an existing pair is replaced, the old key freed */
			g_hash_table_add(set, g_strconcat(prev, " ", w, NULL));
		}
		prev = w;
	}
	g_hash_table_unref(names);
	for (guint i = 0; i < words->len; i++)
		g_free(g_array_index(words, model_word, i).word);
	g_array_unref(words);
	GPtrArray *out = g_ptr_array_new_with_free_func(g_free);
	GHashTableIter it;
	gpointer k;
	g_hash_table_iter_init(&it, set);
	while (g_hash_table_iter_next(&it, &k, NULL)) {
		g_ptr_array_add(out, k);
		g_hash_table_iter_steal(&it);
	}
	g_hash_table_unref(set);
	g_ptr_array_sort(out, model_cmp_str);
	return out;
}

typedef struct {
	const char *term;
	double w;
} model_contrib;

static int model_cmp_contrib(gconstpointer a, gconstpointer b)
{
	double x = fabs(((const model_contrib *)a)->w), y = fabs(((const model_contrib *)b)->w);
	return x < y ? 1 : x > y ? -1 : 0;
}

void intent_model_scan(const intent_model *im, scan_ctx *sc, gsize max_bytes, int max_weight,
		       int min_weight, vigie_verdict *v)
{
	GPtrArray *f = intent_model_features_ctx(sc, max_bytes);
	if (!f->len) {
		g_ptr_array_unref(f);
		return;
	}
	GArray *c = g_array_new(FALSE, FALSE, sizeof(model_contrib));
	double sum = 0;
	for (guint i = 0; i < f->len; i++) {
		const double *w = g_hash_table_lookup(im->terms, g_ptr_array_index(f, i));
		if (!w)
			continue;
		sum += *w;
		model_contrib mc = {g_ptr_array_index(f, i), *w};
		g_array_append_val(c, mc);
	}
	double logit = im->bias + sum / sqrt((double)f->len);
	long weight = lround(im->scale * logit);
	if (weight > max_weight)
		weight = max_weight;
	if (weight < min_weight)
		weight = min_weight;
	if (weight != 0) {
		/* the terms that pulled the most in the finding's direction */
		g_array_sort(c, model_cmp_contrib);
		GString *ev = g_string_new(NULL);
		g_string_printf(ev, "worded like the %s messages it learnt from (logit %.2f):",
				weight > 0 ? "malicious" : "benign", logit);
		int shown = 0;
		for (guint i = 0; i < c->len && shown < 5; i++) {
			const model_contrib *x = &g_array_index(c, model_contrib, i);
			if ((x->w > 0) != (weight > 0))
				continue;
			g_string_append_printf(ev, "%s \"%s\" %+.2f", shown ? "," : "", x->term, x->w);
			shown++;
		}
		if (!shown)
			g_string_append(ev, " no term it knows");
		verdict_add_finding(v, "intent.model", "intent", (int)weight, ev->str, "message");
		g_string_free(ev, TRUE);
	}
	g_array_unref(c);
	g_ptr_array_unref(f);
}

bool intent_model_second_opinion(const vigie_finding *f)
{
	return f->weight > 0 && (g_str_has_prefix(f->rule, "lexicon.") || g_str_has_prefix(f->rule, "intent.") ||
				 g_str_has_prefix(f->rule, "url.")) && strcmp(f->rule, "intent.model") != 0;
}

void intent_model_apply(const intent_engine *ie, scan_ctx *sc, vigie_verdict *v)
{
	const vigie_message *m = scan_ctx_message(sc);
	const intent_model *model = m->channel == VIGIE_CHANNEL_MAIL ? ie->model_mail : ie->model_chat;
	/* a second opinion on what the analysers found, never a verdict of
	 * its own: a message nothing was found in stays as it is. The gate is
	 * judged before the policy scales an internal speaker's findings, and
	 * kept on the verdict for training (vigie eval --features) */
	bool found = false;
	for (guint i = 0; !found && i < v->findings->len; i++)
		found = intent_model_second_opinion(g_ptr_array_index(v->findings, i));
	v->model_gate = found;
	if (found && model)
		intent_model_scan(model, sc, ie->max_bytes, ie->model_max, ie->model_min, v);
}
