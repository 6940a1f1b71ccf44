/* store.c - the state store: [store] read once, one backend, failures as values
 *
 * Interface: vigie.h ("state store"). The backend (store_lmdb.c or
 * store_redis.c) is opened on first use, not at engine build: a daemon
 * builds its engine before it changes user, and its store files must belong
 * to the user it runs as. A backend that fails is not tried again for
 * [store] retry seconds: meanwhile every operation answers
 * VIGIE_STORE_DOWN at once with the last cause, so an outage costs each scan
 * nothing and blocks none past [store] timeout. The first failure of an
 * outage and the recovery are logged (not every refused operation).
 *
 * SECURITY: keys are made by callers from vigie_store_hash(): a keyed hash
 * (the key file, 0600, beside the store or where [store] key_file says)
 * of what is remembered, so someone who reads the store, or the Redis
 * traffic, learns counts and hashes, not addresses, domains or text.
 */
#include "store.h"

#include "vlog.h"

#include <stdio.h>
#include <string.h>

typedef enum { STORE_BACKEND_LMDB, STORE_BACKEND_REDIS } store_backend;

struct vigie_store {
	store_backend backend;
	store_settings st;
	char *key_file;
	GMutex lock;        /* guards everything below */
	bool key_ok;
	guint8 key[32];
	store_lmdb *lmdb;   /* opened on first use */
	store_redis *redis; /* made on first use; reconnects by itself */
	gint64 down_until;  /* monotonic µs: no attempt before */
	char *cause;        /* of the current outage, or NULL when up */
	gint failures;      /* atomic */
	gint refs;          /* the engine's, and each verdict that may be quarantined */
};

/* vigie_store_open - see vigie.h */
vigie_store *vigie_store_open(const vigie_config *c)
{
	if (!vigie_config_get_bool(c, "store", "enabled"))
		return NULL;
	vigie_store *s = g_new0(vigie_store, 1);
	s->refs = 1;
	g_mutex_init(&s->lock);
	s->backend = !strcmp(vigie_config_get(c, "store", "backend"), "redis") ? STORE_BACKEND_REDIS
									      : STORE_BACKEND_LMDB;
	s->st.path = g_strdup(vigie_config_get(c, "store", "path"));
	s->st.max_size = vigie_config_get_int(c, "store", "max_size");
	s->st.host = g_strdup(vigie_config_get(c, "store", "redis_host"));
	s->st.port = (int)vigie_config_get_int(c, "store", "redis_port");
	s->st.password = g_strdup(vigie_config_get(c, "store", "redis_password"));
	s->st.prefix = g_strdup(vigie_config_get(c, "store", "redis_prefix"));
	s->st.timeout_ms = (int)vigie_config_get_int(c, "store", "timeout");
	s->st.retry_s = (int)vigie_config_get_int(c, "store", "retry");
	s->st.pool = (int)vigie_config_get_int(c, "store", "redis_pool");
	const char *kf = vigie_config_get(c, "store", "key_file");
	s->key_file = *kf ? g_strdup(kf) : g_build_filename(s->st.path, "hash.key", NULL);
	return s;
}

/* store_ref - one more reference (internal.h); returns s */
vigie_store *store_ref(vigie_store *s)
{
	if (s)
		g_atomic_int_inc(&s->refs);
	return s;
}

/* vigie_store_close - drop a reference; the last frees; NULL is a no-op */
void vigie_store_close(vigie_store *s)
{
	if (!s || !g_atomic_int_dec_and_test(&s->refs))
		return;
	store_lmdb_close(s->lmdb);
	store_redis_free(s->redis);
	g_mutex_clear(&s->lock);
	g_free(s->st.path);
	g_free(s->st.host);
	g_free(s->st.password);
	g_free(s->st.prefix);
	g_free(s->key_file);
	g_free(s->cause);
	memset(s->key, 0, sizeof s->key);
	g_free(s);
}

