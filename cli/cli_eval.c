/* cli_eval.c - "vigie eval": detection figures on labelled sets
 *
 *   vigie eval [--json] [--top N] [--show missed|all] [--half 1|2] [--features OUT]
 *              [--label LABEL DIR|FILE.eml...] [FILE.jsonl...]
 *
 * Mail folders are scanned recursively (name order, symbolic links not
 * followed) with the label given by the last --label before them; each
 * folder (or file) is one set. A .jsonl file holds one chat/SMS message per
 * line, {"label": ..., "text": ...} plus any field of the chat JSON form;
 * each label found in it is one set ("FILE [LABEL]").
 *
 * Per set: count, errors, share released / tagged / quarantined / rejected,
 * the detection rate (tagged or worse) for malicious labels (phishing, spam,
 * smishing, scam, fraud, malware, malicious), the false-positive rate for
 * benign ones (ham, benign, legit, clean), the most frequent rules (each
 * counted once per message, only those with a weight), and timing (parse +
 * scan, per message). --json prints one JSON object instead. --show missed
 * lists the malicious messages released and the benign ones flagged, with
 * their rules (for tuning); --show all lists every message.
 *
 * Per category: when items carry one (the "category" field of a .jsonl
 * line; the CATEGORY of a mail file named NNN-LANG-CATEGORY.eml), each set
 * also reports flagged/count per category, so a rule writer sees which
 * kinds of fraud and of legitimate messages move.
 *
 * --half 1|2 keeps only one half of every set, chosen by a hash of the item
 * (FNV-1a 32 of a .jsonl line's "id", else of the line; of a mail file's
 * name): half 1 is the items whose hash is even. Tune on one half, check on
 * the other; the split does not depend on the order or the other items.
 *
 * --features OUT writes one JSON line per item (set, kind, category, half,
 * score, the intent.model weight in it, whether another finding weighs,
 * and the features the intent model reads), from which
 * scripts/intent-train learns a model.
 *
 * SECURITY: the inputs are hostile messages; they go through the same
 * parsers and limits as "vigie scan". Nothing from them reaches a path or
 * a format string.
 */
#include "cli.h"
#include "cli_inputs.h"

#include <errno.h>
#include <json-glib/json-glib.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <glib/gstdio.h>

typedef enum { EVAL_OTHER, EVAL_MALICIOUS, EVAL_BENIGN } eval_kind;

typedef struct {
	char *name;
	char *label;
	eval_kind kind;
	unsigned count, errors;
	unsigned actions[4];
	double ms_total, ms_max;
	GHashTable *rules; /* rule -> count (GUINT_TO_POINTER) */
	GHashTable *cats;  /* category -> eval_cat* */
} eval_set;

typedef struct {
	unsigned count, flagged;
} eval_cat;

typedef enum { SHOW_NONE, SHOW_MISSED, SHOW_ALL } eval_show;

typedef struct {
	vigie_engine *engine;
	long long max_size;
	eval_show show;
	int half;	 /* 0: every item; 1 or 2: that half (eval_in_half) */
	FILE *features;	 /* --features: one JSON line per item, or NULL */
	GPtrArray *sets; /* of eval_set* */
} eval_run;

/* eval_half_of - the half (1 or 2) the item keyed by key is in */
static int eval_half_of(const char *key)
{
	guint32 h = 2166136261u;
	for (const unsigned char *p = (const unsigned char *)key; *p; p++) {
		h ^= *p;
		h *= 16777619u;
	}
	return (int)(h & 1) + 1;
}

/* eval_in_half - is the item keyed by key in the half r asks for */
static bool eval_in_half(const eval_run *r, const char *key)
{
	return !r->half || eval_half_of(key) == r->half;
}

/* eval_dump_features - with --features, one JSON line for the item: its
 * set, kind, category, half, verdict score (without intent.model) and the
 * features the intent model reads (scripts/intent-train learns from it) */
