/* quarantine_review.c - what security staff do with the quarantine folder:
 * list, load, claim for release, finish or undo a release, delete, purge;
 * and the release token that lets a released mail pass the milter once.
 *
 * State changes are renames (atomic on one filesystem): an item moves from
 * new/ to released/ or deleted/. A release first claims the item by
 * renaming new/ID.eml to released/ID.eml: of two concurrent releases only
 * one rename succeeds, so the item is delivered once. If the MTA refuses,
 * the bytes go back to new/ and the item stays quarantined.
 *
 * Release token (header X-Vigie-Release: ID; t=UNIX; mac=HEX): HMAC-SHA256
 * with the folder's secret (QDIR/release.key, 32 random bytes, 0600) over
 * "ID\nUNIX". The milter honours it only if the MAC is right, the time is
 * within RELEASE_WINDOW seconds and released/ID.eml exists: a sender cannot
 * forge one, and an old one cannot be replayed.
 *
 * SECURITY: ids given on the command line are checked against the exact
 * shape vigie_quarantine_valid_id accepts before any path is built; files
 * are opened with O_NOFOLLOW, so a symbolic link planted in the folder is
 * never followed out of it. Metadata is read as JSON and never executed.
 */
#include "internal.h"

#include <errno.h>
#include <fcntl.h>
#include <json-glib/json-glib.h>
#include <stdio.h>
#include <string.h>
#include <sys/random.h>
#include <sys/stat.h>
#include <unistd.h>

#define RELEASE_WINDOW 600

/* review_read - whole file, refusing symbolic links; NULL with err */
static char *review_read(const char *path, gsize *len, GError **err)
{
	int fd = open(path, O_RDONLY | O_NOFOLLOW | O_CLOEXEC);
	if (fd < 0) {
		g_set_error(err, VIGIE_ERROR, VIGIE_ERROR_IO, "%s: %s", path, g_strerror(errno));
		return NULL;
	}
	GByteArray *buf = g_byte_array_new();
	guint8 chunk[65536];
	ssize_t n;
	while ((n = read(fd, chunk, sizeof chunk)) > 0)
		g_byte_array_append(buf, chunk, (guint)n);
	close(fd);
	if (len)
		*len = buf->len;
	g_byte_array_append(buf, (const guint8 *)"", 1);
	return (char *)g_byte_array_free(buf, FALSE);
}

static const char *review_str(JsonObject *o, const char *name)
{
	if (!o || !json_object_has_member(o, name))
		return NULL;
	JsonNode *n = json_object_get_member(o, name);
	return JSON_NODE_HOLDS_VALUE(n) && json_node_get_value_type(n) == G_TYPE_STRING
		       ? json_node_get_string(n)
		       : NULL;
}

static void review_item_free(gpointer p)
{
	vigie_qitem *it = p;
	if (!it)
		return;
	g_free(it->id);
	g_free(it->time);
	g_free(it->state);
	g_free(it->channel);
	g_free(it->action);
	g_free(it->sender);
	g_free(it->recipients);
	g_free(it->subject);
	g_free(it->categories);
	g_free(it->rules);
	g_free(it->meta_json);
	g_free(it->folder);
	g_free(it);
}

void vigie_qitem_free(vigie_qitem *it)
{
	review_item_free(it);
}

