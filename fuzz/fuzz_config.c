/* fuzz_config.c - fuzz target: bytes as a configuration file ->
 * vigie_config_load (the typed key table, sizes, bounds, validators).
 * Either a config comes back, or an error that names the file. */
#include "fuzz.h"

#include <string.h>
#include <unistd.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static char *path;
	if (!path) {
		int fd = g_file_open_tmp("vigie-fuzz-config.XXXXXX", &path, NULL);
		g_assert(fd >= 0);
		close(fd);
	}
	g_assert(g_file_set_contents(path, (const char *)data, (gssize)size, NULL));
	GError *err = NULL;
	vigie_config *c = vigie_config_load(path, &err);
	if (c) {
		g_assert_null(err);
		vigie_config_free(c);
	} else {
		g_assert_nonnull(err);
		fuzz_check_str(err->message);
		g_assert_nonnull(strstr(err->message, path));
		g_error_free(err);
	}
	return 0;
}