static void eval_dump_features(const eval_run *r, const eval_set *s, const char *key, const char *category,
			       const vigie_message *m, const vigie_verdict *v)
{
	if (!r->features)
		return;
	int model = 0;
	/* the gate as the model saw it, before the policy scaled an internal
	 * speaker's findings (the findings here are after it) */
	bool found = v->model_gate;
	for (guint i = 0; i < v->findings->len; i++) {
		const vigie_finding *f = g_ptr_array_index(v->findings, i);
		if (!strcmp(f->rule, "intent.model"))
			model += f->weight;
	}
	JsonBuilder *b = json_builder_new();
	json_builder_begin_object(b);
	json_builder_set_member_name(b, "set");
	json_builder_add_string_value(b, s->name);
	json_builder_set_member_name(b, "kind");
	json_builder_add_string_value(b, s->kind == EVAL_MALICIOUS ? "malicious"
					 : s->kind == EVAL_BENIGN  ? "benign"
								   : "other");
	json_builder_set_member_name(b, "category");
	json_builder_add_string_value(b, category ? category : "");
	json_builder_set_member_name(b, "half");
	json_builder_add_int_value(b, eval_half_of(key));
	json_builder_set_member_name(b, "score");
	json_builder_add_int_value(b, v->score);
	json_builder_set_member_name(b, "model");
	json_builder_add_int_value(b, model);
	json_builder_set_member_name(b, "found");
	json_builder_add_boolean_value(b, found);
	json_builder_set_member_name(b, "features");
	json_builder_begin_array(b);
	GPtrArray *f = vigie_engine_features(r->engine, m);
	for (guint i = 0; i < f->len; i++)
		json_builder_add_string_value(b, g_ptr_array_index(f, i));
	g_ptr_array_unref(f);
	json_builder_end_array(b);
	json_builder_end_object(b);
	JsonGenerator *g = json_generator_new();
	JsonNode *root = json_builder_get_root(b);
	json_generator_set_root(g, root);
	char *out = json_generator_to_data(g, NULL);
	fprintf(r->features, "%s\n", out);
	g_free(out);
	json_node_unref(root);
	g_object_unref(g);
	g_object_unref(b);
}

/* eval_mail_category - CATEGORY of a file named NNN-LANG-CATEGORY.eml, or
 * NULL; caller g_free */
static char *eval_mail_category(const char *path)
{
	char *base = g_path_get_basename(path);
	char *out = NULL;
	char **f = g_strsplit(base, "-", 3);
	if (g_strv_length(f) == 3 && strlen(f[0]) == 3 && g_ascii_isdigit(f[0][0]) &&
	    strlen(f[1]) == 2 && g_str_has_suffix(f[2], ".eml"))
		out = g_strndup(f[2], strlen(f[2]) - 4);
	g_strfreev(f);
	g_free(base);
	return out;
}

static const char *const eval_malicious[] = {"phishing", "spam",    "smishing",	 "scam",
					     "fraud",	 "malware", "malicious", NULL};
static const char *const eval_benign[] = {"ham", "benign", "legit", "clean", NULL};

static void eval_set_free(gpointer p)
{
	eval_set *s = p;
	g_free(s->name);
	g_free(s->label);
	g_hash_table_unref(s->rules);
	g_hash_table_unref(s->cats);
	g_free(s);
}

/* eval_set_get - the set (name, label), created if new */
static eval_set *eval_set_get(eval_run *r, const char *name, const char *label)
{
	for (guint i = 0; i < r->sets->len; i++) {
		eval_set *s = g_ptr_array_index(r->sets, i);
		if (!strcmp(s->name, name) && !strcmp(s->label, label))
			return s;
	}
	eval_set *s = g_new0(eval_set, 1);
	s->name = g_strdup(name);
	s->label = g_strdup(label);
	char *low = g_ascii_strdown(label, -1);
	s->kind = g_strv_contains(eval_malicious, low) ? EVAL_MALICIOUS
		  : g_strv_contains(eval_benign, low)  ? EVAL_BENIGN
						       : EVAL_OTHER;
	g_free(low);
	s->rules = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, NULL);
	s->cats = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, g_free);
	g_ptr_array_add(r->sets, s);
	return s;
}

