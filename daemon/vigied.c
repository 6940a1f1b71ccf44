/* vigied.c - the gateway daemon: one process, one core engine and one
 * quarantine shared by its front ends: the milter and the HTTP webhook
 * receiver (either may be disabled, not both).
 *
 *   vigied [-c CONFIG] [-f] [--check-config]
 *   vigied --version | --help
 *
 * Start-up order (Postfix's pre-jail / post-jail split): read configuration
 * and rules, open the quarantine folder (creating its release key) and the
 * listening sockets (milter, webhook port, TLS files), write the pid
 * file, then, when started as root, hand what it writes to [daemon] user
 * and become it for good (vigied_priv.c; an unknown user stops it, unless
 * allow_root = yes), then serve. Rules that fail to load
 * at start do not stop the daemon: it logs why and answers every message
 * with [milter] on_engine_unavailable (tempfail by default) until a SIGHUP
 * reload succeeds. A broken configuration file does stop it (exit 78).
 *
 * Signals: SIGHUP reloads configuration and rules (the engine swap; a
 * failed reload keeps the old engine and logs why); SIGTERM stops accepting
 * connections on both front ends, lets messages in flight finish (up to [daemon]
 * shutdown_timeout seconds), then exits.
 *
 * Under systemd (vigied.service runs "vigied -f"), stderr is the journal
 * ($JOURNAL_STREAM): lines go there once, not also through syslog, and
 * without our timestamps (the journal has its own). Elsewhere stderr lines
 * carry an ISO 8601 UTC timestamp; [daemon] log_format = json makes them
 * one JSON object each.
 *
 * [admin] enabled opens a small HTTP listener (vigied_admin.c) with
 * /healthz, /readyz and /metrics, whichever front ends run.
 */
#include "alerts.h"
#include "milter.h"
#include "vigied.h"
#include "webhook.h"
#include "vlog.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sysexits.h>
#include <unistd.h>

static const char *vigied_config_path;
static vigie_slot *vigied_slot;

static vigie_quarantine *vigied_q;
static bool vigied_milter_on;

/* vigied_milter_seen - the milter's verdicts into the traffic watch */
static void vigied_milter_seen(const vigie_message *m, const vigie_verdict *v)
{
	alerts_observe(ALERTS_MILTER_CHANNEL, m, v, NULL);
}

/* vigied_extra_metrics - what the webhook's /metrics adds: the milter's
 * counters (when it runs) and the traffic watch's; caller g_free */
static char *vigied_extra_metrics(void)
{
	char *m = vigied_milter_on ? vigied_admin_milter_metrics() : g_strdup("");
	char *a = alerts_metrics();
	char *all = g_strconcat(m, a, NULL);
	g_free(m);
	g_free(a);
	return all;
}

/* vigied_housekeeping - at start and hourly: purge quarantine items past
 * [quarantine] retention_days (of the configuration in force), remove what
 * a crash left in its tmp/ (older than tmp_max_age) and the temporary
 * folders of engines whose process is gone */
void vigied_housekeeping(void)
{
	guint dead = vigie_engine_clean_dead_tmpdirs();
	if (dead)
		vlog(LOG_NOTICE, NULL, "removed %u temporary folder(s) of engines whose process is gone "
				       "(/dev/shm/vigie-clamav-PID-*)", dead);
	vigie_engine *e = vigie_slot_get(vigied_slot);
	if (!e || !vigied_q) {
		vigie_engine_unref(e);
		return;
	}
	const vigie_config *c = vigie_engine_config(e);
	long long days = vigie_config_get_int(c, "quarantine", "retention_days");
	long long tmp_age = vigie_config_get_int(c, "quarantine", "tmp_max_age");
	vigie_engine_unref(e);
	guint stale = vigie_quarantine_clean_tmp(vigied_q, tmp_age);
	if (stale)
		vlog(LOG_NOTICE, NULL, "quarantine: removed %u unfinished write(s) from tmp/ older than %lld s "
				       "(left by a crash)", stale, tmp_age);
	if (days <= 0)
		return;
	guint n = vigie_quarantine_purge(vigied_q, (gint64)days * 86400);
	if (n) {
		char *res = g_strdup_printf("purged %u older than %lld days", n, days);
		vigie_quarantine_audit(vigied_q, "vigied", "purge", "-", res);
		vlog(LOG_NOTICE, NULL, "quarantine retention: %s", res);
		g_free(res);
	}
}

