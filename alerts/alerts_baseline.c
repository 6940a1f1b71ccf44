/* alerts_baseline.c - the expected level of a series and its band.
 *
 * The level is the median of the buckets before the one judged, and the
 * spread is the median absolute deviation scaled by 1.4826 (so that it
 * equals the standard deviation for normal noise). Both ignore anything
 * less than half of the sample: a spike, or the first buckets of the very
 * surge being judged, moves neither; a mean and a standard deviation would
 * be dragged along and hide the surge they should show. The spread has a
 * floor (min_sigma): a series that is flat at zero still needs a real
 * change to leave its band; and, since these are counts, it is at least
 * the square root of the median (the Poisson noise of that level), which
 * keeps a small seasonal sample that happened to agree from drawing a
 * band too narrow for the next hour's ordinary noise.
 *
 * Two samples, the first that applies:
 *  - seasonal: once a series has [alerts] seasonal_weeks of history, the
 *    buckets around the same time of the week in each of those weeks
 *    (+/- half_width): the Monday-morning rise is normal on Monday morning,
 *    the Sunday-night quiet is normal on Sunday night;
 *  - recent: the last window buckets.
 * Interface in alerts_core.h. Trusts nothing: counts only.
 */
#include "alerts_core.h"

#include <math.h>
#include <stdlib.h>

static int baseline_cmp(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;
	return x < y ? -1 : x > y;
}

/* baseline_median - of sorted x[0..n) */
static double baseline_median(const double *x, size_t n)
{
	return n % 2 ? x[n / 2] : (x[n / 2 - 1] + x[n / 2]) / 2;
}

/* alerts_baseline_robust - median and scaled MAD; x is reordered */
void alerts_baseline_robust(double *x, size_t n, double *median, double *sigma)
{
	qsort(x, n, sizeof *x, baseline_cmp);
	double med = baseline_median(x, n);
	for (size_t i = 0; i < n; i++)
		x[i] = fabs(x[i] - med);
	qsort(x, n, sizeof *x, baseline_cmp);
	*median = med;
	*sigma = 1.4826 * baseline_median(x, n);
}

/* baseline_finish - band from a sample */
static void baseline_finish(double *x, size_t n, const alerts_baseline_params *p, alerts_band *out)
{
	alerts_baseline_robust(x, n, &out->median, &out->sigma);
	if (out->sigma < p->min_sigma)
		out->sigma = p->min_sigma;
	if (out->sigma < sqrt(out->median)) /* counts: Poisson noise at least */
		out->sigma = sqrt(out->median);
	out->low = out->median - p->k * out->sigma;
	if (out->low < 0)
		out->low = 0;
	out->high = out->median + p->k * out->sigma;
}

/* alerts_baseline_band - see alerts_core.h */
bool alerts_baseline_band(const alerts_series *x, guint cap, gint64 b,
			  const alerts_baseline_params *p, alerts_band *out)
{
	gint64 history = b - x->first; /* buckets before b */
	if (history < (gint64)p->min_history || p->window == 0)
		return false;
	gint64 reach = p->period ? (gint64)p->periods * p->period + p->half_width : 0;
	bool seasonal = p->period && p->periods && history >= reach && reach < (gint64)cap;
	size_t n = 0;
	double *v;
	if (seasonal) {
		v = g_new(double, (gsize)p->periods *(2 * p->half_width + 1));
		for (guint w = 1; w <= p->periods; w++)
			for (gint64 d = -(gint64)p->half_width; d <= (gint64)p->half_width; d++)
				v[n++] = alerts_series_at(x, cap, b - (gint64)w * p->period + d);
	} else {
		gint64 m = MIN((gint64)p->window, history);
		m = MIN(m, (gint64)cap - 1);
		v = g_new(double, (gsize)m);
		for (gint64 i = 1; i <= m; i++)
			v[n++] = alerts_series_at(x, cap, b - i);
	}
	bool ok = n > 0;
	if (ok) {
		baseline_finish(v, n, p, out);
		out->seasonal = seasonal;
	}
	g_free(v);
	return ok;
}
