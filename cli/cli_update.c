/* cli_update.c - "vigie update": the URL feeds fetched over HTTPS, like freshclam
 *
 * For each FILE=URL of [update] feeds, in order: an HTTPS GET that sends
 * If-None-Match / If-Modified-Since from the last answer (kept in
 * FILE.meta beside the feed in [urls] feeds), bounded by [update] timeout
 * and max_size. A 200 body goes to ".part.FILE" (a dot file: the loader
 * skips it), is fsynced, then loaded with the URL analyser's own feed
 * loader (url_lists_load_file, format from the name) and must hold at least
 * one entry. Only then does the old FILE become FILE.prev (a hard link) and
 * the new one FILE (rename), and the folder is fsynced. 304 is success with
 * no change. When something changed and [daemon] pidfile names a live
 * process, it gets SIGHUP (vigied reloads its rules).
 *
 * A failed feed (HTTP error, timeout, too big, bad format, server down)
 * changes nothing on disk, is reported naming the feed, and the others are
 * still tried; the exit status is then 2.
 *
 * SECURITY: the feeds are third-party data. Only https:// URLs (redirects
 * too) are fetched, with certificate checks; FILE must be a plain name (no
 * '/', no leading dot), so a configuration cannot write outside the feeds
 * folder; files are opened with O_NOFOLLOW. The body is parsed only by the
 * strict feed loader, never executed. Run as the vigie user (the unit
 * does), not root.
 */
#include "cli.h"
#include "url.h" /* url_lists_load_file: the loader vigied uses, so "loads here" = "loads there" */
#include "vhttp.h"

#include <curl/curl.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

typedef enum { UPD_FAILED, UPD_UNCHANGED, UPD_REPLACED } upd_result;

/* one download in progress */
typedef struct {
	int fd;
	curl_off_t size, max;
	bool too_big, write_failed;
	char *etag, *last_modified; /* of the final answer */
} upd_body;

/* upd_meta - ETag and Last-Modified of the last 200 for url, from FILE.meta */
static void upd_meta_read(const char *path, const char *url, char **etag, char **lm)
{
	GKeyFile *k = g_key_file_new();
	*etag = *lm = NULL;
	if (g_key_file_load_from_file(k, path, G_KEY_FILE_NONE, NULL)) {
		char *u = g_key_file_get_string(k, "feed", "url", NULL);
		if (u && !strcmp(u, url)) {
			*etag = g_key_file_get_string(k, "feed", "etag", NULL);
			*lm = g_key_file_get_string(k, "feed", "last_modified", NULL);
		}
		g_free(u);
	}
	g_key_file_free(k);
}

/* upd_meta_write - FILE.meta for the answer just installed (atomic) */
static bool upd_meta_write(const char *path, const char *url, const upd_body *b, GError **err)
{
	GKeyFile *k = g_key_file_new();
	g_key_file_set_string(k, "feed", "url", url);
	if (b->etag)
		g_key_file_set_string(k, "feed", "etag", b->etag);
	if (b->last_modified)
		g_key_file_set_string(k, "feed", "last_modified", b->last_modified);
	gsize n;
	char *text = g_key_file_to_data(k, &n, NULL);
	bool ok = g_file_set_contents(path, text, (gssize)n, err);
	g_free(text);
	g_key_file_free(k);
	return ok;
}

/* upd_write - curl's body callback: to the temporary file, within max */
static size_t upd_write(char *data, size_t size, size_t nmemb, void *arg)
{
	upd_body *b = arg;
	size_t n = size * nmemb;
	if (b->size + (curl_off_t)n > b->max) {
		b->too_big = true;
		return 0;
	}
	for (size_t done = 0; done < n;) {
		ssize_t w = write(b->fd, data + done, n - done);
		if (w < 0 && errno == EINTR)
			continue;
		if (w <= 0) {
			b->write_failed = true;
			return 0;
		}
		done += (size_t)w;
	}
	b->size += (curl_off_t)n;
	return n;
}

/* upd_header_value - the trimmed value of header line h if it is name */
static char *upd_header_value(const char *h, size_t n, const char *name)
{
	size_t k = strlen(name);
	if (n <= k || g_ascii_strncasecmp(h, name, k) || h[k] != ':')
		return NULL;
	char *v = g_strndup(h + k + 1, n - k - 1);
	return g_strstrip(v);
}

