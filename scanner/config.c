/* config.c - the one configuration file: INI sections, typed keys, validated
 *
 * Syntax: "[section]" lines, "key = value" lines, "#" or ";" comments on
 * their own line, blank lines. Every key belongs to the table below (name,
 * type, default, bounds); an unknown section or key, a duplicate key, or a
 * value of the wrong type or out of bounds is an error naming file, line and
 * key. Values of type PATH are resolved against the folder of the file.
 *
 * SECURITY: the file is written by the administrator and trusted; it is
 * still parsed strictly so that a typo fails loudly instead of weakening
 * policy silently.
 */
#include "internal.h"

#include <arpa/inet.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>

typedef struct {
	const char *section;
	const char *key;
	cfg_type type;
	const char *def;
	long long min, max; /* CFG_INT / CFG_SIZE */
	const char *const *choices; /* CFG_STR: allowed values, or NULL */
	char *(*check)(const char *value); /* extra validation: reason (owned) or NULL */
} cfg_row;

/* config_check_listen - libmilter socket syntax */
static char *config_check_listen(const char *v)
{
	if (g_str_has_prefix(v, "unix:") || g_str_has_prefix(v, "local:")) {
		const char *path = strchr(v, ':') + 1;
		return *path == '/' ? NULL : g_strdup("a unix socket needs an absolute path (unix:/run/vigie/milter.sock)");
	}
	if (g_str_has_prefix(v, "inet:") || g_str_has_prefix(v, "inet6:")) {
		const char *port = strchr(v, ':') + 1;
		char *end;
		long n = strtol(port, &end, 10);
		if (end == port || n < 1 || n > 65535 || (*end && *end != '@'))
			return g_strdup("expected inet:PORT@ADDRESS or inet6:PORT@ADDRESS with PORT 1-65535");
		return NULL;
	}
	return g_strdup("expected unix:/PATH, inet:PORT@ADDRESS or inet6:PORT@ADDRESS");
}

/* config_check_mode - an octal file mode */
static char *config_check_mode(const char *v)
{
	char *end;
	long n = strtol(v, &end, 8);
	if (!*v || *end || n < 0 || n > 0777)
		return g_strdup("expected an octal mode such as 0660");
	return NULL;
}

static const char *const fail_modes[] = { "accept", "tempfail", "reject", NULL };
static const char *const quarantine_actions[] = { "discard", "reject", NULL };
static const char *const auto_yes_no[] = { "auto", "yes", "no", NULL };
static const char *const bulk_actions[] = { "release", "tag", "score", NULL };
static const char *const store_backends[] = { "lmdb", "redis", NULL };
static const char *const phone_countries[] = { "FR", "GB", "US", "CA", "BE", "CH", "DE", "ES", "IT",
					       "PT", "NL", "LU", "IE", "AT", NULL };
static const char *const log_formats[] = { "text", "json", NULL };
static const char *const alert_formats[] = { "vigie", "slack", NULL };
static const char *const unscanned_modes[] = { "tag", "quarantine", "release-with-finding", NULL };
static const char *const webhook_platforms[] = { "generic", "twilio", "meta", "genesys", "slack",
						 "teams", "zendesk", NULL };

/* config_check_abs_or_empty - "" or an absolute path (TLS files) */
static char *config_check_abs_or_empty(const char *v)
{
	return !*v || g_path_is_absolute(v) ? NULL : g_strdup("expected an absolute path or nothing");
}

/* config_check_ip - a numeric IPv4 or IPv6 address */
static char *config_check_ip(const char *v)
{
	unsigned char buf[16];
	if (inet_pton(AF_INET, v, buf) != 1 && inet_pton(AF_INET6, v, buf) != 1)
		return g_strdup("expected a numeric IPv4 or IPv6 address");
	return NULL;
}

#define KB 1024LL
#define MB (1024LL * 1024)
#define GB (1024LL * 1024 * 1024)

