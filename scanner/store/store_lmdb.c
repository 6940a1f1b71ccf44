/* store_lmdb.c - the embedded backend: one LMDB environment in a folder
 *
 * Layout: [store] path/data.mdb and lock.mdb (LMDB's), hash.key (store_key.c).
 * Each record's value is an 8-byte expiry (unix seconds, little-endian), a
 * kind byte ('s' string, 'c' counter, 'S' set, 'p' pair of numbers) and the
 * payload (a set's members separated by NUL bytes; a pair as two IEEE
 * doubles, little-endian). Expired records read as missing; writes
 * sweep a slice of the folder for expired records as they go. [store]
 * max_size bounds the pages the records use: a write that finds them over it
 * sweeps the whole folder first, and gives up with "store full" if that did
 * not make room. The LMDB map itself is a quarter larger (and 1 MB), so that
 * LMDB always has the free pages that deleting needs.
 *
 * Crash safety: LMDB's copy-on-write B-tree; opened with MDB_NOMETASYNC, a
 * crash of the system may lose the last transaction, never the database's
 * integrity; a crash of a process loses nothing committed. Several processes
 * (vigied writing, `vigie` reading or recording a decision) share the folder:
 * LMDB serialises writers and lets readers run beside them.
 *
 * LMDB forbids opening one environment twice in a process: environments are
 * shared by path here and reference-counted, so an engine reload (a new
 * store beside the old) reuses the open one.
 *
 * SECURITY: folder 0700, files 0600; keys and values come from our own
 * callers (hashes, ids, counts); a record too short to hold its header
 * reads as missing.
 */
#include "store.h"

#include <errno.h>
#include <lmdb.h>
#include <string.h>
#include <sys/stat.h>

#define SWEEP_EVERY 64  /* write transactions between two sweep slices */
#define SWEEP_SLICE 256 /* records a slice looks at */

struct store_lmdb {
	char *path; /* the registry's key */
	int refs;
	MDB_env *env;
	MDB_dbi dbi;
	GMutex sweep_lock; /* guards the sweep position */
	guint writes;
	GByteArray *sweep_from;
	guint64 max_size;
};

static GMutex registry_lock;
static GHashTable *registry; /* path -> store_lmdb* */

/* lmdb_error - err from an LMDB return code */
static bool lmdb_error(GError **err, const char *what, const char *path, int rc)
{
	g_set_error(err, VIGIE_ERROR, VIGIE_ERROR_IO, "%s %s: %s", what, path,
		    rc == MDB_MAP_FULL ? "store full ([store] max_size)" : mdb_strerror(rc));
	return false;
}

/* store_lmdb_open - see store.h */
store_lmdb *store_lmdb_open(const store_settings *st, GError **err)
{
	g_mutex_lock(&registry_lock);
	if (!registry)
		registry = g_hash_table_new(g_str_hash, g_str_equal);
	store_lmdb *l = g_hash_table_lookup(registry, st->path);
	if (l) {
		l->refs++;
		g_mutex_unlock(&registry_lock);
		return l;
	}
	MDB_env *env = NULL;
	MDB_txn *txn = NULL;
	MDB_dbi dbi;
	int rc;
	struct stat sb;
	if (g_mkdir_with_parents(st->path, 0700) != 0 || stat(st->path, &sb) != 0 || !S_ISDIR(sb.st_mode)) {
		g_set_error(err, VIGIE_ERROR, VIGIE_ERROR_IO, "store folder %s: %s", st->path,
			    errno ? g_strerror(errno) : "not a folder");
		goto fail;
	}
	if ((rc = mdb_env_create(&env)) || (rc = mdb_env_set_mapsize(env, (size_t)(st->max_size + st->max_size / 4 + 1024 * 1024))) ||
	    (rc = mdb_env_set_maxreaders(env, 256)) ||
	    (rc = mdb_env_open(env, st->path, MDB_NOTLS | MDB_NOMETASYNC, 0600))) {
		lmdb_error(err, "store folder", st->path, rc);
		goto fail;
	}
	int dead;
	mdb_reader_check(env, &dead); /* slots of crashed readers */
	if ((rc = mdb_txn_begin(env, NULL, 0, &txn)) || (rc = mdb_dbi_open(txn, NULL, 0, &dbi)) ||
	    (rc = mdb_txn_commit(txn))) {
		if (txn && rc)
			mdb_txn_abort(txn);
		lmdb_error(err, "store folder", st->path, rc);
		goto fail;
	}
	l = g_new0(store_lmdb, 1);
	l->path = g_strdup(st->path);
	l->refs = 1;
	l->env = env;
	l->dbi = dbi;
	g_mutex_init(&l->sweep_lock);
	l->sweep_from = g_byte_array_new();
	l->max_size = (guint64)st->max_size;
	g_hash_table_insert(registry, l->path, l);
	g_mutex_unlock(&registry_lock);
	return l;
fail:
	if (env)
		mdb_env_close(env);
	g_mutex_unlock(&registry_lock);
	return NULL;
}

