/* store_redis.c - the shared backend: a Redis server, for several vigied nodes
 *
 * A small pool of synchronous hiredis connections ([store] redis_pool),
 * each with its own lock: a scan takes a free one, or waits for the one its
 * thread maps to. Every connection has [store] timeout as its connect and
 * command timeout; one that fails is dropped and made again by the next
 * operation that uses it (store.c meanwhile refuses operations for [store]
 * retry seconds). Every key is [store] redis_prefix + the caller's key.
 *
 * Operations are single atomic commands or short Lua scripts, so nodes
 * sharing the server see one store: PUT is SET EX; INCR is SET NX EX then
 * INCRBY (the expiry runs from creation); SADD checks the cap, adds and
 * renews the expiry in one script. The batches (SMEMBERS_MANY, SADD_MANY,
 * COUNT_MANY, PAIR_*_MANY) send every command, then read every reply: one
 * round trip. A pair of numbers is a hash of two fields (a, b), added to
 * with HINCRBYFLOAT, so two nodes adding at once lose nothing.
 *
 * SECURITY: the password comes from the configuration (AUTH on connect);
 * keys and values are ours (hashes, ids, counts), sent as binary-safe
 * arguments, never formatted into a command string.
 */
#include "store.h"

#include <errno.h>
#include <hiredis/hiredis.h>
#include <stdio.h>
#include <string.h>

typedef struct {
	GMutex lock;
	redisContext *ctx;
} redis_conn;

struct store_redis {
	store_settings st;
	guint n;
	redis_conn *conns;
};

/* script: KEYS[1] set, ARGV member, ttl, cap */
static const char sadd_script[] =
	"if redis.call('SISMEMBER',KEYS[1],ARGV[1])==0 and redis.call('SCARD',KEYS[1])<tonumber(ARGV[3]) "
	"then redis.call('SADD',KEYS[1],ARGV[1]) end "
	"return redis.call('EXPIRE',KEYS[1],ARGV[2])";

/* store_redis_new - see store.h (connects nothing yet) */
store_redis *store_redis_new(const store_settings *st)
{
	store_redis *r = g_new0(store_redis, 1);
	r->st = *st; /* strings stay owned by the store, which outlives r */
	r->n = (guint)MAX(st->pool, 1);
	r->conns = g_new0(redis_conn, r->n);
	for (guint i = 0; i < r->n; i++)
		g_mutex_init(&r->conns[i].lock);
	return r;
}

void store_redis_free(store_redis *r)
{
	if (!r)
		return;
	for (guint i = 0; i < r->n; i++) {
		if (r->conns[i].ctx)
			redisFree(r->conns[i].ctx);
		g_mutex_clear(&r->conns[i].lock);
	}
	g_free(r->conns);
	g_free(r);
}

/* redis_fail - err from a context or reply; the connection is dropped */
static bool redis_fail(redis_conn *c, const redisReply *rep, GError **err)
{
	if (!rep && c->ctx && c->ctx->err == REDIS_ERR_IO && (errno == EAGAIN || errno == EWOULDBLOCK)) {
		g_set_error(err, VIGIE_ERROR, VIGIE_ERROR_IO, "redis: no answer within [store] timeout");
		redisFree(c->ctx);
		c->ctx = NULL;
		return false;
	}
	const char *why = rep && rep->type == REDIS_REPLY_ERROR ? rep->str
			  : c->ctx && c->ctx->err                     ? c->ctx->errstr
								      : "no reply";
	g_set_error(err, VIGIE_ERROR, VIGIE_ERROR_IO, "redis: %s", why);
	if (!rep || rep->type != REDIS_REPLY_ERROR) {
		if (c->ctx)
			redisFree(c->ctx);
		c->ctx = NULL;
	}
	return false;
}

