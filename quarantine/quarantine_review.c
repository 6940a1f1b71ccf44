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
 * Release token (header X-Vigie-Release: ID; t=UNIX; n=NONCE; mac=HEX):
 * HMAC-SHA256 with the folder's secret (QDIR/release.key, 32 random bytes,
 * 0600, made by vigied at start and owned by its user) over the id, the
 * time, a random nonce, the SHA-256 of the message body and the sorted
 * recipient list. The milter honours it only if the MAC is right for the
 * body and recipients it received, the time is within RELEASE_WINDOW
 * seconds, released/ID.eml exists, and the token was never used: using it
 * creates QDIR/tokens/MAC with O_EXCL, so of any number of uses one wins.
 * That file is also the delivery marker the release tool checks before it
 * calls an item released. The milter removes the header before delivery.
 * So a sender cannot forge a token, and a recipient of a released mail
 * cannot put its token on other content, send it to other recipients, or
 * use it again.
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
#include <pwd.h>
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

/* review_planted - why QDIR/new/ID.eml, QDIR/new/ID.json or QDIR/deleted
 * is not what the quarantine made (a symbolic link, not a regular file or
 * folder), or NULL; a missing file is not planted */
static const char *review_planted(vigie_quarantine *q, const char *id)
{
	static const char *const ext[] = { "eml", "json" };
	struct stat st;
	for (size_t i = 0; i < G_N_ELEMENTS(ext); i++) {
		char *path = g_strdup_printf("%s/new/%s.%s", vigie_quarantine_dir(q), id, ext[i]);
		int rc = lstat(path, &st);
		g_free(path);
		if (rc == 0 && !S_ISREG(st.st_mode))
			return S_ISLNK(st.st_mode) ? "is a symbolic link, not a quarantine file: left as is"
						   : "is not a regular file: left as is";
	}
	char *dir = g_strdup_printf("%s/deleted", vigie_quarantine_dir(q));
	int rc = lstat(dir, &st);
	g_free(dir);
	if (rc == 0 && !S_ISDIR(st.st_mode))
		return "the quarantine's deleted/ is not a folder (a symbolic link?): nothing moved";
	return NULL;
}

/* vigie_quarantine_delete - move an item from new/ to deleted/; false
 * with err when it is unknown, or when its files (or deleted/) are links
 * or other things the quarantine did not make (nothing is moved then) */
bool vigie_quarantine_delete(vigie_quarantine *q, const char *id, GError **err)
{
	if (!vigie_quarantine_valid_id(id)) {
		g_set_error(err, VIGIE_ERROR, VIGIE_ERROR_INPUT, "'%s' is not a quarantine id", id);
		return false;
	}
	const char *planted = review_planted(q, id);
	if (planted) {
		g_set_error(err, VIGIE_ERROR, VIGIE_ERROR_INPUT, "%s: %s", id, planted);
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

static void review_purge_markers(vigie_quarantine *q);

/* vigie_quarantine_purge - remove items older than max_age seconds from
 * every state folder, and used-token markers no token can need any more;
 * returns how many items were removed */
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
	review_purge_markers(q);
	return n;
}

/* ---- release tokens ------------------------------------------------------ */

/* review_key_path - QDIR/release.key; caller g_free */
static char *review_key_path(vigie_quarantine *q)
{
	return g_build_filename(vigie_quarantine_dir(q), "release.key", NULL);
}

/* vigie_quarantine_release_key_init - create QDIR/release.key (32 random
 * bytes, 0600) if it is missing; vigied calls it at start, before it drops
 * privileges and gives the key to its user. True when a key of the right
 * size is there afterwards. */
bool vigie_quarantine_release_key_init(vigie_quarantine *q, GError **err)
{
	char *path = review_key_path(q);
	struct stat st;
	bool ok = false;
	if (lstat(path, &st) == 0) {
		ok = S_ISREG(st.st_mode) && st.st_size >= 32;
		if (!ok)
			g_set_error(err, VIGIE_ERROR, VIGIE_ERROR_IO,
				    "%s: not a release key (a regular file of 32 bytes)", path);
		g_free(path);
		return ok;
	}
	guint8 key[32];
	if (getrandom(key, sizeof key, 0) != sizeof key) {
		g_set_error(err, VIGIE_ERROR, VIGIE_ERROR_IO, "no randomness for the release key");
		g_free(path);
		return false;
	}
	int fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600);
	if (fd >= 0) {
		ok = write(fd, key, sizeof key) == sizeof key && fsync(fd) == 0;
		close(fd);
		if (!ok)
			unlink(path);
	} else {
		/* another vigied on the same folder won the race */
		ok = errno == EEXIST;
	}
	if (!ok)
		g_set_error(err, VIGIE_ERROR, VIGIE_ERROR_IO, "%s: cannot create: %s", path, g_strerror(errno));
	g_free(path);
	return ok;
}

