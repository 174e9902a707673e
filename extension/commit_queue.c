/*
 * commit_queue.c - cache writes that follow the transaction.
 *
 * memcache_set_on_commit / memcache_delete_on_commit (and the memcache_sync
 * triggers) queue operations; the top-level transaction's COMMIT sends them
 * (after the commit is durable and visible, before COMMIT returns to the
 * client), ROLLBACK drops them, and ROLLBACK TO SAVEPOINT drops what was
 * queued inside the savepoint.
 *
 * The promise is that the cache never holds what the database does not, and
 * that the cache never costs the database its write.  So:
 *
 * - Everything about an operation is decided when it is queued: the key is
 *   checked with the prefix it will be sent with, the expiry turned into
 *   memcached's exptime, and the configuration that decides where the key
 *   goes is recorded with it (commit_routes.c).  At COMMIT only memcached
 *   can fail, and one operation's failure costs that operation alone.
 * - In PRE_COMMIT, where an ERROR still aborts cleanly, the last operation
 *   per key is chosen, the commit-order locks are taken (commit_order.c:
 *   a later writer of a key cannot overtake an earlier one's send) and all
 *   memory the send needs is allocated (commit_send.c).
 * - In the COMMIT callback an ERROR would PANIC the cluster: nothing there
 *   allocates, waits for a lock or prints anything but ASCII, and the send
 *   is bounded by memcache.commit_timeout and ended by a terminate.
 * - Memory stays bounded: past memcache.commit_queue_limit a set is queued
 *   as a delete (no value kept; the cache stays correct, it is only not
 *   warmed), keys live in an arena of small blocks, and the send goes in
 *   chunks that point into the queue rather than copying it.
 */
#include "postgres.h"

#include <limits.h>

#include "access/parallel.h"
#include "access/xact.h"
#include "common/hashfn.h"
#include "fmgr.h"
#include "replication/logicalworker.h"
#include "utils/guc.h"
#include "utils/memutils.h"
#include "utils/timestamp.h"

#include "commit_internal.h"
#include "commit_queue.h"
#include "gobridge.h"
#include "memcache.h"
#include "stat.h"

int			mc_commit_timeout_ms = 5000;
int			mc_commit_queue_limit_kb = 64 * 1024;

#define OPS_PER_BLOCK	1024
#define KEY_BLOCK_SIZE	(64 * 1024)

/*
 * All in queue_cxt, a child of TopTransactionContext; NULL/0 outside a
 * transaction that queued.  Blocks stay allocated when a savepoint's tail
 * is dropped, for the operations queued next.
 */
static MemoryContext queue_cxt = NULL;
int64		mcq_count = 0;
static QueuedOp **op_blocks = NULL;
static int	n_op_blocks = 0,
			op_blocks_cap = 0;
static char **key_blocks = NULL;
static int	n_key_blocks = 0,
			key_blocks_cap = 0,
			key_block = -1,
			key_used = 0;
static int64 queued_bytes = 0;	/* keys and values held */
static bool limit_noticed = false;
static bool callbacks_registered = false;

QueuedOp *
mcq_op(int64 i)
{
	return &op_blocks[i / OPS_PER_BLOCK][i % OPS_PER_BLOCK];
}

static void
forget_queue(void)
{
	queue_cxt = NULL;
	mcq_count = 0;
	op_blocks = NULL;
	n_op_blocks = op_blocks_cap = 0;
	key_blocks = NULL;
	n_key_blocks = key_blocks_cap = 0;
	key_block = -1;
	key_used = 0;
	queued_bytes = 0;
	limit_noticed = false;
	mc_routes_forget();
	mc_send_forget();
}

/* Appends a pointer to a growable array of blocks. */
static void
push_block(void ***blocks, int *n, int *cap, void *block)
{
	if (*n == *cap)
	{
		*cap = *cap ? *cap * 2 : 16;
		*blocks = *blocks ? repalloc(*blocks, sizeof(void *) * *cap)
			: MemoryContextAlloc(queue_cxt, sizeof(void *) * *cap);
	}
	(*blocks)[(*n)++] = block;
}

