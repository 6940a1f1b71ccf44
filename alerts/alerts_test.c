/* alerts_test.c - the traffic watch's counting, baseline and detectors on
 * synthetic series (flat, noisy for a week, a surge, a lone spike, a
 * silence, a quiet channel, a daily rhythm with and without the seasonal
 * baseline, a flood of new authors) replayed bucket by bucket through the
 * real code of alerts_series.c, alerts_baseline.c and alerts_detect.c; and
 * the snapshot's round trip. Each case states exactly which alerts open,
 * where they start and when they close.
 */
#include "alerts_core.h"

#include <math.h>
#include <string.h>

#define CAP 20000

/* a deterministic noise source (xorshift), so failures replay */
static guint64 rng_state;
static double rng_unit(void)
{
	rng_state ^= rng_state << 13;
	rng_state ^= rng_state >> 7;
	rng_state ^= rng_state << 17;
	return (double)(rng_state >> 11) / (double)(1ULL << 53);
}
/* rng_poisson - a Poisson count of mean lambda (Knuth's method; small lambda) */
static int rng_poisson(double lambda)
{
	double l = exp(-lambda), p = 1;
	int k = 0;
	do {
		k++;
		p *= rng_unit();
	} while (p > l);
	return k - 1;
}

typedef int (*gen_fn)(gint64 b);

static int g_flat10(gint64 b)
{
	(void)b;
	return 10;
}
static int g_zero(gint64 b)
{
	(void)b;
	return 0;
}
static int g_noise20(gint64 b)
{
	(void)b;
	return rng_poisson(20);
}
static int g_noise1(gint64 b)
{
	(void)b;
	return rng_poisson(1);
}
static int g_surge(gint64 b)
{
	return b >= 100 && b < 110 ? 30 + rng_poisson(1) : rng_poisson(1);
}
static int g_spike(gint64 b)
{
	return b == 100 ? 500 : rng_poisson(1);
}
static int g_long_surge(gint64 b)
{
	return b >= 100 && b < 150 ? 40 : rng_poisson(1);
}
static int g_silence(gint64 b)
{
	return b >= 100 && b < 110 ? 0 : rng_poisson(20);
}
static int g_quiet(gint64 b)
{
	return b >= 100 && b < 110 ? 0 : rng_poisson(2);
}
/* a day of 24 buckets: 08:00-18:00 busy (mean 60), nights quiet (mean 3), weeks of 168 */
static int g_daily(gint64 b)
{
	int h = (int)(b % 24);
	return rng_poisson(h >= 8 && h < 18 ? 60 : 3);
}
/* the same, with the day traffic cut at week 3, Wednesday 10:00-13:00 */
static int g_daily_outage(gint64 b)
{
	return b >= 3 * 168 + 2 * 24 + 10 && b < 3 * 168 + 2 * 24 + 13 ? 0 : g_daily(b);
}

typedef struct {
	const char *name;
	const char *what; /* the series, which chooses the detector */
	gen_fn gen;
	gint64 buckets;
	guint window, period, periods, half_width;
	int opens;	   /* alerts opened */
	gint64 start;	   /* the first one's start bucket (-1: none) */
	gint64 opened_at;  /* bucket when it opened */
	gint64 closed_at;  /* bucket when it closed (-1: still open or none) */
	int min_opens;	   /* for "at least" cases: opens is then a floor */
	gint64 count_from; /* alerts opened before this bucket are not counted */
} scenario;

