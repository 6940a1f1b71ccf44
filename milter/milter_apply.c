/* milter_apply.c - turn a verdict (or a failure) into what the MTA does
 *
 *   release    accept; X-Vigie-Status when [milter] status_header
 *   released   (a staff release token honoured) accept unscanned, the token
 *              header removed with the other incoming X-Vigie-* headers
 *   tag        X-Vigie-Status/-Score/-Rules headers and the subject prefix
 *   quarantine store the original bytes first; then discard (default) or
 *              reject with [milter] quarantine_reply; a store failure follows
 *              on_quarantine_error (tempfail by default: nothing is lost)
 *   reject     550 5.7.1 with [milter] reject_reply
 * Every X-Vigie-* header that arrived from outside is deleted first, by
 * index from the last to the first so indexes stay valid.
 *
 * SECURITY: header values we add are built from rule ids (ours) and
 * numbers; nothing from the sender is echoed into them.
 */
#include "milter_apply.h"
#include "vlog.h"

#include <stdio.h>
#include <string.h>

/* apply_reply - set an SMTP reply; code 4xx/5xx with its enhanced status */
static void apply_reply(SMFICTX *ctx, const char *rcode, const char *xcode, const char *text)
{
	/* libmilter treats % as a format character in replies */
	char *safe = g_strdup(text);
	for (char *p = safe; *p; p++)
		if (*p == '%' || *p == '\r' || *p == '\n')
			*p = ' ';
	smfi_setreply(ctx, (char *)rcode, (char *)xcode, safe);
	g_free(safe);
}

/* apply_header - add a header; with SMFIP_HDR_LEADSPC negotiated the MTA
 * takes the value as is, so give it the customary space after the colon */
static void apply_header(SMFICTX *ctx, const milter_msg_facts *f, const char *name, const char *value)
{
	char *v = g_strconcat(f->leadspc ? " " : "", value, NULL);
	smfi_addheader(ctx, (char *)name, v);
	g_free(v);
}

/* apply_strip_forged - delete every incoming X-Vigie-* header */
static void apply_strip_forged(SMFICTX *ctx, const milter_msg_facts *f)
{
	if (!f->forged)
		return;
	GHashTableIter it;
	gpointer key, val;
	g_hash_table_iter_init(&it, f->forged);
	while (g_hash_table_iter_next(&it, &key, &val)) {
		for (int i = GPOINTER_TO_INT(val); i >= 1; i--)
			smfi_chgheader(ctx, key, i, NULL);
		vlog(LOG_NOTICE, f->queue_id, "removed %d forged %s header(s)", GPOINTER_TO_INT(val),
		     (char *)key);
	}
}

/* apply_fail_code - accept|tempfail|reject -> libmilter status, with reply */
static sfsistat apply_fail_code(SMFICTX *ctx, const vigie_config *c, const char *mode)
{
	if (!strcmp(mode, "accept"))
		return SMFIS_ACCEPT;
	if (!strcmp(mode, "reject")) {
		apply_reply(ctx, "550", "5.7.1", vigie_config_get(c, "milter", "reject_reply"));
		return SMFIS_REJECT;
	}
	apply_reply(ctx, "451", "4.7.1", vigie_config_get(c, "milter", "tempfail_reply"));
	return SMFIS_TEMPFAIL;
}

sfsistat milter_apply_fail(SMFICTX *ctx, const vigie_config *c, const char *mode, const char *why,
			   const milter_msg_facts *facts)
{
	vlog(LOG_WARNING, facts->queue_id, "%s: %s", why, mode);
	if (!strcmp(mode, "accept")) {
		apply_strip_forged(ctx, facts);
		if (vigie_config_get_bool(c, "milter", "status_header")) {
			char *h = g_strdup_printf("unscanned (%s)", why);
			for (char *p = h; *p; p++)
				if (*p == '\n' || *p == '\r')
					*p = ' ';
			apply_header(ctx, facts, "X-Vigie-Status", h);
			g_free(h);
		}
	}
	return apply_fail_code(ctx, c, mode);
}

/* apply_rules - "rule1, rule2, ..." (capped) */
static char *apply_rules(const vigie_verdict *v)
{
	GString *s = g_string_new(NULL);
	for (guint i = 0; i < v->findings->len && s->len < 700; i++) {
		const vigie_finding *f = g_ptr_array_index(v->findings, i);
		if (f->weight == 0 && !f->decisive)
			continue;
		if (s->len)
			g_string_append(s, ",\n\t");
		g_string_append_printf(s, "%s=%d", f->rule, f->weight);
	}
	return g_string_free(s, FALSE);
}