/* Every key Vigie knows. Front ends add their rows here: one table. */
static const cfg_row config_table[] = {
	/* the rules folder; every rule path below that is not set explicitly
	 * and whose default starts with "../signatures/" lives under it */
	{ "core", "signatures", CFG_PATH, "../signatures", 0, 0, NULL },
	{ "core", "max_message_size", CFG_SIZE, "64M", 1 * KB, 2 * GB, NULL },
	{ "core", "max_parts", CFG_INT, "2000", 1, 1000000, NULL },
	{ "core", "max_depth", CFG_INT, "24", 1, 1000, NULL },
	{ "core", "max_text", CFG_SIZE, "4M", 1 * KB, 1 * GB, NULL },

	{ "av", "enabled", CFG_BOOL, "yes", 0, 0, NULL },
	{ "av", "bundled", CFG_PATH, "../signatures/clamav", 0, 0, NULL },
	{ "av", "system_database", CFG_STR, "auto", 0, 0, NULL }, /* auto | off | PATH */
	{ "av", "scan_raw_message", CFG_BOOL, "yes", 0, 0, NULL },
	{ "av", "scan_raw_chat", CFG_BOOL, "no", 0, 0, NULL },
	{ "av", "raw_message_parse", CFG_STR, "auto", 0, 0, auto_yes_no },
	{ "av", "max_scan_size", CFG_SIZE, "100M", 1 * KB, 4 * GB, NULL },
	{ "av", "max_file_size", CFG_SIZE, "25M", 1 * KB, 2 * GB, NULL },
	{ "av", "max_recursion", CFG_INT, "16", 1, 100, NULL },
	{ "av", "max_files", CFG_INT, "10000", 1, 1000000, NULL },
	{ "av", "max_scan_time", CFG_INT, "60000", 100, 3600000, NULL }, /* ms */
	{ "av", "heuristic_encrypted", CFG_BOOL, "yes", 0, 0, NULL },
	{ "av", "heuristic_macros", CFG_BOOL, "yes", 0, 0, NULL },
	{ "av", "heuristic_phishing", CFG_BOOL, "yes", 0, 0, NULL },
	{ "av", "heuristic_exceeds_max", CFG_BOOL, "yes", 0, 0, NULL },
	{ "av", "malware_weight", CFG_INT, "100", 0, 1000, NULL },
	{ "av", "risky_weight", CFG_INT, "8", 0, 1000, NULL },
	{ "av", "phish_weight", CFG_INT, "10", 0, 1000, NULL },
	{ "av", "heuristic_weight", CFG_INT, "6", 0, 1000, NULL },
	{ "av", "tmpdir", CFG_STR, "auto", 0, 0, NULL }, /* auto: a private folder on /dev/shm; "": libclamav's default; else an absolute folder (av.c) */

	/* the url analyser (scanner/url*.c) */
	{ "urls", "enabled", CFG_BOOL, "yes", 0, 0, NULL },
	{ "urls", "lists", CFG_PATH, "../signatures/urls", 0, 0, NULL },
	{ "urls", "feeds", CFG_PATH, "../signatures/urls/feeds", 0, 0, NULL },
	{ "urls", "protected", CFG_PATH, "../signatures/protected", 0, 0, NULL },
	{ "urls", "max_urls", CFG_INT, "300", 1, 100000, NULL },
	{ "urls", "max_findings", CFG_INT, "20", 1, 10000, NULL },
	{ "urls", "max_per_rule", CFG_INT, "3", 1, 10000, NULL },
	{ "urls", "max_subdomains", CFG_INT, "4", 1, 100, NULL },
	{ "urls", "lookalike_min_length", CFG_INT, "6", 3, 63, NULL },
	{ "urls", "lookalike_distance2_length", CFG_INT, "10", 3, 63, NULL },

	{ "policy", "decisive_categories", CFG_LIST, "malware", 0, 0, NULL },
	{ "policy", "malformed_weight", CFG_INT, "1", 0, 1000, NULL },
	/* content a limit kept from being scanned (scan.c, policy.c) */
	{ "policy", "unscanned_weight", CFG_INT, "5", 0, 1000, NULL },
	{ "policy", "on_unscanned", CFG_STR, "tag", 0, 0, unscanned_modes },
	{ "policy", "on_unscanned_executable", CFG_STR, "quarantine", 0, 0, unscanned_modes },

	/* started as root, vigied serves as user (daemon/vigied_priv.c) */
	{ "daemon", "user", CFG_STR, "vigie", 0, 0, NULL },
	{ "daemon", "group", CFG_STR, "", 0, 0, NULL }, /* "" = the user's own group */
	{ "daemon", "allow_root", CFG_BOOL, "no", 0, 0, NULL },
	/* a system-call allow-list once serving (daemon/vigied_seccomp.c) */
	{ "daemon", "seccomp", CFG_BOOL, "yes", 0, 0, NULL },
	{ "daemon", "pidfile", CFG_STR, "", 0, 0, NULL },
	{ "daemon", "syslog", CFG_BOOL, "yes", 0, 0, NULL },
	{ "daemon", "shutdown_timeout", CFG_INT, "30", 0, 3600, NULL }, /* s */
	{ "daemon", "log_format", CFG_STR, "text", 0, 0, log_formats },

	/* the admin listener (daemon/vigied_admin.c): /healthz /readyz /metrics */
	{ "admin", "enabled", CFG_BOOL, "no", 0, 0, NULL },
	{ "admin", "address", CFG_STR, "127.0.0.1", 0, 0, NULL, .check = config_check_ip },
	{ "admin", "port", CFG_INT, "8026", 1, 65535, NULL },

	{ "milter", "enabled", CFG_BOOL, "yes", 0, 0, NULL },
	{ "milter", "listen", CFG_STR, "inet:10025@127.0.0.1", 0, 0, NULL, .check = config_check_listen },
	{ "milter", "socket_mode", CFG_STR, "0660", 0, 0, NULL, .check = config_check_mode },
	{ "milter", "mta_timeout", CFG_INT, "600", 1, 86400, NULL }, /* s */
	{ "milter", "spill_size", CFG_SIZE, "1M", 0, 1 * GB, NULL },
	{ "milter", "temp_dir", CFG_PATH, "/var/tmp", 0, 0, NULL },
	{ "milter", "status_header", CFG_BOOL, "yes", 0, 0, NULL },
	{ "milter", "subject_prefix", CFG_STR, "[SUSPECT]", 0, 0, NULL },
	{ "milter", "quarantine_action", CFG_STR, "discard", 0, 0, quarantine_actions },
	{ "milter", "quarantine_reply", CFG_STR, "Message held for security review", 0, 0, NULL },
	{ "milter", "reject_reply", CFG_STR, "Message refused by content policy", 0, 0, NULL },
	{ "milter", "tempfail_reply", CFG_STR, "Message could not be scanned, try again later", 0, 0, NULL },
	{ "milter", "on_scan_error", CFG_STR, "tempfail", 0, 0, fail_modes },
	{ "milter", "on_engine_unavailable", CFG_STR, "tempfail", 0, 0, fail_modes },
	{ "milter", "on_oversize", CFG_STR, "tempfail", 0, 0, fail_modes },
	{ "milter", "on_timeout", CFG_STR, "tempfail", 0, 0, fail_modes },
	{ "milter", "on_quarantine_error", CFG_STR, "tempfail", 0, 0, fail_modes },
	{ "milter", "on_overload", CFG_STR, "tempfail", 0, 0, fail_modes },
	{ "milter", "max_concurrent_scans", CFG_INT, "0", 0, 4096, NULL }, /* 0 = twice the CPUs */
	{ "milter", "scan_wait", CFG_INT, "30", 0, 3600, NULL },          /* s, for a free scan slot */
	{ "milter", "trusted_clients", CFG_LIST, "", 0, 0, NULL },
	{ "milter", "skip_authenticated", CFG_BOOL, "no", 0, 0, NULL },

	{ "quarantine", "dir", CFG_PATH, "/var/lib/vigie/quarantine", 0, 0, NULL },
	/* where "vigie quarantine release" re-injects mail (the MTA's SMTP) */
	{ "quarantine", "release_host", CFG_STR, "127.0.0.1", 0, 0, NULL },
	{ "quarantine", "release_port", CFG_INT, "25", 1, 65535, NULL },
	/* items older than this are purged by vigied (0 = keep forever) */
	{ "quarantine", "retention_days", CFG_INT, "30", 0, 36500, NULL },
	/* tmp/ entries older than this are a crash's leftovers (s; vigied at start and hourly) */
	{ "quarantine", "tmp_max_age", CFG_INT, "3600", 60, 30 * 86400, NULL },

	/* the state store (scanner/store/): what Vigie remembers between scans */
	{ "store", "enabled", CFG_BOOL, "no", 0, 0, NULL },
	{ "store", "backend", CFG_STR, "lmdb", 0, 0, store_backends },
	{ "store", "path", CFG_PATH, "/var/lib/vigie/store", 0, 0, NULL }, /* lmdb folder */
	{ "store", "max_size", CFG_SIZE, "256M", 1 * MB, 64 * GB, NULL },  /* lmdb map */
	{ "store", "key_file", CFG_STR, "", 0, 0, NULL, .check = config_check_abs_or_empty }, /* "": path/hash.key */
	{ "store", "redis_host", CFG_STR, "127.0.0.1", 0, 0, NULL },
	{ "store", "redis_port", CFG_INT, "6379", 1, 65535, NULL },
	{ "store", "redis_password", CFG_STR, "", 0, 0, NULL },
	{ "store", "redis_prefix", CFG_STR, "vigie:", 0, 0, NULL },
	{ "store", "redis_pool", CFG_INT, "4", 1, 64, NULL },
	{ "store", "timeout", CFG_INT, "50", 1, 10000, NULL },  /* ms: connect and each command */
	{ "store", "retry", CFG_INT, "2", 0, 3600, NULL },       /* s before a failed backend is tried again */
	/* the memory analyser (scanner/memory/): campaign memory across channels */
	{ "memory", "enabled", CFG_BOOL, "yes", 0, 0, NULL },  /* with [store] enabled */
	{ "memory", "campaign_ttl", CFG_INT, "2592000", 60, 366 * 86400, NULL }, /* s: 30 days */
	{ "memory", "campaign_text_match", CFG_INT, "4", 1, 8, NULL }, /* shingles of 8 in common */
	{ "memory", "campaign_text_weight", CFG_INT, "10", 0, 1000, NULL },
	{ "memory", "campaign_url_weight", CFG_INT, "10", 0, 1000, NULL },
	{ "memory", "campaign_domain_weight", CFG_INT, "4", 0, 1000, NULL },
	{ "memory", "campaign_phone_weight", CFG_INT, "4", 0, 1000, NULL },
	{ "memory", "unavailable_weight", CFG_INT, "0", 0, 1000, NULL },
	/* sender history (scanner/memory/memory_history.c): first contact, clean record */
	{ "history", "enabled", CFG_BOOL, "yes", 0, 0, NULL }, /* with [store] and [memory] enabled */
	{ "history", "ttl", CFG_INT, "31536000", 86400, 3660 * 86400, NULL }, /* s: a year from first seen */
	{ "history", "first_contact_weight", CFG_INT, "0", -1000, 1000, NULL },
	{ "history", "first_contact_ask_weight", CFG_INT, "5", -1000, 1000, NULL },
	{ "history", "new_address_weight", CFG_INT, "0", -1000, 1000, NULL },
	{ "history", "new_address_ask_weight", CFG_INT, "2", -1000, 1000, NULL },
	{ "history", "ask_rules", CFG_LIST,
	  "intent.secret, intent.money, intent.redirect, intent.account, intent.identity, intent.fee, "
	  "intent.disclose, intent.combo.money-, intent.combo.secret-, intent.combo.remote-secret, "
	  "intent.combo.invest-fee, lexicon.payment, lexicon.credential", 0, 0, NULL },
	{ "history", "topic_rules", CFG_LIST, "lexicon., intent.", 0, 0, NULL },
	{ "history", "clean_history", CFG_INT, "5", 1, 1000000, NULL }, /* earlier clean messages */
	{ "history", "clean_percent", CFG_INT, "50", 0, 100, NULL },    /* of the topic findings' weight kept */
	{ "history", "clean_max_discount", CFG_INT, "6", 0, 1000, NULL },
	{ "history", "clean_needs_auth", CFG_BOOL, "yes", 0, 0, NULL },  /* mail: From domain authenticated */

	/* the per-deployment classifier (scanner/memory/memory_classifier.c) */
	{ "classifier", "enabled", CFG_BOOL, "yes", 0, 0, NULL }, /* with [store] and [memory] enabled */
	{ "classifier", "min_examples", CFG_INT, "50", 1, 100000000, NULL }, /* of each label */
	{ "classifier", "max_weight", CFG_INT, "6", 0, 100, NULL },	     /* at p = 1 */
	{ "classifier", "benign_weight", CFG_INT, "0", 0, 100, NULL },	     /* at p = 0, negative */
	{ "classifier", "buckets", CFG_INT, "262144", 1024, 16777216, NULL }, /* records, at most */
	{ "classifier", "ttl", CFG_INT, "63072000", 86400, 3660 * 86400, NULL }, /* s: two years */
	{ "classifier", "feature_rules", CFG_LIST, "lexicon., intent.", 0, 0, NULL },

	/* the webhook front end (webhook/) */
	{ "webhook", "enabled", CFG_BOOL, "no", 0, 0, NULL },
	{ "webhook", "address", CFG_STR, "127.0.0.1", 0, 0, NULL, .check = config_check_ip },
	{ "webhook", "port", CFG_INT, "8025", 1, 65535, NULL },
	{ "webhook", "threads", CFG_INT, "4", 1, 256, NULL },
	{ "webhook", "max_body", CFG_SIZE, "1M", 1 * KB, 4 * MB, NULL },
	{ "webhook", "max_connections", CFG_INT, "256", 1, 100000, NULL },
	{ "webhook", "connection_timeout", CFG_INT, "10", 1, 3600, NULL }, /* s */
	{ "webhook", "max_connections_per_ip", CFG_INT, "32", 0, 100000, NULL }, /* 0: off */
	{ "webhook", "request_timeout", CFG_INT, "30", 1, 3600, NULL }, /* s, headers and body */
	{ "webhook", "min_receive_rate", CFG_INT, "256", 0, 1000000000, NULL }, /* bytes/s, 0: off */
	{ "webhook", "header_limit", CFG_SIZE, "32K", 4 * KB, 1 * MB, NULL },
	{ "webhook", "tls_cert", CFG_STR, "", 0, 0, NULL, .check = config_check_abs_or_empty },
	{ "webhook", "tls_key", CFG_STR, "", 0, 0, NULL, .check = config_check_abs_or_empty },
	{ "webhook", "replay_window", CFG_INT, "300", 1, 86400, NULL }, /* s */
	{ "webhook", "author_rate", CFG_INT, "30", 0, 100000000, NULL }, /* per minute, 0: off */
	{ "webhook", "author_burst", CFG_INT, "10", 1, 100000000, NULL },
	{ "webhook", "conversation_rate", CFG_INT, "60", 0, 100000000, NULL },
	{ "webhook", "conversation_burst", CFG_INT, "20", 1, 100000000, NULL },
	{ "webhook", "channel_rate", CFG_INT, "6000", 0, 100000000, NULL },
	{ "webhook", "channel_burst", CFG_INT, "500", 1, 100000000, NULL },
	{ "webhook", "shared_limits", CFG_BOOL, "yes", 0, 0, NULL }, /* with [store] */
	{ "webhook", "shared_dedup", CFG_BOOL, "yes", 0, 0, NULL },  /* with [store] */
	{ "webhook", "dedup_size", CFG_INT, "10000", 0, 10000000, NULL },
	{ "webhook", "dedup_ttl", CFG_INT, "3600", 1, 30 * 86400, NULL }, /* s */
	{ "webhook", "forward_timeout", CFG_INT, "5", 1, 300, NULL }, /* s */
	{ "webhook", "tag_label", CFG_STR,
	  "Warning: this message may be fraudulent. Do not open its links or share any code.", 0, 0, NULL },
	{ "webhook", "quarantine_label", CFG_STR, "This message was held for security review.", 0, 0, NULL },
	/* one [webhook.NAME] section per platform channel (a section family) */
	{ "webhook.*", "platform", CFG_STR, "generic", 0, 0, webhook_platforms },
	{ "webhook.*", "secret", CFG_STR, "", 0, 0, NULL },
	{ "webhook.*", "public_url", CFG_STR, "", 0, 0, NULL },
	{ "webhook.*", "verify_token", CFG_STR, "", 0, 0, NULL },
	{ "webhook.*", "downstream_url", CFG_STR, "", 0, 0, NULL },
	{ "webhook.*", "downstream_secret", CFG_STR, "", 0, 0, NULL },

	/* the traffic watch (alerts/): series per channel, baselines, alerts */
	{ "alerts", "enabled", CFG_BOOL, "no", 0, 0, NULL },
	{ "alerts", "bucket", CFG_INT, "60", 1, 3600, NULL },              /* s per bucket */
	{ "alerts", "retention", CFG_INT, "691200", 60, 400 * 86400, NULL }, /* s of history: 8 days */
	{ "alerts", "state_dir", CFG_PATH, "/var/lib/vigie/alerts", 0, 0, NULL },
	{ "alerts", "snapshot_interval", CFG_INT, "300", 0, 86400, NULL }, /* s, 0: at stop only */
	{ "alerts", "window", CFG_INT, "60", 3, 100000, NULL },            /* buckets of the baseline */
	{ "alerts", "min_history", CFG_INT, "30", 1, 100000, NULL },       /* buckets before judging */
	{ "alerts", "threshold", CFG_INT, "5", 1, 100, NULL },             /* robust sigmas */
	{ "alerts", "min_spread", CFG_INT, "1", 1, 1000000, NULL },        /* sigma floor, per bucket */
	{ "alerts", "raise_after", CFG_INT, "3", 1, 1000, NULL },          /* buckets */
	{ "alerts", "clear_after", CFG_INT, "5", 1, 1000, NULL },          /* buckets */
	{ "alerts", "surge_min", CFG_INT, "5", 1, 100000000, NULL },       /* per bucket above the median */
	{ "alerts", "flood_min", CFG_INT, "20", 1, 100000000, NULL },
	{ "alerts", "silence_min", CFG_INT, "5", 1, 100000000, NULL },     /* median per bucket */
	{ "alerts", "seasonal_weeks", CFG_INT, "1", 0, 8, NULL },
	{ "alerts", "spread", CFG_BOOL, "yes", 0, 0, NULL },
	{ "alerts", "max_authors", CFG_INT, "100000", 16, 100000000, NULL },
	{ "alerts", "urls", CFG_LIST, "", 0, 0, NULL },
	{ "alerts", "secret", CFG_STR, "", 0, 0, NULL },
	{ "alerts", "format", CFG_STR, "vigie", 0, 0, alert_formats },
	{ "alerts", "timeout", CFG_INT, "5", 1, 300, NULL },               /* s per POST */
	{ "alerts", "retries", CFG_INT, "5", 0, 100, NULL },
	{ "alerts", "retry_interval", CFG_INT, "10", 1, 3600, NULL },      /* s, doubling */

	/* the lexicon analyser (lexicon.c): social-engineering phrase sets */
	{ "lexicon", "enabled", CFG_BOOL, "yes", 0, 0, NULL },
	{ "lexicon", "dir", CFG_PATH, "../signatures/lexicons", 0, 0, NULL },
	{ "lexicon", "languages", CFG_LIST, "", 0, 0, NULL }, /* "" = every language */
	{ "lexicon", "max_scan_bytes", CFG_SIZE, "512K", 1 * KB, 64 * MB, NULL },
	{ "lexicon", "short_text", CFG_INT, "400", 0, 100000, NULL }, /* bytes: the @short signal */

	/* the intent analyser (intent/): what a text asks, in what stance */
	{ "intent", "enabled", CFG_BOOL, "yes", 0, 0, NULL },
	{ "intent", "dir", CFG_PATH, "../signatures/intent", 0, 0, NULL },
	{ "intent", "languages", CFG_LIST, "", 0, 0, NULL }, /* "" = every language */
	{ "intent", "max_scan_bytes", CFG_SIZE, "64K", 1 * KB, 16 * MB, NULL },
	{ "intent", "quote_min_words", CFG_INT, "5", 1, 1000, NULL },
	{ "intent", "show_signals", CFG_BOOL, "no", 0, 0, NULL }, /* weight-0 asks as findings */
	/* the word models (intent/intent_model.c): one per channel, and the
	 * bounds of their weight */
	{ "intent", "model_enabled", CFG_BOOL, "yes", 0, 0, NULL },
	{ "intent", "model_mail", CFG_PATH, "../signatures/intent/mail.model", 0, 0, NULL },
	{ "intent", "model_chat", CFG_PATH, "../signatures/intent/chat.model", 0, 0, NULL },
	{ "intent", "model_max_weight", CFG_INT, "3", 0, 100, NULL },
	{ "intent", "model_min_weight", CFG_INT, "-3", -100, 0, NULL },
	/* the compiled prefilter, kept between runs: auto = the user's cache
	 * folder ($XDG_CACHE_HOME/vigie), "" = not kept, or a folder */
	{ "intent", "cache_dir", CFG_STR, "auto", 0, 0, NULL },

	/* the sender analyser (sender*.c): its lists live in [urls] protected */
	{ "sender", "enabled", CFG_BOOL, "yes", 0, 0, NULL },
	/* the organisation's own mail domains: their authenticated mail is the
	 * organisation speaking ([policy] internal_content_percent) */
	{ "sender", "own_domains", CFG_LIST, "", 0, 0, NULL },
	/* an inbound chat naming an executive (author name or opening words) */
	{ "sender", "chat_executive_weight", CFG_INT, "3", 0, 100, NULL },
	/* authserv-ids of the Authentication-Results to trust; "" = the topmost only */
	{ "sender", "authserv_id", CFG_LIST, "", 0, 0, NULL },

	/* the structure analyser (structure*.c): the form of a mail */
	{ "structure", "enabled", CFG_BOOL, "yes", 0, 0, NULL },
	{ "structure", "weights", CFG_PATH, "../signatures/structure/weights.conf", 0, 0, NULL },
	{ "structure", "max_recipients", CFG_INT, "15", 2, 100000, NULL }, /* To + Cc */
	{ "structure", "date_future_hours", CFG_INT, "48", 1, 87600, NULL },
	{ "structure", "date_past_days", CFG_INT, "7", 1, 36500, NULL },
	{ "structure", "little_text", CFG_INT, "150", 0, 100000, NULL }, /* characters */
	{ "structure", "hidden_text", CFG_INT, "200", 1, 10000000, NULL }, /* characters */

	/* the attachment content analyser (attach/): QR codes, PDF, Office text */
	{ "attach", "enabled", CFG_BOOL, "yes", 0, 0, NULL },
	{ "attach", "weights", CFG_PATH, "../signatures/attach/weights.conf", 0, 0, NULL },
	{ "attach", "max_bytes", CFG_SIZE, "20M", 1 * KB, 1 * GB, NULL }, /* per attachment */
	{ "attach", "max_pixels", CFG_INT, "25000000", 10000, 1000000000, NULL }, /* per image or page */
	{ "attach", "max_pages", CFG_INT, "50", 1, 100000, NULL },
	{ "attach", "render_pages", CFG_INT, "5", 0, 1000, NULL },
	{ "attach", "render_dpi", CFG_INT, "144", 36, 600, NULL },
	{ "attach", "render_below", CFG_INT, "200", 0, 1000000, NULL }, /* characters */
	{ "attach", "max_extract", CFG_SIZE, "256K", 1 * KB, 64 * MB, NULL }, /* text per attachment */
	{ "attach", "max_entries", CFG_INT, "2000", 1, 1000000, NULL }, /* zip entries */
	{ "attach", "max_inflate", CFG_SIZE, "32M", 1 * KB, 1 * GB, NULL }, /* per Office file */
	{ "attach", "max_time", CFG_INT, "3000", 1, 600000, NULL }, /* ms per attachment */
	{ "attach", "max_message_time", CFG_INT, "8000", 1, 3600000, NULL }, /* ms per message */
	{ "attach", "max_attachments", CFG_INT, "32", 1, 100000, NULL },
	{ "attach", "lure_words", CFG_INT, "80", 0, 100000, NULL }, /* attach.pdf-lure */

	/* the phone number analyser (phone/): numbers typed by range */
	{ "phone", "enabled", CFG_BOOL, "yes", 0, 0, NULL },
	{ "phone", "country", CFG_STR, "FR", 0, 0, phone_countries }, /* national numbers read as */
	{ "phone", "ranges", CFG_PATH, "../signatures/phone/ranges.conf", 0, 0, NULL },
	{ "phone", "own_numbers", CFG_PATH, "../signatures/phone/own-numbers.txt", 0, 0, NULL },
	{ "phone", "weights", CFG_PATH, "../signatures/phone/weights.conf", 0, 0, NULL },
	{ "phone", "max_numbers", CFG_INT, "50", 1, 10000, NULL }, /* per message */
	{ "phone", "lure_rules", CFG_LIST,
	  "lexicon.charge, lexicon.renewal, intent.charge-claim", 0, 0, NULL },

	/* vigie update (cli/cli_update.c): the URL feeds fetched into [urls] feeds;
	 * each item FILE=URL (FILE a plain name whose suffix gives its format) */
	{ "update", "feeds", CFG_LIST, "", 0, 0, NULL },
	{ "update", "timeout", CFG_INT, "300", 1, 86400, NULL }, /* s, per feed */
	{ "update", "max_size", CFG_SIZE, "256M", 1 * KB, 4 * GB, NULL }, /* per feed */
	{ "update", "ca_file", CFG_STR, "", 0, 0, NULL, .check = config_check_abs_or_empty },

	{ "channel.mail", "tag", CFG_INT, "5", 1, 100000, NULL },
	{ "channel.mail", "quarantine", CFG_INT, "10", 1, 100000, NULL },
	{ "channel.mail", "reject", CFG_INT, "0", 0, 100000, NULL }, /* 0: never */
	{ "channel.chat", "tag", CFG_INT, "5", 1, 100000, NULL },
	{ "channel.chat", "quarantine", CFG_INT, "10", 1, 100000, NULL },
	{ "channel.chat", "reject", CFG_INT, "0", 0, 0, NULL }, /* chat has no reject */

	/* who is speaking, and what kind of message it is (policy.c) */
	/* chat author ids that are the organisation itself (its OTP sender, its bots) */
	{ "policy", "own_ids", CFG_LIST, "", 0, 0, NULL },
	/* rule prefixes whose weight depends on who speaks (content analysers) */
	{ "policy", "content_rules", CFG_LIST, "lexicon., intent.", 0, 0, NULL },
	/* percent of those weights kept when the organisation speaks */
	/* rule prefixes that count as content when found in plain text, not a link */
	{ "policy", "content_text_rules", CFG_LIST, "url.", 0, 0, NULL },
	{ "policy", "internal_content_percent", CFG_INT, "30", 0, 100, NULL },
	{ "policy", "outbound_content_percent", CFG_INT, "0", 0, 100, NULL },
	{ "policy", "brand_content_percent", CFG_INT, "50", 0, 100, NULL },
	/* rule prefixes that keep their whole weight even when staff speak (insider asks) */
	{ "policy", "internal_kept_rules", CFG_LIST, "intent.combo.control-", 0, 0, NULL },
	/* categories that make a flagged message malicious rather than spam */
	{ "policy", "malicious_categories", CFG_LIST,
	  "malware, phishing, phishing-link, impersonation, intent, claim, risky-attachment, "
	  "unscanned, unscanned-executable, av-heuristic, campaign", 0, 0, NULL },
	/* bulk: authenticated mass mail with an unsubscribe; what to do with it */
	{ "policy", "bulk_action", CFG_STR, "release", 0, 0, bulk_actions },
	{ "policy", "bulk_needs_auth", CFG_BOOL, "yes", 0, 0, NULL },
};