static QueuedOp *
new_op(void)
{
	if (mcq_count == (int64) n_op_blocks * OPS_PER_BLOCK)
		push_block((void ***) &op_blocks, &n_op_blocks, &op_blocks_cap,
				   MemoryContextAlloc(queue_cxt, sizeof(QueuedOp) * OPS_PER_BLOCK));
	return mcq_op(mcq_count++);
}

/* Stores prefix || key in the key arena. */
static char *
store_key(const char *prefix, int plen, const char *key, int keylen, uint32 *block)
{
	char	   *k;

	if (key_block < 0 || key_used + plen + keylen > KEY_BLOCK_SIZE)
	{
		if (++key_block == n_key_blocks)
			push_block((void ***) &key_blocks, &n_key_blocks, &key_blocks_cap,
					   MemoryContextAlloc(queue_cxt, KEY_BLOCK_SIZE));
		key_used = 0;
	}
	k = key_blocks[key_block] + key_used;
	memcpy(k, prefix, plen);
	memcpy(k + plen, key, keylen);
	key_used += plen + keylen;
	*block = key_block;
	return k;
}

/* Drops the operations of the aborted (sub)transaction: the queue's tail. */
static void
drop_tail(int level)
{
	while (mcq_count > 0)
	{
		QueuedOp   *op = mcq_op(mcq_count - 1);

		if (op->level < level)
			break;
		if (op->val != NULL)
			pfree(op->val);
		queued_bytes -= op->keylen + op->vallen;
		mc_queue_counters[MC_Q_DROPPED]++;
		key_block = op->kblock;
		key_used = op->key - key_blocks[op->kblock];
		mcq_count--;
	}
}

/*
 * Marks the last operation on each key (per configuration) as the one to
 * send.  Sending them all in order would end the same way (a key's
 * operations reach its server in order, over one connection): this only
 * saves work, so without memory for the table everything is sent.
 */
static void
mark_last_per_key(void)
{
	uint64		cap = 16;
	uint32	   *slots;

	while (cap < (uint64) mcq_count * 2)
		cap *= 2;
	slots = palloc_extended(cap * sizeof(uint32), MCXT_ALLOC_HUGE | MCXT_ALLOC_NO_OOM | MCXT_ALLOC_ZERO);
	for (int64 i = mcq_count - 1; i >= 0; i--)
	{
		QueuedOp   *op = mcq_op(i);
		uint64		j;

		op->flags = (op->flags & (QOP_DELETE | QOP_OVER_LIMIT)) | QOP_KEPT;
		if (slots == NULL)
			continue;
		j = (op->hash ^ (uint32) ((uintptr_t) op->route >> 4) * 0x9e3779b9u) & (cap - 1);
		for (;; j = (j + 1) & (cap - 1))
		{
			QueuedOp   *o;

			if (slots[j] == 0)
			{
				slots[j] = (uint32) (i + 1);
				break;
			}
			o = mcq_op(slots[j] - 1);
			if (o->route == op->route && o->keylen == op->keylen &&
				memcmp(o->key, op->key, op->keylen) == 0)
			{
				op->flags &= ~QOP_KEPT;
				break;
			}
		}
	}
	if (slots != NULL)
		pfree(slots);
}

static void
pre_commit(void)
{
	TimestampTz deadline;

	mark_last_per_key();
	deadline = GetCurrentTimestamp() + (TimestampTz) mc_commit_timeout_ms * 1000;
	(void) mc_order_acquire(deadline);
	mc_external_fds_commit(mc_routes_servers());
	mc_send_prepare();
}