const char *vigie_store_backend(const vigie_store *s)
{
	return s->backend == STORE_BACKEND_REDIS ? "redis" : "lmdb";
}

guint64 vigie_store_failures(const vigie_store *s)
{
	return (guint64)(guint)g_atomic_int_get(&s->failures);
}

/* store_down - note a failure (locked): count it, log the first of an outage */
static void store_down(vigie_store *s, const char *why)
{
	g_atomic_int_inc(&s->failures);
	if (!s->cause)
		vlog(LOG_WARNING, NULL, "store (%s): unavailable, scans go on without memory: %s",
		     vigie_store_backend(s), why);
	g_free(s->cause);
	s->cause = g_strdup(why);
	s->down_until = g_get_monotonic_time() + (gint64)s->st.retry_s * G_USEC_PER_SEC;
}

/* store_up - note a success (locked) */
static void store_up(vigie_store *s)
{
	if (s->cause) {
		vlog(LOG_NOTICE, NULL, "store (%s): available again", vigie_store_backend(s));
		g_clear_pointer(&s->cause, g_free);
	}
}

/* store_refused - true (err set) while an outage's retry delay runs (locked) */
static bool store_refused(vigie_store *s, GError **err)
{
	if (!s->cause || g_get_monotonic_time() >= s->down_until)
		return false;
	g_atomic_int_inc(&s->failures);
	g_set_error(err, VIGIE_ERROR, VIGIE_ERROR_IO, "store (%s) unavailable: %s", vigie_store_backend(s),
		    s->cause);
	return true;
}

/* store_fail - the error of a failed operation, and the outage it starts */
static VigieStoreStatus store_fail(vigie_store *s, GError *e, GError **err)
{
	g_mutex_lock(&s->lock);
	store_down(s, e->message);
	g_mutex_unlock(&s->lock);
	g_set_error(err, VIGIE_ERROR, VIGIE_ERROR_IO, "store (%s) unavailable: %s", vigie_store_backend(s),
		    e->message);
	g_error_free(e);
	return VIGIE_STORE_DOWN;
}

/* store_run - one operation on the backend, opened if need be */
static VigieStoreStatus store_run(vigie_store *s, store_op *op, GError **err)
{
	GError *e = NULL;
	g_mutex_lock(&s->lock);
	if (store_refused(s, err)) {
		g_mutex_unlock(&s->lock);
		return VIGIE_STORE_DOWN;
	}
	if (s->backend == STORE_BACKEND_LMDB) {
		if (!s->lmdb)
			s->lmdb = store_lmdb_open(&s->st, &e);
		store_lmdb *l = s->lmdb;
		g_mutex_unlock(&s->lock);
		/* LMDB serialises writers itself and lets readers run beside them */
		if (!l || !store_lmdb_run(l, op, &e))
			return store_fail(s, e, err);
	} else {
		if (!s->redis)
			s->redis = store_redis_new(&s->st);
		store_redis *r = s->redis;
		g_mutex_unlock(&s->lock);
		/* the pool has its own locks: scans do not queue behind one another */
		if (!store_redis_run(r, op, &e))
			return store_fail(s, e, err);
	}
	if (G_UNLIKELY(s->cause)) {
		g_mutex_lock(&s->lock);
		store_up(s);
		g_mutex_unlock(&s->lock);
	}
	return op->found ? VIGIE_STORE_OK : VIGIE_STORE_MISSING;
}

/* vigie_store_hash - see vigie.h */
char *vigie_store_hash(vigie_store *s, const char *kind, const char *value, GError **err)
{
	g_mutex_lock(&s->lock);
	if (!s->key_ok)
		s->key_ok = store_key_load(s->key_file, s->key, err);
	bool ok = s->key_ok;
	g_mutex_unlock(&s->lock);
	if (!ok)
		return NULL;
	GHmac *h = g_hmac_new(G_CHECKSUM_SHA256, s->key, sizeof s->key);
	g_hmac_update(h, (const guchar *)kind, -1);
	g_hmac_update(h, (const guchar *)":", 1);
	g_hmac_update(h, (const guchar *)value, -1);
	guint8 d[32];
	gsize n = sizeof d;
	g_hmac_get_digest(h, d, &n);
	g_hmac_unref(h);
	char *hex = g_malloc(33);
	for (int i = 0; i < 16; i++)
		snprintf(hex + 2 * i, 3, "%02x", d[i]);
	return hex;
}