/* vigied_reload - SIGHUP: a new engine from the same configuration file */
void vigied_reload(void)
{
	GError *err = NULL;
	vlog(LOG_NOTICE, NULL, "reloading %s", vigied_config_path);
	/* a rule path that is not there: say which key, before the loaders do */
	vigie_config *c = vigie_config_load(vigied_config_path, &err);
	bool paths_ok = c && vigie_config_check_paths(c, &err);
	vigie_config_free(c);
	if (paths_ok && vigie_slot_reload(vigied_slot, vigied_config_path, &err)) {
		vigie_engine *e = vigie_slot_get(vigied_slot);
		vlog(LOG_NOTICE, NULL, "reloaded: %s", vigie_engine_version(e));
		vigie_engine_unref(e);
	} else {
		vlog(LOG_ERR, NULL, "reload failed, keeping the current engine: %s", err->message);
		g_error_free(err);
	}
}

/* vigied_give_state - what vigied writes after the drop, made as root:
 * the quarantine's folders and files, the engine's temporary folder, a
 * unix milter socket, the pid file, the prefilter cache */
static void vigied_give_state(const vigied_priv *priv, const vigie_config *config, const char *qdir,
			      const char *pidfile)
{
	static const char *const subs[] = { "", "tmp", "new", "released", "deleted", "tokens", "audit.log",
					    "release.key" };
	for (size_t i = 0; i < G_N_ELEMENTS(subs); i++) {
		char *p = g_build_filename(qdir, subs[i], NULL);
		vigied_priv_give(priv, p);
		g_free(p);
	}
	vigie_engine *e = vigie_slot_get(vigied_slot);
	vigied_priv_give(priv, vigie_engine_private_tmpdir(e));
	vigie_engine_unref(e);
	vigied_priv_give(priv, milter_socket_path());
	/* the traffic watch's folder, its snapshot and its alert history */
	const char *adir = alerts_state_dir();
	if (adir) {
		static const char *const afiles[] = { "", "series.snapshot", "alerts.jsonl" };
		for (size_t i = 0; i < G_N_ELEMENTS(afiles); i++) {
			char *p = g_build_filename(adir, afiles[i], NULL);
			vigied_priv_give(priv, p);
			g_free(p);
		}
	}
	vigied_priv_give(priv, pidfile);
	/* an explicit prefilter cache, so that reloads still find it ("auto"
	 * is the starting user's ~/.cache, out of the user's reach) */
	const char *cache = vigie_config_get(config, "intent", "cache_dir");
	if (priv->drop && *cache && strcmp(cache, "auto")) {
		vigied_priv_give(priv, cache);
		GDir *d = g_dir_open(cache, 0, NULL);
		for (const char *f; d && (f = g_dir_read_name(d));) {
			char *p = g_build_filename(cache, f, NULL);
			vigied_priv_give(priv, p);
			g_free(p);
		}
		if (d)
			g_dir_close(d);
	}
}

/* vigied_daemonize - detach from the terminal */
static void vigied_daemonize(void)
{
	pid_t pid = fork();
	if (pid < 0)
		vlog_fatal(EX_OSERR, "fork: %s", g_strerror(errno));
	if (pid > 0)
		_exit(0);
	setsid();
	if (chdir("/") != 0)
		vlog_fatal(EX_OSERR, "chdir /: %s", g_strerror(errno));
	int fd = open("/dev/null", O_RDWR);
	if (fd >= 0) {
		dup2(fd, 0);
		dup2(fd, 1);
		dup2(fd, 2);
		if (fd > 2)
			close(fd);
	}
}

