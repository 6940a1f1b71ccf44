/* quarantine.c - the quarantine folder: store an item safely, append audit
 *
 * Layout (the maildir discipline):
 *   QDIR/tmp/        items being written
 *   QDIR/new/ID.eml  original bytes (chat: the JSON as received)
 *   QDIR/new/ID.json metadata: id, time, channel, envelope, verdict
 *   QDIR/audit.log   one line per action, append-only
 *   QDIR/release.key, QDIR/tokens/  release tokens (quarantine_review.c)
 * An item is written to tmp/, fsync'd, renamed into new/ (bytes first, then
 * metadata: the metadata file's presence marks a complete item), and the
 * folder fsync'd; only then does the caller tell the MTA or platform that
 * the message was handled. Ids are generated here (UTC time + 64 random
 * bits), never taken from the message, so several processes or hosts on a
 * shared filesystem never collide and names sort by time.
 *
 * SECURITY: files 0600, folders 0700. Nothing from the message reaches a
 * path. Sender data in the metadata is escaped by the JSON generator.
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

struct vigie_quarantine {
	char *dir;
	char *host;
};

/* quarantine_mkdir - create dir (and missing parents) 0700 if missing; it
 * must be a real folder */
static bool quarantine_mkdir(const char *dir, GError **err)
{
	struct stat st;
	if (lstat(dir, &st) == 0) {
		if (S_ISDIR(st.st_mode))
			return true;
		g_set_error(err, VIGIE_ERROR, VIGIE_ERROR_IO, "quarantine: %s is not a folder", dir);
		return false;
	}
	if (g_mkdir_with_parents(dir, 0700) != 0) {
		g_set_error(err, VIGIE_ERROR, VIGIE_ERROR_IO, "quarantine: cannot create %s: %s", dir,
			    g_strerror(errno));
		return false;
	}
	return true;
}

/* vigie_quarantine_open - the folder at dir, created (with tmp/, new/,
 * released/, deleted/, tokens/) if missing */
vigie_quarantine *vigie_quarantine_open(const char *dir, GError **err)
{
	static const char *const subs[] = { "tmp", "new", "released", "deleted", "tokens" };
	if (!quarantine_mkdir(dir, err))
		return NULL;
	for (size_t i = 0; i < G_N_ELEMENTS(subs); i++) {
		char *p = g_build_filename(dir, subs[i], NULL);
		bool ok = quarantine_mkdir(p, err);
		g_free(p);
		if (!ok)
			return NULL;
	}
	vigie_quarantine *q = g_new0(vigie_quarantine, 1);
	q->dir = g_strdup(dir);
	char host[256] = "localhost";
	gethostname(host, sizeof host - 1);
	q->host = g_strdup(host);
	return q;
}

/* vigie_quarantine_close - NULL is a no-op */
void vigie_quarantine_close(vigie_quarantine *q)
{
	if (!q)
		return;
	g_free(q->dir);
	g_free(q->host);
	g_free(q);
}

const char *vigie_quarantine_dir(const vigie_quarantine *q)
{
	return q->dir;
}

/* quarantine_new_id - "YYYYMMDDTHHMMSSZ-" + 16 hex digits of randomness */
static char *quarantine_new_id(void)
{
	guint64 r = 0;
	if (getrandom(&r, sizeof r, 0) != sizeof r)
		r = ((guint64)g_random_int() << 32) | g_random_int();
	GDateTime *now = g_date_time_new_now_utc();
	char *stamp = g_date_time_format(now, "%Y%m%dT%H%M%SZ");
	char *id = g_strdup_printf("%s-%016" G_GINT64_MODIFIER "x", stamp, r);
	g_free(stamp);
	g_date_time_unref(now);
	return id;
}

/* vigie_quarantine_valid_id - the shape quarantine_new_id makes, nothing else */
bool vigie_quarantine_valid_id(const char *id)
{
	if (!id || strlen(id) != 33 || id[8] != 'T' || id[15] != 'Z' || id[16] != '-')
		return false;
	for (int i = 0; i < 33; i++) {
		if (i == 8 || i == 15 || i == 16)
			continue;
		if (i < 16 ? !g_ascii_isdigit(id[i]) : !g_ascii_isxdigit(id[i]) || g_ascii_isupper(id[i]))
			return false;
	}
	return true;
}