/* redis_connect - c connected and authenticated (locked) */
static bool redis_connect(store_redis *r, redis_conn *c, GError **err)
{
	if (c->ctx)
		return true;
	struct timeval tv = { r->st.timeout_ms / 1000, (r->st.timeout_ms % 1000) * 1000 };
	c->ctx = redisConnectWithTimeout(r->st.host, r->st.port, tv);
	if (!c->ctx || c->ctx->err) {
		g_set_error(err, VIGIE_ERROR, VIGIE_ERROR_IO, "redis %s:%d: %s", r->st.host, r->st.port,
			    c->ctx ? c->ctx->errstr : "out of memory");
		if (c->ctx)
			redisFree(c->ctx);
		c->ctx = NULL;
		return false;
	}
	redisSetTimeout(c->ctx, tv);
	redisEnableKeepAlive(c->ctx);
	if (*r->st.password) {
		redisReply *rep = redisCommand(c->ctx, "AUTH %s", r->st.password);
		bool ok = rep && rep->type == REDIS_REPLY_STATUS;
		if (!ok) {
			g_set_error(err, VIGIE_ERROR, VIGIE_ERROR_IO, "redis %s:%d: AUTH: %s", r->st.host,
				    r->st.port, rep && rep->type == REDIS_REPLY_ERROR ? rep->str : c->ctx->errstr);
			redisFree(c->ctx);
			c->ctx = NULL;
		}
		if (rep)
			freeReplyObject(rep);
		return ok;
	}
	return true;
}

/* redis_take - a locked connection of the pool */
static redis_conn *redis_take(store_redis *r)
{
	for (guint i = 0; i < r->n; i++)
		if (g_mutex_trylock(&r->conns[i].lock))
			return &r->conns[i];
	redis_conn *c = &r->conns[GPOINTER_TO_UINT(g_thread_self()) / 64 % r->n];
	g_mutex_lock(&c->lock);
	return c;
}

/* redis_cmd - one command of argc binary-safe arguments; the reply or NULL with err */
static redisReply *redis_cmd(redis_conn *c, int argc, const char **argv, const size_t *lens, GError **err)
{
	redisReply *rep = redisCommandArgv(c->ctx, argc, argv, lens);
	if (!rep || rep->type == REDIS_REPLY_ERROR) {
		redis_fail(c, rep, err);
		if (rep)
			freeReplyObject(rep);
		return NULL;
	}
	return rep;
}

/* redis_replies - the n replies of a pipeline into out[] (caller frees
 * each); false with err (the connection dropped) when one is missing or an
 * error: the rest of the pipeline cannot be trusted */
static bool redis_replies(redis_conn *c, guint n, redisReply **out, GError **err)
{
	memset(out, 0, n * sizeof *out);
	for (guint i = 0; i < n; i++) {
		if (redisGetReply(c->ctx, (void **)&out[i]) != REDIS_OK || !out[i] ||
		    out[i]->type == REDIS_REPLY_ERROR) {
			redis_fail(c, out[i], err);
			if (c->ctx) {
				redisFree(c->ctx);
				c->ctx = NULL;
			}
			return false;
		}
	}
	return true;
}

static void redis_replies_free(guint n, redisReply **r)
{
	for (guint i = 0; i < n; i++)
		if (r[i])
			freeReplyObject(r[i]);
	g_free(r);
}

/* redis_number - a double as Redis reads it */
static void redis_number(char buf[40], double d)
{
	g_ascii_formatd(buf, 40, "%.17g", d);
}

/* redis_batch - COUNT_MANY, PAIR_GET_MANY, PAIR_ADD_MANY on a connected c
 * (prefix before each key) */
