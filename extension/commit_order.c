/*
 * commit_order.c - commit-order locks: the cache ends with what committed
 * last.
 *
 * In PRE_COMMIT a transaction locks every key it will send, set or delete.
 * PostgreSQL releases a transaction's locks only after its COMMIT callbacks,
 * where the send happens, so a later writer of the same key waits in its
 * own PRE_COMMIT until the earlier send is done, and sends in commit order.
 * A delete needs it too: a transaction that deletes a row another has just
 * updated must not get its delete to memcached before the other's set.
 *
 * Locks, in the standard lock manager, as advisory tags shared by all
 * databases (memcached's keys are): classid MC_LOCK_CLASS, objid a 32-bit
 * hash of the full key (objsubid 4) or one of 64 key slots (objsubid 3).
 * A transaction of at most MC_KEY_LOCKS keys locks each key (two unrelated
 * keys meet 1 time in 2^32) and takes an intent lock on its slot; a larger
 * one locks whole slots, so that a 100k-row UPDATE needs 64 locks, not
 * 100k entries of the shared lock table.  Modes (multiple granularity
 * locking, as in PostgreSQL's own table): a set takes Exclusive on its key
 * and RowExclusive (intent) on its slot, a delete Share and RowShare; a
 * large transaction takes Exclusive or Share on the slot.  Deletes do not
 * wait for each other; everything waits for a set in flight; small
 * transactions on different keys never wait for each other.  Locks are
 * taken in one global order (slots, then keys, each ascending), so these
 * locks cannot deadlock among themselves.
 *
 * The wait must never fail the COMMIT: it is a loop of conditional
 * acquisitions (no lock queue, so no lock_timeout, no deadlock check, no
 * "out of shared memory" ERROR) with 1 ms sleeps, in which a cancel,
 * statement_timeout or transaction_timeout is not honoured (it would roll
 * back the write, or end the session once it has committed; it is dropped:
 * it was meant for this COMMIT, except in a procedure, where it comes back
 * after the commit to cancel the CALL) and a terminate is (FATAL, before
 * the commit). It lasts memcache.commit_timeout at most; an
 * operation whose lock was not had by then is sent as a delete, with a
 * WARNING: a delete can never leave an older value in the cache behind a
 * later writer, which an unordered set could.
 */
#include "postgres.h"

#include "miscadmin.h"
#include "storage/latch.h"
#include "storage/lock.h"
#include "tcop/pquery.h"
#include "utils/portal.h"
#include "utils/timestamp.h"

#include "commit_internal.h"
#include "memcache.h"
#include "stat.h"

#define MC_LOCK_CLASS	0x6d656d63	/* "memc" */
#define MC_SLOTS		64
#define MC_KEY_LOCKS	32
#define SUB_SLOT		3
#define SUB_KEY			4

typedef struct OrderLock
{
	uint32		id;				/* slot or key hash */
	bool		set;			/* some operation under it is a set */
	bool		had;
} OrderLock;

static int
cmp_lock(const void *a, const void *b)
{
	uint32		x = ((const OrderLock *) a)->id,
				y = ((const OrderLock *) b)->id;

	return x < y ? -1 : x > y ? 1 : 0;
}

/* When this commit began to wait for a lock (0: it has not). */
static TimestampTz wait_start = 0;

/*
 * Takes one lock, trying until deadline (once, if it has passed).  Nothing
 * here raises an ERROR; a pending terminate ends the backend.
 */
static bool
acquire(uint32 id, uint16 sub, LOCKMODE mode, TimestampTz deadline)
{
	LOCKTAG		tag;

	SET_LOCKTAG_ADVISORY(tag, InvalidOid, MC_LOCK_CLASS, id, sub);
	for (;;)
	{
		if (LockAcquireNoWait(&tag, mode) != LOCKACQUIRE_NOT_AVAIL)
			return true;
		if (wait_start == 0)
			wait_start = GetCurrentTimestamp();
		if (ProcDiePending)
			CHECK_FOR_INTERRUPTS();
		if (GetCurrentTimestamp() >= deadline)
			return false;
		(void) WaitLatch(MyLatch, WL_LATCH_SET | WL_TIMEOUT | WL_EXIT_ON_PM_DEATH,
						 1, PG_WAIT_EXTENSION);
		ResetLatch(MyLatch);
	}
}

static OrderLock *
find(OrderLock *locks, int n, uint32 id)
{
	for (int i = 0; i < n; i++)
		if (locks[i].id == id)
			return &locks[i];
	return NULL;
}

/* A cancel that came during the wait, for the statement after the commit. */
static bool cancel_after_commit = false;

