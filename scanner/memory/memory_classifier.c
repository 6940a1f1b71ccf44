/* memory_classifier.c - the per-deployment classifier, trained online from
 * analyst decisions
 *
 * Logistic regression, FTRL-Proximal (per-coordinate learning rates, an L1
 * term that keeps rare features at exactly 0), on hashed binary features of
 * a message:
 *   w:WORD        each word of the normalised texts (textnorm, as the scan
 *                 shares them: scan_ctx_norm, whole) and of the Subject
 *   p:WORD WORD   each pair of adjacent words
 *   h:HOST d:DOM  the host and registrable domain of each web URL the scan
 *                 extracted (scan_ctx_urls; redirectors left out)
 *   s:DOMAIN      the sender's domain (mail: From, else envelope sender;
 *                 chat: the platform)
 *   a:EXT t:TYPE  each attachment's file name extension and sniffed type
 *   f:RULE        each finding already in the verdict whose rule starts
 *                 with one of [classifier] feature_rules (the lexicon and
 *                 intent findings, signals included)
 *   bias
 * Why FTRL rather than an OSB Bayes: the findings of the other analysers
 * are strongly correlated with the words that fired them; a discriminative
 * model weighs them jointly instead of counting each as independent
 * evidence, its output is a probability that a bounded weight can scale,
 * and its state per feature is two sums that HINCRBYFLOAT adds atomically,
 * so several vigied nodes on one Redis train one model without a lock.
 *
 * Store: a feature is a bucket, fnv1a(secret seed, feature) mod [classifier]
 * buckets, the seed a keyed hash (vigie_store_hash) so the store holds no
 * word and bucket numbers cannot be tried against a dictionary; each bucket
 * is one pair of numbers (FTRL's z and n) under "mc:BUCKET", so the model
 * is at most buckets records whatever it learns (collisions only add
 * noise). "mc:n" holds the examples trained of each label (malicious,
 * benign). Every record is renewed to [classifier] ttl when trained.
 *
 * Scan (memory_classifier_scan): one read of every feature's pair and of
 * mc:n (one transaction, one Redis round trip). Below [classifier]
 * min_examples of either label nothing is added. Otherwise the probability
 * p becomes memory.classifier with weight max_weight x (2p - 1) when p >
 * 1/2, or -benign_weight x (1 - 2p) below (0: no benign finding); the
 * evidence quotes the three features of THIS message that weigh most that
 * way (an in-scan map from bucket to the text that made it).
 * Decision (memory_classifier_learn): the same features, one read, one FTRL
 * step, one batch of additions; a decision already trained (the same id
 * and label) is not trained again.
 *
 * SECURITY: the texts are the sender's; they are only split and hashed
 * here, at most CLASSIFIER_MAX_FEATURES features and the first
 * CLASSIFIER_MAX_TEXT bytes of normalised text per message.
 */
#include "memory.h"
#include "engine.h"
#include "sender.h"
#include "url.h"

#include <math.h>
#include <stdio.h>
#include <string.h>

#define CLASSIFIER_MAX_FEATURES 4000
#define CLASSIFIER_MAX_TEXT (256u << 10)
#define CLASSIFIER_MAX_WORD 40
/* FTRL-Proximal's constants (McMahan et al. 2013): not policy, the
 * learning's own tuning */
#define FTRL_ALPHA 0.1
#define FTRL_BETA 1.0
#define FTRL_L1 0.5
#define FTRL_L2 1.0
#define MARK_TTL (3650LL * 86400) /* decisions trained: ten years */

/* memory_classifier_settings - see memory.h */
void memory_classifier_settings(const vigie_config *c, classifier_settings *cl)
{
	cl->enabled = vigie_config_get_bool(c, "classifier", "enabled");
	cl->min_examples = vigie_config_get_int(c, "classifier", "min_examples");
	cl->max_weight = (int)vigie_config_get_int(c, "classifier", "max_weight");
	cl->benign_weight = (int)vigie_config_get_int(c, "classifier", "benign_weight");
	cl->buckets = (guint32)vigie_config_get_int(c, "classifier", "buckets");
	cl->ttl = vigie_config_get_int(c, "classifier", "ttl");
	cl->feature_rules = config_get_list(c, "classifier", "feature_rules");
}

void memory_classifier_settings_clear(classifier_settings *cl)
{
	g_strfreev(cl->feature_rules);
}

/* the features of one message: distinct buckets, each with the text of the
 * first feature that fell in it (for evidence) */
typedef struct {
	guint32 buckets;
	guint64 seed;
	GArray *ids;       /* of guint32, distinct */
	GHashTable *shown; /* bucket -> char* */
} features;

