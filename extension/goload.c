/*
 * goload.c - loading the Go object in a backend.
 *
 * The Go runtime starts when memcache_go.so is dlopen()ed.  That happens
 * here, on first use in a backend, never in the postmaster: a Go runtime
 * does not survive fork().  All signals are blocked around the dlopen, so
 * the threads Go starts inherit a mask that keeps PostgreSQL's signals
 * (SIGINT, SIGTERM, SIGALRM, SIGUSR1, SIGURG latch wakeups) on the
 * backend's own thread.  RTLD_LOCAL plus the version script of the Go
 * object keep its symbols from meeting another Go runtime's.
 */
#include "postgres.h"

#include <dlfcn.h>
#include <pthread.h>
#include <signal.h>

#include "miscadmin.h"

#include "abi.h"
#include "gobridge.h"
#include "goruntime_limits.h"
#include "stat.h"

GoBridge	mcgo;
char	   *mc_data = NULL;
size_t		mc_len = 0;
bool		mc_go_loaded = false;

static mcgo_interrupt_flags interrupt_flags;

/*
 * A signal that arrives while the backend's thread runs Go code would run
 * PostgreSQL's handler on a small goroutine stack.  With SA_ONSTACK it runs
 * on the signal stack Go gives every thread that calls into it.
 */
static void
handlers_on_signal_stack(void)
{
	for (int sig = 1; sig < NSIG; sig++)
	{
		struct sigaction act;

		if (sig == SIGKILL || sig == SIGSTOP || sigaction(sig, NULL, &act) != 0)
			continue;
		if (act.sa_handler == SIG_DFL || act.sa_handler == SIG_IGN ||
			(act.sa_flags & SA_ONSTACK))
			continue;
		act.sa_flags |= SA_ONSTACK;
		sigaction(sig, &act, NULL);
	}
}

#define RESOLVE(field, name) \
	do { \
		*(void **) &mcgo.field = dlsym(handle, name); \
		if (mcgo.field == NULL) \
			ereport(ERROR, \
					(errcode(ERRCODE_INTERNAL_ERROR), \
					 errmsg("memcache: symbol %s missing from %s", name, path))); \
	} while (0)

void
mc_load_go(void)
{
	char		path[MAXPGPATH];
	sigset_t	all,
				saved;
	void	   *handle;
	int			rc;

	if (mc_go_loaded)
		return;
	if (!IsUnderPostmaster && IsPostmasterEnvironment)
		elog(ERROR, "memcache: the Go runtime must not start in the postmaster");

	snprintf(path, sizeof(path), "%s/memcache_go.so", pkglib_path);
	handlers_on_signal_stack();
	mc_go_runtime_secure();

	sigfillset(&all);
	pthread_sigmask(SIG_SETMASK, &all, &saved);
	handle = dlopen(path, RTLD_NOW | RTLD_LOCAL);
	pthread_sigmask(SIG_SETMASK, &saved, NULL);
	if (handle == NULL)
		ereport(ERROR,
				(errcode(ERRCODE_UNDEFINED_FILE),
				 errmsg("memcache: could not load \"%s\": %s", path, dlerror())));

	RESOLVE(init, "mcgo_init");
	RESOLVE(configure, "mcgo_configure");
	RESOLVE(store, "mcgo_store");
	RESOLVE(get, "mcgo_get");
	RESOLVE(gets, "mcgo_gets");
	RESOLVE(gat, "mcgo_gat");
	RESOLVE(cas, "mcgo_cas");
	RESOLVE(get_multi, "mcgo_get_multi");
	RESOLVE(release, "mcgo_release");
	RESOLVE(delete, "mcgo_delete");
	RESOLVE(incr, "mcgo_incr");
	RESOLVE(touch, "mcgo_touch");
	RESOLVE(flush_all, "mcgo_flush_all");
	RESOLVE(stats, "mcgo_stats");
	RESOLVE(servers, "mcgo_servers");
	RESOLVE(server_for_key, "mcgo_server_for_key");
	RESOLVE(check_op, "mcgo_check_op");
	RESOLVE(apply, "mcgo_apply");

	interrupt_flags.interrupt_pending = (volatile int *) &InterruptPending;
	interrupt_flags.query_cancel_pending = (volatile int *) &QueryCancelPending;
	interrupt_flags.proc_die_pending = (volatile int *) &ProcDiePending;
	interrupt_flags.interrupt_holdoff_count = &InterruptHoldoffCount;
	interrupt_flags.query_cancel_holdoff_count = &QueryCancelHoldoffCount;
	interrupt_flags.crit_section_count = &CritSectionCount;

	mc_external_fds_runtime();
	/* The first call also waits for the runtime to finish starting. */
	pthread_sigmask(SIG_SETMASK, &all, &saved);
	rc = mcgo.init(&interrupt_flags, &mc_counters, &mc_data, &mc_len);
	pthread_sigmask(SIG_SETMASK, &saved, NULL);
	if (rc != MCGO_OK)
		ereport(ERROR,
				(errcode(ERRCODE_INTERNAL_ERROR),
				 errmsg("memcache: could not start: %s", mc_failure_message(mc_data, mc_len))));
	mc_go_loaded = true;
}

void
mc_release_result(void)
{
	if (mc_go_loaded)
		mcgo.release();
}
