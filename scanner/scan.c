/* scan.c - run every analyser on a message, then the policy
 *
 * Analysers are independent: each adds findings to the verdict. One that
 * fails (an engine error, not a detection) marks verdict->error and the
 * others still run, so the front end can apply its fail mode knowing what
 * was and was not checked.
 *
 * Unscanned is never clean. A limit that keeps a part, an archive or a
 * text from being analysed completely (the MIME walk's [core] max_parts, max_depth, max_text; the
 * ClamAV limits of [av] max_file_size, max_scan_size, max_recursion,
 * max_files, max_scan_time) gives one finding, rule scan.incomplete.LIMIT,
 * whose evidence names the limit and whose "where" names the part:
 *   category unscanned-executable  when the unscanned object is an
 *                                  executable or an archive (sniffed type,
 *                                  declared type or file name)
 *   category unscanned             otherwise
 * The first such finding of a verdict weighs [policy] unscanned_weight, the
 * others 0; the action they force is [policy] on_unscanned_executable and
 * on_unscanned (policy.c).
 *
 * SECURITY: names and types are the sender's; they are only compared here,
 * and a name that claims harmless content does not make an unscanned
 * archive harmless (the sniffed type is checked too).
 */
#include "internal.h"
#include "engine.h"
#include "sender.h"

#include <string.h>

/* what an executable or archive is called and sniffed as */
static const char *const risky_ext[] = {
	/* programs and scripts */
	"exe", "scr", "com", "pif", "bat", "cmd", "js", "jse", "vbs", "vbe", "wsf", "wsh", "hta",
	"lnk", "msi", "msp", "jar", "ps1", "psm1", "cpl", "dll", "sys", "chm", "reg", "scf",
	"appref-ms", "apk", "app", "elf", "sh", "docm", "xlsm", "pptm", "xlsb", "dotm",
	/* archives and disk images */
	"zip", "rar", "7z", "gz", "tgz", "bz2", "tbz", "xz", "txz", "zst", "cab", "tar", "arj",
	"lzh", "lha", "ace", "z", "iso", "img", "vhd", "vhdx", "dmg", "udf", NULL,
};
static const char *const risky_types[] = {
	"application/x-msdownload", "application/x-executable", "application/x-mach-binary",
	"application/x-ms-shortcut", "application/java-archive", "application/zip",
	"application/x-zip-compressed", "application/vnd.rar", "application/x-rar-compressed",
	"application/x-7z-compressed", "application/gzip", "application/x-gzip",
	"application/x-bzip2", "application/x-xz", "application/zstd", "application/x-tar",
	"application/vnd.ms-cab-compressed", "application/x-iso9660-image", "application/x-vhd",
	"application/x-vhdx", "application/hta", "application/x-msdos-program",
	"application/x-dosexec", "application/x-sh", "text/x-shellscript",
	"application/vnd.ms-htmlhelp", "application/x-apple-diskimage",
	"application/vnd.android.package-archive", NULL,
};

/* scan_risky_type - see internal.h */
bool scan_risky_type(const char *name, const char *declared_type, const char *sniffed_type)
{
	for (const char *const *t = risky_types; *t; t++)
		if (g_strcmp0(sniffed_type, *t) == 0 ||
		    (declared_type && g_ascii_strcasecmp(declared_type, *t) == 0))
			return true;
	if (!name)
		return false;
	char *low = g_utf8_strdown(name, 1024);
	g_strstrip(low);
	const char *dot = strrchr(low, '.');
	bool risky = false;
	for (const char *const *e = risky_ext; dot && !risky && *e; e++)
		risky = strcmp(dot + 1, *e) == 0;
	g_free(low);
	return risky;
}