/* review_parse - an item from its metadata text */
static vigie_qitem *review_parse(const char *id, const char *folder, const char *json, GError **err)
{
	JsonParser *p = json_parser_new();
	if (!json_parser_load_from_data(p, json, -1, err)) {
		g_object_unref(p);
		return NULL;
	}
	JsonNode *root = json_parser_get_root(p);
	if (!JSON_NODE_HOLDS_OBJECT(root)) {
		g_set_error(err, VIGIE_ERROR, VIGIE_ERROR_IO, "%s: metadata is not a JSON object", id);
		g_object_unref(p);
		return NULL;
	}
	JsonObject *o = json_node_get_object(root);
	JsonObject *env = json_object_has_member(o, "envelope") ? json_object_get_object_member(o, "envelope") : NULL;
	JsonObject *hdr = json_object_has_member(o, "headers") ? json_object_get_object_member(o, "headers") : NULL;
	JsonObject *v = json_object_has_member(o, "verdict") ? json_object_get_object_member(o, "verdict") : NULL;
	vigie_qitem *it = g_new0(vigie_qitem, 1);
	it->id = g_strdup(id);
	it->folder = g_strdup(folder);
	it->time = g_strdup(review_str(o, "time") ? review_str(o, "time") : "");
	it->unix_time = json_object_has_member(o, "unix_time") ? json_object_get_int_member(o, "unix_time") : 0;
	it->state = g_strdup(review_str(o, "state") ? review_str(o, "state") : "quarantined");
	it->channel = g_strdup(review_str(o, "channel") ? review_str(o, "channel") : "");
	it->action = g_strdup(review_str(v, "action") ? review_str(v, "action") : "");
	it->score = v && json_object_has_member(v, "score") ? (int)json_object_get_int_member(v, "score") : 0;
	const char *from = review_str(hdr, "From");
	if (!from)
		from = review_str(env, "mail_from");
	if (!from)
		from = review_str(env, "author_name") ? review_str(env, "author_name") : review_str(env, "author_id");
	it->sender = g_strdup(from ? from : "");
	GString *rc = g_string_new(NULL);
	if (env && json_object_has_member(env, "rcpt_to")) {
		JsonArray *a = json_object_get_array_member(env, "rcpt_to");
		for (guint i = 0; a && i < json_array_get_length(a); i++) {
			if (rc->len)
				g_string_append(rc, ", ");
			g_string_append(rc, json_array_get_string_element(a, i));
		}
	} else if (review_str(env, "conversation")) {
		g_string_append(rc, review_str(env, "conversation"));
	}
	it->recipients = g_string_free(rc, FALSE);
	it->subject = g_strdup(review_str(hdr, "Subject") ? review_str(hdr, "Subject") : "");
	GString *cats = g_string_new(NULL), *rules = g_string_new(NULL);
	JsonArray *fa = v && json_object_has_member(v, "findings") ? json_object_get_array_member(v, "findings") : NULL;
	for (guint i = 0; fa && i < json_array_get_length(fa); i++) {
		JsonObject *f = json_array_get_object_element(fa, i);
		const char *cat = review_str(f, "category"), *rule = review_str(f, "rule");
		if (cat && !strstr(cats->str, cat)) {
			if (cats->len)
				g_string_append_c(cats, ',');
			g_string_append(cats, cat);
		}
		if (rule) {
			if (rules->len)
				g_string_append_c(rules, ',');
			g_string_append(rules, rule);
		}
	}
	it->categories = g_string_free(cats, FALSE);
	it->rules = g_string_free(rules, FALSE);
	it->meta_json = g_strdup(json);
	g_object_unref(p);
	return it;
}

/* review_match - does item pass the filter */
static bool review_match(const vigie_qitem *it, const vigie_qfilter *f)
{
	if (!f)
		return true;
	if (f->channel && g_strcmp0(it->channel, f->channel))
		return false;
	if (f->action && g_strcmp0(it->action, f->action))
		return false;
	if (f->since && it->unix_time < f->since)
		return false;
	if (f->until && it->unix_time > f->until)
		return false;
	if (f->min_score && it->score < f->min_score)
		return false;
	if (f->category && !strstr(it->categories, f->category))
		return false;
	if (f->rule && !strstr(it->rules, f->rule))
		return false;
	if (f->sender && !strcasestr(it->sender, f->sender))
		return false;
	if (f->recipient && !strcasestr(it->recipients, f->recipient))
		return false;
	return true;
}

static gint review_cmp_desc(gconstpointer a, gconstpointer b)
{
	return -strcmp(*(char *const *)a, *(char *const *)b);
}

/* vigie_quarantine_list - items of folder ("new", "released", "deleted")
 * matching f, newest first, at most limit (0 = all). Ids sort by time, so
 * only the metadata of the items returned (and those filtered out before
 * them) is read. Unreadable metadata is skipped and counted in *skipped. */