/*
 * Whether this is the COMMIT of a procedure or DO block, after which the
 * statement goes on; not a COMMIT statement, nor the implicit commit after
 * a statement (no portal is active then).  The portal tells, not the
 * executor hooks: the module may have been loaded inside the procedure.
 */
static bool
commit_in_procedure(void)
{
	return ActivePortal != NULL &&
		(ActivePortal->commandTag == CMDTAG_CALL || ActivePortal->commandTag == CMDTAG_DO);
}

/*
 * After the commit (its callback, interrupts held): the procedure's next
 * check for interrupts cancels it.  Only flags are set: nothing here can
 * fail.  forget: the transaction aborted instead.
 */
void
mc_order_cancel_after_commit(bool forget)
{
	if (cancel_after_commit && !forget)
	{
		QueryCancelPending = true;
		InterruptPending = true;
	}
	cancel_after_commit = false;
}

int64
mc_order_acquire(TimestampTz deadline)
{
	OrderLock	slots[MC_SLOTS];	/* indexed by slot */
	bool		slot_used[MC_SLOTS] = {false};
	OrderLock	keys[MC_KEY_LOCKS];
	int			nkeys = 0;
	bool		per_key = true;
	bool		cancel_before = QueryCancelPending;
#if PG_VERSION_NUM >= 170000
	bool		timeout_before = TransactionTimeoutPending;
#endif
	int64		unordered = 0;

	for (int64 i = 0; i < mcq_count; i++)
	{
		QueuedOp   *op = mcq_op(i);
		bool		set = !(op->flags & QOP_DELETE);
		uint32		slot = op->hash % MC_SLOTS;
		OrderLock  *l;

		if (!(op->flags & QOP_KEPT))
			continue;
		if (!slot_used[slot])
		{
			slot_used[slot] = true;
			slots[slot].id = slot;
			slots[slot].set = false;
		}
		slots[slot].set |= set;
		if (!per_key)
			continue;
		if ((l = find(keys, nkeys, op->hash)) == NULL)
		{
			if (nkeys == MC_KEY_LOCKS)
			{
				per_key = false;
				continue;
			}
			l = &keys[nkeys++];
			l->id = op->hash;
			l->set = false;
		}
		l->set |= set;
	}
	if (!per_key)
		nkeys = 0;

	for (int s = 0; s < MC_SLOTS; s++)
	{
		LOCKMODE	mode;

		if (!slot_used[s])
			continue;
		mode = per_key ? (slots[s].set ? RowExclusiveLock : RowShareLock)
			: (slots[s].set ? ExclusiveLock : ShareLock);
		slots[s].had = acquire(s, SUB_SLOT, mode, deadline);
	}
	qsort(keys, nkeys, sizeof(OrderLock), cmp_lock);
	for (int i = 0; i < nkeys; i++)
		keys[i].had = acquire(keys[i].id, SUB_KEY,
							  keys[i].set ? ExclusiveLock : ShareLock, deadline);

	/*
	 * A cancel (or statement_timeout) that came during the wait was meant
	 * for this COMMIT, which goes on: it must not cancel the next statement
	 * of the same query string.  A COMMIT inside a CALL or a DO block is
	 * not the statement: it comes back once the commit is done
	 * (mc_order_cancel_after_commit), else the procedure would run on
	 * with its statement_timeout gone, which is not armed again.
	 */
	if (QueryCancelPending && !cancel_before)
	{
		QueryCancelPending = false;
		cancel_after_commit = commit_in_procedure();
	}
#if PG_VERSION_NUM >= 170000
	if (TransactionTimeoutPending && !timeout_before)
		TransactionTimeoutPending = false;
#endif

	if (wait_start != 0)
	{
		mc_queue_counters[MC_Q_WAITS]++;
		mc_queue_counters[MC_Q_WAIT_US] += GetCurrentTimestamp() - wait_start;
		wait_start = 0;
	}

	for (int64 i = 0; i < mcq_count; i++)
	{
		QueuedOp   *op = mcq_op(i);

		if (!(op->flags & QOP_KEPT))
			continue;
		if (!slots[op->hash % MC_SLOTS].had ||
			(per_key && !find(keys, nkeys, op->hash)->had))
		{
			op->flags |= QOP_UNORDERED;
			unordered++;
		}
	}
	if (unordered > 0 && mc_on_error != MC_ON_ERROR_SILENT)
		ereport(WARNING,
				(errcode(ERRCODE_LOCK_NOT_AVAILABLE),
				 errmsg("memcache: " INT64_FORMAT " cache writes of this transaction are sent as deletes: other transactions' commit-time sends to their keys did not end within memcache.commit_timeout (%d ms)",
						unordered, mc_commit_timeout_ms),
				 errdetail("The transaction commits. A delete cannot leave an older value in the cache; the next read of these keys misses.")));
	return unordered;
}
