/*
 * backend_floor.c - the benchmark's floor for many backends (run.sh): what a
 * backend pays for carrying what a Go runtime brings, without Go.
 * pgmemcache's backends call one of these once per session, then run the
 * same workload as without it:
 *   bench_idle_threads(n): n threads that only sleep (the Go runtime keeps 4);
 *   bench_touch_regions(n): one page written in each of n 2 MB regions of
 *     its own (the Go runtime touches 8 that a backend without it does not),
 *     each a page table page of its own;
 *   bench_touch_pages(n): n pages written, side by side (the Go runtime and
 *     its object map about 1,300 pages that a backend without it does not).
 * Not part of the extension: it is built and installed by run.sh only.
 */
#include "postgres.h"

#include <pthread.h>
#include <signal.h>
#include <sys/mman.h>
#include <unistd.h>

#include "fmgr.h"

PG_MODULE_MAGIC;

#define REGION (2 * 1024 * 1024)

static void *
sleeper(void *arg)
{
	(void) arg;
	for (;;)
		pause();
	return NULL;
}

PG_FUNCTION_INFO_V1(bench_idle_threads);
Datum
bench_idle_threads(PG_FUNCTION_ARGS)
{
	int			n = PG_GETARG_INT32(0);
	sigset_t	all,
				old;
	int			made = 0;

	/* As the extension's threads: no signal of PostgreSQL's lands on them. */
	sigfillset(&all);
	pthread_sigmask(SIG_SETMASK, &all, &old);
	for (int i = 0; i < n; i++)
	{
		pthread_t	t;

		if (pthread_create(&t, NULL, sleeper, NULL) == 0)
		{
			pthread_detach(t);
			made++;
		}
	}
	pthread_sigmask(SIG_SETMASK, &old, NULL);
	PG_RETURN_INT32(made);
}

/*
 * Writes one byte every stride bytes, n times, in memory of its own mapped
 * with one stride more, so that n whole aligned strides fit.
 */
static void
touch(int n, size_t stride)
{
	char	   *p;

	p = mmap(NULL, (size_t) (n + 1) * stride, PROT_READ | PROT_WRITE,
			 MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
	if (p == MAP_FAILED)
		elog(ERROR, "mmap failed: %m");
	p = (char *) (((uintptr_t) p + stride - 1) & ~((uintptr_t) stride - 1));
	for (int i = 0; i < n; i++)
		p[(size_t) i * stride] = 1;
}

PG_FUNCTION_INFO_V1(bench_touch_regions);
Datum
bench_touch_regions(PG_FUNCTION_ARGS)
{
	int			n = PG_GETARG_INT32(0);

	if (n > 0)
		touch(n, REGION);
	PG_RETURN_INT32(Max(n, 0));
}

PG_FUNCTION_INFO_V1(bench_touch_pages);
Datum
bench_touch_pages(PG_FUNCTION_ARGS)
{
	int			n = PG_GETARG_INT32(0);

	if (n > 0)
		touch(n, (size_t) sysconf(_SC_PAGESIZE));
	PG_RETURN_INT32(Max(n, 0));
}