/* quarantine_write - write data to path (new file, 0600) and fsync it */
static bool quarantine_write(const char *path, const void *data, size_t len, GError **err)
{
	int fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC | O_NOFOLLOW, 0600);
	if (fd < 0)
		goto fail;
	const char *p = data;
	while (len) {
		ssize_t n = write(fd, p, len);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0) {
			int e = errno;
			close(fd);
			unlink(path);
			errno = e;
			goto fail;
		}
		p += n;
		len -= (size_t)n;
	}
	if (fsync(fd) != 0 || close(fd) != 0) {
		unlink(path);
		goto fail;
	}
	return true;
fail:
	g_set_error(err, VIGIE_ERROR, VIGIE_ERROR_IO, "quarantine: cannot write %s: %s", path,
		    g_strerror(errno));
	return false;
}

/* quarantine_fsync_dir - make renames in dir durable */
static bool quarantine_fsync_dir(const char *dir, GError **err)
{
	int fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (fd < 0 || fsync(fd) != 0) {
		g_set_error(err, VIGIE_ERROR, VIGIE_ERROR_IO, "quarantine: cannot sync %s: %s", dir,
			    g_strerror(errno));
		if (fd >= 0)
			close(fd);
		return false;
	}
	close(fd);
	return true;
}

static void quarantine_member(JsonBuilder *b, const char *name, const char *value)
{
	json_builder_set_member_name(b, name);
	if (value) {
		char *s = utf8_sanitize(value, -1);
		json_builder_add_string_value(b, s);
		g_free(s);
	} else {
		json_builder_add_null_value(b);
	}
}

/* quarantine_metadata - the JSON metadata of one item */
static char *quarantine_metadata(const vigie_quarantine *q, const char *id, const vigie_message *m,
				 const vigie_verdict *v, gsize size)
{
	JsonBuilder *b = json_builder_new();
	json_builder_begin_object(b);
	quarantine_member(b, "id", id);
	GDateTime *now = g_date_time_new_now_utc();
	char *iso = g_date_time_format_iso8601(now);
	quarantine_member(b, "time", iso);
	json_builder_set_member_name(b, "unix_time");
	json_builder_add_int_value(b, g_date_time_to_unix(now));
	g_free(iso);
	g_date_time_unref(now);
	quarantine_member(b, "state", "quarantined");
	quarantine_member(b, "host", q->host);
	quarantine_member(b, "channel", vigie_channel_name(m->channel));
	json_builder_set_member_name(b, "size");
	json_builder_add_int_value(b, (gint64)size);

	json_builder_set_member_name(b, "envelope");
	json_builder_begin_object(b);
	const vigie_envelope *e = &m->env;
	if (m->channel == VIGIE_CHANNEL_MAIL) {
		quarantine_member(b, "queue_id", e->queue_id);
		quarantine_member(b, "client_addr", e->client_addr);
		quarantine_member(b, "helo", e->helo);
		quarantine_member(b, "mail_from", e->mail_from);
		json_builder_set_member_name(b, "rcpt_to");
		json_builder_begin_array(b);
		for (guint i = 0; i < e->rcpt_to->len; i++) {
			char *s = utf8_sanitize(g_ptr_array_index(e->rcpt_to, i), -1);
			json_builder_add_string_value(b, s);
			g_free(s);
		}
		json_builder_end_array(b);
	} else {
		quarantine_member(b, "platform", e->platform);
		quarantine_member(b, "conversation", e->conversation);
		quarantine_member(b, "message_id", e->message_id);
		quarantine_member(b, "author_id", e->author_id);
		quarantine_member(b, "author_name", e->author_name);
		quarantine_member(b, "source", e->source);
	}
	json_builder_end_object(b);

	json_builder_set_member_name(b, "headers");
	json_builder_begin_object(b);
	static const char *const keep[] = { "From", "To", "Subject", "Date", "Message-ID", "Reply-To" };
	for (size_t i = 0; i < G_N_ELEMENTS(keep); i++)
		if (vigie_message_header(m, keep[i]))
			quarantine_member(b, keep[i], vigie_message_header(m, keep[i]));
	json_builder_end_object(b);

	char *vj = vigie_verdict_to_json(v, NULL);
	JsonNode *vn = json_from_string(vj, NULL);
	g_free(vj);
	json_builder_set_member_name(b, "verdict");
	json_builder_add_value(b, vn); /* takes vn */
	json_builder_end_object(b);

	JsonGenerator *gen = json_generator_new();
	json_generator_set_pretty(gen, TRUE);
	JsonNode *root = json_builder_get_root(b);
	json_generator_set_root(gen, root);
	char *out = json_generator_to_data(gen, NULL);
	json_node_unref(root);
	g_object_unref(gen);
	g_object_unref(b);
	return out;
}

