/* phone.c - the phone number analyser: engine and scan
 *
 * Interface (internal.h): phone_engine_load/_free/_describe, phone_scan.
 * Every text of a message (the attachments' too, when the attachment
 * analyser ran first) and its Subject are read for phone numbers
 * (phone_extract.c, national forms read in [phone] country). Each number
 * is typed by the longest prefix of [phone] ranges that it starts with,
 * and compared with the organisation's own numbers ([phone] own_numbers).
 * Findings (weights and categories: [phone] weights), one per rule and
 * message, the first number as evidence:
 *   phone.number          numbers were found (weight 0: a fact for the
 *                         reviewer, the campaign memory and other rules)
 *   phone.premium-rate, phone.shared-cost, phone.personal, phone.satellite,
 *   phone.irsf, phone.toll-free
 *                         a number of that type (ranges file)
 *   phone.lookalike       a number one or two digits (or one swap) away
 *                         from one of the organisation's own numbers
 *   phone.callback-lure   a number that is not the organisation's, no web
 *                         link anywhere in the message, and a finding of
 *                         one of [phone] lure_rules (a charge, a renewal
 *                         to dispute) already in the verdict: the callback
 *                         phishing form, where the phone number is the link
 *
 * Ranges file: "PREFIX TYPE [COMMENT...]" lines, PREFIX "+" and 1 to 15
 * digits, TYPE one of the types above; own numbers: "NUMBER [LABEL...]"
 * lines, NUMBER in E.164. A bad line stops the engine load, naming file
 * and line.
 *
 * SECURITY: rule files are the administrator's, parsed strictly; texts
 * are the sender's and only searched (phone_extract.c).
 */
#include "phone.h"

#include <string.h>

enum {
	P_NUMBER,
	P_PREMIUM,
	P_SHARED,
	P_PERSONAL,
	P_SATELLITE,
	P_IRSF,
	P_TOLLFREE,
	P_LOOKALIKE,
	P_LURE,
	P_COUNT
};
static const char *const phone_rule_ids[P_COUNT] = {
    "phone.number",    "phone.premium-rate", "phone.shared-cost",
    "phone.personal",  "phone.satellite",    "phone.irsf",
    "phone.toll-free", "phone.lookalike",    "phone.callback-lure",
};
/* the types of the ranges file, and their rules */
static const struct {
	const char *type;
	int rule;
} phone_types[] = {
    {"premium-rate", P_PREMIUM}, {"shared-cost", P_SHARED}, {"personal", P_PERSONAL},
    {"satellite", P_SATELLITE},	 {"irsf", P_IRSF},	    {"toll-free", P_TOLLFREE},
};
/* [phone] country: ISO 3166 code -> calling code */
static const struct {
	const char *iso, *cc;
} phone_countries[] = {
    {"FR", "33"}, {"GB", "44"},	 {"US", "1"},	{"CA", "1"},  {"BE", "32"},
    {"CH", "41"}, {"DE", "49"},	 {"ES", "34"},	{"IT", "39"}, {"PT", "351"},
    {"NL", "31"}, {"LU", "352"}, {"IE", "353"}, {"AT", "43"},
};

struct phone_engine {
	GHashTable *ranges; /* "+3389" -> GINT_TO_POINTER(rule + 1) */
	guint longest;	    /* longest prefix, in characters */
	GPtrArray *own;	    /* of char* "+33...": the organisation's numbers */
	GPtrArray *own_label;
	char *cc;
	guint max_numbers;
	char **lure_rules;
	int weight[P_COUNT];
	char *category[P_COUNT];
	char *describe;
};

/* phone_country_code - the calling code of an ISO country code, or NULL */
const char *phone_country_code(const char *iso)
{
	for (gsize i = 0; i < G_N_ELEMENTS(phone_countries); i++)
		if (!g_ascii_strcasecmp(iso, phone_countries[i].iso))
			return phone_countries[i].cc;
	return NULL;
}

/* phone_e164_ok - "+" and 1..15 digits */
static bool phone_e164_ok(const char *s, size_t min)
{
	if (s[0] != '+')
		return false;
	size_t n = strlen(s + 1);
	if (n < min || n > PHONE_MAX_DIGITS)
		return false;
	for (const char *c = s + 1; *c; c++)
		if (!g_ascii_isdigit(*c))
			return false;
	return true;
}

/* phone_load_lines - each non-comment line of path, split into its first
 * two fields (the second may be NULL), to fn; false with err */