GPtrArray *vigie_quarantine_list(vigie_quarantine *q, const char *folder, const vigie_qfilter *f,
				 guint limit, guint *skipped, GError **err)
{
	char *dir = g_build_filename(vigie_quarantine_dir(q), folder, NULL);
	GDir *d = g_dir_open(dir, 0, err);
	if (!d) {
		g_free(dir);
		return NULL;
	}
	GPtrArray *ids = g_ptr_array_new_with_free_func(g_free);
	const char *name;
	while ((name = g_dir_read_name(d))) {
		if (!g_str_has_suffix(name, ".json") || strlen(name) != 38)
			continue;
		char *id = g_strndup(name, 33);
		if (vigie_quarantine_valid_id(id))
			g_ptr_array_add(ids, id);
		else
			g_free(id);
	}
	g_dir_close(d);
	g_ptr_array_sort(ids, review_cmp_desc);
	GPtrArray *out = g_ptr_array_new_with_free_func(review_item_free);
	if (skipped)
		*skipped = 0;
	for (guint i = 0; i < ids->len && (!limit || out->len < limit); i++) {
		const char *id = g_ptr_array_index(ids, i);
		char *path = g_strdup_printf("%s/%s.json", dir, id);
		char *json = review_read(path, NULL, NULL);
		g_free(path);
		vigie_qitem *it = json ? review_parse(id, folder, json, NULL) : NULL;
		g_free(json);
		if (!it) {
			if (skipped)
				(*skipped)++;
			continue;
		}
		if (review_match(it, f))
			g_ptr_array_add(out, it);
		else
			review_item_free(it);
	}
	g_ptr_array_unref(ids);
	g_free(dir);
	return out;
}

/* vigie_quarantine_get - one item by id, in whichever state folder holds
 * it; NULL with err for a malformed or unknown id */
vigie_qitem *vigie_quarantine_get(vigie_quarantine *q, const char *id, GError **err)
{
	if (!vigie_quarantine_valid_id(id)) {
		g_set_error(err, VIGIE_ERROR, VIGIE_ERROR_INPUT,
			    "'%s' is not a quarantine id (expected e.g. 20261127T204800Z-0123456789abcdef)", id);
		return NULL;
	}
	static const char *const folders[] = { "new", "released", "deleted" };
	for (size_t i = 0; i < G_N_ELEMENTS(folders); i++) {
		char *path = g_strdup_printf("%s/%s/%s.json", vigie_quarantine_dir(q), folders[i], id);
		char *json = review_read(path, NULL, NULL);
		g_free(path);
		if (json) {
			vigie_qitem *it = review_parse(id, folders[i], json, err);
			g_free(json);
			return it;
		}
	}
	g_set_error(err, VIGIE_ERROR, VIGIE_ERROR_INPUT, "no quarantine item %s", id);
	return NULL;
}

/* vigie_quarantine_raw - the original bytes of an item; caller g_bytes_unref */
GBytes *vigie_quarantine_raw(vigie_quarantine *q, const vigie_qitem *it, GError **err)
{
	char *path = g_strdup_printf("%s/%s/%s.eml", vigie_quarantine_dir(q), it->folder, it->id);
	gsize len;
	char *data = review_read(path, &len, err);
	g_free(path);
	return data ? g_bytes_new_take(data, len) : NULL;
}

/* review_move - rename QDIR/from/ID.ext to QDIR/to/ID.ext */
static int review_move(vigie_quarantine *q, const char *id, const char *ext, const char *from, const char *to)
{
	char *a = g_strdup_printf("%s/%s/%s.%s", vigie_quarantine_dir(q), from, id, ext);
	char *b = g_strdup_printf("%s/%s/%s.%s", vigie_quarantine_dir(q), to, id, ext);
	int rc = rename(a, b) == 0 ? 0 : errno;
	g_free(a);
	g_free(b);
	return rc;
}

/* vigie_quarantine_claim - take item id out of new/ for a release; false
 * (with err) when it is unknown or another release got it first */
