/*
 * gobridge.c - loading the Go object in a backend and acting on its results.
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
#include "utils/memutils.h"

#include "gobridge.h"
#include "goruntime_limits.h"
#include "memcache.h"

GoBridge	mcgo;
char	   *mc_data = NULL;
size_t		mc_len = 0;
bool		mc_config_dirty = true;
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
	RESOLVE(check_servers, "mcgo_check_servers");
	RESOLVE(configure, "mcgo_configure");
	RESOLVE(store, "mcgo_store");
	RESOLVE(get, "mcgo_get");
	RESOLVE(get_multi, "mcgo_get_multi");
	RESOLVE(delete, "mcgo_delete");
	RESOLVE(incr, "mcgo_incr");
	RESOLVE(touch, "mcgo_touch");
	RESOLVE(flush_all, "mcgo_flush_all");
	RESOLVE(stats, "mcgo_stats");
	RESOLVE(servers, "mcgo_servers");
	RESOLVE(server_for_key, "mcgo_server_for_key");
	RESOLVE(check_key, "mcgo_check_key");
	RESOLVE(apply, "mcgo_apply");

	interrupt_flags.interrupt_pending = (volatile int *) &InterruptPending;
	interrupt_flags.query_cancel_pending = (volatile int *) &QueryCancelPending;
	interrupt_flags.proc_die_pending = (volatile int *) &ProcDiePending;
	interrupt_flags.interrupt_holdoff_count = &InterruptHoldoffCount;
	interrupt_flags.query_cancel_holdoff_count = &QueryCancelHoldoffCount;
	interrupt_flags.crit_section_count = &CritSectionCount;

	/* The first call also waits for the runtime to finish starting. */
	pthread_sigmask(SIG_SETMASK, &all, &saved);
	rc = mcgo.init(&interrupt_flags, &mc_data, &mc_len);
	pthread_sigmask(SIG_SETMASK, &saved, NULL);
	if (rc != MCGO_OK)
		ereport(ERROR,
				(errcode(ERRCODE_INTERNAL_ERROR),
				 errmsg("memcache: could not start: %.*s", (int) mc_len, mc_data)));
	mc_go_loaded = true;
}

/* The server list in effect: the setting plus this session's additions. */
static char *
effective_servers(void)
{
	const char *base = mc_servers ? mc_servers : "";

	if (mc_added_servers == NULL)
		return pstrdup(base);
	if (base[strspn(base, " \t\r\n")] == '\0')
		return pstrdup(mc_added_servers);
	return psprintf("%s,%s", base, mc_added_servers);
}

/* TLS and authentication settings, as "name=value" lines for Go. */
static char *
security_settings(void)
{
#define S(v) ((v) ? (v) : "")
	return psprintf("tls=%s\nca=%s\ncert=%s\nkey=%s\nserver_name=%s\ninsecure=%s\nuser=%s\npassword=%s\n",
					mc_tls ? "on" : "off", S(mc_tls_ca_file), S(mc_tls_cert_file),
					S(mc_tls_key_file), S(mc_tls_server_name),
					mc_tls_insecure_skip_verify ? "on" : "off", S(mc_username), S(mc_password));
#undef S
}

void
mc_prepare_slow(void)
{
	char	   *servers;
	char	   *security;
	const char *prefix = mc_key_prefix ? mc_key_prefix : "";
	int			rc;

	mc_load_go();
	servers = effective_servers();
	security = security_settings();
	rc = mcgo.configure(servers, strlen(servers), (char *) prefix, strlen(prefix),
						mc_key_distribution, mc_timeout_ms,
						mc_server_retry_delay_s * 1000, security, strlen(security),
						&mc_data, &mc_len);
	/* The password must not linger in freed memory longer than needed. */
	memset(security, 0, strlen(security));
	pfree(security);
	pfree(servers);
	if (rc != MCGO_OK)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("memcache: %.*s", (int) mc_len, mc_data),
				 errhint("A superuser can correct memcache.servers.")));
	mc_config_dirty = false;
}

/* What memcache.on_error says to do with the failure described in msg. */
static bool
fail_msg(int sqlstate, const char *op, const char *key, int keylen,
		 const char *msg, int msglen)
{
	int			level;

	switch (mc_on_error)
	{
		case MC_ON_ERROR_SILENT:
			return false;
		case MC_ON_ERROR_ERROR:
			level = ERROR;
			break;
		default:
			level = WARNING;
			break;
	}
	if (key != NULL)
		ereport(level,
				(errcode(sqlstate),
				 errmsg("memcache: %s \"%.*s\" failed: %.*s", op, keylen, key,
						msglen, msg)));
	else
		ereport(level,
				(errcode(sqlstate),
				 errmsg("memcache: %s failed: %.*s", op, msglen, msg)));
	return false;
}

static bool
fail(int sqlstate, const char *op, const char *key, int keylen)
{
	return fail_msg(sqlstate, op, key, keylen, mc_data, (int) mc_len);
}

void
mc_partial_failure(int rc, const char *op, const char *msg, int msglen)
{
	if (rc == MCGO_INTERRUPTED)
		CHECK_FOR_INTERRUPTS();
	fail_msg(rc == MCGO_NETWORK ? ERRCODE_IO_ERROR :
			 rc == MCGO_INTERRUPTED ? ERRCODE_QUERY_CANCELED : ERRCODE_SYSTEM_ERROR,
			 op, NULL, 0, msg, msglen);
}

bool
mc_outcome(int rc, const char *op, const char *key, int keylen)
{
	switch (rc)
	{
		case MCGO_OK:
			return true;
		case MCGO_MISS:
			return false;
		case MCGO_INTERRUPTED:
			/* No Go frame is on the stack any more: the ERROR may unwind. */
			CHECK_FOR_INTERRUPTS();
			return fail(ERRCODE_QUERY_CANCELED, op, key, keylen);
		case MCGO_NETWORK:
			return fail(ERRCODE_IO_ERROR, op, key, keylen);
		case MCGO_SERVER:
		case MCGO_NOSERVERS:
		case MCGO_CONFIG:
			return fail(ERRCODE_SYSTEM_ERROR, op, key, keylen);
		case MCGO_TOOLARGE:
			ereport(ERROR,
					(errcode(ERRCODE_PROGRAM_LIMIT_EXCEEDED),
					 errmsg("memcache: value for \"%.*s\" is too large for memcached", keylen, key),
					 errdetail("%.*s", (int) mc_len, mc_data),
					 errhint("memcached's item size limit is set by its -I option (1 MB by default).")));
			break;
		case MCGO_BADARG:
		case MCGO_BADKEY:
			ereport(ERROR,
					(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
					 errmsg("memcache: %.*s", (int) mc_len, mc_data)));
			break;
		case MCGO_NONNUMERIC:
			ereport(ERROR,
					(errcode(ERRCODE_INVALID_TEXT_REPRESENTATION),
					 errmsg("memcache: %s \"%.*s\": the stored value is not a number", op, keylen, key)));
			break;
		default:
			ereport(ERROR,
					(errcode(ERRCODE_INTERNAL_ERROR),
					 errmsg("memcache: %s: %.*s", op, (int) mc_len, mc_data)));
	}
	return false;
}
