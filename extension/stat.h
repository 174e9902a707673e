/*
 * stat.h - counters of what the cache does (memcache_stat_local, the
 * memcache_stat view).
 *
 * Per server, kept by Go in mc_counters (gobridge_abi.h: mcgo_counters),
 * C-owned memory that Go increments during calls.  For the commit queue,
 * kept by the commit path in mc_queue_counters.  Both are this backend's,
 * plain increments on its one thread; with the module preloaded they are
 * also added to shared memory at every transaction end (stat_shared.c).
 */
#ifndef MEMCACHE_STAT_H
#define MEMCACHE_STAT_H

#include "postgres.h"

#include "gobridge_abi.h"

/* Counters of the commit queue: indices into mc_queue_counters. */
#define MC_Q_XACTS		0	/* transactions committed with queued operations */
#define MC_Q_QUEUED		1	/* operations queued */
#define MC_Q_DROPPED	2	/* rolled back with their transaction or savepoint */
#define MC_Q_SUPERSEDED 3	/* replaced by a later operation on the key */
#define MC_Q_SENT		4	/* done at commit */
#define MC_Q_FAILED		5	/* not done at commit: cache writes lost */
#define MC_Q_OVER_LIMIT 6	/* sets sent as deletes: commit_queue_limit */
#define MC_Q_UNORDERED	7	/* sent as deletes: the commit-order wait timed out */
#define MC_Q_WAITS		8	/* commits that waited for the commit-order locks */
#define MC_Q_WAIT_US	9	/* their time waiting */
#define MC_Q_COUNT		10

extern mcgo_counters mc_counters;
extern uint64 mc_queue_counters[MC_Q_COUNT];

/* Sets up the shared counters when preloaded (from _PG_init). */
extern void mc_stat_init(void);

/*
 * Adds what this backend counted since the last time to the shared
 * counters.  Nothing when not preloaded.  Raises nothing and allocates
 * nothing: it runs in COMMIT and ABORT callbacks.
 */
extern void mc_stat_flush(void);

/* Whether the shared counters exist (the module was preloaded). */
extern bool mc_stat_shared(void);

/*
 * A copy of the shared counters: *nservers rows of addresses and counters
 * (palloc'd), and the queue's.
 */
extern void mc_stat_read_shared(int *nservers, char (**addrs)[MCGO_STAT_ADDR_LEN],
								uint64 (**counts)[MCGO_STAT_COUNT], uint64 *queue);

/* Zeroes the shared counters (the rows of the servers stay). */
extern void mc_stat_reset_shared(void);

#endif