/* scan_incomplete_add - see internal.h */
void scan_incomplete_add(const vigie_config *c, vigie_verdict *v, const char *limit, bool risky,
		    const char *evidence, const char *where)
{
	bool first = true;
	for (guint i = 0; first && i < v->findings->len; i++) {
		const vigie_finding *f = g_ptr_array_index(v->findings, i);
		first = !g_str_has_prefix(f->rule, "scan.incomplete");
	}
	int weight = first ? (int)vigie_config_get_int(c, "policy", "unscanned_weight") : 0;
	char *rule = g_strconcat("scan.incomplete.", limit, NULL);
	verdict_add_finding(v, rule, risky ? "unscanned-executable" : "unscanned", weight, evidence,
			    where);
	g_free(rule);
}

/* scan_incomplete_section - the section of the configuration a MIME limit is in */
static const char *scan_incomplete_section(const char *limit)
{
	return strcmp(limit, "max_parts") && strcmp(limit, "max_depth") && strcmp(limit, "max_text")
		       ? "av"
		       : "core";
}

/* scan_incomplete - every gap the parser recorded in m, as findings */
static void scan_incomplete(const vigie_config *c, const vigie_message *m, vigie_verdict *v)
{
	const GPtrArray *gaps = message_parse_of(m)->gaps;
	/* one finding per gap, at most 20: a thousand truncated texts say no more */
	for (guint i = 0; i < gaps->len && i < 20; i++) {
		const message_gap *g = g_ptr_array_index(gaps, i);
		char *ev = g_strdup_printf("limit [%s] %s: %s", scan_incomplete_section(g->limit), g->limit,
					   g->detail);
		scan_incomplete_add(c, v, g->limit, g->risky, ev, g->where);
		g_free(ev);
	}
}

#include <string.h>

/* scan_structure - what the parser found malformed, as findings */
static void scan_structure(const scan_settings *s, const vigie_message *m, vigie_verdict *v)
{
	int w = s->malformed_weight;
	for (guint i = 0; i < m->problems->len && i < 5; i++)
		verdict_add_finding(v, "mime.malformed", "malformed", i == 0 ? w : 0,
				    g_ptr_array_index(m->problems, i), "structure");
}

/* scan_speaker - who is speaking: a chat message says so (its direction,
 * or an author id listed in [policy] own_ids); a mail from one of the
 * organisation's own domains that our MTA authenticated is the
 * organisation speaking (internal), one from a protected brand's domain
 * that it authenticated is that brand (brand); everything else is inbound */
static const char *scan_speaker(const vigie_engine *e, const vigie_message *m, bool authenticated, bool own)
{
	if (m->channel == VIGIE_CHANNEL_CHAT) {
		bool ours = m->env.author_id &&
			    g_strv_contains((const char *const *)e->scan.own_ids, m->env.author_id);
		if (ours)
			return "outbound";
		const char *d = m->env.direction;
		if (d && !strcmp(d, "outbound"))
			return "outbound";
		if (d && !strcmp(d, "internal"))
			return "internal";
		return "inbound";
	}
	if (!authenticated)
		return "inbound";
	if (own)
		return "internal";
	/* a protected brand's own domain, authenticated: the brand speaking
	 * about its own business (a carrier's customs fee, a signing service's
	 * access code) */
	char *d = sender_from_domain(m);
	bool brand = d && e->urls && url_is_protected(e->urls, d) && !sender_is_freemail(e->sender, d);
	g_free(d);
	return brand ? "brand" : "inbound";
}

/* scan_bulk - mass mail that says so and offers a way out: a
 * List-Unsubscribe or List-Id header, or Precedence: bulk or list; with
 * [policy] bulk_needs_auth, only when our MTA authenticated its sender */
static bool scan_bulk(const vigie_engine *e, const vigie_message *m, bool authenticated)
{
	if (m->channel != VIGIE_CHANNEL_MAIL)
		return false;
	const char *prec = vigie_message_header(m, "Precedence");
	bool listed = vigie_message_header(m, "List-Unsubscribe") || vigie_message_header(m, "List-Id") ||
		      (prec && (strstr(prec, "bulk") || strstr(prec, "list")));
	if (!listed)
		return false;
	if (!e->scan.bulk_needs_auth)
		return true;
	return authenticated;
}

