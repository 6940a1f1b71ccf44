/* av.c - the ClamAV analyser: one libclamav engine per core engine
 *
 * Loads the bundled signatures (each file on its own, so that a broken file
 * is named) plus the system ClamAV database when configured ("auto": the
 * freshclam folder if it holds a database), sets explicit limits, compiles
 * once; the compiled engine is then only read, by any number of threads.
 * Scans each attachment and the raw message from memory (fmap), in
 * all-match mode, and turns each signature hit into a finding whose
 * category comes from the signature's name:
 *   Vigie.Test.* / Vigie.Malware.* / anything not Heuristics.* -> malware (decisive by default)
 *   Vigie.Risky.*  -> risky-attachment;  Vigie.Phish.* / Heuristics.Phishing.* -> phishing
 *   Heuristics.*   -> av-heuristic
 * with weights from [av] in the configuration. What a limit kept from being
 * scanned is never clean: an object larger than [av] max_file_size (not
 * handed to libclamav, which would skip it), libclamav's
 * Heuristics.Limits.Exceeded.* reports ([av] heuristic_exceeds_max, on by
 * default: without it libclamav answers clean when an archive is cut short
 * by max_recursion, max_files or max_scan_size) and its CL_EMAX* and
 * CL_ETIMEOUT answers become scan.incomplete.LIMIT findings (scan.c).
 *
 * SECURITY: attachment bytes are hostile; libclamav parses them under the
 * configured size, recursion, file-count and time limits. libclamav may use
 * its temporary folder while unpacking archives, and writes the normalised
 * forms of every HTML it scans there (html-tmp/notags.html, nocomment.html,
 * javascript): [av] tmpdir chooses where. "auto" (the default) creates a
 * private folder (mode 0700, random name) on the /dev/shm tmpfs for this
 * engine and removes it with the engine, which saves the file-system work
 * of creating and truncating those files per message (about a quarter of
 * the full scan when /tmp is on disk); without /dev/shm it falls back to
 * libclamav's default. Empty: libclamav's default ($TMPDIR or /tmp). An
 * absolute folder: that folder, which must be private to the scanning user
 * (mode 0700): what is written there is attachment content.
 */
#include "internal.h"

#include <clamav.h>
#include <glib/gstdio.h>
#include <sys/stat.h>
#include <stdlib.h>
#include <string.h>
#include <errno.h>
#include <signal.h>

struct av_engine {
	struct cl_engine *cl;
	unsigned sigs_bundled;
	unsigned sigs_system;
	bool has_phishing_db; /* .pdb/.wdb/.gdb or a .cvd that carries them */
	char *describe;
	struct cl_scan_options opts;     /* attachments */
	struct cl_scan_options raw_opts; /* the raw message */
	char *own_tmpdir;                /* [av] tmpdir = auto: ours, removed with us */
};

/* libclamav reports load problems through one global callback; keep the last
 * error of the current thread so the loader can name what went wrong. */
static __thread GString *av_load_msgs;

static void av_msg_cb(enum cl_msg severity, const char *fullmsg, const char *msg, void *context)
{
	if (av_load_msgs && severity == CL_MSG_ERROR) {
		char *line = g_strstrip(g_strdup(msg));
		if (av_load_msgs->len)
			g_string_append(av_load_msgs, "; ");
		g_string_append(av_load_msgs, line);
		g_free(line);
	}
}

/* av_global_init - libclamav start-up, once per process */
bool av_global_init(GError **err)
{
	cl_set_clcb_msg(av_msg_cb);
	cl_error_t rc = cl_init(CL_INIT_DEFAULT);
	if (rc != CL_SUCCESS) {
		g_set_error(err, VIGIE_ERROR, VIGIE_ERROR_RULES, "libclamav init failed: %s",
			    cl_strerror(rc));
		return false;
	}
	return true;
}

static bool av_is_db_file(const char *name)
{
	static const char *const ext[] = {
		".cvd", ".cld", ".cud", ".ndb", ".ndu", ".ldb", ".ldu", ".hdb", ".hsb", ".hdu",
		".hsu", ".mdb", ".mdu", ".msb", ".msu", ".cdb", ".yar", ".yara", ".ign", ".ign2",
		".fp", ".sfp", ".pdb", ".gdb", ".wdb", ".ftm", ".cfg", ".crb", ".cat", ".idb",
		".imp", ".pwdb", ".ioc", ".cbc", ".info", ".db",
	};
	for (size_t i = 0; i < G_N_ELEMENTS(ext); i++)
		if (g_str_has_suffix(name, ext[i]))
			return true;
	return false;
}