static void
xact_callback(XactEvent event, void *arg)
{
	switch (event)
	{
		case XACT_EVENT_PRE_COMMIT:
			if (mcq_count > 0)
				pre_commit();
			break;
		case XACT_EVENT_COMMIT:
			mc_send_after_commit();
			forget_queue();
			mc_order_cancel_after_commit(false);
			mc_external_fds_commit_done();
			break;
		case XACT_EVENT_PRE_PREPARE:
			if (mcq_count > 0 && IsLogicalWorker())
			{
				/*
				 * A subscription with two_phase replays the publisher's
				 * PREPARE here: an ERROR would fail it again at every
				 * restart of the worker and stop replication for good.
				 * The rows are the database's; the cache is only behind.
				 */
				ereport(WARNING,
						(errcode(ERRCODE_FEATURE_NOT_SUPPORTED),
						 errmsg("memcache: %lld cache operations of a replicated prepared transaction are not sent",
								(long long) mcq_count),
						 errdetail("A prepared transaction commits later, where its queued cache operations cannot follow; the cached copies of its rows stay as they were until written again or expired."),
						 errhint("Create the subscription without two_phase to keep the cache in step.")));
				break;
			}
			if (mcq_count > 0)
				ereport(ERROR,
						(errcode(ERRCODE_FEATURE_NOT_SUPPORTED),
						 errmsg("memcache: cannot PREPARE a transaction with queued cache operations"),
						 errdetail("%lld memcache_*_on_commit operations are queued; they cannot follow the prepared transaction to another session.",
								   (long long) mcq_count)));
			break;
		case XACT_EVENT_ABORT:
		case XACT_EVENT_PREPARE:
		case XACT_EVENT_PARALLEL_ABORT:
			mc_queue_counters[MC_Q_DROPPED] += mcq_count;
			forget_queue();
			mc_order_cancel_after_commit(true);
			mc_external_fds_commit_done();
			break;
		default:
			break;
	}
}

static void
subxact_callback(SubXactEvent event, SubTransactionId mySubid,
				 SubTransactionId parentSubid, void *arg)
{
	int			level;

	if (mcq_count == 0)
		return;
	/* Operations of this subtransaction (or deeper) are the queue's tail. */
	level = GetCurrentTransactionNestLevel();
	if (event == SUBXACT_EVENT_ABORT_SUB)
		drop_tail(level);
	else if (event == SUBXACT_EVENT_COMMIT_SUB)
	{
		for (int64 i = mcq_count - 1; i >= 0; i--)
		{
			QueuedOp   *op = mcq_op(i);

			if (op->level < level)
				break;
			op->level = level - 1;
		}
	}
}