/* eval_record - one verdict into its set; print it when asked */
static void eval_record(eval_run *r, eval_set *s, const char *item, const char *category,
			const vigie_verdict *v, double ms)
{
	s->count++;
	s->ms_total += ms;
	if (ms > s->ms_max)
		s->ms_max = ms;
	if (v->error) {
		s->errors++;
		fprintf(stderr, "vigie eval: %s: %s\n", item, v->error);
	}
	s->actions[v->action]++;
	GHashTable *once = g_hash_table_new(g_str_hash, g_str_equal);
	for (guint i = 0; i < v->findings->len; i++) {
		const vigie_finding *f = g_ptr_array_index(v->findings, i);
		if (f->weight == 0 || !g_hash_table_add(once, f->rule))
			continue;
		gpointer old = g_hash_table_lookup(s->rules, f->rule);
		g_hash_table_replace(s->rules, g_strdup(f->rule),
				     GUINT_TO_POINTER(GPOINTER_TO_UINT(old) + 1));
	}
	g_hash_table_unref(once);
	bool flagged = v->action != VIGIE_ACTION_RELEASE;
	if (category) {
		eval_cat *c = g_hash_table_lookup(s->cats, category);
		if (!c) {
			c = g_new0(eval_cat, 1);
			g_hash_table_insert(s->cats, g_strdup(category), c);
		}
		c->count++;
		c->flagged += flagged;
	}
	bool wrong = (s->kind == EVAL_MALICIOUS && !flagged) || (s->kind == EVAL_BENIGN && flagged);
	if (r->show == SHOW_ALL || (r->show == SHOW_MISSED && wrong)) {
		printf("%s %s%s%s%s: %s (score %d)", wrong ? "WRONG" : "ok", item,
		       category ? " [" : "", category ? category : "", category ? "]" : "",
		       vigie_action_name(v->action), v->score);
		for (guint i = 0; i < v->findings->len; i++) {
			const vigie_finding *f = g_ptr_array_index(v->findings, i);
			if (f->weight)
				printf(" %s%+d", f->rule, f->weight);
		}
		putchar('\n');
	}
}

/* eval_error - an input that could not be read or parsed */
static void eval_error(eval_set *s, const char *item, const char *msg)
{
	s->count++;
	s->errors++;
	fprintf(stderr, "vigie eval: %s: %s\n", item, msg);
}

/* eval_mail_file - parse and scan one mail file into set s */
static void eval_mail_file(eval_run *r, eval_set *s, const char *path)
{
	char *base = g_path_get_basename(path);
	bool keep = eval_in_half(r, base);
	g_free(base);
	if (!keep)
		return;
	gsize len;
	GError *err = NULL;
	char *data = cli_read_input(path, r->max_size, &len, &err);
	if (!data) {
		eval_error(s, path, err->message);
		g_error_free(err);
		return;
	}
	gint64 t0 = g_get_monotonic_time();
	vigie_message *m = vigie_message_from_mime(data, len, NULL, &err);
	g_free(data);
	if (!m) {
		eval_error(s, path, err->message);
		g_error_free(err);
		return;
	}
	vigie_verdict *v = vigie_scan(r->engine, m);
	double ms = (double)(g_get_monotonic_time() - t0) / 1000.0;
	char *cat = eval_mail_category(path);
	eval_record(r, s, path, cat, v, ms);
	char *key = g_path_get_basename(path);
	eval_dump_features(r, s, key, cat, m, v);
	g_free(key);
	g_free(cat);
	vigie_verdict_free(v);
	vigie_message_free(m);
}

typedef struct {
	eval_run *r;
	eval_set *s;
} eval_walk;

static void eval_walk_file(const char *path, void *ud)
{
	eval_walk *w = ud;
	eval_mail_file(w->r, w->s, path);
}

