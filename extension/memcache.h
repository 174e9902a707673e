/*
 * memcache.h - settings shared by the shim's files.
 */
#ifndef MEMCACHE_H
#define MEMCACHE_H

#include "postgres.h"
#include "fmgr.h"

#include "pg_compat.h"

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
extern bool mc_tls;
extern bool mc_tls_insecure_skip_verify;
extern char *mc_tls_ca_file;
extern char *mc_tls_cert_file;
extern char *mc_tls_key_file;
extern char *mc_tls_server_name;
extern char *mc_username;
extern char *mc_password;

/* Servers added in this session by memcache_server_add (may be NULL). */
extern char *mc_added_servers;

/* Defines the TLS and authentication settings (security_settings.c). */
extern void mc_define_security_settings(void);

/* Expiry arguments as memcached seconds: relative, or absolute Unix time. */
extern int64 mc_interval_seconds(Datum interval);
extern int64 mc_timestamptz_unix(Datum ts);

#endif
