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
 */
#include "internal.h"

#include <string.h>

/* policy_unscanned - the least action for content not fully scanned:
 * [policy] on_unscanned_executable for category unscanned-executable,
 * on_unscanned for unscanned (tag, quarantine, or release-with-finding:
 * the score alone decides). Raises v->action, never lowers it; true when
 * it forces quarantine (those findings are then decisive). */
static bool policy_unscanned(const vigie_config *c, vigie_verdict *v)
{
	bool forced = false;
	for (guint i = 0; i < v->findings->len; i++) {
		vigie_finding *f = g_ptr_array_index(v->findings, i);
		const char *key = !strcmp(f->category, "unscanned-executable") ? "on_unscanned_executable"
				  : !strcmp(f->category, "unscanned")          ? "on_unscanned"
									       : NULL;
		const char *mode = key ? vigie_config_get(c, "policy", key) : "";
		VigieAction least = !strcmp(mode, "quarantine") ? VIGIE_ACTION_QUARANTINE
				    : !strcmp(mode, "tag")      ? VIGIE_ACTION_TAG
								: VIGIE_ACTION_RELEASE;
		f->decisive |= least == VIGIE_ACTION_QUARANTINE;
		forced |= least == VIGIE_ACTION_QUARANTINE;
		if (v->action < least)
			v->action = least;
	}
	return forced;
}

/* policy_scaled - weight w of finding f, for who speaks: content rules
 * always, content_text rules when found in plain text (not in a link) */
static int policy_scaled(char **content, char **text_rules, int percent, const vigie_finding *f)
{
	int w = f->weight;
	if (percent >= 100 || w <= 0)
		return w;
	bool scaled = false;
	for (int i = 0; !scaled && content[i]; i++)
		scaled = g_str_has_prefix(f->rule, content[i]);
	for (int i = 0; !scaled && text_rules[i]; i++)
		scaled = g_str_has_prefix(f->rule, text_rules[i]) && g_str_has_suffix(f->where, ", text (text)");
	return scaled ? (int)((long long)w * percent / 100) : w;
}

/* policy_apply_class - see internal.h */
void policy_apply_class(const vigie_config *c, vigie_verdict *v, bool bulk)
{
	const char *section = v->channel == VIGIE_CHANNEL_MAIL ? "channel.mail" : "channel.chat";
	char **decisive = config_get_list(c, "policy", "decisive_categories");
	char **malicious = config_get_list(c, "policy", "malicious_categories");
	char **content = config_get_list(c, "policy", "content_rules");
	char **text_rules = config_get_list(c, "policy", "content_text_rules");
	int percent = 100;
	if (v->speaker && !strcmp(v->speaker, "internal"))
		percent = (int)vigie_config_get_int(c, "policy", "internal_content_percent");
	else if (v->speaker && !strcmp(v->speaker, "outbound"))
		percent = (int)vigie_config_get_int(c, "policy", "outbound_content_percent");
	else if (v->speaker && !strcmp(v->speaker, "brand"))
		percent = (int)vigie_config_get_int(c, "policy", "brand_content_percent");
	bool forced = false, bad = false;
	long long score = 0;
	for (guint i = 0; i < v->findings->len; i++) {
		vigie_finding *f = g_ptr_array_index(v->findings, i);
		f->weight = policy_scaled(content, text_rules, percent, f);
		f->decisive = g_strv_contains((const char *const *)decisive, f->category);
		forced |= f->decisive;
		bad |= f->weight > 0 && g_strv_contains((const char *const *)malicious, f->category);
		score += f->weight;
	}
	g_strfreev(decisive);
	g_strfreev(malicious);
	g_strfreev(content);
	g_strfreev(text_rules);
	v->score = score > G_MAXINT ? G_MAXINT : score < G_MININT ? G_MININT : (int)score;

	long long tag = vigie_config_get_int(c, section, "tag");
	long long quarantine = vigie_config_get_int(c, section, "quarantine");
	long long reject = vigie_config_get_int(c, section, "reject");
	if (reject > 0 && score >= reject)
		v->action = VIGIE_ACTION_REJECT;
	else if (forced || score >= quarantine)
		v->action = VIGIE_ACTION_QUARANTINE;
	else if (score >= tag)
		v->action = VIGIE_ACTION_TAG;
	else
		v->action = VIGIE_ACTION_RELEASE;
	forced |= policy_unscanned(c, v);

	if (forced || (v->action != VIGIE_ACTION_RELEASE && bad))
		v->klass = VIGIE_CLASS_MALICIOUS;
	else if (bulk)
		v->klass = VIGIE_CLASS_BULK;
	else if (v->action != VIGIE_ACTION_RELEASE)
		v->klass = VIGIE_CLASS_SPAM;
	else
		v->klass = VIGIE_CLASS_CLEAN;
	if (v->klass == VIGIE_CLASS_BULK && v->action != VIGIE_ACTION_RELEASE) {
		const char *what = vigie_config_get(c, "policy", "bulk_action");
		if (!strcmp(what, "release"))
			v->action = VIGIE_ACTION_RELEASE;
		else if (!strcmp(what, "tag"))
			v->action = VIGIE_ACTION_TAG;
	}
}

/* policy_apply - the same for a message of no known speaker, not bulk */
void policy_apply(const vigie_config *c, vigie_verdict *v)
{
	policy_apply_class(c, v, false);
}
