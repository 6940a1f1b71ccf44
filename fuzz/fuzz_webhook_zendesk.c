/* fuzz_webhook_zendesk.c - fuzz target: bytes -> the zendesk adapter's payload parser */
#include "fuzz_webhook.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	return fuzz_webhook(&wh_zendesk, data, size);
}