/* vigie_scan - verdict for m with engine e; never NULL */
vigie_verdict *vigie_scan(vigie_engine *e, const vigie_message *m)
{
	gint64 t0 = g_get_monotonic_time();
	vigie_verdict *v = verdict_new(m->channel);
	v->engine_version = g_strdup(e->version);
	GString *errors = g_string_new(NULL);
	/* the front end parsed under the default MIME limits: walk again under
	 * this engine's [core] limits where they make a difference */
	vigie_message *again = mime_reparse(m, &e->scan.limits);
	if (again)
		m = again;
	/* the trusted Authentication-Results, read once for who speaks and bulk */
	bool own = false;
	bool authenticated = m->channel == VIGIE_CHANNEL_MAIL && e->sender &&
			     sender_from_authenticated(e->sender, m, &own);
	v->speaker = scan_speaker(e, m, authenticated, own);

	scan_structure(&e->scan, m, v);
	scan_incomplete(e->config, m, v);
	/* what the attachments say joins the message's texts for the analysers
	 * below, and is dropped from them at the end (m is the caller's or ours:
	 * a message belongs to one thread, vigie.h) */
	guint own_texts = m->texts->len;
	if (e->attach) {
		GError *err = NULL;
		if (!attach_scan(e->attach, e->config, (vigie_message *)m, v, &err)) {
			g_string_append_printf(errors, "%s%s", errors->len ? "; " : "", err->message);
			g_error_free(err);
		}
	}
	if (e->av) {
		GError *err = NULL;
		if (!av_scan(e->av, e->config, m, v, &err)) {
			g_string_append(errors, err->message);
			g_error_free(err);
		}
	}

	/* what the text analysers share: each text normalised once, the URLs
	 * extracted once (after the attachments' texts joined) */
	scan_ctx *sc = scan_ctx_new(m, e->urls);
	if (e->lexicon) {
		GError *err = NULL;
		if (!lexicon_scan(e->lexicon, sc, e->scan.short_text, v, &err)) {
			g_string_append_printf(errors, "%s%s", errors->len ? "; " : "", err->message);
			g_error_free(err);
		}
	}

	if (e->intent) {
		GError *err = NULL;
		if (!intent_scan(e->intent, sc, v->speaker, e->scan.short_text, v, &err)) {
			g_string_append_printf(errors, "%s%s", errors->len ? "; " : "", err->message);
			g_error_free(err);
		}
	}

	if (e->urls) {
		GError *err = NULL;
		if (!url_scan(e->urls, sc, v, &err)) {
			g_string_append_printf(errors, "%s%s", errors->len ? "; " : "", err->message);
			g_error_free(err);
		}
	}

	if (e->phone) {
		/* after lexicon and intent: phone.callback-lure reads their findings */
		GError *err = NULL;
		if (!phone_scan(e->phone, m, v, &err)) {
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

	if (e->sender && m->channel == VIGIE_CHANNEL_CHAT && !strcmp(v->speaker, "inbound"))
		sender_chat_executive(e->sender, m, e->scan.chat_executive_weight, v);

	if (e->structure) {
		/* mail only: chat messages have no header fields or MIME form */
		GError *err = NULL;
		if (!structure_scan(e->structure, m, v, &err)) {
			g_string_append_printf(errors, "%s%s", errors->len ? "; " : "", err->message);
			g_error_free(err);
		}
	}

	/* the intent word model: a second opinion on what was found */
	if (e->intent)
		intent_model_apply(e->intent, sc, v);

	memory_print *mp = memory_scan(e, sc, v); /* campaign memory (scanner/memory/) */
	policy_apply_settings(e->policy, v, scan_bulk(e, m, authenticated));
	memory_keep(e, v, mp);
	if (errors->len)
		v->error = g_string_free(errors, FALSE);
	else
		g_string_free(errors, TRUE);
	scan_ctx_free(sc);
	g_ptr_array_set_size(m->texts, own_texts);
	vigie_message_free(again);
	v->elapsed_ms = (double)(g_get_monotonic_time() - t0) / 1000.0;
	return v;
}