void
mc_queue_op(bool is_delete, const char *key, int keylen,
			const char *val, int vallen, int64 expiry)
{
	const char *prefix = mc_key_prefix ? mc_key_prefix : "";
	int			plen = strlen(prefix);
	int32		exptime = 0;
	bool		over_limit = false;
	QueuedOp	qop,
			   *op;
	int			rc;

	/*
	 * A parallel worker's queue would end with the worker, unsent: only a
	 * wrapper wrongly marked PARALLEL SAFE gets here.
	 */
	if (IsParallelWorker())
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_TRANSACTION_STATE),
				 errmsg("memcache: cache writes cannot be queued in a parallel worker"),
				 errhint("Mark the function that queues them PARALLEL UNSAFE, as memcache_set_on_commit() is.")));
	if (!callbacks_registered)
	{
		RegisterXactCallback(xact_callback, NULL);
		RegisterSubXactCallback(subxact_callback, NULL);
		callbacks_registered = true;
	}
	/* A bad key or expiry is an ERROR now, not a WARNING after commit. */
	mc_load_go();
	rc = mcgo.check_op((char *) prefix, plen, (char *) key, keylen,
					   is_delete ? 0 : expiry, 0, &exptime, &mc_data, &mc_len);
	if (rc != MCGO_OK)
		(void) mc_outcome(rc, is_delete ? "delete_on_commit" : "set_on_commit", key, keylen);

	if (queue_cxt == NULL)
		queue_cxt = AllocSetContextCreate(TopTransactionContext, "memcache commit queue",
										  ALLOCSET_DEFAULT_SIZES);
	if (!is_delete &&
		queued_bytes + plen + keylen + vallen > (int64) mc_commit_queue_limit_kb * 1024)
	{
		is_delete = over_limit = true;
		if (!limit_noticed)
		{
			char		k[300];

			/* ASCII: no client encoding can turn this notice into an ERROR. */
			mc_ascii_copy(k, sizeof(k), key, keylen);
			ereport(NOTICE,
					(errmsg("memcache: this transaction's cache writes reached memcache.commit_queue_limit (%d kB): from key \"%s\" on, a set that does not fit is sent as a delete",
							mc_commit_queue_limit_kb, k),
					 errdetail("A delete keeps the cache correct; the values are read from the database on the next miss.")));
		}
		limit_noticed = true;
	}

	/* Built aside: an ERROR (out of memory) leaves the queue as it was. */
	memset(&qop, 0, sizeof(qop));
	qop.route = mc_route_current(queue_cxt);
	if (!is_delete && vallen > 0)
	{
		qop.val = MemoryContextAlloc(queue_cxt, vallen);
		memcpy(qop.val, val, vallen);
		qop.vallen = vallen;
	}
	qop.key = store_key(prefix, plen, key, keylen, &qop.kblock);
	qop.keylen = plen + keylen;
	qop.hash = hash_bytes((const unsigned char *) qop.key, qop.keylen);
	qop.exptime = exptime;
	qop.level = GetCurrentTransactionNestLevel();
	qop.flags = (is_delete ? QOP_DELETE : 0) | (over_limit ? QOP_OVER_LIMIT : 0);
	op = new_op();
	*op = qop;
	queued_bytes += op->keylen + op->vallen;
	mc_queue_counters[MC_Q_QUEUED]++;
}

void
mc_define_commit_settings(void)
{
	DefineCustomIntVariable("memcache.commit_timeout",
							"Longest wait at COMMIT for the commit-order locks, and longest commit-time send.",
							"Each is bounded by it; memcache.timeout still bounds each step of the send.",
							&mc_commit_timeout_ms,
							5000,
							1,
							600 * 1000,
							PGC_SUSET,
							GUC_UNIT_MS,
							NULL, NULL, NULL);
	DefineCustomIntVariable("memcache.commit_queue_limit",
							"Memory a transaction's queued cache writes may hold; past it sets are queued as deletes.",
							NULL,
							&mc_commit_queue_limit_kb,
							64 * 1024,
							0,
							INT_MAX / 1024,
							PGC_SUSET,
							GUC_UNIT_KB,
							NULL, NULL, NULL);
}

PG_FUNCTION_INFO_V1(memcache_set_on_commit);
Datum
memcache_set_on_commit(PG_FUNCTION_ARGS)
{
	text	   *key = PG_GETARG_TEXT_PP(0);
	struct varlena *val = PG_GETARG_VARLENA_PP(1);
	int64		exp = PG_NARGS() > 2 ? mc_interval_seconds(PG_GETARG_DATUM(2)) : 0;

	mc_queue_op(false, VARDATA_ANY(key), VARSIZE_ANY_EXHDR(key),
				VARDATA_ANY(val), VARSIZE_ANY_EXHDR(val), exp);
	PG_RETURN_VOID();
}

PG_FUNCTION_INFO_V1(memcache_delete_on_commit);
Datum
memcache_delete_on_commit(PG_FUNCTION_ARGS)
{
	text	   *key = PG_GETARG_TEXT_PP(0);

	mc_queue_op(true, VARDATA_ANY(key), VARSIZE_ANY_EXHDR(key), NULL, 0, 0);
	PG_RETURN_VOID();
}