static const scenario cases[] = {
    {"flat, silence watch", "messages", g_flat10, 400, 60, 0, 0, 0, 0, -1, -1, -1, 0},
    {"flat zero, surge watch", "category.phishing", g_zero, 400, 60, 0, 0, 0, 0, -1, -1, -1, 0},
    {"a week of Poisson noise (mean 20), silence watch", "messages", g_noise20, 10080, 60, 0, 0, 0,
     0, -1, -1, -1, 0},
    {"a week of Poisson noise (mean 1), surge watch", "action.quarantine", g_noise1, 10080, 60, 0,
     0, 0, 0, -1, -1, -1, 0},
    {"surge of a category for 10 buckets", "category.phishing", g_surge, 200, 60, 0, 0, 0, 1, 100,
     102, 114, 0},
    {"a lone spike opens nothing", "action.quarantine", g_spike, 200, 60, 0, 0, 0, 0, -1, -1, -1,
     0},
    {"a 50-bucket surge is one alert", "action.quarantine", g_long_surge, 300, 60, 0, 0, 0, 1, 100,
     102, 154, 0},
    {"silence of a busy channel", "messages", g_silence, 200, 60, 0, 0, 0, 1, 100, 102, 114, 0},
    {"silence of a quiet channel: nothing", "messages", g_quiet, 200, 60, 0, 0, 0, 0, -1, -1, -1,
     0},
    /* a daily rhythm judged on the last 6 buckets only: every morning
     * and evening would be an alert (this shows why the seasonal
     * variant exists) */
    {"daily rhythm, recent window only: false alarms", "messages", g_daily, 4 * 168, 6, 0, 0, 0, -1,
     -1, -1, -1, 5},
    /* (the first week has no seasonal history: judged from the recent
     * window, its evenings alert; counted from the second week on) */
    {"daily rhythm, seasonal: no alarm in 3 weeks", "messages", g_daily, 4 * 168, 6, 168, 1, 1, 0,
     -1, -1, -1, 0, 169 + 24},
    {"daily rhythm, seasonal: a day-time outage", "messages", g_daily_outage, 4 * 168, 6, 168, 1, 1,
     1, 3 * 168 + 2 * 24 + 10, 3 * 168 + 2 * 24 + 12, 3 * 168 + 2 * 24 + 17, 0, 169 + 24},
};

static const alerts_detect_params detect = {
    .raise_after = 3,
    .clear_after = 5,
    .min_rise = {5, 20, 0, 0},
    .silence_min = 5,
};

/* run - replay one scenario; fills the first alert's buckets */
static int run(const scenario *c, gint64 *start, gint64 *opened_at, gint64 *closed_at)
{
	rng_state = 0x9e3779b97f4a7c15ULL;
	alerts_set *s = alerts_set_new(CAP, 1000);
	alerts_set_channel(s, "web", 0);
	alerts_series *x = alerts_set_series(s, "web", c->what);
	x->kind = alerts_series_kind(c->what, true);
	alerts_baseline_params bp = {.window = c->window,
				     .min_history = c->window / 2,
				     .k = 5,
				     .min_sigma = 1,
				     .period = c->period,
				     .periods = c->periods,
				     .half_width = c->half_width};
	int opens = 0;
	*start = *opened_at = *closed_at = -1;
	for (gint64 b = 0; b < c->buckets; b++) {
		alerts_series_add(x, s->cap, b, (guint32)c->gen(b));
		alerts_band band;
		bool has = alerts_baseline_band(x, s->cap, b, &bp, &band);
		alerts_event ev =
		    alerts_detect_step(&x->st, x->kind, b, alerts_series_at(x, s->cap, b),
				       has ? &band : NULL, &detect);
		if (b < c->count_from)
			continue;
		if (ev == ALERTS_OPENED && ++opens == 1) {
			*start = x->st.start;
			*opened_at = b;
		}
		if (ev == ALERTS_CLOSED && opens == 1 && *closed_at < 0)
			*closed_at = b;
	}
	alerts_set_free(s);
	return opens;
}

static void test_scenario(gconstpointer data)
{
	const scenario *c = data;
	gint64 start, opened_at, closed_at;
	int opens = run(c, &start, &opened_at, &closed_at);
	g_test_message("%d opened; the first starts at %" G_GINT64_FORMAT
		       ", opens at %" G_GINT64_FORMAT ", closes at %" G_GINT64_FORMAT,
		       opens, start, opened_at, closed_at);
	if (c->min_opens) {
		g_assert_cmpint(opens, >=, c->min_opens);
		return;
	}
	g_assert_cmpint(opens, ==, c->opens);
	g_assert_cmpint(start, ==, c->start);
	g_assert_cmpint(opened_at, ==, c->opened_at);
	g_assert_cmpint(closed_at, ==, c->closed_at);
}

/* the band right after a spike is the band before it */
static void test_spike_band(void)
{
	alerts_set *s = alerts_set_new(1000, 100);
	alerts_set_channel(s, "web", 0);
	alerts_series *x = alerts_set_series(s, "web", "messages");
	alerts_baseline_params bp = {.window = 60, .min_history = 30, .k = 5, .min_sigma = 1};
	for (gint64 b = 0; b < 100; b++)
		alerts_series_add(x, s->cap, b, (guint32)(10 + b % 3));
	alerts_band before, after;
	g_assert_true(alerts_baseline_band(x, s->cap, 100, &bp, &before));
	alerts_series_add(x, s->cap, 100, 10000);
	g_assert_true(alerts_baseline_band(x, s->cap, 101, &bp, &after));
	g_assert_cmpfloat(before.median, ==, after.median);
	g_assert_cmpfloat(fabs(before.sigma - after.sigma), <, 1e-9);
	/* not enough history yet: no band */
	alerts_series *y = alerts_set_series(s, "web", "action.tag");
	g_assert_false(alerts_baseline_band(y, s->cap, 10, &bp, &after));
	alerts_set_free(s);
}