static void eval_walk_error(const char *path, const char *msg, void *ud)
{
	eval_error(((eval_walk *)ud)->s, path, msg);
}

/* eval_mail_dir - every regular file below dir, in name order */
static void eval_mail_dir(eval_run *r, eval_set *s, const char *dir)
{
	eval_walk w = { r, s };
	cli_walk_dir(dir, eval_walk_file, eval_walk_error, &w);
}

/* eval_jsonl - one chat message per line, each with its own label */
static bool eval_jsonl(eval_run *r, const char *path)
{
	char *data;
	gsize len;
	GError *err = NULL;
	if (!g_file_get_contents(path, &data, &len, &err)) {
		fprintf(stderr, "vigie eval: %s\n", err->message);
		g_error_free(err);
		return false;
	}
	char *base = g_path_get_basename(path);
	char **lines = g_strsplit(data, "\n", -1);
	g_free(data);
	JsonParser *parser = json_parser_new();
	for (int i = 0; lines[i]; i++) {
		const char *line = g_strstrip(lines[i]);
		if (!*line)
			continue;
		char *item = g_strdup_printf("%s:%d", path, i + 1);
		const char *label = NULL, *category = NULL, *id = NULL;
		if (json_parser_load_from_data(parser, line, -1, NULL) &&
		    json_parser_get_root(parser) &&
		    JSON_NODE_HOLDS_OBJECT(json_parser_get_root(parser))) {
			JsonObject *o = json_node_get_object(json_parser_get_root(parser));
			static const char *const names[] = {"label", "category", "id"};
			const char **outs[] = {&label, &category, &id};
			for (int k = 0; k < 3; k++) {
				JsonNode *n = json_object_get_member(o, names[k]);
				if (n && JSON_NODE_HOLDS_VALUE(n) &&
				    json_node_get_value_type(n) == G_TYPE_STRING)
					*outs[k] = json_node_get_string(n);
			}
		}
		if (!eval_in_half(r, id ? id : line)) {
			g_free(item);
			continue;
		}
		char *set_name = g_strdup_printf("%s [%s]", base, label ? label : "unlabelled");
		eval_set *s = eval_set_get(r, set_name, label ? label : "unlabelled");
		g_free(set_name);
		gint64 t0 = g_get_monotonic_time();
		vigie_message *m = vigie_message_from_chat_json(line, strlen(line), &err);
		if (!m) {
			eval_error(s, item, err->message);
			g_clear_error(&err);
		} else {
			vigie_verdict *v = vigie_scan(r->engine, m);
			double ms = (double)(g_get_monotonic_time() - t0) / 1000.0;
			eval_record(r, s, item, category, v, ms);
			eval_dump_features(r, s, id ? id : line, category, m, v);
			vigie_verdict_free(v);
			vigie_message_free(m);
		}
		g_free(item);
	}
	g_object_unref(parser);
	g_strfreev(lines);
	g_free(base);
	return true;
}

typedef struct {
	const char *rule;
	unsigned n;
} eval_rule_count;

static gint eval_cmp_rules(gconstpointer a, gconstpointer b)
{
	const eval_rule_count *x = a, *y = b;
	if (x->n != y->n)
		return x->n < y->n ? 1 : -1;
	return strcmp(x->rule, y->rule);
}

/* eval_top_rules - the set's rules, most frequent first (free the array) */
static GArray *eval_top_rules(const eval_set *s)
{
	GArray *a = g_array_new(FALSE, FALSE, sizeof(eval_rule_count));
	GHashTableIter it;
	gpointer k, val;
	g_hash_table_iter_init(&it, s->rules);
	while (g_hash_table_iter_next(&it, &k, &val)) {
		eval_rule_count rc = {k, GPOINTER_TO_UINT(val)};
		g_array_append_val(a, rc);
	}
	g_array_sort(a, eval_cmp_rules);
	return a;
}

static double eval_pct(unsigned n, unsigned d)
{
	return d ? 100.0 * n / d : 0.0;
}

