/* store_test.c - the state store on both backends: the embedded LMDB folder
 * in a temporary folder, and a real redis-server this test starts on a
 * loopback port (and stops). The same table of operations runs on each;
 * then what only one backend has: LMDB shared between processes, an
 * unwritable folder, a full map; Redis with a wrong password, stopped
 * (SIGSTOP: slow), killed and restarted mid-run. */
#include "internal.h"
#include "store_test_redis.h"
#include "test_files.h"

#include <glib/gstdio.h>
#include <signal.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

static char *tmpdir;
static test_redis redis;

/* store_for - a store from a [store] section text */
static vigie_store *store_for(const char *store_section)
{
	static int n;
	char *conf = g_strdup_printf("%s/s%d.conf", tmpdir, n++);
	char *text = g_strdup_printf("[store]\nenabled = yes\n%s", store_section);
	g_assert_true(g_file_set_contents(conf, text, -1, NULL));
	GError *err = NULL;
	vigie_config *c = vigie_config_load(conf, &err);
	g_assert_no_error(err);
	vigie_store *s = vigie_store_open(c);
	g_assert_nonnull(s);
	vigie_config_free(c);
	g_free(text);
	g_free(conf);
	return s;
}

static vigie_store *lmdb_store(const char *name)
{
	char *sec = g_strdup_printf("backend = lmdb\npath = %s/%s\n", tmpdir, name);
	vigie_store *s = store_for(sec);
	g_free(sec);
	return s;
}

static vigie_store *redis_store(const char *prefix, const char *password, int port)
{
	char *sec = g_strdup_printf("backend = redis\nredis_port = %d\nredis_password = %s\n"
				    "redis_prefix = %s\ntimeout = 100\nretry = 1\nkey_file = %s/redis.key\n",
				    port, password, prefix, tmpdir);
	vigie_store *s = store_for(sec);
	g_free(sec);
	return s;
}

/* ---- the shared table: one script of operations, expected results ---- */
typedef enum { OP_PUT, OP_GET, OP_INCR, OP_SADD, OP_SMEMBERS, OP_DEL, OP_SLEEP } op_kind;
typedef struct {
	op_kind op;
	const char *key, *value; /* value: PUT/SADD input; GET/SMEMBERS expected (NULL: missing) */
	gint64 n;                /* INCR delta; SLEEP ms */
	gint64 ttl;
	guint cap;
	gint64 expect;           /* INCR result */
} op_case;

static const op_case script[] = {
	{ OP_GET, "k1", NULL },
	{ OP_PUT, "k1", "v1", .ttl = 60 },
	{ OP_GET, "k1", "v1" },
	{ OP_PUT, "k1", "v2", .ttl = 60 },
	{ OP_GET, "k1", "v2" },
	{ OP_DEL, "k1" },
	{ OP_GET, "k1", NULL },
	{ OP_INCR, "c1", .n = 1, .ttl = 60, .expect = 1 },
	{ OP_INCR, "c1", .n = 1, .ttl = 60, .expect = 2 },
	{ OP_INCR, "c1", .n = 5, .ttl = 60, .expect = 7 },
	{ OP_INCR, "c1", .n = -2, .ttl = 60, .expect = 5 },
	{ OP_GET, "c1", "5" },
	/* a counter's window runs from creation, not from its last update */
	{ OP_INCR, "c2", .n = 1, .ttl = 2, .expect = 1 },
	{ OP_PUT, "short", "gone", .ttl = 2 },
	{ OP_SLEEP, .n = 500 },
	{ OP_INCR, "c2", .n = 1, .ttl = 2, .expect = 2 },
	{ OP_SLEEP, .n = 2600 },
	{ OP_INCR, "c2", .n = 1, .ttl = 2, .expect = 1 },
	{ OP_GET, "short", NULL },
	/* small sets: no duplicates, capped */
	{ OP_SMEMBERS, "s1", NULL },
	{ OP_SADD, "s1", "a", .ttl = 60, .cap = 3 },
	{ OP_SADD, "s1", "b", .ttl = 60, .cap = 3 },
	{ OP_SADD, "s1", "a", .ttl = 60, .cap = 3 },
	{ OP_SMEMBERS, "s1", "a,b" },
	{ OP_SADD, "s1", "c", .ttl = 60, .cap = 3 },
	{ OP_SADD, "s1", "d", .ttl = 60, .cap = 3 },
	{ OP_SMEMBERS, "s1", "a,b,c" },
	{ OP_DEL, "s1" },
	{ OP_SMEMBERS, "s1", NULL },
};

