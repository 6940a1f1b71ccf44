/* fuzz_webhook_meta.c - fuzz target: bytes -> the meta adapter's payload parser */
#include "fuzz_webhook.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	return fuzz_webhook(&wh_meta, data, size);
}
