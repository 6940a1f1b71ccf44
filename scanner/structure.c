/* structure.c - the structure analyser: signs of bulk and phishing mail in
 * the form of a message rather than its words
 *
 * Header fields (structure_headers.c): Date missing, unreadable, or far
 * from when the mail was received; Message-ID missing or malformed; a From
 * that is a bare address with a numeric local part; a Subject in capitals,
 * full of "!!!" or "$$$", or RFC 2047-encoded although it is plain ASCII;
 * no To or "undisclosed-recipients"; many recipients.
 * Body (structure_body.c): HTML with no text/plain alternative; text/plain
 * and text/html alternatives that say different things; images with next
 * to no text; text styled out of sight; a form or a password field; a
 * text part in base64 although it is ASCII; a charset the bytes do not
 * match; an attachment whose name hides its type behind a decoy extension;
 * an HTML attachment.
 *
 * None of these is proof: legitimate newsletters are HTML-only, mailers
 * get dates wrong. Each is one rule with a small weight from
 * weights.conf ("rule weight category"; every rule listed once; errors
 * name file and line), so a message is tagged only when several add up,
 * or when they add to the lexicon and URL findings. One finding per rule
 * and message. Mail only: a chat message has none of these fields.
 *
 * SECURITY: weights.conf is the administrator's, parsed strictly. The
 * message is the sender's: see structure_headers.c and structure_body.c.
 */
#include "structure.h"

#include <stdlib.h>
#include <string.h>

const char *const structure_rule_ids[S_COUNT] = {
    "structure.date-missing",
    "structure.date-invalid",
    "structure.date-future",
    "structure.date-past",
    "structure.msgid-missing",
    "structure.msgid-malformed",
    "structure.from-numeric",
    "structure.subject-caps",
    "structure.subject-punct",
    "structure.subject-encoded",
    "structure.to-undisclosed",
    "structure.many-recipients",
    "structure.html-only",
    "structure.alternative-mismatch",
    "structure.image-only",
    "structure.hidden-text",
    "structure.form",
    "structure.password-field",
    "structure.text-base64",
    "structure.charset-mismatch",
    "structure.double-extension",
    "structure.html-attachment",
};

struct structure_engine {
	int weight[S_COUNT];
	char *category[S_COUNT];
	structure_limits lim;
	char *describe;
};

/* structure_engine_load_file - see internal.h */
structure_engine *structure_engine_load_file(const char *path, GError **err)
{
	structure_engine *s = g_new0(structure_engine, 1);
	s->lim = (structure_limits){15, 2 * 86400, 7 * 86400, 150, 200};
	if (!rule_weights_load(path, structure_rule_ids, S_COUNT, s->weight, s->category, err))
		goto fail;
	s->describe = g_strdup_printf("structure: %d rules", S_COUNT);
	return s;
fail:
	structure_engine_free(s);
	return NULL;
}

/* structure_engine_load - see internal.h */
structure_engine *structure_engine_load(const vigie_config *c, GError **err)
{
	structure_engine *s =
	    structure_engine_load_file(vigie_config_get(c, "structure", "weights"), err);
	if (!s)
		return NULL;
	s->lim.recipients = (guint)vigie_config_get_int(c, "structure", "max_recipients");
	s->lim.future_s = vigie_config_get_int(c, "structure", "date_future_hours") * 3600;
	s->lim.past_s = vigie_config_get_int(c, "structure", "date_past_days") * 86400;
	s->lim.little_text = (guint)vigie_config_get_int(c, "structure", "little_text");
	s->lim.hidden_text = (guint)vigie_config_get_int(c, "structure", "hidden_text");
	return s;
}

/* structure_engine_free - NULL is a no-op */
void structure_engine_free(structure_engine *s)
{
	if (!s)
		return;
	for (int k = 0; k < S_COUNT; k++)
		g_free(s->category[k]);
	g_free(s->describe);
	g_free(s);
}

const char *structure_engine_describe(const structure_engine *s)
{
	return s->describe;
}

/* structure_fire - see structure.h */
void structure_fire(structure_ctx *x, structure_rule r, const char *evidence, const char *where)
{
	if (x->fired[r])
		return;
	x->fired[r] = true;
	char *ev = utf8_sanitize(evidence, -1);
	for (char *c = ev; *c; c++)
		if ((unsigned char)*c < 0x20 || *c == 0x7f)
			*c = ' ';
	verdict_add_finding(x->v, structure_rule_ids[r], x->category[r], x->weight[r], ev, where);
	g_free(ev);
}

/* structure_words - see structure.h */
GHashTable *structure_words(const char *text, guint max)
{
	GHashTable *set = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, NULL);
	GString *w = g_string_new(NULL);
	guint letters = 0;
	for (const char *c = text;; c = g_utf8_next_char(c)) {
		gunichar u = *c ? g_utf8_get_char(c) : 0;
		if (u && g_unichar_isalpha(u)) {
			if (w->len < 64)
				g_string_append_unichar(w, g_unichar_tolower(u));
			letters++;
			continue;
		}
		if (letters >= 3 && g_hash_table_size(set) < max)
			g_hash_table_add(set, g_strdup(w->str));
		g_string_truncate(w, 0);
		letters = 0;
		if (!u || g_hash_table_size(set) >= max)
			break;
	}
	g_string_free(w, TRUE);
	return set;
}

/* structure_scan - see internal.h */
bool structure_scan(const structure_engine *s, const vigie_message *m, vigie_verdict *v,
		    GError **err)
{
	(void)err;
	if (m->channel != VIGIE_CHANNEL_MAIL)
		return true;
	structure_ctx x = {s->weight, s->category, &s->lim, v, {0}};
	structure_headers_check(&x, m);
	structure_body_check(&x, m);
	return true;
}