/* upd_header - curl's header callback: ETag and Last-Modified of the last answer */
static size_t upd_header(char *h, size_t size, size_t nitems, void *arg)
{
	upd_body *b = arg;
	size_t n = size * nitems;
	char *v;
	if (n >= 5 && !strncmp(h, "HTTP/", 5)) { /* a new answer (after a redirect) */
		g_clear_pointer(&b->etag, g_free);
		g_clear_pointer(&b->last_modified, g_free);
	} else if ((v = upd_header_value(h, n, "ETag"))) {
		g_free(b->etag);
		b->etag = *v ? v : (g_free(v), NULL);
	} else if ((v = upd_header_value(h, n, "Last-Modified"))) {
		g_free(b->last_modified);
		b->last_modified = *v ? v : (g_free(v), NULL);
	}
	return n;
}

/* upd_fsync_dir - make the renames in dir durable */
static void upd_fsync_dir(const char *dir)
{
	int fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (fd >= 0) {
		(void)fsync(fd);
		close(fd);
	}
}

/* upd_check - the downloaded file loads as vigied would load it */
static bool upd_check(const char *path, GError **err)
{
	url_lists *l = url_lists_new();
	bool ok = url_lists_load_file(l, path, err);
	if (ok && url_lists_size(l) == 0) {
		g_set_error(err, VIGIE_ERROR, VIGIE_ERROR_RULES, "no entries");
		ok = false;
	}
	url_lists_free(l);
	return ok;
}

/* upd_install - FILE.prev <- FILE, FILE <- part, folder synced */
static bool upd_install(const char *dir, const char *dest, const char *part, GError **err)
{
	char *prev = g_strconcat(dest, ".prev", NULL);
	bool ok = false;
	if (access(dest, F_OK) == 0) {
		if (unlink(prev) < 0 && errno != ENOENT) {
			g_set_error(err, G_FILE_ERROR, g_file_error_from_errno(errno), "%s: %s",
				    prev, g_strerror(errno));
			goto out;
		}
		if (link(dest, prev) < 0) {
			g_set_error(err, G_FILE_ERROR, g_file_error_from_errno(errno),
				    "keeping %s as %s: %s", dest, prev, g_strerror(errno));
			goto out;
		}
	}
	if (rename(part, dest) < 0) {
		g_set_error(err, G_FILE_ERROR, g_file_error_from_errno(errno), "%s: %s", dest,
			    g_strerror(errno));
		goto out;
	}
	upd_fsync_dir(dir);
	ok = true;
out:
	g_free(prev);
	return ok;
}

