/*
 * commit_internal.h - the commit queue's parts: the queue itself
 * (commit_queue.c), the configurations operations were queued under
 * (commit_routes.c), the commit-order locks (commit_order.c) and the send
 * after commit (commit_send.c).
 */
#ifndef MEMCACHE_COMMIT_INTERNAL_H
#define MEMCACHE_COMMIT_INTERNAL_H

#include "postgres.h"

#include "datatype/timestamp.h"

#include "gobridge_abi.h"

/*
 * A configuration operations were queued under: what decides where their
 * keys go (server list, placement, TLS, credentials).  The key prefix is
 * part of each queued key already; the time limits are the ones in effect
 * at COMMIT.  Interned: equal configurations share one McRoute.
 */
typedef struct McRoute
{
	struct McRoute *next;
	mcgo_config cfg;
} McRoute;

/* QueuedOp.flags */
#define QOP_DELETE		0x01	/* a delete (or a set past the queue limit) */
#define QOP_KEPT		0x02	/* the last operation on its key: sent */
#define QOP_UNORDERED	0x04	/* its commit-order lock was not had: sent
								 * as a delete */
#define QOP_OVER_LIMIT	0x08	/* a set queued as a delete: past
								 * memcache.commit_queue_limit */

typedef struct QueuedOp
{
	char	   *key;			/* the full key, prefix included */
	char	   *val;			/* a set's value (NULL: none) */
	McRoute    *route;
	uint32		keylen;
	uint32		vallen;
	uint32		hash;			/* of the key: duplicates, lock tags */
	uint32		kblock;			/* the key's block in the key arena */
	int32		exptime;		/* as sent to memcached */
	int			level;			/* transaction nesting level that queued it */
	uint8		flags;
} QueuedOp;

/* Settings (commit_queue.c). */
extern int	mc_commit_timeout_ms;
extern int	mc_commit_queue_limit_kb;

/* The queue: mcq_count operations, the i-th at mcq_op(i). */
extern int64 mcq_count;
extern QueuedOp *mcq_op(int64 i);

/* commit_routes.c */
extern McRoute *mc_route_current(MemoryContext cxt);
extern void mc_routes_set_limits(int timeout_ms, int retry_delay_ms);
extern void mc_routes_forget(void);

/*
 * commit_order.c: takes the commit-order locks of the kept operations, each
 * waited for until deadline at most; operations whose lock was not had are
 * marked QOP_UNORDERED.  Returns how many.
 */
extern int64 mc_order_acquire(TimestampTz deadline);
extern void mc_order_cancel_after_commit(bool forget);
extern int	mc_routes_servers(void);

/* commit_send.c: what the send needs is taken in PRE_COMMIT, none later. */
extern void mc_send_prepare(void);
extern void mc_send_after_commit(void);
extern void mc_send_forget(void);

#endif
