/*
 * goruntime_limits.h - securing what the Go runtime needs before it starts.
 */
#ifndef MEMCACHE_GORUNTIME_LIMITS_H
#define MEMCACHE_GORUNTIME_LIMITS_H

/*
 * Create the Go runtime's threads and check that its memory fits the
 * backend's limits; raises an ERROR when they do not.  Call before loading
 * memcache_go.so, with no Go runtime running.
 */
extern void mc_go_runtime_secure(void);

#endif
