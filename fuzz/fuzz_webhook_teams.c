/* fuzz_webhook_teams.c - fuzz target: bytes -> the teams adapter's payload parser */
#include "fuzz_webhook.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	return fuzz_webhook(&wh_teams, data, size);
}
