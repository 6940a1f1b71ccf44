/* fuzz_webhook_twilio.c - fuzz target: bytes -> the twilio adapter's payload parser */
#include "fuzz_webhook.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	return fuzz_webhook(&wh_twilio, data, size);
}
