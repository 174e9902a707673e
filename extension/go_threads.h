/*
 * go_threads.h - the threads of the Go runtime, shared by the shim
 * (goruntime_limits.c, which creates them before the runtime starts) and the
 * Go object (go_threads.c, which hands them to the runtime).
 */
#ifndef MEMCACHE_GO_THREADS_H
#define MEMCACHE_GO_THREADS_H

/*
 * How many threads the Go runtime of a backend gets, all created before it
 * starts: the one that runs its start-up and then the runtime's own work
 * (GC), sysmon, and two for Ms the scheduler starts while those are busy
 * (measured: four is what the runtime asks for; it is patched to carry on
 * with the threads it has when it cannot get another, see goruntime/).
 */
#define MC_GO_THREADS		4

/*
 * Stack size of each.  Go code runs on goroutine stacks of its own; these
 * only carry the runtime's scheduler and GC (pure Go threads get 16 kB) and
 * the few C functions runtime/cgo calls (malloc, mmap).  8 MB, the default,
 * would be charged to the commit limit for every thread of every backend.
 */
#define MC_GO_THREAD_STACK	(256 * 1024)

/*
 * What the runtime is told of it: the stack less the guard page, the
 * thread's TLS and control block above its first frame, and a margin.
 */
#define MC_GO_THREAD_STACK_USABLE	(MC_GO_THREAD_STACK - 32 * 1024)

/*
 * Defined by the shim (memcache.so): starts fn(arg) on one of the threads
 * created before the runtime started.  Returns 0, or EAGAIN when all are in
 * use.  The Go object refers to it weakly: loaded without the shim (tests),
 * it creates its threads itself.
 */
extern int	memcache_go_thread_start(void *(*fn) (void *), void *arg);

#endif
