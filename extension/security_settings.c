/*
 * security_settings.c - memcache.tls* and the ASCII authentication
 * settings.  All superuser-only; the password is also hidden from
 * non-superusers in SHOW and pg_settings (GUC_SUPERUSER_ONLY).
 */
#include "postgres.h"

#include "utils/guc.h"

#include "gobridge.h"
#include "memcache.h"

bool		mc_tls = false;
bool		mc_tls_insecure_skip_verify = false;
char	   *mc_tls_ca_file = NULL;
char	   *mc_tls_cert_file = NULL;
char	   *mc_tls_key_file = NULL;
char	   *mc_tls_server_name = NULL;
char	   *mc_username = NULL;
char	   *mc_password = NULL;

static void
assign_bool(bool newval, void *extra)
{
	mc_config_dirty = true;
}

static void
assign_string(const char *newval, void *extra)
{
	mc_config_dirty = true;
}

/* Values travel to Go as lines: no line breaks in them. */
static bool
check_one_line(char **newval, void **extra, GucSource source)
{
	if (*newval && strpbrk(*newval, "\r\n") != NULL)
	{
		GUC_check_errdetail("The value must not contain a line break.");
		return false;
	}
	return true;
}

static bool
check_username(char **newval, void **extra, GucSource source)
{
	if (*newval && strpbrk(*newval, " \t\r\n") != NULL)
	{
		GUC_check_errdetail("memcached user names cannot contain white space.");
		return false;
	}
	return true;
}

static void
define_path(const char *name, const char *desc, char **var)
{
	DefineCustomStringVariable(name, desc, NULL, var, "", PGC_SUSET, 0,
							   check_one_line, assign_string, NULL);
}

void
mc_define_security_settings(void)
{
	DefineCustomBoolVariable("memcache.tls",
							 "Connect to memcached over TLS.",
							 "The server's certificate is verified against memcache.tls_ca_file and its host name.",
							 &mc_tls, false, PGC_SUSET, 0, NULL, assign_bool, NULL);
	define_path("memcache.tls_ca_file",
				"PEM file of the CAs that sign memcached's certificates (empty: the system's).",
				&mc_tls_ca_file);
	define_path("memcache.tls_cert_file",
				"PEM client certificate, for servers that require one.", &mc_tls_cert_file);
	define_path("memcache.tls_key_file",
				"PEM key of the client certificate.", &mc_tls_key_file);
	define_path("memcache.tls_server_name",
				"Name to verify the server certificate against (empty: the host of each server).",
				&mc_tls_server_name);
	DefineCustomBoolVariable("memcache.tls_insecure_skip_verify",
							 "INSECURE: accept any server certificate (no CA or host name check).",
							 "Anyone between the database and memcached can then read and change the data.",
							 &mc_tls_insecure_skip_verify, false, PGC_SUSET, 0,
							 NULL, assign_bool, NULL);
	DefineCustomStringVariable("memcache.username",
							   "User for memcached's ASCII authentication (-Y); empty: none.",
							   NULL, &mc_username, "", PGC_SUSET, 0,
							   check_username, assign_string, NULL);
	DefineCustomStringVariable("memcache.password",
							   "Password for memcached's ASCII authentication.",
							   NULL, &mc_password, "", PGC_SUSET,
							   GUC_SUPERUSER_ONLY | GUC_NO_SHOW_ALL | GUC_NOT_IN_SAMPLE,
							   check_one_line, assign_string, NULL);
}
