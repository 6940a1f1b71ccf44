/* sender.c - the sender analyser's lists, read at engine build
 *
 * From the [urls] protected folder (signatures/protected/README.md):
 *   brands.txt, domains.txt  the names a display name may claim: brand
 *                            names and protected domains' labels
 *                            ("horizon-assurances"). Only the names are
 *                            read here; the domains themselves, and the
 *                            lookalike check, stay with the URL analyser
 *                            (url_is_protected, url_lookalike), which
 *                            keeps them private.
 *   executives.txt           one executive per line ("Claire Dubois")
 *   roles.txt                the organisation's internal departments a
 *                            display name may claim ("HR", "Service
 *                            informatique"); optional
 *   freemail.txt             free-mail providers ("gmail.com", "hotmail.*")
 *   sender-weights.conf      "rule weight category" for every sender.* rule
 * and from [sender]: authserv_id, the Authentication-Results producers
 * trusted (sender_scan.c says how).
 *
 * SECURITY: these files are the administrator's; they are still parsed
 * strictly and every error names the file and line.
 */
#include "sender.h"
#include "url.h"

#include <stdlib.h>
#include <string.h>

const char *const sender_rule_ids[SENDER_R_COUNT] = {
    "sender.display-brand",	"sender.display-executive",	  "sender.display-address",
    "sender.display-mixed-script",
    "sender.lookalike-domain",	"sender.reply-to-freemail-brand", "sender.reply-to-freemail",
    "sender.reply-to-mismatch", "sender.return-path-mismatch",	  "sender.auth-fail-dmarc",
    "sender.auth-fail-dkim",	"sender.auth-fail-spf",		  "sender.auth-softfail-spf",
    "sender.display-role",
};

/* sender_read_lines - lines of a UTF-8 file; false with err */
static bool sender_read_lines(const char *path, char ***lines, GError **err)
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
	*lines = g_strsplit(text, "\n", -1);
	g_free(text);
	return true;
}

/* sender_fields - the blank-separated fields of a line; caller g_strfreev */
static char **sender_fields(const char *line)
{
	char **w = g_strsplit_set(line, " \t", -1);
	GPtrArray *f = g_ptr_array_new();
	for (int j = 0; w[j]; j++)
		if (*w[j])
			g_ptr_array_add(f, g_strdup(w[j]));
	g_ptr_array_add(f, NULL);
	g_strfreev(w);
	return (char **)g_ptr_array_free(f, FALSE);
}

/* sender_flat - name without '-' */
static char *sender_flat(const char *name)
{
	GString *o = g_string_new(NULL);
	for (; *name; name++)
		if (*name != '-')
			g_string_append_c(o, *name);
	return g_string_free(o, FALSE);
}

/* sender_read_weights - sender-weights.conf: "rule weight category" for
 * every rule, each once (rule_weights.c) */
static bool sender_read_weights(sender_engine *s, const char *path, GError **err)
{
	return rule_weights_load(path, sender_rule_ids, SENDER_R_COUNT, s->weight, s->category,
				 err);
}

/* sender_executive_free - one executives.txt entry */
void sender_executive_free(gpointer p)
{
	sender_executive *x = p;
	g_free(x->name);
	g_strfreev(x->words);
	g_free(x);
}

/* sender_read_executives - see sender.h. A name needs two words or more
 * (a first name alone would match half the staff of every customer), of
 * letters, apostrophes, dots and hyphens; at most 8. */
bool sender_read_executives(const char *path, GPtrArray *out, GError **err)
{
	char **lines;
	if (!sender_read_lines(path, &lines, err))
		return false;
	bool ok = true;
	for (int i = 0; ok && lines[i]; i++) {
		char *l = g_strstrip(lines[i]);
		if (!*l || *l == '#')
			continue;
		bool letters = true;
		for (const char *c = l; letters && *c; c = g_utf8_next_char(c)) {
			gunichar u = g_utf8_get_char(c);
			letters = g_unichar_isalpha(u) || g_unichar_ismark(u) || u == ' ' ||
				  u == '\t' || u == '-' || u == '.' || u == '\'' || u == 0x2019;
		}
		char **words = letters ? sender_names_words(l) : NULL;
		guint n = words ? g_strv_length(words) : 0;
		if (!letters) {
			g_set_error(err, VIGIE_ERROR, VIGIE_ERROR_RULES,
				    "%s:%d: '%s': a name is letters, spaces, '-', '.' and "
				    "apostrophes",
				    path, i + 1, l);
			ok = false;
		} else if (n < 2 || n > 8) {
			g_set_error(err, VIGIE_ERROR, VIGIE_ERROR_RULES,
				    "%s:%d: '%s': a name needs 2 to 8 words", path, i + 1, l);
			ok = false;
		}
		if (!ok) {
			g_strfreev(words);
			break;
		}
		sender_executive *x = g_new0(sender_executive, 1);
		x->name = g_strdup(l);
		x->words = words;
		g_ptr_array_add(out, x);
	}
	g_strfreev(lines);
	return ok;
}

