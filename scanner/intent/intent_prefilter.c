/* intent_prefilter.c - the intent analyser's one pass per text: every
 * distinct element of every rule (a slot, a word, a pattern) compiled into
 * one Vectorscan database, which reports where each element ends; a rule
 * runs (PCRE2) only on sentences that hold all its elements.
 *
 * Vectorscan gets a loosened copy of each element (counted repeats made
 * unbounded, word separators any run of non-letters, letters in lower
 * case): a superset, which is all a prefilter needs and compiles faster.
 * An element with lookarounds is compiled approximated (HS_FLAG_PREFILTER);
 * one Vectorscan refuses outright leaves the rules that need it to PCRE2 on
 * every sentence.
 *
 * Compiling takes seconds, so a compiled database is kept: in this
 * process's memory (a reload with the same rules reuses it) and in
 * [intent] cache_dir, under the SHA-256 of Vectorscan's version and the
 * expressions. A cache folder not owned by the running user, or writable
 * by others, is not used.
 *
 * SECURITY: the expressions come from the administrator's rule files; the
 * cache files are written by this user into a folder only it can write,
 * aside and renamed, and are checked by hs_deserialize_database.
 */
#include "intent.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

/* intent_loosen - pattern re for the prefilter: every counted repeat
 * "{M,N}" made "*" (M = 0) or "+", word separators any run of
 * non-letters, letters in lower case (the text is): a superset of what re
 * matches, that Vectorscan compiles case-sensitively and faster; caller
 * g_free */
static char *intent_loosen(const char *re)
{
	GString *o = g_string_new(NULL);
	bool in_class = false;
	static const char sep[] = INTENT_SEP;
	for (const char *p = re; *p; p++) {
		/* between two words: any run of non-letters will do */
		if (!strncmp(p, sep, sizeof sep - 1)) {
			g_string_append(o, "[^a-z0-9]+");
			p += sizeof sep - 2;
			continue;
		}
		if (*p == '\\' && p[1]) {
			g_string_append_len(o, p, 2);
			p++;
			continue;
		}
		if (*p == '[')
			in_class = true;
		else if (*p == ']')
			in_class = false;
		if (!in_class && *p == '{' && g_ascii_isdigit(p[1])) {
			const char *q = p + 1;
			long m = strtol(q, (char **)&q, 10);
			if (*q == ',') {
				q++;
				while (g_ascii_isdigit(*q))
					q++;
				if (*q == '}') {
					g_string_append_c(o, m == 0 ? '*' : '+');
					p = q;
					continue;
				}
			}
		}
		/* the text is lower case: so is the pattern, outside escapes */
		g_string_append_c(o, g_ascii_tolower(*p));
	}
	return g_string_free(o, FALSE);
}

/* intent_cache_key - what identifies a compiled prefilter: Vectorscan's
 * version and every expression with its flags and id (SHA-256, hex);
 * caller g_free */
static char *intent_cache_key(const char *const *exprs, const unsigned *flags, const unsigned *ids, guint k)
{
	GChecksum *c = g_checksum_new(G_CHECKSUM_SHA256);
	g_checksum_update(c, (const guchar *)hs_version(), -1);
	for (guint i = 0; i < k; i++) {
		char head[32];
		g_snprintf(head, sizeof head, "\n%u %u ", flags[i], ids[i]);
		g_checksum_update(c, (const guchar *)head, -1);
		g_checksum_update(c, (const guchar *)exprs[i], -1);
	}
	char *key = g_strdup(g_checksum_get_string(c));
	g_checksum_free(c);
	return key;
}

/* intent_cache_path - where the database of key is kept in cache_dir
 * (created 0700; refused unless it is ours and not writable by others),
 * or NULL for none; caller g_free */
static char *intent_cache_path(const char *cache_dir, const char *key)
{
	if (!cache_dir || !*cache_dir)
		return NULL;
	if (g_mkdir_with_parents(cache_dir, 0700) != 0)
		return NULL;
	struct stat st;
	if (lstat(cache_dir, &st) != 0 || !S_ISDIR(st.st_mode) || st.st_uid != geteuid() ||
	    (st.st_mode & 022))
		return NULL;
	char *name = g_strdup_printf("intent-%s.hsdb", key);
	char *path = g_build_filename(cache_dir, name, NULL);
	g_free(name);
	return path;
}

