/* fuzz_mime.c - fuzz target: raw bytes -> vigie_message (GMime walk, charset
 * conversion, HTML reduction, type sniffing). Every field of the result is
 * read so that a bad pointer or bad UTF-8 shows up here, not in a scan.
 */
#include "fuzz.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static bool init;
	if (!init)
		init = vigie_global_init(NULL);
	GError *err = NULL;
	vigie_message *m = vigie_message_from_mime(data, size, NULL, &err);
	if (!m) {
		g_assert(err != NULL);
		g_error_free(err);
		return 0;
	}
	fuzz_check_message(m);
	vigie_message_free(m);
	return 0;
}