/* sender_read_freemail - freemail.txt: "domain" or "label.*" per line */
static bool sender_read_freemail(sender_engine *s, const char *path, GError **err)
{
	char **lines;
	if (!sender_read_lines(path, &lines, err))
		return false;
	bool ok = true;
	for (int i = 0; ok && lines[i]; i++) {
		char *l = g_strstrip(lines[i]);
		if (!*l || *l == '#')
			continue;
		if (g_str_has_suffix(l, ".*")) {
			char *label = g_ascii_strdown(l, (gssize)strlen(l) - 2);
			bool valid = *label != '\0';
			for (const char *c = label; valid && *c; c++)
				valid = g_ascii_isalnum(*c) || *c == '-';
			if (valid)
				g_hash_table_add(s->freemail_labels, label);
			else {
				g_free(label);
				g_set_error(err, VIGIE_ERROR, VIGIE_ERROR_RULES,
					    "%s:%d: '%s': expected a domain or LABEL.*", path,
					    i + 1, l);
				ok = false;
			}
			continue;
		}
		char *reg = url_registrable_domain(l);
		if (!reg || strpbrk(l, " \t")) {
			g_set_error(err, VIGIE_ERROR, VIGIE_ERROR_RULES,
				    "%s:%d: '%s' is not a registrable domain", path, i + 1, l);
			ok = false;
			g_free(reg);
		} else
			g_hash_table_add(s->freemail, reg);
	}
	g_strfreev(lines);
	return ok;
}

/* sender_add_brand - a name a display name may claim */
static void sender_add_brand(sender_engine *s, const char *name, bool everyday)
{
	char *flat = sender_flat(name);
	if (strlen(flat) < 3) {
		g_free(flat);
		return;
	}
	if (everyday)
		g_hash_table_add(s->everyday, g_strdup(flat));
	if (!g_hash_table_contains(s->brands, flat))
		g_hash_table_insert(s->brands, flat, g_strdup(name));
	else
		g_free(flat);
}

/* sender_add_owner - the line of flat name lists domain: a display name
 * that names it may write from there */
static void sender_add_owner(sender_engine *s, const char *domain, const char *name, bool org)
{
	char *reg = url_registrable_domain(domain);
	char *key = reg ? reg : g_ascii_strdown(domain, -1);
	char *flat = sender_flat(name);
	if (org)
		g_hash_table_add(s->org_domains, g_strdup(key));
	GPtrArray *names = g_hash_table_lookup(s->owners, key);
	if (!names) {
		names = g_ptr_array_new_with_free_func(g_free);
		g_hash_table_insert(s->owners, g_strdup(key), names);
	}
	bool known = false;
	for (guint i = 0; !known && i < names->len; i++)
		known = strcmp(g_ptr_array_index(names, i), flat) == 0;
	if (!known && names->len < 16)
		g_ptr_array_add(names, flat);
	else
		g_free(flat);
	g_free(key);
}

/* sender_read_names - brand names of brands.txt and the labels of
 * domains.txt (both validated in full by the URL analyser; here a line
 * whose name is not a-z, 0-9, '-' is an error too) */
static bool sender_read_names(sender_engine *s, const char *dir, GError **err)
{
	static const char *const files[] = {"brands.txt", "domains.txt"};
	bool ok = true;
	for (guint f = 0; ok && f < G_N_ELEMENTS(files); f++) {
		char *path = g_build_filename(dir, files[f], NULL);
		char **lines = NULL;
		ok = sender_read_lines(path, &lines, err);
		for (int i = 0; ok && lines[i]; i++) {
			char *l = g_strstrip(lines[i]);
			if (!*l || *l == '#')
				continue;
			char **w = sender_fields(l);
			const char *name = w[0];
			bool everyday = f == 0 && name[0] == '=';
			char *reg = NULL, *label = NULL;
			if (everyday)
				name++;
			if (f == 1) {
				reg = url_registrable_domain(name);
				const char *suffix = reg ? url_normalise_suffix_of(reg) : NULL;
				if (suffix && suffix > reg + 1)
					label = g_strndup(reg, (gsize)(suffix - reg - 1));
				name = label ? label : "";
			}
			bool valid = *name != '\0';
			for (const char *c = name; valid && *c; c++)
				valid = g_ascii_islower(*c) || g_ascii_isdigit(*c) || *c == '-';
			if (valid) {
				sender_add_brand(s, name, everyday);
				if (f == 1)
					sender_add_owner(s, w[0], name, true);
				for (int d = 1; f == 0 && w[d]; d++)
					sender_add_owner(s, w[d], name, false);
			} else {
				g_set_error(err, VIGIE_ERROR, VIGIE_ERROR_RULES,
					    "%s:%d: '%s' is not a name of a-z, 0-9, '-'", path,
					    i + 1, w[0]);
				ok = false;
			}
			g_free(label);
			g_free(reg);
			g_strfreev(w);
		}
		g_strfreev(lines);
		g_free(path);
	}
	return ok;
}

/* sender_read_roles - roles.txt (optional: absent, no roles): one
 * department per line, one to six words, kept as normalised words */