/* The databases this process compiled or read, serialised, by key: a
 * reload with the same rules (SIGHUP storms) costs a copy, not a compile,
 * even when no cache folder is usable. The last INTENT_MEMO_MAX are kept. */
#define INTENT_MEMO_MAX 2
static GMutex intent_memo_lock;
static GQueue intent_memo_keys = G_QUEUE_INIT;
static GHashTable *intent_memo; /* key -> GBytes */

static GBytes *intent_memo_get(const char *key)
{
	g_mutex_lock(&intent_memo_lock);
	GBytes *b = intent_memo ? g_hash_table_lookup(intent_memo, key) : NULL;
	if (b)
		g_bytes_ref(b);
	g_mutex_unlock(&intent_memo_lock);
	return b;
}

static void intent_memo_put(const char *key, GBytes *bytes)
{
	g_mutex_lock(&intent_memo_lock);
	if (!intent_memo)
		intent_memo = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, (GDestroyNotify)g_bytes_unref);
	if (!g_hash_table_contains(intent_memo, key)) {
		g_hash_table_insert(intent_memo, g_strdup(key), g_bytes_ref(bytes));
		g_queue_push_tail(&intent_memo_keys, g_strdup(key));
		while (g_queue_get_length(&intent_memo_keys) > INTENT_MEMO_MAX) {
			char *old = g_queue_pop_head(&intent_memo_keys);
			g_hash_table_remove(intent_memo, old);
			g_free(old);
		}
	}
	g_mutex_unlock(&intent_memo_lock);
}

/* intent_compile_db - the Vectorscan database of exprs: from this
 * process's memory of it, else from the cache folder, else compiled (and
 * then kept in both) */
static hs_error_t intent_compile_db(const char *cache_dir, const char *const *exprs, const unsigned *flags,
				    const unsigned *ids, guint k, hs_database_t **db, hs_compile_error_t **ce)
{
	char *key = intent_cache_key(exprs, flags, ids, k);
	GBytes *mem = intent_memo_get(key);
	if (mem) {
		gsize len;
		const char *data = g_bytes_get_data(mem, &len);
		hs_error_t rc = hs_deserialize_database(data, len, db);
		g_bytes_unref(mem);
		if (rc == HS_SUCCESS) {
			g_free(key);
			return HS_SUCCESS;
		}
	}
	char *path = intent_cache_path(cache_dir, key);
	char *bytes = NULL;
	gsize len = 0;
	if (path && g_file_get_contents(path, &bytes, &len, NULL) &&
	    hs_deserialize_database(bytes, len, db) == HS_SUCCESS) {
		GBytes *b = g_bytes_new_take(bytes, len);
		intent_memo_put(key, b);
		g_bytes_unref(b);
		g_free(path);
		g_free(key);
		return HS_SUCCESS;
	}
	g_free(bytes);
	hs_error_t rc = hs_compile_multi(exprs, flags, ids, k, HS_MODE_BLOCK, NULL, db, ce);
	char *out = NULL;
	size_t n = 0;
	if (rc == HS_SUCCESS && hs_serialize_database(*db, &out, &n) == HS_SUCCESS) {
		GBytes *b = g_bytes_new(out, n);
		intent_memo_put(key, b);
		g_bytes_unref(b);
		if (path) {
			/* written aside and renamed: a reader never sees half a file */
			char *tmp = g_strdup_printf("%s.%d.tmp", path, (int)getpid());
			if (g_file_set_contents(tmp, out, (gssize)n, NULL) && rename(tmp, path) != 0)
				unlink(tmp);
			g_free(tmp);
		}
		free(out);
	}
	g_free(path);
	g_free(key);
	return rc;
}

/* intent_prefilter - the distinct elements of every rule into one
 * Vectorscan database; if Vectorscan refuses one, the rules that need it
 * are run by PCRE2 on every text instead */