/* median and MAD of small samples, exactly */
static void test_robust(void)
{
	static const struct {
		double x[7];
		size_t n;
		double median, mad;
	} rows[] = {
	    {{1, 2, 3, 4, 100}, 5, 3, 1},
	    {{5, 5, 5, 5}, 4, 5, 0},
	    {{1, 2, 3, 4}, 4, 2.5, 1},
	    {{0, 0, 0, 1000, 1000, 0, 0}, 7, 0, 0},
	};
	for (size_t i = 0; i < G_N_ELEMENTS(rows); i++) {
		double x[7], med, sigma;
		memcpy(x, rows[i].x, sizeof x);
		alerts_baseline_robust(x, rows[i].n, &med, &sigma);
		g_assert_cmpfloat(med, ==, rows[i].median);
		g_assert_cmpfloat(fabs(sigma - 1.4826 * rows[i].mad), <, 1e-9);
	}
}

/* new authors: known ones are not new; a flood of new ones opens a flood */
static void test_flood(void)
{
	alerts_set *s = alerts_set_new(1000, 100000);
	alerts_set_channel(s, "sms", 0);
	alerts_series *x = alerts_set_series(s, "sms", "new_authors");
	x->kind = alerts_series_kind("new_authors", true);
	g_assert_cmpint(x->kind, ==, ALERTS_FLOOD);
	g_assert_cmpint(alerts_series_kind("new_authors", false), ==, ALERTS_KIND_NONE);
	g_assert_cmpint(alerts_series_kind("refused", true), ==, ALERTS_FLOOD);
	g_assert_cmpint(alerts_series_kind("refused", false), ==, ALERTS_KIND_NONE);
	g_assert_cmpint(alerts_series_kind("action.release", true), ==, ALERTS_KIND_NONE);
	g_assert_cmpint(alerts_series_kind("category.otp", false), ==, ALERTS_SURGE);
	alerts_baseline_params bp = {.window = 60, .min_history = 30, .k = 5, .min_sigma = 1};
	int opens = 0;
	gint64 opened = -1;
	for (gint64 b = 0; b < 120; b++) {
		int n = b >= 80 && b < 90 ? 40 : 0;
		char id[32];
		for (int a = 0; a < 5; a++) { /* regulars */
			g_snprintf(id, sizeof id, "+3361234567%d", a);
			if (alerts_set_author(s, "sms", id, b))
				alerts_series_add(x, s->cap, b, 1);
		}
		for (int a = 0; a < n; a++) {
			g_snprintf(id, sizeof id, "+44700900%03d%02d", (int)b, a);
			if (alerts_set_author(s, "sms", id, b))
				alerts_series_add(x, s->cap, b, 1);
		}
		alerts_band band;
		bool has = alerts_baseline_band(x, s->cap, b, &bp, &band);
		if (alerts_detect_step(&x->st, x->kind, b, alerts_series_at(x, s->cap, b),
				       has ? &band : NULL, &detect) == ALERTS_OPENED &&
		    ++opens == 1)
			opened = b;
	}
	g_assert_cmpint(alerts_series_at(x, s->cap, 0), ==, 5);
	g_assert_cmpint(alerts_series_at(x, s->cap, 1), ==, 0);
	g_assert_cmpint(opens, ==, 1);
	g_assert_cmpint(opened, ==, 82);
	g_assert_false(alerts_set_author(s, "sms", "+33612345670", 120));
	g_assert_true(alerts_set_author(s, "web", "+33612345670", 120)); /* per channel */
	alerts_set_free(s);
}

/* the ring keeps cap buckets; older ones read 0; a late series starts at
 * its channel's start */