bool vigie_quarantine_claim(vigie_quarantine *q, const char *id, GError **err)
{
	if (!vigie_quarantine_valid_id(id)) {
		g_set_error(err, VIGIE_ERROR, VIGIE_ERROR_INPUT, "'%s' is not a quarantine id", id);
		return false;
	}
	int rc = review_move(q, id, "eml", "new", "released");
	if (rc == ENOENT) {
		g_set_error(err, VIGIE_ERROR, VIGIE_ERROR_INPUT,
			    "%s is not in quarantine (unknown, already released or deleted)", id);
		return false;
	}
	if (rc) {
		g_set_error(err, VIGIE_ERROR, VIGIE_ERROR_IO, "%s: cannot claim: %s", id, g_strerror(rc));
		return false;
	}
	return true;
}

/* review_rewrite_state - metadata with "state" (and a note) changed */
static char *review_rewrite_state(const char *json, const char *state, const char *note)
{
	JsonParser *p = json_parser_new();
	if (!json_parser_load_from_data(p, json, -1, NULL)) {
		g_object_unref(p);
		return g_strdup(json);
	}
	JsonObject *o = json_node_get_object(json_parser_get_root(p));
	json_object_set_string_member(o, "state", state);
	if (note)
		json_object_set_string_member(o, "state_note", note);
	GDateTime *now = g_date_time_new_now_utc();
	char *iso = g_date_time_format_iso8601(now);
	json_object_set_string_member(o, "state_time", iso);
	g_free(iso);
	g_date_time_unref(now);
	JsonGenerator *g = json_generator_new();
	json_generator_set_pretty(g, TRUE);
	json_generator_set_root(g, json_parser_get_root(p));
	char *out = json_generator_to_data(g, NULL);
	g_object_unref(g);
	g_object_unref(p);
	return out;
}

/* vigie_quarantine_finish_release - after the MTA accepted: metadata to
 * released/ with the state and the MTA's reply */
bool vigie_quarantine_finish_release(vigie_quarantine *q, const char *id, const char *reply, GError **err)
{
	char *src = g_strdup_printf("%s/new/%s.json", vigie_quarantine_dir(q), id);
	char *dst = g_strdup_printf("%s/released/%s.json", vigie_quarantine_dir(q), id);
	char *json = review_read(src, NULL, err);
	bool ok = false;
	if (json) {
		char *updated = review_rewrite_state(json, "released", reply);
		ok = g_file_set_contents(dst, updated, -1, err);
		if (ok) {
			chmod(dst, 0600);
			unlink(src);
		}
		g_free(updated);
	}
	g_free(json);
	g_free(src);
	g_free(dst);
	return ok;
}

/* vigie_quarantine_undo_claim - the MTA refused: the bytes go back to new/ */
bool vigie_quarantine_undo_claim(vigie_quarantine *q, const char *id)
{
	return review_move(q, id, "eml", "released", "new") == 0;
}

/* vigie_quarantine_delete - move an item from new/ to deleted/ */
bool vigie_quarantine_delete(vigie_quarantine *q, const char *id, GError **err)
{
	if (!vigie_quarantine_valid_id(id)) {
		g_set_error(err, VIGIE_ERROR, VIGIE_ERROR_INPUT, "'%s' is not a quarantine id", id);
		return false;
	}
	int rc = review_move(q, id, "eml", "new", "deleted");
	if (rc) {
		g_set_error(err, VIGIE_ERROR, VIGIE_ERROR_INPUT, "%s: %s", id,
			    rc == ENOENT ? "not in quarantine (unknown, released or deleted)" : g_strerror(rc));
		return false;
	}
	review_move(q, id, "json", "new", "deleted");
	return true;
}

/* vigie_quarantine_purge - remove items older than max_age seconds from
 * every state folder; returns how many were removed */
guint vigie_quarantine_purge(vigie_quarantine *q, gint64 max_age)
{
	static const char *const folders[] = { "new", "released", "deleted" };
	gint64 cutoff = g_get_real_time() / G_USEC_PER_SEC - max_age;
	GDateTime *cut = g_date_time_new_from_unix_utc(cutoff);
	char *stamp = g_date_time_format(cut, "%Y%m%dT%H%M%SZ");
	g_date_time_unref(cut);
	guint n = 0;
	for (size_t i = 0; i < G_N_ELEMENTS(folders); i++) {
		char *dir = g_build_filename(vigie_quarantine_dir(q), folders[i], NULL);
		GDir *d = g_dir_open(dir, 0, NULL);
		const char *name;
		while (d && (name = g_dir_read_name(d))) {
			char *id = g_strndup(name, 33);
			/* ids begin with their UTC time: compare as text */
			if (vigie_quarantine_valid_id(id) && strncmp(id, stamp, 16) < 0) {
				char *p = g_build_filename(dir, name, NULL);
				if (unlink(p) == 0 && g_str_has_suffix(name, ".json"))
					n++;
				g_free(p);
			}
			g_free(id);
		}
		if (d)
			g_dir_close(d);
		g_free(dir);
	}
	g_free(stamp);
	return n;
}