void intent_prefilter_build(intent_engine *ie, const char *cache_dir)
{
	GHashTable *ids = g_hash_table_new(g_str_hash, g_str_equal);
	GPtrArray *src = g_ptr_array_new();
	for (guint i = 0; i < ie->flat->len; i++) {
		intent_rule *r = g_ptr_array_index(ie->flat, i);
		r->elems = g_array_new(FALSE, FALSE, sizeof(guint));
		for (guint k = 0; k < r->pieces->len; k++) {
			char *p = g_ptr_array_index(r->pieces, k);
			gpointer v;
			guint id;
			if (g_hash_table_lookup_extended(ids, p, NULL, &v)) {
				id = GPOINTER_TO_UINT(v);
			} else {
				id = src->len;
				g_ptr_array_add(src, p);
				g_hash_table_insert(ids, p, GUINT_TO_POINTER(id));
			}
			g_array_append_val(r->elems, id);
		}
	}
	guint n = src->len;
	GPtrArray *loose = g_ptr_array_new_with_free_func(g_free);
	for (guint i = 0; i < n; i++)
		g_ptr_array_add(loose, intent_loosen(g_ptr_array_index(src, i)));
	bool *refused = g_new0(bool, n ? n : 1);
	bool *approx = g_new0(bool, n ? n : 1);
	/* lookarounds are not Vectorscan's: approximate those from the start
	 * rather than learn it from a failed compile of everything */
	for (guint i = 0; i < n; i++) {
		const char *e = g_ptr_array_index(loose, i);
		approx[i] = strstr(e, "(?=") || strstr(e, "(?!") || strstr(e, "(?<=") || strstr(e, "(?<!");
	}
	const char **exprs = g_new0(const char *, n ? n : 1);
	unsigned *flags = g_new0(unsigned, n ? n : 1);
	unsigned *eid = g_new0(unsigned, n ? n : 1);
	for (;;) {
		guint k = 0;
		for (guint i = 0; i < n; i++) {
			if (refused[i])
				continue;
			exprs[k] = g_ptr_array_index(loose, i);
			/* bytes, not UTF-8: a class that skips one character skips
			 * each of its bytes; a superset is all a prefilter needs */
			/* every match's end is reported (no start of match: that
			 * costs Vectorscan tens of seconds to compile here) */
			flags[k] = approx[i] ? HS_FLAG_PREFILTER : 0;
			eid[k++] = i;
		}
		if (!k)
			break;
		hs_compile_error_t *ce = NULL;
		hs_database_t *db = NULL;
		if (intent_compile_db(cache_dir, exprs, flags, eid, k, &db, &ce) == HS_SUCCESS) {
			ie->db = db;
			break;
		}
		/* the expression named is left to PCRE2 on every sentence;
		 * an error naming none: all are */
		if (ce && ce->expression >= 0 && (guint)ce->expression < k) {
			if (getenv("VIGIE_INTENT_DEBUG"))
				fprintf(stderr, "intent prefilter: %s: %s\n", exprs[ce->expression], ce->message);
			/* first try it approximated (lookarounds dropped), then give up */
			if (approx[eid[ce->expression]])
				refused[eid[ce->expression]] = true;
			else
				approx[eid[ce->expression]] = true;
		} else {
			memset(refused, 1, n * sizeof *refused);
		}
		hs_free_compile_error(ce);
	}
	if (ie->db && hs_alloc_scratch(ie->db, &ie->proto) != HS_SUCCESS) {
		hs_free_database(ie->db);
		ie->db = NULL;
	}
	for (guint i = 0; i < ie->flat->len; i++) {
		intent_rule *r = g_ptr_array_index(ie->flat, i);
		for (guint k = 0; k < r->elems->len; k++)
			r->always |= !ie->db || refused[g_array_index(r->elems, guint, k)];
		g_ptr_array_unref(r->pieces);
		r->pieces = NULL;
	}
	ie->n_elems = n;
	g_free(refused);
	g_free(approx);
	g_free(exprs);
	g_free(flags);
	g_free(eid);
	g_ptr_array_unref(src); /* the strings belonged to the rules' pieces */
	g_ptr_array_unref(loose);
	g_hash_table_unref(ids);
}

