/* webhook_rate_test.c - token buckets: burst then refusal, refill, the
 * order of the limits, one author's flood leaves others served, refunds;
 * two nodes sharing a real (LMDB) store limit as one, and a store that is
 * down leaves each node its own limits. */
#include "webhook_internal.h"

#include <gio/gio.h>
#include <stdio.h>
#include <stdlib.h>
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
		g_assert_cmpint(webhook_rate_take(r, NULL, "ch", "conv", "alice", 100.0, &wait), ==, WH_RATE_OK);
	g_assert_cmpint(webhook_rate_take(r, NULL, "ch", "conv", "alice", 100.0, &wait), ==, WH_RATE_AUTHOR);
	g_assert_cmpuint(wait, ==, 1);
	/* another author in the same conversation and channel is served */
	g_assert_cmpint(webhook_rate_take(r, NULL, "ch", "conv", "bob", 100.0, &wait), ==, WH_RATE_OK);
	/* the same author on another channel is another bucket */
	g_assert_cmpint(webhook_rate_take(r, NULL, "ch2", "conv", "alice", 100.0, &wait), ==, WH_RATE_OK);
	/* 60 per minute: one token back after one second, not before */
	g_assert_cmpint(webhook_rate_take(r, NULL, "ch", "conv", "alice", 100.5, &wait), ==, WH_RATE_AUTHOR);
	g_assert_cmpint(webhook_rate_take(r, NULL, "ch", "conv", "alice", 101.01, &wait), ==, WH_RATE_OK);
	g_assert_cmpint(webhook_rate_take(r, NULL, "ch", "conv", "alice", 101.01, &wait), ==, WH_RATE_AUTHOR);
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
	g_assert_cmpint(webhook_rate_take(r, NULL, "ch", "conv", "a", 0, &wait), ==, WH_RATE_OK);
	g_assert_cmpint(webhook_rate_take(r, NULL, "ch", "conv", "a", 0, &wait), ==, WH_RATE_OK);
	g_assert_cmpint(webhook_rate_take(r, NULL, "ch", "conv", "a", 0, &wait), ==, WH_RATE_CONVERSATION);
	/* the refused request gave its author token back: 3 left for "a" */
	for (int i = 0; i < 3; i++)
		g_assert_cmpint(webhook_rate_take(r, NULL, "ch", NULL, "a", 0, &wait), ==, WH_RATE_OK);
	g_assert_cmpint(webhook_rate_take(r, NULL, "ch", NULL, "a", 0, &wait), ==, WH_RATE_AUTHOR);
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
	g_assert_cmpint(webhook_rate_take(r, NULL, "ch", "x", "a", 0, &wait), ==, WH_RATE_OK);
	g_assert_cmpint(webhook_rate_take(r, NULL, "ch", "y", "b", 0, &wait), ==, WH_RATE_OK);
	g_assert_cmpint(webhook_rate_take(r, NULL, "ch", "z", "c", 0, &wait), ==, WH_RATE_CHANNEL);
	g_assert_cmpint(webhook_rate_take(r, NULL, "other", "z", "c", 0, &wait), ==, WH_RATE_OK);
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
		g_assert_cmpint(webhook_rate_take(r, NULL, "ch", NULL, key, 5.0, &wait), ==, WH_RATE_OK);
	}
	webhook_rate_free(r);
	vigie_config_free(c);
}

/* shared_accepted - messages of one author accepted by nodes a and b, in
 * turn, out of 20, within one wall-clock minute (-1: the minute turned) */
static int shared_accepted(wh_rate *a, wh_rate *b, vigie_store *st, const char *author)
{
	gint64 minute = g_get_real_time() / G_USEC_PER_SEC / 60;
	int n = 0;
	unsigned wait = 0;
	for (int i = 0; i < 20; i++)
		if (webhook_rate_take(i % 2 ? b : a, st, "ch", NULL, author, 7.0, &wait) == WH_RATE_OK)
			n++;
	return g_get_real_time() / G_USEC_PER_SEC / 60 == minute ? n : -1;
}

static void test_shared_store(void)
{
	char *dir = g_dir_make_tmp("vigie-rate-store.XXXXXX", NULL);
	int port = 0;
	{ /* a loopback port nothing listens on: the store that is down */
		GSocket *sk = g_socket_new(G_SOCKET_FAMILY_IPV4, G_SOCKET_TYPE_STREAM, 0, NULL);
		GInetAddress *lo = g_inet_address_new_loopback(G_SOCKET_FAMILY_IPV4);
		GSocketAddress *sa = g_inet_socket_address_new(lo, 0);
		g_assert_true(g_socket_bind(sk, sa, TRUE, NULL));
		GSocketAddress *got = g_socket_get_local_address(sk, NULL);
		port = g_inet_socket_address_get_port(G_INET_SOCKET_ADDRESS(got));
		g_object_unref(got);
		g_object_unref(sa);
		g_object_unref(lo);
		g_object_unref(sk);
	}
	static const struct {
		bool redis, shared;
		const char *name;
		int expect; /* accepted of 20 over both nodes */
	} cases[] = {
		/* each node's bucket lets 5 through; shared: 1 + 5 a minute */
		{ false, true, "shared lmdb: one limit", 6 },
		{ false, false, "not shared", 10 },
		{ true, true, "store down: own limits", 10 },
	};
	for (size_t i = 0; i < G_N_ELEMENTS(cases); i++) {
		char *store = cases[i].redis
				      ? g_strdup_printf("backend = redis\nredis_port = %d\ntimeout = 100\n", port)
				      : g_strdup_printf("backend = lmdb\npath = %s/lmdb%zu\n", dir, i);
		char *keys = g_strdup_printf("author_rate = 1\nauthor_burst = 5\nconversation_rate = 0\n"
					     "channel_rate = 0\nshared_limits = %s\n[store]\nenabled = yes\n"
					     "key_file = %s/k\n%s",
					     cases[i].shared ? "yes" : "no", dir, store);
		vigie_config *c = rate_config(keys);
		vigie_store *st = vigie_store_open(c);
		g_assert_nonnull(st);
		int got = -1;
		for (int attempt = 0; got < 0 && attempt < 3; attempt++) {
			char author[32];
			g_snprintf(author, sizeof author, "alice-%d", attempt);
			wh_rate *a = webhook_rate_new(c), *b = webhook_rate_new(c);
			got = shared_accepted(a, b, st, author);
			webhook_rate_free(a);
			webhook_rate_free(b);
		}
		g_test_message("%s: %d accepted", cases[i].name, got);
		g_assert_cmpint(got, ==, cases[i].expect);
		vigie_store_close(st);
		vigie_config_free(c);
		g_free(keys);
		g_free(store);
	}
	char *rm = g_strdup_printf("rm -rf '%s'", dir);
	g_assert_cmpint(system(rm), ==, 0);
	g_free(rm);
	g_free(dir);
}

int main(int argc, char **argv)
{
	g_test_init(&argc, &argv, NULL);
	g_test_add_func("/webhook_rate/author_burst_and_refill", test_author_burst_and_refill);
	g_test_add_func("/webhook_rate/order_and_refund", test_order_and_refund);
	g_test_add_func("/webhook_rate/channel_limit_and_off", test_channel_limit_and_off);
	g_test_add_func("/webhook_rate/many_keys_bounded", test_many_keys_bounded);
	g_test_add_func("/webhook_rate/shared_store", test_shared_store);
	return g_test_run();
}
