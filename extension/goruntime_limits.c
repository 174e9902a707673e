/*
 * goruntime_limits.c - what the Go runtime needs from a backend, secured
 * before it starts.
 *
 * The Go runtime aborts the whole process when it cannot create a thread or
 * map memory, and PostgreSQL then restarts every session.  So, before
 * memcache_go.so is loaded (which starts the runtime), on the backend's
 * thread, where a failure is an ERROR of the calling session:
 *  - the threads the runtime uses are created here (MC_GO_THREADS, small
 *    stacks, all signals blocked) and wait until it asks for one
 *    (memcache_go_thread_start).  At a process limit (ulimit -u, a
 *    container's pids limit) it is this that fails.  The runtime asks for
 *    more only while Go code waits in system calls on several goroutines at
 *    once; it is patched (goruntime/) to carry on without a thread it
 *    cannot have;
 *  - the address space (ulimit -v) and, under vm.overcommit_memory = 2, the
 *    commit limit must have room for what the runtime maps when it starts.
 */
#include "postgres.h"

#include <errno.h>
#include <malloc.h>
#include <pthread.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/resource.h>
#include <unistd.h>

#include "go_threads.h"
#include "goruntime_limits.h"

/*
 * What loading memcache_go.so and starting its runtime adds to a backend,
 * with a margin: virtual size, mostly address space the runtime reserves
 * without using it, and commit charge, the writable private memory Linux
 * counts against vm.overcommit_memory = 2's limit (9 MB measured).  The
 * virtual size is 13 MB plus one 64 MB heap arena (77 MB measured, the same
 * in 400 fresh backends), but where its address hint is taken the runtime
 * reserves twice the arena to align one: 141 MB.  (Go 1.26 also started the
 * heap at a random offset within its first arena, which could leave that
 * one full at once; goruntime/heap_room.patch starts it at the beginning.)
 * So two arenas, the 4 MB the runtime reserves for its own structures
 * (goruntime/address_reserve.patch), 145 MB, and a margin.
 * test/bench/run.sh measures both; test/integration/limits.sh checks that a
 * backend given less address space than this check asks for still fails
 * cleanly.
 */
#define GO_ADDRESS_SPACE	(148L * 1024 * 1024)
#define GO_COMMIT			(16L * 1024 * 1024)

/* Freed heap glibc keeps for the next statement (see mc_go_runtime_secure). */
#define TRIM_KEEP			(2L * 1024 * 1024)

/* The threads that wait for the runtime (see memcache_go_thread_start). */
static struct
{
	pthread_mutex_t mu;
	pthread_cond_t cv;
	int			waiting;		/* threads ready and not yet promised */
	int			generation;		/* bumped to release the waiting threads */
	int			njobs;
	struct
	{
		void	   *(*fn) (void *);
		void	   *arg;
	}			jobs[MC_GO_THREADS];
}			pool = {PTHREAD_MUTEX_INITIALIZER, PTHREAD_COND_INITIALIZER};

static void *
pool_thread(void *gen)
{
	void	   *(*fn) (void *);
	void	   *arg;

	/* Named from inside: cheaper than from the creating thread (a file in /proc). */
	pthread_setname_np(pthread_self(), "memcache go");
	pthread_mutex_lock(&pool.mu);
	while (pool.njobs == 0 && pool.generation == (int) (intptr_t) gen)
		pthread_cond_wait(&pool.cv, &pool.mu);
	if (pool.njobs == 0)
	{
		/* Released: the pool could not be completed. */
		pthread_mutex_unlock(&pool.mu);
		return NULL;
	}
	pool.njobs--;
	fn = pool.jobs[pool.njobs].fn;
	arg = pool.jobs[pool.njobs].arg;
	pthread_mutex_unlock(&pool.mu);
	return fn(arg);
}

/*
 * Called by the Go object's pthread_create (go_threads.c), from any thread,
 * with signals blocked: start fn(arg) on a waiting thread.
 */
