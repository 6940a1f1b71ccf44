/* alerts_series.c - counts per channel and series in fixed buckets, the
 * authors seen recently, and their snapshot as text.
 *
 * A series is a ring of cap 32-bit counts: bucket b lives at b % cap, so
 * adding is one index and one increment. The ring advances lazily: a count
 * for a bucket newer than the ring's last zeroes the buckets skipped. A
 * series created late (a category seen for the first time) starts with
 * zeros back to its channel's start, so that the first burst of a new
 * category is judged against the quiet before it.
 *
 * Authors are remembered as a 64-bit FNV-1a hash of channel and id with the
 * last bucket seen, at most max_authors of them; when full, those older
 * than half the ring go, and if that is not enough, all of them (logged by
 * the caller through the count it sees fall).
 *
 * Snapshot (one line each, space-separated, versioned):
 *   vigie-alerts 1 BUCKET_SECONDS CAP
 *   C CHANNEL FIRST
 *   S CHANNEL WHAT LAST ACTIVE START OVER UNDER MEDIAN SIGMA LOW HIGH PEAK N c1..cN
 *     (the N newest counts, oldest first, ending at LAST)
 *   A HASH LAST
 * SECURITY: the snapshot is our own file in the state folder; it is still
 * parsed strictly (a line that does not parse is an error, names are
 * checked to be one word) since a truncated write must not crash a start.
 */
#include "alerts_core.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char *const kind_names[ALERTS_KIND_N] = {"surge", "flood", "silence", "spread"};

const char *alerts_kind_name(alerts_kind k)
{
	return k >= 0 && k < ALERTS_KIND_N ? kind_names[k] : "none";
}

/* series_free - one series */
static void series_free(gpointer p)
{
	alerts_series *x = p;
	g_free(x->channel);
	g_free(x->what);
	g_free(x->ring);
	g_free(x);
}

/* alerts_set_new - an empty set keeping cap buckets per series */
alerts_set *alerts_set_new(guint cap, guint max_authors)
{
	alerts_set *s = g_new0(alerts_set, 1);
	s->cap = MAX(cap, 2);
	s->all = g_ptr_array_new_with_free_func(series_free);
	s->by_name = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, NULL);
	s->starts = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, NULL);
	s->authors = g_hash_table_new(g_direct_hash, g_direct_equal);
	s->max_authors = MAX(max_authors, 16);
	return s;
}

void alerts_set_free(alerts_set *s)
{
	if (!s)
		return;
	g_hash_table_destroy(s->by_name);
	g_hash_table_destroy(s->starts);
	g_hash_table_destroy(s->authors);
	g_ptr_array_unref(s->all);
	g_free(s);
}

/* alerts_set_channel - see alerts_core.h */
void alerts_set_channel(alerts_set *s, const char *channel, gint64 now)
{
	if (!g_hash_table_contains(s->starts, channel))
		g_hash_table_insert(s->starts, g_strdup(channel), GSIZE_TO_POINTER((gsize)now));
}

/* alerts_set_series - see alerts_core.h */
alerts_series *alerts_set_series(alerts_set *s, const char *channel, const char *what)
{
	char key[256];
	g_snprintf(key, sizeof key, "%s\x1f%s", channel, what);
	alerts_series *x = g_hash_table_lookup(s->by_name, key);
	if (x)
		return x;
	x = g_new0(alerts_series, 1);
	x->channel = g_strdup(channel);
	x->what = g_strdup(what);
	x->kind = ALERTS_KIND_NONE;
	x->ring = g_new0(guint32, s->cap);
	gpointer start;
	x->first = g_hash_table_lookup_extended(s->starts, channel, NULL, &start)
		       ? (gint64)GPOINTER_TO_SIZE(start)
		       : 0;
	x->last = x->first;
	g_ptr_array_add(s->all, x);
	g_hash_table_insert(s->by_name, g_strdup(key), x);
	return x;
}

/* alerts_series_add - see alerts_core.h */
void alerts_series_add(alerts_series *x, guint cap, gint64 b, guint32 n)
{
	if (b < 0)
		return;
	if (b > x->last) {
		gint64 from = MAX(x->last + 1, b - (gint64)cap + 1);
		for (gint64 i = from; i <= b; i++)
			x->ring[i % cap] = 0;
		x->last = b;
	}
	if (b <= x->last - (gint64)cap)
		return;
	guint32 *c = &x->ring[b % cap];
	*c = *c > G_MAXUINT32 - n ? G_MAXUINT32 : *c + n;
}

