/* fuzz_alerts_snapshot.c - fuzz target: bytes as the traffic watch's
 * snapshot (state_dir/series.snapshot, read by alerts_set_load when vigied
 * starts). The file is ours, but a disk error, a crash mid-write or an
 * older version can leave anything in it: the load either fails with an
 * error, or gives a set whose own snapshot loads again to the same set
 * (saving it twice gives the same lines, in any order). */
#include "fuzz.h"
#include "alerts_core.h"

#include <stdlib.h>
#include <string.h>

#define FUZZ_BUCKET 60
#define FUZZ_CAP 64

static int fuzz_strcmp(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* fuzz_reload - a snapshot we wrote, loaded into a new set and saved */
static char *fuzz_reload(const char *snapshot)
{
	alerts_set *s = alerts_set_new(FUZZ_CAP, 32);
	GError *err = NULL;
	if (!alerts_set_load(s, FUZZ_BUCKET, snapshot, &err))
		g_error("our own snapshot does not load: %s\n%s", err->message, snapshot);
	char *out = alerts_set_save(s, FUZZ_BUCKET);
	alerts_set_free(s);
	return out;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *text = g_strndup((const char *)data, size);
	alerts_set *s = alerts_set_new(FUZZ_CAP, 32);
	GError *err = NULL;
	if (alerts_set_load(s, FUZZ_BUCKET, text, &err)) {
		g_assert_null(err);
		/* what we write loads again; from the second save on (channels
		 * then declared before their series, as vigied writes them)
		 * saving is a fixed point */
		char *once = alerts_set_save(s, FUZZ_BUCKET);
		char *twice = fuzz_reload(once);
		char *thrice = fuzz_reload(twice);
		char **a = g_strsplit(twice, "\n", -1), **b = g_strsplit(thrice, "\n", -1);
		qsort(a, g_strv_length(a), sizeof *a, fuzz_strcmp);
		qsort(b, g_strv_length(b), sizeof *b, fuzz_strcmp);
		g_assert_true(g_strv_equal((const char *const *)a, (const char *const *)b));
		g_strfreev(a);
		g_strfreev(b);
		g_free(once);
		g_free(twice);
		g_free(thrice);
	} else {
		g_assert_nonnull(err);
		g_assert_nonnull(err->message);
		g_error_free(err);
	}
	alerts_set_free(s);
	g_free(text);
	return 0;
}
