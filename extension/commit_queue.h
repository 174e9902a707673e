/*
 * commit_queue.h - queueing cache operations until the transaction commits.
 */
#ifndef MEMCACHE_COMMIT_QUEUE_H
#define MEMCACHE_COMMIT_QUEUE_H

#include "postgres.h"

/* Queues a set (or delete) to be sent when the top-level transaction commits. */
extern void mc_queue_op(bool is_delete, const char *key, int keylen,
						const char *val, int vallen, int64 expiry);

#endif
