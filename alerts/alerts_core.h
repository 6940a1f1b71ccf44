/* alerts_core.h - the traffic watch without threads, clocks or I/O: time
 * series of counts in fixed buckets (alerts_series.c), a robust baseline
 * per series (alerts_baseline.c) and the detectors that turn a series
 * leaving its band into alerts (alerts_detect.c). Time is a bucket number
 * the caller gives (unix seconds / bucket seconds), so the unit test
 * replays weeks of synthetic traffic in milliseconds and the daemon
 * (alerts.c) drives the same code from the wall clock.
 *
 * Not thread-safe: alerts.c holds one lock around every call.
 *
 * SECURITY: series names are built from configuration (channel names),
 * our own words (actions) and rule-file categories; nothing a sender wrote
 * becomes a name. Authors are kept as 64-bit hashes only.
 */
#ifndef VIGIE_ALERTS_CORE_H
#define VIGIE_ALERTS_CORE_H

#include <glib.h>
#include <stdbool.h>

/* ---- baseline (alerts_baseline.c) -------------------------------------- */

typedef struct {
	guint window;	   /* recent buckets the level is learnt from */
	guint min_history; /* buckets of history before a band exists */
	double k;	   /* band half-width in robust standard deviations */
	double min_sigma;  /* floor of the robust standard deviation */
	guint period;	   /* buckets in a week (0: no seasonal variant) */
	guint periods;	   /* weeks looked back for the seasonal variant */
	guint half_width;  /* buckets either side of the same time last week */
} alerts_baseline_params;

typedef struct {
	double median;	  /* the expected level */
	double sigma;	  /* 1.4826 * MAD, at least min_sigma and sqrt(median) */
	double low, high; /* median -/+ k * sigma, low at least 0 */
	bool seasonal;	  /* learnt from the same hours of earlier weeks */
} alerts_band;

/* alerts_baseline_robust - median and 1.4826 * median absolute deviation
 * of x[0..n) (n > 0); x is reordered */
void alerts_baseline_robust(double *x, size_t n, double *median, double *sigma);

/* ---- series (alerts_series.c) ------------------------------------------ */

typedef enum {
	ALERTS_KIND_NONE = -1,
	ALERTS_SURGE = 0,
	ALERTS_FLOOD,
	ALERTS_SILENCE,
	ALERTS_SPREAD,
	ALERTS_KIND_N
} alerts_kind;
const char *alerts_kind_name(alerts_kind k);

/* one detector's state on one series (alerts_detect.c) */
typedef struct {
	bool active;
	guint over, under; /* consecutive buckets out of / back in the band */
	gint64 start;	   /* bucket where the alert's first out-of-band bucket was */
	gint64 end;	   /* bucket where it cleared (0 while active) */
	alerts_band band;  /* the band when it started (frozen while it lasts) */
	double observed;   /* the last bucket's count */
	double peak;	   /* furthest from the band while it lasted */
} alerts_state;

typedef struct {
	char *channel;	  /* "web", "milter" */
	char *what;	  /* "messages", "action.quarantine", "category.phishing", "new_authors" */
	alerts_kind kind; /* the detector it feeds, or ALERTS_KIND_NONE */
	guint32 *ring;	  /* counts, ring[b % cap] for bucket b */
	gint64 last;	  /* newest bucket in the ring */
	gint64 first;	  /* first bucket of its history (its channel's start) */
	alerts_state st;
	alerts_band band; /* the band of the last bucket judged */
	bool has_band;	  /* ... when there was one */
} alerts_series;

typedef struct {
	guint cap;	     /* buckets kept per series */
	GPtrArray *all;	     /* of alerts_series*, in creation order */
	GHashTable *by_name; /* "channel\x1fwhat" -> alerts_series* */
	GHashTable *starts;  /* channel -> first bucket (gint64 in a pointer) */
	GHashTable *authors; /* author hash -> last bucket seen */
	guint max_authors;
} alerts_set;

alerts_set *alerts_set_new(guint cap, guint max_authors);
void alerts_set_free(alerts_set *s);
/* alerts_set_channel - declare a channel whose history starts at bucket
 * now (kept when already known, e.g. from a snapshot) */
void alerts_set_channel(alerts_set *s, const char *channel, gint64 now);
/* alerts_set_series - the series, created (zeros since its channel's
 * start) when new; the pointer stays valid until alerts_set_free */
alerts_series *alerts_set_series(alerts_set *s, const char *channel, const char *what);
/* alerts_series_add - n more in bucket b (older than the ring: ignored) */
void alerts_series_add(alerts_series *x, guint cap, gint64 b, guint32 n);
/* alerts_series_at - the count of bucket b (0 outside what is kept) */
guint32 alerts_series_at(const alerts_series *x, guint cap, gint64 b);
/* alerts_set_author - true when the author (hash of channel and id) was
 * not seen in the ring's span before bucket now; remembers it */
bool alerts_set_author(alerts_set *s, const char *channel, const char *author, gint64 now);
/* alerts_set_save - the set as text (the snapshot); caller g_free */
char *alerts_set_save(const alerts_set *s, guint bucket_seconds);
/* alerts_set_load - a snapshot's series and authors into s (which must
 * have the same bucket length); false with err when it is not one */
bool alerts_set_load(alerts_set *s, guint bucket_seconds, const char *text, GError **err);

/* ---- baseline of a series ---------------------------------------------- */

/* alerts_baseline_band - the band for bucket b of x from the buckets
 * before it: the seasonal variant when p->period and enough weeks of
 * history, else the recent window; false while history is too short */
bool alerts_baseline_band(const alerts_series *x, guint cap, gint64 b,
			  const alerts_baseline_params *p, alerts_band *out);

/* ---- detection (alerts_detect.c) --------------------------------------- */

typedef struct {
	guint raise_after;		/* consecutive buckets out of the band to open an alert */
	guint clear_after;		/* consecutive buckets back in it to close one */
	double min_rise[ALERTS_KIND_N]; /* surge, flood: at least this far above the median */
	double silence_min;		/* silence: only where the median is at least this */
} alerts_detect_params;

typedef enum { ALERTS_NOTHING = 0, ALERTS_OPENED, ALERTS_CLOSED } alerts_event;

/* alerts_detect_step - bucket b of a series whose detector is kind, with
 * its count observed and its band (NULL: no baseline yet): updates st */
alerts_event alerts_detect_step(alerts_state *st, alerts_kind kind, gint64 b, double observed,
				const alerts_band *band, const alerts_detect_params *p);

/* alerts_series_kind - which detector a series name feeds on a channel
 * (flood only where chat is) */
alerts_kind alerts_series_kind(const char *what, bool chat);

#endif
