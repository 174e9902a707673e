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

#include "abi.h"
#include "gobridge.h"
#include "memcache.h"
#include "server_list.h"

char	   *mc_added_servers = NULL;

static void
require_superuser(const char *fn)
{
	if (!superuser())
		ereport(ERROR,
				(errcode(ERRCODE_INSUFFICIENT_PRIVILEGE),
				 errmsg("memcache: only superusers may call %s()", fn)));
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

/*
 * A block's first line in pgmemcache's format, "Server: host (port)", that
 * scripts written for it parse: an address "host:port" or "[v6]:port" is
 * split, a socket path is given port 0 (as libmemcached does).
 */
static void
append_server_line(StringInfo buf, const char *addr)
{
	const char *colon = strrchr(addr, ':');
	int			hostlen;

	if (addr[0] == '/' || colon == NULL)
	{
		appendStringInfo(buf, "Server: %s (0)\n", addr);
		return;
	}
	hostlen = colon - addr;
	if (addr[0] == '[' && hostlen >= 2 && addr[hostlen - 1] == ']')
	{
		addr++;
		hostlen -= 2;
	}
	appendStringInfo(buf, "Server: %.*s (%s)\n", hostlen, addr, colon + 1);
}

/* memcache_stats(): every server's stats as one text, pgmemcache's format. */
PG_FUNCTION_INFO_V1(memcache_stats);
Datum
memcache_stats(PG_FUNCTION_ARGS)
{
	StringInfoData buf;
	McFields	f;
	char	   *last = NULL;
	int			rc;

	mc_prepare();
	rc = mcgo.stats(&mc_data, &mc_len);
	if (!mc_outcome(rc, "stats", NULL, 0))
		PG_RETURN_NULL();
	initStringInfo(&buf);
	mc_fields_init(&f, mc_data, mc_len);
	while (mc_fields_more(&f))
	{
		char	   *server = mc_field_cstring(&f);
		char	   *name = mc_field_cstring(&f);
		char	   *value = mc_field_cstring(&f);

		if (last == NULL || strcmp(last, server) != 0)
		{
			append_server_line(&buf, server);
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
	McFields	f;
	int			rc;

	InitMaterializedSRF(fcinfo, 0);
	mc_prepare();
	rc = mcgo.stats(&mc_data, &mc_len);
	if (!mc_outcome(rc, "stats", NULL, 0))
		return (Datum) 0;
	mc_fields_init(&f, mc_data, mc_len);
	while (mc_fields_more(&f))
	{
		Datum		values[3];
		bool		nulls[3] = {false, false, false};

		for (int i = 0; i < 3; i++)
			values[i] = PointerGetDatum(mc_field_text(&f));
		tuplestore_putvalues(rsinfo->setResult, rsinfo->setDesc, values, nulls);
	}
	return (Datum) 0;
}

PG_FUNCTION_INFO_V1(memcache_servers);
Datum
memcache_servers(PG_FUNCTION_ARGS)
{
	ReturnSetInfo *rsinfo = (ReturnSetInfo *) fcinfo->resultinfo;
	McFields	f;
	int			position = 0;
	int			rc;

	InitMaterializedSRF(fcinfo, 0);
	mc_prepare();
	rc = mcgo.servers(&mc_data, &mc_len);
	if (!mc_outcome(rc, "servers", NULL, 0))
		return (Datum) 0;
	mc_fields_init(&f, mc_data, mc_len);
	while (mc_fields_more(&f))
	{
		Datum		values[5];
		bool		nulls[5] = {false, false, false, false, false};
		text	   *server = mc_field_text(&f);
		char	   *reachable = mc_field_cstring(&f);
		char	   *latency = mc_field_cstring(&f);
		char	   *error = mc_field_cstring(&f);

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

/* Collects the addresses of a server list (mc_parse_server_list). */
static void
collect_server(void *arg, bool is_unix, const char *addr, size_t len)
{
	List	  **list = (List **) arg;

	*list = lappend(*list, pnstrdup(addr, len));
}

/* Whether every server of list is in the session's list already. */
static bool
servers_in_effect(const char *list)
{
	List	   *named = NIL;
	List	   *have = NIL;
	char		err[8];
	ListCell   *lc;

	(void) mc_parse_server_list(list, collect_server, &named, err, sizeof(err));
	(void) mc_parse_server_list(mc_servers ? mc_servers : "", collect_server, &have, err, sizeof(err));
	if (mc_added_servers)
		(void) mc_parse_server_list(mc_added_servers, collect_server, &have, err, sizeof(err));
	foreach(lc, named)
	{
		ListCell   *hc;
		bool		found = false;

		foreach(hc, have)
			found = found || strcmp(lfirst(lc), lfirst(hc)) == 0;
		if (!found)
			return false;
	}
	return true;
}

/*
 * memcache_server_add(server): appends to this session's server list (the
 * setting is left alone), after whatever memcache.servers says, until the
 * session ends (a ROLLBACK keeps it, as in pgmemcache).  A comma-separated
 * list is added whole, as pgmemcache did, or not at all.  Servers the
 * session has already may be named by anyone allowed to call it: that
 * changes nothing, and pgmemcache told applications to call it in every
 * new connection.
 */
PG_FUNCTION_INFO_V1(memcache_server_add);
Datum
memcache_server_add(PG_FUNCTION_ARGS)
{
	char	   *entry = text_to_cstring(PG_GETARG_TEXT_PP(0));
	char	   *added;
	size_t		len = 8 * strlen(entry) + 256;	/* the entry quoted twice, escaped */
	char	   *msg = palloc(len);

	if (mc_parse_server_list(entry, NULL, NULL, msg, len) < 0)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("memcache: invalid server: %s", msg)));
	if (entry[strspn(entry, " \t\r\n")] == '\0')
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("memcache: invalid server: the entry is empty")));
	if (!superuser())
	{
		if (servers_in_effect(entry))
			PG_RETURN_BOOL(true);
		ereport(ERROR,
				(errcode(ERRCODE_INSUFFICIENT_PRIVILEGE),
				 errmsg("memcache: only superusers may call memcache_server_add()"),
				 errdetail("Servers already in the session's list may be named by anyone; this one is not."),
				 errhint("A superuser can add it to memcache.servers.")));
	}
	added = mc_added_servers
		? psprintf("%s,%s", mc_added_servers, entry) : pstrdup(entry);
	if (mc_added_servers)
		pfree(mc_added_servers);
	mc_added_servers = MemoryContextStrdup(TopMemoryContext, added);
	pfree(added);
	mc_config_dirty = true;
	PG_RETURN_BOOL(true);
}