/* store_lmdb_close - drop a reference; the last closes; NULL is a no-op */
void store_lmdb_close(store_lmdb *l)
{
	if (!l)
		return;
	g_mutex_lock(&registry_lock);
	if (--l->refs == 0) {
		g_hash_table_remove(registry, l->path);
		mdb_env_close(l->env);
		g_mutex_clear(&l->sweep_lock);
		g_byte_array_unref(l->sweep_from);
		g_free(l->path);
		g_free(l);
	}
	g_mutex_unlock(&registry_lock);
}

/* record layout */
typedef struct {
	gint64 expires;
	char kind;
	const char *data;
	size_t len;
} lmdb_rec;

/* lmdb_rec_read - rec of val, false when too short or expired at now */
static bool lmdb_rec_read(const MDB_val *val, gint64 now, lmdb_rec *rec)
{
	if (val->mv_size < 9)
		return false;
	guint64 le;
	memcpy(&le, val->mv_data, 8);
	rec->expires = (gint64)GUINT64_FROM_LE(le);
	rec->kind = ((const char *)val->mv_data)[8];
	rec->data = (const char *)val->mv_data + 9;
	rec->len = val->mv_size - 9;
	return rec->expires > now;
}

/* lmdb_put - write a record */
static int lmdb_put(store_lmdb *l, MDB_txn *txn, MDB_val *k, gint64 expires, char kind,
		    const void *data, size_t len)
{
	GByteArray *b = g_byte_array_sized_new((guint)(9 + len));
	guint64 le = GUINT64_TO_LE((guint64)expires);
	g_byte_array_append(b, (const guint8 *)&le, 8);
	g_byte_array_append(b, (const guint8 *)&kind, 1);
	if (len)
		g_byte_array_append(b, data, (guint)len);
	MDB_val v = { b->len, b->data };
	int rc = mdb_put(txn, l->dbi, k, &v, 0);
	g_byte_array_unref(b);
	return rc;
}

/* lmdb_sweep - delete expired records: up to max from the last position
 * (max 0: all); returns how many */
static guint lmdb_sweep(store_lmdb *l, MDB_txn *txn, gint64 now, guint max)
{
	MDB_cursor *c;
	if (mdb_cursor_open(txn, l->dbi, &c))
		return 0;
	g_mutex_lock(&l->sweep_lock);
	MDB_val k = { l->sweep_from->len, l->sweep_from->data }, v;
	int rc = max && k.mv_size ? mdb_cursor_get(c, &k, &v, MDB_SET_RANGE) : mdb_cursor_get(c, &k, &v, MDB_FIRST);
	guint seen = 0, gone = 0;
	while (rc == 0 && (!max || seen < max)) {
		lmdb_rec rec;
		seen++;
		if (!lmdb_rec_read(&v, now, &rec)) {
			if (mdb_cursor_del(c, 0) != 0)
				break; /* the transaction is then failed: the write says so */
			gone++;
			rc = mdb_cursor_get(c, &k, &v, MDB_GET_CURRENT);
			if (rc == 0)
				continue;
		}
		rc = mdb_cursor_get(c, &k, &v, MDB_NEXT);
	}
	g_byte_array_set_size(l->sweep_from, 0);
	if (rc == 0)
		g_byte_array_append(l->sweep_from, k.mv_data, (guint)k.mv_size);
	g_mutex_unlock(&l->sweep_lock);
	mdb_cursor_close(c);
	return gone;
}