#define N_ROWS G_N_ELEMENTS(config_table)

/* One section of a family ("[webhook.NAME]"): the rows whose section is
 * "FAMILY.*" give its keys; only those slots of values/lines are used. */
typedef struct {
	char *section;          /* "webhook.NAME" */
	char *values[N_ROWS];
	int lines[N_ROWS];
	int line;               /* of the section header */
} cfg_instance;

struct vigie_config {
	char *path;
	char *dir;
	char *values[N_ROWS];   /* after defaults; PATH values absolute */
	int lines[N_ROWS];      /* where each was set, 0 for default */
	GPtrArray *instances;   /* of cfg_instance*, in file order */
};

G_DEFINE_QUARK(vigie-error-quark, vigie_error)

/* config_find - row index of section.key or -1 */
/* config_index - "section\nkey" -> row + 1, built once: a lookup at scan
 * time is a hash, not a walk over every row */
static gpointer config_index_build(gpointer unused)
{
	GHashTable *h = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, NULL);
	for (size_t i = 0; i < N_ROWS; i++) {
		char *k = g_strconcat(config_table[i].section, "\n", config_table[i].key, NULL);
		if (!g_hash_table_contains(h, k))
			g_hash_table_insert(h, k, GSIZE_TO_POINTER(i + 1));
		else
			g_free(k);
	}
	return h;
}