/* upd_feed - one feed fetched, checked and installed; *why set on failure */
static upd_result upd_feed(const vigie_config *c, const char *dir, const char *name,
			   const char *url, char **why)
{
	char *dest = g_build_filename(dir, name, NULL);
	char *part = g_strdup_printf("%s/.part.%s", dir, name);
	char *meta = g_strconcat(dest, ".meta", NULL);
	char *etag = NULL, *lm = NULL;
	upd_body b = {.fd = -1, .max = vigie_config_get_int(c, "update", "max_size")};
	struct curl_slist *hdrs = NULL;
	upd_result res = UPD_FAILED;
	GError *e = NULL;
	CURL *h = NULL;

	b.fd = open(part, O_WRONLY | O_CREAT | O_TRUNC | O_NOFOLLOW | O_CLOEXEC, 0644);
	if (b.fd < 0) {
		*why = g_strdup_printf("%s: %s", part, g_strerror(errno));
		goto out;
	}
	if (access(dest, F_OK) == 0)
		upd_meta_read(meta, url, &etag, &lm);
	if (etag) {
		char *line = g_strconcat("If-None-Match: ", etag, NULL);
		hdrs = curl_slist_append(hdrs, line);
		g_free(line);
	}
	if (lm) {
		char *line = g_strconcat("If-Modified-Since: ", lm, NULL);
		hdrs = curl_slist_append(hdrs, line);
		g_free(line);
	}

	h = curl_easy_init();
	g_assert(h);
	char cerr[CURL_ERROR_SIZE] = "";
	const char *ca = vigie_config_get(c, "update", "ca_file");
	curl_easy_setopt(h, CURLOPT_URL, url);
	curl_easy_setopt(h, CURLOPT_PROTOCOLS_STR, "https");
	curl_easy_setopt(h, CURLOPT_REDIR_PROTOCOLS_STR, "https");
	curl_easy_setopt(h, CURLOPT_FOLLOWLOCATION, 1L);
	curl_easy_setopt(h, CURLOPT_MAXREDIRS, 5L);
	curl_easy_setopt(h, CURLOPT_TIMEOUT, (long)vigie_config_get_int(c, "update", "timeout"));
	curl_easy_setopt(h, CURLOPT_MAXFILESIZE_LARGE, b.max);
	curl_easy_setopt(h, CURLOPT_ACCEPT_ENCODING, ""); /* the bound counts decoded bytes */
	curl_easy_setopt(h, CURLOPT_NOSIGNAL, 1L);
	curl_easy_setopt(h, CURLOPT_USERAGENT, "vigie-update/" VIGIE_VERSION);
	curl_easy_setopt(h, CURLOPT_ERRORBUFFER, cerr);
	curl_easy_setopt(h, CURLOPT_HTTPHEADER, hdrs);
	curl_easy_setopt(h, CURLOPT_WRITEFUNCTION, upd_write);
	curl_easy_setopt(h, CURLOPT_WRITEDATA, &b);
	curl_easy_setopt(h, CURLOPT_HEADERFUNCTION, upd_header);
	curl_easy_setopt(h, CURLOPT_HEADERDATA, &b);
	if (ca && *ca)
		curl_easy_setopt(h, CURLOPT_CAINFO, ca);
	CURLcode rc = curl_easy_perform(h);
	long status = 0;
	curl_easy_getinfo(h, CURLINFO_RESPONSE_CODE, &status);
	if (b.too_big || rc == CURLE_FILESIZE_EXCEEDED) {
		*why =
		    g_strdup_printf("larger than [update] max_size (%lld bytes)", (long long)b.max);
		goto out;
	}
	if (b.write_failed) {
		*why = g_strdup_printf("%s: %s", part, g_strerror(errno));
		goto out;
	}
	if (rc != CURLE_OK) {
		*why = g_strdup_printf("%s", *cerr ? cerr : curl_easy_strerror(rc));
		goto out;
	}
	if (status == 304) {
		res = UPD_UNCHANGED;
		goto out;
	}
	if (status != 200) {
		*why = g_strdup_printf("HTTP status %ld", status);
		goto out;
	}
	if (fsync(b.fd) < 0 || close(b.fd) < 0) {
		b.fd = -1;
		*why = g_strdup_printf("%s: %s", part, g_strerror(errno));
		goto out;
	}
	b.fd = -1;
	if (!upd_check(part, &e)) {
		/* the loader names the temporary file: say where in the download instead */
		const char *m = e->message;
		bool at_line = false; /* "PATH:N: why", "PATH: why" or "why" */
		if (g_str_has_prefix(m, part) && m[strlen(part)] == ':') {
			m += strlen(part) + 1;
			at_line = *m != ' ';
			m += !at_line;
		}
		*why = g_strdup_printf("rejected, the current file is kept: %s%s",
				       at_line ? "line " : "", m);
		goto out;
	}
	if (!upd_install(dir, dest, part, &e)) {
		*why = g_strdup(e->message);
		goto out;
	}
	/* the feed is in place: a lost meta file only makes the next GET unconditional */
	if (!upd_meta_write(meta, url, &b, &e))
		fprintf(stderr, "vigie update: %s: %s\n", name, e->message);
	res = UPD_REPLACED;
out:
	if (b.fd >= 0)
		close(b.fd);
	if (res != UPD_REPLACED)
		(void)unlink(part);
	if (h)
		curl_easy_cleanup(h);
	curl_slist_free_all(hdrs);
	g_clear_error(&e);
	g_free(b.etag);
	g_free(b.last_modified);
	g_free(etag);
	g_free(lm);
	g_free(dest);
	g_free(part);
	g_free(meta);
	return res;
}