/* review_secret - the folder's release key, created on first use */
static GBytes *review_secret(vigie_quarantine *q, GError **err)
{
	char *path = g_build_filename(vigie_quarantine_dir(q), "release.key", NULL);
	gsize len = 0;
	char *data = review_read(path, &len, NULL);
	if (!data || len < 32) {
		g_free(data);
		guint8 key[32];
		if (getrandom(key, sizeof key, 0) != sizeof key) {
			g_set_error(err, VIGIE_ERROR, VIGIE_ERROR_IO, "no randomness for the release key");
			g_free(path);
			return NULL;
		}
		int fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600);
		if (fd >= 0) {
			bool ok = write(fd, key, sizeof key) == sizeof key;
			close(fd);
			if (!ok)
				unlink(path);
		}
		/* whoever won the race to create it, read what is there */
		data = review_read(path, &len, err);
		if (!data || len < 32) {
			if (data)
				g_set_error(err, VIGIE_ERROR, VIGIE_ERROR_IO, "%s: release key too short", path);
			g_free(data);
			g_free(path);
			return NULL;
		}
	}
	g_free(path);
	return g_bytes_new_take(data, len);
}

static char *review_mac(GBytes *key, const char *id, gint64 t)
{
	gsize klen;
	const guint8 *k = g_bytes_get_data(key, &klen);
	char *msg = g_strdup_printf("%s\n%" G_GINT64_FORMAT, id, t);
	char *mac = g_compute_hmac_for_string(G_CHECKSUM_SHA256, k, klen, msg, -1);
	g_free(msg);
	return mac;
}

/* vigie_quarantine_release_token - the X-Vigie-Release header value for
 * id, valid for RELEASE_WINDOW seconds; caller g_free; NULL with err */
char *vigie_quarantine_release_token(vigie_quarantine *q, const char *id, GError **err)
{
	GBytes *key = review_secret(q, err);
	if (!key)
		return NULL;
	gint64 t = g_get_real_time() / G_USEC_PER_SEC;
	char *mac = review_mac(key, id, t);
	char *out = g_strdup_printf("%s; t=%" G_GINT64_FORMAT "; mac=%s", id, t, mac);
	g_free(mac);
	g_bytes_unref(key);
	return out;
}

/* vigie_quarantine_release_valid - is header value a genuine, current
 * release token for an item being released from this folder */
bool vigie_quarantine_release_valid(vigie_quarantine *q, const char *value)
{
	char id[34] = "", mac[65] = "";
	long long t = 0;
	if (!value)
		return false;
	while (*value == ' ' || *value == '\t')
		value++;
	if (sscanf(value, "%33[0-9a-zTZ-]; t=%lld; mac=%64[0-9a-f]", id, &t, mac) != 3 ||
	    !vigie_quarantine_valid_id(id) || strlen(mac) != 64)
		return false;
	gint64 now = g_get_real_time() / G_USEC_PER_SEC;
	if (t > now + 60 || now - t > RELEASE_WINDOW)
		return false;
	GBytes *key = review_secret(q, NULL);
	if (!key)
		return false;
	char *want = review_mac(key, id, t);
	g_bytes_unref(key);
	/* constant-time comparison */
	unsigned char diff = 0;
	for (int i = 0; i < 64; i++)
		diff |= (unsigned char)(want[i] ^ mac[i]);
	g_free(want);
	if (diff)
		return false;
	char *path = g_strdup_printf("%s/released/%s.eml", vigie_quarantine_dir(q), id);
	struct stat st;
	bool present = lstat(path, &st) == 0 && S_ISREG(st.st_mode);
	g_free(path);
	return present;
}
