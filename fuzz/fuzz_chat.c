/* fuzz_chat.c - fuzz target: bytes -> chat JSON message */
#include "fuzz.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	GError *err = NULL;
	vigie_message *m = vigie_message_from_chat_json(data, size, &err);
	if (!m) {
		g_assert(err != NULL && err->message[0] != '\0');
		g_error_free(err);
		return 0;
	}
	fuzz_check_message(m);
	vigie_message_free(m);
	return 0;
}