static bool redis_batch(redis_conn *c, const char *prefix, store_op *op, GError **err)
{
	char ttl[24];
	snprintf(ttl, sizeof ttl, "%" G_GINT64_FORMAT, op->ttl);
	guint sent = 0;
	for (guint i = 0; i < op->nkeys; i++) {
		char *key = g_strconcat(prefix, op->keys[i], NULL);
		size_t kl = strlen(key);
		if (op->kind == STORE_COUNT_MANY && op->deltas[i] == 0) {
			const char *a[] = { "GET", key };
			size_t n[] = { 3, kl };
			redisAppendCommandArgv(c->ctx, 2, a, n);
			sent++;
		} else if (op->kind == STORE_COUNT_MANY) {
			char delta[24];
			snprintf(delta, sizeof delta, "%" G_GINT64_FORMAT, op->deltas[i]);
			const char *a[] = { "SET", key, "0", "EX", ttl, "NX" };
			size_t n[] = { 3, kl, 1, 2, strlen(ttl), 2 };
			const char *b[] = { "INCRBY", key, delta };
			size_t m[] = { 6, kl, strlen(delta) };
			redisAppendCommandArgv(c->ctx, 6, a, n);
			redisAppendCommandArgv(c->ctx, 3, b, m);
			sent += 2;
		} else if (op->kind == STORE_PAIR_GET_MANY) {
			const char *a[] = { "HMGET", key, "a", "b" };
			size_t n[] = { 5, kl, 1, 1 };
			redisAppendCommandArgv(c->ctx, 4, a, n);
			sent++;
		} else {
			char x[40], y[40];
			redis_number(x, op->adds[2 * i]);
			redis_number(y, op->adds[2 * i + 1]);
			const char *a[] = { "HINCRBYFLOAT", key, "a", x };
			size_t n[] = { 12, kl, 1, strlen(x) };
			const char *b[] = { "HINCRBYFLOAT", key, "b", y };
			size_t m[] = { 12, kl, 1, strlen(y) };
			const char *e[] = { "EXPIRE", key, ttl };
			size_t o[] = { 6, kl, strlen(ttl) };
			redisAppendCommandArgv(c->ctx, 4, a, n);
			redisAppendCommandArgv(c->ctx, 4, b, m);
			redisAppendCommandArgv(c->ctx, 3, e, o);
			sent += 3;
		}
		g_free(key);
	}
	redisReply **r = g_new0(redisReply *, sent);
	bool ok = redis_replies(c, sent, r, err);
	for (guint i = 0, at = 0; ok && i < op->nkeys; i++) {
		if (op->kind == STORE_COUNT_MANY && op->deltas[i] == 0) {
			const redisReply *one = r[at++];
			if (one->type == REDIS_REPLY_STRING) {
				op->numbers[i] = g_ascii_strtoll(one->str, NULL, 10);
				op->found = true;
			}
		} else if (op->kind == STORE_COUNT_MANY) {
			const redisReply *one = r[at + 1];
			at += 2;
			if (one->type == REDIS_REPLY_INTEGER)
				op->numbers[i] = one->integer;
			op->found = true;
		} else if (op->kind == STORE_PAIR_GET_MANY) {
			const redisReply *one = r[at++];
			for (size_t j = 0; one->type == REDIS_REPLY_ARRAY && j < 2 && j < one->elements; j++)
				if (one->element[j]->type == REDIS_REPLY_STRING) {
					op->pairs[2 * i + j] = g_ascii_strtod(one->element[j]->str, NULL);
					op->found = true;
				}
		} else {
			at += 3;
			op->found = true;
		}
	}
	redis_replies_free(sent, r);
	return ok;
}

