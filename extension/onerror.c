/*
 * onerror.c - what a call's result code does in SQL: memcache.on_error
 * decides between a WARNING, an ERROR and silence for failures of
 * memcached; bad input and internal errors are always an ERROR.
 */
#include "postgres.h"

#include "lib/stringinfo.h"
#include "mb/pg_wchar.h"
#include "miscadmin.h"

#include "gobridge.h"
#include "memcache.h"

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

const char *
mc_client_text(const char *s)
{
	StringInfoData buf;
	int			client = pg_get_client_encoding();
	int			server = GetDatabaseEncoding();

	if (client == server || client == PG_SQL_ASCII || server == PG_SQL_ASCII)
		return s;
	initStringInfo(&buf);
	for (const unsigned char *p = (const unsigned char *) s; *p; p++)
	{
		if (*p >= 0x80)
			appendStringInfo(&buf, "\\x%02x", *p);
		else
			appendStringInfoChar(&buf, (char) *p);
	}
	return buf.data;
}