static int cmp_str(gconstpointer a, gconstpointer b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

static void run_script(vigie_store *s)
{
	for (guint i = 0; i < G_N_ELEMENTS(script); i++) {
		const op_case *t = &script[i];
		GError *err = NULL;
		char *got = NULL;
		GPtrArray *m = NULL;
		gint64 n = 0;
		VigieStoreStatus r = VIGIE_STORE_OK;
		switch (t->op) {
		case OP_PUT: r = vigie_store_put(s, t->key, t->value, t->ttl, &err); break;
		case OP_DEL: r = vigie_store_del(s, t->key, &err); break;
		case OP_SADD: r = vigie_store_sadd(s, t->key, t->value, t->ttl, t->cap, &err); break;
		case OP_SLEEP: g_usleep((gulong)t->n * 1000); continue;
		case OP_INCR:
			r = vigie_store_incr(s, t->key, t->n, t->ttl, &n, &err);
			g_assert_no_error(err);
			g_assert_cmpint(n, ==, t->expect);
			break;
		case OP_GET:
			r = vigie_store_get(s, t->key, &got, &err);
			g_assert_no_error(err);
			g_assert_cmpint(r, ==, t->value ? VIGIE_STORE_OK : VIGIE_STORE_MISSING);
			g_assert_cmpstr(got, ==, t->value);
			g_free(got);
			continue;
		case OP_SMEMBERS:
			r = vigie_store_smembers(s, t->key, &m, &err);
			g_assert_no_error(err);
			g_assert_cmpint(r, ==, t->value ? VIGIE_STORE_OK : VIGIE_STORE_MISSING);
			if (m) {
				g_ptr_array_sort(m, cmp_str);
				g_ptr_array_add(m, NULL);
				char *j = g_strjoinv(",", (char **)m->pdata);
				g_assert_cmpstr(j, ==, t->value);
				g_free(j);
				g_ptr_array_unref(m);
			}
			continue;
		}
		g_assert_no_error(err);
		g_assert_cmpint(r, ==, VIGIE_STORE_OK);
	}
}

/* the batches (one transaction, one round trip): counters added to or
 * only read, and pairs of numbers (the classifier's weights) */
typedef struct {
	gint64 deltas[3];
	gint64 expect[3];
	VigieStoreStatus status;
} count_case;

static const count_case counts[] = {
	{ { 0, 0, 0 }, { 0, 0, 0 }, VIGIE_STORE_MISSING },
	{ { 1, 0, 2 }, { 1, 0, 2 }, VIGIE_STORE_OK },
	{ { 1, 0, 0 }, { 2, 0, 2 }, VIGIE_STORE_OK },
	{ { 0, 0, 0 }, { 2, 0, 2 }, VIGIE_STORE_OK }, /* reading created nothing: b is still missing */
	{ { -2, 3, 0 }, { 0, 3, 2 }, VIGIE_STORE_OK },
};

typedef struct {
	bool add;
	double pairs[6]; /* add: what is added to p1, p2, p3; get: expected */
} pair_case;

static const pair_case pairs[] = {
	{ false, { 0, 0, 0, 0, 0, 0 } },
	{ true, { 1.5, 2.25, -1, 0, 0, 0 } },
	{ false, { 1.5, 2.25, -1, 0, 0, 0 } },
	{ true, { 0.5, 0.75, 0, 0, 1e-9, 4 } },
	{ false, { 2, 3, -1, 0, 1e-9, 4 } },
};

static void run_batches(vigie_store *s)
{
	const char *keys[] = { "ca", "cb", "cc" };
	for (guint i = 0; i < G_N_ELEMENTS(counts); i++) {
		gint64 got[3];
		GError *err = NULL;
		VigieStoreStatus r = store_count_many(s, keys, 3, counts[i].deltas, 60, got, &err);
		g_assert_no_error(err);
		g_assert_cmpint(r, ==, counts[i].status);
		for (int k = 0; k < 3; k++)
			g_assert_cmpint(got[k], ==, counts[i].expect[k]);
	}
	char *v = NULL;
	g_assert_cmpint(vigie_store_get(s, "cb", &v, NULL), ==, VIGIE_STORE_OK);
	g_assert_cmpstr(v, ==, "3");
	g_free(v);
	const char *pk[] = { "p1", "p2", "p3" };
	for (guint i = 0; i < G_N_ELEMENTS(pairs); i++) {
		GError *err = NULL;
		if (pairs[i].add) {
			g_assert_cmpint(store_pair_add_many(s, pk, 3, pairs[i].pairs, 60, &err), ==, VIGIE_STORE_OK);
			g_assert_no_error(err);
			continue;
		}
		double got[6];
		VigieStoreStatus r = store_pair_get_many(s, pk, 3, got, &err);
		g_assert_no_error(err);
		g_assert_cmpint(r, ==, i == 0 ? VIGIE_STORE_MISSING : VIGIE_STORE_OK);
		for (int k = 0; k < 6; k++)
			g_assert_cmpfloat_with_epsilon(got[k], pairs[i].pairs[k], 1e-12);
	}
}

static void test_lmdb_script(void)
{
	vigie_store *s = lmdb_store("script");
	run_script(s);
	vigie_store *b = lmdb_store("batches");
	run_batches(b);
	vigie_store_close(b);
	GError *err = NULL;
	char *st = vigie_store_stats(s, &err);
	g_assert_no_error(err);
	g_assert_nonnull(strstr(st, "backend lmdb\n"));
	/* c1, c2, and "short": expired, not yet swept (it reads as missing) */
	g_assert_nonnull(strstr(st, "keys 3\n"));
	g_free(st);
	vigie_store_close(s);
}

static void test_redis_script(void)
{
	vigie_store *b = redis_store("tb:", "pw-store-test", redis.port);
	run_batches(b);
	char *ttlb = test_redis_cli(&redis, "TTL tb:p1");
	g_assert_cmpint(atoi(ttlb), >, 0);
	g_free(ttlb);
	vigie_store_close(b);
	vigie_store *s = redis_store("t1:", "pw-store-test", redis.port);
	run_script(s);
	/* another prefix is another store on the same server */
	vigie_store *o = redis_store("t2:", "pw-store-test", redis.port);
	char *v = NULL;
	g_assert_cmpint(vigie_store_get(o, "c1", &v, NULL), ==, VIGIE_STORE_MISSING);
	GError *err = NULL;
	char *st = vigie_store_stats(s, &err);
	g_assert_no_error(err);
	g_assert_nonnull(strstr(st, "backend redis\n"));
	g_assert_nonnull(strstr(st, "keys 2\n"));
	g_free(st);
	/* every key has an expiry: none is left without one */
	char *ttl = test_redis_cli(&redis, "TTL t1:c1");
	g_assert_cmpint(atoi(ttl), >, 0);
	g_free(ttl);
	vigie_store_close(o);
	vigie_store_close(s);
}

/* keyed hashes: stable for one key file, different for another, 32 hex */
static void test_hash(void)
{
	vigie_store *a = lmdb_store("hash-a"), *a2 = lmdb_store("hash-a"), *b = lmdb_store("hash-b");
	GError *err = NULL;
	char *h1 = vigie_store_hash(a, "sender", "alice@example.com", &err);
	g_assert_no_error(err);
	char *h2 = vigie_store_hash(a2, "sender", "alice@example.com", NULL);
	char *h3 = vigie_store_hash(b, "sender", "alice@example.com", NULL);
	char *h4 = vigie_store_hash(a, "domain", "alice@example.com", NULL);
	g_assert_cmpuint(strlen(h1), ==, 32);
	g_assert_cmpstr(h1, ==, h2);
	g_assert_cmpstr(h1, !=, h3);
	g_assert_cmpstr(h1, !=, h4);
	char *kf = g_strdup_printf("%s/hash-a/hash.key", tmpdir);
	GStatBuf st;
	g_assert_cmpint(g_stat(kf, &st), ==, 0);
	g_assert_cmpint(st.st_mode & 0777, ==, 0600);
	g_assert_cmpint(st.st_size, ==, 32);
	/* a damaged key file is an error, never silently replaced */
	g_assert_true(g_file_set_contents(kf, "short", -1, NULL));
	vigie_store *c = lmdb_store("hash-a");
	g_assert_null(vigie_store_hash(c, "sender", "x", &err));
	g_assert_nonnull(err);
	g_assert_nonnull(strstr(err->message, "32 bytes"));
	g_clear_error(&err);
	vigie_store_close(c);
	g_free(kf);
	g_free(h1);
	g_free(h2);
	g_free(h3);
	g_free(h4);
	vigie_store_close(a);
	vigie_store_close(a2);
	vigie_store_close(b);
}

/* a child process writes while this one reads, in the same folder */
static void test_lmdb_processes(void)
{
	char *dir = g_strdup_printf("%s/shared", tmpdir);
	pid_t pid = fork();
	g_assert_cmpint(pid, >=, 0);
	if (pid == 0) {
		char *sec = g_strdup_printf("path = %s\n", dir);
		vigie_store *s = store_for(sec);
		for (int i = 0; i < 200; i++)
			if (vigie_store_incr(s, "from-child", 1, 60, NULL, NULL) != VIGIE_STORE_OK)
				_exit(1);
		vigie_store_close(s);
		_exit(0);
	}
	char *sec = g_strdup_printf("path = %s\n", dir);
	vigie_store *s = store_for(sec);
	for (int i = 0; i < 200; i++)
		g_assert_cmpint(vigie_store_incr(s, "from-child", 1, 60, NULL, NULL), ==, VIGIE_STORE_OK);
	int status;
	g_assert_cmpint(waitpid(pid, &status, 0), ==, pid);
	g_assert_true(WIFEXITED(status) && WEXITSTATUS(status) == 0);
	char *v = NULL;
	g_assert_cmpint(vigie_store_get(s, "from-child", &v, NULL), ==, VIGIE_STORE_OK);
	g_assert_cmpstr(v, ==, "400");
	g_free(v);
	vigie_store_close(s);
	g_free(sec);
	g_free(dir);
}

/* a folder that cannot be made: DOWN with the cause, then refused at once */
static void test_lmdb_unwritable(void)
{
	char *file = g_strdup_printf("%s/a-file", tmpdir);
	g_assert_true(g_file_set_contents(file, "x", -1, NULL));
	char *sec = g_strdup_printf("path = %s/store\nretry = 60\n", file);
	vigie_store *s = store_for(sec);
	GError *err = NULL;
	g_assert_cmpint(vigie_store_incr(s, "k", 1, 60, NULL, &err), ==, VIGIE_STORE_DOWN);
	g_assert_nonnull(strstr(err->message, "store folder"));
	g_assert_nonnull(strstr(err->message, "a-file/store"));
	g_clear_error(&err);
	gint64 t0 = g_get_monotonic_time();
	char *v = NULL;
	g_assert_cmpint(vigie_store_get(s, "k", &v, &err), ==, VIGIE_STORE_DOWN);
	g_assert_cmpint(g_get_monotonic_time() - t0, <, 10000);
	g_assert_nonnull(strstr(err->message, "unavailable"));
	g_clear_error(&err);
	g_assert_cmpuint(vigie_store_failures(s), ==, 2);
	vigie_store_close(s);
	g_free(sec);
	g_free(file);
}

/* a full map: "store full"; once its records expire, room again */
static void test_lmdb_full(void)
{
	char *sec = g_strdup_printf("path = %s/full\nmax_size = 1M\nretry = 0\n", tmpdir);
	vigie_store *s = store_for(sec);
	char *big = g_strnfill(1500, 'x');
	GError *err = NULL;
	int i;
	for (i = 0; i < 5000; i++) {
		char key[32];
		snprintf(key, sizeof key, "big%d", i);
		if (vigie_store_put(s, key, big, 1, &err) != VIGIE_STORE_OK)
			break;
	}
	g_assert_cmpint(i, <, 5000);
	g_assert_nonnull(err);
	g_assert_nonnull(strstr(err->message, "store full"));
	g_clear_error(&err);
	g_usleep(2100 * 1000);
	g_assert_cmpint(vigie_store_put(s, "after", big, 60, &err), ==, VIGIE_STORE_OK);
	g_assert_no_error(err);
	g_free(big);
	vigie_store_close(s);
	g_free(sec);
}

static void test_redis_password(void)
{
	vigie_store *s = redis_store("t3:", "wrong", redis.port);
	GError *err = NULL;
	g_assert_cmpint(vigie_store_put(s, "k", "v", 60, &err), ==, VIGIE_STORE_DOWN);
	g_assert_nonnull(strstr(err->message, "AUTH"));
	g_clear_error(&err);
	vigie_store_close(s);
}

/* a server that stops answering (SIGSTOP), then dies and comes back: no
 * operation waits past the timeout, and memory returns by itself */
static void test_redis_fault(void)
{
	test_redis r2;
	test_redis_start(&r2, tmpdir, "pw2");
	vigie_store *s = redis_store("f:", "pw2", r2.port);
	g_assert_cmpint(vigie_store_incr(s, "n", 1, 60, NULL, NULL), ==, VIGIE_STORE_OK);

	kill(r2.pid, SIGSTOP);
	gint64 t0 = g_get_monotonic_time();
	GError *err = NULL;
	g_assert_cmpint(vigie_store_incr(s, "n", 1, 60, NULL, &err), ==, VIGIE_STORE_DOWN);
	gint64 waited = g_get_monotonic_time() - t0;
	g_assert_cmpint(waited, <, 400 * 1000); /* timeout = 100 ms */
	g_assert_nonnull(strstr(err->message, "redis"));
	g_clear_error(&err);
	/* meanwhile refused at once, without touching the network */
	t0 = g_get_monotonic_time();
	g_assert_cmpint(vigie_store_incr(s, "n", 1, 60, NULL, NULL), ==, VIGIE_STORE_DOWN);
	g_assert_cmpint(g_get_monotonic_time() - t0, <, 10000);
	kill(r2.pid, SIGCONT);
	g_usleep(1100 * 1000);
	gint64 n = 0;
	g_assert_cmpint(vigie_store_incr(s, "n", 1, 60, &n, &err), ==, VIGIE_STORE_OK);
	g_assert_no_error(err);
	g_assert_cmpint(n, >=, 2);

	/* killed: down; restarted on the same port: back after retry */
	test_redis_kill(&r2);
	g_assert_cmpint(vigie_store_incr(s, "n", 1, 60, NULL, &err), ==, VIGIE_STORE_DOWN);
	g_clear_error(&err);
	test_redis_restart(&r2);
	g_usleep(1100 * 1000);
	g_assert_cmpint(vigie_store_incr(s, "n", 1, 60, &n, &err), ==, VIGIE_STORE_OK);
	g_assert_no_error(err);
	g_assert_cmpint(n, ==, 1); /* a server without persistence starts empty */
	g_assert_cmpuint(vigie_store_failures(s), >=, 3);
	vigie_store_close(s);
	test_redis_stop(&r2);
}

int main(int argc, char **argv)
{
	g_test_init(&argc, &argv, NULL);
	tmpdir = g_dir_make_tmp("vigie-store-test.XXXXXX", NULL);
	test_redis_start(&redis, tmpdir, "pw-store-test");
	g_test_add_func("/store/lmdb/script", test_lmdb_script);
	g_test_add_func("/store/lmdb/processes", test_lmdb_processes);
	g_test_add_func("/store/lmdb/unwritable", test_lmdb_unwritable);
	g_test_add_func("/store/lmdb/full", test_lmdb_full);
	g_test_add_func("/store/hash", test_hash);
	g_test_add_func("/store/redis/script", test_redis_script);
	g_test_add_func("/store/redis/password", test_redis_password);
	g_test_add_func("/store/redis/fault", test_redis_fault);
	int rc = g_test_run();
	test_redis_stop(&redis);
	test_rm_tree(tmpdir);
	g_free(tmpdir);
	return rc;
}
