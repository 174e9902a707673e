/*
 * commit_queue.c - cache writes that follow the transaction.
 *
 * memcache_set_on_commit / memcache_delete_on_commit queue operations; the
 * top-level transaction's COMMIT sends them (after the commit is durable and
 * visible, before COMMIT returns to the client), ROLLBACK drops them, and
 * ROLLBACK TO SAVEPOINT drops what was queued inside the savepoint.
 *
 * Order of concurrent writers: in PRE_COMMIT each transaction that sets keys
 * takes a transaction-scoped lock per key slot (hashed into MC_LOCK_SLOTS,
 * acquired in slot order, so these locks cannot deadlock among themselves).
 * PostgreSQL releases a transaction's locks only after the COMMIT callbacks,
 * so a later writer of the same key waits in its own PRE_COMMIT until the
 * earlier send is done: the cache ends with the value that committed last.
 * Deletes alone need no lock: invalidation is order-independent.
 */
#include "postgres.h"

#include "access/xact.h"
#include "common/hashfn.h"
#include "fmgr.h"
#include "miscadmin.h"
#include "storage/lock.h"
#include "utils/hsearch.h"
#include "utils/memutils.h"

#include "abi.h"
#include "commit_queue.h"
#include "gobridge.h"
#include "memcache.h"

/* Key slots for ordering locks; a transaction holds at most this many. */
#define MC_LOCK_SLOTS 64
/* Identifies our advisory locks (pg_locks: classid, objsubid 3). */
#define MC_LOCK_CLASS 0x6d656d63	/* "memc" */

typedef struct QueuedOp
{
	bool		is_delete;
	int			level;			/* transaction nesting level that queued it */
	int64		expiry;
	char	   *key;
	int			keylen;
	char	   *val;
	int			vallen;
} QueuedOp;

/* All in TopTransactionContext; NULL/0 outside a transaction that queued. */
static QueuedOp *queue = NULL;
static int	nqueued = 0;
static int	queue_size = 0;
/* Built in PRE_COMMIT, sent in COMMIT. */
static StringInfo outgoing = NULL;
static int	noutgoing = 0;
static bool callbacks_registered = false;

static void
forget_queue(void)
{
	queue = NULL;
	nqueued = queue_size = 0;
	outgoing = NULL;
	noutgoing = 0;
}

/* The last operation queued for each key, in queue order. */
static void
build_outgoing(uint32 *slots, int *nslots)
{
	HASHCTL		ctl;
	HTAB	   *seen;
	bool	   *keep = palloc0(sizeof(bool) * nqueued);
	bool		slot_used[MC_LOCK_SLOTS] = {false};

	ctl.keysize = 256;
	ctl.entrysize = 256;
	ctl.hcxt = CurrentMemoryContext;
	seen = hash_create("memcache commit keys", Max(nqueued, 16), &ctl,
					   HASH_ELEM | HASH_STRINGS | HASH_CONTEXT);
	for (int i = nqueued - 1; i >= 0; i--)
	{
		char		k[256];
		bool		found;

		memset(k, 0, sizeof(k));
		memcpy(k, queue[i].key, Min(queue[i].keylen, 255));
		hash_search(seen, k, HASH_ENTER, &found);
		keep[i] = !found;
	}
	outgoing = makeStringInfo();
	noutgoing = 0;
	*nslots = 0;
	for (int i = 0; i < nqueued; i++)
	{
		QueuedOp   *op = &queue[i];

		if (!keep[i])
			continue;
		mc_put_op(outgoing, op->is_delete ? MCGO_OP_DELETE : MCGO_OP_SET,
				  op->expiry, op->key, op->keylen, op->val, op->vallen);
		noutgoing++;
		if (!op->is_delete)
		{
			uint32		slot = hash_bytes((const unsigned char *) op->key, op->keylen) % MC_LOCK_SLOTS;

			if (!slot_used[slot])
			{
				slot_used[slot] = true;
				slots[(*nslots)++] = slot;
			}
		}
	}
	hash_destroy(seen);
	pfree(keep);
}

static int
cmp_uint32(const void *a, const void *b)
{
	uint32		x = *(const uint32 *) a,
				y = *(const uint32 *) b;

	return x < y ? -1 : x > y ? 1 : 0;
}