/* alerts_series_at - see alerts_core.h */
guint32 alerts_series_at(const alerts_series *x, guint cap, gint64 b)
{
	if (b > x->last || b <= x->last - (gint64)cap || b < x->first || b < 0)
		return 0;
	return x->ring[b % cap];
}

/* series_author_hash - FNV-1a over channel, a 0 byte, author; never 0 */
static guint64 series_author_hash(const char *channel, const char *author)
{
	guint64 h = 0xcbf29ce484222325ULL;
	for (const char *p = channel; *p; p++)
		h = (h ^ (guchar)*p) * 0x100000001b3ULL;
	h *= 0x100000001b3ULL;
	for (const char *p = author; *p; p++)
		h = (h ^ (guchar)*p) * 0x100000001b3ULL;
	return h ? h : 1;
}

/* series_old_author - remove authors last seen before the cut */
static gboolean series_old_author(gpointer k, gpointer v, gpointer cut)
{
	(void)k;
	return (gint64)GPOINTER_TO_SIZE(v) < (gint64)GPOINTER_TO_SIZE(cut);
}

/* alerts_set_author - see alerts_core.h */
bool alerts_set_author(alerts_set *s, const char *channel, const char *author, gint64 now)
{
	gpointer key = GSIZE_TO_POINTER((gsize)series_author_hash(channel, author));
	gpointer seen;
	bool known = g_hash_table_lookup_extended(s->authors, key, NULL, &seen) &&
		     (gint64)GPOINTER_TO_SIZE(seen) > now - (gint64)s->cap;
	if (!known && g_hash_table_size(s->authors) >= s->max_authors) {
		gint64 cut = now - (gint64)s->cap / 2;
		g_hash_table_foreach_remove(s->authors, series_old_author,
					    GSIZE_TO_POINTER((gsize)cut));
		if (g_hash_table_size(s->authors) >= s->max_authors)
			g_hash_table_remove_all(s->authors);
	}
	g_hash_table_insert(s->authors, key, GSIZE_TO_POINTER((gsize)now));
	return !known;
}

/* alerts_set_save - see alerts_core.h */
char *alerts_set_save(const alerts_set *s, guint bucket_seconds)
{
	GString *o = g_string_new(NULL);
	g_string_append_printf(o, "vigie-alerts 1 %u %u\n", bucket_seconds, s->cap);
	GHashTableIter it;
	gpointer k, v;
	g_hash_table_iter_init(&it, s->starts);
	while (g_hash_table_iter_next(&it, &k, &v))
		g_string_append_printf(o, "C %s %" G_GINT64_FORMAT "\n", (const char *)k,
				       (gint64)GPOINTER_TO_SIZE(v));
	for (guint i = 0; i < s->all->len; i++) {
		const alerts_series *x = g_ptr_array_index(s->all, i);
		const alerts_state *st = &x->st;
		gint64 from = MAX(x->first, x->last - (gint64)s->cap + 1);
		g_string_append_printf(o,
				       "S %s %s %" G_GINT64_FORMAT " %d %" G_GINT64_FORMAT
				       " %u %u %.6g %.6g %.6g %.6g %.6g %" G_GINT64_FORMAT,
				       x->channel, x->what, x->last, st->active, st->start,
				       st->over, st->under, st->band.median, st->band.sigma,
				       st->band.low, st->band.high, st->peak, x->last - from + 1);
		for (gint64 b = from; b <= x->last; b++)
			g_string_append_printf(o, " %u", alerts_series_at(x, s->cap, b));
		g_string_append_c(o, '\n');
	}
	g_hash_table_iter_init(&it, s->authors);
	while (g_hash_table_iter_next(&it, &k, &v))
		g_string_append_printf(o, "A %" G_GINT64_MODIFIER "x %" G_GINT64_FORMAT "\n",
				       (guint64)GPOINTER_TO_SIZE(k), (gint64)GPOINTER_TO_SIZE(v));
	return g_string_free(o, FALSE);
}

/* series_word - a name in a snapshot: printable, no spaces, not too long */
static bool series_word(const char *w)
{
	if (!*w || strlen(w) > 120)
		return false;
	for (const char *p = w; *p; p++)
		if ((guchar)*p <= ' ' || (guchar)*p == 0x7f)
			return false;
	return true;
}