static guint64 seed_hash(guint64 h, const char *s, gsize n)
{
	for (gsize i = 0; i < n; i++) {
		h ^= (guchar)s[i];
		h *= 1099511628211ull;
	}
	return h;
}

/* features_add - kind and text (n bytes) as one feature */
static void features_add(features *f, const char *kind, const char *text, gsize n)
{
	if (f->ids->len >= CLASSIFIER_MAX_FEATURES)
		return;
	guint64 h = seed_hash(seed_hash(f->seed, kind, strlen(kind)), text, n);
	h ^= h >> 33; /* fnv's low bits mix poorly: fold the high ones in */
	h *= 0xff51afd7ed558ccdull;
	h ^= h >> 33;
	guint32 b = (guint32)(h % f->buckets);
	if (g_hash_table_contains(f->shown, GUINT_TO_POINTER(b + 1)))
		return;
	g_array_append_val(f->ids, b);
	g_hash_table_insert(f->shown, GUINT_TO_POINTER(b + 1), g_strdup_printf("%s%.*s", kind, (int)n, text));
}

static bool word_byte(char c)
{
	return g_ascii_isalnum(c) || (c & 0x80);
}

/* word_ok - n bytes at w hold a letter or a digit (not only symbols or
 * the replacement character of invalid UTF-8) */
static bool word_ok(const char *w, gsize n)
{
	for (const char *p = w, *end = w + n; p < end;) {
		if (g_ascii_isalnum(*p))
			return true;
		gunichar c = g_utf8_get_char_validated(p, end - p);
		if (c == (gunichar)-1 || c == (gunichar)-2)
			return false;
		if (g_unichar_isalnum(c))
			return true;
		p = g_utf8_next_char(p);
	}
	return false;
}

/* features_words - words and adjacent pairs of normalised text t */
static void features_words(features *f, const char *t, gsize len)
{
	const char *prev = NULL;
	gsize prev_n = 0;
	for (gsize i = 0; i < len;) {
		while (i < len && !word_byte(t[i]))
			i++;
		gsize b = i;
		while (i < len && word_byte(t[i]))
			i++;
		gsize n = i - b;
		if (n < 2 || n > CLASSIFIER_MAX_WORD || !word_ok(t + b, n)) {
			if (n >= 2)
				prev = NULL;
			continue;
		}
		features_add(f, "", t + b, n);
		if (prev) {
			char *pair = g_strdup_printf("%.*s %.*s", (int)prev_n, prev, (int)n, t + b);
			features_add(f, "", pair, strlen(pair));
			g_free(pair);
		}
		prev = t + b;
		prev_n = n;
	}
}

/* features_new - the features of the message of sc with the findings of
 * v; NULL with err when the store cannot give the seed */
static features *features_new(const vigie_engine *e, scan_ctx *sc, const vigie_verdict *v, GError **err)
{
	const classifier_settings *cl = &e->memory->classifier;
	char *seed = vigie_store_hash(e->store, "classifier", "buckets", err);
	if (!seed)
		return NULL;
	features *f = g_new0(features, 1);
	f->buckets = cl->buckets;
	f->seed = seed_hash(1469598103934665603ull, seed, strlen(seed));
	g_free(seed);
	f->ids = g_array_new(FALSE, FALSE, sizeof(guint32));
	f->shown = g_hash_table_new_full(g_direct_hash, g_direct_equal, NULL, g_free);
	features_add(f, "bias", "", 0);

	const vigie_message *m = scan_ctx_message(sc);
	gsize walked = 0;
	const char *subject = scan_ctx_subject(sc);
	if (subject) {
		char *s = textnorm_string(subject);
		features_words(f, s, strlen(s));
		g_free(s);
	}
	for (guint i = 0; i < m->texts->len && walked < CLASSIFIER_MAX_TEXT; i++) {
		const vigie_text *t = g_ptr_array_index(m->texts, i);
		const textnorm *n = scan_ctx_norm(sc, t->text, G_MAXSIZE);
		gsize len = MIN(n->len, CLASSIFIER_MAX_TEXT - walked);
		features_words(f, n->text, len);
		walked += len;
	}
	const GPtrArray *found = scan_ctx_urls(sc, NULL);
	for (guint i = 0; found && i < found->len; i++) {
		const url_found *u = g_ptr_array_index(found, i);
		url_parts *up = u->wrapper ? NULL : url_normalise(u->url);
		if (up && up->kind == URL_KIND_NET && *up->host) {
			features_add(f, "host ", up->host, strlen(up->host));
			if (up->domain)
				features_add(f, "domain ", up->domain, strlen(up->domain));
		}
		url_parts_free(up);
	}
	char *sd = m->channel == VIGIE_CHANNEL_CHAT ? g_strdup(m->env.platform) : sender_from_domain(m);
	if (sd && *sd)
		features_add(f, "sender ", sd, strlen(sd));
	g_free(sd);
	for (guint i = 0; i < m->attachments->len; i++) {
		const vigie_attachment *a = g_ptr_array_index(m->attachments, i);
		const char *dot = a->name ? strrchr(a->name, '.') : NULL;
		if (dot && dot[1] && strlen(dot) <= 12) {
			char *ext = g_ascii_strdown(dot, -1);
			features_add(f, "attachment ", ext, strlen(ext));
			g_free(ext);
		}
		if (a->sniffed_type)
			features_add(f, "type ", a->sniffed_type, strlen(a->sniffed_type));
	}
	for (guint i = 0; i < v->findings->len; i++) {
		const vigie_finding *fd = g_ptr_array_index(v->findings, i);
		for (int j = 0; cl->feature_rules && cl->feature_rules[j]; j++)
			if (g_str_has_prefix(fd->rule, cl->feature_rules[j])) {
				features_add(f, "finding ", fd->rule, strlen(fd->rule));
				break;
			}
	}
	return f;
}