static void vigied_write_pidfile(const char *path)
{
	if (!path || !*path)
		return;
	char *text = g_strdup_printf("%ld\n", (long)getpid());
	GError *err = NULL;
	if (!g_file_set_contents(path, text, -1, &err)) {
		vlog(LOG_ERR, NULL, "pid file: %s", err->message);
		g_error_free(err);
	}
	g_free(text);
}

/* vigied_default_config - the built-in default: the source tree's
 * etc/vigie.conf for a vigied run from its build folder (the tests,
 * scripts/start), else the installed one */
static const char *vigied_default_config(void)
{
#ifdef VIGIE_DEV_CONFIG
	char *exe = g_file_read_link("/proc/self/exe", NULL);
	char *root = realpath(VIGIE_BUILD_ROOT, NULL);
	size_t n = root ? strlen(root) : 0;
	bool dev = exe && root && !strncmp(exe, root, n) && exe[n] == '/';
	g_free(exe);
	free(root);
	return dev ? VIGIE_DEV_CONFIG : VIGIE_DEFAULT_CONFIG;
#else
	return VIGIE_DEFAULT_CONFIG;
#endif
}

/* vigied_journal_stderr - stderr is systemd's journal stream */
static bool vigied_journal_stderr(void)
{
	const char *js = getenv("JOURNAL_STREAM");
	unsigned long long dev, ino;
	struct stat st;
	return js && sscanf(js, "%llu:%llu", &dev, &ino) == 2 && fstat(2, &st) == 0 &&
	       (unsigned long long)st.st_dev == dev && (unsigned long long)st.st_ino == ino;
}

/* vigied_load_engine - the engine, or NULL with err naming what failed: a
 * missing rule path by its key and line, else the loader's message */
static vigie_engine *vigied_load_engine(const vigie_config *config, GError **err)
{
	if (!vigie_config_check_paths(config, err))
		return NULL;
	return vigie_engine_load(vigied_config_path, err);
}

/* vigied_check_socket_dir - a unix socket's folder must exist: say so,
 * rather than libmilter's "in use, or no permission?" */
static void vigied_check_socket_dir(const vigie_config *c)
{
	const char *listen = vigie_config_get(c, "milter", "listen");
	const char *colon = strchr(listen, ':');
	if (!colon || (strncmp(listen, "unix:", 5) && strncmp(listen, "local:", 6)))
		return;
	char *dir = g_path_get_dirname(colon + 1);
	struct stat st;
	const char *why = stat(dir, &st) != 0 ? g_strerror(errno) : !S_ISDIR(st.st_mode) ? "not a folder" : NULL;
	if (why)
		vlog_fatal(EX_UNAVAILABLE, "[milter] listen = %s: the socket's folder %s: %s (vigied.service "
					   "makes /run/vigie with RuntimeDirectory=vigie, tmpfiles.d/vigie.conf at boot)",
			   listen, dir, why);
	g_free(dir);
}

static void vigied_usage(FILE *to)
{
	fprintf(to, "usage: vigied [-c CONFIG] [-f] [--check-config]\n"
		    "       vigied --version | --help\n"
		    "  -c CONFIG            configuration (default: $VIGIE_CONFIG or %s)\n"
		    "  -f                   stay in the foreground, log to stderr too\n"
		    "  -n, --check-config   validate configuration and rules, then exit\n"
		    "  --version            print the version, then exit\n"
		    "  -h, --help           this help (see vigied(8))\n",
		vigied_default_config());
}

