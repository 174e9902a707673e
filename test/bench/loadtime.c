/*
 * loadtime: what loading a library and making its first call costs in a
 * fresh process, outside any database: the floor of a backend's first
 * call. In each of N forked children: dlopen(LIB), then FUNC(...) once;
 * it prints the medians of the dlopen time, the first call's time (for a
 * Go object: its runtime finishing its start) and the page faults of both.
 * FUNC is called with pointers to zeroed memory (mcgo_init's shape: four
 * pointers; a C function with fewer arguments ignores the rest).
 *
 *	loadtime -n 31 LIB FUNC
 *	loadtime -costs     one CPUID instruction and one page fault, in us
 */
#include <cpuid.h>
#include <dlfcn.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

static double
now_us(void)
{
	struct timespec t;

	clock_gettime(CLOCK_MONOTONIC, &t);
	return t.tv_sec * 1e6 + t.tv_nsec / 1e3;
}

static long
faults(void)
{
	struct rusage r;

	getrusage(RUSAGE_SELF, &r);
	return r.ru_minflt + r.ru_majflt;
}

static int
cmp(const void *a, const void *b)
{
	double		x = *(const double *) a,
				y = *(const double *) b;

	return (x > y) - (x < y);
}

static double
median(double *v, int n)
{
	qsort(v, n, sizeof(double), cmp);
	return v[n / 2];
}

/* costs: one CPUID (a VM exit under virtualization) and one page fault */
static void
costs(void)
{
	unsigned	a,
				b,
				c,
				d;
	int			n = 2000;
	double		t;
	char	   *p = mmap(NULL, (size_t) n * 4096, PROT_READ | PROT_WRITE,
						 MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);

	if (p == MAP_FAILED)
		exit(1);
	t = now_us();
	for (int i = 0; i < n; i++)
		__cpuid_count(7, 0, a, b, c, d);
	printf("cpuid_us %.2f\n", (now_us() - t) / n);
	t = now_us();
	for (int i = 0; i < n; i++)
		p[(size_t) i * 4096] = 1;
	printf("fault_us %.2f\n", (now_us() - t) / n);
}

int
main(int argc, char **argv)
{
	int			n = 31;
	double	   *open_us,
			   *call_us,
			   *fl;

	if (argc == 2 && strcmp(argv[1], "-costs") == 0)
	{
		costs();
		return 0;
	}
	if (argc == 5 && strcmp(argv[1], "-n") == 0)
	{
		n = atoi(argv[2]);
		argv += 2;
		argc -= 2;
	}
	if (argc != 3 || n < 1)
	{
		fprintf(stderr, "usage: loadtime [-n N] LIB FUNC | loadtime -costs\n");
		return 2;
	}
	open_us = calloc(n, sizeof(double));
	call_us = calloc(n, sizeof(double));
	fl = calloc(n, sizeof(double));
	for (int i = 0; i < n; i++)
	{
		int			p[2];
		double		r[3];
		pid_t		pid;

		if (pipe(p) != 0 || (pid = fork()) < 0)
			return 1;
		if (pid == 0)
		{
			/* what the shim does: signals blocked while Go starts */
			static volatile int zero[64];
			volatile int *flags[8];
			char	   *data;
			size_t		len;
			sigset_t	all,
						saved;
			void	   *h;
			int			(*fn) (void *, void *, void *, void *);
			long		f0 = faults();
			double		t0 = now_us(),
						t1;

			for (int k = 0; k < 8; k++)
				flags[k] = &zero[k];
			sigfillset(&all);
			pthread_sigmask(SIG_SETMASK, &all, &saved);
			h = dlopen(argv[1], RTLD_NOW | RTLD_LOCAL);
			t1 = now_us();
			if (h == NULL || (*(void **) &fn = dlsym(h, argv[2])) == NULL)
			{
				fprintf(stderr, "%s\n", dlerror());
				_exit(1);
			}
			fn(flags, NULL, &data, &len);
			pthread_sigmask(SIG_SETMASK, &saved, NULL);
			r[0] = t1 - t0;
			r[1] = now_us() - t1;
			r[2] = faults() - f0;
			if (write(p[1], r, sizeof(r)) != sizeof(r))
				_exit(1);
			_exit(0);
		}
		close(p[1]);
		if (read(p[0], r, sizeof(r)) != sizeof(r))
			return 1;
		open_us[i] = r[0];
		call_us[i] = r[1];
		fl[i] = r[2];
		close(p[0]);
		waitpid(pid, NULL, 0);
	}
	printf("runs %d\ndlopen_ms %.3f\nfirstcall_ms %.3f\nfaults %.0f\n",
		   n, median(open_us, n) / 1e3, median(call_us, n) / 1e3, median(fl, n));
	return 0;
}