/* redis_run - op on a connected c */
static bool redis_run(redis_conn *c, const char *key, store_op *op, GError **err)
{
	char ttl[24], delta[24], cap[24];
	snprintf(ttl, sizeof ttl, "%" G_GINT64_FORMAT, op->ttl);
	snprintf(delta, sizeof delta, "%" G_GINT64_FORMAT, op->delta);
	snprintf(cap, sizeof cap, "%u", op->cap);
	redisReply *rep = NULL;
	switch (op->kind) {
	case STORE_COUNT_MANY:
	case STORE_PAIR_GET_MANY:
	case STORE_PAIR_ADD_MANY:
		return redis_batch(c, key, op, err); /* key is the prefix here */
	case STORE_GET: {
		const char *a[] = { "GET", key };
		size_t n[] = { 3, strlen(key) };
		if (!(rep = redis_cmd(c, 2, a, n, err)))
			return false;
		if (rep->type == REDIS_REPLY_STRING) {
			op->out = g_strndup(rep->str, rep->len);
			op->found = true;
		}
		break;
	}
	case STORE_PUT: {
		const char *a[] = { "SET", key, op->value, "EX", ttl };
		size_t n[] = { 3, strlen(key), strlen(op->value), 2, strlen(ttl) };
		if (!(rep = redis_cmd(c, 5, a, n, err)))
			return false;
		op->found = true;
		break;
	}
	case STORE_DEL: {
		const char *a[] = { "DEL", key };
		size_t n[] = { 3, strlen(key) };
		if (!(rep = redis_cmd(c, 2, a, n, err)))
			return false;
		op->found = rep->type == REDIS_REPLY_INTEGER && rep->integer > 0;
		break;
	}
	case STORE_INCR: {
		/* two commands, one round trip: create with its expiry, then add */
		const char *a[] = { "SET", key, "0", "EX", ttl, "NX" };
		size_t n[] = { 3, strlen(key), 1, 2, strlen(ttl), 2 };
		const char *b[] = { "INCRBY", key, delta };
		size_t m[] = { 6, strlen(key), strlen(delta) };
		redisAppendCommandArgv(c->ctx, 6, a, n);
		redisAppendCommandArgv(c->ctx, 3, b, m);
		redisReply *r1 = NULL;
		if (redisGetReply(c->ctx, (void **)&r1) != REDIS_OK || !r1 || r1->type == REDIS_REPLY_ERROR) {
			redis_fail(c, r1, err);
			if (r1)
				freeReplyObject(r1);
			if (c->ctx) { /* an error reply: the second one is still to read */
				redisReply *r2 = NULL;
				if (redisGetReply(c->ctx, (void **)&r2) == REDIS_OK && r2)
					freeReplyObject(r2);
			}
			return false;
		}
		freeReplyObject(r1);
		if (redisGetReply(c->ctx, (void **)&rep) != REDIS_OK || !rep || rep->type != REDIS_REPLY_INTEGER) {
			redis_fail(c, rep, err);
			if (rep)
				freeReplyObject(rep);
			return false;
		}
		op->number = rep->integer;
		op->found = true;
		break;
	}
	case STORE_SADD: {
		const char *a[] = { "EVAL", sadd_script, "1", key, op->value, ttl, cap };
		size_t n[] = { 4, sizeof sadd_script - 1, 1, strlen(key), strlen(op->value), strlen(ttl), strlen(cap) };
		if (!(rep = redis_cmd(c, 7, a, n, err)))
			return false;
		op->found = true;
		break;
	}
	case STORE_SADD_MANY: {
		char **keys = g_new0(char *, op->nkeys);
		for (guint i = 0; i < op->nkeys; i++) {
			keys[i] = g_strconcat(key, op->keys[i], NULL); /* key is the prefix here */
			const char *a[] = { "EVAL", sadd_script, "1", keys[i], op->value, ttl, cap };
			size_t n[] = { 4, sizeof sadd_script - 1, 1, strlen(keys[i]), strlen(op->value),
				       strlen(ttl), strlen(cap) };
			redisAppendCommandArgv(c->ctx, 7, a, n);
		}
		bool ok = true;
		for (guint i = 0; i < op->nkeys && ok; i++) {
			redisReply *one = NULL;
			if (redisGetReply(c->ctx, (void **)&one) != REDIS_OK || !one || one->type == REDIS_REPLY_ERROR) {
				ok = redis_fail(c, one, err);
				if (c->ctx) {
					redisFree(c->ctx);
					c->ctx = NULL;
				}
			}
			if (one)
				freeReplyObject(one);
		}
		for (guint i = 0; i < op->nkeys; i++)
			g_free(keys[i]);
		g_free(keys);
		op->found = ok;
		return ok;
	}
	case STORE_SMEMBERS_MANY: {
		/* every command first, then every reply: one round trip */
		char **keys = g_new0(char *, op->nkeys);
		for (guint i = 0; i < op->nkeys; i++) {
			keys[i] = g_strconcat(key, op->keys[i], NULL); /* key is the prefix here */
			const char *a[] = { "SMEMBERS", keys[i] };
			size_t n[] = { 8, strlen(keys[i]) };
			redisAppendCommandArgv(c->ctx, 2, a, n);
		}
		bool ok = true;
		for (guint i = 0; i < op->nkeys && ok; i++) {
			redisReply *one = NULL;
			if (redisGetReply(c->ctx, (void **)&one) != REDIS_OK || !one || one->type == REDIS_REPLY_ERROR) {
				ok = redis_fail(c, one, err);
				/* an error reply leaves the others to read: drop the connection */
				if (c->ctx) {
					redisFree(c->ctx);
					c->ctx = NULL;
				}
			} else if (one->type == REDIS_REPLY_ARRAY && one->elements) {
				op->many[i] = g_ptr_array_new_with_free_func(g_free);
				for (size_t j = 0; j < one->elements; j++)
					if (one->element[j]->type == REDIS_REPLY_STRING)
						g_ptr_array_add(op->many[i], g_strndup(one->element[j]->str,
											 one->element[j]->len));
				op->found = true;
			}
			if (one)
				freeReplyObject(one);
		}
		for (guint i = 0; i < op->nkeys; i++)
			g_free(keys[i]);
		g_free(keys);
		return ok;
	}
	case STORE_SMEMBERS: {
		const char *a[] = { "SMEMBERS", key };
		size_t n[] = { 8, strlen(key) };
		if (!(rep = redis_cmd(c, 2, a, n, err)))
			return false;
		if (rep->type == REDIS_REPLY_ARRAY && rep->elements) {
			op->members = g_ptr_array_new_with_free_func(g_free);
			for (size_t i = 0; i < rep->elements; i++)
				if (rep->element[i]->type == REDIS_REPLY_STRING)
					g_ptr_array_add(op->members,
							g_strndup(rep->element[i]->str, rep->element[i]->len));
			op->found = true;
		}
		break;
	}
	}
	freeReplyObject(rep);
	return true;
}