static unsigned eval_flagged(const eval_set *s)
{
	return s->actions[VIGIE_ACTION_TAG] + s->actions[VIGIE_ACTION_QUARANTINE] +
	       s->actions[VIGIE_ACTION_REJECT];
}

static int eval_cmp_str(const void *a, const void *b)
{
	return strcmp(*(const char *const *)a, *(const char *const *)b);
}

/* eval_categories - the set's category names, sorted; free with g_free
 * (the strings belong to the set) */
static const char **eval_categories(const eval_set *s, guint *n)
{
	const char **names = (const char **)g_hash_table_get_keys_as_array(s->cats, n);
	qsort(names, *n, sizeof *names, eval_cmp_str);
	return names;
}

/* eval_print_categories - "  by category: name flagged/count (pct), ..." */
static void eval_print_categories(const eval_set *s)
{
	guint n;
	const char **names = eval_categories(s, &n);
	for (guint i = 0; i < n; i++) {
		const eval_cat *c = g_hash_table_lookup(s->cats, names[i]);
		printf("%s %s %u/%u", i ? "," : "  by category:", names[i], c->flagged, c->count);
	}
	if (n)
		putchar('\n');
	g_free(names);
}

/* eval_print_text - the report for people */
static void eval_print_text(const eval_run *r, unsigned top)
{
	for (guint i = 0; i < r->sets->len; i++) {
		const eval_set *s = g_ptr_array_index(r->sets, i);
		unsigned flagged = eval_flagged(s);
		printf("%s (label %s): %u messages, %u errors\n", s->name, s->label, s->count,
		       s->errors);
		printf("  released %u (%.1f%%), tagged %u (%.1f%%), quarantined %u (%.1f%%), "
		       "rejected %u (%.1f%%)\n",
		       s->actions[0], eval_pct(s->actions[0], s->count), s->actions[1],
		       eval_pct(s->actions[1], s->count), s->actions[2],
		       eval_pct(s->actions[2], s->count), s->actions[3],
		       eval_pct(s->actions[3], s->count));
		if (s->kind == EVAL_MALICIOUS)
			printf("  detection rate: %.1f%% (%u/%u flagged)\n",
			       eval_pct(flagged, s->count), flagged, s->count);
		else if (s->kind == EVAL_BENIGN)
			printf("  false-positive rate: %.1f%% (%u/%u flagged)\n",
			       eval_pct(flagged, s->count), flagged, s->count);
		else
			printf("  flagged: %.1f%% (%u/%u)\n", eval_pct(flagged, s->count), flagged,
			       s->count);
		GArray *rules = eval_top_rules(s);
		printf("  top rules:");
		for (guint j = 0; j < rules->len && j < top; j++) {
			eval_rule_count *rc = &g_array_index(rules, eval_rule_count, j);
			printf("%s %s %u", j ? "," : "", rc->rule, rc->n);
		}
		printf("%s\n", rules->len ? "" : " none");
		g_array_unref(rules);
		eval_print_categories(s);
		printf("  time: %.1f ms total, %.2f ms mean, %.1f ms max\n", s->ms_total,
		       s->count ? s->ms_total / s->count : 0.0, s->ms_max);
	}
}