VigieStoreStatus vigie_store_put(vigie_store *s, const char *key, const char *value, gint64 ttl,
				 GError **err)
{
	g_assert(ttl > 0);
	store_op op = { .kind = STORE_PUT, .key = key, .value = value, .ttl = ttl };
	VigieStoreStatus r = store_run(s, &op, err);
	return r == VIGIE_STORE_DOWN ? r : VIGIE_STORE_OK;
}

VigieStoreStatus vigie_store_get(vigie_store *s, const char *key, char **value, GError **err)
{
	store_op op = { .kind = STORE_GET, .key = key };
	VigieStoreStatus r = store_run(s, &op, err);
	if (r == VIGIE_STORE_OK)
		*value = op.out;
	else
		g_free(op.out);
	return r;
}

VigieStoreStatus vigie_store_incr(vigie_store *s, const char *key, gint64 delta, gint64 ttl,
				  gint64 *value, GError **err)
{
	g_assert(ttl > 0);
	store_op op = { .kind = STORE_INCR, .key = key, .delta = delta, .ttl = ttl };
	VigieStoreStatus r = store_run(s, &op, err);
	if (r == VIGIE_STORE_DOWN)
		return r;
	if (value)
		*value = op.number;
	return VIGIE_STORE_OK;
}

VigieStoreStatus vigie_store_sadd(vigie_store *s, const char *key, const char *member, gint64 ttl,
				  guint cap, GError **err)
{
	g_assert(ttl > 0 && cap > 0);
	store_op op = { .kind = STORE_SADD, .key = key, .value = member, .ttl = ttl, .cap = cap };
	VigieStoreStatus r = store_run(s, &op, err);
	return r == VIGIE_STORE_DOWN ? r : VIGIE_STORE_OK;
}

VigieStoreStatus vigie_store_smembers(vigie_store *s, const char *key, GPtrArray **members,
				      GError **err)
{
	store_op op = { .kind = STORE_SMEMBERS, .key = key };
	VigieStoreStatus r = store_run(s, &op, err);
	if (r == VIGIE_STORE_OK && op.members && op.members->len) {
		*members = op.members;
		return r;
	}
	if (op.members)
		g_ptr_array_unref(op.members);
	return r == VIGIE_STORE_DOWN ? r : VIGIE_STORE_MISSING;
}

/* store_smembers_many - see internal.h */
VigieStoreStatus store_smembers_many(vigie_store *s, const char *const *keys, guint n, GPtrArray **out,
				     GError **err)
{
	memset(out, 0, n * sizeof *out);
	if (!n)
		return VIGIE_STORE_MISSING;
	store_op op = { .kind = STORE_SMEMBERS_MANY, .key = "", .keys = keys, .nkeys = n, .many = out };
	VigieStoreStatus r = store_run(s, &op, err);
	if (r == VIGIE_STORE_DOWN)
		for (guint i = 0; i < n; i++)
			g_clear_pointer(&out[i], g_ptr_array_unref);
	return r;
}

/* store_sadd_many - see internal.h */
VigieStoreStatus store_sadd_many(vigie_store *s, const char *const *keys, guint n, const char *member,
				 gint64 ttl, guint cap, GError **err)
{
	g_assert(ttl > 0 && cap > 0);
	if (!n)
		return VIGIE_STORE_OK;
	store_op op = { .kind = STORE_SADD_MANY, .key = "", .keys = keys, .nkeys = n, .value = member,
			.ttl = ttl, .cap = cap };
	VigieStoreStatus r = store_run(s, &op, err);
	return r == VIGIE_STORE_DOWN ? r : VIGIE_STORE_OK;
}