/* lmdb_members - the members of a set record, as a new array */
static GPtrArray *lmdb_members(const lmdb_rec *rec)
{
	GPtrArray *a = g_ptr_array_new_with_free_func(g_free);
	const char *p = rec->data, *end = rec->data + rec->len;
	while (p < end) {
		const char *z = memchr(p, '\0', (size_t)(end - p));
		size_t n = z ? (size_t)(z - p) : (size_t)(end - p);
		g_ptr_array_add(a, g_strndup(p, n));
		p += n + 1;
	}
	return a;
}

/* lmdb_count - the live counter of a record, or 0 */
static gint64 lmdb_count(const lmdb_rec *rec)
{
	guint64 le;
	if (rec->kind != 'c' || rec->len != 8)
		return 0;
	memcpy(&le, rec->data, 8);
	return (gint64)GUINT64_FROM_LE(le);
}

/* lmdb_pair - the live pair of a record into out[2], else 0, 0 */
static void lmdb_pair(const lmdb_rec *rec, double out[2])
{
	out[0] = out[1] = 0;
	if (rec->kind != 'p' || rec->len != 16)
		return;
	for (int i = 0; i < 2; i++) {
		guint64 le;
		memcpy(&le, rec->data + 8 * i, 8);
		le = GUINT64_FROM_LE(le);
		memcpy(&out[i], &le, 8);
	}
}

/* lmdb_read_many - the read-only batches (SMEMBERS_MANY, PAIR_GET_MANY,
 * COUNT_MANY without a delta) in txn */
static int lmdb_read_many(store_lmdb *l, MDB_txn *txn, store_op *op, gint64 now)
{
	int rc = 0;
	for (guint i = 0; i < op->nkeys && (rc == 0 || rc == MDB_NOTFOUND); i++) {
		MDB_val k = { strlen(op->keys[i]), (void *)op->keys[i] }, v;
		lmdb_rec rec;
		rc = mdb_get(txn, l->dbi, &k, &v);
		if (rc != 0 || !lmdb_rec_read(&v, now, &rec))
			continue;
		if (op->kind == STORE_SMEMBERS_MANY && rec.kind == 'S') {
			op->many[i] = lmdb_members(&rec);
			op->found = true;
		} else if (op->kind == STORE_PAIR_GET_MANY && rec.kind == 'p') {
			lmdb_pair(&rec, op->pairs + 2 * i);
			op->found = true;
		} else if (op->kind == STORE_COUNT_MANY && rec.kind == 'c') {
			op->numbers[i] = lmdb_count(&rec);
			op->found = true;
		}
	}
	return rc == MDB_NOTFOUND ? 0 : rc;
}

/* lmdb_pair_add - one key's pair of a PAIR_ADD_MANY, in txn */
static int lmdb_pair_add(store_lmdb *l, MDB_txn *txn, const char *key, const double add[2], gint64 expires,
			 gint64 now)
{
	MDB_val k = { strlen(key), (void *)key }, v;
	lmdb_rec rec;
	double p[2] = { 0, 0 };
	int rc = mdb_get(txn, l->dbi, &k, &v);
	if (rc && rc != MDB_NOTFOUND)
		return rc;
	if (rc == 0 && lmdb_rec_read(&v, now, &rec))
		lmdb_pair(&rec, p);
	guint64 le[2];
	for (int i = 0; i < 2; i++) {
		double d = p[i] + add[i];
		memcpy(&le[i], &d, 8);
		le[i] = GUINT64_TO_LE(le[i]);
	}
	return lmdb_put(l, txn, &k, expires, 'p', le, sizeof le);
}