static void features_free(features *f)
{
	if (!f)
		return;
	g_array_free(f->ids, TRUE);
	g_hash_table_unref(f->shown);
	g_free(f);
}

/* features_keys - "mc:n" then one key per bucket (a NULL-terminated
 * vector, g_strfreev) */
static char **features_keys(const features *f)
{
	char **keys = g_new0(char *, f->ids->len + 2);
	keys[0] = g_strdup("mc:n");
	for (guint i = 0; i < f->ids->len; i++)
		keys[i + 1] = g_strdup_printf("mc:%x", g_array_index(f->ids, guint32, i));
	return keys;
}

/* ftrl_weight - FTRL-Proximal's weight from its sums z and n */
static double ftrl_weight(double z, double n)
{
	if (fabs(z) <= FTRL_L1)
		return 0;
	return -(z - (z < 0 ? -FTRL_L1 : FTRL_L1)) / ((FTRL_BETA + sqrt(n)) / FTRL_ALPHA + FTRL_L2);
}

static double sigmoid(double x)
{
	x = CLAMP(x, -35.0, 35.0);
	return 1.0 / (1.0 + exp(-x));
}

/* classifier_read - the pairs of mc:n and of every feature (one read);
 * pairs has 2 x (ids + 1) numbers (caller g_free), w the weight of each
 * feature; NULL when the store is down */
static double *classifier_read(vigie_store *s, const features *f, double *w, GError **err)
{
	char **keys = features_keys(f);
	guint n = f->ids->len + 1;
	double *pairs = g_new0(double, 2 * n);
	VigieStoreStatus st = store_pair_get_many(s, (const char *const *)keys, n, pairs, err);
	g_strfreev(keys);
	if (st == VIGIE_STORE_DOWN) {
		g_free(pairs);
		return NULL;
	}
	for (guint i = 0; i < f->ids->len; i++)
		w[i] = ftrl_weight(pairs[2 * (i + 1)], pairs[2 * (i + 1) + 1]);
	return pairs;
}

typedef struct {
	double w;
	const char *shown;
} strong;

static gint cmp_strong(gconstpointer a, gconstpointer b)
{
	double x = fabs(((const strong *)a)->w), y = fabs(((const strong *)b)->w);
	return x < y ? 1 : x > y ? -1 : 0;
}

/* memory_classifier_probability - see memory.h */
double memory_classifier_probability(const vigie_engine *e, scan_ctx *sc, const vigie_verdict *v, gint64 counts[2],
				     char **strongest, GError **err)
{
	features *f = features_new(e, sc, v, err);
	if (!f)
		return -1;
	double *w = g_new0(double, f->ids->len);
	double *pairs = classifier_read(e->store, f, w, err);
	double p = -1;
	if (pairs) {
		counts[0] = (gint64)pairs[0];
		counts[1] = (gint64)pairs[1];
		double sum = 0;
		for (guint i = 0; i < f->ids->len; i++)
			sum += w[i];
		p = sigmoid(sum);
		if (strongest) {
			/* the features that pull the way the verdict goes, strongest first */
			GArray *st = g_array_new(FALSE, FALSE, sizeof(strong));
			for (guint i = 1; i < f->ids->len; i++) /* 0 is the bias */
				if ((p >= 0.5 && w[i] > 0) || (p < 0.5 && w[i] < 0)) {
					strong one = { w[i], g_hash_table_lookup(f->shown, GUINT_TO_POINTER(
										  g_array_index(f->ids, guint32, i) + 1)) };
					g_array_append_val(st, one);
				}
			g_array_sort(st, cmp_strong);
			GString *ev = g_string_new(NULL);
			for (guint i = 0; i < st->len && i < 3; i++)
				g_string_append_printf(ev, "%s\"%s\"", i ? ", " : "", g_array_index(st, strong, i).shown);
			g_array_free(st, TRUE);
			*strongest = g_string_free(ev, FALSE);
		}
	}
	g_free(pairs);
	g_free(w);
	features_free(f);
	return p;
}

