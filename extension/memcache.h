/*
 * memcache.h - settings shared by the shim's files.
 */
#ifndef MEMCACHE_H
#define MEMCACHE_H

#include "postgres.h"
#include "fmgr.h"

typedef enum McOnError
{
	MC_ON_ERROR_WARNING,
	MC_ON_ERROR_ERROR,
	MC_ON_ERROR_SILENT
} McOnError;

extern char *mc_servers;
extern char *mc_key_prefix;
extern int	mc_key_distribution;
extern int	mc_timeout_ms;
extern int	mc_on_error;
extern int	mc_server_retry_delay_s;

/* Servers added in this session by memcache_server_add (may be NULL). */
extern char *mc_added_servers;

/* Expiry arguments as memcached seconds: relative, or absolute Unix time. */
extern int64 mc_interval_seconds(Datum interval);
extern int64 mc_timestamptz_unix(Datum ts);

#endif
