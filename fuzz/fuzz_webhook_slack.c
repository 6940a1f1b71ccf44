/* fuzz_webhook_slack.c - fuzz target: bytes -> the slack adapter's payload parser */
#include "fuzz_webhook.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	return fuzz_webhook(&wh_slack, data, size);
}