typedef bool (*phone_line_fn)(struct phone_engine *p, const char *path, int line, const char *a,
			      const char *b, const char *rest, GError **err);
static bool phone_load_lines(struct phone_engine *p, const char *path, phone_line_fn fn,
			     GError **err)
{
	char *text = NULL;
	gsize len;
	GError *e = NULL;
	if (!g_file_get_contents(path, &text, &len, &e)) {
		rule_line_error(err, path, 0, "%s", e->message);
		g_error_free(e);
		return false;
	}
	if (!g_utf8_validate(text, (gssize)len, NULL)) {
		rule_line_error(err, path, 0, "not UTF-8 text");
		g_free(text);
		return false;
	}
	char **lines = g_strsplit(text, "\n", -1);
	g_free(text);
	bool ok = true;
	for (int i = 0; ok && lines[i]; i++) {
		char *l = g_strstrip(lines[i]);
		if (!*l || *l == '#')
			continue;
		char *cur = l;
		char *a = rule_line_field(&cur);
		char *b = rule_line_field(&cur);
		ok = fn(p, path, i + 1, a, b, cur ? g_strstrip(cur) : "", err);
	}
	g_strfreev(lines);
	return ok;
}

static bool phone_range_line(struct phone_engine *p, const char *path, int line, const char *a,
			     const char *b, const char *rest, GError **err)
{
	(void)rest;
	if (!a || !phone_e164_ok(a, 1)) {
		rule_line_error(err, path, line, "expected a prefix such as +3389, got '%s'",
				a ? a : "");
		return false;
	}
	int rule = -1;
	for (gsize k = 0; b && k < G_N_ELEMENTS(phone_types); k++)
		if (!strcmp(b, phone_types[k].type))
			rule = phone_types[k].rule;
	if (rule < 0) {
		rule_line_error(
		    err, path, line,
		    "unknown type '%s' (premium-rate, shared-cost, personal, satellite, irsf, "
		    "toll-free)",
		    b ? b : "");
		return false;
	}
	if (g_hash_table_contains(p->ranges, a)) {
		rule_line_error(err, path, line, "prefix %s listed twice", a);
		return false;
	}
	g_hash_table_insert(p->ranges, g_strdup(a), GINT_TO_POINTER(rule + 1));
	p->longest = MAX(p->longest, (guint)strlen(a));
	return true;
}

static bool phone_own_line(struct phone_engine *p, const char *path, int line, const char *a,
			   const char *b, const char *rest, GError **err)
{
	if (!a || !phone_e164_ok(a, 6)) {
		rule_line_error(err, path, line,
				"expected a number in E.164 such as +33123456789, got '%s'",
				a ? a : "");
		return false;
	}
	g_ptr_array_add(p->own, g_strdup(a));
	g_ptr_array_add(p->own_label, b ? g_strjoin(" ", b, rest, NULL) : g_strdup(""));
	return true;
}

/* phone_engine_load_files - see internal.h */
phone_engine *phone_engine_load_files(const char *ranges, const char *own, const char *weights,
				      const char *cc, GError **err)
{
	phone_engine *p = g_new0(phone_engine, 1);
	p->ranges = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, NULL);
	p->own = g_ptr_array_new_with_free_func(g_free);
	p->own_label = g_ptr_array_new_with_free_func(g_free);
	p->cc = g_strdup(cc);
	p->max_numbers = 50;
	/* [phone] lure_rules as the configuration table has it by default */
	p->lure_rules = g_strsplit("lexicon.charge,lexicon.renewal,intent.charge-claim", ",", -1);
	if (!phone_load_lines(p, ranges, phone_range_line, err) ||
	    (own && !phone_load_lines(p, own, phone_own_line, err)) ||
	    !rule_weights_load(weights, phone_rule_ids, P_COUNT, p->weight, p->category, err)) {
		phone_engine_free(p);
		return NULL;
	}
	p->describe = g_strdup_printf("phone: %u ranges, %u own numbers",
				      g_hash_table_size(p->ranges), p->own->len);
	return p;
}