static int config_find(const char *section, const char *key)
{
	static GOnce once = G_ONCE_INIT;
	GHashTable *h = g_once(&once, config_index_build, NULL);
	char buf[128];
	size_t sl = strlen(section), kl = strlen(key);
	if (sl + kl + 2 > sizeof buf) {
		for (size_t i = 0; i < N_ROWS; i++)
			if (strcmp(config_table[i].section, section) == 0 &&
			    strcmp(config_table[i].key, key) == 0)
				return (int)i;
		return -1;
	}
	memcpy(buf, section, sl);
	buf[sl] = '\n';
	memcpy(buf + sl + 1, key, kl + 1);
	return (int)GPOINTER_TO_SIZE(g_hash_table_lookup(h, buf)) - 1;
}

static bool config_known_section(const char *section)
{
	for (size_t i = 0; i < N_ROWS; i++)
		if (strcmp(config_table[i].section, section) == 0)
			return true;
	return false;
}

/* config_family - "FAMILY.*" when section is FAMILY.NAME of a known family
 * with NAME of letters, digits, '-' and '_' (at most 64), else NULL (owned) */
static char *config_family(const char *section)
{
	const char *dot = strchr(section, '.');
	if (!dot || !dot[1] || strlen(dot + 1) > 64)
		return NULL;
	for (const char *p = dot + 1; *p; p++)
		if (!g_ascii_isalnum(*p) && *p != '-' && *p != '_')
			return NULL;
	char *fam = g_strdup_printf("%.*s.*", (int)(dot - section), section);
	if (!config_known_section(fam)) {
		g_free(fam);
		return NULL;
	}
	return fam;
}