/* eval_print_json - one JSON object */
static void eval_print_json(const eval_run *r, unsigned top)
{
	JsonBuilder *b = json_builder_new();
	json_builder_begin_object(b);
	json_builder_set_member_name(b, "engine");
	json_builder_add_string_value(b, vigie_engine_version(r->engine));
	json_builder_set_member_name(b, "sets");
	json_builder_begin_array(b);
	for (guint i = 0; i < r->sets->len; i++) {
		const eval_set *s = g_ptr_array_index(r->sets, i);
		unsigned flagged = eval_flagged(s);
		json_builder_begin_object(b);
		json_builder_set_member_name(b, "name");
		json_builder_add_string_value(b, s->name);
		json_builder_set_member_name(b, "label");
		json_builder_add_string_value(b, s->label);
		json_builder_set_member_name(b, "kind");
		json_builder_add_string_value(b, s->kind == EVAL_MALICIOUS ? "malicious"
						 : s->kind == EVAL_BENIGN  ? "benign"
									   : "other");
		static const char *const keys[] = {"released", "tagged", "quarantined", "rejected"};
		json_builder_set_member_name(b, "count");
		json_builder_add_int_value(b, s->count);
		json_builder_set_member_name(b, "errors");
		json_builder_add_int_value(b, s->errors);
		for (int k = 0; k < 4; k++) {
			json_builder_set_member_name(b, keys[k]);
			json_builder_add_int_value(b, s->actions[k]);
		}
		json_builder_set_member_name(b, "flagged");
		json_builder_add_int_value(b, flagged);
		json_builder_set_member_name(b, "flagged_rate");
		json_builder_add_double_value(b, s->count ? (double)flagged / s->count : 0.0);
		if (s->kind != EVAL_OTHER) {
			json_builder_set_member_name(b, s->kind == EVAL_MALICIOUS
							    ? "detection_rate"
							    : "false_positive_rate");
			json_builder_add_double_value(b,
						      s->count ? (double)flagged / s->count : 0.0);
		}
		json_builder_set_member_name(b, "top_rules");
		json_builder_begin_array(b);
		GArray *rules = eval_top_rules(s);
		for (guint j = 0; j < rules->len && j < top; j++) {
			eval_rule_count *rc = &g_array_index(rules, eval_rule_count, j);
			json_builder_begin_object(b);
			json_builder_set_member_name(b, "rule");
			json_builder_add_string_value(b, rc->rule);
			json_builder_set_member_name(b, "count");
			json_builder_add_int_value(b, rc->n);
			json_builder_end_object(b);
		}
		g_array_unref(rules);
		json_builder_end_array(b);
		json_builder_set_member_name(b, "categories");
		json_builder_begin_object(b);
		guint nc;
		const char **cn = eval_categories(s, &nc);
		for (guint j = 0; j < nc; j++) {
			const eval_cat *c = g_hash_table_lookup(s->cats, cn[j]);
			json_builder_set_member_name(b, cn[j]);
			json_builder_begin_object(b);
			json_builder_set_member_name(b, "count");
			json_builder_add_int_value(b, c->count);
			json_builder_set_member_name(b, "flagged");
			json_builder_add_int_value(b, c->flagged);
			json_builder_end_object(b);
		}
		g_free(cn);
		json_builder_end_object(b);
		json_builder_set_member_name(b, "ms_total");
		json_builder_add_double_value(b, s->ms_total);
		json_builder_set_member_name(b, "ms_mean");
		json_builder_add_double_value(b, s->count ? s->ms_total / s->count : 0.0);
		json_builder_set_member_name(b, "ms_max");
		json_builder_add_double_value(b, s->ms_max);
		json_builder_end_object(b);
	}
	json_builder_end_array(b);
	json_builder_end_object(b);
	char *text = cli_json_text(b);
	puts(text);
	g_free(text);
}

/* cli_eval - "vigie eval ARGS"; exit 0, or 2 on a usage or load error or
 * when any input could not be scanned */
