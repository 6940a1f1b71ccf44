/* policy.c - findings -> score -> action and class, all numbers from
 * configuration
 *
 * Who speaks first: when the organisation itself is speaking (v->speaker
 * "internal": its own authenticated mail, its staff's chat; "outbound": its
 * agents and systems), or a protected brand from its own authenticated
 * domain ("brand", [policy] brand_content_percent), the findings of the content analysers ([policy]
 * content_rules, rule prefixes: the lexicons and intents) keep only
 * [policy] internal_content_percent / outbound_content_percent of their
 * weight: its IT, HR and awareness notices talk about passwords and bank
 * details for good reasons, and its awareness notices quote lookalike
 * domains: findings of [policy] content_text_rules (the URL analyser's)
 * that come from plain text, not from a link, are scaled the same way.
 * Except, for internal speakers, [policy] internal_kept_rules: what staff
 * never ask each other for good reasons (a payment to a new account with
 * the checks skipped: a compromised colleague's account, or an insider).
 * Other findings (malware, links, sender checks) keep their weight whoever
 * speaks.
 *
 * The score is then the sum of the findings' weights. Per channel,
 * [channel.X] gives the tag, quarantine and reject (0 = never) thresholds.
 * A finding whose category is listed in [policy] decisive_categories forces
 * at least quarantine whatever the score (a virus is a virus).
 *
 * Class: a flagged message with a finding of weight > 0 in [policy]
 * malicious_categories is malicious, else spam; an unflagged one is clean.
 * A spam-class message that scan.c found to be authenticated mass mail
 * (bulk) is bulk, and [policy] bulk_action decides: release (a header
 * only), tag, or score (the thresholds as for spam).
 *
 * The settings are read once, when the engine is built (policy_settings),
 * not looked up by section and key for every message.
 */
#include "internal.h"

#include <string.h>

/* the [policy] and [channel.*] settings, typed */
struct policy_settings {
	char **decisive, **malicious, **content, **text_rules, **kept; /* category / rule lists */
	int internal_percent, outbound_percent, brand_percent;
	long long tag[2], quarantine[2], reject[2]; /* by channel: mail, chat */
	VigieAction on_unscanned, on_unscanned_executable;
	VigieAction bulk_action; /* VIGIE_ACTION_QUARANTINE: "score" */
};

/* policy_mode - "quarantine" | "tag" | anything else (release) */
static VigieAction policy_mode(const char *mode)
{
	return !strcmp(mode, "quarantine") ? VIGIE_ACTION_QUARANTINE
	       : !strcmp(mode, "tag")	   ? VIGIE_ACTION_TAG
					   : VIGIE_ACTION_RELEASE;
}

/* policy_settings_new - see internal.h */
policy_settings *policy_settings_new(const vigie_config *c)
{
	policy_settings *p = g_new0(policy_settings, 1);
	p->decisive = config_get_list(c, "policy", "decisive_categories");
	p->malicious = config_get_list(c, "policy", "malicious_categories");
	p->content = config_get_list(c, "policy", "content_rules");
	p->text_rules = config_get_list(c, "policy", "content_text_rules");
	p->kept = config_get_list(c, "policy", "internal_kept_rules");
	p->internal_percent = (int)vigie_config_get_int(c, "policy", "internal_content_percent");
	p->outbound_percent = (int)vigie_config_get_int(c, "policy", "outbound_content_percent");
	p->brand_percent = (int)vigie_config_get_int(c, "policy", "brand_content_percent");
	const char *const sections[2] = {"channel.mail", "channel.chat"};
	for (int i = 0; i < 2; i++) {
		p->tag[i] = vigie_config_get_int(c, sections[i], "tag");
		p->quarantine[i] = vigie_config_get_int(c, sections[i], "quarantine");
		p->reject[i] = vigie_config_get_int(c, sections[i], "reject");
	}
	p->on_unscanned = policy_mode(vigie_config_get(c, "policy", "on_unscanned"));
	p->on_unscanned_executable =
	    policy_mode(vigie_config_get(c, "policy", "on_unscanned_executable"));
	const char *what = vigie_config_get(c, "policy", "bulk_action");
	p->bulk_action = !strcmp(what, "release") ? VIGIE_ACTION_RELEASE
			 : !strcmp(what, "tag")	  ? VIGIE_ACTION_TAG
						  : VIGIE_ACTION_QUARANTINE;
	return p;
}

/* policy_settings_free - NULL is a no-op */
void policy_settings_free(policy_settings *p)
{
	if (!p)
		return;
	g_strfreev(p->decisive);
	g_strfreev(p->malicious);
	g_strfreev(p->content);
	g_strfreev(p->text_rules);
	g_strfreev(p->kept);
	g_free(p);
}

