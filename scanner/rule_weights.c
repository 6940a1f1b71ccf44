/* rule_weights.c - the weight files of the analysers whose checks are code
 * and whose scores are data: signatures/urls/weights.conf,
 * signatures/protected/sender-weights.conf, signatures/structure/weights.conf.
 *
 *   # comment
 *   RULE  WEIGHT  CATEGORY        WEIGHT an integer in [0, 1000]
 *
 * Every rule of the analyser is listed exactly once; anything else (a
 * missing or extra field, an unknown or repeated rule, a bad weight, a
 * missing rule, text that is not UTF-8) fails the engine load with an
 * error naming the file and line.
 *
 * SECURITY: the administrator's file, parsed strictly; nothing from it is
 * used before the whole file was accepted.
 */
#include "internal.h"

#include <stdlib.h>
#include <string.h>

/* rw_line - one non-comment line; false with err */
static bool rw_line(const char *path, int lineno, char *l, const char *const *ids, int n,
		    int *weight, char **category, int *line_of, GError **err)
{
	char **w = g_strsplit_set(l, " \t", -1);
	GPtrArray *f = g_ptr_array_new();
	for (int j = 0; w[j]; j++)
		if (*w[j])
			g_ptr_array_add(f, w[j]);
	bool ok = false;
	int r = -1;
	char *end = NULL;
	const char *wtext = f->len == 3 ? g_ptr_array_index(f, 1) : NULL;
	long value = wtext ? strtol(wtext, &end, 10) : -1;
	for (int k = 0; f->len == 3 && k < n; k++)
		if (strcmp(ids[k], g_ptr_array_index(f, 0)) == 0)
			r = k;
	if (f->len != 3)
		g_set_error(err, VIGIE_ERROR, VIGIE_ERROR_RULES,
			    "%s:%d: expected 'rule weight category'", path, lineno);
	else if (r < 0)
		g_set_error(err, VIGIE_ERROR, VIGIE_ERROR_RULES, "%s:%d: unknown rule '%s'", path,
			    lineno, (char *)g_ptr_array_index(f, 0));
	else if (end == wtext || *end || value < 0 || value > 1000)
		g_set_error(err, VIGIE_ERROR, VIGIE_ERROR_RULES,
			    "%s:%d: weight '%s' is not an integer in [0, 1000]", path, lineno, wtext);
	else if (line_of[r])
		g_set_error(err, VIGIE_ERROR, VIGIE_ERROR_RULES,
			    "%s:%d: rule %s already set on line %d", path, lineno, ids[r], line_of[r]);
	else {
		line_of[r] = lineno;
		weight[r] = (int)value;
		g_free(category[r]);
		category[r] = g_strdup(g_ptr_array_index(f, 2));
		ok = true;
	}
	g_ptr_array_unref(f);
	g_strfreev(w);
	return ok;
}

/* rule_weights_load - see internal.h */
bool rule_weights_load(const char *path, const char *const *ids, int n, int *weight,
		       char **category, GError **err)
{
	char *text = NULL;
	gsize len = 0;
	GError *e = NULL;
	if (!g_file_get_contents(path, &text, &len, &e)) {
		g_set_error(err, VIGIE_ERROR, VIGIE_ERROR_RULES, "%s: %s", path, e->message);
		g_error_free(e);
		return false;
	}
	if (!g_utf8_validate(text, (gssize)len, NULL) || memchr(text, '\0', len)) {
		g_set_error(err, VIGIE_ERROR, VIGIE_ERROR_RULES, "%s: not valid UTF-8 text", path);
		g_free(text);
		return false;
	}
	int *line_of = g_new0(int, n);
	char **lines = g_strsplit(text, "\n", -1);
	g_free(text);
	bool ok = true;
	for (int i = 0; ok && lines[i]; i++) {
		char *l = g_strstrip(lines[i]);
		if (*l && *l != '#')
			ok = rw_line(path, i + 1, l, ids, n, weight, category, line_of, err);
	}
	g_strfreev(lines);
	for (int k = 0; ok && k < n; k++)
		if (!line_of[k]) {
			g_set_error(err, VIGIE_ERROR, VIGIE_ERROR_RULES, "%s: no weight for rule %s",
				    path, ids[k]);
			ok = false;
		}
	g_free(line_of);
	return ok;
}
