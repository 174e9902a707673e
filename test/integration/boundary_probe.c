/*
 * boundary_probe.c - loads the installed memcache_go.so the way the shim
 * does (dlopen, RTLD_LOCAL, signals blocked) and checks the boundary rules
 * on the real binary:
 *  - a Go panic (here: a key that says it has 100 bytes at NULL) comes
 *    back as MCGO_INTERNAL with a message, and the runtime keeps working
 *    afterwards;
 *  - Go threads have PostgreSQL's signals blocked (SIGINT, SIGTERM,
 *    SIGALRM, SIGUSR1, SIGURG), so they can never take them.
 */
#define _GNU_SOURCE
#include <dirent.h>
#include <dlfcn.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "gobridge_abi.h"

typedef int (*init_fn) (mcgo_interrupt_flags *, mcgo_counters *, char **, size_t *);
typedef int (*check_fn) (char *, size_t, char *, size_t, int64_t, int, int32_t *, char **, size_t *);
typedef int (*multi_fn) (mcgo_key *, int, char **, size_t *);

static int	failures = 0;

static void
check(int ok, const char *what)
{
	printf("%s - %s\n", ok ? "ok" : "not ok", what);
	if (!ok)
		failures++;
}

/* Is signal sig blocked in thread tid (from /proc/self/task/tid/status)? */
static int
blocked_in(const char *tid, int sig)
{
	char		path[256],
				line[256];
	FILE	   *f;
	unsigned long long mask = 0;

	snprintf(path, sizeof(path), "/proc/self/task/%s/status", tid);
	f = fopen(path, "r");
	if (!f)
		return -1;
	while (fgets(line, sizeof(line), f))
		if (strncmp(line, "SigBlk:", 7) == 0)
			mask = strtoull(line + 7, NULL, 16);
	fclose(f);
	return (mask >> (sig - 1)) & 1;
}

int
main(int argc, char **argv)
{
	static volatile int zero_i = 0;
	static volatile uint32_t zero_u = 0;
	mcgo_interrupt_flags flags = {&zero_i, &zero_i, &zero_i, &zero_u, &zero_u, &zero_u};
	static mcgo_counters counters;
	sigset_t	all,
				saved;
	void	   *h;
	char	   *data = NULL;
	size_t		n = 0;
	int			rc;
	mcgo_key	good = {"k", 1};
	int32_t		exptime;
	DIR		   *d;
	struct dirent *e;
	int			threads = 0,
				leaky = 0;
	char		self[32];

	if (argc != 2)
	{
		fprintf(stderr, "usage: %s /path/to/memcache_go.so\n", argv[0]);
		return 2;
	}
	sigfillset(&all);
	pthread_sigmask(SIG_SETMASK, &all, &saved);
	h = dlopen(argv[1], RTLD_NOW | RTLD_LOCAL);
	pthread_sigmask(SIG_SETMASK, &saved, NULL);
	if (!h)
	{
		printf("not ok - dlopen: %s\n", dlerror());
		return 1;
	}
	rc = ((init_fn) dlsym(h, "mcgo_init")) (&flags, &counters, &data, &n);
	check(rc == MCGO_OK, "mcgo_init");

	rc = ((check_fn) dlsym(h, "mcgo_check_op")) ("", 0, NULL, 100, 0, 0, &exptime, &data, &n);
	printf("#   panic reported as: %.*s\n", n > 4 ? (int) (unsigned char) data[0] : 0, n > 4 ? data + 4 : "");
	check(rc == MCGO_INTERNAL && n > 0 && memmem(data, n, "internal error", 14) != NULL,
		  "a Go panic returns MCGO_INTERNAL with a message (process alive)");

	rc = ((multi_fn) dlsym(h, "mcgo_get_multi")) (&good, 1, &data, &n);
	check(rc == MCGO_CONFIG, "the next call after a panic works (not configured yet)");

	/* Every thread but ours (Go's) must block PostgreSQL's signals. */
	snprintf(self, sizeof(self), "%d", getpid());
	d = opendir("/proc/self/task");
	while (d && (e = readdir(d)) != NULL)
	{
		int			sigs[] = {SIGINT, SIGTERM, SIGALRM, SIGUSR1, SIGHUP, SIGURG};

		if (e->d_name[0] == '.' || strcmp(e->d_name, self) == 0)
			continue;
		threads++;
		for (size_t i = 0; i < sizeof(sigs) / sizeof(sigs[0]); i++)
			if (blocked_in(e->d_name, sigs[i]) != 1)
				leaky++;
	}
	if (d)
		closedir(d);
	printf("#   Go threads: %d\n", threads);
	check(threads > 0 && leaky == 0,
		  "Go threads block SIGINT, SIGTERM, SIGALRM, SIGUSR1, SIGHUP and SIGURG");
	check(blocked_in(self, SIGINT) == 0,
		  "the calling thread keeps its own mask (SIGINT not blocked)");

	return failures ? 1 : 0;
}