/* lmdb_write - one writing operation in txn */
static int lmdb_write(store_lmdb *l, MDB_txn *txn, store_op *op, gint64 now)
{
	MDB_val k = { strlen(op->key), (void *)op->key }, v;
	lmdb_rec rec;
	int rc = mdb_get(txn, l->dbi, &k, &v);
	bool live = rc == 0 && lmdb_rec_read(&v, now, &rec);
	if (rc && rc != MDB_NOTFOUND)
		return rc;
	switch (op->kind) {
	case STORE_PUT:
		op->found = true;
		return lmdb_put(l, txn, &k, now + op->ttl, 's', op->value, strlen(op->value));
	case STORE_DEL:
		op->found = rc == 0;
		return rc == 0 ? mdb_del(txn, l->dbi, &k, NULL) : 0;
	case STORE_INCR: {
		gint64 n = 0, expires = now + op->ttl;
		if (live && rec.kind == 'c' && rec.len == 8) {
			n = lmdb_count(&rec);
			expires = rec.expires; /* the window runs from creation */
		}
		n += op->delta;
		op->number = n;
		op->found = true;
		guint64 le = GUINT64_TO_LE((guint64)n);
		return lmdb_put(l, txn, &k, expires, 'c', &le, 8);
	}
	case STORE_SADD: {
		op->found = true;
		GByteArray *b = g_byte_array_new();
		guint count = 0;
		bool there = false;
		if (live && rec.kind == 'S') {
			GPtrArray *m = lmdb_members(&rec);
			count = m->len;
			for (guint i = 0; i < m->len && !there; i++)
				there = !strcmp(g_ptr_array_index(m, i), op->value);
			g_ptr_array_unref(m);
			g_byte_array_append(b, (const guint8 *)rec.data, (guint)rec.len);
		}
		if (!there && count < op->cap) {
			if (b->len)
				g_byte_array_append(b, (const guint8 *)"", 1);
			g_byte_array_append(b, (const guint8 *)op->value, (guint)strlen(op->value));
		}
		rc = lmdb_put(l, txn, &k, now + op->ttl, 'S', b->data, b->len);
		g_byte_array_unref(b);
		return rc;
	}
	default:
		g_assert_not_reached();
	}
}

/* lmdb_used - bytes of the pages the records use now, in txn */
static guint64 lmdb_used(store_lmdb *l, MDB_txn *txn)
{
	MDB_stat ms;
	if (mdb_stat(txn, l->dbi, &ms))
		return 0;
	return (guint64)(ms.ms_branch_pages + ms.ms_leaf_pages + ms.ms_overflow_pages) * ms.ms_psize;
}

