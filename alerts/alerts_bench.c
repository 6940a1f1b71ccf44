/* alerts_bench.c - what the traffic watch costs and how well it sees
 * (a benchmark, not a test: build/alerts/alerts_bench, prints tables).
 *
 *  1. cost per message of alerts_observe (the hook the front ends call),
 *     with a real configuration, a real chat message and a verdict with
 *     three findings; and memory per series;
 *  2. on a simulated month of 1-minute buckets for one channel (a weekday
 *     rhythm: busy 08:00-18:00, quiet nights, quieter weekends, Poisson
 *     noise; quarantines 2% of traffic, new authors 10%), with the default
 *     [alerts] parameters: 8 events of each kind injected for 30 minutes
 *     (surges of quarantines and floods of new authors, two sizes each;
 *     outages in busy hours), the delay from each event's start to its
 *     alert, the events missed, and the false alarms per week (alerts
 *     that overlap no event), from the second week on (the seasonal
 *     baseline's first week is its learning).
 * Trusts nothing: synthetic data only.
 */
#include "alerts.h"
#include "alerts_core.h"

#include <math.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

static guint64 rng = 0x2545f4914f6cdd1dULL;
static double unit(void)
{
	rng ^= rng << 13;
	rng ^= rng >> 7;
	rng ^= rng << 17;
	return (double)(rng >> 11) / (double)(1ULL << 53);
}
/* poisson - Knuth for small means, normal approximation above 30 */
static int poisson(double l)
{
	if (l > 30) {
		double u1 = unit(), u2 = unit();
		double z = sqrt(-2 * log(u1 + 1e-300)) * cos(2 * M_PI * u2);
		int k = (int)lround(l + sqrt(l) * z);
		return k < 0 ? 0 : k;
	}
	double e = exp(-l), p = 1;
	int k = 0;
	do {
		k++;
		p *= unit();
	} while (p > e);
	return k - 1;
}

/* ---- 1. cost per message ------------------------------------------------- */

static void bench_cost(void)
{
	char *dir = g_dir_make_tmp("vigie-alerts-bench-XXXXXX", NULL);
	char *conf = g_build_filename(dir, "vigie.conf", NULL);
	char *text = g_strdup_printf(
	    "[alerts]\nenabled = yes\nstate_dir = %s/state\n[quarantine]\ndir = %s/q\n"
	    "[webhook]\nenabled = yes\n[webhook.web]\nsecret = s\n",
	    dir, dir);
	g_file_set_contents(conf, text, -1, NULL);
	GError *err = NULL;
	vigie_config *c = vigie_config_load(conf, &err);
	if (!c || !alerts_setup(c, true, false, &err)) {
		fprintf(stderr, "alerts_bench: %s\n", err->message);
		return;
	}
	const char *json =
	    "{\"channel\": \"chat\", \"platform\": \"webchat\", \"conversation\": \"c1\", "
	    "\"message_id\": \"m1\", \"author\": {\"id\": \"alice\", \"name\": \"A\"}, \"text\": "
	    "\"hi\"}";
	vigie_message *m = vigie_message_from_chat_json(json, strlen(json), &err);
	vigie_finding f[3] = {
	    {"lexicon.credential", "credential", 3, "x", "text", false},
	    {"intent.secret", "intent", 6, "x", "text", false},
	    {"url.risky-tld", "suspicious-link", 2, "x", "text", false},
	};
	vigie_verdict v = {.channel = VIGIE_CHANNEL_CHAT,
			   .action = VIGIE_ACTION_QUARANTINE,
			   .klass = VIGIE_CLASS_MALICIOUS,
			   .findings = g_ptr_array_new()};
	for (int i = 0; i < 3; i++)
		g_ptr_array_add(v.findings, &f[i]);
	const int n = 2000000;
	char authors[64][16];
	for (int i = 0; i < 64; i++)
		g_snprintf(authors[i], sizeof authors[i], "author-%d", i);
	gint64 t0 = g_get_monotonic_time();
	for (int i = 0; i < n; i++) {
		m->env.author_id = authors[i & 63];
		alerts_observe("web", m, &v, NULL);
	}
	double us = (double)(g_get_monotonic_time() - t0) / n;
	m->env.author_id = NULL;
	printf("| cost per message (alerts_observe: 3 findings, known author) | %.3f us |\n", us);
	printf("| memory per series (ring of [alerts] retention / bucket: 8 days of 1-min buckets) "
	       "| %zu bytes |\n",
	       (size_t)(691200 / 60) * sizeof(guint32));
	alerts_stop();
	g_ptr_array_unref(v.findings);
	vigie_message_free(m);
	vigie_config_free(c);
	char *cmd = g_strdup_printf("rm -rf '%s'", dir);
	if (system(cmd) != 0)
		fprintf(stderr, "alerts_bench: could not remove %s\n", dir);
	g_free(cmd);
	g_free(text);
	g_free(conf);
	g_free(dir);
}

/* ---- 2. a simulated month --------------------------------------------------- */

#define DAY 1440
#define WEEK (7 * DAY)
#define MONTH (30 * DAY)
#define EVENTS 8
#define EVENT_LEN 30

