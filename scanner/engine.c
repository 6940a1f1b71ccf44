/* engine.c - the core engine: configuration + every analyser's rules,
 * immutable once built, shared by reference count.
 *
 * An engine is built completely or not at all: a broken rule file makes
 * vigie_engine_load fail with the file (and line) named, and nothing of the
 * half-built engine survives. Once returned, nothing in it changes, so any
 * number of threads may scan with it; the last unref frees it, which is how a
 * reload lets scans in flight finish on the old engine (slot.c).
 */
#include "internal.h"
#include "engine.h"

#include <gmime/gmime.h>
#ifdef __GLIBC__
#include <malloc.h>
#endif

static gpointer engine_init_once(gpointer data)
{
	GError **err = data;
	g_mime_init();
	return GINT_TO_POINTER(av_global_init(err) ? 1 : 2);
}

/* vigie_global_init - GMime and libclamav start-up; idempotent */
bool vigie_global_init(GError **err)
{
	static GOnce once = G_ONCE_INIT;
	g_once(&once, engine_init_once, err);
	if (GPOINTER_TO_INT(once.retval) != 1) {
		if (err && !*err)
			g_set_error(err, VIGIE_ERROR, VIGIE_ERROR_RULES, "libclamav failed to initialise");
		return false;
	}
	return true;
}

/* vigie_engine_load - configuration + rules -> engine, or NULL with err */
vigie_engine *vigie_engine_load(const char *config_file, GError **err)
{
	if (!vigie_global_init(err))
		return NULL;
	gint64 t0 = g_get_monotonic_time();
	vigie_engine *e = g_new0(vigie_engine, 1);
	e->refs = 1;
	e->config = vigie_config_load(config_file, err);
	if (!e->config)
		goto fail;
	e->scan.own_ids = config_get_list(e->config, "policy", "own_ids");
	e->scan.malformed_weight =
	    (int)vigie_config_get_int(e->config, "policy", "malformed_weight");
	e->scan.chat_executive_weight =
	    (int)vigie_config_get_int(e->config, "sender", "chat_executive_weight");
	e->scan.bulk_needs_auth = vigie_config_get_bool(e->config, "policy", "bulk_needs_auth");
	e->scan.short_text = (gsize)vigie_config_get_int(e->config, "lexicon", "short_text");
	mime_limits_from_config(e->config, &e->scan.limits);
	e->policy = policy_settings_new(e->config);
	e->memory = memory_settings_new(e->config);
	if (vigie_config_get_bool(e->config, "av", "enabled")) {
		e->av = av_engine_load(e->config, err);
		if (!e->av)
			goto fail;
	}
	if (vigie_config_get_bool(e->config, "lexicon", "enabled")) {
		e->lexicon = lexicon_engine_load(e->config, err);
		if (!e->lexicon)
			goto fail;
	}
	if (vigie_config_get_bool(e->config, "urls", "enabled")) {
		e->urls = url_engine_load(e->config, err);
		if (!e->urls)
			goto fail;
	}
	if (vigie_config_get_bool(e->config, "sender", "enabled")) {
		e->sender = sender_engine_load(e->config, err);
		if (!e->sender)
			goto fail;
	}
	if (vigie_config_get_bool(e->config, "intent", "enabled")) {
		e->intent = intent_engine_load(e->config, err);
		if (!e->intent)
			goto fail;
	}
	if (vigie_config_get_bool(e->config, "structure", "enabled")) {
		e->structure = structure_engine_load(e->config, err);
		if (!e->structure)
			goto fail;
	}
	if (vigie_config_get_bool(e->config, "attach", "enabled")) {
		e->attach = attach_engine_load(e->config, err);
		if (!e->attach)
			goto fail;
	}
	e->store = vigie_store_open(e->config);
	if (vigie_config_get_bool(e->config, "phone", "enabled")) {
		e->phone = phone_engine_load(e->config, err);
		if (!e->phone)
			goto fail;
	}
	e->load_ms = (double)(g_get_monotonic_time() - t0) / 1000.0;
	e->version = g_strdup_printf("vigie %s; %s", VIGIE_VERSION,
				     e->av ? av_engine_describe(e->av) : "clamav disabled");
	return e;
fail:
	vigie_engine_unref(e);
	return NULL;
}

/* vigie_engine_ref - one more reference; returns e */
vigie_engine *vigie_engine_ref(vigie_engine *e)
{
	g_atomic_int_inc(&e->refs);
	return e;
}

/* vigie_engine_unref - drop a reference; the last frees; NULL is a no-op.
 * The freed engine's memory (a blocklist of a million entries is over
 * 100 MB of small blocks) is handed back to the system (malloc_trim):
 * otherwise a process that reloads keeps the old engine's size for good */
void vigie_engine_unref(vigie_engine *e)
{
	if (!e || !g_atomic_int_dec_and_test(&e->refs))
		return;
	av_engine_free(e->av);
	lexicon_engine_free(e->lexicon);
	url_engine_free(e->urls);
	sender_engine_free(e->sender);
	structure_engine_free(e->structure);
	intent_engine_free(e->intent);
	attach_engine_free(e->attach);
	vigie_store_close(e->store);
	phone_engine_free(e->phone);
	g_strfreev(e->scan.own_ids);
	policy_settings_free(e->policy);
	memory_settings_free(e->memory);
	vigie_config_free(e->config);
	g_free(e->version);
	g_free(e);
#ifdef __GLIBC__
	malloc_trim(0);
#endif
}

GPtrArray *vigie_engine_features(const vigie_engine *e, const vigie_message *m)
{
	return intent_model_features(m, (gsize)vigie_config_get_int(e->config, "intent", "max_scan_bytes"));
}

const vigie_config *vigie_engine_config(const vigie_engine *e)
{
	return e->config;
}

const char *vigie_engine_version(const vigie_engine *e)
{
	return e->version;
}

unsigned vigie_engine_signature_count(const vigie_engine *e)
{
	return e->av ? av_engine_signatures(e->av) : 0;
}

/* vigie_engine_rules_report - see vigie.h */
char *vigie_engine_rules_report(const vigie_engine *e)
{
	return e->lexicon ? lexicon_engine_report(e->lexicon) : g_strdup("lexicon disabled");
}

/* vigie_engine_read_only_scans - see vigie.h */
void vigie_engine_read_only_scans(vigie_engine *e)
{
	e->read_only_scans = true;
}

vigie_store *vigie_engine_store(const vigie_engine *e)
{
	return e->store;
}

double vigie_engine_load_ms(const vigie_engine *e)
{
	return e->load_ms;
}

guint vigie_engine_clean_dead_tmpdirs(void)
{
	return av_clean_dead_tmpdirs();
}

const char *vigie_engine_private_tmpdir(const vigie_engine *e)
{
	return e ? av_engine_tmpdir(e->av) : NULL;
}