static void
pre_commit(void)
{
	uint32		slots[MC_LOCK_SLOTS];
	int			nslots;
	MemoryContext old = MemoryContextSwitchTo(TopTransactionContext);

	build_outgoing(slots, &nslots);
	MemoryContextSwitchTo(old);

	qsort(slots, nslots, sizeof(uint32), cmp_uint32);
	for (int i = 0; i < nslots; i++)
	{
		LOCKTAG		tag;

		SET_LOCKTAG_ADVISORY(tag, MyDatabaseId, MC_LOCK_CLASS, slots[i], 3);
		(void) LockAcquire(&tag, ExclusiveLock, false, false);
	}
	/* Loading and configuring can fail; here that still aborts cleanly. */
	mc_prepare();
}

/* After commit nothing may raise an ERROR: failures can only warn. */
static void
send_outgoing(void)
{
	int			done = 0;
	int			rc;

	if (outgoing == NULL || noutgoing == 0)
		return;
	rc = mcgo.apply(outgoing->data, outgoing->len, noutgoing, &done, &mc_data, &mc_len);
	if (rc != MCGO_OK && mc_on_error != MC_ON_ERROR_SILENT)
		ereport(WARNING,
				(errcode(rc == MCGO_NETWORK ? ERRCODE_IO_ERROR : ERRCODE_SYSTEM_ERROR),
				 errmsg("memcache: cache writes after commit failed: %.*s", (int) mc_len, mc_data),
				 errdetail("The transaction is committed; %d of %d cache operations were done.",
						   done, noutgoing)));
}

static void
xact_callback(XactEvent event, void *arg)
{
	switch (event)
	{
		case XACT_EVENT_PRE_COMMIT:
			if (nqueued > 0)
				pre_commit();
			break;
		case XACT_EVENT_COMMIT:
			send_outgoing();
			forget_queue();
			break;
		case XACT_EVENT_PRE_PREPARE:
			if (nqueued > 0)
				ereport(ERROR,
						(errcode(ERRCODE_FEATURE_NOT_SUPPORTED),
						 errmsg("memcache: cannot PREPARE a transaction with queued cache operations"),
						 errdetail("%d memcache_*_on_commit operations are queued; they cannot follow the prepared transaction to another session.", nqueued)));
			break;
		case XACT_EVENT_ABORT:
		case XACT_EVENT_PREPARE:
		case XACT_EVENT_PARALLEL_ABORT:
			forget_queue();
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

	if (nqueued == 0)
		return;
	/* Operations of this subtransaction (or deeper) are the queue's tail. */
	level = GetCurrentTransactionNestLevel();
	if (event == SUBXACT_EVENT_ABORT_SUB)
	{
		while (nqueued > 0 && queue[nqueued - 1].level >= level)
			nqueued--;
	}
	else if (event == SUBXACT_EVENT_COMMIT_SUB)
	{
		for (int i = nqueued - 1; i >= 0 && queue[i].level >= level; i--)
			queue[i].level = level - 1;
	}
}

void
mc_queue_op(bool is_delete, const char *key, int keylen,
			const char *val, int vallen, int64 expiry)
{
	MemoryContext old;
	QueuedOp   *op;
	int			rc;

	if (!callbacks_registered)
	{
		RegisterXactCallback(xact_callback, NULL);
		RegisterSubXactCallback(subxact_callback, NULL);
		callbacks_registered = true;
	}
	/* A bad key is an ERROR now, not a WARNING after commit. */
	mc_prepare();
	rc = mcgo.check_key((char *) key, keylen, &mc_data, &mc_len);
	if (rc != MCGO_OK)
		mc_outcome(rc, is_delete ? "delete_on_commit" : "set_on_commit", key, keylen);

	old = MemoryContextSwitchTo(TopTransactionContext);
	if (nqueued == queue_size)
	{
		queue_size = queue_size ? queue_size * 2 : 16;
		queue = queue ? repalloc(queue, sizeof(QueuedOp) * queue_size)
			: palloc(sizeof(QueuedOp) * queue_size);
	}
	op = &queue[nqueued];
	op->is_delete = is_delete;
	op->level = GetCurrentTransactionNestLevel();
	op->expiry = expiry;
	op->key = pnstrdup(key, keylen);
	op->keylen = keylen;
	op->vallen = vallen;
	op->val = NULL;
	if (vallen > 0)
	{
		op->val = palloc(vallen);
		memcpy(op->val, val, vallen);
	}
	nqueued++;
	MemoryContextSwitchTo(old);
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
