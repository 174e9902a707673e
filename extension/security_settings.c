/*
 * security_settings.c - memcache.tls* and the ASCII authentication
 * settings.  All superuser-only; the password is also hidden from
 * non-superusers in SHOW and pg_settings (GUC_SUPERUSER_ONLY).
 *
 * The password never goes into a catalog: ALTER ROLE/DATABASE ... SET and
 * a function's SET clause would store it where every role can read it
 * (pg_db_role_setting, pg_proc.proconfig).  It belongs in postgresql.conf
 * or postgresql.auto.conf (ALTER SYSTEM), which only the server reads, or
 * in a file named by memcache.password_file.
 */
#include "postgres.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include "miscadmin.h"
#include "storage/fd.h"
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
char	   *mc_password_file = NULL;

/* The password file's first line is the password: at most this long. */
#define MAX_PASSWORD_FILE 4096

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

/* Sources that store a value in a catalog every role can read. */
static bool
catalog_source(GucSource source)
{
	/* PGC_S_TEST: ALTER ROLE/DATABASE ... SET, a function's SET clause. */
	return source == PGC_S_TEST || source == PGC_S_GLOBAL ||
		source == PGC_S_DATABASE || source == PGC_S_USER ||
		source == PGC_S_DATABASE_USER;
}

static bool
check_password(char **newval, void **extra, GucSource source)
{
	if (*newval == NULL || (*newval)[0] == '\0')
		return true;
	if (catalog_source(source))
	{
		GUC_check_errmsg("memcache.password cannot be set by ALTER ROLE, ALTER DATABASE or a function's SET clause");
		GUC_check_errdetail("They store it in a catalog that every role can read.");
		GUC_check_errhint("Set it in postgresql.conf or with ALTER SYSTEM, or name a file only the server can read in memcache.password_file.");
		return false;
	}
	return check_one_line(newval, extra, source);
}

/* Why path cannot be opened for reading, or NULL. */
static char *
unreadable(const char *path)
{
	int			fd = open(path, O_RDONLY | PG_BINARY, 0);
	struct stat st;
	char	   *why = NULL;

	if (fd < 0)
		return psprintf("could not open \"%s\": %m", path);
	if (fstat(fd, &st) != 0)
		why = psprintf("could not stat \"%s\": %m", path);
	else if (!S_ISREG(st.st_mode))
		why = psprintf("\"%s\" is not a regular file", path);
	close(fd);
	return why;
}

/* A file setting: one line, and a file this server can read. */
static bool
check_file(const char *name, char **newval, void **extra, GucSource source)
{
	char	   *why;
	bool		ok;

	if (!check_one_line(newval, extra, source))
		return false;
	if (*newval == NULL || (*newval)[0] == '\0')
		return true;
	why = unreadable(*newval);
	if (why == NULL)
		return true;
	ok = mc_bad_value(name, why, extra, source);
	pfree(why);
	return ok;
}

#define FILE_SETTING(var, setting, which) \
	static bool \
	check_##var(char **newval, void **extra, GucSource source) \
	{ \
		return check_file(setting, newval, extra, source); \
	} \
	static void \
	assign_##var(const char *newval, void *extra) \
	{ \
		mc_note_bad_value(which, extra); \
	}

FILE_SETTING(tls_ca_file, "memcache.tls_ca_file", MC_BAD_TLS_CA_FILE)
FILE_SETTING(tls_cert_file, "memcache.tls_cert_file", MC_BAD_TLS_CERT_FILE)
FILE_SETTING(tls_key_file, "memcache.tls_key_file", MC_BAD_TLS_KEY_FILE)
FILE_SETTING(password_file, "memcache.password_file", MC_BAD_PASSWORD_FILE)

/*
 * The password file must not be readable by others: owned by the server's
 * user with no group or other access, or owned by root with at most group
 * read (PostgreSQL's rule for ssl_key_file).
 */
static char *
read_password_file(const char *path, char **err)
{
	int			fd = OpenTransientFile(path, O_RDONLY | PG_BINARY);
	struct stat st;
	char		buf[MAX_PASSWORD_FILE + 1];
	ssize_t		n;
	char	   *line;

	if (fd < 0)
	{
		*err = psprintf("memcache.password_file: could not open \"%s\": %m", path);
		return NULL;
	}
	if (fstat(fd, &st) != 0 || !S_ISREG(st.st_mode) ||
		(st.st_uid == geteuid() && (st.st_mode & (S_IRWXG | S_IRWXO)) != 0) ||
		(st.st_uid == 0 && (st.st_mode & (S_IWGRP | S_IXGRP | S_IRWXO)) != 0) ||
		(st.st_uid != geteuid() && st.st_uid != 0))
	{
		CloseTransientFile(fd);
		*err = psprintf("memcache.password_file \"%s\" must be a regular file owned by the database user with permissions u=rw (0600) or less, or owned by root with u=rw,g=r (0640) or less", path);
		return NULL;
	}
	n = read(fd, buf, MAX_PASSWORD_FILE);
	CloseTransientFile(fd);
	if (n < 0)
	{
		*err = psprintf("memcache.password_file: could not read \"%s\": %m", path);
		return NULL;
	}
	buf[n] = '\0';
	buf[strcspn(buf, "\r\n")] = '\0';
	if (buf[0] == '\0')
	{
		*err = psprintf("memcache.password_file \"%s\" holds no password on its first line", path);
		return NULL;
	}
	line = pstrdup(buf);
	explicit_bzero(buf, sizeof(buf));
	return line;
}

char *
mc_password_in_effect(char **err)
{
	const char *file = mc_password_file ? mc_password_file : "";

	*err = NULL;
	if (file[0] == '\0')
		return pstrdup(mc_password ? mc_password : "");
	if (mc_password && mc_password[0] != '\0')
	{
		*err = pstrdup("memcache.password and memcache.password_file are both set: set one of them");
		return NULL;
	}
	return read_password_file(file, err);
}

static void
define_path(const char *name, const char *desc, char **var,
			GucStringCheckHook check, GucStringAssignHook assign)
{
	DefineCustomStringVariable(name, desc, NULL, var, "", PGC_SUSET, 0,
							   check, assign, NULL);
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
				&mc_tls_ca_file, check_tls_ca_file, assign_tls_ca_file);
	define_path("memcache.tls_cert_file",
				"PEM client certificate, for servers that require one.", &mc_tls_cert_file,
				check_tls_cert_file, assign_tls_cert_file);
	define_path("memcache.tls_key_file",
				"PEM key of the client certificate.", &mc_tls_key_file,
				check_tls_key_file, assign_tls_key_file);
	define_path("memcache.tls_server_name",
				"Name to verify the server certificate against (empty: the host of each server).",
				&mc_tls_server_name, check_one_line, assign_string);
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
							   "Never stored by ALTER ROLE/DATABASE ... SET (every role can read those): use postgresql.conf, ALTER SYSTEM or memcache.password_file.",
							   &mc_password, "", PGC_SUSET,
							   GUC_SUPERUSER_ONLY | GUC_NO_SHOW_ALL | GUC_NOT_IN_SAMPLE,
							   check_password, assign_string, NULL);
	define_path("memcache.password_file",
				"File whose first line is the password for memcached's authentication (instead of memcache.password).",
				&mc_password_file, check_password_file, assign_password_file);
}
