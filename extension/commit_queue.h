/*
 * commit_queue.h - queueing cache operations until the transaction commits.
 */
#ifndef MEMCACHE_COMMIT_QUEUE_H
#define MEMCACHE_COMMIT_QUEUE_H

#include "postgres.h"

/*
 * Queues a set (or delete) to be sent when the top-level transaction
 * commits.  The key, the expiry (relative seconds, 0: never) and the
 * configuration that decides where the key goes (memcache.key_prefix, the
 * server list, placement, TLS) are checked and fixed now: a bad key or an
 * expiry memcached cannot take is an ERROR here, and nothing about the
 * operation fails later but memcached itself.  It needs no memcached
 * server and no configured client.
 */
extern void mc_queue_op(bool is_delete, const char *key, int keylen,
						const char *val, int vallen, int64 expiry);

/* Defines memcache.commit_timeout and memcache.commit_queue_limit. */
extern void mc_define_commit_settings(void);

#endif