/* phone_engine_load - see internal.h */
phone_engine *phone_engine_load(const vigie_config *c, GError **err)
{
	const char *cc = phone_country_code(vigie_config_get(c, "phone", "country"));
	g_assert(cc); /* the config table allows only the countries above */
	const char *own = vigie_config_get(c, "phone", "own_numbers");
	phone_engine *p =
	    phone_engine_load_files(vigie_config_get(c, "phone", "ranges"), *own ? own : NULL,
				    vigie_config_get(c, "phone", "weights"), cc, err);
	if (!p)
		return NULL;
	p->max_numbers = (guint)vigie_config_get_int(c, "phone", "max_numbers");
	g_strfreev(p->lure_rules);
	p->lure_rules = config_get_list(c, "phone", "lure_rules");
	return p;
}

void phone_engine_free(phone_engine *p)
{
	if (!p)
		return;
	if (p->ranges)
		g_hash_table_unref(p->ranges);
	if (p->own)
		g_ptr_array_unref(p->own);
	if (p->own_label)
		g_ptr_array_unref(p->own_label);
	g_strfreev(p->lure_rules);
	for (int i = 0; i < P_COUNT; i++)
		g_free(p->category[i]);
	g_free(p->cc);
	g_free(p->describe);
	g_free(p);
}

const char *phone_engine_describe(const phone_engine *p)
{
	return p->describe;
}

/* phone_type - the rule of the longest listed prefix of e164, or -1 */
int phone_type(const phone_engine *p, const char *e164, const char **type)
{
	char buf[PHONE_MAX_DIGITS + 2];
	g_strlcpy(buf, e164, sizeof buf);
	for (size_t n = MIN(strlen(buf), p->longest); n >= 2; n--) {
		buf[n] = '\0';
		gpointer r = g_hash_table_lookup(p->ranges, buf);
		if (r) {
			int rule = GPOINTER_TO_INT(r) - 1;
			for (gsize k = 0; type && k < G_N_ELEMENTS(phone_types); k++)
				if (phone_types[k].rule == rule)
					*type = phone_types[k].type;
			return rule;
		}
	}
	return -1;
}

/* phone_near - a and b (E.164, same length) differ in one or two digits,
 * or by one swap of neighbours */
static bool phone_near(const char *a, const char *b)
{
	size_t n = strlen(a);
	if (n != strlen(b) || !strcmp(a, b))
		return false;
	int diff = 0, first = -1;
	for (size_t i = 0; i < n; i++)
		if (a[i] != b[i]) {
			if (first < 0)
				first = (int)i;
			diff++;
		}
	if (diff <= 2 && first >= 4) /* the country and area are the same */
		return true;
	return false;
}

/* phone_own - index of e164 among the own numbers, or -1; *near set to
 * the index of an own number it imitates */
static int phone_own(const phone_engine *p, const char *e164, int *near)
{
	*near = -1;
	for (guint i = 0; i < p->own->len; i++) {
		const char *o = g_ptr_array_index(p->own, i);
		if (!strcmp(o, e164))
			return (int)i;
		if (*near < 0 && phone_near(o, e164))
			*near = (int)i;
	}
	return -1;
}

/* phone_has_link - a web link anywhere in m (a link of a text, or a URL
 * written in one) */
static bool phone_has_link(const vigie_message *m)
{
	for (guint i = 0; i < m->texts->len; i++) {
		const vigie_text *t = g_ptr_array_index(m->texts, i);
		for (guint j = 0; j < t->links->len; j++) {
			const vigie_link *l = g_ptr_array_index(t->links, j);
			if (!g_ascii_strncasecmp(l->href, "http", 4) ||
			    !g_ascii_strncasecmp(l->href, "www.", 4))
				return true;
		}
		if (strstr(t->text, "http://") || strstr(t->text, "https://") ||
		    strstr(t->text, "www."))
			return true;
	}
	return false;
}

/* phone_lure_rule - the first finding of v among the lure rules, or NULL */
static const char *phone_lure_rule(const phone_engine *p, const vigie_verdict *v)
{
	for (guint i = 0; i < v->findings->len; i++) {
		const vigie_finding *f = g_ptr_array_index(v->findings, i);
		if (g_strv_contains((const char *const *)p->lure_rules, f->rule))
			return f->rule;
	}
	return NULL;
}

static void phone_fire(const phone_engine *p, vigie_verdict *v, bool *fired, int rule,
		       const char *ev, const char *where)
{
	if (fired[rule])
		return;
	fired[rule] = true;
	verdict_add_finding(v, phone_rule_ids[rule], p->category[rule], p->weight[rule], ev, where);
}

/* phone_drop_misread - a number read in the national form of [phone]
 * country whose digits are also in the message in international form
 * with another country code ("+353 818 304 304 ... 0818 304 304") is that
 * other country's: the national reading is dropped */
