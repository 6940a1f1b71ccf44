/* alerts_detect.c - when a series leaving its band becomes an alert.
 *
 *   surge    a channel's quarantines or one category of finding above the
 *            band's top, and at least min_rise[surge] above the median
 *   flood    a chat channel's messages from new authors, or the messages
 *            its rate limits refused, the same way with min_rise[flood]
 *   silence  a channel's messages at or below the band's bottom (which
 *            is 0 for noisy traffic: then nothing at all) where the median
 *            is at least silence_min (a channel that carries traffic)
 * (spread is an event, not a series: alerts.c.)
 *
 * An alert opens after raise_after consecutive buckets out of the band and
 * starts at the first of them; it closes after clear_after consecutive
 * buckets back in. While it lasts it is one alert (no repeat), judged
 * against the band frozen when it started: a campaign lasting longer than
 * half the baseline's window would otherwise become its own normal and
 * close itself half-way.
 * Interface in alerts_core.h. Trusts nothing: counts only.
 */
#include "alerts_core.h"

#include <string.h>

/* alerts_series_kind - see alerts_core.h */
alerts_kind alerts_series_kind(const char *what, bool chat)
{
	if (!strcmp(what, "messages"))
		return ALERTS_SILENCE;
	if (!strcmp(what, "action.quarantine") || g_str_has_prefix(what, "category."))
		return ALERTS_SURGE;
	if (chat && (!strcmp(what, "new_authors") || !strcmp(what, "refused")))
		return ALERTS_FLOOD;
	return ALERTS_KIND_NONE;
}

/* detect_out - is observed outside band for this kind of detector? */
static bool detect_out(alerts_kind kind, double observed, const alerts_band *band,
		       const alerts_detect_params *p)
{
	if (kind == ALERTS_SILENCE)
		return band->median >= p->silence_min && observed <= band->low;
	return observed > band->high && observed - band->median >= p->min_rise[kind];
}

/* alerts_detect_step - see alerts_core.h */
alerts_event alerts_detect_step(alerts_state *st, alerts_kind kind, gint64 b, double observed,
				const alerts_band *band, const alerts_detect_params *p)
{
	if (kind < 0 || kind == ALERTS_SPREAD || kind >= ALERTS_KIND_N)
		return ALERTS_NOTHING;
	st->observed = observed;
	if (st->active) {
		double dist =
		    kind == ALERTS_SILENCE ? st->band.low - observed : observed - st->band.high;
		double best =
		    kind == ALERTS_SILENCE ? st->band.low - st->peak : st->peak - st->band.high;
		if (detect_out(kind, observed, &st->band, p)) {
			st->under = 0;
			if (dist > best)
				st->peak = observed;
			return ALERTS_NOTHING;
		}
		if (++st->under < MAX(p->clear_after, 1))
			return ALERTS_NOTHING;
		st->active = false;
		st->end = b;
		st->over = st->under = 0;
		return ALERTS_CLOSED;
	}
	if (!band || !detect_out(kind, observed, band, p)) {
		st->over = 0;
		return ALERTS_NOTHING;
	}
	if (st->over == 0) {
		st->band = *band; /* the band before the change began */
		st->peak = observed;
	} else if (kind == ALERTS_SILENCE ? observed < st->peak : observed > st->peak) {
		st->peak = observed;
	}
	if (++st->over < MAX(p->raise_after, 1))
		return ALERTS_NOTHING;
	st->active = true;
	st->start = b - (gint64)st->over + 1;
	st->end = 0;
	st->under = 0;
	return ALERTS_OPENED;
}
