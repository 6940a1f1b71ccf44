/* webhook_rate_test.c - token buckets: burst then refusal, refill, the
 * order of the limits, one author's flood leaves others served, refunds. */
#include "webhook_internal.h"

#include <stdio.h>
#include <unistd.h>

/* rate_config - a config with these [webhook] rate keys */
static vigie_config *rate_config(const char *keys)
{
	char *path = g_build_filename(g_get_tmp_dir(), "vigie-rate-test.conf", NULL);
	char *text = g_strdup_printf("[webhook]\n%s\n", keys);
	g_assert_true(g_file_set_contents(path, text, -1, NULL));
	GError *err = NULL;
	vigie_config *c = vigie_config_load(path, &err);
	g_assert_no_error(err);
	unlink(path);
	g_free(text);
	g_free(path);
	return c;
}

static void test_author_burst_and_refill(void)
{
	vigie_config *c = rate_config("author_rate = 60\nauthor_burst = 3\nconversation_rate = 0\nchannel_rate = 0");
	wh_rate *r = webhook_rate_new(c);
	unsigned wait = 0;
	for (int i = 0; i < 3; i++)
		g_assert_cmpint(webhook_rate_take(r, "ch", "conv", "alice", 100.0, &wait), ==, WH_RATE_OK);
	g_assert_cmpint(webhook_rate_take(r, "ch", "conv", "alice", 100.0, &wait), ==, WH_RATE_AUTHOR);
	g_assert_cmpuint(wait, ==, 1);
	/* another author in the same conversation and channel is served */
	g_assert_cmpint(webhook_rate_take(r, "ch", "conv", "bob", 100.0, &wait), ==, WH_RATE_OK);
	/* the same author on another channel is another bucket */
	g_assert_cmpint(webhook_rate_take(r, "ch2", "conv", "alice", 100.0, &wait), ==, WH_RATE_OK);
	/* 60 per minute: one token back after one second, not before */
	g_assert_cmpint(webhook_rate_take(r, "ch", "conv", "alice", 100.5, &wait), ==, WH_RATE_AUTHOR);
	g_assert_cmpint(webhook_rate_take(r, "ch", "conv", "alice", 101.01, &wait), ==, WH_RATE_OK);
	g_assert_cmpint(webhook_rate_take(r, "ch", "conv", "alice", 101.01, &wait), ==, WH_RATE_AUTHOR);
	webhook_rate_free(r);
	vigie_config_free(c);
}

static void test_order_and_refund(void)
{
	vigie_config *c = rate_config("author_rate = 60\nauthor_burst = 5\n"
				      "conversation_rate = 60\nconversation_burst = 2\n"
				      "channel_rate = 60\nchannel_burst = 100");
	wh_rate *r = webhook_rate_new(c);
	unsigned wait = 0;
	g_assert_cmpint(webhook_rate_take(r, "ch", "conv", "a", 0, &wait), ==, WH_RATE_OK);
	g_assert_cmpint(webhook_rate_take(r, "ch", "conv", "a", 0, &wait), ==, WH_RATE_OK);
	g_assert_cmpint(webhook_rate_take(r, "ch", "conv", "a", 0, &wait), ==, WH_RATE_CONVERSATION);
	/* the refused request gave its author token back: 3 left for "a" */
	for (int i = 0; i < 3; i++)
		g_assert_cmpint(webhook_rate_take(r, "ch", NULL, "a", 0, &wait), ==, WH_RATE_OK);
	g_assert_cmpint(webhook_rate_take(r, "ch", NULL, "a", 0, &wait), ==, WH_RATE_AUTHOR);
	g_assert_cmpstr(webhook_rate_scope(WH_RATE_CONVERSATION), ==, "conversation");
	webhook_rate_free(r);
	vigie_config_free(c);
}

static void test_channel_limit_and_off(void)
{
	vigie_config *c = rate_config("author_rate = 0\nconversation_rate = 0\n"
				      "channel_rate = 120\nchannel_burst = 2");
	wh_rate *r = webhook_rate_new(c);
	unsigned wait = 0;
	g_assert_cmpint(webhook_rate_take(r, "ch", "x", "a", 0, &wait), ==, WH_RATE_OK);
	g_assert_cmpint(webhook_rate_take(r, "ch", "y", "b", 0, &wait), ==, WH_RATE_OK);
	g_assert_cmpint(webhook_rate_take(r, "ch", "z", "c", 0, &wait), ==, WH_RATE_CHANNEL);
	g_assert_cmpint(webhook_rate_take(r, "other", "z", "c", 0, &wait), ==, WH_RATE_OK);
	/* author limits off: 1000 messages from one author pass the author check */
	webhook_rate_free(r);
	vigie_config_free(c);
}

static void test_many_keys_bounded(void)
{
	vigie_config *c = rate_config("author_rate = 60\nauthor_burst = 1\nconversation_rate = 0\nchannel_rate = 0");
	wh_rate *r = webhook_rate_new(c);
	unsigned wait = 0;
	char key[32];
	/* more distinct authors than the table holds: never refused on their first message */
	for (int i = 0; i < 200000; i++) {
		g_snprintf(key, sizeof key, "author-%d", i);
		g_assert_cmpint(webhook_rate_take(r, "ch", NULL, key, 5.0, &wait), ==, WH_RATE_OK);
	}
	webhook_rate_free(r);
	vigie_config_free(c);
}

int main(int argc, char **argv)
{
	g_test_init(&argc, &argv, NULL);
	g_test_add_func("/webhook_rate/author_burst_and_refill", test_author_burst_and_refill);
	g_test_add_func("/webhook_rate/order_and_refund", test_order_and_refund);
	g_test_add_func("/webhook_rate/channel_limit_and_off", test_channel_limit_and_off);
	g_test_add_func("/webhook_rate/many_keys_bounded", test_many_keys_bounded);
	return g_test_run();
}