/* memory_classifier_scan - see memory.h */
bool memory_classifier_scan(const vigie_engine *e, scan_ctx *sc, vigie_verdict *v)
{
	const classifier_settings *cl = &e->memory->classifier;
	if (!cl->enabled)
		return true;
	GError *err = NULL;
	gint64 counts[2] = { 0, 0 };
	char *strongest = NULL;
	double p = memory_classifier_probability(e, sc, v, counts, &strongest, &err);
	if (p < 0) {
		memory_unavailable(&e->memory->campaign, v, err ? err->message : "store unavailable");
		g_clear_error(&err);
		return false;
	}
	if (counts[0] >= cl->min_examples && counts[1] >= cl->min_examples) {
		int weight = p >= 0.5 ? (int)lround(cl->max_weight * (2 * p - 1))
				      : -(int)lround(cl->benign_weight * (1 - 2 * p));
		if (weight) {
			char *ev = g_strdup_printf("%s %.0f%% after %" G_GINT64_FORMAT " malicious and %" G_GINT64_FORMAT
						   " benign decisions; strongest: %s",
						   p >= 0.5 ? "malicious" : "benign", 100 * (p >= 0.5 ? p : 1 - p),
						   counts[0], counts[1], *strongest ? strongest : "none");
			verdict_add_finding(v, "memory.classifier", "classifier", weight, ev, "message");
			g_free(ev);
		}
	}
	g_free(strongest);
	return true;
}

/* classifier_trained - whether decision (id, label) was trained before
 * (and mark it so); false for a decision without id */
static bool classifier_trained(vigie_store *s, const char *id, bool bad, GError **err, bool *down)
{
	*down = false;
	if (!id)
		return false;
	char *h = vigie_store_hash(s, "classifier-decision", bad ? "malicious" : "benign", err);
	char *hid = h ? vigie_store_hash(s, h, id, err) : NULL;
	g_free(h);
	if (!hid) {
		*down = true;
		return false;
	}
	char *key = g_strconcat("mt:", hid, NULL);
	gint64 n = 0;
	*down = vigie_store_incr(s, key, 1, MARK_TTL, &n, err) == VIGIE_STORE_DOWN;
	g_free(key);
	g_free(hid);
	return !*down && n > 1;
}

/* memory_classifier_learn - see memory.h */
bool memory_classifier_learn(const vigie_engine *e, scan_ctx *sc, const vigie_verdict *v, VigieLearn label,
			     const char *id, GError **err)
{
	const classifier_settings *cl = &e->memory->classifier;
	if (!cl->enabled)
		return true;
	bool bad = label == VIGIE_LEARN_MALICIOUS, down;
	if (classifier_trained(e->store, id, bad, err, &down) || down)
		return !down;
	features *f = features_new(e, sc, v, err);
	if (!f)
		return false;
	guint n = f->ids->len;
	double *w = g_new0(double, n);
	double *pairs = classifier_read(e->store, f, w, err);
	bool ok = pairs != NULL;
	if (ok) {
		double sum = 0;
		for (guint i = 0; i < n; i++)
			sum += w[i];
		double g = sigmoid(sum) - (bad ? 1.0 : 0.0); /* the log loss's gradient, x = 1 */
		double *adds = g_new0(double, 2 * (n + 1));
		adds[0] = bad ? 1 : 0;
		adds[1] = bad ? 0 : 1;
		for (guint i = 0; i < n; i++) {
			double ni = pairs[2 * (i + 1) + 1];
			double sigma = (sqrt(ni + g * g) - sqrt(ni)) / FTRL_ALPHA;
			adds[2 * (i + 1)] = g - sigma * w[i];
			adds[2 * (i + 1) + 1] = g * g;
		}
		char **keys = features_keys(f);
		ok = store_pair_add_many(e->store, (const char *const *)keys, n + 1, adds, cl->ttl, err) !=
		     VIGIE_STORE_DOWN;
		g_strfreev(keys);
		g_free(adds);
	}
	g_free(pairs);
	g_free(w);
	features_free(f);
	return ok;
}

/* vigie_classifier_examples - see vigie.h */
VigieStoreStatus vigie_classifier_examples(vigie_store *s, gint64 counts[2], GError **err)
{
	const char *const keys[] = { "mc:n" };
	double pair[2] = { 0, 0 };
	VigieStoreStatus st = store_pair_get_many(s, keys, 1, pair, err);
	counts[0] = (gint64)pair[0];
	counts[1] = (gint64)pair[1];
	return st;
}