/* policy_unscanned - the least action for content not fully scanned:
 * [policy] on_unscanned_executable for category unscanned-executable,
 * on_unscanned for unscanned (tag, quarantine, or release-with-finding:
 * the score alone decides). Raises v->action, never lowers it; true when
 * it forces quarantine (those findings are then decisive). */
static bool policy_unscanned(const policy_settings *p, vigie_verdict *v)
{
	bool forced = false;
	for (guint i = 0; i < v->findings->len; i++) {
		vigie_finding *f = g_ptr_array_index(v->findings, i);
		VigieAction least = !strcmp(f->category, "unscanned-executable")
					? p->on_unscanned_executable
				    : !strcmp(f->category, "unscanned") ? p->on_unscanned
									: VIGIE_ACTION_RELEASE;
		f->decisive |= least == VIGIE_ACTION_QUARANTINE;
		forced |= least == VIGIE_ACTION_QUARANTINE;
		if (v->action < least)
			v->action = least;
	}
	return forced;
}

/* policy_scaled - weight w of finding f, for who speaks: content rules
 * always, content_text rules when found in plain text (not in a link);
 * rules of kept (NULL: none) never */
static int policy_scaled(char **content, char **text_rules, char **kept, int percent,
			 const vigie_finding *f)
{
	int w = f->weight;
	if (percent >= 100 || w <= 0)
		return w;
	for (int i = 0; kept && kept[i]; i++)
		if (g_str_has_prefix(f->rule, kept[i]))
			return w;
	bool scaled = false;
	for (int i = 0; !scaled && content[i]; i++)
		scaled = g_str_has_prefix(f->rule, content[i]);
	for (int i = 0; !scaled && text_rules[i]; i++)
		scaled = g_str_has_prefix(f->rule, text_rules[i]) && g_str_has_suffix(f->where, ", text (text)");
	return scaled ? (int)((long long)w * percent / 100) : w;
}

/* policy_apply_settings - see internal.h */
void policy_apply_settings(const policy_settings *p, vigie_verdict *v, bool bulk)
{
	int ch = v->channel == VIGIE_CHANNEL_MAIL ? 0 : 1;
	int percent = 100;
	char **kept = NULL;
	if (v->speaker && !strcmp(v->speaker, "internal")) {
		percent = p->internal_percent;
		kept = p->kept;
	}
	else if (v->speaker && !strcmp(v->speaker, "outbound"))
		percent = p->outbound_percent;
	else if (v->speaker && !strcmp(v->speaker, "brand"))
		percent = p->brand_percent;
	bool forced = false, bad = false;
	long long score = 0;
	for (guint i = 0; i < v->findings->len; i++) {
		vigie_finding *f = g_ptr_array_index(v->findings, i);
		f->weight = policy_scaled(p->content, p->text_rules, kept, percent, f);
		f->decisive = g_strv_contains((const char *const *)p->decisive, f->category);
		forced |= f->decisive;
		bad |= f->weight > 0 &&
		       g_strv_contains((const char *const *)p->malicious, f->category);
		score += f->weight;
	}
	v->score = score > G_MAXINT ? G_MAXINT : score < G_MININT ? G_MININT : (int)score;

	if (p->reject[ch] > 0 && score >= p->reject[ch])
		v->action = VIGIE_ACTION_REJECT;
	else if (forced || score >= p->quarantine[ch])
		v->action = VIGIE_ACTION_QUARANTINE;
	else if (score >= p->tag[ch])
		v->action = VIGIE_ACTION_TAG;
	else
		v->action = VIGIE_ACTION_RELEASE;
	forced |= policy_unscanned(p, v);

	if (forced || (v->action != VIGIE_ACTION_RELEASE && bad))
		v->klass = VIGIE_CLASS_MALICIOUS;
	else if (bulk)
		v->klass = VIGIE_CLASS_BULK;
	else if (v->action != VIGIE_ACTION_RELEASE)
		v->klass = VIGIE_CLASS_SPAM;
	else
		v->klass = VIGIE_CLASS_CLEAN;
	if (v->klass == VIGIE_CLASS_BULK && v->action != VIGIE_ACTION_RELEASE &&
	    p->bulk_action != VIGIE_ACTION_QUARANTINE)
		v->action = p->bulk_action;
}

/* policy_apply_class - see internal.h */
void policy_apply_class(const vigie_config *c, vigie_verdict *v, bool bulk)
{
	policy_settings *p = policy_settings_new(c);
	policy_apply_settings(p, v, bulk);
	policy_settings_free(p);
}

/* policy_apply - the same for a message of no known speaker, not bulk */
void policy_apply(const vigie_config *c, vigie_verdict *v)
{
	policy_apply_class(c, v, false);
}