static void test_ring(void)
{
	alerts_set *s = alerts_set_new(10, 100);
	alerts_set_channel(s, "web", 100);
	alerts_series *x = alerts_set_series(s, "web", "messages");
	for (gint64 b = 100; b < 130; b++)
		alerts_series_add(x, s->cap, b, (guint32)b);
	g_assert_cmpuint(alerts_series_at(x, s->cap, 129), ==, 129);
	g_assert_cmpuint(alerts_series_at(x, s->cap, 120), ==, 120);
	g_assert_cmpuint(alerts_series_at(x, s->cap, 119), ==, 0);
	alerts_series_add(x, s->cap, 110, 5); /* too old: ignored */
	g_assert_cmpuint(alerts_series_at(x, s->cap, 120), ==, 120);
	alerts_series_add(x, s->cap, 200, 1); /* a jump zeroes what it skips */
	g_assert_cmpuint(alerts_series_at(x, s->cap, 199), ==, 0);
	g_assert_cmpuint(alerts_series_at(x, s->cap, 200), ==, 1);
	alerts_series *late = alerts_set_series(s, "web", "category.otp");
	g_assert_cmpint(late->first, ==, 100);
	g_assert_true(alerts_set_series(s, "web", "messages") == x);
	alerts_set_free(s);
}

/* save then load: the same counts, detector state and authors */
static void test_snapshot(void)
{
	alerts_set *s = alerts_set_new(50, 100);
	alerts_set_channel(s, "web", 1000);
	alerts_series *x = alerts_set_series(s, "web", "action.quarantine");
	for (gint64 b = 1000; b < 1080; b++)
		alerts_series_add(x, s->cap, b, (guint32)(b % 7));
	x->st.active = true;
	x->st.start = 1070;
	x->st.band.high = 4.5;
	x->st.peak = 6;
	alerts_set_author(s, "web", "alice", 1079);
	char *text = alerts_set_save(s, 60);
	alerts_set *t = alerts_set_new(50, 100);
	GError *err = NULL;
	g_assert_true(alerts_set_load(t, 60, text, &err));
	g_assert_no_error(err);
	alerts_series *y = alerts_set_series(t, "web", "action.quarantine");
	g_assert_cmpint(y->first, ==, 1000);
	g_assert_cmpint(y->last, ==, 1079);
	for (gint64 b = 1030; b < 1080; b++)
		g_assert_cmpuint(alerts_series_at(y, t->cap, b), ==, (guint32)(b % 7));
	g_assert_true(y->st.active);
	g_assert_cmpint(y->st.start, ==, 1070);
	g_assert_cmpfloat(y->st.band.high, ==, 4.5);
	g_assert_false(alerts_set_author(t, "web", "alice", 1080));
	/* another bucket length, a truncated line, garbage: refused */
	alerts_set *u = alerts_set_new(50, 100);
	g_assert_false(alerts_set_load(u, 1, text, &err));
	g_assert_nonnull(strstr(err->message, "60 s"));
	g_clear_error(&err);
	char *cut = g_strndup(text, (gsize)(strstr(text, "\nS ") - text + 20));
	g_assert_false(alerts_set_load(u, 60, cut, &err));
	g_clear_error(&err);
	g_assert_false(alerts_set_load(u, 60, "hello\n", &err));
	g_clear_error(&err);
	/* bucket numbers a clock cannot give (found by fuzz_alerts_snapshot:
	 * a negative start indexed the ring below its first slot, the largest
	 * one overflowed the zero-fill) */
	static const char *const damaged[] = {
		"vigie-alerts 1 60 50\nC web -100\n",
		"vigie-alerts 1 60 50\nC web 9223372036854775807\n",
		"vigie-alerts 1 60 50\nS web x -1 0 0 0 0 0 0 0 0 0 0\n",
		"vigie-alerts 1 60 50\nS web x 2 0 0 0 0 0 0 0 0 0 4 1 1 1 1\n",
		"vigie-alerts 1 60 50\nA 1f -5\n",
	};
	for (size_t i = 0; i < G_N_ELEMENTS(damaged); i++) {
		g_assert_false(alerts_set_load(u, 60, damaged[i], &err));
		g_assert_nonnull(strstr(err->message, "line 2"));
		g_clear_error(&err);
	}
	g_free(cut);
	g_free(text);
	alerts_set_free(s);
	alerts_set_free(t);
	alerts_set_free(u);
}

int main(int argc, char **argv)
{
	g_test_init(&argc, &argv, NULL);
	for (size_t i = 0; i < G_N_ELEMENTS(cases); i++) {
		char *path = g_strdup_printf("/alerts/scenario/%zu %s", i, cases[i].name);
		g_test_add_data_func(path, &cases[i], test_scenario);
		g_free(path);
	}
	g_test_add_func("/alerts/robust", test_robust);
	g_test_add_func("/alerts/spike-band", test_spike_band);
	g_test_add_func("/alerts/flood", test_flood);
	g_test_add_func("/alerts/ring", test_ring);
	g_test_add_func("/alerts/snapshot", test_snapshot);
	return g_test_run();
}