/* vigie_quarantine_store - keep m (its raw bytes) with v; returns the new id
 * (caller g_free) once both files are durable in new/, or NULL with err */
char *vigie_quarantine_store(vigie_quarantine *q, const vigie_message *m, const vigie_verdict *v,
			     GError **err)
{
	gsize len = 0;
	const void *raw = m->raw ? g_bytes_get_data(m->raw, &len) : "";
	char *id = quarantine_new_id();
	char *tmp_eml = g_strdup_printf("%s/tmp/%s.eml", q->dir, id);
	char *tmp_json = g_strdup_printf("%s/tmp/%s.json", q->dir, id);
	char *new_eml = g_strdup_printf("%s/new/%s.eml", q->dir, id);
	char *new_json = g_strdup_printf("%s/new/%s.json", q->dir, id);
	char *newdir = g_build_filename(q->dir, "new", NULL);
	char *meta = quarantine_metadata(q, id, m, v, len);
	bool ok = quarantine_write(tmp_eml, raw, len, err) &&
		  quarantine_write(tmp_json, meta, strlen(meta), err);
	if (ok && (rename(tmp_eml, new_eml) != 0 || rename(tmp_json, new_json) != 0)) {
		g_set_error(err, VIGIE_ERROR, VIGIE_ERROR_IO, "quarantine: cannot move %s into new/: %s",
			    id, g_strerror(errno));
		ok = false;
	}
	ok = ok && quarantine_fsync_dir(newdir, err);
	if (!ok) {
		unlink(tmp_eml);
		unlink(tmp_json);
		unlink(new_json);
		unlink(new_eml);
		g_clear_pointer(&id, g_free);
	} else {
		vigie_quarantine_audit(q, "vigied", "store", id, vigie_action_name(v->action));
		/* campaign memory: its print, under its id (scanner/memory/) */
		memory_note_commit(v->memory, id);
	}
	g_free(meta);
	g_free(newdir);
	g_free(tmp_eml);
	g_free(tmp_json);
	g_free(new_eml);
	g_free(new_json);
	return id;
}

/* vigie_quarantine_audit - append one line "TIME WHO ACTION ID RESULT" to
 * audit.log in a single write (O_APPEND keeps concurrent lines whole) */
bool vigie_quarantine_audit(vigie_quarantine *q, const char *who, const char *action,
			    const char *id, const char *result)
{
	char *path = g_build_filename(q->dir, "audit.log", NULL);
	int fd = open(path, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC | O_NOFOLLOW, 0600);
	g_free(path);
	if (fd < 0)
		return false;
	GDateTime *now = g_date_time_new_now_utc();
	char *iso = g_date_time_format_iso8601(now);
	g_date_time_unref(now);
	char *line = g_strdup_printf("%s\t%s\t%s\t%s\t%s\n", iso, who, action, id, result);
	for (char *p = line; *p; p++) /* results may quote an MTA's reply: one line */
		if (*p == '\n' && p[1])
			*p = ' ';
	bool ok = write(fd, line, strlen(line)) == (ssize_t)strlen(line);
	g_free(line);
	g_free(iso);
	close(fd);
	return ok;
}

/* vigie_quarantine_clean_tmp - crash leftovers in tmp/: an item is there
 * only while it is written (seconds), so an entry older than max_age is
 * one a killed writer never renamed; it is removed (a symbolic link as the
 * link, folders never). How many were removed. */
guint vigie_quarantine_clean_tmp(vigie_quarantine *q, gint64 max_age)
{
	char *dir = g_build_filename(q->dir, "tmp", NULL);
	GDir *d = g_dir_open(dir, 0, NULL);
	gint64 cutoff = g_get_real_time() / G_USEC_PER_SEC - max_age;
	guint n = 0;
	const char *name;
	while (d && (name = g_dir_read_name(d))) {
		char *p = g_build_filename(dir, name, NULL);
		struct stat st;
		if (lstat(p, &st) == 0 && !S_ISDIR(st.st_mode) && (gint64)st.st_mtime < cutoff && unlink(p) == 0)
			n++;
		g_free(p);
	}
	if (d)
		g_dir_close(d);
	g_free(dir);
	return n;
}