/* store_redis_run - see store.h */
bool store_redis_run(store_redis *r, store_op *op, GError **err)
{
	redis_conn *c = redis_take(r);
	/* batches get the prefix alone: they add it to each of their keys */
	char *key = op->keys ? g_strdup(r->st.prefix) : g_strconcat(r->st.prefix, op->key, NULL);
	bool ok = redis_connect(r, c, err) && redis_run(c, key, op, err);
	g_free(key);
	g_mutex_unlock(&c->lock);
	return ok;
}

/* redis_info_field - the number after "name:" in an INFO reply, or 0 */
static guint64 redis_info_field(const char *info, const char *name)
{
	const char *p = strstr(info, name);
	return p ? g_ascii_strtoull(p + strlen(name), NULL, 10) : 0;
}

/* store_redis_sizes - see store.h. Keys are counted under our prefix with
 * SCAN (bounded to 1,000,000 looked at): other users of the server are
 * not counted. */
bool store_redis_sizes(store_redis *r, store_sizes *out, GError **err)
{
	redis_conn *c = redis_take(r);
	bool ok = redis_connect(r, c, err);
	redisReply *rep = NULL;
	if (ok && !(rep = redisCommand(c->ctx, "INFO memory")))
		ok = redis_fail(c, NULL, err);
	if (ok && rep->type == REDIS_REPLY_STRING) {
		out->bytes = redis_info_field(rep->str, "used_memory:");
		out->capacity = redis_info_field(rep->str, "maxmemory:");
	}
	if (rep)
		freeReplyObject(rep);
	char *match = g_strconcat(r->st.prefix, "*", NULL);
	char cursor[32] = "0";
	guint64 looked = 0;
	do {
		if (!ok)
			break;
		rep = redisCommand(c->ctx, "SCAN %s MATCH %b COUNT 1000", cursor, match, strlen(match));
		if (!rep || rep->type != REDIS_REPLY_ARRAY || rep->elements != 2) {
			ok = redis_fail(c, rep, err);
			if (rep)
				freeReplyObject(rep);
			break;
		}
		g_strlcpy(cursor, rep->element[0]->str, sizeof cursor);
		out->keys += rep->element[1]->elements;
		looked += 1000;
		freeReplyObject(rep);
	} while (strcmp(cursor, "0") && looked < 1000000);
	g_free(match);
	if (ok)
		out->detail = g_strdup_printf("prefix %s\nport %d", r->st.prefix, r->st.port);
	g_mutex_unlock(&c->lock);
	return ok;
}