/* config_instance - the family section named section, or NULL */
static cfg_instance *config_instance(const vigie_config *c, const char *section)
{
	for (guint i = 0; c->instances && i < c->instances->len; i++) {
		cfg_instance *in = g_ptr_array_index(c->instances, i);
		if (strcmp(in->section, section) == 0)
			return in;
	}
	return NULL;
}

static void config_instance_free(gpointer p)
{
	cfg_instance *in = p;
	for (size_t i = 0; i < N_ROWS; i++)
		g_free(in->values[i]);
	g_free(in->section);
	g_free(in);
}

/* config_lookup - where the value of section.key is kept: its row index in
 * *row and the value, or NULL for an unknown key */
static const char *config_lookup(const vigie_config *c, const char *section, const char *key,
				 int *row)
{
	int i = config_find(section, key);
	if (i >= 0) {
		*row = i;
		return c->values[i];
	}
	cfg_instance *in = config_instance(c, section);
	char *fam = in ? config_family(section) : NULL;
	i = fam ? config_find(fam, key) : -1;
	g_free(fam);
	*row = i;
	return i >= 0 ? in->values[i] : NULL;
}

/* config_parse_size - "123", "64K", "10M", "1G" -> bytes */
static bool config_parse_size(const char *s, long long *out)
{
	char *end;
	errno = 0;
	long long v = strtoll(s, &end, 10);
	if (errno || end == s || v < 0)
		return false;
	long long mult = 1;
	if (*end) {
		switch (g_ascii_toupper(*end)) {
		case 'K': mult = KB; break;
		case 'M': mult = MB; break;
		case 'G': mult = GB; break;
		default: return false;
		}
		end++;
		if (*end == 'B' || *end == 'b')
			end++;
		if (*end)
			return false;
	}
	if (v > G_MAXINT64 / mult)
		return false;
	*out = v * mult;
	return true;
}