/* av_load_file - load one signature file; false with err naming it */
static bool av_load_file(struct cl_engine *cl, const char *path, unsigned *count, GError **err)
{
	av_load_msgs = g_string_new(NULL);
	unsigned n = 0;
	cl_error_t rc = cl_load(path, cl, &n, CL_DB_STDOPT | CL_DB_BYTECODE_UNSIGNED);
	bool ok = rc == CL_SUCCESS;
	if (!ok) {
		/* libclamav's messages name the line ("... at line 3") where it knows it */
		g_set_error(err, VIGIE_ERROR, VIGIE_ERROR_RULES, "%s: %s%s%s", path, cl_strerror(rc),
			    av_load_msgs->len ? ": " : "", av_load_msgs->str);
	}
	*count += n;
	g_string_free(av_load_msgs, TRUE);
	av_load_msgs = NULL;
	return ok;
}

static gint av_cmp_names(gconstpointer a, gconstpointer b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* av_load_dir - every signature file in dir, in name order */
static bool av_load_dir(struct cl_engine *cl, const char *dir, unsigned *count, bool *phish,
			GError **err)
{
	GError *e = NULL;
	GDir *d = g_dir_open(dir, 0, &e);
	if (!d) {
		g_set_error(err, VIGIE_ERROR, VIGIE_ERROR_RULES, "%s: %s", dir, e->message);
		g_error_free(e);
		return false;
	}
	GPtrArray *names = g_ptr_array_new_with_free_func(g_free);
	const char *name;
	while ((name = g_dir_read_name(d)))
		if (av_is_db_file(name)) {
			g_ptr_array_add(names, g_strdup(name));
			if (g_str_has_suffix(name, ".pdb") || g_str_has_suffix(name, ".wdb") ||
			    g_str_has_suffix(name, ".gdb") || g_str_has_prefix(name, "daily."))
				*phish = true;
		}
	g_dir_close(d);
	g_ptr_array_sort(names, av_cmp_names);
	bool ok = true;
	for (guint i = 0; ok && i < names->len; i++) {
		char *path = g_build_filename(dir, (char *)g_ptr_array_index(names, i), NULL);
		ok = av_load_file(cl, path, count, err);
		g_free(path);
	}
	g_ptr_array_unref(names);
	return ok;
}

/* av_system_dir - the system database folder to load, or NULL for none */
static char *av_system_dir(const vigie_config *c, GError **err, bool *failed)
{
	const char *v = vigie_config_get(c, "av", "system_database");
	*failed = false;
	if (strcmp(v, "off") == 0)
		return NULL;
	if (strcmp(v, "auto") == 0) {
		const char *dir = cl_retdbdir();
		GDir *d = g_dir_open(dir, 0, NULL);
		if (!d)
			return NULL;
		bool has = false;
		const char *name;
		while ((name = g_dir_read_name(d)))
			if (g_str_has_suffix(name, ".cvd") || g_str_has_suffix(name, ".cld"))
				has = true;
		g_dir_close(d);
		return has ? g_strdup(dir) : NULL;
	}
	if (!g_file_test(v, G_FILE_TEST_IS_DIR)) {
		g_set_error(err, VIGIE_ERROR, VIGIE_ERROR_CONFIG,
			    "%s: [av] system_database: '%s' is not a folder (use auto, off or a path)",
			    config_path(c), v);
		*failed = true;
	}
	return *failed ? NULL : g_strdup(v);
}

static void av_virus_found(int fd, const char *virname, void *context);

/* av_engine_load - build and compile the ClamAV engine for config c */
static void av_rmtree(const char *dir);

/* The private folders of the engines alive in this process: an exit that
 * does not free its engine (a fatal start-up error, --check-config) still
 * removes them. Only a killed process leaves one behind. */
static GMutex av_tmp_lock;
static GPtrArray *av_tmp_dirs;

static void av_tmp_atexit(void)
{
	g_mutex_lock(&av_tmp_lock);
	for (guint i = 0; av_tmp_dirs && i < av_tmp_dirs->len; i++)
		av_rmtree(g_ptr_array_index(av_tmp_dirs, i));
	g_mutex_unlock(&av_tmp_lock);
}

/* av_private_tmpdir - a new folder of our own (0700, pid and random name) on the
 * /dev/shm tmpfs, or NULL when there is none; caller g_free */
static char *av_private_tmpdir(void)
{
	GStatBuf st;
	if (g_lstat("/dev/shm", &st) != 0 || !S_ISDIR(st.st_mode))
		return NULL;
	/* the pid in the name: a later vigied removes it once we are gone */
	char *t = g_strdup_printf("/dev/shm/vigie-clamav-%ld-XXXXXX", (long)getpid());
	if (!g_mkdtemp_full(t, 0700)) {
		g_free(t);
		return NULL;
	}
	g_mutex_lock(&av_tmp_lock);
	if (!av_tmp_dirs) {
		av_tmp_dirs = g_ptr_array_new();
		atexit(av_tmp_atexit);
	}
	g_ptr_array_add(av_tmp_dirs, t);
	g_mutex_unlock(&av_tmp_lock);
	return t;
}

av_engine *av_engine_load(const vigie_config *c, GError **err)
{
	av_engine *a = g_new0(av_engine, 1);
	a->cl = cl_engine_new();
	if (!a->cl) {
		g_set_error(err, VIGIE_ERROR, VIGIE_ERROR_RULES, "cl_engine_new failed");
		g_free(a);
		return NULL;
	}
	cl_engine_set_num(a->cl, CL_ENGINE_MAX_SCANSIZE, vigie_config_get_int(c, "av", "max_scan_size"));
	cl_engine_set_num(a->cl, CL_ENGINE_MAX_FILESIZE, vigie_config_get_int(c, "av", "max_file_size"));
	cl_engine_set_num(a->cl, CL_ENGINE_MAX_RECURSION, vigie_config_get_int(c, "av", "max_recursion"));
	cl_engine_set_num(a->cl, CL_ENGINE_MAX_FILES, vigie_config_get_int(c, "av", "max_files"));
	cl_engine_set_num(a->cl, CL_ENGINE_MAX_SCANTIME, vigie_config_get_int(c, "av", "max_scan_time"));
	cl_engine_set_clcb_virus_found(a->cl, av_virus_found);
	/* libclamav writes some normalised forms (HTML without tags or
	 * comments, scripts) to temporary files while scanning */
	const char *tmpdir = vigie_config_get(c, "av", "tmpdir");
	if (tmpdir && !strcmp(tmpdir, "auto")) {
		a->own_tmpdir = av_private_tmpdir();
		if (a->own_tmpdir)
			cl_engine_set_str(a->cl, CL_ENGINE_TMPDIR, a->own_tmpdir);
	} else if (tmpdir && *tmpdir) {
		if (!g_path_is_absolute(tmpdir) || !g_file_test(tmpdir, G_FILE_TEST_IS_DIR)) {
			g_set_error(err, VIGIE_ERROR, VIGIE_ERROR_CONFIG,
				    "%s: [av] tmpdir: '%s' is not auto or an absolute path to a folder",
				    config_path(c), tmpdir);
			goto fail;
		}
		cl_engine_set_str(a->cl, CL_ENGINE_TMPDIR, tmpdir);
	}

	const char *bundled = vigie_config_get(c, "av", "bundled");
	if (!av_load_dir(a->cl, bundled, &a->sigs_bundled, &a->has_phishing_db, err))
		goto fail;
	bool failed;
	char *sysdir = av_system_dir(c, err, &failed);
	if (failed)
		goto fail;
	if (sysdir && !av_load_dir(a->cl, sysdir, &a->sigs_system, &a->has_phishing_db, err)) {
		g_free(sysdir);
		goto fail;
	}
	av_load_msgs = g_string_new(NULL);
	cl_error_t rc = cl_engine_compile(a->cl);
	if (rc != CL_SUCCESS) {
		g_set_error(err, VIGIE_ERROR, VIGIE_ERROR_RULES, "%s: compiling signatures: %s %s",
			    bundled, cl_strerror(rc), av_load_msgs->str);
		g_string_free(av_load_msgs, TRUE);
		av_load_msgs = NULL;
		g_free(sysdir);
		goto fail;
	}
	g_string_free(av_load_msgs, TRUE);
	av_load_msgs = NULL;
	a->describe = g_strdup_printf("clamav %s, %u bundled signatures, %u system signatures%s%s",
				      cl_retver(), a->sigs_bundled, a->sigs_system,
				      sysdir ? " from " : "", sysdir ? sysdir : "");
	g_free(sysdir);

	a->opts.general = CL_SCAN_GENERAL_ALLMATCHES | CL_SCAN_GENERAL_HEURISTICS;
	a->opts.parse = ~0u;
	/* Image fuzzy hashing decodes every picture (most of a phishing mail's
	 * scan time) and only serves image-hash signatures (.imp), which only
	 * the system database carries. */
	if (!a->sigs_system)
		a->opts.parse &= ~(unsigned)CL_SCAN_PARSE_IMAGE_FUZZY_HASH;
	a->opts.heuristic = 0;
	if (vigie_config_get_bool(c, "av", "heuristic_encrypted"))
		a->opts.heuristic |= CL_SCAN_HEURISTIC_ENCRYPTED_ARCHIVE | CL_SCAN_HEURISTIC_ENCRYPTED_DOC;
	if (vigie_config_get_bool(c, "av", "heuristic_macros"))
		a->opts.heuristic |= CL_SCAN_HEURISTIC_MACROS;
	if (vigie_config_get_bool(c, "av", "heuristic_phishing"))
		a->opts.heuristic |= CL_SCAN_HEURISTIC_PHISHING_SSL_MISMATCH | CL_SCAN_HEURISTIC_PHISHING_CLOAK;
	if (vigie_config_get_bool(c, "av", "heuristic_exceeds_max"))
		a->opts.heuristic |= CL_SCAN_HEURISTIC_EXCEEDS_MAX;
	/* The raw message: every attachment was already decoded and scanned
	 * above, so libclamav's own MIME walk (which writes each part to a
	 * temporary file) is only worth its cost when a database of phishing
	 * URLs is loaded for its cloaking/SSL-mismatch checks of HTML parts.
	 * Otherwise the raw pass matches the message bytes as they are. */
	a->raw_opts = a->opts;
	const char *mode = vigie_config_get(c, "av", "raw_message_parse");
	bool parse_mail = strcmp(mode, "yes") == 0 ||
			  (strcmp(mode, "auto") == 0 && a->has_phishing_db);
	if (!parse_mail)
		a->raw_opts.parse &= ~(unsigned)CL_SCAN_PARSE_MAIL;
	return a;
fail:
	av_engine_free(a);
	return NULL;
}

/* av_rmtree - remove dir and what is below it, never following a
 * symbolic link out of it */
static void av_rmtree(const char *dir)
{
	GDir *d = g_dir_open(dir, 0, NULL);
	const char *n;
	while (d && (n = g_dir_read_name(d))) {
		char *p = g_build_filename(dir, n, NULL);
		GStatBuf st;
		if (g_lstat(p, &st) == 0 && S_ISDIR(st.st_mode))
			av_rmtree(p);
		else
			g_unlink(p);
		g_free(p);
	}
	if (d)
		g_dir_close(d);
	g_rmdir(dir);
}

/* av_clean_dead_tmpdirs - see internal.h */
guint av_clean_dead_tmpdirs(void)
{
	GDir *d = g_dir_open("/dev/shm", 0, NULL);
	const char *n;
	guint removed = 0;
	while (d && (n = g_dir_read_name(d))) {
		if (!g_str_has_prefix(n, "vigie-clamav-"))
			continue;
		const char *num = n + strlen("vigie-clamav-");
		char *end;
		long pid = strtol(num, &end, 10);
		if (end == num || *end != '-' || pid <= 0 || pid == (long)getpid())
			continue; /* not ours to judge, or ours */
		if (kill((pid_t)pid, 0) == 0 || errno != ESRCH)
			continue; /* alive (or someone else's: EPERM) */
		char *p = g_build_filename("/dev/shm", n, NULL);
		GStatBuf st;
		if (g_lstat(p, &st) == 0 && S_ISDIR(st.st_mode) && st.st_uid == geteuid()) {
			av_rmtree(p);
			removed += g_lstat(p, &st) != 0;
		}
		g_free(p);
	}
	if (d)
		g_dir_close(d);
	return removed;
}

/* av_engine_tmpdir - see internal.h */
const char *av_engine_tmpdir(const av_engine *a)
{
	return a ? a->own_tmpdir : NULL;
}

/* av_engine_free - NULL is a no-op */
void av_engine_free(av_engine *a)
{
	if (!a)
		return;
	if (a->cl)
		cl_engine_free(a->cl);
	if (a->own_tmpdir) {
		g_mutex_lock(&av_tmp_lock);
		g_ptr_array_remove(av_tmp_dirs, a->own_tmpdir);
		g_mutex_unlock(&av_tmp_lock);
		av_rmtree(a->own_tmpdir);
		g_free(a->own_tmpdir);
	}
	g_free(a->describe);
	g_free(a);
}

unsigned av_engine_signatures(const av_engine *a)
{
	return a->sigs_bundled + a->sigs_system;
}

const char *av_engine_describe(const av_engine *a)
{
	return a->describe;
}

/* per-scan context handed to libclamav's callbacks */
typedef struct {
	GPtrArray *names; /* signature names hit in this object */
} av_ctx;

static void av_virus_found(int fd, const char *virname, void *context)
{
	av_ctx *ctx = context;
	if (ctx && virname && ctx->names->len < 64)
		g_ptr_array_add(ctx->names, g_strdup(virname));
}

/* av_canonical_name - "YARA.Vigie_Class_Name" (how libclamav reports our
 * YARA rules) -> "Vigie.Class.Name", so the naming contract holds for every
 * format; other names unchanged. Caller g_free. */
static char *av_canonical_name(const char *sig)
{
	if (!g_str_has_prefix(sig, "YARA.Vigie_"))
		return g_strdup(sig);
	char *out = g_strdup(sig + strlen("YARA."));
	char *p = out;
	for (int seps = 0; *p && seps < 2; p++)
		if (*p == '_') {
			*p = '.';
			seps++;
		}
	return out;
}

/* av_classify - category and weight of a signature name */
static void av_classify(const vigie_config *c, const char *sig, const char **category, int *weight)
{
	if (g_str_has_prefix(sig, "Vigie.Risky.")) {
		*category = "risky-attachment";
		*weight = (int)vigie_config_get_int(c, "av", "risky_weight");
	} else if (g_str_has_prefix(sig, "Vigie.Phish.") || g_str_has_prefix(sig, "Heuristics.Phishing.")) {
		*category = "phishing";
		*weight = (int)vigie_config_get_int(c, "av", "phish_weight");
	} else if (g_str_has_prefix(sig, "Heuristics.")) {
		*category = "av-heuristic";
		*weight = (int)vigie_config_get_int(c, "av", "heuristic_weight");
	} else {
		*category = "malware";
		*weight = (int)vigie_config_get_int(c, "av", "malware_weight");
	}
}

/* libclamav's names for its limits, and ours (the [av] keys) */
static const struct {
	const char *heuristic; /* after "Heuristics.Limits.Exceeded." */
	const char *key;
} av_limit_names[] = {
	{ "MaxFileSize", "max_file_size" },   { "MaxScanSize", "max_scan_size" },
	{ "MaxFiles", "max_files" },	      { "MaxRecursion", "max_recursion" },
	{ "MaxScanTime", "max_scan_time" },
};

/* av_limit_key - the [av] key of a Heuristics.Limits.Exceeded.* name, or
 * "engine_limit" for a limit of libclamav's own (no key); NULL when sig
 * is not a limit report */
static const char *av_limit_key(const char *sig)
{
	static const char prefix[] = "Heuristics.Limits.Exceeded.";
	if (!g_str_has_prefix(sig, prefix))
		return NULL;
	for (size_t i = 0; i < G_N_ELEMENTS(av_limit_names); i++)
		if (g_str_has_prefix(sig + strlen(prefix), av_limit_names[i].heuristic))
			return av_limit_names[i].key;
	return "engine_limit";
}

/* av_rc_limit - the [av] key of a libclamav limit answer, or NULL */
static const char *av_rc_limit(cl_error_t rc)
{
	switch (rc) {
	case CL_EMAXSIZE: return "max_scan_size";
	case CL_EMAXFILES: return "max_files";
	case CL_EMAXREC: return "max_recursion";
	case CL_ETIMEOUT: return "max_scan_time";
	default: return NULL;
	}
}

/* av_incomplete - a scan.incomplete finding for an object a limit cut
 * short; evidence names the limit and its value */
static void av_incomplete(const vigie_config *c, vigie_verdict *v, const char *key, bool risky,
			  const char *what, const char *where)
{
	char *ev = strcmp(key, "engine_limit")
			   ? g_strdup_printf("limit [av] %s (%lld): %s", key,
					     vigie_config_get_int(c, "av", key), what)
			   : g_strdup_printf("a limit of libclamav's own: %s", what);
	scan_incomplete_add(c, v, key, risky, ev, where);
	g_free(ev);
}

/* av_scan_buffer - scan one object; findings for names not already seen;
 * risky: the object is an executable or archive (for scan.incomplete) */
static bool av_scan_buffer(const av_engine *a, const vigie_config *c,
			   const struct cl_scan_options *base, const void *data, size_t len,
			   const char *name, const char *where, bool risky, GHashTable *seen,
			   vigie_verdict *v, GError **err)
{
	if (len == 0)
		return true;
	long long max_file = vigie_config_get_int(c, "av", "max_file_size");
	if ((long long)len > max_file) {
		/* libclamav would skip it and answer clean */
		char *what = g_strdup_printf("%zu bytes not scanned", len);
		av_incomplete(c, v, "max_file_size", risky, what, where);
		g_free(what);
		return true;
	}
	cl_fmap_t *map = cl_fmap_open_memory(data, len);
	if (!map) {
		g_set_error(err, VIGIE_ERROR, VIGIE_ERROR_SCAN, "clamav: cannot map %s", where);
		return false;
	}
	av_ctx ctx = { g_ptr_array_new_with_free_func(g_free) };
	const char *virname = NULL;
	unsigned long scanned = 0;
	struct cl_scan_options opts = *base;
	cl_error_t rc = cl_scanmap_callback(map, name, &virname, &scanned, a->cl, &opts, &ctx);
	cl_fmap_close(map);
	bool ok = true;
	if (rc == CL_VIRUS && ctx.names->len == 0 && virname)
		g_ptr_array_add(ctx.names, g_strdup(virname));
	if (rc != CL_CLEAN && rc != CL_VIRUS) {
		/* limits (size, time) are not engine failures: the object was
		 * not fully scanned, which is a finding; keep going */
		const char *key = av_rc_limit(rc);
		if (key) {
			av_incomplete(c, v, key, risky, cl_strerror(rc), where);
		} else {
			g_set_error(err, VIGIE_ERROR, VIGIE_ERROR_SCAN, "clamav on %s: %s", where,
				    cl_strerror(rc));
			ok = false;
		}
	}
	for (guint i = 0; i < ctx.names->len; i++) {
		char *sig = g_ptr_array_index(ctx.names, i);
		/* libclamav marks every non-official database's names; ours are all unofficial */
		if (g_str_has_suffix(sig, ".UNOFFICIAL"))
			sig[strlen(sig) - strlen(".UNOFFICIAL")] = '\0';
		const char *limit = av_limit_key(sig);
		if (limit) {
			/* per object, not once per message: each names its own part */
			char *what = g_strdup_printf("libclamav stopped: %s", sig);
			av_incomplete(c, v, limit, risky, what, where);
			g_free(what);
			continue;
		}
		if (g_hash_table_contains(seen, sig))
			continue;
		g_hash_table_add(seen, g_strdup(sig));
		const char *category;
		int weight;
		char *canon = av_canonical_name(sig);
		av_classify(c, canon, &category, &weight);
		char *rule = g_strconcat("av.", canon, NULL);
		g_free(canon);
		verdict_add_finding(v, rule, category, weight, sig, where);
		g_free(rule);
	}
	g_ptr_array_unref(ctx.names);
	return ok;
}

/* av_scan - every attachment, then the raw message */
bool av_scan(const av_engine *a, const vigie_config *c, const vigie_message *m, vigie_verdict *v,
	     GError **err)
{
	GHashTable *seen = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, NULL);
	bool ok = true;
	for (guint i = 0; ok && i < m->attachments->len; i++) {
		vigie_attachment *at = g_ptr_array_index(m->attachments, i);
		if (!at->data)
			continue;
		gsize len;
		const void *data = g_bytes_get_data(at->data, &len);
		char *where = g_strdup_printf("attachment %s (%s)", at->name ? at->name : "unnamed",
					      at->where);
		bool risky = scan_risky_type(at->name, at->declared_type, at->sniffed_type);
		ok = av_scan_buffer(a, c, &a->opts, data, len, at->name, where, risky, seen, v, err);
		g_free(where);
	}
	/* a chat message's raw form is the platform's JSON: its text is
	 * analysed by the text analysers; ClamAV adds cost, not coverage */
	bool raw = m->channel == VIGIE_CHANNEL_MAIL ? vigie_config_get_bool(c, "av", "scan_raw_message")
						    : vigie_config_get_bool(c, "av", "scan_raw_chat");
	if (ok && m->raw && raw) {
		gsize len;
		const void *data = g_bytes_get_data(m->raw, &len);
		ok = av_scan_buffer(a, c, &a->raw_opts, data, len, NULL, "raw message", false, seen, v,
				    err);
	}
	g_hash_table_unref(seen);
	return ok;
}
