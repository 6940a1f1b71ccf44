/* store.h - the state store's insides: the two backends behind vigie_store
 *
 * store.c reads [store] once (at engine build), opens nothing until the
 * first operation (so a daemon opens its store after it changed user) and
 * turns every backend failure into VIGIE_STORE_DOWN with a cause, a counted
 * failure and one log line per outage. Backends only speak their protocol.
 *
 * Records: a key (ASCII, made by the callers from keyed hashes), a kind
 * (string, counter, small set, or a pair of numbers: a classifier weight's
 * two FTRL sums) and an absolute expiry (unix seconds):
 * every record has one, so the store stays bounded.
 */
#ifndef VIGIE_STORE_H
#define VIGIE_STORE_H

#include "internal.h"

typedef struct store_lmdb store_lmdb;
typedef struct store_redis store_redis;

/* [store] as read at engine build */
typedef struct {
	char *path;          /* lmdb: the folder */
	gint64 max_size;     /* lmdb: map size, bytes */
	char *host;          /* redis */
	int port;
	char *password;      /* "" for none */
	char *prefix;        /* before every key */
	int timeout_ms;      /* connect and each command */
	int retry_s;         /* a failed backend is retried after this */
	int pool;            /* redis connections */
} store_settings;

/* One operation, the same for both backends. */
typedef enum { STORE_GET, STORE_PUT, STORE_INCR, STORE_SADD, STORE_SMEMBERS, STORE_DEL, STORE_SMEMBERS_MANY, STORE_SADD_MANY,
	       STORE_COUNT_MANY, STORE_PAIR_GET_MANY, STORE_PAIR_ADD_MANY } store_op_kind;
typedef struct {
	store_op_kind kind;
	const char *key;
	const char *value;   /* PUT: value; SADD: member */
	gint64 delta;        /* INCR */
	gint64 ttl;          /* PUT, INCR (when created), SADD: seconds */
	guint cap;           /* SADD: a full set takes no new member */
	const char *const *keys; /* SMEMBERS_MANY, SADD_MANY: nkeys keys, one transaction (one round trip) */
	guint nkeys;
	const gint64 *deltas; /* COUNT_MANY: nkeys deltas (0: only read, nothing created) */
	const double *adds;  /* PAIR_ADD_MANY: 2 x nkeys numbers added to each key's pair */
	/* results */
	char *out;           /* GET (owned by the caller) */
	gint64 number;       /* INCR: new value */
	GPtrArray *members;  /* SMEMBERS: of char* (owned by the caller) */
	GPtrArray **many;    /* SMEMBERS_MANY: nkeys slots, each NULL or as members */
	gint64 *numbers;     /* COUNT_MANY: nkeys counts (0 when missing) */
	double *pairs;       /* PAIR_GET_MANY: 2 x nkeys numbers (0 when missing) */
	bool found;
} store_op;

/* Sizes for `vigie store stats`. */
typedef struct {
	guint64 keys;
	guint64 bytes;       /* lmdb: pages in use x page size; redis: used_memory */
	guint64 capacity;    /* lmdb: map size; redis: maxmemory (0 = none) */
	char *detail;        /* backend-specific, one line (owned) */
} store_sizes;

/* each returns false with err (the store is then down for retry_s) */
store_lmdb *store_lmdb_open(const store_settings *st, GError **err);
void store_lmdb_close(store_lmdb *l);
bool store_lmdb_run(store_lmdb *l, store_op *op, GError **err);
bool store_lmdb_sizes(store_lmdb *l, store_sizes *out, GError **err);

store_redis *store_redis_new(const store_settings *st);
void store_redis_free(store_redis *r);
bool store_redis_run(store_redis *r, store_op *op, GError **err);
bool store_redis_sizes(store_redis *r, store_sizes *out, GError **err);

/* store_key_load - the hashing key in file (made, 32 random bytes 0600,
 * when missing); false with err */
bool store_key_load(const char *file, guint8 key[32], GError **err);

#endif