/* review_secret - the folder's release key, never created here */
static GBytes *review_secret(vigie_quarantine *q, GError **err)
{
	char *path = review_key_path(q);
	gsize len = 0;
	GError *e = NULL;
	char *data = review_read(path, &len, &e);
	if (!data && g_error_matches(e, VIGIE_ERROR, VIGIE_ERROR_IO) && errno == ENOENT)
		g_set_error(err, VIGIE_ERROR, VIGIE_ERROR_IO,
			    "%s does not exist: start vigied first (it creates the release key)", path);
	else if (!data)
		g_propagate_error(err, g_steal_pointer(&e));
	else if (len < 32)
		g_set_error(err, VIGIE_ERROR, VIGIE_ERROR_IO, "%s: release key too short", path);
	g_clear_error(&e);
	g_free(path);
	if (data && len >= 32)
		return g_bytes_new_take(data, len);
	g_free(data);
	return NULL;
}

/* review_key_owner_ok - can the folder's owner (the user vigied runs as)
 * read the key; false with err saying who owns it otherwise */
static bool review_key_owner_ok(vigie_quarantine *q, GError **err)
{
	char *path = review_key_path(q);
	struct stat kst, dst;
	bool ok = false;
	if (lstat(path, &kst) != 0 || stat(vigie_quarantine_dir(q), &dst) != 0) {
		g_set_error(err, VIGIE_ERROR, VIGIE_ERROR_IO, "%s: %s", path, g_strerror(errno));
	} else if (dst.st_uid == 0 || (kst.st_uid == dst.st_uid && (kst.st_mode & 0400))) {
		ok = true;
	} else {
		struct passwd *pw = getpwuid(dst.st_uid);
		ok = (pw && kst.st_gid == pw->pw_gid && (kst.st_mode & 0040)) || (kst.st_mode & 0004);
		if (!ok)
			g_set_error(err, VIGIE_ERROR, VIGIE_ERROR_IO,
				    "%s is owned by uid %u (mode %04o) and the folder's owner uid %u, "
				    "vigied's user, cannot read it: a release would be quarantined again. "
				    "Restart vigied (it gives the key to its user) or chown the key",
				    path, (unsigned)kst.st_uid, (unsigned)(kst.st_mode & 07777),
				    (unsigned)dst.st_uid);
	}
	g_free(path);
	return ok;
}

/* review_body_sha256 - hex SHA-256 of the body of a message: the bytes
 * after the first empty line, with CRLF and lone CR read as LF (what the
 * MTA makes of what smtp_send sends) and trailing line ends dropped, so
 * that the stored file (LF or CRLF) and what the milter assembles (CRLF)
 * hash alike. Caller g_free. */
static char *review_body_sha256(GBytes *bytes)
{
	gsize len = 0;
	const guint8 *p = bytes ? g_bytes_get_data(bytes, &len) : NULL;
	GChecksum *sum = g_checksum_new(G_CHECKSUM_SHA256);
	guint8 out[8192];
	gsize o = 0, pending = 0; /* pending: line ends not hashed yet */
	bool in_body = false, bol = true, prev_cr = false;
	for (gsize i = 0; i < len; i++) {
		guint8 ch = p[i];
		if (ch == '\n' && prev_cr) {
			prev_cr = false;
			continue;
		}
		prev_cr = ch == '\r';
		bool eol = ch == '\r' || ch == '\n';
		if (!in_body) {
			in_body = eol && bol;
			bol = eol;
			continue;
		}
		if (eol) {
			pending++;
			continue;
		}
		for (; pending; pending--) {
			out[o++] = '\n';
			if (o == sizeof out) {
				g_checksum_update(sum, out, (gssize)o);
				o = 0;
			}
		}
		out[o++] = ch;
		if (o == sizeof out) {
			g_checksum_update(sum, out, (gssize)o);
			o = 0;
		}
	}
	g_checksum_update(sum, out, (gssize)o);
	char *hex = g_strdup(g_checksum_get_string(sum));
	g_checksum_free(sum);
	return hex;
}