static bool config_parse_int(const char *s, long long *out)
{
	char *end;
	errno = 0;
	long long v = strtoll(s, &end, 10);
	if (errno || end == s || *end)
		return false;
	*out = v;
	return true;
}

static bool config_parse_bool(const char *s, bool *out)
{
	static const char *const yes[] = { "yes", "true", "on", "1" };
	static const char *const no[] = { "no", "false", "off", "0" };
	for (size_t i = 0; i < G_N_ELEMENTS(yes); i++) {
		if (g_ascii_strcasecmp(s, yes[i]) == 0) { *out = true; return true; }
		if (g_ascii_strcasecmp(s, no[i]) == 0) { *out = false; return true; }
	}
	return false;
}

/* config_check_value - validate value for row r; on success *norm is the
 * stored form (owned); on failure a reason (owned) */
static char *config_check_value(const vigie_config *c, const cfg_row *r, const char *value,
				char **norm)
{
	long long n;
	bool b;
	*norm = NULL;
	switch (r->type) {
	case CFG_INT:
		if (!config_parse_int(value, &n))
			return g_strdup_printf("'%s' is not an integer", value);
		goto bounds;
	case CFG_SIZE:
		if (!config_parse_size(value, &n))
			return g_strdup_printf("'%s' is not a size (bytes, or a number with K, M or G)", value);
	bounds:
		if (n < r->min || n > r->max)
			return g_strdup_printf("%lld is out of range [%lld, %lld]", n, r->min, r->max);
		*norm = g_strdup_printf("%lld", n);
		return NULL;
	case CFG_BOOL:
		if (!config_parse_bool(value, &b))
			return g_strdup_printf("'%s' is not a boolean (yes/no, true/false, on/off, 1/0)", value);
		*norm = g_strdup(b ? "1" : "0");
		return NULL;
	case CFG_STR:
		if (r->choices) {
			for (const char *const *ch = r->choices; *ch; ch++)
				if (strcmp(*ch, value) == 0) {
					*norm = g_strdup(value);
					return NULL;
				}
			char *list = g_strjoinv(", ", (char **)r->choices);
			char *why = g_strdup_printf("'%s' is not one of: %s", value, list);
			g_free(list);
			return why;
		}
		if (r->check) {
			char *why = r->check(value);
			if (why)
				return why;
		}
		*norm = g_strdup(value);
		return NULL;
	case CFG_PATH:
		if (!*value)
			return g_strdup("empty path");
		*norm = g_path_is_absolute(value) ? g_strdup(value) : g_build_filename(c->dir, value, NULL);
		return NULL;
	case CFG_LIST:
		*norm = g_strdup(value);
		return NULL;
	}
	g_assert_not_reached();
}

