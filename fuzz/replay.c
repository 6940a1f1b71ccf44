/* replay.c - without a fuzzing engine, run a fuzz target over every file of
 * its corpus folder(s) given as arguments, so CI keeps the targets alive.
 * Prints TAP: one line per input.
 */
#include "fuzz.h"

#include <stdio.h>
#include <string.h>

static unsigned replay_n;

static gint replay_cmp(gconstpointer a, gconstpointer b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

static void replay_path(const char *path)
{
	if (g_file_test(path, G_FILE_TEST_IS_DIR)) {
		GDir *d = g_dir_open(path, 0, NULL);
		if (!d)
			return;
		GPtrArray *names = g_ptr_array_new_with_free_func(g_free);
		const char *n;
		while ((n = g_dir_read_name(d)))
			g_ptr_array_add(names, g_build_filename(path, n, NULL));
		g_dir_close(d);
		g_ptr_array_sort(names, replay_cmp);
		for (guint i = 0; i < names->len; i++)
			replay_path(g_ptr_array_index(names, i));
		g_ptr_array_unref(names);
		return;
	}
	char *data;
	gsize len;
	if (!g_file_get_contents(path, &data, &len, NULL)) {
		printf("not ok %u - %s unreadable\n", ++replay_n, path);
		return;
	}
	LLVMFuzzerTestOneInput((const uint8_t *)data, len);
	g_free(data);
	printf("ok %u - %s\n", ++replay_n, path);
}

int main(int argc, char **argv)
{
	for (int i = 1; i < argc; i++)
		replay_path(argv[i]);
	printf("1..%u\n", replay_n);
	return replay_n ? 0 : 1;
}
