/*
 * memcache.h - settings shared by the shim's files.
 */
#ifndef MEMCACHE_H
#define MEMCACHE_H

#include "postgres.h"
#include "fmgr.h"
#include "utils/guc.h"

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

/*
 * The password for memcached's authentication: memcache.password, or the
 * first line of memcache.password_file.  NULL with *err set when the file
 * cannot be used (security_settings.c).
 */
extern char *mc_password_in_effect(char **err);

/* Settings whose bad value can be kept, marked broken (bad_values.c). */
typedef enum McBadSetting
{
	MC_BAD_SERVERS,
	MC_BAD_KEY_PREFIX,
	MC_BAD_TLS_CA_FILE,
	MC_BAD_TLS_CERT_FILE,
	MC_BAD_TLS_KEY_FILE,
	MC_BAD_PASSWORD_FILE,
	MC_BAD_COUNT
} McBadSetting;

/* True while _PG_init defines the settings; true if preloaded. */
extern bool mc_defining_settings;
extern bool mc_preloaded;

/*
 * The end of a check hook that found the value of setting name bad (msg
 * says why): false when it is refused, true with *extra holding the message
 * when it is kept, marked broken.  The assign hook passes extra on to
 * mc_note_bad_value.
 */
extern bool mc_bad_value(const char *name, const char *msg, void **extra,
						 GucSource source);
/* The two halves of mc_bad_value: refuse it here?  Keep it, marked broken. */
extern bool mc_refuse_bad_value(GucSource source);
extern bool mc_keep_bad_value(const char *name, const char *msg, void **extra);
extern void mc_note_bad_value(McBadSetting which, void *extra);

/* The message of a setting kept although bad, or NULL when none is. */
extern const char *mc_bad_values(void);

/* Installs the hooks that end a top-level statement (statement_end.c). */
extern void mc_statement_end_init(void);

/* Expiry arguments as memcached seconds: relative, or absolute Unix time. */
extern int64 mc_interval_seconds(Datum interval);
extern int64 mc_timestamptz_unix(Datum ts);

#endif