int
memcache_go_thread_start(void *(*fn) (void *), void *arg)
{
	pthread_mutex_lock(&pool.mu);
	if (pool.waiting == 0)
	{
		pthread_mutex_unlock(&pool.mu);
		return EAGAIN;
	}
	pool.waiting--;
	pool.jobs[pool.njobs].fn = fn;
	pool.jobs[pool.njobs].arg = arg;
	pool.njobs++;
	pthread_cond_signal(&pool.cv);
	pthread_mutex_unlock(&pool.mu);
	return 0;
}

/*
 * How many threads to create: MC_GO_THREADS, or fewer when the server was
 * started with MEMCACHE_TEST_GO_THREADS in its environment, but not less
 * than 3 (the runtime's start-up thread, sysmon, and an M to run what the
 * start-up thread waits for while runtime.main holds it).  For tests only:
 * with threads this scarce the scheduler is refused one at every turn, the
 * path on which it once lost its work (test/integration/scarce_threads.sh).
 */
static int
go_threads(void)
{
	const char *v = getenv("MEMCACHE_TEST_GO_THREADS");
	int			n = v != NULL ? atoi(v) : 0;

	return n >= 3 && n < MC_GO_THREADS ? n : MC_GO_THREADS;
}

/*
 * Create the runtime's threads; 0 or the error of the thread that could not
 * be created, in which case those created are released (a backend that
 * cannot use the extension should not hold threads).
 */
static int
create_threads(void)
{
	pthread_attr_t attr;
	sigset_t	all,
				saved;
	int			rc = 0;
	int			want = go_threads();

	pthread_attr_init(&attr);
	pthread_attr_setdetachstate(&attr, PTHREAD_CREATE_DETACHED);
	pthread_attr_setstacksize(&attr, MC_GO_THREAD_STACK);
	/* Go's threads inherit this mask: PostgreSQL's signals stay ours. */
	sigfillset(&all);
	pthread_sigmask(SIG_SETMASK, &all, &saved);
	pthread_mutex_lock(&pool.mu);
	while (pool.waiting < want)
	{
		pthread_t	t;

		rc = pthread_create(&t, &attr, pool_thread, (void *) (intptr_t) pool.generation);
		if (rc != 0)
			break;
		pool.waiting++;
	}
	if (rc != 0)
	{
		pool.generation++;
		pool.waiting = 0;
		pthread_cond_broadcast(&pool.cv);
	}
	pthread_mutex_unlock(&pool.mu);
	pthread_sigmask(SIG_SETMASK, &saved, NULL);
	pthread_attr_destroy(&attr);
	return rc;
}

/* The backend's virtual size in bytes, or -1. */
static long
virtual_size(void)
{
	FILE	   *f = fopen("/proc/self/statm", "r");
	long		pages = -1;

	if (f == NULL)
		return -1;
	if (fscanf(f, "%ld", &pages) != 1)
		pages = -1;
	fclose(f);
	return pages < 0 ? -1 : pages * sysconf(_SC_PAGESIZE);
}

/* A number from a file of /proc, or dflt. */
static long
proc_long(const char *path, long dflt)
{
	FILE	   *f = fopen(path, "r");
	long		v = dflt;

	if (f == NULL)
		return dflt;
	if (fscanf(f, "%ld", &v) != 1)
		v = dflt;
	fclose(f);
	return v;
}

/*
 * Under strict overcommit, true and the commit charge this backend may
 * still take (negative when it is over); false otherwise.  As the kernel
 * counts it (__vm_enough_memory in mm/util.c): the limit less what is
 * committed, less the reserve kept for the administrator (a backend never
 * has CAP_SYS_ADMIN), less the one kept for a user to recover,
 * min(virtual size / 32, vm.user_reserve_kbytes).  The administrator's
 * reserve is 8 MB by default, but some machines set it to hundreds of MB:
 * left out, the check passed and a thread's stack was refused instead.
 */