/* busy - the channel's expected messages per minute at bucket b */
static double busy(gint64 b)
{
	int day = (int)((b / DAY) % 7), minute = (int)(b % DAY);
	double level = minute >= 8 * 60 && minute < 18 * 60 ? 40 : 4;
	return day >= 5 ? level / 3 : level;
}

typedef struct {
	const char *kind, *what;
	alerts_kind k;
	double add; /* per minute during an event (surge, flood) */
} sim_kind;

/* sim_value - the series' count at b, with the events of kind k */
static int sim_value(const sim_kind *s, gint64 b, const gint64 *ev)
{
	bool in = false;
	for (int i = 0; i < EVENTS; i++)
		in = in || (b >= ev[i] && b < ev[i] + EVENT_LEN);
	double base = busy(b);
	switch (s->k) {
	case ALERTS_SURGE: /* quarantines: 2% of traffic; a campaign adds 15/min */
		return poisson(base * 0.02 + (in ? s->add : 0));
	case ALERTS_FLOOD: /* new authors: 10% of traffic; a flood adds 60/min */
		return poisson(base * 0.1 + (in ? s->add : 0));
	default: /* messages: an outage is nothing at all */
		return in ? 0 : poisson(base);
	}
}

static void bench_month(void)
{
	static const sim_kind kinds[] = {
	    {"surge (+15 quarantines/min)", "action.quarantine", ALERTS_SURGE, 15},
	    {"surge (+6 quarantines/min)", "action.quarantine", ALERTS_SURGE, 6},
	    {"flood (+60 new authors/min)", "new_authors", ALERTS_FLOOD, 60},
	    {"flood (+25 new authors/min)", "new_authors", ALERTS_FLOOD, 25},
	    {"silence (30-min outage)", "messages", ALERTS_SILENCE, 0},
	};
	alerts_baseline_params bp = {.window = 60,
				     .min_history = 30,
				     .k = 5,
				     .min_sigma = 1,
				     .period = WEEK,
				     .periods = 1,
				     .half_width = 30};
	alerts_detect_params dp = {
	    .raise_after = 3, .clear_after = 5, .min_rise = {5, 20, 0, 0}, .silence_min = 5};
	printf("\n| kind | events | found | missed | delay min/median/max (minutes) | false alarms "
	       "per week |\n"
	       "|---|---:|---:|---:|---|---:|\n");
	for (size_t ki = 0; ki < G_N_ELEMENTS(kinds); ki++) {
		const sim_kind *s = &kinds[ki];
		gint64 ev[EVENTS];
		/* events on Monday to Thursday of weeks 2 and 3, in busy hours
		 * (week 3's at other hours than week 2's: an event a week
		 * earlier at the same hour is in the seasonal sample) */
		static const int days[EVENTS] = {0, 1, 2, 3, 7, 8, 9, 10};
		for (int i = 0; i < EVENTS; i++)
			ev[i] = WEEK + (gint64)days[i] * DAY + (i < 4 ? 10 * 60 : 14 * 60 + 30) +
				(gint64)ki * 7;
		alerts_set *set = alerts_set_new(MONTH + 10, 16);
		alerts_set_channel(set, "sms", 0);
		alerts_series *x = alerts_set_series(set, "sms", s->what);
		x->kind = s->k;
		int found = 0, false_alarms = 0;
		double delays[EVENTS];
		bool seen[EVENTS] = {false};
		for (gint64 b = 0; b < MONTH; b++) {
			alerts_series_add(x, set->cap, b, (guint32)sim_value(s, b, ev));
			alerts_band band;
			bool has = alerts_baseline_band(x, set->cap, b, &bp, &band);
			if (alerts_detect_step(&x->st, s->k, b, alerts_series_at(x, set->cap, b),
					       has ? &band : NULL, &dp) != ALERTS_OPENED ||
			    b < WEEK)
				continue;
			bool matched = false;
			for (int i = 0; i < EVENTS; i++)
				if (x->st.start >= ev[i] - 5 && x->st.start < ev[i] + EVENT_LEN) {
					matched = true;
					if (!seen[i]) {
						seen[i] = true;
						delays[found++] = (double)(b - ev[i] + 1);
					}
				}
			if (!matched)
				false_alarms++;
		}
		double dmin = 0, dmed = 0, dmax = 0;
		if (found) {
			double tmp[EVENTS], sigma;
			memcpy(tmp, delays, sizeof tmp);
			alerts_baseline_robust(tmp, (size_t)found, &dmed, &sigma);
			dmin = dmax = delays[0];
			for (int i = 1; i < found; i++) {
				dmin = MIN(dmin, delays[i]);
				dmax = MAX(dmax, delays[i]);
			}
		}
		printf("| %s | %d | %d | %d | %g / %g / %g | %.2f |\n", s->kind, EVENTS, found,
		       EVENTS - found, dmin, dmed, dmax,
		       false_alarms / ((double)(MONTH - WEEK) / WEEK));
		alerts_set_free(set);
	}
}

int main(void)
{
	vigie_global_init(NULL);
	printf("| measure | value |\n|---|---:|\n");
	bench_cost();
	bench_month();
	return 0;
}