static bool sender_read_roles(const char *path, GPtrArray *out, GError **err)
{
	if (!g_file_test(path, G_FILE_TEST_EXISTS))
		return true;
	char **lines;
	if (!sender_read_lines(path, &lines, err))
		return false;
	bool ok = true;
	for (int i = 0; ok && lines[i]; i++) {
		char *l = g_strstrip(lines[i]);
		if (!*l || *l == '#')
			continue;
		char **words = sender_names_words(l);
		guint n = g_strv_length(words);
		if (n < 1 || n > 6) {
			rule_line_error(err, path, i + 1, "a department is one to six words, not '%s'", l);
			g_strfreev(words);
			ok = false;
		} else
			g_ptr_array_add(out, words);
	}
	g_strfreev(lines);
	return ok;
}

/* sender_engine_load_dir - see sender.h */
sender_engine *sender_engine_load_dir(const char *dir, const char *const *authserv_ids,
				      GError **err)
{
	sender_engine *s = g_new0(sender_engine, 1);
	s->freemail = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, NULL);
	s->freemail_labels = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, NULL);
	s->brands = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, g_free);
	s->everyday = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, NULL);
	s->owners = g_hash_table_new_full(g_str_hash, g_str_equal, g_free,
					  (GDestroyNotify)g_ptr_array_unref);
	s->org_domains = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, NULL);
	s->executives = g_ptr_array_new_with_free_func(sender_executive_free);
	s->roles = g_ptr_array_new_with_free_func((GDestroyNotify)g_strfreev);
	GPtrArray *ids = g_ptr_array_new();
	for (guint i = 0; authserv_ids && authserv_ids[i]; i++)
		if (*authserv_ids[i])
			g_ptr_array_add(ids, g_ascii_strdown(authserv_ids[i], -1));
	g_ptr_array_add(ids, NULL);
	s->authserv_ids = (char **)g_ptr_array_free(ids, FALSE);

	char *weights = g_build_filename(dir, "sender-weights.conf", NULL);
	char *executives = g_build_filename(dir, "executives.txt", NULL);
	char *freemail = g_build_filename(dir, "freemail.txt", NULL);
	char *roles = g_build_filename(dir, "roles.txt", NULL);
	bool ok = sender_read_weights(s, weights, err) &&
		  sender_read_executives(executives, s->executives, err) &&
		  sender_read_roles(roles, s->roles, err) &&
		  sender_read_freemail(s, freemail, err) && sender_read_names(s, dir, err);
	g_free(roles);
	g_free(freemail);
	g_free(executives);
	g_free(weights);
	if (!ok) {
		sender_engine_free(s);
		return NULL;
	}
	s->describe =
	    g_strdup_printf("sender: %u names, %u executives, %u departments, %u free-mail domains",
			    g_hash_table_size(s->brands), s->executives->len, s->roles->len,
			    g_hash_table_size(s->freemail) + g_hash_table_size(s->freemail_labels));
	return s;
}

/* sender_engine_load - see internal.h */
sender_engine *sender_engine_load(const vigie_config *c, GError **err)
{
	char **ids = config_get_list(c, "sender", "authserv_id");
	sender_engine *s = sender_engine_load_dir(vigie_config_get(c, "urls", "protected"),
						  (const char *const *)ids, err);
	g_strfreev(ids);
	if (s) {
		char **own = config_get_list(c, "sender", "own_domains");
		for (int i = 0; own[i]; i++) {
			char *low = g_ascii_strdown(own[i], -1);
			g_free(own[i]);
			own[i] = low;
		}
		g_strfreev(s->own_domains);
		s->own_domains = own;
	}
	return s;
}

/* sender_engine_free - NULL is a no-op */
void sender_engine_free(sender_engine *s)
{
	if (!s)
		return;
	for (int k = 0; k < SENDER_R_COUNT; k++)
		g_free(s->category[k]);
	g_hash_table_unref(s->freemail);
	g_hash_table_unref(s->freemail_labels);
	g_hash_table_unref(s->brands);
	g_hash_table_unref(s->everyday);
	g_hash_table_unref(s->owners);
	g_hash_table_unref(s->org_domains);
	g_ptr_array_unref(s->executives);
	if (s->roles)
		g_ptr_array_unref(s->roles);
	g_strfreev(s->authserv_ids);
	g_strfreev(s->own_domains);
	g_free(s->describe);
	g_free(s);
}

const char *sender_engine_describe(const sender_engine *s)
{
	return s->describe;
}

/* sender_is_freemail - see sender.h */
bool sender_is_freemail(const sender_engine *s, const char *domain)
{
	char *reg = domain ? url_registrable_domain(domain) : NULL;
	if (!reg)
		return false;
	bool r = g_hash_table_contains(s->freemail, reg);
	const char *suffix = url_normalise_suffix_of(reg);
	if (!r && suffix > reg + 1) {
		char *label = g_strndup(reg, (gsize)(suffix - reg - 1));
		r = g_hash_table_contains(s->freemail_labels, label);
		g_free(label);
	}
	g_free(reg);
	return r;
}