int main(int argc, char **argv)
{
	bool foreground = false, check = false;
	const char *env = getenv("VIGIE_CONFIG");
	vigied_config_path = env && *env ? env : vigied_default_config();
	for (int i = 1; i < argc; i++) {
		if (!strcmp(argv[i], "-c") && i + 1 < argc)
			vigied_config_path = argv[++i];
		else if (!strcmp(argv[i], "-f"))
			foreground = true;
		else if (!strcmp(argv[i], "--check-config") || !strcmp(argv[i], "-n"))
			check = true;
		else if (!strcmp(argv[i], "-h") || !strcmp(argv[i], "--help")) {
			vigied_usage(stdout);
			return 0;
		} else if (!strcmp(argv[i], "--version") || !strcmp(argv[i], "-V")) {
			printf("vigied %s\n", VIGIE_VERSION);
			return 0;
		} else {
			vigied_usage(stderr);
			return EX_USAGE;
		}
	}

	GError *err = NULL;
	if (!vigie_global_init(&err))
		vlog_fatal(EX_SOFTWARE, "%s", err->message);
	vigie_config *config = vigie_config_load(vigied_config_path, &err);
	if (!config)
		vlog_fatal(EX_CONFIG, "%s", err->message);
	/* -n answers a person: plain lines */
	if (!check)
		vlog_set_format(!strcmp(vigie_config_get(config, "daemon", "log_format"), "json"),
				!vigied_journal_stderr());
	/* the front ends' own settings, before the (long) engine load */
	bool milter_on = vigie_config_get_bool(config, "milter", "enabled");
	bool webhook_on = vigie_config_get_bool(config, "webhook", "enabled");
	if (!milter_on && !webhook_on && !check)
		vlog_fatal(EX_CONFIG, "[milter] and [webhook] are both disabled: enable at least one front end");
	if (!webhook_check(config, &err))
		vlog_fatal(EX_CONFIG, "%s", err->message);
	/* before the rules load: a start-up that cannot listen stops at once */
	if (milter_on && !check)
		vigied_check_socket_dir(config);
	/* who we serve as, before the long engine load: an unknown user stops
	 * at once (-n only warns: the user is the host's, not the file's) */
	vigied_priv priv;
	if (!vigied_priv_resolve(config, &priv, &err)) {
		if (!check)
			vlog_fatal(EX_CONFIG, "%s", err->message);
		fprintf(stderr, "vigied: warning: %s\n", err->message);
		g_clear_error(&err);
	}
	vigie_engine *engine = vigied_load_engine(config, &err);
	if (check) {
		if (!engine)
			vlog_fatal(EX_CONFIG, "%s", err->message);
		printf("%s: OK (%s)\n", vigied_config_path, vigie_engine_version(engine));
		char *report = vigie_engine_rules_report(engine);
		printf("%s\n", report);
		g_free(report);
		vigie_engine_unref(engine);
		vigie_config_free(config);
		return 0;
	}
	bool syslog_on = vigie_config_get_bool(config, "daemon", "syslog") &&
			 !(foreground && vigied_journal_stderr());
	vlog_open("vigied", true, syslog_on, LOG_INFO);
	if (!engine) {
		vlog(LOG_ERR, NULL, "rules not loaded, every message gets [milter] on_engine_unavailable "
				   "until a reload succeeds: %s", err->message);
		g_clear_error(&err);
	} else {
		vlog(LOG_INFO, NULL, "engine: %s (built in %.0f ms)", vigie_engine_version(engine),
		     vigie_engine_load_ms(engine));
	}
	vigied_slot = vigie_slot_new(engine);

	const char *qdir = vigie_config_get(config, "quarantine", "dir");
	vigie_quarantine *q = vigie_quarantine_open(qdir, &err);
	vigied_q = q;
	if (!q)
		vlog_fatal(EX_CANTCREAT, "%s", err->message);
	/* the release key is ours (given to [daemon] user with the folder), so
	 * the release tool, run as root, never makes one we cannot read */
	if (!vigie_quarantine_release_key_init(q, &err)) {
		vlog(LOG_ERR, NULL, "quarantine releases will fail: %s", err->message);
		g_clear_error(&err);
	}

	/* signals go to our own thread (vigied_signal.c); block them first so
	 * every thread created from here on inherits the mask */
	vigied_signals_block();
	if (milter_on && !milter_setup(config, vigied_slot, q, &err))
		vlog_fatal(EX_UNAVAILABLE, "%s", err->message);
	if (webhook_on && !webhook_setup(config, vigied_slot, q, &err))
		vlog_fatal(EX_UNAVAILABLE, "%s", err->message);
	vigied_milter_on = milter_on;
	if (!alerts_setup(config, webhook_on, milter_on, &err))
		vlog_fatal(EX_CANTCREAT, "%s", err->message);
	if (milter_on)
		milter_set_observer(vigied_milter_seen);
	if (webhook_on)
		webhook_set_observer(alerts_observe);
	bool admin_on = vigie_config_get_bool(config, "admin", "enabled");
	if (admin_on && !vigied_admin_setup(config, vigied_slot, milter_on, &err))
		vlog_fatal(EX_UNAVAILABLE, "%s", err->message);
	/* detached and the pid file written while root (it may live in a
	 * root-owned folder), then the drop: nothing from outside has been
	 * read yet, the webhook and the milter start serving below */
	if (!foreground) {
		vigied_daemonize();
		vlog_open("vigied", false, true, LOG_INFO);
	}
	const char *pidfile = vigie_config_get(config, "daemon", "pidfile");
	vigied_write_pidfile(pidfile);
	vigied_give_state(&priv, config, qdir, pidfile);
	if (!vigied_priv_drop(&priv, &err))
		vlog_fatal(EX_OSERR, "%s", err->message);
	/* every thread, before the webhook, admin and signal threads start
	 * and before the milter serves */
	if (vigie_config_get_bool(config, "daemon", "seccomp")) {
		if (!vigied_seccomp_install(!strcmp(vigie_config_get(config, "daemon", "log_format"), "json"), &err))
			vlog_fatal(EX_OSERR, "%s ([daemon] seccomp = no turns it off)", err->message);
		vlog(LOG_INFO, NULL, "seccomp filter on");
	}
	if (!alerts_start(&err))
		vlog_fatal(EX_SOFTWARE, "%s", err->message);
	if (webhook_on) {
		webhook_set_extra_metrics(vigied_extra_metrics);
		if (!webhook_start(&err))
			vlog_fatal(EX_UNAVAILABLE, "%s", err->message);
		vlog(LOG_NOTICE, NULL, "vigied %s: webhook listening on %s port %lld", VIGIE_VERSION,
		     vigie_config_get(config, "webhook", "address"),
		     vigie_config_get_int(config, "webhook", "port"));
	}
	if (admin_on) {
		if (!vigied_admin_start(&err))
			vlog_fatal(EX_UNAVAILABLE, "%s", err->message);
		vlog(LOG_NOTICE, NULL, "admin listener on %s port %lld (/healthz /readyz /metrics)",
		     vigie_config_get(config, "admin", "address"), vigie_config_get_int(config, "admin", "port"));
	}
	vigied_signals_start(milter_on);
	/* the milter's socket listens since milter_setup, the webhook's since
	 * webhook_start */
	vigied_admin_set_ready(true);
	if (milter_on) {
		vlog(LOG_NOTICE, NULL, "vigied %s listening on %s", VIGIE_VERSION,
		     vigie_config_get(config, "milter", "listen"));
		milter_run();
	} else {
		vigied_wait_for_stop();
	}

	/* stopped: let messages in flight finish */
	vigied_admin_set_ready(false);
	long long grace = vigie_config_get_int(config, "daemon", "shutdown_timeout");
	if (webhook_on)
		webhook_stop(grace);
	for (long long waited = 0; milter_in_flight() > 0 && waited < grace * 10; waited++)
		g_usleep(100 * 1000);
	if (milter_in_flight() > 0)
		vlog(LOG_WARNING, NULL, "exiting with %u message(s) unfinished (the MTA keeps them)",
		     milter_in_flight());
	vlog(LOG_NOTICE, NULL, "stopped");
	if (pidfile && *pidfile)
		unlink(pidfile);
	if (milter_socket_path())
		unlink(milter_socket_path());
	vigied_admin_stop();
	alerts_stop();
	vigie_quarantine_close(q);
	vigie_slot_free(vigied_slot);
	vigie_config_free(config);
	return 0;
}
