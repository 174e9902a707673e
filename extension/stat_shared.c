/*
 * stat_shared.c - the counters of every backend, summed in shared memory.
 *
 * With the module in shared_preload_libraries, a fixed table in shared
 * memory holds one row per server address (MC_SHARED_SERVERS; the last one
 * takes any address after that) and the commit queue's counters.  Each
 * backend adds what it counted since its last flush at the end of every
 * transaction that counted something (COMMIT, ABORT, PREPARE callbacks): a
 * view read in another session shows every finished transaction's calls.
 *
 * The flush runs where an ERROR would be a PANIC (after commit) or a
 * second error (abort), so it allocates nothing (its bookkeeping is
 * static), and it waits for no one: rows are only ever added (a reset
 * zeroes them and keeps them), so a backend finds its rows once, under an
 * LWLock (which holds interrupts and cannot be cancelled), and from then
 * on only adds, with one atomic add per counter that moved.  A
 * transaction that made no call costs one comparison.
 *
 * PostgreSQL calls transaction callbacks newest first; this one is
 * registered in _PG_init, before the commit queue's, so it runs after the
 * commit-time send and counts it in the same transaction.
 */
#include "postgres.h"

#include "access/xact.h"
#include "miscadmin.h"
#include "storage/ipc.h"
#include "storage/lwlock.h"
#include "storage/shmem.h"
#include "utils/timestamp.h"

#include "pg_compat.h"
#include "stat.h"

#define MC_SHARED_SERVERS 128
#define MC_LOCK_TRANCHE "memcache"

typedef struct McSharedServer
{
	char		addr[MCGO_STAT_ADDR_LEN];
	pg_atomic_uint64 c[MCGO_STAT_COUNT];
} McSharedServer;

typedef struct McShared
{
	LWLock	   *lock;			/* for adding rows, and reading them all */
	int			nservers;		/* rows in use: they stay for good */
	pg_atomic_uint64 queue[MC_Q_COUNT];
	McSharedServer servers[MC_SHARED_SERVERS];
} McShared;

static McShared *shared = NULL;

#ifdef MC_HAVE_SHMEM_REQUEST_HOOK
static shmem_request_hook_type prev_shmem_request_hook = NULL;
#endif
static shmem_startup_hook_type prev_shmem_startup_hook = NULL;

/* What this backend has added so far: static, so the flush allocates nothing. */
static uint64 flushed[MCGO_STAT_ROWS][MCGO_STAT_COUNT];
static uint64 flushed_queue[MC_Q_COUNT];
static uint64 flushed_seq = 0;
/* The shared row of each local row, known for the first `resolved` rows. */
static int	shared_row[MCGO_STAT_ROWS];
static int	resolved = 0;

static void
request_shmem(void)
{
	RequestAddinShmemSpace(MAXALIGN(sizeof(McShared)));
	RequestNamedLWLockTranche(MC_LOCK_TRANCHE, 1);
}

#ifdef MC_HAVE_SHMEM_REQUEST_HOOK
static void
shmem_request(void)
{
	if (prev_shmem_request_hook)
		prev_shmem_request_hook();
	request_shmem();
}
#endif

static void
shmem_startup(void)
{
	bool		found;

	if (prev_shmem_startup_hook)
		prev_shmem_startup_hook();
	LWLockAcquire(AddinShmemInitLock, LW_EXCLUSIVE);
	shared = ShmemInitStruct("memcache counters", sizeof(McShared), &found);
	if (!found)
	{
		memset(shared, 0, sizeof(McShared));
		shared->lock = &(GetNamedLWLockTranche(MC_LOCK_TRANCHE))->lock;
		for (int q = 0; q < MC_Q_COUNT; q++)
			pg_atomic_init_u64(&shared->queue[q], 0);
		for (int s = 0; s < MC_SHARED_SERVERS; s++)
			for (int k = 0; k < MCGO_STAT_COUNT; k++)
				pg_atomic_init_u64(&shared->servers[s].c[k], 0);
	}
	LWLockRelease(AddinShmemInitLock);
}

static void
flush_at_end(XactEvent event, void *arg)
{
	if (event == XACT_EVENT_COMMIT || event == XACT_EVENT_ABORT ||
		event == XACT_EVENT_PREPARE)
		mc_stat_flush();
}

