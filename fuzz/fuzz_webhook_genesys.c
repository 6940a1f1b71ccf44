/* fuzz_webhook_genesys.c - fuzz target: bytes -> the genesys adapter's payload parser */
#include "fuzz_webhook.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	return fuzz_webhook(&wh_genesys, data, size);
}
