/* fuzz_webhook.h - shared by the webhook payload fuzz targets: one adapter's
 * verify and parse on arbitrary bytes (the body), with a fixed channel and
 * headers; every message produced must satisfy the model's invariants. */
#ifndef VIGIE_FUZZ_WEBHOOK_H
#define VIGIE_FUZZ_WEBHOOK_H

#include "fuzz.h"
#include "webhook_internal.h"

#include <string.h>

static inline int fuzz_webhook(const wh_adapter *a, const uint8_t *data, size_t size)
{
	char *body = g_malloc(size + 1);
	if (size)
		memcpy(body, data, size);
	body[size] = '\0';
	wh_channel ch = { .name = "fuzz", .adapter = a, .secret = "s", .public_url = "https://x/",
			  .verify_token = "t", .downstream_url = "", .downstream_secret = "" };
	ch.secret_bytes = g_bytes_new_static("s", 1);
	GHashTable *h = g_hash_table_new(g_str_hash, g_str_equal);
	g_hash_table_insert(h, "x-twilio-signature", "AAAA");
	g_hash_table_insert(h, "x-hub-signature-256", "sha256=00");
	wh_request r = { .method = "POST", .path = "/hooks/fuzz", .headers = h, .body = body,
			 .body_len = size, .now = 1700000000, .request_id = "fuzz",
			 .replay_window = 300 };
	const char *why = NULL;
	g_assert(!a->verify(&ch, &r, &why) && why != NULL);
	GPtrArray *items = g_ptr_array_new_with_free_func(wh_item_free);
	wh_reply rep = { 0 };
	GError *err = NULL;
	wh_parse_result res = a->parse(&ch, &r, items, &rep, &err);
	if (res == WH_PARSE_ERROR) {
		g_assert(err != NULL && err->message[0] != '\0');
		g_assert(g_utf8_validate(err->message, -1, NULL));
	} else if (res == WH_PARSE_REPLY) {
		g_assert(rep.status >= 200 && rep.status < 600);
	}
	for (guint i = 0; i < items->len; i++) {
		const wh_item *it = g_ptr_array_index(items, i);
		fuzz_check_message(it->m);
		if (it->id)
			fuzz_check_str(it->id);
	}
	g_clear_error(&err);
	g_free(rep.body);
	g_free(rep.retry_after);
	g_ptr_array_unref(items);
	g_hash_table_unref(h);
	g_bytes_unref(ch.secret_bytes);
	g_free(body);
	return 0;
}

#endif
