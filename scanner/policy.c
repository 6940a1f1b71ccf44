/* policy.c - findings -> score -> action, all numbers from configuration
 *
 * The score is the sum of the findings' weights. Per channel, [channel.X]
 * gives the tag, quarantine and reject (0 = never) thresholds. A finding
 * whose category is listed in [policy] decisive_categories forces at least
 * quarantine whatever the score (a virus is a virus).
 */
#include "internal.h"

#include <string.h>

/* policy_apply - set v->score, v->action and each finding's decisive flag */
void policy_apply(const vigie_config *c, vigie_verdict *v)
{
	const char *section = v->channel == VIGIE_CHANNEL_MAIL ? "channel.mail" : "channel.chat";
	char **decisive = config_get_list(c, "policy", "decisive_categories");
	bool forced = false;
	long long score = 0;
	for (guint i = 0; i < v->findings->len; i++) {
		vigie_finding *f = g_ptr_array_index(v->findings, i);
		f->decisive = g_strv_contains((const char *const *)decisive, f->category);
		forced |= f->decisive;
		score += f->weight;
	}
	g_strfreev(decisive);
	v->score = score > G_MAXINT ? G_MAXINT : (int)score;

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
}
