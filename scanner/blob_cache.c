/* blob_cache.c - compiled rule data kept between engine builds: in this
 * process's memory (a reload with the same rules costs a copy) and in a
 * cache folder (a restart costs a read), under a name the caller derives
 * from everything the data depends on (a SHA-256 of the rules and the
 * compiler's version).
 *
 * Interface: blob_cache_dir(config) -> the folder ([intent] cache_dir,
 * "auto": $XDG_CACHE_HOME/vigie), blob_cache_get(dir, name) -> GBytes or
 * NULL, blob_cache_put(dir, name, bytes). The caller checks what it gets
 * back (a blob it cannot parse is rebuilt), so a damaged file costs a
 * compile, never a wrong result.
 *
 * SECURITY: a cache folder not owned by the running user, or writable by
 * others, is not used; files are written aside and renamed, so a reader
 * never sees half of one. The bytes read are parsed by the caller, which
 * treats them as untrusted sizes (bounds checked) and hands compiled
 * databases to their library's own checked loader (hs_deserialize_database).
 */
#include "internal.h"

#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

/* the last BLOB_MEMO_MAX blobs got or put, by name */
#define BLOB_MEMO_MAX 4
static GMutex blob_memo_lock;
static GQueue blob_memo_names = G_QUEUE_INIT;
static GHashTable *blob_memo; /* name -> GBytes */

/* blob_cache_dir - see internal.h */
char *blob_cache_dir(const vigie_config *c)
{
	const char *v = vigie_config_get(c, "intent", "cache_dir");
	if (!v || !*v)
		return NULL;
	return !strcmp(v, "auto") ? g_build_filename(g_get_user_cache_dir(), "vigie", NULL)
				  : g_strdup(v);
}

/* blob_path - the file of name in dir (created 0700; refused unless ours
 * and not writable by others), or NULL; caller g_free */
static char *blob_path(const char *dir, const char *name)
{
	if (!dir || !*dir || g_mkdir_with_parents(dir, 0700) != 0)
		return NULL;
	struct stat st;
	if (lstat(dir, &st) != 0 || !S_ISDIR(st.st_mode) || st.st_uid != geteuid() ||
	    (st.st_mode & 022))
		return NULL;
	return g_build_filename(dir, name, NULL);
}

static void blob_memo_put(const char *name, GBytes *b)
{
	g_mutex_lock(&blob_memo_lock);
	if (!blob_memo)
		blob_memo = g_hash_table_new_full(g_str_hash, g_str_equal, g_free,
						  (GDestroyNotify)g_bytes_unref);
	if (!g_hash_table_contains(blob_memo, name)) {
		g_hash_table_insert(blob_memo, g_strdup(name), g_bytes_ref(b));
		g_queue_push_tail(&blob_memo_names, g_strdup(name));
		while (g_queue_get_length(&blob_memo_names) > BLOB_MEMO_MAX) {
			char *old = g_queue_pop_head(&blob_memo_names);
			g_hash_table_remove(blob_memo, old);
			g_free(old);
		}
	}
	g_mutex_unlock(&blob_memo_lock);
}

/* blob_cache_get - see internal.h */
GBytes *blob_cache_get(const char *dir, const char *name)
{
	g_mutex_lock(&blob_memo_lock);
	GBytes *b = blob_memo ? g_hash_table_lookup(blob_memo, name) : NULL;
	if (b)
		g_bytes_ref(b);
	g_mutex_unlock(&blob_memo_lock);
	if (b)
		return b;
	char *path = blob_path(dir, name);
	char *data = NULL;
	gsize len = 0;
	if (path && g_file_get_contents(path, &data, &len, NULL)) {
		b = g_bytes_new_take(data, len);
		blob_memo_put(name, b);
	}
	g_free(path);
	return b;
}

/* blob_cache_put - see internal.h */
void blob_cache_put(const char *dir, const char *name, GBytes *b)
{
	blob_memo_put(name, b);
	char *path = blob_path(dir, name);
	if (!path)
		return;
	char *tmp = g_strdup_printf("%s.%d.tmp", path, (int)getpid());
	gsize len;
	const char *data = g_bytes_get_data(b, &len);
	if (!g_file_set_contents(tmp, data, (gssize)len, NULL) || rename(tmp, path) != 0)
		unlink(tmp);
	g_free(tmp);
	g_free(path);
}
