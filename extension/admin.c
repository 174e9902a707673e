/*
 * admin.c - flush_all, stats, servers, server_for_key, server_add.
 */
#include "postgres.h"

#include "fmgr.h"
#include "funcapi.h"
#include "lib/stringinfo.h"
#include "miscadmin.h"
#include "utils/builtins.h"
#include "utils/memutils.h"
#include "utils/tuplestore.h"

#include "gobridge.h"
#include "memcache.h"

char	   *mc_added_servers = NULL;

static void
require_superuser(const char *fn)
{
	if (!superuser())
		ereport(ERROR,
				(errcode(ERRCODE_INSUFFICIENT_PRIVILEGE),
				 errmsg("memcache: only superusers may call %s()", fn)));
}

/* Reads a 4-byte little-endian length-prefixed field as text. */
static text *
field_text(const char **p, const char *end)
{
	const unsigned char *u = (const unsigned char *) *p;
	uint32		len;
	text	   *t;

	if (end - *p < 4)
		elog(ERROR, "memcache: truncated result from the Go side");
	len = (uint32) u[0] | (uint32) u[1] << 8 | (uint32) u[2] << 16 | (uint32) u[3] << 24;
	if ((size_t) (end - *p - 4) < len)
		elog(ERROR, "memcache: truncated result from the Go side");
	t = cstring_to_text_with_len(*p + 4, len);
	*p += 4 + len;
	return t;
}

PG_FUNCTION_INFO_V1(memcache_flush_all);
Datum
memcache_flush_all(PG_FUNCTION_ARGS)
{
	int			rc;

	require_superuser("memcache_flush_all");
	mc_prepare();
	rc = mcgo.flush_all(&mc_data, &mc_len);
	PG_RETURN_BOOL(mc_outcome(rc, "flush_all", NULL, 0));
}

/* memcache_stats(): every server's stats as one text, pgmemcache's format. */
PG_FUNCTION_INFO_V1(memcache_stats);
Datum
memcache_stats(PG_FUNCTION_ARGS)
{
	StringInfoData buf;
	const char *p,
			   *end;
	char	   *last = NULL;
	int			rc;

	mc_prepare();
	rc = mcgo.stats(&mc_data, &mc_len);
	if (!mc_outcome(rc, "stats", NULL, 0))
		PG_RETURN_NULL();
	initStringInfo(&buf);
	p = mc_data;
	end = mc_data + mc_len;
	while (p < end)
	{
		char	   *server = text_to_cstring(field_text(&p, end));
		char	   *name = text_to_cstring(field_text(&p, end));
		char	   *value = text_to_cstring(field_text(&p, end));

		if (last == NULL || strcmp(last, server) != 0)
		{
			appendStringInfo(&buf, "%sServer: %s\n", last ? "\n" : "", server);
			last = server;
		}
		appendStringInfo(&buf, "%s: %s\n", name, value);
	}
	PG_RETURN_TEXT_P(cstring_to_text_with_len(buf.data, buf.len));
}

PG_FUNCTION_INFO_V1(memcache_server_stats);
Datum
memcache_server_stats(PG_FUNCTION_ARGS)
{
	ReturnSetInfo *rsinfo = (ReturnSetInfo *) fcinfo->resultinfo;
	const char *p,
			   *end;
	int			rc;

	InitMaterializedSRF(fcinfo, 0);
	mc_prepare();
	rc = mcgo.stats(&mc_data, &mc_len);
	if (!mc_outcome(rc, "stats", NULL, 0))
		return (Datum) 0;
	p = mc_data;
	end = mc_data + mc_len;
	while (p < end)
	{
		Datum		values[3];
		bool		nulls[3] = {false, false, false};

		for (int i = 0; i < 3; i++)
			values[i] = PointerGetDatum(field_text(&p, end));
		tuplestore_putvalues(rsinfo->setResult, rsinfo->setDesc, values, nulls);
	}
	return (Datum) 0;
}

PG_FUNCTION_INFO_V1(memcache_servers);
Datum
memcache_servers(PG_FUNCTION_ARGS)
{
	ReturnSetInfo *rsinfo = (ReturnSetInfo *) fcinfo->resultinfo;
	const char *p,
			   *end;
	int			position = 0;
	int			rc;

	InitMaterializedSRF(fcinfo, 0);
	mc_prepare();
	rc = mcgo.servers(&mc_data, &mc_len);
	if (!mc_outcome(rc, "servers", NULL, 0))
		return (Datum) 0;
	p = mc_data;
	end = mc_data + mc_len;
	while (p < end)
	{
		Datum		values[5];
		bool		nulls[5] = {false, false, false, false, false};
		text	   *server = field_text(&p, end);
		char	   *reachable = text_to_cstring(field_text(&p, end));
		char	   *latency = text_to_cstring(field_text(&p, end));
		char	   *error = text_to_cstring(field_text(&p, end));

		values[0] = PointerGetDatum(server);
		values[1] = Int32GetDatum(++position);
		values[2] = BoolGetDatum(reachable[0] == 't');
		if (latency[0] != '\0')
			values[3] = DirectFunctionCall1(float8in, CStringGetDatum(latency));
		else
			nulls[3] = true;
		if (error[0] != '\0')
			values[4] = CStringGetTextDatum(error);
		else
			nulls[4] = true;
		tuplestore_putvalues(rsinfo->setResult, rsinfo->setDesc, values, nulls);
	}
	return (Datum) 0;
}

PG_FUNCTION_INFO_V1(memcache_server_for_key);
Datum
memcache_server_for_key(PG_FUNCTION_ARGS)
{
	text	   *key = PG_GETARG_TEXT_PP(0);
	int			rc;

	mc_prepare();
	rc = mcgo.server_for_key(VARDATA_ANY(key), VARSIZE_ANY_EXHDR(key), &mc_data, &mc_len);
	if (!mc_outcome(rc, "server_for_key", VARDATA_ANY(key), VARSIZE_ANY_EXHDR(key)))
		PG_RETURN_NULL();
	PG_RETURN_TEXT_P(cstring_to_text_with_len(mc_data, mc_len));
}

/*
 * memcache_server_add(server): appends to this session's server list (the
 * setting is left alone).  Kept until the session ends.
 */
PG_FUNCTION_INFO_V1(memcache_server_add);
Datum
memcache_server_add(PG_FUNCTION_ARGS)
{
	char	   *entry = text_to_cstring(PG_GETARG_TEXT_PP(0));
	char	   *added;
	int			rc;

	require_superuser("memcache_server_add");
	if (strchr(entry, ',') != NULL)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("memcache: memcache_server_add() takes one server"),
				 errhint("Call it once per server.")));
	mc_load_go();
	rc = mcgo.check_servers(entry, strlen(entry), &mc_data, &mc_len);
	if (rc != MCGO_OK)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("memcache: invalid server: %.*s", (int) mc_len, mc_data)));
	if (entry[strspn(entry, " \t\r\n")] == '\0')
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("memcache: invalid server: the entry is empty")));
	added = mc_added_servers
		? psprintf("%s,%s", mc_added_servers, entry) : pstrdup(entry);
	if (mc_added_servers)
		pfree(mc_added_servers);
	mc_added_servers = MemoryContextStrdup(TopMemoryContext, added);
	pfree(added);
	mc_config_dirty = true;
	PG_RETURN_BOOL(true);
}