static gint review_cmp_str(gconstpointer a, gconstpointer b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* review_rcpt_list - recipients as one text: each lower-cased, blanks and
 * angle brackets removed, sorted, duplicates dropped, one per line; caller
 * g_free */
static char *review_rcpt_list(const char *const *rcpts)
{
	GPtrArray *a = g_ptr_array_new_with_free_func(g_free);
	for (const char *const *r = rcpts; r && *r; r++) {
		char *s = g_ascii_strdown(*r, -1);
		g_strstrip(s);
		char *b = s + (*s == '<');
		gsize l = strlen(b);
		if (l && b[l - 1] == '>')
			b[--l] = '\0';
		g_ptr_array_add(a, g_strdup(b));
		g_free(s);
	}
	g_ptr_array_sort(a, review_cmp_str);
	GString *out = g_string_new(NULL);
	for (guint i = 0; i < a->len; i++) {
		const char *s = g_ptr_array_index(a, i);
		if (i && !strcmp(s, g_ptr_array_index(a, i - 1)))
			continue;
		g_string_append(out, s);
		g_string_append_c(out, '\n');
	}
	g_ptr_array_unref(a);
	return g_string_free(out, FALSE);
}

/* review_mac - HMAC-SHA256 over everything the token stands for */
static char *review_mac(GBytes *key, const char *id, gint64 t, const char *nonce, GBytes *bytes,
			const char *const *rcpts)
{
	gsize klen;
	const guint8 *k = g_bytes_get_data(key, &klen);
	char *body = review_body_sha256(bytes);
	char *list = review_rcpt_list(rcpts);
	char *msg = g_strdup_printf("vigie-release-2\n%s\n%" G_GINT64_FORMAT "\n%s\n%s\n%s", id, t, nonce,
				    body, list);
	char *mac = g_compute_hmac_for_string(G_CHECKSUM_SHA256, k, klen, msg, -1);
	g_free(msg);
	g_free(list);
	g_free(body);
	return mac;
}

/* vigie_quarantine_release_token - the X-Vigie-Release header value
 * "ID; t=UNIX; n=NONCE; mac=HEX" for releasing item id as bytes (the
 * stored message as it will be sent) to rcpts (NULL-terminated): valid
 * for RELEASE_WINDOW seconds, once, for that body and those recipients
 * only. Refuses (NULL with err) when the folder has no key (vigied makes
 * it) or its owner, vigied's user, cannot read the key. Caller g_free. */
char *vigie_quarantine_release_token(vigie_quarantine *q, const char *id, GBytes *bytes,
				     const char *const *rcpts, GError **err)
{
	if (!vigie_quarantine_valid_id(id)) {
		g_set_error(err, VIGIE_ERROR, VIGIE_ERROR_INPUT, "'%s' is not a quarantine id", id);
		return NULL;
	}
	GBytes *key = review_secret(q, err);
	if (!key)
		return NULL;
	if (!review_key_owner_ok(q, err)) {
		g_bytes_unref(key);
		return NULL;
	}
	guint8 raw[16];
	if (getrandom(raw, sizeof raw, 0) != sizeof raw) {
		g_set_error(err, VIGIE_ERROR, VIGIE_ERROR_IO, "no randomness for the release nonce");
		g_bytes_unref(key);
		return NULL;
	}
	char nonce[33];
	for (size_t i = 0; i < sizeof raw; i++)
		g_snprintf(nonce + 2 * i, 3, "%02x", raw[i]);
	gint64 t = g_get_real_time() / G_USEC_PER_SEC;
	char *mac = review_mac(key, id, t, nonce, bytes, rcpts);
	char *out = g_strdup_printf("%s; t=%" G_GINT64_FORMAT "; n=%s; mac=%s", id, t, nonce, mac);
	g_free(mac);
	g_bytes_unref(key);
	return out;
}

/* review_parse_token - split a header value; false if malformed */
static bool review_parse_token(const char *value, char id[34], gint64 *t, char nonce[33], char mac[65])
{
	long long tt = 0;
	int end = 0;
	if (!value)
		return false;
	value += strspn(value, " \t");
	if (sscanf(value, "%33[0-9a-zTZ-]; t=%lld; n=%32[0-9a-f]; mac=%64[0-9a-f]%n", id, &tt, nonce, mac,
		   &end) != 4 || !vigie_quarantine_valid_id(id) || strlen(nonce) != 32 || strlen(mac) != 64)
		return false;
	value += end;
	value += strspn(value, " \t\r\n");
	*t = tt;
	return *value == '\0';
}

/* review_marker_path - QDIR/tokens/MAC, the record that a token was used */
static char *review_marker_path(vigie_quarantine *q, const char *mac)
{
	return g_strdup_printf("%s/tokens/%s", vigie_quarantine_dir(q), mac);
}

/* vigie_quarantine_release_use - honour a release token once: true only
 * when value is a genuine token, under RELEASE_WINDOW seconds old, for an
 * item being released, made for exactly these bytes' body and these
 * recipients, and not used before. Using it creates QDIR/tokens/MAC with
 * O_EXCL (atomic: of two uses one wins), which is also the delivery marker
 * vigie_quarantine_release_confirmed looks for. *id gets the item's id
 * (caller g_free) and *why, on false, a static reason for the log. */
bool vigie_quarantine_release_use(vigie_quarantine *q, const char *value, GBytes *bytes,
				  const char *const *rcpts, char **id_out, const char **why)
{
	char id[34] = "", nonce[33] = "", mac[65] = "";
	gint64 t = 0;
	const char *dummy;
	if (!why)
		why = &dummy;
	if (id_out)
		*id_out = NULL;
	if (!review_parse_token(value, id, &t, nonce, mac)) {
		*why = "malformed release token";
		return false;
	}
	gint64 now = g_get_real_time() / G_USEC_PER_SEC;
	if (t > now + 60 || now - t > RELEASE_WINDOW) {
		*why = "release token expired";
		return false;
	}
	GBytes *key = review_secret(q, NULL);
	if (!key) {
		*why = "release key unreadable";
		return false;
	}
	char *want = review_mac(key, id, t, nonce, bytes, rcpts);
	g_bytes_unref(key);
	/* constant-time comparison */
	unsigned char diff = 0;
	for (int i = 0; i < 64; i++)
		diff |= (unsigned char)(want[i] ^ mac[i]);
	g_free(want);
	if (diff) {
		*why = "release token not made for this message, these recipients or this folder";
		return false;
	}
	char *path = g_strdup_printf("%s/released/%s.eml", vigie_quarantine_dir(q), id);
	struct stat st;
	bool present = lstat(path, &st) == 0 && S_ISREG(st.st_mode);
	g_free(path);
	if (!present) {
		*why = "release token for an item not being released";
		return false;
	}
	char *marker = review_marker_path(q, mac);
	int fd = open(marker, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600);
	g_free(marker);
	if (fd < 0) {
		*why = errno == EEXIST ? "release token already used" : "cannot record the release token's use";
		return false;
	}
	char *line = g_strdup_printf("%s\n", id);
	bool ok = write(fd, line, strlen(line)) == (ssize_t)strlen(line);
	g_free(line);
	close(fd);
	if (!ok) {
		/* the marker exists, so the token is spent either way */
		*why = "cannot record the release token's use";
		return false;
	}
	if (id_out)
		*id_out = g_strdup(id);
	*why = NULL;
	return true;
}

/* vigie_quarantine_release_confirmed - did the milter honour token (a
 * value made by vigie_quarantine_release_token): its marker exists */
bool vigie_quarantine_release_confirmed(vigie_quarantine *q, const char *token)
{
	char id[34], nonce[33], mac[65];
	gint64 t;
	if (!review_parse_token(token, id, &t, nonce, mac))
		return false;
	char *marker = review_marker_path(q, mac);
	struct stat st;
	bool ok = lstat(marker, &st) == 0 && S_ISREG(st.st_mode);
	g_free(marker);
	return ok;
}

/* review_purge_markers - drop used-token markers past any token's life */
static void review_purge_markers(vigie_quarantine *q)
{
	char *dir = g_build_filename(vigie_quarantine_dir(q), "tokens", NULL);
	GDir *d = g_dir_open(dir, 0, NULL);
	gint64 cutoff = g_get_real_time() / G_USEC_PER_SEC - 2 * (RELEASE_WINDOW + 60);
	const char *name;
	while (d && (name = g_dir_read_name(d))) {
		char *p = g_build_filename(dir, name, NULL);
		struct stat st;
		if (strlen(name) == 64 && strspn(name, "0123456789abcdef") == 64 && lstat(p, &st) == 0 &&
		    S_ISREG(st.st_mode) && st.st_mtime < cutoff)
			unlink(p);
		g_free(p);
	}
	if (d)
		g_dir_close(d);
	g_free(dir);
}