/* store_count_many - see internal.h */
VigieStoreStatus store_count_many(vigie_store *s, const char *const *keys, guint n, const gint64 *deltas,
				  gint64 ttl, gint64 *values, GError **err)
{
	g_assert(ttl > 0);
	memset(values, 0, n * sizeof *values);
	if (!n)
		return VIGIE_STORE_MISSING;
	store_op op = { .kind = STORE_COUNT_MANY, .key = "", .keys = keys, .nkeys = n, .deltas = deltas,
			.ttl = ttl, .numbers = values };
	VigieStoreStatus r = store_run(s, &op, err);
	if (r == VIGIE_STORE_DOWN)
		memset(values, 0, n * sizeof *values);
	return r;
}

/* store_pair_get_many - see internal.h */
VigieStoreStatus store_pair_get_many(vigie_store *s, const char *const *keys, guint n, double *pairs,
				     GError **err)
{
	memset(pairs, 0, 2 * n * sizeof *pairs);
	if (!n)
		return VIGIE_STORE_MISSING;
	store_op op = { .kind = STORE_PAIR_GET_MANY, .key = "", .keys = keys, .nkeys = n, .pairs = pairs };
	VigieStoreStatus r = store_run(s, &op, err);
	if (r == VIGIE_STORE_DOWN)
		memset(pairs, 0, 2 * n * sizeof *pairs);
	return r;
}

/* store_pair_add_many - see internal.h */
VigieStoreStatus store_pair_add_many(vigie_store *s, const char *const *keys, guint n, const double *adds,
				     gint64 ttl, GError **err)
{
	g_assert(ttl > 0);
	if (!n)
		return VIGIE_STORE_OK;
	store_op op = { .kind = STORE_PAIR_ADD_MANY, .key = "", .keys = keys, .nkeys = n, .adds = adds, .ttl = ttl };
	VigieStoreStatus r = store_run(s, &op, err);
	return r == VIGIE_STORE_DOWN ? r : VIGIE_STORE_OK;
}

VigieStoreStatus vigie_store_del(vigie_store *s, const char *key, GError **err)
{
	store_op op = { .kind = STORE_DEL, .key = key };
	VigieStoreStatus r = store_run(s, &op, err);
	return r == VIGIE_STORE_DOWN ? r : VIGIE_STORE_OK;
}

/* vigie_store_stats - see vigie.h */
char *vigie_store_stats(vigie_store *s, GError **err)
{
	store_sizes z = { 0 };
	GError *e = NULL;
	g_mutex_lock(&s->lock);
	bool ok;
	if (s->backend == STORE_BACKEND_LMDB) {
		if (!s->lmdb)
			s->lmdb = store_lmdb_open(&s->st, &e);
		ok = s->lmdb && store_lmdb_sizes(s->lmdb, &z, &e);
	} else {
		if (!s->redis)
			s->redis = store_redis_new(&s->st);
		ok = store_redis_sizes(s->redis, &z, &e);
	}
	g_mutex_unlock(&s->lock);
	if (!ok) {
		g_propagate_prefixed_error(err, e, "store (%s): ", vigie_store_backend(s));
		return NULL;
	}
	char *out = g_strdup_printf("backend %s\nwhere %s\nkeys %" G_GUINT64_FORMAT "\nbytes %" G_GUINT64_FORMAT
				    "\ncapacity %" G_GUINT64_FORMAT "\n%s%s",
				    vigie_store_backend(s),
				    s->backend == STORE_BACKEND_LMDB ? s->st.path : s->st.host, z.keys,
				    z.bytes, z.capacity, z.detail ? z.detail : "", z.detail ? "\n" : "");
	g_free(z.detail);
	return out;
}