static bool
commit_available(long *avail)
{
	FILE	   *f;
	char		line[128];
	long		limit = -1,
				committed = -1,
				vsz;

	if (proc_long("/proc/sys/vm/overcommit_memory", 0) != 2)
		return false;
	f = fopen("/proc/meminfo", "r");
	if (f == NULL)
		return false;
	while (fgets(line, sizeof(line), f))
	{
		sscanf(line, "CommitLimit: %ld kB", &limit);
		sscanf(line, "Committed_AS: %ld kB", &committed);
	}
	fclose(f);
	if (limit < 0 || committed < 0)
		return false;
	/* the size once Go has reserved its address space, when it allocates */
	vsz = Max(virtual_size(), 0) + GO_ADDRESS_SPACE + (long) MC_GO_THREADS * MC_GO_THREAD_STACK;
	*avail = (limit - committed
			- proc_long("/proc/sys/vm/admin_reserve_kbytes", 0)
			- Min(vsz / 1024 / 32, proc_long("/proc/sys/vm/user_reserve_kbytes", 0))) * 1024;
	return true;
}

void
mc_go_runtime_secure(void)
{
	struct rlimit rl;
	long		vsz,
				avail;
	int			rc;

	if (getrlimit(RLIMIT_AS, &rl) == 0 && rl.rlim_cur != RLIM_INFINITY &&
		(vsz = virtual_size()) >= 0 &&
		vsz + GO_ADDRESS_SPACE + (long) MC_GO_THREADS * MC_GO_THREAD_STACK > (long) rl.rlim_cur)
		ereport(ERROR,
				(errcode(ERRCODE_OUT_OF_MEMORY),
				 errmsg("memcache: not enough address space to start the Go runtime"),
				 errdetail("It needs %ld MB; the backend uses %ld MB of its %ld MB limit.",
						   (GO_ADDRESS_SPACE + MC_GO_THREADS * MC_GO_THREAD_STACK) >> 20,
						   vsz >> 20, (long) (rl.rlim_cur >> 20)),
				 errhint("Raise the virtual memory limit of the server (ulimit -v).")));

	if (commit_available(&avail) &&
		avail < GO_COMMIT + (long) MC_GO_THREADS * MC_GO_THREAD_STACK)
		ereport(ERROR,
				(errcode(ERRCODE_OUT_OF_MEMORY),
				 errmsg("memcache: not enough memory to start the Go runtime"),
				 errdetail("It needs %ld MB of commit charge; %ld MB are left to this backend under the commit limit (vm.overcommit_memory = 2), after the kernel's reserves (vm.admin_reserve_kbytes, vm.user_reserve_kbytes).",
						   (GO_COMMIT + MC_GO_THREADS * MC_GO_THREAD_STACK) >> 20, Max(avail, 0) >> 20)));

	/*
	 * glibc gives each thread that first uses malloc or free an arena of
	 * its own, 64 MB of address space: Go's threads share the backend's.
	 */
	mallopt(M_ARENA_MAX, 1);

	/*
	 * glibc gives the top of the heap back to the kernel whenever 128 kB
	 * of it are free, and PostgreSQL frees a statement's memory at its
	 * end: the next statement takes it back one page fault (and zeroed
	 * page) at a time, and in a process with threads each shrink is also
	 * a TLB flush.  A get_multi of 100 values of 10 kB spent 10% of its
	 * time in those faults; keeping 2 MB made it 1.5x faster.  Blocks from
	 * 1 MB up are mapped of their own and go back when freed: glibc's
	 * adaptive thresholds (which setting one value switches off) kept
	 * 3 MB more in a backend after 100k calls; these, none.
	 */
	mallopt(M_MMAP_THRESHOLD, TRIM_KEEP / 2);
	mallopt(M_TRIM_THRESHOLD, TRIM_KEEP);

	rc = create_threads();
	if (rc != 0)
		ereport(ERROR,
				(errcode(ERRCODE_INSUFFICIENT_RESOURCES),
				 errmsg("memcache: could not create the threads of the Go runtime: %s", strerror(rc)),
				 errdetail("Each backend that uses the extension needs %d threads besides its own.",
						   MC_GO_THREADS),
				 errhint("The process limit of the server's user (ulimit -u) or its container's pids limit is reached.")));
}