void
mc_stat_init(void)
{
	if (!process_shared_preload_libraries_in_progress)
		return;
#ifdef MC_HAVE_SHMEM_REQUEST_HOOK
	prev_shmem_request_hook = shmem_request_hook;
	shmem_request_hook = shmem_request;
#else
	request_shmem();
#endif
	prev_shmem_startup_hook = shmem_startup_hook;
	shmem_startup_hook = shmem_startup;
	RegisterXactCallback(flush_at_end, NULL);
}

bool
mc_stat_shared(void)
{
	return shared != NULL;
}

/* The shared row for addr, added if new; the last row when full.  Exclusive lock held. */
static int
find_or_add(const char *addr)
{
	int			i;

	for (i = 0; i < shared->nservers; i++)
		if (strcmp(shared->servers[i].addr, addr) == 0)
			return i;
	if (i == MC_SHARED_SERVERS)
		return MC_SHARED_SERVERS - 1;
	strlcpy(shared->servers[i].addr,
			i == MC_SHARED_SERVERS - 1 ? "(other servers)" : addr, MCGO_STAT_ADDR_LEN);
	shared->nservers++;
	return i;
}

static bool
queue_moved(void)
{
	for (int q = 0; q < MC_Q_COUNT; q++)
		if (mc_queue_counters[q] != flushed_queue[q])
			return true;
	return false;
}

void
mc_stat_flush(void)
{
	int			nrows = mc_counters.nrows;

	if (shared == NULL || (mc_counters.seq == flushed_seq && !queue_moved()))
		return;
	if (resolved < nrows)
	{
		LWLockAcquire(shared->lock, LW_EXCLUSIVE);
		for (; resolved < nrows; resolved++)
			shared_row[resolved] = find_or_add(mc_counters.rows[resolved].addr);
		LWLockRelease(shared->lock);
	}
	for (int r = 0; r < nrows; r++)
	{
		const uint64_t *now = mc_counters.rows[r].c;
		McSharedServer *s = &shared->servers[shared_row[r]];

		for (int k = 0; k < MCGO_STAT_COUNT; k++)
			if (now[k] != flushed[r][k])
			{
				pg_atomic_fetch_add_u64(&s->c[k], (int64) (now[k] - flushed[r][k]));
				flushed[r][k] = now[k];
			}
	}
	for (int q = 0; q < MC_Q_COUNT; q++)
		if (mc_queue_counters[q] != flushed_queue[q])
		{
			pg_atomic_fetch_add_u64(&shared->queue[q],
									(int64) (mc_queue_counters[q] - flushed_queue[q]));
			flushed_queue[q] = mc_queue_counters[q];
		}
	flushed_seq = mc_counters.seq;
}

void
mc_stat_read_shared(int *nservers, char (**addrs)[MCGO_STAT_ADDR_LEN],
					uint64 (**counts)[MCGO_STAT_COUNT], uint64 *queue)
{
	int			n;

	Assert(shared != NULL);
	*addrs = palloc(sizeof(**addrs) * MC_SHARED_SERVERS);
	*counts = palloc(sizeof(**counts) * MC_SHARED_SERVERS);
	LWLockAcquire(shared->lock, LW_SHARED);
	n = shared->nservers;
	for (int i = 0; i < n; i++)
	{
		memcpy((*addrs)[i], shared->servers[i].addr, MCGO_STAT_ADDR_LEN);
		for (int k = 0; k < MCGO_STAT_COUNT; k++)
			(*counts)[i][k] = pg_atomic_read_u64(&shared->servers[i].c[k]);
	}
	for (int q = 0; q < MC_Q_COUNT; q++)
		queue[q] = pg_atomic_read_u64(&shared->queue[q]);
	LWLockRelease(shared->lock);
	*nservers = n;
}

void
mc_stat_reset_shared(void)
{
	Assert(shared != NULL);
	LWLockAcquire(shared->lock, LW_SHARED);
	for (int i = 0; i < shared->nservers; i++)
		for (int k = 0; k < MCGO_STAT_COUNT; k++)
			pg_atomic_write_u64(&shared->servers[i].c[k], 0);
	for (int q = 0; q < MC_Q_COUNT; q++)
		pg_atomic_write_u64(&shared->queue[q], 0);
	LWLockRelease(shared->lock);
}
