/*
 * memcache.c - module entry point and the memcache.* settings.
 *
 * This file, like the whole shim, is free of Go: loading it (also through
 * shared_preload_libraries, in the postmaster) starts no Go runtime.  The Go
 * object is loaded by gobridge.c on first use in a backend.
 */
#include "postgres.h"

#include <limits.h>

#include "fmgr.h"
#include "miscadmin.h"
#include "utils/guc.h"

#include "commit_queue.h"
#include "gobridge.h"
#include "memcache.h"
#include "server_list.h"
#include "stat.h"

MC_MODULE_MAGIC;

char	   *mc_servers = NULL;
char	   *mc_key_prefix = NULL;
int			mc_key_distribution = MCGO_DIST_CACHE_MEMCACHED;
int			mc_timeout_ms = 1000;
int			mc_on_error = MC_ON_ERROR_WARNING;
int			mc_server_retry_delay_s = 5;

static const struct config_enum_entry distribution_options[] = {
	{"cache_memcached", MCGO_DIST_CACHE_MEMCACHED, false},
	{"gomemcache", MCGO_DIST_GOMEMCACHE, false},
	{"php_memcache", MCGO_DIST_PHP_MEMCACHE, false},
	{"libmemcached", MCGO_DIST_LIBMEMCACHED, false},
	{"ketama", MCGO_DIST_KETAMA, false},
	{NULL, 0, false}
};

static const struct config_enum_entry on_error_options[] = {
	{"warning", MC_ON_ERROR_WARNING, false},
	{"error", MC_ON_ERROR_ERROR, false},
	{"silent", MC_ON_ERROR_SILENT, false},
	{NULL, 0, false}
};

void		_PG_init(void);

static void
mark_dirty(void)
{
	mc_config_dirty = true;
}

static void
assign_int_dirty(int newval, void *extra)
{
	mark_dirty();
}

/*
 * The server list is parsed in C (server_list.c, held to the Go client's
 * parser by gosrc/cparse), so a value is checked wherever it is set, the
 * postmaster included, without starting Go.
 */
static bool
check_servers(char **newval, void **extra, GucSource source)
{
	size_t		len;
	char	   *msg;
	bool		ok;

	if (*newval == NULL)
		return true;
	len = 8 * strlen(*newval) + 256;	/* the entry quoted twice, escaped */
	msg = palloc(len);
	ok = mc_parse_server_list(*newval, NULL, NULL, msg, len) >= 0 ||
		mc_bad_value("memcache.servers", msg, extra, source);
	if (!ok)
		GUC_check_errhint("Use a comma-separated list of host[:port], [ipv6]:port or /path/to/socket entries.");
	pfree(msg);
	return ok;
}

static void
assign_servers(const char *newval, void *extra)
{
	mc_note_bad_value(MC_BAD_SERVERS, extra);
}

/* Why a key prefix cannot be one, or NULL. */
static char *
key_prefix_problem(const char *p)
{
	size_t		len = strlen(p);

	if (len >= 250)
		return psprintf("The prefix is %zu bytes; it must leave room for the key within memcached's 250 bytes.", len);
	for (; *p; p++)
	{
		unsigned char c = (unsigned char) *p;

		if (c <= 0x20 || c == 0x7f)
			return psprintf("memcached keys must not contain spaces or control characters (byte 0x%02x).", c);
	}
	return NULL;
}

/*
 * A bad prefix kept from the configuration file (see bad_values.c) stops
 * the cache rather than let keys leave their namespace.
 */
static bool
check_key_prefix(char **newval, void **extra, GucSource source)
{
	char	   *why;
	bool		ok;

	if (*newval == NULL || (why = key_prefix_problem(*newval)) == NULL)
		return true;
	if (mc_refuse_bad_value(source))
	{
		GUC_check_errdetail("%s", why);
		ok = false;
	}
	else
		ok = mc_keep_bad_value("memcache.key_prefix", why, extra);
	pfree(why);
	return ok;
}

static void
assign_key_prefix(const char *newval, void *extra)
{
	mc_note_bad_value(MC_BAD_KEY_PREFIX, extra);
}

void
_PG_init(void)
{
	/* A value set before the module was loaded is checked now. */
	mc_defining_settings = true;
	mc_preloaded = process_shared_preload_libraries_in_progress;

	DefineCustomStringVariable("memcache.servers",
							   "memcached servers: comma-separated host[:port], [ipv6]:port or /path/to.sock.",
							   "The order decides which server holds a key. Empty: no server.",
							   &mc_servers,
							   "127.0.0.1:11211",
							   PGC_SUSET,
							   0,
							   check_servers, assign_servers, NULL);

	DefineCustomEnumVariable("memcache.key_distribution",
							 "How keys are placed on servers, to match the application's memcached client.",
							 NULL,
							 &mc_key_distribution,
							 MCGO_DIST_CACHE_MEMCACHED,
							 distribution_options,
							 PGC_SUSET,
							 0,
							 NULL, assign_int_dirty, NULL);

	DefineCustomStringVariable("memcache.key_prefix",
							   "Prefix added to every key (a namespace; settable per role or database).",
							   NULL,
							   &mc_key_prefix,
							   "",
							   PGC_SUSET,
							   0,
							   check_key_prefix, assign_key_prefix, NULL);

	DefineCustomIntVariable("memcache.timeout",
							"How long a call may wait for one memcached server.",
							"Connecting, sending and its replies, added up; the backend's own work does not count.",
							&mc_timeout_ms,
							1000,
							1,
							INT_MAX / 1000,
							PGC_USERSET,
							GUC_UNIT_MS,
							NULL, assign_int_dirty, NULL);

	DefineCustomIntVariable("memcache.server_retry_delay",
							"After a server times out, calls for its keys fail at once for this long.",
							"Then one call tries the server again. A refused connection marks nothing. 0 turns this off.",
							&mc_server_retry_delay_s,
							5,
							0,
							3600,
							PGC_SUSET,
							GUC_UNIT_S,
							NULL, assign_int_dirty, NULL);

	DefineCustomEnumVariable("memcache.on_error",
							 "What a failed memcached call does: warning (and false/NULL), error, or silent.",
							 NULL,
							 &mc_on_error,
							 MC_ON_ERROR_WARNING,
							 on_error_options,
							 PGC_USERSET,
							 0,
							 NULL, NULL, NULL);

	mc_define_security_settings();
	mc_define_commit_settings();
	mc_defining_settings = false;
	mc_statement_end_init();
	mc_stat_init();

	MarkGUCPrefixReserved("memcache");
}