/* upd_reload - SIGHUP to the live process [daemon] pidfile names; false only on a failed kill */
static bool upd_reload(const vigie_config *c)
{
	const char *pidfile = vigie_config_get(c, "daemon", "pidfile");
	char *text = NULL;
	if (!pidfile || !*pidfile || !g_file_get_contents(pidfile, &text, NULL, NULL)) {
		printf("vigie update: no vigied pidfile ([daemon] pidfile): vigied reads the feeds "
		       "when it starts\n");
		return true;
	}
	char *end;
	long pid = strtol(g_strstrip(text), &end, 10);
	bool ok = true;
	if (*end || pid <= 1 || pid > INT_MAX)
		printf("vigie update: %s does not hold a process id: no reload\n", pidfile);
	else if (kill((pid_t)pid, 0) < 0)
		printf("vigie update: vigied (pid %ld, %s) is not running: no reload\n", pid,
		       pidfile);
	else if (kill((pid_t)pid, SIGHUP) < 0) {
		fprintf(stderr, "vigie update: SIGHUP to vigied (pid %ld): %s\n", pid,
			g_strerror(errno));
		ok = false;
	} else
		printf("vigie update: vigied (pid %ld) asked to reload\n", pid);
	g_free(text);
	return ok;
}

/* upd_split - "FILE=URL" checked: FILE a plain name, URL https */
static bool upd_split(const char *item, char **name, char **url, char **why)
{
	const char *eq = strchr(item, '=');
	*name = *url = NULL;
	if (!eq) {
		*why = g_strdup("expected FILE=URL");
		return false;
	}
	*name = g_strstrip(g_strndup(item, (size_t)(eq - item)));
	*url = g_strstrip(g_strdup(eq + 1));
	if (!**name || (*name)[0] == '.' || strchr(*name, '/') ||
	    g_str_has_suffix(*name, ".prev") || g_str_has_suffix(*name, ".meta"))
		*why = g_strdup("FILE must be a plain file name (no '/', no leading '.')");
	else if (g_ascii_strncasecmp(*url, "https://", 8))
		*why = g_strdup("only https:// URLs are fetched");
	else
		return true;
	return false;
}

/* cli_update - see cli.h */
int cli_update(const char *config, int argc, char **argv)
{
	if (argc > 0) {
		fprintf(stderr,
			"vigie update: unexpected argument '%s' (see vigie update --help)\n",
			argv[0]);
		return CLI_EXIT_ERROR;
	}
	GError *err = NULL;
	vigie_config *c = vigie_config_load(config, &err);
	if (!c) {
		fprintf(stderr, "vigie: %s\n", err->message);
		g_error_free(err);
		return CLI_EXIT_ERROR;
	}
	const char *dir = vigie_config_get(c, "urls", "feeds");
	char **items = g_strsplit(vigie_config_get(c, "update", "feeds"), ",", -1);
	int failed = 0, replaced = 0, tried = 0, lock = -1;
	if (!vhttp_global_init(&err)) {
		fprintf(stderr, "vigie update: %s\n", err->message);
		g_clear_error(&err);
		failed++;
		goto out;
	}
	lock = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (lock < 0 || flock(lock, LOCK_EX | LOCK_NB) < 0) {
		fprintf(stderr, "vigie update: %s ([urls] feeds): %s\n", dir,
			lock < 0 ? g_strerror(errno) : "another vigie update is running");
		failed++;
		goto out;
	}
	for (int i = 0; items[i]; i++) {
		char *item = g_strstrip(items[i]), *name, *url, *why = NULL;
		if (!*item)
			continue;
		tried++;
		upd_result r = UPD_FAILED;
		if (upd_split(item, &name, &url, &why))
			r = upd_feed(c, dir, name, url, &why);
		if (r == UPD_FAILED) {
			fprintf(stderr, "vigie update: %s: %s\n", name && *name ? name : item, why);
			failed++;
		} else
			printf("vigie update: %s: %s\n", name,
			       r == UPD_REPLACED ? "updated" : "not modified");
		replaced += r == UPD_REPLACED;
		g_free(why);
		g_free(name);
		g_free(url);
	}
	if (!tried)
		printf("vigie update: no feeds configured ([update] feeds)\n");
	if (replaced && !upd_reload(c))
		failed++;
out:
	if (lock >= 0)
		close(lock);
	vhttp_global_cleanup();
	g_strfreev(items);
	vigie_config_free(c);
	return failed ? CLI_EXIT_ERROR : CLI_EXIT_CLEAN;
}
