/*
 * go_threads.c - part of the Go object (memcache_go.so): where the Go
 * runtime's threads come from.
 *
 * memcache_go.so is linked with --wrap for pthread_create and
 * pthread_attr_getstacksize, so that
 * runtime/cgo's calls of them land here (nobody else's: --wrap only applies
 * to the objects linked into memcache_go.so).  A new M starts on one of the
 * threads the shim created before the runtime started
 * (memcache_go_thread_start): that is all the runtime needs, as all the
 * network I/O is done by the backend's own thread.  A thread beyond those
 * is refused (EAGAIN), and the patched scheduler carries on with the
 * threads it has (goruntime/) instead of aborting the backend.
 */
#include <errno.h>
#include <pthread.h>
#include <stddef.h>

#include "go_threads.h"

extern int	__real_pthread_create(pthread_t *thread, const pthread_attr_t *attr,
								  void *(*fn) (void *), void *arg);
extern int	__wrap_pthread_create(pthread_t *thread, const pthread_attr_t *attr,
								  void *(*fn) (void *), void *arg);
extern int	__wrap_pthread_attr_getstacksize(const pthread_attr_t *attr, size_t *size);

/* Resolved when the shim has loaded this object; NULL in a bare dlopen. */
#pragma weak memcache_go_thread_start

int
__wrap_pthread_create(pthread_t *thread, const pthread_attr_t *attr,
					  void *(*fn) (void *), void *arg)
{
	pthread_attr_t own;
	int			rc;

	(void) attr;
	/* Go's threads are detached: nobody joins them, no id is needed. */
	*thread = 0;
	if (memcache_go_thread_start != NULL &&
		memcache_go_thread_start(fn, arg) == 0)
		return 0;

	/*
	 * All taken: the runtime goes on with the threads it has (its patched
	 * scheduler treats EAGAIN as "not now"), so a backend never has more
	 * than the threads made before the runtime started, whatever limits
	 * the process meets later.  (Loaded without the shim, by the boundary
	 * test's bare dlopen: every thread is created here.)
	 */
	if (memcache_go_thread_start != NULL)
		return EAGAIN;
	pthread_attr_init(&own);
	pthread_attr_setdetachstate(&own, PTHREAD_CREATE_DETACHED);
	pthread_attr_setstacksize(&own, MC_GO_THREAD_STACK);
	rc = __real_pthread_create(thread, &own, fn, arg);
	pthread_attr_destroy(&own);
	if (rc == 0)
		pthread_setname_np(*thread, "memcache go");
	return rc;
}

/*
 * runtime/cgo asks the default attributes for the stack size of a new
 * thread and tells the runtime the thread's stack is that big: tell it the
 * size of the stacks it really gets.
 */
int
__wrap_pthread_attr_getstacksize(const pthread_attr_t *attr, size_t *size)
{
	(void) attr;
	*size = MC_GO_THREAD_STACK_USABLE;
	return 0;
}