/* store_lmdb_run - see store.h */
bool store_lmdb_run(store_lmdb *l, store_op *op, GError **err)
{
	gint64 now = g_get_real_time() / G_USEC_PER_SEC;
	MDB_txn *txn;
	int rc;
	bool reads = op->kind == STORE_SMEMBERS_MANY || op->kind == STORE_PAIR_GET_MANY;
	if (op->kind == STORE_COUNT_MANY) {
		reads = true;
		for (guint i = 0; i < op->nkeys; i++)
			reads &= op->deltas[i] == 0;
	}
	if (reads) {
		if ((rc = mdb_txn_begin(l->env, NULL, MDB_RDONLY, &txn)))
			return lmdb_error(err, "store", l->path, rc);
		rc = lmdb_read_many(l, txn, op, now);
		mdb_txn_abort(txn);
		return rc == 0 ? true : lmdb_error(err, "store", l->path, rc);
	}
	if (op->kind == STORE_GET || op->kind == STORE_SMEMBERS) {
		if ((rc = mdb_txn_begin(l->env, NULL, MDB_RDONLY, &txn)))
			return lmdb_error(err, "store", l->path, rc);
		MDB_val k = { strlen(op->key), (void *)op->key }, v;
		lmdb_rec rec;
		rc = mdb_get(txn, l->dbi, &k, &v);
		if (rc == 0 && lmdb_rec_read(&v, now, &rec)) {
			if (op->kind == STORE_GET && rec.kind == 's') {
				op->out = g_strndup(rec.data, rec.len);
				op->found = true;
			} else if (op->kind == STORE_GET && rec.kind == 'c' && rec.len == 8) {
				guint64 le;
				memcpy(&le, rec.data, 8);
				op->out = g_strdup_printf("%" G_GINT64_FORMAT, (gint64)GUINT64_FROM_LE(le));
				op->found = true;
			} else if (op->kind == STORE_SMEMBERS && rec.kind == 'S') {
				op->members = lmdb_members(&rec);
				op->found = true;
			}
		}
		mdb_txn_abort(txn);
		return rc == 0 || rc == MDB_NOTFOUND ? true : lmdb_error(err, "store", l->path, rc);
	}
	if ((rc = mdb_txn_begin(l->env, NULL, 0, &txn)))
		return lmdb_error(err, "store", l->path, rc);
	if (g_atomic_int_add(&l->writes, 1) % SWEEP_EVERY == 0)
		lmdb_sweep(l, txn, now, SWEEP_SLICE);
	if (lmdb_used(l, txn) >= l->max_size && op->kind != STORE_DEL) {
		lmdb_sweep(l, txn, now, 0);
		if (lmdb_used(l, txn) >= l->max_size)
			rc = MDB_MAP_FULL;
	}
	if (rc == 0 && op->kind == STORE_SADD_MANY) {
		for (guint i = 0; i < op->nkeys && rc == 0; i++) {
			store_op one = *op;
			one.kind = STORE_SADD;
			one.key = op->keys[i];
			rc = lmdb_write(l, txn, &one, now);
		}
		op->found = true;
	} else if (rc == 0 && op->kind == STORE_COUNT_MANY) {
		for (guint i = 0; i < op->nkeys && rc == 0; i++) {
			store_op one = { .kind = STORE_INCR, .key = op->keys[i], .delta = op->deltas[i], .ttl = op->ttl };
			if (op->deltas[i] == 0) {
				MDB_val k = { strlen(op->keys[i]), (void *)op->keys[i] }, v;
				lmdb_rec rec;
				rc = mdb_get(txn, l->dbi, &k, &v);
				if (rc == 0 && lmdb_rec_read(&v, now, &rec))
					op->numbers[i] = lmdb_count(&rec);
				rc = rc == MDB_NOTFOUND ? 0 : rc;
				continue;
			}
			rc = lmdb_write(l, txn, &one, now);
			op->numbers[i] = one.number;
		}
		op->found = true;
	} else if (rc == 0 && op->kind == STORE_PAIR_ADD_MANY) {
		for (guint i = 0; i < op->nkeys && rc == 0; i++)
			rc = lmdb_pair_add(l, txn, op->keys[i], op->adds + 2 * i, now + op->ttl, now);
		op->found = true;
	} else if (rc == 0) {
		rc = lmdb_write(l, txn, op, now);
	}
	if (rc == 0)
		rc = mdb_txn_commit(txn);
	else
		mdb_txn_abort(txn);
	return rc == 0 ? true : lmdb_error(err, "store", l->path, rc);
}

/* store_lmdb_sizes - see store.h */
bool store_lmdb_sizes(store_lmdb *l, store_sizes *out, GError **err)
{
	MDB_stat ms;
	MDB_envinfo info;
	MDB_txn *txn;
	int rc = mdb_txn_begin(l->env, NULL, MDB_RDONLY, &txn);
	if (rc)
		return lmdb_error(err, "store", l->path, rc);
	rc = mdb_stat(txn, l->dbi, &ms);
	mdb_txn_abort(txn);
	if (rc || (rc = mdb_env_info(l->env, &info)))
		return lmdb_error(err, "store", l->path, rc);
	out->keys = ms.ms_entries;
	out->bytes = (guint64)(ms.ms_branch_pages + ms.ms_leaf_pages + ms.ms_overflow_pages) * ms.ms_psize;
	out->capacity = l->max_size;
	out->detail = g_strdup_printf("file %" G_GUINT64_FORMAT "\nreaders %u/%u",
				      (guint64)(info.me_last_pgno + 1) * ms.ms_psize, info.me_numreaders,
				      info.me_maxreaders);
	return true;
}