static void config_set_error(GError **err, const vigie_config *c, int line, const char *fmt, ...)
	G_GNUC_PRINTF(4, 5);
static void config_set_error(GError **err, const vigie_config *c, int line, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	char *msg = g_strdup_vprintf(fmt, ap);
	va_end(ap);
	if (line > 0)
		g_set_error(err, VIGIE_ERROR, VIGIE_ERROR_CONFIG, "%s:%d: %s", c->path, line, msg);
	else
		g_set_error(err, VIGIE_ERROR, VIGIE_ERROR_CONFIG, "%s: %s", c->path, msg);
	g_free(msg);
}

/* config_parse_text - parse the file's text into c; false with err */
static bool config_parse_text(vigie_config *c, const char *text, gsize len, GError **err)
{
	if (!g_utf8_validate(text, (gssize)len, NULL) || memchr(text, '\0', len)) {
		config_set_error(err, c, 0, "not valid UTF-8 text");
		return false;
	}
	char **lines = g_strsplit(text, "\n", -1);
	char *section = NULL;
	char *family = NULL;       /* "FAMILY.*" while in a family section */
	cfg_instance *inst = NULL; /* that section */
	bool ok = false;
	for (int i = 0; lines[i]; i++) {
		int lineno = i + 1;
		char *l = g_strstrip(lines[i]);
		if (!*l || *l == '#' || *l == ';')
			continue;
		if (*l == '[') {
			char *close = strchr(l, ']');
			if (!close || close[1] != '\0') {
				config_set_error(err, c, lineno, "malformed section header '%s'", l);
				goto out;
			}
			*close = '\0';
			g_free(section);
			section = g_strdup(g_strstrip(l + 1));
			g_clear_pointer(&family, g_free);
			inst = NULL;
			if (!config_known_section(section) && (family = config_family(section))) {
				if (config_instance(c, section)) {
					config_set_error(err, c, lineno, "section [%s] already defined on line %d",
							 section, config_instance(c, section)->line);
					goto out;
				}
				inst = g_new0(cfg_instance, 1);
				inst->section = g_strdup(section);
				inst->line = lineno;
				for (size_t r = 0; r < N_ROWS; r++)
					if (strcmp(config_table[r].section, family) == 0)
						config_check_value(c, &config_table[r], config_table[r].def,
								   &inst->values[r]);
				g_ptr_array_add(c->instances, inst);
			} else if (!config_known_section(section) || strchr(section, '*')) {
				config_set_error(err, c, lineno, "unknown section [%s]", section);
				goto out;
			}
			continue;
		}
		char *eq = strchr(l, '=');
		if (!eq) {
			config_set_error(err, c, lineno, "expected 'key = value', got '%s'", l);
			goto out;
		}
		*eq = '\0';
		char *key = g_strstrip(l);
		char *value = g_strstrip(eq + 1);
		if (!section) {
			config_set_error(err, c, lineno, "key '%s' outside any [section]", key);
			goto out;
		}
		int idx = config_find(family ? family : section, key);
		char **values = inst ? inst->values : c->values;
		int *set_on = inst ? inst->lines : c->lines;
		if (idx < 0) {
			config_set_error(err, c, lineno, "unknown key '%s' in [%s]", key, section);
			goto out;
		}
		if (set_on[idx]) {
			config_set_error(err, c, lineno, "key '%s' in [%s] already set on line %d", key,
					 section, set_on[idx]);
			goto out;
		}
		/* strip one pair of surrounding quotes */
		size_t vl = strlen(value);
		if (vl >= 2 && value[0] == '"' && value[vl - 1] == '"') {
			value[vl - 1] = '\0';
			value++;
		}
		char *norm = NULL;
		char *why = config_check_value(c, &config_table[idx], value, &norm);
		if (why) {
			config_set_error(err, c, lineno, "[%s] %s: %s", section, key, why);
			g_free(why);
			goto out;
		}
		g_free(values[idx]);
		values[idx] = norm;
		set_on[idx] = lineno;
	}
	ok = true;
out:
	g_free(section);
	g_free(family);
	g_strfreev(lines);
	return ok;
}

/* config_cross_check - relations between keys */
static bool config_cross_check(vigie_config *c, GError **err)
{
	static const char *const chans[] = { "channel.mail", "channel.chat" };
	for (guint i = 0; i < c->instances->len; i++) {
		cfg_instance *in = g_ptr_array_index(c->instances, i);
		int r = config_find("webhook.*", "secret");
		if (g_str_has_prefix(in->section, "webhook.") && !*in->values[r]) {
			config_set_error(err, c, in->line, "[%s] secret is required", in->section);
			return false;
		}
	}
	for (size_t i = 0; i < G_N_ELEMENTS(chans); i++) {
		long long tag = vigie_config_get_int(c, chans[i], "tag");
		long long q = vigie_config_get_int(c, chans[i], "quarantine");
		long long rj = vigie_config_get_int(c, chans[i], "reject");
		if (q < tag) {
			config_set_error(err, c, c->lines[config_find(chans[i], "quarantine")],
					 "[%s] quarantine (%lld) must not be below tag (%lld)", chans[i], q, tag);
			return false;
		}
		if (rj && rj < q) {
			config_set_error(err, c, c->lines[config_find(chans[i], "reject")],
					 "[%s] reject (%lld) must be 0 (off) or at least quarantine (%lld)",
					 chans[i], rj, q);
			return false;
		}
	}
	return true;
}

/* config_derive_rule_paths - rule paths left at their default follow
 * [core] signatures, so one key moves every rule folder */
static void config_derive_rule_paths(vigie_config *c)
{
	const char *base = vigie_config_get(c, "core", "signatures");
	static const char prefix[] = "../signatures/";
	for (size_t i = 0; i < N_ROWS; i++) {
		const cfg_row *r = &config_table[i];
		if (r->type != CFG_PATH || c->lines[i] || !g_str_has_prefix(r->def, prefix))
			continue;
		g_free(c->values[i]);
		c->values[i] = g_build_filename(base, r->def + strlen(prefix), NULL);
	}
}

/* config_line_value - the value of the "key = value" on line LINE of the
 * file, as written; NULL when the file cannot be read again. Caller frees. */
