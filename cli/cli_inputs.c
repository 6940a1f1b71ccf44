/* cli_inputs.c - the folder walk and bounded file read shared by "vigie
 * scan" and "vigie eval".
 *
 * SECURITY: inputs may be attacker-supplied mail; sizes are checked before
 * reading, and symbolic links inside a folder are skipped so a walk never
 * leaves the tree it was given.
 */
#include "cli_inputs.h"

#include <json-glib/json-glib.h>
#include "vigie.h"

#include <errno.h>
#include <glib/gstdio.h>
#include <stdio.h>
#include <string.h>

static gint cli_inputs_cmp(gconstpointer a, gconstpointer b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

void cli_walk_dir(const char *dir, cli_file_fn on_file, cli_error_fn on_error, void *ud)
{
	GError *err = NULL;
	GDir *d = g_dir_open(dir, 0, &err);
	if (!d) {
		on_error(dir, err->message, ud);
		g_error_free(err);
		return;
	}
	GPtrArray *names = g_ptr_array_new_with_free_func(g_free);
	const char *n;
	while ((n = g_dir_read_name(d)))
		g_ptr_array_add(names, g_build_filename(dir, n, NULL));
	g_dir_close(d);
	g_ptr_array_sort(names, cli_inputs_cmp);
	for (guint i = 0; i < names->len; i++) {
		const char *p = g_ptr_array_index(names, i);
		if (g_file_test(p, G_FILE_TEST_IS_SYMLINK))
			continue;
		if (g_file_test(p, G_FILE_TEST_IS_DIR))
			cli_walk_dir(p, on_file, on_error, ud);
		else if (g_file_test(p, G_FILE_TEST_IS_REGULAR))
			on_file(p, ud);
	}
	g_ptr_array_unref(names);
}

char *cli_read_input(const char *path, long long max, gsize *len, GError **err)
{
	GStatBuf st;
	if (g_lstat(path, &st) != 0) {
		g_set_error(err, VIGIE_ERROR, VIGIE_ERROR_IO, "%s", g_strerror(errno));
		return NULL;
	}
	if ((long long)st.st_size > max) {
		g_set_error(err, VIGIE_ERROR, VIGIE_ERROR_INPUT,
			    "larger than [core] max_message_size (%lld > %lld bytes)",
			    (long long)st.st_size, max);
		return NULL;
	}
	char *data = NULL;
	return g_file_get_contents(path, &data, len, err) ? data : NULL;
}

/* cli_json_text - see cli_inputs.h */
char *cli_json_text(JsonBuilder *b)
{
	JsonGenerator *g = json_generator_new();
	JsonNode *root = json_builder_get_root(b);
	json_generator_set_root(g, root);
	char *text = json_generator_to_data(g, NULL);
	json_node_unref(root);
	g_object_unref(g);
	g_object_unref(b);
	return text;
}

/* cli_engine_load - see cli_inputs.h */
vigie_engine *cli_engine_load(const char *config, long long *max_size)
{
	GError *err = NULL;
	vigie_engine *e = vigie_engine_load(config, &err);
	if (!e) {
		fprintf(stderr, "vigie: %s\n", err->message);
		g_error_free(err);
		return NULL;
	}
	*max_size = vigie_config_get_int(vigie_engine_config(e), "core", "max_message_size");
	/* a scan from the command line shows a verdict: it is not a contact
	 * (sender history counts none); decisions still record */
	vigie_engine_read_only_scans(e);
	return e;
}