int cli_eval(const char *config, int argc, char **argv)
{
	eval_run r = {.show = SHOW_NONE};
	bool json = false;
	unsigned top = 10;
	const char *label = NULL;
	const char *features = NULL;
	GPtrArray *inputs = g_ptr_array_new(); /* pairs: label (or NULL for jsonl), path */
	for (int i = 0; i < argc; i++) {
		if (!strcmp(argv[i], "--json")) {
			json = true;
		} else if (!strcmp(argv[i], "--label") && i + 1 < argc) {
			label = argv[++i];
		} else if (!strcmp(argv[i], "--half") && i + 1 < argc) {
			i++;
			if (strcmp(argv[i], "1") && strcmp(argv[i], "2")) {
				fprintf(stderr, "vigie eval: --half takes 1 or 2\n");
				g_ptr_array_unref(inputs);
				return CLI_EXIT_ERROR;
			}
			r.half = argv[i][0] - '0';
		} else if (!strcmp(argv[i], "--top") && i + 1 < argc) {
			top = (unsigned)g_ascii_strtoull(argv[++i], NULL, 10);
		} else if (!strcmp(argv[i], "--show") && i + 1 < argc) {
			i++;
			if (!strcmp(argv[i], "missed"))
				r.show = SHOW_MISSED;
			else if (!strcmp(argv[i], "all"))
				r.show = SHOW_ALL;
			else {
				fprintf(stderr, "vigie eval: --show takes missed or all\n");
				g_ptr_array_unref(inputs);
				return CLI_EXIT_ERROR;
			}
		} else if (!strcmp(argv[i], "--features") && i + 1 < argc) {
			features = argv[++i];
		} else if (argv[i][0] == '-') {
			fprintf(stderr, "vigie eval: unknown option '%s'\n", argv[i]);
			g_ptr_array_unref(inputs);
			return CLI_EXIT_ERROR;
		} else {
			bool jsonl = g_str_has_suffix(argv[i], ".jsonl");
			if (!jsonl && !label) {
				fprintf(stderr,
					"vigie eval: %s: give --label LABEL before mail folders or "
					"files\n",
					argv[i]);
				g_ptr_array_unref(inputs);
				return CLI_EXIT_ERROR;
			}
			g_ptr_array_add(inputs, jsonl ? NULL : (gpointer)label);
			g_ptr_array_add(inputs, argv[i]);
		}
	}
	if (inputs->len == 0) {
		fprintf(stderr, "vigie eval: no input (--label LABEL DIR..., or FILE.jsonl)\n");
		g_ptr_array_unref(inputs);
		return CLI_EXIT_ERROR;
	}
	if (features) {
		r.features = fopen(features, "w");
		if (!r.features) {
			fprintf(stderr, "vigie eval: --features %s: %s\n", features, g_strerror(errno));
			g_ptr_array_unref(inputs);
			return CLI_EXIT_ERROR;
		}
	}
	r.engine = cli_engine_load(config, &r.max_size);
	if (!r.engine) {
		if (r.features)
			fclose(r.features);
		g_ptr_array_unref(inputs);
		return CLI_EXIT_ERROR;
	}
	r.sets = g_ptr_array_new_with_free_func(eval_set_free);
	bool ok = true;
	for (guint i = 0; i < inputs->len; i += 2) {
		const char *lab = g_ptr_array_index(inputs, i);
		const char *path = g_ptr_array_index(inputs, i + 1);
		if (!lab) {
			ok &= eval_jsonl(&r, path);
			continue;
		}
		char *trimmed = g_strdup(path);
		while (strlen(trimmed) > 1 && g_str_has_suffix(trimmed, "/"))
			trimmed[strlen(trimmed) - 1] = '\0';
		char *name = g_path_get_basename(trimmed);
		eval_set *s = eval_set_get(&r, name, lab);
		if (g_file_test(path, G_FILE_TEST_IS_DIR))
			eval_mail_dir(&r, s, path);
		else
			eval_mail_file(&r, s, path);
		g_free(name);
		g_free(trimmed);
	}
	if (json)
		eval_print_json(&r, top);
	else
		eval_print_text(&r, top);
	for (guint i = 0; i < r.sets->len; i++)
		ok &= ((eval_set *)g_ptr_array_index(r.sets, i))->errors == 0;
	if (r.features && fclose(r.features) != 0) {
		fprintf(stderr, "vigie eval: --features %s: %s\n", features, g_strerror(errno));
		ok = false;
	}
	g_ptr_array_unref(r.sets);
	g_ptr_array_unref(inputs);
	vigie_engine_unref(r.engine);
	return ok ? CLI_EXIT_CLEAN : CLI_EXIT_ERROR;
}
