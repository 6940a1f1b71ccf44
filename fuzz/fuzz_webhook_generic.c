/* fuzz_webhook_generic.c - fuzz target: bytes -> the generic adapter's payload parser */
#include "fuzz_webhook.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	return fuzz_webhook(&wh_generic, data, size);
}