/* series_int - a whole number token */
static bool series_int(const char *t, gint64 *out)
{
	char *end;
	*out = g_ascii_strtoll(t, &end, 10);
	return *t && !*end;
}

/* series_bucket - a bucket number token: buckets count from the epoch, so
 * one is never negative and, even of one second, below 2^40 (34,000
 * years); anything else in a snapshot is damage, and would overflow the
 * ring's arithmetic */
static bool series_bucket(const char *t, gint64 *out)
{
	return series_int(t, out) && *out >= 0 && *out < ((gint64)1 << 40);
}

/* series_load_line - one S line's tokens into s */
static bool series_load_line(alerts_set *s, char **t, guint n)
{
	gint64 last, active, start, over, under, count;
	if (n < 14 || !series_word(t[1]) || !series_word(t[2]) || !series_bucket(t[3], &last) ||
	    !series_int(t[4], &active) || !series_int(t[5], &start) || !series_int(t[6], &over) ||
	    !series_int(t[7], &under) || !series_int(t[13], &count) || count < 0 ||
	    count != (gint64)n - 14 || count > last + 1 || over < 0 || under < 0)
		return false;
	alerts_series *x = alerts_set_series(s, t[1], t[2]);
	x->st.active = active != 0;
	x->st.start = start;
	x->st.over = (guint)MIN(over, G_MAXUINT);
	x->st.under = (guint)MIN(under, G_MAXUINT);
	x->st.band.median = g_ascii_strtod(t[8], NULL);
	x->st.band.sigma = g_ascii_strtod(t[9], NULL);
	x->st.band.low = g_ascii_strtod(t[10], NULL);
	x->st.band.high = g_ascii_strtod(t[11], NULL);
	x->st.peak = g_ascii_strtod(t[12], NULL);
	for (gint64 i = 0; i < count; i++) {
		gint64 c;
		if (!series_int(t[14 + i], &c) || c < 0 || c > G_MAXUINT32)
			return false;
		alerts_series_add(x, s->cap, last - count + 1 + i, (guint32)c);
	}
	alerts_series_add(x, s->cap, last, 0);
	return true;
}

/* alerts_set_load - see alerts_core.h */
bool alerts_set_load(alerts_set *s, guint bucket_seconds, const char *text, GError **err)
{
	char **lines = g_strsplit(text, "\n", -1);
	bool ok = false;
	guint ln = 0;
	guint ver = 0, bs = 0, cap = 0;
	if (!lines[0] || sscanf(lines[0], "vigie-alerts %u %u %u", &ver, &bs, &cap) != 3 ||
	    ver != 1) {
		g_set_error(err, G_FILE_ERROR, G_FILE_ERROR_INVAL, "not a version 1 snapshot");
		goto out;
	}
	if (bs != bucket_seconds) {
		g_set_error(err, G_FILE_ERROR, G_FILE_ERROR_INVAL,
			    "its buckets are %u s, the configuration's %u s: not used", bs,
			    bucket_seconds);
		goto out;
	}
	for (ln = 1; lines[ln]; ln++) {
		if (!*lines[ln])
			continue;
		char **t = g_strsplit(lines[ln], " ", -1);
		guint n = g_strv_length(t);
		gint64 a, b;
		bool good = false;
		if (!strcmp(t[0], "C") && n == 3 && series_word(t[1]) && series_bucket(t[2], &a)) {
			g_hash_table_replace(s->starts, g_strdup(t[1]), GSIZE_TO_POINTER((gsize)a));
			good = true;
		} else if (!strcmp(t[0], "S")) {
			good = series_load_line(s, t, n);
		} else if (!strcmp(t[0], "A") && n == 3 && series_bucket(t[2], &b)) {
			char *end;
			guint64 h = g_ascii_strtoull(t[1], &end, 16);
			good = *t[1] && !*end && h;
			if (good && g_hash_table_size(s->authors) < s->max_authors)
				g_hash_table_insert(s->authors, GSIZE_TO_POINTER((gsize)h),
						    GSIZE_TO_POINTER((gsize)b));
		}
		g_strfreev(t);
		if (!good) {
			g_set_error(err, G_FILE_ERROR, G_FILE_ERROR_INVAL, "line %u does not parse",
				    ln + 1);
			goto out;
		}
	}
	ok = true;
out:
	g_strfreev(lines);
	return ok;
}
