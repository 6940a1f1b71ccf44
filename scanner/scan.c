/* scan.c - run every analyser on a message, then the policy
 *
 * Analysers are independent: each adds findings to the verdict. One that
 * fails (an engine error, not a detection) marks verdict->error and the
 * others still run, so the front end can apply its fail mode knowing what
 * was and was not checked.
 */
#include "internal.h"
#include "engine.h"

/* scan_structure - what the parser found malformed, as findings */
static void scan_structure(const vigie_config *c, const vigie_message *m, vigie_verdict *v)
{
	int w = (int)vigie_config_get_int(c, "policy", "malformed_weight");
	for (guint i = 0; i < m->problems->len && i < 5; i++)
		verdict_add_finding(v, "mime.malformed", "malformed", i == 0 ? w : 0,
				    g_ptr_array_index(m->problems, i), "structure");
}

/* vigie_scan - verdict for m with engine e; never NULL */
vigie_verdict *vigie_scan(vigie_engine *e, const vigie_message *m)
{
	gint64 t0 = g_get_monotonic_time();
	vigie_verdict *v = verdict_new(m->channel);
	v->engine_version = g_strdup(e->version);
	GString *errors = g_string_new(NULL);

	scan_structure(e->config, m, v);
	if (e->av) {
		GError *err = NULL;
		if (!av_scan(e->av, e->config, m, v, &err)) {
			g_string_append(errors, err->message);
			g_error_free(err);
		}
	}

	if (e->lexicon) {
		GError *err = NULL;
		if (!lexicon_scan(e->lexicon, e->config, m, v, &err)) {
			g_string_append_printf(errors, "%s%s", errors->len ? "; " : "", err->message);
			g_error_free(err);
		}
	}

	if (e->urls) {
		GError *err = NULL;
		if (!url_scan(e->urls, e->config, m, v, &err)) {
			g_string_append_printf(errors, "%s%s", errors->len ? "; " : "", err->message);
			g_error_free(err);
		}
	}

	if (e->sender) {
		/* the URL analyser's protected domains and lookalike check, when on */
		GError *err = NULL;
		if (!sender_scan(e->sender, e->urls, m, v, &err)) {
			g_string_append_printf(errors, "%s%s", errors->len ? "; " : "", err->message);
			g_error_free(err);
		}
	}

	if (e->structure) {
		/* mail only: chat messages have no header fields or MIME form */
		GError *err = NULL;
		if (!structure_scan(e->structure, m, v, &err)) {
			g_string_append_printf(errors, "%s%s", errors->len ? "; " : "", err->message);
			g_error_free(err);
		}
	}

	policy_apply(e->config, v);
	if (errors->len)
		v->error = g_string_free(errors, FALSE);
	else
		g_string_free(errors, TRUE);
	v->elapsed_ms = (double)(g_get_monotonic_time() - t0) / 1000.0;
	return v;
}