/* apply_tag_headers - the X-Vigie-* headers describing the verdict */
static void apply_tag_headers(SMFICTX *ctx, const milter_msg_facts *f, const vigie_verdict *v)
{
	char *score = g_strdup_printf("%d", v->score);
	apply_header(ctx, f, "X-Vigie-Score", score);
	g_free(score);
	char *rules = apply_rules(v);
	if (*rules)
		apply_header(ctx, f, "X-Vigie-Rules", rules);
	g_free(rules);
}

/* apply_subject - prefix the subject once (not twice on re-scan) */
static void apply_subject(SMFICTX *ctx, const vigie_config *c, const milter_msg_facts *f)
{
	const char *prefix = vigie_config_get(c, "milter", "subject_prefix");
	if (!prefix || !*prefix)
		return;
	const char *subj = f->subject ? f->subject : "";
	const char *s = subj;
	while (*s == ' ' || *s == '\t')
		s++;
	if (g_str_has_prefix(s, prefix))
		return;
	char *value = g_strdup_printf("%s%s %s", f->leadspc ? " " : "", prefix, s);
	if (f->subject)
		smfi_chgheader(ctx, "Subject", 1, value);
	else
		smfi_addheader(ctx, "Subject", value);
	g_free(value);
}

sfsistat milter_apply_released(SMFICTX *ctx, const vigie_config *c, const milter_msg_facts *f,
			       const char *id)
{
	(void)c;
	apply_strip_forged(ctx, f); /* the X-Vigie-Release token too: it is spent */
	vlog(LOG_NOTICE, f->queue_id, "released from quarantine item %s: not scanned again", id);
	char *status = g_strdup_printf("released %s", id);
	apply_header(ctx, f, "X-Vigie-Status", status);
	g_free(status);
	return SMFIS_ACCEPT;
}

sfsistat milter_apply_verdict(SMFICTX *ctx, const vigie_config *c, vigie_quarantine *q,
			      const vigie_message *m, const vigie_verdict *v,
			      const milter_msg_facts *f)
{
	const char *action = vigie_action_name(v->action);
	if (v->action == VIGIE_ACTION_QUARANTINE) {
		GError *err = NULL;
		char *id = q ? vigie_quarantine_store(q, m, v, &err) : NULL;
		if (!id) {
			char *why = g_strdup_printf("quarantine store failed: %s",
						    err ? err->message : "no quarantine folder");
			g_clear_error(&err);
			sfsistat r = milter_apply_fail(ctx, c,
						       vigie_config_get(c, "milter", "on_quarantine_error"),
						       why, f);
			g_free(why);
			return r;
		}
		vlog(LOG_NOTICE, f->queue_id, "quarantined as %s (score %d)", id, v->score);
		g_free(id);
		if (!strcmp(vigie_config_get(c, "milter", "quarantine_action"), "reject")) {
			apply_reply(ctx, "550", "5.7.1", vigie_config_get(c, "milter", "quarantine_reply"));
			return SMFIS_REJECT;
		}
		return SMFIS_DISCARD;
	}
	if (v->action == VIGIE_ACTION_REJECT) {
		vlog(LOG_NOTICE, f->queue_id, "rejected (score %d)", v->score);
		apply_reply(ctx, "550", "5.7.1", vigie_config_get(c, "milter", "reject_reply"));
		return SMFIS_REJECT;
	}
	apply_strip_forged(ctx, f);
	if (vigie_config_get_bool(c, "milter", "status_header") || v->action == VIGIE_ACTION_TAG) {
		char *status = g_strdup_printf("%s score=%d", action, v->score);
		apply_header(ctx, f, "X-Vigie-Status", status);
		g_free(status);
	}
	/* bulk mail is marked, not tagged ([policy] bulk_action = release) */
	if (v->klass == VIGIE_CLASS_BULK)
		apply_header(ctx, f, "X-Vigie-Class", vigie_class_name(v->klass));
	if (v->action == VIGIE_ACTION_TAG) {
		apply_tag_headers(ctx, f, v);
		apply_subject(ctx, c, f);
	}
	return SMFIS_ACCEPT;
}