static char *config_line_value(const vigie_config *c, int line)
{
	char *text = NULL, *value = NULL;
	if (line <= 0 || !g_file_get_contents(c->path, &text, NULL, NULL))
		return NULL;
	char **lines = g_strsplit(text, "\n", -1);
	if ((guint)line <= g_strv_length(lines)) {
		const char *eq = strchr(lines[line - 1], '=');
		if (eq)
			value = g_strstrip(g_strdup(eq + 1));
	}
	g_strfreev(lines);
	g_free(text);
	return value;
}

/* vigie_config_check_paths - every rule path exists; false with err naming
 * the key, its value as written and its line */
bool vigie_config_check_paths(const vigie_config *c, GError **err)
{
	static const char prefix[] = "../signatures/";
	int base_row = config_find("core", "signatures");
	for (size_t i = 0; i < N_ROWS; i++) {
		const cfg_row *r = &config_table[i];
		if (r->type != CFG_PATH || !g_str_has_prefix(r->def, prefix))
			continue;
		char *abs = g_canonicalize_filename(c->values[i], NULL);
		if (g_file_test(abs, G_FILE_TEST_EXISTS)) {
			g_free(abs);
			continue;
		}
		const char *what = g_str_has_suffix(r->def, ".conf") ? "no such file" : "no such folder";
		if (!strcmp(r->section, "urls") && !strcmp(r->key, "feeds"))
			what =
			    "no such folder (the folder \"vigie update\" downloads the URL feeds "
			    "into: make it, writable by the user vigie, as the package and "
			    "tmpfiles.d/vigie.conf do)";
		int line = c->lines[i];
		char *written = config_line_value(c, line);
		char *origin;
		if (line)
			origin = g_strdup_printf("[%s] %s = %s (line %d)", r->section, r->key,
						 written ? written : c->values[i], line);
		else if (c->lines[base_row]) {
			char *base = config_line_value(c, c->lines[base_row]);
			origin = g_strdup_printf("[%s] %s (not set: [core] signatures = %s (line %d), then %s)",
						 r->section, r->key, base ? base : c->values[base_row],
						 c->lines[base_row], r->def + strlen(prefix));
			g_free(base);
		} else
			origin = g_strdup_printf("[%s] %s (not set: the default %s)", r->section, r->key, r->def);
		bool relative = line ? written && !g_path_is_absolute(written) : !c->lines[base_row];
		char *hint = relative ? g_strdup_printf(" (a relative path is looked for from %s, the folder "
							"of this file)", c->dir)
				      : g_strdup("");
		g_set_error(err, VIGIE_ERROR, VIGIE_ERROR_CONFIG, "%s: %s: %s: %s%s", c->path, origin, abs,
			    what, hint);
		g_free(hint);
		g_free(origin);
		g_free(written);
		g_free(abs);
		return false;
	}
	return true;
}

/* vigie_config_load - read, parse and validate path; NULL with err */
vigie_config *vigie_config_load(const char *path, GError **err)
{
	vigie_config *c = g_new0(vigie_config, 1);
	char *abs = g_canonicalize_filename(path, NULL);
	c->path = g_strdup(path);
	c->dir = g_path_get_dirname(abs);
	c->instances = g_ptr_array_new_with_free_func(config_instance_free);
	g_free(abs);
	for (size_t i = 0; i < N_ROWS; i++) {
		char *why = config_check_value(c, &config_table[i], config_table[i].def, &c->values[i]);
		g_assert(why == NULL); /* the table's defaults are valid */
	}
	char *text = NULL;
	gsize len = 0;
	GError *ioerr = NULL;
	if (!g_file_get_contents(path, &text, &len, &ioerr)) {
		g_set_error(err, VIGIE_ERROR, VIGIE_ERROR_CONFIG, "%s: cannot read: %s", path,
			    ioerr->message);
		g_error_free(ioerr);
		goto fail;
	}
	bool ok = config_parse_text(c, text, len, err) && config_cross_check(c, err);
	if (ok)
		config_derive_rule_paths(c);
	g_free(text);
	if (ok)
		return c;
fail:
	vigie_config_free(c);
	return NULL;
}

/* vigie_config_free - NULL is a no-op */
void vigie_config_free(vigie_config *c)
{
	if (!c)
		return;
	for (size_t i = 0; i < N_ROWS; i++)
		g_free(c->values[i]);
	if (c->instances)
		g_ptr_array_unref(c->instances);
	g_free(c->path);
	g_free(c->dir);
	g_free(c);
}

/* vigie_config_get - stored text of section.key, NULL for an unknown key */
const char *vigie_config_get(const vigie_config *c, const char *section, const char *key)
{
	int i;
	return config_lookup(c, section, key, &i);
}

/* vigie_config_sections - names of the [FAMILY.NAME] sections in file order */
char **vigie_config_sections(const vigie_config *c, const char *family)
{
	GPtrArray *out = g_ptr_array_new();
	size_t fl = strlen(family);
	for (guint i = 0; i < c->instances->len; i++) {
		cfg_instance *in = g_ptr_array_index(c->instances, i);
		if (strncmp(in->section, family, fl) == 0 && in->section[fl] == '.')
			g_ptr_array_add(out, g_strdup(in->section + fl + 1));
	}
	g_ptr_array_add(out, NULL);
	return (char **)g_ptr_array_free(out, FALSE);
}

/* vigie_config_get_int - integer or size value; unknown key is a bug */
long long vigie_config_get_int(const vigie_config *c, const char *section, const char *key)
{
	int i;
	const char *v = config_lookup(c, section, key, &i);
	g_assert(v && (config_table[i].type == CFG_INT || config_table[i].type == CFG_SIZE));
	return g_ascii_strtoll(v, NULL, 10);
}

/* vigie_config_get_bool - boolean value; unknown key is a bug */
bool vigie_config_get_bool(const vigie_config *c, const char *section, const char *key)
{
	int i;
	const char *v = config_lookup(c, section, key, &i);
	g_assert(v && config_table[i].type == CFG_BOOL);
	return v[0] == '1';
}

/* config_get_list - comma-separated list, trimmed, empty items dropped */
char **config_get_list(const vigie_config *c, const char *section, const char *key)
{
	const char *v = vigie_config_get(c, section, key);
	char **parts = g_strsplit(v ? v : "", ",", -1);
	GPtrArray *out = g_ptr_array_new();
	for (int i = 0; parts[i]; i++) {
		char *s = g_strstrip(parts[i]);
		if (*s)
			g_ptr_array_add(out, g_strdup(s));
	}
	g_strfreev(parts);
	g_ptr_array_add(out, NULL);
	return (char **)g_ptr_array_free(out, FALSE);
}

/* config_path - the file this configuration was read from */
const char *config_path(const vigie_config *c)
{
	return c->path;
}