static void phone_drop_misread(GPtrArray *found, GPtrArray *wheres)
{
	for (guint i = 0; i < found->len;) {
		const phone_found *f = g_ptr_array_index(found, i);
		bool national =
		    f->written[0] != '+' && !(f->written[0] == '0' && f->written[1] == '0');
		const char *nsn = NULL; /* the digits after the national trunk 0 */
		for (const char *c = f->written; national && *c; c++)
			if (g_ascii_isdigit(*c)) {
				nsn = *c == '0' ? c + 1 : NULL;
				break;
			}
		bool drop = false;
		if (nsn) {
			char *digits = g_new0(char, strlen(nsn) + 1);
			size_t k = 0;
			for (const char *c = nsn; *c; c++)
				if (g_ascii_isdigit(*c))
					digits[k++] = *c;
			for (guint j = 0; j < found->len && !drop && k >= 6; j++) {
				const phone_found *g = g_ptr_array_index(found, j);
				drop = j != i && strcmp(g->e164, f->e164) &&
				       g_str_has_suffix(g->e164, digits);
			}
			g_free(digits);
		}
		if (drop) {
			g_ptr_array_remove_index(found, i);
			g_ptr_array_remove_index(wheres, i);
		} else {
			i++;
		}
	}
}

/* phone_scan - see internal.h */
bool phone_scan(const phone_engine *p, const vigie_message *m, vigie_verdict *v, GError **err)
{
	(void)err;
	GPtrArray *found = g_ptr_array_new_with_free_func(phone_found_free);
	GPtrArray *wheres = g_ptr_array_new(); /* where each number was met (borrowed) */
	const char *subject = vigie_message_header(m, "Subject");
	if (subject) {
		phone_extract(subject, p->cc, found, p->max_numbers);
		while (wheres->len < found->len)
			g_ptr_array_add(wheres, (gpointer) "header Subject");
	}
	for (guint i = 0; i < m->texts->len && found->len < p->max_numbers; i++) {
		const vigie_text *t = g_ptr_array_index(m->texts, i);
		phone_extract(t->text, p->cc, found, p->max_numbers);
		while (wheres->len < found->len)
			g_ptr_array_add(wheres, t->where);
	}
	phone_drop_misread(found, wheres);
	bool fired[P_COUNT] = {false};
	const phone_found *stranger = NULL; /* the first number that is not the organisation's */
	const char *stranger_where = NULL;
	GString *all = g_string_new(NULL);
	for (guint i = 0; i < found->len; i++) {
		const phone_found *f = g_ptr_array_index(found, i);
		const char *where = g_ptr_array_index(wheres, i);
		if (i < 10)
			g_string_append_printf(all, "%s%s", i ? ", " : "", f->e164);
		int near;
		bool own = phone_own(p, f->e164, &near) >= 0;
		if (!own && !stranger) {
			stranger = f;
			stranger_where = where;
		}
		const char *type = NULL;
		int rule = phone_type(p, f->e164, &type);
		if (rule >= 0 && !own) {
			char *ev =
			    g_strdup_printf("%s (written %s): %s", f->e164, f->written, type);
			phone_fire(p, v, fired, rule, ev, where);
			g_free(ev);
		}
		if (near >= 0) {
			const char *label = g_ptr_array_index(p->own_label, near);
			char *ev = g_strdup_printf(
			    "%s (written %s) imitates the organisation's %s%s%s", f->e164,
			    f->written, (const char *)g_ptr_array_index(p->own, near),
			    *label ? " " : "", label);
			phone_fire(p, v, fired, P_LOOKALIKE, ev, where);
			g_free(ev);
		}
	}
	if (found->len) {
		char *ev = g_strdup_printf("%u numbers: %s%s", found->len, all->str,
					   found->len > 10 ? ", ..." : "");
		phone_fire(p, v, fired, P_NUMBER, ev, "message");
		g_free(ev);
	}
	if (stranger && !phone_has_link(m)) {
		const char *lure = phone_lure_rule(p, v);
		if (lure) {
			char *ev = g_strdup_printf("call %s (written %s), no link, and %s",
						   stranger->e164, stranger->written, lure);
			phone_fire(p, v, fired, P_LURE, ev, stranger_where);
			g_free(ev);
		}
	}
	g_string_free(all, TRUE);
	g_ptr_array_unref(wheres);
	g_ptr_array_unref(found);
	return true;
}
